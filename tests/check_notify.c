/*
 * check_notify.c - what heftd tells systemd (sd_notify, src/notify.c),
 * read from a real notify socket: a datagram socket the test listens on,
 * named in NOTIFY_SOCKET as systemd does for a Type=notify unit.
 *
 * READY=1 comes only once heftd serves (Redis reachable and checked);
 * WATCHDOG=1 comes at half the interval of WATCHDOG_USEC; SIGTERM brings
 * STOPPING=1 with the time the drain may take (EXTEND_TIMEOUT_USEC).
 * Skipped when heftd was built without libsystemd.
 */
#include "autoconfig.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"

static struct harness H;
static int sock = -1;

static void setup(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    h_setup(&H);
    ck_assert_msg(strlen(H.dir) + sizeof "/notify" <= sizeof sa.sun_path,
                  "%s: too long for a socket path", H.dir);
    memcpy(sa.sun_path, H.dir, strlen(H.dir));
    memcpy(sa.sun_path + strlen(H.dir), "/notify", sizeof "/notify");
    sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ck_assert_msg(sock >= 0 && bind(sock, (struct sockaddr *)&sa, sizeof sa) == 0,
                  "notify socket: %s", strerror(errno));
    setenv("NOTIFY_SOCKET", sa.sun_path, 1);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

static void teardown(void)
{
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    close(sock);
    h_teardown(&H);
}

/* The next notification within ms, NUL-terminated in buf; 0, or -1. */
static int next_message(char *buf, size_t size, long long ms)
{
    struct pollfd p = { .fd = sock, .events = POLLIN };
    ssize_t n;

    if (poll(&p, 1, (int)(ms > 0 ? ms : 0)) != 1)
        return -1;
    n = recv(sock, buf, size - 1, 0);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* Wait up to ms for a notification with the line `line`; 0, or -1.
 * *seen (may be NULL) counts the notifications read meanwhile. */
static int wait_line(const char *line, long long ms, int *seen, char *got, size_t size)
{
    long long until = h_mono_ms() + ms;
    char buf[1024];
    size_t len = strlen(line);

    while (next_message(buf, sizeof buf, until - h_mono_ms()) == 0) {
        if (seen)
            (*seen)++;
        for (const char *p = buf; (p = strstr(p, line)); p += len)
            if ((p == buf || p[-1] == '\n') && (p[len] == '\n' || p[len] == '\0' || p[len] == '=')) {
                if (got)
                    snprintf(got, size, "%s", buf);
                return 0;
            }
    }
    return -1;
}

START_TEST(test_ready_comes_only_once_redis_answers)
{
    char got[1024];

    h_redis_stop(&H);
    h_heftd_spawn(&H, NULL, NULL);
    ck_assert_msg(wait_line("READY=1", 1500, NULL, NULL, 0) < 0,
                  "heftd said READY=1 while Redis was down");
    h_redis_restart(&H);
    ck_assert_msg(wait_line("READY=1", 10000, NULL, got, sizeof got) == 0, "no READY=1");
    ck_assert_msg(strstr(got, "STATUS=serving 1 queue(s)"), "READY without its status: %s", got);
}
END_TEST

START_TEST(test_watchdog_pings_come_at_half_the_interval)
{
    long long t0;
    int pings = 0;

    setenv("WATCHDOG_USEC", "400000", 1);
    h_heftd_start(&H, NULL, NULL);
    t0 = h_mono_ms();
    while (h_mono_ms() - t0 < 2000)
        if (wait_line("WATCHDOG=1", 2000 - (h_mono_ms() - t0), NULL, NULL, 0) == 0)
            pings++;
    /* every 200 ms: 10 in 2 s; wide bounds for a busy machine */
    ck_assert_msg(pings >= 6 && pings <= 14, "%d WATCHDOG=1 in 2 s with WATCHDOG_USEC=400000",
                  pings);
}
END_TEST

START_TEST(test_without_a_watchdog_heftd_sends_no_pings)
{
    int seen = 0;

    h_heftd_start(&H, NULL, NULL);
    ck_assert_msg(wait_line("WATCHDOG=1", 1500, &seen, NULL, 0) < 0,
                  "WATCHDOG=1 sent while systemd asked for none");
}
END_TEST

START_TEST(test_sigterm_brings_stopping_with_the_time_to_drain)
{
    char got[1024];

    h_heftd_start(&H, "shutdown_grace_ms: 5000\n", NULL);
    ck_assert_int_eq(wait_line("READY=1", 5000, NULL, NULL, 0), 0);
    kill(H.heftd_pid, SIGTERM);
    ck_assert_msg(wait_line("STOPPING=1", 5000, NULL, got, sizeof got) == 0, "no STOPPING=1");
    /* grace + 10 s, in microseconds */
    ck_assert_msg(strstr(got, "EXTEND_TIMEOUT_USEC=15000000"), "STOPPING without the time: %s",
                  got);
    ck_assert_int_eq(h_heftd_wait_exit(&H, 10000), 0);
}
END_TEST

START_TEST(test_status_tells_busy_workers_and_totals)
{
    char got[1024];

    h_heftd_start(&H, "concurrency: 2\n", NULL);
    h_enqueue(&H, "busy-1", "echo", "{\"sleep_ms\":4000}", NULL);
    ck_assert_msg(wait_line("STATUS", 5000, NULL, got, sizeof got) == 0, "no STATUS");
    while (!strstr(got, "1 of 2 workers busy"))
        ck_assert_msg(wait_line("STATUS", 5000, NULL, got, sizeof got) == 0,
                      "STATUS never said the busy worker: %s", got);
}
END_TEST

START_TEST(test_a_reload_says_reloading_then_ready)
{
    const char *cfg = h_write_file(&H, "heft.yaml", "concurrency: 1\n");
    char got[1024];

    h_heftd_start(&H, NULL, "-c", cfg, NULL);
    ck_assert_int_eq(wait_line("READY=1", 5000, NULL, NULL, 0), 0);
    h_write_file(&H, "heft.yaml", "concurrency: 2\n");
    kill(H.heftd_pid, SIGHUP);
    ck_assert_msg(wait_line("RELOADING=1", 5000, NULL, got, sizeof got) == 0, "no RELOADING=1");
    ck_assert_msg(strstr(got, "MONOTONIC_USEC="), "RELOADING=1 without MONOTONIC_USEC: %s", got);
    ck_assert_msg(wait_line("READY=1", 5000, NULL, got, sizeof got) == 0, "no READY=1 after it");
    ck_assert_msg(strstr(got, "with 2 worker thread(s)"), "READY before the new config: %s", got);
}
END_TEST

static Suite *notify_suite(void)
{
    Suite *s = suite_create("notify");
    TCase *tc = tcase_create("notify");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ready_comes_only_once_redis_answers);
    tcase_add_test(tc, test_watchdog_pings_come_at_half_the_interval);
    tcase_add_test(tc, test_without_a_watchdog_heftd_sends_no_pings);
    tcase_add_test(tc, test_sigterm_brings_stopping_with_the_time_to_drain);
    tcase_add_test(tc, test_status_tells_busy_workers_and_totals);
    tcase_add_test(tc, test_a_reload_says_reloading_then_ready);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

#ifndef HAVE_LIBSYSTEMD
    puts("check_notify: SKIP: heftd was built without libsystemd (sd_notify)");
    return 77;
#endif
    sr = srunner_create(notify_suite());
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
