/*
 * yamljson.c - YAML documents as JSON values (<heft/yaml.h>): one set of
 * scalar rules and one record of lines for heftd's settings and for the
 * YAML files handlers read.
 */
#include "yamljson.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define MAX_DEPTH 64
/* Aliases can repeat a subtree many times over: a few lines of YAML could
 * otherwise expand into gigabytes of JSON. */
#define MAX_NODES 100000

struct conv {
    yaml_document_t *doc;
    json_t *lines;                  /* borrowed; may be NULL */
    struct heft_buf path;
    size_t nodes;
    struct heft_yaml_error *err;
};

static void yerror(struct heft_yaml_error *err, size_t line, const char *path,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void yerror(struct heft_yaml_error *err, size_t line, const char *path,
                   const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    err->line = line;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ---- loading ----------------------------------------------------------- */

static void syntax_error(const yaml_parser_t *p, const char *text, size_t len,
                         struct heft_yaml_error *err)
{
    size_t line = p->problem_mark.line + 1, i;

    if (p->error == YAML_MEMORY_ERROR) {
        yerror(err, 0, NULL, "out of memory");
        return;
    }
    /* The reader (bad UTF-8, say) reports a byte offset, not a mark. */
    if (p->error == YAML_READER_ERROR)
        for (i = 0, line = 1; i < p->problem_offset && i < len; i++)
            line += text[i] == '\n';
    /* The context often marks the real mistake, such as an unclosed '['. */
    if (p->context && p->error != YAML_READER_ERROR)
        yerror(err, line, NULL, "YAML syntax error: %s (%s at line %zu)",
               p->problem ? p->problem : "unknown problem", p->context,
               p->context_mark.line + 1);
    else
        yerror(err, line, NULL, "YAML syntax error: %s",
               p->problem ? p->problem : "unknown problem");
}

/* yaml_parser_load() would silently ignore a second document, which hides
 * mistakes such as two files pasted into one, so it is an error. */
static int expect_no_more_documents(yaml_parser_t *parser, const char *text, size_t len,
                                    struct heft_yaml_error *err)
{
    yaml_document_t extra;
    yaml_node_t *root;
    int rc = 0;

    if (!yaml_parser_load(parser, &extra)) {
        syntax_error(parser, text, len, err);
        return -1;
    }
    root = yaml_document_get_root_node(&extra);
    if (root) {
        yerror(err, root->start_mark.line + 1, NULL, "only one YAML document is allowed");
        rc = -1;
    }
    yaml_document_delete(&extra);
    return rc;
}

int heft_yaml_load(const char *text, size_t len, yaml_document_t *doc,
                   struct heft_yaml_error *err)
{
    yaml_parser_t parser;
    int rc = -1;

    if (!yaml_parser_initialize(&parser)) {
        yerror(err, 0, NULL, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    /* On failure libyaml has already freed the partial document. */
    if (!yaml_parser_load(&parser, doc)) {
        syntax_error(&parser, text, len, err);
        goto out;
    }
    if (expect_no_more_documents(&parser, text, len, err) < 0) {
        yaml_document_delete(doc);
        goto out;
    }
    rc = 0;
out:
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- scalars ----------------------------------------------------------- */

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "true", "True", "TRUE", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", NULL };

static int is_word(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (!strcmp(s, *words))
            return 1;
    return 0;
}

static size_t digits(const char *s)
{
    size_t n = 0;

    while (s[n] >= '0' && s[n] <= '9')
        n++;
    return n;
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * Sets *integral when there is neither fraction nor exponent. */
static int json_number_syntax(const char *s, int *integral)
{
    size_t n;

    if (*s == '-')
        s++;
    n = digits(s);
    if (n == 0 || (s[0] == '0' && n > 1))
        return 0;
    s += n;
    *integral = !*s;
    if (*s == '.') {
        n = digits(++s);
        if (n == 0)
            return 0;
        s += n;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        n = digits(s);
        if (n == 0)
            return 0;
        s += n;
    }
    return !*s;
}

static json_t *plain_scalar(const char *s)
{
    int integral = 0;
    long long v;
    double d;
    char *end;

    if (is_word(s, null_words))
        return json_null();
    if (is_word(s, true_words))
        return json_true();
    if (is_word(s, false_words))
        return json_false();
    if (!json_number_syntax(s, &integral))
        return json_string(s);
    if (integral) {
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != ERANGE)
            return json_integer((json_int_t)v);
    }
    d = strtod(s, NULL);
    /* JSON has no infinity: 1e400 stays the text it is. */
    return isfinite(d) ? json_real(d) : json_string(s);
}

static json_t *scalar(struct conv *c, const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    json_t *v;

    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || strlen(s) != len)
        v = json_stringn(s, len);
    else
        v = plain_scalar(s);
    if (!v)
        yerror(c->err, n->start_mark.line + 1, heft_buf_str(&c->path),
               "not valid UTF-8 or out of memory");
    return v;
}

/* ---- the tree ---------------------------------------------------------- */

static json_t *convert(struct conv *c, yaml_node_t *n, size_t line, int depth);

static int record_line(struct conv *c, size_t line)
{
    if (!c->lines)
        return 0;
    return json_object_set_new(c->lines, heft_buf_str(&c->path), json_integer((json_int_t)line));
}

static int enter_key(struct heft_buf *path, const char *key)
{
    return heft_buf_printf(path, "%s%s", path->len ? "." : "", key);
}

static void leave(struct heft_buf *path, size_t mark)
{
    if (path->data) {
        path->len = mark;
        path->data[mark] = '\0';
    }
}

static int sequence(struct conv *c, yaml_node_t *n, json_t *out, int depth)
{
    yaml_node_item_t *item;
    size_t mark = c->path.len, i = 0;

    for (item = n->data.sequence.items.start; item < n->data.sequence.items.top; item++) {
        yaml_node_t *child = yaml_document_get_node(c->doc, *item);
        json_t *v;

        if (heft_buf_printf(&c->path, "[%zu]", i++) < 0) {
            yerror(c->err, n->start_mark.line + 1, heft_buf_str(&c->path), "out of memory");
            return -1;
        }
        v = convert(c, child, child->start_mark.line + 1, depth + 1);
        leave(&c->path, mark);
        if (!v || json_array_append_new(out, v) < 0)
            return -1;
    }
    return 0;
}

/* The line of an earlier key of map equal to key, or 0. */
static size_t earlier_key(struct conv *c, const yaml_node_t *map, const yaml_node_pair_t *p,
                          const char *key)
{
    const yaml_node_pair_t *q;

    for (q = map->data.mapping.pairs.start; q < p; q++) {
        const yaml_node_t *k = yaml_document_get_node(c->doc, q->key);

        if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return k->start_mark.line + 1;
    }
    return 0;
}

static int pair(struct conv *c, const yaml_node_t *map, const yaml_node_pair_t *p, json_t *out,
                int depth)
{
    yaml_node_t *key = yaml_document_get_node(c->doc, p->key);
    yaml_node_t *value = yaml_document_get_node(c->doc, p->value);
    size_t line = key->start_mark.line + 1, mark = c->path.len;
    const char *k;
    json_t *v = NULL;

    if (key->type != YAML_SCALAR_NODE ||
        strlen((const char *)key->data.scalar.value) != key->data.scalar.length) {
        yerror(c->err, line, heft_buf_str(&c->path), "keys must be plain strings");
        return -1;
    }
    k = (const char *)key->data.scalar.value;
    if (enter_key(&c->path, k) < 0) {
        yerror(c->err, line, heft_buf_str(&c->path), "out of memory");
        return -1;
    }
    if (json_object_get(out, k))
        yerror(c->err, line, heft_buf_str(&c->path), "duplicate key (first at line %zu)",
               earlier_key(c, map, p, k));
    else
        v = convert(c, value, line, depth + 1);
    leave(&c->path, mark);
    return v && json_object_set_new(out, k, v) == 0 ? 0 : -1;
}

static int mapping(struct conv *c, yaml_node_t *n, json_t *out, int depth)
{
    yaml_node_pair_t *p;

    for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
        if (pair(c, n, p, out, depth) < 0)
            return -1;
    return 0;
}

/* n as JSON, recorded at line (its key's line for a mapping value). */
static json_t *convert(struct conv *c, yaml_node_t *n, size_t line, int depth)
{
    json_t *v = NULL;
    int rc = -1;

    if (depth > MAX_DEPTH || ++c->nodes > MAX_NODES) {
        yerror(c->err, line, heft_buf_str(&c->path), depth > MAX_DEPTH
               ? "nested too deeply (at most %d levels)" : "too many nodes (at most %d)",
               depth > MAX_DEPTH ? MAX_DEPTH : MAX_NODES);
        return NULL;
    }
    if (record_line(c, line) < 0) {
        yerror(c->err, line, heft_buf_str(&c->path), "out of memory");
        return NULL;
    }
    if (n->type == YAML_SCALAR_NODE)
        return scalar(c, n);
    v = n->type == YAML_SEQUENCE_NODE ? json_array() : json_object();
    if (!v)
        yerror(c->err, line, heft_buf_str(&c->path), "out of memory");
    else if (n->type == YAML_SEQUENCE_NODE)
        rc = sequence(c, n, v, depth);
    else
        rc = mapping(c, n, v, depth);
    if (rc < 0) {
        json_decref(v);
        return NULL;
    }
    return v;
}

json_t *heft_yaml_node_json(yaml_document_t *doc, yaml_node_t *node, const char *path,
                            json_t *lines, struct heft_yaml_error *err)
{
    struct conv c = { doc, lines, HEFT_BUF_INIT, 0, err };
    json_t *v = NULL;

    if (heft_buf_puts(&c.path, path) < 0)
        yerror(err, node->start_mark.line + 1, path, "out of memory");
    else
        v = convert(&c, node, node->start_mark.line + 1, 0);
    heft_buf_free(&c.path);
    return v;
}

json_t *heft_yaml_parse(const char *text, size_t len, json_t **lines,
                        struct heft_yaml_error *err)
{
    yaml_document_t doc;
    yaml_node_t *root;
    json_t *v = NULL, *l = NULL;

    if (lines) {
        *lines = NULL;
        l = json_object();
        if (!l) {
            yerror(err, 0, NULL, "out of memory");
            return NULL;
        }
    }
    if (heft_yaml_load(text, len, &doc, err) < 0)
        goto out;
    root = yaml_document_get_root_node(&doc);
    v = root ? heft_yaml_node_json(&doc, root, "", l, err) : json_null();
    yaml_document_delete(&doc);
out:
    if (v && lines)
        *lines = l;
    else
        json_decref(l);
    return v;
}

size_t heft_yaml_line(const json_t *lines, const char *path)
{
    size_t n = strlen(path);
    char *p = strndup(path, n);
    json_int_t line = 0;

    while (p) {
        json_t *v = json_object_get(lines, p);
        char *cut;

        if (v) {
            line = json_integer_value(v);
            break;
        }
        if (!*p)
            break;
        /* One step up: drop the last ".key" or "[N]". */
        cut = strrchr(p, '.');
        if (p[strlen(p) - 1] == ']' && strrchr(p, '[') && (!cut || strrchr(p, '[') > cut))
            cut = strrchr(p, '[');
        *(cut ? cut : p) = '\0';
    }
    free(p);
    return line > 0 ? (size_t)line : 0;
}
