/*
 * check_daemon.c - heftd end to end: a real redis-server and a real heftd
 * per test (tests/harness.h), jobs enqueued with the protocol's enqueue
 * script, outcomes read from reply lists and job hashes exactly as
 * docs/protocol.md describes them.
 *
 * Each test name states the behaviour it checks.  The slow ones (leases,
 * kill -9, restarts) use lease_ms 1000 so the whole suite stays short;
 * every wait is bounded, and each tcase has its own Check time-out.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static struct harness H;

static void setup(void)
{
    h_setup(&H);
}

static void teardown(void)
{
    h_teardown(&H);
}

/* ---- reading replies ---- */

/* The reply of job id, waited for up to ms; fails the test without one. */
static json_t *reply_of(const char *id, long long ms)
{
    json_t *r = h_wait_reply(&H, id, ms);

    if (!r) {
        const char *state = h_hget(&H, id, "state");

        ck_abort_msg("job %s: no reply within %lld ms (state %s)", id, ms,
                     state ? state : "(no job hash)");
    }
    return r;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static const char *error_code(const json_t *r)
{
    return jstr(json_object_get(r, "error"), "code");
}

static const char *error_message(const json_t *r)
{
    return jstr(json_object_get(r, "error"), "message");
}

static long long jint(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static void assert_succeeded_with(const char *id, json_t *r, const char *payload)
{
    json_t *want = json_loads(payload, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

    ck_assert_ptr_nonnull(want);
    ck_assert_msg(jstr(r, "state") && strcmp(jstr(r, "state"), "succeeded") == 0,
                  "job %s: state %s (error %s: %s)", id, jstr(r, "state"), error_code(r),
                  error_message(r));
    ck_assert_str_eq(jstr(r, "id"), id);
    ck_assert_msg(json_equal(json_object_get(r, "result"), want),
                  "job %s: result differs from its payload %s", id, payload);
    json_decref(want);
}

/* A field of the job hash has this value. */
static void assert_field(const char *id, const char *field, const char *want)
{
    const char *v = h_hget(&H, id, field);

    ck_assert_msg(v && strcmp(v, want) == 0, "job %s: %s is %s, want %s", id, field,
                  v ? v : "(missing)", want);
}

static long long stat_of(const char *counter)
{
    const char *v = h_str(&H, NULL, "HGET", h_key(&H, "stats"), counter, NULL);

    return v ? atoll(v) : 0;
}

/* heftd logs errors as "<3>..." lines (text format, not a terminal). */
static void assert_no_errors_logged(void)
{
    char *log = h_read_file(H.log, NULL), *line;

    ck_assert_ptr_nonnull(log);
    line = strncmp(log, "<3>", 3) == 0 ? log : strstr(log, "\n<3>");
    if (line) {
        line += *line == '\n';
        line[strcspn(line, "\n")] = '\0';
        ck_abort_msg("heftd logged an error: %s", line);
    }
    free(log);
}

#define NORMAL_STREAM "heft:{default}:ready:normal"

/* Poll until the normal stream has no entries and none pending. */
static int wait_stream_empty(long long ms)
{
    long long until = h_mono_ms() + ms;

    for (;;) {
        if (h_int(&H, "XLEN", NORMAL_STREAM, NULL) == 0 && h_xpending(&H, NORMAL_STREAM) == 0)
            return 0;
        if (h_mono_ms() >= until)
            return -1;
        h_sleep_ms(20);
    }
}

/* ---- running jobs ---- */

#define MANY 10000

START_TEST(test_daemon_runs_10000_echo_jobs_and_every_result_is_there)
{
    char id[32], payload[96];
    long long until;
    json_t *r;
    int i;

    h_heftd_start(&H, "concurrency: 4\n", NULL);
    for (i = 0; i < MANY; i++) {
        snprintf(id, sizeof id, "job-%05d", i);
        snprintf(payload, sizeof payload, "{\"n\":%d,\"text\":\"echo %d\"}", i, i);
        h_enqueue_append(&H, id, "echo", payload, NULL);
        if (i % 1000 == 999)
            h_enqueue_flush(&H);
    }
    h_enqueue_flush(&H);

    until = h_mono_ms() + 60000;
    for (i = 0; i < MANY; i++) {
        snprintf(id, sizeof id, "job-%05d", i);
        snprintf(payload, sizeof payload, "{\"n\":%d,\"text\":\"echo %d\"}", i, i);
        r = reply_of(id, until - h_mono_ms() > 100 ? until - h_mono_ms() : 100);
        assert_succeeded_with(id, r, payload);
        json_decref(r);
    }
    ck_assert_int_eq(h_int(&H, "XLEN", NORMAL_STREAM, NULL), 0);
    ck_assert_int_eq(h_xpending(&H, NORMAL_STREAM), 0);
    ck_assert_int_eq(stat_of("succeeded"), MANY);
    ck_assert_str_eq(h_hget(&H, "job-00042", "state"), "succeeded");
    ck_assert_str_eq(h_hget(&H, "job-00042", "attempt"), "1");
    assert_no_errors_logged();
}
END_TEST

START_TEST(test_daemon_delayed_job_runs_no_earlier_than_due)
{
    char opts[64];
    long long run_at, created;
    json_t *r;

    h_heftd_start(&H, NULL, "--concurrency", "2", NULL);
    run_at = h_redis_time_ms(&H) + 1000;
    snprintf(opts, sizeof opts, "{\"run_at\":%lld}", run_at);
    ck_assert_int_eq(h_enqueue(&H, "later", "echo", "{\"x\":1}", "{\"delay_ms\":1500}"), 1);
    ck_assert_int_eq(h_enqueue(&H, "at", "echo", "{\"x\":2}", opts), 1);

    ck_assert_str_eq(h_hget(&H, "later", "state"), "delayed");
    ck_assert_str_eq(h_hget(&H, "at", "state"), "delayed");
    created = h_hget_int(&H, "later", "created_ms");
    ck_assert_int_eq(h_hget_int(&H, "later", "run_at_ms"), created + 1500);
    ck_assert_int_eq(h_hget_int(&H, "at", "run_at_ms"), run_at);
    ck_assert_int_ge(h_int(&H, "ZCARD", h_key(&H, "delayed"), NULL), 2);

    r = reply_of("at", 10000);
    assert_succeeded_with("at", r, "{\"x\":2}");
    json_decref(r);
    ck_assert_int_ge(h_hget_int(&H, "at", "started_ms"), run_at);

    r = reply_of("later", 10000);
    assert_succeeded_with("later", r, "{\"x\":1}");
    json_decref(r);
    ck_assert_int_ge(h_hget_int(&H, "later", "started_ms"), created + 1500);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "delayed"), NULL), 0);
}
END_TEST

START_TEST(test_daemon_failing_job_is_retried_then_dead)
{
    json_t *r;

    h_heftd_start(&H, NULL, "--concurrency", "2", NULL);
    h_enqueue(&H, "flaky-1", "echo", "{\"fail\":\"flaky\"}", "{\"attempts\":3,\"backoff\":50}");
    r = reply_of("flaky-1", 10000);
    ck_assert_str_eq(jstr(r, "state"), "dead");
    ck_assert_str_eq(error_code(r), "flaky");
    ck_assert_int_eq(jint(r, "attempt"), 3);
    json_decref(r);

    ck_assert_str_eq(h_hget(&H, "flaky-1", "state"), "dead");
    ck_assert_str_eq(h_hget(&H, "flaky-1", "attempt"), "3");
    ck_assert_str_eq(h_hget(&H, "flaky-1", "error_code"), "flaky");
    ck_assert_str_eq(h_hget(&H, "flaky-1", "payload"), "{\"fail\":\"flaky\"}");
    ck_assert_ptr_nonnull(h_str(&H, NULL, "ZSCORE", h_key(&H, "dead"), "flaky-1", NULL));
    ck_assert_int_eq(stat_of("retried"), 2);
    ck_assert_int_eq(stat_of("dead"), 1);
    ck_assert_int_eq(stat_of("succeeded"), 0);
    /* retries are not announced: the one message was the final one */
    ck_assert_int_eq(h_int(&H, "LLEN", h_key(&H, "reply:flaky-1"), NULL), 0);
}
END_TEST

struct bad_job {
    const char *id, *type, *payload, *opts;
    const char *code;
    const char *message_names;     /* the message must contain this */
};

START_TEST(test_daemon_malformed_jobs_fail_with_their_codes)
{
    static char big[2100];
    const struct bad_job jobs[] = {
        { "unknown", "no.such.type", "{}", NULL, "unknown_type", "no.such.type" },
        { "no-type", "", "{}", NULL, "missing_type", "" },
        { "bad-json", "echo", "{bad", NULL, "bad_json", "" },
        { "bad-attempts", "echo", "{}", "{\"attempts\":\"x\"}", "bad_option", "attempts" },
        { "unknown-option", "echo", "{}", "{\"nope\":1}", "bad_option", "nope" },
        { "too-large", "echo", big, NULL, "payload_too_large", "" },
    };
    size_t i, n = sizeof jobs / sizeof jobs[0];
    json_t *r;

    snprintf(big, sizeof big, "{\"blob\":\"%02000d\"}", 0);
    h_heftd_start(&H, "concurrency: 2\nlimits:\n  max_payload_bytes: 1024\n", NULL);

    /* A stream entry without an id (not from the enqueue script). */
    h_str(&H, NULL, "XADD", NORMAL_STREAM, "*", "type", "echo", "payload", "{}", "opts", "",
          NULL);
    ck_assert_msg(h_wait_log(&H, "has no job id; dropped", 5000) == 0,
                  "heftd did not log the entry without an id");
    ck_assert_msg(wait_stream_empty(5000) == 0, "the entry without an id was not removed");
    ck_assert(h_heftd_running(&H));

    for (i = 0; i < n; i++)
        ck_assert_int_eq(h_enqueue(&H, jobs[i].id, jobs[i].type, jobs[i].payload, jobs[i].opts), 1);
    for (i = 0; i < n; i++) {
        r = reply_of(jobs[i].id, 10000);
        ck_assert_msg(strcmp(jstr(r, "state"), "failed") == 0, "job %s: state %s, want failed",
                      jobs[i].id, jstr(r, "state"));
        ck_assert_msg(error_code(r) && strcmp(error_code(r), jobs[i].code) == 0,
                      "job %s: code %s, want %s", jobs[i].id, error_code(r), jobs[i].code);
        ck_assert_msg(error_message(r) && strstr(error_message(r), jobs[i].message_names),
                      "job %s: message \"%s\" does not name %s", jobs[i].id, error_message(r),
                      jobs[i].message_names);
        ck_assert_int_eq(jint(r, "attempt"), 1);
        json_decref(r);
        assert_field(jobs[i].id, "state", "failed");
        assert_field(jobs[i].id, "attempt", "1");
        assert_field(jobs[i].id, "error_code", jobs[i].code);
    }
    ck_assert_int_eq(stat_of("failed"), (long long)n);
    ck_assert_int_eq(stat_of("retried"), 0);

    ck_assert(h_heftd_running(&H));
    h_enqueue(&H, "good", "echo", "{\"still\":\"alive\"}", NULL);
    r = reply_of("good", 10000);
    assert_succeeded_with("good", r, "{\"still\":\"alive\"}");
    json_decref(r);
}
END_TEST

START_TEST(test_daemon_high_priority_jobs_run_before_normal_ones)
{
    char id[32];
    long long last_high_finished = 0, first_normal_finished = -1, v;
    json_t *r;
    int i;

    for (i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "normal-%02d", i);
        h_enqueue(&H, id, "echo", "{\"sleep_ms\":1}", NULL);
    }
    for (i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "high-%d", i);
        h_enqueue(&H, id, "echo", "{\"sleep_ms\":1}", "{\"priority\":\"high\"}");
        ck_assert_str_eq(h_hget(&H, id, "priority"), "high");
    }
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:high"), NULL), 5);
    h_heftd_start(&H, NULL, "--concurrency", "1", "--prefetch", "1", NULL);

    for (i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "high-%d", i);
        r = reply_of(id, 10000);
        assert_succeeded_with(id, r, "{\"sleep_ms\":1}");
        json_decref(r);
        v = h_hget_int(&H, id, "finished_ms");
        ck_assert_msg(v > 0, "job %s succeeded without finished_ms", id);
        if (v > last_high_finished)
            last_high_finished = v;
    }
    for (i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "normal-%02d", i);
        r = reply_of(id, 10000);
        assert_succeeded_with(id, r, "{\"sleep_ms\":1}");
        json_decref(r);
        ck_assert_msg(h_hget_int(&H, id, "started_ms") > 0, "job %s succeeded, but its hash "
                      "has no started_ms (attempt %s, worker %s)", id, h_hget(&H, id, "attempt"),
                      h_hget(&H, id, "worker"));
        v = h_hget_int(&H, id, "finished_ms");
        if (first_normal_finished < 0 || v < first_normal_finished)
            first_normal_finished = v;
    }
    /* One worker runs one job at a time, so finishing first means running
     * first.  finished_ms is when the outcome was recorded, by Redis's
     * clock, in the order the jobs ended (several may share one batch and
     * one time); started_ms of a short job is derived from heftd's clock
     * and may be a few ms off, so it does not decide the order. */
    ck_assert_msg(last_high_finished <= first_normal_finished,
                  "a normal job finished at %lld, before the last high one at %lld",
                  first_normal_finished, last_high_finished);
}
END_TEST

START_TEST(test_daemon_timeout_fails_job_with_code_timeout)
{
    json_t *r;

    h_heftd_start(&H, NULL, "--concurrency", "2", NULL);
    h_enqueue(&H, "slowpoke", "echo", "{\"sleep_ms\":2000}", "{\"timeout_ms\":200,\"attempts\":1}");
    r = reply_of("slowpoke", 10000);
    /* timeout is retryable; on the last attempt a retryable failure is dead */
    ck_assert_str_eq(jstr(r, "state"), "dead");
    ck_assert_str_eq(error_code(r), "timeout");
    ck_assert_int_eq(jint(r, "attempt"), 1);
    json_decref(r);
    ck_assert_str_eq(h_hget(&H, "slowpoke", "state"), "dead");
    ck_assert_str_eq(h_hget(&H, "slowpoke", "error_code"), "timeout");
    ck_assert_ptr_nonnull(h_str(&H, NULL, "ZSCORE", h_key(&H, "dead"), "slowpoke", NULL));
    /* stopped at its deadline, not after its 2 s of sleep */
    ck_assert_int_lt(h_hget_int(&H, "slowpoke", "finished_ms") -
                     h_hget_int(&H, "slowpoke", "started_ms"), 1500);
}
END_TEST

START_TEST(test_daemon_blob_result_is_stored_binary_safe)
{
    /* JSON escapes: a NUL, a control byte and two 2-byte UTF-8 characters */
    const char payload[] = "{\"blob\":\"bin\\u0000ary\\u0001 \\u00e9\\u00ff end\"}";
    const char want[] = "bin\0ary\x01 \xc3\xa9\xc3\xbf end";
    size_t want_len = sizeof want - 1, len = 0;
    const char *blob;
    json_t *r;

    h_heftd_start(&H, NULL, "--concurrency", "2", NULL);
    h_enqueue(&H, "blobby", "echo", payload, NULL);
    r = reply_of("blobby", 10000);
    assert_succeeded_with("blobby", r, payload);
    ck_assert_int_eq(jint(r, "blob_bytes"), (long long)want_len);
    json_decref(r);
    blob = h_str(&H, &len, "HGET", h_key(&H, "job:blobby"), "blob", NULL);
    ck_assert_ptr_nonnull(blob);
    ck_assert_uint_eq(len, want_len);
    ck_assert_mem_eq(blob, want, want_len);

    /* a job without a blob has neither blob_bytes nor a blob field */
    h_enqueue(&H, "plain", "echo", "{\"a\":1}", NULL);
    r = reply_of("plain", 10000);
    ck_assert_ptr_null(json_object_get(r, "blob_bytes"));
    json_decref(r);
    ck_assert_ptr_null(h_hget(&H, "plain", "blob"));
}
END_TEST

/* ---- failures around heftd ---- */

#define KILL_JOBS 200

START_TEST(test_daemon_survives_kill_9_and_a_new_daemon_finishes_every_job)
{
    const char *yaml = "lease_ms: 1000\nconcurrency: 2\n";
    char id[32], payload[64], key[48];
    long long until, done;
    json_t *r;
    int i, replies = 0;

    h_heftd_start(&H, yaml, NULL);
    for (i = 0; i < KILL_JOBS; i++) {
        snprintf(id, sizeof id, "k-%03d", i);
        snprintf(payload, sizeof payload, "{\"sleep_ms\":%d,\"n\":%d}", 20 + i % 31, i);
        h_enqueue_append(&H, id, "echo", payload, NULL);
    }
    h_enqueue_flush(&H);

    until = h_mono_ms() + 10000;
    while ((done = stat_of("succeeded")) < 20 && h_mono_ms() < until)
        h_sleep_ms(10);
    ck_assert_msg(done >= 20, "only %lld jobs succeeded in 10 s", done);
    h_heftd_kill9(&H);
    done = stat_of("succeeded");
    ck_assert_msg(done < KILL_JOBS, "all jobs finished before the kill; nothing to recover");

    h_heftd_start(&H, yaml, NULL);
    until = h_mono_ms() + 30000;
    for (i = 0; i < KILL_JOBS; i++) {
        snprintf(id, sizeof id, "k-%03d", i);
        snprintf(payload, sizeof payload, "{\"sleep_ms\":%d,\"n\":%d}", 20 + i % 31, i);
        r = reply_of(id, until - h_mono_ms() > 100 ? until - h_mono_ms() : 100);
        assert_succeeded_with(id, r, payload);
        json_decref(r);
        replies++;
        /* exactly one reply per job: nothing left after the BLPOP */
        snprintf(key, sizeof key, "reply:%s", id);
        ck_assert_int_eq(h_int(&H, "LLEN", h_key(&H, key), NULL), 0);
    }
    ck_assert_int_eq(replies, KILL_JOBS);
    ck_assert_int_eq(stat_of("succeeded"), KILL_JOBS);
    ck_assert_msg(wait_stream_empty(5000) == 0, "stream entries left after every job ended");
    /* the jobs the killed heftd held came back through their lease */
    ck_assert_msg(h_log_contains(&H, "reclaimed"), "no job was reclaimed from the killed heftd");
    assert_no_errors_logged();
}
END_TEST

START_TEST(test_daemon_reconnects_after_redis_restart)
{
    char id[32];
    long long until;
    json_t *r;
    int i;

    h_heftd_start(&H, NULL, "--concurrency", "2", NULL);
    h_enqueue(&H, "before", "echo", "{\"when\":\"before\"}", NULL);
    r = reply_of("before", 10000);
    assert_succeeded_with("before", r, "{\"when\":\"before\"}");
    json_decref(r);

    h_redis_restart(&H);          /* same port, empty data set */
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:before"), NULL), 0);
    ck_assert_msg(h_wait_log(&H, "connection lost", 5000) == 0, "heftd did not notice the restart");

    for (i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "after-%d", i);
        h_enqueue(&H, id, "echo", "{\"when\":\"after\"}", NULL);
    }
    for (i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "after-%d", i);
        r = reply_of(id, 15000);
        assert_succeeded_with(id, r, "{\"when\":\"after\"}");
        json_decref(r);
    }
    ck_assert_msg(h_wait_log(&H, "connection restored", 5000) == 0, "no \"connection restored\" log");
    ck_assert(h_heftd_running(&H));
    /* its heartbeat comes back in the new Redis too (every 2 s) */
    until = h_mono_ms() + 5000;
    while (h_int(&H, "ZCARD", "heft:workers", NULL) == 0 && h_mono_ms() < until)
        h_sleep_ms(50);
    ck_assert_int_eq(h_int(&H, "ZCARD", "heft:workers", NULL), 1);
}
END_TEST

START_TEST(test_daemon_poison_job_becomes_dead)
{
    /* prefetch 1: the pool is full while the job runs */
    const char *yaml = "lease_ms: 1000\nmax_deliveries: 2\nconcurrency: 1\nprefetch: 1\n";
    json_t *r;

    h_heftd_start(&H, yaml, NULL);
    h_enqueue(&H, "poison", "echo", "{\"sleep_ms\":60000}", NULL);
    ck_assert_msg(h_wait_state(&H, "poison", "active", 5000) == 0,
                  "the job is not active: state %s, %lld stream entry pending",
                  h_hget(&H, "poison", "state"), h_xpending(&H, NORMAL_STREAM));
    ck_assert_ptr_null(h_hget(&H, "poison", "lost_deliveries"));
    h_heftd_kill9(&H);

    /* The second heftd reclaims it once the lease ran out (one delivery
     * lost) and runs it again. */
    h_heftd_start(&H, yaml, NULL);
    ck_assert_msg(h_wait_field(&H, "poison", "worker", H.consumer, 10000) == 0,
                  "the job was not delivered again (state %s, lost_deliveries %s)",
                  h_hget(&H, "poison", "state"), h_hget(&H, "poison", "lost_deliveries"));
    ck_assert_str_eq(h_hget(&H, "poison", "state"), "active");
    ck_assert_str_eq(h_hget(&H, "poison", "lost_deliveries"), "1");
    h_heftd_kill9(&H);

    /* The third finds its second delivery lost too: max_deliveries (2)
     * deliveries without an outcome, quarantined. */
    h_heftd_start(&H, yaml, NULL);
    r = reply_of("poison", 10000);
    ck_assert_str_eq(jstr(r, "state"), "dead");
    ck_assert_str_eq(error_code(r), "poison");
    json_decref(r);
    ck_assert_str_eq(h_hget(&H, "poison", "state"), "dead");
    ck_assert_str_eq(h_hget(&H, "poison", "error_code"), "poison");
    ck_assert_ptr_nonnull(h_str(&H, NULL, "ZSCORE", h_key(&H, "dead"), "poison", NULL));
    ck_assert_int_eq(stat_of("dead"), 1);
    ck_assert_msg(wait_stream_empty(5000) == 0, "the poison job's entry was not removed");
    assert_no_errors_logged();
}
END_TEST

/* ---- starting and stopping ---- */

START_TEST(test_daemon_sigterm_drains_in_flight_jobs)
{
    json_t *r;

    h_heftd_start(&H, "shutdown_grace_ms: 10000\n", "--concurrency", "2", NULL);
    h_enqueue(&H, "draining", "echo", "{\"sleep_ms\":1500}", NULL);
    ck_assert_msg(h_wait_state(&H, "draining", "active", 5000) == 0, "the job never started");
    kill(H.heftd_pid, SIGTERM);
    ck_assert_msg(h_heftd_wait_exit(&H, 500) == -1, "heftd exited while its job still ran");
    ck_assert_int_eq(h_heftd_wait_exit(&H, 10000), 0);

    /* recorded before heftd exited */
    ck_assert_str_eq(h_hget(&H, "draining", "state"), "succeeded");
    r = reply_of("draining", 1000);
    assert_succeeded_with("draining", r, "{\"sleep_ms\":1500}");
    json_decref(r);
    ck_assert_msg(h_log_contains(&H, "draining"), "no drain in heftd's log");
    assert_no_errors_logged();
    ck_assert_int_eq(h_xpending(&H, NORMAL_STREAM), 0);
}
END_TEST

START_TEST(test_daemon_sigterm_after_grace_releases_unfinished_jobs)
{
    const char *yaml = "shutdown_grace_ms: 300\nconcurrency: 1\n";
    long long t0, elapsed;
    const char *entry;
    redisReply *x;
    int rc;

    h_heftd_start(&H, yaml, NULL);
    h_enqueue(&H, "long", "echo", "{\"sleep_ms\":10000}", NULL);
    ck_assert_msg(h_wait_state(&H, "long", "active", 5000) == 0, "the job never started");
    t0 = h_mono_ms();
    rc = h_heftd_stop(&H, 10000);
    elapsed = h_mono_ms() - t0;
    ck_assert_msg(h_log_contains(&H, "grace over"), "heftd did not say it released jobs");
    assert_no_errors_logged();
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(elapsed < 3000, "heftd took %lld ms to stop with a grace of 300 ms", elapsed);

    /* Given back: waiting, in the stream as a new entry, not pending. */
    ck_assert_str_eq(h_hget(&H, "long", "state"), "waiting");
    /* Handed back by a heftd that stopped in order: not a lost delivery,
     * so it does not count towards poison. */
    ck_assert_ptr_null(h_hget(&H, "long", "lost_deliveries"));
    ck_assert_int_eq(h_int(&H, "XLEN", NORMAL_STREAM, NULL), 1);
    ck_assert_int_eq(h_xpending(&H, NORMAL_STREAM), 0);
    ck_assert_int_eq(stat_of("released"), 1);
    x = h_cmd(&H, "XRANGE", NORMAL_STREAM, "-", "+", NULL);
    ck_assert(x->type == REDIS_REPLY_ARRAY && x->elements == 1);
    entry = h_hget(&H, "long", "entry");
    ck_assert_str_eq(x->element[0]->element[0]->str, entry);
    freeReplyObject(x);

    /* Another heftd takes it up. */
    h_heftd_start(&H, yaml, NULL);
    ck_assert_msg(h_wait_field(&H, "long", "worker", H.consumer, 5000) == 0,
                  "the new heftd did not take the released job");
    ck_assert_str_eq(h_hget(&H, "long", "state"), "active");
    ck_assert_str_eq(h_hget(&H, "long", "attempt"), "1");
}
END_TEST

START_TEST(test_daemon_refuses_evicting_redis)
{
    json_t *r;

    h_str(&H, NULL, "CONFIG", "SET", "maxmemory-policy", "allkeys-lru", NULL);
    h_heftd_spawn(&H, NULL, "--concurrency", "1", NULL);
    ck_assert_int_eq(h_heftd_wait_exit(&H, 10000), 2);
    ck_assert_msg(h_log_contains(&H, "maxmemory-policy"), "the refusal does not name maxmemory-policy");
    ck_assert_int_eq(h_int(&H, "ZCARD", "heft:workers", NULL), 0);

    h_heftd_start(&H, NULL, "--concurrency", "1", "--allow-eviction", NULL);
    h_enqueue(&H, "evictable", "echo", "{}", NULL);
    r = reply_of("evictable", 10000);
    assert_succeeded_with("evictable", r, "{}");
    json_decref(r);
}
END_TEST

/* An ACL user and password from the URL; a wrong password is refused at
 * start with exit code 2 and says AUTH. */
START_TEST(test_daemon_authenticates_as_an_acl_user)
{
    char good[128], bad[128];
    json_t *r;

    h_str(&H, NULL, "ACL", "SETUSER", "heft", "on", ">s3cret", "~*", "&*", "+@all", NULL);
    snprintf(good, sizeof good, "redis://heft:s3cret@127.0.0.1:%d", H.port);
    snprintf(bad, sizeof bad, "redis://heft:wrong@127.0.0.1:%d", H.port);

    h_heftd_spawn(&H, NULL, "--redis", bad, NULL);
    ck_assert_int_eq(h_heftd_wait_exit(&H, 10000), 2);
    ck_assert_msg(h_log_contains(&H, "AUTH failed"), "the refusal does not say AUTH failed");

    h_heftd_start(&H, NULL, "--redis", good, "--concurrency", "1", NULL);
    h_enqueue(&H, "as-acl-user", "echo", "{}", NULL);
    r = reply_of("as-acl-user", 10000);
    assert_succeeded_with("as-acl-user", r, "{}");
    json_decref(r);
}
END_TEST

START_TEST(test_daemon_check_config_rejects_bad_file_with_file_line_and_key)
{
    const char *bad = h_write_file(&H, "bad.yaml", "concurrency: 2\nlease_ms: 10\n");
    const char *typo = h_write_file(&H, "typo.yaml", "jobs:\n  defaults:\n    atempts: 3\n");
    const char *good = h_write_file(&H, "good.yaml", "concurrency: 2\nlease_ms: 1000\n");

    ck_assert_int_eq(h_run_heftd(&H, 5000, "-c", bad, "--check-config", NULL), 1);
    ck_assert_msg(strstr(H.run_err, "bad.yaml:2: lease_ms: "), "stderr: %s", H.run_err);

    ck_assert_int_eq(h_run_heftd(&H, 5000, "-c", typo, "--check-config", NULL), 1);
    ck_assert_msg(strstr(H.run_err, "typo.yaml:3: jobs.defaults.atempts: "), "stderr: %s",
                  H.run_err);

    ck_assert_int_eq(h_run_heftd(&H, 5000, "-c", good, "--check-config", NULL), 0);
    ck_assert_msg(strstr(H.run_out, "configuration OK"), "stdout: %s", H.run_out);

    ck_assert_int_eq(h_run_heftd(&H, 5000, "--concurrency", "0", "--check-config", NULL), 1);
    ck_assert_msg(strstr(H.run_err, "--concurrency"), "stderr: %s", H.run_err);
}
END_TEST

START_TEST(test_daemon_check_config_runs_handler_inits_that_name_file_line_and_key)
{
    const char *pdf = h_write_file(&H, "pdf.yaml",
                                   "jobs:\n  types:\n    pdf.render:\n      timeout_ms: 5000\n"
                                   "      colour: red\n");
    const char *echo = h_write_file(&H, "echo.yaml",
                                    "concurrency: 1\njobs:\n  types:\n    echo:\n"
                                    "      limits: {n: 1}\n      greeting: hi\n");

    ck_assert_int_eq(h_run_heftd(&H, 5000, "-c", pdf, "--check-config", NULL), 1);
    ck_assert_msg(strstr(H.run_err, "pdf.yaml:5: jobs.types.pdf.render.colour: unknown key"),
                  "stderr: %s", H.run_err);
    ck_assert_msg(!strstr(H.run_out, "configuration OK"), "stdout: %s", H.run_out);

    /* A handler without an init takes no settings at all. */
    ck_assert_int_eq(h_run_heftd(&H, 5000, "-c", echo, "--check-config", NULL), 1);
    ck_assert_msg(strstr(H.run_err, "echo.yaml:6: jobs.types.echo.greeting: unknown key"),
                  "stderr: %s", H.run_err);

    /* And heftd itself refuses to start with them. */
    ck_assert_int_eq(h_run_heftd(&H, 5000, "-c", pdf, NULL), 1);
    ck_assert_msg(strstr(H.run_err, "pdf.yaml:5: jobs.types.pdf.render.colour: unknown key"),
                  "stderr: %s", H.run_err);
}
END_TEST

/* Settings reach the handler through heftd: its init builds the state that
 * every worker thread's jobs see (a template, an output directory). */
START_TEST(test_daemon_hands_pdf_render_its_settings_state)
{
    char yaml[2048], tdir[600], odir[600], want[700];
    json_t *r;

    snprintf(tdir, sizeof tdir, "%s/templates", H.dir);
    snprintf(odir, sizeof odir, "%s/out", H.dir);
    ck_assert_int_eq(mkdir(tdir, 0755), 0);
    ck_assert_int_eq(mkdir(odir, 0755), 0);
    h_write_file(&H, "templates/hello.yaml", "content:\n  - 'Hello {{name}}'\n");
    snprintf(yaml, sizeof yaml,
             "jobs:\n  types:\n    pdf.render:\n      templates_dir: %s\n"
             "      output: both\n      output_dir: %s\n", tdir, odir);
    h_heftd_start(&H, yaml, "--concurrency", "2", NULL);
    h_enqueue(&H, "hello-1", "pdf.render", "{\"template\": \"hello\", \"data\": {\"name\": \"heft\"}}",
              NULL);
    r = reply_of("hello-1", 20000);
    ck_assert_msg(!strcmp(jstr(r, "state"), "succeeded"), "%s: %s", error_code(r),
                  error_message(r));
    snprintf(want, sizeof want, "%s/hello-1.pdf", odir);
    ck_assert_str_eq(jstr(json_object_get(r, "result"), "file"), want);
    ck_assert_int_eq(access(want, R_OK), 0);
    ck_assert_int_gt(jint(r, "blob_bytes"), 0);
    json_decref(r);
}
END_TEST

/* ---- the suite ---- */

static TCase *tcase(const char *name, double timeout)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

/* ---- the enqueue script and job ids ---- */

/* EVALSHA the enqueue script with a job key and id chosen by the test. */
static redisReply *enqueue_raw(const char *key, const char *id)
{
    const char *argv[] = { "EVALSHA", H.enqueue_sha, "5", key,
                           "heft:{default}:ready:high", "heft:{default}:ready:normal",
                           "heft:{default}:ready:low", "heft:{default}:delayed",
                           id, "echo", "{}", "" };

    return h_cmdv(&H, 12, argv, NULL);
}

START_TEST(test_enqueue_is_idempotent_on_the_job_id)
{
    json_t *r;

    h_heftd_start(&H, NULL, "--concurrency", "1", NULL);
    ck_assert_int_eq(h_enqueue(&H, "order-1", "echo", "{\"n\":1}", NULL), 1);
    ck_assert_int_eq(h_enqueue(&H, "order-1", "echo", "{\"n\":2}", NULL), 0);
    r = reply_of("order-1", 5000);
    ck_assert_str_eq(jstr(r, "state"), "succeeded");
    ck_assert_str_eq(h_hget(&H, "order-1", "result"), "{\"n\":1}");   /* the first one won */
    json_decref(r);
    /* still there after it ended: the id stays taken until the result expires */
    ck_assert_int_eq(h_enqueue(&H, "order-1", "echo", "{\"n\":3}", NULL), 0);
    ck_assert_int_eq(h_int(&H, "XLEN", NORMAL_STREAM, NULL), 0);
}
END_TEST

START_TEST(test_enqueue_rejects_malformed_ids)
{
    char long_id[130], long_key[200];
    redisReply *r;

    memset(long_id, 'x', 129);
    long_id[129] = '\0';
    snprintf(long_key, sizeof long_key, "heft:{default}:job:%s", long_id);
    /* empty id, id over 128 bytes, id that does not match the job key */
    r = enqueue_raw("heft:{default}:job:", "");
    ck_assert_int_eq(r->type, REDIS_REPLY_ERROR);
    ck_assert_ptr_nonnull(strstr(r->str, "id 1 to 128 bytes"));
    freeReplyObject(r);
    r = enqueue_raw(long_key, long_id);
    ck_assert_int_eq(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    r = enqueue_raw("heft:{default}:job:a", "b");
    ck_assert_int_eq(r->type, REDIS_REPLY_ERROR);
    freeReplyObject(r);
    /* and nothing was written */
    ck_assert_int_eq(h_int(&H, "XLEN", NORMAL_STREAM, NULL), 0);
    ck_assert_int_eq(h_int(&H, "EXISTS", "heft:{default}:job:a", "heft:{default}:job:b", NULL), 0);
}
END_TEST

START_TEST(test_daemon_outcome_without_reply_is_in_the_hash_and_the_channel)
{
    redisContext *sub = redisConnect("127.0.0.1", H.port);
    const char *argv[] = { "SUBSCRIBE", "heft:{default}:events" };
    redisReply *m;
    json_t *msg;

    ck_assert(sub && !sub->err);
    freeReplyObject(redisCommandArgv(sub, 2, argv, NULL));    /* subscribed */
    h_heftd_start(&H, NULL, "--concurrency", "1", NULL);
    h_enqueue_quiet(&H, "fire-and-forget", "echo", "{\"n\":7}", NULL);
    /* every ended job is announced on the queue's channel */
    ck_assert_int_eq(redisGetReply(sub, (void **)&m), REDIS_OK);
    ck_assert(m->type == REDIS_REPLY_ARRAY && m->elements == 3);
    msg = json_loads(m->element[2]->str, 0, NULL);
    ck_assert_str_eq(jstr(msg, "id"), "fire-and-forget");
    ck_assert_str_eq(jstr(msg, "state"), "succeeded");
    json_decref(msg);
    freeReplyObject(m);
    redisFree(sub);
    /* the hash has the result; no reply list was asked for, none is made */
    ck_assert_str_eq(h_hget(&H, "fire-and-forget", "state"), "succeeded");
    ck_assert_str_eq(h_hget(&H, "fire-and-forget", "result"), "{\"n\":7}");
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "reply:fire-and-forget"), NULL), 0);
}
END_TEST

START_TEST(test_daemon_job_deleted_while_running_stays_deleted)
{
    h_heftd_start(&H, NULL, "--concurrency", "1", NULL);
    h_enqueue(&H, "doomed", "echo", "{\"sleep_ms\":400}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "doomed", "active", 5000), 0);
    ck_assert_int_eq(h_int(&H, "DEL", h_key(&H, "job:doomed"), NULL), 1);
    /* its outcome is dropped and its stream entry removed */
    ck_assert_int_eq(wait_stream_empty(5000), 0);
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:doomed"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "reply:doomed"), NULL), 0);
}
END_TEST

/* ---- per-thread memory ---- */

/* A line of heftd's /proc status in KiB ("VmRSS", "VmHWM": the peak). */
static long status_kib(const char *field)
{
    char path[64], line[128];
    size_t n = strlen(field);
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/status", (int)H.heftd_pid);
    ck_assert_ptr_nonnull(f = fopen(path, "r"));
    while (kib < 0 && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':')
            kib = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return kib;
}

static long rss_kib(void)
{
    return status_kib("VmRSS");
}

/* Waits up to ms for heftd's RSS to go under kib: 0, or -1. */
static int rss_falls_under(long kib, long long ms)
{
    long long until = h_mono_ms() + ms;

    while (rss_kib() >= kib)
        if (h_mono_ms() >= until)
            return -1;
        else
            h_sleep_ms(50);
    return 0;
}

#define ARGON2_64M "concurrency: 1\njobs:\n  types:\n    password.hash:\n" \
    "      argon2id: {memory_kib: 65536, iterations: 2, parallelism: 1}\n"

START_TEST(test_daemon_idle_worker_gives_back_argon2s_memory)
{
    /* A worker thread keeps argon2id's 64 MiB between jobs (no page
     * faults for the next hash), and gives it back once heftd has taken no
     * job for idle_release_ms. */
    h_heftd_start(&H, ARGON2_64M "idle_release_ms: 1500\n", NULL);
    h_enqueue(&H, "pw", "password.hash", "{\"password\":\"hunter2\"}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "pw", "succeeded", 30000), 0);
    ck_assert_msg(status_kib("VmHWM") > 65536, "peak RSS %ld KiB", status_kib("VmHWM"));
    ck_assert_msg(rss_falls_under(40000, 10000) == 0, "RSS still %ld KiB", rss_kib());
}
END_TEST

START_TEST(test_daemon_idle_release_ms_0_keeps_argon2s_memory)
{
    h_heftd_start(&H, ARGON2_64M "idle_release_ms: 0\n", NULL);
    h_enqueue(&H, "pw", "password.hash", "{\"password\":\"hunter2\"}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "pw", "succeeded", 30000), 0);
    h_sleep_ms(1500);
    ck_assert_msg(rss_kib() > 65536, "RSS %ld KiB", rss_kib());
}
END_TEST

static Suite *daemon_suite(void)
{
    Suite *s = suite_create("daemon");
    TCase *jobs = tcase("jobs", 30), *load = tcase("load", 120);
    TCase *failures = tcase("failures", 120), *life = tcase("lifecycle", 60);

    tcase_add_test(load, test_daemon_runs_10000_echo_jobs_and_every_result_is_there);

    tcase_add_test(jobs, test_daemon_delayed_job_runs_no_earlier_than_due);
    tcase_add_test(jobs, test_daemon_failing_job_is_retried_then_dead);
    tcase_add_test(jobs, test_daemon_malformed_jobs_fail_with_their_codes);
    tcase_add_test(jobs, test_daemon_high_priority_jobs_run_before_normal_ones);
    tcase_add_test(jobs, test_daemon_timeout_fails_job_with_code_timeout);
    tcase_add_test(jobs, test_daemon_blob_result_is_stored_binary_safe);
    tcase_add_test(jobs, test_daemon_hands_pdf_render_its_settings_state);
    tcase_add_test(jobs, test_enqueue_is_idempotent_on_the_job_id);
    tcase_add_test(jobs, test_enqueue_rejects_malformed_ids);
    tcase_add_test(jobs, test_daemon_job_deleted_while_running_stays_deleted);
    tcase_add_test(jobs, test_daemon_outcome_without_reply_is_in_the_hash_and_the_channel);

    tcase_add_test(failures, test_daemon_survives_kill_9_and_a_new_daemon_finishes_every_job);
    tcase_add_test(failures, test_daemon_reconnects_after_redis_restart);
    tcase_add_test(failures, test_daemon_poison_job_becomes_dead);

    tcase_add_test(life, test_daemon_sigterm_drains_in_flight_jobs);
    tcase_add_test(life, test_daemon_sigterm_after_grace_releases_unfinished_jobs);
    tcase_add_test(life, test_daemon_refuses_evicting_redis);
    tcase_add_test(life, test_daemon_authenticates_as_an_acl_user);
    tcase_add_test(life, test_daemon_idle_worker_gives_back_argon2s_memory);
    tcase_add_test(life, test_daemon_idle_release_ms_0_keeps_argon2s_memory);
    tcase_add_test(life, test_daemon_check_config_rejects_bad_file_with_file_line_and_key);
    tcase_add_test(life, test_daemon_check_config_runs_handler_inits_that_name_file_line_and_key);

    suite_add_tcase(s, load);
    suite_add_tcase(s, jobs);
    suite_add_tcase(s, failures);
    suite_add_tcase(s, life);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(daemon_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
