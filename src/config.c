/*
 * config.c - turning heft.yaml, --queues and Redis URLs into a checked
 * struct heft_config.
 *
 * libyaml builds the document tree; this file only walks it against tables
 * of known keys, so each key's type and range is written down once and every
 * error can name the file, the line and the key path that caused it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>
#include <yaml.h>

#include "buf.h"
#include "yamljson.h"

/* A config file is a few kilobytes; anything this big is the wrong file. */
#define MAX_FILE_BYTES (1024 * 1024)
/* How much of a bad value an error message quotes back. */
#define QUOTE_MAX 40
/* Room for QUOTE_MAX bytes escaped as \xNN, the quotes and "...". */
#define QUOTED_SIZE (QUOTE_MAX * 4 + 8)
#define DESCRIBED_SIZE (QUOTED_SIZE + 24)
#define QUEUE_NAME_CHARS "A-Z a-z 0-9 _ . : -"
#define TYPE_NAME_CHARS "A-Z a-z 0-9 _ . -"

/* ---- error messages ---------------------------------------------------- */

static void set_error(struct heft_config_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_error(struct heft_config_error *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
}

/* Write s as a short double-quoted string; everything outside printable
 * ASCII is escaped so a bad value cannot garble a log line or a terminal. */
static const char *quote_bytes(const char *s, size_t len, char *out, size_t size)
{
    size_t o = 0, i;

    out[o++] = '"';
    for (i = 0; i < len && i < QUOTE_MAX && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, size - o, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", (unsigned)c);
        else
            out[o++] = (char)c;
    }
    snprintf(out + o, size - o, "%s", i < len ? "...\"" : "\"");
    return out;
}

/* ---- YAML node helpers ------------------------------------------------- */

struct loader {
    const char *file;              /* as the user named it, for messages */
    yaml_document_t *doc;
    struct heft_config_error *err;
    struct heft_buf path;          /* key path of the node being read */
};

static size_t line_of(const yaml_node_t *n)
{
    return n->start_mark.line + 1;
}

static const char *text_of(const yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static size_t len_of(const yaml_node_t *n)
{
    return n->data.scalar.length;
}

static int is_plain(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* "key:" with nothing after it, "~" and "null" all mean "no value". */
static int is_null(const yaml_node_t *n)
{
    const char *s;

    if (!is_plain(n))
        return 0;
    s = text_of(n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static int text_is(const yaml_node_t *n, const char *s)
{
    return len_of(n) == strlen(s) && !memcmp(text_of(n), s, len_of(n));
}

/* What a node is, for "expected X, got Y". */
static const char *describe(const yaml_node_t *n, char *out, size_t size)
{
    char quoted[QUOTED_SIZE];

    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (is_null(n))
        return "no value";
    quote_bytes(text_of(n), len_of(n), quoted, sizeof(quoted));
    snprintf(out, size, "%s%s", is_plain(n) ? "" : "a quoted string ", quoted);
    return out;
}

static int fail_line(struct loader *ld, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct loader *ld, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill ld->err with "FILE:LINE: KEY.PATH: message"; always returns -1. */
static int vfail_line(struct loader *ld, size_t line, const char *fmt, va_list ap)
{
    struct heft_buf b = HEFT_BUF_INIT;
    int rc;

    rc = heft_buf_printf(&b, "%s:%zu: ", ld->file, line);
    if (rc == 0 && ld->path.len)
        rc = heft_buf_printf(&b, "%s: ", heft_buf_str(&ld->path));
    if (rc == 0)
        rc = heft_buf_vprintf(&b, fmt, ap);
    set_error(ld->err, "%s", rc == 0 ? heft_buf_str(&b) : "out of memory");
    heft_buf_free(&b);
    return -1;
}

static int fail_line(struct loader *ld, size_t line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail_line(ld, line, fmt, ap);
    va_end(ap);
    return -1;
}

static int fail(struct loader *ld, const yaml_node_t *at, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail_line(ld, line_of(at), fmt, ap);
    va_end(ap);
    return -1;
}

static int fail_expected(struct loader *ld, const yaml_node_t *n, const char *what)
{
    char got[DESCRIBED_SIZE];

    return fail(ld, n, "expected %s, got %s", what, describe(n, got, sizeof(got)));
}

static int path_enter_key(struct heft_buf *path, const yaml_node_t *key)
{
    const char *s = text_of(key);
    size_t i;

    if (path->len && heft_buf_puts(path, ".") < 0)
        return -ENOMEM;
    for (i = 0; i < len_of(key); i++) {
        unsigned char c = (unsigned char)s[i];
        int rc = c < 0x20 || c == 0x7f ? heft_buf_printf(path, "\\x%02x", (unsigned)c)
                                       : heft_buf_append(path, &s[i], 1);
        if (rc < 0)
            return -ENOMEM;
    }
    return 0;
}

static void path_leave(struct heft_buf *path, size_t mark)
{
    if (path->data) {
        path->len = mark;
        path->data[mark] = '\0';
    }
}

static yaml_node_t *node_at(struct loader *ld, int index)
{
    return yaml_document_get_node(ld->doc, index);
}

/* ---- scalar readers ---------------------------------------------------- */

/* Decimal only: YAML 1.1 would read 010 as octal and 1_000 as 1000, and a
 * config that means different things to different readers is a trap. */
static int parse_decimal(const yaml_node_t *n, long long *out)
{
    const char *s = text_of(n), *p = s;
    char *end;

    if (*p == '+' || *p == '-')
        p++;
    if (!*p || strlen(s) != len_of(n))
        return -EINVAL;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -EINVAL;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno == ERANGE ? -ERANGE : 0;
}

/* Quoted "5" is a string in YAML, so it is refused where a number goes. */
static int get_int(struct loader *ld, const yaml_node_t *n, long long min, long long max,
                   long long *out)
{
    int rc;

    if (!is_plain(n) || is_null(n))
        return fail_expected(ld, n, "an integer");
    rc = parse_decimal(n, out);
    if (rc == -EINVAL)
        return fail_expected(ld, n, "an integer");
    if (rc < 0 || *out < min || *out > max)
        return fail(ld, n, "must be an integer from %lld to %lld", min, max);
    return 0;
}

static int get_bool(struct loader *ld, const yaml_node_t *n, int *out)
{
    static const char *const yes[] = { "true", "yes", "on" };
    static const char *const no[] = { "false", "no", "off" };
    size_t i;

    for (i = 0; is_plain(n) && i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (!strcasecmp(text_of(n), yes[i]) || !strcasecmp(text_of(n), no[i])) {
            *out = !strcasecmp(text_of(n), yes[i]);
            return 0;
        }
    }
    return fail_expected(ld, n, "true or false");
}

/* A fresh copy of a scalar; *out is only set on success. */
static int get_string(struct loader *ld, const yaml_node_t *n, char **out)
{
    char *s;

    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail_expected(ld, n, "a string");
    if (strlen(text_of(n)) != len_of(n))
        return fail(ld, n, "must not contain a NUL byte");
    s = strdup(text_of(n));
    if (!s)
        return fail(ld, n, "out of memory");
    *out = s;
    return 0;
}

static int set_string(struct loader *ld, const yaml_node_t *n, char **slot)
{
    char *s;

    if (get_string(ld, n, &s) < 0)
        return -1;
    free(*slot);
    *slot = s;
    return 0;
}

/* Index of the scalar in names[], for settings with a fixed set of words. */
static int get_choice(struct loader *ld, const yaml_node_t *n, const char *const *names,
                      const char *wording, size_t *idx)
{
    char got[DESCRIBED_SIZE];

    for (*idx = 0; n->type == YAML_SCALAR_NODE && names[*idx]; (*idx)++)
        if (text_is(n, names[*idx]))
            return 0;
    return fail(ld, n, "must be %s, got %s", wording, describe(n, got, sizeof(got)));
}

/* ---- names and the queue list ------------------------------------------ */

/* Names end up in Redis keys and log lines, so they are kept to a small,
 * unambiguous alphabet: letters, digits and the characters in extra. */
static int name_ok(const char *name, size_t len, const char *extra)
{
    size_t i;

    if (len < 1 || len > 64)
        return 0;
    for (i = 0; i < len; i++)
        if (!isalnum((unsigned char)name[i]) && (!name[i] || !strchr(extra, name[i])))
            return 0;
    return 1;
}

struct queue_list {
    size_t n;
    struct heft_queue_conf q[HEFT_MAX_QUEUES];
};

static void queue_list_free(struct queue_list *ql)
{
    while (ql->n)
        free(ql->q[--ql->n].name);
}

/* Append a queue, or explain in why (a full sentence) and return -1. */
static int queue_list_add(struct queue_list *ql, const char *name, size_t len, unsigned weight,
                          char *why, size_t whylen)
{
    char quoted[QUOTED_SIZE];
    size_t i;

    quote_bytes(name, len, quoted, sizeof(quoted));
    if (!name_ok(name, len, "_.:-")) {
        snprintf(why, whylen, "bad queue name %s: use 1 to 64 of " QUEUE_NAME_CHARS, quoted);
        return -1;
    }
    for (i = 0; i < ql->n; i++) {
        if (strlen(ql->q[i].name) == len && !memcmp(ql->q[i].name, name, len)) {
            snprintf(why, whylen, "duplicate queue %s", quoted);
            return -1;
        }
    }
    if (ql->n == HEFT_MAX_QUEUES) {
        snprintf(why, whylen, "too many queues (at most %d)", HEFT_MAX_QUEUES);
        return -1;
    }
    ql->q[ql->n].name = strndup(name, len);
    if (!ql->q[ql->n].name) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    ql->q[ql->n++].weight = weight;
    return 0;
}

/* Replace cfg's queues with ql's; ql is left empty. */
static void queue_list_install(struct heft_config *cfg, struct queue_list *ql)
{
    size_t i;

    for (i = 0; i < cfg->nqueues; i++)
        free(cfg->queues[i].name);
    memcpy(cfg->queues, ql->q, ql->n * sizeof(ql->q[0]));
    cfg->nqueues = ql->n;
    ql->n = 0;
}

/* ---- the key tables ---------------------------------------------------- */

/* Reads one value into the struct at base. */
typedef int (*field_reader)(struct loader *ld, void *base, const yaml_node_t *value);

enum field_kind { F_UNSIGNED, F_SIZE, F_LLONG, F_BOOL, F_STRING, F_MAP, F_CUSTOM };

struct field {
    const char *key;
    enum field_kind kind;
    size_t off;                  /* member offset within base */
    long long min, max;          /* integer kinds */
    const struct field *sub;     /* F_MAP: the nested mapping's keys, same base */
    field_reader read;           /* F_CUSTOM */
    field_reader check;          /* F_MAP: cross-field rules, run afterwards */
};

/* The keys of one mapping and the struct they are stored in. */
struct field_set {
    const struct field *fields;
    void *base;
};

#define INT_FIELD(T, k, kind_, member, lo, hi) \
    { .key = (k), .kind = (kind_), .off = offsetof(T, member), .min = (lo), .max = (hi) }
#define CFG_INT(k, kind_, member, lo, hi) INT_FIELD(struct heft_config, k, kind_, member, lo, hi)
#define CFG_STRING(k, member) \
    { .key = (k), .kind = F_STRING, .off = offsetof(struct heft_config, member) }
#define CFG_BOOL(k, member) \
    { .key = (k), .kind = F_BOOL, .off = offsetof(struct heft_config, member) }
#define MAP(k, fields_, check_) { .key = (k), .kind = F_MAP, .sub = (fields_), .check = (check_) }
#define CUSTOM(k, fn) { .key = (k), .kind = F_CUSTOM, .read = (fn) }
#define END_FIELDS { .key = NULL }

typedef int (*pair_fn)(struct loader *ld, const yaml_node_t *key, const yaml_node_t *value,
                       void *arg);

static int each_pair(struct loader *ld, const yaml_node_t *map, pair_fn fn, void *arg);
static int apply_field_pair(struct loader *ld, const yaml_node_t *key,
                            const yaml_node_t *value, void *arg);
static int apply_field(struct loader *ld, const struct field *f, void *base,
                       const yaml_node_t *v);

static int read_redis_url(struct loader *ld, void *base, const yaml_node_t *v)
{
    struct heft_config *cfg = base;
    struct heft_redis_addr addr;
    char why[256];
    char *url;

    if (get_string(ld, v, &url) < 0)
        return -1;
    if (heft_redis_url_parse(url, &addr, why, sizeof(why)) < 0) {
        free(url);
        return fail(ld, v, "%s", why);
    }
    heft_redis_addr_free(&addr);
    free(cfg->redis_url);
    cfg->redis_url = url;
    return 0;
}

static int read_metrics_listen(struct loader *ld, void *base, const yaml_node_t *v)
{
    struct heft_config *cfg = base;
    struct heft_listen_addr addr;
    char why[256];
    char *listen;

    if (get_string(ld, v, &listen) < 0)
        return -1;
    if (heft_listen_parse(listen, &addr, why, sizeof(why)) < 0) {
        free(listen);
        return fail(ld, v, "%s", why);
    }
    free(cfg->metrics_listen);
    cfg->metrics_listen = listen;
    return 0;
}

static int read_queue_order(struct loader *ld, void *base, const yaml_node_t *v)
{
    static const char *const names[] = { "weighted", "strict", NULL };
    static const enum heft_queue_order values[] = { HEFT_ORDER_WEIGHTED, HEFT_ORDER_STRICT };
    struct heft_config *cfg = base;
    size_t i;

    if (get_choice(ld, v, names, "weighted or strict", &i) < 0)
        return -1;
    cfg->queue_order = values[i];
    return 0;
}

static int read_log_level(struct loader *ld, void *base, const yaml_node_t *v)
{
    static const char *const names[] = { "error", "warn", "info", "debug", NULL };
    static const enum heft_log_level values[] = {
        HEFT_LOG_ERROR, HEFT_LOG_WARN, HEFT_LOG_INFO, HEFT_LOG_DEBUG,
    };
    struct heft_config *cfg = base;
    size_t i;

    if (get_choice(ld, v, names, "error, warn, info or debug", &i) < 0)
        return -1;
    cfg->log_level = values[i];
    return 0;
}

static int read_log_format(struct loader *ld, void *base, const yaml_node_t *v)
{
    static const char *const names[] = { "text", "json", NULL };
    static const enum heft_log_format values[] = { HEFT_LOG_TEXT, HEFT_LOG_JSON };
    struct heft_config *cfg = base;
    size_t i;

    if (get_choice(ld, v, names, "text or json", &i) < 0)
        return -1;
    cfg->log_format = values[i];
    return 0;
}

static const struct field queue_fields[] = {
    { .key = "name", .kind = F_STRING, .off = offsetof(struct heft_queue_conf, name) },
    INT_FIELD(struct heft_queue_conf, "weight", F_UNSIGNED, weight, 1, 1000),
    END_FIELDS,
};

/* One entry of queues: a bare name, or { name: N, weight: W }. */
static int read_queue(struct loader *ld, const yaml_node_t *item, struct queue_list *ql)
{
    struct heft_queue_conf q = { NULL, 1 };
    char why[256];
    int rc = -1;

    if (item->type == YAML_SCALAR_NODE && !is_null(item)) {
        if (queue_list_add(ql, text_of(item), len_of(item), 1, why, sizeof(why)) < 0)
            return fail(ld, item, "%s", why);
        return 0;
    }
    if (item->type != YAML_MAPPING_NODE)
        return fail_expected(ld, item, "a queue name or a mapping");
    if (each_pair(ld, item, apply_field_pair, &(struct field_set){ queue_fields, &q }) < 0)
        goto out;
    if (!q.name)
        rc = fail(ld, item, "missing name");
    else if (queue_list_add(ql, q.name, strlen(q.name), q.weight, why, sizeof(why)) < 0)
        rc = fail(ld, item, "%s", why);
    else
        rc = 0;
out:
    free(q.name);
    return rc;
}

/* The list replaces the current queues as a whole, and only when valid. */
static int read_queues(struct loader *ld, void *base, const yaml_node_t *v)
{
    struct queue_list ql = { 0 };
    yaml_node_item_t *item;
    size_t mark = ld->path.len;
    int rc = -1;

    if (v->type != YAML_SEQUENCE_NODE)
        return fail_expected(ld, v, "a list of queues");
    if (v->data.sequence.items.start == v->data.sequence.items.top)
        return fail(ld, v, "must list at least one queue");
    for (item = v->data.sequence.items.start; item < v->data.sequence.items.top; item++) {
        const yaml_node_t *n = node_at(ld, *item);

        if (heft_buf_printf(&ld->path, "[%zu]", ql.n) < 0) {
            fail(ld, n, "out of memory");
            goto out;
        }
        rc = read_queue(ld, n, &ql);
        path_leave(&ld->path, mark);
        if (rc < 0)
            goto out;
    }
    queue_list_install(base, &ql);
out:
    queue_list_free(&ql);
    return rc;
}

static int read_limit(struct loader *ld, const yaml_node_t *key, const yaml_node_t *value,
                      void *arg)
{
    struct heft_type_conf *t = arg;
    struct heft_limit_conf *l = NULL;
    long long v;
    size_t i;

    if (!name_ok(text_of(key), len_of(key), "_.-"))
        return fail(ld, key, "limit names are 1 to 64 of " TYPE_NAME_CHARS);
    if (get_int(ld, value, LLONG_MIN, LLONG_MAX, &v) < 0)
        return -1;
    for (i = 0; i < t->nlimits && !l; i++)
        if (!strcmp(t->limits[i].name, text_of(key)))
            l = &t->limits[i];
    if (!l && t->nlimits == HEFT_MAX_LIMITS)
        return fail(ld, key, "too many limits (at most %d per type)", HEFT_MAX_LIMITS);
    if (!l) {
        l = &t->limits[t->nlimits];
        l->name = strdup(text_of(key));
        if (!l->name)
            return fail(ld, key, "out of memory");
        t->nlimits++;
    }
    l->value = v;
    return 0;
}

static int read_limits(struct loader *ld, void *base, const yaml_node_t *v)
{
    return each_pair(ld, v, read_limit, base);
}

static const struct field type_fields[] = {
    INT_FIELD(struct heft_type_conf, "max_payload_bytes", F_SIZE, max_payload_bytes, 0,
              1073741824),
    INT_FIELD(struct heft_type_conf, "timeout_ms", F_LLONG, timeout_ms, 0, 86400000),
    { .key = "seal_payload", .kind = F_BOOL, .off = offsetof(struct heft_type_conf, seal_payload) },
    CUSTOM("limits", read_limits),
    END_FIELDS,
};

/* The type's entry in cfg, added if new; NULL with the error set if full. */
static struct heft_type_conf *type_slot(struct loader *ld, struct heft_config *cfg,
                                        const yaml_node_t *key)
{
    struct heft_type_conf *t;
    size_t i;

    for (i = 0; i < cfg->ntypes; i++) {
        t = &cfg->types[i];
        if (strcmp(t->name, text_of(key)))
            continue;
        if (json_object_set_new(t->settings_lines, "", json_integer((json_int_t)line_of(key)))) {
            fail(ld, key, "out of memory");
            return NULL;
        }
        return t;
    }
    if (cfg->ntypes == HEFT_MAX_TYPES) {
        fail(ld, key, "too many job types (at most %d)", HEFT_MAX_TYPES);
        return NULL;
    }
    t = &cfg->types[cfg->ntypes];
    memset(t, 0, sizeof(*t));
    t->seal_payload = -1;
    t->name = strdup(text_of(key));
    t->settings = json_object();
    t->settings_lines = json_object();
    cfg->ntypes++;
    if (!t->name || !t->settings || !t->settings_lines ||
        json_object_set_new(t->settings_lines, "", json_integer((json_int_t)line_of(key))) < 0) {
        fail(ld, key, "out of memory");
        return NULL;
    }
    return t;
}

/* What read_type_key needs: the type, and where its name ends in the key
 * path, as settings errors name a path below it. */
struct type_ctx {
    struct heft_type_conf *t;
    size_t mark;
};

/* A handler's setting: its YAML subtree as JSON, lines recorded. */
static int read_setting(struct loader *ld, const yaml_node_t *key, const yaml_node_t *value,
                        struct type_ctx *tc)
{
    struct heft_yaml_error yerr;
    json_t *v;

    v = heft_yaml_node_json(ld->doc, (yaml_node_t *)value, text_of(key),
                            tc->t->settings_lines, &yerr);
    if (!v) {
        path_leave(&ld->path, tc->mark);
        if (heft_buf_printf(&ld->path, ".%s", yerr.path) < 0)
            return fail(ld, key, "out of memory");
        return fail_line(ld, yerr.line ? yerr.line : line_of(key), "%s", yerr.msg);
    }
    if (json_object_set_new(tc->t->settings, text_of(key), v) < 0 ||
        json_object_set_new(tc->t->settings_lines, text_of(key),
                            json_integer((json_int_t)line_of(key))) < 0)
        return fail(ld, key, "out of memory");
    return 0;
}

static int read_type_key(struct loader *ld, const yaml_node_t *key, const yaml_node_t *value,
                         void *arg)
{
    struct type_ctx *tc = arg;
    const struct field *f;

    for (f = type_fields; f->key; f++)
        if (text_is(key, f->key))
            return apply_field(ld, f, tc->t, value);
    if (strlen(text_of(key)) != len_of(key))
        return fail(ld, key, "must not contain a NUL byte");
    return read_setting(ld, key, value, tc);
}

static int read_type(struct loader *ld, const yaml_node_t *key, const yaml_node_t *value,
                     void *arg)
{
    struct type_ctx tc = { NULL, ld->path.len };

    if (!name_ok(text_of(key), len_of(key), "_.-"))
        return fail(ld, key, "type names are 1 to 64 of " TYPE_NAME_CHARS);
    tc.t = type_slot(ld, arg, key);
    if (!tc.t)
        return -1;
    return each_pair(ld, value, read_type_key, &tc);
}

static int read_types(struct loader *ld, void *base, const yaml_node_t *v)
{
    return each_pair(ld, v, read_type, base);
}

/* The value of key in map, or NULL; only scalar keys are looked at. */
static const yaml_node_t *map_get(struct loader *ld, const yaml_node_t *map, const char *key)
{
    yaml_node_pair_t *pair;

    if (map->type != YAML_MAPPING_NODE)
        return NULL;
    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        const yaml_node_t *k = node_at(ld, pair->key);

        if (k->type == YAML_SCALAR_NODE && text_is(k, key))
            return node_at(ld, pair->value);
    }
    return NULL;
}

/* Checked here as well as in heft_config_finish() so that the error can
 * point at the line in the file. */
static int check_backoff(struct loader *ld, void *base, const yaml_node_t *map)
{
    const struct heft_job_defaults *d = &((struct heft_config *)base)->defaults;
    const yaml_node_t *at;

    if (d->max_backoff_ms >= d->backoff_ms)
        return 0;
    at = map_get(ld, map, "max_backoff_ms");
    if (!at)
        at = map_get(ld, map, "backoff_ms");
    return fail(ld, at ? at : map, "max_backoff_ms (%lld) must be at least backoff_ms (%lld)",
                d->max_backoff_ms, d->backoff_ms);
}

static const struct field redis_fields[] = {
    CUSTOM("url", read_redis_url),
    CFG_STRING("username", redis_username),
    CFG_STRING("password", redis_password),
    CFG_INT("connect_timeout_ms", F_LLONG, connect_timeout_ms, 100, 60000),
    CFG_BOOL("allow_eviction", allow_eviction),
    END_FIELDS,
};

static const struct field limits_fields[] = {
    CFG_INT("max_payload_bytes", F_SIZE, max_payload_bytes, 1, 1073741824),
    END_FIELDS,
};

static const struct field dead_fields[] = {
    CFG_INT("max_jobs", F_LLONG, dead_max_jobs, 0, 100000000),
    CFG_INT("max_age", F_LLONG, dead_max_age, 60, 31536000),
    END_FIELDS,
};

static const struct field log_fields[] = {
    CUSTOM("level", read_log_level),
    CUSTOM("format", read_log_format),
    END_FIELDS,
};

static const struct field metrics_fields[] = {
    CUSTOM("listen", read_metrics_listen),
    CFG_INT("refresh_ms", F_LLONG, metrics_refresh_ms, 100, 3600000),
    END_FIELDS,
};

static const struct field defaults_fields[] = {
    CFG_INT("attempts", F_UNSIGNED, defaults.attempts, 1, 1000),
    CFG_INT("timeout_ms", F_LLONG, defaults.timeout_ms, 1, 86400000),
    CFG_INT("result_ttl", F_LLONG, defaults.result_ttl, 1, 31536000),
    CFG_INT("backoff_ms", F_LLONG, defaults.backoff_ms, 0, 86400000),
    CFG_INT("max_backoff_ms", F_LLONG, defaults.max_backoff_ms, 0, 604800000),
    END_FIELDS,
};

static const struct field jobs_fields[] = {
    MAP("defaults", defaults_fields, check_backoff),
    CUSTOM("types", read_types),
    END_FIELDS,
};

static const struct field top_fields[] = {
    MAP("redis", redis_fields, NULL),
    CUSTOM("queues", read_queues),
    CUSTOM("queue_order", read_queue_order),
    CFG_INT("concurrency", F_UNSIGNED, concurrency, 0, 1024),
    CFG_INT("prefetch", F_UNSIGNED, prefetch, 1, 1024),
    CFG_INT("lease_ms", F_LLONG, lease_ms, 1000, 3600000),
    CFG_INT("max_deliveries", F_UNSIGNED, max_deliveries, 1, 1000),
    CFG_INT("shutdown_grace_ms", F_LLONG, shutdown_grace_ms, 0, 3600000),
    CFG_INT("heartbeat_ms", F_LLONG, heartbeat_ms, 100, 60000),
    CFG_INT("poll_ms", F_LLONG, poll_ms, 10, 10000),
    CFG_INT("idle_release_ms", F_LLONG, idle_release_ms, 0, 86400000),
    MAP("limits", limits_fields, NULL),
    MAP("dead", dead_fields, NULL),
    MAP("log", log_fields, NULL),
    MAP("metrics", metrics_fields, NULL),
    MAP("jobs", jobs_fields, NULL),
    END_FIELDS,
};

/* ---- walking mappings -------------------------------------------------- */

static int apply_field(struct loader *ld, const struct field *f, void *base,
                       const yaml_node_t *v)
{
    char *slot = (char *)base + f->off;
    long long n;

    switch (f->kind) {
    case F_BOOL:
        return get_bool(ld, v, (int *)slot);
    case F_STRING:
        return set_string(ld, v, (char **)slot);
    case F_CUSTOM:
        return f->read(ld, base, v);
    case F_MAP:
        if (each_pair(ld, v, apply_field_pair, &(struct field_set){ f->sub, base }) < 0)
            return -1;
        return f->check ? f->check(ld, base, v) : 0;
    default:
        break;
    }
    if (get_int(ld, v, f->min, f->max, &n) < 0)
        return -1;
    if (f->kind == F_UNSIGNED)
        *(unsigned *)slot = (unsigned)n;
    else if (f->kind == F_SIZE)
        *(size_t *)slot = (size_t)n;
    else
        *(long long *)slot = n;
    return 0;
}

static int apply_field_pair(struct loader *ld, const yaml_node_t *key,
                            const yaml_node_t *value, void *arg)
{
    const struct field_set *set = arg;
    const struct field *f;

    for (f = set->fields; f->key; f++)
        if (text_is(key, f->key))
            return apply_field(ld, f, set->base, value);
    return fail(ld, key, "unknown key");
}

/* The earlier key in map equal to pair's key, if any. */
static const yaml_node_t *earlier_key(struct loader *ld, const yaml_node_t *map,
                                      const yaml_node_pair_t *pair)
{
    const yaml_node_t *key = node_at(ld, pair->key);
    const yaml_node_pair_t *p;

    for (p = map->data.mapping.pairs.start; p < pair; p++) {
        const yaml_node_t *k = node_at(ld, p->key);

        if (k->type == YAML_SCALAR_NODE && len_of(k) == len_of(key) &&
            !memcmp(text_of(k), text_of(key), len_of(key)))
            return k;
    }
    return NULL;
}

/* Calls fn for one pair with the key appended to the path; libyaml keeps
 * duplicate keys, so they are caught here rather than silently merged. */
static int visit_pair(struct loader *ld, const yaml_node_t *map, const yaml_node_pair_t *pair,
                      pair_fn fn, void *arg)
{
    const yaml_node_t *key = node_at(ld, pair->key);
    const yaml_node_t *first;
    size_t mark = ld->path.len;
    int rc;

    if (key->type != YAML_SCALAR_NODE)
        return fail_expected(ld, key, "a key name");
    if (path_enter_key(&ld->path, key) < 0)
        return fail(ld, key, "out of memory");
    first = earlier_key(ld, map, pair);
    if (first)
        rc = fail(ld, key, "duplicate key (first at line %zu)", line_of(first));
    else
        rc = fn(ld, key, node_at(ld, pair->value), arg);
    path_leave(&ld->path, mark);
    return rc;
}

/* A section with every key commented out ("redis:") is an empty mapping. */
static int each_pair(struct loader *ld, const yaml_node_t *map, pair_fn fn, void *arg)
{
    yaml_node_pair_t *pair;

    if (is_null(map))
        return 0;
    if (map->type != YAML_MAPPING_NODE)
        return fail_expected(ld, map, "a mapping");
    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++)
        if (visit_pair(ld, map, pair, fn, arg) < 0)
            return -1;
    return 0;
}

/* ---- reading the file -------------------------------------------------- */

static int read_file(const char *path, struct heft_buf *text, struct heft_config_error *err)
{
    char chunk[8192];
    FILE *f;
    size_t n;
    int rc = -1;

    f = fopen(path, "rb");
    if (!f) {
        set_error(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (text->len + n > MAX_FILE_BYTES) {
            set_error(err, "%s: too large for a config file (over %d bytes)", path,
                      MAX_FILE_BYTES);
            goto out;
        }
        if (heft_buf_append(text, chunk, n) < 0) {
            set_error(err, "%s: out of memory", path);
            goto out;
        }
    }
    if (ferror(f)) {
        set_error(err, "%s: cannot read: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

/* The one document of the file; errors as "FILE:LINE: message". */
static int load_document(const char *file, const struct heft_buf *text, yaml_document_t *doc,
                         struct heft_config_error *err)
{
    struct heft_yaml_error yerr;

    if (heft_yaml_load(heft_buf_str(text), text->len, doc, &yerr) == 0)
        return 0;
    if (yerr.line)
        set_error(err, "%s:%zu: %s", file, yerr.line, yerr.msg);
    else
        set_error(err, "%s: %s", file, yerr.msg);
    return -1;
}

static int apply_document(struct heft_config *cfg, const char *file, yaml_document_t *doc,
                          struct heft_config_error *err)
{
    struct loader ld = { .file = file, .doc = doc, .err = err, .path = HEFT_BUF_INIT };
    const yaml_node_t *root = yaml_document_get_root_node(doc);
    int rc;

    /* An empty file, or one with only comments, keeps every default. */
    if (!root || is_null(root))
        return 0;
    if (root->type != YAML_MAPPING_NODE)
        rc = fail_expected(&ld, root, "a mapping of settings at the top level");
    else
        rc = each_pair(&ld, root, apply_field_pair, &(struct field_set){ top_fields, cfg });
    heft_buf_free(&ld.path);
    return rc;
}

int heft_config_load_file(struct heft_config *cfg, const char *path,
                          struct heft_config_error *err)
{
    struct heft_buf text = HEFT_BUF_INIT;
    yaml_document_t doc;
    char *copy;
    int rc = -1;

    copy = strdup(path);
    if (!copy) {
        set_error(err, "%s: out of memory", path);
        return -1;
    }
    free(cfg->path);
    cfg->path = copy;
    if (read_file(path, &text, err) < 0)
        goto out;
    if (load_document(path, &text, &doc, err) < 0)
        goto out;
    rc = apply_document(cfg, path, &doc, err);
    yaml_document_delete(&doc);
out:
    heft_buf_free(&text);
    return rc;
}

/* ---- --queues ---------------------------------------------------------- */

/* The text after the last ':' is always the weight, so a queue whose name
 * contains ':' is written with an explicit weight ("app:mail:1"). */
static int parse_queue_item(struct queue_list *ql, const char *s, size_t len, char *why,
                            size_t whylen)
{
    char qweight[QUOTED_SIZE], qname[QUOTED_SIZE];
    const char *colon = NULL;
    unsigned long weight = 1;
    size_t i, namelen = len;

    for (i = 0; i < len; i++)
        if (s[i] == ':')
            colon = &s[i];
    if (colon) {
        namelen = (size_t)(colon - s);
        weight = 0;
        for (i = namelen + 1; i < len && isdigit((unsigned char)s[i]) && weight <= 1000; i++)
            weight = weight * 10 + (unsigned long)(s[i] - '0');
        if (i < len || i == namelen + 1 || weight < 1 || weight > 1000) {
            snprintf(why, whylen, "bad weight %s for queue %s: must be an integer from 1 to 1000",
                     quote_bytes(colon + 1, len - namelen - 1, qweight, sizeof(qweight)),
                     quote_bytes(s, namelen, qname, sizeof(qname)));
            return -1;
        }
    }
    if (namelen == 0) {
        snprintf(why, whylen, "empty queue name");
        return -1;
    }
    return queue_list_add(ql, s, namelen, (unsigned)weight, why, whylen);
}

int heft_config_set_queues(struct heft_config *cfg, const char *list,
                           struct heft_config_error *err)
{
    struct queue_list ql = { 0 };
    const char *p = list, *end;
    char why[256];
    int rc = -1;

    if (!list || !*list) {
        set_error(err, "--queues: no queues given");
        return -1;
    }
    for (;;) {
        end = p + strcspn(p, ",");
        if (parse_queue_item(&ql, p, (size_t)(end - p), why, sizeof(why)) < 0) {
            set_error(err, "--queues: %s", why);
            goto out;
        }
        if (!*end)
            break;
        p = end + 1;
    }
    queue_list_install(cfg, &ql);
    rc = 0;
out:
    queue_list_free(&ql);
    return rc;
}

/* ---- Redis URLs -------------------------------------------------------- */

static void url_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void url_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode s[0..len) into *out (NULL when empty), so a password may
 * contain '@', ':' or '/' as %40, %3A, %2F. */
static int url_decode(const char *s, size_t len, char **out)
{
    struct heft_buf b = HEFT_BUF_INIT;
    size_t i;
    int rc = -EINVAL;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == '%') {
            if (i + 2 >= len || hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
                goto out;
            c = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            if (!c)
                goto out;
            i += 2;
        }
        if (heft_buf_append(&b, &c, 1) < 0) {
            rc = -ENOMEM;
            goto out;
        }
    }
    *out = b.len ? heft_buf_detach(&b, NULL) : NULL;
    rc = 0;
out:
    heft_buf_free(&b);
    return rc;
}

/* Digits only, at most max; -1 otherwise. */
static long parse_number(const char *s, size_t len, long max)
{
    long v = 0;
    size_t i;

    if (len == 0)
        return -1;
    for (i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
        if (v > max)
            return -1;
    }
    return v;
}

static int url_userinfo(const char *s, size_t len, struct heft_redis_addr *out, char *err,
                        size_t errlen)
{
    const char *colon = memchr(s, ':', len);
    size_t ulen;

    if (!colon) {
        url_error(err, errlen,
                  "user info needs a ':' (write user:password@ or :password@)");
        return -1;
    }
    ulen = (size_t)(colon - s);
    if (url_decode(s, ulen, &out->username) < 0) {
        url_error(err, errlen, "bad percent-encoding in the user name");
        return -1;
    }
    if (url_decode(colon + 1, len - ulen - 1, &out->password) < 0) {
        url_error(err, errlen, "bad percent-encoding in the password");
        return -1;
    }
    return 0;
}

/* Find the host and the port text (NULL if none) in "host[:port]" or
 * "[v6][:port]"; the brackets keep a v6 address's colons from the port's. */
static int url_split_host(const char *s, size_t len, const char **host, size_t *hlen,
                          const char **port, char *err, size_t errlen)
{
    char quoted[QUOTED_SIZE];
    const char *colon = memchr(s, ':', len), *close;

    *host = s;
    *hlen = colon ? (size_t)(colon - s) : len;
    *port = colon ? colon + 1 : NULL;
    if (len && s[0] == '[') {
        close = memchr(s, ']', len);
        if (!close || (close + 1 < s + len && close[1] != ':')) {
            url_error(err, errlen, "bad IPv6 address (write it as [::1]:6379)");
            return -1;
        }
        *host = s + 1;
        *hlen = (size_t)(close - *host);
        *port = close + 1 < s + len ? close + 2 : NULL;
    } else if (colon && memchr(colon + 1, ':', (size_t)(s + len - colon - 1))) {
        url_error(err, errlen, "bad host %s (put IPv6 addresses in brackets: [::1]:6379)",
                  quote_bytes(s, len, quoted, sizeof(quoted)));
        return -1;
    }
    return 0;
}

static int url_hostport(const char *s, size_t len, struct heft_redis_addr *out, char *err,
                        size_t errlen)
{
    char quoted[QUOTED_SIZE];
    const char *host, *port, *allowed;
    size_t hlen, plen, i;
    long p;

    if (url_split_host(s, len, &host, &hlen, &port, err, errlen) < 0)
        return -1;
    if (hlen == 0) {
        url_error(err, errlen, "missing host");
        return -1;
    }
    allowed = host == s ? "-._" : ":.";
    for (i = 0; i < hlen; i++) {
        if (!isalnum((unsigned char)host[i]) && !strchr(allowed, host[i])) {
            url_error(err, errlen, "bad host %s", quote_bytes(host, hlen, quoted, sizeof(quoted)));
            return -1;
        }
    }
    plen = port ? (size_t)(s + len - port) : 0;
    p = port ? parse_number(port, plen, 65535) : out->port;
    if (p < 1) {
        url_error(err, errlen, "bad port %s (must be 1 to 65535)",
                  quote_bytes(port, plen, quoted, sizeof(quoted)));
        return -1;
    }
    out->port = (int)p;
    out->host = strndup(host, hlen);
    if (!out->host) {
        url_error(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int url_db(const char *s, struct heft_redis_addr *out, char *err, size_t errlen)
{
    char quoted[QUOTED_SIZE];
    long db;

    if (!*s)
        return 0;
    db = parse_number(s, strlen(s), INT_MAX);
    if (db < 0) {
        url_error(err, errlen, "bad db number %s", quote_bytes(s, strlen(s), quoted,
                                                               sizeof(quoted)));
        return -1;
    }
    out->db = (int)db;
    return 0;
}

/* redis://[[user]:password@]host[:port][/db] */
static int url_tcp(const char *rest, struct heft_redis_addr *out, char *err, size_t errlen)
{
    const char *auth, *at = NULL, *p;
    size_t alen;

    if (strncmp(rest, "//", 2)) {
        url_error(err, errlen, "expected redis://HOST[:PORT][/DB]");
        return -1;
    }
    auth = rest + 2;
    alen = strcspn(auth, "/?#");
    for (p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    if (at && url_userinfo(auth, (size_t)(at - auth), out, err, errlen) < 0)
        return -1;
    p = at ? at + 1 : auth;
    if (url_hostport(p, (size_t)(auth + alen - p), out, err, errlen) < 0)
        return -1;
    p = auth + alen;
    if (*p && *p != '/') {
        url_error(err, errlen, "redis:// URLs take no parameters, only an optional /DB");
        return -1;
    }
    return url_db(*p ? p + 1 : p, out, err, errlen);
}

/* unix:///path[?db=N] or unix:/path[?db=N] */
static int url_unix(const char *rest, struct heft_redis_addr *out, char *err, size_t errlen)
{
    char quoted[QUOTED_SIZE];
    size_t plen;

    if (!strncmp(rest, "//", 2))
        rest += 2;
    if (*rest != '/') {
        url_error(err, errlen, "the socket path must be absolute, as in unix:///run/redis.sock");
        return -1;
    }
    plen = strcspn(rest, "?");
    if (plen >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
        url_error(err, errlen, "socket path too long (at most %zu bytes)",
                  sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
        return -1;
    }
    out->socket = strndup(rest, plen);
    if (!out->socket) {
        url_error(err, errlen, "out of memory");
        return -1;
    }
    out->port = 0;
    if (!rest[plen])
        return 0;
    if (strncmp(rest + plen, "?db=", 4)) {
        url_error(err, errlen, "unknown parameter %s (only ?db=N is supported)",
                  quote_bytes(rest + plen + 1, strlen(rest + plen + 1), quoted, sizeof(quoted)));
        return -1;
    }
    return url_db(rest + plen + 4, out, err, errlen);
}

/* Length of a URL scheme at the start of s followed by ":/", or 0. */
static size_t scheme_length(const char *s)
{
    size_t n = 0;

    if (!isalpha((unsigned char)s[0]))
        return 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '+' || s[n] == '-' || s[n] == '.')
        n++;
    return s[n] == ':' && s[n + 1] == '/' ? n : 0;
}

static int url_dispatch(const char *url, struct heft_redis_addr *out, char *err, size_t errlen)
{
    char quoted[QUOTED_SIZE];
    size_t n = scheme_length(url);

    if (n == 0) {
        url_error(err, errlen, "not a URL: use redis://HOST[:PORT][/DB] or unix:///PATH");
        return -1;
    }
    if (n == 5 && !strncasecmp(url, "redis", n))
        return url_tcp(url + n + 1, out, err, errlen);
    if (n == 4 && !strncasecmp(url, "unix", n))
        return url_unix(url + n + 1, out, err, errlen);
    if (n == 6 && !strncasecmp(url, "rediss", n)) {
        url_error(err, errlen,
                  "TLS (rediss://) needs hiredis with TLS support, which this build lacks");
        return -1;
    }
    url_error(err, errlen, "unsupported scheme %s (use redis:// or unix://)",
              quote_bytes(url, n, quoted, sizeof(quoted)));
    return -1;
}

int heft_redis_url_parse(const char *url, struct heft_redis_addr *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->port = 6379;
    if (!url || !*url) {
        url_error(err, errlen, "no URL given");
        return -1;
    }
    if (url_dispatch(url, out, err, errlen) < 0) {
        heft_redis_addr_free(out);
        return -1;
    }
    return 0;
}

void heft_redis_addr_free(struct heft_redis_addr *a)
{
    if (!a)
        return;
    free(a->host);
    free(a->socket);
    free(a->username);
    free(a->password);
    memset(a, 0, sizeof(*a));
}

/* ---- listen addresses -------------------------------------------------- */

static int listen_fail(char *err, size_t errlen, const char *s, size_t len, const char *why)
{
    char quoted[QUOTED_SIZE];

    url_error(err, errlen, "bad listen address %s: %s", quote_bytes(s, len, quoted, sizeof(quoted)),
              why);
    return -1;
}

/* The host part, copied out of its brackets, and where the port starts. */
static int listen_split(const char *s, char *host, size_t hostlen, const char **port, int *v6)
{
    const char *colon = strrchr(s, ':'), *close;
    size_t n;

    *v6 = s[0] == '[';
    if (*v6) {
        close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        n = (size_t)(close - s - 1);
        s++;
        *port = close + 2;
    } else {
        if (!colon || memchr(s, ':', (size_t)(colon - s)))
            return -1;
        n = (size_t)(colon - s);
        *port = colon + 1;
    }
    if (n >= hostlen)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    return 0;
}

static int listen_host(const char *host, int v6, int port, struct heft_listen_addr *out)
{
    struct sockaddr_in *in4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;

    memset(out, 0, sizeof(*out));
    out->port = port;
    if (v6) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        out->len = sizeof(*in6);
        return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1 ? 0 : -1;
    }
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)port);
    out->len = sizeof(*in4);
    return inet_pton(AF_INET, host, &in4->sin_addr) == 1 ? 0 : -1;
}

int heft_listen_parse(const char *s, struct heft_listen_addr *out, char *err, size_t errlen)
{
    char host[INET6_ADDRSTRLEN + 1] = "127.0.0.1";
    const char *port = s;
    size_t len = s ? strlen(s) : 0;
    long p;
    int v6 = 0;

    if (!len)
        return listen_fail(err, errlen, "", 0, "expected IPv4:PORT, [IPv6]:PORT or a port");
    if (strspn(s, "0123456789") != len &&
        listen_split(s, host, sizeof(host), &port, &v6) < 0)
        return listen_fail(err, errlen, s, len,
                           "expected IPv4:PORT, [IPv6]:PORT (IPv6 in brackets) or a port");
    p = parse_number(port, strlen(port), 65535);
    if (p < 1)
        return listen_fail(err, errlen, s, len, "the port must be 1 to 65535");
    if (listen_host(host, v6, (int)p, out) < 0)
        return listen_fail(err, errlen, s, len, v6 ? "not an IPv6 address" :
                           "not an IPv4 address (host names are not resolved: write 127.0.0.1)");
    return 0;
}

/* ---- the config as a whole --------------------------------------------- */

int heft_config_defaults(struct heft_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->redis_url = strdup(HEFT_DEFAULT_REDIS_URL);
    cfg->queues[0].name = strdup("default");
    cfg->queues[0].weight = 1;
    cfg->nqueues = 1;
    if (!cfg->redis_url || !cfg->queues[0].name) {
        heft_config_free(cfg);
        return -ENOMEM;
    }
    cfg->connect_timeout_ms = 2000;
    cfg->queue_order = HEFT_ORDER_WEIGHTED;
    cfg->prefetch = 16;
    cfg->lease_ms = 30000;
    cfg->max_deliveries = 5;
    cfg->shutdown_grace_ms = 25000;
    cfg->heartbeat_ms = 2000;
    cfg->poll_ms = 100;
    cfg->idle_release_ms = 10000;
    cfg->max_payload_bytes = 1048576;
    cfg->dead_max_jobs = 10000;
    cfg->dead_max_age = 604800;
    cfg->log_level = HEFT_LOG_INFO;
    cfg->log_format = HEFT_LOG_TEXT;
    cfg->metrics_refresh_ms = 5000;
    cfg->defaults = (struct heft_job_defaults){ 3, 300000, 86400, 1000, 3600000 };
    return 0;
}

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    return n > 1024 ? 1024 : (unsigned)n;
}

int heft_config_finish(struct heft_config *cfg, struct heft_config_error *err)
{
    struct heft_redis_addr addr;
    char why[256];

    /* The URL may have come from HEFT_REDIS_URL or a flag, unchecked. */
    if (heft_redis_url_parse(cfg->redis_url, &addr, why, sizeof(why)) < 0) {
        set_error(err, "redis url: %s", why);
        return -1;
    }
    heft_redis_addr_free(&addr);
    if (cfg->metrics_listen && heft_listen_parse(cfg->metrics_listen, &(struct heft_listen_addr){ 0 },
                                                 why, sizeof(why)) < 0) {
        set_error(err, "metrics.listen: %s", why);
        return -1;
    }
    if (cfg->nqueues == 0) {
        set_error(err, "queues: at least one queue is needed");
        return -1;
    }
    if (cfg->defaults.max_backoff_ms < cfg->defaults.backoff_ms) {
        set_error(err, "jobs.defaults: max_backoff_ms (%lld) must be at least backoff_ms (%lld)",
                  cfg->defaults.max_backoff_ms, cfg->defaults.backoff_ms);
        return -1;
    }
    if (cfg->concurrency == 0)
        cfg->concurrency = online_cores();
    return 0;
}

const struct heft_type_conf *heft_config_type(const struct heft_config *cfg, const char *type)
{
    size_t i;

    for (i = 0; i < cfg->ntypes; i++)
        if (!strcmp(cfg->types[i].name, type))
            return &cfg->types[i];
    return NULL;
}

void heft_config_settings_error(const struct heft_config *cfg, const char *type,
                                const char *key, const char *msg,
                                struct heft_config_error *err)
{
    const struct heft_type_conf *t = heft_config_type(cfg, type);
    size_t line = t ? heft_yaml_line(t->settings_lines, key) : 0;
    const char *dot = *key ? "." : "";

    if (cfg->path && line)
        set_error(err, "%s:%zu: jobs.types.%s%s%s: %s", cfg->path, line, type, dot, key, msg);
    else if (cfg->path)
        set_error(err, "%s: jobs.types.%s%s%s: %s", cfg->path, type, dot, key, msg);
    else
        set_error(err, "jobs.types.%s%s%s: %s", type, dot, key, msg);
}

void heft_config_free(struct heft_config *cfg)
{
    size_t i, j;

    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->redis_url);
    free(cfg->redis_username);
    free(cfg->redis_password);
    free(cfg->metrics_listen);
    for (i = 0; i < cfg->nqueues; i++)
        free(cfg->queues[i].name);
    for (i = 0; i < cfg->ntypes; i++) {
        for (j = 0; j < cfg->types[i].nlimits; j++)
            free(cfg->types[i].limits[j].name);
        free(cfg->types[i].name);
        json_decref(cfg->types[i].settings);
        json_decref(cfg->types[i].settings_lines);
    }
    memset(cfg, 0, sizeof(*cfg));
}
