/*
 * jobs/pdf/decor.c - what pdf.render draws around the text of a line and
 * over a page: run backgrounds, decorations (underline, lineThrough,
 * overline in pdfmake's five styles), link annotations, and the watermark.
 *
 * Geometry follows pdfmake's TextDecorator and watermark code (facts read
 * from pdfmake 0.3), turned into PDF's bottom-up coordinates: a run's
 * background fills the whole line's height; a decoration's thickness
 * grows with the font size; the watermark is centred on the page, rotated
 * along its diagonal and sized to fit it unless told otherwise.
 *
 * A line is looked at in spans: the atoms of one run, with justify's
 * stretched spaces included, so an underline runs on under the spaces of
 * a justified line as in pdfmake.  Backgrounds are painted before the
 * line's text object, decorations and links after it: path operators are
 * not allowed inside a text object.
 */
#include "pdf.h"

#include <math.h>
#include <string.h>
#include <stdlib.h>

/* pdfmake's constants for the dashed and wavy styles, in points. */
#define DASH_ON 3.96
#define DASH_OFF 2.84
#define WAVE_STEP 0.7
#define WAVE_HEIGHT 1.0

/* A run's piece of a line: atoms [i, k), from x, w wide. */
struct span {
    size_t i, k;
    double x, w;
    const struct pdf_style *st;
    const struct pdf_font *font;
};

static int ok(const struct pdf_decor *d, HPDF_STATUS st)
{
    if (st == HPDF_OK)
        return 0;
    return pdf_fail(d->err, "render_error", "libharu error 0x%04lX", (unsigned long)st);
}

/* The span after s (start with s zeroed but for x = line->x); 0 at the end. */
static int next_span(const struct pdf_line *line, struct span *s)
{
    const struct pdf_atom *a = line->atoms;
    size_t i = s->k;

    if (i >= line->natoms)
        return 0;
    s->x += s->w;
    s->w = 0;
    s->i = i;
    for (s->k = i; s->k < line->natoms && a[s->k].run == a[i].run; s->k++)
        s->w += a[s->k].width + (a[s->k].kind == PDF_ATOM_SPACE ? line->space_extra : 0);
    s->st = &line->para->runs[a[i].run].style;
    s->font = a[i].font;
    return 1;
}

/* The line's top and height, as layout placed it: the tallest run wins. */
static void line_box(const struct pdf_line *line, double *top, double *height)
{
    *top = line->baseline;
    *height = 0;
    for (size_t i = 0; i < line->natoms; i++) {
        const struct pdf_style *st = &line->para->runs[line->atoms[i].run].style;
        const struct pdf_font *f = line->atoms[i].font;
        double t = line->baseline + st->font_size * f->ascent;
        double h = st->font_size * st->line_height * (f->ascent - f->descent);

        *top = t > *top ? t : *top;
        *height = h > *height ? h : *height;
    }
}

static int fill_rgb(const struct pdf_decor *d, const double rgb[3])
{
    return ok(d, HPDF_Page_SetRGBFill(d->page, (HPDF_REAL)rgb[0], (HPDF_REAL)rgb[1],
                                      (HPDF_REAL)rgb[2]));
}

static int rect(const struct pdf_decor *d, double x, double y, double w, double h)
{
    return ok(d, HPDF_Page_Rectangle(d->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
                                     (HPDF_REAL)h));
}

int pdf_decor_under(const struct pdf_decor *d, const struct pdf_line *line)
{
    struct span s = { 0, 0, line->x, 0, NULL, NULL };
    double top, height;

    line_box(line, &top, &height);
    while (next_span(line, &s)) {
        if (!s.st->has_background || s.w <= 0)
            continue;
        if (ok(d, HPDF_Page_GSave(d->page)) || fill_rgb(d, s.st->background) ||
            rect(d, s.x, top - height, s.w, height) || ok(d, HPDF_Page_Fill(d->page)) ||
            ok(d, HPDF_Page_GRestore(d->page)))
            return -1;
    }
    return 0;
}

/* ---- decorations ---- */

/* Where pdfmake puts a decoration's centre line: relative to the baseline,
 * from the run's ascent and its share of the line height below it. */
static double deco_y(const struct pdf_line *line, const struct span *s, int which)
{
    double size = s->st->font_size, asc = size * s->font->ascent;
    double below = size * s->st->line_height * (s->font->ascent - s->font->descent) - asc;

    if (which == PDF_DECO_UNDERLINE)
        return line->baseline - below * 0.45;
    if (which == PDF_DECO_OVERLINE)
        return line->baseline + asc * 0.85;
    return line->baseline + asc * 0.25;
}

/* Dashes or dots of length `on` every `step` points, the last one cut at
 * the span's end, as one path. */
static int deco_dashes(const struct pdf_decor *d, const struct span *s, double y, double lw,
                       double on, double step)
{
    for (double dx = 0; dx < s->w; dx += step)
        if (rect(d, s->x + dx, y - lw / 2, fmin(on, s->w - dx), lw))
            return -1;
    return ok(d, HPDF_Page_Fill(d->page));
}

/* A wave of Bézier arcs clipped to the span, stroked a third as thick. */
static int deco_wavy(const struct pdf_decor *d, const struct span *s, double y, double lw,
                     const double rgb[3])
{
    const double sh = WAVE_STEP, sv = WAVE_HEIGHT;
    HPDF_Page pg = d->page;

    if (rect(d, s->x, y - sv - lw, s->w, 2 * (sv + lw)) || ok(d, HPDF_Page_Clip(pg)) ||
        ok(d, HPDF_Page_EndPath(pg)) || ok(d, HPDF_Page_SetLineWidth(pg, (HPDF_REAL)(lw / 3))) ||
        ok(d, HPDF_Page_SetRGBStroke(pg, (HPDF_REAL)rgb[0], (HPDF_REAL)rgb[1],
                                     (HPDF_REAL)rgb[2])) ||
        ok(d, HPDF_Page_MoveTo(pg, (HPDF_REAL)(s->x - 1), (HPDF_REAL)y)))
        return -1;
    for (double x = s->x - 1; x < s->x + s->w; x += 6 * sh)
        if (ok(d, HPDF_Page_CurveTo(pg, (HPDF_REAL)(x + sh), (HPDF_REAL)(y + sv),
                                    (HPDF_REAL)(x + 2 * sh), (HPDF_REAL)(y + sv),
                                    (HPDF_REAL)(x + 3 * sh), (HPDF_REAL)y)) ||
            ok(d, HPDF_Page_CurveTo(pg, (HPDF_REAL)(x + 4 * sh), (HPDF_REAL)(y - sv),
                                    (HPDF_REAL)(x + 5 * sh), (HPDF_REAL)(y - sv),
                                    (HPDF_REAL)(x + 6 * sh), (HPDF_REAL)y)))
            return -1;
    return ok(d, HPDF_Page_Stroke(pg));
}

/* One decoration of a span, inside its own graphics state. */
static int deco_draw(const struct pdf_decor *d, const struct pdf_line *line,
                     const struct span *s, int which)
{
    const struct pdf_style *st = s->st;
    const double *rgb = st->has_deco_color ? st->deco_color : st->color;
    double y = deco_y(line, s, which), gap;
    double lw = st->deco_thickness > 0 ? st->deco_thickness
                                       : 0.5 + floor(fmax(st->font_size - 8, 0) / 2) * 0.12;
    int rc;

    if (ok(d, HPDF_Page_GSave(d->page)) || fill_rgb(d, rgb))
        return -1;
    switch (st->deco_style) {
    case PDF_DECO_DOUBLE:       /* two half-thick lines, the second below */
        gap = fmax(fmax(0.5, lw), st->font_size * 0.15);
        rc = rect(d, s->x, y, s->w, lw / 2) || rect(d, s->x, y - gap, s->w, lw / 2) ||
             ok(d, HPDF_Page_Fill(d->page));
        break;
    case PDF_DECO_DASHED:
        rc = deco_dashes(d, s, y, lw, DASH_ON, DASH_ON + DASH_OFF);
        break;
    case PDF_DECO_DOTTED:
        rc = deco_dashes(d, s, y, lw, lw, 3 * lw);
        break;
    case PDF_DECO_WAVY:
        rc = deco_wavy(d, s, y, lw, rgb);
        break;
    default:
        rc = rect(d, s->x, y - lw / 2, s->w, lw) || ok(d, HPDF_Page_Fill(d->page));
    }
    return rc || ok(d, HPDF_Page_GRestore(d->page)) ? -1 : 0;
}

/* ---- links ---- */

/* A borderless link annotation: to a URI, or to a page of the document
 * (a page beyond the last one gets none: pdfmake does not check either,
 * and a dead link helps nobody). */
static int link_box(const struct pdf_decor *d, const struct pdf_style *st, HPDF_Rect box)
{
    HPDF_Annotation an = NULL;
    HPDF_Destination dst;
    HPDF_Page target;
    double top;
    int page;

    if (st->link)
        an = HPDF_Page_CreateURILinkAnnot(d->page, box, st->link);
    else if (st->link_page > 0 && st->link_page <= d->pages) {
        target = HPDF_GetPageByIndex(d->pdf, (HPDF_UINT)(st->link_page - 1));
        dst = target ? HPDF_Page_CreateDestination(target) : NULL;
        an = dst ? HPDF_Page_CreateLinkAnnot(d->page, box, dst) : NULL;
    } else if (st->dest && d->doc && pdf_xref_spot(d->doc, d->lay, st->dest, &page, &top) == 0) {
        dst = pdf_xref_dest(d->pdf, page, top);
        an = dst ? HPDF_Page_CreateLinkAnnot(d->page, box, dst) : NULL;
    } else
        return 0;
    if (!an)
        return pdf_fail(d->err, "render_error", "libharu cannot create a link annotation");
    return ok(d, HPDF_LinkAnnot_SetBorderStyle(an, 0, 0, 0));
}

int pdf_decor_link(const struct pdf_decor *d, const struct pdf_style *st, double x, double y,
                   double w, double h)
{
    HPDF_Rect box = { (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)(x + w), (HPDF_REAL)(y + h) };

    return link_box(d, st, box);
}

/* A span's link covers its text from the ascender down one font height. */
static int span_link(const struct pdf_decor *d, const struct pdf_line *line,
                     const struct span *s)
{
    double size = s->st->font_size, top = line->baseline + size * s->font->ascent;
    double h = size * (s->font->ascent - s->font->descent);

    return pdf_decor_link(d, s->st, s->x, top - h, s->w, h);
}

int pdf_decor_over(const struct pdf_decor *d, const struct pdf_line *line)
{
    static const int order[3] = { PDF_DECO_UNDERLINE, PDF_DECO_LINE_THROUGH, PDF_DECO_OVERLINE };
    struct span s = { 0, 0, line->x, 0, NULL, NULL };

    while (next_span(line, &s)) {
        if (s.w <= 0)
            continue;
        for (int j = 0; j < 3; j++)
            if ((s.st->decoration & order[j]) && deco_draw(d, line, &s, order[j]) != 0)
                return -1;
        if ((s.st->link || s.st->link_page || s.st->dest) && span_link(d, line, &s) != 0)
            return -1;
    }
    return 0;
}

/* ---- watermark ---- */

/* The rotated text's bounding box at font size 1 (w1 wide, h1 tall). */
static void rotated(double w1, double h1, double rad, double size, double *bw, double *bh)
{
    *bw = fabs(size * h1 * sin(rad)) + fabs(size * w1 * cos(rad));
    *bh = fabs(size * w1 * sin(rad)) + fabs(size * h1 * cos(rad));
}

/* pdfmake's automatic size: a bisection of 0..1000 down to a point for
 * the largest size whose rotated box fits the page. */
static double fit_size(double w1, double h1, double rad, double page_w, double page_h)
{
    double a = 0, b = 1000, c = 500, bw, bh;

    while (fabs(a - b) > 1) {
        rotated(w1, h1, rad, c, &bw, &bh);
        if (bw > page_w || (bw < page_w && bh > page_h))
            b = c;
        else
            a = c;
        c = (a + b) / 2;
    }
    return c;
}

/* Draws the text centred on the page, rotated about the centre by rad
 * (counter-clockwise: pdfmake's angles turn the other way, y going down).
 * libharu takes font sizes up to HPDF_MAX_FONTSIZE: a larger watermark (a
 * big page's) is drawn at that size and scaled up by the text matrix. */
static int wm_text(const struct pdf_decor *d, const struct pdf_watermark *wm,
                   const struct pdf_font *font, HPDF_Font hfont, const char *bytes, double size,
                   double w1,
                   double rad, double page_w, double page_h)
{
    const double *rgb = wm->style.color;
    double fs = fmin(size, HPDF_MAX_FONTSIZE), k = size / fs;
    double c = cos(rad), s = sin(rad);
    /* the text's baseline start relative to the centre, before rotation */
    double lx = -size * w1 / 2, ly = size * (font->ascent - font->descent) / 2 - size * font->ascent;
    HPDF_Page pg = d->page;

    return ok(d, HPDF_Page_BeginText(pg)) ||
           ok(d, HPDF_Page_SetFontAndSize(pg, hfont, (HPDF_REAL)fs)) ||
           ok(d, HPDF_Page_SetRGBFill(pg, (HPDF_REAL)rgb[0], (HPDF_REAL)rgb[1],
                                      (HPDF_REAL)rgb[2])) ||
           ok(d, HPDF_Page_SetTextMatrix(pg, (HPDF_REAL)(c * k), (HPDF_REAL)(s * k),
                                         (HPDF_REAL)(-s * k), (HPDF_REAL)(c * k),
                                         (HPDF_REAL)(page_w / 2 + c * lx - s * ly),
                                         (HPDF_REAL)(page_h / 2 + s * lx + c * ly))) ||
           ok(d, HPDF_Page_ShowText(pg, bytes)) || ok(d, HPDF_Page_EndText(pg)) ? -1 : 0;
}

int pdf_decor_watermark(const struct pdf_decor *d, const struct pdf_watermark *wm,
                        double page_w, double page_h, struct pdf_fonts *fonts,
                        HPDF_ExtGState gs)
{
    struct pdf_style one = wm->style;
    size_t len = strlen(wm->text);
    struct pdf_font *font;
    HPDF_Font hfont = NULL;
    char *bytes = NULL;
    double w1, size, rad;
    int rc = -1;

    one.font_size = 1;
    one.char_spacing = 0;
    font = pdf_font_for(fonts, &one, wm->text, len, d->err);
    if (!font || pdf_text_width(fonts, font, &one, wm->text, len, &w1, d->err) != 0 ||
        !(bytes = pdf_font_encode(fonts, font, wm->text, len, &hfont, d->err)))
        goto out;
    rad = wm->has_angle ? -wm->angle * M_PI / 180 : atan2(page_h, page_w);
    size = wm->style.font_size > 0 ? wm->style.font_size
                                   : fit_size(w1, font->ascent - font->descent, rad, page_w, page_h);
    if (ok(d, HPDF_Page_GSave(d->page)) || ok(d, HPDF_Page_SetExtGState(d->page, gs)) ||
        wm_text(d, wm, font, hfont, bytes, size, w1, rad, page_w, page_h) != 0 ||
        ok(d, HPDF_Page_GRestore(d->page)))
        goto out;
    rc = 0;
out:
    free(bytes);
    return rc;
}
