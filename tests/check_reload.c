/*
 * check_reload.c - SIGHUP reloads heftd's configuration (src/daemon.c,
 * reload()): the file, the environment and the flags are read again and
 * every handler's init checks its settings again; a configuration that is
 * refused leaves the running one in place and says why in the log.  An
 * accepted one is applied once the jobs running at the reload have
 * finished under the configuration they started with, so no job is lost
 * or run twice.  Against a real redis-server and heftd (tests/harness.h).
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct harness H;
static const char *config;     /* the heftd's -c file, rewritten by the tests */

static void setup(void)
{
    h_setup(&H);
    config = h_write_file(&H, "heft.yaml", "concurrency: 1\n");
    config = strdup(config);
}

static void teardown(void)
{
    free((char *)config);
    h_teardown(&H);
}

static void reload_with(const char *yaml)
{
    h_write_file(&H, "heft.yaml", yaml);
    kill(H.heftd_pid, SIGHUP);
}

/* A field of this heftd's heartbeat hash, once it equals want (0), or -1. */
static int wait_worker_field(const char *field, const char *want, long long ms)
{
    char key[300];
    long long until = h_mono_ms() + ms;
    const char *v;

    snprintf(key, sizeof key, "heft:worker:%s", H.consumer);
    do {
        v = h_str(&H, NULL, "HGET", key, field, NULL);
        if (v && !strcmp(v, want))
            return 0;
        h_sleep_ms(20);
    } while (h_mono_ms() < until);
    return -1;
}

static long long stat_of(const char *counter)
{
    const char *v = h_str(&H, NULL, "HGET", h_key(&H, "stats"), counter, NULL);

    return v ? atoll(v) : 0;
}

START_TEST(test_sighup_applies_a_new_concurrency_and_queue_list)
{
    h_heftd_start(&H, NULL, "-c", config, NULL);
    ck_assert_int_eq(wait_worker_field("concurrency", "1", 5000), 0);
    reload_with("concurrency: 3\nqueues: [default, mail]\n");
    ck_assert_msg(wait_worker_field("concurrency", "3", 5000) == 0, "concurrency still not 3");
    ck_assert_msg(wait_worker_field("queues", "default,mail", 5000) == 0, "queues not reloaded");
    ck_assert_msg(h_wait_log(&H, "reloaded: 2 queue(s) with 3 worker thread(s)", 5000) == 0,
                  "the reload was not logged");
    /* the new queue is served */
    h_enqueue(&H, "after-reload", "echo", "{}", NULL);
    ck_assert_msg(h_wait_state(&H, "after-reload", "succeeded", 5000) == 0,
                  "no job ran after the reload");
}
END_TEST

/* Reloads while 300 jobs flow through: every job ends succeeded, on its
 * first attempt, with one reply. */
START_TEST(test_jobs_in_flight_at_reloads_are_neither_lost_nor_repeated)
{
    const int n = 300;
    char id[32], key[48];
    int i, reloads = 0;

    h_heftd_start(&H, NULL, "-c", config, NULL);
    for (i = 0; i < n; i++) {
        snprintf(id, sizeof id, "flow-%03d", i);
        h_enqueue_append(&H, id, "echo", "{\"sleep_ms\":5}", NULL);
    }
    h_enqueue_flush(&H);
    while (stat_of("succeeded") < n && reloads < 4) {
        h_sleep_ms(150);
        reload_with(reloads % 2 ? "concurrency: 1\n" : "concurrency: 4\nprefetch: 2\n");
        reloads++;
    }
    for (i = 0; i < n; i++) {
        json_t *r;

        snprintf(id, sizeof id, "flow-%03d", i);
        r = h_wait_reply(&H, id, 20000);
        ck_assert_msg(r != NULL, "job %s never ended", id);
        ck_assert_str_eq(json_string_value(json_object_get(r, "state")), "succeeded");
        json_decref(r);
        ck_assert_str_eq(h_hget(&H, id, "attempt"), "1");
        snprintf(key, sizeof key, "reply:%s", id);
        ck_assert_int_eq(h_int(&H, "LLEN", h_key(&H, key), NULL), 0);
    }
    ck_assert_int_eq(stat_of("succeeded"), n);
    ck_assert_msg(reloads >= 2, "the jobs ended before two reloads (%d)", reloads);
    ck_assert_msg(!h_log_contains(&H, "grace over"), "a running job was cut short");
}
END_TEST

START_TEST(test_a_refused_configuration_leaves_the_running_one)
{
    h_heftd_start(&H, NULL, "-c", config, NULL);
    reload_with("concurrency: 2\nqueues:\n  - {name: default, weight: 0}\n");
    ck_assert_msg(h_wait_log(&H, "the running configuration stays", 5000) == 0,
                  "the refused reload was not logged");
    ck_assert_msg(h_log_contains(&H, "heft.yaml:3: queues[0].weight"),
                  "the message does not name the file, line and key");
    ck_assert_int_eq(wait_worker_field("concurrency", "1", 2000), 0);
    h_enqueue(&H, "still-serving", "echo", "{}", NULL);
    ck_assert_msg(h_wait_state(&H, "still-serving", "succeeded", 5000) == 0,
                  "heftd stopped serving after a refused reload");
}
END_TEST

START_TEST(test_a_handler_refusing_its_new_settings_leaves_the_running_configuration)
{
    h_heftd_start(&H, NULL, "-c", config, NULL);
    reload_with("jobs:\n  types:\n    pdf.render:\n      no_such_setting: 1\n");
    ck_assert_msg(h_wait_log(&H, "jobs.types.pdf.render.no_such_setting", 5000) == 0,
                  "the handler's refusal was not logged");
    ck_assert_msg(h_log_contains(&H, "the running configuration stays"), "no word on what stays");
}
END_TEST

/* (The harness names the Redis in HEFT_REDIS_URL, which wins over the
 * file's url: another user stands for another Redis here.) */
START_TEST(test_another_redis_needs_a_restart_not_a_reload)
{
    h_heftd_start(&H, NULL, "-c", config, NULL);
    reload_with("redis:\n  username: someone-else\n");
    ck_assert_msg(h_wait_log(&H, "the Redis settings changed, which needs a restart", 5000) == 0,
                  "a reload to another Redis was not refused");
}
END_TEST

/* journald keeps a line's level from its "<N>" prefix: start, a failed
 * job, a reload, a refused reload and the stop all carry one. */
START_TEST(test_every_line_heftd_logs_carries_a_syslog_priority)
{
    char *log, *line, *save;
    int lines = 0;

    h_heftd_start(&H, NULL, "-c", config, NULL);
    h_enqueue(&H, "failing", "echo", "{\"fail_permanent\":\"nope\"}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "failing", "failed", 5000), 0);
    reload_with("concurrency: 2\n");
    ck_assert_int_eq(h_wait_log(&H, "reloaded:", 5000), 0);
    reload_with("concurrency: -1\n");
    ck_assert_int_eq(h_wait_log(&H, "the running configuration stays", 5000), 0);
    ck_assert_int_eq(h_heftd_stop(&H, 10000), 0);

    log = h_read_file(H.log, NULL);
    ck_assert_ptr_nonnull(log);
    for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "---- heftd run", 14))
            continue;       /* the harness's own header */
        ck_assert_msg(line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>',
                      "a log line without a priority: %s", line);
        lines++;
    }
    free(log);
    ck_assert_msg(lines >= 8, "only %d log lines", lines);
}
END_TEST

static Suite *reload_suite(void)
{
    Suite *s = suite_create("reload");
    TCase *tc = tcase_create("reload");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 90);
    tcase_add_test(tc, test_sighup_applies_a_new_concurrency_and_queue_list);
    tcase_add_test(tc, test_jobs_in_flight_at_reloads_are_neither_lost_nor_repeated);
    tcase_add_test(tc, test_a_refused_configuration_leaves_the_running_one);
    tcase_add_test(tc, test_a_handler_refusing_its_new_settings_leaves_the_running_configuration);
    tcase_add_test(tc, test_another_redis_needs_a_restart_not_a_reload);
    tcase_add_test(tc, test_every_line_heftd_logs_carries_a_syslog_priority);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(reload_suite());
    int failed;

    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
