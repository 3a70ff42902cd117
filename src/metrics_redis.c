/*
 * metrics_redis.c - the metrics that live in Redis: each queue's jobs by
 * state and the age of its oldest waiting job, and the round trip to
 * Redis.  The maintenance thread calls heft_metrics_refresh() every round
 * over its own link; it reads Redis at most once per metrics.refresh_ms
 * and leaves the values in atomics that scrapes read.
 *
 * A refresh is a PING (timed: the round-trip gauge) and two pipelined
 * round trips whatever the number of queues: per queue the consumer group
 * and length of each ready stream and the sizes of the sealed, delayed and
 * dead sets, with Redis's clock; then the first waiting entry of each band
 * that has one, whose id carries the time it became ready.  The states
 * mean what they mean to heftctl queues (docs/heftctl.md).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon.h"
#include "link.h"
#include "metrics.h"

#define PER_QUEUE (2 * HEFT_NBANDS + 3)    /* replies per queue in round trip 1 */

/* ---- reading replies ---- */

/* n replies into r; -1 (and none kept) when the link broke. */
static int read_replies(struct heft_link *l, redisReply **r, size_t n)
{
    size_t i;

    memset(r, 0, n * sizeof *r);
    for (i = 0; i < n; i++)
        if (!(r[i] = heft_link_reply(l))) {
            heft_replies_free(r, i);
            return -1;
        }
    return 0;
}

/* ---- round trip 1: depths ---- */

static void append_key_cmd(struct heft_link *l, struct heft_cmd *c, const char *verb,
                           const char *sub, const char *key)
{
    heft_cmd_reset(c);
    heft_cmd_borrows(c, verb);
    if (sub)
        heft_cmd_borrows(c, sub);
    if (key)
        heft_cmd_borrows(c, key);
    heft_link_append(l, c);
}

static void append_depths(struct heft_daemon *d, struct heft_link *l)
{
    struct heft_cmd c = HEFT_CMD_INIT;
    size_t q;
    int b;

    append_key_cmd(l, &c, "TIME", NULL, NULL);
    for (q = 0; q < d->nqueues; q++) {
        for (b = 0; b < HEFT_NBANDS; b++) {
            append_key_cmd(l, &c, "XINFO", "GROUPS", d->queues[q].stream[b]);
            append_key_cmd(l, &c, "XLEN", NULL, d->queues[q].stream[b]);
        }
        append_key_cmd(l, &c, "ZCARD", NULL, d->queues[q].sealed);
        append_key_cmd(l, &c, "ZCARD", NULL, d->queues[q].delayed);
        append_key_cmd(l, &c, "ZCARD", NULL, d->queues[q].dead);
    }
    heft_cmd_free(&c);
}

static void store_depths(struct heft_metrics *m, size_t q, redisReply **r)
{
    struct heft_queue_gauges *g = &m->queues[q];
    long long waiting = 0, active = 0;
    int b;

    for (b = 0; b < HEFT_NBANDS; b++) {
        struct heft_stream_depth *s = &m->scan[q * HEFT_NBANDS + (size_t)b];

        heft_stream_depth(s, r[2 * b], r[2 * b + 1]);
        active += s->pending;
        waiting += s->waiting;
    }
    r += 2 * HEFT_NBANDS;
    atomic_store(&g->depth[HEFT_DEPTH_WAITING], waiting);
    atomic_store(&g->depth[HEFT_DEPTH_ACTIVE], active + heft_reply_ll(r[0], 0));
    atomic_store(&g->depth[HEFT_DEPTH_SCHEDULED], heft_reply_ll(r[1], 0));
    atomic_store(&g->depth[HEFT_DEPTH_DEAD], heft_reply_ll(r[2], 0));
}

static int read_depths(struct heft_daemon *d, struct heft_link *l, long long *now_ms)
{
    redisReply *r[PER_QUEUE], *t;
    size_t q;

    append_depths(d, l);
    if (!(t = heft_link_reply(l)))
        return -1;
    *now_ms = heft_reply_time_ms(t);
    freeReplyObject(t);
    for (q = 0; q < d->nqueues; q++) {
        if (read_replies(l, r, PER_QUEUE) < 0)
            return -1;
        store_depths(d->metrics, q, r);
        heft_replies_free(r, PER_QUEUE);
    }
    return 0;
}

/* ---- round trip 2: the oldest waiting job ---- */

static void append_oldest(struct heft_daemon *d, struct heft_link *l)
{
    struct heft_cmd c = HEFT_CMD_INIT;
    size_t q;
    int b;

    for (q = 0; q < d->nqueues; q++)
        for (b = 0; b < HEFT_NBANDS; b++) {
            const struct heft_stream_depth *s = &d->metrics->scan[q * HEFT_NBANDS + (size_t)b];

            if (s->waiting <= 0)
                continue;
            heft_cmd_reset(&c);
            heft_cmd_borrows(&c, "XRANGE");
            heft_cmd_borrows(&c, d->queues[q].stream[b]);
            heft_cmd_borrows(&c, s->from);
            heft_cmd_borrows(&c, "+");
            heft_cmd_borrows(&c, "COUNT");
            heft_cmd_borrows(&c, "1");
            heft_link_append(l, &c);
        }
    heft_cmd_free(&c);
}

static int read_oldest(struct heft_daemon *d, struct heft_link *l, long long now_ms)
{
    struct heft_metrics *m = d->metrics;
    long long oldest, ms;
    redisReply *r;
    size_t q;
    int b;

    append_oldest(d, l);
    for (q = 0; q < d->nqueues; q++) {
        for (b = 0, oldest = -1; b < HEFT_NBANDS; b++) {
            if (m->scan[q * HEFT_NBANDS + (size_t)b].waiting <= 0)
                continue;
            if (!(r = heft_link_reply(l)))
                return -1;
            ms = heft_reply_entry_ms(r);
            freeReplyObject(r);
            if (ms >= 0 && now_ms >= 0 && now_ms - ms > oldest)
                oldest = now_ms - ms;
        }
        atomic_store(&m->queues[q].oldest_ms, oldest);
    }
    return 0;
}

/* ---- the refresh ---- */

static int measure_roundtrip(struct heft_metrics *m, struct heft_link *l)
{
    const char *ping[] = { "PING" };
    struct timespec t0, t1;
    redisReply *r;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = heft_link_callv(l, 1, ping);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!r)
        return -1;
    freeReplyObject(r);
    atomic_store(&m->roundtrip_us, (long long)(t1.tv_sec - t0.tv_sec) * 1000000 +
                                   (t1.tv_nsec - t0.tv_nsec) / 1000);
    return 0;
}

void heft_metrics_refresh(struct heft_daemon *d, struct heft_link *l)
{
    struct heft_metrics *m = d->metrics;
    long long now = heft_mono_ms(), redis_ms = -1;

    if (!m || now < m->next_refresh_ms)
        return;
    m->next_refresh_ms = now + d->cfg->metrics_refresh_ms;
    if (measure_roundtrip(m, l) < 0 || read_depths(d, l, &redis_ms) < 0 ||
        read_oldest(d, l, redis_ms) < 0)
        return;
    atomic_store(&m->have_gauges, 1);
}
