/*
 * heft-bench.c - load generator for heftd.
 *
 * Owns the whole benchmark: it enqueues jobs with the protocol's enqueue
 * script (EVALSHA, exactly as clients do), waits for the jobs to end,
 * checks each result, samples heftd's RSS and prints one summary line.  It
 * only talks to Redis, so it measures the path a real client sees.
 *
 * Each of the C clients has a sender thread with its own connection
 * (EVALSHA, pipelined in drain mode, paced in steady mode).  In steady mode
 * each client also has a reader thread that keeps pipelined BLPOPs on the
 * client's reply lists (the jobs ask for one: "reply": true) in submission
 * order, so waiting costs Redis one pop per job instead of a polling loop.
 * In drain mode there are no readers: once the queue is resumed the main
 * thread polls the queue's counters (heft:{Q}:stats) until the jobs ended,
 * then reads every job hash to check the results, outside the timed window.
 * The main thread also samples RSS and enforces --timeout.
 * bench/README.md defines what the numbers mean.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "scripts.h"

#define NS 1000000000ULL
#define MS 1000000ULL
#define DRAIN_BATCH 500        /* EVALSHA per pipeline in drain mode */
#define SEND_DEPTH 4096        /* unacknowledged EVALSHA per sender */
#define READ_DEPTH 1000        /* BLPOPs a reader keeps in flight */
#define BLPOP_TIMEOUT "1"      /* seconds; a nil reply asks again later */
#define IO_TIMEOUT_S 30        /* socket timeout, well above BLPOP_TIMEOUT */
#define CONNECT_TIMEOUT_MS 2000
#define SAMPLE_NS (200 * MS)   /* RSS sampling period */
#define TICK_NS (20 * MS)      /* main thread's watch period */
#define LATE_NS (1 * MS)       /* steady: a send this late counts as late */
#define MAX_JOBS 50000000
#define MAX_CLIENTS 256
#define MAX_WORKERS 256        /* heartbeats read per RSS sample */
#define MAX_REPORTS 5          /* job failures described on stderr */
#define POLL_MS 1              /* drain: heft:{Q}:stats polling period (default) */
#define CHECK_BATCH 1000       /* drain: job hashes read per pipeline */
#define STEADY_OPTS "{\"reply\":true}"   /* steady: BLPOP needs the reply list */

enum bench_mode { MODE_DRAIN, MODE_STEADY };
enum { ENQ_NONE, ENQ_SENT, ENQ_OK, ENQ_FAILED };   /* enq_state[], sender writes */
/* res_state[], written by the reader (steady) or the main thread's check
 * (drain).  RES_OK and RES_BAD have a done_ns; RES_NONE and RES_LOST not. */
enum { RES_NONE, RES_OK, RES_BAD, RES_LOST };

/* A FIFO of job indices: commands in flight on one connection. */
struct ring {
    size_t *v;
    size_t cap, head, len;
};

struct bench;

struct client {
    struct bench *b;
    unsigned idx;
    size_t first, count;          /* its jobs: global indices first.. */
    redisContext *enq, *rd;       /* the sender's and the reader's connection */
    pthread_t sender, reader;
    int reader_on, sender_on;     /* threads created */
    int sync_ok;                  /* lock and cond were initialised */
    pthread_mutex_t lock;         /* with cond: wakes the reader as sent grows */
    pthread_cond_t cond;
    _Atomic size_t sent;          /* jobs first..first+sent-1 were sent */
    struct ring pend, retry, inflight;
    int no_retry;                 /* NOSCRIPT right after a reload fails the job */
    size_t late;                  /* steady: sends that started > LATE_NS late */
    uint64_t worst_lag;           /* steady: the latest send, ns behind schedule */
    struct heft_buf sid, skey, rid, rkey;   /* sender's and reader's scratch */
};

/* The one context: options, the run's shared state, the clients. */
struct bench {
    const char *url, *queue, *type, *payload_arg;
    struct heft_redis_addr addr;
    size_t jobs;
    unsigned clients;
    enum bench_mode mode;
    int rate_set;
    double rate, timeout_s;
    double poll_ms;             /* drain: how often the counters are read */
    long pid;
    struct heft_buf payload;
    json_t *payload_json;
    int echo;

    char sha[41];
    struct heft_buf k_high, k_normal, k_low, k_delayed, k_paused, k_stats;
    uint64_t release_ns;          /* drain: when the queue was resumed */
    long long release_ms;         /* drain: the same moment by Redis's TIME (ms) */
    long long stats_base;         /* drain: succeeded+failed+dead before the resume */
    uint64_t drained_ns;          /* drain: when the counters last grew (end of window) */
    size_t drained;               /* drain: how much they grew by then (<= jobs enqueued) */
    long long unlinked;           /* drain: reply lists found and deleted */
    long self_pid;
    unsigned long long nonce;
    uint64_t *enq_ns, *done_ns;   /* per job; each written by one thread; drain:
                                     done_ns is finished_ms - release_ms, in ns */
    _Atomic unsigned char *enq_state, *res_state;
    _Atomic uint64_t progress_ns; /* last enqueue ack or result */
    _Atomic int stop;
    _Atomic unsigned running;     /* client threads not yet finished */
    _Atomic unsigned reports;
    uint64_t start_ns, end_ns;
    long rss_kb;
    unsigned rss_procs;
    struct client *cl;
};

static const char usage_text[] =
    "usage: heft-bench [--redis URL] [--queue Q] [--jobs N] [--clients C]\n"
    "                  [--mode drain|steady] [--rate R] [--type T]\n"
    "                  [--payload JSON|@FILE] [--timeout S] [--pid PID]\n"
    "                  [--poll-ms MS]\n"
    "\n"
    "  --redis URL      redis://[user:pass@]host:port/db or unix:///path\n"
    "                   (default: $HEFT_REDIS_URL, else redis://127.0.0.1:6379)\n"
    "  --queue Q        queue heftd serves (default: default)\n"
    "  --jobs N         jobs to run (default: 10000)\n"
    "  --clients C      client threads, each with its own connections (default: 4)\n"
    "  --mode M         drain: enqueue everything as fast as possible;\n"
    "                   steady: offer --rate jobs/s (default: drain)\n"
    "  --rate R         steady only: total jobs per second over all clients\n"
    "  --type T         job type (default: echo)\n"
    "  --payload P      JSON payload, or @FILE to read it (default: {\"n\":1})\n"
    "  --timeout S      give up after S seconds without progress (default: 120)\n"
    "  --pid PID        read heftd's RSS from /proc/PID (default: $HEFTD_PID, else\n"
    "                   from heftd's heartbeats in Redis)\n"
    "  --poll-ms MS     drain only: read the queue's counters every MS ms to see\n"
    "                   the end (default: 1; for jobs of many ms, more spares\n"
    "                   the CPU they share with heftd)\n"
    "  --help           show this help\n"
    "\n"
    "Prints one line: mode= jobs= seconds= jobs_per_s= p50_ms= p99_ms=\n"
    "heftd_rss_kb= failed=.  Exit status 0 iff failed=0.\n";

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static struct timespec ns_to_ts(uint64_t t)
{
    struct timespec ts = { (time_t)(t / NS), (long)(t % NS) };

    return ts;
}

/* Sleep until monotonic time t, waking every 100 ms to notice a stop. */
static void pace_until(struct bench *b, uint64_t t)
{
    struct timespec ts;
    uint64_t now = now_ns();

    while (now < t && !atomic_load(&b->stop)) {
        ts = ns_to_ts(t - now > 100 * MS ? now + 100 * MS : t);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        now = now_ns();
    }
}

/* One line on stderr, written at once so threads do not interleave. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    struct heft_buf line = HEFT_BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    if (heft_buf_puts(&line, "heft-bench: ") == 0 && heft_buf_vprintf(&line, fmt, ap) == 0 &&
        heft_buf_puts(&line, "\n") == 0)
        fputs(line.data, stderr);
    va_end(ap);
    heft_buf_free(&line);
}

/* Describe a job failure; only the first MAX_REPORTS are shown. */
static void report(struct bench *b, const char *what, const char *id, const char *detail)
{
    unsigned n = atomic_fetch_add(&b->reports, 1);

    if (n < MAX_REPORTS)
        say("job %s: %s: %.300s", id, what, detail);
    else if (n == MAX_REPORTS)
        say("(further job failures are not shown)");
}

/* Stop the run because of err; only the first reason is printed. */
static void fail_run(struct bench *b, const char *what, const char *err)
{
    if (atomic_exchange(&b->stop, 1) == 0)
        say("%s: %s; stopping the run", what, err && *err ? err : "failed");
}

/* ---- small containers ---------------------------------------------------- */

static int ring_init(struct ring *r, size_t cap)
{
    r->v = calloc(cap, sizeof(*r->v));
    r->cap = cap;
    r->head = r->len = 0;
    return r->v ? 0 : -ENOMEM;
}

static void ring_push(struct ring *r, size_t x)
{
    r->v[(r->head + r->len) % r->cap] = x;
    r->len++;
}

static size_t ring_pop(struct ring *r)
{
    size_t x = r->v[r->head];

    r->head = (r->head + 1) % r->cap;
    r->len--;
    return x;
}

/* The id of global job j: unique per run through the pid and a clock nonce. */
static int job_id(const struct client *c, struct heft_buf *id, size_t j)
{
    heft_buf_reset(id);
    return heft_buf_printf(id, "b%ld-%llx-%u-%zu", c->b->self_pid, c->b->nonce, c->idx, j);
}

/* heft:{Q}:<kind><id>, e.g. kind "job:" or "reply:" */
static int queue_key(struct heft_buf *k, const char *queue, const char *kind, const char *id)
{
    heft_buf_reset(k);
    return heft_buf_printf(k, "heft:{%s}:%s%s", queue, kind, id);
}

/* ---- options ------------------------------------------------------------- */

static int parse_count(const char *flag, const char *s, unsigned long long max,
                       unsigned long long *out)
{
    char *end;

    errno = 0;
    *out = isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
    if (!isdigit((unsigned char)s[0]) || errno || *end || *out < 1 || *out > max) {
        say("%s: expected an integer from 1 to %llu, got '%s'", flag, max, s);
        return -1;
    }
    return 0;
}

static int parse_seconds(const char *flag, const char *s, double max, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(s, &end);
    if (errno || end == s || *end || !(*out > 0 && *out <= max)) {
        say("%s: expected a number above 0 and at most %g, got '%s'", flag, max, s);
        return -1;
    }
    return 0;
}

static int apply_opt(struct bench *b, int opt, const char *arg)
{
    unsigned long long v;

    switch (opt) {
    case 'r': b->url = arg; return 0;
    case 'q': b->queue = arg; return 0;
    case 't': b->type = arg; return 0;
    case 'p': b->payload_arg = arg; return 0;
    case 'R': b->rate_set = 1; return parse_seconds("--rate", arg, 1e7, &b->rate);
    case 'T': return parse_seconds("--timeout", arg, 86400 * 7, &b->timeout_s);
    case 'i': return parse_seconds("--poll-ms", arg, 10000, &b->poll_ms);
    case 'n':
        if (parse_count("--jobs", arg, MAX_JOBS, &v) < 0)
            return -1;
        b->jobs = (size_t)v;
        return 0;
    case 'c':
        if (parse_count("--clients", arg, MAX_CLIENTS, &v) < 0)
            return -1;
        b->clients = (unsigned)v;
        return 0;
    case 'P':
        if (parse_count("--pid", arg, INT_MAX, &v) < 0)
            return -1;
        b->pid = (long)v;
        return 0;
    case 'm':
        if (!strcmp(arg, "drain") || !strcmp(arg, "steady")) {
            b->mode = arg[0] == 'd' ? MODE_DRAIN : MODE_STEADY;
            return 0;
        }
        say("--mode: expected drain or steady, got '%s'", arg);
        return -1;
    }
    return -1;
}

static int queue_name_ok(const char *q)
{
    size_t n = strlen(q);

    return n >= 1 && n <= 64 &&
           strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-") == n;
}

static int read_file(const char *path, struct heft_buf *out)
{
    char chunk[65536];
    FILE *f = fopen(path, "rb");
    size_t n;
    int rc = -1;

    if (!f) {
        say("--payload: cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (heft_buf_append(out, chunk, n) < 0)
            goto out;
    if (ferror(f)) {
        say("--payload: cannot read %s", path);
        goto out;
    }
    rc = 0;
out:
    if (f)
        fclose(f);
    return rc;
}

static int load_payload(struct bench *b)
{
    const char *p = b->payload_arg ? b->payload_arg : "{\"n\":1}";
    json_error_t jerr;

    if (p[0] == '@' ? read_file(p + 1, &b->payload) : heft_buf_puts(&b->payload, p))
        return -1;
    b->payload_json = json_loadb(heft_buf_str(&b->payload), b->payload.len, JSON_DECODE_ANY, &jerr);
    if (!b->payload_json) {
        say("--payload: not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
        return -1;
    }
    return 0;
}

/* Defaults from the environment, cross-flag rules, the URL, the payload. */
static int check_args(struct bench *b)
{
    const char *env_pid = getenv("HEFTD_PID"), *env_url = getenv("HEFT_REDIS_URL");
    unsigned long long v;
    char why[256] = "";

    if (!b->url)
        b->url = env_url && *env_url ? env_url : HEFT_DEFAULT_REDIS_URL;
    if (!b->pid && env_pid && *env_pid) {
        if (parse_count("HEFTD_PID", env_pid, INT_MAX, &v) < 0)
            return -1;
        b->pid = (long)v;
    }
    if (!queue_name_ok(b->queue)) {
        say("--queue: '%s' is not a queue name (1 to 64 of A-Z a-z 0-9 _ . : -)", b->queue);
        return -1;
    }
    if (!*b->type) {
        say("--type: must not be empty");
        return -1;
    }
    if (b->mode == MODE_STEADY && !b->rate_set) {
        say("--rate: required with --mode steady");
        return -1;
    }
    if (b->mode == MODE_DRAIN && b->rate_set) {
        say("--rate: only applies to --mode steady");
        return -1;
    }
    if (b->clients > b->jobs)
        b->clients = (unsigned)b->jobs;
    if (heft_redis_url_parse(b->url, &b->addr, why, sizeof(why)) < 0) {
        say("--redis: %s: %s", b->url, why);
        return -1;
    }
    b->echo = !strcmp(b->type, "echo");
    return load_payload(b);
}

/* 0 to run, 1 after --help, -1 on a bad flag (message and usage printed). */
static int parse_args(struct bench *b, int argc, char **argv)
{
    static const struct option opts[] = {
        { "redis", required_argument, NULL, 'r' },   { "queue", required_argument, NULL, 'q' },
        { "jobs", required_argument, NULL, 'n' },    { "clients", required_argument, NULL, 'c' },
        { "mode", required_argument, NULL, 'm' },    { "rate", required_argument, NULL, 'R' },
        { "type", required_argument, NULL, 't' },    { "payload", required_argument, NULL, 'p' },
        { "timeout", required_argument, NULL, 'T' }, { "pid", required_argument, NULL, 'P' },
        { "poll-ms", required_argument, NULL, 'i' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int opt, rc = -1;

    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(usage_text, stdout);
            return 1;
        }
        if (opt == ':' || opt == '?') {
            say(opt == ':' ? "%s: needs a value" : "%s: unknown flag", argv[optind - 1]);
            goto out;
        }
        if (apply_opt(b, opt, optarg) < 0)
            goto out;
    }
    if (optind < argc) {
        say("%s: unexpected argument (flags only)", argv[optind]);
        goto out;
    }
    rc = check_args(b);
out:
    if (rc < 0)
        fputs(usage_text, stderr);
    return rc;
}

/* ---- connections ----------------------------------------------------------- */

/* Run one command; NULL (after saying why) on a lost connection or an error. */
static redisReply *command(redisContext *ctx, int argc, const char **argv, const char *what)
{
    redisReply *r = redisCommandArgv(ctx, argc, argv, NULL);

    if (!r) {
        say("%s: %s", what, ctx->errstr);
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        say("%s: %s", what, r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

static int conn_login(const struct bench *b, redisContext *ctx)
{
    const char *argv[3] = { "AUTH", NULL, NULL };
    char db[16];
    int argc = 1;
    redisReply *r;

    if (b->addr.password) {
        if (b->addr.username)
            argv[argc++] = b->addr.username;
        argv[argc++] = b->addr.password;
        r = command(ctx, argc, argv, "AUTH");
        if (!r)
            return -1;
        freeReplyObject(r);
    }
    if (b->addr.db == 0)
        return 0;
    snprintf(db, sizeof(db), "%d", b->addr.db);
    argv[0] = "SELECT";
    argv[1] = db;
    r = command(ctx, 2, argv, "SELECT");
    freeReplyObject(r);
    return r ? 0 : -1;
}

static redisContext *conn_open(const struct bench *b)
{
    struct timeval tv = { CONNECT_TIMEOUT_MS / 1000, (CONNECT_TIMEOUT_MS % 1000) * 1000 };
    struct timeval io = { IO_TIMEOUT_S, 0 };
    redisContext *ctx;

    if (b->addr.socket)
        ctx = redisConnectUnixWithTimeout(b->addr.socket, tv);
    else
        ctx = redisConnectWithTimeout(b->addr.host, b->addr.port, tv);
    if (!ctx || ctx->err) {
        say("cannot connect to %s: %s", b->url, ctx ? ctx->errstr : "out of memory");
        goto out;
    }
    if (redisSetTimeout(ctx, io) != REDIS_OK || conn_login(b, ctx) < 0)
        goto out;
    return ctx;
out:
    if (ctx)
        redisFree(ctx);
    return NULL;
}

/* SCRIPT LOAD the enqueue script; the sha goes to sha[41]. */
static int script_load(redisContext *ctx, char *sha)
{
    const char *argv[3] = { "SCRIPT", "LOAD", heft_script_enqueue };
    redisReply *r = command(ctx, 3, argv, "SCRIPT LOAD");
    int rc = -1;

    if (!r)
        goto out;
    if (r->type != REDIS_REPLY_STRING || r->len != 40) {
        say("SCRIPT LOAD: unexpected reply");
        goto out;
    }
    memcpy(sha, r->str, 41);
    rc = 0;
out:
    freeReplyObject(r);
    return rc;
}

static int conn_flush(redisContext *ctx)
{
    int done = 0;

    while (!done)
        if (redisBufferWrite(ctx, &done) != REDIS_OK)
            return -1;
    return 0;
}

/* A reply if one can be had without blocking: 1 with *out set, 0, or -1. */
static int try_reply(redisContext *ctx, redisReply **out)
{
    struct pollfd p = { .fd = ctx->fd, .events = POLLIN };
    void *r = NULL;

    if (redisReaderGetReply(ctx->reader, &r) != REDIS_OK)
        return -1;
    if (!r && poll(&p, 1, 0) == 1)
        if (redisBufferRead(ctx) != REDIS_OK || redisReaderGetReply(ctx->reader, &r) != REDIS_OK)
            return -1;
    *out = r;
    return r ? 1 : 0;
}

/* ---- the sender: EVALSHA enqueue ---------------------------------------- */

static void enq_publish(struct client *c, size_t sent)
{
    pthread_mutex_lock(&c->lock);
    atomic_store(&c->sent, sent);
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static int enq_append(struct client *c, size_t j)
{
    struct bench *b = c->b;
    const char *argv[12];

    if (job_id(c, &c->sid, j) < 0 || queue_key(&c->skey, b->queue, "job:", c->sid.data) < 0)
        return -1;
    argv[0] = "EVALSHA";
    argv[1] = b->sha;
    argv[2] = "5";
    argv[3] = c->skey.data;
    argv[4] = b->k_high.data;
    argv[5] = b->k_normal.data;
    argv[6] = b->k_low.data;
    argv[7] = b->k_delayed.data;
    argv[8] = c->sid.data;
    argv[9] = b->type;
    argv[10] = b->payload.data;
    argv[11] = b->mode == MODE_STEADY ? STEADY_OPTS : "";   /* drain: no reply list */
    if (redisAppendCommandArgv(c->enq, 12, argv, NULL) != REDIS_OK)
        return -1;
    ring_push(&c->pend, j);
    return 0;
}

/* The reply to the oldest pending EVALSHA; -1 stops the run. */
static int enq_reply(struct client *c, const redisReply *r)
{
    struct bench *b = c->b;
    size_t j = ring_pop(&c->pend);

    if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
        atomic_store(&b->enq_state[j], ENQ_OK);
        return 0;
    }
    if (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8) && !c->no_retry) {
        ring_push(&c->retry, j);
        return 0;
    }
    atomic_store(&b->enq_state[j], ENQ_FAILED);
    if (job_id(c, &c->sid, j) < 0)
        return -1;
    if (r->type == REDIS_REPLY_INTEGER) {
        report(b, "enqueue", c->sid.data, "a job with this id already exists");
        return 0;
    }
    fail_run(b, "enqueue (EVALSHA)", r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    return -1;
}

/* Read EVALSHA replies: all of them when block, else those already here. */
static int enq_collect(struct client *c, int block)
{
    redisReply *r = NULL;
    void *v;
    int rc;

    while (c->pend.len) {
        if (block) {
            rc = redisGetReply(c->enq, &v) == REDIS_OK ? 1 : -1;
            r = v;
        } else {
            rc = try_reply(c->enq, &r);
        }
        if (rc <= 0)
            return rc;
        rc = enq_reply(c, r);
        freeReplyObject(r);
        if (rc < 0)
            return -1;
        atomic_store(&c->b->progress_ns, now_ns());
    }
    return 0;
}

/* After NOSCRIPT (script cache flushed): load the script, send those again. */
static int enq_recover(struct client *c)
{
    char sha[41];
    int rc = -1;

    if (!c->retry.len)
        return 0;
    if (enq_collect(c, 1) < 0 || script_load(c->enq, sha) < 0)
        goto out;
    if (strcmp(sha, c->b->sha)) {
        fail_run(c->b, "SCRIPT LOAD", "the enqueue script's sha changed");
        goto out;
    }
    c->no_retry = 1;
    while (c->retry.len)
        if (enq_append(c, ring_pop(&c->retry)) < 0)
            goto out;
    rc = enq_collect(c, 1);
out:
    c->no_retry = 0;
    return rc;
}

/* drain: pipelines of DRAIN_BATCH, each job stamped when its pipeline is sent. */
static int send_drain(struct client *c)
{
    struct bench *b = c->b;
    size_t i = 0, k, n, j;
    uint64_t t;

    while (i < c->count && !atomic_load(&b->stop)) {
        n = c->count - i < DRAIN_BATCH ? c->count - i : DRAIN_BATCH;
        t = now_ns();
        for (k = i; k < i + n; k++) {
            j = c->first + k;
            b->enq_ns[j] = t;
            atomic_store(&b->enq_state[j], ENQ_SENT);
            if (enq_append(c, j) < 0)
                return -1;
        }
        if (conn_flush(c->enq) < 0)
            return -1;
        enq_publish(c, i + n);
        if (enq_collect(c, 1) < 0 || enq_recover(c) < 0)
            return -1;
        i += n;
    }
    return 0;
}

/* steady: client idx sends at start + (k * clients + idx) / rate, so the
 * clients together offer an even --rate. Replies are read when they are
 * already there, so a slow reply never delays the next send. */
static int send_steady(struct client *c)
{
    struct bench *b = c->b;
    double period = (double)NS * b->clients / b->rate;
    uint64_t base = b->start_ns + (uint64_t)((double)NS * c->idx / b->rate), due, t;
    size_t k, j;

    for (k = 0; k < c->count && !atomic_load(&b->stop); k++) {
        due = base + (uint64_t)(period * (double)k);
        pace_until(b, due);
        t = now_ns();
        c->late += t > due + LATE_NS;
        c->worst_lag = t > due + c->worst_lag ? t - due : c->worst_lag;
        j = c->first + k;
        b->enq_ns[j] = t;
        atomic_store(&b->enq_state[j], ENQ_SENT);
        if (enq_append(c, j) < 0 || conn_flush(c->enq) < 0)
            return -1;
        enq_publish(c, k + 1);
        if (enq_collect(c, c->pend.len == c->pend.cap) < 0 || enq_recover(c) < 0)
            return -1;
    }
    if (enq_collect(c, 1) < 0)
        return -1;
    return enq_recover(c);
}

static void *sender_main(void *arg)
{
    struct client *c = arg;
    struct bench *b = c->b;
    int rc = b->mode == MODE_DRAIN ? send_drain(c) : send_steady(c);

    if (rc < 0)
        fail_run(b, "enqueue connection", c->enq->err ? c->enq->errstr : "out of memory");
    enq_publish(c, atomic_load(&c->sent));   /* wake the reader */
    atomic_fetch_sub(&b->running, 1);
    return NULL;
}

/* ---- the reader: BLPOP on reply lists ------------------------------------ */

/* 1 when the reply proves the job succeeded (and for echo, echoed). */
static int result_ok(struct client *c, const char *txt, size_t len)
{
    struct bench *b = c->b;
    json_error_t jerr;
    json_t *v = json_loadb(txt, len, 0, &jerr);
    const char *state, *id;
    int ok = 0;

    state = json_string_value(json_object_get(v, "state"));
    id = json_string_value(json_object_get(v, "id"));
    if (!v)
        report(b, "reply is not JSON", c->rid.data, jerr.text);
    else if (!id || strcmp(id, c->rid.data))
        report(b, "reply names another job", c->rid.data, txt);
    else if (!state || strcmp(state, "succeeded"))
        report(b, "did not succeed", c->rid.data, txt);
    else if (b->echo && !json_equal(json_object_get(v, "result"), b->payload_json))
        report(b, "echo result differs from the payload", c->rid.data, txt);
    else
        ok = 1;
    json_decref(v);
    return ok;
}

static int rd_append(struct client *c, size_t j)
{
    const char *argv[3] = { "BLPOP", NULL, BLPOP_TIMEOUT };

    if (job_id(c, &c->rid, j) < 0 || queue_key(&c->rkey, c->b->queue, "reply:", c->rid.data) < 0)
        return -1;
    argv[1] = c->rkey.data;
    if (redisAppendCommandArgv(c->rd, 3, argv, NULL) != REDIS_OK)
        return -1;
    ring_push(&c->inflight, j);
    return 0;
}

/* Ask for the replies of jobs sent since; jobs whose enqueue failed settle. */
static int rd_fill(struct client *c, size_t *next, size_t *settled)
{
    size_t sent = atomic_load(&c->sent), j;

    while (*next < sent && c->inflight.len < c->inflight.cap) {
        j = c->first + (*next)++;
        if (atomic_load(&c->b->enq_state[j]) == ENQ_FAILED)
            (*settled)++;
        else if (rd_append(c, j) < 0)
            return -1;
    }
    return 0;
}

static void rd_wait(struct client *c, size_t next)
{
    struct timespec ts = ns_to_ts(now_ns() + 100 * MS);

    pthread_mutex_lock(&c->lock);
    if (atomic_load(&c->sent) <= next && !atomic_load(&c->b->stop))
        pthread_cond_timedwait(&c->cond, &c->lock, &ts);
    pthread_mutex_unlock(&c->lock);
}

/* One BLPOP reply for job j popped at t: 1 settled, 0 ask again, -1 error. */
static int rd_reply(struct client *c, size_t j, const redisReply *r, uint64_t t)
{
    struct bench *b = c->b;
    const redisReply *v;

    if (r->type == REDIS_REPLY_NIL)
        return atomic_load(&b->enq_state[j]) == ENQ_FAILED;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[1]->type != REDIS_REPLY_STRING) {
        fail_run(b, "BLPOP", r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
        return -1;
    }
    v = r->element[1];
    b->done_ns[j] = t;
    if (job_id(c, &c->rid, j) < 0)
        return -1;
    atomic_store(&b->res_state[j], result_ok(c, v->str, v->len) ? RES_OK : RES_BAD);
    atomic_store(&b->progress_ns, t);
    return 1;
}

static int read_loop(struct client *c)
{
    size_t next = 0, settled = 0, j;
    void *v;
    int rc;

    while (settled < c->count && !atomic_load(&c->b->stop)) {
        if (rd_fill(c, &next, &settled) < 0)
            return -1;
        if (!c->inflight.len) {
            if (settled < c->count)
                rd_wait(c, next);
            continue;
        }
        if (redisGetReply(c->rd, &v) != REDIS_OK)
            return -1;
        j = ring_pop(&c->inflight);
        rc = rd_reply(c, j, v, now_ns());
        freeReplyObject(v);
        if (rc < 0 || (rc == 0 && rd_append(c, j) < 0))
            return -1;
        settled += (size_t)rc;
    }
    return 0;
}

static void *reader_main(void *arg)
{
    struct client *c = arg;

    if (read_loop(c) < 0)
        fail_run(c->b, "reply connection", c->rd->err ? c->rd->errstr : "out of memory");
    atomic_fetch_sub(&c->b->running, 1);
    return NULL;
}

/* ---- heftd's RSS ----------------------------------------------------------- */

/* A "Vm...:" line of /proc/PID/status in kB, or -1. */
static long proc_status_kb(long pid, const char *field)
{
    char path[64], line[256];
    size_t n = strlen(field);
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (kb < 0 && fgets(line, sizeof(line), f))
        if (!strncmp(line, field, n))
            kb = strtol(line + n, NULL, 10);
    fclose(f);
    return kb;
}

/* ":<digits>": a weight after a queue name in a heartbeat's queue list. */
static int is_weight(const char *s, size_t n)
{
    return n >= 2 && s[0] == ':' && strspn(s + 1, "0123456789") >= n - 1;
}

/* Is queue q in the heartbeat's comma list (entries may carry ":weight")? */
static int queue_listed(const char *list, size_t len, const char *q)
{
    size_t qn = strlen(q), n;
    const char *end = list + len, *p = list, *comma;

    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        comma = memchr(p, ',', (size_t)(end - p));
        n = (size_t)((comma ? comma : end) - p);
        if (n >= qn && !memcmp(p, q, qn) && (n == qn || is_weight(p + qn, n - qn)))
            return 1;
        p += n + 1;
    }
    return 0;
}

/* rss_kb from one HMGET heft:worker:NAME rss_kb queues reply, or -1. */
static long worker_rss(const struct bench *b, const redisReply *r)
{
    const redisReply *rss, *queues;

    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2)
        return -1;
    rss = r->element[0];
    queues = r->element[1];
    if (rss->type != REDIS_REPLY_STRING || queues->type != REDIS_REPLY_STRING ||
        !queue_listed(queues->str, queues->len, b->queue))
        return -1;
    return strtol(rss->str, NULL, 10);
}

/* Pipeline HMGET heft:worker:NAME rss_kb queues; returns how many were sent. */
static size_t ask_workers(redisContext *ctx, const redisReply *names)
{
    const char *hm[4] = { "HMGET", NULL, "rss_kb", "queues" };
    size_t lens[4] = { 5, 0, 6, 6 }, i;
    struct heft_buf key = HEFT_BUF_INIT;

    for (i = 0; i < names->elements && i < MAX_WORKERS; i++) {
        heft_buf_reset(&key);
        if (names->element[i]->type != REDIS_REPLY_STRING || heft_buf_puts(&key, "heft:worker:") ||
            heft_buf_append(&key, names->element[i]->str, names->element[i]->len))
            break;
        hm[1] = key.data;
        lens[1] = key.len;
        if (redisAppendCommandArgv(ctx, 4, hm, lens) != REDIS_OK)
            break;
    }
    heft_buf_free(&key);
    return i;
}

/* The largest rss_kb among live heftd processes serving the queue, or -1. */
static long rss_from_heartbeats(const struct bench *b, redisContext *ctx, unsigned *procs)
{
    const char *zr[4] = { "ZRANGE", "heft:workers", "0", "-1" };
    redisReply *names = redisCommandArgv(ctx, 4, zr, NULL);
    size_t i, n;
    long best = -1, kb;
    void *r;

    if (!names || names->type != REDIS_REPLY_ARRAY)
        goto out;
    n = ask_workers(ctx, names);
    for (i = 0; i < n && redisGetReply(ctx, &r) == REDIS_OK; i++) {
        kb = worker_rss(b, r);
        *procs += kb >= 0;
        best = kb > best ? kb : best;
        freeReplyObject(r);
    }
out:
    freeReplyObject(names);
    return best;
}

static void rss_sample(struct bench *b, redisContext *mon)
{
    unsigned procs = 0;
    long kb;

    if (b->pid) {
        kb = proc_status_kb(b->pid, "VmRSS:");
        procs = kb >= 0;
    } else {
        kb = rss_from_heartbeats(b, mon, &procs);
    }
    b->rss_kb = kb > b->rss_kb ? kb : b->rss_kb;
    b->rss_procs = procs > b->rss_procs ? procs : b->rss_procs;
}

/* ---- the run ----------------------------------------------------------------- */

static int client_init(struct bench *b, struct client *c, unsigned idx)
{
    pthread_condattr_t ca;

    c->b = b;
    c->idx = idx;
    c->first = b->jobs * idx / b->clients;
    c->count = b->jobs * (idx + 1) / b->clients - c->first;
    if (ring_init(&c->pend, SEND_DEPTH) || ring_init(&c->retry, SEND_DEPTH) ||
        (b->mode == MODE_STEADY && ring_init(&c->inflight, READ_DEPTH)))
        return -1;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, &ca);
    pthread_condattr_destroy(&ca);
    c->sync_ok = 1;
    c->enq = conn_open(b);
    if (!c->enq)
        return -1;
    if (b->mode == MODE_DRAIN)
        return 0;   /* no reader */
    c->rd = conn_open(b);
    return c->rd ? 0 : -1;
}

static void client_free(struct client *c)
{
    if (c->enq)
        redisFree(c->enq);
    if (c->rd)
        redisFree(c->rd);
    if (c->sync_ok) {
        pthread_mutex_destroy(&c->lock);
        pthread_cond_destroy(&c->cond);
    }
    free(c->pend.v);
    free(c->retry.v);
    free(c->inflight.v);
    heft_buf_free(&c->sid);
    heft_buf_free(&c->skey);
    heft_buf_free(&c->rid);
    heft_buf_free(&c->rkey);
}

static int bench_setup(struct bench *b, redisContext **mon)
{
    struct timespec rt;
    unsigned i;

    clock_gettime(CLOCK_REALTIME, &rt);
    b->nonce = (unsigned long long)rt.tv_sec * 1000000ULL + (unsigned long long)rt.tv_nsec / 1000;
    b->self_pid = (long)getpid();
    b->enq_ns = calloc(b->jobs, sizeof(*b->enq_ns));
    b->done_ns = calloc(b->jobs, sizeof(*b->done_ns));
    b->enq_state = calloc(b->jobs, sizeof(*b->enq_state));
    b->res_state = calloc(b->jobs, sizeof(*b->res_state));
    b->cl = calloc(b->clients, sizeof(*b->cl));
    if (!b->enq_ns || !b->done_ns || !b->enq_state || !b->res_state || !b->cl ||
        queue_key(&b->k_high, b->queue, "ready:high", "") ||
        queue_key(&b->k_normal, b->queue, "ready:normal", "") ||
        queue_key(&b->k_low, b->queue, "ready:low", "") ||
        queue_key(&b->k_delayed, b->queue, "delayed", "") ||
        queue_key(&b->k_paused, b->queue, "paused", "") ||
        queue_key(&b->k_stats, b->queue, "stats", "")) {
        say("out of memory");
        return -1;
    }
    if (b->pid && proc_status_kb(b->pid, "VmRSS:") < 0) {
        say("--pid: cannot read VmRSS from /proc/%ld/status (no such process?)", b->pid);
        return -1;
    }
    *mon = conn_open(b);
    if (!*mon || script_load(*mon, b->sha) < 0)
        return -1;
    for (i = 0; i < b->clients; i++)
        if (client_init(b, &b->cl[i], i) < 0)
            return -1;
    rss_sample(b, *mon);
    if (!b->pid && !b->rss_procs)
        say("warning: no heftd heartbeat in heft:workers lists queue %s; is heftd running? "
            "(heftd_rss_kb needs it, or --pid)", b->queue);
    return 0;
}

/* Main thread while the client threads run: sample RSS, give up without
 * progress (an enqueue acknowledged, or in steady mode a result popped). */
static void bench_watch(struct bench *b, redisContext *mon)
{
    int64_t limit = (int64_t)(b->timeout_s * (double)NS);
    uint64_t t, next_sample = 0;
    struct timespec ts;

    while (atomic_load(&b->running) > 0) {
        t = now_ns();
        if (t >= next_sample) {
            rss_sample(b, mon);
            next_sample = t + SAMPLE_NS;
        }
        if ((int64_t)(t - atomic_load(&b->progress_ns)) > limit)
            fail_run(b, "timeout", "no enqueue or result for --timeout seconds");
        ts = ns_to_ts(t + TICK_NS);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    rss_sample(b, mon);
}

/* ---- drain: pause, resume, count completions, check ---------------------- */

/* drain: the queue is paused (heft:{Q}:paused, as heftctl pause does)
 * while the jobs are enqueued, so the figure is heftd's drain alone, not
 * a race between enqueueing and draining.  The key expires by itself if
 * the bench dies.  heftd notices a pause within its poll_ms (100 ms), and
 * a fetch already blocked when it began may still take what arrives in
 * the next second: wait that out before enqueueing. */
static int drain_pause(struct bench *b, redisContext *mon)
{
    const char *argv[] = { "SET", heft_buf_str(&b->k_paused), "bench", "PX", "600000" };
    redisReply *r = command(mon, 5, argv, "SET paused");
    struct timespec ts = { 1, 300 * 1000000L };

    if (!r)
        return -1;
    freeReplyObject(r);
    nanosleep(&ts, NULL);
    return 0;
}

/* HMGET heft:{Q}:stats succeeded failed dead, appended to the pipeline. */
static int stats_append(struct bench *b, redisContext *ctx)
{
    const char *argv[5] = { "HMGET", heft_buf_str(&b->k_stats), "succeeded", "failed", "dead" };

    return redisAppendCommandArgv(ctx, 5, argv, NULL) == REDIS_OK ? 0 : -1;
}

/* succeeded + failed + dead from that HMGET's reply (missing fields are 0), or -1. */
static long long stats_sum(const redisReply *r)
{
    long long sum = 0;
    size_t i;

    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3)
        return -1;
    for (i = 0; i < 3; i++) {
        if (r->element[i]->type == REDIS_REPLY_STRING)
            sum += strtoll(r->element[i]->str, NULL, 10);
        else if (r->element[i]->type != REDIS_REPLY_NIL)
            return -1;
    }
    return sum;
}

/* A TIME reply in ms since the epoch, truncated as heftd's finished_ms; or -1. */
static long long redis_time_ms(const redisReply *r)
{
    long long s, us;

    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
        return -1;
    s = strtoll(r->element[0]->str, NULL, 10);
    us = strtoll(r->element[1]->str, NULL, 10);
    return s * 1000 + us / 1000;
}

/* One pipeline: the counters' baseline, DEL of the pause key, Redis's TIME.
 * The local clock is read just before it is sent. */
static int drain_resume(struct bench *b, redisContext *mon)
{
    const char *del[2] = { "DEL", heft_buf_str(&b->k_paused) }, *tm[1] = { "TIME" };
    redisReply *r[3] = { NULL, NULL, NULL };
    void *v;
    int i, rc = -1;

    if (stats_append(b, mon) < 0 || redisAppendCommandArgv(mon, 2, del, NULL) != REDIS_OK ||
        redisAppendCommandArgv(mon, 1, tm, NULL) != REDIS_OK)
        goto out;
    b->release_ns = now_ns();
    for (i = 0; i < 3; i++) {
        if (redisGetReply(mon, &v) != REDIS_OK)
            goto out;
        r[i] = v;
    }
    b->stats_base = stats_sum(r[0]);
    b->release_ms = redis_time_ms(r[2]);
    if (b->stats_base >= 0 && r[1]->type == REDIS_REPLY_INTEGER && b->release_ms >= 0)
        rc = 0;
out:
    if (rc < 0)
        fail_run(b, "resume (HMGET stats, DEL paused, TIME)",
                 mon->err ? mon->errstr : "unexpected reply");
    for (i = 0; i < 3; i++)
        freeReplyObject(r[i]);
    return rc;
}

/* The counters' sum now, or -1 (after saying why). */
static long long stats_poll(struct bench *b, redisContext *mon)
{
    redisReply *r = NULL;
    void *v;
    long long sum = -1;

    if (stats_append(b, mon) < 0 || redisGetReply(mon, &v) != REDIS_OK) {
        fail_run(b, "HMGET stats", mon->err ? mon->errstr : "out of memory");
        return -1;
    }
    r = v;
    sum = stats_sum(r);
    if (sum < 0)
        fail_run(b, "HMGET stats", r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    freeReplyObject(r);
    return sum;
}

/* The timed window: poll the counters every --poll-ms until they grew by
 * want, or stayed still for --timeout.  drained_ns is the local time of the
 * poll that saw the last growth.  RSS is sampled on the way. */
static void drain_wait(struct bench *b, redisContext *mon, size_t want)
{
    uint64_t limit = (uint64_t)(b->timeout_s * (double)NS), due = b->release_ns, t,
             next_sample = b->release_ns + SAMPLE_NS;
    long long sum, last = b->stats_base;
    struct timespec ts;

    b->drained_ns = b->release_ns;
    while (b->drained < want && !atomic_load(&b->stop)) {
        due += (uint64_t)(b->poll_ms * (double)MS);
        ts = ns_to_ts(due);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        if ((sum = stats_poll(b, mon)) < 0)
            return;
        t = now_ns();
        if (sum != last) {
            last = sum;
            b->drained = sum <= b->stats_base ? 0 : (size_t)(sum - b->stats_base);
            b->drained = b->drained < want ? b->drained : want;
            b->drained_ns = t;
        } else if (t - b->drained_ns > limit) {
            fail_run(b, "timeout", "the queue's counters did not grow for --timeout seconds");
        }
        if (t >= next_sample) {
            rss_sample(b, mon);
            next_sample = t + SAMPLE_NS;
        }
        due = due < t ? t : due;   /* a slow poll: no burst to catch up */
    }
}

/* A checked job's fields: HMGET job state result finished_ms error_code error. */
enum { F_STATE, F_RESULT, F_FINISHED, F_CODE, F_ERROR, F_COUNT };

/* A field's text, or "(nil)". */
static const char *field(const redisReply *r, int f)
{
    return r->element[f]->type == REDIS_REPLY_STRING ? r->element[f]->str : "(nil)";
}

/* 1 when the echo result in r is the payload. */
static int echo_ok(const struct bench *b, const redisReply *r)
{
    const redisReply *res = r->element[F_RESULT];
    json_t *v;
    int ok;

    if (res->type != REDIS_REPLY_STRING)
        return 0;
    v = json_loadb(res->str, res->len, JSON_DECODE_ANY, NULL);
    ok = v && json_equal(v, b->payload_json);
    json_decref(v);
    return ok;
}

/* Judge job j (id) from its hash fields r: a RES_ value, failures reported. */
static int check_job(struct bench *b, const char *id, size_t j, const redisReply *r)
{
    struct heft_buf why = HEFT_BUF_INIT;
    long long fin;
    int res = RES_OK;

    if (r->element[F_STATE]->type != REDIS_REPLY_STRING) {
        report(b, "no job hash", id, "expired or deleted before it was checked");
        return RES_LOST;
    }
    if (r->element[F_FINISHED]->type != REDIS_REPLY_STRING) {
        heft_buf_printf(&why, "state=%s", field(r, F_STATE));
        report(b, "had not ended when checked", id, heft_buf_str(&why));
        heft_buf_free(&why);
        return RES_LOST;
    }
    fin = strtoll(r->element[F_FINISHED]->str, NULL, 10) - b->release_ms;
    b->done_ns[j] = fin > 0 ? (uint64_t)fin * MS : 0;
    if (strcmp(field(r, F_STATE), "succeeded")) {
        heft_buf_printf(&why, "state=%s error_code=%s error=%s", field(r, F_STATE),
                        field(r, F_CODE), field(r, F_ERROR));
        report(b, "did not succeed", id, heft_buf_str(&why));
        res = RES_BAD;
    } else if (b->echo && !echo_ok(b, r)) {
        report(b, "echo result differs from the payload", id, field(r, F_RESULT));
        res = RES_BAD;
    }
    heft_buf_free(&why);
    return res;
}

/* One pipeline of the drain check: the jobs asked about and their reply keys. */
struct check {
    struct heft_buf id, key, keys;         /* keys: NUL-separated reply keys */
    size_t n, job[CHECK_BATCH], off[CHECK_BATCH];
    const char *argv[CHECK_BATCH + 1];
};

/* Append HMGET for client c's jobs from..to-1 that were enqueued, then one
 * UNLINK of their reply lists (an old heftd pushes them for every job). */
static int check_append(struct client *c, struct check *k, redisContext *mon, size_t from,
                        size_t to)
{
    struct bench *b = c->b;
    const char *hm[7] = { "HMGET", NULL, "state", "result", "finished_ms", "error_code", "error" };
    size_t j, i;

    k->n = 0;
    heft_buf_reset(&k->keys);
    for (j = from; j < to; j++) {
        if (atomic_load(&b->enq_state[j]) != ENQ_OK)
            continue;
        if (job_id(c, &k->id, j) < 0 || queue_key(&k->key, b->queue, "job:", k->id.data) < 0)
            return -1;
        hm[1] = k->key.data;
        k->off[k->n] = k->keys.len;
        if (redisAppendCommandArgv(mon, 7, hm, NULL) != REDIS_OK ||
            heft_buf_printf(&k->keys, "heft:{%s}:reply:%s", b->queue, k->id.data) < 0 ||
            heft_buf_append(&k->keys, "", 1) < 0)
            return -1;
        k->job[k->n++] = j;
    }
    k->argv[0] = "UNLINK";
    for (i = 0; i < k->n; i++)
        k->argv[i + 1] = k->keys.data + k->off[i];
    if (k->n && redisAppendCommandArgv(mon, (int)k->n + 1, k->argv, NULL) != REDIS_OK)
        return -1;
    return 0;
}

/* Read that pipeline's replies: each job judged, then the UNLINK count. */
static int check_collect(struct client *c, struct check *k, redisContext *mon)
{
    struct bench *b = c->b;
    redisReply *r;
    void *v;
    size_t i;
    int rc = 0;

    for (i = 0; k->n && i <= k->n && rc == 0; i++) {
        if (redisGetReply(mon, &v) != REDIS_OK)
            return -1;
        r = v;
        if (i == k->n && r->type == REDIS_REPLY_INTEGER)
            b->unlinked += r->integer;
        else if (i < k->n && r->type == REDIS_REPLY_ARRAY && r->elements == F_COUNT &&
                 job_id(c, &k->id, k->job[i]) == 0)
            atomic_store(&b->res_state[k->job[i]], check_job(b, k->id.data, k->job[i], r));
        else
            rc = -1;
        if (rc < 0)
            fail_run(b, "check (HMGET job, UNLINK reply)",
                     r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
        freeReplyObject(r);
    }
    return rc;
}

/* After the window: every enqueued job's hash, CHECK_BATCH per pipeline. */
static int drain_check(struct bench *b, redisContext *mon)
{
    struct check *k = calloc(1, sizeof(*k));
    struct client *c;
    size_t j, to;
    unsigned i;
    int rc = -1;

    if (!k)
        goto out;
    for (i = 0; i < b->clients; i++) {
        c = &b->cl[i];
        for (j = c->first; j < c->first + c->count; j = to) {
            to = c->first + c->count - j < CHECK_BATCH ? c->first + c->count : j + CHECK_BATCH;
            if (check_append(c, k, mon, j, to) < 0 || check_collect(c, k, mon) < 0)
                goto out;
        }
    }
    rc = 0;
out:
    if (rc < 0)
        fail_run(b, "check", mon->err ? mon->errstr : "out of memory");
    if (k) {
        heft_buf_free(&k->id);
        heft_buf_free(&k->key);
        heft_buf_free(&k->keys);
    }
    free(k);
    return rc;
}

/* drain, once every sender is done: resume, time the drain, check the jobs. */
static int drain_finish(struct bench *b, redisContext *mon)
{
    size_t want = 0, j;

    for (j = 0; j < b->jobs; j++)
        want += atomic_load(&b->enq_state[j]) == ENQ_OK;
    if (drain_resume(b, mon) < 0)
        return -1;
    drain_wait(b, mon, want);
    rss_sample(b, mon);
    return drain_check(b, mon);
}

/* ---- the clients' threads, the run -------------------------------------------- */

/* The client's threads: a reader (steady only), then its sender; 0 or an errno. */
static int client_start(struct bench *b, struct client *c)
{
    int err;

    if (b->mode == MODE_STEADY) {
        atomic_fetch_add(&b->running, 1);
        err = pthread_create(&c->reader, NULL, reader_main, c);
        c->reader_on = !err;
        if (err) {
            atomic_fetch_sub(&b->running, 1);
            return err;
        }
    }
    atomic_fetch_add(&b->running, 1);
    err = pthread_create(&c->sender, NULL, sender_main, c);
    c->sender_on = !err;
    if (err)
        atomic_fetch_sub(&b->running, 1);
    return err;
}

static int bench_run(struct bench *b, redisContext *mon)
{
    unsigned i;
    int rc = 0, err;

    if (b->mode == MODE_DRAIN && drain_pause(b, mon) < 0)
        return -1;
    b->start_ns = now_ns() + 20 * MS;   /* steady: the pacing origin */
    atomic_store(&b->progress_ns, now_ns());
    for (i = 0; i < b->clients && rc == 0; i++) {
        err = client_start(b, &b->cl[i]);
        if (err) {
            fail_run(b, "pthread_create", strerror(err));
            rc = -1;
        }
    }
    bench_watch(b, mon);
    for (i = 0; i < b->clients; i++) {
        if (b->cl[i].reader_on)
            pthread_join(b->cl[i].reader, NULL);
        if (b->cl[i].sender_on)
            pthread_join(b->cl[i].sender, NULL);
    }
    if (b->mode == MODE_DRAIN && drain_finish(b, mon) < 0)
        rc = -1;
    b->end_ns = now_ns();
    return rc;
}

/* ---- the report ------------------------------------------------------------ */

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;

    return (a > b) - (a < b);
}

/* Nearest-rank percentile of sorted v[n]. */
static double percentile(const double *v, size_t n, unsigned pct)
{
    size_t rank = (n * pct + 99) / 100;

    return n ? v[rank ? rank - 1 : 0] : 0.0;
}

static void report_notes(const struct bench *b)
{
    long hwm = b->pid ? proc_status_kb(b->pid, "VmHWM:") : -1;
    uint64_t worst = 0;
    size_t late = 0;
    unsigned i;

    for (i = 0; i < b->clients; i++) {
        late += b->cl[i].late;
        worst = b->cl[i].worst_lag > worst ? b->cl[i].worst_lag : worst;
    }
    if (b->unlinked > 0)
        say("drain: deleted %lld reply lists the jobs did not ask for (this heftd pushes one "
            "for every job)", b->unlinked);
    if (late)
        say("steady: %zu of %zu sends started over 1 ms behind schedule (worst %.3f ms): "
            "scheduler jitter, or the clients cannot offer %g jobs/s (try more --clients)",
            late, b->jobs, (double)worst / (double)MS, b->rate);
    if (b->pid && hwm >= 0)
        say("heftd_rss_kb: highest VmRSS of pid %ld, sampled every %llu ms (its VmHWM, the "
            "peak since it started, is %ld kB)", b->pid, SAMPLE_NS / MS, hwm);
    else if (b->rss_procs > 1)
        say("heftd_rss_kb: %u heftd processes serve %s; this is the largest single process "
            "(not the sum)", b->rss_procs, b->queue);
    else if (!b->rss_procs)
        say("heftd_rss_kb: unknown (no heartbeat for queue %s, no --pid): printed as 0", b->queue);
}

/* A job's latency in ms: steady, from just before its EVALSHA to its reply
 * being popped (local clock); drain, from the resume to its finished_ms
 * (Redis's clock, ms resolution). */
static double job_latency(const struct bench *b, size_t i)
{
    if (b->mode == MODE_DRAIN)
        return (double)b->done_ns[i] / (double)MS;
    return (double)(b->done_ns[i] - b->enq_ns[i]) / (double)MS;
}

/* steady: from the first send to the last reply popped. */
static double steady_seconds(const struct bench *b)
{
    uint64_t first = UINT64_MAX, last = 0;
    size_t i, n = 0;

    for (i = 0; i < b->jobs; i++) {
        if (b->enq_ns[i] && b->enq_ns[i] < first)
            first = b->enq_ns[i];
        if (b->res_state[i] != RES_OK && b->res_state[i] != RES_BAD)
            continue;
        last = b->done_ns[i] > last ? b->done_ns[i] : last;
        n++;
    }
    if (first == UINT64_MAX)
        first = b->start_ns;
    return (double)((n ? last : b->end_ns) - first) / (double)NS;
}

static int bench_report(struct bench *b)
{
    size_t i, n = 0, failed = 0, done;
    double *lat = calloc(b->jobs, sizeof(*lat)), secs;

    if (!lat) {
        say("out of memory");
        return 1;
    }
    for (i = 0; i < b->jobs; i++) {
        failed += b->res_state[i] != RES_OK;
        if (b->res_state[i] == RES_OK || b->res_state[i] == RES_BAD)
            lat[n++] = job_latency(b, i);
    }
    if (b->mode == MODE_DRAIN) {
        secs = b->release_ns ? (double)(b->drained_ns - b->release_ns) / (double)NS : 0.0;
        done = b->drained;
    } else {
        secs = steady_seconds(b);
        done = n;
    }
    qsort(lat, n, sizeof(*lat), cmp_double);
    report_notes(b);
    printf("mode=%s jobs=%zu seconds=%.3f jobs_per_s=%lld p50_ms=%.3f p99_ms=%.3f "
           "heftd_rss_kb=%ld failed=%zu\n",
           b->mode == MODE_DRAIN ? "drain" : "steady", b->jobs, secs,
           secs > 0 ? (long long)((double)done / secs + 0.5) : 0LL, percentile(lat, n, 50),
           percentile(lat, n, 99), b->rss_kb > 0 ? b->rss_kb : 0L, failed);
    free(lat);
    return failed ? 1 : 0;
}

static void bench_free(struct bench *b)
{
    unsigned i;

    for (i = 0; b->cl && i < b->clients; i++)
        client_free(&b->cl[i]);
    free(b->cl);
    free(b->enq_ns);
    free(b->done_ns);
    free(b->enq_state);
    free(b->res_state);
    json_decref(b->payload_json);
    heft_buf_free(&b->payload);
    heft_buf_free(&b->k_high);
    heft_buf_free(&b->k_normal);
    heft_buf_free(&b->k_low);
    heft_buf_free(&b->k_delayed);
    heft_buf_free(&b->k_paused);
    heft_buf_free(&b->k_stats);
    heft_redis_addr_free(&b->addr);
}

int main(int argc, char **argv)
{
    struct bench b;
    redisContext *mon = NULL;
    int rc = 1, pr;

    memset(&b, 0, sizeof(b));
    b.queue = "default";
    b.type = "echo";
    b.jobs = 10000;
    b.clients = 4;
    b.timeout_s = 120;
    b.poll_ms = POLL_MS;
    b.rss_kb = -1;
    signal(SIGPIPE, SIG_IGN);
    json_object_seed(0);   /* before any thread touches jansson */
    pr = parse_args(&b, argc, argv);
    if (pr != 0) {
        rc = pr > 0 ? 0 : 1;
        goto out;
    }
    if (bench_setup(&b, &mon) < 0)
        goto out;
    bench_run(&b, mon);
    rc = bench_report(&b);
out:
    if (mon)
        redisFree(mon);
    bench_free(&b);
    return rc;
}
