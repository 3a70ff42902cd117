/*
 * pool.c - worker threads, the ready and done queues, and the capacity
 * that bounds them.
 *
 * DESIGN.  The worker loop follows Redis's bio.c: the lock is held at the
 * top of the loop; a worker waits while there is nothing ready, pops a job,
 * unlocks, runs it, relocks and moves it to done.  Workers block every
 * asynchronous signal: only the main thread handles signals.  Stopping is
 * cooperative: `stopping` is set under the mutex, all waiters are woken,
 * and every thread that can be joined is joined.  No thread is cancelled.
 */
#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

struct jobq {
    struct heft_job *head, *tail;
    size_t len;
};

struct worker {
    struct heft_pool *pool;
    pthread_t tid;
    int started;
    struct heft_job *job;     /* running now, or NULL */
    long long idled_at;       /* the pool's `taken` when it last called idle; -1: never */
};

struct heft_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;      /* ready gained a job, or stopping */
    pthread_cond_t space;     /* a job ended or was recorded (see space_waiters) */
    pthread_cond_t done_cv;   /* done gained a job, or nothing runs any more */
    struct jobq ready, done;
    size_t held;              /* ready + running + done + taken, not yet released */
    size_t running;
    unsigned space_waiters;   /* threads waiting on `space`: wake them only then */
    size_t capacity;
    int stopping;
    unsigned nthreads;
    struct worker *workers;
    struct heft_pool_calls calls;
    long long taken;          /* jobs workers have taken */
    long long last_take_ms;   /* CLOCK_MONOTONIC of the last (or of the start) */
    unsigned idling;          /* workers inside calls.idle */
};

static void q_push(struct jobq *q, struct heft_job *job)
{
    job->next = NULL;
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
    q->len++;
}

static struct heft_job *q_pop(struct jobq *q)
{
    struct heft_job *job = q->head;

    if (job) {
        q->head = job->next;
        if (!q->head)
            q->tail = NULL;
        q->len--;
        job->next = NULL;
    }
    return job;
}

static void q_free(struct jobq *q)
{
    struct heft_job *job;

    while ((job = q_pop(q)))
        heft_job_destroy(job);
}

/* calls.idle on worker w, unlocked; destroy waits for it when it cannot
 * join the workers. */
static void call_idle(struct heft_pool *p, struct worker *w)
{
    w->idled_at = p->taken;
    p->idling++;
    pthread_mutex_unlock(&p->mu);
    p->calls.idle(p->calls.arg);
    pthread_mutex_lock(&p->mu);
    if (--p->idling == 0 && p->stopping)
        pthread_cond_broadcast(&p->done_cv);
}

/* The next job, or NULL when stopping; called and returns with mu held.
 * Once the whole pool has taken no job for idle_ms, each worker calls idle
 * once, and again only after the pool has taken another job: under a light
 * but steady load, jobs go round all the workers and none of them idles.
 * A worker that idled looks again every idle_ms, so that jobs taken by the
 * others meanwhile need not wake it. */
static struct heft_job *wait_for_job(struct heft_pool *p, struct worker *w)
{
    struct heft_job *job;
    struct timespec until;
    long long left;

    while (!p->stopping && !p->ready.len) {
        if (!p->calls.idle) {
            pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        left = p->last_take_ms + p->calls.idle_ms - heft_mono_ms();
        if (left > 0 || w->idled_at == p->taken) {
            until = heft_deadline_after(left > 0 ? left : p->calls.idle_ms);
            pthread_cond_timedwait(&p->work, &p->mu, &until);
        } else {
            call_idle(p, w);
        }
    }
    if (p->stopping)
        return NULL;
    job = q_pop(&p->ready);
    p->taken++;
    if (p->calls.idle)      /* the clock only where it is read */
        p->last_take_ms = heft_mono_ms();
    return job;
}

static void *worker_main(void *opaque)
{
    struct worker *w = opaque;
    struct heft_pool *p = w->pool;
    struct heft_job *job;
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&p->mu);
    while ((job = wait_for_job(p, w))) {
        w->job = job;
        p->running++;
        pthread_mutex_unlock(&p->mu);
        p->calls.run(job, p->calls.arg);
        pthread_mutex_lock(&p->mu);
        w->job = NULL;
        p->running--;
        q_push(&p->done, job);
        pthread_cond_signal(&p->done_cv);
        if (p->space_waiters)
            pthread_cond_broadcast(&p->space);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static int init_sync(struct heft_pool *p)
{
    if (pthread_mutex_init(&p->mu, NULL) != 0 || heft_cond_init(&p->work) != 0 ||
        heft_cond_init(&p->space) != 0 || heft_cond_init(&p->done_cv) != 0)
        return -1;
    return 0;
}

static int start_workers(struct heft_pool *p, size_t stack_size)
{
    pthread_attr_t attr;
    unsigned i;
    int rc = 0;

    pthread_attr_init(&attr);
    if (stack_size)
        pthread_attr_setstacksize(&attr, stack_size);
    p->last_take_ms = heft_mono_ms();
    for (i = 0; i < p->nthreads && rc == 0; i++) {
        p->workers[i].pool = p;
        p->workers[i].idled_at = -1;
        rc = pthread_create(&p->workers[i].tid, &attr, worker_main, &p->workers[i]);
        if (rc != 0)
            log_error("pthread_create() failed for worker %u: %s", i, strerror(rc));
        else
            p->workers[i].started = 1;
    }
    (void)pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}

struct heft_pool *heft_pool_create(unsigned nthreads, size_t capacity, size_t stack_size,
                                   const struct heft_pool_calls *calls)
{
    struct heft_pool *p = calloc(1, sizeof *p);

    if (!p)
        return NULL;
    p->nthreads = nthreads;
    p->capacity = capacity < nthreads ? nthreads : capacity;
    p->calls = *calls;
    p->workers = calloc(nthreads, sizeof *p->workers);
    if (!p->workers || init_sync(p) < 0) {
        free(p->workers);
        free(p);
        return NULL;
    }
    if (start_workers(p, stack_size) < 0) {
        heft_pool_destroy(p);
        return NULL;
    }
    return p;
}

void heft_pool_destroy(struct heft_pool *p)
{
    unsigned i;
    int busy;

    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = 1;
    busy = p->running > 0;
    pthread_cond_broadcast(&p->work);
    pthread_cond_broadcast(&p->space);
    pthread_cond_broadcast(&p->done_cv);
    /* Without the join below, an idle call would outlive what it uses. */
    while (busy && p->idling)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    if (busy) {
        /* A handler ignored cancellation: its thread still uses the pool,
         * so neither join nor free; the process is about to exit. */
        log_warn("pool: %zu handler(s) did not stop; exiting without them", p->running);
        return;
    }
    for (i = 0; i < p->nthreads; i++)
        if (p->workers[i].started)
            pthread_join(p->workers[i].tid, NULL);
    q_free(&p->ready);
    q_free(&p->done);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->space);
    pthread_cond_destroy(&p->done_cv);
    free(p->workers);
    free(p);
}

/* Jobs waiting for or using a worker.  Finished jobs waiting to be
 * recorded do not count: they need no worker, and the acker batches them. */
static size_t in_flight(const struct heft_pool *p)
{
    return p->ready.len + p->running;
}

/* Worth a fetch: half the slots are free, or the workers are about to run
 * out of ready jobs.  Fetching every single freed slot would cost a round
 * trip per job under load; waiting for half keeps batches large while no
 * worker ever waits for work that is queued in Redis. */
static int worth_fetching(const struct heft_pool *p)
{
    size_t busy = in_flight(p);

    return busy < p->capacity && (p->capacity - busy >= (p->capacity + 1) / 2 || !p->ready.len);
}

size_t heft_pool_wait_space(struct heft_pool *p, long long timeout_ms)
{
    struct timespec until = heft_deadline_after(timeout_ms);
    size_t free_slots = 0;

    pthread_mutex_lock(&p->mu);
    p->space_waiters++;
    while (!p->stopping && !worth_fetching(p))
        if (pthread_cond_timedwait(&p->space, &p->mu, &until) == ETIMEDOUT)
            break;
    p->space_waiters--;
    if (!p->stopping && worth_fetching(p))
        free_slots = p->capacity - in_flight(p);
    pthread_mutex_unlock(&p->mu);
    return free_slots;
}

void heft_pool_submit(struct heft_pool *p, struct heft_job *job)
{
    pthread_mutex_lock(&p->mu);
    p->held++;
    q_push(&p->ready, job);
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
}

void heft_pool_complete(struct heft_pool *p, struct heft_job *job)
{
    pthread_mutex_lock(&p->mu);
    p->held++;
    q_push(&p->done, job);
    pthread_cond_signal(&p->done_cv);
    pthread_mutex_unlock(&p->mu);
}

struct heft_job *heft_pool_take_done(struct heft_pool *p, long long timeout_ms, size_t *count)
{
    struct timespec until = heft_deadline_after(timeout_ms);
    struct heft_job *list;

    pthread_mutex_lock(&p->mu);
    while (!p->done.len && !p->stopping)
        if (pthread_cond_timedwait(&p->done_cv, &p->mu, &until) == ETIMEDOUT)
            break;
    list = p->done.head;
    *count = p->done.len;
    memset(&p->done, 0, sizeof p->done);
    pthread_mutex_unlock(&p->mu);
    return list;
}

void heft_pool_release(struct heft_pool *p, size_t n)
{
    pthread_mutex_lock(&p->mu);
    p->held -= n < p->held ? n : p->held;
    pthread_cond_broadcast(&p->space);
    pthread_mutex_unlock(&p->mu);
}

void heft_pool_visit(struct heft_pool *p, heft_pool_visit_fn fn, void *arg)
{
    struct heft_job *job;
    unsigned i;

    pthread_mutex_lock(&p->mu);
    for (job = p->ready.head; job; job = job->next)
        fn(job, arg);
    for (i = 0; i < p->nthreads; i++)
        if (p->workers[i].job)
            fn(p->workers[i].job, arg);
    for (job = p->done.head; job; job = job->next)
        fn(job, arg);
    pthread_mutex_unlock(&p->mu);
}

void heft_pool_unqueue(struct heft_pool *p)
{
    struct heft_job *job;

    pthread_mutex_lock(&p->mu);
    while ((job = q_pop(&p->ready))) {
        job->outcome = HEFT_OUT_RELEASE;
        clock_gettime(CLOCK_MONOTONIC, &job->taken);
        q_push(&p->done, job);
    }
    pthread_cond_signal(&p->done_cv);
    pthread_mutex_unlock(&p->mu);
}

void heft_pool_cancel(struct heft_pool *p)
{
    unsigned i;

    pthread_mutex_lock(&p->mu);
    for (i = 0; i < p->nthreads; i++)
        if (p->workers[i].job)
            atomic_store(&p->workers[i].job->cancel, 1);
    pthread_mutex_unlock(&p->mu);
}

/* Wait until cond() holds; `space` is broadcast when a job ends and when
 * the acker records jobs. */
static int wait_until(struct heft_pool *p, long long timeout_ms, int (*cond)(struct heft_pool *))
{
    struct timespec until = heft_deadline_after(timeout_ms);
    int rc = 0;

    pthread_mutex_lock(&p->mu);
    p->space_waiters++;
    while (!cond(p) && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p->space, &p->mu, &until);
    p->space_waiters--;
    rc = cond(p) ? 0 : -1;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static int is_idle(struct heft_pool *p) { return p->running == 0 && p->ready.len == 0; }
static int is_empty(struct heft_pool *p) { return p->held == 0; }

int heft_pool_wait_idle(struct heft_pool *p, long long timeout_ms)
{
    return wait_until(p, timeout_ms, is_idle);
}

int heft_pool_wait_empty(struct heft_pool *p, long long timeout_ms)
{
    return wait_until(p, timeout_ms, is_empty);
}

size_t heft_pool_running(struct heft_pool *p)
{
    size_t n;

    pthread_mutex_lock(&p->mu);
    n = p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

unsigned heft_pool_threads(const struct heft_pool *p)
{
    return p->nthreads;
}
