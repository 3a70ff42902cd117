/*
 * job.h - struct heft_job as heftd holds it: where it came from (queue,
 * stream entry), its envelope (type, payload, options), its run-time state
 * and its outcome.  The handler sees only the opaque heft_job of
 * <heft/job.h>; everything here is the daemon's side.
 *
 * Lifetime: the fetcher creates a job from a stream entry and hands it to
 * the pool, a worker runs it and fills the outcome, the acker records the
 * outcome in Redis and destroys it.  One owner at a time, never shared.
 */
#ifndef HEFT_JOB_INTERNAL_H
#define HEFT_JOB_INTERNAL_H

#include <heft/job.h>
#include <stdatomic.h>
#include <time.h>

#include "buf.h"
#include "config.h"

enum heft_band { HEFT_BAND_HIGH, HEFT_BAND_NORMAL, HEFT_BAND_LOW, HEFT_NBANDS };

enum heft_outcome {
    HEFT_OUT_NONE,
    HEFT_OUT_OK,        /* succeeded */
    HEFT_OUT_FAIL,      /* failed, not retried */
    HEFT_OUT_RETRY,     /* failed, scheduled again after a backoff */
    HEFT_OUT_DEAD,      /* failed on its last attempt */
    HEFT_OUT_RELEASE,   /* not finished at shutdown: back to the stream */
    HEFT_OUT_SKIP,      /* deleted or already finished: drop the entry */
};

enum heft_backoff_type { HEFT_BACKOFF_EXPONENTIAL, HEFT_BACKOFF_FIXED };

/* A job's options after validation, defaults filled in. */
struct heft_opts {
    int attempts;
    long long timeout_ms;
    long long result_ttl;          /* seconds */
    enum heft_backoff_type backoff_type;
    long long backoff_ms;
    long long max_backoff_ms;
    int reply;                     /* push the outcome onto heft:{Q}:reply:ID */
};

struct heft_job {
    struct heft_job *next;          /* link in the pool's queues */

    /* origin */
    int queue;                      /* index in the daemon's queue table */
    const char *queue_name;         /* borrowed from that table */
    enum heft_band band;
    char *entry;                    /* stream entry id */
    char *id;
    char *type;
    char *payload_text;
    size_t payload_len;
    char *opts_text;
    size_t opts_len;
    int attempt;
    int sealed;                     /* its payload was taken out of Redis */

    /* envelope, valid once heft_envelope_check() succeeded */
    json_t *payload;
    struct heft_opts opts;
    const struct heft_handler *handler;
    const struct heft_type_conf *tconf;
    const void *state;              /* the handler's shared state (borrowed) */
    struct heft_jobredis *redis;    /* the worker thread's, for heft_job_redis_* (borrowed);
                                     * NULL: those calls fail as unavailable */

    /* run time */
    struct timespec deadline;       /* CLOCK_MONOTONIC */
    atomic_int cancel;              /* set by the daemon when its grace runs out */
    atomic_int progress;            /* 0..100, or -1 before the first report */
    int progress_sent;              /* last value written to Redis (maint only) */
    int marked;                     /* start.lua was sent for it (maint only) */
    struct timespec taken;          /* CLOCK_MONOTONIC: a worker took it */
    int started;                    /* the handler was called */

    /* outcome */
    enum heft_outcome outcome;
    json_t *result;
    struct heft_buf blob;
    char code[64];
    struct heft_buf message;
    int retryable;
    char *reply;                    /* the outcome message (reply list, events) */
    long long n;                    /* TTL (s) or retry delay (ms) for finish.lua */
};

/* A job from a stream entry's fields (copied). NULL on ENOMEM. */
struct heft_job *heft_job_create(int queue, const char *queue_name, enum heft_band band,
                                 const char *entry);
void heft_job_destroy(struct heft_job *job);

/* Record a failure on the daemon's side (envelope errors, timeouts). */
void heft_job_set_error(struct heft_job *job, const char *code, int retryable,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Zero a sealed job's parsed payload's strings (see job.c) before it is freed. */
void heft_json_wipe(json_t *v);

const char *heft_band_name(enum heft_band band);
const char *heft_outcome_state(enum heft_outcome o);

#endif
