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
 * threads.  libharu 2.3.0 loads TrueType fonts from files only, so the
 * subset goes through an anonymous memory file (memfd) named by its
 * /proc/self/fd path; where that is not possible the whole font is
 * embedded as before, which is slower but draws the same.
 */
#define _GNU_SOURCE     /* memfd_create */
#include "pdf.h"

#include <hb.h>
#include <hb-subset.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* The subset's bytes in a memory file; -1 when HarfBuzz or memfd fail. */
static int subset_fd(hb_face_t *face, hb_set_t *chars)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    hb_face_t *sub = NULL;
    hb_blob_t *blob = NULL;
    const char *data;
    unsigned len = 0;
    int fd = -1;

    if (!in)
        goto out;
    hb_set_union(hb_subset_input_unicode_set(in), chars);
    /* libharu drops the layout tables anyway: do not spend time cutting them */
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        hb_set_add(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG),
                   HB_TAG(dropped[i][0], dropped[i][1], dropped[i][2], dropped[i][3]));
    if (!hb_set_allocation_successful(hb_subset_input_unicode_set(in)) ||
        !hb_set_allocation_successful(hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG)) ||
        !(sub = hb_subset_or_fail(face, in)))
        goto out;       /* a subset short of characters would be wrong: use the whole font */
    blob = hb_face_reference_blob(sub);
    data = hb_blob_get_data(blob, &len);
    if (len == 0 || (fd = memfd_create("heft-font", MFD_CLOEXEC)) < 0)
        goto out;
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        fd = -1;
    }
out:
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    hb_subset_input_destroy(in);
    return fd;
}

const char *pdf_subset_load(HPDF_Doc pdf, hb_face_t *face, hb_set_t *chars, const char *path)
{
    const char *name;
    char fdpath[64];
    int fd = face && chars ? subset_fd(face, chars) : -1;

    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
    if (fd >= 0 && access(fdpath, R_OK) == 0)
        name = HPDF_LoadTTFontFromFile(pdf, fdpath, HPDF_TRUE);
    else
        name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
    if (fd >= 0)
        close(fd);      /* libharu holds the file open itself */
    return name;
}
