/*
 * daemon.h - struct heft_daemon, the one context of a running heftd, and
 * its life cycle as a state machine:
 *
 *   STARTING --ready--> RUNNING --SIGTERM--> DRAINING --idle or grace over-->
 *   STOPPING --results recorded--> STOPPED
 *
 * A reload (SIGHUP) goes RUNNING -> DRAINING (no grace limit: the running
 * jobs finish) -> STOPPING -> STOPPED, swaps the configuration and starts
 * the threads again: RUNNING.
 *
 * Only the main thread changes the state (heft_daemon_set_state); the
 * other threads read it and sleep on the daemon's condition variable, so a
 * state change wakes them at once.  Each thread owns its own heft_link.
 */
#ifndef HEFT_DAEMON_H
#define HEFT_DAEMON_H

#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "job.h"
#include "pool.h"

enum heft_state { HEFT_STARTING, HEFT_RUNNING, HEFT_DRAINING, HEFT_STOPPING, HEFT_STOPPED };

/* Exit codes of heftd (documented in heftd --help and the README). */
enum heft_exit {
    HEFT_EXIT_OK = 0,
    HEFT_EXIT_USAGE = 1,      /* bad flag or config */
    HEFT_EXIT_REDIS = 2,      /* Redis refused: too old, evicting, auth */
    HEFT_EXIT_FAILURE = 3,    /* could not start threads, out of memory */
};

/* A queue's Redis key names, built once. */
struct heft_queue {
    char *name;
    unsigned weight;
    char *stream[HEFT_NBANDS];    /* heft:{Q}:ready:high|normal|low */
    char *delayed;                /* heft:{Q}:delayed */
    char *dead;                   /* heft:{Q}:dead */
    char *sealed;                 /* heft:{Q}:sealed */
    char *stats;                  /* heft:{Q}:stats */
    char *events;                 /* heft:{Q}:events (pub/sub channel) */
    char *paused;                 /* heft:{Q}:paused */
    char *prefix;                 /* heft:{Q}: (job:ID and reply:ID follow) */
    atomic_int is_paused;         /* refreshed by maint */
};

struct heft_counters {
    atomic_llong succeeded, failed, retried, dead, released;
    atomic_llong reconnects;      /* links to Redis re-established (link.c) */
};

struct heft_states;
struct heft_metrics;

/* How heftd builds its configuration afresh for a reload: defaults, the
 * file, the environment and the flags again, then the handlers' inits.
 * 0 with *cfg (malloc'ed) and *states, or -1 with err filled. */
struct heft_reloader {
    int (*load)(void *ctx, struct heft_config **cfg, struct heft_states **states,
                struct heft_config_error *err);
    void *ctx;
};

struct heft_daemon {
    struct heft_config *cfg;            /* owned (heap), replaced by a reload */
    struct heft_states *states;         /* the handlers' shared states, owned */
    const struct heft_reloader *reloader;   /* borrowed; NULL: no reload */
    char consumer[160];           /* host:pid:nonce, the stream consumer name */
    char host[96];
    long long started_ms;         /* wall clock */
    size_t nqueues;
    struct heft_queue *queues;
    struct heft_pool *pool;
    struct heft_counters counters;

    pthread_mutex_t mu;           /* guards state changes */
    pthread_cond_t changed;
    atomic_int state;
    atomic_llong maint_alive_ms;  /* CLOCK_MONOTONIC ms of maint's last round; 0 before */
    atomic_int maint_connected;   /* maint's link to Redis was up after its last round */
    struct heft_metrics *metrics; /* metrics.h; NULL unless metrics.listen is set */

    pthread_key_t jobredis;       /* each worker thread's heft_jobredis (jobredis.h) */
    int have_jobredis;
};

/* Takes cfg (malloc'ed) and states (what heft_handlers_init() built),
 * also when it fails: heft_daemon_fini() frees them.  reloader may be
 * NULL (SIGHUP is then refused). */
int heft_daemon_init(struct heft_daemon *d, struct heft_config *cfg, struct heft_states *states,
                     const struct heft_reloader *reloader);
void heft_daemon_fini(struct heft_daemon *d);
/* Connect, check Redis, start the threads, serve until a signal, drain and
 * stop.  Returns an enum heft_exit code. */
int heft_daemon_run(struct heft_daemon *d);

enum heft_state heft_daemon_state(struct heft_daemon *d);
void heft_daemon_set_state(struct heft_daemon *d, enum heft_state s);
/* Sleep up to ms, waking early when the state changes. */
void heft_daemon_sleep(struct heft_daemon *d, long long ms);

/* The threads, one file each. */
void *heft_fetcher_main(void *daemon);
void *heft_acker_main(void *daemon);
void *heft_maint_main(void *daemon);
/* The pool's per-job function (worker.c). */
void heft_worker_run(struct heft_job *job, void *daemon);
/* On each worker thread once heftd has taken no job for idle_release_ms:
 * every handler's thread_idle. */
void heft_worker_idle(void *daemon);

/* Create the consumer group on every stream of every queue (idempotent). */
struct heft_link;
int heft_daemon_create_groups(struct heft_daemon *d, struct heft_link *l);
/* Map a stream key back to its queue and band; -1 if it is none of ours. */
int heft_daemon_find_stream(const struct heft_daemon *d, const char *key, size_t len,
                            enum heft_band *band);


#endif
