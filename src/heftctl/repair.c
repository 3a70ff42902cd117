/*
 * repair.c - heftctl retry, delete and purge: the repairs, each done by a
 * protocol script (src/lua/retry.lua, src/lua/delete.lua) so that it is
 * atomic with respect to running heftds: a job being retried cannot also
 * be running, a job deleted while it runs has its outcome dropped.
 *
 * Bulk repairs (retry --dead, purge) read ids a page at a time from the
 * dead or delayed set or a ready stream, and hand each page to one script
 * call; what they remember is counts, never the ids, and they look at no
 * more ids than the source held when they started, so that jobs that die
 * again meanwhile do not keep them going.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "out.h"

#define BATCH CTL_PAGE_MAX
#define NO_LIMIT 1000000000LL

enum { OPT_DEAD = 256, OPT_TYPE, OPT_LIMIT, OPT_STATE, OPT_YES };

struct repair {
    const char *queue, *type, *state;
    long long limit;
    int dead, yes;
    json_t *done, *refused, *missing;   /* per id, for commands given ids */
    long long nrefused, nmissing;
};

static int repair_opt(void *state, int opt, const char *arg)
{
    struct repair *r = state;

    switch (opt) {
    case 'q': r->queue = arg; return 0;
    case OPT_DEAD: r->dead = 1; return 0;
    case OPT_TYPE: r->type = arg; return 0;
    case OPT_YES: r->yes = 1; return 0;
    case OPT_STATE:
        r->state = arg;
        if (!strcmp(arg, "dead") || !strcmp(arg, "waiting") || !strcmp(arg, "delayed"))
            return 0;
        fprintf(stderr, "heftctl purge: --state: dead, waiting or delayed, not \"%s\"\n", arg);
        return -1;
    case OPT_LIMIT:
        if (ctl_parse_ll(arg, 1, NO_LIMIT - 1, &r->limit) == 0)
            return 0;
        fprintf(stderr, "heftctl: --limit: a positive number, not \"%s\"\n", arg);
        return -1;
    default: return -1;
    }
}

static const struct option repair_options[] = {
    { "queue", required_argument, NULL, 'q' },
    { "dead", no_argument, NULL, OPT_DEAD },
    { "type", required_argument, NULL, OPT_TYPE },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "state", required_argument, NULL, OPT_STATE },
    { "yes", no_argument, NULL, OPT_YES },
    { NULL, 0, NULL, 0 },
};

/* ---- the scripts ---- */

static const char *const retry_keys[] = { "ready:high", "ready:normal", "ready:low", "dead" };
static const char *const delete_keys[] = {
    "ready:high", "ready:normal", "ready:low", "delayed", "dead", "sealed",
};

/* retry.lua or delete.lua on n ids: the reply, an array of n strings, or
 * NULL (said on stderr). */
static redisReply *run_script(struct ctl *c, enum heft_script s, const char *queue, const char *arg,
                              const char *const *ids, size_t n)
{
    const char *const *keys = s == HEFT_SCRIPT_RETRY ? retry_keys : delete_keys;
    size_t nkeys = s == HEFT_SCRIPT_RETRY ? 4 : 6, i;
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;

    heft_link_script(c->link, &cmd, s, (int)(nkeys + 2 * n));
    for (i = 0; i < nkeys; i++)
        ctl_cmd_key(&cmd, queue, keys[i]);
    for (i = 0; i < n; i++) {
        heft_cmd_printf(&cmd, "heft:{%s}:job:%s", queue, ids[i]);
        heft_cmd_printf(&cmd, "heft:{%s}:reply:%s", queue, ids[i]);
    }
    heft_cmd_borrows(&cmd, arg);
    for (i = 0; i < n; i++)
        heft_cmd_borrows(&cmd, ids[i]);
    r = heft_link_call_script(c->link, &cmd);
    heft_cmd_free(&cmd);
    if (!r)
        fprintf(stderr, "heftctl: Redis: %s\n", heft_link_error(c->link));
    else if (ctl_reply_error(r, s == HEFT_SCRIPT_RETRY ? "retry" : "delete") ||
             r->type != REDIS_REPLY_ARRAY || r->elements != n) {
        freeReplyObject(r);
        r = NULL;
    }
    return r;
}

/* ---- retry ID... and delete ID... ---- */

static void say_retry(const struct repair *rp, const char *id, const char *why)
{
    if (!strcmp(why, "retried"))
        printf("Retried %s: waiting again, attempts counted afresh.\n", id);
    else if (!strcmp(why, "missing"))
        fprintf(stderr, "heftctl retry: no job \"%s\" in queue %s (or it expired)\n", id, rp->queue);
    else if (!strcmp(why, "sealed"))
        fprintf(stderr, "heftctl retry: job %s cannot be retried: its payload was sealed (removed from "
                "Redis when heftd took it); enqueue it again\n", id);
    else
        fprintf(stderr, "heftctl retry: job %s is %s: only dead or failed jobs are retried "
                "(a job must never run twice at once)\n", id, why);
}

static void say_delete(const struct repair *rp, const char *id, const char *state)
{
    if (!strcmp(state, "missing"))
        fprintf(stderr, "heftctl delete: no job \"%s\" in queue %s (or it expired)\n", id, rp->queue);
    else if (!strcmp(state, "active"))
        printf("Deleted %s (it was running: the heftd running it finishes, and its outcome is dropped).\n", id);
    else
        printf("Deleted %s (it was %s).\n", id, state);
}

/* One script reply for the ids: tallied, and said unless --json. */
static void tally_ids(struct ctl *c, struct repair *rp, enum heft_script s, const redisReply *r,
                      char **ids)
{
    size_t i;

    for (i = 0; i < r->elements; i++) {
        const char *what = r->element[i]->str;

        if (!c->json)
            s == HEFT_SCRIPT_RETRY ? say_retry(rp, ids[i], what) : say_delete(rp, ids[i], what);
        if (!strcmp(what, "missing")) {
            json_array_append_new(rp->missing, json_string(ids[i]));
            rp->nmissing++;
        } else if (s == HEFT_SCRIPT_DELETE) {
            json_array_append_new(rp->done, json_pack("{s:s, s:s}", "id", ids[i], "state", what));
        } else if (!strcmp(what, "retried")) {
            json_array_append_new(rp->done, json_string(ids[i]));
        } else {
            json_array_append_new(rp->refused, json_pack("{s:s, s:s}", "id", ids[i], "reason", what));
            rp->nrefused++;
        }
    }
}

static int ids_exit(const struct repair *rp)
{
    return rp->nrefused ? CTL_REFUSED : rp->nmissing ? CTL_NOT_FOUND : CTL_OK;
}

static int on_ids(struct ctl *c, struct repair *rp, enum heft_script s, int argc, char **argv)
{
    const char *done = s == HEFT_SCRIPT_RETRY ? "retried" : "deleted";
    redisReply *r;
    int i, n, rc;

    for (i = 0; i < argc; i++)
        if (!*argv[i] || strlen(argv[i]) > 128)
            return ctl_usage(s == HEFT_SCRIPT_RETRY ? "retry" : "delete", "a job id is 1 to 128 bytes");
    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    rp->done = json_array(), rp->refused = json_array(), rp->missing = json_array();
    for (i = 0; i < argc; i += n) {
        n = argc - i < BATCH ? argc - i : BATCH;
        if (!(r = run_script(c, s, rp->queue, "",
                             (const char *const *)argv + i, (size_t)n)))
            return CTL_REDIS;
        tally_ids(c, rp, s, r, argv + i);
        freeReplyObject(r);
    }
    rc = ids_exit(rp);
    if (c->json && s == HEFT_SCRIPT_RETRY)
        return out_json(json_pack("{s:s, s:O, s:O, s:O}", "queue", rp->queue, done, rp->done,
                                  "refused", rp->refused, "not_found", rp->missing)) < 0 ? CTL_USAGE : rc;
    if (c->json)
        return out_json(json_pack("{s:s, s:O, s:O}", "queue", rp->queue, done, rp->done,
                                  "not_found", rp->missing)) < 0 ? CTL_USAGE : rc;
    return rc;
}

/* ---- bulk: retry --dead and purge ---- */

struct bulk {
    enum heft_script script;
    const char *arg;             /* retry: the type; delete: the states */
    enum ctl_page_kind kind;
    long long limit;             /* at most this many done */
    long long done, kept, seen;
};

/* The number of ids in a set or stream now: how many a bulk pass looks at. */
static long long bound(struct ctl *c, const char *key, int stream)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;
    long long n;

    heft_cmd_borrows(&cmd, stream ? "XLEN" : "ZCARD");
    heft_cmd_borrows(&cmd, key);
    r = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    n = r ? heft_reply_ll(r, -1) : -1;
    if (r)
        freeReplyObject(r);
    return n;
}

/* One page through the script; counts updated. */
static int bulk_page(struct ctl *c, const char *queue, struct bulk *b, struct ctl_page *p)
{
    redisReply *r = run_script(c, b->script, queue, b->arg, p->id, p->n);
    size_t i;

    if (!r)
        return CTL_REDIS;
    for (i = 0; i < r->elements; i++) {
        const char *what = r->element[i]->str;

        if (!strcmp(what, "missing"))
            continue;           /* a stale id, now removed from the set */
        if (!strcmp(what, "retried") || (b->script == HEFT_SCRIPT_DELETE && strncmp(what, "kept:", 5)))
            b->done++;
        else
            b->kept++;          /* still in the set: the next page starts after it */
    }
    freeReplyObject(r);
    return CTL_OK;
}

/* Every page of one set or stream through the script. */
static int bulk_key(struct ctl *c, const char *queue, struct bulk *b, const char *suffix)
{
    int stream = b->kind == CTL_PAGE_UNREAD;
    char key[200], from[80] = "0";
    long long most;
    struct ctl_page p;
    int rc = CTL_OK;

    memset(&p, 0, sizeof p);
    snprintf(key, sizeof key, "heft:{%s}:%s", queue, suffix);
    if ((most = bound(c, key, stream)) < 0 ||
        (stream && ctl_unread_start(c, key, from, sizeof from) != CTL_OK))
        return CTL_REDIS;
    b->kept = 0;
    while (rc == CTL_OK && most > 0 && b->done < b->limit) {
        long long want = b->limit - b->done < BATCH ? b->limit - b->done : BATCH;

        if (!stream)
            snprintf(from, sizeof from, "%lld", b->kept);
        if ((rc = ctl_page_read(c, b->kind, key, from, (size_t)want, &p)) != CTL_OK || !p.n)
            break;
        rc = bulk_page(c, queue, b, &p);
        most -= (long long)p.n;
        snprintf(from, sizeof from, "%s", p.next);
        if (p.last)
            most = 0;
        ctl_page_free(&p);
    }
    ctl_page_free(&p);
    return rc;
}

static int retry_dead(struct ctl *c, struct repair *rp)
{
    struct bulk b = { HEFT_SCRIPT_RETRY, rp->type ? rp->type : "", CTL_PAGE_OLDEST, rp->limit, 0, 0, 0 };
    int rc;

    if ((rc = ctl_connect(c)) != CTL_OK || (rc = bulk_key(c, rp->queue, &b, "dead")) != CTL_OK)
        return rc;
    if (c->json)
        return out_json(json_pack("{s:s, s:o, s:I, s:I}", "queue", rp->queue, "type", out_json_str(rp->type),
                                  "retried", (json_int_t)b.done, "left", (json_int_t)b.kept)) < 0
               ? CTL_USAGE : CTL_OK;
    printf("Retried %lld dead job%s of queue %s.\n", b.done, b.done == 1 ? "" : "s", rp->queue);
    if (b.kept)
        printf("%lld left in the dead set: %s (a sealed job cannot be retried: enqueue it again).\n",
               b.kept, rp->type ? "of other types, or sealed" : "sealed");
    return CTL_OK;
}

/* The flags and arguments of retry and delete (given ids: at least one);
 * the index of the first argument, or -1 with *rc set. */
static int repair_args(struct ctl *c, int argc, char **argv, struct repair *rp, int *rc)
{
    struct ctl_flags f = { repair_options, "q:", repair_opt, rp };

    memset(rp, 0, sizeof *rp);
    rp->queue = "default";
    rp->limit = NO_LIMIT;
    return ctl_args(c, argc, argv, &f, 1, 100000, rc);
}

static void repair_free(struct repair *rp)
{
    json_decref(rp->done);
    json_decref(rp->refused);
    json_decref(rp->missing);
}

int cmd_retry(struct ctl *c, int argc, char **argv)
{
    struct repair rp;
    int at, rc;

    if ((at = repair_args(c, argc, argv, &rp, &rc)) < 0)
        return rc;
    if (rp.state || rp.yes)
        return ctl_usage(argv[0], "--state and --yes are for purge");
    if (rp.dead) {
        if (argc - at != 1)
            return ctl_usage(argv[0], "--dead takes one queue, not job ids");
        rp.queue = argv[at];
    } else if (rp.type || rp.limit != NO_LIMIT) {
        return ctl_usage(argv[0], "--type and --limit go with --dead QUEUE");
    }
    if (!ctl_queue_name_ok(rp.queue))
        return ctl_bad_queue(argv[0], rp.queue);
    rc = rp.dead ? retry_dead(c, &rp) : on_ids(c, &rp, HEFT_SCRIPT_RETRY, argc - at, argv + at);
    repair_free(&rp);
    return rc;
}

int cmd_delete(struct ctl *c, int argc, char **argv)
{
    struct repair rp;
    int at, rc;

    if ((at = repair_args(c, argc, argv, &rp, &rc)) < 0)
        return rc;
    if (rp.dead || rp.type || rp.limit != NO_LIMIT || rp.state || rp.yes)
        return ctl_usage(argv[0], "takes job ids and --queue only (see purge)");
    if (!ctl_queue_name_ok(rp.queue))
        return ctl_bad_queue(argv[0], rp.queue);
    rc = on_ids(c, &rp, HEFT_SCRIPT_DELETE, argc - at, argv + at);
    repair_free(&rp);
    return rc;
}

/* ---- purge ---- */

/* On a terminal, ask; elsewhere --yes is required.  1 to go on. */
static int confirmed(const struct repair *rp)
{
    char line[16];

    if (rp->yes)
        return 1;
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "heftctl purge: refusing to delete without --yes (standard input is not a terminal)\n");
        return 0;
    }
    fprintf(stderr, "Delete every %s job of queue %s? This cannot be undone. [y/N] ", rp->state, rp->queue);
    if (!fgets(line, sizeof line, stdin) || (strcmp(line, "y\n") && strcmp(line, "yes\n"))) {
        fprintf(stderr, "heftctl purge: nothing deleted\n");
        return 0;
    }
    return 1;
}

static int purge(struct ctl *c, struct repair *rp)
{
    static const char *const streams[] = { "ready:high", "ready:normal", "ready:low" };
    struct bulk b = { HEFT_SCRIPT_DELETE, rp->state, CTL_PAGE_OLDEST, NO_LIMIT, 0, 0, 0 };
    int i, rc;

    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    if (!strcmp(rp->state, "delayed")) {
        b.arg = "delayed retrying";
        rc = bulk_key(c, rp->queue, &b, "delayed");
    } else if (!strcmp(rp->state, "dead")) {
        rc = bulk_key(c, rp->queue, &b, "dead");
    } else {
        b.kind = CTL_PAGE_UNREAD;
        for (i = 0; i < 3 && rc == CTL_OK; i++)
            rc = bulk_key(c, rp->queue, &b, streams[i]);
    }
    if (rc != CTL_OK)
        return rc;
    if (c->json)
        return out_json(json_pack("{s:s, s:s, s:I}", "queue", rp->queue, "state", rp->state,
                                  "deleted", (json_int_t)b.done)) < 0 ? CTL_USAGE : CTL_OK;
    printf("Deleted %lld %s job%s of queue %s.\n", b.done, rp->state, b.done == 1 ? "" : "s", rp->queue);
    return CTL_OK;
}

int cmd_purge(struct ctl *c, int argc, char **argv)
{
    struct repair rp;
    struct ctl_flags f = { repair_options, "", repair_opt, &rp };
    int at, rc;

    memset(&rp, 0, sizeof rp);
    if ((at = ctl_args(c, argc, argv, &f, 1, 1, &rc)) < 0)
        return rc;
    rp.queue = argv[at];
    if (rp.dead || rp.type || rp.limit)
        return ctl_usage(argv[0], "takes QUEUE, --state and --yes only");
    if (!rp.state)
        return ctl_usage(argv[0], "--state dead, waiting or delayed is required");
    if (!ctl_queue_name_ok(rp.queue))
        return ctl_bad_queue(argv[0], rp.queue);
    if (!confirmed(&rp))
        return CTL_USAGE;
    return purge(c, &rp);
}
