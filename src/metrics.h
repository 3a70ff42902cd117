/*
 * metrics.h - heftd's Prometheus metrics (docs/metrics.md): the counters
 * the worker threads bump, the queue gauges the maintenance thread reads
 * from Redis, and the HTTP endpoint that serves them.
 *
 * Who writes what, so that no job ever takes a lock or allocates for them:
 *   - worker threads: heft_metrics_job_done() adds to a fixed table of
 *     per-(queue, type) counters and per-type histograms with relaxed
 *     atomics; the table is sized once from the config (queues x the
 *     built-in types, plus "unknown" for any other type);
 *   - the maintenance thread: heft_metrics_refresh() reads queue depths,
 *     oldest ages and a round-trip time over its own Redis link, at most
 *     once per metrics.refresh_ms, into atomics;
 *   - the HTTP thread (libmicrohttpd's own): reads all of it for a scrape,
 *     never Redis.
 * The struct hangs off struct heft_daemon (d->metrics), NULL when metrics
 * are off.
 */
#ifndef HEFT_METRICS_H
#define HEFT_METRICS_H

#include "reply.h"
#include <stdatomic.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

#define HEFT_METRICS_NBUCKETS 15        /* finite bounds, 1 ms .. 60 s; +Inf follows */

enum heft_depth_state { HEFT_DEPTH_WAITING, HEFT_DEPTH_ACTIVE, HEFT_DEPTH_SCHEDULED,
                        HEFT_DEPTH_DEAD, HEFT_DEPTH_NSTATES };

/* One (queue, type) slot: heft_jobs_{processed,failed,retried,dead}_total. */
enum heft_job_count { HEFT_COUNT_PROCESSED, HEFT_COUNT_FAILED, HEFT_COUNT_RETRIED,
                      HEFT_COUNT_DEAD, HEFT_NCOUNTS };
struct heft_job_counts {
    atomic_llong n[HEFT_NCOUNTS];
};

/* One type's job durations: per-bucket (not cumulative) counts; the
 * total count is their sum, so _count and +Inf can never disagree. */
struct heft_histogram {
    atomic_llong bucket[HEFT_METRICS_NBUCKETS + 1];
    atomic_llong sum_us;
};

/* One queue's gauges, as last read from Redis. */
struct heft_queue_gauges {
    atomic_llong depth[HEFT_DEPTH_NSTATES];
    atomic_llong oldest_ms;                 /* -1: nothing waiting */
};

struct MHD_Daemon;

struct heft_metrics {
    size_t nqueues;
    size_t ntypes;                          /* built-in types + 1 ("unknown", last) */
    const char **type_names;
    struct heft_job_counts *counts;         /* [queue * ntypes + type] */
    struct heft_histogram *durations;       /* [type] */
    struct heft_queue_gauges *queues;       /* [queue] */
    atomic_int have_gauges;                 /* a refresh succeeded once */
    atomic_llong roundtrip_us;              /* last PING; -1 before the first */

    /* maintenance thread only */
    long long next_refresh_ms;              /* CLOCK_MONOTONIC */
    struct heft_stream_depth *scan;         /* [queue * HEFT_NBANDS + band] */

    /* main thread only */
    struct MHD_Daemon *http;
};

struct heft_daemon;
struct heft_job;
struct heft_link;

/* The table for cfg's queues; NULL on ENOMEM. */
struct heft_metrics *heft_metrics_create(const struct heft_config *cfg);
void heft_metrics_destroy(struct heft_metrics *m);

/* A reload: to (the new configuration's table) starts from from's job
 * counters and duration histograms, so that to Prometheus a reload is not
 * a restart.  Only while no worker thread and no scrape runs. */
void heft_metrics_carry(struct heft_metrics *to, const struct heft_config *to_cfg,
                        const struct heft_metrics *from, const struct heft_config *from_cfg);

/* A worker thread's job ended (any outcome but released). */
void heft_metrics_job_done(struct heft_metrics *m, const struct heft_job *job);

/* The maintenance thread, each round: refresh the queue gauges when due. */
void heft_metrics_refresh(struct heft_daemon *d, struct heft_link *l);

/* The text exposition format 0.0.4 of everything, appended to out.
 * Returns 0 or -ENOMEM. */
int heft_metrics_render(struct heft_daemon *d, struct heft_buf *out);

/* Serve GET /metrics and /healthz on cfg->metrics_listen (metrics_http.c);
 * -1 (logged) when the address cannot be bound.  Stop before the worker
 * pool and the maintenance thread go away. */
int heft_metrics_start(struct heft_daemon *d);
void heft_metrics_stop(struct heft_daemon *d);

#endif
