/*
 * link.c - connecting, authenticating, pipelining and script loading for
 * one thread's Redis connection.
 *
 * Scripts are sent as EVALSHA; every (re)connect runs SCRIPT LOAD for all
 * of them, so a Redis restart or failover, which empties the script cache
 * and always drops the connection, costs nothing more than the reconnect.
 */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "scripts.h"

#define IO_TIMEOUT_MS 10000
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

struct heft_link {
    const char *role;
    struct heft_redis_addr addr;
    char *username;
    char *password;
    long long connect_timeout_ms;
    redisContext *ctx;
    char sha[HEFT_SCRIPT_COUNT][41];
    char err[256];
    long long backoff_ms;
    int down;                 /* an outage was logged and not yet ended */
    struct timespec down_since;
    atomic_llong *reconnects; /* the owner's counter, or NULL */
};

static const char *const script_text[HEFT_SCRIPT_COUNT] = {
    [HEFT_SCRIPT_ENQUEUE] = heft_script_enqueue,
    [HEFT_SCRIPT_FETCH] = heft_script_fetch,
    [HEFT_SCRIPT_START] = heft_script_start,
    [HEFT_SCRIPT_FINISH] = heft_script_finish,
    [HEFT_SCRIPT_PROMOTE] = heft_script_promote,
    [HEFT_SCRIPT_RECLAIM] = heft_script_reclaim,
    [HEFT_SCRIPT_SEAL] = heft_script_seal,
    [HEFT_SCRIPT_RETRY] = heft_script_retry,
    [HEFT_SCRIPT_DELETE] = heft_script_delete,
};

const char *heft_script_text(enum heft_script s)
{
    return script_text[s];
}

static struct timeval tv_ms(long long ms)
{
    struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
    return tv;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

struct heft_link *heft_link_create(const struct heft_config *cfg, const char *role)
{
    struct heft_link *l = calloc(1, sizeof *l);
    char err[256];

    if (!l)
        return NULL;
    l->role = role;
    l->connect_timeout_ms = cfg->connect_timeout_ms;
    if (heft_redis_url_parse(cfg->redis_url, &l->addr, err, sizeof err) < 0) {
        log_error("redis url: %s", err);
        free(l);
        return NULL;
    }
    l->username = dup_or_null(cfg->redis_username ? cfg->redis_username : l->addr.username);
    l->password = dup_or_null(cfg->redis_password ? cfg->redis_password : l->addr.password);
    return l;
}

void heft_link_destroy(struct heft_link *l)
{
    if (!l)
        return;
    if (l->ctx)
        redisFree(l->ctx);
    heft_redis_addr_free(&l->addr);
    free(l->username);
    free(l->password);
    free(l);
}

const char *heft_link_error(const struct heft_link *l)
{
    return l->err;
}

int heft_link_connected(const struct heft_link *l)
{
    return l->ctx != NULL;
}

void heft_link_break(struct heft_link *l, const char *why)
{
    if (why && why != l->err)
        snprintf(l->err, sizeof l->err, "%s", why);
    else if (l->ctx && l->ctx->err)
        snprintf(l->err, sizeof l->err, "%s", l->ctx->errstr);
    if (l->ctx)
        redisFree(l->ctx);
    l->ctx = NULL;
    if (!l->down) {
        l->down = 1;
        clock_gettime(CLOCK_MONOTONIC, &l->down_since);
        log_warn("redis (%s): connection lost: %s; reconnecting", l->role, l->err);
    }
}

void heft_link_count_reconnects(struct heft_link *l, atomic_llong *count)
{
    l->reconnects = count;
}

long long heft_link_backoff_ms(struct heft_link *l)
{
    long long ms = l->backoff_ms ? l->backoff_ms * 2 : BACKOFF_MIN_MS;

    if (ms > BACKOFF_MAX_MS)
        ms = BACKOFF_MAX_MS;
    l->backoff_ms = ms;
    return ms;
}

static redisReply *simple_call(struct heft_link *l, struct heft_cmd *c)
{
    redisReply *r = heft_link_call(l, c);

    heft_cmd_reset(c);
    return r;
}

/* AUTH and SELECT. An error reply here is a configuration problem. */
static int handshake(struct heft_link *l)
{
    struct heft_cmd c = HEFT_CMD_INIT;
    redisReply *r = NULL;
    int rc = -1;

    if (l->password) {
        heft_cmd_borrows(&c, "AUTH");
        if (l->username)
            heft_cmd_borrows(&c, l->username);
        heft_cmd_borrows(&c, l->password);
        if (!(r = simple_call(l, &c)))
            goto out;
        if (r->type == REDIS_REPLY_ERROR) {
            snprintf(l->err, sizeof l->err, "AUTH failed: %s", r->str);
            goto out;
        }
        freeReplyObject(r);
        r = NULL;
    }
    if (l->addr.db) {
        heft_cmd_borrows(&c, "SELECT");
        heft_cmd_int(&c, l->addr.db);
        if (!(r = simple_call(l, &c)))
            goto out;
        if (r->type == REDIS_REPLY_ERROR) {
            snprintf(l->err, sizeof l->err, "SELECT %d failed: %s", l->addr.db, r->str);
            goto out;
        }
    }
    rc = 0;
out:
    if (r)
        freeReplyObject(r);
    heft_cmd_free(&c);
    return rc;
}

int heft_link_reload(struct heft_link *l)
{
    struct heft_cmd c = HEFT_CMD_INIT;
    redisReply *r;
    int i, rc = 0;

    for (i = 0; i < HEFT_SCRIPT_COUNT && rc == 0; i++) {
        heft_cmd_borrows(&c, "SCRIPT");
        heft_cmd_borrows(&c, "LOAD");
        heft_cmd_borrows(&c, script_text[i]);
        r = simple_call(l, &c);
        if (!r)
            rc = -1;
        else if (r->type != REDIS_REPLY_STRING || r->len != 40) {
            snprintf(l->err, sizeof l->err, "SCRIPT LOAD failed: %s",
                     r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
            rc = -1;
        } else {
            memcpy(l->sha[i], r->str, 41);
        }
        if (r)
            freeReplyObject(r);
    }
    heft_cmd_free(&c);
    return rc;
}

static redisContext *open_ctx(struct heft_link *l)
{
    struct timeval tv = tv_ms(l->connect_timeout_ms);

    if (l->addr.socket)
        return redisConnectUnixWithTimeout(l->addr.socket, tv);
    return redisConnectWithTimeout(l->addr.host, l->addr.port, tv);
}

static void log_restored(struct heft_link *l)
{
    struct timespec now;
    double secs;

    l->backoff_ms = 0;
    if (!l->down)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    secs = (double)(now.tv_sec - l->down_since.tv_sec) +
           (double)(now.tv_nsec - l->down_since.tv_nsec) / 1e9;
    log_info("redis (%s): connection restored after %.1f s", l->role, secs);
    l->down = 0;
    if (l->reconnects)
        atomic_fetch_add(l->reconnects, 1);
}

int heft_link_connect(struct heft_link *l)
{
    if (l->ctx)
        return 0;
    l->ctx = open_ctx(l);
    if (!l->ctx || l->ctx->err) {
        snprintf(l->err, sizeof l->err, "%s",
                 l->ctx ? l->ctx->errstr : "out of memory");
        goto fail;
    }
    redisSetTimeout(l->ctx, tv_ms(IO_TIMEOUT_MS));
    if (!l->addr.socket)
        redisEnableKeepAlive(l->ctx);
    if (handshake(l) < 0 || heft_link_reload(l) < 0)
        goto fail;
    log_restored(l);
    return 0;
fail:
    heft_link_break(l, l->err);
    return -1;
}

redisReply *heft_link_call(struct heft_link *l, struct heft_cmd *c)
{
    if (heft_link_append(l, c) < 0)
        return NULL;
    return heft_link_reply(l);
}

redisReply *heft_link_callv(struct heft_link *l, int argc, const char *const *argv)
{
    struct heft_cmd c = HEFT_CMD_INIT;
    redisReply *r;
    int i;

    for (i = 0; i < argc; i++)
        heft_cmd_borrows(&c, argv[i]);
    r = heft_link_call(l, &c);
    heft_cmd_free(&c);
    return r;
}

int heft_link_append(struct heft_link *l, struct heft_cmd *c)
{
    const char **argv;

    if (!l->ctx) {
        snprintf(l->err, sizeof l->err, "not connected");
        return -1;
    }
    argv = heft_cmd_argv(c);
    if (!argv) {
        snprintf(l->err, sizeof l->err, "out of memory building a command");
        return -1;
    }
    if (redisAppendCommandArgv(l->ctx, c->argc, argv, c->len) != REDIS_OK) {
        heft_link_break(l, NULL);
        return -1;
    }
    return 0;
}

int heft_link_flush(struct heft_link *l)
{
    int done = 0;

    while (l->ctx && !done)
        if (redisBufferWrite(l->ctx, &done) != REDIS_OK) {
            heft_link_break(l, NULL);
            return -1;
        }
    return l->ctx ? 0 : -1;
}

redisReply *heft_link_reply(struct heft_link *l)
{
    void *reply = NULL;

    if (!l->ctx)
        return NULL;
    if (redisGetReply(l->ctx, &reply) != REDIS_OK || !reply) {
        heft_link_break(l, NULL);
        return NULL;
    }
    return reply;
}

redisReply *heft_link_reply_large(struct heft_link *l, char *scratch, size_t cap)
{
    void *reply = NULL;
    int done = 0;
    ssize_t n;

    if (!l->ctx)
        return NULL;
    if (redisGetReplyFromReader(l->ctx, &reply) != REDIS_OK)
        goto broken;
    while (!reply && !done)
        if (redisBufferWrite(l->ctx, &done) != REDIS_OK)
            goto broken;
    while (!reply) {
        n = read(l->ctx->fd, scratch, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            heft_link_break(l, n == 0 ? "the server closed the connection" :
                            errno == EAGAIN || errno == EWOULDBLOCK ? "read timed out" :
                            strerror(errno));
            return NULL;
        }
        if (redisReaderFeed(l->ctx->reader, scratch, (size_t)n) != REDIS_OK ||
            redisGetReplyFromReader(l->ctx, &reply) != REDIS_OK)
            goto broken;
    }
    return reply;
broken:
    heft_link_break(l, NULL);
    return NULL;
}

void heft_link_script(struct heft_link *l, struct heft_cmd *c, enum heft_script s, int nkeys)
{
    heft_cmd_borrows(c, "EVALSHA");
    heft_cmd_borrow(c, l->sha[s], 40);
    heft_cmd_int(c, nkeys);
}

int heft_reply_is_noscript(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0;
}

redisReply *heft_link_call_script(struct heft_link *l, struct heft_cmd *c)
{
    redisReply *r = heft_link_call(l, c);

    if (!heft_reply_is_noscript(r))
        return r;
    freeReplyObject(r);
    if (heft_link_reload(l) < 0)
        return NULL;
    return heft_link_call(l, c);
}
