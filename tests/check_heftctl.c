/*
 * check_heftctl.c - heftctl, the admin CLI, end to end: every command run
 * as a separate process against a real redis-server and heftd
 * (tests/harness.h), its human output read for the expected figures, its
 * --json output parsed and its fields checked, and its exit codes pinned
 * down (docs/heftctl.md): 0 ok, 1 usage, 2 not found, 3 Redis
 * unreachable, 4 the job failed, 5 no outcome in time.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define CTL(...) h_run_heftctl(&H, 20000, __VA_ARGS__, NULL)
#define FAST_BEAT "heartbeat_ms: 200\n"

static struct harness H;

static void setup(void)
{
    h_setup(&H);
}

static void teardown(void)
{
    h_teardown(&H);
}

/* heftctl's stdout, parsed (json_decref it). */
static json_t *out_json(void)
{
    json_error_t err;
    json_t *j = json_loads(H.run_out, 0, &err);

    ck_assert_msg(j != NULL, "not JSON (%s): %s", err.text, H.run_out);
    return j;
}

static void out_has(const char *needle)
{
    ck_assert_msg(strstr(H.run_out, needle), "\"%s\" not in stdout:\n%s\nstderr:\n%s", needle,
                  H.run_out, H.run_err);
}

static void err_has(const char *needle)
{
    ck_assert_msg(strstr(H.run_err, needle), "\"%s\" not in stderr:\n%s", needle, H.run_err);
}

static long long jint(json_t *o, const char *path)
{
    json_t *v = json_object_get(o, path);

    ck_assert_msg(json_is_integer(v), "%s: not an integer", path);
    return json_integer_value(v);
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    ck_assert_msg(json_is_string(v), "%s: not a string", key);
    return json_string_value(v);
}

static void enqueue_and_wait(const char *id, const char *payload, const char *state)
{
    json_t *r;

    h_enqueue(&H, id, "echo", payload, NULL);
    r = h_wait_reply(&H, id, 10000);
    ck_assert_msg(r != NULL, "no reply for %s", id);
    ck_assert_str_eq(jstr(r, "state"), state);
    json_decref(r);
}

/* ---- ping and usage ---- */

START_TEST(test_ping_says_redis_is_reachable_with_its_version_and_eviction_policy)
{
    json_t *j;

    ck_assert_int_eq(CTL("ping"), 0);
    out_has("reachable");
    out_has("noeviction");
    out_has("protocol");
    ck_assert_int_eq(CTL("ping", "--json"), 0);
    j = out_json();
    ck_assert(json_is_true(json_object_get(j, "ok")));
    ck_assert_int_eq(jint(j, "protocol"), 1);
    ck_assert_str_eq(jstr(j, "maxmemory_policy"), "noeviction");
    ck_assert_msg(strchr(jstr(j, "redis_version"), '.'), "version %s", jstr(j, "redis_version"));
    json_decref(j);
}
END_TEST

START_TEST(test_every_command_exits_3_when_redis_is_unreachable)
{
    static const char *const cmds[] = { "ping", "queues", "workers", "job", "enqueue", "pause", "jobs",
                                        "retry", "delete", "stats" };
    json_t *j;
    size_t i;

    for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *a1 = !strcmp(cmds[i], "workers") || !strcmp(cmds[i], "queues") ||
                         !strcmp(cmds[i], "ping") || !strcmp(cmds[i], "stats") ? NULL : "x";

        if (!strcmp(cmds[i], "enqueue"))
            ck_assert_int_eq(CTL("--redis", "redis://127.0.0.1:1", "enqueue", "default", "echo", "{}"), 3);
        else
            ck_assert_int_eq(CTL("--redis", "redis://127.0.0.1:1", cmds[i], a1), 3);
        err_has("cannot use Redis at 127.0.0.1:1");
    }
    ck_assert_int_eq(CTL("--redis", "redis://127.0.0.1:1", "purge", "default", "--state", "dead", "--yes"), 3);
    ck_assert_int_eq(CTL("ping", "--json", "--redis", "redis://127.0.0.1:1"), 3);
    j = out_json();
    ck_assert(json_is_false(json_object_get(j, "ok")));
    json_decref(j);
}
END_TEST

START_TEST(test_bad_flags_arguments_and_configurations_exit_1)
{
    ck_assert_int_eq(CTL("queues", "--nope"), 1);
    ck_assert_int_eq(CTL("job"), 1);
    err_has("missing argument");
    ck_assert_int_eq(CTL("job", "a", "b"), 1);
    ck_assert_int_eq(CTL("frobnicate"), 1);
    err_has("no command \"frobnicate\"");
    ck_assert_int_eq(CTL("-c", "/nonexistent/heft.yaml", "ping"), 1);
    ck_assert_int_eq(CTL("-c", h_write_file(&H, "bad.yaml", "heartbeat_ms: 5\n"), "ping"), 1);
    err_has("heartbeat_ms");
    ck_assert_int_eq(CTL("pause", "bad queue!"), 1);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{}", "--priority", "urgent"), 1);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{}", "-o", "x.pdf"), 1);
    err_has("needs --wait");
    ck_assert_int_eq(CTL(NULL), 1);
}
END_TEST

START_TEST(test_help_lists_every_command_and_explains_each)
{
    ck_assert_int_eq(CTL("help"), 0);
    out_has("queues");
    out_has("workers");
    out_has("enqueue QUEUE TYPE JSON");
    out_has("jobs QUEUE");
    out_has("purge QUEUE");
    out_has("6 refused");
    out_has("Exit codes");
    ck_assert_int_eq(CTL("help", "result"), 0);
    out_has("--output FILE");
    ck_assert_int_eq(CTL("enqueue", "--help"), 0);
    out_has("--delay-ms N");
    ck_assert_int_eq(CTL("help", "nope"), 1);
}
END_TEST

START_TEST(test_the_config_file_and_redis_flag_choose_redis_as_for_heftd)
{
    char yaml[128];

    /* The file says a closed port, HEFT_REDIS_URL (set by the harness) wins. */
    ck_assert_int_eq(CTL("-c", h_write_file(&H, "a.yaml", "redis:\n  url: redis://127.0.0.1:1\n"), "ping"), 0);
    /* --redis wins over both. */
    snprintf(yaml, sizeof yaml, "redis:\n  url: redis://127.0.0.1:%d\n", H.port);
    ck_assert_int_eq(CTL("-c", h_write_file(&H, "b.yaml", yaml), "--redis", "redis://127.0.0.1:1", "ping"), 3);
}
END_TEST

/* ---- queues ---- */

START_TEST(test_queues_without_any_heftd_says_there_are_none)
{
    json_t *j;

    ck_assert_int_eq(CTL("queues"), 0);
    out_has("No queues");
    ck_assert_int_eq(CTL("queues", "--json"), 0);
    j = out_json();
    ck_assert_int_eq(json_array_size(json_object_get(j, "queues")), 0);
    json_decref(j);
}
END_TEST

static void fill_queue(void)
{
    h_heftd_start(&H, NULL, "--concurrency", "1", "--prefetch", "1", NULL);
    enqueue_and_wait("f1", "{\"fail_permanent\":\"nope\"}", "failed");
    h_enqueue(&H, "d1", "echo", "{\"fail\":\"flaky\"}", "{\"attempts\":1}");
    ck_assert_int_eq(h_wait_state(&H, "d1", "dead", 10000), 0);
    enqueue_and_wait("ok1", "{}", "succeeded");
    h_enqueue(&H, "r1", "echo", "{\"fail\":\"flaky\"}", "{\"attempts\":3,\"backoff\":600000}");
    ck_assert_int_eq(h_wait_state(&H, "r1", "retrying", 10000), 0);
    h_enqueue(&H, "s1", "echo", "{\"sleep_ms\":20000}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "s1", "active", 10000), 0);
    h_enqueue(&H, "w1", "echo", "{}", NULL);
    h_enqueue(&H, "w2", "echo", "{}", NULL);
    h_enqueue(&H, "w3", "echo", "{}", "{\"priority\":\"high\"}");
    h_enqueue(&H, "l1", "echo", "{}", "{\"delay_ms\":600000}");
    h_sleep_ms(400);
}

START_TEST(test_queues_counts_waiting_active_delayed_retrying_and_dead_jobs_and_the_latency)
{
    json_t *j, *q, *tot, *band;
    long long waiting, active, delayed, retrying, dead, succeeded, failed;

    fill_queue();
    ck_assert_int_eq(CTL("queues", "--json"), 0);
    j = out_json();
    ck_assert_int_eq(json_array_size(json_object_get(j, "queues")), 1);
    q = json_array_get(json_object_get(j, "queues"), 0);
    ck_assert_str_eq(jstr(q, "name"), "default");
    ck_assert_int_eq(jint(q, "waiting"), 3);
    band = json_object_get(q, "waiting_by_priority");
    ck_assert_int_eq(jint(band, "high"), 1);
    ck_assert_int_eq(jint(band, "normal"), 2);
    ck_assert_int_eq(jint(band, "low"), 0);
    ck_assert_int_eq(jint(q, "active"), 1);
    ck_assert_int_eq(jint(q, "scheduled"), 2);
    ck_assert_int_eq(jint(q, "delayed"), 1);
    ck_assert_int_eq(jint(q, "retrying"), 1);
    ck_assert_int_eq(jint(q, "dead"), 1);
    ck_assert_msg(jint(q, "latency_ms") >= 400 && jint(q, "latency_ms") < 10000, "latency %lld",
                  jint(q, "latency_ms"));
    ck_assert(json_is_false(json_object_get(q, "paused")));
    tot = json_object_get(q, "totals");
    ck_assert_int_eq(jint(tot, "succeeded"), 1);
    ck_assert_int_eq(jint(tot, "failed"), 1);
    ck_assert_int_eq(jint(tot, "dead"), 1);
    ck_assert_int_eq(jint(tot, "retried"), 1);
    /* all of it happened today (UTC, by Redis's clock) */
    tot = json_object_get(q, "today");
    ck_assert_int_eq(jint(tot, "succeeded"), 1);
    ck_assert_int_eq(jint(tot, "failed"), 1);
    ck_assert_int_eq(jint(tot, "dead"), 1);
    json_decref(j);

    ck_assert_int_eq(CTL("queues"), 0);
    out_has("WAITING");
    out_has("OK TODAY");
    out_has("LATENCY");
    ck_assert_msg(sscanf(strstr(H.run_out, "\ndefault") + 1, "default %lld %lld %lld %lld %lld %lld %lld",
                         &waiting, &active, &delayed, &retrying, &dead, &succeeded, &failed) == 7,
                  "no row for default:\n%s", H.run_out);
    ck_assert_int_eq(waiting, 3);
    ck_assert_int_eq(active, 1);
    ck_assert_int_eq(delayed, 1);
    ck_assert_int_eq(retrying, 1);
    ck_assert_int_eq(dead, 1);
    ck_assert_int_eq(succeeded, 1);
    ck_assert_int_eq(failed, 1);
}
END_TEST

/* ---- workers ---- */

START_TEST(test_workers_lists_the_live_heftd_and_marks_a_killed_one_stale)
{
    char pid[32];
    json_t *j, *w;

    h_heftd_start(&H, FAST_BEAT, "--concurrency", "3", NULL);
    enqueue_and_wait("a", "{}", "succeeded");
    h_sleep_ms(500);
    ck_assert_int_eq(CTL("workers", "--json"), 0);
    j = out_json();
    ck_assert_int_eq(json_array_size(json_object_get(j, "workers")), 1);
    w = json_array_get(json_object_get(j, "workers"), 0);
    ck_assert_str_eq(jstr(w, "name"), H.consumer);
    ck_assert_int_eq(jint(w, "pid"), H.heftd_pid);
    ck_assert_int_eq(jint(w, "concurrency"), 3);
    ck_assert_int_eq(jint(w, "processed"), 1);
    ck_assert_int_eq(jint(w, "heartbeat_interval_ms"), 200);
    ck_assert_msg(jint(w, "rss_kb") > 0, "rss");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(w, "queues"), 0)), "default");
    ck_assert(json_is_false(json_object_get(w, "stale")));
    json_decref(j);

    ck_assert_int_eq(CTL("workers"), 0);
    snprintf(pid, sizeof pid, " %d ", (int)H.heftd_pid);
    out_has(pid);
    out_has("live");
    out_has("MiB");

    h_heftd_kill9(&H);
    h_sleep_ms(900);
    ck_assert_int_eq(CTL("workers", "--json"), 0);
    j = out_json();
    w = json_array_get(json_object_get(j, "workers"), 0);
    ck_assert(json_is_true(json_object_get(w, "stale")));
    json_decref(j);
    ck_assert_int_eq(CTL("workers"), 0);
    out_has("stale");
}
END_TEST

/* ---- job and result ---- */

START_TEST(test_job_shows_a_finished_job_with_its_result_and_blob_size)
{
    json_t *j;

    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("inv-1", "{\"blob\":\"hello\",\"n\":7}", "succeeded");
    ck_assert_int_eq(CTL("job", "inv-1"), 0);
    out_has("succeeded");
    out_has("echo");
    out_has("5 B");
    out_has("ago)");
    out_has("\"n\":7");
    ck_assert_int_eq(CTL("job", "inv-1", "--json"), 0);
    j = out_json();
    ck_assert_str_eq(jstr(j, "id"), "inv-1");
    ck_assert_str_eq(jstr(j, "queue"), "default");
    ck_assert_str_eq(jstr(j, "state"), "succeeded");
    ck_assert_str_eq(jstr(j, "type"), "echo");
    ck_assert_int_eq(jint(j, "attempt"), 1);
    ck_assert_int_eq(jint(j, "blob_bytes"), 5);
    ck_assert_int_eq(jint(json_object_get(j, "result"), "n"), 7);
    ck_assert_msg(jint(j, "finished_ms") >= jint(j, "created_ms"), "times");
    ck_assert(json_is_null(json_object_get(j, "error")));
    ck_assert_str_eq(jstr(j, "worker"), H.consumer);
    ck_assert_str_eq(jstr(json_object_get(j, "fields"), "state"), "succeeded");
    json_decref(j);
}
END_TEST

START_TEST(test_job_shows_the_error_code_and_message_of_a_failed_job)
{
    json_t *j;

    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("bad-1", "{\"fail_permanent\":\"nope\"}", "failed");
    ck_assert_int_eq(CTL("job", "bad-1"), 0);
    out_has("failed");
    out_has("nope: failed on request");
    ck_assert_int_eq(CTL("--json", "job", "bad-1"), 0);
    j = out_json();
    ck_assert_str_eq(jstr(json_object_get(j, "error"), "code"), "nope");
    ck_assert_str_eq(jstr(json_object_get(j, "error"), "message"), "failed on request");
    ck_assert_int_eq(jint(j, "blob_bytes"), 0);
    json_decref(j);
}
END_TEST

START_TEST(test_a_job_or_result_that_does_not_exist_exits_2)
{
    ck_assert_int_eq(CTL("job", "no-such-job"), 2);
    err_has("no job \"no-such-job\" in queue default");
    ck_assert_int_eq(CTL("job", "no-such-job", "--queue", "other"), 2);
    err_has("in queue other");
    ck_assert_int_eq(CTL("result", "no-such-job", "-o", "x"), 2);
    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("plain", "{}", "succeeded");
    ck_assert_int_eq(CTL("result", "plain", "-o", "x"), 2);
    err_has("no binary result");
}
END_TEST

START_TEST(test_result_writes_the_blob_byte_for_byte)
{
    const char *path = h_write_file(&H, "out.pdf", "");
    const char *blob;
    size_t want, got;
    char *data;

    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("pdf-1", "{\"blob\":\"%PDF-1.7\\n\\u00e9\\u00ff\\t\\r\\n%%EOF\\n\"}", "succeeded");
    blob = h_str(&H, &want, "HGET", h_key(&H, "job:pdf-1"), "blob", NULL);
    ck_assert_int_eq(CTL("result", "pdf-1", "-o", path), 0);
    data = h_read_file(path, &got);
    ck_assert_uint_eq(got, want);
    ck_assert(memcmp(data, blob, want) == 0);
    free(data);
    ck_assert_int_eq(CTL("result", "pdf-1"), 0);     /* stdout is a file here, not a TTY */
    ck_assert(memcmp(H.run_out, blob, want) == 0);
}
END_TEST

/* ---- enqueue ---- */

START_TEST(test_enqueue_wait_prints_the_result_of_an_echo_job)
{
    json_t *j;

    h_heftd_start(&H, NULL, NULL);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{\"hello\":\"world\"}", "--wait", "--id", "e-1"), 0);
    j = out_json();
    ck_assert_str_eq(jstr(j, "hello"), "world");
    json_decref(j);
    ck_assert_str_eq(h_hget(&H, "e-1", "state"), "succeeded");
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "[1,2]", "--wait", "--json"), 0);
    j = out_json();
    ck_assert_str_eq(jstr(j, "state"), "succeeded");
    ck_assert_int_eq(json_array_size(json_object_get(j, "result")), 2);
    json_decref(j);
}
END_TEST

START_TEST(test_enqueue_wait_of_a_failing_job_exits_4_with_its_code)
{
    json_t *j;

    h_heftd_start(&H, NULL, NULL);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{\"fail_permanent\":\"nope\"}", "--wait"), 4);
    err_has("failed: nope: failed on request");
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{\"fail_permanent\":\"nope\"}", "--wait", "--json"), 4);
    j = out_json();
    ck_assert_str_eq(jstr(j, "state"), "failed");
    ck_assert_str_eq(jstr(json_object_get(j, "error"), "code"), "nope");
    json_decref(j);
}
END_TEST

START_TEST(test_enqueue_without_wait_prints_a_random_id_and_passes_the_options)
{
    char id[64];
    const char *opts;

    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{}", "--priority", "high", "--delay-ms", "600000"), 0);
    ck_assert_int_eq(sscanf(H.run_out, "%63s", id), 1);
    ck_assert_uint_eq(strlen(id), 36);
    ck_assert_str_eq(h_hget(&H, id, "state"), "delayed");
    ck_assert_str_eq(h_hget(&H, id, "priority"), "high");
    opts = h_hget(&H, id, "opts");
    ck_assert_msg(strstr(opts, "\"delay_ms\":600000") && !strstr(opts, "reply"), "opts %s", opts);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{}"), 0);
    ck_assert_msg(strncmp(H.run_out, id, 36) != 0, "the same id twice");
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{}", "--id", "fixed", "--json"), 0);
    out_has("\"created\": true");
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{}", "--id", "fixed", "--json"), 0);
    out_has("\"created\": false");
    err_has("exists");
}
END_TEST

START_TEST(test_enqueue_reads_the_payload_from_a_file_and_refuses_what_is_not_json)
{
    const char *good = h_write_file(&H, "p.json", "{\"from\": \"file\"}\n");
    const char *bad = h_write_file(&H, "bad.json", "{\"from\": file}");
    char arg[600];
    json_t *j;

    snprintf(arg, sizeof arg, "@%s", good);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", arg, "--id", "f-1"), 0);
    ck_assert_str_eq(h_hget(&H, "f-1", "state"), "waiting");
    ck_assert_int_eq(CTL("job", "f-1", "--json"), 0);        /* the payload from the stream */
    j = out_json();
    ck_assert_str_eq(jstr(json_object_get(j, "payload"), "from"), "file");
    json_decref(j);
    ck_assert_int_eq(CTL("job", "f-1"), 0);
    out_has("{\"from\": \"file\"}");
    snprintf(arg, sizeof arg, "@%s", bad);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", arg, "--id", "f-2"), 1);
    err_has("not JSON");
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{oops", "--id", "f-3"), 1);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "@/nonexistent.json"), 1);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "-", "--id", "f-4"), 1);   /* stdin is empty */
    ck_assert_msg(h_hget(&H, "f-2", "state") == NULL && h_hget(&H, "f-4", "state") == NULL,
                  "a bad payload was enqueued");
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 1);
}
END_TEST

START_TEST(test_enqueue_wait_with_o_writes_the_blob_too)
{
    const char *path = h_write_file(&H, "e.pdf", "");
    size_t len;
    char *data;

    h_heftd_start(&H, NULL, NULL);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{\"blob\":\"%PDF-1.4 tiny\"}", "--wait", "-o", path), 0);
    data = h_read_file(path, &len);
    ck_assert_uint_eq(len, 13);
    ck_assert(memcmp(data, "%PDF-1.4 tiny", 13) == 0);
    free(data);
}
END_TEST

/* ---- pause and resume ---- */

START_TEST(test_pause_stops_heftd_taking_jobs_and_resume_restarts_it)
{
    json_t *j;

    h_heftd_start(&H, NULL, NULL);
    ck_assert_int_eq(CTL("pause", "default"), 0);
    out_has("paused");
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "paused"), NULL), 1);
    ck_assert_int_eq(h_wait_log(&H, "queue default paused", 3000), 0);
    h_sleep_ms(1200);                       /* heftd's blocking read ends */
    h_enqueue(&H, "p-1", "echo", "{}", NULL);
    h_sleep_ms(1500);
    ck_assert_str_eq(h_hget(&H, "p-1", "state"), "waiting");
    ck_assert_int_eq(CTL("queues", "--json"), 0);
    j = out_json();
    ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(j, "queues"), 0), "paused")));
    json_decref(j);
    ck_assert_int_eq(CTL("resume", "default", "--json"), 0);
    j = out_json();
    ck_assert(json_is_false(json_object_get(j, "paused")));
    json_decref(j);
    ck_assert_int_eq(h_wait_state(&H, "p-1", "succeeded", 5000), 0);
}
END_TEST

START_TEST(test_pausing_a_queue_no_heftd_served_exits_2)
{
    ck_assert_int_eq(CTL("pause", "nosuch"), 2);
    err_has("no queue \"nosuch\"");
    ck_assert_int_eq(h_int(&H, "EXISTS", "heft:{nosuch}:paused", NULL), 0);
}
END_TEST

START_TEST(test_enqueue_wait_gives_up_after_its_timeout_with_exit_5)
{
    h_heftd_start(&H, NULL, NULL);
    ck_assert_int_eq(CTL("pause", "default"), 0);
    ck_assert_int_eq(h_wait_log(&H, "queue default paused", 3000), 0);
    h_sleep_ms(1200);
    ck_assert_int_eq(CTL("enqueue", "default", "echo", "{}", "--wait", "--timeout", "1", "--id", "t-1"), 5);
    err_has("no outcome for job t-1 within 1 s");
    ck_assert_str_eq(h_hget(&H, "t-1", "state"), "waiting");
}
END_TEST

/* ---- on a terminal ---- */

/* What the shell command line printed (free it). */
static char *shell(const char *line)
{
    char *text = NULL;
    size_t cap = 0, len = 0, n;
    FILE *p = popen(line, "r");

    ck_assert_msg(p != NULL, "popen");
    do {
        if (cap - len < 1024)
            ck_assert((text = realloc(text, cap += 4096)) != NULL);
        n = fread(text + len, 1, cap - len - 1, p);
        len += n;
    } while (n > 0);
    text[len] = '\0';
    pclose(p);
    return text;
}

/* "env ENV HEFT_REDIS_URL=... heftctl ARGS; echo rc=$?" for a shell. */
static const char *ctl_line(char *buf, size_t n, const char *env, const char *args)
{
    const char *dir = getenv("HEFT_BUILDDIR");

    snprintf(buf, n, "env %s HEFT_REDIS_URL=redis://127.0.0.1:%d %s/heftctl %s; echo rc=$?",
             env, H.port, dir && *dir ? dir : ".", args);
    return buf;
}

/* heftctl ARGS under script(1), in a pseudo-terminal: what the terminal
 * showed (free it), or NULL when script(1) is missing. */
static char *on_tty(const char *env, const char *args)
{
    char line[1024], cmd[2048];

    if (access("/usr/bin/script", X_OK) != 0)
        return NULL;
    snprintf(cmd, sizeof cmd, "script -qec '%s' /dev/null </dev/null",
             ctl_line(line, sizeof line, env, args));
    return shell(cmd);
}

START_TEST(test_enqueue_reads_the_payload_from_standard_input_with_a_dash)
{
    char line[1024], cmd[1200], *out;

    snprintf(cmd, sizeof cmd, "printf '{\"from\": \"stdin\"}' | %s",
             ctl_line(line, sizeof line, "", "enqueue default echo - --id in-1"));
    out = shell(cmd);
    ck_assert_msg(strstr(out, "in-1\nrc=0"), "%s", out);
    free(out);
    ck_assert_str_eq(h_hget(&H, "in-1", "state"), "waiting");
}
END_TEST

START_TEST(test_colour_is_used_on_a_terminal_and_never_with_no_color)
{
    char *tty = on_tty("", "ping"), *plain;

    if (!tty)
        return;                         /* no script(1): nothing to see */
    ck_assert_msg(strstr(tty, "\033[") && strstr(tty, "rc=0"), "no colour on a terminal:\n%s", tty);
    plain = on_tty("NO_COLOR=1", "ping");
    ck_assert_msg(!strstr(plain, "\033[") && strstr(plain, "rc=0"), "colour with NO_COLOR:\n%s", plain);
    free(tty);
    free(plain);
    ck_assert_int_eq(CTL("ping"), 0);
    ck_assert_msg(!strstr(H.run_out, "\033["), "colour in a file");
}
END_TEST

START_TEST(test_result_refuses_to_write_binary_to_a_terminal)
{
    char *tty;

    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("pdf-2", "{\"blob\":\"%PDF-1.4\"}", "succeeded");
    if (!(tty = on_tty("", "result pdf-2")))
        return;
    ck_assert_msg(strstr(tty, "not writing binary data to a terminal") && strstr(tty, "rc=1"),
                  "%s", tty);
    ck_assert_msg(!strstr(tty, "%PDF"), "the blob reached the terminal");
    free(tty);
}
END_TEST

/* ---- jobs ---- */

/* The jobs of a listing, as "id,id,..." in order (ring of one). */
static const char *listed_ids(json_t *j)
{
    static char ids[1024];
    json_t *row;
    size_t i;

    ids[0] = '\0';
    json_array_foreach(json_object_get(j, "jobs"), i, row)
        snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", i ? "," : "", jstr(row, "id"));
    return ids;
}

/* heftctl jobs default ARGS --json: the parsed reply (json_decref it). */
#define JOBS(...) ({ ck_assert_int_eq(CTL("jobs", "default", "--json", __VA_ARGS__), 0); out_json(); })

/* One job of each listable state: dead d1, retrying r1 (its retry due in
 * minutes), active s1, waiting w1 w2 and w3 (high), delayed l1. */
static void fill_every_state(void)
{
    h_heftd_start(&H, NULL, "--concurrency", "1", "--prefetch", "1", NULL);
    h_enqueue(&H, "d1", "echo", "{\"fail\":\"flaky\"}", "{\"attempts\":1}");
    ck_assert_int_eq(h_wait_state(&H, "d1", "dead", 10000), 0);
    h_enqueue(&H, "r1", "echo", "{\"fail\":\"again\"}", "{\"attempts\":3,\"backoff\":600000}");
    ck_assert_int_eq(h_wait_state(&H, "r1", "retrying", 10000), 0);
    h_enqueue(&H, "s1", "echo", "{\"sleep_ms\":20000}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "s1", "active", 10000), 0);
    h_enqueue(&H, "w1", "echo", "{}", NULL);
    h_enqueue(&H, "w2", "other", "{}", NULL);
    h_enqueue(&H, "w3", "echo", "{}", "{\"priority\":\"high\"}");
    h_enqueue(&H, "l1", "echo", "{}", "{\"delay_ms\":600000}");
    h_sleep_ms(300);
}

START_TEST(test_jobs_lists_each_state_from_its_stream_or_set_with_the_json_shape)
{
    json_t *j, *row;

    fill_every_state();
    j = JOBS("--state", "waiting");
    ck_assert_str_eq(listed_ids(j), "w3,w1,w2");          /* high band first, then by age */
    ck_assert_str_eq(jstr(j, "queue"), "default");
    ck_assert_str_eq(jstr(j, "state"), "waiting");
    ck_assert(json_is_false(json_object_get(j, "more")));
    row = json_array_get(json_object_get(j, "jobs"), 0);
    ck_assert_str_eq(jstr(row, "type"), "echo");
    ck_assert_str_eq(jstr(row, "state"), "waiting");
    ck_assert_str_eq(jstr(row, "priority"), "high");
    ck_assert_int_eq(jint(row, "attempt"), 0);
    ck_assert_msg(jint(row, "age_ms") >= 0 && jint(row, "age_ms") < 10000, "age %lld", jint(row, "age_ms"));
    ck_assert_int_eq(jint(row, "created_ms") + jint(row, "age_ms"), jint(j, "time_ms"));
    ck_assert(json_is_null(json_object_get(row, "error_code")));
    json_decref(j);

    j = JOBS("--state", "active");
    ck_assert_str_eq(listed_ids(j), "s1");
    ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "jobs"), 0), "worker"), H.consumer);
    json_decref(j);
    j = JOBS("--state", "delayed");
    ck_assert_str_eq(listed_ids(j), "l1");
    json_decref(j);
    j = JOBS("--state", "retrying");
    ck_assert_str_eq(listed_ids(j), "r1");
    row = json_array_get(json_object_get(j, "jobs"), 0);
    ck_assert_str_eq(jstr(row, "error_code"), "again");
    ck_assert_int_eq(jint(row, "attempt"), 2);
    ck_assert_msg(jint(row, "run_at_ms") > jint(j, "time_ms"), "run_at_ms");
    json_decref(j);
    j = JOBS("--state", "dead");
    ck_assert_str_eq(listed_ids(j), "d1");
    row = json_array_get(json_object_get(j, "jobs"), 0);
    ck_assert_str_eq(jstr(row, "error_code"), "flaky");
    ck_assert_msg(jint(row, "finished_ms") <= jint(j, "time_ms"), "finished_ms");
    json_decref(j);

    j = JOBS("--limit", "50");                              /* every indexed state, active first */
    ck_assert_int_eq(json_array_size(json_object_get(j, "jobs")), 7);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "jobs"), 0), "id"), "s1");
    ck_assert(json_is_null(json_object_get(j, "state")));
    json_decref(j);

    ck_assert_int_eq(CTL("jobs", "default", "--state", "dead"), 0);
    out_has("ERROR");
    out_has("flaky");
    out_has("died ");
    ck_assert_int_eq(CTL("jobs", "default"), 0);
    out_has("runs in ");
    out_has(H.consumer);
}
END_TEST

START_TEST(test_jobs_stops_at_the_limit_filters_by_type_and_refuses_unindexed_states)
{
    json_t *j;

    fill_every_state();
    j = JOBS("--state", "waiting", "--limit", "2");
    ck_assert_str_eq(listed_ids(j), "w3,w1");
    ck_assert(json_is_true(json_object_get(j, "more")));
    json_decref(j);
    j = JOBS("--state", "waiting", "--type", "other");
    ck_assert_str_eq(listed_ids(j), "w2");
    ck_assert_str_eq(jstr(j, "type"), "other");
    json_decref(j);
    j = JOBS("--type", "nosuch");
    ck_assert_int_eq(json_array_size(json_object_get(j, "jobs")), 0);
    json_decref(j);
    ck_assert_int_eq(CTL("jobs", "default", "--state", "dead", "--type", "nosuch"), 0);
    out_has("No dead jobs in queue default of type nosuch.");
    ck_assert_int_eq(CTL("jobs", "default", "--state", "succeeded"), 1);
    err_has("not indexed");
    err_has("heftctl job ID");
    ck_assert_int_eq(CTL("jobs", "default", "--state", "failed"), 1);
    ck_assert_int_eq(CTL("jobs", "default", "--state", "bogus"), 1);
    ck_assert_int_eq(CTL("jobs", "default", "--limit", "0"), 1);
    ck_assert_int_eq(CTL("jobs", "bad queue!"), 1);
}
END_TEST

START_TEST(test_jobs_pages_on_from_where_a_listing_stopped_with_offset)
{
    char whole[1024], paged[1024] = "", off[16];
    int more = 1;
    json_t *j;

    fill_every_state();
    j = JOBS("--limit", "50");
    snprintf(whole, sizeof whole, "%s", listed_ids(j));
    json_decref(j);
    /* Pages of two, end to end, are the whole listing, each job once. */
    for (int offset = 0; more; offset += 2) {
        snprintf(off, sizeof off, "%d", offset);
        j = JOBS("--limit", "2", "--offset", off);
        ck_assert_int_eq(jint(j, "offset"), offset);
        if (*listed_ids(j))
            snprintf(paged + strlen(paged), sizeof paged - strlen(paged), "%s%s",
                     *paged ? "," : "", listed_ids(j));
        more = json_is_true(json_object_get(j, "more"));
        json_decref(j);
    }
    ck_assert_str_eq(paged, whole);
    /* The table says where the next page starts. */
    ck_assert_int_eq(CTL("jobs", "default", "--state", "waiting", "--limit", "2"), 0);
    out_has("(jobs 1 to 2; more may match: --offset 2)");
    ck_assert_int_eq(CTL("jobs", "default", "--state", "waiting", "--limit", "1", "--offset", "1"), 0);
    out_has("w1");
    out_has("(jobs 2 to 2; more may match: --offset 2)");
    j = JOBS("--state", "waiting", "--offset", "3");
    ck_assert_int_eq(json_array_size(json_object_get(j, "jobs")), 0);
    json_decref(j);
    ck_assert_int_eq(CTL("jobs", "default", "--state", "waiting", "--offset", "3"), 0);
    out_has("No waiting jobs in queue default after the first 3.");
    /* With a filter, the offset counts the jobs that match it. */
    ck_assert_int_eq(CTL("jobs", "default", "--state", "waiting", "--type", "echo", "--limit", "1",
                         "--offset", "1"), 0);
    out_has("w1");
    out_has("(jobs 2 to 2; more may match: --offset 2)");
    ck_assert_int_eq(CTL("jobs", "default", "--state", "waiting", "--type", "echo",
                         "--offset", "2"), 0);
    out_has("No waiting jobs in queue default of type echo after the first 2.");
    ck_assert_int_eq(CTL("jobs", "default", "--offset", "-1"), 1);
    err_has("--offset: a number from 0 to 1000000");
}
END_TEST

/* ---- retry ---- */

START_TEST(test_retry_runs_a_dead_job_again_and_it_succeeds)
{
    /* max_deliveries 1: the job dies (poison) the first time its heftd is
     * lost while running it; the next heftd is healthy. */
    const char *yaml = "lease_ms: 1000\nmax_deliveries: 1\nconcurrency: 1\nprefetch: 1\n";
    json_t *r, *j;

    h_heftd_start(&H, yaml, NULL);
    h_enqueue(&H, "p1", "echo", "{\"sleep_ms\":1000,\"n\":1}", "{\"attempts\":2}");
    ck_assert_int_eq(h_wait_state(&H, "p1", "active", 5000), 0);
    h_heftd_kill9(&H);
    h_heftd_start(&H, yaml, NULL);
    r = h_wait_reply(&H, "p1", 10000);
    ck_assert_str_eq(jstr(r, "state"), "dead");
    json_decref(r);
    ck_assert_str_eq(h_hget(&H, "p1", "error_code"), "poison");
    ck_assert_int_eq(h_int(&H, "TTL", h_key(&H, "job:p1"), NULL) > 0, 1);

    ck_assert_int_eq(CTL("retry", "p1", "--json"), 0);
    j = out_json();
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "retried"), 0)), "p1");
    ck_assert_int_eq(json_array_size(json_object_get(j, "refused")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(j, "not_found")), 0);
    json_decref(j);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 0);
    r = h_wait_reply(&H, "p1", 10000);           /* the old reply was dropped: this is the new one */
    ck_assert_msg(r != NULL, "no reply after the retry");
    ck_assert_str_eq(jstr(r, "state"), "succeeded");
    ck_assert_int_eq(jint(json_object_get(r, "result"), "n"), 1);
    json_decref(r);
    ck_assert_str_eq(h_hget(&H, "p1", "attempt"), "1");  /* attempts counted afresh */
    ck_assert_ptr_null(h_hget(&H, "p1", "lost_deliveries"));
    ck_assert_ptr_null(h_hget(&H, "p1", "payload"));
    ck_assert_str_eq(h_hget(&H, "p1", "error_code"), "poison");   /* the last failure stays */
    ck_assert_int_eq(h_int(&H, "TTL", h_key(&H, "job:p1"), NULL) > 0, 1);
}
END_TEST

START_TEST(test_retry_puts_a_failed_job_back_to_waiting_with_its_payload)
{
    json_t *j;

    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("f1", "{\"fail_permanent\":\"nope\",\"k\":\"v\"}", "failed");
    h_heftd_stop(&H, 10000);
    ck_assert_int_eq(CTL("retry", "f1"), 0);
    out_has("Retried f1");
    ck_assert_str_eq(h_hget(&H, "f1", "state"), "waiting");
    ck_assert_str_eq(h_hget(&H, "f1", "attempt"), "0");
    ck_assert_int_eq(h_int(&H, "TTL", h_key(&H, "job:f1"), NULL), -1);
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "reply:f1"), NULL), 0);
    ck_assert_int_eq(CTL("job", "f1", "--json"), 0);     /* the payload is in the stream entry */
    j = out_json();
    ck_assert_str_eq(jstr(json_object_get(j, "payload"), "k"), "v");
    json_decref(j);
}
END_TEST

START_TEST(test_retry_refuses_a_waiting_job_and_a_sealed_dead_job)
{
    json_t *j, *refused;

    h_heftd_start(&H, "jobs:\n  types:\n    echo:\n      seal_payload: true\n", NULL);
    enqueue_and_wait("sealed-1", "{\"fail\":\"x\"}", "dead");
    h_heftd_stop(&H, 10000);
    h_enqueue(&H, "w1", "echo", "{}", NULL);

    ck_assert_int_eq(CTL("retry", "w1"), 6);
    err_has("job w1 is waiting: only dead or failed jobs are retried");
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 1);   /* not enqueued twice */
    ck_assert_int_eq(CTL("retry", "sealed-1"), 6);
    err_has("its payload was sealed");
    err_has("enqueue it again");
    ck_assert_str_eq(h_hget(&H, "sealed-1", "state"), "dead");
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 1);
    ck_assert_int_eq(CTL("retry", "nosuch"), 2);
    err_has("no job \"nosuch\"");

    ck_assert_int_eq(CTL("retry", "w1", "sealed-1", "nosuch", "--json"), 6);
    j = out_json();
    refused = json_object_get(j, "refused");
    ck_assert_int_eq(json_array_size(refused), 2);
    ck_assert_str_eq(jstr(json_array_get(refused, 0), "id"), "w1");
    ck_assert_str_eq(jstr(json_array_get(refused, 0), "reason"), "waiting");
    ck_assert_str_eq(jstr(json_array_get(refused, 1), "reason"), "sealed");
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "not_found"), 0)), "nosuch");
    ck_assert_int_eq(json_array_size(json_object_get(j, "retried")), 0);
    json_decref(j);
}
END_TEST

START_TEST(test_retry_dead_retries_every_dead_job_of_a_queue_in_batches)
{
    char id[32];
    json_t *j;
    int i;

    h_heftd_start(&H, NULL, NULL);
    for (i = 0; i < 150; i++) {
        snprintf(id, sizeof id, "d%03d", i);
        h_enqueue_quiet(&H, id, "echo", "{\"fail\":\"x\"}", "{\"attempts\":1}");
    }
    for (i = 0; i < 200 && h_int(&H, "ZCARD", h_key(&H, "dead"), NULL) < 150; i++)
        h_sleep_ms(50);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 150);
    h_heftd_stop(&H, 10000);

    ck_assert_int_eq(CTL("retry", "--dead", "default", "--limit", "20", "--json"), 0);
    j = out_json();
    ck_assert_int_eq(jint(j, "retried"), 20);
    json_decref(j);
    ck_assert_int_eq(CTL("retry", "--dead", "default", "--type", "other", "--json"), 0);
    j = out_json();
    ck_assert_int_eq(jint(j, "retried"), 0);
    ck_assert_int_eq(jint(j, "left"), 130);
    ck_assert_str_eq(jstr(j, "type"), "other");
    json_decref(j);
    ck_assert_int_eq(CTL("retry", "--dead", "default", "--type", "echo"), 0);
    out_has("Retried 130 dead jobs of queue default.");
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 150);
    ck_assert_str_eq(h_hget(&H, "d149", "state"), "waiting");
    ck_assert_int_eq(CTL("retry", "--dead", "nosuch", "--json"), 0);
    ck_assert_int_eq(CTL("retry", "d1", "--type", "echo"), 1);
    ck_assert_int_eq(CTL("retry", "--dead", "a", "b"), 1);
}
END_TEST

/* ---- delete ---- */

START_TEST(test_delete_removes_waiting_delayed_and_dead_jobs_and_leaves_nothing_behind)
{
    json_t *j, *done;

    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("d1", "{\"fail\":\"x\"}", "dead");
    enqueue_and_wait("f1", "{\"fail_permanent\":\"x\"}", "failed");
    h_heftd_stop(&H, 10000);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 1);
    h_enqueue(&H, "w1", "echo", "{}", NULL);
    h_enqueue(&H, "l1", "echo", "{}", "{\"delay_ms\":600000}");

    ck_assert_int_eq(CTL("delete", "w1", "l1", "d1", "f1", "--json"), 0);
    j = out_json();
    done = json_object_get(j, "deleted");
    ck_assert_int_eq(json_array_size(done), 4);
    ck_assert_str_eq(jstr(json_array_get(done, 0), "state"), "waiting");
    ck_assert_str_eq(jstr(json_array_get(done, 1), "state"), "delayed");
    ck_assert_str_eq(jstr(json_array_get(done, 2), "state"), "dead");
    ck_assert_str_eq(jstr(json_array_get(done, 3), "state"), "failed");
    json_decref(j);
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:w1"), h_key(&H, "job:l1"), h_key(&H, "job:d1"),
                           h_key(&H, "job:f1"), h_key(&H, "reply:d1"), h_key(&H, "reply:f1"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "delayed"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 0);
    ck_assert_int_eq(CTL("delete", "w1"), 2);
    err_has("no job \"w1\"");
}
END_TEST

START_TEST(test_deleting_a_running_job_drops_its_outcome_and_leaves_nothing_behind)
{
    h_heftd_start(&H, NULL, NULL);
    h_enqueue(&H, "s1", "echo", "{\"sleep_ms\":1500}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "s1", "active", 5000), 0);
    ck_assert_int_eq(CTL("delete", "s1"), 0);
    out_has("it was running");
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:s1"), NULL), 0);
    h_sleep_ms(2500);                                /* the job ends meanwhile */
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:s1"), h_key(&H, "reply:s1"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 0);
    ck_assert_int_eq(h_xpending(&H, h_key(&H, "ready:normal")), 0);
    ck_assert_ptr_null(h_str(&H, NULL, "HGET", h_key(&H, "stats"), "succeeded", NULL));
}
END_TEST

START_TEST(test_a_sealed_running_job_is_listed_as_active_and_deleting_it_leaves_nothing_behind)
{
    json_t *j;

    h_heftd_start(&H, "jobs:\n  types:\n    echo:\n      seal_payload: true\n", NULL);
    h_enqueue(&H, "s1", "echo", "{\"sleep_ms\":1500}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "s1", "active", 5000), 0);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "sealed"), NULL), 1);
    j = JOBS("--state", "active");
    ck_assert_str_eq(listed_ids(j), "s1");
    json_decref(j);
    ck_assert_int_eq(CTL("delete", "s1", "--json"), 0);
    j = out_json();
    ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "deleted"), 0), "state"), "active");
    json_decref(j);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "sealed"), NULL), 0);
    h_sleep_ms(2500);
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:s1"), h_key(&H, "reply:s1"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 0);
}
END_TEST

/* ---- purge ---- */

START_TEST(test_purge_refuses_without_yes_and_empties_the_state_with_it)
{
    char id[32];
    json_t *j;
    int i;

    for (i = 0; i < 250; i++) {
        snprintf(id, sizeof id, "w%03d", i);
        h_enqueue_append(&H, id, "echo", "{}", i % 10 ? NULL : "{\"priority\":\"low\"}");
    }
    h_enqueue_flush(&H);
    h_enqueue(&H, "l1", "echo", "{}", "{\"delay_ms\":600000}");
    h_enqueue(&H, "l2", "echo", "{}", "{\"delay_ms\":600000}");

    ck_assert_int_eq(CTL("purge", "default", "--state", "waiting"), 1);
    err_has("--yes");
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 225);
    ck_assert_int_eq(CTL("purge", "default"), 1);
    err_has("--state");

    ck_assert_int_eq(CTL("purge", "default", "--state", "waiting", "--yes", "--json"), 0);
    j = out_json();
    ck_assert_int_eq(jint(j, "deleted"), 250);
    ck_assert_str_eq(jstr(j, "state"), "waiting");
    json_decref(j);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:low"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:w000"), h_key(&H, "job:w249"), NULL), 0);
    ck_assert_str_eq(h_hget(&H, "l1", "state"), "delayed");

    ck_assert_int_eq(CTL("purge", "default", "--state", "delayed", "--yes"), 0);
    out_has("Deleted 2 delayed jobs");
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "delayed"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "EXISTS", h_key(&H, "job:l1"), NULL), 0);
}
END_TEST

START_TEST(test_purge_of_the_dead_leaves_the_running_jobs_alone)
{
    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("d1", "{\"fail\":\"x\"}", "dead");
    enqueue_and_wait("d2", "{\"fail\":\"x\"}", "dead");
    h_enqueue(&H, "s1", "echo", "{\"sleep_ms\":1000}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "s1", "active", 5000), 0);
    ck_assert_int_eq(CTL("purge", "default", "--state", "dead", "--yes"), 0);
    out_has("Deleted 2 dead jobs");
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 0);
    ck_assert_int_eq(CTL("purge", "default", "--state", "waiting", "--yes"), 0);
    out_has("Deleted 0 waiting jobs");
    ck_assert_int_eq(h_wait_state(&H, "s1", "succeeded", 5000), 0);
}
END_TEST

/* ---- stats ---- */

START_TEST(test_stats_prints_the_totals_of_each_queue_and_the_counts_of_the_last_minute_and_hour)
{
    json_t *j, *q, *rates;

    h_heftd_start(&H, NULL, NULL);
    enqueue_and_wait("ok1", "{}", "succeeded");
    enqueue_and_wait("ok2", "{}", "succeeded");
    enqueue_and_wait("f1", "{\"fail_permanent\":\"x\"}", "failed");
    ck_assert_int_eq(CTL("stats", "--json"), 0);
    j = out_json();
    ck_assert_int_eq(json_array_size(json_object_get(j, "queues")), 1);
    q = json_array_get(json_object_get(j, "queues"), 0);
    ck_assert_str_eq(jstr(q, "name"), "default");
    ck_assert_int_eq(jint(json_object_get(q, "totals"), "succeeded"), 2);
    ck_assert_int_eq(jint(json_object_get(q, "totals"), "failed"), 1);
    ck_assert_int_eq(jint(json_object_get(j, "totals"), "succeeded"), 2);
    ck_assert_int_eq(jint(json_object_get(j, "totals"), "dead"), 0);
    rates = json_object_get(j, "rates");   /* this minute, or the last if one just began */
    ck_assert_int_eq(jint(json_object_get(rates, "this_minute"), "succeeded") +
                     jint(json_object_get(rates, "last_minute"), "succeeded"), 2);
    ck_assert_int_eq(jint(json_object_get(rates, "this_minute"), "failed") +
                     jint(json_object_get(rates, "last_hour"), "failed"), 1);
    ck_assert_int_eq(jint(json_object_get(json_object_get(q, "rates"), "total"), "succeeded"), 2);
    json_decref(j);
    ck_assert_int_eq(CTL("stats", "default"), 0);
    out_has("SUCCEEDED");
    out_has("last hour");
    ck_assert_int_eq(CTL("stats", "nosuch"), 2);
    err_has("no queue \"nosuch\"");
}
END_TEST

START_TEST(test_purge_asks_on_a_terminal_and_deletes_nothing_unless_told_yes)
{
    char *tty;

    h_enqueue(&H, "w1", "echo", "{}", NULL);
    if (!(tty = on_tty("", "purge default --state waiting")))
        return;                         /* no script(1) */
    ck_assert_msg(strstr(tty, "Delete every waiting job of queue default?") && strstr(tty, "nothing deleted") &&
                  strstr(tty, "rc=1"), "%s", tty);
    free(tty);
    ck_assert_str_eq(h_hget(&H, "w1", "state"), "waiting");
}
END_TEST

static Suite *heftctl_suite(void)
{
    Suite *s = suite_create("heftctl");
    TCase *tc = tcase_create("heftctl");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ping_says_redis_is_reachable_with_its_version_and_eviction_policy);
    tcase_add_test(tc, test_every_command_exits_3_when_redis_is_unreachable);
    tcase_add_test(tc, test_bad_flags_arguments_and_configurations_exit_1);
    tcase_add_test(tc, test_help_lists_every_command_and_explains_each);
    tcase_add_test(tc, test_the_config_file_and_redis_flag_choose_redis_as_for_heftd);
    tcase_add_test(tc, test_queues_without_any_heftd_says_there_are_none);
    tcase_add_test(tc, test_queues_counts_waiting_active_delayed_retrying_and_dead_jobs_and_the_latency);
    tcase_add_test(tc, test_workers_lists_the_live_heftd_and_marks_a_killed_one_stale);
    tcase_add_test(tc, test_job_shows_a_finished_job_with_its_result_and_blob_size);
    tcase_add_test(tc, test_job_shows_the_error_code_and_message_of_a_failed_job);
    tcase_add_test(tc, test_a_job_or_result_that_does_not_exist_exits_2);
    tcase_add_test(tc, test_result_writes_the_blob_byte_for_byte);
    tcase_add_test(tc, test_enqueue_wait_prints_the_result_of_an_echo_job);
    tcase_add_test(tc, test_enqueue_wait_of_a_failing_job_exits_4_with_its_code);
    tcase_add_test(tc, test_enqueue_without_wait_prints_a_random_id_and_passes_the_options);
    tcase_add_test(tc, test_enqueue_reads_the_payload_from_a_file_and_refuses_what_is_not_json);
    tcase_add_test(tc, test_enqueue_wait_with_o_writes_the_blob_too);
    tcase_add_test(tc, test_enqueue_reads_the_payload_from_standard_input_with_a_dash);
    tcase_add_test(tc, test_pause_stops_heftd_taking_jobs_and_resume_restarts_it);
    tcase_add_test(tc, test_pausing_a_queue_no_heftd_served_exits_2);
    tcase_add_test(tc, test_enqueue_wait_gives_up_after_its_timeout_with_exit_5);
    tcase_add_test(tc, test_colour_is_used_on_a_terminal_and_never_with_no_color);
    tcase_add_test(tc, test_result_refuses_to_write_binary_to_a_terminal);
    tcase_add_test(tc, test_jobs_lists_each_state_from_its_stream_or_set_with_the_json_shape);
    tcase_add_test(tc, test_jobs_stops_at_the_limit_filters_by_type_and_refuses_unindexed_states);
    tcase_add_test(tc, test_jobs_pages_on_from_where_a_listing_stopped_with_offset);
    tcase_add_test(tc, test_retry_runs_a_dead_job_again_and_it_succeeds);
    tcase_add_test(tc, test_retry_puts_a_failed_job_back_to_waiting_with_its_payload);
    tcase_add_test(tc, test_retry_refuses_a_waiting_job_and_a_sealed_dead_job);
    tcase_add_test(tc, test_retry_dead_retries_every_dead_job_of_a_queue_in_batches);
    tcase_add_test(tc, test_delete_removes_waiting_delayed_and_dead_jobs_and_leaves_nothing_behind);
    tcase_add_test(tc, test_deleting_a_running_job_drops_its_outcome_and_leaves_nothing_behind);
    tcase_add_test(tc, test_purge_refuses_without_yes_and_empties_the_state_with_it);
    tcase_add_test(tc, test_purge_of_the_dead_leaves_the_running_jobs_alone);
    tcase_add_test(tc, test_stats_prints_the_totals_of_each_queue_and_the_counts_of_the_last_minute_and_hour);
    tcase_add_test(tc, test_purge_asks_on_a_terminal_and_deletes_nothing_unless_told_yes);
    tcase_add_test(tc, test_a_sealed_running_job_is_listed_as_active_and_deleting_it_leaves_nothing_behind);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(heftctl_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
