/*
 * jobs/pdf/font.c - fonts for pdf.render: which font draws a run, how wide
 * its text is, and which bytes libharu gets for it.
 *
 * Two kinds of font: TrueType families (the built-in DejaVu Sans and those
 * the "fonts" setting registers; embedded, text passed as UTF-8 through
 * libharu's UTF-8 encoder) and the base-14 families (not embedded,
 * WinAnsiEncoding, measured by libharu).  A run in a base-14 family with
 * characters outside WinAnsi is drawn in the default TrueType family
 * ("default_font") instead, so no text is lost.
 *
 * TrueType metrics are measured once, by pdf.render's init, not per job: a
 * struct pdf_fontset holds, per font file, the advance width of every BMP
 * code point its cmap maps, read with FreeType when the set is built and
 * read-only afterwards, so every worker thread measures text through it
 * at once without locks (an FT_Face must never serve two threads).  A job
 * only asks libharu for the fonts it draws (struct pdf_fonts, one per job):
 * libharu's font objects belong to one HPDF_Doc and cannot be shared.
 */
#include "pdf.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H

#ifndef HEFT_DEFAULT_FONT
#define HEFT_DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

/* [family][bold*2+italics]; NULL for the TrueType family (see ttf_files). */
static const char *const base14_names[PDF_NFAMILIES][4] = {
    { NULL, NULL, NULL, NULL },
    { "Helvetica", "Helvetica-Oblique", "Helvetica-Bold", "Helvetica-BoldOblique" },
    { "Times-Roman", "Times-Italic", "Times-Bold", "Times-BoldItalic" },
    { "Courier", "Courier-Oblique", "Courier-Bold", "Courier-BoldOblique" },
};

/* The built-in family's variants, beside HEFT_DEFAULT_FONT. */
static const char *const ttf_files[4] = {
    NULL, "DejaVuSans-Oblique.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-BoldOblique.ttf",
};

/* One TrueType file as layout needs it, measured once. */
struct pdf_face {
    char *path;                 /* what libharu loads, in every job that draws with it */
    hb_face_t *hb;              /* the same file for subsetting (subset.c); NULL = none */
    int units_per_em;
    double ascent, descent;     /* em, descent negative */
    uint16_t notdef;            /* advance of glyph 0, which unmapped code points show */
    uint16_t *adv[256];         /* advances in font units: adv[cp >> 8][cp & 0xFF];
                                 * NULL = no code point of that block mapped */
};

struct pdf_ttf_family {
    char *name;
    size_t face[4];             /* index into faces[], [bold*2+italics] */
};

struct pdf_fontset {
    struct pdf_face *faces;     /* owned: one per distinct file */
    size_t nfaces;
    struct pdf_ttf_family *fams;        /* owned; fams[0] is the built-in family */
    size_t nfams;
    size_t default_fam;         /* what runs without a font, and WinAnsi fallbacks, use */
    char *default_name;         /* "default_font" as configured; NULL = DejaVu Sans */
};

int pdf_fail(struct pdf_err *err, const char *code, const char *fmt, ...)
{
    va_list ap;

    if (err->code[0])       /* keep the first, most specific error */
        return -1;
    snprintf(err->code, sizeof err->code, "%s", code);
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* Convert len bytes with cd into a malloc'ed buffer (NUL-padded with 4
 * bytes).  Returns 0, or -1 with errno EILSEQ when a character has no
 * equivalent in the target. */
static int convert(iconv_t cd, const char *in, size_t len, char **out, size_t *out_len)
{
    size_t cap = len * 4 + 4, left = cap - 4;
    char *buf = malloc(cap), *op = buf, *ip = (char *)in;
    int rc = -1;

    if (!buf)
        goto out;
    iconv(cd, NULL, NULL, NULL, NULL);      /* reset any shift state */
    if (iconv(cd, &ip, &len, &op, &left) == (size_t)-1)
        goto out;
    memset(op, 0, 4);
    *out = buf;
    *out_len = (size_t)(op - buf);
    buf = NULL;
    rc = 0;
out:
    free(buf);
    return rc;
}

/* Code points of UTF-8 text, via iconv: a malloc'ed array of *n. */
/* UTF-8 to WinAnsi (WINDOWS-1252) for the base-14 fonts; ASCII, most
 * text, is the same bytes in both and skips iconv. */
static int to_winansi(struct pdf_fonts *fonts, const char *in, size_t len, char **out,
                      size_t *out_len)
{
    size_t i = 0;

    while (i < len && (unsigned char)in[i] < 0x80)
        i++;
    if (i < len)
        return convert(fonts->to_cp1252, in, len, out, out_len);
    if (!(*out = malloc(len + 1)))
        return -1;
    memcpy(*out, in, len);
    (*out)[len] = '\0';
    *out_len = len;
    return 0;
}

/* The code point at s[*i], advancing *i.  Text reaching layout is valid
 * UTF-8 (jansson refuses anything else), and decoding it here rather than
 * through iconv saves a conversion and a malloc per word. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    uint32_t cp = s[(*i)++];
    int more = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;

    if (more)
        cp &= 0x3Fu >> more;
    for (; more > 0 && *i < len && (s[*i] & 0xC0) == 0x80; more--)
        cp = cp << 6 | (s[(*i)++] & 0x3Fu);
    return cp;
}

/* jansson has validated the UTF-8: only its 4-byte sequences matter. */
int pdf_check_bmp(const char *text, const char *path, struct pdf_err *err)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t len = strlen(text), i = 0;

    while (i < len) {
        size_t at = i;
        if (s[i] < 0xF0) {
            i++;
            continue;
        }
        return pdf_fail(err, "unsupported",
                        "%s: character U+%04X (beyond U+FFFF) is not supported yet", path,
                        (unsigned)utf8_next(s, len, &at));
    }
    return 0;
}

/* ---- the shared set: metrics measured once ---- */

/* libharu must be able to embed the file too: a font FreeType reads but
 * libharu 2.3.0 refuses (an OpenType font with CFF outlines, say) would
 * only fail when a job draws with it, so it is refused when the set is
 * built. */
static void hpdf_probe_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)detail_no;
    *(HPDF_STATUS *)user_data = error_no;
}

static int hpdf_can_embed(const char *path)
{
    HPDF_STATUS st = HPDF_OK;
    HPDF_Doc pdf = HPDF_New(hpdf_probe_error, &st);
    const char *name;
    int ok = 0;

    if (!pdf || HPDF_UseUTFEncodings(pdf) != HPDF_OK)
        goto out;
    name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
    ok = name && HPDF_GetFont(pdf, name, "UTF-8") && st == HPDF_OK;
out:
    if (pdf)
        HPDF_Free(pdf);
    return ok;
}

/* The advances of every BMP code point the face's Unicode cmap maps.
 * FT_Get_Advance with FT_LOAD_NO_SCALE reads hmtx: the same font units
 * as FT_Load_Char's glyph->advance.x, without loading outlines. */
static int face_advances(struct pdf_face *f, FT_Face face)
{
    FT_UInt gid;
    FT_Fixed adv;

    if (FT_Get_Advance(face, 0, FT_LOAD_NO_SCALE, &adv) != 0 || adv < 0 || adv > UINT16_MAX)
        return -1;
    f->notdef = (uint16_t)adv;
    for (FT_ULong cp = FT_Get_First_Char(face, &gid); gid != 0 && cp <= 0xFFFF;
         cp = FT_Get_Next_Char(face, cp, &gid)) {
        uint16_t **block = &f->adv[cp >> 8];

        if (!*block) {
            if (!(*block = malloc(256 * sizeof **block)))
                return -1;
            for (int i = 0; i < 256; i++)
                (*block)[i] = f->notdef;
        }
        if (FT_Get_Advance(face, gid, FT_LOAD_NO_SCALE, &adv) != 0 || adv < 0 ||
            adv > UINT16_MAX)
            return -1;
        (*block)[cp & 0xFF] = (uint16_t)adv;
    }
    return 0;
}

/* Measure the TrueType file path into f; msg says why not. */
static int face_load(struct pdf_face *f, const char *path, char *msg, size_t msg_size)
{
    FT_Library ft = NULL;
    FT_Face face = NULL;
    int rc = -1;

    memset(f, 0, sizeof *f);
    if (!(f->path = strdup(path))) {
        snprintf(msg, msg_size, "out of memory");
        goto out;
    }
    if (FT_Init_FreeType(&ft) != 0) {
        ft = NULL;
        snprintf(msg, msg_size, "cannot initialise FreeType");
        goto out;
    }
    if (FT_New_Face(ft, path, 0, &face) != 0) {
        face = NULL;
        snprintf(msg, msg_size, "cannot open %s as a font (missing, unreadable or not a font)",
                 path);
        goto out;
    }
    if (!FT_IS_SFNT(face) || !FT_IS_SCALABLE(face) || !face->charmap ||
        face->charmap->encoding != FT_ENCODING_UNICODE || face->units_per_EM == 0 ||
        !hpdf_can_embed(path)) {
        snprintf(msg, msg_size, "%s is not a TrueType font with a Unicode cmap that libharu "
                 "can embed", path);
        goto out;
    }
    f->units_per_em = face->units_per_EM;
    f->ascent = (double)face->ascender / face->units_per_EM;
    f->descent = (double)face->descender / face->units_per_EM;
    if (face_advances(f, face) != 0) {
        snprintf(msg, msg_size, "cannot read the glyph advances of %s", path);
        goto out;
    }
    f->hb = pdf_subset_open(path);     /* without it, the whole font is embedded */
    rc = 0;
out:
    if (face)
        FT_Done_Face(face);
    if (ft)
        FT_Done_FreeType(ft);
    return rc;
}

static void face_free(struct pdf_face *f)
{
    for (int i = 0; i < 256; i++)
        free(f->adv[i]);
    pdf_subset_close(f->hb);
    free(f->path);
    memset(f, 0, sizeof *f);
}

/* Advance of one code point in font units. */
static unsigned face_advance(const struct pdf_face *f, uint32_t cp)
{
    const uint16_t *block = cp <= 0xFFFF ? f->adv[cp >> 8] : NULL;

    return block ? block[cp & 0xFF] : f->notdef;
}

void pdf_fontset_free(struct pdf_fontset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->nfaces; i++)
        face_free(&set->faces[i]);
    for (size_t i = 0; i < set->nfams; i++)
        free(set->fams[i].name);
    free(set->default_name);
    free(set->faces);
    free(set->fams);
    free(set);
}

/* The index of path's face in the set, measuring it when it is new. */
static int set_face(struct pdf_fontset *set, const char *path, size_t *idx,
                    char *msg, size_t msg_size)
{
    struct pdf_face *grown;

    for (size_t i = 0; i < set->nfaces; i++)
        if (strcmp(set->faces[i].path, path) == 0) {
            *idx = i;
            return 0;
        }
    grown = realloc(set->faces, (set->nfaces + 1) * sizeof *grown);
    if (!grown) {
        snprintf(msg, msg_size, "out of memory");
        return -1;
    }
    set->faces = grown;
    if (face_load(&set->faces[set->nfaces], path, msg, msg_size) != 0) {
        face_free(&set->faces[set->nfaces]);
        return -1;
    }
    *idx = set->nfaces++;
    return 0;
}

/* Add a family whose faces are already in the set ([bold*2+italics]). */
static int add_family(struct pdf_fontset *set, const char *name, const size_t face[4],
                      char *msg, size_t msg_size)
{
    struct pdf_ttf_family *grown = realloc(set->fams, (set->nfams + 1) * sizeof *grown);
    char *copy = strdup(name);
    struct pdf_ttf_family *fam;

    if (grown)
        set->fams = grown;
    if (!grown || !copy) {
        free(copy);
        snprintf(msg, msg_size, "out of memory");
        return -1;
    }
    fam = &set->fams[set->nfams++];
    fam->name = copy;
    memcpy(fam->face, face, sizeof fam->face);
    return 0;
}

/* A new set holding the built-in family, DejaVu Sans: HEFT_DEFAULT_FONT
 * and its variants beside it. */
static struct pdf_fontset *set_new(char *msg, size_t msg_size)
{
    struct pdf_fontset *set = calloc(1, sizeof *set);
    const char *dir_end = strrchr(HEFT_DEFAULT_FONT, '/');
    char path[1024];
    size_t face[4];

    if (!set) {
        snprintf(msg, msg_size, "out of memory");
        return NULL;
    }
    for (int v = 0; v < 4; v++) {
        if (v == 0 || !dir_end)
            snprintf(path, sizeof path, "%s", HEFT_DEFAULT_FONT);
        else
            snprintf(path, sizeof path, "%.*s/%s", (int)(dir_end - HEFT_DEFAULT_FONT),
                     HEFT_DEFAULT_FONT, ttf_files[v]);
        if (set_face(set, path, &face[v], msg, msg_size) != 0)
            goto fail;
    }
    if (add_family(set, "DejaVu Sans", face, msg, msg_size) == 0)
        return set;
fail:
    pdf_fontset_free(set);
    return NULL;
}

/* A job without state (the handler run without its init, as tests do)
 * uses the built-in set, built once per process on first use and never
 * changed afterwards. */
static struct {
    pthread_once_t once;
    struct pdf_fontset *set;
    char msg[512];
} builtin = { PTHREAD_ONCE_INIT, NULL, "" };

static void builtin_build(void)
{
    builtin.set = set_new(builtin.msg, sizeof builtin.msg);
}

const struct pdf_fontset *pdf_fontset_for_job(heft_job *job, struct pdf_err *err)
{
    const struct pdf_shared *sh = heft_job_state(job);

    if (sh && sh->fonts)
        return sh->fonts;
    pthread_once(&builtin.once, builtin_build);
    if (!builtin.set)
        pdf_fail(err, "render_error", "%s", builtin.msg);
    return builtin.set;
}

/* ---- names: what documents say in "font" ---- */

static const struct { const char *name; enum pdf_family family; } base14_families[] = {
    { "Helvetica", PDF_FAM_HELVETICA }, { "Times", PDF_FAM_TIMES },
    { "Courier", PDF_FAM_COURIER }, { NULL, PDF_FAM_DEFAULT },
};

int pdf_font_family(const struct pdf_fontset *set, const char *name, enum pdf_family *fam,
                    unsigned *ttf)
{
    *fam = PDF_FAM_DEFAULT;
    for (size_t i = 1; i < set->nfams; i++)     /* registered families first */
        if (strcmp(set->fams[i].name, name) == 0) {
            *ttf = (unsigned)i + 1;
            return 0;
        }
    /* pdfmake's own default, Roboto, is DejaVu Sans unless registered. */
    if (strcmp(name, "DejaVu Sans") == 0 || strcmp(name, "Roboto") == 0) {
        *ttf = 1;
        return 0;
    }
    for (size_t i = 0; base14_families[i].name; i++)
        if (strcmp(base14_families[i].name, name) == 0) {
            *fam = base14_families[i].family;
            *ttf = 0;
            return 0;
        }
    return -1;
}

/* ---- settings: "fonts" and "default_font" ---- */

/* In the order of [bold*2+italics]. */
static const char *const style_keys[4] = { "normal", "italics", "bold", "bolditalics" };

static int style_index(const char *key)
{
    for (int v = 0; v < 4; v++)
        if (strcmp(style_keys[v], key) == 0)
            return v;
    return -1;
}

/* One family of "fonts": {normal: FILE, bold: FILE, ...}; styles it does
 * not name use the normal file. */
static int family_setting(struct pdf_fontset *set, const char *name,
                          const json_t *styles, struct heft_init_error *err)
{
    char key[128], msg[384];
    const json_t *file;
    const char *style;
    size_t face[4];
    int v;

    snprintf(key, sizeof key, "fonts.%s", name);
    if (!*name || strlen(name) > 63)
        return heft_init_fail(err, key, "a family name has 1 to 63 bytes");
    for (size_t i = 0; base14_families[i].name; i++)
        if (strcmp(base14_families[i].name, name) == 0)
            return heft_init_fail(err, key, "%s is a built-in (base-14) family; "
                                  "register TrueType files under another name", name);
    if (!json_is_object(styles))
        return heft_init_fail(err, key, "must be a mapping of normal, bold, italics and "
                              "bolditalics to TrueType files");
    if (!json_object_get(styles, "normal"))
        return heft_init_fail(err, key, "has no normal file (every family needs one)");
    json_object_foreach((json_t *)styles, style, file) {
        snprintf(key, sizeof key, "fonts.%s.%s", name, style);
        if ((v = style_index(style)) < 0)
            return heft_init_fail(err, key, "unknown style; a family takes normal, bold, "
                                  "italics and bolditalics");
        if (!json_is_string(file) || json_string_value(file)[0] != '/')
            return heft_init_fail(err, key, "must be the absolute path of a TrueType file");
        if (set_face(set, json_string_value(file), &face[v], msg, sizeof msg) != 0)
            return heft_init_fail(err, key, "%s", msg);
    }
    for (v = 1; v < 4; v++)
        if (!json_object_get(styles, style_keys[v]))
            face[v] = face[0];
    if (add_family(set, name, face, msg, sizeof msg) != 0)
        return heft_init_fail(err, key, "%s", msg);
    return 0;
}

/* sh->fonts, with the built-in family, made when the first font setting
 * (or the final check) needs it. */
static int ensure_set(struct pdf_shared *sh, struct heft_init_error *err)
{
    char msg[384];

    if (!sh->fonts && !(sh->fonts = set_new(msg, sizeof msg)))
        return heft_init_fail(err, "", "the built-in font: %s", msg);
    return 0;
}

int pdf_fonts_settings(struct pdf_shared *sh, const char *key, const json_t *value,
                       struct heft_init_error *err)
{
    const char *name;
    const json_t *styles;

    if (ensure_set(sh, err) != 0)
        return -1;
    if (strcmp(key, "default_font") == 0) {
        if (!json_is_string(value) || !json_string_value(value)[0])
            return heft_init_fail(err, key, "must be the name of a font family");
        free(sh->fonts->default_name);
        if (!(sh->fonts->default_name = strdup(json_string_value(value))))
            return heft_init_fail(err, key, "out of memory");
        return 0;
    }
    if (!json_is_object(value))
        return heft_init_fail(err, key, "must be a mapping of family names to their files");
    json_object_foreach((json_t *)value, name, styles)
        if (family_setting(sh->fonts, name, styles, err) != 0)
            return -1;
    return 0;
}

int pdf_fonts_check(struct pdf_shared *sh, struct heft_init_error *err)
{
    enum pdf_family fam;
    unsigned ttf;
    const char *name;

    if (ensure_set(sh, err) != 0)
        return -1;
    name = sh->fonts->default_name;
    if (!name)
        return 0;
    if (pdf_font_family(sh->fonts, name, &fam, &ttf) != 0)
        return heft_init_fail(err, "default_font", "\"%s\" is neither a family of fonts "
                              "nor the built-in DejaVu Sans", name);
    if (fam != PDF_FAM_DEFAULT)
        return heft_init_fail(err, "default_font", "must name a TrueType family (of fonts, "
                              "or DejaVu Sans), not the base-14 %s", name);
    sh->fonts->default_fam = ttf - 1;
    return 0;
}

/* ---- one job's fonts ---- */

int pdf_fonts_init(struct pdf_fonts *fonts, const struct pdf_fontset *set, HPDF_Doc pdf,
                   struct pdf_err *err)
{
    memset(fonts, 0, sizeof *fonts);
    fonts->set = set;
    fonts->pdf = pdf;
    fonts->to_cp1252 = iconv_open("WINDOWS-1252", "UTF-8");
    if (fonts->to_cp1252 == (iconv_t)-1)
        return pdf_fail(err, "render_error", "iconv cannot convert UTF-8 to WINDOWS-1252");
    fonts->ttf = calloc(set->nfaces, sizeof *fonts->ttf);
    if (!fonts->ttf)
        return pdf_fail(err, "render_error", "out of memory");
    return 0;
}

void pdf_fonts_free(struct pdf_fonts *fonts)
{
    free(fonts->ttf);
    pdf_subset_chars_free(fonts->chars);
    if (fonts->to_cp1252 && fonts->to_cp1252 != (iconv_t)-1)
        iconv_close(fonts->to_cp1252);
    memset(fonts, 0, sizeof *fonts);
}

/* A TrueType font of the set: measured through the shared face; libharu
 * loads it (reads and parses the file, ~1 ms, and builds its 64K-entry
 * CIDToGIDMap, ~5 ms) only when text is drawn with it. */
static struct pdf_font *ttf_slot(struct pdf_fonts *fonts, size_t face)
{
    struct pdf_font *font = &fonts->ttf[face];

    if (!font->loaded) {
        font->face = &fonts->set->faces[face];
        font->ascent = font->face->ascent;
        font->descent = font->face->descent;
        font->loaded = 1;
    }
    return font;
}

/* The face into the PDF (subset, see subset.c), in one of libharu's two
 * guises: a simple TrueType font in WinAnsiEncoding (a 256-entry map) or a
 * CID font for UTF-8 (libharu maps all 65,536 BMP code points per font
 * and per document, ~1 ms even for a subset). */
static HPDF_Font load_hpdf_ttf(struct pdf_fonts *fonts, struct pdf_font *font, int ansi,
                               struct pdf_err *err)
{
    HPDF_Font *slot = ansi ? &font->hansi : &font->hfont;

    if (*slot)
        return *slot;
    if (!font->hname)
        font->hname = pdf_subset_load(fonts->pdf, font->face->hb, fonts->chars,
                                      font->face->path);
    *slot = font->hname ? HPDF_GetFont(fonts->pdf, font->hname,
                                       ansi ? "WinAnsiEncoding" : "UTF-8") : NULL;
    if (!*slot)
        pdf_fail(err, "render_error", "libharu cannot load font %s", font->face->path);
    return *slot;
}

static struct pdf_font *base14_slot(struct pdf_fonts *fonts, enum pdf_family fam, int v,
                                    struct pdf_err *err)
{
    struct pdf_font *font = &fonts->base14[fam][v];

    if (font->loaded)
        return font;
    font->hfont = HPDF_GetFont(fonts->pdf, base14_names[fam][v], "WinAnsiEncoding");
    if (!font->hfont) {
        pdf_fail(err, "render_error", "libharu cannot load font %s", base14_names[fam][v]);
        return NULL;
    }
    font->ascent = HPDF_Font_GetAscent(font->hfont) / 1000.0;
    font->descent = HPDF_Font_GetDescent(font->hfont) / 1000.0;
    font->loaded = 1;
    return font;
}

struct pdf_font *pdf_font_for(struct pdf_fonts *fonts, const struct pdf_style *st,
                              const char *text, size_t len, struct pdf_err *err)
{
    int v = (st->bold ? 2 : 0) + (st->italics ? 1 : 0);
    const struct pdf_fontset *set = fonts->set;
    char *bytes;
    size_t n;

    if (st->family == PDF_FAM_DEFAULT)
        return ttf_slot(fonts, set->fams[st->ttf ? st->ttf - 1 : set->default_fam].face[v]);
    if (to_winansi(fonts, text, len, &bytes, &n) == 0) {
        free(bytes);
        return base14_slot(fonts, st->family, v, err);
    }
    if (errno == EILSEQ || errno == EINVAL)     /* not in WinAnsi: keep the text */
        return ttf_slot(fonts, set->fams[set->default_fam].face[v]);
    pdf_fail(err, "render_error", "cannot transcode text: %s", strerror(errno));
    return NULL;
}

static void ttf_width(const struct pdf_face *face, const char *text, size_t len, double *units,
                      size_t *nchars)
{
    long sum = 0;
    size_t i = 0, n = 0;

    for (; i < len; n++)
        sum += face_advance(face, utf8_next((const unsigned char *)text, len, &i));
    *units = (double)sum / face->units_per_em;
    *nchars = n;
}

int pdf_text_width(struct pdf_fonts *fonts, struct pdf_font *font,
                   const struct pdf_style *st, const char *text, size_t len,
                   double *width, struct pdf_err *err)
{
    double em = 0;
    size_t nchars = 0;
    char *bytes;
    HPDF_TextWidth tw;

    if (font->face) {
        ttf_width(font->face, text, len, &em, &nchars);
    } else {
        if (to_winansi(fonts, text, len, &bytes, &nchars) != 0)
            return pdf_fail(err, "render_error", "cannot transcode text to WINDOWS-1252");
        tw = HPDF_Font_TextWidth(font->hfont, (const HPDF_BYTE *)bytes, (HPDF_UINT)nchars);
        free(bytes);
        em = tw.width / 1000.0;
    }
    *width = em * st->font_size + st->char_spacing * (double)nchars;
    return 0;
}

/* A character the font subset does not have would be drawn as a blank
 * box: never silently (subset.c collects every character up front). */
static int subset_lacks(struct pdf_fonts *fonts, const char *text, size_t len,
                        struct pdf_err *err)
{
    size_t i = 0;
    uint32_t cp;

    while (fonts->chars && i < len)
        if ((unsigned char)text[i] < 0x80)     /* ASCII is always in the subset */
            i++;
        else if (!pdf_subset_has(fonts->chars,
                                 cp = utf8_next((const unsigned char *)text, len, &i))) {
            pdf_fail(err, "render_error", "character U+%04X is missing from the font subset",
                     (unsigned)cp);
            return 1;
        }
    return 0;
}

char *pdf_font_encode(struct pdf_fonts *fonts, struct pdf_font *font,
                      const char *text, size_t len, HPDF_Font *draw, struct pdf_err *err)
{
    char *bytes = NULL;
    size_t n;
    int ansi;

    if (font->face && subset_lacks(fonts, text, len, err))
        return NULL;
    ansi = to_winansi(fonts, text, len, &bytes, &n) == 0;
    if (!font->face) {
        *draw = font->hfont;
        if (!ansi)
            pdf_fail(err, "render_error", "cannot transcode text to WINDOWS-1252");
        return bytes;
    }
    if (!ansi && !(bytes = strndup(text, len))) {
        pdf_fail(err, "render_error", "out of memory");
        return NULL;
    }
    if (!(*draw = load_hpdf_ttf(fonts, font, ansi, err))) {
        free(bytes);
        return NULL;
    }
    return bytes;
}
