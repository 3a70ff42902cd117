/*
 * main.c - heftd's command line: flags, config loading, exit codes.
 * The only place that exits; everything below returns errors.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "registry.h"

static void usage(FILE *out)
{
    const struct heft_handler *const *h;

    fprintf(out,
        "Usage: heftd [-c FILE] [options]\n"
        "Runs jobs from Redis queues (protocol: docs/protocol.md).\n\n"
        "  -c, --config FILE      YAML configuration (see heft.yaml.example)\n"
        "      --redis URL        redis://[user:pass@]host:port/db or unix:///path\n"
        "                         (default: $HEFT_REDIS_URL, else " HEFT_DEFAULT_REDIS_URL ")\n"
        "      --queues LIST      queues to serve, e.g. default or mail:3,reports:1\n"
        "      --concurrency N    worker threads (default: one per core)\n"
        "      --prefetch N       jobs held per worker thread (default 16)\n"
        "      --log-level LEVEL  error, warn, info or debug\n"
        "      --log-format FMT   text or json\n"
        "      --allow-eviction   start even if Redis may evict keys\n"
        "      --metrics ADDR     serve Prometheus metrics on ADDR: IPv4:PORT, [IPv6]:PORT\n"
        "                         or a port on 127.0.0.1 (default: off; docs/metrics.md)\n"
        "      --check-config     validate the configuration and exit\n"
        "      --version          print the version and exit\n"
        "  -h, --help             this help\n\n"
        "Exit codes: 0 stopped cleanly, 1 bad flag or configuration,\n"
        "2 Redis refused (too old, evicting, authentication), 3 internal failure.\n\n"
        "Job types:\n");
    for (h = heft_builtin_handlers; *h; h++)
        fprintf(out, "  %-16s %s\n", (*h)->type, (*h)->summary);
}

enum {
    OPT_REDIS = 256, OPT_QUEUES, OPT_CONCURRENCY, OPT_PREFETCH, OPT_LOG_LEVEL,
    OPT_LOG_FORMAT, OPT_ALLOW_EVICTION, OPT_CHECK, OPT_VERSION, OPT_METRICS,
};

static const struct option options[] = {
    { "config", required_argument, NULL, 'c' },
    { "redis", required_argument, NULL, OPT_REDIS },
    { "queues", required_argument, NULL, OPT_QUEUES },
    { "concurrency", required_argument, NULL, OPT_CONCURRENCY },
    { "prefetch", required_argument, NULL, OPT_PREFETCH },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "allow-eviction", no_argument, NULL, OPT_ALLOW_EVICTION },
    { "check-config", no_argument, NULL, OPT_CHECK },
    { "metrics", required_argument, NULL, OPT_METRICS },
    { "version", no_argument, NULL, OPT_VERSION },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

struct flags {
    const char *config;
    int check_only;
};

static int flag_uint(const char *flag, const char *arg, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno || end == arg || *end || *arg == '-' || v < min || v > max) {
        fprintf(stderr, "heftd: %s: expected an integer from %u to %u, got \"%s\"\n",
                flag, min, max, arg);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static int flag_enum(const char *flag, const char *arg, const char *const *names,
                     const int *values, int *out)
{
    int i;

    for (i = 0; names[i]; i++)
        if (!strcmp(arg, names[i])) {
            *out = values[i];
            return 0;
        }
    fprintf(stderr, "heftd: %s: unknown value \"%s\"\n", flag, arg);
    return -1;
}

static int set_string(char **slot, const char *value)
{
    char *s = strdup(value);

    if (!s)
        return -1;
    free(*slot);
    *slot = s;
    return 0;
}

static int flag_listen(const char *flag, const char *arg, char **slot)
{
    struct heft_listen_addr addr;
    char why[256];

    if (heft_listen_parse(arg, &addr, why, sizeof why) == 0)
        return set_string(slot, arg);
    fprintf(stderr, "heftd: %s: %s\n", flag, why);
    return -1;
}

/* First pass: only -c, so the file is applied before the other flags.
 * optind = 0 starts getopt afresh (GNU): a reload parses argv again. */
static int find_config(int argc, char **argv, struct flags *fl)
{
    int opt;

    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1)
        if (opt == 'c')
            fl->config = optarg;
    optind = 1;
    opterr = 1;
    return 0;
}

static int apply_flag(struct heft_config *cfg, struct flags *fl, int opt)
{
    static const char *const levels[] = { "error", "warn", "info", "debug", NULL };
    static const int level_values[] = { HEFT_LOG_ERROR, HEFT_LOG_WARN, HEFT_LOG_INFO, HEFT_LOG_DEBUG };
    static const char *const formats[] = { "text", "json", NULL };
    static const int format_values[] = { HEFT_LOG_TEXT, HEFT_LOG_JSON };
    struct heft_config_error err;
    int v;

    switch (opt) {
    case 'c': return 0;
    case OPT_REDIS: return set_string(&cfg->redis_url, optarg);
    case OPT_QUEUES:
        if (heft_config_set_queues(cfg, optarg, &err) == 0)
            return 0;
        fprintf(stderr, "heftd: %s\n", err.msg);
        return -1;
    case OPT_CONCURRENCY: return flag_uint("--concurrency", optarg, 1, 1024, &cfg->concurrency);
    case OPT_PREFETCH: return flag_uint("--prefetch", optarg, 1, 1024, &cfg->prefetch);
    case OPT_LOG_LEVEL:
        if (flag_enum("--log-level", optarg, levels, level_values, &v) < 0)
            return -1;
        cfg->log_level = (enum heft_log_level)v;
        return 0;
    case OPT_LOG_FORMAT:
        if (flag_enum("--log-format", optarg, formats, format_values, &v) < 0)
            return -1;
        cfg->log_format = (enum heft_log_format)v;
        return 0;
    case OPT_ALLOW_EVICTION: cfg->allow_eviction = 1; return 0;
    case OPT_METRICS: return flag_listen("--metrics", optarg, &cfg->metrics_listen);
    case OPT_CHECK: fl->check_only = 1; return 0;
    default: return -1;
    }
}

/* Defaults, then the file, then HEFT_REDIS_URL, then flags.  A bad file
 * fills err; a bad flag or argument is told on stderr (err empty): flags
 * are only ever wrong at start, a reload parses the same ones again. */
static int load(int argc, char **argv, struct heft_config *cfg, struct flags *fl,
                struct heft_config_error *err)
{
    const char *env = getenv("HEFT_REDIS_URL");
    int opt;

    err->msg[0] = '\0';
    if (heft_config_defaults(cfg) < 0) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    find_config(argc, argv, fl);
    if (fl->config && heft_config_load_file(cfg, fl->config, err) < 0)
        return -1;
    if (env && *env && set_string(&cfg->redis_url, env) < 0)
        return -1;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1)
        if (apply_flag(cfg, fl, opt) < 0) {
            if (opt == '?' || opt == ':')
                fprintf(stderr, "Try 'heftd --help'.\n");
            return -1;
        }
    if (optind < argc) {
        fprintf(stderr, "heftd: unexpected argument \"%s\"\n", argv[optind]);
        return -1;
    }
    return heft_config_finish(cfg, err);
}

/* A whole configuration: loaded, and accepted by every handler's init
 * (a configuration is only OK once they all accepted their settings). */
static int load_all(int argc, char **argv, struct heft_config **out, struct heft_states **states,
                    struct flags *fl, struct heft_config_error *err)
{
    struct heft_config *cfg = calloc(1, sizeof *cfg);

    *out = NULL;
    *states = NULL;
    if (!cfg) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    if (load(argc, argv, cfg, fl, err) < 0 || !(*states = heft_handlers_init(cfg, err))) {
        heft_config_free(cfg);
        free(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

struct argv_ctx {
    int argc;
    char **argv;
};

static int reload_config(void *ctx, struct heft_config **cfg, struct heft_states **states,
                         struct heft_config_error *err)
{
    struct argv_ctx *a = ctx;
    struct flags fl = { 0 };

    if (load_all(a->argc, a->argv, cfg, states, &fl, err) == 0)
        return 0;
    if (!err->msg[0])
        snprintf(err->msg, sizeof err->msg, "the command line no longer parses");
    return -1;
}

static int early_flags(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 1;
        }
        if (!strcmp(argv[i], "--version")) {
            printf("heftd %s (protocol 1)\n", PACKAGE_VERSION);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct argv_ctx args = { argc, argv };
    const struct heft_reloader reloader = { reload_config, &args };
    struct heft_config_error err;
    struct heft_config *cfg;
    struct heft_states *states;
    struct heft_daemon d;
    struct flags fl = { 0 };
    int rc;

    if (early_flags(argc, argv))
        return HEFT_EXIT_OK;
    if (load_all(argc, argv, &cfg, &states, &fl, &err) < 0) {
        if (err.msg[0])
            fprintf(stderr, "heftd: %s\n", err.msg);
        return HEFT_EXIT_USAGE;
    }
    if (fl.check_only) {
        printf("%s: configuration OK\n", cfg->path ? cfg->path : "(defaults)");
        heft_handlers_fini(states);
        heft_config_free(cfg);
        free(cfg);
        return HEFT_EXIT_OK;
    }
    heft_log_setup(cfg->log_level, cfg->log_format);
    if (heft_daemon_init(&d, cfg, states, &reloader) < 0) {
        log_error("out of memory at start");
        rc = HEFT_EXIT_FAILURE;
    } else {
        rc = heft_daemon_run(&d);
    }
    heft_daemon_fini(&d);
    return rc;
}
