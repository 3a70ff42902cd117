/*
 * harness.c - a private redis-server and heftd for one end-to-end test
 * (see harness.h for what a test gets and how failures are cleaned up).
 */
#include "autoconfig.h"

#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "link.h"

#define MAX_ARGS 64
#define CLIENT_TIMEOUT_MS 10000     /* any command but BLPOP */
#define REDIS_START_MS 5000
#define HEARTBEAT_WAIT_MS 10000
#define REAP_MS 5000

/* ---- small helpers ---- */

long long h_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void h_sleep_ms(long long ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static struct timeval tv_ms(long long ms)
{
    struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

    return tv;
}

/* Keep s (malloc'ed) in the ring; the slot's previous string is freed. */
static const char *ring_keep(struct harness *h, char *s)
{
    unsigned i = h->ring_next++ % H_RING;

    free(h->ring[i]);
    h->ring[i] = s;
    return s;
}

static char *xstrndup(const char *s, size_t len)
{
    char *p = malloc(len + 1);

    ck_assert_msg(p != NULL, "out of memory");
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static const char *ring_printf(struct harness *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static const char *ring_printf(struct harness *h, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    ck_assert_msg(n >= 0, "out of memory");
    return ring_keep(h, s);
}

char *h_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t cap = 0, n = 0, got;

    if (!f)
        return NULL;
    do {
        if (cap - n < 4096) {
            char *p = realloc(data, cap = cap ? cap * 2 : 8192);

            if (!p) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = p;
        }
        got = fread(data + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

const char *h_write_file(struct harness *h, const char *name, const char *text)
{
    const char *path = ring_printf(h, "%s/%s", h->dir, name);
    FILE *f = fopen(path, "wb");

    ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
    ck_assert_msg(fwrite(text, 1, strlen(text), f) == strlen(text) && fclose(f) == 0,
                  "%s: cannot write", path);
    return path;
}

static void append_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ssize_t unused;

    if (fd < 0)
        return;
    unused = write(fd, text, strlen(text));
    (void)unused;
    close(fd);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void rm_rf(const char *dir)
{
    if (*dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* $VAR if set and not empty, else fallback. */
static void pick_binary(char *out, size_t len, const char *var, const char *fallback)
{
    const char *v = getenv(var);

    snprintf(out, len, "%s", v && *v ? v : fallback);
}

static void pick_heftd(struct harness *h)
{
    const char *dir = getenv("HEFT_BUILDDIR");

    if (dir && *dir)
        snprintf(h->heftd, sizeof h->heftd, "%s/heftd", dir);
    else if (access("./heftd", X_OK) == 0)
        snprintf(h->heftd, sizeof h->heftd, "./heftd");
    else
        snprintf(h->heftd, sizeof h->heftd, "heftd");     /* PATH */
}

/* ---- processes ---- */

/* fork + exec argv (PATH lookup when argv[0] has no slash); stdin from
 * /dev/null, stdout and stderr appended to the given files.  The child
 * dies with the test process (PR_SET_PDEATHSIG). */
static pid_t spawn(struct harness *h, const char *const *argv, const char *out, const char *err)
{
    pid_t parent = getpid(), pid;

    fflush(NULL);
    pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        sigset_t none;
        char url[64];
        int fd;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        if ((fd = open("/dev/null", O_RDONLY)) >= 0)
            dup2(fd, 0);
        if ((fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0)
            dup2(fd, 1);
        if ((fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644)) >= 0)
            dup2(fd, 2);
        for (fd = 3; fd < 1024; fd++)
            close(fd);
        snprintf(url, sizeof url, "redis://127.0.0.1:%d", h->port);
        setenv("HEFT_REDIS_URL", url, 1);
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "harness: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Reap pid within timeout_ms: exit code, 128 + signal, or -1 (running). */
static int reap(pid_t pid, long long timeout_ms)
{
    long long until = h_mono_ms() + timeout_ms;
    int st;
    pid_t r;

    for (;;) {
        r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 && errno != EINTR)
            return -2;                      /* not our child (already reaped) */
        if (h_mono_ms() >= until)
            return -1;
        h_sleep_ms(10);
    }
}

static void kill_and_reap(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        reap(pid, REAP_MS);
    }
}

/* ---- the guardian ---- */

/* Runs in its own process group until the test process is gone (EOF on
 * the pipe).  "ok" from h_teardown() means the test passed and cleaned up;
 * anything else means it failed or was killed: show heftd's log. */
static void guardian_main(const char *dir, const char *log, int fd)
{
    char buf[64];
    ssize_t n;
    int ok = 0;

    signal(SIGPIPE, SIG_IGN);      /* stderr may be a pipe that is gone */
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && memchr(buf, 'k', (size_t)n))
            ok = 1;
    }
    if (!ok) {
        char *text;
        ssize_t unused;

        h_sleep_ms(300);       /* let redis-server and heftd die first */
        text = h_read_file(log, NULL);
        if (text && *text) {
            const char *head = "\n======== heftd log of the failed test ========\n";
            const char *tail = "======== end of heftd log ========\n";

            unused = write(2, head, strlen(head));
            unused = write(2, text, strlen(text));
            unused = write(2, tail, strlen(tail));
        }
        (void)unused;
        free(text);
    }
    if (getenv("HEFT_TEST_KEEP"))
        fprintf(stderr, "harness: kept %s\n", dir);
    else
        rm_rf(dir);
    _exit(0);
}

static void start_guardian(struct harness *h)
{
    int fds[2];
    pid_t pid;

    ck_assert_msg(pipe2(fds, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
    fflush(NULL);
    pid = fork();
    ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        /* Out of the test's process group, which Check kills. */
        setpgid(0, 0);
        close(fds[1]);
        guardian_main(h->dir, h->log, fds[0]);
    }
    setpgid(pid, pid);
    close(fds[0]);
    h->guardian = pid;
    h->guard_fd = fds[1];
}

/* ---- Redis ---- */

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

    if (s < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(s, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    close(s);
    return port;
}

static redisContext *connect_once(int port)
{
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv_ms(1000));
    const char *ping[] = { "PING" };
    redisReply *r;

    if (!c || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv_ms(CLIENT_TIMEOUT_MS));
    r = redisCommandArgv(c, 1, ping, NULL);
    if (!r || r->type != REDIS_REPLY_STATUS) {
        if (r)
            freeReplyObject(r);
        redisFree(c);
        return NULL;
    }
    freeReplyObject(r);
    return c;
}

static void load_enqueue_script(struct harness *h)
{
    const char *argv[] = { "SCRIPT", "LOAD", heft_script_text(HEFT_SCRIPT_ENQUEUE) };
    redisReply *r = h_cmdv(h, 3, argv, NULL);

    ck_assert_msg(r->type == REDIS_REPLY_STRING && r->len == 40, "SCRIPT LOAD: %s",
                  r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    memcpy(h->enqueue_sha, r->str, 41);
    freeReplyObject(r);
}

/* Start redis-server on h->port and connect; 0, or -1 if it exited (port
 * taken) or never answered. */
static int redis_try_start(struct harness *h)
{
    char port[16], logfile[PATH_MAX + 16];
    const char *argv[] = {
        h->redis_server, "--port", port, "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no", "--dir", h->dir,
        "--logfile", logfile, NULL,
    };
    long long until = h_mono_ms() + REDIS_START_MS;

    snprintf(port, sizeof port, "%d", h->port);
    snprintf(logfile, sizeof logfile, "%s/redis.log", h->dir);
    h->redis_pid = spawn(h, argv, "/dev/null", logfile);
    while (h_mono_ms() < until) {
        if ((h->c = connect_once(h->port)))
            return 0;
        if (reap(h->redis_pid, 0) >= 0) {
            h->redis_pid = 0;
            return -1;
        }
        h_sleep_ms(20);
    }
    kill_and_reap(h->redis_pid);
    h->redis_pid = 0;
    return -1;
}

static void redis_start(struct harness *h, int same_port)
{
    int tries;

    for (tries = 0; tries < 10; tries++) {
        if (!same_port)
            h->port = free_port();
        ck_assert_msg(h->port > 0, "no free TCP port on 127.0.0.1");
        if (redis_try_start(h) == 0) {
            load_enqueue_script(h);
            return;
        }
        if (same_port)
            h_sleep_ms(200);
    }
    ck_abort_msg("%s did not start (port %d); see %s/redis.log", h->redis_server, h->port,
                 h->dir);
}

void h_redis_stop(struct harness *h)
{
    if (h->c)
        redisFree(h->c);
    h->c = NULL;
    h->pending = 0;
    kill_and_reap(h->redis_pid);
    h->redis_pid = 0;
}

void h_redis_restart(struct harness *h)
{
    h_redis_stop(h);
    redis_start(h, 1);
}

/* ---- set up and tear down ---- */

void h_setup(struct harness *h)
{
    const char *tmp = getenv("TMPDIR");

    memset(h, 0, sizeof *h);
    h->guard_fd = -1;
    snprintf(h->dir, sizeof h->dir, "%s/heft-check.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(h->dir) != NULL, "mkdtemp %s: %s", h->dir, strerror(errno));
    snprintf(h->log, sizeof h->log, "%s/heftd.log", h->dir);
    pick_binary(h->redis_server, sizeof h->redis_server, "REDIS_SERVER", "redis-server");
    pick_heftd(h);
    start_guardian(h);
    redis_start(h, 0);
}

void h_teardown(struct harness *h)
{
    const char *show = getenv("HEFT_TEST_LOG");
    unsigned i;
    ssize_t unused;

    kill_and_reap(h->heftd_pid);
    h->heftd_pid = 0;
    if (h->c)
        redisFree(h->c);
    h->c = NULL;
    kill_and_reap(h->redis_pid);
    h->redis_pid = 0;
    if (show && *show && strcmp(show, "0") != 0)
        h_dump_log(h);
    for (i = 0; i < H_RING; i++) {
        free(h->ring[i]);
        h->ring[i] = NULL;
    }
    free(h->run_out);
    free(h->run_err);
    h->run_out = h->run_err = NULL;
    if (h->guard_fd >= 0) {
        unused = write(h->guard_fd, "ok", 2);    /* the guardian only removes the dir */
        (void)unused;
        close(h->guard_fd);
        h->guard_fd = -1;
        reap(h->guardian, REAP_MS);
    }
}

/* ---- commands ---- */

redisReply *h_cmdv(struct harness *h, int argc, const char **argv, const size_t *lens)
{
    redisReply *r;

    ck_assert_msg(h->c != NULL, "not connected to Redis");
    r = redisCommandArgv(h->c, argc, argv, lens);
    ck_assert_msg(r != NULL, "redis %s: %s", argv[0], h->c->errstr);
    return r;
}

static redisReply *cmd_va(struct harness *h, const char *arg0, va_list ap)
{
    const char *argv[MAX_ARGS];
    int argc = 0;

    for (argv[argc++] = arg0; argc < MAX_ARGS && (argv[argc] = va_arg(ap, const char *)); argc++)
        ;
    return h_cmdv(h, argc, argv, NULL);
}

redisReply *h_cmd(struct harness *h, const char *arg0, ...)
{
    va_list ap;
    redisReply *r;

    va_start(ap, arg0);
    r = cmd_va(h, arg0, ap);
    va_end(ap);
    return r;
}

long long h_int(struct harness *h, const char *arg0, ...)
{
    va_list ap;
    redisReply *r;
    long long v;

    va_start(ap, arg0);
    r = cmd_va(h, arg0, ap);
    va_end(ap);
    ck_assert_msg(r->type == REDIS_REPLY_INTEGER, "%s: expected an integer, got %s", arg0,
                  r->type == REDIS_REPLY_ERROR ? r->str : "another reply type");
    v = r->integer;
    freeReplyObject(r);
    return v;
}

const char *h_str(struct harness *h, size_t *len, const char *arg0, ...)
{
    va_list ap;
    redisReply *r;
    const char *s = NULL;

    va_start(ap, arg0);
    r = cmd_va(h, arg0, ap);
    va_end(ap);
    ck_assert_msg(r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_NIL ||
                  r->type == REDIS_REPLY_STATUS, "%s: expected a string, got %s", arg0,
                  r->type == REDIS_REPLY_ERROR ? r->str : "another reply type");
    if (r->type != REDIS_REPLY_NIL) {
        s = ring_keep(h, xstrndup(r->str, r->len));
        if (len)
            *len = r->len;
    }
    freeReplyObject(r);
    return s;
}

const char *h_key(struct harness *h, const char *suffix)
{
    return ring_printf(h, "heft:{" H_QUEUE "}:%s", suffix);
}

const char *h_hget(struct harness *h, const char *id, const char *field)
{
    const char *key = ring_printf(h, "heft:{" H_QUEUE "}:job:%s", id);

    return h_str(h, NULL, "HGET", key, field, NULL);
}

long long h_hget_int(struct harness *h, const char *id, const char *field)
{
    const char *v = h_hget(h, id, field);

    return v ? atoll(v) : -1;
}

long long h_redis_time_ms(struct harness *h)
{
    redisReply *r = h_cmd(h, "TIME", NULL);
    long long ms;

    ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements == 2, "TIME: unexpected reply");
    ms = atoll(r->element[0]->str) * 1000 + atoll(r->element[1]->str) / 1000;
    freeReplyObject(r);
    return ms;
}

long long h_xpending(struct harness *h, const char *stream)
{
    redisReply *r = h_cmd(h, "XPENDING", stream, "heft", NULL);
    long long n;

    ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
                  r->element[0]->type == REDIS_REPLY_INTEGER, "XPENDING %s: %s", stream,
                  r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    n = r->element[0]->integer;
    freeReplyObject(r);
    return n;
}

/* ---- jobs ---- */

/* The 11 arguments of EVALSHA/EVAL enqueue (argv[0..1] set by caller). */
/* The tests wait for outcomes on reply lists, so every job asks for one
 * ("reply": true is added to an options object that does not mention it);
 * h_enqueue_quiet() enqueues exactly the options given. */
static const char *with_reply(struct harness *h, const char *opts)
{
    if (h->quiet)
        return opts ? opts : "";
    if (!opts || !*opts || !strcmp(opts, "{}"))
        return "{\"reply\":true}";
    if (opts[0] != '{' || strstr(opts, "\"reply\""))
        return opts;
    return ring_printf(h, "{\"reply\":true,%s", opts + 1);
}

static void enqueue_args(struct harness *h, const char **argv, const char *id, const char *type,
                         const char *payload, const char *opts)
{
    argv[2] = "5";
    argv[3] = ring_printf(h, "heft:{" H_QUEUE "}:job:%s", id);
    argv[4] = "heft:{" H_QUEUE "}:ready:high";
    argv[5] = "heft:{" H_QUEUE "}:ready:normal";
    argv[6] = "heft:{" H_QUEUE "}:ready:low";
    argv[7] = "heft:{" H_QUEUE "}:delayed";
    argv[8] = id;
    argv[9] = type;
    argv[10] = payload;
    argv[11] = with_reply(h, opts);
}

long long h_enqueue_quiet(struct harness *h, const char *id, const char *type,
                          const char *payload, const char *opts)
{
    long long v;

    h->quiet = 1;
    v = h_enqueue(h, id, type, payload, opts);
    h->quiet = 0;
    return v;
}

long long h_enqueue(struct harness *h, const char *id, const char *type, const char *payload,
                    const char *opts)
{
    const char *argv[12] = { "EVALSHA", h->enqueue_sha };
    redisReply *r;
    long long v;

    enqueue_args(h, argv, id, type, payload, opts);
    r = h_cmdv(h, 12, argv, NULL);
    if (heft_reply_is_noscript(r)) {
        freeReplyObject(r);
        argv[0] = "EVAL";
        argv[1] = heft_script_text(HEFT_SCRIPT_ENQUEUE);
        r = h_cmdv(h, 12, argv, NULL);
    }
    ck_assert_msg(r->type == REDIS_REPLY_INTEGER, "enqueue %s: %s", id,
                  r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    v = r->integer;
    freeReplyObject(r);
    return v;
}

void h_enqueue_append(struct harness *h, const char *id, const char *type, const char *payload,
                      const char *opts)
{
    const char *argv[12] = { "EVALSHA", h->enqueue_sha };

    enqueue_args(h, argv, id, type, payload, opts);
    ck_assert_msg(redisAppendCommandArgv(h->c, 12, argv, NULL) == REDIS_OK, "enqueue: %s",
                  h->c->errstr);
    h->pending++;
}

void h_enqueue_flush(struct harness *h)
{
    void *reply;
    redisReply *r;

    for (; h->pending > 0; h->pending--) {
        ck_assert_msg(redisGetReply(h->c, &reply) == REDIS_OK && reply, "enqueue: %s",
                      h->c->errstr);
        r = reply;
        ck_assert_msg(r->type == REDIS_REPLY_INTEGER && r->integer == 1,
                      "pipelined enqueue: %s", r->type == REDIS_REPLY_ERROR ? r->str
                      : "a job with this id existed");
        freeReplyObject(r);
    }
}

json_t *h_wait_reply(struct harness *h, const char *id, long long timeout_ms)
{
    const char *key = ring_printf(h, "heft:{" H_QUEUE "}:reply:%s", id);
    const char *secs = ring_printf(h, "%.3f", (double)(timeout_ms > 10 ? timeout_ms : 10) / 1000);
    redisReply *r;
    json_error_t err;
    json_t *msg;

    redisSetTimeout(h->c, tv_ms(timeout_ms + CLIENT_TIMEOUT_MS));
    r = h_cmd(h, "BLPOP", key, secs, NULL);
    redisSetTimeout(h->c, tv_ms(CLIENT_TIMEOUT_MS));
    if (r->type == REDIS_REPLY_NIL) {
        freeReplyObject(r);
        return NULL;
    }
    ck_assert_msg(r->type == REDIS_REPLY_ARRAY && r->elements == 2, "BLPOP %s: %s", key,
                  r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    msg = json_loadb(r->element[1]->str, r->element[1]->len, JSON_ALLOW_NUL, &err);
    ck_assert_msg(json_is_object(msg), "reply of %s is not a JSON object: %s", id,
                  r->element[1]->str);
    freeReplyObject(r);
    return msg;
}

int h_wait_field(struct harness *h, const char *id, const char *field, const char *want,
                 long long timeout_ms)
{
    long long until = h_mono_ms() + timeout_ms;
    const char *v;

    for (;;) {
        v = h_hget(h, id, field);
        if (v && strcmp(v, want) == 0)
            return 0;
        if (h_mono_ms() >= until)
            return -1;
        h_sleep_ms(10);
    }
}

int h_wait_state(struct harness *h, const char *id, const char *want, long long timeout_ms)
{
    return h_wait_field(h, id, "state", want, timeout_ms);
}

/* ---- heftd ---- */

static pid_t heftd_spawn_va(struct harness *h, const char *yaml, va_list ap)
{
    const char *argv[MAX_ARGS];
    char name[64];
    int argc = 0, i;
    const char *a;
    char *marker;
    size_t mlen = 0;
    FILE *m;

    ck_assert_msg(h->heftd_pid == 0 || !h_heftd_running(h),
                  "start a new heftd only after the previous one stopped");
    argv[argc++] = h->heftd;
    if (yaml) {
        snprintf(name, sizeof name, "heftd-%d.yaml", h->runs + 1);
        argv[argc++] = "-c";
        argv[argc++] = h_write_file(h, name, yaml);
    }
    while (argc < MAX_ARGS - 1 && (a = va_arg(ap, const char *)))
        argv[argc++] = a;
    argv[argc] = NULL;

    /* A header in the log, so the runs of one test can be told apart. */
    m = open_memstream(&marker, &mlen);
    if (m) {
        fprintf(m, "---- heftd run %d:", h->runs + 1);
        for (i = 0; i < argc; i++)
            fprintf(m, " %s", argv[i]);
        fprintf(m, "\n%s%s", yaml ? yaml : "", yaml && *yaml ? "----\n" : "");
        fclose(m);
        append_file(h->log, marker);
        free(marker);
    }
    h->runs++;
    h->consumer[0] = '\0';
    h->heftd_pid = spawn(h, argv, h->log, h->log);
    return h->heftd_pid;
}

pid_t h_heftd_spawn(struct harness *h, const char *yaml, ...)
{
    va_list ap;
    pid_t pid;

    va_start(ap, yaml);
    pid = heftd_spawn_va(h, yaml, ap);
    va_end(ap);
    return pid;
}

/* Its member of heft:workers ("host:PID:nonce") into h->consumer. */
static int find_heartbeat(struct harness *h)
{
    char needle[32];
    redisReply *r = h_cmd(h, "ZRANGE", "heft:workers", "0", "-1", NULL);
    size_t i;
    int found = 0;

    snprintf(needle, sizeof needle, ":%d:", (int)h->heftd_pid);
    for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && !found; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING && strstr(r->element[i]->str, needle)) {
            snprintf(h->consumer, sizeof h->consumer, "%s", r->element[i]->str);
            found = 1;
        }
    freeReplyObject(r);
    return found;
}

void h_heftd_start(struct harness *h, const char *yaml, ...)
{
    va_list ap;
    long long until;
    int rc;

    va_start(ap, yaml);
    heftd_spawn_va(h, yaml, ap);
    va_end(ap);
    until = h_mono_ms() + HEARTBEAT_WAIT_MS;
    while (!find_heartbeat(h)) {
        rc = h_heftd_wait_exit(h, 0);
        ck_assert_msg(rc < 0, "heftd exited with status %d at start", rc);
        ck_assert_msg(h_mono_ms() < until, "heftd sent no heartbeat within %d ms",
                      HEARTBEAT_WAIT_MS);
        h_sleep_ms(20);
    }
}

int h_heftd_wait_exit(struct harness *h, long long timeout_ms)
{
    int rc;

    if (h->heftd_pid == 0)
        return h->heftd_status;
    rc = reap(h->heftd_pid, timeout_ms);
    if (rc >= 0 || rc == -2) {
        h->heftd_pid = 0;
        h->heftd_status = rc;
    }
    return rc;
}

int h_heftd_running(struct harness *h)
{
    return h->heftd_pid != 0 && h_heftd_wait_exit(h, 0) == -1;
}

int h_heftd_stop(struct harness *h, long long timeout_ms)
{
    int rc;

    if (h->heftd_pid == 0)
        return h_heftd_wait_exit(h, 0);
    kill(h->heftd_pid, SIGTERM);
    rc = h_heftd_wait_exit(h, timeout_ms);
    if (rc == -1) {
        h_heftd_kill9(h);
        return -1;
    }
    return rc;
}

void h_heftd_kill9(struct harness *h)
{
    if (h->heftd_pid == 0)
        return;
    kill(h->heftd_pid, SIGKILL);
    ck_assert_msg(h_heftd_wait_exit(h, REAP_MS) != -1, "heftd survived SIGKILL");
}

/* Run bin with the arguments in ap to completion (see h_run_heftd). */
static int run_tool(struct harness *h, const char *bin, long long timeout_ms, const char *arg0,
                    va_list ap)
{
    const char *argv[MAX_ARGS];
    const char *out = ring_printf(h, "%s/run.out", h->dir);
    const char *err = ring_printf(h, "%s/run.err", h->dir);
    int argc = 0, rc;
    const char *a;
    pid_t pid;

    argv[argc++] = bin;
    for (a = arg0; a && argc < MAX_ARGS - 1; a = va_arg(ap, const char *))
        argv[argc++] = a;
    argv[argc] = NULL;
    unlink(out);
    unlink(err);
    pid = spawn(h, argv, out, err);
    rc = reap(pid, timeout_ms);
    if (rc == -1)
        kill_and_reap(pid);
    free(h->run_out);
    free(h->run_err);
    h->run_out = h_read_file(out, NULL);
    h->run_err = h_read_file(err, NULL);
    if (!h->run_out)
        h->run_out = strdup("");
    if (!h->run_err)
        h->run_err = strdup("");
    return rc;
}

int h_run_heftd(struct harness *h, long long timeout_ms, const char *arg0, ...)
{
    va_list ap;
    int rc;

    va_start(ap, arg0);
    rc = run_tool(h, h->heftd, timeout_ms, arg0, ap);
    va_end(ap);
    return rc;
}

int h_run_heftctl(struct harness *h, long long timeout_ms, const char *arg0, ...)
{
    const char *dir = getenv("HEFT_BUILDDIR");
    const char *bin = ring_printf(h, "%s/heftctl", dir && *dir ? dir : ".");
    va_list ap;
    int rc;

    va_start(ap, arg0);
    rc = run_tool(h, bin, timeout_ms, arg0, ap);
    va_end(ap);
    return rc;
}

/* ---- heftd's log ---- */

int h_log_contains(struct harness *h, const char *needle)
{
    char *text = h_read_file(h->log, NULL);
    int found = text && strstr(text, needle) != NULL;

    free(text);
    return found;
}

int h_wait_log(struct harness *h, const char *needle, long long timeout_ms)
{
    long long until = h_mono_ms() + timeout_ms;

    for (;;) {
        if (h_log_contains(h, needle))
            return 0;
        if (h_mono_ms() >= until)
            return -1;
        h_sleep_ms(20);
    }
}

void h_dump_log(struct harness *h)
{
    char *text = h_read_file(h->log, NULL);

    fprintf(stderr, "======== heftd log (%s) ========\n%s======== end of heftd log ========\n",
            h->log, text ? text : "(none)\n");
    free(text);
}
