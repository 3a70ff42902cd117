/*
 * config.h - heftd's configuration: the YAML file, the flags that override
 * it and HEFT_REDIS_URL, merged into one validated struct heft_config.
 *
 * Precedence, lowest first: built-in defaults, the YAML file (-c FILE),
 * HEFT_REDIS_URL, command-line flags.  A config is validated as a whole
 * before the daemon uses it; every error names the file, line and key
 * ("heft.yaml:12: queues[1].weight: must be an integer from 1 to 1000").
 *
 * Ownership: heft_config_load() returns a config the caller frees with
 * heft_config_free(); strings inside belong to the config.
 */
#ifndef HEFT_CONFIG_H
#define HEFT_CONFIG_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define HEFT_MAX_QUEUES 64
#define HEFT_MAX_TYPES 64
#define HEFT_MAX_LIMITS 32
#define HEFT_DEFAULT_REDIS_URL "redis://127.0.0.1:6379"

enum heft_queue_order { HEFT_ORDER_WEIGHTED = 0, HEFT_ORDER_STRICT };
enum heft_log_format { HEFT_LOG_TEXT = 0, HEFT_LOG_JSON };
/* Same numbers as syslog priorities, so the journal keeps levels. */
enum heft_log_level { HEFT_LOG_ERROR = 3, HEFT_LOG_WARN = 4, HEFT_LOG_INFO = 6, HEFT_LOG_DEBUG = 7 };

struct heft_queue_conf {
    char *name;            /* 1..64 chars of [A-Za-z0-9_.:-] */
    unsigned weight;       /* 1..1000, default 1 */
};

/* A named numeric limit a job type may read through heft_job_limit(). */
struct heft_limit_conf {
    char *name;
    long long value;
};

/* Per job type settings (jobs.types.NAME in YAML). 0 means "inherit".
 * Every key other than max_payload_bytes, timeout_ms and limits belongs to
 * the type's handler: its YAML subtree is converted to JSON (the rules of
 * <heft/yaml.h>) into settings, checked by the handler's init, not here. */
struct heft_type_conf {
    char *name;
    size_t max_payload_bytes;
    long long timeout_ms;
    int seal_payload;           /* 1/0 from the file; -1: the handler's flag decides */
    size_t nlimits;
    struct heft_limit_conf limits[HEFT_MAX_LIMITS];
    json_t *settings;           /* an object, owned; never NULL once loaded */
    json_t *settings_lines;     /* path inside settings -> line ("" = NAME:) */
};

/* Option defaults for jobs that do not set them (jobs.defaults in YAML). */
struct heft_job_defaults {
    unsigned attempts;          /* default 3, 1..1000 */
    long long timeout_ms;       /* default 300000 */
    long long result_ttl;       /* seconds, default 86400 */
    long long backoff_ms;       /* first retry delay, default 1000 */
    long long max_backoff_ms;   /* cap on retry delay, default 3600000 */
};

struct heft_config {
    char *path;                 /* the YAML file, NULL when none */

    /* redis: */
    char *redis_url;            /* default HEFT_DEFAULT_REDIS_URL */
    char *redis_username;       /* NULL = from URL or none */
    char *redis_password;       /* NULL = from URL or none */
    long long connect_timeout_ms;   /* default 2000 */
    int allow_eviction;         /* default 0: refuse an evicting maxmemory-policy */

    /* queues: */
    size_t nqueues;
    struct heft_queue_conf queues[HEFT_MAX_QUEUES];  /* default: "default" */
    enum heft_queue_order queue_order;                /* default weighted */

    /* worker pool */
    unsigned concurrency;       /* threads; 0 in YAML = one per online core */
    unsigned prefetch;          /* jobs held per worker thread (running or fetched), default 16, 1..1024 */
    long long lease_ms;         /* default 30000, min 1000 */
    unsigned max_deliveries;    /* deliveries without finishing before poison, default 5 */
    long long shutdown_grace_ms;/* default 25000 */
    long long heartbeat_ms;     /* default 2000 */
    long long poll_ms;          /* delayed-job promotion tick, default 100 */
    long long idle_release_ms;  /* a worker idle this long frees per-thread memory; 0 never, default 10000 */

    /* limits: */
    size_t max_payload_bytes;   /* default 1 MiB */

    /* dead: */
    long long dead_max_jobs;    /* default 10000 per queue */
    long long dead_max_age;     /* seconds, default 7 days */

    /* log: */
    enum heft_log_level log_level;   /* default info */
    enum heft_log_format log_format; /* default text */

    /* metrics: (docs/metrics.md) */
    char *metrics_listen;       /* "host:port" of the Prometheus endpoint; NULL: none (default) */
    long long metrics_refresh_ms;   /* queue gauges read from Redis at most this often, default 5000 */

    /* jobs: */
    struct heft_job_defaults defaults;
    size_t ntypes;
    struct heft_type_conf types[HEFT_MAX_TYPES];
};

/* Why a load failed: "FILE:LINE: KEY: message" or "--flag: message". */
struct heft_config_error {
    char msg[512];
};

/* Fill cfg with the built-in defaults (no allocation beyond strdup'ed
 * defaults; free with heft_config_free). Returns 0 or -ENOMEM. */
int heft_config_defaults(struct heft_config *cfg);

/* Read the YAML file at path over the values already in cfg.  Unknown
 * keys, wrong types and out-of-range values are errors.  Returns 0, or
 * -1 with err filled. */
int heft_config_load_file(struct heft_config *cfg, const char *path,
                          struct heft_config_error *err);

/* Parse "redis://[user:pass@]host:port/db" or "unix:///path[?db=N]". */
struct heft_redis_addr {
    char *host;        /* NULL for unix sockets */
    int port;
    char *socket;      /* NULL for TCP */
    int db;
    char *username;    /* NULL if absent */
    char *password;    /* NULL if absent */
};
int heft_redis_url_parse(const char *url, struct heft_redis_addr *out, char *err, size_t errlen);
void heft_redis_addr_free(struct heft_redis_addr *a);

/* Parse a listen address: "IPv4:PORT", "[IPv6]:PORT", or "PORT" alone,
 * meaning 127.0.0.1:PORT.  Names are not resolved.  Returns 0, or -1 with
 * a sentence in err. */
struct heft_listen_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    int port;
};
int heft_listen_parse(const char *s, struct heft_listen_addr *out, char *err, size_t errlen);

/* Parse "a,b:3,c" into cfg->queues (replacing them). Returns 0 or -1. */
int heft_config_set_queues(struct heft_config *cfg, const char *list,
                           struct heft_config_error *err);

/* Resolve "0 = per core" and check cross-field rules after all sources
 * were applied. Returns 0 or -1 with err filled. */
int heft_config_finish(struct heft_config *cfg, struct heft_config_error *err);

/* The settings for a type, or NULL when the config names none. */
const struct heft_type_conf *heft_config_type(const struct heft_config *cfg, const char *type);

/* Explain why the handler of type refused its settings at key (a path
 * inside them, "" = the type): "FILE:LINE: jobs.types.TYPE.KEY: msg", the
 * line being key's or its nearest recorded parent's; without a line when
 * the config does not name the type. */
void heft_config_settings_error(const struct heft_config *cfg, const char *type,
                                const char *key, const char *msg,
                                struct heft_config_error *err);

void heft_config_free(struct heft_config *cfg);

#endif
