/*
 * job.c - the handler-facing API of <heft/job.h> and the life of a
 * struct heft_job.  Everything here runs on the thread that owns the job;
 * only `cancel` and `progress` are read by other threads (atomically).
 */
#include "job.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "log.h"

struct heft_job *heft_job_create(int queue, const char *queue_name, enum heft_band band,
                                 const char *entry)
{
    struct heft_job *job = calloc(1, sizeof *job);

    if (!job)
        return NULL;
    job->queue = queue;
    job->queue_name = queue_name;
    job->band = band;
    job->entry = strdup(entry);
    atomic_init(&job->cancel, 0);
    atomic_init(&job->progress, -1);
    job->progress_sent = -1;
    if (!job->entry) {
        free(job);
        return NULL;
    }
    return job;
}

void heft_job_destroy(struct heft_job *job)
{
    if (!job)
        return;
    free(job->entry);
    free(job->id);
    free(job->type);
    if (job->sealed && job->payload_text)
        explicit_bzero(job->payload_text, job->payload_len);
    free(job->payload_text);
    free(job->opts_text);
    json_decref(job->payload);
    json_decref(job->result);
    heft_buf_free(&job->blob);
    heft_buf_free(&job->message);
    free(job->reply);
    free(job);
}

/* Zero the strings of a parsed payload before it is freed.  Only nodes
 * this tree alone holds (refcount 1 all the way down) are touched: a
 * value the handler put in its result stays intact. */
void heft_json_wipe(json_t *v)
{
    const char *key;
    json_t *x;
    size_t i;

    if (!v || v->refcount != 1)
        return;
    if (json_is_string(v))
        explicit_bzero((char *)json_string_value(v), json_string_length(v));
    else if (json_is_array(v))
        json_array_foreach(v, i, x)
            heft_json_wipe(x);
    else if (json_is_object(v))
        json_object_foreach(v, key, x)
            heft_json_wipe(x);
}

const char *heft_band_name(enum heft_band band)
{
    static const char *const names[HEFT_NBANDS] = { "high", "normal", "low" };

    return names[band];
}

const char *heft_outcome_state(enum heft_outcome o)
{
    switch (o) {
    case HEFT_OUT_OK: return "succeeded";
    case HEFT_OUT_FAIL: return "failed";
    case HEFT_OUT_RETRY: return "retrying";
    case HEFT_OUT_DEAD: return "dead";
    case HEFT_OUT_RELEASE: return "waiting";
    default: return "none";
    }
}

static void set_error(struct heft_job *job, const char *code, int retryable,
                      const char *fmt, va_list ap)
{
    snprintf(job->code, sizeof job->code, "%s", code && *code ? code : "error");
    job->retryable = retryable;
    heft_buf_reset(&job->message);
    heft_buf_vprintf(&job->message, fmt, ap);
}

void heft_job_set_error(struct heft_job *job, const char *code, int retryable,
                        const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_error(job, code, retryable, fmt, ap);
    va_end(ap);
}

/* ---- <heft/job.h> ---- */

const char *heft_job_id(const heft_job *job) { return job->id; }
const char *heft_job_type(const heft_job *job) { return job->type; }
const char *heft_job_queue(const heft_job *job) { return job->queue_name; }
const json_t *heft_job_payload(const heft_job *job) { return job->payload; }
size_t heft_job_payload_size(const heft_job *job) { return job->payload_text ? job->payload_len : 0; }
int heft_job_attempt(const heft_job *job) { return job->attempt; }
const void *heft_job_state(const heft_job *job) { return job->state; }

long long heft_job_limit(const heft_job *job, const char *name, long long fallback)
{
    size_t i;

    if (!job->tconf)
        return fallback;
    for (i = 0; i < job->tconf->nlimits; i++)
        if (strcmp(job->tconf->limits[i].name, name) == 0)
            return job->tconf->limits[i].value;
    return fallback;
}

long long heft_job_remaining_ms(const heft_job *job)
{
    long long ms = heft_ms_until(&job->deadline);

    return ms > 0 ? ms : 0;
}

int heft_job_cancelled(const heft_job *job)
{
    return atomic_load_explicit(&((heft_job *)job)->cancel, memory_order_relaxed) ||
           heft_ms_until(&job->deadline) <= 0;
}

void heft_job_progress(heft_job *job, int percent)
{
    if (percent < 0)
        percent = 0;
    if (percent > 100)
        percent = 100;
    atomic_store_explicit(&job->progress, percent, memory_order_relaxed);
}

void heft_job_log(heft_job *job, int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    heft_vlog_job((enum heft_log_level)level, job->queue_name, job->type, job->id, fmt, ap);
    va_end(ap);
}

int heft_job_set_result(heft_job *job, json_t *result)
{
    if (!result)
        return HEFT_ERR;
    json_decref(job->result);
    job->result = result;
    return HEFT_OK;
}

int heft_job_set_blob(heft_job *job, const void *data, size_t len)
{
    heft_buf_reset(&job->blob);
    return heft_buf_append(&job->blob, data, len) < 0 ? HEFT_ERR : HEFT_OK;
}

int heft_job_fail(heft_job *job, const char *code, int retryable, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_error(job, code, retryable, fmt, ap);
    va_end(ap);
    return HEFT_ERR;
}

int heft_init_fail(struct heft_init_error *err, const char *key, const char *fmt, ...)
{
    va_list ap;

    snprintf(err->key, sizeof err->key, "%s", key);
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return HEFT_ERR;
}

int heft_setting_dir(const json_t *value, const char *key, char **dir,
                     struct heft_init_error *err)
{
    const char *s = json_string_value(value);
    struct stat st;

    if (!s || !*s)
        return heft_init_fail(err, key, "must be the path of a directory");
    if (s[0] != '/')
        return heft_init_fail(err, key, "must be an absolute path, got \"%.200s\"", s);
    *dir = realpath(s, NULL);
    if (!*dir)
        return heft_init_fail(err, key, "%.200s: %s", s, strerror(errno));
    if (stat(*dir, &st) == 0 && S_ISDIR(st.st_mode))
        return HEFT_OK;
    free(*dir);
    *dir = NULL;
    return heft_init_fail(err, key, "%.200s is not a directory", s);
}
