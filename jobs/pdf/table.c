/*
 * jobs/pdf/table.c - pdfmake's `table` and `columns` nodes parsed into
 * grid blocks: a TABLE or COLUMNS block followed by the blocks of every
 * cell or column, each cell's content parsed like any other content in a
 * box of its own (no indent, no enclosing list: grid.c places the box).
 *
 * What pdfmake would draw from functions (custom layouts, dynamic widths)
 * cannot cross a queue: layouts are the built-in names only.
 */
#include "parse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const table_skip[] = { "table", "layout", "style", "pageBreak", NULL };
static const char *const table_keys[] = {
    "body", "widths", "headerRows", "keepWithHeaderRows", "dontBreakRows", "heights", NULL,
};
static const char *const cell_keys[] = {
    "colSpan", "rowSpan", "border", "fillColor", NULL,
};
static const char *const cell_unsupported[] = {
    "borderColor", "fillOpacity", "overlayPattern", "overlayOpacity", "verticalAlignment", NULL,
};
static const char *const column_keys[] = { "width", NULL };
static const char *const columns_skip[] = { "columns", "style", "pageBreak", NULL };

static const struct {
    const char *name;
    enum pdf_table_layout layout;
} layouts[] = {
    { "noBorders", PDF_TL_NO_BORDERS },
    { "headerLineOnly", PDF_TL_HEADER_LINE_ONLY },
    { "lightHorizontalLines", PDF_TL_LIGHT_HORIZONTAL_LINES },
};

void pdf_table_free(struct pdf_table *t)
{
    if (!t)
        return;
    free(t->cells);
    free(t->widths);
    free(t);
}

void pdf_columns_free(struct pdf_columns *c)
{
    if (!c)
        return;
    free(c->cols);
    free(c->widths);
    free(c);
}

/* A width: a number of points, "*", "auto" or "N%". */
static int parse_width(struct parser *p, const json_t *v, const char *path, struct pdf_width *w)
{
    const char *s = json_string_value(v);
    char *end;

    if (json_is_number(v) && json_number_value(v) >= 0) {
        w->kind = PDF_WIDTH_FIXED;
        w->value = json_number_value(v);
        return 0;
    }
    if (s && (strcmp(s, "*") == 0 || strcmp(s, "star") == 0)) {
        w->kind = PDF_WIDTH_STAR;
        return 0;
    }
    if (s && strcmp(s, "auto") == 0) {
        w->kind = PDF_WIDTH_AUTO;
        return 0;
    }
    if (s && (w->value = strtod(s, &end)) >= 0 && end != s && strcmp(end, "%") == 0 &&
        isfinite(w->value)) {
        w->kind = PDF_WIDTH_PERCENT;
        return 0;
    }
    return pdf_fail(p->err, "bad_input",
                    "%s: a width is a number of points (0 or more), \"*\", \"auto\" or \"N%%\"",
                    path);
}

/* A non-negative integer property (headerRows, colSpan...); absent = dflt. */
static int parse_count(struct parser *p, const json_t *obj, const char *key, const char *path,
                       size_t dflt, size_t *out)
{
    const json_t *v = json_object_get(obj, key);
    char sub[PATH_MAX_LEN];

    *out = dflt;
    if (!v)
        return 0;
    pdf_path_key(sub, path, key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
        return pdf_fail(p->err, "bad_input", "%s: must be a whole number from 0 to 1000000",
                        sub);
    *out = (size_t)json_integer_value(v);
    return 0;
}

static int parse_layout(struct parser *p, const json_t *v, const char *path,
                        enum pdf_table_layout *out)
{
    const char *s = json_string_value(v);

    *out = PDF_TL_DEFAULT;
    if (!v)
        return 0;
    if (json_is_object(v))
        return pdf_fail(p->err, "unsupported",
                        "%s.layout: custom table layouts are functions in pdfmake and cannot be "
                        "sent in JSON; use noBorders, headerLineOnly or lightHorizontalLines",
                        path);
    for (size_t i = 0; s && i < sizeof layouts / sizeof layouts[0]; i++)
        if (strcmp(s, layouts[i].name) == 0) {
            *out = layouts[i].layout;
            return 0;
        }
    return pdf_fail(p->err, "bad_input",
                    "%s.layout: unknown table layout (noBorders, headerLineOnly, "
                    "lightHorizontalLines)", path);
}

/* The table's widths: one per column; a single string applies to all. */
static int parse_widths(struct parser *p, const json_t *v, const char *path, struct pdf_table *t)
{
    char sub[PATH_MAX_LEN], item[PATH_MAX_LEN];

    pdf_path_key(sub, path, "widths");
    t->widths = calloc(t->ncols, sizeof *t->widths);
    if (!t->widths)
        return pdf_fail(p->err, "render_error", "out of memory");
    for (size_t c = 0; c < t->ncols; c++)
        t->widths[c].kind = PDF_WIDTH_AUTO;
    if (!v)
        return 0;
    if (json_is_string(v)) {
        for (size_t c = 0; c < t->ncols; c++)
            if (parse_width(p, v, sub, &t->widths[c]) != 0)
                return -1;
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) != t->ncols)
        return pdf_fail(p->err, "bad_input", "%s: must be an array of %zu widths, one per column",
                        sub, t->ncols);
    for (size_t c = 0; c < t->ncols; c++) {
        pdf_path_index(item, sub, c);
        if (parse_width(p, json_array_get(v, c), item, &t->widths[c]) != 0)
            return -1;
    }
    return 0;
}

/* The body's shape: rows of equal length, at least one of each. */
static int parse_shape(struct parser *p, const json_t *spec, const char *path,
                       struct pdf_table *t)
{
    const json_t *body = json_object_get(spec, "body");
    char sub[PATH_MAX_LEN], row[PATH_MAX_LEN];

    pdf_path_key(sub, path, "body");
    if (!json_is_array(body) || json_array_size(body) == 0)
        return pdf_fail(p->err, "bad_input", "%s: must be a non-empty array of rows", sub);
    t->nrows = json_array_size(body);
    t->ncols = json_array_size(json_array_get(body, 0));
    for (size_t r = 0; r < t->nrows; r++) {
        const json_t *cells = json_array_get(body, r);
        pdf_path_index(row, sub, r);
        if (!json_is_array(cells) || json_array_size(cells) == 0)
            return pdf_fail(p->err, "bad_input", "%s: a row must be a non-empty array of cells",
                            row);
        if (json_array_size(cells) != t->ncols)
            return pdf_fail(p->err, "bad_input", "%s: has %zu cells, the first row has %zu", row,
                            json_array_size(cells), t->ncols);
    }
    p->cells += (long long)(t->nrows * t->ncols);
    if (p->cells > p->max_cells)
        return pdf_fail(p->err, "limit_exceeded",
                        "the document's tables have more than %lld cells (max_table_cells)",
                        p->max_cells);
    t->cells = calloc(t->nrows * t->ncols, sizeof *t->cells);
    if (!t->cells)
        return pdf_fail(p->err, "render_error", "out of memory");
    return 0;
}

static int parse_spec(struct parser *p, const json_t *spec, const char *path, struct pdf_table *t)
{
    const char *key;
    const json_t *v;
    char sub[PATH_MAX_LEN];

    pdf_path_key(sub, path, "table");
    if (!json_is_object(spec))
        return pdf_fail(p->err, "bad_input", "%s: must be an object with a body", sub);
    json_object_foreach((json_t *)spec, key, v) {
        if (strcmp(key, "heights") == 0)
            return pdf_fail(p->err, "unsupported", "%s: \"heights\" is not supported yet", sub);
        if (!pdf_in_list(table_keys, key) &&
            pdf_parse_warn(p, "%s: unknown property \"%s\" ignored", sub, key) != 0)
            return -1;
    }
    if (parse_shape(p, spec, sub, t) != 0 ||
        parse_widths(p, json_object_get(spec, "widths"), sub, t) != 0 ||
        parse_count(p, spec, "headerRows", sub, 0, &t->header_rows) != 0 ||
        parse_count(p, spec, "keepWithHeaderRows", sub, 0, &t->keep_rows) != 0)
        return -1;
    if ((v = json_object_get(spec, "dontBreakRows"))) {
        pdf_path_key(sub, sub, "dontBreakRows");
        if (pdf_parse_bool(p, v, sub, &t->dont_break_rows) != 0)
            return -1;
    }
    if (t->header_rows > t->nrows)
        return pdf_fail(p->err, "bad_input", "%s.table.headerRows: %zu, but the table has %zu rows",
                        path, t->header_rows, t->nrows);
    return 0;
}

/* fillColor as pdfmake resolves it: the cell's own, else its named styles',
 * else inherited from the table node's style. */
static int cell_fill(struct parser *p, const struct pdf_style *st, const json_t *cell,
                     const char *path, struct pdf_cell *c)
{
    const json_t *names = json_is_object(cell) ? json_object_get(cell, "style") : NULL;
    size_t n = json_is_array(names) ? json_array_size(names) : names ? 1 : 0;
    const json_t *own = json_is_object(cell) ? json_object_get(cell, "fillColor") : NULL;
    char sub[PATH_MAX_LEN];

    c->fill = st->fill;
    memcpy(c->fill_rgb, st->fill_rgb, sizeof c->fill_rgb);
    for (size_t i = 0; i < n && p->styles; i++) {
        const json_t *nm = json_is_array(names) ? json_array_get(names, i) : names;
        const json_t *def = json_object_get(p->styles, json_string_value(nm) ? json_string_value(nm) : "");
        const json_t *fc = json_is_object(def) ? json_object_get(def, "fillColor") : NULL;
        if (fc) {
            pdf_path_key(sub, "styles", json_string_value(nm));
            pdf_path_key(sub, sub, "fillColor");
            if (pdf_parse_color(p, fc, sub, c->fill_rgb) != 0)
                return -1;
            c->fill = 1;
        }
    }
    if (own) {
        pdf_path_key(sub, path, "fillColor");
        if (pdf_parse_color(p, own, sub, c->fill_rgb) != 0)
            return -1;
        c->fill = 1;
    }
    return 0;
}

static int cell_border(struct parser *p, const json_t *cell, const char *path, struct pdf_cell *c)
{
    const json_t *v = json_is_object(cell) ? json_object_get(cell, "border") : NULL;
    char sub[PATH_MAX_LEN], item[PATH_MAX_LEN];

    for (int i = 0; i < 4; i++)
        c->border[i] = 1;
    if (!v)
        return 0;
    pdf_path_key(sub, path, "border");
    if (!json_is_array(v) || json_array_size(v) != 4)
        return pdf_fail(p->err, "bad_input", "%s: must be [left, top, right, bottom] booleans", sub);
    for (int i = 0; i < 4; i++) {
        pdf_path_index(item, sub, (size_t)i);
        if (pdf_parse_bool(p, json_array_get(v, (size_t)i), item, &c->border[i]) != 0)
            return -1;
    }
    return 0;
}

/* colSpan / rowSpan of the cell at (r, c), marking the slots it covers. */
static int cell_spans(struct parser *p, const json_t *cell, const char *path, struct pdf_table *t,
                      size_t r, size_t c)
{
    struct pdf_cell *cl = &t->cells[r * t->ncols + c];

    if (!json_is_object(cell)) {
        cl->col_span = cl->row_span = 1;
        return 0;
    }
    for (const char *const *k = cell_unsupported; *k; k++)
        if (json_object_get(cell, *k))
            return pdf_fail(p->err, "unsupported", "%s: \"%s\" is not supported yet", path, *k);
    if (parse_count(p, cell, "colSpan", path, 1, &cl->col_span) != 0 ||
        parse_count(p, cell, "rowSpan", path, 1, &cl->row_span) != 0)
        return -1;
    cl->col_span += cl->col_span == 0;
    cl->row_span += cl->row_span == 0;
    if (c + cl->col_span > t->ncols || r + cl->row_span > t->nrows)
        return pdf_fail(p->err, "bad_input", "%s: colSpan %zu / rowSpan %zu reach past the table",
                        path, cl->col_span, cl->row_span);
    for (size_t i = r; i < r + cl->row_span; i++)
        for (size_t j = c; j < c + cl->col_span; j++) {
            struct pdf_cell *under = &t->cells[i * t->ncols + j];
            if (under == cl)
                continue;
            if (under->covered)
                return pdf_fail(p->err, "bad_input", "%s: its span overlaps another cell's", path);
            under->covered = 1;
        }
    return 0;
}

/* A cell's or a column's content: parsed as any content, into blocks of
 * its own (*range), with no enclosing list, and with the node's grid keys
 * (colSpan, width...) left to the grid. */
static int parse_box(struct parser *p, const json_t *node, const char *const *grid_keys,
                     const struct pdf_style *st, const char *path, long long depth,
                     struct pdf_range *range)
{
    static const double no_indent[2] = { 0, 0 };
    const json_t *saved_cell = p->cell;
    const char *const *saved_keys = p->cell_keys;
    size_t saved_list = p->cur_list;
    int rc;

    p->cell = node;
    p->cell_keys = grid_keys;
    p->cur_list = 0;
    range->first = p->doc->nblocks;
    rc = pdf_parse_node(p, node, st, no_indent, path, depth + 1);
    range->end = p->doc->nblocks;
    p->cell = saved_cell;
    p->cell_keys = saved_keys;
    p->cur_list = saved_list;
    return rc;
}

/* One cell: spans, fill, border, then its content in a box of its own. */
static int parse_cell(struct parser *p, const json_t *cell, const struct pdf_style *st,
                      const char *path, struct pdf_table *t, size_t r, size_t c, long long depth)
{
    struct pdf_cell *cl = &t->cells[r * t->ncols + c];

    if (cl->covered)        /* pdfmake ignores what sits under a span */
        return 0;
    if (cell_spans(p, cell, path, t, r, c) != 0 || cell_fill(p, st, cell, path, cl) != 0 ||
        cell_border(p, cell, path, cl) != 0)
        return -1;
    if (json_is_null(cell)) {       /* an empty cell: no blocks at all */
        cl->body.first = cl->body.end = p->doc->nblocks;
        return 0;
    }
    return parse_box(p, cell, cell_keys, st, path, depth, &cl->body);
}

static int parse_cells(struct parser *p, const json_t *spec, const struct pdf_style *st,
                       const char *path, struct pdf_table *t, long long depth)
{
    const json_t *body = json_object_get(spec, "body");
    char row[PATH_MAX_LEN], sub[PATH_MAX_LEN];

    for (size_t r = 0; r < t->nrows; r++) {
        pdf_path_index(row, path, r);
        for (size_t c = 0; c < t->ncols; c++) {
            pdf_path_index(sub, row, c);
            if (parse_cell(p, json_array_get(json_array_get(body, r), c), st, sub, t, r, c,
                           depth) != 0)
                return -1;
        }
    }
    return 0;
}

/* Page break and top margin before a grid node, then the grid block with
 * the indent its margins add; returns the block's index. */
static size_t open_grid(struct parser *p, enum pdf_block_kind kind, const struct pdf_style *st,
                        const double indent[2])
{
    size_t at;
    struct pdf_block *b;

    if ((st->page_break_before && pdf_parse_block(p, PDF_BLOCK_BREAK) == (size_t)-1) ||
        pdf_parse_space(p, st->margin[PDF_TOP]) != 0)
        return (size_t)-1;
    at = pdf_parse_block(p, kind);
    if (at == (size_t)-1)
        return at;
    b = &p->doc->blocks[at];
    b->para.style = *st;
    b->list = p->cur_list;
    b->indent[0] = indent[0] + st->margin[PDF_LEFT];
    b->indent[1] = indent[1] + st->margin[PDF_RIGHT];
    return at;
}

static int close_grid(struct parser *p, size_t at, const struct pdf_style *st)
{
    p->doc->blocks[at].skip = p->doc->nblocks;
    if (pdf_parse_space(p, st->margin[PDF_BOTTOM]) != 0 ||
        (st->page_break_after && pdf_parse_block(p, PDF_BLOCK_BREAK) == (size_t)-1))
        return -1;
    return 0;
}

int pdf_parse_table(struct parser *p, const json_t *node, const struct pdf_style *parent,
                    const double indent[2], const char *path, long long depth)
{
    const json_t *spec = json_object_get(node, "table");
    struct pdf_table *t = calloc(1, sizeof *t);
    char sub[PATH_MAX_LEN];
    struct pdf_style st;
    size_t at;

    if (!t)
        return pdf_fail(p->err, "render_error", "out of memory");
    if (pdf_parse_style(p, parent, node, path, table_skip, &st) != 0 ||
        parse_spec(p, spec, path, t) != 0 ||
        parse_layout(p, json_object_get(node, "layout"), path, &t->layout) != 0 ||
        (at = open_grid(p, PDF_BLOCK_TABLE, &st, indent)) == (size_t)-1) {
        pdf_table_free(t);
        return -1;
    }
    p->doc->blocks[at].table = t;      /* owned by the block from here on */
    pdf_path_key(sub, path, "table.body");
    if (parse_cells(p, spec, &st, sub, t, depth) != 0)
        return -1;
    return close_grid(p, at, &st);
}

/* One column: its width (a property of the column's node) and content. */
static int parse_column(struct parser *p, const json_t *col, const struct pdf_style *st,
                        const char *path, struct pdf_columns *cs, size_t i, long long depth)
{
    const json_t *w = json_is_object(col) ? json_object_get(col, "width") : NULL;
    char sub[PATH_MAX_LEN];

    cs->widths[i].kind = PDF_WIDTH_STAR;
    pdf_path_key(sub, path, "width");
    if (w && parse_width(p, w, sub, &cs->widths[i]) != 0)
        return -1;
    return parse_box(p, col, column_keys, st, path, depth, &cs->cols[i]);
}

int pdf_parse_columns(struct parser *p, const json_t *node, const struct pdf_style *parent,
                      const double indent[2], const char *path, long long depth)
{
    const json_t *cols = json_object_get(node, "columns");
    struct pdf_columns *cs = calloc(1, sizeof *cs);
    char sub[PATH_MAX_LEN], item[PATH_MAX_LEN];
    struct pdf_style st;
    size_t at, n = json_array_size(cols);

    pdf_path_key(sub, path, "columns");
    if (cs && n) {
        cs->cols = calloc(n, sizeof *cs->cols);
        cs->widths = calloc(n, sizeof *cs->widths);
        cs->n = n;
    }
    if (!cs || (n && (!cs->cols || !cs->widths))) {
        pdf_columns_free(cs);
        return pdf_fail(p->err, "render_error", "out of memory");
    }
    if (!json_is_array(cols) || n == 0 ||
        pdf_parse_style(p, parent, node, path, columns_skip, &st) != 0 ||
        (at = open_grid(p, PDF_BLOCK_COLUMNS, &st, indent)) == (size_t)-1) {
        pdf_columns_free(cs);
        return p->err->code[0] ? -1
                               : pdf_fail(p->err, "bad_input", "%s: must be a non-empty array", sub);
    }
    cs->gap = st.column_gap;
    p->doc->blocks[at].columns = cs;
    for (size_t i = 0; i < n; i++) {
        pdf_path_index(item, sub, i);
        if (parse_column(p, json_array_get(cols, i), &st, item, cs, i, depth) != 0)
            return -1;
    }
    return close_grid(p, at, &st);
}
