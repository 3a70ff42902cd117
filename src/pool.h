/*
 * pool.h - the worker threads and the two queues around them.
 *
 *   fetcher --submit--> [ready] --> worker threads --> [done] --take--> acker
 *
 * One mutex guards both queues and the running slots; three condition
 * variables say "work to do" (workers), "room for more" (fetcher) and
 * "results to record" (acker).  At most `capacity` jobs wait for or use a
 * worker (ready + running): that is the prefetch bound, so a process never
 * takes more of a queue than it can start soon.  Finished jobs waiting for
 * the acker do not count; they hold no worker.
 *
 * Ownership: submit and complete take the job; take_done gives the caller
 * a list of jobs it must destroy after recording them (then call
 * heft_pool_release() with their number).
 */
#ifndef HEFT_POOL_H
#define HEFT_POOL_H

#include <stddef.h>

#include "job.h"

struct heft_pool;

typedef void (*heft_pool_run_fn)(struct heft_job *job, void *arg);
typedef void (*heft_pool_idle_fn)(void *arg);
typedef void (*heft_pool_visit_fn)(struct heft_job *job, void *arg);

/* What the workers call, with arg: run for every job, and idle (optional)
 * once on each worker's thread when the whole pool has taken no job for
 * idle_ms, outside the pool's lock; again only after the pool has taken
 * another job. */
struct heft_pool_calls {
    heft_pool_run_fn run;
    heft_pool_idle_fn idle;
    long long idle_ms;
    void *arg;
};

/* Start nthreads workers with stack_size bytes of stack each. NULL on
 * failure (logged). */
struct heft_pool *heft_pool_create(unsigned nthreads, size_t capacity, size_t stack_size,
                                   const struct heft_pool_calls *calls);
/* Stop and join the workers (after they finished what they run) and free
 * the pool with any jobs still in it.  Workers stuck in a handler that
 * never returns are left behind (the process is exiting). */
void heft_pool_destroy(struct heft_pool *p);

/* Free slots (capacity - ready - running), waiting up to timeout_ms until
 * half of them are free or no job is left waiting for a worker; 0 on
 * time-out or stop. */
size_t heft_pool_wait_space(struct heft_pool *p, long long timeout_ms);
void heft_pool_submit(struct heft_pool *p, struct heft_job *job);
/* A job that needs no worker (outcome already set) goes straight to done. */
void heft_pool_complete(struct heft_pool *p, struct heft_job *job);

/* All done jobs (linked by ->next, oldest first), waiting up to
 * timeout_ms; NULL if none.  *count receives their number. */
struct heft_job *heft_pool_take_done(struct heft_pool *p, long long timeout_ms, size_t *count);
/* The acker recorded n jobs: their slots are free again. */
void heft_pool_release(struct heft_pool *p, size_t n);

/* Visit every job the pool holds (under its lock: be quick, copy). */
void heft_pool_visit(struct heft_pool *p, heft_pool_visit_fn fn, void *arg);

/* Shutdown steps, in order: */
void heft_pool_unqueue(struct heft_pool *p);          /* ready jobs -> done, released */
void heft_pool_cancel(struct heft_pool *p);           /* ask running handlers to stop */
int heft_pool_wait_idle(struct heft_pool *p, long long timeout_ms); /* 0 when none run */
int heft_pool_wait_empty(struct heft_pool *p, long long timeout_ms); /* 0 when all recorded */

size_t heft_pool_running(struct heft_pool *p);
unsigned heft_pool_threads(const struct heft_pool *p);

#endif
