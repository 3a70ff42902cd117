/*
 * jobs/pdf/render.c - drawing the laid-out document with libharu and
 * returning the PDF bytes.
 *
 * One HPDF_Doc per job, created and freed here.  libharu reports errors
 * through a handler: ours only records the error in the job's pdf_err (no
 * longjmp across libharu) and every call's return value is checked, so the
 * first libharu error ends the job as "render_error".
 */
#include "pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* The text state last set on the page: libharu writes every call into
 * the content stream, so unchanged settings are not repeated. */
struct text_state {
    HPDF_Font font;         /* NULL: nothing set yet */
    double size, spacing, rgb[3];
};

struct render {
    HPDF_Doc pdf;
    const struct pdf_doc *doc;
    struct pdf_fonts fonts;
    struct pdf_layout lay;
    int pages;
    struct pdf_err *err;
    struct text_state ts;
    HPDF_ExtGState wm_gs;       /* the watermark's opacity; NULL = none */
};

/* The index in doc->info[] is the order of info_keys in doc.c. */
static const HPDF_InfoType info_types[6] = {
    HPDF_INFO_TITLE, HPDF_INFO_AUTHOR, HPDF_INFO_SUBJECT, HPDF_INFO_KEYWORDS,
    HPDF_INFO_CREATOR, HPDF_INFO_PRODUCER,
};

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    pdf_fail(user_data, "render_error", "libharu error 0x%04lX (detail %lu)",
             (unsigned long)error_no, (unsigned long)detail_no);
}

/* libharu calls return HPDF_OK or an error the handler has recorded. */
static int hpdf_ok(struct render *r, HPDF_STATUS st)
{
    if (st == HPDF_OK)
        return 0;
    return pdf_fail(r->err, "render_error", "libharu error 0x%04lX", (unsigned long)st);
}

static int set_text_state(struct render *r, HPDF_Page page, HPDF_Font font,
                          const struct pdf_style *st)
{
    struct text_state *ts = &r->ts;

    if ((ts->font != font || ts->size != st->font_size) &&
        hpdf_ok(r, HPDF_Page_SetFontAndSize(page, font, (HPDF_REAL)st->font_size)))
        return -1;
    if ((!ts->font || memcmp(ts->rgb, st->color, sizeof ts->rgb) != 0) &&
        hpdf_ok(r, HPDF_Page_SetRGBFill(page, (HPDF_REAL)st->color[0],
                                        (HPDF_REAL)st->color[1], (HPDF_REAL)st->color[2])))
        return -1;
    if ((!ts->font || ts->spacing != st->char_spacing) &&
        hpdf_ok(r, HPDF_Page_SetCharSpace(page, (HPDF_REAL)st->char_spacing)))
        return -1;
    ts->font = font;
    ts->size = st->font_size;
    ts->spacing = st->char_spacing;
    memcpy(ts->rgb, st->color, sizeof ts->rgb);
    return 0;
}

/* Draw atoms [i, k) of a line, all from one run and in one font, at x. */
static int draw_segment(struct render *r, HPDF_Page page, const struct pdf_line *line,
                        size_t i, size_t k, double x)
{
    const struct pdf_atom *a = line->atoms;
    const struct pdf_run *run = &line->para->runs[a[i].run];
    const struct pdf_style *st = &run->style;
    size_t len = a[k - 1].off + a[k - 1].len - a[i].off;
    HPDF_Font hfont = NULL;
    char *bytes = pdf_font_encode(&r->fonts, a[i].font, run->text + a[i].off, len, &hfont,
                                  r->err);
    int rc = -1;

    if (!bytes || set_text_state(r, page, hfont, st) != 0 ||
        hpdf_ok(r, HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)line->baseline, bytes)))
        goto out;
    rc = 0;
out:
    free(bytes);
    return rc;
}

/* A line is drawn in segments of atoms of one run and one font; when
 * justified, each word is its own segment so the stretched spaces fall
 * between them. */
static int draw_line(struct render *r, HPDF_Page page, const struct pdf_line *line)
{
    const struct pdf_atom *a = line->atoms;
    double x = line->x, w;
    size_t i = 0, k;

    while (i < line->natoms) {
        if (a[i].kind == PDF_ATOM_SPACE && line->space_extra > 0) {
            x += a[i].width + line->space_extra;
            i++;
            continue;
        }
        for (k = i + 1, w = a[i].width; k < line->natoms && a[k].run == a[i].run &&
             a[k].font == a[i].font &&
             !(line->space_extra > 0 && a[k].kind == PDF_ATOM_SPACE); k++)
            w += a[k].width;
        if (draw_segment(r, page, line, i, k, x) != 0)
            return -1;
        x += w;
        i = k;
    }
    return 0;
}

enum line_pass { PASS_UNDER, PASS_TEXT, PASS_OVER };

/* Lines [from, to), moved up by dy, in one pass: backgrounds under the
 * text, the text in one text object, decorations and links over it. */
static int line_pass(struct render *r, HPDF_Page page, const struct pdf_line *lines,
                     size_t from, size_t to, double dy, enum line_pass pass)
{
    struct pdf_decor d = { r->pdf, page, r->pages, r->err, r->doc, &r->lay };
    int rc = 0;

    for (size_t i = from; rc == 0 && i < to; i++) {
        struct pdf_line line = lines[i];
        line.baseline += dy;
        rc = pass == PASS_TEXT ? draw_line(r, page, &line)
           : pass == PASS_UNDER ? pdf_decor_under(&d, &line) : pdf_decor_over(&d, &line);
    }
    return rc;
}

static int draw_lines(struct render *r, HPDF_Page page, const struct pdf_layout *lay,
                      size_t *next, int pageno, double dy)
{
    size_t from = *next, to = from;

    while (to < lay->nlines && lay->lines[to].page == pageno)
        to++;
    *next = to;
    if (line_pass(r, page, lay->lines, from, to, dy, PASS_UNDER) != 0)
        return -1;
    memset(&r->ts, 0, sizeof r->ts);    /* anything may have been drawn since */
    if (hpdf_ok(r, HPDF_Page_BeginText(page)))
        return -1;
    if (line_pass(r, page, lay->lines, from, to, dy, PASS_TEXT) != 0 ||
        hpdf_ok(r, HPDF_Page_EndText(page)))
        return -1;
    return line_pass(r, page, lay->lines, from, to, dy, PASS_OVER);
}

/* Draw a loaded image where layout put it: through an ExtGState for
 * opacity, scaled past its box and clipped to it for cover. */
static int place_image(struct render *r, HPDF_Page page, const struct pdf_placed *im,
                       HPDF_Image hi)
{
    const struct pdf_block *b = im->block;
    double x = im->x, y = im->y, w = im->w, h = im->h;
    int plain = !b || (b->img_opacity >= 1 && !b->img_cover);
    HPDF_ExtGState gs;

    if (plain)
        return hpdf_ok(r, HPDF_Page_DrawImage(page, hi, (HPDF_REAL)x, (HPDF_REAL)y,
                                              (HPDF_REAL)w, (HPDF_REAL)h));
    if (hpdf_ok(r, HPDF_Page_GSave(page)))
        return -1;
    if (b->img_opacity < 1 &&
        (!(gs = HPDF_CreateExtGState(r->pdf)) ||
         hpdf_ok(r, HPDF_ExtGState_SetAlphaFill(gs, (HPDF_REAL)b->img_opacity)) ||
         hpdf_ok(r, HPDF_Page_SetExtGState(page, gs))))
        return pdf_fail(r->err, "render_error", "libharu cannot set an image's opacity");
    if (b->img_cover) {
        if (hpdf_ok(r, HPDF_Page_Rectangle(page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
                                           (HPDF_REAL)h)) ||
            hpdf_ok(r, HPDF_Page_Clip(page)) || hpdf_ok(r, HPDF_Page_EndPath(page)))
            return -1;
        x += b->img_draw[0];
        y += b->img_draw[1];
        w = b->img_draw[2];
        h = b->img_draw[3];
    }
    return hpdf_ok(r, HPDF_Page_DrawImage(page, hi, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
                                          (HPDF_REAL)h)) ||
           hpdf_ok(r, HPDF_Page_GRestore(page)) ? -1 : 0;
}

/* An image in libharu: raw RGB pixels, with the alpha channel as a soft
 * mask (never libharu's own PNG/JPEG loaders: see image.c). */
static int draw_image(struct render *r, HPDF_Page page, const struct pdf_placed *im)
{
    const struct pdf_image *img = im->image;
    HPDF_Image hi, mask;

    hi = HPDF_LoadRawImageFromMem(r->pdf, img->rgb, img->w, img->h, HPDF_CS_DEVICE_RGB, 8);
    if (!hi)
        return pdf_fail(r->err, "render_error", "libharu cannot load an image");
    if (img->alpha) {
        mask = HPDF_LoadRawImageFromMem(r->pdf, img->alpha, img->w, img->h,
                                        HPDF_CS_DEVICE_GRAY, 8);
        if (!mask)
            return pdf_fail(r->err, "render_error", "libharu cannot load an image mask");
        if (hpdf_ok(r, HPDF_Image_AddSMask(hi, mask)))
            return -1;
    }
    return place_image(r, page, im, hi);
}

/* ---- canvas ---- */

/* A rectangle with round corners: libharu has none, so four Bézier
 * quarter circles (k: the usual circle approximation constant). */
static int round_rect(struct render *r, HPDF_Page page, double x, double y, double w, double h,
                      double rad)
{
    const double k = 0.5523 * rad;

    return hpdf_ok(r, HPDF_Page_MoveTo(page, (HPDF_REAL)(x + rad), (HPDF_REAL)y)) ||
           hpdf_ok(r, HPDF_Page_LineTo(page, (HPDF_REAL)(x + w - rad), (HPDF_REAL)y)) ||
           hpdf_ok(r, HPDF_Page_CurveTo(page, (HPDF_REAL)(x + w - rad + k), (HPDF_REAL)y,
                                        (HPDF_REAL)(x + w), (HPDF_REAL)(y + rad - k),
                                        (HPDF_REAL)(x + w), (HPDF_REAL)(y + rad))) ||
           hpdf_ok(r, HPDF_Page_LineTo(page, (HPDF_REAL)(x + w), (HPDF_REAL)(y + h - rad))) ||
           hpdf_ok(r, HPDF_Page_CurveTo(page, (HPDF_REAL)(x + w), (HPDF_REAL)(y + h - rad + k),
                                        (HPDF_REAL)(x + w - rad + k), (HPDF_REAL)(y + h),
                                        (HPDF_REAL)(x + w - rad), (HPDF_REAL)(y + h))) ||
           hpdf_ok(r, HPDF_Page_LineTo(page, (HPDF_REAL)(x + rad), (HPDF_REAL)(y + h))) ||
           hpdf_ok(r, HPDF_Page_CurveTo(page, (HPDF_REAL)(x + rad - k), (HPDF_REAL)(y + h),
                                        (HPDF_REAL)x, (HPDF_REAL)(y + h - rad + k),
                                        (HPDF_REAL)x, (HPDF_REAL)(y + h - rad))) ||
           hpdf_ok(r, HPDF_Page_LineTo(page, (HPDF_REAL)x, (HPDF_REAL)(y + rad))) ||
           hpdf_ok(r, HPDF_Page_CurveTo(page, (HPDF_REAL)x, (HPDF_REAL)(y + rad - k),
                                        (HPDF_REAL)(x + rad - k), (HPDF_REAL)y,
                                        (HPDF_REAL)(x + rad), (HPDF_REAL)y)) ||
           hpdf_ok(r, HPDF_Page_ClosePath(page)) ? -1 : 0;
}

/* The op's path; (x0, top) is the canvas's top-left corner on the page,
 * and canvas y grows downwards, so y becomes top - y. */
static int cop_path(struct render *r, HPDF_Page page, const struct pdf_cop *c, double x0,
                    double top)
{
    const double *v = c->v;
    double rad = v[4] * 2 > v[2] ? v[2] / 2 : v[4];
    int rc = 0;

    rad = rad * 2 > v[3] ? v[3] / 2 : rad;
    switch (c->kind) {
    case PDF_COP_RECT:
        if (rad > 0)
            return round_rect(r, page, x0 + v[0], top - v[1] - v[3], v[2], v[3], rad);
        return hpdf_ok(r, HPDF_Page_Rectangle(page, (HPDF_REAL)(x0 + v[0]),
                                              (HPDF_REAL)(top - v[1] - v[3]),
                                              (HPDF_REAL)v[2], (HPDF_REAL)v[3]));
    case PDF_COP_LINE:
        return hpdf_ok(r, HPDF_Page_MoveTo(page, (HPDF_REAL)(x0 + v[0]), (HPDF_REAL)(top - v[1]))) ||
               hpdf_ok(r, HPDF_Page_LineTo(page, (HPDF_REAL)(x0 + v[2]), (HPDF_REAL)(top - v[3])));
    case PDF_COP_ELLIPSE:
        return hpdf_ok(r, HPDF_Page_Ellipse(page, (HPDF_REAL)(x0 + v[0]), (HPDF_REAL)(top - v[1]),
                                            (HPDF_REAL)v[2], (HPDF_REAL)v[3]));
    case PDF_COP_POLYLINE:
        for (size_t i = 0; rc == 0 && i < c->npts; i++)
            rc = hpdf_ok(r, (i ? HPDF_Page_LineTo : HPDF_Page_MoveTo)(
                                page, (HPDF_REAL)(x0 + c->pts[2 * i]),
                                (HPDF_REAL)(top - c->pts[2 * i + 1])));
        return rc || (c->closed && hpdf_ok(r, HPDF_Page_ClosePath(page))) ? -1 : 0;
    }
    return 0;
}

/* Line width, colours, cap and dash: set inside a GSave, so nothing
 * leaks into the next op. */
static int cop_state(struct render *r, HPDF_Page page, const struct pdf_cop *c)
{
    HPDF_UINT16 dash[2] = { (HPDF_UINT16)(c->dash[0] + 0.5), (HPDF_UINT16)(c->dash[1] + 0.5) };
    const double *f = c->fill_rgb, *s = c->stroke_rgb;

    return hpdf_ok(r, HPDF_Page_SetLineWidth(page, (HPDF_REAL)c->line_width)) ||
           hpdf_ok(r, HPDF_Page_SetRGBFill(page, (HPDF_REAL)f[0], (HPDF_REAL)f[1],
                                           (HPDF_REAL)f[2])) ||
           hpdf_ok(r, HPDF_Page_SetRGBStroke(page, (HPDF_REAL)s[0], (HPDF_REAL)s[1],
                                             (HPDF_REAL)s[2])) ||
           hpdf_ok(r, HPDF_Page_SetLineCap(page, (HPDF_LineCap)c->cap)) ||
           (c->dash[0] > 0 && hpdf_ok(r, HPDF_Page_SetDash(page, dash, 2, 0))) ? -1 : 0;
}

static int draw_canvas(struct render *r, HPDF_Page page, const struct pdf_placed *im)
{
    for (size_t i = 0; i < im->canvas->nops; i++) {
        const struct pdf_cop *c = &im->canvas->ops[i];
        HPDF_STATUS st;

        if (hpdf_ok(r, HPDF_Page_GSave(page)) || cop_state(r, page, c) != 0 ||
            cop_path(r, page, c, im->x, im->y + im->h) != 0)
            return -1;
        st = c->fill && c->stroke ? HPDF_Page_FillStroke(page)
           : c->fill ? HPDF_Page_Fill(page) : HPDF_Page_Stroke(page);
        if (hpdf_ok(r, st) || hpdf_ok(r, HPDF_Page_GRestore(page)))
            return -1;
    }
    return 0;
}

/* The style of the image block a placed image comes from: layout
 * borrows the pixels from the block, so the block is found by them. */
static const struct pdf_style *image_style(const struct pdf_doc *doc, const struct pdf_image *img)
{
    for (size_t i = 0; i < doc->nblocks; i++)
        if (&doc->blocks[i].image == img)
            return &doc->blocks[i].para.style;
    return NULL;
}

/* An image's link (pdfmake links images, not canvases or QR codes). */
static int image_link(struct render *r, HPDF_Page page, const struct pdf_placed *im)
{
    struct pdf_decor d = { r->pdf, page, r->pages, r->err, r->doc, &r->lay };
    const struct pdf_style *st = r->doc->has_image_links ? image_style(r->doc, im->image) : NULL;

    if (!st)
        return 0;
    return pdf_decor_link(&d, st, im->x, im->y, im->w, im->h);
}

/* Images and canvases, both drawn outside text objects. */
static int draw_images(struct render *r, HPDF_Page page, size_t *next, int pageno)
{
    for (; *next < r->lay.nimages && r->lay.images[*next].page == pageno; (*next)++)
        if ((r->lay.images[*next].canvas ? draw_canvas(r, page, &r->lay.images[*next])
                                         : draw_image(r, page, &r->lay.images[*next]) ||
                                           image_link(r, page, &r->lay.images[*next])) != 0)
            return -1;
    return 0;
}

/* Table fills (below: before anything else on the page) or borders
 * (above: after the text). */
static int draw_rect_layer(struct render *r, HPDF_Page page, size_t from, int pageno,
                           int above, int depth)
{
    const double *rgb = NULL;

    for (size_t i = from; i < r->lay.nrects && r->lay.rects[i].page == pageno; i++) {
        const struct pdf_rect *rc = &r->lay.rects[i];
        if (rc->above != above || (!above && rc->depth != depth))
            continue;
        if ((!rgb || memcmp(rgb, rc->rgb, sizeof rc->rgb) != 0) &&
            ((rgb && hpdf_ok(r, HPDF_Page_Fill(page))) ||
             hpdf_ok(r, HPDF_Page_SetRGBFill(page, (HPDF_REAL)rc->rgb[0], (HPDF_REAL)rc->rgb[1],
                                             (HPDF_REAL)rc->rgb[2]))))
            return -1;
        rgb = rc->rgb;      /* rectangles of one colour are filled as one path */
        if (hpdf_ok(r, HPDF_Page_Rectangle(page, (HPDF_REAL)rc->x, (HPDF_REAL)rc->y,
                                           (HPDF_REAL)rc->w, (HPDF_REAL)rc->h)))
            return -1;
    }
    return rgb && hpdf_ok(r, HPDF_Page_Fill(page)) ? -1 : 0;
}

/* Fills are painted outermost table first: a cell's fill is laid out after
 * its content, so a table inside it would otherwise be painted over. */
static int draw_rects(struct render *r, HPDF_Page page, size_t from, int pageno, int above)
{
    int deepest = 0;

    for (size_t i = from; i < r->lay.nrects && r->lay.rects[i].page == pageno; i++)
        deepest = r->lay.rects[i].depth > deepest ? r->lay.rects[i].depth : deepest;
    for (int d = 0; d <= (above ? 0 : deepest); d++)
        if (draw_rect_layer(r, page, from, pageno, above, d) != 0)
            return -1;
    return 0;
}

/* s with {page} and {pages} replaced (malloc'ed). */
static char *substitute(const char *s, int page, int pages)
{
    size_t cap = strlen(s) * 4 + 1, n = 0;   /* a 6-char token may become 10 digits */
    char *out = malloc(cap + 64);

    while (out && *s) {
        if (strncmp(s, "{pages}", 7) == 0) {
            n += (size_t)snprintf(out + n, cap + 64 - n, "%d", pages);
            s += 7;
        } else if (strncmp(s, "{page}", 6) == 0) {
            n += (size_t)snprintf(out + n, cap + 64 - n, "%d", page);
            s += 6;
        } else
            out[n++] = *s++;
    }
    if (out)
        out[n] = '\0';
    return out;
}

/* The header or footer of page pageno, vertically centred in its margin. */
static int draw_margin_para(struct render *r, HPDF_Page page, const struct pdf_para *src,
                            int pageno, int is_header)
{
    const struct pdf_doc *doc = r->doc;
    struct pdf_para para = { NULL, 0, src->style };
    struct pdf_layout tmp = { 0 };
    double x = doc->margin[PDF_LEFT] + src->style.margin[PDF_LEFT];
    double w = doc->page_w - doc->margin[PDF_RIGHT] - src->style.margin[PDF_RIGHT] - x;
    double band = is_header ? doc->margin[PDF_TOP] : doc->margin[PDF_BOTTOM], h, top;
    size_t next = 0;
    int rc = -1;

    para.runs = calloc(src->nruns ? src->nruns : 1, sizeof *para.runs);
    for (; para.runs && para.nruns < src->nruns; para.nruns++) {
        para.runs[para.nruns].style = src->runs[para.nruns].style;
        para.runs[para.nruns].text = substitute(src->runs[para.nruns].text, pageno + 1, r->pages);
        if (!para.runs[para.nruns].text)
            break;
    }
    if (!para.runs || para.nruns < src->nruns) {
        pdf_fail(r->err, "render_error", "out of memory");
        goto out;
    }
    if (pdf_layout_box(&tmp, &para, &r->fonts, x, w, 0, pageno, &h, r->err) != 0)
        goto out;
    top = h >= band ? band : (band + h) / 2;
    rc = draw_lines(r, page, &tmp, &next, pageno,
                    is_header ? doc->page_h - band + top : top);
out:
    pdf_layout_free(&tmp);
    pdf_para_free(&para);
    return rc;
}

/* The top-level background: laid out over the whole page width (its
 * node's margins aside) from the top edge, as pdfmake does, under the
 * page's content. */
static int draw_background(struct render *r, HPDF_Page page, int pageno)
{
    const struct pdf_doc *doc = r->doc;
    const double *m = doc->background.style.margin;
    struct pdf_layout tmp = { 0 };
    size_t next = 0;
    double h;
    int rc = -1;

    if (pdf_layout_box(&tmp, &doc->background, &r->fonts, m[PDF_LEFT],
                       doc->page_w - m[PDF_LEFT] - m[PDF_RIGHT], 0, pageno, &h, r->err) == 0)
        rc = draw_lines(r, page, &tmp, &next, pageno, doc->page_h - m[PDF_TOP]);
    pdf_layout_free(&tmp);
    return rc;
}

static int draw_watermark(struct render *r, HPDF_Page page)
{
    struct pdf_decor d = { r->pdf, page, r->pages, r->err, r->doc, &r->lay };

    if (!r->wm_gs) {
        r->wm_gs = HPDF_CreateExtGState(r->pdf);
        if (!r->wm_gs ||
            hpdf_ok(r, HPDF_ExtGState_SetAlphaFill(r->wm_gs, (HPDF_REAL)r->doc->watermark.opacity)))
            return pdf_fail(r->err, "render_error", "libharu cannot set the watermark's opacity");
    }
    return pdf_decor_watermark(&d, &r->doc->watermark, r->doc->page_w, r->doc->page_h,
                               &r->fonts, r->wm_gs);
}

/* All pages exist before any is drawn, so that a link can go to a later
 * page. */
static int add_pages(struct render *r)
{
    for (int p = 0; p < r->pages; p++) {
        HPDF_Page page = HPDF_AddPage(r->pdf);
        if (!page || hpdf_ok(r, HPDF_Page_SetWidth(page, (HPDF_REAL)r->doc->page_w)) ||
            hpdf_ok(r, HPDF_Page_SetHeight(page, (HPDF_REAL)r->doc->page_h)))
            return pdf_fail(r->err, "render_error", "cannot add page %d", p + 1);
    }
    return 0;
}

static int draw_pages(struct render *r, heft_job *job)
{
    const struct pdf_doc *doc = r->doc;
    size_t next = 0, next_image = 0, next_rect = 0;

    if (add_pages(r) != 0)
        return -1;
    for (int p = 0; p < r->pages; p++) {
        HPDF_Page page = HPDF_GetPageByIndex(r->pdf, (HPDF_UINT)p);
        size_t rects = next_rect;

        if (heft_job_cancelled(job))
            return -2;
        if (!page)
            return pdf_fail(r->err, "render_error", "cannot find page %d", p + 1);
        while (next_rect < r->lay.nrects && r->lay.rects[next_rect].page == p)
            next_rect++;
        if ((doc->has_background && draw_background(r, page, p) != 0) ||
            draw_rects(r, page, rects, p, 0) != 0 ||
            draw_lines(r, page, &r->lay, &next, p, 0) != 0 ||
            draw_images(r, page, &next_image, p) != 0 ||
            draw_rects(r, page, rects, p, 1) != 0 ||
            (doc->has_header && draw_margin_para(r, page, &doc->header, p, 1) != 0) ||
            (doc->has_footer && draw_margin_para(r, page, &doc->footer, p, 0) != 0) ||
            (doc->watermark.text && draw_watermark(r, page) != 0))
            return -1;
    }
    return 0;
}

/* A random owner password, 32 hex digits, for documents given none. */
static int make_password(struct render *r, char out[33])
{
    unsigned char raw[16];

    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return pdf_fail(r->err, "render_error", "no random bytes for an owner password");
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return 0;
}

/* ownerPassword, userPassword and permissions, as RC4 128-bit (R3): all
 * libharu has.  libharu needs an owner password other than the user's:
 * with none (or the same one) a random one is made up, and everything is
 * allowed unless permissions says otherwise - as in pdfmake, where the
 * user password then opens the document as its owner.  P: bits 1-2
 * clear, 7-8 and 13-32 set (PDF's standard security handler), and the
 * granted bits 3-6 and 9-12 as given; libharu writes it as it is. */
static int set_encryption(struct render *r)
{
    const struct pdf_crypt *c = &r->doc->crypt;
    const char *user = c->user ? c->user : "", *owner = c->owner ? c->owner : "";
    unsigned perms = c->has_permissions ? c->permissions : 0;
    char made[33];

    if (!*owner && !*user)
        return 0;
    if (!*owner || strcmp(owner, user) == 0) {
        if (make_password(r, made) != 0)
            return -1;
        owner = made;
        if (!c->has_permissions)
            perms = 0xF3C;
    }
    return hpdf_ok(r, HPDF_SetPassword(r->pdf, owner, user)) ||
           hpdf_ok(r, HPDF_SetPermission(r->pdf, 0xFFFFF0C0u | perms)) ||
           hpdf_ok(r, HPDF_SetEncryptionMode(r->pdf, HPDF_ENCRYPT_R3, 16)) ? -1 : 0;
}

static int is_ascii(const char *s)
{
    while (*s && (unsigned char)*s < 0x80)
        s++;
    return *s == '\0';
}

static int setup(struct render *r)
{
    if (!r->pdf)
        return pdf_fail(r->err, "render_error", "cannot create a libharu document");
    if (hpdf_ok(r, HPDF_SetCompressionMode(r->pdf, HPDF_COMP_ALL)) ||
        hpdf_ok(r, HPDF_UseUTFEncodings(r->pdf)))
        return -1;
    /* Building libharu's UTF-8 encoder costs ~0.1 ms: only metadata that
     * is not ASCII needs it (TrueType fonts ask for it themselves). */
    for (int i = 0; i < 6; i++)
        if (r->doc->info[i] && !is_ascii(r->doc->info[i]) &&
            hpdf_ok(r, HPDF_SetCurrentEncoder(r->pdf, "UTF-8")))
            return -1;
    for (int i = 0; i < 6; i++)
        if (r->doc->info[i] &&
            hpdf_ok(r, HPDF_SetInfoAttr(r->pdf, info_types[i], r->doc->info[i])))
            return -1;
    return set_encryption(r);
}

/* The finished document's bytes, out of libharu's memory stream. */
static int save(struct render *r, unsigned char **out, size_t *out_len)
{
    HPDF_UINT32 size, got;
    unsigned char *buf = NULL;

    if (hpdf_ok(r, HPDF_SaveToStream(r->pdf)))
        return -1;
    size = HPDF_GetStreamSize(r->pdf);
    got = size;
    buf = malloc(size ? size : 1);
    if (!buf)
        return pdf_fail(r->err, "render_error", "out of memory");
    if (hpdf_ok(r, HPDF_ReadFromStream(r->pdf, buf, &got)) || got != size) {
        free(buf);
        return pdf_fail(r->err, "render_error", "cannot read the PDF back from libharu");
    }
    *out = buf;
    *out_len = size;
    return 0;
}

/* Page references need the layout they change: lay out, put in the page
 * numbers, and lay out again while any changed (a number's width can
 * move text, rarely a page); the last layout's numbers are kept. */
#define LAYOUT_PASSES 3

static int layout(struct render *r, struct pdf_doc *doc, heft_job *job, long long max_pages)
{
    int rc, changed = 0;

    for (int pass = 1;; pass++) {
        if ((rc = pdf_layout_doc(&r->lay, doc, &r->fonts, job, max_pages, r->err)) != 0)
            return rc;
        if (pass == LAYOUT_PASSES)
            return 0;
        if (pdf_xref_update(doc, &r->lay, &changed, r->err) != 0)
            return -1;
        if (!changed)
            return 0;
        pdf_layout_free(&r->lay);
    }
}

int pdf_render(struct pdf_doc *doc, heft_job *job, long long max_pages,
               unsigned char **out, size_t *out_len, int *pages, struct pdf_err *err)
{
    struct render r = { HPDF_New(on_hpdf_error, err), doc, { 0 }, { 0 }, 0, err, { 0 }, NULL };
    const struct pdf_fontset *set = pdf_fontset_for_job(job, err);
    int rc = -1;

    if (!set || setup(&r) != 0 || pdf_fonts_init(&r.fonts, set, r.pdf, err) != 0)
        goto out;
    if (!(r.fonts.chars = pdf_subset_chars(doc))) {
        pdf_fail(err, "render_error", "out of memory");
        goto out;
    }
    if ((rc = layout(&r, doc, job, max_pages)) != 0)
        goto out;
    r.pages = r.lay.pages;
    if ((rc = draw_pages(&r, job)) != 0 ||
        (rc = pdf_xref_outlines(r.pdf, doc, &r.lay, err)) != 0 ||
        (rc = save(&r, out, out_len)) != 0)
        goto out;
    *pages = r.pages;
out:
    pdf_layout_free(&r.lay);
    pdf_fonts_free(&r.fonts);
    if (r.pdf)
        HPDF_Free(r.pdf);
    return rc;
}
