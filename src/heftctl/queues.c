/*
 * queues.c - heftctl queues, pause and resume: the state of every queue
 * in heft:queues, and the switch heftd reads to stop taking a queue's
 * jobs.
 *
 * `queues` costs three pipelined round trips whatever the queue sizes:
 * the queue names and Redis's clock; then per queue the consumer group
 * and length of each ready stream, the sizes of the sorted sets, the
 * stats hash and the pause flag; then the oldest waiting entry of each
 * band that has one (its id carries the time it was added).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "out.h"

#define NBANDS 3
/* Delayed and retrying jobs share heft:{Q}:delayed: they are told apart by
 * their hashes' state, read in one pipelined round trip, up to this many. */
#define SPLIT_MAX 10000
#define PER_QUEUE (NBANDS * 2 + 5)     /* replies of round trip 2 per queue */

static const char *const bands[NBANDS] = { "high", "normal", "low" };
static const char *const totals[] = { "succeeded", "failed", "retried", "dead", "released" };
#define NTOTALS (sizeof totals / sizeof totals[0])

struct queue {
    const char *name;         /* in the SMEMBERS reply */
    struct heft_stream_depth band[NBANDS];
    long long sealed, scheduled, dead;
    long long retrying;       /* -1: not counted (more than SPLIT_MAX scheduled) */
    long long total[NTOTALS];
    long long today[NTOTALS];   /* the same since 00:00 UTC (Redis's clock) */
    int paused;
    long long latency_ms;     /* -1: none waiting */
};

struct view {
    redisReply *names;
    long long now_ms;
    size_t n;
    struct queue *q;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct queue *)a)->name, ((const struct queue *)b)->name);
}

/* Round trip 1: the names (sorted) and Redis's clock. */
static int load_names(struct ctl *c, struct view *v)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    size_t i;
    int rc;

    heft_cmd_borrows(&cmd, "SMEMBERS");
    heft_cmd_borrows(&cmd, "heft:queues");
    ctl_append(c, &cmd);
    heft_cmd_free(&cmd);
    if ((rc = ctl_replies_timed(c, &v->names, 1, &v->now_ms)) != CTL_OK)
        return rc;
    if (ctl_reply_error(v->names, "SMEMBERS heft:queues") || v->names->type != REDIS_REPLY_ARRAY)
        return CTL_REDIS;
    v->n = v->names->elements;
    if (v->n && !(v->q = calloc(v->n, sizeof *v->q)))
        return CTL_USAGE;
    for (i = 0; i < v->n; i++)
        v->q[i].name = v->names->element[i]->str;
    if (v->n > 1)                       /* never qsort(NULL, 0): UBSan */
        qsort(v->q, v->n, sizeof *v->q, by_name);
    return CTL_OK;
}

/* VERB [SUB] heft:{Q}:SUFFIX, queued. */
static void key_cmd(struct ctl *c, struct heft_cmd *cmd, const char *verb, const char *sub,
                    const char *q, const char *suffix)
{
    heft_cmd_borrows(cmd, verb);
    if (sub)
        heft_cmd_borrows(cmd, sub);
    ctl_cmd_key(cmd, q, suffix);
    ctl_append(c, cmd);
}

static void append_counts(struct ctl *c, struct heft_cmd *cmd, const char *q)
{
    char stream[32];
    size_t i;
    int b;

    for (b = 0; b < NBANDS; b++) {
        snprintf(stream, sizeof stream, "ready:%s", bands[b]);
        key_cmd(c, cmd, "XINFO", "GROUPS", q, stream);
        key_cmd(c, cmd, "XLEN", NULL, q, stream);
    }
    key_cmd(c, cmd, "ZCARD", NULL, q, "sealed");
    key_cmd(c, cmd, "ZCARD", NULL, q, "delayed");
    key_cmd(c, cmd, "ZCARD", NULL, q, "dead");
    key_cmd(c, cmd, "EXISTS", NULL, q, "paused");
    heft_cmd_borrows(cmd, "HMGET");
    ctl_cmd_key(cmd, q, "stats");
    for (i = 0; i < NTOTALS; i++)
        heft_cmd_borrows(cmd, totals[i]);
    heft_cmd_borrows(cmd, "d");
    for (i = 0; i < NTOTALS; i++)
        heft_cmd_printf(cmd, "d:%s", totals[i]);
    ctl_append(c, cmd);
}

/* The HMGET of the stats: the totals, the day the d:* fields count (a
 * day other than today's counts nothing today), then those fields. */
static void read_stats(struct queue *q, const redisReply *r, long long today)
{
    size_t i, n = r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
    int is_today = n > NTOTALS && heft_reply_ll(r->element[NTOTALS], -1) == today;

    for (i = 0; i < NTOTALS; i++) {
        q->total[i] = i < n ? heft_reply_ll(r->element[i], 0) : 0;
        q->today[i] = is_today && NTOTALS + 1 + i < n ? heft_reply_ll(r->element[NTOTALS + 1 + i], 0) : 0;
    }
}

static void read_counts(struct queue *q, redisReply **r, long long now_ms)
{
    int b;

    for (b = 0; b < NBANDS; b++)
        heft_stream_depth(&q->band[b], r[2 * b], r[2 * b + 1]);
    r += 2 * NBANDS;
    q->sealed = heft_reply_ll(r[0], 0);
    q->scheduled = heft_reply_ll(r[1], 0);
    q->dead = heft_reply_ll(r[2], 0);
    q->paused = heft_reply_ll(r[3], 0) == 1;
    read_stats(q, r[4], now_ms / 86400000);
}

/* Round trip 2. */
static int load_counts(struct ctl *c, struct view *v)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r[PER_QUEUE];
    size_t i, k;
    int rc = CTL_OK;

    for (i = 0; i < v->n; i++)
        append_counts(c, &cmd, v->q[i].name);
    heft_cmd_free(&cmd);
    for (i = 0; i < v->n; i++) {
        if ((rc = ctl_replies(c, r, PER_QUEUE)) != CTL_OK)
            return rc;
        for (k = 2 * NBANDS; k < PER_QUEUE; k++)
            if (ctl_reply_error(r[k], v->q[i].name))
                rc = CTL_REDIS;
        read_counts(&v->q[i], r, v->now_ms);
        heft_replies_free(r, PER_QUEUE);
    }
    return rc;
}

/* Round trip 3, asked: the oldest waiting entry of each band that has one. */
static void append_oldest(struct ctl *c, const struct view *v)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    size_t i;
    int b;

    for (i = 0; i < v->n; i++)
        for (b = 0; b < NBANDS; b++)
            if (v->q[i].band[b].waiting > 0) {
                heft_cmd_borrows(&cmd, "XRANGE");
                heft_cmd_printf(&cmd, "heft:{%s}:ready:%s", v->q[i].name, bands[b]);
                heft_cmd_borrows(&cmd, v->q[i].band[b].from);
                heft_cmd_borrows(&cmd, "+");
                heft_cmd_borrows(&cmd, "COUNT");
                heft_cmd_borrows(&cmd, "1");
                ctl_append(c, &cmd);
            }
    heft_cmd_free(&cmd);
}

/* Round trip 3, read: each queue's latency is its oldest band's. */
/* The retrying jobs of one queue's schedule: ZRANGE, then every hash's
 * state in one pipeline. */
static int count_retrying(struct ctl *c, struct queue *q)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *ids = NULL, *st;
    size_t i;
    int rc;

    q->retrying = q->scheduled > 0 ? -1 : 0;
    if (q->scheduled <= 0 || q->scheduled > SPLIT_MAX)
        return CTL_OK;
    heft_cmd_borrows(&cmd, "ZRANGE");
    ctl_cmd_key(&cmd, q->name, "delayed");
    heft_cmd_borrows(&cmd, "0");
    heft_cmd_borrows(&cmd, "-1");
    ctl_append(c, &cmd);
    if ((rc = ctl_replies(c, &ids, 1)) != CTL_OK || ids->type != REDIS_REPLY_ARRAY)
        goto out;
    for (i = 0; i < ids->elements; i++) {
        heft_cmd_reset(&cmd);
        heft_cmd_borrows(&cmd, "HGET");
        heft_cmd_printf(&cmd, "heft:{%s}:job:%s", q->name, ids->element[i]->str);
        heft_cmd_borrows(&cmd, "state");
        ctl_append(c, &cmd);
    }
    q->retrying = 0;
    for (i = 0; i < ids->elements && rc == CTL_OK; i++) {
        if ((rc = ctl_replies(c, &st, 1)) != CTL_OK)
            break;
        q->retrying += st->type == REDIS_REPLY_STRING && !strcmp(st->str, "retrying");
        freeReplyObject(st);
    }
out:
    if (ids)
        freeReplyObject(ids);
    heft_cmd_free(&cmd);
    return rc;
}

static int load_schedules(struct ctl *c, struct view *v)
{
    int rc = CTL_OK;

    for (size_t i = 0; i < v->n && rc == CTL_OK; i++)
        rc = count_retrying(c, &v->q[i]);
    return rc;
}

static int load_latency(struct ctl *c, struct view *v)
{
    redisReply *r;
    long long ms;
    size_t i;
    int b, rc;

    append_oldest(c, v);
    for (i = 0; i < v->n; i++) {
        v->q[i].latency_ms = -1;
        for (b = 0; b < NBANDS; b++) {
            if (v->q[i].band[b].waiting <= 0)
                continue;
            if ((rc = ctl_replies(c, &r, 1)) != CTL_OK)
                return rc;
            ms = heft_reply_entry_ms(r);
            freeReplyObject(r);
            if (ms >= 0 && v->now_ms - ms > v->q[i].latency_ms)
                v->q[i].latency_ms = v->now_ms - ms < 0 ? 0 : v->now_ms - ms;
        }
    }
    return CTL_OK;
}

static long long waiting(const struct queue *q)
{
    return q->band[0].waiting + q->band[1].waiting + q->band[2].waiting;
}

static long long active(const struct queue *q)
{
    return q->band[0].pending + q->band[1].pending + q->band[2].pending + q->sealed;
}

static json_t *queue_json(const struct queue *q)
{
    json_t *by_band = json_object(), *tot = json_object(), *today = json_object();
    size_t i;
    int b;

    for (b = 0; b < NBANDS; b++)
        json_object_set_new(by_band, bands[b], json_integer(q->band[b].waiting));
    for (i = 0; i < NTOTALS; i++) {
        json_object_set_new(tot, totals[i], json_integer(q->total[i]));
        json_object_set_new(today, totals[i], json_integer(q->today[i]));
    }
    return json_pack("{s:s, s:I, s:o, s:I, s:I, s:o, s:o, s:I, s:o, s:b, s:o, s:o}",
                     "name", q->name, "waiting", (json_int_t)waiting(q),
                     "waiting_by_priority", by_band, "active", (json_int_t)active(q),
                     "scheduled", (json_int_t)q->scheduled,
                     "delayed", out_json_int(q->scheduled - q->retrying, q->retrying >= 0),
                     "retrying", out_json_int(q->retrying, q->retrying >= 0),
                     "dead", (json_int_t)q->dead,
                     "latency_ms", out_json_int(q->latency_ms, q->latency_ms >= 0),
                     "paused", q->paused, "totals", tot, "today", today);
}

static int print_json(const struct view *v)
{
    json_t *list = json_array();
    size_t i;

    for (i = 0; i < v->n; i++)
        json_array_append_new(list, queue_json(&v->q[i]));
    return out_json(json_pack("{s:I, s:o}", "time_ms", (json_int_t)v->now_ms, "queues", list)) < 0
           ? CTL_USAGE : CTL_OK;
}

static const char *const heads[] = {
    "QUEUE", "WAITING", "ACTIVE", "DELAYED", "RETRYING", "DEAD", "SUCCEEDED", "FAILED",
    "RETRIED", "DIED", "OK TODAY", "FAILED TODAY", "LATENCY", "PAUSED",
};

static int print_human(struct ctl *c, const struct view *v)
{
    struct out_table t;
    char lat[32];
    size_t i;
    int rc;

    if (!v->n) {
        printf("No queues yet: heft:queues is empty (no heftd has served one).\n");
        return CTL_OK;
    }
    out_table_init(&t, sizeof heads / sizeof heads[0], heads, "lrrrrrrrrrrrrl");
    for (i = 0; i < v->n; i++) {
        const struct queue *q = &v->q[i];

        out_table_add(&t, OUT_PLAIN, "%s", q->name);
        out_table_add(&t, OUT_PLAIN, "%lld", waiting(q));
        out_table_add(&t, OUT_PLAIN, "%lld", active(q));
        if (q->retrying >= 0) {
            out_table_add(&t, OUT_PLAIN, "%lld", q->scheduled - q->retrying);
            out_table_add(&t, OUT_PLAIN, "%lld", q->retrying);
        } else {            /* too many to tell apart: together, under DELAYED */
            out_table_add(&t, OUT_PLAIN, "%lld*", q->scheduled);
            out_table_add(&t, OUT_PLAIN, "*");
        }
        out_table_add(&t, q->dead ? OUT_RED : OUT_PLAIN, "%lld", q->dead);
        out_table_add(&t, OUT_PLAIN, "%lld", q->total[0]);
        out_table_add(&t, OUT_PLAIN, "%lld", q->total[1]);
        out_table_add(&t, OUT_PLAIN, "%lld", q->total[2]);
        out_table_add(&t, OUT_PLAIN, "%lld", q->total[3]);
        out_table_add(&t, OUT_PLAIN, "%lld", q->today[0]);
        out_table_add(&t, OUT_PLAIN, "%lld", q->today[1] + q->today[3]);
        out_table_add(&t, OUT_PLAIN, "%s", q->latency_ms < 0 ? "-" :
                      out_duration(lat, sizeof lat, q->latency_ms));
        out_table_add(&t, q->paused ? OUT_YELLOW : OUT_PLAIN, "%s", q->paused ? "paused" : "no");
    }
    rc = out_table_print(&t, stdout, c->color) < 0 ? CTL_USAGE : CTL_OK;
    for (i = 0; i < v->n && rc == CTL_OK; i++)
        if (v->q[i].retrying < 0) {
            printf("* more than %d delayed and retrying jobs: counted together\n", SPLIT_MAX);
            break;
        }
    out_table_free(&t);
    return rc;
}

/* Load every queue and print it (JSON or table); *ended (may be NULL):
 * jobs of all queues that ended so far (succeeded, failed, dead). */
static int show(struct ctl *c, long long *ended)
{
    struct view v = { NULL, 0, 0, NULL };
    int rc;

    if ((rc = ctl_connect(c)) != CTL_OK || (rc = load_names(c, &v)) != CTL_OK ||
        (rc = load_counts(c, &v)) != CTL_OK || (rc = load_latency(c, &v)) != CTL_OK ||
        (rc = load_schedules(c, &v)) != CTL_OK)
        goto out;
    rc = c->json ? print_json(&v) : print_human(c, &v);
    for (size_t i = 0; ended && i < v.n; i++)
        *ended += v.q[i].total[0] + v.q[i].total[1] + v.q[i].total[3];
out:
    free(v.q);
    if (v.names)
        freeReplyObject(v.names);
    return rc;
}

int ctl_show_queues(struct ctl *c, long long *ended)
{
    *ended = 0;
    return show(c, ended);
}

int cmd_queues(struct ctl *c, int argc, char **argv)
{
    int rc;

    if (ctl_args(c, argc, argv, NULL, 0, 0, &rc) < 0)
        return rc;
    return show(c, NULL);
}

/* ---- pause and resume ---- */

/* Whether q is in heft:queues: CTL_OK, CTL_NOT_FOUND or CTL_REDIS. */
static int queue_known(struct ctl *c, const char *cmdname, const char *q)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;
    int rc = CTL_REDIS;

    heft_cmd_borrows(&cmd, "SISMEMBER");
    heft_cmd_borrows(&cmd, "heft:queues");
    heft_cmd_borrows(&cmd, q);
    r = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    if (!r || ctl_reply_error(r, "SISMEMBER"))
        goto out;
    rc = CTL_OK;
    if (heft_reply_ll(r, 0) != 1) {
        fprintf(stderr, "heftctl %s: no queue \"%s\" (not in heft:queues)\n", cmdname, q);
        rc = CTL_NOT_FOUND;
    }
out:
    if (r)
        freeReplyObject(r);
    return rc;
}

/* SET or DEL heft:{Q}:paused, once Q is known to be a queue (two round
 * trips: a script reading heft:queues would cross hash slots). */
static int set_paused(struct ctl *c, int argc, char **argv, int pause)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r = NULL;
    const char *q;
    int rc;

    if (ctl_args(c, argc, argv, NULL, 1, 1, &rc) < 0)
        return rc;
    q = argv[argc - 1];
    if (!ctl_queue_name_ok(q))
        return ctl_usage(argv[0], "\"%s\" is not a queue name (1 to 64 of A-Z a-z 0-9 _ . : -)", q);
    if ((rc = ctl_connect(c)) != CTL_OK || (rc = queue_known(c, argv[0], q)) != CTL_OK)
        return rc;
    heft_cmd_borrows(&cmd, pause ? "SET" : "DEL");
    ctl_cmd_key(&cmd, q, "paused");
    if (pause)
        heft_cmd_borrows(&cmd, "1");
    rc = CTL_REDIS;
    if (!(r = ctl_call(c, &cmd)) || ctl_reply_error(r, argv[0]))
        goto out;
    if (c->json)
        rc = out_json(json_pack("{s:s, s:b}", "queue", q, "paused", pause)) < 0 ? CTL_USAGE : CTL_OK;
    else
        rc = printf(pause ? "Queue %s paused: heftd takes none of its jobs (running ones finish).\n"
                          : "Queue %s resumed: heftd takes its jobs again.\n", q) < 0 ? CTL_USAGE : CTL_OK;
out:
    if (r)
        freeReplyObject(r);
    heft_cmd_free(&cmd);
    return rc;
}

int cmd_pause(struct ctl *c, int argc, char **argv)
{
    return set_paused(c, argc, argv, 1);
}

int cmd_resume(struct ctl *c, int argc, char **argv)
{
    return set_paused(c, argc, argv, 0);
}
