/*
 * check_envelope.c - what heftd checks before a handler sees a job (type,
 * payload, options), the retry schedule the options imply, and the
 * handler-facing job API of <heft/job.h>.
 *
 * Envelope errors are the interface a client sees when it enqueued
 * something wrong: each has a stable code, is never retried (the same input
 * would fail again) and has a message that names what is wrong.  Messages
 * are asserted in full where they are short and fixed.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "envelope.h"
#include "job.h"
#include "registry.h"

static struct heft_config cfg;

static void setup(void)
{
    ck_assert_int_eq(heft_config_defaults(&cfg), 0);
}

static void teardown(void)
{
    heft_config_free(&cfg);
}

/* Settings for a job type, as jobs.types.NAME in heft.yaml would give. */
static struct heft_type_conf *add_type(const char *name)
{
    struct heft_type_conf *t = &cfg.types[cfg.ntypes++];

    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    ck_assert_ptr_nonnull(t->name);
    return t;
}

static void add_limit(struct heft_type_conf *t, const char *name, long long value)
{
    t->limits[t->nlimits].name = strdup(name);
    ck_assert_ptr_nonnull(t->limits[t->nlimits].name);
    t->limits[t->nlimits++].value = value;
}

/* A job as the fetcher builds it from a stream entry; NULL fields are
 * missing from the entry. */
static struct heft_job *make_job_n(const char *type, const char *payload, size_t payload_len,
                                   const char *opts)
{
    struct heft_job *job = heft_job_create(0, "default", HEFT_BAND_NORMAL, "1-0");

    ck_assert_ptr_nonnull(job);
    job->id = strdup("job-1");
    job->attempt = 1;
    if (type)
        job->type = strdup(type);
    if (payload) {
        job->payload_text = malloc(payload_len + 1);
        ck_assert_ptr_nonnull(job->payload_text);
        memcpy(job->payload_text, payload, payload_len);
        job->payload_text[payload_len] = '\0';
        job->payload_len = payload_len;
    }
    if (opts) {
        job->opts_text = strdup(opts);
        job->opts_len = strlen(opts);
    }
    return job;
}

static struct heft_job *make_job(const char *type, const char *payload, const char *opts)
{
    return make_job_n(type, payload, payload ? strlen(payload) : 0, opts);
}

/* A JSON string payload of exactly len bytes: "xxx...". */
static char *payload_of_size(size_t len)
{
    char *s = malloc(len + 1);

    ck_assert_ptr_nonnull(s);
    ck_assert_uint_ge(len, 2);
    memset(s, 'x', len);
    s[0] = s[len - 1] = '"';
    s[len] = '\0';
    return s;
}

/* The envelope check of job fails with code, not retryable; returns the
 * message for further checks (valid until the job is destroyed). */
static const char *assert_rejected(struct heft_job *job, const char *code)
{
    job->retryable = 1;     /* must be overwritten with 0 */
    ck_assert_int_eq(heft_envelope_check(job, &cfg), -1);
    ck_assert_str_eq(job->code, code);
    ck_assert_int_eq(job->retryable, 0);
    return heft_buf_str(&job->message);
}

/* Options text opts is rejected as bad_option with exactly message want. */
static void assert_bad_option(const char *opts, const char *want)
{
    struct heft_job *job = make_job("echo", "{}", opts);
    const char *msg = assert_rejected(job, "bad_option");

    if (strcmp(msg, want) != 0)
        ck_abort_msg("options %s: message \"%s\", expected \"%s\"", opts, msg, want);
    heft_job_destroy(job);
}

/* Options text opts passes; the job's parsed options are copied to out. */
static void assert_options_ok(const char *opts, struct heft_opts *out)
{
    struct heft_job *job = make_job("echo", "{}", opts);

    if (heft_envelope_check(job, &cfg) != 0)
        ck_abort_msg("options %s rejected: %s: %s", opts, job->code, heft_buf_str(&job->message));
    if (out)
        *out = job->opts;
    heft_job_destroy(job);
}

static void set_deadline_in(struct heft_job *job, long long ms)
{
    long long ns;

    clock_gettime(CLOCK_MONOTONIC, &job->deadline);
    ns = (long long)job->deadline.tv_nsec + ms * 1000000LL;
    job->deadline.tv_sec += (time_t)(ns / 1000000000LL);
    ns %= 1000000000LL;
    if (ns < 0) {
        ns += 1000000000LL;
        job->deadline.tv_sec--;
    }
    job->deadline.tv_nsec = (long)ns;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* ---- envelope errors ----------------------------------------------------- */

START_TEST(test_envelope_missing_type_fails_without_retry)
{
    struct heft_job *no_type = make_job(NULL, "{}", NULL);
    struct heft_job *empty_type = make_job("", "{}", NULL);

    ck_assert_str_eq(assert_rejected(no_type, "missing_type"), "the job has no type");
    ck_assert_str_eq(assert_rejected(empty_type, "missing_type"), "the job has no type");
    heft_job_destroy(no_type);
    heft_job_destroy(empty_type);
}
END_TEST

START_TEST(test_envelope_unknown_type_fails_without_retry)
{
    struct heft_job *job = make_job("no.such.type", "{}", NULL);

    ck_assert_str_eq(assert_rejected(job, "unknown_type"),
                     "no handler for job type \"no.such.type\"");
    ck_assert_ptr_null(job->handler);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_type_names_are_case_sensitive)
{
    struct heft_job *job = make_job("Echo", "{}", NULL);

    assert_rejected(job, "unknown_type");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_payload_over_the_global_limit_is_too_large)
{
    char *at_limit = payload_of_size(cfg.max_payload_bytes);
    char *over = payload_of_size(cfg.max_payload_bytes + 1);
    struct heft_job *ok = make_job("echo", at_limit, NULL);
    struct heft_job *big = make_job("echo", over, NULL);

    ck_assert_int_eq(heft_envelope_check(ok, &cfg), 0);
    ck_assert_str_eq(assert_rejected(big, "payload_too_large"),
                     "payload is 1048577 bytes; the limit for \"echo\" is 1048576");
    ck_assert_ptr_null(big->payload);
    heft_job_destroy(ok);
    heft_job_destroy(big);
    free(at_limit);
    free(over);
}
END_TEST

START_TEST(test_envelope_payload_over_the_type_limit_is_too_large)
{
    struct heft_job *ok, *big;

    add_type("echo")->max_payload_bytes = 16;
    ok = make_job("echo", "{\"a\":\"01234567\"}", NULL);       /* 16 bytes */
    big = make_job("echo", "{\"a\":\"012345678\"}", NULL);     /* 17 bytes */
    ck_assert_int_eq(heft_envelope_check(ok, &cfg), 0);
    ck_assert_str_eq(assert_rejected(big, "payload_too_large"),
                     "payload is 17 bytes; the limit for \"echo\" is 16");
    heft_job_destroy(ok);
    heft_job_destroy(big);
}
END_TEST

/* A type's own limit replaces the global one, in both directions. */
START_TEST(test_envelope_type_limit_overrides_the_global_limit)
{
    struct heft_job *job;

    cfg.max_payload_bytes = 8;
    add_type("echo")->max_payload_bytes = 64;
    job = make_job("echo", "{\"text\":\"longer than eight\"}", NULL);
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_payload_that_is_not_json_is_bad_json)
{
    static const char *const bad[] = { "", "{", "nope", "{\"a\":1} trailing", "{'a':1}",
                                       "[1,]" };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct heft_job *job = make_job("echo", bad[i], NULL);
        const char *msg = assert_rejected(job, "bad_json");

        if (strncmp(msg, "payload is not valid JSON: ", 27) != 0 || !strstr(msg, " at line "))
            ck_abort_msg("payload '%s': message \"%s\"", bad[i], msg);
        ck_assert_ptr_null(job->payload);
        heft_job_destroy(job);
    }
}
END_TEST

/* \u0000 is valid JSON: a payload may carry NUL bytes in its strings. */
START_TEST(test_envelope_payload_may_escape_nul_bytes)
{
    struct heft_job *job = make_job("echo", "{\"blob\":\"a\\u0000b\"}", NULL);

    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_uint_eq(json_string_length(json_object_get(job->payload, "blob")), 3);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_reply_option_asks_for_the_reply_list)
{
    struct heft_job *yes = make_job("echo", "{}", "{\"reply\":true}");
    struct heft_job *no = make_job("echo", "{}", NULL);

    ck_assert_int_eq(heft_envelope_check(yes, &cfg), 0);
    ck_assert_int_eq(yes->opts.reply, 1);
    ck_assert_int_eq(heft_envelope_check(no, &cfg), 0);
    ck_assert_int_eq(no->opts.reply, 0);
    heft_job_destroy(yes);
    heft_job_destroy(no);
    assert_bad_option("{\"reply\":1}", "option \"reply\": must be true or false");
}
END_TEST

/* A client blocked on the reply list hears of a job rejected before its
 * options were read (unknown type) or because of another option. */
START_TEST(test_envelope_rejected_job_still_gets_the_reply_it_asked_for)
{
    struct heft_job *unknown = make_job("nope", "{}", "{\"reply\":true}");
    struct heft_job *bad = make_job("echo", "{}", "{\"reply\":true,\"attempts\":0}");

    assert_rejected(unknown, "unknown_type");
    ck_assert_int_eq(unknown->opts.reply, 1);
    assert_rejected(bad, "bad_option");
    ck_assert_int_eq(bad->opts.reply, 1);
    heft_job_destroy(unknown);
    heft_job_destroy(bad);
}
END_TEST

START_TEST(test_envelope_missing_payload_is_bad_json)
{
    struct heft_job *job = make_job("echo", NULL, NULL);

    assert_rejected(job, "bad_json");
    heft_job_destroy(job);
}
END_TEST

/* The payload is a length, not a C string: a NUL byte inside is not an end. */
START_TEST(test_envelope_payload_with_a_nul_byte_is_bad_json)
{
    struct heft_job *job = make_job_n("echo", "{}\0{}", 5, NULL);

    assert_rejected(job, "bad_json");
    heft_job_destroy(job);
}
END_TEST

/* The order of the checks decides which error a client sees when an
 * envelope has several things wrong. */
START_TEST(test_envelope_checks_type_then_size_then_options_then_json)
{
    struct heft_job *a = make_job("nope", "not json", "[]");
    struct heft_job *b, *c;

    cfg.max_payload_bytes = 4;
    b = make_job("echo", "not json", "[]");
    c = make_job("echo", "x", "[]");
    assert_rejected(a, "unknown_type");
    assert_rejected(b, "payload_too_large");
    assert_rejected(c, "bad_option");
    heft_job_destroy(a);
    heft_job_destroy(b);
    heft_job_destroy(c);
}
END_TEST

START_TEST(test_envelope_errors_are_never_retryable)
{
    static const struct {
        const char *type, *payload, *opts, *code;
    } cases[] = {
        { "", "{}", NULL, "missing_type" },
        { "nope", "{}", NULL, "unknown_type" },
        { "echo", "\"a payload longer than the 32 bytes allowed\"", NULL, "payload_too_large" },
        { "echo", "{", NULL, "bad_json" },
        { "echo", "{}", "{\"attempts\":0}", "bad_option" },
    };
    size_t i;

    cfg.max_payload_bytes = 32;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct heft_job *job = make_job(cases[i].type, cases[i].payload, cases[i].opts);

        assert_rejected(job, cases[i].code);
        ck_assert_str_ne(heft_buf_str(&job->message), "");
        heft_job_destroy(job);
    }
}
END_TEST

/* ---- options -------------------------------------------------------------- */

START_TEST(test_options_unknown_option_is_bad_option)
{
    assert_bad_option("{\"retries\":3}", "option \"retries\": unknown option");
    assert_bad_option("{\"attempts\":2,\"Attempts\":2}", "option \"Attempts\": unknown option");
}
END_TEST

START_TEST(test_options_of_the_wrong_type_are_bad_options)
{
    assert_bad_option("{\"attempts\":\"3\"}",
                      "option \"attempts\": must be an integer from 1 to 1000");
    assert_bad_option("{\"attempts\":2.5}",
                      "option \"attempts\": must be an integer from 1 to 1000");
    assert_bad_option("{\"attempts\":3.0}",
                      "option \"attempts\": must be an integer from 1 to 1000");
    assert_bad_option("{\"attempts\":null}",
                      "option \"attempts\": must be an integer from 1 to 1000");
    assert_bad_option("{\"timeout_ms\":true}",
                      "option \"timeout_ms\": must be an integer from 1 to 86400000");
    assert_bad_option("{\"result_ttl\":[60]}",
                      "option \"result_ttl\": must be an integer from 1 to 31536000");
    assert_bad_option("{\"delay_ms\":\"soon\"}",
                      "option \"delay_ms\": must be an integer from 0 to 31536000000");
    assert_bad_option("{\"run_at\":1.7e12}",
                      "option \"run_at\": must be an integer from 0 to 253402300799999");
}
END_TEST

START_TEST(test_options_out_of_range_are_bad_options)
{
    assert_bad_option("{\"attempts\":0}", "option \"attempts\": 0 is out of range (1 to 1000)");
    assert_bad_option("{\"attempts\":1001}",
                      "option \"attempts\": 1001 is out of range (1 to 1000)");
    assert_bad_option("{\"timeout_ms\":0}",
                      "option \"timeout_ms\": 0 is out of range (1 to 86400000)");
    assert_bad_option("{\"timeout_ms\":86400001}",
                      "option \"timeout_ms\": 86400001 is out of range (1 to 86400000)");
    assert_bad_option("{\"result_ttl\":-1}",
                      "option \"result_ttl\": -1 is out of range (1 to 31536000)");
    assert_bad_option("{\"delay_ms\":-5}",
                      "option \"delay_ms\": -5 is out of range (0 to 31536000000)");
    assert_bad_option("{\"run_at\":253402300800000}",
                      "option \"run_at\": 253402300800000 is out of range (0 to 253402300799999)");
    assert_bad_option("{\"backoff\":86400001}",
                      "option \"backoff\": 86400001 is out of range (0 to 86400000)");
}
END_TEST

START_TEST(test_options_range_ends_are_accepted)
{
    struct heft_opts o;

    assert_options_ok("{\"attempts\":1,\"timeout_ms\":1,\"result_ttl\":1,\"delay_ms\":0,"
                      "\"run_at\":0,\"backoff\":0}", &o);
    ck_assert_int_eq(o.attempts, 1);
    ck_assert_int_eq(o.timeout_ms, 1);
    ck_assert_int_eq(o.result_ttl, 1);
    ck_assert_int_eq(o.backoff_ms, 0);
    assert_options_ok("{\"attempts\":1000,\"timeout_ms\":86400000,\"result_ttl\":31536000,"
                      "\"delay_ms\":31536000000,\"run_at\":253402300799999,"
                      "\"backoff\":{\"delay_ms\":86400000,\"max_delay_ms\":604800000}}", &o);
    ck_assert_int_eq(o.attempts, 1000);
    ck_assert_int_eq(o.timeout_ms, 86400000);
    ck_assert_int_eq(o.result_ttl, 31536000);
    ck_assert_int_eq(o.backoff_ms, 86400000);
    ck_assert_int_eq(o.max_backoff_ms, 604800000);
}
END_TEST

START_TEST(test_options_must_be_an_object)
{
    assert_bad_option("[]", "options must be a JSON object");
    assert_bad_option("[{\"attempts\":3}]", "options must be a JSON object");
}
END_TEST

START_TEST(test_options_that_are_not_json_are_bad_option)
{
    static const char *const bad[] = { "{attempts: 3}", "{", " ", "3", "null",
                                       "{\"attempts\":1,\"attempts\":2}" };
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct heft_job *job = make_job("echo", "{}", bad[i]);
        const char *msg = assert_rejected(job, "bad_option");

        if (strncmp(msg, "options are not valid JSON: ", 28) != 0)
            ck_abort_msg("options '%s': message \"%s\"", bad[i], msg);
        heft_job_destroy(job);
    }
}
END_TEST

START_TEST(test_options_bad_backoff_is_bad_option)
{
    assert_bad_option("{\"backoff\":\"fast\"}",
                      "option \"backoff\": must be milliseconds or {\"type\", \"delay_ms\"}");
    assert_bad_option("{\"backoff\":1.5}",
                      "option \"backoff\": must be milliseconds or {\"type\", \"delay_ms\"}");
    assert_bad_option("{\"backoff\":{\"type\":\"linear\"}}",
                      "option \"backoff.type\": must be \"exponential\" or \"fixed\"");
    assert_bad_option("{\"backoff\":{\"type\":1}}",
                      "option \"backoff.type\": must be \"exponential\" or \"fixed\"");
    assert_bad_option("{\"backoff\":{\"delay_ms\":\"1s\"}}",
                      "option \"backoff.delay_ms\": must be an integer from 0 to 86400000");
    assert_bad_option("{\"backoff\":{\"delay_ms\":-1}}",
                      "option \"backoff.delay_ms\": -1 is out of range (0 to 86400000)");
    assert_bad_option("{\"backoff\":{\"max_delay_ms\":604800001}}",
                      "option \"backoff.max_delay_ms\": 604800001 is out of range "
                      "(0 to 604800000)");
    assert_bad_option("{\"backoff\":{\"jitter\":true}}",
                      "option \"backoff.jitter\": unknown key (use type, delay_ms or max_delay_ms)");
}
END_TEST

START_TEST(test_options_priority_is_high_normal_or_low)
{
    assert_options_ok("{\"priority\":\"high\"}", NULL);
    assert_options_ok("{\"priority\":\"normal\"}", NULL);
    assert_options_ok("{\"priority\":\"low\"}", NULL);
    assert_bad_option("{\"priority\":\"urgent\"}",
                      "option \"priority\": must be \"high\", \"normal\" or \"low\"");
    assert_bad_option("{\"priority\":\"HIGH\"}",
                      "option \"priority\": must be \"high\", \"normal\" or \"low\"");
    assert_bad_option("{\"priority\":1}",
                      "option \"priority\": must be \"high\", \"normal\" or \"low\"");
}
END_TEST

START_TEST(test_options_backoff_milliseconds_set_the_first_delay)
{
    struct heft_opts o;

    assert_options_ok("{\"backoff\":250}", &o);
    ck_assert_int_eq(o.backoff_type, HEFT_BACKOFF_EXPONENTIAL);
    ck_assert_int_eq(o.backoff_ms, 250);
    ck_assert_int_eq(o.max_backoff_ms, cfg.defaults.max_backoff_ms);
}
END_TEST

START_TEST(test_options_backoff_object_sets_type_delay_and_cap)
{
    struct heft_opts o;

    assert_options_ok("{\"backoff\":{\"type\":\"fixed\",\"delay_ms\":500,\"max_delay_ms\":9000}}",
                      &o);
    ck_assert_int_eq(o.backoff_type, HEFT_BACKOFF_FIXED);
    ck_assert_int_eq(o.backoff_ms, 500);
    ck_assert_int_eq(o.max_backoff_ms, 9000);

    /* Keys left out keep their defaults. */
    assert_options_ok("{\"backoff\":{\"type\":\"exponential\"}}", &o);
    ck_assert_int_eq(o.backoff_type, HEFT_BACKOFF_EXPONENTIAL);
    ck_assert_int_eq(o.backoff_ms, cfg.defaults.backoff_ms);
    ck_assert_int_eq(o.max_backoff_ms, cfg.defaults.max_backoff_ms);
}
END_TEST

/* ---- valid envelopes ------------------------------------------------------ */

START_TEST(test_envelope_valid_job_gets_payload_options_and_handler)
{
    struct heft_job *job = make_job("echo", "{\"n\":7,\"s\":\"x\"}",
                                    "{\"attempts\":5,\"timeout_ms\":1500,\"result_ttl\":60,"
                                    "\"priority\":\"high\",\"delay_ms\":10}");

    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_ptr_eq(job->handler, heft_handler_find("echo"));
    ck_assert_str_eq(job->handler->type, "echo");
    ck_assert_ptr_null(job->tconf);
    ck_assert(json_is_object(job->payload));
    ck_assert_int_eq(json_integer_value(json_object_get(job->payload, "n")), 7);
    ck_assert_str_eq(json_string_value(json_object_get(job->payload, "s")), "x");
    ck_assert_int_eq(job->opts.attempts, 5);
    ck_assert_int_eq(job->opts.timeout_ms, 1500);
    ck_assert_int_eq(job->opts.result_ttl, 60);
    ck_assert_str_eq(job->code, "");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_payload_may_be_any_json_value)
{
    static const char *const ok[] = { "42", "\"text\"", "[1,2]", "null", "true", " {} " };
    size_t i;

    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct heft_job *job = make_job("echo", ok[i], NULL);

        if (heft_envelope_check(job, &cfg) != 0)
            ck_abort_msg("payload '%s' rejected: %s", ok[i], heft_buf_str(&job->message));
        ck_assert_ptr_nonnull(job->payload);
        heft_job_destroy(job);
    }
}
END_TEST

START_TEST(test_envelope_defaults_come_from_the_config)
{
    struct heft_job *job;

    cfg.defaults.attempts = 7;
    cfg.defaults.timeout_ms = 4321;
    cfg.defaults.result_ttl = 99;
    cfg.defaults.backoff_ms = 10;
    cfg.defaults.max_backoff_ms = 80;
    job = make_job("echo", "{}", "{}");
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_int_eq(job->opts.attempts, 7);
    ck_assert_int_eq(job->opts.timeout_ms, 4321);
    ck_assert_int_eq(job->opts.result_ttl, 99);
    ck_assert_int_eq(job->opts.backoff_type, HEFT_BACKOFF_EXPONENTIAL);
    ck_assert_int_eq(job->opts.backoff_ms, 10);
    ck_assert_int_eq(job->opts.max_backoff_ms, 80);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_empty_options_mean_defaults)
{
    struct heft_job *none = make_job("echo", "{}", NULL);
    struct heft_job *empty = make_job("echo", "{}", "");

    ck_assert_int_eq(heft_envelope_check(none, &cfg), 0);
    ck_assert_int_eq(heft_envelope_check(empty, &cfg), 0);
    ck_assert_int_eq(empty->opts.attempts, 3);
    ck_assert_int_eq(empty->opts.timeout_ms, 300000);
    ck_assert_int_eq(empty->opts.result_ttl, 86400);
    ck_assert_int_eq(empty->opts.backoff_type, HEFT_BACKOFF_EXPONENTIAL);
    ck_assert_int_eq(empty->opts.backoff_ms, 1000);
    ck_assert_int_eq(empty->opts.max_backoff_ms, 3600000);
    ck_assert_mem_eq(&none->opts, &empty->opts, sizeof none->opts);
    heft_job_destroy(none);
    heft_job_destroy(empty);
}
END_TEST

START_TEST(test_envelope_type_timeout_applies_without_a_timeout_option)
{
    struct heft_type_conf *t = add_type("echo");
    struct heft_job *job = make_job("echo", "{}", "{\"attempts\":2}");

    t->timeout_ms = 5000;
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_ptr_eq(job->tconf, t);
    ck_assert_int_eq(job->opts.timeout_ms, 5000);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_timeout_option_beats_the_type_timeout)
{
    struct heft_job *job = make_job("echo", "{}", "{\"timeout_ms\":700}");

    add_type("echo")->timeout_ms = 5000;
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_int_eq(job->opts.timeout_ms, 700);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_type_without_a_timeout_inherits_the_default)
{
    struct heft_job *job = make_job("echo", "{}", NULL);

    add_type("echo")->max_payload_bytes = 100;      /* timeout_ms 0: inherit */
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_int_eq(job->opts.timeout_ms, cfg.defaults.timeout_ms);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_envelope_settings_of_another_type_do_not_apply)
{
    struct heft_job *job = make_job("echo", "{\"text\":\"long enough\"}", NULL);
    struct heft_type_conf *other = add_type("pdf.render");

    other->timeout_ms = 5;
    other->max_payload_bytes = 4;
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_ptr_null(job->tconf);
    ck_assert_int_eq(job->opts.timeout_ms, cfg.defaults.timeout_ms);
    heft_job_destroy(job);
}
END_TEST

/* ---- backoff ------------------------------------------------------------- */

static struct heft_opts backoff_opts(enum heft_backoff_type type, long long first, long long cap)
{
    struct heft_opts o = { .attempts = 3, .timeout_ms = 1000, .result_ttl = 60, .backoff_type = type,
                           .backoff_ms = first, .max_backoff_ms = cap };

    return o;
}

/* With equal jitter, rnd 0 gives the fixed half of delay d (rounded up) and
 * rnd d/2 the whole of it. */
static void assert_delay(const struct heft_opts *o, int attempt, long long d)
{
    long long low = heft_backoff_ms(o, attempt, 0);
    long long high = heft_backoff_ms(o, attempt, (uint32_t)(d / 2));

    if (low != d - d / 2 || high != d)
        ck_abort_msg("retry %d: delays %lld..%lld, expected %lld..%lld",
                     attempt, low, high, d - d / 2, d);
}

START_TEST(test_backoff_first_retry_waits_backoff_ms)
{
    struct heft_opts o = backoff_opts(HEFT_BACKOFF_EXPONENTIAL, 1000, 3600000);

    assert_delay(&o, 1, 1000);
}
END_TEST

START_TEST(test_backoff_doubles_until_the_cap)
{
    struct heft_opts o = backoff_opts(HEFT_BACKOFF_EXPONENTIAL, 1000, 10000);

    assert_delay(&o, 1, 1000);
    assert_delay(&o, 2, 2000);
    assert_delay(&o, 3, 4000);
    assert_delay(&o, 4, 8000);
    assert_delay(&o, 5, 10000);
    assert_delay(&o, 6, 10000);
    assert_delay(&o, 1000, 10000);
}
END_TEST

START_TEST(test_backoff_first_delay_above_the_cap_is_capped)
{
    struct heft_opts expo = backoff_opts(HEFT_BACKOFF_EXPONENTIAL, 7200000, 3600000);
    struct heft_opts fixed = backoff_opts(HEFT_BACKOFF_FIXED, 7200000, 3600000);

    assert_delay(&expo, 1, 3600000);
    ck_assert_int_eq(heft_backoff_ms(&fixed, 1, 0), 3600000);
}
END_TEST

START_TEST(test_backoff_equal_jitter_stays_between_half_and_all_of_the_delay)
{
    static const long long delays[] = { 2, 3, 999, 1000, 86400000 };
    static const uint32_t fixed_rnd[] = { 0, 1, 2, 499, 500, 501, 65535, 0x80000000u,
                                          UINT32_MAX - 1, UINT32_MAX };
    uint32_t rnd = 12345;
    size_t i, k;

    for (i = 0; i < sizeof delays / sizeof delays[0]; i++) {
        struct heft_opts o = backoff_opts(HEFT_BACKOFF_EXPONENTIAL, delays[i], 604800000);
        long long d = delays[i];

        for (k = 0; k < sizeof fixed_rnd / sizeof fixed_rnd[0] + 1000; k++) {
            uint32_t r = k < sizeof fixed_rnd / sizeof fixed_rnd[0]
                             ? fixed_rnd[k] : (rnd = rnd * 1103515245u + 12345u);
            long long got = heft_backoff_ms(&o, 1, r);

            if (2 * got < d || got > d)
                ck_abort_msg("delay %lld, rnd %u: %lld is outside [d/2, d]", d, r, got);
        }
        /* rnd does spread it. */
        ck_assert_int_ne(heft_backoff_ms(&o, 1, 0), heft_backoff_ms(&o, 1, 1));
    }
}
END_TEST

START_TEST(test_backoff_fixed_ignores_attempt_and_has_no_jitter)
{
    struct heft_opts o = backoff_opts(HEFT_BACKOFF_FIXED, 250, 3600000);
    static const uint32_t rnd[] = { 0, 1, 125, 0x80000000u, UINT32_MAX };
    size_t k;
    int attempt;

    for (attempt = 1; attempt <= 20; attempt++)
        for (k = 0; k < sizeof rnd / sizeof rnd[0]; k++)
            ck_assert_int_eq(heft_backoff_ms(&o, attempt, rnd[k]), 250);
}
END_TEST

START_TEST(test_backoff_zero_delay_gives_zero)
{
    struct heft_opts expo = backoff_opts(HEFT_BACKOFF_EXPONENTIAL, 0, 3600000);
    struct heft_opts fixed = backoff_opts(HEFT_BACKOFF_FIXED, 0, 3600000);
    struct heft_opts capped = backoff_opts(HEFT_BACKOFF_EXPONENTIAL, 1000, 0);

    ck_assert_int_eq(heft_backoff_ms(&expo, 1, UINT32_MAX), 0);
    ck_assert_int_eq(heft_backoff_ms(&expo, 10, UINT32_MAX), 0);
    ck_assert_int_eq(heft_backoff_ms(&expo, 1000, 7), 0);
    ck_assert_int_eq(heft_backoff_ms(&fixed, 3, UINT32_MAX), 0);
    ck_assert_int_eq(heft_backoff_ms(&capped, 4, UINT32_MAX), 0);
}
END_TEST

START_TEST(test_backoff_of_1_ms_has_no_room_for_jitter)
{
    struct heft_opts o = backoff_opts(HEFT_BACKOFF_EXPONENTIAL, 1, 1);

    ck_assert_int_eq(heft_backoff_ms(&o, 1, 0), 1);
    ck_assert_int_eq(heft_backoff_ms(&o, 5, UINT32_MAX), 1);
}
END_TEST

/* ---- the job API of <heft/job.h> ------------------------------------------ */

START_TEST(test_job_getters_return_what_the_job_was_created_with)
{
    struct heft_job *job = make_job("echo", "{\"k\":\"v\"}", NULL);

    job->attempt = 2;
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_str_eq(heft_job_id(job), "job-1");
    ck_assert_str_eq(heft_job_type(job), "echo");
    ck_assert_str_eq(heft_job_queue(job), "default");
    ck_assert_int_eq(heft_job_attempt(job), 2);
    ck_assert_ptr_eq(heft_job_payload(job), job->payload);
    ck_assert_str_eq(job->entry, "1-0");
    ck_assert_int_eq(job->band, HEFT_BAND_NORMAL);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_create_copies_the_entry_and_starts_without_progress)
{
    char entry[] = "1700000000000-3";
    struct heft_job *job = heft_job_create(2, "mail", HEFT_BAND_HIGH, entry);

    ck_assert_ptr_nonnull(job);
    entry[0] = '9';
    ck_assert_str_eq(job->entry, "1700000000000-3");
    ck_assert_int_eq(job->queue, 2);
    ck_assert_str_eq(heft_job_queue(job), "mail");
    ck_assert_int_eq(job->band, HEFT_BAND_HIGH);
    ck_assert_int_eq(atomic_load(&job->progress), -1);
    ck_assert_int_eq(atomic_load(&job->cancel), 0);
    ck_assert_int_eq(job->outcome, HEFT_OUT_NONE);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_limit_returns_the_configured_limit_or_the_fallback)
{
    struct heft_type_conf *t = add_type("echo");
    struct heft_job *job = make_job("echo", "{}", NULL);

    /* No settings for the type at all. */
    ck_assert_int_eq(heft_job_limit(job, "max_pages", 10), 10);

    add_limit(t, "max_pages", 50);
    add_limit(t, "max_width", 0);
    ck_assert_int_eq(heft_envelope_check(job, &cfg), 0);
    ck_assert_int_eq(heft_job_limit(job, "max_pages", 10), 50);
    ck_assert_int_eq(heft_job_limit(job, "max_width", 10), 0);
    ck_assert_int_eq(heft_job_limit(job, "max_height", -1), -1);
    ck_assert_int_eq(heft_job_limit(job, "MAX_PAGES", 10), 10);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_fail_returns_err_and_records_code_retryable_and_message)
{
    struct heft_job *job = make_job("echo", "{}", NULL);

    ck_assert_int_eq(heft_job_fail(job, "bad_input", 0, "page %d of %s", 3, "a.pdf"), HEFT_ERR);
    ck_assert_str_eq(job->code, "bad_input");
    ck_assert_int_eq(job->retryable, 0);
    ck_assert_str_eq(heft_buf_str(&job->message), "page 3 of a.pdf");

    /* A later failure replaces the earlier one entirely. */
    ck_assert_int_eq(heft_job_fail(job, "busy", 1, "try later"), HEFT_ERR);
    ck_assert_str_eq(job->code, "busy");
    ck_assert_int_eq(job->retryable, 1);
    ck_assert_str_eq(heft_buf_str(&job->message), "try later");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_fail_without_a_code_records_error)
{
    struct heft_job *job = make_job("echo", "{}", NULL);

    ck_assert_int_eq(heft_job_fail(job, NULL, 1, "%s", "no code"), HEFT_ERR);
    ck_assert_str_eq(job->code, "error");
    ck_assert_int_eq(heft_job_fail(job, "", 1, "%s", "empty code"), HEFT_ERR);
    ck_assert_str_eq(job->code, "error");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_set_result_steals_the_reference)
{
    struct heft_job *job = make_job("echo", "{}", NULL);
    json_t *first = json_pack("{s:i}", "n", 1);
    json_t *second = json_string("done");

    ck_assert_int_eq(heft_job_set_result(job, first), HEFT_OK);
    ck_assert_ptr_eq(job->result, first);
    ck_assert_uint_eq(first->refcount, 1);      /* not incref'd: the job owns it */

    /* A later result replaces (and releases) the earlier one. */
    ck_assert_int_eq(heft_job_set_result(job, second), HEFT_OK);
    ck_assert_ptr_eq(job->result, second);

    ck_assert_int_eq(heft_job_set_result(job, NULL), HEFT_ERR);
    ck_assert_ptr_eq(job->result, second);
    heft_job_destroy(job);      /* frees second; valgrind checks first was freed */
}
END_TEST

START_TEST(test_job_set_blob_copies_the_bytes)
{
    struct heft_job *job = make_job("echo", "{}", NULL);
    char bytes[] = { 'P', 'N', 'G', '\0', 1, 2 };

    ck_assert_int_eq(heft_job_set_blob(job, bytes, sizeof bytes), HEFT_OK);
    memset(bytes, 0, sizeof bytes);
    ck_assert_uint_eq(job->blob.len, 6);
    ck_assert_mem_eq(job->blob.data, "PNG\0\1\2", 6);
    ck_assert_ptr_ne(job->blob.data, bytes);

    /* A later blob replaces the earlier one. */
    ck_assert_int_eq(heft_job_set_blob(job, "xy", 2), HEFT_OK);
    ck_assert_uint_eq(job->blob.len, 2);
    ck_assert_mem_eq(job->blob.data, "xy", 3);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_progress_is_clamped_to_0_100)
{
    struct heft_job *job = make_job("echo", "{}", NULL);

    heft_job_progress(job, 42);
    ck_assert_int_eq(atomic_load(&job->progress), 42);
    heft_job_progress(job, -5);
    ck_assert_int_eq(atomic_load(&job->progress), 0);
    heft_job_progress(job, 150);
    ck_assert_int_eq(atomic_load(&job->progress), 100);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_is_not_cancelled_before_its_deadline)
{
    struct heft_job *job = make_job("echo", "{}", NULL);

    set_deadline_in(job, 60000);
    ck_assert_int_eq(heft_job_cancelled(job), 0);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_cancelled_becomes_true_after_the_deadline)
{
    struct heft_job *job = make_job("echo", "{}", NULL);
    int i;

    set_deadline_in(job, 20);
    /* Bounded: 2 s is far beyond the 20 ms deadline. */
    for (i = 0; i < 200 && !heft_job_cancelled(job); i++)
        sleep_ms(10);
    ck_assert_int_ne(heft_job_cancelled(job), 0);
    ck_assert_int_eq(heft_job_remaining_ms(job), 0);
    ck_assert_int_eq(atomic_load(&job->cancel), 0);     /* the deadline alone did it */
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_cancelled_becomes_true_when_cancel_is_set)
{
    struct heft_job *job = make_job("echo", "{}", NULL);

    set_deadline_in(job, 60000);
    atomic_store(&job->cancel, 1);
    ck_assert_int_ne(heft_job_cancelled(job), 0);
    ck_assert_int_gt(heft_job_remaining_ms(job), 0);    /* the deadline is still ahead */
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_remaining_ms_counts_down_to_the_deadline)
{
    struct heft_job *job = make_job("echo", "{}", NULL);
    long long ms;

    set_deadline_in(job, 10000);
    ms = heft_job_remaining_ms(job);
    ck_assert_int_gt(ms, 0);
    ck_assert_int_le(ms, 10000);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_remaining_ms_is_never_negative)
{
    struct heft_job *job = make_job("echo", "{}", NULL);

    set_deadline_in(job, -5000);
    ck_assert_int_eq(heft_job_remaining_ms(job), 0);
    ck_assert_int_ne(heft_job_cancelled(job), 0);
    set_deadline_in(job, -1);
    ck_assert_int_eq(heft_job_remaining_ms(job), 0);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_job_destroy_accepts_null)
{
    heft_job_destroy(NULL);
}
END_TEST

static TCase *errors_tcase(void)
{
    TCase *tc = tcase_create("errors");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_envelope_missing_type_fails_without_retry);
    tcase_add_test(tc, test_envelope_unknown_type_fails_without_retry);
    tcase_add_test(tc, test_envelope_type_names_are_case_sensitive);
    tcase_add_test(tc, test_envelope_payload_over_the_global_limit_is_too_large);
    tcase_add_test(tc, test_envelope_payload_over_the_type_limit_is_too_large);
    tcase_add_test(tc, test_envelope_type_limit_overrides_the_global_limit);
    tcase_add_test(tc, test_envelope_payload_that_is_not_json_is_bad_json);
    tcase_add_test(tc, test_envelope_payload_may_escape_nul_bytes);
    tcase_add_test(tc, test_envelope_missing_payload_is_bad_json);
    tcase_add_test(tc, test_envelope_reply_option_asks_for_the_reply_list);
    tcase_add_test(tc, test_envelope_rejected_job_still_gets_the_reply_it_asked_for);
    tcase_add_test(tc, test_envelope_payload_with_a_nul_byte_is_bad_json);
    tcase_add_test(tc, test_envelope_checks_type_then_size_then_options_then_json);
    tcase_add_test(tc, test_envelope_errors_are_never_retryable);
    return tc;
}

static TCase *options_tcase(void)
{
    TCase *tc = tcase_create("options");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_unknown_option_is_bad_option);
    tcase_add_test(tc, test_options_of_the_wrong_type_are_bad_options);
    tcase_add_test(tc, test_options_out_of_range_are_bad_options);
    tcase_add_test(tc, test_options_range_ends_are_accepted);
    tcase_add_test(tc, test_options_must_be_an_object);
    tcase_add_test(tc, test_options_that_are_not_json_are_bad_option);
    tcase_add_test(tc, test_options_bad_backoff_is_bad_option);
    tcase_add_test(tc, test_options_priority_is_high_normal_or_low);
    tcase_add_test(tc, test_options_backoff_milliseconds_set_the_first_delay);
    tcase_add_test(tc, test_options_backoff_object_sets_type_delay_and_cap);
    return tc;
}

static TCase *valid_tcase(void)
{
    TCase *tc = tcase_create("valid");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_envelope_valid_job_gets_payload_options_and_handler);
    tcase_add_test(tc, test_envelope_payload_may_be_any_json_value);
    tcase_add_test(tc, test_envelope_defaults_come_from_the_config);
    tcase_add_test(tc, test_envelope_empty_options_mean_defaults);
    tcase_add_test(tc, test_envelope_type_timeout_applies_without_a_timeout_option);
    tcase_add_test(tc, test_envelope_timeout_option_beats_the_type_timeout);
    tcase_add_test(tc, test_envelope_type_without_a_timeout_inherits_the_default);
    tcase_add_test(tc, test_envelope_settings_of_another_type_do_not_apply);
    return tc;
}

static TCase *backoff_tcase(void)
{
    TCase *tc = tcase_create("backoff");

    tcase_add_test(tc, test_backoff_first_retry_waits_backoff_ms);
    tcase_add_test(tc, test_backoff_doubles_until_the_cap);
    tcase_add_test(tc, test_backoff_first_delay_above_the_cap_is_capped);
    tcase_add_test(tc, test_backoff_equal_jitter_stays_between_half_and_all_of_the_delay);
    tcase_add_test(tc, test_backoff_fixed_ignores_attempt_and_has_no_jitter);
    tcase_add_test(tc, test_backoff_zero_delay_gives_zero);
    tcase_add_test(tc, test_backoff_of_1_ms_has_no_room_for_jitter);
    return tc;
}

static TCase *job_tcase(void)
{
    TCase *tc = tcase_create("job");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_job_getters_return_what_the_job_was_created_with);
    tcase_add_test(tc, test_job_create_copies_the_entry_and_starts_without_progress);
    tcase_add_test(tc, test_job_limit_returns_the_configured_limit_or_the_fallback);
    tcase_add_test(tc, test_job_fail_returns_err_and_records_code_retryable_and_message);
    tcase_add_test(tc, test_job_fail_without_a_code_records_error);
    tcase_add_test(tc, test_job_set_result_steals_the_reference);
    tcase_add_test(tc, test_job_set_blob_copies_the_bytes);
    tcase_add_test(tc, test_job_progress_is_clamped_to_0_100);
    tcase_add_test(tc, test_job_is_not_cancelled_before_its_deadline);
    tcase_add_test(tc, test_job_cancelled_becomes_true_after_the_deadline);
    tcase_add_test(tc, test_job_cancelled_becomes_true_when_cancel_is_set);
    tcase_add_test(tc, test_job_remaining_ms_counts_down_to_the_deadline);
    tcase_add_test(tc, test_job_remaining_ms_is_never_negative);
    tcase_add_test(tc, test_job_destroy_accepts_null);
    return tc;
}

static Suite *envelope_suite(void)
{
    Suite *s = suite_create("envelope");

    suite_add_tcase(s, errors_tcase());
    suite_add_tcase(s, options_tcase());
    suite_add_tcase(s, valid_tcase());
    suite_add_tcase(s, backoff_tcase());
    suite_add_tcase(s, job_tcase());
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(envelope_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
