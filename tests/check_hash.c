/*
 * check_hash.c - the job types hash.digest and hash.hmac: known answers
 * from the standards (FIPS 180-4 / RFC 6234, RFC 1321, FIPS 202, RFC 7693,
 * RFC 4231), files read only inside input_dirs, every error code, and the
 * settings their init accepts and refuses.  Digests of files are checked
 * against the real sha256sum and openssl tools.  Payloads and settings are
 * written as JSON with ' for ".
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job_harness.h"

static const char *digest_in(const json_t *result, const char *alg)
{
    const char *s = json_string_value(json_object_get(json_object_get(result, "digests"), alg));

    ck_assert_msg(s != NULL, "no %s digest in the result", alg);
    return s;
}

/* hash.digest of payload with no settings; the job must succeed. */
static struct heft_job *digest_ok(json_t *payload)
{
    struct heft_job *job = run_job("hash.digest", jsonf("{}"), payload, NULL, 0);

    result_of(job);
    return job;
}

/* hash.digest of payload with no settings; the job must fail with code. */
static void digest_fails(json_t *payload, const char *code, const char *in_message)
{
    struct heft_job *job = run_job("hash.digest", jsonf("{}"), payload, NULL, 0);

    ck_assert_ptr_nonnull(strstr(failure_of(job, code, 0), in_message));
    heft_job_destroy(job);
}

/* bytes in base64 (static buffer, one at a time). */
static const char *b64(const void *bytes, size_t len)
{
    static char out[1024];

    ck_assert_uint_lt(len, 700);
    EVP_EncodeBlock((unsigned char *)out, bytes, (int)len);
    return out;
}

/* ---- files ---------------------------------------------------------------- */

/* A fresh temporary directory (malloc'd); remove it with rm_rf(). */
static char *temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char buf[200];
    char *dir;

    snprintf(buf, sizeof buf, "%s/check_hash.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s", buf);
    dir = realpath(buf, NULL);
    ck_assert_ptr_nonnull(dir);
    return dir;
}

static void rm_rf(char *dir)
{
    char cmd[600];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

/* dir/name with len bytes of data (NULL: a pattern). */
static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    unsigned char block[65536];
    char path[512];
    FILE *f;
    size_t done, n, i;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    for (done = 0; done < len; done += n) {
        n = len - done < sizeof block ? len - done : sizeof block;
        for (i = 0; !data && i < n; i++)
            block[i] = (unsigned char)((done + i) * 7 + (done + i) / 65521);
        ck_assert_uint_eq(fwrite(data ? (const char *)data + done : (const void *)block, 1, n,
                                 f), n);
    }
    ck_assert_int_eq(fclose(f), 0);
}

/* A shell command run in dir; it must succeed. */
static void run_in(const char *dir, const char *command)
{
    char cmd[1200];

    snprintf(cmd, sizeof cmd, "cd '%s' && %s", dir, command);
    ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* The first word a real tool prints for the file: its digest in hex. */
static char *tool_digest(const char *cmd, const char *dir, const char *name)
{
    char line[1024], word[300];
    FILE *p;

    snprintf(line, sizeof line, "cd '%s' && %s '%s'", dir, cmd, name);
    p = popen(line, "r");
    ck_assert_ptr_nonnull(p);
    ck_assert_msg(fgets(line, sizeof line, p) != NULL, "%s printed nothing", cmd);
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_int_eq(sscanf(line, "%299s", word), 1);
    return strdup(word);
}

static int have_tools(void)
{
    return system("command -v sha256sum >/dev/null && command -v openssl >/dev/null") == 0;
}

/* hash.digest with input_dirs [dir] of payload. */
static struct heft_job *digest_in_dir(const char *dir, json_t *payload)
{
    return run_job("hash.digest", jsonf("{'input_dirs': ['%s']}", dir), payload, NULL, 0);
}

static void file_fails(const char *dir, const char *name, const char *code)
{
    struct heft_job *job = digest_in_dir(dir, jsonf("{'algorithms': ['sha256'], 'file': '%s'}",
                                                    name));

    ck_assert_ptr_nonnull(strstr(failure_of(job, code, 0), "file:"));
    heft_job_destroy(job);
}

/* ---- digests: known answers ----------------------------------------------- */

#define ABC_SHA1 "a9993e364706816aba3e25717850c26c9cd0d89d"
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC_SHA384 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163" \
    "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
#define ABC_SHA512 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" \
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

START_TEST(sha1_and_sha2_of_abc_are_those_of_fips_180_4)
{
    struct heft_job *job = digest_ok(jsonf("{'algorithms': ['sha1', 'sha256', 'sha384', "
                                           "'sha512'], 'text': 'abc'}"));

    ck_assert_int_eq(json_integer_value(json_object_get(job->result, "bytes")), 3);
    ck_assert_str_eq(digest_in(job->result, "sha1"), ABC_SHA1);
    ck_assert_str_eq(digest_in(job->result, "sha256"), ABC_SHA256);
    ck_assert_str_eq(digest_in(job->result, "sha384"), ABC_SHA384);
    ck_assert_str_eq(digest_in(job->result, "sha512"), ABC_SHA512);
    ck_assert_int_eq(json_object_size(json_object_get(job->result, "digests")), 4);
    heft_job_destroy(job);
}
END_TEST

START_TEST(sha1_and_sha2_of_the_448_bit_message_are_those_of_fips_180_4)
{
    struct heft_job *job = digest_ok(jsonf("{'algorithms': ['sha1', 'sha256', 'sha384', "
                                           "'sha512'], 'text': 'abcdbcdecdefdefgefghfghighij"
                                           "hijkijkljklmklmnlmnomnopnopq'}"));

    ck_assert_int_eq(json_integer_value(json_object_get(job->result, "bytes")), 56);
    ck_assert_str_eq(digest_in(job->result, "sha1"), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    ck_assert_str_eq(digest_in(job->result, "sha256"),
                     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    ck_assert_str_eq(digest_in(job->result, "sha384"),
                     "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05ab"
                     "fe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b");
    ck_assert_str_eq(digest_in(job->result, "sha512"),
                     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
                     "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
    heft_job_destroy(job);
}
END_TEST

START_TEST(md5_sha3_and_blake2_of_abc_are_those_of_their_specifications)
{
    struct heft_job *job = digest_ok(jsonf("{'algorithms': ['md5', 'sha3-256', 'sha3-512', "
                                           "'blake2b-512', 'blake2s-256'], 'text': 'abc'}"));

    /* RFC 1321 A.5 */
    ck_assert_str_eq(digest_in(job->result, "md5"), "900150983cd24fb0d6963f7d28e17f72");
    /* FIPS 202, NIST's examples SHA3-256_Msg0/SHA3-512 for "abc" */
    ck_assert_str_eq(digest_in(job->result, "sha3-256"),
                     "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
    ck_assert_str_eq(digest_in(job->result, "sha3-512"),
                     "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
                     "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0");
    /* RFC 7693 appendices A and B */
    ck_assert_str_eq(digest_in(job->result, "blake2b-512"),
                     "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                     "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    ck_assert_str_eq(digest_in(job->result, "blake2s-256"),
                     "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
    heft_job_destroy(job);
}
END_TEST

START_TEST(all_nine_algorithms_in_one_pass_agree_with_each_alone)
{
    static const char *const algs[] = { "sha256", "sha384", "sha512", "sha1", "md5", "sha3-256",
                                        "sha3-512", "blake2b-512", "blake2s-256" };
    struct heft_job *all = digest_ok(jsonf("{'algorithms': ['sha256', 'sha384', 'sha512', "
                                           "'sha1', 'md5', 'sha3-256', 'sha3-512', "
                                           "'blake2b-512', 'blake2s-256'], 'text': 'heft'}"));
    struct heft_job *one;
    size_t i;

    ck_assert_int_eq(json_object_size(json_object_get(all->result, "digests")), 9);
    for (i = 0; i < 9; i++) {
        one = digest_ok(jsonf("{'algorithms': ['%s'], 'text': 'heft'}", algs[i]));
        ck_assert_str_eq(digest_in(one->result, algs[i]), digest_in(all->result, algs[i]));
        heft_job_destroy(one);
    }
    heft_job_destroy(all);
}
END_TEST

/* hash.digest of payload must say it read bytes bytes whose sha256 is hex. */
static void sha256_is(json_t *payload, json_int_t bytes, const char *hex)
{
    struct heft_job *job = digest_ok(payload);

    ck_assert_int_eq(json_integer_value(json_object_get(job->result, "bytes")), bytes);
    ck_assert_str_eq(digest_in(job->result, "sha256"), hex);
    heft_job_destroy(job);
}

START_TEST(the_empty_input_has_the_digest_of_zero_bytes)
{
    sha256_is(jsonf("{'algorithms': ['sha256'], 'text': ''}"), 0,
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(text_is_hashed_as_its_utf8_bytes_nul_included)
{
    sha256_is(jsonf("{'algorithms': ['sha256'], 'text': 'a\\u0000b'}"), 3,
              "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
    /* U+00E9 is two bytes in UTF-8 */
    sha256_is(jsonf("{'algorithms': ['sha256'], 'text': '\\u00e9'}"), 2,
              "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
}
END_TEST

START_TEST(base64_input_is_hashed_as_the_bytes_it_encodes)
{
    sha256_is(jsonf("{'algorithms': ['sha256'], 'base64': 'YWJj'}"), 3, ABC_SHA256);
    /* line breaks inside base64, as MIME writes it, are skipped */
    sha256_is(jsonf("{'algorithms': ['sha256'], 'base64': 'YW\\nJj'}"), 3, ABC_SHA256);
}
END_TEST

START_TEST(encoding_base64_gives_the_digests_in_base64)
{
    struct heft_job *job = digest_ok(jsonf("{'algorithms': ['sha256'], 'text': 'abc', "
                                           "'encoding': 'base64'}"));

    ck_assert_str_eq(digest_in(job->result, "sha256"),
                     "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    heft_job_destroy(job);
}
END_TEST

/* ---- digests: bad input ----------------------------------------------------- */

START_TEST(an_unknown_algorithm_is_unknown_algorithm_naming_it)
{
    digest_fails(jsonf("{'algorithms': ['sha256', 'sha255'], 'text': 'abc'}"),
                 "unknown_algorithm", "algorithms[1]: \"sha255\"");
}
END_TEST

START_TEST(a_malformed_request_is_bad_input_naming_the_field)
{
    digest_fails(jsonf("{'text': 'abc'}"), "bad_input", "algorithms:");
    digest_fails(jsonf("{'algorithms': [], 'text': 'abc'}"), "bad_input", "algorithms:");
    digest_fails(jsonf("{'algorithms': 'sha256', 'text': 'abc'}"), "bad_input", "algorithms:");
    digest_fails(jsonf("{'algorithms': ['md5', 5], 'text': 'abc'}"), "bad_input",
                 "algorithms[1]:");
    digest_fails(jsonf("{'algorithms': ['md5', 'md5'], 'text': 'abc'}"), "bad_input",
                 "algorithms[1]: md5 is listed twice");
    digest_fails(jsonf("{'algorithms': ['md5']}"), "bad_input", "no input");
    digest_fails(jsonf("{'algorithms': ['md5'], 'text': 'a', 'base64': 'YQ=='}"), "bad_input",
                 "text, base64: give only one input");
    digest_fails(jsonf("{'algorithms': ['md5'], 'text': 5}"), "bad_input", "text:");
    digest_fails(jsonf("{'algorithms': ['md5'], 'base64': 'YWJ'}"), "bad_input", "base64:");
    digest_fails(jsonf("{'algorithms': ['md5'], 'base64': '!!!!'}"), "bad_input", "base64:");
    digest_fails(jsonf("{'algorithms': ['md5'], 'text': 'a', 'encoding': 'HEX'}"), "bad_input",
                 "encoding:");
    digest_fails(jsonf("{'algorithms': ['md5'], 'text': 'a', 'algorithm': 'md5'}"),
                 "bad_input", "algorithm: unknown field");
    digest_fails(jsonf("['md5']"), "bad_input", "payload");
}
END_TEST

/* The rest of redis_key needs a Redis: tests/check_hash_redis.c. */
START_TEST(a_redis_key_is_refused_without_input_key_prefixes)
{
    digest_fails(jsonf("{'algorithms': ['md5'], 'redis_key': 'uploads:1'}"), "key_refused",
                 "redis_key: no input_key_prefixes");
    digest_fails(jsonf("{'algorithms': ['md5'], 'redis_key': 1}"), "bad_input",
                 "redis_key: must be a string");
}
END_TEST

START_TEST(inline_input_over_max_input_bytes_is_limit_exceeded)
{
    struct heft_type_conf tconf = { .nlimits = 1, .limits = { { "max_input_bytes", 3 } } };
    struct heft_job *job;

    job = run_job("hash.digest", jsonf("{}"), jsonf("{'algorithms': ['md5'], 'text': 'abc'}"),
                  &tconf, 0);
    result_of(job);
    heft_job_destroy(job);
    job = run_job("hash.digest", jsonf("{}"), jsonf("{'algorithms': ['md5'], 'text': 'abcd'}"),
                  &tconf, 0);
    ck_assert_ptr_nonnull(strstr(failure_of(job, "limit_exceeded", 0), "text: 4 bytes"));
    heft_job_destroy(job);
    job = run_job("hash.digest", jsonf("{}"),
                  jsonf("{'algorithms': ['md5'], 'base64': 'YWJjZA=='}"), &tconf, 0);
    ck_assert_ptr_nonnull(strstr(failure_of(job, "limit_exceeded", 0), "base64: 4 bytes"));
    heft_job_destroy(job);
}
END_TEST

/* ---- digests of files --------------------------------------------------------- */

START_TEST(a_file_digest_is_what_sha256sum_and_openssl_dgst_print)
{
    char *dir = temp_dir(), *want;
    struct heft_job *job;

    if (!have_tools()) {
        rm_rf(dir);
        return;
    }
    write_file(dir, "data.bin", NULL, 3 * 1024 * 1024 + 17);
    job = digest_in_dir(dir, jsonf("{'algorithms': ['sha256', 'sha512', 'blake2b-512'], "
                                   "'file': 'data.bin'}"));
    result_of(job);
    ck_assert_int_eq(json_integer_value(json_object_get(job->result, "bytes")),
                     3 * 1024 * 1024 + 17);
    want = tool_digest("sha256sum", dir, "data.bin");
    ck_assert_str_eq(digest_in(job->result, "sha256"), want);
    free(want);
    want = tool_digest("openssl dgst -sha512 -r", dir, "data.bin");
    ck_assert_str_eq(digest_in(job->result, "sha512"), want);
    free(want);
    want = tool_digest("openssl dgst -blake2b512 -r", dir, "data.bin");
    ck_assert_str_eq(digest_in(job->result, "blake2b-512"), want);
    free(want);
    heft_job_destroy(job);
    rm_rf(dir);
}
END_TEST

START_TEST(a_64_mib_file_is_streamed_to_the_end_in_little_memory_with_progress)
{
    char *dir = temp_dir(), *want;
    struct heft_type_conf tconf = { .nlimits = 1, .limits = { { "max_input_bytes", 1024 } } };
    struct rusage before, after;
    struct heft_job *job;

    if (!have_tools()) {
        rm_rf(dir);
        return;
    }
    write_file(dir, "big.bin", NULL, 64u * 1024 * 1024);
    getrusage(RUSAGE_SELF, &before);
    /* max_input_bytes bounds inline inputs only: a file is never held whole. */
    job = run_job("hash.digest", jsonf("{'input_dirs': ['%s']}", dir),
                  jsonf("{'algorithms': ['sha256', 'sha3-256'], 'file': 'big.bin'}"), &tconf, 0);
    getrusage(RUSAGE_SELF, &after);
    result_of(job);
    ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 16 * 1024,
                  "the peak memory grew by %ld KiB while hashing 64 MiB",
                  after.ru_maxrss - before.ru_maxrss);
    ck_assert_int_eq(json_integer_value(json_object_get(job->result, "bytes")), 64 << 20);
    ck_assert_int_eq(atomic_load(&job->progress), 100);
    want = tool_digest("sha256sum", dir, "big.bin");
    ck_assert_str_eq(digest_in(job->result, "sha256"), want);
    free(want);
    want = tool_digest("openssl dgst -sha3-256 -r", dir, "big.bin");
    ck_assert_str_eq(digest_in(job->result, "sha3-256"), want);
    free(want);
    heft_job_destroy(job);
    rm_rf(dir);
}
END_TEST

START_TEST(files_below_the_dir_and_links_that_stay_inside_are_read)
{
    char *dir = temp_dir();
    struct heft_job *job;

    run_in(dir, "mkdir -p a/b && printf abc > a/b/abc.txt && ln -s a/b/abc.txt inside");
    job = digest_in_dir(dir, jsonf("{'algorithms': ['sha256'], 'file': 'a/b/abc.txt'}"));
    ck_assert_str_eq(digest_in(result_of(job), "sha256"), ABC_SHA256);
    heft_job_destroy(job);
    job = digest_in_dir(dir, jsonf("{'algorithms': ['sha256'], 'file': 'a/../a/b/abc.txt'}"));
    ck_assert_str_eq(digest_in(result_of(job), "sha256"), ABC_SHA256);
    heft_job_destroy(job);
    job = digest_in_dir(dir, jsonf("{'algorithms': ['sha256'], 'file': 'inside'}"));
    ck_assert_str_eq(digest_in(result_of(job), "sha256"), ABC_SHA256);
    heft_job_destroy(job);
    rm_rf(dir);
}
END_TEST

START_TEST(input_dirs_are_searched_in_order)
{
    char *one = temp_dir(), *two = temp_dir();
    struct heft_job *job;

    write_file(two, "abc.txt", "abc", 3);
    write_file(one, "other.txt", "x", 1);
    job = run_job("hash.digest", jsonf("{'input_dirs': ['%s', '%s']}", one, two),
                  jsonf("{'algorithms': ['sha256'], 'file': 'abc.txt'}"), NULL, 0);
    ck_assert_str_eq(digest_in(result_of(job), "sha256"), ABC_SHA256);
    heft_job_destroy(job);
    rm_rf(one);
    rm_rf(two);
}
END_TEST

START_TEST(a_path_that_leaves_the_input_dir_is_file_refused)
{
    char *dir = temp_dir(), *outside = temp_dir();
    char cmd[600];

    write_file(outside, "secret", "s", 1);
    snprintf(cmd, sizeof cmd, "ln -s '%s/secret' escape && ln -s '%s' escdir", outside, outside);
    run_in(dir, cmd);
    file_fails(dir, "escape", "file_refused");           /* a symbolic link out */
    file_fails(dir, "escdir/secret", "file_refused");    /* through a linked directory */
    file_fails(dir, "../x", "file_refused");             /* .. out (missing or not) */
    file_fails(dir, "../../../../../../etc/passwd", "file_refused");
    file_fails(dir, "/etc/passwd", "file_refused");      /* absolute */
    file_fails(dir, "", "file_refused");
    rm_rf(dir);
    rm_rf(outside);
}
END_TEST

START_TEST(what_is_not_a_regular_file_is_file_refused)
{
    char *dir = temp_dir();

    run_in(dir, "mkdir sub && mkfifo fifo");
    file_fails(dir, "sub", "file_refused");
    file_fails(dir, "fifo", "file_refused");             /* refused, not waited on */
    file_fails(dir, ".", "file_refused");
    rm_rf(dir);
}
END_TEST

START_TEST(a_missing_file_is_file_not_found)
{
    char *dir = temp_dir();

    file_fails(dir, "nope.txt", "file_not_found");
    file_fails(dir, "no/such/dir.txt", "file_not_found");
    rm_rf(dir);
}
END_TEST

START_TEST(without_input_dirs_every_file_is_file_refused)
{
    struct heft_job *job = run_job("hash.digest", jsonf("{}"),
                                   jsonf("{'algorithms': ['md5'], 'file': 'x'}"), NULL, 0);

    ck_assert_ptr_nonnull(strstr(failure_of(job, "file_refused", 0), "no input_dirs"));
    heft_job_destroy(job);
}
END_TEST

START_TEST(a_file_over_max_file_bytes_is_limit_exceeded)
{
    struct heft_type_conf tconf = { .nlimits = 1, .limits = { { "max_file_bytes", 1000 } } };
    char *dir = temp_dir();
    struct heft_job *job;

    write_file(dir, "big", NULL, 1001);
    job = run_job("hash.digest", jsonf("{'input_dirs': ['%s']}", dir),
                  jsonf("{'algorithms': ['md5'], 'file': 'big'}"), &tconf, 0);
    ck_assert_ptr_nonnull(strstr(failure_of(job, "limit_exceeded", 0), "max_file_bytes"));
    heft_job_destroy(job);
    rm_rf(dir);
}
END_TEST

START_TEST(a_cancelled_job_stops_reading_its_file)
{
    char *dir = temp_dir();
    struct heft_job *job;

    write_file(dir, "f", NULL, 10);
    job = run_job("hash.digest", jsonf("{'input_dirs': ['%s']}", dir),
                  jsonf("{'algorithms': ['md5'], 'file': 'f'}"), NULL, 1);
    failure_of(job, "cancelled", 1);
    heft_job_destroy(job);
    rm_rf(dir);
}
END_TEST

START_TEST(a_read_error_is_a_retryable_io_error)
{
    /* Reading /proc/self/mem at offset 0 (never mapped) fails with EIO;
     * it is a regular file inside the directory. */
    struct heft_job *job = run_job("hash.digest", jsonf("{'input_dirs': ['/proc/self']}"),
                                   jsonf("{'algorithms': ['md5'], 'file': 'mem'}"), NULL, 0);

    ck_assert_ptr_nonnull(strstr(failure_of(job, "io_error", 1), "read:"));
    heft_job_destroy(job);
}
END_TEST

/* ---- HMAC ------------------------------------------------------------------- */

#define X10(s) s s s s s s s s s s

/* RFC 4231 section 4: test cases 1-4, 6 and 7 (5 truncates the output). */
static const struct rfc4231 {
    int number;
    const char *key;
    size_t keylen;
    const char *data;
    size_t datalen;
    const char *sha256;
    const char *sha512;
} rfc4231[] = {
    { 1, X10("\x0b\x0b"), 20, "Hi There", 8,
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
      "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
    { 2, "Jefe", 4, "what do ya want for nothing?", 28,
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
      "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
    { 3, X10("\xaa\xaa"), 20, X10("\xdd\xdd\xdd\xdd\xdd"), 50,
      "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
      "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
      "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
    { 4, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"
      "\x15\x16\x17\x18\x19", 25, X10("\xcd\xcd\xcd\xcd\xcd"), 50,
      "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
      "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
      "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
    { 6, X10(X10("\xaa")) X10("\xaa\xaa\xaa") "\xaa", 131,
      "Test Using Larger Than Block-Size Key - Hash Key First", 54,
      "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
      "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
    { 7, X10(X10("\xaa")) X10("\xaa\xaa\xaa") "\xaa", 131,
      "This is a test using a larger than block-size key and a larger than block-size data. "
      "The key needs to be hashed before being used by the HMAC algorithm.", 152,
      "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
      "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
      "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
};

/* Settings with the case's key named "tc". */
static json_t *rfc4231_settings(const struct rfc4231 *tc)
{
    return jsonf("{'keys': {'tc': {'base64': '%s'}}}", b64(tc->key, tc->keylen));
}

static struct heft_job *rfc4231_job(const struct rfc4231 *tc, const char *fields)
{
    json_t *settings = rfc4231_settings(tc);

    return run_job("hash.hmac", settings, jsonf("{'key': 'tc', 'base64': '%s', %s}",
                                                b64(tc->data, tc->datalen), fields), NULL, 0);
}

START_TEST(hmac_sha256_and_sha512_sign_rfc_4231s_test_cases)
{
    const struct rfc4231 *tc = &rfc4231[_i];
    struct heft_job *job;

    job = rfc4231_job(tc, "'op': 'sign', 'algorithm': 'sha256'");
    ck_assert_msg(!strcmp(json_string_value(json_object_get(result_of(job), "mac")), tc->sha256),
                  "test case %d, sha256", tc->number);
    ck_assert_int_eq(json_integer_value(json_object_get(job->result, "bytes")),
                     (json_int_t)tc->datalen);
    heft_job_destroy(job);
    job = rfc4231_job(tc, "'op': 'sign', 'algorithm': 'sha512'");
    ck_assert_msg(!strcmp(json_string_value(json_object_get(result_of(job), "mac")), tc->sha512),
                  "test case %d, sha512", tc->number);
    heft_job_destroy(job);
}
END_TEST

static int verify(const struct rfc4231 *tc, const char *fields)
{
    struct heft_job *job = rfc4231_job(tc, fields);
    const json_t *valid = json_object_get(result_of(job), "valid");
    int v;

    ck_assert(json_is_boolean(valid));
    v = json_is_true(valid);
    heft_job_destroy(job);
    return v;
}

START_TEST(hmac_verify_accepts_the_right_mac_and_no_other)
{
    const struct rfc4231 *tc = &rfc4231[1];
    char fields[400], wrong[200];

    snprintf(fields, sizeof fields, "'op': 'verify', 'algorithm': 'sha512', 'mac': '%s'",
             tc->sha512);
    ck_assert(verify(tc, fields));
    snprintf(fields, sizeof fields, "'op': 'verify', 'mac': '%s'", tc->sha256);
    ck_assert(verify(tc, fields));                  /* sha256 is the default */
    snprintf(wrong, sizeof wrong, "%s", tc->sha256);
    wrong[63] = wrong[63] == '3' ? '2' : '3';       /* one bit off */
    snprintf(fields, sizeof fields, "'op': 'verify', 'mac': '%s'", wrong);
    ck_assert(!verify(tc, fields));
    snprintf(fields, sizeof fields, "'op': 'verify', 'algorithm': 'sha512', 'mac': '%s'",
             tc->sha512);
    ck_assert(!verify(&rfc4231[0], fields));        /* another key */
}
END_TEST

START_TEST(hmac_macs_go_out_and_in_as_base64_with_encoding_base64)
{
    const struct rfc4231 *tc = &rfc4231[1];
    struct heft_job *job = rfc4231_job(tc, "'op': 'sign', 'encoding': 'base64'");
    char fields[400];

    /* RFC 4231 case 2, sha256, in base64 */
    ck_assert_str_eq(json_string_value(json_object_get(result_of(job), "mac")),
                     "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    heft_job_destroy(job);
    snprintf(fields, sizeof fields, "'op': 'verify', 'encoding': 'base64', 'mac': '%s'",
             "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
    ck_assert(verify(tc, fields));
}
END_TEST

START_TEST(a_key_file_of_the_settings_signs_a_file_like_openssl_dgst_hmac)
{
    char *dir = temp_dir(), *want, word[200];
    struct heft_job *job;

    if (!have_tools()) {
        rm_rf(dir);
        return;
    }
    write_file(dir, "key", "Jefe", 4);
    write_file(dir, "data.bin", NULL, 2 * 1024 * 1024 + 5);
    job = run_job("hash.hmac", jsonf("{'input_dirs': ['%s'], 'keys': {'k': {'file': '%s/key'}}}",
                                     dir, dir),
                  jsonf("{'op': 'sign', 'key': 'k', 'file': 'data.bin'}"), NULL, 0);
    want = tool_digest("openssl dgst -sha256 -hmac Jefe -r", dir, "data.bin");
    snprintf(word, sizeof word, "%s", want);
    ck_assert_str_eq(json_string_value(json_object_get(result_of(job), "mac")), word);
    free(want);
    heft_job_destroy(job);
    rm_rf(dir);
}
END_TEST

START_TEST(an_inline_key_is_used_only_where_the_settings_allow_it)
{
    struct heft_job *job;
    const char *msg;

    job = run_job("hash.hmac", jsonf("{'allow_inline_keys': true}"),
                  jsonf("{'op': 'sign', 'key_base64': 'SmVmZQ==', "
                        "'text': 'what do ya want for nothing?'}"), NULL, 0);
    ck_assert_str_eq(json_string_value(json_object_get(result_of(job), "mac")),
                     rfc4231[1].sha256);
    heft_job_destroy(job);
    job = run_job("hash.hmac", jsonf("{}"),
                  jsonf("{'op': 'sign', 'key_base64': 'SmVmZQ==', 'text': 'x'}"), NULL, 0);
    msg = failure_of(job, "inline_key_refused", 0);
    ck_assert_ptr_null(strstr(msg, "SmVmZQ"));
    heft_job_destroy(job);
}
END_TEST

START_TEST(an_unknown_key_name_is_unknown_key)
{
    struct heft_job *job = run_job("hash.hmac", jsonf("{'keys': {'a': {'base64': 'SmVmZQ=='}}}"),
                                   jsonf("{'op': 'sign', 'key': 'b', 'text': 'x'}"), NULL, 0);

    ck_assert_ptr_nonnull(strstr(failure_of(job, "unknown_key", 0), "no key named \"b\""));
    heft_job_destroy(job);
}
END_TEST

/* hash.hmac with key "k" = "Jefe" and inline keys allowed; must fail. */
static const char *hmac_fails(struct heft_job **job, json_t *payload, const char *code)
{
    *job = run_job("hash.hmac", jsonf("{'allow_inline_keys': true, "
                                      "'keys': {'k': {'base64': 'SmVmZQ=='}}}"), payload, NULL, 0);
    return failure_of(*job, code, 0);
}

START_TEST(hmac_errors_name_the_field_and_never_show_a_key)
{
    static const struct {
        const char *payload, *code, *in_message;
    } cases[] = {
        { "{'key': 'k', 'text': 'x'}", "bad_input", "op:" },
        { "{'op': 'mac', 'key': 'k', 'text': 'x'}", "bad_input", "op:" },
        { "{'op': 'sign', 'key': 'k', 'algorithm': 'md5', 'text': 'x'}", "unknown_algorithm",
          "algorithm: \"md5\"" },
        { "{'op': 'sign', 'text': 'x'}", "bad_input", "key:" },
        { "{'op': 'sign', 'key': 'k', 'key_base64': 'SmVmZQ==', 'text': 'x'}", "bad_input",
          "key, key_base64:" },
        { "{'op': 'sign', 'key_base64': 'c2VjcmV0IQ', 'text': 'x'}", "bad_input", "key_base64:" },
        { "{'op': 'sign', 'key_base64': '', 'text': 'x'}", "bad_input", "key_base64:" },
        { "{'op': 'sign', 'key': 'k', 'mac': 'aa', 'text': 'x'}", "bad_input", "mac:" },
        { "{'op': 'verify', 'key': 'k', 'text': 'x'}", "bad_input", "mac:" },
        { "{'op': 'verify', 'key': 'k', 'mac': 'zz', 'text': 'x'}", "bad_input", "mac: not valid" },
        { "{'op': 'verify', 'key': 'k', 'mac': 'aabb', 'text': 'x'}", "bad_input", "mac: 2 bytes" },
        { "{'op': 'sign', 'key': 'k'}", "bad_input", "no input" },
        { "{'op': 'sign', 'key': 'k', 'text': 'x', 'algorithms': ['sha256']}", "bad_input",
          "algorithms: unknown field" },
        { "{'op': 'sign', 'key': 'k', 'file': 'x'}", "file_refused", "file:" },
    };
    struct heft_job *job;
    const char *msg;
    size_t i;

    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        msg = hmac_fails(&job, jsonf("%s", cases[i].payload), cases[i].code);
        ck_assert_msg(strstr(msg, cases[i].in_message), "%s: %s", cases[i].payload, msg);
        ck_assert_msg(!strstr(msg, "SmVmZQ") && !strstr(msg, "Jefe") && !strstr(msg, "c2Vj"),
                      "a key in the message: %s", msg);
        heft_job_destroy(job);
    }
}
END_TEST

START_TEST(hmac_input_over_max_input_bytes_is_limit_exceeded)
{
    struct heft_type_conf tconf = { .nlimits = 1, .limits = { { "max_input_bytes", 2 } } };
    struct heft_job *job = run_job("hash.hmac", jsonf("{'keys': {'k': {'base64': 'SmVmZQ=='}}}"),
                                   jsonf("{'op': 'sign', 'key': 'k', 'text': 'abc'}"), &tconf, 0);

    failure_of(job, "limit_exceeded", 0);
    heft_job_destroy(job);
}
END_TEST

/* ---- settings ----------------------------------------------------------------- */

static void refused(const char *type, json_t *settings, const char *key, const char *in_message)
{
    struct heft_init_error err = init_fails(type, settings);

    ck_assert_str_eq(err.key, key);
    ck_assert_msg(strstr(err.msg, in_message), "%s: %s", err.key, err.msg);
}

START_TEST(an_unknown_setting_is_refused_naming_it_and_the_known_ones)
{
    refused("hash.digest", jsonf("{'keys': {}}"), "keys",
            "unknown key; hash.digest takes input_dirs");
    refused("hash.hmac", jsonf("{'input_dir': '/tmp'}"), "input_dir",
            "unknown key; hash.hmac takes input_dirs, input_key_prefixes, keys or "
            "allow_inline_keys");
}
END_TEST

START_TEST(input_dirs_must_be_existing_absolute_directories)
{
    refused("hash.digest", jsonf("{'input_dirs': '/tmp'}"), "input_dirs", "list");
    refused("hash.digest", jsonf("{'input_dirs': ['/tmp', 'tmp']}"), "input_dirs[1]",
            "absolute");
    refused("hash.hmac", jsonf("{'input_dirs': ['/no/such/dir']}"), "input_dirs[0]",
            "/no/such/dir");
    refused("hash.digest", jsonf("{'input_dirs': ['/etc/passwd']}"), "input_dirs[0]",
            "not a directory");
}
END_TEST

START_TEST(input_key_prefixes_must_be_non_empty_and_leave_heftds_own_keys_alone)
{
    refused("hash.digest", jsonf("{'input_key_prefixes': 'uploads:'}"), "input_key_prefixes",
            "list");
    refused("hash.digest", jsonf("{'input_key_prefixes': ['uploads:', '']}"),
            "input_key_prefixes[1]", "non-empty string");
    refused("hash.hmac", jsonf("{'input_key_prefixes': [3]}"), "input_key_prefixes[0]",
            "non-empty string");
    refused("hash.digest", jsonf("{'input_key_prefixes': ['he']}"), "input_key_prefixes[0]",
            "heftd's own keys");
    refused("hash.hmac", jsonf("{'input_key_prefixes': ['heft:{default}:job:']}"),
            "input_key_prefixes[0]", "heftd's own keys");
    handler("hash.digest")->fini(init_ok("hash.digest",
                                         jsonf("{'input_key_prefixes': ['uploads:', 'hefty:']}")));
}
END_TEST

START_TEST(keys_are_refused_naming_the_key_and_never_showing_it)
{
    char *dir = temp_dir();

    write_file(dir, "empty", "", 0);
    refused("hash.hmac", jsonf("{'keys': ['a']}"), "keys", "mapping");
    refused("hash.hmac", jsonf("{'keys': {'a': 'SmVmZQ=='}}"), "keys.a", "file or base64");
    refused("hash.hmac", jsonf("{'keys': {'a': {'base64': 'SmVmZQ==', 'file': '/x'}}}"),
            "keys.a", "file or base64");
    refused("hash.hmac", jsonf("{'keys': {'a': {'base64': 'SmVmZQ'}}}"), "keys.a.base64",
            "not valid base64");
    refused("hash.hmac", jsonf("{'keys': {'a': {'file': '%s/none'}}}", dir), "keys.a.file",
            "No such file");
    refused("hash.hmac", jsonf("{'keys': {'a': {'file': '%s/empty'}}}", dir), "keys.a.file",
            "0 bytes");
    refused("hash.hmac", jsonf("{'keys': {'a': {'file': 'key'}}}"), "keys.a.file", "absolute");
    refused("hash.hmac", jsonf("{'keys': {'a': {'file': '%s'}}}", dir), "keys.a.file",
            "not a regular file");
    refused("hash.hmac", jsonf("{'allow_inline_keys': 'yes'}"), "allow_inline_keys",
            "true or false");
    rm_rf(dir);
}
END_TEST

START_TEST(empty_settings_are_accepted)
{
    handler("hash.digest")->fini(init_ok("hash.digest", jsonf("{}")));
    handler("hash.hmac")->fini(init_ok("hash.hmac", jsonf("{}")));
}
END_TEST

static Suite *hash_suite(void)
{
    Suite *s = suite_create("hash");
    TCase *digest = tcase_create("digest"), *files = tcase_create("files");
    TCase *hmac = tcase_create("hmac"), *settings = tcase_create("settings");

    tcase_add_test(digest, sha1_and_sha2_of_abc_are_those_of_fips_180_4);
    tcase_add_test(digest, sha1_and_sha2_of_the_448_bit_message_are_those_of_fips_180_4);
    tcase_add_test(digest, md5_sha3_and_blake2_of_abc_are_those_of_their_specifications);
    tcase_add_test(digest, all_nine_algorithms_in_one_pass_agree_with_each_alone);
    tcase_add_test(digest, the_empty_input_has_the_digest_of_zero_bytes);
    tcase_add_test(digest, text_is_hashed_as_its_utf8_bytes_nul_included);
    tcase_add_test(digest, base64_input_is_hashed_as_the_bytes_it_encodes);
    tcase_add_test(digest, encoding_base64_gives_the_digests_in_base64);
    tcase_add_test(digest, an_unknown_algorithm_is_unknown_algorithm_naming_it);
    tcase_add_test(digest, a_malformed_request_is_bad_input_naming_the_field);
    tcase_add_test(digest, a_redis_key_is_refused_without_input_key_prefixes);
    tcase_add_test(digest, inline_input_over_max_input_bytes_is_limit_exceeded);

    tcase_set_timeout(files, 120);
    tcase_add_test(files, a_file_digest_is_what_sha256sum_and_openssl_dgst_print);
    tcase_add_test(files, a_64_mib_file_is_streamed_to_the_end_in_little_memory_with_progress);
    tcase_add_test(files, files_below_the_dir_and_links_that_stay_inside_are_read);
    tcase_add_test(files, input_dirs_are_searched_in_order);
    tcase_add_test(files, a_path_that_leaves_the_input_dir_is_file_refused);
    tcase_add_test(files, what_is_not_a_regular_file_is_file_refused);
    tcase_add_test(files, a_missing_file_is_file_not_found);
    tcase_add_test(files, without_input_dirs_every_file_is_file_refused);
    tcase_add_test(files, a_file_over_max_file_bytes_is_limit_exceeded);
    tcase_add_test(files, a_cancelled_job_stops_reading_its_file);
    tcase_add_test(files, a_read_error_is_a_retryable_io_error);

    tcase_add_loop_test(hmac, hmac_sha256_and_sha512_sign_rfc_4231s_test_cases, 0,
                        (int)(sizeof rfc4231 / sizeof *rfc4231));
    tcase_add_test(hmac, hmac_verify_accepts_the_right_mac_and_no_other);
    tcase_add_test(hmac, hmac_macs_go_out_and_in_as_base64_with_encoding_base64);
    tcase_add_test(hmac, a_key_file_of_the_settings_signs_a_file_like_openssl_dgst_hmac);
    tcase_add_test(hmac, an_inline_key_is_used_only_where_the_settings_allow_it);
    tcase_add_test(hmac, an_unknown_key_name_is_unknown_key);
    tcase_add_test(hmac, hmac_errors_name_the_field_and_never_show_a_key);
    tcase_add_test(hmac, hmac_input_over_max_input_bytes_is_limit_exceeded);

    tcase_add_test(settings, an_unknown_setting_is_refused_naming_it_and_the_known_ones);
    tcase_add_test(settings, input_dirs_must_be_existing_absolute_directories);
    tcase_add_test(settings, keys_are_refused_naming_the_key_and_never_showing_it);
    tcase_add_test(settings, input_key_prefixes_must_be_non_empty_and_leave_heftds_own_keys_alone);
    tcase_add_test(settings, empty_settings_are_accepted);

    suite_add_tcase(s, digest);
    suite_add_tcase(s, files);
    suite_add_tcase(s, hmac);
    suite_add_tcase(s, settings);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(hash_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
