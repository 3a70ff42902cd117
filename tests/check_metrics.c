/*
 * check_metrics.c - heftd's Prometheus endpoint end to end (docs/metrics.md):
 * a real redis-server and heftd per test (tests/harness.h), scraped over a
 * plain TCP socket with a few lines of HTTP/1.0, so the test needs no HTTP
 * library and sees exactly the bytes Prometheus would.
 *
 * The names checked are those docs/metrics.md lists, read from the file, so
 * a metric documented but not served (or served without HELP and TYPE)
 * fails here.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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

/* ---- a minimal HTTP client ---- */

struct http {
    int status;
    char *head;              /* status line and headers */
    char *body;
};

static void http_free(struct http *r)
{
    free(r->head);
    r->head = r->body = NULL;
}

static int connect_to(int family, int port)
{
    struct sockaddr_in in4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
    struct timeval tv = { 5, 0 };
    int fd = socket(family, SOCK_STREAM, 0), rc;

    ck_assert_int_ge(fd, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (family == AF_INET6) {
        inet_pton(AF_INET6, "::1", &in6.sin6_addr);
        rc = connect(fd, (struct sockaddr *)&in6, sizeof in6);
    } else {
        inet_pton(AF_INET, "127.0.0.1", &in4.sin_addr);
        rc = connect(fd, (struct sockaddr *)&in4, sizeof in4);
    }
    if (rc < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send "METHOD PATH HTTP/1.0" and read the whole answer; -1 if nothing
 * listens there. */
static int http_try(int family, int port, const char *method, const char *path, struct http *r)
{
    char req[256], buf[4096], *sep, *all = NULL;
    size_t len = 0;
    ssize_t n;
    int fd = connect_to(family, port);

    memset(r, 0, sizeof *r);
    if (fd < 0)
        return -1;
    snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: localhost\r\n\r\n", method, path);
    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        ck_assert_ptr_nonnull(all = realloc(all, len + (size_t)n + 1));
        memcpy(all + len, buf, (size_t)n);
        len += (size_t)n;
        all[len] = '\0';
    }
    close(fd);
    ck_assert_msg(all && (sep = strstr(all, "\r\n\r\n")), "%s %s: no HTTP answer", method, path);
    *sep = '\0';
    r->head = all;
    r->body = sep + 4;
    ck_assert_int_eq(sscanf(r->head, "HTTP/1.%*d %d", &r->status), 1);
    return 0;
}

static void http(int port, const char *method, const char *path, struct http *r)
{
    ck_assert_msg(http_try(AF_INET, port, method, path, r) == 0, "nothing listens on port %d",
                  port);
}

static void assert_status(int port, const char *method, const char *path, int want)
{
    struct http r;

    http(port, method, path, &r);
    ck_assert_msg(r.status == want, "%s %s: %d, want %d", method, path, r.status, want);
    http_free(&r);
}

/* A loopback port nothing listens on now. */
static int free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Whether a TCP socket in LISTEN state (st 0A) has this inode, by
 * /proc/net/tcp and tcp6 (the inode is their tenth column). */
static int inode_listens(unsigned long inode)
{
    static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
    char *text, *line, *save;
    unsigned long ino;
    unsigned st;
    int found = 0;
    size_t t;

    for (t = 0; !found && t < 2; t++) {
        if (!(text = h_read_file(tables[t], NULL)))
            continue;
        for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save))
            found = sscanf(line, "%*s %*s %*s %x %*s %*s %*s %*s %*s %lu", &st, &ino) == 2 &&
                    st == 0x0A && ino == inode;
        free(text);
    }
    return found;
}

/* Whether process pid holds a listening TCP socket. */
static int listens(pid_t pid)
{
    char dir_path[64], fd_path[320], link[64];
    unsigned long inode;
    struct dirent *e;
    int found = 0;
    ssize_t n;
    DIR *dir;

    snprintf(dir_path, sizeof dir_path, "/proc/%d/fd", (int)pid);
    ck_assert_ptr_nonnull(dir = opendir(dir_path));
    while (!found && (e = readdir(dir))) {
        snprintf(fd_path, sizeof fd_path, "%s/%s", dir_path, e->d_name);
        if ((n = readlink(fd_path, link, sizeof link - 1)) <= 0)
            continue;
        link[n] = '\0';
        if (sscanf(link, "socket:[%lu]", &inode) == 1)
            found = inode_listens(inode);
    }
    closedir(dir);
    return found;
}

/* ---- reading the exposition ---- */

/* The value of the sample "series " (name and labels exactly as printed),
 * or -1 when the page has no such line. */
static double sample(const char *page, const char *series)
{
    size_t n = strlen(series);
    const char *p = page;

    while ((p = strstr(p, series))) {
        if ((p == page || p[-1] == '\n') && p[n] == ' ')
            return strtod(p + n + 1, NULL);
        p += n;
    }
    return -1;
}

static double echo_sample(const char *page, const char *name)
{
    char series[160];

    snprintf(series, sizeof series, "%s{queue=\"default\",type=\"echo\"}", name);
    return sample(page, series);
}

/* Scrape until cond(page) holds, up to ms; the last page (free it),
 * after a "\n" so that every line of it starts after one. */
static char *scrape_until(int port, int (*cond)(const char *page), long long ms)
{
    long long until = h_mono_ms() + ms;
    struct http r;

    for (;;) {
        http(port, "GET", "/metrics", &r);
        ck_assert_int_eq(r.status, 200);
        memmove(r.head + 1, r.body, strlen(r.body) + 1);
        r.head[0] = '\n';
        if (cond(r.head) || h_mono_ms() >= until)
            return r.head;
        free(r.head);
        h_sleep_ms(50);
    }
}

static const char *yaml_with_metrics(int port, const char *extra)
{
    static char yaml[512];

    snprintf(yaml, sizeof yaml, "concurrency: 2\nmetrics:\n  listen: 127.0.0.1:%d\n"
             "  refresh_ms: 100\n%s", port, extra ? extra : "");
    return yaml;
}

/* ---- the tests ---- */

static int has_queue_gauges(const char *page)
{
    return strstr(page, "\nheft_queue_depth{") != NULL;
}

/* Prometheus's own linter, where it is installed (Debian's prometheus
 * package): the page parses, and names follow the conventions. */
static void promtool_accepts(const char *page)
{
    char cmd[1200];
    const char *out = h_write_file(&H, "promtool.out", "");
    char *said;
    FILE *p;
    int rc;

    if (system("command -v promtool >/dev/null 2>&1") != 0) {
        fprintf(stderr, "promtool is not installed: the lint of the page is skipped\n");
        return;
    }
    snprintf(cmd, sizeof cmd, "promtool check metrics >'%s' 2>&1", out);
    ck_assert_ptr_nonnull(p = popen(cmd, "w"));
    fputs(page + 1, p);
    rc = pclose(p);
    said = h_read_file(out, NULL);
    ck_assert_msg(rc == 0, "promtool check metrics: %s", said ? said : "(no output)");
    free(said);
}

/* Each "| `name` | type |" row of docs/metrics.md has its HELP and TYPE. */
START_TEST(test_metrics_page_has_help_and_type_for_every_metric_in_the_docs)
{
    const char *src = getenv("HEFT_SRCDIR");
    char path[1024], want[256], name[128], type[32], *doc, *page, *line, *save;
    int port = free_port(), rows = 0;
    struct http r;

    snprintf(path, sizeof path, "%s/docs/metrics.md", src ? src : ".");
    ck_assert_msg((doc = h_read_file(path, NULL)) != NULL, "cannot read %s", path);
    h_heftd_start(&H, yaml_with_metrics(port, NULL), NULL);
    http(port, "GET", "/metrics", &r);
    ck_assert_msg(strstr(r.head, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8"),
                  "Content-Type of /metrics: %s", r.head);
    http_free(&r);
    page = scrape_until(port, has_queue_gauges, 5000);
    for (line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (sscanf(line, "| `%127[a-z_]` | %31[a-z] |", name, type) != 2)
            continue;
        rows++;
        snprintf(want, sizeof want, "\n# HELP %s ", name);
        ck_assert_msg(strstr(page, want), "no HELP line for %s", name);
        snprintf(want, sizeof want, "\n# TYPE %s %s\n", name, type);
        ck_assert_msg(strstr(page, want), "no \"TYPE %s %s\" line", name, type);
        snprintf(want, sizeof want, "\n%s%s", name, !strcmp(type, "histogram") ? "_bucket" : "");
        ck_assert_msg(strstr(page, want), "no sample of %s", name);
    }
    ck_assert_int_eq(rows, 14);
    ck_assert(sample(page, "heft_workers") == 2);
    ck_assert(sample(page, "heft_build_info{version=\"" PACKAGE_VERSION "\"}") == 1);
    ck_assert(sample(page, "process_resident_memory_bytes") > 1e6);
    ck_assert(sample(page, "heft_redis_roundtrip_seconds") > 0);
    promtool_accepts(page);
    free(page);
    free(doc);
}
END_TEST

#define GOOD 30
#define BAD 4

static int all_counted(const char *page)
{
    return echo_sample(page, "heft_jobs_processed_total") == GOOD + BAD + 1;
}

START_TEST(test_metrics_counters_and_histogram_move_with_echo_jobs_done)
{
    char id[32];
    int port = free_port(), i;
    json_t *rep;
    char *page;

    h_heftd_start(&H, yaml_with_metrics(port, NULL), NULL);
    page = scrape_until(port, has_queue_gauges, 5000);
    ck_assert(echo_sample(page, "heft_jobs_processed_total") == 0);
    free(page);
    for (i = 0; i < GOOD; i++) {
        snprintf(id, sizeof id, "ok-%d", i);
        h_enqueue(&H, id, "echo", "{\"n\":1}", NULL);
    }
    for (i = 0; i < BAD; i++) {
        snprintf(id, sizeof id, "bad-%d", i);
        h_enqueue(&H, id, "echo", "{\"fail_permanent\":\"nope\"}", NULL);
    }
    h_enqueue(&H, "flaky", "echo", "{\"fail\":\"flaky\"}", "{\"attempts\":2,\"backoff\":10}");
    h_enqueue(&H, "stranger", "no.such.type", "{}", NULL);
    ck_assert_ptr_nonnull(rep = h_wait_reply(&H, "flaky", 10000));
    json_decref(rep);
    ck_assert_ptr_nonnull(rep = h_wait_reply(&H, "stranger", 10000));
    json_decref(rep);

    page = scrape_until(port, all_counted, 10000);
    ck_assert(echo_sample(page, "heft_jobs_processed_total") == GOOD + BAD + 1);
    ck_assert(echo_sample(page, "heft_jobs_failed_total") == BAD);
    ck_assert(echo_sample(page, "heft_jobs_retried_total") == 1);
    ck_assert(echo_sample(page, "heft_jobs_dead_total") == 1);
    /* one observation per attempt that ended */
    ck_assert(sample(page, "heft_job_duration_seconds_count{type=\"echo\"}") == GOOD + BAD + 2);
    ck_assert(sample(page, "heft_job_duration_seconds_bucket{type=\"echo\",le=\"+Inf\"}") ==
              GOOD + BAD + 2);
    ck_assert(sample(page, "heft_job_duration_seconds_bucket{type=\"echo\",le=\"60\"}") ==
              GOOD + BAD + 2);
    ck_assert(sample(page, "heft_job_duration_seconds_sum{type=\"echo\"}") >= 0);
    /* a type heftd has no handler for is counted as "unknown" */
    ck_assert(sample(page, "heft_jobs_failed_total{queue=\"default\",type=\"unknown\"}") == 1);
    ck_assert(sample(page, "heft_job_duration_seconds_count{type=\"unknown\"}") == 1);
    ck_assert(sample(page, "heft_jobs_processed_total{queue=\"default\",type=\"pdf.render\"}")
              == 0);
    free(page);
}
END_TEST

static int has_mail_queue(const char *page)
{
    return sample(page, "heft_jobs_processed_total{queue=\"mail\",type=\"echo\"}") == 0;
}

static int three_done(const char *page)
{
    return echo_sample(page, "heft_jobs_processed_total") == 3;
}

START_TEST(test_metrics_counters_go_on_across_a_reload)
{
    /* A reload is not a reset to Prometheus: the queues both
     * configurations have keep their counts (default moves from the
     * first place to the second), a new queue starts at 0. */
    int port = free_port();
    const char *config = h_write_file(&H, "reload.yaml", yaml_with_metrics(port, NULL));
    char *page;

    config = strdup(config);
    h_heftd_start(&H, NULL, "-c", config, NULL);
    h_enqueue(&H, "one", "echo", "{}", NULL);
    h_enqueue(&H, "two", "echo", "{}", NULL);
    ck_assert_int_eq(h_wait_state(&H, "two", "succeeded", 10000), 0);
    ck_assert_int_eq(h_wait_state(&H, "one", "succeeded", 10000), 0);
    h_write_file(&H, "reload.yaml", yaml_with_metrics(port, "queues: [mail, default]\n"));
    kill(H.heftd_pid, SIGHUP);
    ck_assert_int_eq(h_wait_log(&H, "reloaded:", 10000), 0);
    page = scrape_until(port, has_mail_queue, 5000);
    ck_assert(has_mail_queue(page));
    ck_assert(echo_sample(page, "heft_jobs_processed_total") == 2);
    ck_assert(sample(page, "heft_job_duration_seconds_count{type=\"echo\"}") == 2);
    free(page);
    h_enqueue(&H, "three", "echo", "{}", NULL);
    page = scrape_until(port, three_done, 10000);
    ck_assert(three_done(page));
    ck_assert(sample(page, "heft_job_duration_seconds_count{type=\"echo\"}") == 3);
    free(page);
    free((char *)config);
}
END_TEST

#define PAUSED_JOBS 7

#define WAITING "heft_queue_depth{queue=\"default\",state=\"waiting\"}"

static int seven_waiting(const char *page)
{
    return sample(page, WAITING) == PAUSED_JOBS;
}

static int none_waiting(const char *page)
{
    return sample(page, WAITING) == 0 &&
           sample(page, "heft_queue_oldest_age_seconds{queue=\"default\"}") == 0;
}

START_TEST(test_metrics_queue_depth_counts_the_waiting_jobs_of_a_paused_queue)
{
    char id[32];
    char *page;
    int port = free_port(), i;

    freeReplyObject(h_cmd(&H, "SET", h_key(&H, "paused"), "1", NULL));
    h_heftd_start(&H, yaml_with_metrics(port, NULL), NULL);
    /* The fetcher's first blocking read (up to 1 s) may have begun before
     * heftd saw the flag: let it end before the jobs come. */
    ck_assert_int_eq(h_wait_log(&H, "queue default paused", 5000), 0);
    h_sleep_ms(1200);
    for (i = 0; i < PAUSED_JOBS; i++) {
        snprintf(id, sizeof id, "held-%d", i);
        h_enqueue(&H, id, "echo", "{}", NULL);
    }
    h_enqueue(&H, "later", "echo", "{}", "{\"delay_ms\":600000}");
    h_sleep_ms(300);           /* the oldest is at least this old */
    page = scrape_until(port, seven_waiting, 5000);
    ck_assert_msg(seven_waiting(page), "waiting is %g, want %d", sample(page, WAITING),
                  PAUSED_JOBS);
    ck_assert(sample(page, "heft_queue_depth{queue=\"default\",state=\"active\"}") == 0);
    ck_assert(sample(page, "heft_queue_depth{queue=\"default\",state=\"scheduled\"}") == 1);
    ck_assert(sample(page, "heft_queue_depth{queue=\"default\",state=\"dead\"}") == 0);
    ck_assert(sample(page, "heft_queue_oldest_age_seconds{queue=\"default\"}") >= 0.2);
    ck_assert(echo_sample(page, "heft_jobs_processed_total") == 0);
    free(page);

    freeReplyObject(h_cmd(&H, "DEL", h_key(&H, "paused"), NULL));
    page = scrape_until(port, none_waiting, 10000);
    ck_assert_msg(none_waiting(page), "the resumed queue still has waiting jobs");
    free(page);
}
END_TEST

static int health_status(int port)
{
    struct http r;
    int status;

    http(port, "GET", "/healthz", &r);
    status = r.status;
    if (status == 200)
        ck_assert_str_eq(r.body, "ok\n");
    else
        ck_assert_str_eq(r.body, "unhealthy: not connected to Redis\n");
    http_free(&r);
    return status;
}

static int wait_health(int port, int want, long long ms)
{
    long long until = h_mono_ms() + ms;

    while (health_status(port) != want)
        if (h_mono_ms() >= until)
            return -1;
        else
            h_sleep_ms(50);
    return 0;
}

static int reconnected(const char *page)
{
    return sample(page, "heft_redis_reconnects_total") >= 1;
}

START_TEST(test_healthz_is_ok_while_connected_and_503_while_redis_is_down)
{
    int port = free_port();
    char *page;

    h_heftd_start(&H, yaml_with_metrics(port, NULL), NULL);
    ck_assert_int_eq(wait_health(port, 200, 5000), 0);
    page = scrape_until(port, has_queue_gauges, 5000);
    ck_assert(sample(page, "heft_redis_reconnects_total") == 0);
    free(page);

    h_redis_stop(&H);
    ck_assert_msg(wait_health(port, 503, 10000) == 0, "/healthz still 200 with Redis down");
    h_redis_restart(&H);
    ck_assert_msg(wait_health(port, 200, 15000) == 0, "/healthz not 200 after Redis came back");
    page = scrape_until(port, reconnected, 10000);
    ck_assert(reconnected(page));
    free(page);
}
END_TEST

START_TEST(test_metrics_other_paths_are_404_and_other_methods_405)
{
    int port = free_port();
    struct http r;

    h_heftd_start(&H, yaml_with_metrics(port, NULL), NULL);
    ck_assert(listens(H.heftd_pid));       /* what the test of the default relies on */
    assert_status(port, "GET", "/", 404);
    assert_status(port, "GET", "/metrics/extra", 404);
    assert_status(port, "GET", "/healthz/", 404);
    http(port, "POST", "/metrics", &r);
    ck_assert_int_eq(r.status, 405);
    ck_assert_msg(strstr(r.head, "\r\nAllow: GET, HEAD"), "405 without Allow: %s", r.head);
    http_free(&r);
    http(port, "HEAD", "/metrics", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "");
    http_free(&r);
}
END_TEST

START_TEST(test_metrics_listen_on_ipv6_loopback_in_brackets)
{
    char yaml[128];
    int port = free_port(), probe = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    struct http r;

    if (probe < 0 || bind(probe, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "no IPv6 loopback here: %s: skipped\n", strerror(errno));
        if (probe >= 0)
            close(probe);
        return;
    }
    close(probe);
    snprintf(yaml, sizeof yaml, "metrics:\n  listen: \"[::1]:%d\"\n", port);
    h_heftd_start(&H, yaml, NULL);
    ck_assert_int_eq(http_try(AF_INET6, port, "GET", "/metrics", &r), 0);
    ck_assert_int_eq(r.status, 200);
    http_free(&r);
    ck_assert_int_eq(http_try(AF_INET, port, "GET", "/metrics", &r), -1);
}
END_TEST

START_TEST(test_metrics_are_off_by_default_and_nothing_listens)
{
    h_heftd_start(&H, "concurrency: 1\n", NULL);
    ck_assert_msg(!listens(H.heftd_pid), "heftd without metrics.listen has a listening socket");
    ck_assert(!h_log_contains(&H, "metrics:"));
}
END_TEST

START_TEST(test_heftd_with_metrics_port_in_use_exits_3_before_taking_jobs)
{
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    char want[96];
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 1), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    h_enqueue(&H, "untouched", "echo", "{}", NULL);
    h_heftd_spawn(&H, yaml_with_metrics(port, NULL), NULL);
    ck_assert_int_eq(h_heftd_wait_exit(&H, 10000), 3);
    snprintf(want, sizeof want, "metrics: cannot serve on 127.0.0.1:%d", port);
    ck_assert_msg(h_log_contains(&H, want), "heftd did not say \"%s\"", want);
    ck_assert_str_eq(h_hget(&H, "untouched", "state"), "waiting");
    close(fd);
}
END_TEST

/* Under the sanitizers a leak or a bad free at exit makes the exit code
 * non-zero, so this is also the check of the endpoint's shutdown. */
START_TEST(test_heftd_with_metrics_stops_cleanly_on_sigterm_and_closes_the_port)
{
    int port = free_port();
    struct http r;

    h_heftd_start(&H, yaml_with_metrics(port, NULL), NULL);
    h_enqueue(&H, "one", "echo", "{}", NULL);
    json_decref(h_wait_reply(&H, "one", 5000));
    assert_status(port, "GET", "/metrics", 200);
    ck_assert_int_eq(h_heftd_stop(&H, 30000), 0);
    ck_assert(h_log_contains(&H, "stopped: 1 succeeded"));
    ck_assert_int_eq(http_try(AF_INET, port, "GET", "/metrics", &r), -1);
}
END_TEST

static TCase *tcase(const char *name, double timeout)
{
    TCase *tc = tcase_create(name);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, timeout);
    return tc;
}

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *scrape = tcase("scrape", 30), *health = tcase("health", 60);
    TCase *life = tcase("lifecycle", 30);

    tcase_add_test(scrape, test_metrics_page_has_help_and_type_for_every_metric_in_the_docs);
    tcase_add_test(scrape, test_metrics_counters_and_histogram_move_with_echo_jobs_done);
    tcase_add_test(scrape, test_metrics_counters_go_on_across_a_reload);
    tcase_add_test(scrape, test_metrics_queue_depth_counts_the_waiting_jobs_of_a_paused_queue);
    tcase_add_test(scrape, test_metrics_other_paths_are_404_and_other_methods_405);
    tcase_add_test(scrape, test_metrics_listen_on_ipv6_loopback_in_brackets);
    tcase_add_test(health, test_healthz_is_ok_while_connected_and_503_while_redis_is_down);
    tcase_add_test(life, test_metrics_are_off_by_default_and_nothing_listens);
    tcase_add_test(life, test_heftd_with_metrics_port_in_use_exits_3_before_taking_jobs);
    tcase_add_test(life, test_heftd_with_metrics_stops_cleanly_on_sigterm_and_closes_the_port);
    suite_add_tcase(s, scrape);
    suite_add_tcase(s, health);
    suite_add_tcase(s, life);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(metrics_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
