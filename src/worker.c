/*
 * worker.c - what a worker thread does with one job: check its envelope,
 * run its handler against a deadline, and turn what happened into an
 * outcome (succeeded, retry after a backoff, failed, dead, or released at
 * shutdown) plus the reply a waiting client will read.
 *
 * All the per-job CPU work (JSON parsing and serialisation) happens here,
 * on the worker threads, so the acker only moves bytes to Redis.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "daemon.h"
#include "envelope.h"
#include "jobredis.h"
#include "log.h"
#include "metrics.h"
#include "registry.h"

static void run_handler(struct heft_job *job, struct heft_daemon *d, int *rc)
{
    job->state = heft_handler_state(d->states, job->handler);
    job->redis = heft_jobredis_of_thread(d->jobredis, d->cfg);
    job->deadline = heft_deadline_after(job->opts.timeout_ms);
    job->started = 1;
    *rc = job->handler->run(job);
}

/* A failure becomes a retry, a death (last attempt) or a final failure.
 * A sealed job is never retried: that would put its payload back in Redis. */
static void classify_failure(struct heft_job *job, struct heft_daemon *d)
{
    if (!job->code[0])
        heft_job_set_error(job, "internal", 1, "the handler failed without saying why");
    if (!job->retryable) {
        job->outcome = HEFT_OUT_FAIL;
        job->n = job->opts.result_ttl;
    } else if (job->attempt < job->opts.attempts && !job->sealed) {
        job->outcome = HEFT_OUT_RETRY;
        job->n = heft_backoff_ms(&job->opts, job->attempt, (uint32_t)random());
    } else {
        job->outcome = HEFT_OUT_DEAD;
        job->n = d->cfg->dead_max_age;
    }
}

static void decide(struct heft_job *job, struct heft_daemon *d, int ran, int rc)
{
    if (!ran) {                       /* envelope error: never retried */
        job->outcome = HEFT_OUT_FAIL;
        job->n = job->opts.result_ttl ? job->opts.result_ttl : d->cfg->defaults.result_ttl;
        return;
    }
    if (atomic_load(&job->cancel)) {  /* shutdown: let another worker have it */
        job->outcome = HEFT_OUT_RELEASE;
        job->n = 0;
        return;
    }
    if (heft_job_remaining_ms(job) == 0) {
        heft_job_set_error(job, "timeout", 1, "the job ran past its timeout of %lld ms",
                           job->opts.timeout_ms);
        rc = HEFT_ERR;
    }
    if (rc == HEFT_OK) {
        job->outcome = HEFT_OUT_OK;
        job->n = job->opts.result_ttl;
        if (!job->result)
            job->result = json_null();
        return;
    }
    classify_failure(job, d);
}

static char *json_text(json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The reply JSON: {"id","state","result"} or {"id","state","error"}. */
static void build_reply(struct heft_job *job)
{
    json_t *r;

    if (job->outcome == HEFT_OUT_OK) {
        r = json_pack("{s:s, s:s, s:O}", "id", job->id, "state", "succeeded",
                      "result", job->result);
        if (r && job->blob.len)
            json_object_set_new(r, "blob_bytes", json_integer((json_int_t)job->blob.len));
    } else {
        r = json_pack("{s:s, s:s, s:{s:s, s:s}, s:i}", "id", job->id,
                      "state", heft_outcome_state(job->outcome), "error",
                      "code", job->code, "message", heft_buf_str(&job->message),
                      "attempt", job->attempt);
    }
    job->reply = r ? json_text(r) : NULL;
    json_decref(r);
}

static void count_and_log(struct heft_job *job, struct heft_daemon *d)
{
    struct heft_counters *c = &d->counters;
    const char *msg = heft_buf_str(&job->message);

    switch (job->outcome) {
    case HEFT_OUT_OK:
        atomic_fetch_add(&c->succeeded, 1);
        break;
    case HEFT_OUT_RETRY:
        atomic_fetch_add(&c->retried, 1);
        heft_log_job(HEFT_LOG_INFO, job->queue_name, job->type, job->id,
                     "attempt %d failed (%s: %s); retry in %lld ms", job->attempt, job->code,
                     msg, job->n);
        break;
    case HEFT_OUT_DEAD:
        atomic_fetch_add(&c->dead, 1);
        heft_log_job(HEFT_LOG_WARN, job->queue_name, job->type, job->id,
                     "dead after %d attempts (%s: %s)", job->attempt, job->code, msg);
        break;
    case HEFT_OUT_FAIL:
        atomic_fetch_add(&c->failed, 1);
        heft_log_job(HEFT_LOG_WARN, job->queue_name, job->type, job->id, "failed (%s: %s)",
                     job->code, msg);
        break;
    default:
        atomic_fetch_add(&c->released, 1);
        break;
    }
    heft_metrics_job_done(d->metrics, job);
}

void heft_worker_run(struct heft_job *job, void *arg)
{
    struct heft_daemon *d = arg;
    int ran = 0, rc = HEFT_ERR;

    clock_gettime(CLOCK_MONOTONIC, &job->taken);
    if (heft_envelope_check(job, d->cfg) == 0) {
        run_handler(job, d, &rc);
        ran = 1;
    }
    /* The parsed payload dies on the thread that built it: thousands of
     * small blocks freed by the acker's thread would contend for this
     * thread's malloc arena (a retry re-sends payload_text, not this). */
    if (job->sealed)
        heft_json_wipe(job->payload);
    json_decref(job->payload);
    job->payload = NULL;
    decide(job, d, ran, rc);
    if (job->outcome != HEFT_OUT_RELEASE)
        build_reply(job);
    count_and_log(job, d);
}

void heft_worker_idle(void *arg)
{
    struct heft_daemon *d = arg;
    const struct heft_handler *h;

    for (size_t i = 0; (h = heft_builtin_handlers[i]); i++)
        if (h->thread_idle)
            h->thread_idle(heft_handler_state(d->states, h));
}
