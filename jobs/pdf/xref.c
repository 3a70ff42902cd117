/*
 * jobs/pdf/xref.c - cross references in pdf.render: node ids and what
 * refers to them (pageReference, textReference, linkToDestination, the
 * entries of a toc, outlineParentId), and the outlines (bookmarks).
 *
 * Semantics are pdfmake's (facts read from its DocPreprocessor, DocMeasure,
 * LayoutBuilder and Renderer): an id names a text node (here: any node),
 * and an id on an inline item names its paragraph's position; a tocItem
 * without an id gets "toc-<tocid>-<n>"; a pageReference shows "00000"
 * until the page is known and links to the node, as does a textReference,
 * which shows the node's text; a toc is its title and a borderless table
 * of [text, right-aligned page number] rows, both linking to the item.
 *
 * Where pdfmake throws on an unknown id (pageReference, textReference) or
 * quietly makes a dead link or a top-level bookmark (linkToDestination,
 * outlineParentId), we fail bad_input naming the id and the place: a
 * wrong page number or a dead link must not pass unnoticed.
 *
 * A toc's entries are known before its own node is parsed: the content is
 * scanned for tocItem nodes first (pdf_xref_prescan), so the toc becomes
 * ordinary blocks (a stack of the title and a table) with one row per
 * entry.  Page numbers are known only after layout: render.c lays out,
 * calls pdf_xref_update and lays out again when a number changed.
 */
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAGE_PLACEHOLDER "00000"    /* pdfmake's: as wide as most page numbers */
#define DEFAULT_TOC "_default_"

/* A tocItem node found by the scan, once per toc it belongs to. */
struct pdf_toc_item {
    const json_t *node;     /* borrowed from the payload */
    const char *toc;        /* the toc's id, borrowed */
    char *id;               /* owned: the node's id, or one made up */
    char *text;             /* owned: the node's text, its inline texts joined */
};

/* Keys that belong to the node only, never inherited (read by the hooks). */
static const char *const node_keys[] = {
    "id", "tocItem", "tocStyle", "tocMargin", "tocNumberStyle", "outline", "outlineText",
    "outlineParentId", "outlineExpanded", "pageReference", "textReference", NULL,
};

static int is_node_key(const char *key)
{
    for (const char *const *k = node_keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    return 0;
}

static int oom(struct parser *p)
{
    return pdf_fail(p->err, "render_error", "out of memory");
}

/* Grow an array of n elements of size bytes by one; NULL when out of memory. */
static void *grow(void *arr, size_t n, size_t size)
{
    return realloc(arr, (n + 1) * size);
}

/* ---- text of nodes ---- */

/* Append the text of a pdfmake text value (a string, an array of strings
 * and {text} items, an item) to *buf. */
static int join_text(const json_t *t, char **buf, size_t *len, int level)
{
    if (json_is_string(t)) {
        size_t n = json_string_length(t);
        char *grown = realloc(*buf, *len + n + 1);
        if (!grown)
            return -1;
        memcpy(grown + *len, json_string_value(t), n);
        *len += n;
        grown[*len] = '\0';
        *buf = grown;
        return 0;
    }
    if (level > 8)      /* deeper is refused by the parser anyway */
        return 0;
    if (json_is_object(t))
        return join_text(json_object_get(t, "text"), buf, len, level + 1);
    for (size_t i = 0; json_is_array(t) && i < json_array_size(t); i++)
        if (join_text(json_array_get(t, i), buf, len, level + 1) != 0)
            return -1;
    return 0;
}

static char *text_of(const json_t *t)
{
    char *buf = strdup("");
    size_t len = 0;

    if (buf && join_text(t, &buf, &len, 0) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The runs [run0, run1) of a block, joined. */
static char *runs_text(const struct pdf_para *para, size_t run0, size_t run1)
{
    size_t len = 1;
    char *s;

    for (size_t i = run0; i < run1; i++)
        len += strlen(para->runs[i].text);
    s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = run0; i < run1; i++)
        strcat(s, para->runs[i].text);
    return s;
}

/* ---- the scan for toc items ---- */

static const struct pdf_toc_item *item_of(const struct pdf_xref *x, const json_t *node)
{
    for (size_t i = 0; i < x->nitems; i++)
        if (x->items[i].node == node)
            return &x->items[i];
    return NULL;
}

static size_t toc_count(const struct pdf_xref *x, const char *toc)
{
    size_t n = 0;

    for (size_t i = 0; i < x->nitems; i++)
        n += strcmp(x->items[i].toc, toc) == 0;
    return n;
}

static int check_style_value(struct parser *p, const json_t *v, const char *path,
                             const char *key);

/* The entry's own toc styles, checked here so that errors in them name
 * the item, not the toc row made of it. */
static int check_item(struct parser *p, const json_t *node, const char *path)
{
    static const char *const keys[3][2] = {
        { "tocStyle", "style" }, { "tocNumberStyle", "style" }, { "tocMargin", "margin" },
    };
    char sub[PATH_MAX_LEN];

    for (int i = 0; i < 3; i++) {
        const json_t *v = json_object_get(node, keys[i][0]);
        pdf_path_key(sub, path, keys[i][0]);
        if (v && check_style_value(p, v, sub, keys[i][1]) != 0)
            return -1;
    }
    return 0;
}

static int add_item(struct parser *p, const json_t *node, const char *toc)
{
    struct pdf_xref *x = &p->doc->xref;
    const struct pdf_toc_item *seen = item_of(x, node);
    const char *own = json_string_value(json_object_get(node, "id"));
    struct pdf_toc_item *it, *grown;
    size_t seen_at = seen ? (size_t)(seen - x->items) : 0;
    char made[256];

    if (!(grown = grow(x->items, x->nitems, sizeof *grown)))
        return oom(p);
    x->items = grown;   /* seen moved with the array */
    seen = seen ? &x->items[seen_at] : NULL;
    it = &x->items[x->nitems];
    memset(it, 0, sizeof *it);
    it->node = node;
    it->toc = toc;
    snprintf(made, sizeof made, "toc-%s-%zu", toc, toc_count(x, toc));
    it->id = strdup(seen ? seen->id : own && *own ? own : made);
    it->text = text_of(json_object_get(node, "text"));
    x->nitems++;
    return it->id && it->text ? 0 : oom(p);
}

/* tocItem: true, a toc id, or an array of them (not strings: the default toc). */
static int scan_item(struct parser *p, const json_t *node, const json_t *ti, const char *path)
{
    if (check_item(p, node, path) != 0)
        return -1;
    if (json_is_array(ti)) {
        for (size_t i = 0; i < json_array_size(ti); i++) {
            const char *s = json_string_value(json_array_get(ti, i));
            if (add_item(p, node, s ? s : DEFAULT_TOC) != 0)
                return -1;
        }
        return 0;
    }
    if (json_is_false(ti) || json_is_null(ti) || (json_is_string(ti) && !*json_string_value(ti)))
        return 0;
    return add_item(p, node, json_is_string(ti) ? json_string_value(ti) : DEFAULT_TOC);
}

/* A toc with outlines: true makes its items bookmarks, wherever they are. */
static int scan_toc(struct parser *p, const json_t *toc)
{
    struct pdf_xref *x = &p->doc->xref;
    const char *id = json_string_value(json_object_get(toc, "id")), **grown;

    if (!json_is_true(json_object_get(toc, "outlines")))
        return 0;
    grown = grow(x->outline_tocs, x->noutline_tocs, sizeof *grown);
    if (!grown)
        return oom(p);
    x->outline_tocs = grown;
    grown[x->noutline_tocs++] = id ? id : DEFAULT_TOC;
    return 0;
}

/* Does a toc with outlines: true list the node? */
static int in_outline_toc(const struct pdf_xref *x, const json_t *node)
{
    for (size_t i = 0; i < x->nitems; i++)
        for (size_t k = 0; x->items[i].node == node && k < x->noutline_tocs; k++)
            if (strcmp(x->items[i].toc, x->outline_tocs[k]) == 0)
                return 1;
    return 0;
}

/* v is at path[0, len) (one buffer for the whole walk). */
static int scan(struct parser *p, const json_t *v, char *path, size_t len, long long depth)
{
    const char *key;
    const json_t *sub, *ti;
    int rc = 0;

    if (depth > 4 * p->max_depth + 8)   /* too deep: parsing fails later */
        return 0;
    for (size_t i = 0; rc == 0 && json_is_array(v) && i < json_array_size(v); i++) {
        pdf_path_index(path, path, i);
        rc = scan(p, json_array_get(v, i), path, strlen(path), depth + 1);
        path[len] = '\0';
    }
    if (!json_is_object(v) || rc != 0)
        return rc;
    if ((ti = json_object_get(v, "tocItem")) && scan_item(p, v, ti, path) != 0)
        return -1;
    if (json_is_object(json_object_get(v, "toc")) && scan_toc(p, json_object_get(v, "toc")) != 0)
        return -1;
    json_object_foreach((json_t *)v, key, sub) {
        if (!json_is_array(sub) && !json_is_object(sub))
            continue;
        pdf_path_key(path, path, key);
        rc = scan(p, sub, path, strlen(path), depth + 1);
        path[len] = '\0';
        if (rc != 0)
            return -1;
    }
    return 0;
}

int pdf_xref_prescan(struct parser *p, const json_t *content)
{
    char path[PATH_MAX_LEN] = "content";

    return scan(p, content, path, strlen(path), 0);
}

/* ---- properties ---- */

static int check_margin(struct parser *p, const json_t *v, const char *path)
{
    size_t n = json_array_size(v);
    int ok = json_is_number(v) ? json_number_value(v) >= 0 : n == 2 || n == 4;

    for (size_t i = 0; ok && i < n; i++)
        ok = json_is_number(json_array_get(v, i)) && json_number_value(json_array_get(v, i)) >= 0;
    if (!ok)
        return pdf_fail(p->err, "bad_input", "%s: must be a number, [horizontal, vertical] or "
                        "[left, top, right, bottom], not negative", path);
    return 0;
}

/* A style value as pdfmake takes it (key "style": a name, an array of
 * names or an object of style properties) or a margin (key "margin"). */
static int check_style_value(struct parser *p, const json_t *v, const char *path,
                             const char *key)
{
    struct pdf_style base = { .font_size = 12, .line_height = 1 }, out;
    size_t n = json_is_array(v) ? json_array_size(v) : 1;

    if (strcmp(key, "margin") == 0)
        return check_margin(p, v, path);
    if (json_is_object(v))
        return pdf_parse_style(p, &base, v, path, NULL, &out);
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
        if (!s)
            return pdf_fail(p->err, "bad_input", "%s: must be a style name, an array of names "
                            "or an object of style properties", path);
        if (!p->styles || !json_object_get(p->styles, s))
            return pdf_fail(p->err, "bad_input", "%s: unknown style \"%s\"", path, s);
    }
    return 0;
}

static int need_id(struct parser *p, const json_t *v, const char *path)
{
    if (!json_is_string(v) || !*json_string_value(v))
        return pdf_fail(p->err, "bad_input", "%s: must be a non-empty string (an id)", path);
    return 0;
}

static int push_ref(struct parser *p, enum pdf_ref_kind kind, const char *id, size_t block,
                    size_t run, const char *path)
{
    struct pdf_xref *x = &p->doc->xref;
    struct pdf_ref *grown = grow(x->refs, x->nrefs, sizeof *grown);

    if (!grown)
        return oom(p);
    x->refs = grown;
    grown[x->nrefs] = (struct pdf_ref){ kind, id, block, run, 0, strdup(path) };
    return grown[x->nrefs++].path ? 0 : oom(p);
}

int pdf_xref_prop(struct parser *p, struct pdf_style *st, const char *key, const json_t *v,
                  const char *path)
{
    int b;

    if (strcmp(key, "linkToDestination") == 0) {
        if (need_id(p, v, path) != 0)
            return -1;
        st->dest = json_string_value(v);
        return push_ref(p, PDF_REF_LINK, st->dest, 0, 0, path);
    }
    if (!is_node_key(key))
        return 1;
    if (strcmp(key, "outline") == 0 || strcmp(key, "outlineExpanded") == 0)
        return pdf_parse_bool(p, v, path, &b);
    if (strcmp(key, "outlineText") == 0)
        return json_is_string(v) ? 0 : pdf_fail(p->err, "bad_input", "%s: must be a string", path);
    if (strcmp(key, "tocItem") == 0) {
        for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++)
            if (!json_is_string(json_array_get(v, i)) && !json_is_boolean(json_array_get(v, i)))
                return pdf_fail(p->err, "bad_input", "%s[%zu]: must be a toc id", path, i);
        if (json_is_array(v) || json_is_string(v) || json_is_boolean(v))
            return 0;
        return pdf_fail(p->err, "bad_input", "%s: must be true, a toc id or an array of them",
                        path);
    }
    if (strcmp(key, "tocStyle") == 0 || strcmp(key, "tocNumberStyle") == 0)
        return check_style_value(p, v, path, "style");
    if (strcmp(key, "tocMargin") == 0)
        return check_style_value(p, v, path, "margin");
    return need_id(p, v, path);  /* id, pageReference, textReference, outlineParentId */
}

json_t *pdf_xref_text(const json_t *node)
{
    if (json_object_get(node, "pageReference"))
        return json_string(PAGE_PLACEHOLDER);
    if (json_object_get(node, "textReference"))
        return json_string("");
    return NULL;
}

/* ---- the hooks: ids, references and outlines of a node ---- */

/* Where a node went: blocks [first, end), its text runs [run0, run1) of block. */
struct place {
    size_t first, end, block, run0, run1;
};

/* Ids are checked for uniqueness once all are known (sorted, see below). */
static int add_anchor(struct parser *p, const char *id, const struct place *pl, const char *path)
{
    struct pdf_xref *x = &p->doc->xref;
    struct pdf_anchor *grown = grow(x->anchors, x->nanchors, sizeof *grown);

    if (!grown)
        return oom(p);
    x->anchors = grown;
    grown[x->nanchors] = (struct pdf_anchor){ id, pl->first, pl->end, pl->block, pl->run0,
                                              pl->run1, strdup(path) };
    return grown[x->nanchors++].path ? 0 : oom(p);
}

static int add_outline(struct parser *p, const json_t *node, const char *id,
                       const struct place *pl, const char *path)
{
    struct pdf_xref *x = &p->doc->xref;
    const json_t *text = json_object_get(node, "outlineText");
    struct pdf_outline *o, *grown = grow(x->outlines, x->noutlines, sizeof *grown);

    if (!grown)
        return oom(p);
    x->outlines = grown;
    o = &grown[x->noutlines];
    memset(o, 0, sizeof *o);
    o->block = pl->first;
    o->id = id;
    o->parent = json_string_value(json_object_get(node, "outlineParentId"));
    o->expanded = json_is_true(json_object_get(node, "outlineExpanded"));
    o->title = text ? strdup(json_string_value(text))
             : pl->run1 > pl->run0 ? runs_text(&p->doc->blocks[pl->block].para, pl->run0, pl->run1)
             : strdup("");
    o->path = strdup(path);
    x->noutlines++;
    return o->title && o->path ? 0 : oom(p);
}

/* A reference's run links to the node, as in pdfmake. */
static int add_reference(struct parser *p, const json_t *node, const struct place *pl,
                         const char *path)
{
    const char *page = json_string_value(json_object_get(node, "pageReference"));
    const char *text = json_string_value(json_object_get(node, "textReference"));
    const char *id = page ? page : text;
    struct pdf_run *run;
    char sub[PATH_MAX_LEN];

    if (!id || pl->run1 != pl->run0 + 1)    /* none, or not a text node: ignored */
        return 0;
    run = &p->doc->blocks[pl->block].para.runs[pl->run0];
    if (!run->style.dest)
        run->style.dest = id;
    pdf_path_key(sub, path, page ? "pageReference" : "textReference");
    return push_ref(p, page ? PDF_REF_PAGE : PDF_REF_TEXT, id, pl->block, pl->run0, sub);
}

static int note(struct parser *p, const json_t *node, const struct place *pl, const char *path)
{
    const json_t *own = json_object_get(node, "id");
    const struct pdf_toc_item *it = json_object_get(node, "tocItem") ? item_of(&p->doc->xref, node)
                                                                       : NULL;
    const char *id = own ? json_string_value(own) : it ? it->id : NULL;

    if (id && add_anchor(p, id, pl, path) != 0)
        return -1;
    if ((json_is_true(json_object_get(node, "outline")) ||
         (it && in_outline_toc(&p->doc->xref, node))) && add_outline(p, node, id, pl, path) != 0)
        return -1;
    return add_reference(p, node, pl, path);
}

/* A node has one to a few keys: cheaper to look at them than to look
 * each of node_keys up. */
static int has_node_keys(const json_t *node)
{
    const char *key;
    const json_t *v;

    json_object_foreach((json_t *)node, key, v)
        if (is_node_key(key))
            return 1;
    return 0;
}

/* A text node as pdfmake tells them: text or a reference, and none of
 * the container kinds it looks for first. */
static int is_text_node(const json_t *node)
{
    static const char *const before[] = { "columns", "stack", "ul", "ol", "table", NULL };

    for (const char *const *k = before; *k; k++)
        if (json_object_get(node, *k))
            return 0;
    return json_object_get(node, "text") || json_object_get(node, "pageReference") ||
           json_object_get(node, "textReference");
}

int pdf_xref_node(struct parser *p, const json_t *node, size_t first, const char *path)
{
    struct pdf_doc *doc = p->doc;
    struct place pl = { first, doc->nblocks, first, 0, 0 };

    if (!has_node_keys(node))
        return 0;
    while (pl.block < pl.end && doc->blocks[pl.block].kind != PDF_BLOCK_PARA)
        pl.block++;
    if (pl.block < pl.end && is_text_node(node))
        pl.run1 = doc->blocks[pl.block].para.nruns;
    else
        pl.block = first;
    return note(p, node, &pl, path);
}

int pdf_xref_inline(struct parser *p, const json_t *item, const struct pdf_para *para,
                    size_t run0, const char *path)
{
    struct pdf_doc *doc = p->doc;
    size_t b = doc->nblocks - 1;
    struct place pl = { b, b + 1, b, run0, para->nruns };

    if (!has_node_keys(item))
        return 0;
    if (doc->nblocks == 0 || para != &doc->blocks[b].para)
        return pdf_fail(p->err, "unsupported",
                        "%s: ids, references, toc items and outlines are not supported here",
                        path);
    return note(p, item, &pl, path);
}

/* ---- tocs ---- */

static const char *const toc_keys[] = {
    "title", "textStyle", "numberStyle", "textMargin", "id", "sortBy", "sortLocale",
    "hideEmpty", "outlines", NULL,
};

static int check_toc(struct parser *p, const json_t *toc, const char *path)
{
    const char *key;
    const json_t *v;
    char sub[PATH_MAX_LEN];
    int b;

    if (!json_is_object(toc))
        return pdf_fail(p->err, "bad_input", "%s: must be an object", path);
    json_object_foreach((json_t *)toc, key, v) {
        int known = 0;
        pdf_path_key(sub, path, key);
        for (const char *const *k = toc_keys; *k; k++)
            known |= strcmp(*k, key) == 0;
        if (!known)
            return pdf_fail(p->err, "bad_input", "%s: unknown property \"%s\"", path, key);
        if (((strcmp(key, "textStyle") == 0 || strcmp(key, "numberStyle") == 0) &&
             check_style_value(p, v, sub, "style") != 0) ||
            (strcmp(key, "textMargin") == 0 && check_style_value(p, v, sub, "margin") != 0) ||
            (strcmp(key, "id") == 0 && need_id(p, v, sub) != 0) ||
            ((strcmp(key, "hideEmpty") == 0 || strcmp(key, "outlines") == 0) &&
             pdf_parse_bool(p, v, sub, &b) != 0))
            return -1;
        if (strcmp(key, "sortBy") == 0 && !(json_is_string(v) &&
            (strcmp(json_string_value(v), "page") == 0 || strcmp(json_string_value(v), "title") == 0)))
            return pdf_fail(p->err, "bad_input", "%s: must be \"page\" or \"title\"", sub);
    }
    return 0;
}

/* The top and bottom of a (checked) margin value. */
static void margin_tb(const json_t *m, double *top, double *bottom)
{
    size_t n = json_array_size(m);

    *top = *bottom = json_is_number(m) ? json_number_value(m) : 0;
    if (n == 2)
        *top = *bottom = json_number_value(json_array_get(m, 1));
    else if (n == 4) {
        *top = json_number_value(json_array_get(m, 1));
        *bottom = json_number_value(json_array_get(m, 3));
    }
}

/* A cell styled as pdfmake styles a toc cell: the style (an object's
 * properties, or names), then the cell's own properties over it. */
static json_t *toc_cell(const json_t *style, const char *align, json_t *margin)
{
    json_t *cell = json_object();

    if (cell && json_is_object(style))
        json_object_update(cell, (json_t *)style);
    else if (cell && style)
        json_object_set(cell, "style", (json_t *)style);
    if (cell && (json_object_set_new(cell, "alignment", json_string(align)) != 0 ||
                 json_object_set_new(cell, "margin", margin) != 0)) {
        json_decref(cell);
        return NULL;
    }
    return cell;
}

static json_t *toc_row(const json_t *toc, const struct pdf_toc_item *it)
{
    const json_t *n = it->node;
    const json_t *text_style = json_object_get(n, "tocStyle");
    const json_t *num_style = json_object_get(n, "tocNumberStyle");
    const json_t *margin = json_object_get(n, "tocMargin");
    json_t *row = NULL, *cell, *num;
    double top, bottom;

    text_style = text_style ? text_style : json_object_get(toc, "textStyle");
    num_style = num_style ? num_style : json_object_get(toc, "numberStyle");
    num_style = num_style ? num_style : json_object_get(toc, "textStyle");
    margin = margin ? margin : json_object_get(toc, "textMargin");
    margin_tb(margin, &top, &bottom);
    cell = toc_cell(text_style, "left", margin ? json_incref((json_t *)margin) : json_integer(0));
    num = toc_cell(num_style, "right", json_pack("[f,f,f,f]", 0.0, top, 0.0, bottom));
    if (cell && num && json_object_set_new(cell, "text", json_string(it->text)) == 0 &&
        json_object_set_new(cell, "linkToDestination", json_string(it->id)) == 0 &&
        json_object_set_new(num, "pageReference", json_string(it->id)) == 0)
        row = json_pack("[OO]", cell, num);
    json_decref(cell);
    json_decref(num);
    return row;
}

/* pdfmake sorts by localeCompare; near enough: case-insensitive first. */
static int by_title(const void *a, const void *b)
{
    const struct pdf_toc_item *const *x = a, *const *y = b;
    int c = strcasecmp((*x)->text, (*y)->text);

    return c ? c : strcmp((*x)->text, (*y)->text);
}

/* The table of a toc's entries; NULL with *empty set when there are none. */
static json_t *toc_table(struct parser *p, const json_t *toc, const char *id, int *empty)
{
    const struct pdf_xref *x = &p->doc->xref;
    const struct pdf_toc_item **items = calloc(x->nitems + 1, sizeof *items);
    json_t *body = json_array(), *table = NULL;
    size_t n = 0;

    *empty = 0;
    if (!items || !body)
        goto out;
    for (size_t i = 0; i < x->nitems; i++)
        if (strcmp(x->items[i].toc, id) == 0)
            items[n++] = &x->items[i];
    if (json_is_string(json_object_get(toc, "sortBy")) &&
        strcmp(json_string_value(json_object_get(toc, "sortBy")), "title") == 0 && n > 1)
        qsort(items, n, sizeof *items, by_title);
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(body, toc_row(toc, items[i])) != 0)
            goto out;
    *empty = n == 0;
    if (n)
        table = json_pack("{s:{s:b,s:[ss],s:O},s:s}", "table", "dontBreakRows", 1, "widths",
                          "*", "auto", "body", body, "layout", "noBorders");
out:
    free(items);
    json_decref(body);
    return table;
}

static int add_toc_id(struct parser *p, const char *id, const char *path)
{
    struct pdf_xref *x = &p->doc->xref;
    const char **grown;

    for (size_t i = 0; i < x->ntocs; i++)
        if (strcmp(x->tocs[i], id) == 0)
            return pdf_fail(p->err, "bad_input", "%s: there is already a toc with the id \"%s\"",
                            path, id);
    grown = grow(x->tocs, x->ntocs, sizeof *grown);
    if (!grown)
        return oom(p);
    x->tocs = grown;
    grown[x->ntocs++] = id;
    return 0;
}

/* The toc node as a stack of its title and its table, with the node's
 * other properties (style, margin, pageBreak...). */
static json_t *toc_stack(struct parser *p, const json_t *node, const json_t *toc,
                         const json_t *table)
{
    json_t *stack = json_object(), *items = json_array();
    const json_t *title = json_object_get(toc, "title");
    const char *key;
    json_t *v;

    if (!stack || !items)
        goto fail;
    json_object_foreach((json_t *)node, key, v)
        if (strcmp(key, "toc") != 0 && !is_node_key(key) && json_object_set(stack, key, v) != 0)
            goto fail;
    if ((title && json_array_append(items, (json_t *)title) != 0) ||
        (table && json_array_append(items, (json_t *)table) != 0) ||
        json_object_set(stack, "stack", items) != 0)
        goto fail;
    json_decref(items);
    return stack;
fail:
    json_decref(stack);
    json_decref(items);
    oom(p);
    return NULL;
}

int pdf_xref_toc(struct parser *p, const json_t *node, const struct pdf_style *parent,
                 const double indent[2], const char *path, long long depth)
{
    struct pdf_xref *x = &p->doc->xref;
    const json_t *toc = json_object_get(node, "toc");
    const char *id;
    json_t *table = NULL, *stack = NULL, **grown;
    char sub[PATH_MAX_LEN];
    int empty, rc = -1;

    pdf_path_key(sub, path, "toc");
    if (check_toc(p, toc, sub) != 0)
        return -1;
    id = json_string_value(json_object_get(toc, "id"));
    id = id ? id : DEFAULT_TOC;
    if (add_toc_id(p, id, sub) != 0)
        return -1;
    table = toc_table(p, toc, id, &empty);
    if (!table && !empty)
        return oom(p);
    if (empty && json_is_true(json_object_get(toc, "hideEmpty")))
        return 0;
    stack = toc_stack(p, node, toc, table);
    json_decref(table);
    if (!stack)
        return -1;
    grown = grow(x->made, x->nmade, sizeof *grown);
    if (!grown) {
        json_decref(stack);
        return oom(p);
    }
    x->made = grown;
    x->made[x->nmade++] = stack;    /* kept: styles borrow strings from it */
    rc = pdf_parse_node(p, stack, parent, indent, sub, depth);
    return rc;
}

/* ---- after parsing ---- */

/* Anchors sorted by id, in document order among equal ids. */
static int by_id(const void *a, const void *b)
{
    const struct pdf_anchor *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    return c ? c : x->first < y->first ? -1 : x->first > y->first;
}

static int sort_anchors(struct parser *p)
{
    struct pdf_xref *x = &p->doc->xref;

    if (x->nanchors > 1)        /* qsort may not be given a NULL array, even empty */
        qsort(x->anchors, x->nanchors, sizeof *x->anchors, by_id);
    for (size_t i = 1; i < x->nanchors; i++)
        if (strcmp(x->anchors[i - 1].id, x->anchors[i].id) == 0)
            return pdf_fail(p->err, "bad_input", "%s: the id \"%s\" is already used at %s",
                            x->anchors[i].path, x->anchors[i].id, x->anchors[i - 1].path);
    return 0;
}

static int id_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct pdf_anchor *)elem)->id);
}

static const struct pdf_anchor *find_anchor(const struct pdf_xref *x, const char *id,
                                            size_t *index)
{
    const struct pdf_anchor *a = x->nanchors
        ? bsearch(id, x->anchors, x->nanchors, sizeof *x->anchors, id_cmp) : NULL;

    if (a && index)
        *index = (size_t)(a - x->anchors);
    return a;
}

static int resolve_ref(struct parser *p, struct pdf_ref *r)
{
    struct pdf_doc *doc = p->doc;
    const struct pdf_anchor *a = find_anchor(&doc->xref, r->id, &r->anchor);
    struct pdf_run *run;
    char *text;

    if (!a)
        return pdf_fail(p->err, "bad_input", "%s: no node has the id \"%s\"", r->path, r->id);
    if (r->kind != PDF_REF_TEXT)
        return 0;
    if (a->run1 == a->run0)
        return pdf_fail(p->err, "bad_input", "%s: the node with the id \"%s\" has no text",
                        r->path, r->id);
    text = runs_text(&doc->blocks[a->block].para, a->run0, a->run1);
    if (!text)
        return oom(p);
    run = &doc->blocks[r->block].para.runs[r->run];
    free(run->text);
    run->text = text;
    return 0;
}

/* Outlines in document order (the order pdfmake draws them in), stably. */
static int by_block(const void *a, const void *b)
{
    const struct pdf_outline *x = a, *y = b;

    if (x->block != y->block)
        return x->block < y->block ? -1 : 1;
    return x->parent_index < y->parent_index ? -1 : x->parent_index > y->parent_index;
}

static int resolve_outlines(struct parser *p)
{
    struct pdf_xref *x = &p->doc->xref;

    for (size_t i = 0; i < x->noutlines; i++)
        x->outlines[i].parent_index = i;    /* the tie-break of by_block */
    if (x->noutlines > 1)
        qsort(x->outlines, x->noutlines, sizeof *x->outlines, by_block);
    for (size_t i = 0; i < x->noutlines; i++) {
        struct pdf_outline *o = &x->outlines[i];
        o->parent_index = 0;
        if (!o->parent)
            continue;
        for (size_t k = 0; k < i && !o->parent_index; k++)
            if (x->outlines[k].id && strcmp(x->outlines[k].id, o->parent) == 0)
                o->parent_index = k + 1;
        if (!o->parent_index)
            return pdf_fail(p->err, "bad_input",
                            "%s.outlineParentId: no outline before this one has the id \"%s\"",
                            o->path, o->parent);
    }
    return 0;
}

int pdf_xref_resolve(struct parser *p)
{
    struct pdf_xref *x = &p->doc->xref;

    if (sort_anchors(p) != 0)
        return -1;
    for (size_t i = 0; i < x->nrefs; i++)
        if (resolve_ref(p, &x->refs[i]) != 0)
            return -1;
    return resolve_outlines(p);
}

void pdf_xref_free(struct pdf_xref *x)
{
    for (size_t i = 0; i < x->nanchors; i++)
        free(x->anchors[i].path);
    for (size_t i = 0; i < x->nrefs; i++)
        free(x->refs[i].path);
    for (size_t i = 0; i < x->noutlines; i++) {
        free(x->outlines[i].title);
        free(x->outlines[i].path);
    }
    for (size_t i = 0; i < x->nitems; i++) {
        free(x->items[i].id);
        free(x->items[i].text);
    }
    for (size_t i = 0; i < x->nmade; i++)
        json_decref(x->made[i]);
    free(x->anchors);
    free(x->refs);
    free(x->outlines);
    free(x->items);
    free(x->made);
    free(x->tocs);
    free(x->outline_tocs);
    memset(x, 0, sizeof *x);
}

/* ---- after layout ---- */

/* The first block placed from block `first` on, within [first, end) if
 * any there is, else the next one after (a node that placed nothing is
 * where the content after it starts). */
static int spot_of(const struct pdf_doc *doc, const struct pdf_layout *lay, size_t first,
                   int *page, double *top)
{
    for (size_t i = first; lay->spots && i < doc->nblocks; i++)
        if (lay->spots[i].page1) {
            *page = lay->spots[i].page1;
            *top = lay->spots[i].top;
            return 0;
        }
    *page = lay->pages;
    *top = doc->margin[PDF_BOTTOM];
    return 0;
}

int pdf_xref_spot(const struct pdf_doc *doc, const struct pdf_layout *lay, const char *id,
                  int *page, double *top)
{
    const struct pdf_anchor *a = find_anchor(&doc->xref, id, NULL);

    return a ? spot_of(doc, lay, a->first, page, top) : -1;
}

int pdf_xref_update(struct pdf_doc *doc, const struct pdf_layout *lay, int *changed,
                    struct pdf_err *err)
{
    const struct pdf_xref *x = &doc->xref;
    char num[32];
    int page;
    double top;

    *changed = 0;
    for (size_t i = 0; i < x->nrefs; i++) {
        const struct pdf_ref *r = &x->refs[i];
        struct pdf_run *run = &doc->blocks[r->block].para.runs[r->run];
        char *s;

        if (r->kind != PDF_REF_PAGE)
            continue;
        spot_of(doc, lay, x->anchors[r->anchor].first, &page, &top);
        snprintf(num, sizeof num, "%d", page);
        if (strcmp(num, run->text) == 0)
            continue;
        if (!(s = strdup(num)))
            return pdf_fail(err, "render_error", "out of memory");
        free(run->text);
        run->text = s;
        *changed = 1;
    }
    return 0;
}

HPDF_Destination pdf_xref_dest(HPDF_Doc pdf, int page, double top)
{
    HPDF_Page target = HPDF_GetPageByIndex(pdf, (HPDF_UINT)(page - 1));
    HPDF_Destination dst = target ? HPDF_Page_CreateDestination(target) : NULL;

    return dst && HPDF_Destination_SetFitH(dst, (HPDF_REAL)top) == HPDF_OK ? dst : NULL;
}

int pdf_xref_outlines(HPDF_Doc pdf, const struct pdf_doc *doc, const struct pdf_layout *lay,
                      struct pdf_err *err)
{
    const struct pdf_xref *x = &doc->xref;
    HPDF_Outline *made;
    HPDF_Encoder utf8;
    int rc = -1, page;
    double top;

    if (x->noutlines == 0)      /* libharu's UTF-8 encoder costs ~0.1 ms to build */
        return 0;
    made = calloc(x->noutlines + 1, sizeof *made);
    utf8 = HPDF_GetEncoder(pdf, "UTF-8");
    if (!made) {
        pdf_fail(err, "render_error", "out of memory");
        goto out;
    }
    if (x->noutlines && HPDF_SetPageMode(pdf, HPDF_PAGE_MODE_USE_OUTLINE) != HPDF_OK)
        goto fail;
    for (size_t i = 0; i < x->noutlines; i++) {
        const struct pdf_outline *o = &x->outlines[i];
        HPDF_Destination dst;

        spot_of(doc, lay, o->block, &page, &top);
        made[i] = HPDF_CreateOutline(pdf, o->parent_index ? made[o->parent_index - 1] : NULL,
                                     o->title, utf8);
        dst = pdf_xref_dest(pdf, page, top);
        if (!made[i] || !dst ||
            HPDF_Outline_SetDestination(made[i], dst) != HPDF_OK ||
            HPDF_Outline_SetOpened(made[i], o->expanded ? HPDF_TRUE : HPDF_FALSE) != HPDF_OK)
            goto fail;
    }
    rc = 0;
    goto out;
fail:
    pdf_fail(err, "render_error", "libharu cannot make the outlines");
out:
    free(made);
    return rc;
}
