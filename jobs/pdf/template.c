/*
 * jobs/pdf/template.c - document templates: docdefs with placeholders,
 * loaded once from templates_dir at init and expanded per job with the
 * job's data ({"template": "invoice", "data": {...}}).
 *
 * A template is parsed and checked when heftd starts, so a broken one
 * stops heftd with its file and line instead of failing jobs later.  After
 * that the templates are shared read-only by every worker thread: an
 * expansion only reads them and builds a new JSON tree for its job (never
 * taking a reference on a template node, as jansson's reference counts are
 * writes).  Values from the job's data are referenced, not copied: the
 * data belongs to the job.
 *
 * Syntax: "{{path.to.value}}" in any string value (keys are never
 * expanded).  A string that is exactly one placeholder takes the value
 * itself, of any JSON type; placeholders inside a longer string are
 * replaced by the value's text (strings as they are, numbers as JSON
 * writes them, true/false/null).  An array element {"$repeat": "items",
 * "$as": "item", "$each": ELEMENT} becomes one expanded ELEMENT per item of
 * data.items, with {{item...}}, {{$index}} (from 0) and {{$number}} (from
 * 1) visible inside, besides everything visible outside.
 */
#include <dirent.h>
#include <errno.h>
#include <heft/yaml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pdf.h"

#define MAX_TEMPLATE_BYTES (16 * 1024 * 1024)
#define MAX_TEMPLATES 1000
#define PATH_LEN 512

/* ---- placeholders ---- */

/* The next placeholder in s: *open at "{{", the path between *p and
 * *p + *plen (spaces trimmed), *end after "}}".  0 when there is none,
 * -1 when a "{{" is not closed. */
static int next_placeholder(const char *s, const char **open, const char **p, size_t *plen,
                            const char **end)
{
    const char *close;

    *open = strstr(s, "{{");
    if (!*open)
        return 0;
    close = strstr(*open + 2, "}}");
    if (!close)
        return -1;
    *p = *open + 2;
    while (*p < close && **p == ' ')
        (*p)++;
    *plen = (size_t)(close - *p);
    while (*plen && (*p)[*plen - 1] == ' ')
        (*plen)--;
    *end = close + 2;
    return 1;
}

/* Segments of [A-Za-z0-9_$-], separated by single dots. */
static int path_ok(const char *p, size_t len)
{
    size_t i, seg = 0;

    for (i = 0; i < len; i++) {
        char c = p[i];

        if (c == '.') {
            if (seg == 0)
                return 0;
            seg = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '$' || c == '-') {
            seg++;
        } else {
            return 0;
        }
    }
    return seg > 0;
}

static int name_ok(const char *s)
{
    return s && *s && !strchr(s, '.') && path_ok(s, strlen(s)) && s[0] != '$';
}

/* Append ".key" (or "[index]" when key is NULL) to a path of size bytes;
 * returns the old length, to cut it back with path[mark] = '\0'. */
static size_t path_push(char *path, size_t size, const char *key, size_t index)
{
    size_t mark = strlen(path);

    if (key)
        snprintf(path + mark, size - mark, "%s%s", mark ? "." : "", key);
    else
        snprintf(path + mark, size - mark, "[%zu]", index);
    return mark;
}

/* ---- loading and checking (init) ---- */

struct loader {
    const char *file;
    const json_t *lines;        /* YAML: path -> line; NULL for JSON */
    char path[PATH_LEN];
    struct heft_init_error *err;
    const char *key;            /* "templates_dir" */
};

static int load_fail(struct loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "FILE:LINE: PATH: message" (no line for JSON files). */
static int load_fail(struct loader *ld, const char *fmt, ...)
{
    size_t line = ld->lines ? heft_yaml_line(ld->lines, ld->path) : 0;
    char msg[256], where[64] = "";
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line)
        snprintf(where, sizeof where, ":%zu", line);
    return heft_init_fail(ld->err, ld->key, "%s%s: %s%s%s", ld->file, where, ld->path,
                          *ld->path ? ": " : "", msg);
}

static int check_node(struct loader *ld, const json_t *node, int in_array);

static int check_string(struct loader *ld, const char *s)
{
    const char *open, *p, *end;
    size_t plen;
    int rc;

    while ((rc = next_placeholder(s, &open, &p, &plen, &end)) > 0) {
        if (!path_ok(p, plen))
            return load_fail(ld, "bad placeholder \"%.*s\": write {{name.path}}",
                             (int)(end - open > 80 ? 80 : end - open), open);
        s = end;
    }
    return rc < 0 ? load_fail(ld, "\"{{\" without \"}}\"") : 0;
}

/* Descend into key (or [index] when key is NULL) and check the child. */
static int check_child(struct loader *ld, const char *key, size_t index, const json_t *child,
                       int in_array)
{
    size_t mark = path_push(ld->path, sizeof ld->path, key, index);
    int rc;

    rc = check_node(ld, child, in_array);
    ld->path[mark] = '\0';
    return rc;
}

static int check_repeat(struct loader *ld, const json_t *node, int in_array)
{
    const json_t *what = json_object_get(node, "$repeat");
    const json_t *as = json_object_get(node, "$as");
    const char *key;
    json_t *v;

    if (!in_array)
        return load_fail(ld, "$repeat must be an element of an array");
    if (!json_is_string(what) || !path_ok(json_string_value(what), json_string_length(what)))
        return load_fail(ld, "$repeat must name a value (\"items\", \"order.lines\")");
    if (as && !name_ok(json_string_value(as)))
        return load_fail(ld, "$as must be a name of letters, digits and _");
    json_object_foreach((json_t *)node, key, v)
        if (strcmp(key, "$repeat") && strcmp(key, "$as") && strcmp(key, "$each"))
            return load_fail(ld, "unknown key \"%.64s\" in a $repeat (it takes $repeat, $as "
                             "and $each)", key);
    if (!json_object_get(node, "$each"))
        return load_fail(ld, "$repeat needs $each (the element to repeat)");
    return check_child(ld, "$each", 0, json_object_get(node, "$each"), 0);
}

static int check_node(struct loader *ld, const json_t *node, int in_array)
{
    const char *key;
    json_t *v;
    size_t i;

    if (json_is_string(node))
        return check_string(ld, json_string_value(node));
    if (json_is_array(node)) {
        json_array_foreach((json_t *)node, i, v)
            if (check_child(ld, NULL, i, v, 1) < 0)
                return -1;
        return 0;
    }
    if (!json_is_object(node))
        return 0;
    if (json_object_get(node, "$repeat"))
        return check_repeat(ld, node, in_array);
    json_object_foreach((json_t *)node, key, v)
        if (check_child(ld, key, 0, v, 0) < 0)
            return -1;
    return 0;
}

static char *read_all(const char *file, size_t *len, struct loader *ld)
{
    FILE *f = fopen(file, "rb");
    char *buf = NULL;
    struct stat st;

    if (!f || fstat(fileno(f), &st) < 0) {
        load_fail(ld, "cannot read: %s", strerror(errno));
        goto out;
    }
    if (st.st_size > MAX_TEMPLATE_BYTES) {
        load_fail(ld, "larger than %d bytes", MAX_TEMPLATE_BYTES);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    *len = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    if (!buf || ferror(f)) {
        load_fail(ld, "cannot read: %s", buf ? strerror(errno) : "out of memory");
        free(buf);
        buf = NULL;
    }
out:
    if (f)
        fclose(f);
    return buf;
}

/* Parse one file (JSON or YAML by its extension) and check it. */
static json_t *load_one(const char *file, int yaml, struct heft_init_error *err)
{
    struct loader ld = { file, NULL, "", err, "templates_dir" };
    struct heft_yaml_error yerr;
    json_error_t jerr;
    json_t *def = NULL, *lines = NULL;
    size_t len = 0;
    char *text = read_all(file, &len, &ld);

    if (!text)
        return NULL;
    if (yaml) {
        def = heft_yaml_parse(text, len, &lines, &yerr);
        if (!def)
            heft_init_fail(err, ld.key, "%s:%zu: %s%s%s", file, yerr.line, yerr.path,
                           *yerr.path ? ": " : "", yerr.msg);
    } else {
        def = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!def)
            heft_init_fail(err, ld.key, "%s:%d: %s", file, jerr.line, jerr.text);
    }
    ld.lines = lines;
    if (def && !json_is_object(def))
        load_fail(&ld, "a template must be a document definition (an object)");
    else if (def && check_node(&ld, def, 0) == 0)
        goto out;
    json_decref(def);
    def = NULL;
out:
    json_decref(lines);
    free(text);
    return def;
}

/* 1 for JSON, 2 for YAML, with the name's length without the extension;
 * 0 for other files. */
static int template_kind(const char *name, size_t *base)
{
    static const char *const exts[] = { ".json", ".yaml", ".yml" };
    size_t n = strlen(name), i;

    for (i = 0; i < 3; i++) {
        size_t e = strlen(exts[i]);

        if (n > e && name[0] != '.' && !strcmp(name + n - e, exts[i])) {
            *base = n - e;
            return i == 0 ? 1 : 2;
        }
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct pdf_template *)a)->name, ((const struct pdf_template *)b)->name);
}

/* By name, then file, so that messages do not depend on readdir's order. */
static int by_name_file(const void *a, const void *b)
{
    const struct pdf_template *x = a, *y = b;

    return by_name(a, b) ? by_name(a, b) : strcmp(x->file, y->file);
}

static int add_template(struct pdf_shared *sh, const char *dir, const char *entry,
                        struct heft_init_error *err)
{
    struct pdf_template *t;
    size_t base, n;
    int kind = template_kind(entry, &base);
    char *file;

    if (!kind)
        return 0;
    if (sh->ntemplates == MAX_TEMPLATES)
        return heft_init_fail(err, "templates_dir", "more than %d templates", MAX_TEMPLATES);
    n = strlen(dir) + strlen(entry) + 2;
    file = malloc(n);
    if (!file)
        return heft_init_fail(err, "templates_dir", "out of memory");
    snprintf(file, n, "%s/%s", dir, entry);
    t = &sh->templates[sh->ntemplates];
    t->file = file;
    t->name = strndup(entry, base);
    sh->ntemplates++;
    if (!t->name)
        return heft_init_fail(err, "templates_dir", "out of memory");
    t->def = load_one(file, kind == 2, err);
    return t->def ? 0 : -1;
}

/* Two files may not give one name (invoice.json and invoice.yaml). */
static int check_unique(const struct pdf_shared *sh, struct heft_init_error *err)
{
    size_t i;

    for (i = 1; i < sh->ntemplates; i++)
        if (!strcmp(sh->templates[i - 1].name, sh->templates[i].name))
            return heft_init_fail(err, "templates_dir", "%s and %s are both template \"%s\"",
                                  sh->templates[i - 1].file, sh->templates[i].file,
                                  sh->templates[i].name);
    return 0;
}

int pdf_templates_setting(struct pdf_shared *sh, const char *key, const json_t *value,
                          struct heft_init_error *err)
{
    struct dirent *de;
    char *dir = NULL;
    DIR *d = NULL;
    int rc = -1;

    if (heft_setting_dir(value, key, &dir, err) < 0)
        return -1;
    sh->templates = calloc(MAX_TEMPLATES, sizeof *sh->templates);
    d = opendir(dir);
    if (!sh->templates || !d) {
        heft_init_fail(err, key, "%s: %s", dir, d ? "out of memory" : strerror(errno));
        goto out;
    }
    while ((de = readdir(d)))
        if (add_template(sh, dir, de->d_name, err) < 0)
            goto out;
    if (sh->ntemplates > 1)     /* an empty directory leaves the array NULL */
        qsort(sh->templates, sh->ntemplates, sizeof *sh->templates, by_name_file);
    rc = check_unique(sh, err);
out:
    if (d)
        closedir(d);
    free(dir);
    return rc;
}

void pdf_templates_free(struct pdf_shared *sh)
{
    for (size_t i = 0; i < sh->ntemplates; i++) {
        free(sh->templates[i].name);
        free(sh->templates[i].file);
        json_decref(sh->templates[i].def);
    }
    free(sh->templates);
    sh->templates = NULL;
    sh->ntemplates = 0;
}

/* ---- expansion (per job) ---- */

/* What a placeholder can name besides the data: the item of each
 * enclosing $repeat, innermost first. */
struct scope {
    const char *as;
    const json_t *item;
    size_t index;
    const struct scope *up;
};

struct expander {
    const char *name;           /* the template's */
    const json_t *data;
    char path[PATH_LEN];        /* in the template */
    long long budget;           /* bytes left under max_definition_bytes (a lower bound) */
    long long max;
    struct pdf_err *err;
};

static int expand_fail(struct expander *x, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int expand_fail(struct expander *x, const char *code, const char *fmt, ...)
{
    char msg[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pdf_fail(x->err, code, "template \"%s\": %s%s%s", x->name, x->path,
                    *x->path ? ": " : "", msg);
}

/* Count bytes against the limit; fails once they are spent.  The counts
 * never exceed what the expanded docdef will take as JSON, so the final
 * exact check in pdf.c decides when this one does not. */
static int spend(struct expander *x, size_t n)
{
    x->budget -= (long long)n;
    if (x->budget >= 0)
        return 0;
    return pdf_fail(x->err, "limit_exceeded", "template \"%s\": the expanded document "
                    "definition is more than the max_definition_bytes limit (%lld)", x->name,
                    x->max);
}

static int count_bytes(const char *buffer, size_t size, void *data)
{
    long long *left = data;

    (void)buffer;
    *left -= (long long)size;
    return *left < 0 ? -1 : 0;
}

static const json_t *child_of(const json_t *v, const char *seg, size_t len)
{
    char *end;
    unsigned long i;

    if (json_is_object(v))
        return json_object_getn(v, seg, len);
    if (!json_is_array(v) || len == 0 || seg[0] < '0' || seg[0] > '9')
        return NULL;
    i = strtoul(seg, &end, 10);
    return end == seg + len ? json_array_get(v, i) : NULL;
}

/* The value a placeholder path names, or NULL; *owned gets what must be
 * freed ($index, $number: then the value itself). */
static const json_t *lookup(const struct expander *x, const struct scope *sc, const char *p,
                            size_t len, json_t **owned)
{
    size_t seg = strcspn(p, ".");
    const json_t *v = NULL;

    if (seg > len)
        seg = len;
    *owned = NULL;
    if (sc && ((seg == 6 && !strncmp(p, "$index", 6)) || (seg == 7 && !strncmp(p, "$number", 7))))
        v = *owned = json_integer((json_int_t)sc->index + (p[1] == 'n'));
    for (; !v && sc; sc = sc->up)
        if (strlen(sc->as) == seg && !strncmp(sc->as, p, seg))
            v = sc->item;
    if (!v && !*owned)
        v = child_of(x->data, p, seg);
    while (v && seg < len) {
        p += seg + 1;
        len -= seg + 1;
        seg = strcspn(p, ".");
        if (seg > len)
            seg = len;
        v = child_of(v, p, seg);
    }
    if (!v) {
        json_decref(*owned);
        *owned = NULL;
    }
    return v;
}

/* A number's text as JSON (and JavaScript) write it: integers in full,
 * reals in the fewest digits that read back to the same value. */
static void number_text(const json_t *v, char *out, size_t size)
{
    double d = json_real_value(v);
    int prec;

    if (json_is_integer(v)) {
        snprintf(out, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return;
    }
    for (prec = 1; prec < 17; prec++) {
        snprintf(out, size, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            return;
    }
    snprintf(out, size, "%.17g", d);
}

/* A growing string (jobs/ cannot use heft's own buffer). */
struct pdf_buf_str {
    char *s;
    size_t len, cap;
};

static int buf_add(struct pdf_buf_str *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *ns = realloc(b->s, cap);

        if (!ns)
            return -1;
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

/* Append the text of a value inside a longer string. */
static int append_value(struct expander *x, struct pdf_buf_str *b, const json_t *v,
                        const char *ph, size_t phlen)
{
    char num[64];
    const char *s = num;
    size_t n;

    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_number(v)) {
        number_text(v, num, sizeof num);
        n = strlen(num);
    } else if (json_is_boolean(v) || json_is_null(v)) {
        s = json_is_null(v) ? "null" : json_is_true(v) ? "true" : "false";
        n = strlen(s);
    } else {
        return expand_fail(x, "template_error", "%.*s: is %s, which cannot go inside a longer "
                           "string", (int)phlen, ph, json_is_array(v) ? "an array" : "an object");
    }
    if (spend(x, n) < 0)
        return -1;
    return buf_add(b, s, n) < 0 ? pdf_fail(x->err, "render_error", "out of memory") : 0;
}

static const json_t *resolve(struct expander *x, const struct scope *sc, const char *p,
                             size_t plen, const char *ph, size_t phlen, json_t **owned)
{
    const json_t *v = lookup(x, sc, p, plen, owned);

    if (!v)
        expand_fail(x, "template_error", "%.*s: no value at \"%.*s\"", (int)phlen, ph,
                    (int)plen, p);
    return v;
}

/* A value from the data, taken whole: referenced, and counted. */
static json_t *take_value(struct expander *x, const json_t *v, json_t *owned)
{
    long long left = x->budget;

    if (owned)
        return owned;
    if (json_dump_callback(v, count_bytes, &left, JSON_COMPACT | JSON_ENCODE_ANY) < 0 ||
        spend(x, (size_t)(x->budget - left)) < 0)
        return NULL;
    return json_incref((json_t *)v);
}

static json_t *expand_string(struct expander *x, const json_t *node, const struct scope *sc)
{
    const char *s = json_string_value(node), *open, *p, *end;
    struct pdf_buf_str b = { NULL, 0, 0 };
    json_t *owned, *out = NULL;
    const json_t *v;
    size_t plen;

    if (next_placeholder(s, &open, &p, &plen, &end) <= 0)
        return spend(x, json_string_length(node) + 2) < 0 ? NULL
               : json_stringn(s, json_string_length(node));
    if (open == s && !*end) {
        v = resolve(x, sc, p, plen, open, (size_t)(end - open), &owned);
        return v ? take_value(x, v, owned) : NULL;
    }
    do {
        if (buf_add(&b, s, (size_t)(open - s)) < 0 || spend(x, (size_t)(open - s)) < 0)
            goto out;
        v = resolve(x, sc, p, plen, open, (size_t)(end - open), &owned);
        if (!v || append_value(x, &b, v, open, (size_t)(end - open)) < 0) {
            json_decref(owned);
            goto out;
        }
        json_decref(owned);
        s = end;
    } while (next_placeholder(s, &open, &p, &plen, &end) > 0);
    if (buf_add(&b, s, strlen(s)) == 0 && spend(x, strlen(s) + 2) == 0)
        out = json_stringn(b.s, b.len);
out:
    free(b.s);
    return out;
}

static json_t *expand(struct expander *x, const json_t *node, const struct scope *sc);

/* Expand child at key (or [index]), naming it in errors. */
static json_t *expand_child(struct expander *x, const char *key, size_t index,
                            const json_t *child, const struct scope *sc)
{
    size_t mark = path_push(x->path, sizeof x->path, key, index);
    json_t *v;

    v = expand(x, child, sc);
    x->path[mark] = '\0';
    return v;
}

/* {"$repeat", "$as", "$each"}: one expanded $each per item, into out. */
static int expand_repeat(struct expander *x, const json_t *node, json_t *out,
                         const struct scope *sc)
{
    const char *what = json_string_value(json_object_get(node, "$repeat"));
    const json_t *as = json_object_get(node, "$as");
    struct scope inner = { as ? json_string_value(as) : "item", NULL, 0, sc };
    const json_t *items;
    json_t *owned, *v;

    items = lookup(x, sc, what, strlen(what), &owned);
    if (!items)
        return expand_fail(x, "template_error", "$repeat: no value at \"%s\"", what);
    if (owned || !json_is_array(items)) {
        json_decref(owned);
        return expand_fail(x, "template_error", "$repeat: \"%s\" is not an array", what);
    }
    for (inner.index = 0; inner.index < json_array_size(items); inner.index++) {
        inner.item = json_array_get(items, inner.index);
        v = expand_child(x, "$each", 0, json_object_get(node, "$each"), &inner);
        if (!v || json_array_append_new(out, v) < 0)
            return -1;
    }
    return 0;
}

static json_t *expand_array(struct expander *x, const json_t *node, const struct scope *sc)
{
    json_t *out = json_array(), *v, *el;
    size_t i;

    if (!out)
        return NULL;
    json_array_foreach((json_t *)node, i, el) {
        int rc;

        if (json_is_object(el) && json_object_get(el, "$repeat")) {
            size_t mark = path_push(x->path, sizeof x->path, NULL, i);

            rc = expand_repeat(x, el, out, sc);
            x->path[mark] = '\0';
        } else {
            v = expand_child(x, NULL, i, el, sc);
            rc = v ? json_array_append_new(out, v) : -1;
        }
        if (rc < 0 || spend(x, 1) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *expand_object(struct expander *x, const json_t *node, const struct scope *sc)
{
    json_t *out = json_object(), *v, *el;
    const char *key;

    if (!out)
        return NULL;
    json_object_foreach((json_t *)node, key, el) {
        v = expand_child(x, key, 0, el, sc);
        if (!v || json_object_set_new(out, key, v) < 0 || spend(x, strlen(key) + 4) < 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

static json_t *expand(struct expander *x, const json_t *node, const struct scope *sc)
{
    json_t *v;

    if (json_is_string(node))
        v = expand_string(x, node, sc);
    else if (json_is_array(node))
        v = expand_array(x, node, sc);
    else if (json_is_object(node))
        v = expand_object(x, node, sc);
    else        /* a new number, or jansson's shared true/false/null */
        v = spend(x, 1) < 0 ? NULL : json_copy((json_t *)node);
    if (!v && !x->err->code[0])
        pdf_fail(x->err, "render_error", "out of memory");
    return v;
}

/* The payload names a template and gives its data; nothing else. */
static int check_payload(const json_t *payload, struct pdf_err *err)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)payload, key, v)
        if (strcmp(key, "template") && strcmp(key, "data"))
            return pdf_fail(err, "bad_input", "%s: unknown property with a template (a template "
                            "payload has only template and data)", key);
    if (!json_is_string(json_object_get(payload, "template")))
        return pdf_fail(err, "bad_input", "template: must be a string (a template name)");
    v = json_object_get(payload, "data");
    if (v && !json_is_object(v))
        return pdf_fail(err, "bad_input", "data: must be an object");
    return 0;
}

static const struct pdf_template *find(const struct pdf_shared *sh, const char *name)
{
    struct pdf_template key = { (char *)name, NULL, NULL };

    if (!sh->ntemplates)
        return NULL;
    return bsearch(&key, sh->templates, sh->ntemplates, sizeof key, by_name);
}

int pdf_template_expand(const struct pdf_shared *sh, const json_t *payload, long long max_bytes,
                        json_t **out, struct pdf_err *err)
{
    struct expander x = { NULL, NULL, "", max_bytes, max_bytes, err };
    const struct pdf_template *t;
    json_t *empty = NULL;

    *out = NULL;
    if (check_payload(payload, err) < 0)
        return -1;
    x.name = json_string_value(json_object_get(payload, "template"));
    t = find(sh, x.name);
    if (!t)
        return pdf_fail(err, "unknown_template", "template: no template \"%.100s\"%s", x.name,
                        sh->templates ? "" : " (templates_dir is not set)");
    x.data = json_object_get(payload, "data");
    if (!x.data)
        x.data = empty = json_object();
    *out = expand(&x, t->def, NULL);
    json_decref(empty);
    return *out ? 0 : -1;
}
