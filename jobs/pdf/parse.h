/*
 * jobs/pdf/parse.h - the docdef parser's state and building blocks, shared
 * by doc.c (which owns them) and table.c (tables and columns, whose cells
 * are parsed as any other content).  Nothing outside the parser uses this.
 */
#ifndef HEFT_JOBS_PDF_PARSE_H
#define HEFT_JOBS_PDF_PARSE_H

#include "pdf.h"

#define PATH_MAX_LEN 512

struct parser {
    struct pdf_doc *doc;
    const json_t *styles;       /* borrowed from the payload; may be NULL */
    long long max_depth;
    long long max_cells;        /* table cells in the whole document */
    long long cells;            /* counted so far */
    const struct pdf_image_limits *img_lim;
    const struct pdf_fontset *fonts;    /* the families "font" may name */
    struct pdf_err *err;
    size_t cur_list;            /* innermost list being parsed, index + 1; 0 = none */
    /* The node being parsed as a table cell or a column: its cell_keys
     * (colSpan, width...) belong to the grid, not to its style. */
    const json_t *cell;
    const char *const *cell_keys;
    int quiet;                  /* applying a named style: its keys were warned about once */
};

/* Any content node, appended as blocks (see add_node in doc.c). */
int pdf_parse_node(struct parser *p, const json_t *node, const struct pdf_style *parent,
                   const double indent[2], const char *path, long long depth);
/* A node's resolved style: parent, then its named styles, then its own
 * properties; keys in skip belong to the caller. */
int pdf_parse_style(struct parser *p, const struct pdf_style *parent, const json_t *obj,
                    const char *path, const char *const *skip, struct pdf_style *st);
int pdf_parse_color(struct parser *p, const json_t *v, const char *path, double rgb[3]);
int pdf_parse_bool(struct parser *p, const json_t *v, const char *path, int *out);
/* Is key one of the NULL-terminated list? */
int pdf_in_list(const char *const *list, const char *key);
/* A warning for the job's result ("content[2]: unknown property ...
 * ignored"); only the first PDF_MAX_WARNINGS are kept. */
int pdf_parse_warn(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A new zeroed block: its index ((size_t)-1 when out of memory).  Blocks
 * move when the array grows: keep indexes, not pointers. */
size_t pdf_parse_block(struct parser *p, enum pdf_block_kind kind);
/* A vertical space block (nothing for pts <= 0). */
int pdf_parse_space(struct parser *p, double pts);
void pdf_path_key(char dst[PATH_MAX_LEN], const char *path, const char *key);
void pdf_path_index(char dst[PATH_MAX_LEN], const char *path, size_t i);

/* table.c */
int pdf_parse_table(struct parser *p, const json_t *node, const struct pdf_style *parent,
                    const double indent[2], const char *path, long long depth);
int pdf_parse_columns(struct parser *p, const json_t *node, const struct pdf_style *parent,
                      const double indent[2], const char *path, long long depth);

/* xref.c: ids, references, tocs and outlines.  The parser calls these
 * hooks; all return 0 or -1 (error recorded). */
/* Find the tocItem nodes (and tocs) of the content before parsing it. */
int pdf_xref_prescan(struct parser *p, const json_t *content);
/* A style property of xref.c's (linkToDestination, and the node-only id,
 * tocItem, outline... which are read again by the hooks below); 1 when
 * key is none of them. */
int pdf_xref_prop(struct parser *p, struct pdf_style *st, const char *key, const json_t *v,
                  const char *path);
/* For a pageReference / textReference node or item (whose own text, if
 * any, pdfmake ignores): a new reference to the text to parse it with
 * (pdfmake's "00000" placeholder, or ""), else NULL. */
json_t *pdf_xref_text(const json_t *node);
/* After an object node became blocks [first, nblocks). */
int pdf_xref_node(struct parser *p, const json_t *node, size_t first, const char *path);
/* After an inline item became runs [run0, para->nruns) of para. */
int pdf_xref_inline(struct parser *p, const json_t *item, const struct pdf_para *para,
                    size_t run0, const char *path);
/* A toc node, made into a stack of its title and a table. */
int pdf_xref_toc(struct parser *p, const json_t *node, const struct pdf_style *parent,
                 const double indent[2], const char *path, long long depth);
/* After parsing: every id used exists; textReference texts filled in. */
int pdf_xref_resolve(struct parser *p);

#endif
