/*
 * jobs/echo.c - the "echo" job: returns its payload as its result.
 *
 * It exists to test and benchmark the queue itself, so a few payload keys
 * make it behave like real work:
 *   sleep_ms   (integer) take this long, checking for cancellation every 10 ms
 *   fail       (string)  fail with this code, retryable
 *   fail_permanent (string) fail with this code, not retryable
 *   blob       (string)  also return these bytes as the binary result
 */
#include <heft/job.h>
#include <time.h>

static int nap(heft_job *job, long long ms)
{
    struct timespec slice = { 0, 10 * 1000000L };

    while (ms > 0 && !heft_job_cancelled(job)) {
        if (ms < 10)
            slice.tv_nsec = ms * 1000000L;
        nanosleep(&slice, NULL);
        ms -= 10;
    }
    return heft_job_cancelled(job) ? HEFT_ERR : HEFT_OK;
}

static int echo_run(heft_job *job)
{
    const json_t *p = heft_job_payload(job);
    const json_t *v;

    if (json_is_object(p)) {
        if ((v = json_object_get(p, "sleep_ms")) && json_is_integer(v) &&
            nap(job, json_integer_value(v)) != HEFT_OK)
            return heft_job_fail(job, "cancelled", 1, "stopped while sleeping");
        if ((v = json_object_get(p, "fail")) && json_is_string(v))
            return heft_job_fail(job, json_string_value(v), 1, "failed on request (attempt %d)",
                                 heft_job_attempt(job));
        if ((v = json_object_get(p, "fail_permanent")) && json_is_string(v))
            return heft_job_fail(job, json_string_value(v), 0, "failed on request");
        if ((v = json_object_get(p, "blob")) && json_is_string(v) &&
            heft_job_set_blob(job, json_string_value(v), json_string_length(v)) != HEFT_OK)
            return heft_job_fail(job, "no_memory", 1, "cannot store the blob");
    }
    return heft_job_set_result(job, json_deep_copy(p));
}

const struct heft_handler heft_echo_handler = {
    .type = "echo",
    .run = echo_run,
    .summary = "returns its payload (sleep_ms, fail, fail_permanent, blob for tests)",
};
