/*
 * jobs/pdf/font.c - fonts for pdf.render: which font draws a run, how wide
 * its text is, and which bytes libharu gets for it.
 *
 * Two kinds of font: the default TrueType family (DejaVu Sans, embedded,
 * text passed as UTF-8 through libharu's UTF-8 encoder, measured with
 * FreeType) and the base-14 families (not embedded, WinAnsiEncoding,
 * measured by libharu).  A run in a base-14 family with characters outside
 * WinAnsi is drawn in the default family instead, so no text is lost.
 * Fonts are loaded lazily, once per job: FT_Library, faces and libharu
 * handles all belong to one struct pdf_fonts, never shared across jobs.
 */
#include "pdf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The default family's variants, beside HEFT_DEFAULT_FONT. */
static const char *const ttf_files[4] = {
    NULL, "DejaVuSans-Oblique.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-BoldOblique.ttf",
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

int pdf_fonts_init(struct pdf_fonts *fonts, HPDF_Doc pdf, struct pdf_err *err)
{
    memset(fonts, 0, sizeof *fonts);
    fonts->pdf = pdf;
    fonts->to_utf32 = iconv_open("UTF-32LE", "UTF-8");
    fonts->to_cp1252 = iconv_open("WINDOWS-1252", "UTF-8");
    if (fonts->to_utf32 == (iconv_t)-1 || fonts->to_cp1252 == (iconv_t)-1)
        return pdf_fail(err, "render_error", "iconv cannot convert UTF-8 to UTF-32LE/WINDOWS-1252");
    if (FT_Init_FreeType(&fonts->ft) != 0) {
        fonts->ft = NULL;
        return pdf_fail(err, "render_error", "cannot initialise FreeType");
    }
    return 0;
}

void pdf_fonts_free(struct pdf_fonts *fonts)
{
    for (int f = 0; f < PDF_NFAMILIES; f++)
        for (int v = 0; v < 4; v++)
            if (fonts->slot[f][v].face)
                FT_Done_Face(fonts->slot[f][v].face);
    if (fonts->ft)
        FT_Done_FreeType(fonts->ft);
    if (fonts->to_utf32 && fonts->to_utf32 != (iconv_t)-1)
        iconv_close(fonts->to_utf32);
    if (fonts->to_cp1252 && fonts->to_cp1252 != (iconv_t)-1)
        iconv_close(fonts->to_cp1252);
    memset(fonts, 0, sizeof *fonts);
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
static uint32_t *code_points(iconv_t to_utf32, const char *text, size_t len, size_t *n)
{
    char *raw;
    size_t raw_len;
    uint32_t *cps;

    if (convert(to_utf32, text, len, &raw, &raw_len) != 0)
        return NULL;
    *n = raw_len / 4;
    cps = malloc((*n + 1) * sizeof *cps);
    for (size_t i = 0; cps && i < *n; i++) {
        const unsigned char *b = (const unsigned char *)raw + 4 * i;
        cps[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                 (uint32_t)b[3] << 24;
    }
    free(raw);
    return cps;
}

int pdf_check_bmp(iconv_t to_utf32, const char *text, const char *path, struct pdf_err *err)
{
    size_t n = 0;
    uint32_t *cps = code_points(to_utf32, text, strlen(text), &n);
    int rc = 0;

    if (!cps)
        return pdf_fail(err, "bad_input", "%s: text is not valid UTF-8", path);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (cps[i] > 0xFFFF)
            rc = pdf_fail(err, "unsupported",
                          "%s: character U+%04X (beyond U+FFFF) is not supported yet",
                          path, (unsigned)cps[i]);
    free(cps);
    return rc;
}

/* Load the default family's variant v: FreeType face for metrics, libharu
 * embedded font for drawing. */
static int load_ttf(struct pdf_fonts *fonts, struct pdf_font *font, int v,
                    struct pdf_err *err)
{
    char path[1024];
    const char *dir_end = strrchr(HEFT_DEFAULT_FONT, '/');
    const char *name;

    if (v == 0 || !dir_end)
        snprintf(path, sizeof path, "%s", HEFT_DEFAULT_FONT);
    else
        snprintf(path, sizeof path, "%.*s/%s", (int)(dir_end - HEFT_DEFAULT_FONT),
                 HEFT_DEFAULT_FONT, ttf_files[v]);
    if (FT_New_Face(fonts->ft, path, 0, &font->face) != 0) {
        font->face = NULL;
        return pdf_fail(err, "render_error", "cannot open font %s", path);
    }
    name = HPDF_LoadTTFontFromFile(fonts->pdf, path, HPDF_TRUE);
    font->hfont = name ? HPDF_GetFont(fonts->pdf, name, "UTF-8") : NULL;
    if (!font->hfont)
        return pdf_fail(err, "render_error", "libharu cannot load font %s", path);
    font->ascent = (double)font->face->ascender / font->face->units_per_EM;
    font->descent = (double)font->face->descender / font->face->units_per_EM;
    return 0;
}

static int load_base14(struct pdf_fonts *fonts, struct pdf_font *font, const char *name,
                       struct pdf_err *err)
{
    font->hfont = HPDF_GetFont(fonts->pdf, name, "WinAnsiEncoding");
    if (!font->hfont)
        return pdf_fail(err, "render_error", "libharu cannot load font %s", name);
    font->ascent = HPDF_Font_GetAscent(font->hfont) / 1000.0;
    font->descent = HPDF_Font_GetDescent(font->hfont) / 1000.0;
    return 0;
}

static struct pdf_font *slot(struct pdf_fonts *fonts, enum pdf_family fam, int v,
                             struct pdf_err *err)
{
    struct pdf_font *font = &fonts->slot[fam][v];
    int rc;

    if (font->loaded)
        return font;
    rc = fam == PDF_FAM_DEFAULT ? load_ttf(fonts, font, v, err)
                                : load_base14(fonts, font, base14_names[fam][v], err);
    if (rc != 0)
        return NULL;
    font->loaded = 1;
    return font;
}

struct pdf_font *pdf_font_for(struct pdf_fonts *fonts, const struct pdf_style *st,
                              const char *text, size_t len, struct pdf_err *err)
{
    int v = (st->bold ? 2 : 0) + (st->italics ? 1 : 0);
    enum pdf_family fam = st->family;
    char *bytes;
    size_t n;

    if (fam != PDF_FAM_DEFAULT) {
        if (convert(fonts->to_cp1252, text, len, &bytes, &n) == 0)
            free(bytes);
        else if (errno == EILSEQ || errno == EINVAL)
            fam = PDF_FAM_DEFAULT;      /* not in WinAnsi: keep the text */
        else {
            pdf_fail(err, "render_error", "cannot transcode text: %s", strerror(errno));
            return NULL;
        }
    }
    return slot(fonts, fam, v, err);
}

static int ttf_width(struct pdf_fonts *fonts, struct pdf_font *font, const char *text,
                     size_t len, double *units, size_t *nchars, struct pdf_err *err)
{
    size_t n = 0;
    uint32_t *cps = code_points(fonts->to_utf32, text, len, &n);
    long sum = 0;

    if (!cps)
        return pdf_fail(err, "render_error", "cannot transcode text to UTF-32");
    for (size_t i = 0; i < n; i++)
        if (FT_Load_Char(font->face, cps[i], FT_LOAD_NO_SCALE) == 0)
            sum += font->face->glyph->advance.x;
    free(cps);
    *units = (double)sum / font->face->units_per_EM;
    *nchars = n;
    return 0;
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
        if (ttf_width(fonts, font, text, len, &em, &nchars, err) != 0)
            return -1;
    } else {
        if (convert(fonts->to_cp1252, text, len, &bytes, &nchars) != 0)
            return pdf_fail(err, "render_error", "cannot transcode text to WINDOWS-1252");
        tw = HPDF_Font_TextWidth(font->hfont, (const HPDF_BYTE *)bytes, (HPDF_UINT)nchars);
        free(bytes);
        em = tw.width / 1000.0;
    }
    *width = em * st->font_size + st->char_spacing * (double)nchars;
    return 0;
}

char *pdf_font_encode(struct pdf_fonts *fonts, const struct pdf_font *font,
                      const char *text, size_t len, struct pdf_err *err)
{
    char *bytes = NULL;
    size_t n;

    if (font->face) {
        bytes = strndup(text, len);
        if (!bytes)
            pdf_fail(err, "render_error", "out of memory");
    } else if (convert(fonts->to_cp1252, text, len, &bytes, &n) != 0) {
        pdf_fail(err, "render_error", "cannot transcode text to WINDOWS-1252");
        bytes = NULL;
    }
    return bytes;
}
