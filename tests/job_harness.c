/*
 * tests/job_harness.c - running one job of a built-in type in the test
 * process, without Redis or heftd: its init with settings, its handler,
 * its fini, then what it set (used by check_hash and check_password).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_harness.h"
#include "registry.h"

/* printf, then every ' made ", parsed as JSON. */
json_t *jsonf(const char *fmt, ...)
{
    char text[8192];
    json_error_t err;
    va_list ap;
    json_t *v;
    char *q;

    va_start(ap, fmt);
    ck_assert_int_lt(vsnprintf(text, sizeof text, fmt, ap), (int)sizeof text);
    va_end(ap);
    while ((q = strchr(text, '\'')))
        *q = '"';
    v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);   /* as heftd reads payloads */
    ck_assert_msg(v != NULL, "the test's JSON is wrong (%s): %s", err.text, text);
    return v;
}

const struct heft_handler *handler(const char *type)
{
    const struct heft_handler *h = heft_handler_find(type);

    ck_assert_msg(h && h->init && h->fini, "%s is not registered with init and fini", type);
    return h;
}

/* The type's init with settings (stolen); it must accept them. */
void *init_ok(const char *type, json_t *settings)
{
    struct heft_init_error err = { "", "" };
    void *state = NULL;

    ck_assert_msg(handler(type)->init(settings, &state, &err) == HEFT_OK,
                  "%s refuses its settings: %s: %s", type, err.key, err.msg);
    json_decref(settings);
    return state;
}

/* The type's init with settings (stolen); it must refuse them. */
struct heft_init_error init_fails(const char *type, json_t *settings)
{
    struct heft_init_error err = { "", "" };
    void *state = NULL;

    ck_assert_msg(handler(type)->init(settings, &state, &err) == HEFT_ERR,
                  "%s accepts settings it should refuse", type);
    ck_assert_msg(err.msg[0], "%s refuses its settings without saying why", type);
    json_decref(settings);
    return err;
}

/* Runs payload (stolen) as a job of type with settings (stolen) and the
 * limits of tconf (NULL: none); cancelled jobs are cancelled before they
 * start.  Returns the finished job. */
static struct heft_job *run(const char *type, json_t *settings, json_t *payload,
                            const struct heft_type_conf *tconf, int cancelled,
                            struct heft_jobredis *redis)
{
    struct heft_job *job = heft_job_create(0, "default", HEFT_BAND_NORMAL, "1-0");
    void *state = init_ok(type, settings);

    ck_assert_ptr_nonnull(job);
    job->id = strdup("t1");
    job->type = strdup(type);
    job->payload = payload;
    job->attempt = 1;
    job->tconf = tconf;
    job->state = state;
    job->handler = handler(type);
    job->deadline = heft_deadline_after(120000);
    job->redis = redis;
    atomic_store(&job->cancel, cancelled);
    job->handler->run(job);
    job->handler->fini(state);
    return job;
}

struct heft_job *run_job(const char *type, json_t *settings, json_t *payload,
                         const struct heft_type_conf *tconf, int cancelled)
{
    return run(type, settings, payload, tconf, cancelled, NULL);
}

struct heft_job *run_job_with_redis(const char *type, json_t *settings, json_t *payload,
                                    const struct heft_type_conf *tconf, int cancelled,
                                    struct heft_jobredis *redis)
{
    return run(type, settings, payload, tconf, cancelled, redis);
}

/* The result of a job that must succeed (owned by the job). */
const json_t *result_of(struct heft_job *job)
{
    ck_assert_msg(job->code[0] == '\0', "%s failed with %s: %s", job->type, job->code,
                  job->message.data ? job->message.data : "");
    ck_assert_ptr_nonnull(job->result);
    return job->result;
}

/* A job that must fail with code; returns its message (owned by the job). */
const char *failure_of(struct heft_job *job, const char *code, int retryable)
{
    ck_assert_msg(job->result == NULL || job->code[0], "%s succeeded", job->type);
    ck_assert_str_eq(job->code, code);
    ck_assert_int_eq(job->retryable, retryable);
    ck_assert_ptr_nonnull(job->message.data);
    return job->message.data;
}
