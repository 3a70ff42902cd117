/*
 * workers.c - heftctl workers: the heftd processes in heft:workers, read
 * from their heft:worker:NAME hashes in one pipelined round trip.
 *
 * A worker is stale when its hash expired (it stopped beating three
 * intervals ago) or its last heartbeat is older than three intervals: it
 * died without leaving heft:workers, or lost Redis.  The interval is the
 * hash's heartbeat_interval_ms, or heartbeat_ms of the configuration for
 * a heftd too old to write it.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "out.h"

#define MAX_WORKERS 1000     /* listed; the most recent heartbeats first */

struct worker {
    const char *name;
    const redisReply *hash;   /* HGETALL; NULL when it expired */
    long long beat_ms;        /* last heartbeat */
    int stale;
};

struct view {
    redisReply *list, **hashes;
    long long now_ms;
    size_t n;
    struct worker *w;
};

static long long field_ll(const struct worker *w, const char *name, long long dflt)
{
    return heft_reply_ll(heft_reply_field(w->hash, name), dflt);
}

static const char *field_str(const struct worker *w, const char *name)
{
    return ctl_reply_str(heft_reply_field(w->hash, name));
}

/* Round trip 1: the names with their last heartbeats, and the clock. */
static int load_list(struct ctl *c, struct view *v)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    int rc;

    heft_cmd_borrows(&cmd, "ZRANGE");
    heft_cmd_borrows(&cmd, "heft:workers");
    heft_cmd_int(&cmd, 0);
    heft_cmd_int(&cmd, MAX_WORKERS - 1);
    heft_cmd_borrows(&cmd, "REV");
    heft_cmd_borrows(&cmd, "WITHSCORES");
    ctl_append(c, &cmd);
    heft_cmd_free(&cmd);
    if ((rc = ctl_replies_timed(c, &v->list, 1, &v->now_ms)) != CTL_OK)
        return rc;
    if (ctl_reply_error(v->list, "ZRANGE heft:workers") || v->list->type != REDIS_REPLY_ARRAY)
        return CTL_REDIS;
    v->n = v->list->elements / 2;
    if (v->n && (!(v->w = calloc(v->n, sizeof *v->w)) ||
                 !(v->hashes = calloc(v->n, sizeof *v->hashes))))
        return CTL_USAGE;
    return CTL_OK;
}

/* Round trip 2: every worker's hash. */
static int load_hashes(struct ctl *c, struct view *v, long long default_interval)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    size_t i;
    int rc;

    for (i = 0; i < v->n; i++) {
        heft_cmd_borrows(&cmd, "HGETALL");
        heft_cmd_printf(&cmd, "heft:worker:%s", v->list->element[2 * i]->str);
        ctl_append(c, &cmd);
    }
    heft_cmd_free(&cmd);
    if ((rc = ctl_replies(c, v->hashes, v->n)) != CTL_OK)
        return rc;
    for (i = 0; i < v->n; i++) {
        struct worker *w = &v->w[i];
        long long interval;

        w->name = v->list->element[2 * i]->str;
        w->beat_ms = atoll(v->list->element[2 * i + 1]->str);
        if (v->hashes[i]->type == REDIS_REPLY_ARRAY && v->hashes[i]->elements > 0)
            w->hash = v->hashes[i];
        w->beat_ms = field_ll(w, "heartbeat_ms", w->beat_ms);
        interval = field_ll(w, "heartbeat_interval_ms", default_interval);
        w->stale = !w->hash || v->now_ms - w->beat_ms > 3 * interval;
    }
    return CTL_OK;
}

/* "a,b" as a JSON array of names. */
static json_t *queue_list(const char *s)
{
    json_t *a = json_array();
    size_t n;

    while (s && *s) {
        n = strcspn(s, ",");
        json_array_append_new(a, json_stringn(s, n));
        s += n + (s[n] == ',');
    }
    return a;
}

static json_t *worker_json(const struct worker *w, long long now_ms)
{
    static const char *const counts[] = {
        "pid", "concurrency", "busy", "processed", "failed", "retried", "rss_kb", "rss_peak_kb",
        "started_ms", "heartbeat_interval_ms",
    };
    json_t *j = json_pack("{s:s, s:b, s:I, s:I}", "name", w->name, "stale", w->stale,
                          "heartbeat_ms", (json_int_t)w->beat_ms,
                          "heartbeat_age_ms", (json_int_t)(now_ms - w->beat_ms));
    long long started = field_ll(w, "started_ms", -1);
    size_t i;

    json_object_set_new(j, "host", out_json_str(field_str(w, "host")));
    json_object_set_new(j, "version", out_json_str(field_str(w, "version")));
    json_object_set_new(j, "queues", w->hash ? queue_list(field_str(w, "queues")) : json_null());
    for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
        json_object_set_new(j, counts[i], out_json_int(field_ll(w, counts[i], -1),
                                                       field_ll(w, counts[i], -1) >= 0));
    json_object_set_new(j, "uptime_ms", out_json_int(now_ms - started, started >= 0));
    return j;
}

static int print_json(const struct view *v)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; i < v->n; i++)
        json_array_append_new(list, worker_json(&v->w[i], v->now_ms));
    return out_json(json_pack("{s:I, s:o}", "time_ms", (json_int_t)v->now_ms, "workers", list)) < 0
           ? CTL_USAGE : CTL_OK;
}

static const char *const heads[] = {
    "HOST", "PID", "VERSION", "QUEUES", "BUSY", "PROCESSED", "FAILED", "RSS", "UPTIME",
    "HEARTBEAT", "STATE",
};

/* "2/4", or with bars (heftctl top) "[##--] 2/4": one mark per worker
 * thread up to 16, then scaled. */
static void busy_cell(struct out_table *t, long long busy, long long total, int bars)
{
    char bar[20];
    long long width = total < 16 ? total : 16, full, i;

    if (!bars || total <= 0) {
        out_table_add(t, OUT_PLAIN, "%lld/%lld", busy, total);
        return;
    }
    full = busy >= total ? width : busy * width / total;
    for (i = 0; i < width; i++)
        bar[i] = i < full ? '#' : '-';
    bar[width] = '\0';
    out_table_add(t, busy >= total ? OUT_YELLOW : OUT_PLAIN, "[%s] %lld/%lld", bar, busy, total);
}

static void add_row(struct out_table *t, const struct worker *w, long long now_ms, int bars)
{
    const char *host = field_str(w, "host"), *version = field_str(w, "version");
    const char *queues = field_str(w, "queues");
    long long started = field_ll(w, "started_ms", -1), rss = field_ll(w, "rss_kb", -1);
    char a[48], b[48];

    out_table_add(t, OUT_PLAIN, "%s", host ? host : w->name);
    out_table_add(t, OUT_PLAIN, "%lld", field_ll(w, "pid", 0));
    out_table_add(t, OUT_PLAIN, "%s", version ? version : "-");
    out_table_add(t, OUT_PLAIN, "%s", queues ? queues : "-");
    busy_cell(t, field_ll(w, "busy", 0), field_ll(w, "concurrency", 0), bars);
    out_table_add(t, OUT_PLAIN, "%lld", field_ll(w, "processed", 0));
    out_table_add(t, OUT_PLAIN, "%lld", field_ll(w, "failed", 0));
    out_table_add(t, OUT_PLAIN, "%s", rss < 0 ? "-" : out_bytes(a, sizeof a, rss * 1024));
    out_table_add(t, OUT_PLAIN, "%s", started < 0 ? "-" : out_duration(b, sizeof b, now_ms - started));
    out_table_add(t, w->stale ? OUT_RED : OUT_PLAIN, "%s", out_age(a, sizeof a, now_ms, w->beat_ms));
    out_table_add(t, w->stale ? OUT_RED : OUT_GREEN, "%s", w->stale ? "stale" : "live");
}

static int print_human(struct ctl *c, const struct view *v, int bars)
{
    struct out_table t;
    size_t i;
    int rc;

    if (!v->n) {
        printf("No workers: no heftd has sent a heartbeat (heft:workers is empty).\n");
        return CTL_OK;
    }
    out_table_init(&t, sizeof heads / sizeof heads[0], heads, "lrllrrrrrll");
    for (i = 0; i < v->n; i++)
        add_row(&t, &v->w[i], v->now_ms, bars);
    rc = out_table_print(&t, stdout, c->color) < 0 ? CTL_USAGE : CTL_OK;
    out_table_free(&t);
    return rc;
}

/* Load the workers and print them (JSON, or a table with busy bars or not). */
static int show(struct ctl *c, int bars)
{
    struct view v = { NULL, NULL, 0, 0, NULL };
    int rc;

    if ((rc = ctl_connect(c)) != CTL_OK || (rc = load_list(c, &v)) != CTL_OK ||
        (rc = load_hashes(c, &v, c->cfg.heartbeat_ms)) != CTL_OK)
        goto out;
    rc = c->json ? print_json(&v) : print_human(c, &v, bars);
out:
    if (v.hashes)
        heft_replies_free(v.hashes, v.n);
    free(v.hashes);
    free(v.w);
    if (v.list)
        freeReplyObject(v.list);
    return rc;
}

int ctl_show_workers(struct ctl *c)
{
    return show(c, 1);
}

int cmd_workers(struct ctl *c, int argc, char **argv)
{
    int rc;

    if (ctl_args(c, argc, argv, NULL, 0, 0, &rc) < 0)
        return rc;
    return show(c, 0);
}
