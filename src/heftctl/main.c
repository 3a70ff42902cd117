/*
 * main.c - heftctl's command line: the options before the command, the
 * table of commands with their help, and the exit code.  The only place
 * that exits; commands return their exit code (enum ctl_exit).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"

struct command {
    const char *name;
    int (*run)(struct ctl *c, int argc, char **argv);
    const char *synopsis;
    const char *summary;
    const char *help;      /* the flags and what to expect, or NULL */
};

static const struct command commands[] = {
    { "ping", cmd_ping, "ping", "is Redis reachable; its version, eviction policy, heft protocol",
      "Exits 0 when Redis answers, 3 when it cannot be reached or refuses us:\n"
      "a health check.  Warns when maxmemory-policy is not noeviction.\n" },
    { "queues", cmd_queues, "queues", "every queue: waiting, active, scheduled, dead, totals, latency",
      "One line per queue of the set heft:queues.  WAITING: jobs not yet taken;\n"
      "ACTIVE: jobs a heftd holds; SCHEDULED: delayed and retrying jobs together;\n"
      "DEAD: jobs in the dead set now; SUCCEEDED, FAILED, RETRIED, DIED: totals\n"
      "since the queue was created; LATENCY: age of the oldest waiting job.\n" },
    { "workers", cmd_workers, "workers", "live heftd processes, stale ones marked",
      "One line per heftd in heft:workers.  A worker is stale when its heartbeat\n"
      "is older than three heartbeat intervals (or its hash expired): it died\n"
      "or lost Redis.\n" },
    { "job", cmd_job, "job ID [--queue Q]", "everything about one job",
      "  -q, --queue Q     the job's queue (default: default)\n"
      "Exits 2 when there is no such job (or it expired).\n" },
    { "result", cmd_result, "result ID [--queue Q] [-o FILE]", "write a job's binary result (a PDF...)",
      "  -q, --queue Q     the job's queue (default: default)\n"
      "  -o, --output FILE write it to FILE instead of standard output\n"
      "Refuses to write binary data to a terminal.  Exits 2 when the job does\n"
      "not exist or has no binary result.\n" },
    { "enqueue", cmd_enqueue, "enqueue QUEUE TYPE JSON [options]", "put a job on a queue",
      "JSON is the payload: a JSON text, @FILE to read it from FILE, or - for\n"
      "standard input.  It is checked before anything is sent.\n"
      "  --id ID           the job id (default: a random one); prints the id\n"
      "  --priority P      high, normal or low\n"
      "  --delay-ms N      run no earlier than N ms from now\n"
      "  --wait            wait for the outcome: print the result JSON and exit 0,\n"
      "                    or print the error and exit 4 if the job failed or died\n"
      "  --timeout S       with --wait: give up after S seconds (default 30), exit 5;\n"
      "                    the job goes on\n"
      "  -o, --output FILE with --wait: also write the binary result to FILE\n" },
    { "pause", cmd_pause, "pause QUEUE", "heftd stops taking jobs from QUEUE (within a second)",
      "Running jobs finish; waiting jobs stay where they are.  Exits 2 for a\n"
      "queue no heftd has served.\n" },
    { "resume", cmd_resume, "resume QUEUE", "heftd takes jobs from QUEUE again", NULL },
    { "jobs", cmd_jobs, "jobs QUEUE [options]", "a page of a queue's jobs",
      "  --state S         waiting, active, delayed, retrying or dead (default: all\n"
      "                    of them, active first); succeeded and failed jobs are\n"
      "                    not indexed by the protocol (use 'heftctl job ID')\n"
      "  --type T          only jobs of type T (looks at 10000 jobs a state at most)\n"
      "  --limit N         at most N jobs (default 50, at most 10000)\n"
      "  --offset N        leave out the first N jobs that match: the next page\n"
      "                    after a listing that stopped at its limit (at most\n"
      "                    1000000)\n" },
    { "retry", cmd_retry, "retry ID... | --dead QUEUE",
      "run dead or failed jobs again",
      "A dead or failed job goes back to waiting with its payload, attempts\n"
      "counted afresh.  Any other job is refused (exit 6): it is waiting,\n"
      "running or scheduled, or it succeeded.  A sealed job cannot be retried\n"
      "(its payload left Redis): enqueue it again.  Exit 2 for a job not found.\n"
      "  -q, --queue Q     the jobs' queue (default: default)\n"
      "  --dead QUEUE      every job of QUEUE's dead set, oldest first, 100 a call\n"
      "  --type T          with --dead: only jobs of type T\n"
      "  --limit N         with --dead: at most N jobs\n" },
    { "delete", cmd_delete, "delete ID... [--queue Q]", "delete jobs, whatever their state",
      "The hash, reply list, set entries and a waiting job's stream entry go.\n"
      "A running job finishes, and its outcome is dropped.  Exit 2 for a job\n"
      "not found.\n"
      "  -q, --queue Q     the jobs' queue (default: default)\n" },
    { "purge", cmd_purge, "purge QUEUE --state S [--yes]", "delete every job in a state",
      "Jobs a heftd already holds are not waiting, and stay.  Asks on a\n"
      "terminal; elsewhere --yes is required (exit 1 without it).\n"
      "  --state S         dead, waiting or delayed (the whole schedule:\n"
      "                    delayed and retrying jobs)\n"
      "  --yes             do not ask\n" },
    { "stats", cmd_stats, "stats [QUEUE]", "outcomes per queue: totals, last hour and minute",
      "Jobs succeeded, failed, retried, dead and released: in total since each\n"
      "queue was created, in the 60 minutes before the current one, in the\n"
      "minute before it, and in the current minute so far.\n" },
    { "top", cmd_top, "top [--interval MS]", "queues and workers, redrawn live until q",
      "Needs a terminal.  Redraws every --interval ms (default 1000, at least 100)\n"
      "the queues table, the jobs ended per second since the last frame and the\n"
      "workers with a bar of their busy threads.  q, Escape or Ctrl-C quits.\n" },
    { "help", NULL, "help [COMMAND]", "this help, or a command's", NULL },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find(const char *name)
{
    size_t i;

    for (i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "Usage: heftctl [-c FILE] [--redis URL] [--json] COMMAND [ARGS]\n"
               "Looks at and steers heft's queues, workers and jobs in Redis.\n\nCommands:\n");
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-34s %s\n", commands[i].synopsis, commands[i].summary);
    fprintf(f, "\nOptions (before or after the command):\n"
               "  -c, --config FILE  heftd's YAML configuration (for redis: and heartbeat_ms)\n"
               "      --redis URL    redis://[user:pass@]host:port/db or unix:///path\n"
               "                     (default: $HEFT_REDIS_URL, else " HEFT_DEFAULT_REDIS_URL ")\n"
               "      --json         machine-readable output (see docs/heftctl.md)\n"
               "  -h, --help         help\n\n"
               "Exit codes: 0 ok, 1 usage or configuration, 2 not found, 3 Redis unreachable\n"
               "or refused, 4 the job failed (enqueue --wait), 5 no outcome in time,\n"
               "6 refused (retry of a job that is not dead or failed).\n"
               "Colour only on a terminal, never when NO_COLOR is set.\n");
}

int ctl_help(const char *name, FILE *f)
{
    const struct command *cmd = find(name);

    if (!cmd)
        return -1;
    fprintf(f, "Usage: heftctl %s\nheftctl %s: %s.\n", cmd->synopsis, cmd->name, cmd->summary);
    if (cmd->help)
        fprintf(f, "\n%s", cmd->help);
    fprintf(f, "\nCommon options: -c FILE, --redis URL, --json (see heftctl help).\n");
    return 0;
}

static int run_help(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return CTL_OK;
    }
    if (ctl_help(argv[1], stdout) < 0) {
        fprintf(stderr, "heftctl: no command \"%s\"; try 'heftctl help'.\n", argv[1]);
        return CTL_USAGE;
    }
    return CTL_OK;
}

/* The options before the command; the index of the command, or -1. */
static int global_options(struct ctl *c, int argc, char **argv)
{
    int opt;

    while ((opt = getopt_long(argc, argv, "+" CTL_COMMON_SHORTS, ctl_common_options, NULL)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            return -2;
        }
        if (!ctl_common_opt(c, opt, optarg)) {
            fprintf(stderr, "Try 'heftctl help'.\n");
            return -1;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return -1;
    }
    return optind;
}

static int dispatch(struct ctl *c, int argc, char **argv)
{
    const struct command *cmd = find(argv[0]);

    if (!cmd) {
        fprintf(stderr, "heftctl: no command \"%s\"; try 'heftctl help'.\n", argv[0]);
        return CTL_USAGE;
    }
    if (!cmd->run)
        return run_help(argc, argv);
    return cmd->run(c, argc, argv);
}

int main(int argc, char **argv)
{
    struct ctl c;
    const char *no_color = getenv("NO_COLOR");
    int at, rc;

    memset(&c, 0, sizeof c);
    c.color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
    heft_log_setup(HEFT_LOG_ERROR, HEFT_LOG_TEXT);
    at = global_options(&c, argc, argv);
    if (at < 0)
        return at == -2 ? CTL_OK : CTL_USAGE;
    rc = dispatch(&c, argc - at, argv + at);
    ctl_fini(&c);
    if (fflush(stdout) != 0 && rc == CTL_OK) {
        perror("heftctl: standard output");
        rc = CTL_USAGE;
    }
    return rc;
}
