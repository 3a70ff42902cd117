/*
 * stats.c - heftctl stats: the counters of heft:{Q}:stats of every queue
 * in heft:queues (or of one), and their sum, in two round trips.
 *
 * Besides the totals, heftd counts the same outcomes per minute in a ring
 * of 60 slots in that hash (m:S holds the minute its fields m:S:NAME
 * count, docs/protocol.md): the rates are sums of the slots whose minute
 * is in the window, by Redis's clock.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "out.h"

static const char *const counters[] = { "succeeded", "failed", "retried", "dead", "released" };
#define NCOUNTERS (sizeof counters / sizeof counters[0])
#define RING 60

/* What is shown per queue: the totals and three windows of the ring. */
enum { W_TOTAL, W_HOUR, W_MINUTE, W_NOW, NWINDOWS };
static const char *const windows[NWINDOWS] = { "total", "last_hour", "last_minute", "this_minute" };
static const char *const window_names[NWINDOWS] = { "total", "last hour", "last minute", "this minute" };

/* The names: the one given, or heft:queues (sorted by Redis). */
static redisReply *queue_names(struct ctl *c, const char *one)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;

    heft_cmd_borrows(&cmd, one ? "SMISMEMBER" : "SORT");
    heft_cmd_borrows(&cmd, "heft:queues");
    heft_cmd_borrows(&cmd, one ? one : "ALPHA");
    r = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    if (r && (ctl_reply_error(r, "heft:queues") || r->type != REDIS_REPLY_ARRAY)) {
        freeReplyObject(r);
        r = NULL;
    }
    return r;
}

static json_t *totals_json(const long long *v)
{
    json_t *o = json_object();
    size_t i;

    for (i = 0; i < NCOUNTERS; i++)
        json_object_set_new(o, counters[i], json_integer(v[i]));
    return o;
}

/* A slot's counts v, of minute slot_min, added to the windows it falls
 * in: the current minute, or the last complete one and the last hour. */
static void add_slot(long long *w, long long slot_min, long long now_min, const long long *v)
{
    size_t k;

    for (k = 0; k < NCOUNTERS; k++) {
        if (slot_min == now_min)
            w[W_NOW * NCOUNTERS + k] += v[k];
        if (slot_min == now_min - 1)
            w[W_MINUTE * NCOUNTERS + k] += v[k];
        if (slot_min >= now_min - RING && slot_min < now_min)
            w[W_HOUR * NCOUNTERS + k] += v[k];
    }
}

/* One queue's stats hash (HGETALL) into its NWINDOWS * NCOUNTERS figures. */
static void read_stats(const redisReply *h, long long now_min, long long *w)
{
    long long v[NCOUNTERS];
    char name[48];
    size_t k;
    int slot;

    for (k = 0; k < NCOUNTERS; k++)
        w[W_TOTAL * NCOUNTERS + k] = heft_reply_ll(heft_reply_field(h, counters[k]), 0);
    for (slot = 0; slot < RING; slot++) {
        for (k = 0; k < NCOUNTERS; k++) {
            snprintf(name, sizeof name, "m:%d:%s", slot, counters[k]);
            v[k] = heft_reply_ll(heft_reply_field(h, name), 0);
        }
        snprintf(name, sizeof name, "m:%d", slot);
        add_slot(w, heft_reply_ll(heft_reply_field(h, name), -1), now_min, v);
    }
}

/* Every queue's stats hash, read into rows (NWINDOWS * NCOUNTERS per
 * queue) and their sum. */
static int load(struct ctl *c, char **names, size_t n, long long *rows, long long *sum)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    long long now_ms;
    redisReply **r;
    size_t i, k, per = NWINDOWS * NCOUNTERS;
    int rc;

    if (!(r = calloc(n ? n : 1, sizeof *r)))
        return CTL_USAGE;
    for (i = 0; i < n; i++) {
        heft_cmd_borrows(&cmd, "HGETALL");
        ctl_cmd_key(&cmd, names[i], "stats");
        ctl_append(c, &cmd);
    }
    heft_cmd_free(&cmd);
    if ((rc = ctl_replies_timed(c, r, n, &now_ms)) == CTL_OK)
        for (i = 0; i < n; i++) {
            read_stats(r[i], now_ms / 60000, rows + i * per);
            for (k = 0; k < per; k++)
                sum[k] += rows[i * per + k];
        }
    heft_replies_free(r, rc == CTL_OK ? n : 0);
    free(r);
    return rc;
}

static json_t *windows_json(const long long *w)
{
    json_t *o = json_object();
    int k;

    for (k = 0; k < NWINDOWS; k++)
        json_object_set_new(o, windows[k], totals_json(w + k * NCOUNTERS));
    return o;
}

static const char *const heads[] = {
    "QUEUE", "WINDOW", "SUCCEEDED", "FAILED", "RETRIED", "DIED", "RELEASED",
};

static void add_rows(struct out_table *t, const char *name, const long long *w)
{
    size_t k;
    int win;

    for (win = 0; win < NWINDOWS; win++) {
        out_table_add(t, win ? OUT_PLAIN : OUT_BOLD, "%s", win ? "" : name);
        out_table_add(t, OUT_PLAIN, "%s", window_names[win]);
        for (k = 0; k < NCOUNTERS; k++)
            out_table_add(t, OUT_PLAIN, "%lld", w[win * NCOUNTERS + k]);
    }
}

static int print(struct ctl *c, char **names, size_t n, const long long *rows, const long long *sum)
{
    size_t i, per = NWINDOWS * NCOUNTERS;
    struct out_table t;
    json_t *list;
    int rc;

    if (c->json) {
        list = json_array();
        for (i = 0; i < n; i++)
            json_array_append_new(list, json_pack("{s:s, s:o, s:o}", "name", names[i],
                                                  "totals", totals_json(rows + i * per),
                                                  "rates", windows_json(rows + i * per)));
        return out_json(json_pack("{s:o, s:o, s:o}", "queues", list, "totals", totals_json(sum),
                                  "rates", windows_json(sum))) < 0 ? CTL_USAGE : CTL_OK;
    }
    out_table_init(&t, NCOUNTERS + 2, heads, "llrrrrr");
    for (i = 0; i < n; i++)
        add_rows(&t, names[i], rows + i * per);
    if (n > 1)
        add_rows(&t, "(all)", sum);
    rc = out_table_print(&t, stdout, c->color) < 0 ? CTL_USAGE : CTL_OK;
    out_table_free(&t);
    printf("total: since the queue was created; last hour: the 60 minutes before this\n"
           "one; last minute: the one before this one (Redis's clock).\n");
    return rc;
}

/* The names as strings: the one given, or those of the SORT reply. */
static char **name_list(redisReply *names, char *one, size_t *n)
{
    char **list;
    size_t i;

    *n = one ? 1 : names->elements;
    if (!(list = calloc(*n ? *n : 1, sizeof *list)))
        return NULL;
    for (i = 0; i < *n; i++)
        list[i] = one ? one : names->element[i]->str;
    return list;
}

int cmd_stats(struct ctl *c, int argc, char **argv)
{
    long long sum[NWINDOWS * NCOUNTERS] = { 0 }, *rows = NULL;
    redisReply *names = NULL;
    char **list = NULL, *one;
    size_t n = 0;
    int at, rc;

    if ((at = ctl_args(c, argc, argv, NULL, 0, 1, &rc)) < 0)
        return rc;
    one = at < argc ? argv[at] : NULL;
    if (one && !ctl_queue_name_ok(one))
        return ctl_bad_queue(argv[0], one);
    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    rc = CTL_REDIS;
    if (!(names = queue_names(c, one)))
        goto out;
    rc = CTL_NOT_FOUND;
    if (one && (names->elements != 1 || heft_reply_ll(names->element[0], 0) != 1)) {
        fprintf(stderr, "heftctl stats: no queue \"%s\" (not in heft:queues)\n", one);
        goto out;
    }
    rc = CTL_USAGE;
    if (!(list = name_list(names, one, &n)) || !(rows = calloc(n ? n * NWINDOWS * NCOUNTERS : 1, sizeof *rows)))
        goto out;
    if ((rc = load(c, list, n, rows, sum)) == CTL_OK)
        rc = print(c, list, n, rows, sum);
out:
    free(rows);
    free(list);
    if (names)
        freeReplyObject(names);
    return rc;
}
