/*
 * metrics.c - the metrics table (metrics.h): counting finished jobs on
 * the worker threads, and writing every metric in Prometheus's text
 * exposition format 0.0.4 for a scrape.
 *
 * Label values need no escaping: queue and type names are checked against
 * small alphabets ([A-Za-z0-9_.:-]) before they get here, and every type
 * name printed is a built-in one or "unknown", never a job's own text.
 */
#include "autoconfig.h"

#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "daemon.h"
#include "registry.h"

/* Upper bounds of the duration buckets, in µs and as Prometheus prints le. */
static const long long bucket_us[HEFT_METRICS_NBUCKETS] = {
    1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
    1000000, 2500000, 5000000, 10000000, 30000000, 60000000,
};
static const char *const bucket_le[HEFT_METRICS_NBUCKETS] = {
    "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
    "1", "2.5", "5", "10", "30", "60",
};
static const char *const state_names[HEFT_DEPTH_NSTATES] = {
    "waiting", "active", "scheduled", "dead",
};

/* ---- the table ---- */

struct heft_metrics *heft_metrics_create(const struct heft_config *cfg)
{
    struct heft_metrics *m = calloc(1, sizeof *m);
    size_t i, n = 0;

    if (!m)
        return NULL;
    while (heft_builtin_handlers[n])
        n++;
    m->nqueues = cfg->nqueues;
    m->ntypes = n + 1;
    m->type_names = calloc(m->ntypes, sizeof *m->type_names);
    m->counts = calloc(m->nqueues * m->ntypes, sizeof *m->counts);
    m->durations = calloc(m->ntypes, sizeof *m->durations);
    m->queues = calloc(m->nqueues, sizeof *m->queues);
    m->scan = calloc(m->nqueues * HEFT_NBANDS, sizeof *m->scan);
    if (!m->type_names || !m->counts || !m->durations || !m->queues || !m->scan) {
        heft_metrics_destroy(m);
        return NULL;
    }
    for (i = 0; i < n; i++)
        m->type_names[i] = heft_builtin_handlers[i]->type;
    m->type_names[n] = "unknown";
    atomic_init(&m->roundtrip_us, -1);
    return m;
}

void heft_metrics_destroy(struct heft_metrics *m)
{
    if (!m)
        return;
    free(m->type_names);
    free(m->counts);
    free(m->durations);
    free(m->queues);
    free(m->scan);
    free(m);
}

/* Only the queues both configurations have keep their counters; the
 * types are the built-in ones, the same in both. */
void heft_metrics_carry(struct heft_metrics *to, const struct heft_config *to_cfg,
                        const struct heft_metrics *from, const struct heft_config *from_cfg)
{
    size_t q, f, t, k;

    if (!to || !from || to->ntypes != from->ntypes)
        return;
    for (t = 0; t < to->ntypes; t++) {
        for (k = 0; k <= HEFT_METRICS_NBUCKETS; k++)
            atomic_store(&to->durations[t].bucket[k], atomic_load(&from->durations[t].bucket[k]));
        atomic_store(&to->durations[t].sum_us, atomic_load(&from->durations[t].sum_us));
    }
    for (q = 0; q < to->nqueues; q++)
        for (f = 0; f < from->nqueues; f++) {
            if (strcmp(to_cfg->queues[q].name, from_cfg->queues[f].name))
                continue;
            for (t = 0; t < to->ntypes; t++)
                for (k = 0; k < HEFT_NCOUNTS; k++)
                    atomic_store(&to->counts[q * to->ntypes + t].n[k],
                                 atomic_load(&from->counts[f * from->ntypes + t].n[k]));
        }
}

/* ---- counting, on the worker threads ---- */

/* The slot of the job's handler; a job without one (a type heftd does not
 * know) counts as "unknown", so clients cannot invent label values. */
static size_t type_index(const struct heft_metrics *m, const struct heft_job *job)
{
    size_t i;

    for (i = 0; job->handler && i + 1 < m->ntypes; i++)
        if (heft_builtin_handlers[i] == job->handler)
            return i;
    return m->ntypes - 1;
}

static void observe(struct heft_histogram *h, const struct timespec *since)
{
    struct timespec now;
    long long us;
    size_t b = 0;

    clock_gettime(CLOCK_MONOTONIC, &now);
    us = (long long)(now.tv_sec - since->tv_sec) * 1000000 + (now.tv_nsec - since->tv_nsec) / 1000;
    if (us < 0)
        us = 0;
    while (b < HEFT_METRICS_NBUCKETS && us > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
}

static void bump(atomic_llong *counter)
{
    atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
}

void heft_metrics_job_done(struct heft_metrics *m, const struct heft_job *job)
{
    size_t t;
    struct heft_job_counts *c;

    if (!m || job->queue < 0 || (size_t)job->queue >= m->nqueues)
        return;
    t = type_index(m, job);
    c = &m->counts[(size_t)job->queue * m->ntypes + t];
    switch (job->outcome) {
    case HEFT_OUT_OK: bump(&c->n[HEFT_COUNT_PROCESSED]); break;
    case HEFT_OUT_FAIL: bump(&c->n[HEFT_COUNT_PROCESSED]); bump(&c->n[HEFT_COUNT_FAILED]); break;
    case HEFT_OUT_DEAD: bump(&c->n[HEFT_COUNT_PROCESSED]); bump(&c->n[HEFT_COUNT_DEAD]); break;
    case HEFT_OUT_RETRY: bump(&c->n[HEFT_COUNT_RETRIED]); break;
    default: return;                    /* released: it will run again elsewhere */
    }
    observe(&m->durations[t], &job->taken);
}

/* ---- the exposition ---- */

/* The text being written; err sticks at the first failed append, so a
 * scrape never gets a silently truncated page. */
struct expo {
    struct heft_buf *b;
    int err;
};

static void put(struct expo *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct expo *e, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (!e->err)
        e->err = heft_buf_vprintf(e->b, fmt, ap);
    va_end(ap);
}

static long long get(atomic_llong *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

static void family(struct expo *e, const char *name, const char *type, const char *help)
{
    put(e, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A µs amount as seconds, exactly. */
static void seconds(struct expo *e, long long us)
{
    put(e, "%lld.%06lld\n", us / 1000000, us % 1000000);
}

static void job_counters(struct expo *e, struct heft_metrics *m, const struct heft_daemon *d)
{
    static const char *const names[HEFT_NCOUNTS][2] = {
        { "heft_jobs_processed_total",
          "Jobs that reached a final outcome (succeeded, failed or dead)." },
        { "heft_jobs_failed_total",
          "Jobs that failed for good without being retried (not dead ones)." },
        { "heft_jobs_retried_total", "Attempts that failed and were scheduled to run again." },
        { "heft_jobs_dead_total", "Jobs that failed their last attempt and went to the dead set." },
    };
    size_t k, q, t;

    for (k = 0; k < HEFT_NCOUNTS; k++) {
        family(e, names[k][0], "counter", names[k][1]);
        for (q = 0; q < m->nqueues; q++)
            for (t = 0; t < m->ntypes; t++)
                put(e, "%s{queue=\"%s\",type=\"%s\"} %lld\n", names[k][0], d->queues[q].name,
                    m->type_names[t], get(&m->counts[q * m->ntypes + t].n[k]));
    }
}

static void durations(struct expo *e, struct heft_metrics *m)
{
    static const char *name = "heft_job_duration_seconds";
    long long n;
    size_t t, i;

    family(e, name, "histogram", "Time from a worker taking a job to its outcome, by type.");
    for (t = 0; t < m->ntypes; t++) {
        struct heft_histogram *h = &m->durations[t];

        for (i = 0, n = 0; i < HEFT_METRICS_NBUCKETS; i++) {
            n += get(&h->bucket[i]);
            put(e, "%s_bucket{type=\"%s\",le=\"%s\"} %lld\n", name, m->type_names[t],
                bucket_le[i], n);
        }
        n += get(&h->bucket[HEFT_METRICS_NBUCKETS]);
        put(e, "%s_bucket{type=\"%s\",le=\"+Inf\"} %lld\n", name, m->type_names[t], n);
        put(e, "%s_sum{type=\"%s\"} ", name, m->type_names[t]);
        seconds(e, get(&h->sum_us));
        put(e, "%s_count{type=\"%s\"} %lld\n", name, m->type_names[t], n);
    }
}

/* Nothing before the first refresh: an absent series beats a made-up 0. */
static void queue_gauges(struct expo *e, struct heft_metrics *m, const struct heft_daemon *d)
{
    size_t q;
    int s;

    if (!atomic_load(&m->have_gauges))
        return;
    family(e, "heft_queue_depth", "gauge",
           "Jobs in a queue by state, read from Redis at most once per metrics.refresh_ms.");
    for (q = 0; q < m->nqueues; q++)
        for (s = 0; s < HEFT_DEPTH_NSTATES; s++)
            put(e, "heft_queue_depth{queue=\"%s\",state=\"%s\"} %lld\n", d->queues[q].name,
                state_names[s], get(&m->queues[q].depth[s]));
    family(e, "heft_queue_oldest_age_seconds", "gauge",
           "Age of the oldest waiting job of a queue (0 when none waits).");
    for (q = 0; q < m->nqueues; q++) {
        long long ms = get(&m->queues[q].oldest_ms);

        put(e, "heft_queue_oldest_age_seconds{queue=\"%s\"} ", d->queues[q].name);
        seconds(e, ms > 0 ? ms * 1000 : 0);
    }
}

static long long resident_bytes(void)
{
    long long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (!f)
        return 0;
    if (fscanf(f, "%lld %lld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* Before the pool exists (or after it is gone) no worker is busy. */
static long long busy_workers(struct heft_daemon *d)
{
    enum heft_state s = heft_daemon_state(d);

    if (s == HEFT_STARTING || s == HEFT_STOPPED || !d->pool)
        return 0;
    return (long long)heft_pool_running(d->pool);
}

static void daemon_gauges(struct expo *e, struct heft_daemon *d)
{
    long long rtt = get(&d->metrics->roundtrip_us);

    family(e, "heft_workers_busy", "gauge", "Worker threads running a job now.");
    put(e, "heft_workers_busy %lld\n", busy_workers(d));
    family(e, "heft_workers", "gauge", "Worker threads (concurrency).");
    put(e, "heft_workers %u\n", d->cfg->concurrency);
    family(e, "heft_redis_reconnects_total", "counter",
           "Connections to Redis re-established after a loss, over the fetcher's, the "
           "acker's and the maintenance thread's links.");
    put(e, "heft_redis_reconnects_total %lld\n", get(&d->counters.reconnects));
    if (rtt >= 0) {
        family(e, "heft_redis_roundtrip_seconds", "gauge",
               "The last measured round trip to Redis (a PING per refresh).");
        put(e, "heft_redis_roundtrip_seconds ");
        seconds(e, rtt);
    }
}

static void process_gauges(struct expo *e, struct heft_daemon *d)
{
    family(e, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    put(e, "process_resident_memory_bytes %lld\n", resident_bytes());
    family(e, "process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
    put(e, "process_start_time_seconds %lld.%03lld\n", d->started_ms / 1000,
        d->started_ms % 1000);
    family(e, "heft_build_info", "gauge", "Always 1; the version of heftd as a label.");
    put(e, "heft_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
}

int heft_metrics_render(struct heft_daemon *d, struct heft_buf *out)
{
    struct heft_metrics *m = d->metrics;
    struct expo e = { out, 0 };

    job_counters(&e, m, d);
    durations(&e, m);
    queue_gauges(&e, m, d);
    daemon_gauges(&e, d);
    process_gauges(&e, d);
    return e.err;
}
