/*
 * jobs/pdf/pdf.h - internal interface of the "pdf.render" job, shared by
 * jobs/pdf.c and the files beside this one, and by nothing else.
 *
 * The pipeline is: doc.c turns the docdef JSON into a flat list of blocks
 * with fully resolved styles (so later stages never look at JSON again),
 * layout.c breaks paragraphs into lines and lines into pages, render.c draws
 * them with libharu.  font.c owns everything about fonts (FreeType faces for
 * measuring, libharu font handles for drawing, UTF-8 transcoding).
 *
 * Errors: every stage reports into a struct pdf_err (a stable code and a
 * message naming the docdef path); jobs/pdf.c turns it into heft_job_fail().
 * Nothing here is global: one job owns one doc, one font set, one HPDF_Doc.
 */
#ifndef HEFT_JOBS_PDF_H
#define HEFT_JOBS_PDF_H

#include <heft/job.h>
#include <hpdf.h>
#include <iconv.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors ---- */

struct pdf_err {
    char code[32];          /* "bad_input", "unsupported", ...; "" = none */
    char msg[512];
};

/* Record an error (the first one wins) and return -1. */
int pdf_fail(struct pdf_err *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- settings and shared state (settings.c) ---- */

enum pdf_output { PDF_OUT_BLOB, PDF_OUT_FILE, PDF_OUT_BOTH };

/* What pdf.render's init builds from its settings (jobs.types.pdf.render
 * in heft.yaml), shared read-only by every worker thread.  All zero = no
 * settings: the handler then behaves as without a config. */
struct pdf_shared {
    enum pdf_output output;     /* "output", default blob */
    char *output_dir;           /* "output_dir", resolved; NULL = none */
    char **image_dirs;          /* "image_dirs", resolved, in order */
    size_t nimage_dirs;
    struct pdf_template *templates;     /* "templates_dir", sorted by name; NULL = unset */
    size_t ntemplates;
    /* Each subsystem adds its own members here; helper "fonts" adds the
     * font families and the metrics cache. */
    struct pdf_fontset *fonts;  /* "fonts", "default_font" (font.c); built by init */
};

/* Parses one settings key into sh; on error fills err (err->key is the
 * path of the bad node, such as "fonts.Roboto.bold") and returns -1.
 * Whatever it stored in sh is freed by pdf_shared_free() either way. */
typedef int (*pdf_setting_fn)(struct pdf_shared *sh, const char *key, const json_t *value,
                              struct heft_init_error *err);

/* The shared state for these settings (a JSON object), or NULL with err
 * filled; unknown keys are refused. */
struct pdf_shared *pdf_shared_new(const json_t *settings, struct heft_init_error *err);
void pdf_shared_free(struct pdf_shared *sh);

/* ---- templates (template.c) ---- */

/* A document definition with placeholders, loaded at init; read only. */
struct pdf_template {
    char *name;             /* the file name without .json/.yaml/.yml */
    char *file;             /* its path, for messages */
    json_t *def;
};

/* The setting "templates_dir" (pdf_setting_fn): every *.json, *.yaml and
 * *.yml file in it is loaded and checked. */
int pdf_templates_setting(struct pdf_shared *sh, const char *key, const json_t *value,
                          struct heft_init_error *err);
void pdf_templates_free(struct pdf_shared *sh);
/* The docdef for a payload {"template": NAME, "data": {...}}: a new JSON
 * tree (*out), built within max_bytes (max_definition_bytes).  Codes:
 * unknown_template, template_error, bad_input, limit_exceeded. */
int pdf_template_expand(const struct pdf_shared *sh, const json_t *payload, long long max_bytes,
                        json_t **out, struct pdf_err *err);

/* ---- output files (output.c) ---- */

/* The settings "output" and "output_dir" (pdf_setting_fn). */
int pdf_output_setting(struct pdf_shared *sh, const char *key, const json_t *value,
                       struct heft_init_error *err);
/* Rules between them, once all keys are read. */
int pdf_output_check(const struct pdf_shared *sh, struct heft_init_error *err);
/* The file name for a job id: the id when it is 1+ of [A-Za-z0-9._-] not
 * starting with '.', else '%' and the id's bytes in hex (or "%sha256-"
 * and its sha256 when that would be too long); then ".pdf".  out must
 * hold PDF_OUTPUT_NAME_MAX bytes. */
#define PDF_OUTPUT_NAME_MAX 256
void pdf_output_name(const char *id, char out[PDF_OUTPUT_NAME_MAX]);
/* Write the PDF atomically as output_dir/NAME; *path gets the path
 * (malloc'ed).  Errors are I/O errors: worth a retry. */
int pdf_output_write(const struct pdf_shared *sh, const char *id, const unsigned char *pdf,
                     size_t len, char **path, struct pdf_err *err);
/* sha256 of data as 64 lowercase hex digits into hex[65]. */
int pdf_sha256_hex(const unsigned char *data, size_t len, char hex[65]);

/* ---- resolved styles ---- */

enum pdf_family {
    PDF_FAM_DEFAULT,        /* an embedded TrueType family: the style's ttf */
    PDF_FAM_HELVETICA,
    PDF_FAM_TIMES,
    PDF_FAM_COURIER,
    PDF_NFAMILIES
};

enum pdf_align { PDF_ALIGN_LEFT, PDF_ALIGN_CENTER, PDF_ALIGN_RIGHT, PDF_ALIGN_JUSTIFY };

enum { PDF_LEFT, PDF_TOP, PDF_RIGHT, PDF_BOTTOM };   /* index into margin[] */

/* Text decorations (pdfmake's decoration), a bit set, and their style. */
enum { PDF_DECO_UNDERLINE = 1, PDF_DECO_LINE_THROUGH = 2, PDF_DECO_OVERLINE = 4 };
enum pdf_deco_style { PDF_DECO_SOLID, PDF_DECO_DASHED, PDF_DECO_DOTTED, PDF_DECO_DOUBLE,
                      PDF_DECO_WAVY };

struct pdf_style {
    double font_size;
    double line_height;     /* multiplier */
    double char_spacing;    /* points added after every character */
    double color[3];        /* rgb 0..1 */
    int bold, italics;
    enum pdf_family family;
    unsigned ttf;           /* PDF_FAM_DEFAULT: 0 = the default family (default_font),
                             * else 1 + its index in the job's fontset */
    enum pdf_align align;
    double margin[4];       /* the node's own margin: never inherited */
    double column_gap;      /* columnGap of columns nodes */
    int fill;               /* fillColor set: table cells are painted */
    double fill_rgb[3];
    int page_break_before, page_break_after;    /* node-only too */
    /* Drawn around the text by decor.c; all inherited like pdfmake's. */
    int decoration;         /* PDF_DECO_* bits; 0 = none */
    enum pdf_deco_style deco_style;
    int has_deco_color;     /* else decorations take the text colour */
    double deco_color[3];
    double deco_thickness;  /* points; 0 = from the font size */
    int has_background;
    double background[3];   /* behind the run's text, the line's height */
    const char *link;       /* URI, borrowed from the payload; NULL = none */
    long link_page;         /* linkToPage, 1-based; 0 = none */
    const char *dest;       /* linkToDestination: an id (xref.c); NULL = none */
};

/* ---- the document ---- */

struct pdf_run {
    char *text;             /* UTF-8, owned */
    struct pdf_style style;
};

struct pdf_para {
    struct pdf_run *runs;   /* owned */
    size_t nruns;
    struct pdf_style style; /* the paragraph's own style: empty lines use it */
};

/* ---- images (image.c) ---- */

/* A decoded image: what libharu gets, never the original file bytes. */
struct pdf_image {
    unsigned char *rgb;     /* owned: w * h * 3 bytes, 8-bit RGB */
    unsigned char *alpha;   /* owned: w * h bytes, 8-bit; NULL = opaque */
    unsigned w, h;          /* pixels */
};

struct pdf_image_limits {
    long long max_bytes;    /* decoded base64, or the file's size */
    long long max_pixels;   /* width * height */
    /* Where images come from besides data URLs (imagefile.c): the
     * image_dirs setting (none: file names are unsupported) and the
     * docdef's `images` dictionary (NULL: none). */
    char *const *dirs;
    size_t ndirs;
    const json_t *images;
};

/* Decode a pdfmake image source (a PNG or JPEG data URL); errors name path. */
int pdf_image_decode(struct pdf_image *img, const char *src, const struct pdf_image_limits *lim,
                     const char *path, struct pdf_err *err);
/* Decode the bytes of a PNG or JPEG file (told apart by their signature). */
int pdf_image_decode_bytes(struct pdf_image *img, const unsigned char *data, size_t len,
                           long long max_pixels, const char *path, struct pdf_err *err);

/* ---- image files and the images dictionary (imagefile.c) ---- */

/* The setting "image_dirs" (pdf_setting_fn): a list of directories. */
int pdf_image_dirs_setting(struct pdf_shared *sh, const char *key, const json_t *value,
                           struct heft_init_error *err);
/* Check the docdef's `images` dictionary: an object of strings. */
int pdf_images_check(const json_t *images, struct pdf_err *err);
/* Decode what an image node's `image` names: a data URL, a name in the
 * `images` dictionary (whose value is a data URL or a file name), or a file
 * name looked up in the image directories in order.  Errors name path. */
int pdf_image_load(struct pdf_image *img, const char *src, const struct pdf_image_limits *lim,
                   const char *path, struct pdf_err *err);
void pdf_image_free(struct pdf_image *img);

/* ---- canvas (pdfmake vector drawings) ---- */

enum pdf_cop_kind { PDF_COP_RECT, PDF_COP_LINE, PDF_COP_POLYLINE, PDF_COP_ELLIPSE };

/* One canvas operation, validated; coordinates are pdfmake's: points from
 * the canvas block's top-left corner, y growing downwards. */
struct pdf_cop {
    enum pdf_cop_kind kind;
    double v[5];            /* rect x y w h r; line x1 y1 x2 y2; ellipse x y r1 r2 */
    double *pts;            /* POLYLINE: owned, npts x,y pairs */
    size_t npts;
    int closed;             /* POLYLINE: closePath */
    int fill, stroke;       /* how it is painted: at least one is set */
    double fill_rgb[3], stroke_rgb[3];
    double line_width;
    int cap;                /* HPDF_LineCap */
    double dash[2];         /* length, space in points; length 0 = solid */
};

struct pdf_canvas {
    struct pdf_cop *ops;    /* owned */
    size_t nops;
};

/* ---- tables and columns (table.c parses them, grid.c lays them out) ---- */

enum pdf_width_kind { PDF_WIDTH_STAR, PDF_WIDTH_AUTO, PDF_WIDTH_FIXED, PDF_WIDTH_PERCENT };

struct pdf_width {
    enum pdf_width_kind kind;
    double value;           /* FIXED: points; PERCENT: 0..100 */
};

/* The content of a column or a cell: blocks [first, end) of doc->blocks,
 * right after the container block itself. */
struct pdf_range {
    size_t first, end;
};

struct pdf_cell {
    struct pdf_range body;
    int covered;            /* a slot under another cell's colSpan/rowSpan */
    size_t col_span, row_span;      /* >= 1 */
    int fill;
    double fill_rgb[3];
    int border[4];          /* left, top, right, bottom: drawn where the layout has a line */
};

/* pdfmake's built-in table layouts; the line widths and paddings they
 * give each row and column are computed in grid.c. */
enum pdf_table_layout {
    PDF_TL_DEFAULT, PDF_TL_NO_BORDERS, PDF_TL_HEADER_LINE_ONLY, PDF_TL_LIGHT_HORIZONTAL_LINES
};

struct pdf_table {
    size_t nrows, ncols;
    struct pdf_cell *cells;         /* owned, nrows x ncols, row by row */
    struct pdf_width *widths;       /* owned, ncols */
    size_t header_rows;             /* repeated at the top of every page */
    size_t keep_rows;               /* keepWithHeaderRows */
    int dont_break_rows;
    enum pdf_table_layout layout;
};

struct pdf_columns {
    size_t n;
    struct pdf_range *cols;         /* owned */
    struct pdf_width *widths;       /* owned */
    double gap;
};

enum pdf_block_kind {
    PDF_BLOCK_PARA, PDF_BLOCK_SPACE, PDF_BLOCK_BREAK, PDF_BLOCK_IMAGE, PDF_BLOCK_CANVAS,
    PDF_BLOCK_QR, PDF_BLOCK_TABLE, PDF_BLOCK_COLUMNS
};

/* Content flattened: stacks become their children, with their margins
 * turned into SPACE blocks (top, bottom) and indents (left, right). */
struct pdf_block {
    enum pdf_block_kind kind;
    struct pdf_para para;   /* PARA */
    double space;           /* SPACE: vertical points */
    double indent[2];       /* PARA: left, right indent from enclosing stacks */
    /* Lists: an item's paragraphs sit right of the marker columns of every
     * enclosing list, whose widths only layout can measure, so blocks name
     * their lists instead of folding the widths into indent[0]. */
    size_t list;            /* PARA: innermost enclosing list, index + 1; 0 = none */
    struct pdf_para marker; /* PARA: the item marker drawn at its first line */
    size_t marker_list;     /* the list the marker belongs to, index + 1 */
    double marker_indent;   /* fixed left indent of that list's marker column */
    /* IMAGE: the pixels, drawn img_w x img_h points; indent[] and list
     * place it like a paragraph, para.style.align aligns it. */
    struct pdf_image image;
    double img_w, img_h;
    /* IMAGE: 1 = opaque; with cover, the picture is drawn draw[2] x
     * draw[3] at (draw[0], draw[1]) from the box's lower left corner and
     * clipped to the box. */
    double img_opacity;
    int img_cover;
    double img_draw[4];
    /* CANVAS: the ops, placed like an image img_h tall (img_w is 0: a
     * canvas is never aligned, as in pdfmake).  QR: the same, filled rects
     * only (background, dark module runs), but aligned like an image
     * img_w x img_h (both the node's fit). */
    struct pdf_canvas canvas;
    /* TABLE, COLUMNS: the grid (owned); their content blocks follow this
     * one, and skip is the index after the last of them. */
    struct pdf_table *table;
    struct pdf_columns *columns;
    size_t skip;
};

/* The top-level watermark: text over every page, see decor.c. */
struct pdf_watermark {
    const char *text;       /* borrowed from the payload; NULL = none */
    struct pdf_style style; /* font, size (0 = fit the page), bold, italics, colour */
    double opacity;         /* 0..1 */
    double angle;           /* degrees, pdfmake's sense (negative rises) */
    int has_angle;          /* else along the page's diagonal */
};

/* ownerPassword, userPassword, permissions: libharu's RC4 128-bit. */
struct pdf_crypt {
    const char *owner, *user;   /* borrowed; NULL or "" = not given */
    int has_permissions;
    unsigned permissions;   /* PDF's P bits granted (3 print .. 12 high-res print) */
};

/* ---- cross references (xref.c): ids, page and text references, the
 * table of contents, outlines ---- */

/* A node with an id (its own, or one made up for a tocItem): its blocks
 * [first, end) and, for a text node, its runs [run0, run1) of block. */
struct pdf_anchor {
    const char *id;         /* borrowed from the payload or xref.items */
    size_t first, end;
    size_t block, run0, run1;   /* run1 == run0: no text */
    char *path;             /* owned */
};

enum pdf_ref_kind { PDF_REF_PAGE, PDF_REF_TEXT, PDF_REF_LINK };

/* A use of an id: pageReference (run `run` of block shows the page),
 * textReference (it shows the text) or linkToDestination (checked only). */
struct pdf_ref {
    enum pdf_ref_kind kind;
    const char *id;         /* borrowed */
    size_t block, run;
    size_t anchor;          /* resolved: index into anchors */
    char *path;             /* owned */
};

struct pdf_outline {
    size_t block;           /* the node's first block */
    char *title;            /* owned, UTF-8 */
    const char *id, *parent;    /* borrowed; NULL = none */
    int expanded;
    size_t parent_index;    /* resolved: index + 1 into outlines; 0 = top level */
    char *path;             /* owned */
};

struct pdf_toc_item;        /* xref.c: tocItem nodes found before parsing */

struct pdf_xref {
    struct pdf_anchor *anchors;     /* owned */
    size_t nanchors;
    struct pdf_ref *refs;           /* owned */
    size_t nrefs;
    struct pdf_outline *outlines;   /* owned, in document order once resolved */
    size_t noutlines;
    struct pdf_toc_item *items;     /* owned */
    size_t nitems;
    json_t **made;                  /* owned references: nodes made for tocs */
    size_t nmade;
    const char **tocs;              /* owned array: the ids of the tocs parsed */
    size_t ntocs;
    const char **outline_tocs;      /* owned array: ids of tocs with outlines: true */
    size_t noutline_tocs;
};

void pdf_xref_free(struct pdf_xref *x);

struct pdf_list {
    size_t parent;          /* enclosing list, index + 1; 0 = none */
};

#define PDF_MAX_WARNINGS 32

struct pdf_doc {
    json_t *warnings;           /* owned: strings for the result; NULL = none */
    struct pdf_block *blocks;   /* owned */
    size_t nblocks, cap;
    struct pdf_list *lists;     /* owned */
    size_t nlists;
    double page_w, page_h;
    double margin[4];           /* page margins */
    struct pdf_para header, footer;     /* nruns == 0: none */
    int has_header, has_footer;
    const char *info[6];        /* borrowed from the payload; NULL = unset */
    struct pdf_para background; /* top-level background: behind every page */
    int has_background;
    int has_image_links;        /* an image block has link or linkToPage */
    struct pdf_watermark watermark;
    struct pdf_crypt crypt;
    struct pdf_xref xref;
};

void pdf_table_free(struct pdf_table *t);
void pdf_columns_free(struct pdf_columns *c);

/* Parse and validate the docdef (decoding images).  max_depth bounds node
 * nesting, max_cells the cells of all tables together. */
int pdf_doc_parse(struct pdf_doc *doc, const json_t *def, long long max_depth,
                  long long max_cells, const struct pdf_image_limits *img_lim,
                  const struct pdf_fontset *fonts, struct pdf_err *err);
void pdf_doc_free(struct pdf_doc *doc);
void pdf_para_free(struct pdf_para *para);

/* ---- fonts ---- */

/* The TrueType families and their metrics, built once and shared read-only
 * by every job (font.c). */
struct pdf_fontset;
struct pdf_face;

void pdf_fontset_free(struct pdf_fontset *set);
/* The set the job's fonts come from: its state's, else the built-in one. */
const struct pdf_fontset *pdf_fontset_for_job(heft_job *job, struct pdf_err *err);
/* The settings "fonts" and "default_font" (pdf_setting_fn): TrueType
 * families measured here, once. */
int pdf_fonts_settings(struct pdf_shared *sh, const char *key, const json_t *value,
                       struct heft_init_error *err);
/* Once all keys are read: sh->fonts exists and default_font names a family. */
int pdf_fonts_check(struct pdf_shared *sh, struct heft_init_error *err);
/* What a document's "font" names: a registered family, DejaVu Sans (and
 * Roboto, unless registered) or a base-14 family; -1 when none. */
int pdf_font_family(const struct pdf_fontset *set, const char *name, enum pdf_family *fam,
                    unsigned *ttf);

struct pdf_font {
    int loaded;
    HPDF_Font hfont;        /* TrueType: NULL until text is drawn with it */
    HPDF_Font hansi;        /* TrueType as a simple font in WinAnsiEncoding: NULL until used */
    const char *hname;      /* TrueType: libharu's name of the loaded font; NULL = not yet */
    const struct pdf_face *face;        /* TrueType only (shared); NULL for base-14 */
    double ascent, descent; /* in em (descent negative) */
};

/* ---- font subsets (subset.c) ---- */

typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;

/* A font file's HarfBuzz face (shared, read-only); NULL if it cannot be read. */
hb_face_t *pdf_subset_open(const char *path);
void pdf_subset_close(hb_face_t *face);
/* Every character the document may draw (NULL when out of memory). */
hb_set_t *pdf_subset_chars(const struct pdf_doc *doc);
void pdf_subset_chars_free(hb_set_t *set);
int pdf_subset_has(const hb_set_t *set, uint32_t cp);
/* Load into libharu the font cut down to chars, or the whole file at path
 * when it cannot be cut; libharu's font name, or NULL. */
const char *pdf_subset_load(HPDF_Doc pdf, hb_face_t *face, hb_set_t *chars, const char *path);

/* One job's fonts: libharu handles belong to the job's HPDF_Doc. */
struct pdf_fonts {
    const struct pdf_fontset *set;      /* borrowed, shared */
    HPDF_Doc pdf;                       /* borrowed from the renderer */
    hb_set_t *chars;                    /* owned: what subsets keep; NULL = whole fonts */
    iconv_t to_cp1252;                  /* owned */
    struct pdf_font base14[PDF_NFAMILIES][4];   /* [family][bold*2+italics] */
    struct pdf_font *ttf;               /* owned: one per face of the set */
};

int pdf_fonts_init(struct pdf_fonts *fonts, const struct pdf_fontset *set, HPDF_Doc pdf,
                   struct pdf_err *err);
void pdf_fonts_free(struct pdf_fonts *fonts);
/* The font to draw text in the given style with: a base-14 family falls
 * back to the default family when the text is not in WinAnsiEncoding. */
struct pdf_font *pdf_font_for(struct pdf_fonts *fonts, const struct pdf_style *st,
                              const char *text, size_t len, struct pdf_err *err);
/* Width in points of len bytes of UTF-8 in that font and style. */
int pdf_text_width(struct pdf_fonts *fonts, struct pdf_font *font,
                   const struct pdf_style *st, const char *text, size_t len,
                   double *width, struct pdf_err *err);
/* The bytes to hand libharu for this font, and in *draw the libharu font
 * to draw them with: WinAnsi for base-14 and for TrueType text that WinAnsi
 * can hold (a simple font: far cheaper for libharu), UTF-8 through a CID
 * font for other TrueType text.  A TrueType font is loaded into the PDF
 * here, on first use.  Returns a malloc'ed NUL-terminated string or NULL. */
char *pdf_font_encode(struct pdf_fonts *fonts, struct pdf_font *font,
                      const char *text, size_t len, HPDF_Font *draw, struct pdf_err *err);
/* Fail "unsupported" when the text has a character beyond U+FFFF. */
int pdf_check_bmp(const char *text, const char *path, struct pdf_err *err);

/* ---- layout ---- */

enum pdf_atom_kind { PDF_ATOM_WORD, PDF_ATOM_SPACE, PDF_ATOM_BREAK };

/* A piece of one run: a word (or a piece of a word), spaces, or "\n". */
struct pdf_atom {
    enum pdf_atom_kind kind;
    int joins_prev;         /* no line break allowed before it */
    size_t run;
    size_t off, len;        /* bytes in the run's text */
    double width;
    struct pdf_font *font;
};

/* One placed line: what render.c draws. */
struct pdf_line {
    const struct pdf_para *para;
    const struct pdf_atom *atoms;   /* borrowed from the layout */
    size_t natoms;
    int page;               /* 0-based */
    double x, baseline;     /* start of the line, PDF coordinates */
    double space_extra;     /* justify: added to every space atom */
};

/* A filled rectangle: a table cell's background (below the content) or
 * one of its border lines (above it). */
struct pdf_rect {
    int page;
    int above;              /* drawn after the text */
    int depth;              /* fills: tables nested around the cell; outer ones paint first */
    double x, y, w, h;      /* lower left corner and size */
    double rgb[3];
};

/* One placed image or canvas: what render.c draws. */
struct pdf_placed {
    const struct pdf_image *image;  /* borrowed from the doc */
    int page;
    double x, y, w, h;      /* lower left corner and size, PDF coordinates */
    const struct pdf_canvas *canvas;    /* borrowed; set: a canvas, not image */
    const struct pdf_block *block;      /* IMAGE: opacity and cover */
};

/* Where a block's first line or image was placed (for xref.c). */
struct pdf_spot {
    int page1;              /* 1-based; 0 = not placed */
    double top;             /* its top, PDF coordinates */
};

struct pdf_layout {
    struct pdf_spot *spots;         /* owned, one per block; NULL = no xrefs */
    struct pdf_atom **arrays;       /* owned: the atoms of each paragraph */
    size_t narrays, acap;
    struct pdf_line *lines;         /* owned */
    size_t nlines, lcap;
    struct pdf_placed *images;      /* owned, in page order */
    size_t nimages, icap;
    struct pdf_rect *rects;         /* owned, in page order */
    size_t nrects, rcap;
    size_t rect_floor;              /* rects below it are never extended (grid.c marks) */
    int pages;
};

/* Lay out the content; fails limit_exceeded past max_pages, returns -2
 * (no error recorded) when the job was cancelled. */
int pdf_layout_doc(struct pdf_layout *lay, const struct pdf_doc *doc,
                   struct pdf_fonts *fonts, heft_job *job, long long max_pages,
                   struct pdf_err *err);
/* Lay out one paragraph (a header or footer) in a box of width w at x whose
 * top is at y = top, on one page, however long; *height gets its height. */
int pdf_layout_box(struct pdf_layout *lay, const struct pdf_para *para,
                   struct pdf_fonts *fonts, double x, double w, double top,
                   int page, double *height, struct pdf_err *err);
void pdf_layout_free(struct pdf_layout *lay);

/* ---- decorations (decor.c) ---- */

/* What decor.c draws on: one page of the document being rendered. */
struct pdf_decor {
    HPDF_Doc pdf;
    HPDF_Page page;
    int pages;              /* the document's page count, for linkToPage */
    struct pdf_err *err;
    const struct pdf_doc *doc;          /* for linkToDestination */
    const struct pdf_layout *lay;
};

/* Before a line's text object: the runs' background colours. */
int pdf_decor_under(const struct pdf_decor *d, const struct pdf_line *line);
/* After it: decorations and link annotations of the runs. */
int pdf_decor_over(const struct pdf_decor *d, const struct pdf_line *line);
/* A link annotation over a box (an image) when st has a link. */
int pdf_decor_link(const struct pdf_decor *d, const struct pdf_style *st, double x, double y,
                   double w, double h);
/* The watermark over the page, through gs (its fill opacity). */
int pdf_decor_watermark(const struct pdf_decor *d, const struct pdf_watermark *wm,
                        double page_w, double page_h, struct pdf_fonts *fonts,
                        HPDF_ExtGState gs);

/* ---- rendering ---- */

/* ---- cross references after layout (xref.c) ---- */

/* Where the node with that id starts; -1 when no node has it. */
int pdf_xref_spot(const struct pdf_doc *doc, const struct pdf_layout *lay, const char *id,
                  int *page, double *top);
/* Put the page numbers of the last layout into the pageReference runs;
 * *changed tells whether any text changed (the layout is then stale). */
int pdf_xref_update(struct pdf_doc *doc, const struct pdf_layout *lay, int *changed,
                    struct pdf_err *err);
/* A destination showing page (1-based) from y = top down, the page's
 * width filling the window (FitH: libharu cannot write XYZ's "keep the
 * zoom" that pdfmake uses); NULL on a libharu error. */
HPDF_Destination pdf_xref_dest(HPDF_Doc pdf, int page, double top);
/* The outlines (bookmarks), once all pages exist. */
int pdf_xref_outlines(HPDF_Doc pdf, const struct pdf_doc *doc, const struct pdf_layout *lay,
                      struct pdf_err *err);

/* Render the document to PDF bytes (malloc'ed, *out_len long); page
 * references are filled in here, so the document changes. */
int pdf_render(struct pdf_doc *doc, heft_job *job, long long max_pages,
               unsigned char **out, size_t *out_len, int *pages, struct pdf_err *err);

#endif
