/*
 * maint.c - the housekeeping thread: everything on a timer.
 *
 *   every poll_ms        move due delayed/retrying jobs to their stream
 *   every lease_ms / 3   renew the lease on every job this process holds
 *   every lease_ms / 2   reclaim jobs whose holder stopped renewing (dead
 *                        process), requeue them or quarantine poison ones;
 *                        sealed jobs (no payload left to requeue) end dead
 *   every poll_ms        read the queues' pause flags; mark the jobs fetched
 *                        since the last tick active (start.lua)
 *   every heartbeat_ms   publish this process's heartbeat and job progress
 *   every minute         trim each dead set to its count and age limits, and
 *                        forget consumers of heftd processes long gone
 *
 * It keeps running while the daemon drains, so leases of jobs that are
 * still finishing stay fresh, and removes the heartbeat when it stops.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "link.h"
#include "log.h"
#include "reply.h"
#include "metrics.h"

#define SCAN_BATCH 100
#define TRIM_EVERY_MS 60000

struct maint {
    struct heft_daemon *d;
    struct heft_link *link;
    struct heft_cmd cmd;
    long long next_lease, next_reap, next_beat, next_trim;
};

/* Up to SCAN_BATCH members of the sorted set key scored up to now: the
 * candidates for a script that re-checks them by Redis's clock. */
static redisReply *due_members(struct maint *m, const char *key, long long now)
{
    heft_cmd_reset(&m->cmd);
    heft_cmd_borrows(&m->cmd, "ZRANGEBYSCORE");
    heft_cmd_borrows(&m->cmd, key);
    heft_cmd_borrows(&m->cmd, "-inf");
    heft_cmd_int(&m->cmd, now);
    heft_cmd_borrows(&m->cmd, "LIMIT");
    heft_cmd_borrows(&m->cmd, "0");
    heft_cmd_int(&m->cmd, SCAN_BATCH);
    return heft_link_call(m->link, &m->cmd);
}

/* ---- promotion of delayed jobs ---- */

static int promote_queue(struct maint *m, const struct heft_queue *q, long long now)
{
    redisReply *ids, *r;
    size_t i;
    int b;

    if (!(ids = due_members(m, q->delayed, now)))
        return -1;
    if (ids->type == REDIS_REPLY_ARRAY && ids->elements > 0) {
        heft_cmd_reset(&m->cmd);
        heft_link_script(m->link, &m->cmd, HEFT_SCRIPT_PROMOTE, 4 + (int)ids->elements);
        heft_cmd_borrows(&m->cmd, q->delayed);
        for (b = 0; b < HEFT_NBANDS; b++)
            heft_cmd_borrows(&m->cmd, q->stream[b]);
        for (i = 0; i < ids->elements; i++)
            heft_cmd_printf(&m->cmd, "%sjob:%s", q->prefix, ids->element[i]->str);
        for (i = 0; i < ids->elements; i++)
            heft_cmd_borrow(&m->cmd, ids->element[i]->str, ids->element[i]->len);
        r = heft_link_call_script(m->link, &m->cmd);
        if (r && r->type == REDIS_REPLY_ERROR)
            log_error("promote %s: %s", q->name, r->str);
        if (r)
            freeReplyObject(r);
    }
    freeReplyObject(ids);
    return 0;
}

/* Redis's clock decides what is due (promote.lua re-checks with TIME), so
 * this host's clock only picks candidates. */
static void promote_all(struct maint *m)
{
    long long now = heft_now_ms();
    size_t i;

    for (i = 0; i < m->d->nqueues; i++)
        if (promote_queue(m, &m->d->queues[i], now + 5) < 0)
            return;
}

/* ---- leases ---- */

struct lease_args {
    struct maint *m;
    int queue;
    enum heft_band band;
    size_t count;
};

static void add_held(struct heft_job *job, void *opaque)
{
    struct lease_args *la = opaque;

    if (job->queue == la->queue && job->band == la->band && job->outcome != HEFT_OUT_SKIP &&
        !job->sealed) {
        heft_cmd_copy(&la->m->cmd, job->entry, strlen(job->entry));
        la->count++;
    }
}

static void add_sealed(struct heft_job *job, void *opaque)
{
    struct lease_args *la = opaque;

    if (job->queue == la->queue && job->sealed && job->outcome != HEFT_OUT_SKIP) {
        heft_cmd_copy(&la->m->cmd, job->id, strlen(job->id));
        la->count++;
    }
}

/* A sealed job's lease is its score in heft:{Q}:sealed (seal.lua renew). */
static int renew_sealed(struct maint *m, int q)
{
    struct lease_args la = { .m = m, .queue = q };
    redisReply *r;

    heft_cmd_reset(&m->cmd);
    heft_link_script(m->link, &m->cmd, HEFT_SCRIPT_SEAL, 1);
    heft_cmd_borrows(&m->cmd, m->d->queues[q].sealed);
    heft_cmd_borrows(&m->cmd, "renew");
    heft_cmd_int(&m->cmd, m->d->cfg->lease_ms);
    heft_pool_visit(m->d->pool, add_sealed, &la);
    if (!la.count)
        return 0;
    if (!(r = heft_link_call_script(m->link, &m->cmd)))
        return -1;
    if (r->type == REDIS_REPLY_ERROR)
        log_error("renew sealed %s: %s", m->d->queues[q].name, r->str);
    freeReplyObject(r);
    return 0;
}

/* XCLAIM ... 0 ids JUSTID resets each entry's idle time: the lease. */
static void renew_leases(struct maint *m)
{
    struct lease_args la = { .m = m };
    redisReply *r;
    size_t q;

    for (q = 0; q < m->d->nqueues; q++) {
        if (renew_sealed(m, (int)q) < 0)
            return;
        for (la.band = HEFT_BAND_HIGH; la.band < HEFT_NBANDS; la.band++) {
            heft_cmd_reset(&m->cmd);
            heft_cmd_borrows(&m->cmd, "XCLAIM");
            heft_cmd_borrows(&m->cmd, m->d->queues[q].stream[la.band]);
            heft_cmd_borrows(&m->cmd, "heft");
            heft_cmd_borrows(&m->cmd, m->d->consumer);
            heft_cmd_borrows(&m->cmd, "0");
            la.queue = (int)q;
            la.count = 0;
            /* copied: the acker may free these jobs before the call is sent */
            heft_pool_visit(m->d->pool, add_held, &la);
            if (!la.count)
                continue;
            heft_cmd_borrows(&m->cmd, "JUSTID");
            if (!(r = heft_link_call(m->link, &m->cmd)))
                return;
            freeReplyObject(r);
        }
    }
}

/* ---- marking fetched jobs active ---- */

struct mark_args {
    int queue;
    struct heft_cmd *cmd;
    size_t count;
};

static void add_unmarked(struct heft_job *job, void *opaque)
{
    struct mark_args *ma = opaque;

    if (job->queue != ma->queue || job->marked || !job->id || job->outcome != HEFT_OUT_NONE)
        return;
    job->marked = 1;          /* the pool's lock is held: maint is its only writer */
    heft_cmd_printf(ma->cmd, "heft:{%s}:job:%s", job->queue_name, job->id);
    ma->count++;
}

/* start.lua for the jobs fetched since the last tick that have not ended:
 * a job shorter than poll_ms never costs Redis this extra write, and a
 * long one shows as active within poll_ms. */
static void mark_active(struct maint *m)
{
    struct heft_cmd keys = HEFT_CMD_INIT;
    struct mark_args ma = { .cmd = &keys };
    redisReply *r;
    size_t q;
    int i;

    for (q = 0; q < m->d->nqueues; q++) {
        heft_cmd_reset(&keys);
        ma.queue = (int)q;
        ma.count = 0;
        heft_pool_visit(m->d->pool, add_unmarked, &ma);
        if (!ma.count)
            continue;
        heft_cmd_reset(&m->cmd);
        heft_link_script(m->link, &m->cmd, HEFT_SCRIPT_START, keys.argc);
        for (i = 0; i < keys.argc; i++)
            heft_cmd_copy(&m->cmd, keys.own.data + keys.off[i], keys.len[i]);
        heft_cmd_borrows(&m->cmd, m->d->consumer);
        if (!(r = heft_link_call_script(m->link, &m->cmd)))
            break;
        if (r->type == REDIS_REPLY_ERROR)
            log_error("start: %s", r->str);
        freeReplyObject(r);
    }
    heft_cmd_free(&keys);
}

/* ---- progress ---- */

struct progress_args {
    struct heft_buf keys;     /* "heft:{Q}:job:ID\0" per changed job */
    int values[64];
    size_t n;
};

static void add_progress(struct heft_job *job, void *opaque)
{
    struct progress_args *pa = opaque;
    int p = atomic_load(&job->progress);

    if (p < 0 || p == job->progress_sent || pa->n == 64 || job->outcome != HEFT_OUT_NONE)
        return;
    job->progress_sent = p;   /* the pool's lock is held: maint is its only writer */
    heft_buf_printf(&pa->keys, "heft:{%s}:job:%s", job->queue_name, job->id);
    heft_buf_append(&pa->keys, "", 1);
    pa->values[pa->n++] = p;
}

/* Write the progress handlers reported (heft_job_progress) to the job hashes. */
static void publish_progress(struct maint *m)
{
    struct progress_args pa = { .keys = HEFT_BUF_INIT };
    const char *key;
    redisReply *r;
    size_t i;

    heft_pool_visit(m->d->pool, add_progress, &pa);
    for (i = 0, key = pa.keys.data; i < pa.n; i++, key += strlen(key) + 1) {
        heft_cmd_reset(&m->cmd);
        heft_cmd_borrows(&m->cmd, "HSET");
        heft_cmd_borrows(&m->cmd, key);
        heft_cmd_borrows(&m->cmd, "progress");
        heft_cmd_int(&m->cmd, pa.values[i]);
        if (!(r = heft_link_call(m->link, &m->cmd)))
            break;
        freeReplyObject(r);
    }
    heft_buf_free(&pa.keys);
}

/* ---- reclaiming jobs of dead workers ---- */

static void borrow_field(struct heft_cmd *c, const redisReply *fields, const char *name)
{
    const redisReply *v = heft_reply_field(fields, name);

    if (v && v->type == REDIS_REPLY_STRING)
        heft_cmd_borrow(c, v->str, v->len);
    else
        heft_cmd_borrows(c, "");
}

static int entry_ok(const redisReply *e)
{
    return e && e->type == REDIS_REPLY_ARRAY && e->elements == 2 &&
           e->element[1]->type == REDIS_REPLY_ARRAY;
}

/* reclaim.lua's KEYS up to the jobs' own. */
static void reclaim_begin(struct maint *m, const struct heft_queue *q, int band, size_t n)
{
    heft_cmd_reset(&m->cmd);
    heft_link_script(m->link, &m->cmd, HEFT_SCRIPT_RECLAIM, 4 + 2 * (int)n);
    heft_cmd_borrows(&m->cmd, q->stream[band]);
    heft_cmd_borrows(&m->cmd, q->dead);
    heft_cmd_borrows(&m->cmd, q->stats);
    heft_cmd_borrows(&m->cmd, q->sealed);
}

static void reclaim_job_keys(struct maint *m, const struct heft_queue *q, const char *id)
{
    heft_cmd_printf(&m->cmd, "%sjob:%s", q->prefix, id);
    heft_cmd_printf(&m->cmd, "%sreply:%s", q->prefix, id);
}

static void reclaim_args(struct maint *m, const struct heft_queue *q)
{
    heft_cmd_int(&m->cmd, m->d->cfg->max_deliveries);
    heft_cmd_int(&m->cmd, m->d->cfg->dead_max_age);
    heft_cmd_borrows(&m->cmd, q->events);
}

static void reclaim_send(struct maint *m, const struct heft_queue *q)
{
    redisReply *r = heft_link_call_script(m->link, &m->cmd);

    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        (r->element[0]->integer || r->element[1]->integer))
        log_warn("queue %s: reclaimed %lld job(s) from stopped workers, %lld dead "
                 "(poison, or sealed and lost)",
                 q->name, r->element[0]->integer, r->element[1]->integer);
    else if (r && r->type == REDIS_REPLY_ERROR)
        log_error("reclaim %s: %s", q->name, r->str);
    if (r)
        freeReplyObject(r);
}

static void reclaim_entries(struct maint *m, const struct heft_queue *q, int band, const redisReply *entries)
{
    size_t i, n = 0;

    for (i = 0; i < entries->elements; i++)
        n += entry_ok(entries->element[i]);
    if (!n)
        return;
    reclaim_begin(m, q, band, n);
    for (i = 0; i < entries->elements; i++) {
        const redisReply *e = entries->element[i], *id;

        if (!entry_ok(e))
            continue;
        id = heft_reply_field(e->element[1], "id");
        reclaim_job_keys(m, q, id ? id->str : "");
    }
    reclaim_args(m, q);
    for (i = 0; i < entries->elements; i++) {
        const redisReply *e = entries->element[i];

        if (!entry_ok(e))
            continue;
        heft_cmd_borrows(&m->cmd, e->element[0]->str);
        borrow_field(&m->cmd, e->element[1], "id");
        borrow_field(&m->cmd, e->element[1], "type");
        borrow_field(&m->cmd, e->element[1], "payload");
        borrow_field(&m->cmd, e->element[1], "opts");
    }
    reclaim_send(m, q);
}

/* Sealed jobs whose lease looks over by this host's clock; reclaim.lua
 * decides by Redis's. */
static int reap_sealed(struct maint *m, const struct heft_queue *q)
{
    redisReply *ids;
    size_t i;

    if (!(ids = due_members(m, q->sealed, heft_now_ms())))
        return -1;
    if (ids->type == REDIS_REPLY_ARRAY && ids->elements > 0) {
        reclaim_begin(m, q, HEFT_BAND_NORMAL, ids->elements);
        for (i = 0; i < ids->elements; i++)
            reclaim_job_keys(m, q, ids->element[i]->str);
        reclaim_args(m, q);
        for (i = 0; i < ids->elements; i++) {
            heft_cmd_borrows(&m->cmd, "");
            heft_cmd_borrow(&m->cmd, ids->element[i]->str, ids->element[i]->len);
            heft_cmd_borrows(&m->cmd, "");
            heft_cmd_borrows(&m->cmd, "");
            heft_cmd_borrows(&m->cmd, "");
        }
        reclaim_send(m, q);
    }
    freeReplyObject(ids);
    return 0;
}

/* XAUTOCLAIM entries idle longer than a lease, one page at a time. */
static int reap_stream(struct maint *m, const struct heft_queue *q, int band)
{
    char cursor[64] = "0-0";
    redisReply *r;
    int pages = 0;

    do {
        heft_cmd_reset(&m->cmd);
        heft_cmd_borrows(&m->cmd, "XAUTOCLAIM");
        heft_cmd_borrows(&m->cmd, q->stream[band]);
        heft_cmd_borrows(&m->cmd, "heft");
        heft_cmd_borrows(&m->cmd, m->d->consumer);
        heft_cmd_int(&m->cmd, m->d->cfg->lease_ms);
        heft_cmd_borrows(&m->cmd, cursor);
        heft_cmd_borrows(&m->cmd, "COUNT");
        heft_cmd_int(&m->cmd, SCAN_BATCH);
        if (!(r = heft_link_call(m->link, &m->cmd)))
            return -1;
        if (r->type != REDIS_REPLY_ARRAY || r->elements < 2) {
            freeReplyObject(r);
            return 0;
        }
        snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
        reclaim_entries(m, q, band, r->element[1]);
        freeReplyObject(r);
    } while (strcmp(cursor, "0-0") != 0 && ++pages < 10);
    return 0;
}

static void reap_all(struct maint *m)
{
    size_t q;
    int b;

    for (q = 0; q < m->d->nqueues; q++) {
        if (reap_sealed(m, &m->d->queues[q]) < 0)
            return;
        for (b = 0; b < HEFT_NBANDS; b++)
            if (reap_stream(m, &m->d->queues[q], b) < 0)
                return;
    }
}

/* ---- heartbeat, pause flags, dead-set trimming ---- */

static long long rss_kb(const char *key)
{
    char line[256];
    long long kb = 0;
    size_t klen = strlen(key);
    FILE *f = fopen("/proc/self/status", "r");

    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, klen) && sscanf(line + klen, " %lld", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static void heartbeat(struct maint *m)
{
    struct heft_daemon *d = m->d;
    struct heft_buf queues = HEFT_BUF_INIT;
    char key[256];
    redisReply *r;
    size_t i;

    for (i = 0; i < d->nqueues; i++)
        heft_buf_printf(&queues, "%s%s", i ? "," : "", d->queues[i].name);
    snprintf(key, sizeof key, "heft:worker:%s", d->consumer);
    heft_cmd_reset(&m->cmd);
    heft_cmd_borrows(&m->cmd, "HSET");
    heft_cmd_borrows(&m->cmd, key);
    heft_cmd_borrows(&m->cmd, "host");        heft_cmd_borrows(&m->cmd, d->host);
    heft_cmd_borrows(&m->cmd, "pid");         heft_cmd_int(&m->cmd, getpid());
    heft_cmd_borrows(&m->cmd, "version");     heft_cmd_borrows(&m->cmd, PACKAGE_VERSION);
    heft_cmd_borrows(&m->cmd, "queues");      heft_cmd_borrows(&m->cmd, heft_buf_str(&queues));
    heft_cmd_borrows(&m->cmd, "concurrency"); heft_cmd_int(&m->cmd, d->cfg->concurrency);
    heft_cmd_borrows(&m->cmd, "busy");        heft_cmd_int(&m->cmd, (long long)heft_pool_running(d->pool));
    heft_cmd_borrows(&m->cmd, "processed");
    heft_cmd_int(&m->cmd, atomic_load(&d->counters.succeeded) + atomic_load(&d->counters.failed) +
                          atomic_load(&d->counters.dead));
    heft_cmd_borrows(&m->cmd, "failed");
    heft_cmd_int(&m->cmd, atomic_load(&d->counters.failed) + atomic_load(&d->counters.dead));
    heft_cmd_borrows(&m->cmd, "retried");     heft_cmd_int(&m->cmd, atomic_load(&d->counters.retried));
    heft_cmd_borrows(&m->cmd, "rss_kb");      heft_cmd_int(&m->cmd, rss_kb("VmRSS:"));
    heft_cmd_borrows(&m->cmd, "rss_peak_kb"); heft_cmd_int(&m->cmd, rss_kb("VmHWM:"));
    heft_cmd_borrows(&m->cmd, "started_ms");  heft_cmd_int(&m->cmd, d->started_ms);
    heft_cmd_borrows(&m->cmd, "heartbeat_ms"); heft_cmd_int(&m->cmd, heft_now_ms());
    heft_cmd_borrows(&m->cmd, "heartbeat_interval_ms"); heft_cmd_int(&m->cmd, d->cfg->heartbeat_ms);
    heft_link_append(m->link, &m->cmd);
    heft_cmd_reset(&m->cmd);
    heft_cmd_borrows(&m->cmd, "PEXPIRE");
    heft_cmd_borrows(&m->cmd, key);
    heft_cmd_int(&m->cmd, d->cfg->heartbeat_ms * 3);
    heft_link_append(m->link, &m->cmd);
    heft_cmd_reset(&m->cmd);
    heft_cmd_borrows(&m->cmd, "ZADD");
    heft_cmd_borrows(&m->cmd, "heft:workers");
    heft_cmd_int(&m->cmd, heft_now_ms());
    heft_cmd_borrows(&m->cmd, d->consumer);
    heft_link_append(m->link, &m->cmd);
    for (i = 0; i < 3; i++) {
        if (!(r = heft_link_reply(m->link)))
            break;
        freeReplyObject(r);
    }
    heft_buf_free(&queues);
}

/* A queue is paused while heft:{Q}:paused exists (heftctl pause). */
static void refresh_pauses(struct maint *m)
{
    const char *argv[] = { "EXISTS", NULL };
    redisReply *r;
    size_t i;

    for (i = 0; i < m->d->nqueues; i++) {
        argv[1] = m->d->queues[i].paused;
        if (!(r = heft_link_callv(m->link, 2, argv)))
            return;
        if (r->type == REDIS_REPLY_INTEGER &&
            atomic_exchange(&m->d->queues[i].is_paused, r->integer == 1) != (r->integer == 1))
            log_info("queue %s %s", m->d->queues[i].name, r->integer == 1 ? "paused" : "resumed");
        freeReplyObject(r);
    }
}

/* A command whose reply does not matter. */
static void simple(struct maint *m, int argc, const char **argv)
{
    redisReply *r = heft_link_callv(m->link, argc, argv);

    if (r)
        freeReplyObject(r);
}

static void goodbye(struct maint *m)
{
    char key[256];
    const char *del[] = { "DEL", key };
    const char *zrem[] = { "ZREM", "heft:workers", m->d->consumer };

    if (heft_link_connect(m->link) < 0)
        return;
    snprintf(key, sizeof key, "heft:worker:%s", m->d->consumer);
    simple(m, 2, del);
    simple(m, 3, zrem);
}

/* Drop dead jobs older than dead.max_age, then the oldest beyond max_jobs. */
static void trim_dead(struct maint *m, const struct heft_queue *q)
{
    char cutoff[32], stop[32];
    const char *byscore[] = { "ZREMRANGEBYSCORE", q->dead, "-inf", cutoff };
    const char *card[] = { "ZCARD", q->dead };
    redisReply *r, *ids;
    long long excess;
    size_t i;

    snprintf(cutoff, sizeof cutoff, "%lld", heft_now_ms() - m->d->cfg->dead_max_age * 1000);
    simple(m, 4, byscore);
    if (!(r = heft_link_callv(m->link, 2, card)))
        return;
    excess = r->integer - m->d->cfg->dead_max_jobs;
    freeReplyObject(r);
    if (excess <= 0)
        return;
    snprintf(stop, sizeof stop, "%lld", (excess < 1000 ? excess : 1000) - 1);
    heft_cmd_reset(&m->cmd);
    heft_cmd_borrows(&m->cmd, "ZRANGE");
    heft_cmd_borrows(&m->cmd, q->dead);
    heft_cmd_borrows(&m->cmd, "0");
    heft_cmd_borrows(&m->cmd, stop);
    if (!(ids = heft_link_call(m->link, &m->cmd)))
        return;
    for (i = 0; ids->type == REDIS_REPLY_ARRAY && i < ids->elements; i++) {
        char key[512];
        const char *del[] = { "DEL", key };
        const char *zrem[] = { "ZREM", q->dead, ids->element[i]->str };

        snprintf(key, sizeof key, "%sjob:%s", q->prefix, ids->element[i]->str);
        simple(m, 2, del);
        simple(m, 3, zrem);
    }
    freeReplyObject(ids);
}

/* Every heftd that ever ran left its consumer name in the groups; drop
 * those that hold no job and were not seen for an hour (a live heftd reads
 * at least every second), so XINFO CONSUMERS stays readable. */
static void forget_consumers(struct maint *m, const char *stream)
{
    const char *info[] = { "XINFO", "CONSUMERS", stream, "heft" };
    redisReply *r;
    size_t i, j;

    if (!(r = heft_link_callv(m->link, 4, info)))
        return;
    for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        const redisReply *c = r->element[i], *name = NULL;
        long long pending = -1, idle = -1;

        for (j = 0; c->type == REDIS_REPLY_ARRAY && j + 1 < c->elements; j += 2) {
            const char *k = c->element[j]->str;

            if (!strcmp(k, "name"))
                name = c->element[j + 1];
            else if (!strcmp(k, "pending"))
                pending = c->element[j + 1]->integer;
            else if (!strcmp(k, "idle"))
                idle = c->element[j + 1]->integer;
        }
        if (name && pending == 0 && idle > 3600000 && strcmp(name->str, m->d->consumer)) {
            const char *del[] = { "XGROUP", "DELCONSUMER", stream, "heft", name->str };

            simple(m, 5, del);
        }
    }
    freeReplyObject(r);
}

static void minutely_chores(struct maint *m)
{
    size_t i;
    int b;

    for (i = 0; i < m->d->nqueues; i++) {
        trim_dead(m, &m->d->queues[i]);
        for (b = 0; b < HEFT_NBANDS; b++)
            forget_consumers(m, m->d->queues[i].stream[b]);
    }
}

static void tick(struct maint *m)
{
    long long now = heft_now_ms();

    refresh_pauses(m);
    mark_active(m);
    if (heft_daemon_state(m->d) == HEFT_RUNNING)
        promote_all(m);
    if (now >= m->next_lease) {
        renew_leases(m);
        m->next_lease = now + m->d->cfg->lease_ms / 3;
    }
    if (now >= m->next_reap && heft_daemon_state(m->d) == HEFT_RUNNING) {
        reap_all(m);
        m->next_reap = now + m->d->cfg->lease_ms / 2 + random() % 1000;
    }
    if (now >= m->next_beat) {
        publish_progress(m);
        heartbeat(m);
        m->next_beat = now + m->d->cfg->heartbeat_ms;
    }
    if (now >= m->next_trim) {
        minutely_chores(m);
        m->next_trim = now + TRIM_EVERY_MS;
    }
    heft_metrics_refresh(m->d, m->link);     /* when due; nothing when metrics are off */
}

void *heft_maint_main(void *arg)
{
    struct maint m = { .d = arg, .cmd = HEFT_CMD_INIT };

    m.link = heft_link_create(m.d->cfg, "maint");
    if (!m.link)
        return NULL;
    heft_link_count_reconnects(m.link, &m.d->counters.reconnects);
    while (heft_daemon_state(m.d) != HEFT_STOPPED) {
        if (heft_link_connect(m.link) < 0) {
            atomic_store(&m.d->maint_connected, 0);
            heft_daemon_sleep(m.d, heft_link_backoff_ms(m.link));
            continue;
        }
        tick(&m);
        atomic_store(&m.d->maint_connected, heft_link_connected(m.link));
        atomic_store(&m.d->maint_alive_ms, heft_mono_ms());
        heft_daemon_sleep(m.d, m.d->cfg->poll_ms);
    }
    goodbye(&m);
    heft_cmd_free(&m.cmd);
    heft_link_destroy(m.link);
    return NULL;
}
