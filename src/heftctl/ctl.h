/*
 * ctl.h - what every heftctl command shares: the context (configuration,
 * the one Redis link, output choices), the exit codes, option parsing and
 * the commands' entry points.
 *
 * A command is `int cmd_NAME(struct ctl *c, int argc, char **argv)`, argv[0]
 * being the command's name; it returns an exit code (enum ctl_exit) and
 * says why on stderr.  Only main() exits.
 */
#ifndef HEFT_CTL_H
#define HEFT_CTL_H

#include <getopt.h>
#include <stdio.h>
#include <hiredis/hiredis.h>
#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "link.h"
#include "reply.h"

/* Documented in docs/heftctl.md; scripts rely on them. */
enum ctl_exit {
    CTL_OK = 0,
    CTL_USAGE = 1,       /* bad flag, argument or configuration; local file errors */
    CTL_NOT_FOUND = 2,   /* no such job, queue or result */
    CTL_REDIS = 3,       /* Redis unreachable, or it refused a command */
    CTL_JOB_FAILED = 4,  /* enqueue --wait: the job failed or died */
    CTL_TIMEOUT = 5,     /* enqueue --wait: no outcome within --timeout */
    CTL_REFUSED = 6,     /* retry: a job's state does not allow it */
};

struct ctl {
    const char *config_path;  /* -c FILE, NULL for none */
    const char *redis_url;    /* --redis URL, NULL for none */
    int json;                 /* --json */
    int color;                /* stdout is a TTY and NO_COLOR is unset */
    int loaded;               /* cfg holds the configuration */
    struct heft_config cfg;
    struct heft_link *link;   /* NULL until ctl_connect() */
};

/* The options every command takes (-c, --redis, --json): 1 when opt was
 * one of them (applied to c), 0 when not. */
int ctl_common_opt(struct ctl *c, int opt, const char *arg);
extern const struct option ctl_common_options[];
#define CTL_COMMON_SHORTS "c:h"
enum { CTL_OPT_JSON = 200, CTL_OPT_REDIS };

/* Load the configuration (once): defaults, the file, HEFT_REDIS_URL,
 * --redis, as heftd does.  CTL_OK, or CTL_USAGE with the reason on stderr. */
int ctl_load(struct ctl *c);
/* Load, then connect (once).  CTL_OK, CTL_USAGE, or CTL_REDIS with the
 * reason on stderr. */
int ctl_connect(struct ctl *c);
/* Where Redis is, without credentials ("127.0.0.1:6379/0"). */
const char *ctl_where(const struct ctl *c, char *buf, size_t n);
void ctl_fini(struct ctl *c);
/* The help of one command (main.c's table); 0, or -1 if there is none. */
int ctl_help(const char *cmd, FILE *f);
/* Send a command built in cmd (which is reset); NULL (reason on stderr)
 * when the link broke.  The reply belongs to the caller. */
redisReply *ctl_call(struct ctl *c, struct heft_cmd *cmd);
/* Queue cmd (reset after) for ctl_replies(). */
int ctl_append(struct ctl *c, struct heft_cmd *cmd);
/* Read n queued replies into out[]; CTL_OK or CTL_REDIS (all freed). */
int ctl_replies(struct ctl *c, redisReply **out, size_t n);
/* The same after queueing TIME too: *now_ms is Redis's clock, the one
 * ages are measured with. */
int ctl_replies_timed(struct ctl *c, redisReply **out, size_t n, long long *now_ms);
/* An error reply: print it and return 1. */
int ctl_reply_error(const redisReply *r, const char *what);
/* A string reply's text, or NULL (fields, integers, TIME: reply.h). */
const char *ctl_reply_str(const redisReply *r);

/* A command's own flags: long options (each with a short letter or a
 * value >= 256) handed to fn with their argument; fn returns 0, or -1
 * after saying what is wrong.  --json, -c, --redis and --help are common
 * to all commands and handled here. */
typedef int (*ctl_opt_fn)(void *state, int opt, const char *arg);
struct ctl_flags {
    const struct option *opts;
    const char *shorts;
    ctl_opt_fn fn;
    void *state;
};
/* Parse argv (argv[0] the command) and check that min..max positional
 * arguments remain.  The index of the first one, or -1 with *rc the exit
 * code to return (CTL_OK after --help, else CTL_USAGE). */
int ctl_args(struct ctl *c, int argc, char **argv, const struct ctl_flags *f,
             int min, int max, int *rc);
/* "heftctl CMD: message" on stderr; returns CTL_USAGE. */
int ctl_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A queue name as the protocol allows it (1..64 of A-Za-z0-9_.:-). */
int ctl_queue_name_ok(const char *q);
/* "q is not a queue name" for cmd, as ctl_usage(); returns CTL_USAGE. */
int ctl_bad_queue(const char *cmd, const char *q);
/* "heft:{Q}:SUFFIX" appended to cmd. */
void ctl_cmd_key(struct heft_cmd *cmd, const char *queue, const char *suffix);
/* Strict decimal integer parse; 0 or -1. */
int ctl_parse_ll(const char *s, long long min, long long max, long long *out);

/* Write len bytes to path, or to stdout when path is NULL (refused on a
 * terminal).  CTL_OK, or CTL_USAGE with the reason on stderr. */
int ctl_write_out(const char *path, const char *data, size_t len);
/* Write the blob of job id to path (NULL: stdout).  CTL_NOT_FOUND when
 * the job or its blob does not exist. */
int ctl_save_blob(struct ctl *c, const char *queue, const char *id, const char *path);

/* Job ids read a page at a time from where the protocol indexes them
 * (jobs.c): a stream's entries from an XRANGE start (CTL_PAGE_UNREAD),
 * its group's pending entries (CTL_PAGE_PENDING, from "-"), a sorted set
 * by rank from the offset `from` (CTL_PAGE_OLDEST, CTL_PAGE_NEWEST). */
#define CTL_PAGE_MAX 100
enum ctl_page_kind { CTL_PAGE_UNREAD, CTL_PAGE_PENDING, CTL_PAGE_OLDEST, CTL_PAGE_NEWEST };
struct ctl_page {
    size_t n, nheld;
    const char *id[CTL_PAGE_MAX];        /* point into held */
    const char *worker[CTL_PAGE_MAX];    /* PENDING: the consumer holding it */
    redisReply *held[CTL_PAGE_MAX + 1];
    char next[80];                       /* the start of the next page */
    int last;                            /* nothing more to read */
};
/* Up to count (<= CTL_PAGE_MAX) ids; CTL_OK or CTL_REDIS.  Free the page
 * (also after an error) with ctl_page_free(). */
int ctl_page_read(struct ctl *c, enum ctl_page_kind k, const char *key, const char *from,
                  size_t count, struct ctl_page *p);
void ctl_page_free(struct ctl_page *p);
/* The XRANGE start of the entries no heftd has read yet: "(" and the
 * group's last-delivered id, or "-" when there is no group. */
int ctl_unread_start(struct ctl *c, const char *stream, char *from, size_t n);

/* The commands (one file per group). */
int cmd_ping(struct ctl *c, int argc, char **argv);
int cmd_top(struct ctl *c, int argc, char **argv);
/* For top: the queues table (*ended: jobs ended so far, all queues) and
 * the workers table with busy bars; exit codes as the commands'. */
int ctl_show_queues(struct ctl *c, long long *ended);
int ctl_show_workers(struct ctl *c);
int cmd_queues(struct ctl *c, int argc, char **argv);
int cmd_pause(struct ctl *c, int argc, char **argv);
int cmd_resume(struct ctl *c, int argc, char **argv);
int cmd_workers(struct ctl *c, int argc, char **argv);
int cmd_job(struct ctl *c, int argc, char **argv);
int cmd_result(struct ctl *c, int argc, char **argv);
int cmd_enqueue(struct ctl *c, int argc, char **argv);
int cmd_jobs(struct ctl *c, int argc, char **argv);
int cmd_retry(struct ctl *c, int argc, char **argv);
int cmd_delete(struct ctl *c, int argc, char **argv);
int cmd_purge(struct ctl *c, int argc, char **argv);
int cmd_stats(struct ctl *c, int argc, char **argv);

#endif
