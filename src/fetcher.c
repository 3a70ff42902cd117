/*
 * fetcher.c - the thread that takes jobs from the ready streams and hands
 * them to the pool.
 *
 * It only ever asks for as many jobs as the pool has free slots (the
 * prefetch bound), so other heftd processes get the rest of a queue.  A
 * round is: fetch.lua (non-blocking, exact count, priority order); if that
 * found nothing, a blocking XREADGROUP over all streams for up to a
 * second.  A round costs one round trip: everything a worker needs (id,
 * type, payload, options, attempt) is in the stream entry, and marking the
 * jobs active in their hashes is left to the maintenance thread.
 *
 * Jobs of a type that seals its payload (a password) cost one more round
 * trip: seal.lua takes their entries out of the stream before any of them
 * runs, so the secret is in Redis only while the job waits.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "link.h"
#include "log.h"
#include "registry.h"

#define BLOCK_MS 1000

struct fetcher {
    struct heft_daemon *d;
    struct heft_link *link;
    struct heft_cmd cmd;
    int dry;                   /* the last round found the streams empty */
    const char **order;        /* streams in the order to serve them */
    size_t norder;
};

/* Weighted order: a queue's chance to come first is weight / total. */
static void shuffle_weighted(struct heft_daemon *d, size_t *idx, size_t n)
{
    size_t i, j;
    unsigned total, pick;

    for (i = 0; i < n; i++) {
        total = 0;
        for (j = i; j < n; j++)
            total += d->queues[idx[j]].weight;
        pick = (unsigned)random() % (total ? total : 1);
        for (j = i; j < n - 1 && pick >= d->queues[idx[j]].weight; j++)
            pick -= d->queues[idx[j]].weight;
        size_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

/* High band of every queue first, then normal, then low. */
static void plan_order(struct fetcher *f)
{
    struct heft_daemon *d = f->d;
    size_t idx[HEFT_MAX_QUEUES], n = 0, i;
    int b;

    for (i = 0; i < d->nqueues; i++)
        if (!atomic_load(&d->queues[i].is_paused))
            idx[n++] = i;
    if (d->cfg->queue_order == HEFT_ORDER_WEIGHTED && n > 1)
        shuffle_weighted(d, idx, n);
    f->norder = 0;
    for (b = 0; b < HEFT_NBANDS; b++)
        for (i = 0; i < n; i++)
            f->order[f->norder++] = d->queues[idx[i]].stream[b];
}

static char *dup_field(const redisReply *r)
{
    char *s = malloc(r->len + 1);

    if (s) {
        memcpy(s, r->str, r->len);
        s[r->len] = '\0';
    }
    return s;
}

static void take_fields(struct heft_job *job, const redisReply *fields)
{
    size_t i;

    for (i = 0; i + 1 < fields->elements; i += 2) {
        const redisReply *k = fields->element[i], *v = fields->element[i + 1];

        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        if (!strcmp(k->str, "id") && !job->id)
            job->id = dup_field(v);
        else if (!strcmp(k->str, "type") && !job->type)
            job->type = dup_field(v);
        else if (!strcmp(k->str, "payload") && !job->payload_text) {
            job->payload_text = dup_field(v);
            job->payload_len = v->len;
        } else if (!strcmp(k->str, "opts") && !job->opts_text) {
            job->opts_text = dup_field(v);
            job->opts_len = v->len;
        } else if (!strcmp(k->str, "attempt")) {
            job->attempt = atoi(v->str);
        }
    }
    if (job->attempt < 1)
        job->attempt = 1;
}

/* One stream's entries from an XREADGROUP-shaped reply, appended to list. */
static void take_stream(struct fetcher *f, const redisReply *s, struct heft_job ***tail, size_t *n)
{
    enum heft_band band;
    int q;
    size_t i;

    if (s->type != REDIS_REPLY_ARRAY || s->elements != 2)
        return;
    q = heft_daemon_find_stream(f->d, s->element[0]->str, s->element[0]->len, &band);
    if (q < 0)
        return;
    for (i = 0; i < s->element[1]->elements; i++) {
        const redisReply *e = s->element[1]->element[i];
        struct heft_job *job;

        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        job = heft_job_create(q, f->d->queues[q].name, band, e->element[0]->str);
        if (!job)
            continue;     /* out of memory: the entry stays pending and is reclaimed */
        take_fields(job, e->element[1]);
        job->sealed = job->id && job->type && heft_type_sealed(f->d->cfg, job->type);
        **tail = job;
        *tail = &job->next;
        (*n)++;
    }
}

static struct heft_job *parse_batch(struct fetcher *f, const redisReply *r, size_t *n)
{
    struct heft_job *head = NULL, **tail = &head;
    size_t i;

    *n = 0;
    if (r->type != REDIS_REPLY_ARRAY)
        return NULL;
    for (i = 0; i < r->elements; i++)
        take_stream(f, r->element[i], &tail, n);
    return head;
}

static int is_nogroup(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR && strstr(r->str, "NOGROUP");
}

static redisReply *fetch_now(struct fetcher *f, size_t want)
{
    size_t i;

    heft_cmd_reset(&f->cmd);
    heft_link_script(f->link, &f->cmd, HEFT_SCRIPT_FETCH, (int)f->norder);
    for (i = 0; i < f->norder; i++)
        heft_cmd_borrows(&f->cmd, f->order[i]);
    heft_cmd_borrows(&f->cmd, f->d->consumer);
    heft_cmd_int(&f->cmd, (long long)want);
    return heft_link_call_script(f->link, &f->cmd);
}

static redisReply *fetch_blocking(struct fetcher *f, size_t want)
{
    size_t i;

    heft_cmd_reset(&f->cmd);
    heft_cmd_borrows(&f->cmd, "XREADGROUP");
    heft_cmd_borrows(&f->cmd, "GROUP");
    heft_cmd_borrows(&f->cmd, "heft");
    heft_cmd_borrows(&f->cmd, f->d->consumer);
    heft_cmd_borrows(&f->cmd, "COUNT");
    heft_cmd_int(&f->cmd, (long long)want);
    heft_cmd_borrows(&f->cmd, "BLOCK");
    heft_cmd_int(&f->cmd, BLOCK_MS);
    heft_cmd_borrows(&f->cmd, "STREAMS");
    for (i = 0; i < f->norder; i++)
        heft_cmd_borrows(&f->cmd, f->order[i]);
    for (i = 0; i < f->norder; i++)
        heft_cmd_borrows(&f->cmd, ">");
    return heft_link_call(f->link, &f->cmd);
}

/* Whether some stream gave all it was asked for (it may hold more). */
static int some_stream_full(const redisReply *r, size_t per)
{
    size_t i;

    for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_ARRAY && r->element[i]->elements == 2 &&
            r->element[i]->element[1]->elements >= per)
            return 1;
    return 0;
}

static int fetch_error(struct fetcher *f, redisReply *r)
{
    if (is_nogroup(r)) {
        heft_daemon_create_groups(f->d, f->link);   /* streams deleted under us */
    } else {
        log_error("fetch: %s", r->str);
        heft_daemon_sleep(f->d, 1000);              /* no busy loop on a sick Redis */
    }
    freeReplyObject(r);
    return -1;
}

/* Once the streams ran dry, a round goes straight to the blocking read:
 * the non-blocking pass would only find them empty again and cost a
 * script call per job at low rates.  The blocking read asks each stream
 * for want / streams entries so that together they never exceed the free
 * slots; when a stream gives all it was asked, work is back, and the next
 * round takes it in priority order with fetch.lua again.
 * NULL: nothing, the link broke, or an error reply (handled here). */
static redisReply *fetch(struct fetcher *f, size_t want)
{
    size_t per = want / f->norder ? want / f->norder : 1;
    redisReply *r;

    if (!f->dry) {
        r = fetch_now(f, want);
        if (!r || (r->type == REDIS_REPLY_ERROR && fetch_error(f, r) < 0))
            return NULL;
        if (r->type != REDIS_REPLY_ARRAY || r->elements > 0)
            return r;
        freeReplyObject(r);
        f->dry = 1;
    }
    r = fetch_blocking(f, per);
    if (!r || (r->type == REDIS_REPLY_ERROR && fetch_error(f, r) < 0))
        return NULL;
    f->dry = !some_stream_full(r, per);
    return r;
}

static int seal_queue(struct fetcher *f, struct heft_job *list, int q, size_t n)
{
    const struct heft_queue *hq = &f->d->queues[q];
    struct heft_job *job;
    redisReply *r;
    int ok;

    heft_cmd_reset(&f->cmd);
    heft_link_script(f->link, &f->cmd, HEFT_SCRIPT_SEAL, 1 + 2 * (int)n);
    heft_cmd_borrows(&f->cmd, hq->sealed);
    for (job = list; job; job = job->next)
        if (job->sealed && job->queue == q) {
            heft_cmd_borrows(&f->cmd, hq->stream[job->band]);
            heft_cmd_printf(&f->cmd, "%sjob:%s", hq->prefix, job->id);
        }
    heft_cmd_borrows(&f->cmd, "take");
    heft_cmd_int(&f->cmd, f->d->cfg->lease_ms);
    for (job = list; job; job = job->next)
        if (job->sealed && job->queue == q) {
            heft_cmd_borrows(&f->cmd, job->entry);
            heft_cmd_borrows(&f->cmd, job->id);
        }
    if (!(r = heft_link_call_script(f->link, &f->cmd)))
        return -1;
    ok = r->type == REDIS_REPLY_INTEGER;
    if (!ok)
        log_error("seal %s: %s", hq->name, r->type == REDIS_REPLY_ERROR ? r->str : "odd reply");
    freeReplyObject(r);
    return ok ? 0 : -1;
}

/* Seal the batch's sealed jobs, one call per queue.  A job that could not
 * be sealed does not run now: dropped here, its entry stays pending and
 * its lease brings it back, payload and all, for another try. */
static struct heft_job *seal_batch(struct fetcher *f, struct heft_job *list)
{
    struct heft_job *job, **p;
    size_t q, n;

    for (q = 0; q < f->d->nqueues; q++) {
        for (n = 0, job = list; job; job = job->next)
            n += job->sealed && job->queue == (int)q;
        if (!n || seal_queue(f, list, (int)q, n) == 0)
            continue;
        log_warn("queue %s: %zu sealed job(s) not taken; they come back after their lease",
                 f->d->queues[q].name, n);
        for (p = &list; (job = *p);) {
            if (job->sealed && job->queue == (int)q) {
                *p = job->next;
                heft_job_destroy(job);
            } else {
                p = &job->next;
            }
        }
    }
    return list;
}

static void dispatch(struct fetcher *f, struct heft_job *list)
{
    struct heft_job *job, *next;

    for (job = list; job; job = next) {
        next = job->next;
        if (!job->id) {
            log_warn("queue %s: stream entry %s has no job id; dropped",
                     job->queue_name, job->entry);
            job->outcome = HEFT_OUT_SKIP;
        }
        if (job->outcome == HEFT_OUT_SKIP)
            heft_pool_complete(f->d->pool, job);
        else
            heft_pool_submit(f->d->pool, job);
    }
}

static void round_once(struct fetcher *f)
{
    size_t want, n;
    redisReply *r;
    struct heft_job *list;

    want = heft_pool_wait_space(f->d->pool, 500);
    if (!want)
        return;
    plan_order(f);
    if (!f->norder) {                      /* every queue paused */
        heft_daemon_sleep(f->d, 50);
        return;
    }
    if (!(r = fetch(f, want)))
        return;
    list = parse_batch(f, r, &n);
    freeReplyObject(r);
    list = seal_batch(f, list);
    if (!list)
        return;
    dispatch(f, list);
}

void *heft_fetcher_main(void *arg)
{
    struct fetcher f = { .d = arg, .cmd = HEFT_CMD_INIT };

    f.link = heft_link_create(f.d->cfg, "fetcher");
    f.order = calloc(f.d->nqueues * HEFT_NBANDS, sizeof *f.order);
    if (!f.link || !f.order)
        goto out;
    heft_link_count_reconnects(f.link, &f.d->counters.reconnects);
    while (heft_daemon_state(f.d) == HEFT_RUNNING) {
        if (!heft_link_connected(f.link))
            f.dry = 0;
        if (heft_link_connect(f.link) < 0) {
            heft_daemon_sleep(f.d, heft_link_backoff_ms(f.link));
            continue;
        }
        round_once(&f);
    }
out:
    heft_cmd_free(&f.cmd);
    heft_link_destroy(f.link);
    free(f.order);
    return NULL;
}
