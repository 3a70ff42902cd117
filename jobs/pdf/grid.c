/*
 * jobs/pdf/grid.c - tables and columns laid out as pdfmake lays them out:
 * column widths from the content's min and max widths (columnCalculator),
 * each cell a flow of its own in its column's box, a row as tall as its
 * tallest cell, rows split over pages unless dontBreakRows, header rows
 * (with keepWithHeaderRows) kept together and repeated on every page the
 * table continues on, and borders and fills as rectangles per page.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#define PAD_TOP 2.0         /* every built-in layout pads rows by 2 points */
#define PAD_BOTTOM 2.0

/* ---- the built-in layouts (pdfmake's tableLayouts.js) ---- */

/* Line i is above row i (i = nrows: below the last). */
static double hline_w(const struct pdf_table *t, size_t i)
{
    switch (t->layout) {
    case PDF_TL_DEFAULT:
        return 1;
    case PDF_TL_NO_BORDERS:
        return 0;
    case PDF_TL_HEADER_LINE_ONLY:
        return i == 0 || i == t->nrows ? 0 : i == t->header_rows ? 2 : 0;
    case PDF_TL_LIGHT_HORIZONTAL_LINES:
        return i == 0 || i == t->nrows ? 0 : i == t->header_rows ? 2 : 1;
    }
    return 0;
}

static void hline_rgb(const struct pdf_table *t, size_t i, double rgb[3])
{
    double v = t->layout == PDF_TL_LIGHT_HORIZONTAL_LINES && i != 1 ? 0xaa / 255.0 : 0;

    rgb[0] = rgb[1] = rgb[2] = v;
}

/* Line i is left of column i (i = ncols: right of the last). */
static double vline_w(const struct pdf_table *t, size_t i)
{
    (void)i;
    return t->layout == PDF_TL_DEFAULT ? 1 : 0;
}

static double pad_left(const struct pdf_table *t, size_t i)
{
    switch (t->layout) {
    case PDF_TL_NO_BORDERS:
        return i ? 4 : 0;
    case PDF_TL_HEADER_LINE_ONLY:
    case PDF_TL_LIGHT_HORIZONTAL_LINES:
        return i == 0 ? 0 : 8;
    default:
        return 4;
    }
}

static double pad_right(const struct pdf_table *t, size_t i)
{
    switch (t->layout) {
    case PDF_TL_NO_BORDERS:
        return i < t->ncols - 1 ? 4 : 0;
    case PDF_TL_HEADER_LINE_ONLY:
    case PDF_TL_LIGHT_HORIZONTAL_LINES:
        return i == t->ncols - 1 ? 0 : 8;
    default:
        return 4;
    }
}

/* What stands between the content of column i-1 and that of column i: a
 * right padding, a line, a left padding (pdfmake's _offsets). */
static double col_offset(const struct pdf_table *t, size_t i)
{
    return (i ? pad_right(t, i - 1) : 0) + vline_w(t, i) + pad_left(t, i);
}

static double offsets_total(const struct pdf_table *t)
{
    double total = pad_right(t, t->ncols - 1) + vline_w(t, t->ncols);

    for (size_t i = 0; i < t->ncols; i++)
        total += col_offset(t, i);
    return total;
}

/* ---- column widths (pdfmake's columnCalculator.js) ---- */

struct colw {
    struct pdf_width spec;
    double min, max;        /* of the content */
    double calc;            /* the width given */
};

/* Fixed and percentage widths first; then auto columns get their max
 * width if everything fits, a share between min and max if only the
 * minimums fit, their min otherwise; star columns share what is left. */
static void build_widths(struct colw *c, size_t n, double avail, double pct_base,
                         const double *reserved)
{
    double auto_min = 0, auto_max = 0, star_min = 0, star_max = 0, min_w, max_w;
    size_t nstar = 0;

    for (size_t i = 0; i < n; i++) {
        switch (c[i].spec.kind) {
        case PDF_WIDTH_AUTO:
            auto_min += c[i].min;
            auto_max += c[i].max;
            break;
        case PDF_WIDTH_STAR:
            nstar++;
            star_min = c[i].min > star_min ? c[i].min : star_min;
            star_max = c[i].max > star_max ? c[i].max : star_max;
            break;
        case PDF_WIDTH_FIXED:
        case PDF_WIDTH_PERCENT:
            c[i].calc = c[i].spec.kind == PDF_WIDTH_FIXED ? c[i].spec.value
                      : c[i].spec.value * pct_base / 100 - (reserved ? reserved[i] : 0);
            c[i].calc = c[i].calc < 0 ? 0 : c[i].calc;
            avail -= c[i].calc;
            break;
        }
    }
    min_w = auto_min + star_min * (double)nstar;
    max_w = auto_max + star_max * (double)nstar;
    for (size_t i = 0; i < n; i++) {
        if (c[i].spec.kind != PDF_WIDTH_AUTO)
            continue;
        if (min_w >= avail)
            c[i].calc = c[i].min;
        else if (max_w < avail)
            c[i].calc = c[i].max;
        else
            c[i].calc = c[i].min + (c[i].max - c[i].min) * (avail - min_w) / (max_w - min_w);
    }
    if (min_w < avail)
        for (size_t i = 0; i < n; i++)
            if (c[i].spec.kind == PDF_WIDTH_AUTO)
                avail -= c[i].calc;
    for (size_t i = 0; i < n; i++)
        if (c[i].spec.kind == PDF_WIDTH_STAR)
            c[i].calc = min_w >= avail ? star_min : avail / (double)nstar;
}

/* The grid's own min and max width (pdfmake's measureMinMax). */
static void min_max(const struct colw *c, size_t n, double *min, double *max)
{
    double star_min = 0, star_max = 0;
    size_t nstar = 0;

    *min = *max = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].spec.kind == PDF_WIDTH_STAR) {
            nstar++;
            star_min = c[i].min > star_min ? c[i].min : star_min;
            star_max = c[i].max > star_max ? c[i].max : star_max;
        } else if (c[i].spec.kind == PDF_WIDTH_FIXED) {
            *min += c[i].spec.value;
            *max += c[i].spec.value;
        } else {
            *min += c[i].min;
            *max += c[i].max;
        }
    }
    *min += star_min * (double)nstar;
    *max += star_max * (double)nstar;
}

/* Each column's content min and max; a cell spanning columns widens them
 * evenly by what they lack (pdfmake's extendWidthsForColSpans). */
static int measure_table(struct flow *f, const struct pdf_table *t, struct colw *c)
{
    double mn, mx;

    for (size_t j = 0; j < t->ncols; j++) {
        c[j].spec = t->widths[j];
        c[j].min = c[j].max = 0;
    }
    for (int spans = 0; spans < 2; spans++)
        for (size_t r = 0; r < t->nrows; r++)
            for (size_t j = 0; j < t->ncols; j++) {
                const struct pdf_cell *cl = &t->cells[r * t->ncols + j];
                double have_min = 0, have_max = 0;
                if (cl->covered || (cl->col_span > 1) != spans)
                    continue;
                if (pdf_flow_measure(f, cl->body.first, cl->body.end, &mn, &mx) != 0)
                    return -1;
                for (size_t k = 0; k < cl->col_span; k++) {
                    have_min += c[j + k].min + (k ? col_offset(t, j + k) : 0);
                    have_max += c[j + k].max + (k ? col_offset(t, j + k) : 0);
                }
                for (size_t k = 0; k < cl->col_span; k++) {
                    if (mn > have_min)
                        c[j + k].min += (mn - have_min) / (double)cl->col_span;
                    if (mx > have_max)
                        c[j + k].max += (mx - have_max) / (double)cl->col_span;
                }
            }
    return 0;
}

static int measure_columns(struct flow *f, const struct pdf_columns *cs, struct colw *c)
{
    for (size_t i = 0; i < cs->n; i++) {
        c[i].spec = cs->widths[i];
        if (pdf_flow_measure(f, cs->cols[i].first, cs->cols[i].end, &c[i].min, &c[i].max) != 0)
            return -1;
    }
    return 0;
}

int pdf_measure_grid(struct flow *f, const struct pdf_block *b, double *min, double *max)
{
    size_t n = b->table ? b->table->ncols : b->columns->n;
    struct colw *c = calloc(n, sizeof *c);
    int rc = -1;

    if (!c)
        return pdf_fail(f->err, "render_error", "out of memory");
    if ((b->table ? measure_table(f, b->table, c) : measure_columns(f, b->columns, c)) != 0)
        goto out;
    min_max(c, n, min, max);
    *min += b->table ? offsets_total(b->table) : b->columns->gap * (double)(n - 1);
    *max += b->table ? offsets_total(b->table) : b->columns->gap * (double)(n - 1);
    rc = 0;
out:
    free(c);
    return rc;
}

/* ---- cursors ---- */

struct cursor {
    int page;
    double y;
};

/* Whichever of a and b is further down the document. */
static struct cursor lower(struct cursor a, struct cursor b)
{
    return b.page > a.page || (b.page == a.page && b.y < a.y) ? b : a;
}

/* ---- columns ---- */

int pdf_flow_columns(struct flow *f, const struct pdf_block *b)
{
    const struct pdf_columns *cs = b->columns;
    struct colw *c = calloc(cs->n, sizeof *c);
    double x = f->x + b->indent[0] + pdf_list_offset(f, b->list);
    double avail = f->x + f->w - b->indent[1] - x - cs->gap * (double)(cs->n - 1);
    struct cursor end = { f->page, f->y };
    int rc = -1, first = -1;

    if (!c)
        return pdf_fail(f->err, "render_error", "out of memory");
    if (measure_columns(f, cs, c) != 0)
        goto out;
    if (f->break_pending && !f->page_empty && (rc = pdf_flow_advance(f)) != 0)
        goto out;
    rc = -1;
    f->break_pending = 0;
    end = (struct cursor){ f->page, f->y };
    build_widths(c, cs->n, avail, avail, NULL);
    for (size_t i = 0; i < cs->n; i++) {
        struct flow cf = *f;
        cf.x = x;
        cf.w = c[i].calc;
        cf.placed_page = -1;
        if ((rc = pdf_flow_range(&cf, cs->cols[i].first, cs->cols[i].end)) != 0)
            goto out;
        rc = -1;
        end = lower(end, (struct cursor){ cf.page, cf.y });
        if (cf.placed_page >= 0 && (first < 0 || cf.placed_page < first))
            first = cf.placed_page;
        x += c[i].calc + cs->gap;
    }
    f->page = end.page;
    f->y = end.y;
    f->break_pending = 0;
    if (first >= 0) {
        f->page_empty = 0;
        f->placed_page = f->placed_page < 0 ? first : f->placed_page;
    }
    rc = 0;
out:
    free(c);
    return rc;
}

/* ---- tables ---- */

struct grid {
    const struct pdf_table *t;
    double x;                   /* the table's left edge */
    double *left;               /* owned: each column's left line from x, ncols + 1 */
    struct pdf_repeat rep;      /* the header rows, once laid out */
    int repeats;
    struct cursor *row_top;     /* owned: each row's top, below the line above it */
    struct cursor *row_end;     /* owned: each row's bottom, above the line below it */
    struct cursor *cell_end;    /* owned: where each cell's content ended */
    /* The cells whose span ends in row r: ends[end_at[r] .. end_at[r + 1]),
     * so a row visits only those however tall a rowSpan above it is. */
    size_t *end_at;             /* owned: nrows + 1 */
    size_t *ends;               /* owned: cell indexes */
};

static int index_ends(struct grid *g)
{
    const struct pdf_table *t = g->t;
    size_t n = t->nrows * t->ncols, *fill;

    g->end_at = calloc(t->nrows + 1, sizeof *g->end_at);
    g->ends = calloc(n, sizeof *g->ends);
    fill = calloc(t->nrows + 1, sizeof *fill);
    if (!g->end_at || !g->ends || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!t->cells[i].covered)
            g->end_at[i / t->ncols + t->cells[i].row_span]++;
    for (size_t r = 0; r < t->nrows; r++)
        g->end_at[r + 1] += g->end_at[r];
    memcpy(fill, g->end_at, (t->nrows + 1) * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (!t->cells[i].covered)
            g->ends[fill[i / t->ncols + t->cells[i].row_span - 1]++] = i;
    free(fill);
    return 0;
}

static int grid_init(struct flow *f, const struct pdf_block *b, struct grid *g)
{
    const struct pdf_table *t = b->table;
    struct colw *c = calloc(t->ncols, sizeof *c);
    double *reserved = calloc(t->ncols, sizeof *reserved);
    double avail, total = offsets_total(t);
    int rc = -1;

    g->t = t;
    g->x = f->x + b->indent[0] + pdf_list_offset(f, b->list);
    avail = f->x + f->w - b->indent[1] - g->x;
    g->left = calloc(t->ncols + 1, sizeof *g->left);
    g->row_top = calloc(t->nrows, sizeof *g->row_top);
    g->row_end = calloc(t->nrows, sizeof *g->row_end);
    g->cell_end = calloc(t->nrows * t->ncols, sizeof *g->cell_end);
    if (!c || !reserved || !g->left || !g->row_top || !g->row_end || !g->cell_end) {
        pdf_fail(f->err, "render_error", "out of memory");
        goto out;
    }
    if (measure_table(f, t, c) != 0)
        goto out;
    for (size_t j = 0; j < t->ncols; j++)   /* what a percentage leaves for paddings and lines */
        reserved[j] = pad_left(t, j) + pad_right(t, j) + vline_w(t, j) * (j ? 0.5 : 1) +
                      vline_w(t, j + 1) * (j + 1 < t->ncols ? 0.5 : 1);
    build_widths(c, t->ncols, avail - total, avail, reserved);
    for (size_t j = 0; j < t->ncols; j++)
        g->left[j + 1] = g->left[j] + vline_w(t, j) + pad_left(t, j) + c[j].calc + pad_right(t, j);
    if (index_ends(g) != 0) {
        pdf_fail(f->err, "render_error", "out of memory");
        goto out;
    }
    rc = 0;
out:
    free(c);
    free(reserved);
    return rc;
}

static void grid_free(struct grid *g)
{
    free(g->left);
    free(g->row_top);
    free(g->row_end);
    free(g->cell_end);
    free(g->end_at);
    free(g->ends);
}

static int rect(struct flow *f, int page, int above, double x, double y, double w, double h,
                const double rgb[3])
{
    struct pdf_rect r = { page, above, f->depth, x, y, w, h, { rgb[0], rgb[1], rgb[2] } };

    if (w <= 0 || h <= 0)
        return 0;
    return pdf_push_rect(f->lay, &r, f->err);
}

/* A cell's fill and borders on one page: between line_top (the top edge
 * of its top line) and bot (the bottom edge of its bottom line). */
static int draw_segment(struct flow *f, const struct grid *g, size_t r0, size_t c, size_t r1,
                        int page, double line_top, double bot, int top_line)
{
    static const double black[3] = { 0, 0, 0 };
    const struct pdf_table *t = g->t;
    const struct pdf_cell *cl = &t->cells[r0 * t->ncols + c];
    double x0 = g->x + g->left[c], x1 = g->x + g->left[c + cl->col_span];
    double lw_l = vline_w(t, c), lw_r = vline_w(t, c + cl->col_span);
    double lw_t = hline_w(t, r0), lw_b = hline_w(t, r1 + 1), rgb[3];

    if (cl->fill && rect(f, page, 0, x0 + lw_l / 2, bot - lw_b / 2,
                         x1 + lw_r / 2 - (x0 + lw_l / 2),
                         line_top - lw_t / 2 - (bot - lw_b / 2), cl->fill_rgb) != 0)
        return -1;
    if ((cl->border[0] && rect(f, page, 1, x0, bot, lw_l, line_top - bot, black) != 0) ||
        (cl->border[2] && rect(f, page, 1, x1, bot, lw_r, line_top - bot, black) != 0))
        return -1;
    hline_rgb(t, r0, rgb);
    if (top_line && cl->border[1] && rect(f, page, 1, x0, line_top - lw_t, x1 + lw_r - x0, lw_t, rgb))
        return -1;
    hline_rgb(t, r1 + 1, rgb);
    if (cl->border[3] && rect(f, page, 1, x0, bot, x1 + lw_r - x0, lw_b, rgb) != 0)
        return -1;
    return 0;
}

/* A cell from the top of row r0 to the bottom of row r1, page by page:
 * on a page the row continues on, its band starts below the repeated
 * header rows (or with a line of its own when there are none) and a page
 * it leaves closes it with its bottom line. */
static int draw_cell(struct flow *tf, const struct grid *g, size_t r0, size_t c, size_t r1)
{
    const struct pdf_table *t = g->t;
    struct cursor top = g->row_top[r0], end = g->row_end[r1];
    double lw_t = hline_w(t, r0), lw_b = hline_w(t, r1 + 1), line_top, bot;
    const struct pdf_cell *cl = &t->cells[r0 * t->ncols + c];
    const struct pdf_cell *up = r0 ? &t->cells[(r0 - 1) * t->ncols + c] : NULL;
    /* the cell above drew this very line as its bottom one: once is enough */
    int drawn_above = up && !up->covered && up->row_span == 1 && up->col_span == cl->col_span &&
                      up->border[3] && g->row_end[r0 - 1].page == top.page;

    for (int p = top.page; p <= end.page; p++) {
        if (p == top.page)
            line_top = top.y + lw_t;
        else if (pdf_page_top(tf, p, &line_top) != 0)
            return -1;
        bot = p == end.page ? end.y - lw_b : tf->bottom;
        if (line_top > bot &&
            draw_segment(tf, g, r0, c, r1, p, line_top, bot,
                         p == top.page ? !drawn_above : !g->repeats) != 0)
            return -1;
    }
    return 0;
}

/* Row r: every cell that starts in it flows in its own box from the row's
 * top; the row ends below the lowest cell that ends in it (a cell with a
 * rowSpan ends in its last row).  *first gets the first page anything
 * was placed on, -1 if none. */
static int flow_row(struct flow *tf, struct grid *g, size_t r, int *first)
{
    const struct pdf_table *t = g->t;
    struct cursor end = { tf->page, tf->y - PAD_TOP };
    int rc;

    *first = -1;
    if (heft_job_cancelled(tf->job))   /* rows under a tall rowSpan place nothing */
        return -2;
    g->row_top[r] = (struct cursor){ tf->page, tf->y };
    for (size_t c = 0; c < t->ncols; c++) {
        const struct pdf_cell *cl = &t->cells[r * t->ncols + c];
        struct flow cf = *tf;
        if (cl->covered)
            continue;
        cf.x = g->x + g->left[c] + vline_w(t, c) + pad_left(t, c);
        cf.w = g->x + g->left[c + cl->col_span] - pad_right(t, c + cl->col_span - 1) - cf.x;
        cf.y = tf->y - PAD_TOP;
        cf.bottom = tf->bottom + PAD_BOTTOM + hline_w(t, r + cl->row_span);
        cf.top_pad = tf->top_pad + PAD_TOP + (g->repeats ? 0 : hline_w(t, r));
        cf.break_pending = 0;
        cf.placed_page = -1;
        if ((rc = pdf_flow_range(&cf, cl->body.first, cl->body.end)) != 0)
            return rc;
        g->cell_end[r * t->ncols + c] = (struct cursor){ cf.page, cf.y };
        if (cf.placed_page >= 0 && (*first < 0 || cf.placed_page < *first))
            *first = cf.placed_page;
    }
    for (size_t k = g->end_at[r]; k < g->end_at[r + 1]; k++)
        end = lower(end, g->cell_end[g->ends[k]]);
    end.y -= PAD_BOTTOM;
    g->row_end[r] = end;
    for (size_t k = g->end_at[r]; k < g->end_at[r + 1]; k++)
        if (draw_cell(tf, g, g->ends[k] / t->ncols, g->ends[k] % t->ncols, r) != 0)
            return -1;
    tf->page = end.page;
    tf->y = end.y - hline_w(t, r + 1);
    if (*first >= 0) {
        tf->page_empty = 0;
        tf->placed_page = tf->placed_page < 0 ? *first : tf->placed_page;
    }
    return 0;
}

/* Whether rows just laid out from page `page` go to the next page: once
 * at most, never from a page they started empty, never inside rows kept
 * together further out (pdfmake nests unbreakable blocks into the
 * outermost one: an inner retry would only add empty pages); when kept
 * together, if they crossed a page; otherwise if nothing of them fit. */
static int must_move(const struct flow *tf, int tries, int empty, int together, int first,
                     int page)
{
    if (tries > 0 || empty || tf->together > 0)
        return 0;
    return together ? tf->page > page : first > page;
}

/* Rows [from, to) laid out together; moved to the next page once when
 * `together` and they do not fit on this one, or when nothing of them
 * fits on it at all.  Header rows become the repeat at the first try. */
static int flow_rows(struct flow *tf, struct grid *g, size_t from, size_t to, int together)
{
    const struct pdf_table *t = g->t;
    struct pdf_repeat *outer = tf->repeat;
    struct pdf_mark m;
    struct cursor start;
    int first = -1, empty, rc;

    for (int tries = 0;; tries++) {
        pdf_mark(tf, &m);
        start = (struct cursor){ tf->page, tf->y };
        empty = tf->page_empty;
        if (from == 0) {
            g->rep.top = tf->y;
            tf->y -= hline_w(t, 0);
        }
        tf->together += together;
        for (size_t r = from; r < to; r++) {
            if ((rc = flow_row(tf, g, r, &first)) != 0)
                return rc;
            if (r + 1 == t->header_rows && from == 0) {
                tf->lay->rect_floor = tf->lay->nrects;  /* the copies stay as laid */
                g->rep = (struct pdf_repeat){
                    outer, { m.n[0], m.n[1], m.n[2] },
                    { tf->lay->nlines, tf->lay->nimages, tf->lay->nrects },
                    g->rep.top, g->rep.top - tf->y, tf->page,
                };
            }
        }
        tf->together -= together;
        if (!must_move(tf, tries, empty, together, first, start.page))
            break;
        tf->repeat = outer;
        pdf_rollback(tf, &m);
        tf->page = start.page;
        tf->y = start.y;
        if ((rc = pdf_flow_advance(tf)) != 0)
            return rc;
        if (from > 0 && !g->repeats)    /* the row's top line, which the row above drew */
            tf->y -= hline_w(t, from);
    }
    if (t->header_rows && to >= t->header_rows && g->rep.page_done == g->row_top[0].page &&
        !g->repeats) {
        g->repeats = 1;
        tf->repeat = &g->rep;
    }
    return 0;
}

int pdf_flow_table(struct flow *f, const struct pdf_block *b)
{
    const struct pdf_table *t = b->table;
    size_t head = t->header_rows ? t->header_rows + t->keep_rows : 0;
    struct grid g = { 0 };
    struct flow tf;
    int rc = -1;

    if (grid_init(f, b, &g) != 0)
        goto out;
    if (f->break_pending && !f->page_empty && (rc = pdf_flow_advance(f)) != 0)
        goto out;
    f->break_pending = 0;
    tf = *f;
    tf.placed_page = -1;
    tf.depth++;
    head = head > t->nrows ? t->nrows : head;
    if (head && (rc = flow_rows(&tf, &g, 0, head, 1)) != 0)
        goto out;
    for (size_t r = head; r < t->nrows; r++)
        if ((rc = flow_rows(&tf, &g, r, r + 1, t->dont_break_rows)) != 0)
            goto out;
    f->page = tf.page;
    f->y = tf.y;
    if (tf.placed_page >= 0) {
        f->page_empty = 0;
        f->placed_page = f->placed_page < 0 ? tf.placed_page : f->placed_page;
    }
    rc = 0;
out:
    grid_free(&g);
    return rc;
}
