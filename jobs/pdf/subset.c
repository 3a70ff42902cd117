/*
 * jobs/pdf/subset.c - TrueType fonts cut down, per document, to the
 * characters the document may draw, before libharu embeds them.
 *
 * Why: libharu 2.3.0 embeds a TrueType font with every table but the
 * glyph outlines whole, and for each font builds a map of all 65,536 BMP
 * code points by a linear search of the font's cmap.  With DejaVu Sans that
 * is ~5 ms and ~80 KB per font per document, whatever the text.  A font
 * subset by HarfBuzz (the library made for it) to the document's
 * characters has a cmap of a few ranges and a few dozen glyphs: libharu's
 * work and the PDF shrink to almost nothing.
 *
 * The characters are collected before anything is drawn: every run of the
 * document, plus ASCII and the list bullets (page numbers, list
 * counters and other generated text are made of those).  The HarfBuzz face
 * of each font file is opened once by pdf.render's init and shared
 * read-only; a HarfBuzz face is immutable and safe to use from several
 * threads.
 *
 * libharu 2.3.0's API loads TrueType fonts from files only, and reads them
 * with an fseek and an fread per table and per glyph it looks at: hundreds
 * of system calls per font, ~12% of a render with Roboto.  Its exported
 * lower layer (hpdf_fontdef.h, hpdf_doc.h) loads a font definition from
 * any HPDF_Stream, so the subset goes to libharu in a memory stream, and
 * is registered in the document as HPDF_LoadTTFontFromFile does.  Where
 * HarfBuzz cannot make a subset the whole font file is embedded as
 * before, which is slower but draws the same.
 */
#include "pdf.h"

#include <hb.h>
#include <hb-subset.h>
#include <hpdf_fontdef.h>
#include <stdio.h>
#include <string.h>

hb_face_t *pdf_subset_open(const char *path)
{
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
    hb_face_t *face;

    if (!blob)
        return NULL;
    face = hb_face_create(blob, 0);
    hb_blob_destroy(blob);      /* the face holds its own reference */
    hb_face_make_immutable(face);       /* shared by all worker threads, read only */
    if (hb_face_get_glyph_count(face) == 0) {
        hb_face_destroy(face);
        return NULL;
    }
    return face;
}

void pdf_subset_close(hb_face_t *face)
{
    if (face)
        hb_face_destroy(face);
}

/* The code points of UTF-8 text (malformed bytes are skipped: the text
 * was validated as UTF-8 by jansson). */
static void add_text(hb_set_t *set, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        uint32_t cp = *p, n = 0;
        if (cp >= 0xF0)
            cp &= 0x07, n = 3;
        else if (cp >= 0xE0)
            cp &= 0x0F, n = 2;
        else if (cp >= 0xC0)
            cp &= 0x1F, n = 1;
        for (p++; n && (*p & 0xC0) == 0x80; n--, p++)
            cp = cp << 6 | (*p & 0x3F);
        hb_set_add(set, cp);
    }
}

static void add_para(hb_set_t *set, const struct pdf_para *para)
{
    for (size_t i = 0; i < para->nruns; i++)
        add_text(set, para->runs[i].text);
}

hb_set_t *pdf_subset_chars(const struct pdf_doc *doc)
{
    hb_set_t *set = hb_set_create();

    if (!hb_set_allocation_successful(set)) {
        hb_set_destroy(set);
        return NULL;
    }
    hb_set_add_range(set, 0x00, 0x7F);    /* all of ASCII: font.c never checks it */
    add_text(set, "\u2022\u25CB\u25A0");        /* ul markers */
    for (size_t i = 0; i < doc->nblocks; i++) {
        add_para(set, &doc->blocks[i].para);
        add_para(set, &doc->blocks[i].marker);
    }
    add_para(set, &doc->header);
    add_para(set, &doc->footer);
    add_para(set, &doc->background);
    if (doc->watermark.text)
        add_text(set, doc->watermark.text);
    if (!hb_set_allocation_successful(set)) {
        hb_set_destroy(set);
        return NULL;
    }
    return set;
}

int pdf_subset_has(const hb_set_t *set, uint32_t cp)
{
    return hb_set_has(set, cp);
}

void pdf_subset_chars_free(hb_set_t *set)
{
    if (set)
        hb_set_destroy(set);
}

static const char dropped[][5] = {
    "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "morx", "mort", "kerx",
    "DSIG", "hdmx", "LTSH", "VDMX", "vhea", "vmtx", "gasp", "STAT",
};

/* The subset of face to chars, or NULL when HarfBuzz cannot make it. */
static hb_face_t *subset_face(hb_face_t *face, hb_set_t *chars)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    hb_face_t *sub = NULL;

    if (!in)
        return NULL;
    hb_set_union(hb_subset_input_unicode_set(in), chars);
    /* libharu drops the layout tables anyway: do not spend time cutting them */
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        hb_set_add(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG),
                   HB_TAG(dropped[i][0], dropped[i][1], dropped[i][2], dropped[i][3]));
    /* a subset short of characters would be wrong: then the whole font */
    if (hb_set_allocation_successful(hb_subset_input_unicode_set(in)) &&
        hb_set_allocation_successful(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG)))
        sub = hb_subset_or_fail(face, in);
    hb_subset_input_destroy(in);
    return sub;
}

/* A font definition from the bytes of a TrueType file, registered in pdf
 * for embedding; its name, or NULL (libharu's error handler has been
 * told).  libharu's LoadTTFontFromStream does the same for a file: the
 * definition owns the stream, an already registered font of that name is
 * used instead, and an embedded font gets a unique 6-letter tag (ours
 * start with HEFT, so they never meet libharu's HPDFAA...). */
static const char *load_from_memory(HPDF_Doc pdf, const char *data, unsigned len)
{
    HPDF_Stream stream = HPDF_MemStream_New(pdf->mmgr, len);
    HPDF_FontDef def, known;
    unsigned n = pdf->fontdef_list->count;
    char tag[7] = { 'H', 'E', 'F', 'T', (char)('A' + n / 26 % 26), (char)('A' + n % 26), 0 };

    if (!stream || HPDF_Stream_Write(stream, (const HPDF_BYTE *)data, len) != HPDF_OK) {
        if (stream)
            HPDF_Stream_Free(stream);
        return NULL;
    }
    if (!(def = HPDF_TTFontDef_Load(pdf->mmgr, stream, HPDF_TRUE)))
        return NULL;
    if ((known = HPDF_Doc_FindFontDef(pdf, def->base_font))) {
        HPDF_FontDef_Free(def);
        return known->base_font;
    }
    if (HPDF_Doc_RegisterFontDef(pdf, def) != HPDF_OK)
        return NULL;
    HPDF_TTFontDef_SetTagName(def, tag);
    return def->base_font;
}

const char *pdf_subset_load(HPDF_Doc pdf, hb_face_t *face, hb_set_t *chars, const char *path)
{
    hb_face_t *sub = face && chars ? subset_face(face, chars) : NULL;
    hb_blob_t *blob = sub ? hb_face_reference_blob(sub) : NULL;
    const char *data = NULL, *name;
    unsigned len = 0;

    if (blob)
        data = hb_blob_get_data(blob, &len);
    if (len)
        name = load_from_memory(pdf, data, len);
    else
        name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    return name;
}
