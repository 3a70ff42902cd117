/*
 * jobs/pdf/layout.c - line breaking and pagination for pdf.render.
 *
 * A paragraph becomes atoms (words, runs of spaces, hard breaks), each
 * measured in its run's font; lines are filled greedily, breaking at spaces
 * and inside a word only when the word alone is wider than the line; lines
 * flow down the page and start a new page when they would cross the bottom
 * margin.  The result is a list of placed lines that render.c draws as is:
 * layout decides every position, render decides nothing.
 */
#include "flow.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct atoms {
    struct pdf_atom *a;         /* owned until handed to the layout */
    size_t n, cap;
};

struct line_span {
    size_t start, end, next;    /* atoms [start, end) drawn; next line starts at next */
    double width;
    int last;                   /* ends the paragraph or a hard break: never justified */
};

static int push_atom(struct atoms *as, const struct pdf_atom *atom, struct pdf_err *err)
{
    if (as->n == as->cap) {
        size_t cap = as->cap ? as->cap * 2 : 16;
        struct pdf_atom *grown = realloc(as->a, cap * sizeof *grown);
        if (!grown)
            return pdf_fail(err, "render_error", "out of memory");
        as->a = grown;
        as->cap = cap;
    }
    as->a[as->n++] = *atom;
    return 0;
}

static size_t token_len(const char *s, enum pdf_atom_kind *kind)
{
    size_t n = 0;

    if (s[0] == '\n') {
        *kind = PDF_ATOM_BREAK;
        return 1;
    }
    *kind = s[0] == ' ' ? PDF_ATOM_SPACE : PDF_ATOM_WORD;
    if (*kind == PDF_ATOM_SPACE)
        while (s[n] == ' ')
            n++;
    else
        while (s[n] && s[n] != ' ' && s[n] != '\n')
            n++;
    return n;
}

/* Split run r of the paragraph into atoms, each measured in its font: the
 * font is chosen per word, so in a base-14 run only the words with
 * characters outside WinAnsi fall back to the Unicode TrueType family. */
static int run_atoms(struct atoms *as, const struct pdf_para *para, size_t r,
                     struct pdf_fonts *fonts, struct pdf_err *err)
{
    const struct pdf_run *run = &para->runs[r];
    struct pdf_atom atom = { .run = r };
    size_t off = 0, len = strlen(run->text);

    while (off < len) {
        atom.off = off;
        atom.len = token_len(run->text + off, &atom.kind);
        atom.font = pdf_font_for(fonts, &run->style, run->text + off, atom.len, err);
        if (!atom.font)
            return -1;
        atom.joins_prev = atom.kind == PDF_ATOM_WORD && as->n > 0 &&
                          as->a[as->n - 1].kind == PDF_ATOM_WORD;
        atom.width = 0;
        if (atom.kind != PDF_ATOM_BREAK &&
            pdf_text_width(fonts, atom.font, &run->style, run->text + off, atom.len,
                           &atom.width, err) != 0)
            return -1;
        if (push_atom(as, &atom, err) != 0)
            return -1;
        off += atom.len;
    }
    return 0;
}

/* Replace a word atom by one atom per character, each a break point. */
static int split_chars(struct atoms *out, const struct pdf_atom *word,
                       const struct pdf_para *para, struct pdf_fonts *fonts,
                       struct pdf_err *err)
{
    const struct pdf_run *run = &para->runs[word->run];
    const char *t = run->text;
    struct pdf_atom c = *word;
    size_t end = word->off + word->len;

    for (size_t i = word->off; i < end; i += c.len) {
        c.off = i;
        c.len = 1;      /* a character: its lead byte and continuation bytes */
        while (i + c.len < end && ((unsigned char)t[i + c.len] & 0xC0) == 0x80)
            c.len++;
        c.joins_prev = 0;
        if (pdf_text_width(fonts, c.font, &run->style, t + i, c.len, &c.width, err) != 0 ||
            push_atom(out, &c, err) != 0)
            return -1;
    }
    return 0;
}

/* Does any word (a run of joined word atoms) not fit on a line? */
static int has_wide(const struct atoms *as, double avail)
{
    size_t i = 0, k;
    double w;

    for (; i < as->n; i = k) {
        for (k = i + 1, w = as->a[i].width; k < as->n && as->a[k].joins_prev; k++)
            w += as->a[k].width;
        if (w > avail)
            return 1;
    }
    return 0;
}

/* Words (runs of joined word atoms) wider than the line are split. */
static int split_wide(struct atoms *as, const struct pdf_para *para, double avail,
                      struct pdf_fonts *fonts, struct pdf_err *err)
{
    struct atoms out = { 0 };
    size_t i = 0, k;
    double w;
    int rc = -1;

    if (!has_wide(as, avail))
        return 0;

    while (i < as->n) {
        for (k = i + 1, w = as->a[i].width; k < as->n && as->a[k].joins_prev; k++)
            w += as->a[k].width;
        for (size_t j = i; j < k; j++) {
            int wide = as->a[j].kind == PDF_ATOM_WORD && w > avail;
            if (wide ? split_chars(&out, &as->a[j], para, fonts, err) != 0
                     : push_atom(&out, &as->a[j], err) != 0)
                goto out;
        }
        i = k;
    }
    free(as->a);
    *as = out;
    out.a = NULL;
    rc = 0;
out:
    free(out.a);
    return rc;
}

static int para_atoms(struct atoms *as, const struct pdf_para *para, double avail,
                      struct pdf_fonts *fonts, struct pdf_err *err)
{
    for (size_t r = 0; r < para->nruns; r++)
        if (run_atoms(as, para, r, fonts, err) != 0)
            return -1;
    return split_wide(as, para, avail, fonts, err);
}

/* The next line from atom i: greedy, at most avail wide unless one word
 * alone is wider. */
static struct line_span take_line(const struct pdf_atom *a, size_t n, size_t i, double avail)
{
    struct line_span ln = { i, i, n, 0, 1 };
    double x = 0, uw;
    size_t j = i, k;

    while (j < n) {
        if (a[j].kind == PDF_ATOM_BREAK) {
            ln.next = j + 1;
            return ln;
        }
        if (a[j].kind == PDF_ATOM_SPACE) {
            x += a[j].width;
            j++;
            continue;
        }
        for (k = j + 1, uw = a[j].width; k < n && a[k].joins_prev; k++)
            uw += a[k].width;
        if (ln.end > ln.start && x + uw > avail + 1e-6) {
            for (ln.next = j, ln.last = 0; ln.next < n && a[ln.next].kind == PDF_ATOM_SPACE;)
                ln.next++;      /* spaces at a soft break vanish */
            return ln;
        }
        x += uw;
        j = ln.end = k;
        ln.width = x;
    }
    return ln;
}

/* Height and ascent (from the line's top to its baseline) of a line. */
static int line_metrics(const struct pdf_para *para, const struct pdf_atom *a,
                        struct line_span ln, struct pdf_fonts *fonts, double *height,
                        double *ascent, struct pdf_err *err)
{
    const struct pdf_style *st = &para->style;
    const struct pdf_font *font = NULL;

    *height = *ascent = 0;
    if (ln.end == ln.start) {   /* an empty line is as tall as the paragraph's font */
        font = pdf_font_for(fonts, st, "", 0, err);
        if (!font)
            return -1;
        *height = st->font_size * st->line_height * (font->ascent - font->descent);
        *ascent = st->font_size * font->ascent;
    }
    for (size_t i = ln.start; i < ln.end; i++) {
        const struct pdf_style *rs = &para->runs[a[i].run].style;
        double h = rs->font_size * rs->line_height * (a[i].font->ascent - a[i].font->descent);
        double asc = rs->font_size * a[i].font->ascent;
        *height = h > *height ? h : *height;
        *ascent = asc > *ascent ? asc : *ascent;
    }
    return 0;
}

static int push_line(struct pdf_layout *lay, const struct pdf_line *line, struct pdf_err *err)
{
    if (lay->nlines == lay->lcap) {
        size_t cap = lay->lcap ? lay->lcap * 2 : 256;
        struct pdf_line *grown = realloc(lay->lines, cap * sizeof *grown);
        if (!grown)
            return pdf_fail(err, "render_error", "out of memory");
        lay->lines = grown;
        lay->lcap = cap;
    }
    lay->lines[lay->nlines++] = *line;
    return 0;
}

/* Keep the paragraph's atoms in the layout (lines point into them). */
static int adopt_atoms(struct pdf_layout *lay, struct atoms *as, struct pdf_err *err)
{
    if (lay->narrays == lay->acap) {
        size_t cap = lay->acap ? lay->acap * 2 : 64;
        struct pdf_atom **grown = realloc(lay->arrays, cap * sizeof *grown);
        if (!grown)
            return pdf_fail(err, "render_error", "out of memory");
        lay->arrays = grown;
        lay->acap = cap;
    }
    lay->arrays[lay->narrays++] = as->a;
    as->a = NULL;
    return 0;
}

/* x offset and justify stretch of a line in a box of width avail. */
static void align_line(struct pdf_line *line, struct line_span ln, const struct pdf_atom *a,
                       enum pdf_align align, double avail)
{
    double slack = avail - ln.width;
    size_t spaces = 0;

    if (slack <= 0)
        return;
    if (align == PDF_ALIGN_CENTER)
        line->x += slack / 2;
    else if (align == PDF_ALIGN_RIGHT)
        line->x += slack;
    if (align != PDF_ALIGN_JUSTIFY || ln.last)
        return;
    for (size_t i = ln.start; i < ln.end; i++)
        spaces += a[i].kind == PDF_ATOM_SPACE;
    if (spaces)
        line->space_extra = slack / (double)spaces;
}

/* ---- flowing content over pages ---- */

/* ---- lists: marker columns ---- */

/* A marker's width plus a space's in its style: the gap before the item. */
static int marker_width(struct flow *f, const struct pdf_para *m, double *w)
{
    const struct pdf_style *st = &m->runs[0].style;
    const char *t = m->runs[0].text;
    struct pdf_font *font = pdf_font_for(f->fonts, st, t, strlen(t), f->err);
    struct pdf_font *sfont = pdf_font_for(f->fonts, st, " ", 1, f->err);
    double gap;

    if (!font || !sfont || pdf_text_width(f->fonts, font, st, t, strlen(t), w, f->err) != 0 ||
        pdf_text_width(f->fonts, sfont, st, " ", 1, &gap, f->err) != 0)
        return -1;
    *w += gap;
    return 0;
}

/* A list's column is as wide as its widest marker, so items line up. */
static int list_widths(struct flow *f, double **list_w)
{
    const struct pdf_doc *doc = f->doc;
    double w;

    if (doc->nlists == 0)
        return 0;
    *list_w = calloc(doc->nlists, sizeof **list_w);
    if (!*list_w)
        return pdf_fail(f->err, "render_error", "out of memory");
    f->list_w = *list_w;
    for (size_t i = 0; i < doc->nblocks; i++) {
        const struct pdf_block *b = &doc->blocks[i];
        if (b->marker.nruns == 0)
            continue;
        if (marker_width(f, &b->marker, &w) != 0)
            return -1;
        if (w > (*list_w)[b->marker_list - 1])
            (*list_w)[b->marker_list - 1] = w;
    }
    return 0;
}

double pdf_list_offset(const struct flow *f, size_t l)
{
    double x = 0;

    for (; l; l = f->doc->lists[l - 1].parent)
        x += f->list_w[l - 1];
    return x;
}

/* The marker, on the item's first line (same page and baseline), at the
 * left of its list's column. */
static int flow_marker(struct flow *f, const struct pdf_block *b, const struct pdf_line *first)
{
    const struct pdf_list *l = &f->doc->lists[b->marker_list - 1];
    struct atoms as = { 0 };
    struct pdf_line line = *first;
    int rc = -1;

    if (para_atoms(&as, &b->marker, 1e9, f->fonts, f->err) != 0)
        goto out;
    line.para = &b->marker;
    line.atoms = as.a;
    line.natoms = as.n;
    line.space_extra = 0;
    line.x = f->x + b->marker_indent + pdf_list_offset(f, l->parent);
    if (push_line(f->lay, &line, f->err) != 0)
        goto out;
    rc = adopt_atoms(f->lay, &as, f->err);
out:
    free(as.a);
    return rc;
}

/* Where block b starts, for ids and outlines (xref.c); a block laid out
 * again (grid.c retries rows on the next page) is where it was last. */
static void note_spot(struct flow *f, const struct pdf_block *b, double top)
{
    struct pdf_spot *s = f->lay->spots ? &f->lay->spots[b - f->doc->blocks] : NULL;

    if (s) {
        s->page1 = f->page + 1;
        s->top = top;
    }
}

/* Note the first thing a flow places: grid.c moves a row that placed
 * nothing on its first page to the next. */
static void placed(struct flow *f)
{
    if (f->placed_page < 0)
        f->placed_page = f->page;
    f->page_empty = 0;
}

static int flow_para(struct flow *f, const struct pdf_block *b)
{
    double left = f->x + b->indent[0] + pdf_list_offset(f, b->list);
    double avail = f->x + f->w - b->indent[1] - left;
    struct atoms as = { 0 };
    struct line_span ln = { 0, 0, 0, 0, 0 };
    double h, asc;
    int rc = -1;

    if (para_atoms(&as, &b->para, avail, f->fonts, f->err) != 0)
        goto out;
    do {
        struct pdf_line line = { &b->para, as.a, 0, 0, left, 0, 0 };
        ln = take_line(as.a, as.n, ln.next, avail);
        if (line_metrics(&b->para, as.a, ln, f->fonts, &h, &asc, f->err) != 0)
            goto out;
        if (!f->page_empty && (f->break_pending || f->y - h < f->bottom - 1e-6) &&
            (rc = pdf_flow_advance(f)) != 0)
            goto out;
        f->break_pending = 0;
        rc = -1;
        line.atoms = as.a ? as.a + ln.start : NULL;
        line.natoms = ln.end - ln.start;
        line.page = f->page;
        line.baseline = f->y - asc;
        align_line(&line, ln, as.a, b->para.style.align, avail);
        if (push_line(f->lay, &line, f->err) != 0 ||
            (ln.start == 0 && b->marker.nruns && flow_marker(f, b, &line) != 0))
            goto out;
        if (ln.start == 0)
            note_spot(f, b, f->y);
        f->y -= h;
        placed(f);
    } while (ln.next < as.n);
    rc = adopt_atoms(f->lay, &as, f->err);
out:
    free(as.a);
    return rc;
}

static int push_image(struct pdf_layout *lay, const struct pdf_placed *im, struct pdf_err *err)
{
    if (lay->nimages == lay->icap) {
        size_t cap = lay->icap ? lay->icap * 2 : 16;
        struct pdf_placed *grown = realloc(lay->images, cap * sizeof *grown);
        if (!grown)
            return pdf_fail(err, "render_error", "out of memory");
        lay->images = grown;
        lay->icap = cap;
    }
    lay->images[lay->nimages++] = *im;
    return 0;
}

/* An image is placed like one line: on a new page when it does not fit
 * below, at its own size (never shrunk: wider than the column, it sticks
 * out to the right as in pdfmake), aligned in the column.  A canvas is
 * placed the same way, never aligned; a QR code is a canvas aligned like
 * an image. */
static int flow_image(struct flow *f, const struct pdf_block *b)
{
    double left = f->x + b->indent[0] + pdf_list_offset(f, b->list);
    double slack = f->x + f->w - b->indent[1] - left - b->img_w;
    struct pdf_placed im = { &b->image, 0, left, 0, b->img_w, b->img_h, NULL, b };
    int rc;

    if (b->kind == PDF_BLOCK_CANVAS || b->kind == PDF_BLOCK_QR) {
        im.image = NULL;
        im.canvas = &b->canvas;
        if (b->kind == PDF_BLOCK_CANVAS)    /* drawn from the column's left edge */
            slack = 0;
    }

    if (!f->page_empty && (f->break_pending || f->y - b->img_h < f->bottom - 1e-6) &&
        (rc = pdf_flow_advance(f)) != 0)
        return rc;
    f->break_pending = 0;
    if (slack > 0 && b->para.style.align == PDF_ALIGN_CENTER)
        im.x += slack / 2;
    else if (slack > 0 && b->para.style.align == PDF_ALIGN_RIGHT)
        im.x += slack;
    im.page = f->page;
    note_spot(f, b, f->y);
    im.y = f->y - b->img_h;
    f->y -= b->img_h;
    placed(f);
    return push_image(f->lay, &im, f->err);
}

static int flow_block(struct flow *f, const struct pdf_block *b)
{
    switch (b->kind) {
    case PDF_BLOCK_PARA:
        return flow_para(f, b);
    case PDF_BLOCK_SPACE:       /* a margin never starts a page by itself */
        f->y = f->y - b->space < f->bottom ? f->bottom : f->y - b->space;
        return 0;
    case PDF_BLOCK_BREAK:       /* taken lazily: never an empty page */
        f->break_pending = 1;
        return 0;
    case PDF_BLOCK_IMAGE:
    case PDF_BLOCK_CANVAS:
    case PDF_BLOCK_QR:
        return flow_image(f, b);
    case PDF_BLOCK_TABLE:
        return pdf_flow_table(f, b);
    case PDF_BLOCK_COLUMNS:
        return pdf_flow_columns(f, b);
    }
    return 0;
}

int pdf_flow_range(struct flow *f, size_t first, size_t end)
{
    int rc;

    for (size_t i = first; i < end; i = f->doc->blocks[i].skip ? f->doc->blocks[i].skip : i + 1)
        if ((rc = flow_block(f, &f->doc->blocks[i])) != 0)
            return rc;
    return 0;
}

/* ---- pages ---- */

/* The top of page `page` for content under the repeat chain rp: below the
 * header rows of every enclosing table, drawn there the first time. */
static int repeat_top(struct flow *f, struct pdf_repeat *rp, int page, double *top)
{
    struct pdf_layout *lay = f->lay;
    double parent_top, dy;

    if (!rp) {
        *top = f->doc->page_h - f->doc->margin[PDF_TOP];
        return 0;
    }
    if (repeat_top(f, rp->parent, page, &parent_top) != 0)
        return -1;
    *top = parent_top - rp->height;
    if (rp->page_done >= page)
        return 0;
    rp->page_done = page;
    dy = parent_top - rp->top;
    for (size_t i = rp->from[0]; i < rp->to[0]; i++) {
        struct pdf_line ln = lay->lines[i];
        ln.page = page;
        ln.baseline += dy;
        if (push_line(lay, &ln, f->err) != 0)
            return -1;
    }
    for (size_t i = rp->from[1]; i < rp->to[1]; i++) {
        struct pdf_placed im = lay->images[i];
        im.page = page;
        im.y += dy;
        if (push_image(lay, &im, f->err) != 0)
            return -1;
    }
    for (size_t i = rp->from[2]; i < rp->to[2]; i++) {
        struct pdf_rect r = lay->rects[i];
        r.page = page;
        r.y += dy;
        if (pdf_push_rect(lay, &r, f->err) != 0)
            return -1;
    }
    return 0;
}

int pdf_flow_advance(struct flow *f)
{
    double top;

    if (heft_job_cancelled(f->job))
        return -2;
    if (f->page + 1 >= f->lay->pages) {
        if (f->lay->pages >= f->max_pages)
            return pdf_fail(f->err, "limit_exceeded", "the document has more than %lld pages",
                            f->max_pages);
        f->lay->pages++;
    }
    f->page++;
    if (pdf_page_top(f, f->page, &top) != 0)
        return -1;
    f->y = top;
    f->page_empty = 1;
    return 0;
}

int pdf_page_top(struct flow *f, int page, double *top)
{
    if (repeat_top(f, f->repeat, page, top) != 0)
        return -1;
    *top -= f->top_pad;
    return 0;
}

/* Is b the continuation of a on the same line (a table's row of borders)? */
static int extends(const struct pdf_rect *a, const struct pdf_rect *b)
{
    return a->page == b->page && a->above == b->above && a->depth == b->depth &&
           a->y == b->y && a->h == b->h &&
           memcmp(a->rgb, b->rgb, sizeof a->rgb) == 0 && b->x >= a->x &&
           b->x <= a->x + a->w + 1e-9;
}

int pdf_push_rect(struct pdf_layout *lay, const struct pdf_rect *r, struct pdf_err *err)
{
    struct pdf_rect *last = lay->nrects > lay->rect_floor ? &lay->rects[lay->nrects - 1] : NULL;

    if (last && extends(last, r)) {     /* one rectangle, not one per cell */
        if (r->x + r->w > last->x + last->w)
            last->w = r->x + r->w - last->x;
        return 0;
    }
    if (lay->nrects == lay->rcap) {
        size_t cap = lay->rcap ? lay->rcap * 2 : 64;
        struct pdf_rect *grown = realloc(lay->rects, cap * sizeof *grown);
        if (!grown)
            return pdf_fail(err, "render_error", "out of memory");
        lay->rects = grown;
        lay->rcap = cap;
    }
    lay->rects[lay->nrects++] = *r;
    return 0;
}

void pdf_mark(struct flow *f, struct pdf_mark *m)
{
    const struct pdf_repeat *rp = f->repeat;

    m->n[0] = f->lay->nlines;
    m->n[1] = f->lay->nimages;
    m->n[2] = f->lay->nrects;
    f->lay->rect_floor = f->lay->nrects;    /* what a rollback keeps is never merged into */
    m->pages = f->lay->pages;
    for (int i = 0; i < PDF_MARK_DEPTH; i++, rp = rp ? rp->parent : NULL)
        m->done[i] = rp ? rp->page_done : 0;
}

/* Forget what was placed since the mark.  Pages created since stay (a
 * retry goes to the next page anyway); header rows drawn on them since
 * are forgotten too, so they are drawn again. */
void pdf_rollback(struct flow *f, const struct pdf_mark *m)
{
    struct pdf_repeat *rp = f->repeat;

    f->lay->nlines = m->n[0];
    f->lay->nimages = m->n[1];
    f->lay->nrects = m->n[2];
    for (int i = 0; i < PDF_MARK_DEPTH && rp; i++, rp = rp->parent)
        rp->page_done = m->done[i];
}

/* ---- measuring (pdfmake's min and max widths) ---- */

/* The widest unbreakable piece and the widest line without soft breaks. */
static int measure_para(struct flow *f, const struct pdf_para *para, double *min, double *max)
{
    struct atoms as = { 0 };
    double word = 0, line = 0, spaces = 0;
    int rc = -1;

    *min = *max = 0;
    for (size_t r = 0; r < para->nruns; r++)
        if (run_atoms(&as, para, r, f->fonts, f->err) != 0)
            goto out;
    for (size_t i = 0; i < as.n; i++) {
        const struct pdf_atom *a = &as.a[i];
        if (a->kind == PDF_ATOM_BREAK) {
            line = spaces = word = 0;
            continue;
        }
        if (a->kind == PDF_ATOM_SPACE) {
            spaces += a->width;     /* counted only when a word follows */
            word = 0;
            continue;
        }
        word = a->joins_prev ? word + a->width : a->width;
        line += spaces + a->width;
        spaces = 0;
        *min = word > *min ? word : *min;
        *max = line > *max ? line : *max;
    }
    rc = 0;
out:
    free(as.a);
    return rc;
}

/* A canvas is as wide as its rightmost point. */
static double canvas_width(const struct pdf_canvas *cv)
{
    double w = 0, x = 0;

    for (size_t i = 0; i < cv->nops; i++) {
        const struct pdf_cop *c = &cv->ops[i];
        switch (c->kind) {
        case PDF_COP_RECT:
            x = c->v[0] + c->v[2];
            break;
        case PDF_COP_LINE:
            x = c->v[0] > c->v[2] ? c->v[0] : c->v[2];
            break;
        case PDF_COP_ELLIPSE:
            x = c->v[0] + c->v[2];
            break;
        case PDF_COP_POLYLINE:
            for (size_t k = 0; k < c->npts; k++)
                x = c->pts[2 * k] > x ? c->pts[2 * k] : x;
            break;
        }
        w = x > w ? x : w;
    }
    return w;
}

static int measure_block(struct flow *f, const struct pdf_block *b, double *min, double *max)
{
    double pad = b->indent[0] + b->indent[1] + pdf_list_offset(f, b->list);
    int rc = 0;

    *min = *max = 0;
    switch (b->kind) {
    case PDF_BLOCK_PARA:
        rc = measure_para(f, &b->para, min, max);
        break;
    case PDF_BLOCK_IMAGE:
    case PDF_BLOCK_QR:
        *min = *max = b->img_w;
        break;
    case PDF_BLOCK_CANVAS:
        *min = *max = canvas_width(&b->canvas);
        break;
    case PDF_BLOCK_TABLE:
    case PDF_BLOCK_COLUMNS:
        rc = pdf_measure_grid(f, b, min, max);
        break;
    case PDF_BLOCK_SPACE:
    case PDF_BLOCK_BREAK:
        return 0;
    }
    *min += pad;
    *max += pad;
    return rc;
}

int pdf_flow_measure(struct flow *f, size_t first, size_t end, double *min, double *max)
{
    double bmin, bmax;

    *min = *max = 0;
    for (size_t i = first; i < end; i = f->doc->blocks[i].skip ? f->doc->blocks[i].skip : i + 1) {
        if (measure_block(f, &f->doc->blocks[i], &bmin, &bmax) != 0)
            return -1;
        *min = bmin > *min ? bmin : *min;
        *max = bmax > *max ? bmax : *max;
    }
    return 0;
}

/* ---- the document ---- */

/* Flows append in their own order (a column fills its pages before the
 * next column starts): render.c wants each array in page order, stably. */
static int sort_by_page(void *base, size_t n, size_t size, size_t page_off, int pages,
                        struct pdf_err *err)
{
    size_t *start;
    char *tmp;
    int rc = -1;

    if (n == 0)
        return 0;
    start = calloc((size_t)pages + 1, sizeof *start);
    tmp = malloc(n * size);

    if (!start || !tmp) {
        pdf_fail(err, "render_error", "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        int page;
        memcpy(&page, (char *)base + i * size + page_off, sizeof page);
        start[page + 1]++;
    }
    for (int p = 0; p < pages; p++)
        start[p + 1] += start[p];
    for (size_t i = 0; i < n; i++) {
        int page;
        memcpy(&page, (char *)base + i * size + page_off, sizeof page);
        memcpy(tmp + start[page]++ * size, (char *)base + i * size, size);
    }
    memcpy(base, tmp, n * size);
    rc = 0;
out:
    free(start);
    free(tmp);
    return rc;
}

int pdf_layout_doc(struct pdf_layout *lay, const struct pdf_doc *doc,
                   struct pdf_fonts *fonts, heft_job *job, long long max_pages,
                   struct pdf_err *err)
{
    struct flow f = {
        .lay = lay, .doc = doc, .fonts = fonts, .job = job, .max_pages = max_pages, .err = err,
        .x = doc->margin[PDF_LEFT], .w = doc->page_w - doc->margin[PDF_LEFT] - doc->margin[PDF_RIGHT],
        .bottom = doc->margin[PDF_BOTTOM], .page = -1, .placed_page = -1,
    };
    double *list_w = NULL;
    int rc;

    memset(lay, 0, sizeof *lay);
    if ((doc->xref.nanchors || doc->xref.noutlines) &&
        !(lay->spots = calloc(doc->nblocks, sizeof *lay->spots))) {
        rc = pdf_fail(err, "render_error", "out of memory");
        goto out;
    }
    if ((rc = list_widths(&f, &list_w)) != 0 || (rc = pdf_flow_advance(&f)) != 0 ||
        (rc = pdf_flow_range(&f, 0, doc->nblocks)) != 0)
        goto out;
    if (sort_by_page(lay->lines, lay->nlines, sizeof *lay->lines,
                     offsetof(struct pdf_line, page), lay->pages, err) != 0 ||
        sort_by_page(lay->images, lay->nimages, sizeof *lay->images,
                     offsetof(struct pdf_placed, page), lay->pages, err) != 0 ||
        sort_by_page(lay->rects, lay->nrects, sizeof *lay->rects,
                     offsetof(struct pdf_rect, page), lay->pages, err) != 0)
        rc = -1;
out:
    free(list_w);
    return rc;
}

int pdf_layout_box(struct pdf_layout *lay, const struct pdf_para *para,
                   struct pdf_fonts *fonts, double x, double w, double top,
                   int page, double *height, struct pdf_err *err)
{
    struct atoms as = { 0 };
    struct line_span ln = { 0, 0, 0, 0, 0 };
    double h, asc, y = top;
    int rc = -1;

    if (para_atoms(&as, para, w, fonts, err) != 0)
        goto out;
    do {
        struct pdf_line line = { para, NULL, 0, page, x, 0, 0 };
        ln = take_line(as.a, as.n, ln.next, w);
        if (line_metrics(para, as.a, ln, fonts, &h, &asc, err) != 0)
            goto out;
        line.atoms = as.a ? as.a + ln.start : NULL;
        line.natoms = ln.end - ln.start;
        line.baseline = y - asc;
        align_line(&line, ln, as.a, para->style.align, w);
        if (push_line(lay, &line, err) != 0)
            goto out;
        y -= h;
    } while (ln.next < as.n);
    *height = top - y;
    rc = adopt_atoms(lay, &as, err);
out:
    free(as.a);
    return rc;
}

void pdf_layout_free(struct pdf_layout *lay)
{
    for (size_t i = 0; i < lay->narrays; i++)
        free(lay->arrays[i]);
    free(lay->arrays);
    free(lay->lines);
    free(lay->images);
    free(lay->rects);
    free(lay->spots);
    memset(lay, 0, sizeof *lay);
}
