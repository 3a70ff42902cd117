/*
 * check_pool.c - the worker pool: jobs go in through submit (or complete),
 * come back through take_done, and hold a slot of the pool's capacity until
 * the acker releases them; shutdown unqueues, cancels and waits.
 *
 * The run function here stands in for heftd's worker: a job of type
 * "quick" succeeds at once; a job of type "block" stands for a long handler
 * and runs until the test opens the gate or the pool cancels it.  Every
 * wait is bounded, so a broken pool fails a test instead of hanging it.
 */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job.h"
#include "pool.h"

/* Generous bound for anything that should happen "soon". */
#define SOON_MS 5000

struct ctl {
    atomic_int gate;        /* 1: "block" jobs may finish */
    atomic_int started;     /* run calls so far */
    atomic_int finished;    /* run calls that returned */
    atomic_int idled;       /* idle calls so far */
};

static struct ctl ctl;

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static void run_job(struct heft_job *job, void *arg)
{
    struct ctl *c = arg;
    int waited = 0;

    job->started = 1;
    atomic_fetch_add(&c->started, 1);
    if (strcmp(job->type, "block") == 0) {
        /* Like a handler checking heft_job_cancelled() between units of
         * work; bounded so that a lost wake-up cannot hang the test. */
        while (!atomic_load(&c->gate) && !atomic_load(&job->cancel) && waited < 2 * SOON_MS) {
            sleep_ms(1);
            waited++;
        }
    }
    job->outcome = atomic_load(&job->cancel) ? HEFT_OUT_RELEASE : HEFT_OUT_OK;
    atomic_fetch_add(&c->finished, 1);
}

static void setup(void)
{
    atomic_store(&ctl.gate, 0);
    atomic_store(&ctl.started, 0);
    atomic_store(&ctl.finished, 0);
    atomic_store(&ctl.idled, 0);
}

static void idle(void *arg)
{
    struct ctl *c = arg;

    atomic_fetch_add(&c->idled, 1);
}

static struct heft_pool *make_pool(unsigned nthreads, size_t capacity)
{
    struct heft_pool_calls calls = { run_job, NULL, 0, &ctl };
    struct heft_pool *p = heft_pool_create(nthreads, capacity, 0, &calls);

    ck_assert_ptr_nonnull(p);
    return p;
}

/* A job of the given type; seq is kept in ->attempt to check order. */
static struct heft_job *make_job(const char *type, int seq)
{
    struct heft_job *job = heft_job_create(0, "default", HEFT_BAND_NORMAL, "1-0");

    ck_assert_ptr_nonnull(job);
    job->type = strdup(type);
    ck_assert_ptr_nonnull(job->type);
    job->attempt = seq;
    return job;
}

/* Wait until *counter reaches want; 0, or -1 after SOON_MS. */
static int wait_count(atomic_int *counter, int want)
{
    int i;

    for (i = 0; i < SOON_MS && atomic_load(counter) < want; i++)
        sleep_ms(1);
    return atomic_load(counter) >= want ? 0 : -1;
}

/* Take done jobs until want of them arrived (or SOON_MS passed), in the
 * order the pool gave them; returns how many were taken. */
static size_t take(struct heft_pool *p, struct heft_job **jobs, size_t want)
{
    struct timespec start, now;
    size_t got = 0, n;
    struct heft_job *list;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while (got < want) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - start.tv_sec) * 1000 > SOON_MS)
            break;
        list = heft_pool_take_done(p, 100, &n);
        while (list && got < want) {
            jobs[got++] = list;
            list = list->next;
        }
        ck_assert_ptr_null(list);      /* never more than we expected */
    }
    return got;
}

/* What the acker does after recording: destroy and release the slots. */
static void record(struct heft_pool *p, struct heft_job **jobs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        heft_job_destroy(jobs[i]);
    heft_pool_release(p, n);
}

/* ---- jobs in, jobs out --------------------------------------------------- */

START_TEST(test_pool_returns_every_job_in_order_with_one_thread)
{
    struct heft_pool *p = make_pool(1, 16);
    struct heft_job *done[10];
    int i;

    for (i = 0; i < 10; i++)
        heft_pool_submit(p, make_job("quick", i));
    ck_assert_uint_eq(take(p, done, 10), 10);
    for (i = 0; i < 10; i++) {
        ck_assert_int_eq(done[i]->attempt, i);
        ck_assert_int_eq(done[i]->outcome, HEFT_OUT_OK);
        ck_assert_int_eq(done[i]->started, 1);
    }
    record(p, done, 10);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_returns_every_job_exactly_once_with_several_threads)
{
    struct heft_pool *p = make_pool(4, 200);
    struct heft_job *done[200];
    int seen[200] = { 0 };
    int i;

    for (i = 0; i < 200; i++)
        heft_pool_submit(p, make_job("quick", i));
    ck_assert_uint_eq(take(p, done, 200), 200);
    for (i = 0; i < 200; i++) {
        ck_assert_int_eq(done[i]->outcome, HEFT_OUT_OK);
        seen[done[i]->attempt]++;
    }
    for (i = 0; i < 200; i++)
        ck_assert_int_eq(seen[i], 1);
    ck_assert_int_eq(atomic_load(&ctl.started), 200);
    record(p, done, 200);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_take_done_times_out_empty_handed)
{
    struct heft_pool *p = make_pool(1, 4);
    size_t n = 99;

    ck_assert_ptr_null(heft_pool_take_done(p, 20, &n));
    ck_assert_uint_eq(n, 0);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_complete_sends_a_job_straight_to_done)
{
    struct heft_pool *p = make_pool(1, 4);
    struct heft_job *job = make_job("quick", 7), *done[1];

    job->outcome = HEFT_OUT_FAIL;       /* e.g. an envelope error found early */
    heft_pool_complete(p, job);
    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 4);     /* it needs no worker, no slot */
    ck_assert_uint_eq(take(p, done, 1), 1);
    ck_assert_ptr_eq(done[0], job);
    ck_assert_int_eq(job->outcome, HEFT_OUT_FAIL);
    ck_assert_int_eq(job->started, 0);
    ck_assert_int_eq(atomic_load(&ctl.started), 0);
    record(p, done, 1);
    heft_pool_destroy(p);
}
END_TEST

/* A pool of n workers with idle calls after idle_ms, once each has made
 * the idle call of its start. */
static struct heft_pool *idle_pool(unsigned n, long long idle_ms)
{
    struct heft_pool_calls calls = { run_job, idle, idle_ms, &ctl };
    struct heft_pool *p = heft_pool_create(n, n, 0, &calls);

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(wait_count(&ctl.idled, (int)n), 0);
    return p;
}

/* One quick job through p, waited for and recorded. */
static void one_job(struct heft_pool *p, int seq)
{
    struct heft_job *done[1];

    heft_pool_submit(p, make_job("quick", seq));
    ck_assert_uint_eq(take(p, done, 1), 1);
    record(p, done, 1);
}

START_TEST(test_pool_workers_call_idle_once_when_the_pool_has_had_no_job_for_idle_ms)
{
    /* heftd gives back per-thread memory there (idle_release_ms). */
    struct heft_pool *p = idle_pool(2, 50);

    sleep_ms(200);
    ck_assert_int_eq(atomic_load(&ctl.idled), 2);      /* each worker once */
    one_job(p, 0);
    ck_assert_int_eq(wait_count(&ctl.idled, 4), 0);    /* each again, after a job */
    sleep_ms(200);
    ck_assert_int_eq(atomic_load(&ctl.idled), 4);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_workers_do_not_idle_while_jobs_keep_coming)
{
    /* One job every 20 ms, idle_ms 200: no worker idles, though with the
     * jobs going round 16 workers each may wait 320 ms for one of its own. */
    struct heft_pool *p = idle_pool(16, 200);

    for (int i = 0; i < 40; i++) {
        one_job(p, i);
        sleep_ms(20);
    }
    ck_assert_int_eq(atomic_load(&ctl.idled), 16);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_threads_and_running_report_the_pool_state)
{
    struct heft_pool *p = make_pool(3, 8);
    struct heft_job *done[1];

    ck_assert_uint_eq(heft_pool_threads(p), 3);
    ck_assert_uint_eq(heft_pool_running(p), 0);
    heft_pool_submit(p, make_job("block", 0));
    ck_assert_int_eq(wait_count(&ctl.started, 1), 0);
    ck_assert_uint_eq(heft_pool_running(p), 1);
    atomic_store(&ctl.gate, 1);
    ck_assert_uint_eq(take(p, done, 1), 1);
    ck_assert_uint_eq(heft_pool_running(p), 0);
    record(p, done, 1);
    heft_pool_destroy(p);
}
END_TEST

/* ---- capacity ------------------------------------------------------------ */

START_TEST(test_pool_wait_space_is_capacity_minus_jobs_waiting_or_running)
{
    struct heft_pool *p = make_pool(1, 4);
    struct heft_job *done[2];

    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 4);
    heft_pool_submit(p, make_job("block", 0));
    ck_assert_int_eq(wait_count(&ctl.started, 1), 0);
    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 3);     /* one running */
    heft_pool_submit(p, make_job("block", 1));
    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 2);     /* and one waiting */

    /* A finished job needs no worker: its slot is free before the acker
     * has recorded it, so a slow Redis write does not stall fetching. */
    atomic_store(&ctl.gate, 1);
    ck_assert_uint_eq(take(p, done, 2), 2);
    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 4);
    record(p, done, 2);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_wait_space_gives_0_after_a_timeout_when_full)
{
    struct heft_pool *p = make_pool(1, 2);
    struct heft_job *done[2];

    heft_pool_submit(p, make_job("block", 0));
    heft_pool_submit(p, make_job("block", 1));
    ck_assert_uint_eq(heft_pool_wait_space(p, 50), 0);
    atomic_store(&ctl.gate, 1);
    ck_assert_uint_eq(take(p, done, 2), 2);
    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 2);
    record(p, done, 2);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_release_empties_the_pool)
{
    struct heft_pool *p = make_pool(2, 3);
    struct heft_job *done[3];

    heft_pool_submit(p, make_job("quick", 0));
    heft_pool_submit(p, make_job("quick", 1));
    heft_pool_submit(p, make_job("quick", 2));
    ck_assert_uint_eq(take(p, done, 3), 3);
    ck_assert_int_eq(heft_pool_wait_empty(p, 0), -1);     /* not recorded yet */
    record(p, done, 3);
    ck_assert_int_eq(heft_pool_wait_empty(p, 0), 0);
    heft_pool_destroy(p);
}
END_TEST

/* Releasing more than is held (a bookkeeping slip) cannot underflow. */
START_TEST(test_pool_release_never_frees_more_than_capacity)
{
    struct heft_pool *p = make_pool(1, 3);

    heft_pool_release(p, 10);
    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 3);
    heft_pool_destroy(p);
}
END_TEST

struct releaser {
    struct heft_pool *pool;
    struct heft_job *jobs[2];
};

static void *open_gate_later(void *arg)
{
    (void)arg;
    sleep_ms(50);
    atomic_store(&ctl.gate, 1);
    return NULL;
}

START_TEST(test_pool_wait_space_wakes_when_a_job_ends)
{
    struct heft_pool *p = make_pool(1, 1);
    struct heft_job *done[1];
    pthread_t tid;

    heft_pool_submit(p, make_job("block", 0));
    ck_assert_int_eq(pthread_create(&tid, NULL, open_gate_later, NULL), 0);
    ck_assert_uint_eq(heft_pool_wait_space(p, SOON_MS), 1);
    pthread_join(tid, NULL);
    ck_assert_uint_eq(take(p, done, 1), 1);
    record(p, done, 1);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_capacity_is_at_least_one_job_per_thread)
{
    struct heft_pool *p = make_pool(4, 1);

    ck_assert_uint_eq(heft_pool_wait_space(p, 0), 4);
    heft_pool_destroy(p);
}
END_TEST

/* ---- shutdown steps ------------------------------------------------------ */

START_TEST(test_pool_unqueue_releases_jobs_that_never_started)
{
    struct heft_pool *p = make_pool(1, 8);
    struct heft_job *done[4];
    int i;

    heft_pool_submit(p, make_job("block", 0));
    ck_assert_int_eq(wait_count(&ctl.started, 1), 0);
    for (i = 1; i <= 3; i++)
        heft_pool_submit(p, make_job("quick", i));
    heft_pool_unqueue(p);

    ck_assert_uint_eq(take(p, done, 3), 3);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(done[i]->attempt, i + 1);
        ck_assert_int_eq(done[i]->outcome, HEFT_OUT_RELEASE);
        ck_assert_int_eq(done[i]->started, 0);
    }
    /* The running job is left to finish on its own. */
    ck_assert_uint_eq(heft_pool_running(p), 1);
    atomic_store(&ctl.gate, 1);
    ck_assert_uint_eq(take(p, done + 3, 1), 1);
    ck_assert_int_eq(done[3]->attempt, 0);
    ck_assert_int_eq(done[3]->outcome, HEFT_OUT_OK);
    ck_assert_int_eq(atomic_load(&ctl.started), 1);
    record(p, done, 4);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_cancel_asks_running_handlers_to_stop)
{
    struct heft_pool *p = make_pool(2, 4);
    struct heft_job *done[2];

    heft_pool_submit(p, make_job("block", 0));
    heft_pool_submit(p, make_job("block", 1));
    ck_assert_int_eq(wait_count(&ctl.started, 2), 0);
    heft_pool_cancel(p);                     /* the gate stays shut */
    ck_assert_uint_eq(take(p, done, 2), 2);
    ck_assert_int_eq(atomic_load(&done[0]->cancel), 1);
    ck_assert_int_eq(atomic_load(&done[1]->cancel), 1);
    ck_assert_int_eq(done[0]->outcome, HEFT_OUT_RELEASE);
    ck_assert_int_eq(done[1]->outcome, HEFT_OUT_RELEASE);
    record(p, done, 2);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_cancel_leaves_queued_jobs_alone)
{
    struct heft_pool *p = make_pool(1, 4);
    struct heft_job *done[2];

    heft_pool_submit(p, make_job("block", 0));
    ck_assert_int_eq(wait_count(&ctl.started, 1), 0);
    heft_pool_submit(p, make_job("quick", 1));
    heft_pool_cancel(p);
    ck_assert_uint_eq(take(p, done, 2), 2);
    ck_assert_int_eq(done[0]->attempt, 0);
    ck_assert_int_eq(atomic_load(&done[0]->cancel), 1);
    ck_assert_int_eq(done[1]->attempt, 1);
    ck_assert_int_eq(atomic_load(&done[1]->cancel), 0);
    ck_assert_int_eq(done[1]->outcome, HEFT_OUT_OK);
    record(p, done, 2);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_wait_idle_times_out_while_a_job_runs)
{
    struct heft_pool *p = make_pool(1, 4);
    struct heft_job *done[1];

    heft_pool_submit(p, make_job("block", 0));
    ck_assert_int_eq(wait_count(&ctl.started, 1), 0);
    ck_assert_int_eq(heft_pool_wait_idle(p, 50), -1);
    atomic_store(&ctl.gate, 1);
    ck_assert_int_eq(heft_pool_wait_idle(p, SOON_MS), 0);
    ck_assert_int_eq(atomic_load(&ctl.finished), 1);
    /* Idle is about the workers: the finished job may still wait in done. */
    ck_assert_uint_eq(take(p, done, 1), 1);
    record(p, done, 1);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_wait_idle_succeeds_at_once_when_nothing_runs)
{
    struct heft_pool *p = make_pool(2, 4);

    ck_assert_int_eq(heft_pool_wait_idle(p, 0), 0);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_wait_empty_succeeds_once_every_job_is_released)
{
    struct heft_pool *p = make_pool(1, 4);
    struct heft_job *done[2];

    ck_assert_int_eq(heft_pool_wait_empty(p, 0), 0);
    heft_pool_submit(p, make_job("quick", 0));
    heft_pool_submit(p, make_job("quick", 1));
    ck_assert_uint_eq(take(p, done, 2), 2);
    ck_assert_int_eq(heft_pool_wait_empty(p, 50), -1);    /* taken, not recorded */
    record(p, done, 1);
    ck_assert_int_eq(heft_pool_wait_empty(p, 20), -1);
    record(p, done + 1, 1);
    ck_assert_int_eq(heft_pool_wait_empty(p, SOON_MS), 0);
    heft_pool_destroy(p);
}
END_TEST

static void *record_later(void *arg)
{
    struct releaser *r = arg;

    sleep_ms(50);
    record(r->pool, r->jobs, 1);
    return NULL;
}

START_TEST(test_pool_wait_empty_wakes_when_the_acker_releases)
{
    struct heft_pool *p = make_pool(1, 4);
    struct releaser r = { p, { NULL, NULL } };
    pthread_t tid;

    heft_pool_submit(p, make_job("quick", 0));
    ck_assert_uint_eq(take(p, r.jobs, 1), 1);
    ck_assert_int_eq(pthread_create(&tid, NULL, record_later, &r), 0);
    ck_assert_int_eq(heft_pool_wait_empty(p, SOON_MS), 0);
    pthread_join(tid, NULL);
    heft_pool_destroy(p);
}
END_TEST

/* The whole shutdown sequence heftd runs, with one job in each state. */
START_TEST(test_pool_shutdown_steps_in_order_leave_the_pool_empty)
{
    struct heft_pool *p = make_pool(1, 8);
    struct heft_job *done[3];
    size_t n;

    heft_pool_submit(p, make_job("block", 0));
    ck_assert_int_eq(wait_count(&ctl.started, 1), 0);
    heft_pool_submit(p, make_job("quick", 1));
    heft_pool_complete(p, make_job("quick", 2));

    heft_pool_unqueue(p);
    heft_pool_cancel(p);
    ck_assert_int_eq(heft_pool_wait_idle(p, SOON_MS), 0);
    n = take(p, done, 3);
    ck_assert_uint_eq(n, 3);
    record(p, done, n);
    ck_assert_int_eq(heft_pool_wait_empty(p, SOON_MS), 0);
    ck_assert_int_eq(atomic_load(&ctl.started), 1);
    heft_pool_destroy(p);
}
END_TEST

/* With no worker threads, submitted jobs stay in the ready queue: the one
 * way to reach destroy with ready jobs and no handler running. */
START_TEST(test_pool_destroy_frees_jobs_still_queued)
{
    struct heft_pool *p = make_pool(0, 4);

    heft_pool_submit(p, make_job("quick", 0));
    heft_pool_submit(p, make_job("quick", 1));
    heft_pool_destroy(p);       /* valgrind/ASan: no leak */
    ck_assert_int_eq(atomic_load(&ctl.started), 0);
}
END_TEST

START_TEST(test_pool_destroy_frees_done_jobs_never_taken)
{
    struct heft_pool *p = make_pool(2, 4);

    heft_pool_submit(p, make_job("quick", 0));
    heft_pool_submit(p, make_job("quick", 1));
    heft_pool_complete(p, make_job("quick", 2));
    ck_assert_int_eq(wait_count(&ctl.finished, 2), 0);
    ck_assert_int_eq(heft_pool_wait_idle(p, SOON_MS), 0);
    heft_pool_destroy(p);       /* valgrind/ASan: no leak */
}
END_TEST

/* ---- visit --------------------------------------------------------------- */

struct seen {
    int n;
    int seq[8];
};

static void note(struct heft_job *job, void *arg)
{
    struct seen *s = arg;

    if (s->n < 8)
        s->seq[s->n] = job->attempt;
    s->n++;
}

START_TEST(test_pool_visit_sees_ready_running_and_done_jobs)
{
    struct heft_pool *p = make_pool(1, 8);
    struct heft_job *done[4];
    struct seen s = { 0, { 0 } };

    heft_pool_submit(p, make_job("block", 0));     /* running */
    ck_assert_int_eq(wait_count(&ctl.started, 1), 0);
    heft_pool_submit(p, make_job("quick", 1));     /* ready */
    heft_pool_submit(p, make_job("quick", 2));     /* ready */
    heft_pool_complete(p, make_job("quick", 3));   /* done */

    heft_pool_visit(p, note, &s);
    ck_assert_int_eq(s.n, 4);
    /* Ready first, then running, then done. */
    ck_assert_int_eq(s.seq[0], 1);
    ck_assert_int_eq(s.seq[1], 2);
    ck_assert_int_eq(s.seq[2], 0);
    ck_assert_int_eq(s.seq[3], 3);

    atomic_store(&ctl.gate, 1);
    ck_assert_uint_eq(take(p, done, 4), 4);
    record(p, done, 4);
    heft_pool_destroy(p);
}
END_TEST

START_TEST(test_pool_visit_of_an_empty_pool_sees_nothing)
{
    struct heft_pool *p = make_pool(2, 4);
    struct seen s = { 0, { 0 } };

    heft_pool_visit(p, note, &s);
    ck_assert_int_eq(s.n, 0);
    heft_pool_destroy(p);
}
END_TEST

static TCase *flow_tcase(void)
{
    TCase *tc = tcase_create("flow");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_pool_returns_every_job_in_order_with_one_thread);
    tcase_add_test(tc, test_pool_returns_every_job_exactly_once_with_several_threads);
    tcase_add_test(tc, test_pool_take_done_times_out_empty_handed);
    tcase_add_test(tc, test_pool_complete_sends_a_job_straight_to_done);
    tcase_add_test(tc, test_pool_workers_call_idle_once_when_the_pool_has_had_no_job_for_idle_ms);
    tcase_add_test(tc, test_pool_workers_do_not_idle_while_jobs_keep_coming);
    tcase_add_test(tc, test_pool_threads_and_running_report_the_pool_state);
    tcase_add_test(tc, test_pool_visit_sees_ready_running_and_done_jobs);
    tcase_add_test(tc, test_pool_visit_of_an_empty_pool_sees_nothing);
    return tc;
}

static TCase *capacity_tcase(void)
{
    TCase *tc = tcase_create("capacity");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_pool_wait_space_is_capacity_minus_jobs_waiting_or_running);
    tcase_add_test(tc, test_pool_wait_space_gives_0_after_a_timeout_when_full);
    tcase_add_test(tc, test_pool_release_empties_the_pool);
    tcase_add_test(tc, test_pool_release_never_frees_more_than_capacity);
    tcase_add_test(tc, test_pool_wait_space_wakes_when_a_job_ends);
    tcase_add_test(tc, test_pool_capacity_is_at_least_one_job_per_thread);
    return tc;
}

static TCase *shutdown_tcase(void)
{
    TCase *tc = tcase_create("shutdown");

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_pool_unqueue_releases_jobs_that_never_started);
    tcase_add_test(tc, test_pool_cancel_asks_running_handlers_to_stop);
    tcase_add_test(tc, test_pool_cancel_leaves_queued_jobs_alone);
    tcase_add_test(tc, test_pool_wait_idle_times_out_while_a_job_runs);
    tcase_add_test(tc, test_pool_wait_idle_succeeds_at_once_when_nothing_runs);
    tcase_add_test(tc, test_pool_wait_empty_succeeds_once_every_job_is_released);
    tcase_add_test(tc, test_pool_wait_empty_wakes_when_the_acker_releases);
    tcase_add_test(tc, test_pool_shutdown_steps_in_order_leave_the_pool_empty);
    tcase_add_test(tc, test_pool_destroy_frees_jobs_still_queued);
    tcase_add_test(tc, test_pool_destroy_frees_done_jobs_never_taken);
    return tc;
}

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");

    suite_add_tcase(s, flow_tcase());
    suite_add_tcase(s, capacity_tcase());
    suite_add_tcase(s, shutdown_tcase());
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pool_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
