/*
 * heft/job.h - the job-handler API: everything a job type needs, nothing
 * of the daemon behind it.
 *
 * A handler is a function that heftd calls on one of its worker threads
 * with a job context (heft_job, opaque).  It reads the parsed payload,
 * does its work, and either sets a result (a JSON value and optionally a
 * binary blob) and returns HEFT_OK, or calls heft_job_fail() and returns
 * what it returned.
 *
 * Threads: a heft_job belongs to the one thread running its handler; a
 * handler may keep no state across jobs other than read-only data (several
 * threads run the same handler at once).
 *
 * Ownership: everything a getter returns is borrowed and valid until the
 * handler returns.  heft_job_set_result() steals the JSON reference it is
 * given; heft_job_set_blob() copies the bytes.
 *
 * Deadlines: a job has a deadline (its timeout_ms option, or the type's
 * configured timeout).  Long handlers must call heft_job_cancelled() between
 * units of work (a page, a chunk of input) and return promptly when it is
 * true: either because the deadline passed or because heftd is shutting
 * down and its grace period ran out.  What the handler returns then does
 * not matter: a job past its deadline fails with code "timeout" (retried
 * like any retryable failure), and a job cancelled by shutdown is left for
 * another worker.  heftd cannot stop a handler that never checks.
 */
#ifndef HEFT_JOB_H
#define HEFT_JOB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when the handler ABI changes incompatibly. */
#define HEFT_API_VERSION 1

enum heft_status {
    HEFT_OK = 0,
    HEFT_ERR = -1,      /* the job failed: see heft_job_fail() */
};

enum heft_log_level_public {
    HEFT_JOB_LOG_ERROR = 3,
    HEFT_JOB_LOG_WARN = 4,
    HEFT_JOB_LOG_INFO = 6,
    HEFT_JOB_LOG_DEBUG = 7,
};

typedef struct heft_job heft_job;

typedef int (*heft_handler_fn)(heft_job *job);

/* Filled by a handler's init to explain why its settings are refused. */
struct heft_init_error {
    char key[128];      /* dotted path inside the type's settings ("fonts.Roboto.bold",
                         * "image_dirs[1]"), "" = the type as a whole */
    char msg[384];      /* human message, no key prefix */
};

/* For a handler's init: fill err with key (a dotted path in the type's
 * settings, "" for the type) and a message.  Always returns HEFT_ERR. */
int heft_init_fail(struct heft_init_error *err, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For a handler's init: a setting that names an existing directory by its
 * absolute path.  *dir gets it resolved (realpath, malloc'ed: the caller
 * frees it); HEFT_ERR with err filled (naming key) otherwise. */
int heft_setting_dir(const json_t *value, const char *key, char **dir,
                     struct heft_init_error *err);

/* struct heft_handler's flags. */
enum heft_handler_flag {
    /* The payload carries a secret (a password): heftd removes it from
     * Redis as soon as it takes the job ("sealing" it, docs/security.md).
     * Such a job is never retried or requeued with its payload; a worker
     * lost while running it ends it dead with code "lost".  The config's
     * jobs.types.TYPE.seal_payload overrides this either way. */
    HEFT_HANDLER_SEAL_PAYLOAD = 1u << 0,
};

/* One job type.  Handlers are listed in one table (jobs/registry.c). */
struct heft_handler {
    const char *type;            /* "echo", "pdf.render": what clients enqueue */
    heft_handler_fn run;
    const char *summary;         /* one line for --help and docs */
    /* Optional.  Called once when heftd starts (and again on reload, later),
     * before any job of the type runs, with the type's settings (a JSON
     * object, borrowed; empty when the config has none): every key of
     * jobs.types.TYPE other than max_payload_bytes, timeout_ms, seal_payload
     * and limits,
     * converted from YAML as <heft/yaml.h> says.  Builds read-only state
     * that every worker thread shares (parsed templates, font metrics...).
     * Returns HEFT_OK with *state set (NULL is fine), or HEFT_ERR with err
     * filled; heftd then exits 1 printing "FILE:LINE: jobs.types.TYPE.KEY:
     * msg".  Unknown keys must be refused here (the config parser cannot
     * know them).  heftd --check-config runs it too (then fini). */
    int (*init)(const json_t *settings, void **state, struct heft_init_error *err);
    /* Optional: frees what init built; called after the last job of the type. */
    void (*fini)(void *state);
    unsigned flags;              /* enum heft_handler_flag bits */
    /* Optional.  Called on every worker thread once heftd has taken no
     * job (of any type) for the config's idle_release_ms, and again only
     * after it has taken another; never when idle_release_ms is 0.  It is
     * for giving back what the handler keeps for this thread between jobs
     * (a large buffer made on the thread's first job of the type, say), to
     * be made again by its next one.
     * - It runs on threads that may never have run a job of the type.
     * - No job runs on the calling thread meanwhile, but other threads'
     *   jobs and hooks may run: touch only this thread's data.
     * - state is what init set (NULL without init).
     * - It is not called when a thread ends: free per-thread data with a
     *   thread-specific destructor too (pthread_key_create). */
    void (*thread_idle)(const void *state);
};

/* ---- inputs (borrowed) ---- */

const char *heft_job_id(const heft_job *job);
const char *heft_job_type(const heft_job *job);
const char *heft_job_queue(const heft_job *job);
/* The parsed payload: any JSON value (usually an object). */
const json_t *heft_job_payload(const heft_job *job);
/* The payload's size in bytes as it came from Redis (already checked
 * against max_payload_bytes); 0 when unknown. */
size_t heft_job_payload_size(const heft_job *job);
/* 1 for the first attempt, 2 for the first retry, ... */
int heft_job_attempt(const heft_job *job);
/* The state the type's init built (shared by all threads: read only), or
 * NULL when the type has no init or its init set none. */
const void *heft_job_state(const heft_job *job);

/* A limit from the config: jobs.types.TYPE.limits.NAME, or fallback when
 * the config sets none.  Handlers enforce their own limits with it. */
long long heft_job_limit(const heft_job *job, const char *name, long long fallback);

/* ---- deadline and cancellation ---- */

/* Non-zero once the job must stop: deadline passed or shutdown. Cheap. */
int heft_job_cancelled(const heft_job *job);
/* Milliseconds left before the deadline (0 when past it). */
long long heft_job_remaining_ms(const heft_job *job);

/* ---- reporting ---- */

/* Progress from 0 to 100, published with the job's lease renewals. */
void heft_job_progress(heft_job *job, int percent);
/* Log a line tagged with the job's queue, type and id.  Never log secrets. */
void heft_job_log(heft_job *job, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- string values from heftd's Redis ----
 *
 * A handler may read a string value (binary safe) that a client stored in
 * the Redis database heftd serves, in pieces of its own size, so that a
 * value of any length costs the handler one buffer.  A job reads one value
 * at a time, as a session:
 *
 *     uint64_t len, off = 0;
 *     size_t got;
 *     if ((rc = heft_job_redis_open(job, key, keylen, &len)) < 0) ...
 *     while (off < len) {
 *         if ((rc = heft_job_redis_read(job, off, buf, sizeof buf, &got)) < 0) ...
 *         off += got;              (use buf[0..got), check heft_job_cancelled())
 *     }
 *     rc = heft_job_redis_close(job);
 *
 * open WATCHes the key, so close sees any write to the value since open
 * (SET, SETRANGE, APPEND, DEL, expiry), even one that keeps its length:
 * it then returns HEFT_REDIS_ECHANGED and what was read must be discarded
 * (a read that comes back short says so at once).  Only close vouches for
 * the bytes.  A new open ends the previous session; a session left open
 * when the handler returns costs nothing but the WATCH.
 *
 * Which keys a job may read is the handler's policy (its settings should
 * list allowed prefixes: a payload must never choose any key).  heftd
 * itself refuses its own keys ("heft:..."), so that no job reads another
 * job's payload or result whatever the handler allows.
 *
 * Each worker thread has its own connection for this (made on first use,
 * with heftd's address, credentials and database, kept across jobs and
 * closed when the thread ends; a broken one is remade by the next open).
 * Each call is one round trip, bounded by heftd's I/O timeout (10 s).
 *
 * All return HEFT_REDIS_OK (0) or a negative enum heft_redis_status;
 * heft_job_redis_error() then says why (borrowed, valid until the next
 * call of these functions on the job).  Never call them from another
 * thread than the handler's.
 */
enum heft_redis_status {
    HEFT_REDIS_OK = 0,
    HEFT_REDIS_ENOKEY = -1,         /* open: no such key (or it expired) */
    HEFT_REDIS_EWRONGTYPE = -2,     /* open: the key holds a list, hash, ..., not a string */
    HEFT_REDIS_EUNAVAILABLE = -3,   /* Redis unreachable, the connection broke or timed
                                     * out: transient, worth a retry */
    HEFT_REDIS_ECHANGED = -4,       /* read, close: the value was written or deleted since
                                     * open */
    HEFT_REDIS_EREFUSED = -5,       /* open: an empty key or one of heftd's own ("heft:") */
    HEFT_REDIS_EREPLY = -6,         /* Redis answered with an error (an ACL's NOPERM...) */
    HEFT_REDIS_EINVAL = -7,         /* read or close without open, offset past the end */
};

/* Start reading the string at key (keylen bytes, binary safe; copied):
 * *len receives its length in bytes. */
int heft_job_redis_open(heft_job *job, const void *key, size_t keylen, uint64_t *len);
/* Up to cap bytes of the value from offset into buf (cap > 0); *got
 * receives how many: min(cap, len - offset), 0 at the end. */
int heft_job_redis_read(heft_job *job, uint64_t offset, void *buf, size_t cap, size_t *got);
/* Ends the session: HEFT_REDIS_OK when the value did not change since
 * open, so that every byte read belongs to one version of it. */
int heft_job_redis_close(heft_job *job);
/* Why the last call failed ("" after a success). */
const char *heft_job_redis_error(const heft_job *job);

/* ---- outcome ---- */

/* The JSON result (steals the reference; a later call replaces it).
 * Returns HEFT_OK, or HEFT_ERR when result is NULL. */
int heft_job_set_result(heft_job *job, json_t *result);
/* A binary result stored beside the JSON one (copied). HEFT_OK, or
 * HEFT_ERR when memory runs out. */
int heft_job_set_blob(heft_job *job, const void *data, size_t len);

/* Fail the job with a stable machine-readable code ([a-z0-9_], e.g.
 * "bad_input") and a human message.  retryable: 0 for errors that the same
 * input will always hit (the job ends "failed" at once), 1 for transient
 * ones (retried with backoff up to its attempts, then "dead").
 * Always returns HEFT_ERR, so a handler can `return heft_job_fail(...)`. */
int heft_job_fail(heft_job *job, const char *code, int retryable, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif

#endif
