/*
 * daemon.c - heftd's life cycle: the checks before serving, the threads,
 * the signals, and the orderly drain (see the state machine in daemon.h).
 *
 * Signals are blocked in every thread and taken synchronously by the main
 * thread with sigtimedwait(), so no code runs in a signal handler.
 *
 * A reload (SIGHUP) is a stop and a start inside the process: a job only
 * ever runs under the configuration (queues, limits, handler states) it
 * was fetched with, so the running jobs finish before the swap.
 */
#include "autoconfig.h"

#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "jobredis.h"
#include "link.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "registry.h"

#define WORKER_STACK (8u << 20)   /* handlers may need deep stacks (libharu) */
#define MIN_REDIS_VERSION 60200   /* 6.2: XAUTOCLAIM, XCLAIM JUSTID semantics */

/* ---- queues and their key names ---- */

/* "heft:{NAME}:SUFFIX": one hash tag per queue, so a queue is one slot. */
static char *queue_key(const char *name, const char *suffix)
{
    struct heft_buf b = HEFT_BUF_INIT;

    if (heft_buf_printf(&b, "heft:{%s}:%s", name, suffix) < 0)
        return NULL;
    return heft_buf_detach(&b, NULL);
}

static int queue_init(struct heft_queue *q, const struct heft_queue_conf *qc)
{
    q->name = strdup(qc->name);
    q->weight = qc->weight;
    q->stream[HEFT_BAND_HIGH] = queue_key(qc->name, "ready:high");
    q->stream[HEFT_BAND_NORMAL] = queue_key(qc->name, "ready:normal");
    q->stream[HEFT_BAND_LOW] = queue_key(qc->name, "ready:low");
    q->delayed = queue_key(qc->name, "delayed");
    q->dead = queue_key(qc->name, "dead");
    q->sealed = queue_key(qc->name, "sealed");
    q->stats = queue_key(qc->name, "stats");
    q->events = queue_key(qc->name, "events");
    q->paused = queue_key(qc->name, "paused");
    q->prefix = queue_key(qc->name, "");
    atomic_init(&q->is_paused, 0);
    return q->name && q->stream[0] && q->stream[1] && q->stream[2] && q->delayed &&
           q->dead && q->sealed && q->stats && q->events && q->paused && q->prefix ? 0 : -1;
}

static void queue_fini(struct heft_queue *q)
{
    int b;

    free(q->name);
    for (b = 0; b < HEFT_NBANDS; b++)
        free(q->stream[b]);
    free(q->delayed);
    free(q->dead);
    free(q->sealed);
    free(q->stats);
    free(q->events);
    free(q->paused);
    free(q->prefix);
}

static void free_queues(struct heft_queue *queues, size_t n)
{
    for (size_t i = 0; queues && i < n; i++)
        queue_fini(&queues[i]);
    free(queues);
}

/* The key names of cfg's queues; NULL on ENOMEM. */
static struct heft_queue *build_queues(const struct heft_config *cfg)
{
    struct heft_queue *queues = calloc(cfg->nqueues, sizeof *queues);

    for (size_t i = 0; queues && i < cfg->nqueues; i++)
        if (queue_init(&queues[i], &cfg->queues[i]) < 0) {
            free_queues(queues, cfg->nqueues);
            return NULL;
        }
    return queues;
}

static void free_config(struct heft_config *cfg, struct heft_states *states)
{
    heft_handlers_fini(states);
    if (cfg)
        heft_config_free(cfg);
    free(cfg);
}

int heft_daemon_find_stream(const struct heft_daemon *d, const char *key, size_t len,
                            enum heft_band *band)
{
    size_t q;
    int b;

    for (q = 0; q < d->nqueues; q++)
        for (b = 0; b < HEFT_NBANDS; b++)
            if (strlen(d->queues[q].stream[b]) == len && !memcmp(d->queues[q].stream[b], key, len)) {
                *band = (enum heft_band)b;
                return (int)q;
            }
    return -1;
}

int heft_daemon_init(struct heft_daemon *d, struct heft_config *cfg, struct heft_states *states,
                     const struct heft_reloader *reloader)
{
    struct timeval tv;

    memset(d, 0, sizeof *d);
    d->cfg = cfg;
    d->states = states;
    d->reloader = reloader;
    d->started_ms = heft_now_ms();
    if (gethostname(d->host, sizeof d->host) != 0)
        snprintf(d->host, sizeof d->host, "unknown");
    d->host[sizeof d->host - 1] = '\0';
    gettimeofday(&tv, NULL);
    srandom((unsigned)(tv.tv_sec ^ tv.tv_usec ^ getpid()));
    snprintf(d->consumer, sizeof d->consumer, "%s:%d:%04lx", d->host, (int)getpid(),
             (unsigned long)(random() & 0xffff));
    pthread_mutex_init(&d->mu, NULL);
    heft_cond_init(&d->changed);
    if (pthread_key_create(&d->jobredis, heft_jobredis_key_destructor) != 0)
        return -1;
    d->have_jobredis = 1;
    atomic_init(&d->state, HEFT_STARTING);
    atomic_init(&d->maint_alive_ms, 0);
    if (!(d->queues = build_queues(cfg)))
        return -1;
    d->nqueues = cfg->nqueues;
    if (cfg->metrics_listen && !(d->metrics = heft_metrics_create(cfg)))
        return -1;
    return 0;
}

void heft_daemon_fini(struct heft_daemon *d)
{
    free_queues(d->queues, d->nqueues);
    free_config(d->cfg, d->states);
    heft_metrics_destroy(d->metrics);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->changed);
    /* After the workers were joined: their destructors ran. */
    if (d->have_jobredis)
        pthread_key_delete(d->jobredis);
}

/* ---- state ---- */

enum heft_state heft_daemon_state(struct heft_daemon *d)
{
    return (enum heft_state)atomic_load(&d->state);
}

void heft_daemon_set_state(struct heft_daemon *d, enum heft_state s)
{
    pthread_mutex_lock(&d->mu);
    atomic_store(&d->state, s);
    pthread_cond_broadcast(&d->changed);
    pthread_mutex_unlock(&d->mu);
}

void heft_daemon_sleep(struct heft_daemon *d, long long ms)
{
    struct timespec until = heft_deadline_after(ms);
    int state = atomic_load(&d->state);

    pthread_mutex_lock(&d->mu);
    while (atomic_load(&d->state) == state)
        if (pthread_cond_timedwait(&d->changed, &d->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&d->mu);
}

/* ---- checks before serving ---- */

/* The value of "name:" in an INFO reply, copied into out. */
static int info_field(const char *info, const char *name, char *out, size_t len)
{
    const char *p = strstr(info, name);
    size_t n;

    if (!p)
        return -1;
    p += strlen(name);
    n = strcspn(p, "\r\n");
    snprintf(out, len, "%.*s", (int)n, p);
    return 0;
}

static int version_number(const char *v)
{
    int major = 0, minor = 0, patch = 0;

    sscanf(v, "%d.%d.%d", &major, &minor, &patch);
    return major * 10000 + minor * 100 + patch;
}

/* Refuse Redis that is too old or may evict our keys. */
static int check_redis(struct heft_daemon *d, struct heft_link *l)
{
    const char *argv[] = { "INFO", "server" };
    const char *argm[] = { "INFO", "memory" };
    char version[32] = "", policy[64] = "";
    redisReply *r;

    if ((r = heft_link_callv(l, 2, argv)) && r->type == REDIS_REPLY_STRING)
        info_field(r->str, "redis_version:", version, sizeof version);
    if (r)
        freeReplyObject(r);
    if ((r = heft_link_callv(l, 2, argm)) && r->type == REDIS_REPLY_STRING)
        info_field(r->str, "maxmemory_policy:", policy, sizeof policy);
    if (r)
        freeReplyObject(r);
    if (version_number(version) < MIN_REDIS_VERSION) {
        log_error("Redis %s is too old: heft needs Redis 6.2 or newer", *version ? version : "(unknown)");
        return -1;
    }
    if (*policy && strcmp(policy, "noeviction") != 0 && !d->cfg->allow_eviction) {
        log_error("Redis maxmemory-policy is %s: Redis may evict queued jobs. Set "
                  "maxmemory-policy noeviction (CONFIG SET maxmemory-policy noeviction), "
                  "or start heftd with --allow-eviction if you accept losing jobs", policy);
        return -1;
    }
    log_info("redis %s ready (maxmemory-policy %s)", version, *policy ? policy : "unknown");
    return 0;
}

int heft_daemon_create_groups(struct heft_daemon *d, struct heft_link *l)
{
    size_t q;
    int b, rc = 0;
    redisReply *r;

    for (q = 0; q < d->nqueues; q++)
        for (b = 0; b < HEFT_NBANDS; b++) {
            const char *argv[] = { "XGROUP", "CREATE", d->queues[q].stream[b], "heft", "0", "MKSTREAM" };

            if (!(r = heft_link_callv(l, 6, argv)))
                return -1;
            if (r->type == REDIS_REPLY_ERROR && !strstr(r->str, "BUSYGROUP")) {
                log_error("XGROUP CREATE %s: %s", d->queues[q].stream[b], r->str);
                rc = -1;
            }
            freeReplyObject(r);
        }
    return rc;
}

static void register_queues(struct heft_daemon *d, struct heft_link *l)
{
    size_t q;
    redisReply *r;

    for (q = 0; q < d->nqueues; q++) {
        const char *argv[] = { "SADD", "heft:queues", d->queues[q].name };

        if ((r = heft_link_callv(l, 3, argv)))
            freeReplyObject(r);
    }
}

/* ---- what systemd hears (notify.h) ---- */

#define STATUS_EVERY_MS 2000

struct pacer {
    long long watchdog_ms;       /* WatchdogSec=; 0: none */
    long long next_ping;         /* CLOCK_MONOTONIC ms */
    long long next_status;
};

static void pacer_init(struct pacer *p)
{
    p->watchdog_ms = heft_notify_watchdog_ms();
    p->next_ping = p->next_status = heft_mono_ms();
}

/* How long the main thread may sleep before it owes systemd a word. */
static long long pacer_wait_ms(const struct pacer *p)
{
    long long due = p->next_status, ms;

    if (p->watchdog_ms && p->next_ping < due)
        due = p->next_ping;
    ms = due - heft_mono_ms();
    return ms < 1 ? 1 : ms;
}

/* Alive means the maintenance thread went round within the watchdog
 * interval: it renews the leases, so a heftd whose maint is stuck would
 * lose its jobs to other workers anyway; better systemd restarts it.
 * Before maint runs (waiting for Redis) the main thread speaks for it. */
static int alive(struct heft_daemon *d, long long watchdog_ms)
{
    long long last = atomic_load(&d->maint_alive_ms);

    return last == 0 || heft_mono_ms() - last < watchdog_ms;
}

static void pacer_tick(struct heft_daemon *d, struct pacer *p, const char *doing)
{
    long long now = heft_mono_ms();
    const char *ping = "";

    if (p->watchdog_ms && now >= p->next_ping) {
        p->next_ping = now + p->watchdog_ms / 2;
        if (alive(d, p->watchdog_ms))
            ping = "WATCHDOG=1\n";
        else
            log_error("watchdog: the maintenance thread is stuck; not telling systemd all is well");
    }
    if (!*ping && now < p->next_status)
        return;
    p->next_status = now + STATUS_EVERY_MS;
    heft_notify("%sSTATUS=%s; %zu of %u workers busy; %lld succeeded, %lld failed, %lld dead",
                ping, doing, d->pool ? heft_pool_running(d->pool) : 0, d->cfg->concurrency,
                atomic_load(&d->counters.succeeded), atomic_load(&d->counters.failed),
                atomic_load(&d->counters.dead));
}

/* Sleep up to ms for one of sigs, speaking to systemd when due; the
 * signal, or 0 after ms. */
static int wait_signal(struct heft_daemon *d, struct pacer *p, const sigset_t *sigs,
                       long long ms, const char *doing)
{
    long long until = heft_mono_ms() + ms, left;
    struct timespec ts;
    int sig;

    while ((left = until - heft_mono_ms()) > 0) {
        if (left > pacer_wait_ms(p))
            left = pacer_wait_ms(p);
        ts.tv_sec = left / 1000;
        ts.tv_nsec = (left % 1000) * 1000000L;
        if ((sig = sigtimedwait(sigs, NULL, &ts)) > 0)
            return sig;
        pacer_tick(d, p, doing);
    }
    return 0;
}

/* Wait for Redis (a signal gives up), check it, prepare the streams. */
static int prepare_redis(struct heft_daemon *d, struct pacer *p, const sigset_t *sigs)
{
    struct heft_link *l = heft_link_create(d->cfg, "startup");
    int rc = HEFT_EXIT_REDIS;

    if (!l)
        return HEFT_EXIT_FAILURE;
    while (heft_link_connect(l) < 0) {
        long long ms = heft_link_backoff_ms(l);

        /* Credentials, database or ACL permissions: waiting will not help. */
        if (strstr(heft_link_error(l), "AUTH") || strstr(heft_link_error(l), "SELECT") ||
            strstr(heft_link_error(l), "NOPERM")) {
            log_error("redis: %s", heft_link_error(l));
            goto out;
        }
        if (wait_signal(d, p, sigs, ms, "waiting for Redis") > 0) {
            rc = HEFT_EXIT_OK;
            log_info("stopped before Redis was reachable");
            goto out;
        }
    }
    if (check_redis(d, l) < 0 || heft_daemon_create_groups(d, l) < 0)
        goto out;
    register_queues(d, l);
    rc = -1;    /* go on */
out:
    heft_link_destroy(l);
    return rc;
}

/* ---- running and stopping ---- */

struct threads {
    pthread_t fetcher, acker, maint;
    int have_fetcher, have_acker, have_maint;
};

static int start_threads(struct heft_daemon *d, struct threads *t)
{
    size_t cap = (size_t)d->cfg->concurrency * d->cfg->prefetch;
    struct heft_pool_calls calls = {
        heft_worker_run, d->cfg->idle_release_ms ? heft_worker_idle : NULL,
        d->cfg->idle_release_ms, d,
    };

    d->pool = heft_pool_create(d->cfg->concurrency, cap, WORKER_STACK, &calls);
    if (!d->pool)
        return -1;
    heft_daemon_set_state(d, HEFT_RUNNING);
    t->have_acker = pthread_create(&t->acker, NULL, heft_acker_main, d) == 0;
    t->have_maint = pthread_create(&t->maint, NULL, heft_maint_main, d) == 0;
    t->have_fetcher = pthread_create(&t->fetcher, NULL, heft_fetcher_main, d) == 0;
    if (!t->have_acker || !t->have_maint || !t->have_fetcher) {
        log_error("pthread_create() failed for a daemon thread");
        return -1;
    }
    return 0;
}

/* DRAINING: no new jobs, the ones fetched but not started go back to
 * their queues, and the running ones get grace_ms (< 0: as long as they
 * take) or until a signal of stops.  The stop signal that cut it short,
 * or 0. */
static int settle(struct heft_daemon *d, struct threads *t, struct pacer *p,
                  const sigset_t *sigs, long long grace_ms, const char *doing)
{
    struct timespec until = heft_deadline_after(grace_ms);
    int sig = 0;

    heft_daemon_set_state(d, HEFT_DRAINING);
    if (t->have_fetcher)
        pthread_join(t->fetcher, NULL);
    t->have_fetcher = 0;
    heft_pool_unqueue(d->pool);
    while (heft_pool_wait_idle(d->pool, 100) < 0) {
        if (grace_ms >= 0 && heft_ms_until(&until) <= 0)
            return 0;
        sig = wait_signal(d, p, sigs, 100, doing);
        if (sig == SIGTERM || sig == SIGINT)
            return sig;
        if (sig == SIGHUP)
            log_warn("SIGHUP while %s: ignored", doing);
    }
    return 0;
}

/* SIGTERM: the running jobs get the grace period, then are asked to stop
 * and are released to other workers. */
static void drain(struct heft_daemon *d, struct threads *t, struct pacer *p,
                  const sigset_t *sigs)
{
    long long grace = d->cfg->shutdown_grace_ms;
    int hurry;

    /* the grace, then up to 7 s to cancel and record (below), and margin */
    heft_notify("STOPPING=1\nEXTEND_TIMEOUT_USEC=%lld\nSTATUS=draining, grace %lld ms",
                (grace + 10000) * 1000, grace);
    log_info("draining: %zu job(s) running, grace %lld ms", heft_pool_running(d->pool), grace);
    settle(d, t, p, sigs, grace, "draining");
    hurry = heft_pool_running(d->pool) > 0;
    if (hurry) {
        log_warn("draining: grace over; %zu running job(s) released to other workers",
                 heft_pool_running(d->pool));
        heft_pool_cancel(d->pool);
        heft_pool_wait_idle(d->pool, 2000);
    }
    heft_daemon_set_state(d, HEFT_STOPPING);
    if (heft_pool_wait_empty(d->pool, 5000) < 0)
        log_warn("stopping: some results could not be recorded; their jobs will run again");
}

static void stop_threads(struct heft_daemon *d, struct threads *t)
{
    heft_daemon_set_state(d, HEFT_STOPPED);
    if (t->have_fetcher)
        pthread_join(t->fetcher, NULL);
    if (t->have_acker)
        pthread_join(t->acker, NULL);
    if (t->have_maint)
        pthread_join(t->maint, NULL);
    t->have_fetcher = t->have_acker = t->have_maint = 0;
    heft_pool_destroy(d->pool);
    d->pool = NULL;
}

/* The next SIGTERM, SIGINT or SIGHUP, telling systemd meanwhile. */
static int wait_for_signal(struct heft_daemon *d, struct pacer *p, const sigset_t *sigs)
{
    int sig;

    while (!(sig = wait_signal(d, p, sigs, 3600000, "serving")))
        ;
    if (sig != SIGHUP)
        log_info("received %s; draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return sig;
}

static void announce(struct heft_daemon *d, const char *how)
{
    log_info("heftd %s %s %zu queue(s) with %u worker thread(s) as %s", PACKAGE_VERSION, how,
             d->nqueues, d->cfg->concurrency, d->consumer);
    heft_notify("READY=1\nSTATUS=serving %zu queue(s) with %u worker thread(s)", d->nqueues,
                d->cfg->concurrency);
}

/* What a reload cannot change in place: another Redis needs a restart. */
static int same_redis(const struct heft_config *a, const struct heft_config *b)
{
    return !strcmp(a->redis_url, b->redis_url) &&
           !strcmp(a->redis_username ? a->redis_username : "", b->redis_username ? b->redis_username : "") &&
           !strcmp(a->redis_password ? a->redis_password : "", b->redis_password ? b->redis_password : "");
}

/* Wait until every outcome is recorded (Redis may be away: no limit), or
 * a stop signal. */
static int record_all(struct heft_daemon *d, struct pacer *p, const sigset_t *sigs)
{
    int sig;

    heft_daemon_set_state(d, HEFT_STOPPING);
    while (heft_pool_wait_empty(d->pool, 100) < 0)
        if ((sig = wait_signal(d, p, sigs, 100, "reloading")) == SIGTERM || sig == SIGINT)
            return sig;
    return 0;
}

/* The metrics table is sized by the queues: the new one takes over the
 * counts of the queues both configurations have. */
static void swap_config(struct heft_daemon *d, struct heft_config *cfg,
                        struct heft_states *states, struct heft_queue *queues,
                        struct heft_metrics *metrics)
{
    heft_metrics_carry(metrics, cfg, d->metrics, d->cfg);
    free_queues(d->queues, d->nqueues);
    free_config(d->cfg, d->states);
    heft_metrics_destroy(d->metrics);
    d->metrics = metrics;
    d->cfg = cfg;
    d->states = states;
    d->queues = queues;
    d->nqueues = cfg->nqueues;
    heft_log_setup(cfg->log_level, cfg->log_format);
}

enum reload_end { RELOAD_SERVING, RELOAD_STOP, RELOAD_FAILED };

/* SIGHUP: the configuration afresh.  One that does not load, or names
 * another Redis, changes nothing (logged).  Otherwise heftd stops
 * fetching, gives the jobs it fetched but did not start back to their
 * queues, lets the running ones finish and records them, then starts
 * again with the new configuration.  A stop signal meanwhile ends it
 * (RELOAD_STOP: drain and exit); *rc is the exit code of RELOAD_FAILED. */
static enum reload_end reload(struct heft_daemon *d, struct threads *t, struct pacer *p,
                              const sigset_t *sigs, int *rc)
{
    struct heft_config_error err = { "reloading is not possible here" };
    struct heft_config *cfg = NULL;
    struct heft_states *states = NULL;
    struct heft_queue *queues = NULL;
    struct heft_metrics *metrics = NULL;

    if (!d->reloader || d->reloader->load(d->reloader->ctx, &cfg, &states, &err) < 0) {
        log_error("reload: %s; the running configuration stays", err.msg);
        return RELOAD_SERVING;
    }
    if (!same_redis(d->cfg, cfg)) {
        log_error("reload: the Redis settings changed, which needs a restart; "
                  "the running configuration stays");
        free_config(cfg, states);
        return RELOAD_SERVING;
    }
    if (!(queues = build_queues(cfg)) || (cfg->metrics_listen && !(metrics = heft_metrics_create(cfg)))) {
        log_error("reload: out of memory; the running configuration stays");
        free_queues(queues, cfg->nqueues);
        free_config(cfg, states);
        return RELOAD_SERVING;
    }
    /* MONOTONIC_USEC: newer systemd (Type=notify-reload) pairs it with READY=1 */
    heft_notify("RELOADING=1\nMONOTONIC_USEC=%lld\nSTATUS=reloading: %zu running job(s) finish first",
                heft_mono_ms() * 1000, heft_pool_running(d->pool));
    log_info("reload: configuration accepted; %zu running job(s) finish first",
             heft_pool_running(d->pool));
    if (settle(d, t, p, sigs, -1, "reloading") || record_all(d, p, sigs)) {
        heft_metrics_destroy(metrics);
        free_queues(queues, cfg->nqueues);
        free_config(cfg, states);
        return RELOAD_STOP;
    }
    heft_metrics_stop(d);         /* it reads the pool: before the pool goes */
    stop_threads(d, t);
    swap_config(d, cfg, states, queues, metrics);
    if ((*rc = prepare_redis(d, p, sigs)) >= 0)
        return *rc == HEFT_EXIT_OK ? RELOAD_STOP : RELOAD_FAILED;
    if (d->metrics && heft_metrics_start(d) < 0)
        log_error("reload: no metrics until the next reload or restart");
    if (start_threads(d, t) < 0) {
        *rc = HEFT_EXIT_FAILURE;
        return RELOAD_FAILED;
    }
    announce(d, "reloaded:");
    return RELOAD_SERVING;
}

int heft_daemon_run(struct heft_daemon *d)
{
    struct threads t = { 0 };
    struct pacer pacer;
    sigset_t sigs;
    int rc;

    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    pacer_init(&pacer);
    rc = prepare_redis(d, &pacer, &sigs);
    if (rc >= 0)
        return rc;
    /* Bound before any job is taken, so a port in use stops heftd cleanly. */
    if (heft_metrics_start(d) < 0)
        return HEFT_EXIT_FAILURE;
    if (start_threads(d, &t) < 0) {
        rc = HEFT_EXIT_FAILURE;
        goto out;
    }
    announce(d, "serving");
    while (wait_for_signal(d, &pacer, &sigs) == SIGHUP)
        switch (reload(d, &t, &pacer, &sigs, &rc)) {
        case RELOAD_SERVING: continue;
        case RELOAD_STOP: goto drain;
        case RELOAD_FAILED: goto out;
        }
drain:
    if (d->pool)
        drain(d, &t, &pacer, &sigs);
    rc = HEFT_EXIT_OK;
out:
    heft_metrics_stop(d);         /* it reads the pool: before the pool goes */
    stop_threads(d, &t);
    log_info("stopped: %lld succeeded, %lld failed, %lld retried, %lld dead",
             atomic_load(&d->counters.succeeded), atomic_load(&d->counters.failed),
             atomic_load(&d->counters.retried), atomic_load(&d->counters.dead));
    return rc;
}
