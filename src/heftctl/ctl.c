/*
 * ctl.c - the plumbing every heftctl command shares: the configuration
 * (loaded as heftd loads it), the one Redis connection, replies read in
 * pipelines, flag parsing and the checks on names and numbers.
 */
#include "autoconfig.h"

#include "ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPTIONS 32

const struct option ctl_common_options[] = {
    { "config", required_argument, NULL, 'c' },
    { "redis", required_argument, NULL, CTL_OPT_REDIS },
    { "json", no_argument, NULL, CTL_OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

int ctl_common_opt(struct ctl *c, int opt, const char *arg)
{
    switch (opt) {
    case 'c': c->config_path = arg; return 1;
    case CTL_OPT_REDIS: c->redis_url = arg; return 1;
    case CTL_OPT_JSON: c->json = 1; return 1;
    default: return 0;
    }
}

static int set_url(struct heft_config *cfg, const char *url)
{
    char *s = strdup(url);

    if (!s)
        return -1;
    free(cfg->redis_url);
    cfg->redis_url = s;
    return 0;
}

int ctl_load(struct ctl *c)
{
    struct heft_config_error err = { "out of memory" };
    const char *env = getenv("HEFT_REDIS_URL");

    if (c->loaded)
        return CTL_OK;
    c->loaded = 1;
    if (heft_config_defaults(&c->cfg) < 0)
        goto fail;
    if (c->config_path && heft_config_load_file(&c->cfg, c->config_path, &err) < 0)
        goto fail;
    if (env && *env && set_url(&c->cfg, env) < 0)
        goto fail;
    if (c->redis_url && set_url(&c->cfg, c->redis_url) < 0)
        goto fail;
    if (heft_config_finish(&c->cfg, &err) < 0)
        goto fail;
    return CTL_OK;
fail:
    fprintf(stderr, "heftctl: %s\n", err.msg);
    return CTL_USAGE;
}

const char *ctl_where(const struct ctl *c, char *buf, size_t n)
{
    struct heft_redis_addr a;
    char why[128];

    if (!c->cfg.redis_url || heft_redis_url_parse(c->cfg.redis_url, &a, why, sizeof why) < 0) {
        snprintf(buf, n, "(unknown)");
        return buf;
    }
    if (a.socket)
        snprintf(buf, n, "%s/%d", a.socket, a.db);
    else
        snprintf(buf, n, "%s:%d/%d", a.host, a.port, a.db);
    heft_redis_addr_free(&a);
    return buf;
}

int ctl_connect(struct ctl *c)
{
    char where[300];
    int rc;

    if (c->link)
        return CTL_OK;
    if ((rc = ctl_load(c)) != CTL_OK)
        return rc;
    if (!(c->link = heft_link_create(&c->cfg, "heftctl"))) {
        fprintf(stderr, "heftctl: out of memory\n");
        return CTL_USAGE;
    }
    if (heft_link_connect(c->link) < 0) {
        fprintf(stderr, "heftctl: cannot use Redis at %s: %s\n",
                ctl_where(c, where, sizeof where), heft_link_error(c->link));
        return CTL_REDIS;
    }
    return CTL_OK;
}

void ctl_fini(struct ctl *c)
{
    heft_link_destroy(c->link);
    if (c->loaded)
        heft_config_free(&c->cfg);
}

static void lost(struct ctl *c)
{
    fprintf(stderr, "heftctl: Redis: %s\n", heft_link_error(c->link));
}

redisReply *ctl_call(struct ctl *c, struct heft_cmd *cmd)
{
    redisReply *r = heft_link_call(c->link, cmd);

    heft_cmd_reset(cmd);
    if (!r)
        lost(c);
    return r;
}

int ctl_append(struct ctl *c, struct heft_cmd *cmd)
{
    int rc = heft_link_append(c->link, cmd);

    heft_cmd_reset(cmd);
    return rc;
}

int ctl_replies(struct ctl *c, redisReply **out, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        out[i] = NULL;
    for (i = 0; i < n; i++)
        if (!(out[i] = heft_link_reply(c->link))) {
            lost(c);
            heft_replies_free(out, n);
            return CTL_REDIS;
        }
    return CTL_OK;
}

int ctl_replies_timed(struct ctl *c, redisReply **out, size_t n, long long *now_ms)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *t;
    int rc;

    heft_cmd_borrows(&cmd, "TIME");
    ctl_append(c, &cmd);
    heft_cmd_free(&cmd);
    if ((rc = ctl_replies(c, out, n)) != CTL_OK)
        return rc;
    if ((rc = ctl_replies(c, &t, 1)) != CTL_OK) {
        heft_replies_free(out, n);
        return rc;
    }
    *now_ms = heft_reply_time_ms(t);
    freeReplyObject(t);
    return CTL_OK;
}

int ctl_reply_error(const redisReply *r, const char *what)
{
    if (r->type != REDIS_REPLY_ERROR)
        return 0;
    fprintf(stderr, "heftctl: %s: Redis said: %s\n", what, r->str);
    return 1;
}




const char *ctl_reply_str(const redisReply *r)
{
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) ? r->str : NULL;
}

int ctl_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "heftctl %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'heftctl help %s'.\n", cmd);
    return CTL_USAGE;
}

/* The command's options followed by the common ones, into out. */
static void merge_options(const struct option *own, struct option *out)
{
    size_t n = 0, i;

    for (i = 0; own && own[i].name; i++)
        if (n < MAX_OPTIONS - 5)
            out[n++] = own[i];
    for (i = 0; ctl_common_options[i].name; i++)
        out[n++] = ctl_common_options[i];
    memset(&out[n], 0, sizeof out[n]);
}

static int parse(struct ctl *c, int argc, char **argv, const struct ctl_flags *f)
{
    struct option all[MAX_OPTIONS];
    char sh[64];
    int opt;

    merge_options(f ? f->opts : NULL, all);
    snprintf(sh, sizeof sh, CTL_COMMON_SHORTS "%s", f && f->shorts ? f->shorts : "");
    optind = 0;                       /* GNU: start afresh on this argv */
    while ((opt = getopt_long(argc, argv, sh, all, NULL)) != -1) {
        if (opt == 'h') {
            ctl_help(argv[0], stdout);
            return -2;
        }
        if (ctl_common_opt(c, opt, optarg))
            continue;
        if (opt == '?' || opt == ':' || !f || !f->fn || f->fn(f->state, opt, optarg) < 0) {
            fprintf(stderr, "Try 'heftctl help %s'.\n", argv[0]);
            return -1;
        }
    }
    return optind;
}

int ctl_args(struct ctl *c, int argc, char **argv, const struct ctl_flags *f,
             int min, int max, int *rc)
{
    int at = parse(c, argc, argv, f);

    *rc = at == -2 ? CTL_OK : CTL_USAGE;
    if (at < 0)
        return -1;
    if (argc - at < min || argc - at > max) {
        ctl_usage(argv[0], "%s", argc - at < min ? "missing argument" : "too many arguments");
        return -1;
    }
    *rc = CTL_OK;
    return at;
}

int ctl_queue_name_ok(const char *q)
{
    size_t n = strlen(q);

    return n >= 1 && n <= 64 &&
           strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-") == n;
}

int ctl_bad_queue(const char *cmd, const char *q)
{
    return ctl_usage(cmd, "\"%s\" is not a queue name (1 to 64 of A-Z a-z 0-9 _ . : -)", q);
}

void ctl_cmd_key(struct heft_cmd *cmd, const char *queue, const char *suffix)
{
    heft_cmd_printf(cmd, "heft:{%s}:%s", queue, suffix);
}

int ctl_parse_ll(const char *s, long long min, long long max, long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
