/*
 * check_hash_redis.c - hash.digest of a Redis string value (redis_key)
 * against a real redis-server (tests/harness.h starts a private one per
 * test): values of several chunks hashed like OpenSSL's EVP hashes the
 * same bytes, every error code, the heft_job_redis_* session of
 * <heft/job.h> that notices a value written while read, hash.hmac of a
 * value, and jobs through a real heftd.  Payloads and settings are written
 * as JSON with ' for ".
 */
#include <check.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "job_harness.h"
#include "jobredis.h"

#define SETTINGS "{'input_key_prefixes': ['uploads:']}"

static struct harness H;
static struct heft_config cfg;
static struct heft_jobredis *R;

/* A heft_jobredis for Redis at url, as a worker thread has one. */
static struct heft_jobredis *jobredis_at(const char *url)
{
    struct heft_jobredis *r;

    free(cfg.redis_url);
    cfg.redis_url = strdup(url);
    ck_assert_ptr_nonnull(cfg.redis_url);
    r = heft_jobredis_create(&cfg);
    ck_assert_ptr_nonnull(r);
    return r;
}

static void setup(void)
{
    char url[64];

    h_setup(&H);
    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", H.port);
    R = jobredis_at(url);
}

static void teardown(void)
{
    heft_jobredis_destroy(R);
    R = NULL;
    heft_config_free(&cfg);
    h_teardown(&H);
}

/* SET key to len bytes (binary). */
static void set_bytes(const char *key, const void *bytes, size_t len)
{
    const char *argv[] = { "SET", key, bytes };
    size_t lens[] = { 3, strlen(key), len };

    freeReplyObject(h_cmdv(&H, 3, argv, lens));
}

/* len random bytes (malloc'd). */
static unsigned char *random_bytes(size_t len)
{
    unsigned char *p = malloc(len);

    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(RAND_bytes(p, (int)len), 1);
    return p;
}

/* The digest md of bytes in lowercase hex, as EVP computes it. */
static void evp_hex(const char *md, const void *bytes, size_t len, char *hex)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n, i;

    ck_assert_int_eq(EVP_Digest(bytes, len, out, &n, EVP_get_digestbyname(md), NULL), 1);
    for (i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", out[i]);
}

static const char *digest_in(const json_t *result, const char *alg)
{
    const char *s = json_string_value(json_object_get(json_object_get(result, "digests"), alg));

    ck_assert_msg(s != NULL, "no %s digest in the result", alg);
    return s;
}

/* hash.digest of payload with SETTINGS and our Redis. */
static struct heft_job *digest(json_t *payload, const struct heft_type_conf *tconf)
{
    return run_job_with_redis("hash.digest", jsonf(SETTINGS), payload, tconf, 0, R);
}

static void digest_fails(const char *key, const char *code, int retryable,
                         const char *in_message)
{
    struct heft_job *job = digest(jsonf("{'algorithms': ['sha256'], 'redis_key': '%s'}", key),
                                  NULL);
    const char *msg = failure_of(job, code, retryable);

    ck_assert_msg(strstr(msg, in_message), "%s: %s", code, msg);
    heft_job_destroy(job);
}

/* ---- hash.digest --------------------------------------------------------------- */

START_TEST(a_value_of_several_chunks_has_the_digests_evp_computes_of_its_bytes)
{
    size_t len = 5 * 1024 * 1024 + 123;           /* 5 MiB chunks and a short one */
    unsigned char *bytes = random_bytes(len);
    char sha256[65], sha512[129];
    struct heft_job *job;
    const json_t *r;

    set_bytes("uploads:big", bytes, len);
    evp_hex("sha256", bytes, len, sha256);
    evp_hex("sha512", bytes, len, sha512);
    job = digest(jsonf("{'algorithms': ['sha256', 'sha512'], 'redis_key': 'uploads:big'}"),
                 NULL);
    r = result_of(job);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "bytes")), (json_int_t)len);
    ck_assert_str_eq(digest_in(r, "sha256"), sha256);
    ck_assert_str_eq(digest_in(r, "sha512"), sha512);
    heft_job_destroy(job);
    free(bytes);
}
END_TEST

START_TEST(an_empty_value_and_a_value_with_nul_bytes_are_hashed_as_they_are)
{
    static const unsigned char nuls[] = { 'a', 0, 'b', 0 };
    char hex[65];
    struct heft_job *job;

    set_bytes("uploads:empty", "", 0);
    job = digest(jsonf("{'algorithms': ['sha256'], 'redis_key': 'uploads:empty'}"), NULL);
    ck_assert_str_eq(digest_in(result_of(job), "sha256"),
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    heft_job_destroy(job);

    set_bytes("uploads:nuls", nuls, sizeof nuls);
    evp_hex("sha256", nuls, sizeof nuls, hex);
    job = digest(jsonf("{'algorithms': ['sha256'], 'redis_key': 'uploads:nuls'}"), NULL);
    ck_assert_str_eq(digest_in(result_of(job), "sha256"), hex);
    heft_job_destroy(job);
}
END_TEST

START_TEST(hash_hmac_signs_a_redis_value_like_rfc_4231_test_case_2)
{
    static const char msg[] = "what do ya want for nothing?";
    struct heft_job *job;

    set_bytes("uploads:m", msg, strlen(msg));
    job = run_job_with_redis("hash.hmac", jsonf("{'input_key_prefixes': ['uploads:'], "
                                                "'allow_inline_keys': true}"),
                             jsonf("{'op': 'sign', 'key_base64': 'SmVmZQ==', "
                                   "'redis_key': 'uploads:m'}"), NULL, 0, R);
    ck_assert_str_eq(json_string_value(json_object_get(result_of(job), "mac")),
                     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    heft_job_destroy(job);
}
END_TEST

START_TEST(a_missing_key_is_key_not_found)
{
    digest_fails("uploads:none", "key_not_found", 0, "redis_key: \"uploads:none\" does not exist");
}
END_TEST

START_TEST(a_key_holding_a_list_is_key_wrong_type)
{
    freeReplyObject(h_cmd(&H, "RPUSH", "uploads:list", "a", NULL));
    digest_fails("uploads:list", "key_wrong_type", 0, "holds a list, not a string");
}
END_TEST

START_TEST(a_key_under_no_allowed_prefix_is_key_refused_without_reading_it)
{
    set_bytes("secrets:1", "x", 1);
    digest_fails("secrets:1", "key_refused", 0, "\"secrets:1\" is under none of the "
                 "input_key_prefixes");
    digest_fails("upload:1", "key_refused", 0, "input_key_prefixes");
}
END_TEST

START_TEST(a_value_over_max_file_bytes_is_limit_exceeded)
{
    struct heft_type_conf tconf = { .nlimits = 1, .limits = { { "max_file_bytes", 3 } } };
    struct heft_job *job;

    set_bytes("uploads:four", "abcd", 4);
    job = digest(jsonf("{'algorithms': ['sha256'], 'redis_key': 'uploads:four'}"), &tconf);
    ck_assert_ptr_nonnull(strstr(failure_of(job, "limit_exceeded", 0), "4 bytes, over "
                                 "max_file_bytes (3)"));
    heft_job_destroy(job);
}
END_TEST

START_TEST(a_cancelled_job_stops_reading_its_value)
{
    struct heft_job *job;

    set_bytes("uploads:v", "abc", 3);
    job = run_job_with_redis("hash.digest", jsonf(SETTINGS),
                             jsonf("{'algorithms': ['sha256'], 'redis_key': 'uploads:v'}"), NULL,
                             1, R);
    ck_assert_ptr_nonnull(strstr(failure_of(job, "cancelled", 1), "stopped after 0 bytes"));
    heft_job_destroy(job);
}
END_TEST

START_TEST(an_unreachable_redis_is_redis_unavailable_and_retryable)
{
    heft_jobredis_destroy(R);
    R = jobredis_at("redis://127.0.0.1:1");
    digest_fails("uploads:x", "redis_unavailable", 1, "redis_key: redis:");
}
END_TEST

START_TEST(a_job_without_redis_access_is_redis_unavailable)
{
    struct heft_job *job = run_job("hash.digest", jsonf(SETTINGS),
                                   jsonf("{'algorithms': ['md5'], 'redis_key': 'uploads:1'}"),
                                   NULL, 0);

    ck_assert_ptr_nonnull(strstr(failure_of(job, "redis_unavailable", 1), "lends no Redis"));
    heft_job_destroy(job);
}
END_TEST

/* ---- the session of <heft/job.h> ----------------------------------------------- */

/* A job that only borrows R, for calling heft_job_redis_* directly. */
static struct heft_job *bare_job(void)
{
    struct heft_job *job = heft_job_create(0, "default", HEFT_BAND_NORMAL, "1-0");

    ck_assert_ptr_nonnull(job);
    job->redis = R;
    return job;
}

/* SET "k" to value, then open it. */
static void open_k(struct heft_job *job, const char *value)
{
    uint64_t len;

    set_bytes("k", value, strlen(value));
    ck_assert_int_eq(heft_job_redis_open(job, "k", 1, &len), HEFT_REDIS_OK);
    ck_assert_int_eq(len, strlen(value));
}

/* A read of up to cap bytes at offset that must give want. */
static void read_ok(struct heft_job *job, uint64_t offset, size_t cap, const char *want)
{
    char buf[16];
    size_t got;

    ck_assert_uint_le(cap, sizeof buf);
    ck_assert_int_eq(heft_job_redis_read(job, offset, buf, cap, &got), HEFT_REDIS_OK);
    ck_assert_uint_eq(got, strlen(want));
    ck_assert_int_eq(memcmp(buf, want, got), 0);
}

/* Open "k" (8 bytes), read 4, let change() write to it, read 3 more. */
static int read_across(struct heft_job *job, void (*change)(void))
{
    char buf[8];
    size_t got;
    int rc;

    open_k(job, "abcdefgh");
    read_ok(job, 0, 4, "abcd");
    change();
    rc = heft_job_redis_read(job, 4, buf, 3, &got);
    if (rc < 0)
        return rc;
    ck_assert_int_eq(got, 3);
    return heft_job_redis_close(job);
}

static void no_change(void) {}
static void same_length(void) { freeReplyObject(h_cmd(&H, "SETRANGE", "k", "6", "XY", NULL)); }
static void shorter(void) { set_bytes("k", "abc", 3); }
static void deleted(void) { freeReplyObject(h_cmd(&H, "DEL", "k", NULL)); }
static void longer(void) { freeReplyObject(h_cmd(&H, "APPEND", "k", "ijk", NULL)); }
static void other_type(void)
{
    freeReplyObject(h_cmd(&H, "DEL", "k", NULL));
    freeReplyObject(h_cmd(&H, "RPUSH", "k", "a", NULL));
}

START_TEST(a_value_written_while_read_is_reported_by_read_or_close)
{
    struct heft_job *job = bare_job();

    ck_assert_int_eq(read_across(job, no_change), HEFT_REDIS_OK);
    ck_assert_str_eq(heft_job_redis_error(job), "");
    ck_assert_int_eq(read_across(job, same_length), HEFT_REDIS_ECHANGED);
    ck_assert_ptr_nonnull(strstr(heft_job_redis_error(job), "written while read"));
    ck_assert_int_eq(read_across(job, longer), HEFT_REDIS_ECHANGED);
    ck_assert_int_eq(read_across(job, shorter), HEFT_REDIS_ECHANGED);
    ck_assert_ptr_nonnull(strstr(heft_job_redis_error(job), "shrank or was deleted"));
    ck_assert_int_eq(read_across(job, deleted), HEFT_REDIS_ECHANGED);
    ck_assert_int_eq(read_across(job, other_type), HEFT_REDIS_ECHANGED);
    /* The connection is still in step after all that. */
    freeReplyObject(h_cmd(&H, "DEL", "k", NULL));
    ck_assert_int_eq(read_across(job, no_change), HEFT_REDIS_OK);
    heft_job_destroy(job);
}
END_TEST

/* Reads need not be in order: each gets the bytes it asks for. */
START_TEST(reads_in_any_order_get_the_bytes_they_ask_for)
{
    struct heft_job *job = bare_job();

    open_k(job, "abcdefXYZW");
    read_ok(job, 0, 2, "ab");
    read_ok(job, 8, 4, "ZW");
    read_ok(job, 3, 4, "defX");
    read_ok(job, 10, 4, "");
    ck_assert_int_eq(heft_job_redis_close(job), HEFT_REDIS_OK);
    heft_job_destroy(job);
}
END_TEST

START_TEST(a_connection_lost_mid_read_is_unavailable_and_the_next_open_reconnects)
{
    struct heft_job *job = bare_job();
    char buf[4];
    size_t got;

    open_k(job, "abcdefgh");
    read_ok(job, 0, 4, "abcd");
    h_redis_restart(&H);
    ck_assert_int_eq(heft_job_redis_read(job, 4, buf, 4, &got), HEFT_REDIS_EUNAVAILABLE);
    ck_assert_ptr_nonnull(strstr(heft_job_redis_error(job), "redis: "));
    ck_assert_int_eq(heft_job_redis_close(job), HEFT_REDIS_EINVAL);
    open_k(job, "new");
    read_ok(job, 0, 4, "new");
    ck_assert_int_eq(heft_job_redis_close(job), HEFT_REDIS_OK);
    heft_job_destroy(job);
}
END_TEST

START_TEST(heftds_own_keys_and_calls_out_of_a_session_are_refused)
{
    struct heft_job *job = bare_job();
    uint64_t len;
    size_t got;
    char buf[4];

    ck_assert_int_eq(h_enqueue(&H, "j1", "echo", "{\"secret\":1}", NULL), 1);
    ck_assert_int_eq(heft_job_redis_open(job, "heft:{default}:job:j1", 21, &len),
                     HEFT_REDIS_EREFUSED);
    ck_assert_int_eq(heft_job_redis_open(job, "", 0, &len), HEFT_REDIS_EREFUSED);
    ck_assert_int_eq(heft_job_redis_read(job, 0, buf, sizeof buf, &got), HEFT_REDIS_EINVAL);
    ck_assert_int_eq(heft_job_redis_close(job), HEFT_REDIS_EINVAL);
    open_k(job, "ab");
    ck_assert_int_eq(heft_job_redis_read(job, 3, buf, sizeof buf, &got), HEFT_REDIS_EINVAL);
    open_k(job, "ab");
    read_ok(job, 2, sizeof buf, "");
    ck_assert_int_eq(heft_job_redis_close(job), HEFT_REDIS_OK);
    heft_job_destroy(job);
}
END_TEST

/* ---- through heftd ---------------------------------------------------------------- */

START_TEST(heftd_hashes_a_redis_value_on_its_worker_threads)
{
    size_t len = 3 * 1024 * 1024 + 1;
    unsigned char *bytes = random_bytes(len);
    char hex[65], id[16];
    json_t *r;
    int i;

    set_bytes("uploads:d", bytes, len);
    evp_hex("sha256", bytes, len, hex);
    h_heftd_start(&H, "jobs:\n  types:\n    hash.digest:\n"
                  "      input_key_prefixes: [\"uploads:\"]\n", "--concurrency", "2", NULL);
    for (i = 0; i < 4; i++) {       /* more jobs than threads: links are reused */
        snprintf(id, sizeof id, "d%d", i);
        h_enqueue(&H, id, "hash.digest", "{\"algorithms\":[\"sha256\"],"
                  "\"redis_key\":\"uploads:d\"}", NULL);
    }
    for (i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "d%d", i);
        r = h_wait_reply(&H, id, 20000);
        ck_assert_msg(r != NULL, "no reply for %s", id);
        ck_assert_str_eq(json_string_value(json_object_get(r, "state")), "succeeded");
        ck_assert_str_eq(digest_in(json_object_get(r, "result"), "sha256"), hex);
        json_decref(r);
    }
    h_enqueue(&H, "m", "hash.digest", "{\"algorithms\":[\"sha256\"],"
              "\"redis_key\":\"uploads:missing\"}", NULL);
    r = h_wait_reply(&H, "m", 20000);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
                     "key_not_found");
    json_decref(r);
    ck_assert_int_eq(h_heftd_stop(&H, 10000), 0);
    free(bytes);
}
END_TEST

static Suite *hash_redis_suite(void)
{
    Suite *s = suite_create("hash_redis");
    TCase *digest_tc = tcase_create("digest"), *session = tcase_create("session");
    TCase *heftd = tcase_create("heftd");

    tcase_add_checked_fixture(digest_tc, setup, teardown);
    tcase_add_checked_fixture(session, setup, teardown);
    tcase_add_checked_fixture(heftd, setup, teardown);
    tcase_set_timeout(digest_tc, 60);
    tcase_set_timeout(heftd, 60);
    tcase_add_test(digest_tc, a_value_of_several_chunks_has_the_digests_evp_computes_of_its_bytes);
    tcase_add_test(digest_tc, an_empty_value_and_a_value_with_nul_bytes_are_hashed_as_they_are);
    tcase_add_test(digest_tc, hash_hmac_signs_a_redis_value_like_rfc_4231_test_case_2);
    tcase_add_test(digest_tc, a_missing_key_is_key_not_found);
    tcase_add_test(digest_tc, a_key_holding_a_list_is_key_wrong_type);
    tcase_add_test(digest_tc, a_key_under_no_allowed_prefix_is_key_refused_without_reading_it);
    tcase_add_test(digest_tc, a_value_over_max_file_bytes_is_limit_exceeded);
    tcase_add_test(digest_tc, a_cancelled_job_stops_reading_its_value);
    tcase_add_test(digest_tc, an_unreachable_redis_is_redis_unavailable_and_retryable);
    tcase_add_test(digest_tc, a_job_without_redis_access_is_redis_unavailable);
    tcase_add_test(session, a_value_written_while_read_is_reported_by_read_or_close);
    tcase_add_test(session, reads_in_any_order_get_the_bytes_they_ask_for);
    tcase_add_test(session, heftds_own_keys_and_calls_out_of_a_session_are_refused);
    tcase_add_test(session, a_connection_lost_mid_read_is_unavailable_and_the_next_open_reconnects);
    tcase_add_test(heftd, heftd_hashes_a_redis_value_on_its_worker_threads);
    suite_add_tcase(s, digest_tc);
    suite_add_tcase(s, session);
    suite_add_tcase(s, heftd);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(hash_redis_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
