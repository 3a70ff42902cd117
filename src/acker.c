/*
 * acker.c - the thread that records finished jobs in Redis.
 *
 * It takes every finished job the pool has, groups them by queue (one
 * queue = one Cluster slot = one script call) and sends one finish.lua
 * call per group of up to BATCH_JOBS jobs, all pipelined.  Under load,
 * results pile up while the previous batch is on the wire, so the batch
 * size grows by itself with the load and the per-job cost falls.
 *
 * If Redis is unreachable the batch is kept and sent again after the
 * reconnect; finish.lua is safe to repeat (XACK/XDEL/HSET are idempotent).
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon.h"
#include "link.h"
#include "log.h"

#define BATCH_JOBS 256
#define BATCH_BYTES (8u << 20)

struct acker {
    struct heft_daemon *d;
    struct heft_link *link;
    struct heft_cmd *cmds;       /* one per script call in flight */
    size_t ncmds, capcmds;
};

static const char *outcome_word(enum heft_outcome o)
{
    switch (o) {
    case HEFT_OUT_OK: return "ok";
    case HEFT_OUT_FAIL: return "fail";
    case HEFT_OUT_RETRY: return "retry";
    case HEFT_OUT_DEAD: return "dead";
    case HEFT_OUT_RELEASE: return "release";
    default: return "skip";
    }
}

static void add_job_args(struct heft_cmd *c, const struct heft_job *job, const char *result)
{
    heft_cmd_borrows(c, job->id);
    heft_cmd_borrows(c, job->entry);
    heft_cmd_int(c, (long long)job->band + 1);
    heft_cmd_borrows(c, outcome_word(job->outcome));
    heft_cmd_borrows(c, job->reply);
    switch (job->outcome) {
    case HEFT_OUT_OK:
        heft_cmd_borrows(c, result);
        heft_cmd_borrow(c, job->blob.data, job->blob.len);
        heft_cmd_borrows(c, "");
        break;
    case HEFT_OUT_RELEASE:
        heft_cmd_borrows(c, job->type);
        heft_cmd_borrow(c, job->opts_text, job->opts_len);
        heft_cmd_borrow(c, job->payload_text, job->payload_len);
        break;
    case HEFT_OUT_SKIP:
        heft_cmd_borrows(c, "");
        heft_cmd_borrows(c, "");
        heft_cmd_borrows(c, "");
        break;
    default:                          /* a sealed payload never goes back */
        heft_cmd_borrows(c, job->code);
        heft_cmd_borrow(c, job->message.data, job->message.len);
        heft_cmd_borrow(c, job->payload_text, job->sealed ? 0 : job->payload_len);
        break;
    }
    heft_cmd_int(c, job->n);
    heft_cmd_int(c, job->attempt);
    heft_cmd_int(c, -heft_ms_until(&job->taken));   /* ms since a worker took it */
    heft_cmd_borrows(c, job->opts.reply ? "1" : "0");
    heft_cmd_borrows(c, job->sealed ? "1" : "0");
}

static struct heft_cmd *next_cmd(struct acker *a)
{
    struct heft_cmd *c;

    if (a->ncmds == a->capcmds) {
        size_t cap = a->capcmds ? a->capcmds * 2 : 8;
        c = realloc(a->cmds, cap * sizeof *c);
        if (!c)
            return NULL;
        memset(c + a->capcmds, 0, (cap - a->capcmds) * sizeof *c);
        a->cmds = c;
        a->capcmds = cap;
    }
    c = &a->cmds[a->ncmds++];
    heft_cmd_reset(c);
    return c;
}

/* The result of a succeeded job as JSON text, for its hash. */
static char *result_text(const struct heft_job *job)
{
    return job->outcome == HEFT_OUT_OK ? json_dumps(job->result, JSON_COMPACT | JSON_ENCODE_ANY)
                                       : NULL;
}

/* Build script calls for the jobs of queue q, starting at *from. */
static int build_queue(struct acker *a, struct heft_job **jobs, size_t n, int q, char **texts)
{
    const struct heft_queue *hq = &a->d->queues[q];
    size_t i = 0, k, bytes;
    struct heft_cmd *c;

    while (i < n) {
        size_t start = i, count = 0;

        for (bytes = 0; i < n && count < BATCH_JOBS && bytes < BATCH_BYTES; i++)
            if (jobs[i]->queue == q) {
                count++;
                bytes += jobs[i]->payload_len + jobs[i]->blob.len;
            }
        if (!count)
            break;
        if (!(c = next_cmd(a)))
            return -1;
        heft_link_script(a->link, c, HEFT_SCRIPT_FINISH, 7 + 2 * (int)count);
        for (k = 0; k < HEFT_NBANDS; k++)
            heft_cmd_borrows(c, hq->stream[k]);
        heft_cmd_borrows(c, hq->delayed);
        heft_cmd_borrows(c, hq->dead);
        heft_cmd_borrows(c, hq->stats);
        heft_cmd_borrows(c, hq->sealed);
        for (k = start; k < i; k++)
            if (jobs[k]->queue == q) {
                heft_cmd_printf(c, "%sjob:%s", hq->prefix, jobs[k]->id ? jobs[k]->id : "");
                heft_cmd_printf(c, "%sreply:%s", hq->prefix, jobs[k]->id ? jobs[k]->id : "");
            }
        heft_cmd_borrows(c, hq->events);
        heft_cmd_borrows(c, a->d->consumer);
        for (k = start; k < i; k++)
            if (jobs[k]->queue == q)
                add_job_args(c, jobs[k], texts[k]);
    }
    return 0;
}

/* Errors worth retrying: Redis is out of memory, loading, busy with a
 * script or read-only during a failover.  Anything else would fail the
 * same way again and is logged instead (the jobs come back after their
 * lease and run again). */
static int transient(const redisReply *r)
{
    static const char *const prefixes[] = { "OOM", "LOADING", "BUSY", "READONLY", "MASTERDOWN",
                                            "TRYAGAIN", "CLUSTERDOWN", NULL };
    const char *const *p;

    for (p = prefixes; *p; p++)
        if (!strncmp(r->str, *p, strlen(*p)))
            return 1;
    return 0;
}

/* Send all calls pipelined; 0 when Redis accepted them all, -1 when the
 * link broke or Redis asked us to come back later. */
static int send_all(struct acker *a)
{
    size_t i, failed = 0;
    redisReply *r;

    for (i = 0; i < a->ncmds; i++)
        if (heft_link_append(a->link, &a->cmds[i]) < 0)
            return -1;
    for (i = 0; i < a->ncmds; i++) {
        if (!(r = heft_link_reply(a->link)))
            return -1;
        if (heft_reply_is_noscript(r)) {
            freeReplyObject(r);
            r = heft_link_reload(a->link) == 0 ? heft_link_call(a->link, &a->cmds[i]) : NULL;
            if (!r)
                return -1;
        }
        if (r->type == REDIS_REPLY_ERROR) {
            log_error("finish: %s", r->str);
            failed += transient(r);
        }
        freeReplyObject(r);
    }
    return failed ? -1 : 0;
}

static int record(struct acker *a, struct heft_job **jobs, size_t n)
{
    char **texts = calloc(n, sizeof *texts);
    size_t i, q;
    int rc = -1;

    if (!texts)
        return -1;
    for (i = 0; i < n; i++)
        texts[i] = result_text(jobs[i]);
    a->ncmds = 0;
    for (q = 0; q < a->d->nqueues; q++)
        if (build_queue(a, jobs, n, (int)q, texts) < 0)
            goto out;
    rc = send_all(a);
out:
    for (i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    return rc;
}

/* Keep trying until recorded or the daemon has stopped for good. */
static void record_until_done(struct acker *a, struct heft_job **jobs, size_t n)
{
    while (heft_daemon_state(a->d) != HEFT_STOPPED) {
        if (heft_link_connect(a->link) == 0 && record(a, jobs, n) == 0)
            return;
        heft_daemon_sleep(a->d, heft_link_backoff_ms(a->link));
    }
    log_error("acker: %zu results not recorded at exit; their jobs will run again", n);
}

static void handle(struct acker *a, struct heft_job *list, size_t n)
{
    struct heft_job **jobs = calloc(n, sizeof *jobs), *next;
    size_t i = 0;

    for (; list; list = next) {
        next = list->next;
        if (jobs)
            jobs[i++] = list;
        else
            heft_job_destroy(list);   /* out of memory: reclaimed later */
    }
    if (jobs)
        record_until_done(a, jobs, n);
    for (i = 0; jobs && i < n; i++)
        heft_job_destroy(jobs[i]);
    free(jobs);
    heft_pool_release(a->d->pool, n);
}

void *heft_acker_main(void *arg)
{
    struct acker a = { .d = arg };
    struct heft_job *list;
    size_t n, i;

    a.link = heft_link_create(a.d->cfg, "acker");
    if (!a.link)
        return NULL;
    heft_link_count_reconnects(a.link, &a.d->counters.reconnects);
    while (heft_daemon_state(a.d) != HEFT_STOPPED) {
        list = heft_pool_take_done(a.d->pool, 200, &n);
        if (list)
            handle(&a, list, n);
    }
    for (i = 0; i < a.capcmds; i++)
        heft_cmd_free(&a.cmds[i]);
    free(a.cmds);
    heft_link_destroy(a.link);
    return NULL;
}
