/*
 * tests/job_harness.h - running one job of a built-in type in the test
 * process (job_harness.c).  Payloads and settings are written as JSON
 * with ' for ".
 */
#ifndef HEFT_TESTS_JOB_HARNESS_H
#define HEFT_TESTS_JOB_HARNESS_H

#include <jansson.h>

#include "clock.h"
#include "job.h"

/* printf, then every ' made ", parsed as JSON. */
json_t *jsonf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The registered handler of type (with init and fini). */
const struct heft_handler *handler(const char *type);
/* The type's init with settings (stolen); it must accept them. */
void *init_ok(const char *type, json_t *settings);
/* The type's init with settings (stolen); it must refuse them. */
struct heft_init_error init_fails(const char *type, json_t *settings);
/* Runs payload (stolen) as a job of type with settings (stolen) and the
 * limits of tconf (NULL: none); cancelled jobs are cancelled before they
 * start.  Returns the finished job (heft_job_destroy it). */
struct heft_job *run_job(const char *type, json_t *settings, json_t *payload,
                         const struct heft_type_conf *tconf, int cancelled);
/* The same with the worker thread's Redis access (src/jobredis.h) lent
 * to the job, as heftd does (NULL: none). */
struct heft_jobredis;
struct heft_job *run_job_with_redis(const char *type, json_t *settings, json_t *payload,
                                    const struct heft_type_conf *tconf, int cancelled,
                                    struct heft_jobredis *redis);
/* The result of a job that must succeed (owned by the job). */
const json_t *result_of(struct heft_job *job);
/* A job that must fail with code; returns its message (owned by the job). */
const char *failure_of(struct heft_job *job, const char *code, int retryable);

#endif
