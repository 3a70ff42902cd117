/*
 * jobredis.c - reading string values from Redis for handlers: the
 * heft_job_redis_* functions of <heft/job.h> and the per-thread
 * heft_jobredis behind them (its link, its one open session, its last
 * error).
 *
 * A session is: UNWATCH, WATCH key, TYPE key, STRLEN key (one round
 * trip); GETRANGE per piece; MULTI + EXEC at close, which Redis answers
 * with nil when a watched key was written since WATCH.  So a value
 * rewritten while a handler reads it is reported, never mixed into a
 * torn result, at the cost of one round trip per session.
 *
 * No read ahead: sending the next piece's GETRANGE with this one's
 * measured slower on two busy cores (Redis then writes each reply in many
 * partial writes) and cost both processes more CPU.  Replies are read
 * from the socket 256 KiB at a time (heft_link_reply_large).
 */
#include "jobredis.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "link.h"
#include "reply.h"

/* heftd's own keys; no job may read them (payloads, results). */
#define OWN_PREFIX "heft:"
/* Socket reads of GETRANGE replies (heft_link_reply_large). */
#define SCRATCH (256 * 1024)

struct heft_jobredis {
    struct heft_link *link;
    struct heft_cmd cmd;
    char *key;                  /* the open session's key, or NULL */
    size_t keylen;
    uint64_t len;               /* its length at open */
    char *scratch;              /* SCRATCH bytes, from the thread's first read */
    char err[256];
};

struct heft_jobredis *heft_jobredis_create(const struct heft_config *cfg)
{
    struct heft_jobredis *r = calloc(1, sizeof *r);

    if (!r)
        return NULL;
    r->link = heft_link_create(cfg, "jobs");
    if (!r->link) {
        free(r);
        return NULL;
    }
    return r;
}

void heft_jobredis_destroy(struct heft_jobredis *r)
{
    if (!r)
        return;
    heft_link_destroy(r->link);
    heft_cmd_free(&r->cmd);
    free(r->key);
    free(r->scratch);
    free(r);
}

void heft_jobredis_key_destructor(void *r)
{
    heft_jobredis_destroy(r);
}

struct heft_jobredis *heft_jobredis_of_thread(pthread_key_t key, const struct heft_config *cfg)
{
    struct heft_jobredis *r = pthread_getspecific(key);

    if (r)
        return r;
    r = heft_jobredis_create(cfg);
    if (r && pthread_setspecific(key, r) != 0) {
        heft_jobredis_destroy(r);
        r = NULL;
    }
    return r;
}

/* ---- sessions ---- */

static int fail(struct heft_jobredis *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct heft_jobredis *r, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->err, sizeof r->err, fmt, ap);
    va_end(ap);
    return code;
}

static void end_session(struct heft_jobredis *r)
{
    free(r->key);
    r->key = NULL;
}

/* The link broke (NULL reply), or a command could not be built (out of
 * memory) after others of a pipeline were queued: drop the connection
 * either way, so that the next open starts in step.  The session and its
 * WATCH are gone. */
static int unavailable(struct heft_jobredis *r)
{
    if (heft_link_connected(r->link))
        heft_link_break(r->link, heft_link_error(r->link));
    end_session(r);
    return fail(r, HEFT_REDIS_EUNAVAILABLE, "redis: %s", heft_link_error(r->link));
}

/* Queue one command of the session's key: NAME key [args]. */
static int append_key_cmd(struct heft_jobredis *r, const char *name, int nargs,
                          unsigned long long a, unsigned long long b)
{
    heft_cmd_reset(&r->cmd);
    heft_cmd_borrows(&r->cmd, name);
    heft_cmd_borrow(&r->cmd, r->key, r->keylen);
    if (nargs > 0)
        heft_cmd_printf(&r->cmd, "%llu", a);
    if (nargs > 1)
        heft_cmd_printf(&r->cmd, "%llu", b);
    return heft_link_append(r->link, &r->cmd);
}

static int append_plain(struct heft_jobredis *r, const char *name)
{
    heft_cmd_reset(&r->cmd);
    heft_cmd_borrows(&r->cmd, name);
    return heft_link_append(r->link, &r->cmd);
}

/* The n replies of a pipeline, all read even when one is an error so
 * that the connection stays in step; -1 when the link broke. */
static int replies(struct heft_jobredis *r, redisReply **out, int n)
{
    int i, rc = 0;

    for (i = 0; i < n; i++)
        out[i] = rc == 0 ? heft_link_reply(r->link) : NULL;
    for (i = 0; i < n; i++)
        if (!out[i])
            rc = -1;
    return rc;
}

static int error_reply(struct heft_jobredis *r, const redisReply *x)
{
    return fail(r, HEFT_REDIS_EREPLY, "redis: %.200s", x->str);
}

/* What TYPE and STRLEN said about the key (STRLEN of another type is an
 * error that TYPE already explained). */
static int judge_open(struct heft_jobredis *r, redisReply **rs, uint64_t *len)
{
    int i;

    for (i = 0; i < 3; i++)
        if (rs[i]->type == REDIS_REPLY_ERROR)
            return error_reply(r, rs[i]);
    if (rs[2]->type != REDIS_REPLY_STATUS)
        return fail(r, HEFT_REDIS_EREPLY, "redis: unexpected reply to TYPE");
    if (!strcmp(rs[2]->str, "none"))
        return fail(r, HEFT_REDIS_ENOKEY, "no such key");
    if (strcmp(rs[2]->str, "string") != 0)
        return fail(r, HEFT_REDIS_EWRONGTYPE, "the key holds a %.40s, not a string", rs[2]->str);
    if (rs[3]->type == REDIS_REPLY_ERROR)
        return error_reply(r, rs[3]);
    if (rs[3]->type != REDIS_REPLY_INTEGER || rs[3]->integer < 0)
        return fail(r, HEFT_REDIS_EREPLY, "redis: unexpected reply to STRLEN");
    *len = (uint64_t)rs[3]->integer;
    return HEFT_REDIS_OK;
}

static int session_open(struct heft_jobredis *r, const void *key, size_t keylen, uint64_t *len)
{
    redisReply *rs[4] = { NULL };
    int rc;

    end_session(r);
    r->err[0] = '\0';
    if (keylen == 0)
        return fail(r, HEFT_REDIS_EREFUSED, "the key is empty");
    if (keylen >= strlen(OWN_PREFIX) && !memcmp(key, OWN_PREFIX, strlen(OWN_PREFIX)))
        return fail(r, HEFT_REDIS_EREFUSED, "keys under \"" OWN_PREFIX "\" are heftd's own");
    if (heft_link_connect(r->link) < 0)
        return unavailable(r);
    r->key = malloc(keylen);
    if (!r->key)
        return fail(r, HEFT_REDIS_EUNAVAILABLE, "out of memory");
    memcpy(r->key, key, keylen);
    r->keylen = keylen;
    if (append_plain(r, "UNWATCH") < 0 || append_key_cmd(r, "WATCH", 0, 0, 0) < 0 ||
        append_key_cmd(r, "TYPE", 0, 0, 0) < 0 || append_key_cmd(r, "STRLEN", 0, 0, 0) < 0 ||
        replies(r, rs, 4) < 0) {
        heft_replies_free(rs, 4);
        return unavailable(r);
    }
    rc = judge_open(r, rs, len);
    heft_replies_free(rs, 4);
    if (rc != HEFT_REDIS_OK)
        end_session(r);
    else
        r->len = *len;
    return rc;
}

static int session_read(struct heft_jobredis *r, uint64_t offset, void *buf, size_t cap,
                        size_t *got)
{
    uint64_t want;
    redisReply *x = NULL;
    int rc = HEFT_REDIS_OK;

    *got = 0;
    r->err[0] = '\0';
    if (!r->key)
        return fail(r, HEFT_REDIS_EINVAL, "read without open");
    if (offset > r->len || cap == 0)
        return fail(r, HEFT_REDIS_EINVAL, "read at %llu of %llu bytes with a buffer of %zu",
                    (unsigned long long)offset, (unsigned long long)r->len, cap);
    want = r->len - offset < cap ? r->len - offset : cap;
    if (want == 0)
        return HEFT_REDIS_OK;
    if (!r->scratch && !(r->scratch = malloc(SCRATCH)))
        return fail(r, HEFT_REDIS_EUNAVAILABLE, "out of memory");
    if (append_key_cmd(r, "GETRANGE", 2, offset, offset + want - 1) < 0 ||
        !(x = heft_link_reply_large(r->link, r->scratch, SCRATCH)))
        return unavailable(r);
    if (x->type == REDIS_REPLY_ERROR && !strncmp(x->str, "WRONGTYPE", 9))
        rc = fail(r, HEFT_REDIS_ECHANGED, "the key was replaced by another type while read");
    else if (x->type == REDIS_REPLY_ERROR)
        rc = error_reply(r, x);
    else if (x->type != REDIS_REPLY_STRING || (uint64_t)x->len != want)
        rc = fail(r, HEFT_REDIS_ECHANGED, "the value shrank or was deleted while read");
    else {
        memcpy(buf, x->str, x->len);
        *got = x->len;
    }
    freeReplyObject(x);
    if (rc != HEFT_REDIS_OK)
        end_session(r);
    return rc;
}

static int session_close(struct heft_jobredis *r)
{
    redisReply *rs[2] = { NULL };
    int rc = HEFT_REDIS_OK;

    r->err[0] = '\0';
    if (!r->key)
        return fail(r, HEFT_REDIS_EINVAL, "close without open");
    if (append_plain(r, "MULTI") < 0 || append_plain(r, "EXEC") < 0 || replies(r, rs, 2) < 0) {
        heft_replies_free(rs, 2);
        return unavailable(r);
    }
    if (rs[1]->type == REDIS_REPLY_NIL)
        rc = fail(r, HEFT_REDIS_ECHANGED, "the value was written while read");
    else if (rs[0]->type == REDIS_REPLY_ERROR)
        rc = error_reply(r, rs[0]);
    else if (rs[1]->type == REDIS_REPLY_ERROR)
        rc = error_reply(r, rs[1]);
    heft_replies_free(rs, 2);
    end_session(r);
    return rc;
}

/* ---- <heft/job.h> ---- */

#define NO_LINK "heftd lends no Redis connection to this job"

int heft_job_redis_open(heft_job *job, const void *key, size_t keylen, uint64_t *len)
{
    *len = 0;
    if (!job->redis)
        return HEFT_REDIS_EUNAVAILABLE;
    return session_open(job->redis, key, keylen, len);
}

int heft_job_redis_read(heft_job *job, uint64_t offset, void *buf, size_t cap, size_t *got)
{
    *got = 0;
    if (!job->redis)
        return HEFT_REDIS_EUNAVAILABLE;
    return session_read(job->redis, offset, buf, cap, got);
}

int heft_job_redis_close(heft_job *job)
{
    if (!job->redis)
        return HEFT_REDIS_EUNAVAILABLE;
    return session_close(job->redis);
}

const char *heft_job_redis_error(const heft_job *job)
{
    return job->redis ? job->redis->err : NO_LINK;
}
