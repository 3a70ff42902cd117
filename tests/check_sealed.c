/*
 * check_sealed.c - sealed payloads, end to end: a job whose type carries a
 * secret (password.hash, password.verify, or any type with seal_payload:
 * true) has its payload taken out of Redis as soon as heftd holds it, and
 * the payload never comes back into Redis: not in the job hash, the
 * result, the dead set or an error message.  What that costs is pinned
 * down too: such a job is never retried, and one whose heftd dies while
 * running it ends dead with code "lost" instead of running again.
 *
 * Every test runs a real redis-server and heftd (tests/harness.h) and
 * looks for a marker string in every key Redis holds.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MARKER "hunter2-sealed-marker"
#define SEALED_ECHO "jobs:\n  types:\n    echo:\n      seal_payload: true\n"

static struct harness H;

static void setup(void)
{
    h_setup(&H);
}

static void teardown(void)
{
    h_teardown(&H);
}

static int reply_has(const redisReply *r, const char *needle)
{
    size_t i;

    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
        return memmem(r->str, r->len, needle, strlen(needle)) != NULL;
    for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        if (reply_has(r->element[i], needle))
            return 1;
    return 0;
}

/* The name of a key whose value contains needle, or NULL: every key, every
 * type Redis has, read whole. */
static const char *key_holding(const char *needle)
{
    static char found[256];
    redisReply *keys = h_cmd(&H, "KEYS", "*", NULL), *v;
    const char *type;
    size_t i;
    int hit = 0;

    for (i = 0; i < keys->elements && !hit; i++) {
        const char *k = keys->element[i]->str;

        type = h_str(&H, NULL, "TYPE", k, NULL);
        if (!strcmp(type, "string"))
            v = h_cmd(&H, "GET", k, NULL);
        else if (!strcmp(type, "hash"))
            v = h_cmd(&H, "HGETALL", k, NULL);
        else if (!strcmp(type, "list"))
            v = h_cmd(&H, "LRANGE", k, "0", "-1", NULL);
        else if (!strcmp(type, "set"))
            v = h_cmd(&H, "SMEMBERS", k, NULL);
        else if (!strcmp(type, "zset"))
            v = h_cmd(&H, "ZRANGE", k, "0", "-1", NULL);
        else
            v = h_cmd(&H, "XRANGE", k, "-", "+", NULL);
        hit = reply_has(v, needle);
        if (hit)
            snprintf(found, sizeof found, "%s", k);
        freeReplyObject(v);
    }
    freeReplyObject(keys);
    return hit ? found : NULL;
}

/* Nowhere in Redis, and not in heftd's log either. */
static void assert_nowhere_in_redis(const char *needle)
{
    const char *k = key_holding(needle);

    ck_assert_msg(k == NULL, "\"%s\" is still in Redis, in %s", needle, k);
    ck_assert_msg(!h_log_contains(&H, needle), "\"%s\" is in heftd's log", needle);
}

/* The job's outcome message, once it says state (the test fails otherwise). */
static json_t *wait_outcome(const char *id, const char *state, long long ms)
{
    json_t *r = h_wait_reply(&H, id, ms);

    ck_assert_msg(r != NULL, "no outcome for job %s within %lld ms", id, ms);
    ck_assert_str_eq(json_string_value(json_object_get(r, "state")), state);
    return r;
}

/* Wait until heftd holds the job: sealed and marked active. */
static void wait_taken(const char *id)
{
    ck_assert_msg(h_wait_field(&H, id, "sealed", "1", 5000) == 0, "job %s was never sealed", id);
    ck_assert_msg(h_wait_state(&H, id, "active", 5000) == 0, "job %s never started", id);
}

static const char *error_code(const json_t *r)
{
    return json_string_value(json_object_get(json_object_get(r, "error"), "code"));
}

static const char *error_message(const json_t *r)
{
    return json_string_value(json_object_get(json_object_get(r, "error"), "message"));
}

START_TEST(test_a_sealed_payload_leaves_redis_as_soon_as_heftd_takes_the_job)
{
    json_t *r;

    h_heftd_start(&H, SEALED_ECHO, NULL);
    h_enqueue(&H, "s-1", "echo", "{\"sleep_ms\":1500,\"note\":\"" MARKER "\"}", NULL);
    wait_taken("s-1");

    /* Running, held by its lease in the sealed set, and the payload gone. */
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "sealed"), NULL), 1);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 0);
    ck_assert_int_eq(h_xpending(&H, h_key(&H, "ready:normal")), 0);
    assert_nowhere_in_redis(MARKER);

    /* It still runs to the end (echo hands its payload back as its result). */
    r = wait_outcome("s-1", "succeeded", 10000);
    json_decref(r);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "sealed"), NULL), 0);
}
END_TEST

START_TEST(test_a_failed_sealed_job_keeps_no_payload_in_its_hash)
{
    json_t *r;

    h_heftd_start(&H, SEALED_ECHO, NULL);
    h_enqueue(&H, "s-2", "echo", "{\"fail_permanent\":\"refused\",\"note\":\"" MARKER "\"}", NULL);
    r = wait_outcome("s-2", "failed", 10000);
    ck_assert_str_eq(error_code(r), "refused");
    json_decref(r);
    ck_assert_ptr_null(h_hget(&H, "s-2", "payload"));
    assert_nowhere_in_redis(MARKER);
}
END_TEST

/* Retrying would put the payload back into Redis for the time of the
 * backoff, so a transient failure is final at once: dead, not retrying. */
START_TEST(test_a_sealed_job_is_never_retried_and_dies_without_its_payload)
{
    json_t *r;

    h_heftd_start(&H, SEALED_ECHO, NULL);
    h_enqueue(&H, "s-3", "echo", "{\"fail\":\"smtp_down\",\"note\":\"" MARKER "\"}",
              "{\"attempts\":5,\"reply\":true}");
    r = wait_outcome("s-3", "dead", 10000);
    ck_assert_str_eq(error_code(r), "smtp_down");
    json_decref(r);
    ck_assert_str_eq(h_hget(&H, "s-3", "attempt"), "1");
    ck_assert_ptr_null(h_hget(&H, "s-3", "payload"));
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 1);
    ck_assert_ptr_null(h_str(&H, NULL, "HGET", h_key(&H, "stats"), "retried", NULL));
    assert_nowhere_in_redis(MARKER);
}
END_TEST

/* Nobody can run the job again: heft says so instead of leaving it active
 * forever, and the client waiting for it hears at once. */
START_TEST(test_a_sealed_job_whose_heftd_is_killed_ends_dead_with_code_lost)
{
    const char *yaml = SEALED_ECHO "lease_ms: 1000\n";
    json_t *r;

    h_heftd_start(&H, yaml, NULL);
    h_enqueue(&H, "s-4", "echo", "{\"sleep_ms\":20000,\"note\":\"" MARKER "\"}", NULL);
    wait_taken("s-4");
    h_heftd_kill9(&H);

    h_heftd_start(&H, yaml, NULL);
    r = wait_outcome("s-4", "dead", 10000);
    ck_assert_str_eq(error_code(r), "lost");
    ck_assert_msg(strstr(error_message(r), "enqueue it again"), "message: %s", error_message(r));
    json_decref(r);
    ck_assert_str_eq(h_hget(&H, "s-4", "error_code"), "lost");
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "sealed"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "dead"), NULL), 1);
    assert_nowhere_in_redis(MARKER);
}
END_TEST

/* A job heftd gives back at shutdown goes back whole: it is waiting again,
 * not taken, and the next heftd runs it. */
START_TEST(test_a_sealed_job_given_back_at_shutdown_runs_on_the_next_heftd)
{
    const char *yaml = SEALED_ECHO "shutdown_grace_ms: 300\nconcurrency: 1\n";
    json_t *r;

    h_heftd_start(&H, yaml, NULL);
    h_enqueue(&H, "s-5", "echo", "{\"sleep_ms\":10000,\"note\":\"" MARKER "\"}", NULL);
    ck_assert_msg(h_wait_state(&H, "s-5", "active", 5000) == 0, "the job never started");
    ck_assert_int_eq(h_heftd_stop(&H, 10000), 0);
    ck_assert_str_eq(h_hget(&H, "s-5", "state"), "waiting");
    ck_assert_ptr_null(h_hget(&H, "s-5", "sealed"));
    ck_assert_int_eq(h_int(&H, "ZCARD", h_key(&H, "sealed"), NULL), 0);
    ck_assert_int_eq(h_int(&H, "XLEN", h_key(&H, "ready:normal"), NULL), 1);

    h_heftd_start(&H, SEALED_ECHO, NULL);
    wait_taken("s-5");
    assert_nowhere_in_redis(MARKER);
    r = wait_outcome("s-5", "succeeded", 15000);
    json_decref(r);
}
END_TEST

START_TEST(test_password_jobs_are_sealed_without_any_config)
{
    json_t *r;

    h_heftd_start(&H, NULL, NULL);
    h_enqueue(&H, "pw-1", "password.hash",
              "{\"password\":\"" MARKER "\",\"algorithm\":\"bcrypt\"}", NULL);
    r = wait_outcome("pw-1", "succeeded", 15000);
    json_decref(r);
    ck_assert_str_eq(h_hget(&H, "pw-1", "sealed"), "1");
    assert_nowhere_in_redis(MARKER);
}
END_TEST

/* jansson quotes the text near a syntax error; for a sealed job that text
 * may be the password.  (heftd logs at debug level here: not even then.) */
START_TEST(test_a_sealed_payload_that_is_not_json_is_not_quoted_in_the_error)
{
    json_t *r;

    h_heftd_start(&H, "log:\n  level: debug\n", NULL);
    h_enqueue(&H, "pw-2", "password.verify", "{\"password\": " MARKER "}", NULL);
    r = h_wait_reply(&H, "pw-2", 10000);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(error_code(r), "bad_json");
    ck_assert_msg(strstr(error_message(r), "line 1 column"), "message: %s", error_message(r));
    json_decref(r);
    assert_nowhere_in_redis("hunter2");
}
END_TEST

START_TEST(test_seal_payload_false_in_the_config_unseals_a_type)
{
    json_t *r;

    h_heftd_start(&H, "jobs:\n  types:\n    password.hash:\n      seal_payload: false\n", NULL);
    h_enqueue(&H, "pw-3", "password.hash",
              "{\"password\":\"" MARKER "\",\"algorithm\":\"bcrypt\",\"cost\":\"x\"}", NULL);
    r = wait_outcome("pw-3", "failed", 10000);
    json_decref(r);
    ck_assert_ptr_null(h_hget(&H, "pw-3", "sealed"));
    ck_assert_msg(h_hget(&H, "pw-3", "payload") && strstr(h_hget(&H, "pw-3", "payload"), MARKER),
                  "an unsealed failed job keeps its payload for inspection");
}
END_TEST

/* Run docs/security.md's "ACL SETUSER NAME ..." line for user, with the
 * word ">PLACEHOLDER" replaced by password (">secret"). */
static void acl_from_docs(const char *user, const char *placeholder, const char *password)
{
    const char *src = getenv("HEFT_SRCDIR");
    char path[1024], prefix[64], *doc, *line, *save, *word;
    const char *argv[64];
    int argc = 0;
    redisReply *r;

    snprintf(path, sizeof path, "%s/docs/security.md", src ? src : ".");
    doc = h_read_file(path, NULL);
    ck_assert_msg(doc != NULL, "cannot read %s", path);
    snprintf(prefix, sizeof prefix, "ACL SETUSER %s ", user);
    for (line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!strncmp(line, prefix, strlen(prefix)))
            break;
    ck_assert_msg(line != NULL, "%s has no line \"%s...\"", path, prefix);
    for (word = strtok_r(line, " ", &save); word && argc < 64; word = strtok_r(NULL, " ", &save))
        argv[argc++] = !strcmp(word + 1, placeholder) ? password : word;
    r = h_cmdv(&H, argc, argv, NULL);
    ck_assert_msg(r->type == REDIS_REPLY_STATUS, "%s: %s", prefix, r->str);
    freeReplyObject(r);
    free(doc);
}

static redisReply *app_cmd(redisContext *app, int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(app, argc, argv, NULL);

    ck_assert_msg(r != NULL, "the app's connection broke");
    return r;
}

/* The app's user enqueues and reads results; it cannot read the ready
 * streams, where a waiting job's payload is. */
START_TEST(test_the_acl_users_of_docs_security_md_are_enough)
{
    const char *auth[] = { "AUTH", "webapp", "app-pw" };
    const char *enqueue[] = { "EVALSHA", H.enqueue_sha, "5", "heft:{default}:job:acl-1",
                              "heft:{default}:ready:high", "heft:{default}:ready:normal",
                              "heft:{default}:ready:low", "heft:{default}:delayed", "acl-1",
                              "password.hash", "{\"password\":\"" MARKER "\",\"algorithm\":\"bcrypt\"}",
                              "{\"reply\":true}" };
    const char *blpop[] = { "BLPOP", "heft:{default}:reply:acl-1", "15" };
    const char *xrange[] = { "XRANGE", "heft:{default}:ready:normal", "-", "+" };
    const char *sneak[] = { "EVAL", "return redis.call('XRANGE', KEYS[1], '-', '+')", "1",
                            "heft:{default}:ready:normal" };
    char url[128];
    redisContext *app;
    redisReply *x;
    json_t *r;

    acl_from_docs("heftd", "HEFTD-PASSWORD", ">heftd-pw");
    acl_from_docs("webapp", "APP-PASSWORD", ">app-pw");
    snprintf(url, sizeof url, "redis://heftd:heftd-pw@127.0.0.1:%d", H.port);
    h_heftd_start(&H, NULL, "--redis", url, NULL);

    app = redisConnect("127.0.0.1", H.port);
    ck_assert_msg(app && !app->err, "cannot connect the app");
    x = app_cmd(app, 3, auth);
    ck_assert_int_eq(x->type, REDIS_REPLY_STATUS);
    freeReplyObject(x);
    x = app_cmd(app, 4, xrange);
    ck_assert_msg(x->type == REDIS_REPLY_ERROR && strstr(x->str, "NOPERM"), "the app may XRANGE");
    freeReplyObject(x);
    x = app_cmd(app, 4, sneak);
    ck_assert_msg(x->type == REDIS_REPLY_ERROR && strstr(x->str, "can't run this command"),
                  "a script lets the app XRANGE");
    freeReplyObject(x);

    x = app_cmd(app, 12, enqueue);
    ck_assert_msg(x->type == REDIS_REPLY_INTEGER && x->integer == 1, "enqueue as the app: %s",
                  x->type == REDIS_REPLY_ERROR ? x->str : "odd reply");
    freeReplyObject(x);
    x = app_cmd(app, 3, blpop);
    ck_assert_msg(x->type == REDIS_REPLY_ARRAY && x->elements == 2, "no reply for the app");
    r = json_loads(x->element[1]->str, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(r, "state")), "succeeded");
    json_decref(r);
    freeReplyObject(x);
    redisFree(app);
    ck_assert_msg(!h_log_contains(&H, "NOPERM"), "heftd lacked a permission");
}
END_TEST

static Suite *sealed_suite(void)
{
    Suite *s = suite_create("sealed");
    TCase *tc = tcase_create("sealed");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_a_sealed_payload_leaves_redis_as_soon_as_heftd_takes_the_job);
    tcase_add_test(tc, test_a_failed_sealed_job_keeps_no_payload_in_its_hash);
    tcase_add_test(tc, test_a_sealed_job_is_never_retried_and_dies_without_its_payload);
    tcase_add_test(tc, test_a_sealed_job_whose_heftd_is_killed_ends_dead_with_code_lost);
    tcase_add_test(tc, test_a_sealed_job_given_back_at_shutdown_runs_on_the_next_heftd);
    tcase_add_test(tc, test_password_jobs_are_sealed_without_any_config);
    tcase_add_test(tc, test_a_sealed_payload_that_is_not_json_is_not_quoted_in_the_error);
    tcase_add_test(tc, test_seal_payload_false_in_the_config_unseals_a_type);
    tcase_add_test(tc, test_the_acl_users_of_docs_security_md_are_enough);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sealed_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
