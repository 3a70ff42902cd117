/*
 * harness.h - a private redis-server and heftd for one end-to-end test.
 *
 * The C counterpart of tests/lib.sh.  h_setup() makes a temporary
 * directory, starts redis-server on a free loopback port in it (no RDB, no
 * AOF) and connects a client; the test then starts heftd with the YAML it
 * needs, enqueues jobs with the protocol's enqueue script and waits for
 * their replies; h_teardown() kills both and removes the directory.
 *
 * Binaries: $REDIS_SERVER and $HEFT_BUILDDIR/heftd (set by `make check`),
 * else redis-server from PATH and ./heftd or heftd from PATH.
 *
 * Failure handling.  Every wait here is bounded.  Harness functions abort
 * the test (ck_abort_msg) when the test bed itself breaks: Redis does not
 * start, a command gets no reply, heftd never sends a heartbeat.  Under
 * Check's fork mode a failed assertion ends the test process at once,
 * without teardown, so cleanup does not depend on teardown:
 *   - redis-server and heftd die with the test process (PR_SET_PDEATHSIG,
 *     and Check kills the test's process group anyway);
 *   - h_setup() forks a small guardian in its own process group that
 *     waits for the test process to go away; unless h_teardown() said all
 *     went well, it prints heftd's log (the test failed or timed out), and
 *     in every case it removes the temporary directory.
 * Set HEFT_TEST_LOG=1 to see heftd's log of passing tests too, and
 * HEFT_TEST_KEEP=1 to keep the temporary directories.
 *
 * Strings returned by h_str() and h_hget() live in a small ring owned by
 * the harness: each stays valid for the next H_RING - 1 such calls.
 */
#ifndef HEFT_TEST_HARNESS_H
#define HEFT_TEST_HARNESS_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define H_QUEUE "default"        /* the queue every helper works on */
#define H_RING 32

struct harness {
    char dir[512];                /* the temporary directory */
    char redis_server[PATH_MAX];  /* binaries */
    char heftd[PATH_MAX];
    int port;                     /* redis-server's loopback port */
    pid_t redis_pid;
    redisContext *c;              /* the test's own connection */
    char enqueue_sha[41];         /* SCRIPT LOAD of the enqueue script */
    size_t pending;               /* pipelined enqueues not yet read */
    int quiet;                    /* h_enqueue_quiet(): options as given */

    pid_t heftd_pid;              /* the current heftd, 0 when none */
    int heftd_status;             /* exit status of the last one reaped */
    char consumer[256];           /* its consumer name, once it beat */
    char log[600];                /* stderr of every heftd run, appended */
    int runs;                     /* heftd processes started so far */

    char *run_out, *run_err;      /* h_run_heftd(): what it printed */

    pid_t guardian;
    int guard_fd;                 /* write end: closed when the test ends */
    char *ring[H_RING];
    unsigned ring_next;
};

/* ---- life of the test bed ---- */

/* Temp dir, redis-server, client connection, guardian. */
void h_setup(struct harness *h);
/* Kill heftd and Redis, remove the directory. */
void h_teardown(struct harness *h);
/* Kill redis-server (SIGKILL: all data lost) and start a fresh one on the
 * same port; the test's client reconnects. */
void h_redis_restart(struct harness *h);
/* Kill redis-server and leave it down (no client calls until
 * h_redis_restart()). */
void h_redis_stop(struct harness *h);

/* ---- talking to Redis (argv commands only, never format strings) ---- */

/* A NULL-terminated list of arguments; the reply belongs to the caller
 * (freeReplyObject).  Aborts the test if Redis does not answer. */
redisReply *h_cmd(struct harness *h, const char *arg0, ...) __attribute__((sentinel));
redisReply *h_cmdv(struct harness *h, int argc, const char **argv, const size_t *lens);
/* The integer reply of a command (aborts on any other reply). */
long long h_int(struct harness *h, const char *arg0, ...) __attribute__((sentinel));
/* The string reply of a command, NUL-terminated (ring), or NULL for nil.
 * *len (may be NULL) receives its length, for binary values. */
const char *h_str(struct harness *h, size_t *len, const char *arg0, ...)
    __attribute__((sentinel));
/* A field of the job hash heft:{default}:job:ID (ring), or NULL. */
const char *h_hget(struct harness *h, const char *id, const char *field);
/* HGET as a number; -1 when the field is missing. */
long long h_hget_int(struct harness *h, const char *id, const char *field);
/* "heft:{default}:SUFFIX" (ring). */
const char *h_key(struct harness *h, const char *suffix);
/* Redis's clock (TIME), in ms since the epoch. */
long long h_redis_time_ms(struct harness *h);
/* XPENDING's count of the group heft on a stream. */
long long h_xpending(struct harness *h, const char *stream);

/* ---- jobs ---- */

/* EVALSHA the enqueue script (EVAL on NOSCRIPT) on queue default, asking
 * for a reply: "reply": true is added to opts (NULL: no other options)
 * unless opts already says.  Returns the script's reply: 1 created, 0 the
 * id existed.  Aborts on an error reply. */
long long h_enqueue(struct harness *h, const char *id, const char *type,
                    const char *payload, const char *opts);
/* The same with exactly the options given (NULL: ""), so no reply list. */
long long h_enqueue_quiet(struct harness *h, const char *id, const char *type,
                          const char *payload, const char *opts);
/* The same, pipelined: append now, read every reply with h_enqueue_flush()
 * (which aborts unless each one is 1).  Flush every few thousand. */
void h_enqueue_append(struct harness *h, const char *id, const char *type,
                      const char *payload, const char *opts);
void h_enqueue_flush(struct harness *h);
/* BLPOP the job's reply list; the parsed message (json_decref it), or
 * NULL after timeout_ms.  Aborts if the message is not a JSON object. */
json_t *h_wait_reply(struct harness *h, const char *id, long long timeout_ms);
/* Poll the job hash until state is want; 0, or -1 after timeout_ms. */
int h_wait_state(struct harness *h, const char *id, const char *want, long long timeout_ms);
/* Poll until field has value want; 0, or -1 after timeout_ms. */
int h_wait_field(struct harness *h, const char *id, const char *field, const char *want,
                 long long timeout_ms);

/* ---- heftd ---- */

/* Start heftd on our Redis (HEFT_REDIS_URL), with -c FILE when yaml is
 * not NULL (the text is written to a fresh file in the temp dir), then
 * the extra flags (NULL-terminated).  stderr goes to h->log.  Does not
 * wait; the pid is also kept in h->heftd_pid. */
pid_t h_heftd_spawn(struct harness *h, const char *yaml, ...) __attribute__((sentinel));
/* Spawn, then wait (10 s at most) for its heartbeat in heft:workers; sets
 * h->consumer.  Aborts, with heftd's log, if it exits or never beats. */
void h_heftd_start(struct harness *h, const char *yaml, ...) __attribute__((sentinel));
/* Wait for the current heftd to exit: its exit code, 128 + signal if a
 * signal killed it, -1 if it still runs after timeout_ms. */
int h_heftd_wait_exit(struct harness *h, long long timeout_ms);
/* SIGTERM, then h_heftd_wait_exit(); on a time-out it is killed (-1). */
int h_heftd_stop(struct harness *h, long long timeout_ms);
/* kill -9 and reap. */
void h_heftd_kill9(struct harness *h);
/* 1 while the current heftd has not exited. */
int h_heftd_running(struct harness *h);
/* Run heftd to completion (no Redis needed: --check-config, bad flags)
 * with the given arguments; its output lands in h->run_out, h->run_err.
 * Returns its exit code, or -1 when it ran past timeout_ms (killed). */
int h_run_heftd(struct harness *h, long long timeout_ms, const char *arg0, ...)
    __attribute__((sentinel));
/* The same for $HEFT_BUILDDIR/heftctl (else ./heftctl), with
 * HEFT_REDIS_URL pointing at our Redis and stdin from /dev/null. */
int h_run_heftctl(struct harness *h, long long timeout_ms, const char *arg0, ...)
    __attribute__((sentinel));

/* heftd's log: does it contain needle; wait for it (0, or -1). */
int h_log_contains(struct harness *h, const char *needle);
int h_wait_log(struct harness *h, const char *needle, long long timeout_ms);
/* Print heftd's log to stderr (done for you when a test fails). */
void h_dump_log(struct harness *h);

/* ---- files and time ---- */

/* Write text to DIR/name; returns the path (ring). */
const char *h_write_file(struct harness *h, const char *name, const char *text);
/* The whole file, NUL-terminated (free it); NULL if unreadable. */
char *h_read_file(const char *path, size_t *len);
long long h_mono_ms(void);       /* CLOCK_MONOTONIC in ms */
void h_sleep_ms(long long ms);

#endif
