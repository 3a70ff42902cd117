/*
 * jobs.c - heftctl jobs: a page of one queue's jobs, read where the
 * protocol indexes them and never by scanning the keyspace.
 *
 * Each state has its sources: waiting jobs are the stream entries after
 * the group's last-delivered id, active ones the group's pending entries
 * plus heft:{Q}:sealed, delayed and retrying ones heft:{Q}:delayed (by due
 * time), dead ones heft:{Q}:dead (newest first).  A source is read a page
 * at a time (up to PAGE ids), then the page's job hashes in one pipeline;
 * rows are kept until --limit, after leaving out the first --offset that
 * match (to page on from where a listing stopped).  Where rows are
 * filtered out (--type, or delayed and retrying sharing one set) at most
 * SCAN_MAX ids of a source are looked at beyond --offset, so that a page
 * costs about the same wherever it starts.  Succeeded and failed jobs are
 * not indexed: only their hashes exist, so they cannot be listed without
 * a scan.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "out.h"

#define PAGE CTL_PAGE_MAX
#define SCAN_MAX 10000
#define OFFSET_MAX 1000000
#define DEFAULT_LIMIT 50
#define NBANDS 3

static const char *const bands[NBANDS] = { "high", "normal", "low" };

enum source { SRC_WAITING, SRC_ACTIVE, SRC_SEALED, SRC_DELAYED, SRC_DEAD };

struct lister {
    const char *queue, *state, *type;   /* state NULL: every indexed state */
    long long limit, now_ms;
    long long offset, skipped;          /* matching jobs to leave out; left out so far */
    int bounded;                        /* stopped at the SCAN_MAX bound */
    json_t *rows;
    int more;                           /* stopped at the limit or the bound */
};

void ctl_page_free(struct ctl_page *p)
{
    heft_replies_free(p->held, p->nheld);
    memset(p, 0, sizeof *p);
}

static redisReply *page_call(struct ctl *c, struct ctl_page *p, struct heft_cmd *cmd)
{
    redisReply *r = ctl_call(c, cmd);

    if (r)
        p->held[p->nheld++] = r;
    return r;
}

/* The job id in an XRANGE element [entry, [field, value...]]. */
static const char *entry_job_id(const redisReply *e)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
        return NULL;
    return ctl_reply_str(heft_reply_field(e->element[1], "id"));
}

static void next_after(struct ctl_page *p, const redisReply *entry_id, size_t got, size_t asked)
{
    p->last = got < asked || !ctl_reply_str(entry_id);
    if (!p->last)
        snprintf(p->next, sizeof p->next, "(%s", entry_id->str);
}

/* Waiting: XRANGE from the cursor (the group's last-delivered id first). */
static int page_waiting(struct ctl *c, const char *stream, const char *from, size_t count,
                        struct ctl_page *p)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;
    size_t i;

    heft_cmd_borrows(&cmd, "XRANGE");
    heft_cmd_borrows(&cmd, stream);
    heft_cmd_borrows(&cmd, from);
    heft_cmd_borrows(&cmd, "+");
    heft_cmd_borrows(&cmd, "COUNT");
    heft_cmd_int(&cmd, (long long)count);
    r = page_call(c, p, &cmd);
    heft_cmd_free(&cmd);
    if (!r || ctl_reply_error(r, "XRANGE") || r->type != REDIS_REPLY_ARRAY)
        return CTL_REDIS;
    for (i = 0; i < r->elements; i++)
        if ((p->id[p->n] = entry_job_id(r->element[i])))
            p->n++;
    next_after(p, r->elements ? r->element[r->elements - 1]->element[0] : NULL, r->elements, count);
    return CTL_OK;
}

/* Active: XPENDING from the cursor, then each entry for its job id. */
static int page_active(struct ctl *c, const char *stream, const char *from, size_t count,
                       struct ctl_page *p)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r, *e;
    size_t i;
    int rc = CTL_OK;

    heft_cmd_borrows(&cmd, "XPENDING");
    heft_cmd_borrows(&cmd, stream);
    heft_cmd_borrows(&cmd, "heft");
    heft_cmd_borrows(&cmd, from);
    heft_cmd_borrows(&cmd, "+");
    heft_cmd_int(&cmd, (long long)count);
    if (!(r = page_call(c, p, &cmd)))
        rc = CTL_REDIS;
    else if (r->type != REDIS_REPLY_ARRAY)    /* NOGROUP: no heftd yet */
        p->last = 1;
    for (i = 0; rc == CTL_OK && !p->last && i < r->elements; i++) {
        heft_cmd_borrows(&cmd, "XRANGE");
        heft_cmd_borrows(&cmd, stream);
        heft_cmd_borrows(&cmd, r->element[i]->element[0]->str);
        heft_cmd_borrows(&cmd, r->element[i]->element[0]->str);
        ctl_append(c, &cmd);
    }
    for (i = 0; rc == CTL_OK && !p->last && i < r->elements; i++) {
        if ((rc = ctl_replies(c, &e, 1)) != CTL_OK)
            break;
        p->held[p->nheld++] = e;
        if (e->type == REDIS_REPLY_ARRAY && e->elements == 1 && (p->id[p->n] = entry_job_id(e->element[0])))
            p->worker[p->n++] = ctl_reply_str(r->element[i]->element[1]);
    }
    if (rc == CTL_OK && !p->last)
        next_after(p, r->elements ? r->element[r->elements - 1]->element[0] : NULL, r->elements, count);
    heft_cmd_free(&cmd);
    return rc;
}

/* A sorted set by rank: ZRANGE (or newest first) from offset `from`. */
static int page_zset(struct ctl *c, const char *key, int newest_first, const char *from,
                     size_t count, struct ctl_page *p)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    long long off = atoll(from);
    redisReply *r;
    size_t i;

    heft_cmd_borrows(&cmd, newest_first ? "ZREVRANGE" : "ZRANGE");
    heft_cmd_borrows(&cmd, key);
    heft_cmd_int(&cmd, off);
    heft_cmd_int(&cmd, off + (long long)count - 1);
    r = page_call(c, p, &cmd);
    heft_cmd_free(&cmd);
    if (!r || ctl_reply_error(r, key) || r->type != REDIS_REPLY_ARRAY)
        return CTL_REDIS;
    for (i = 0; i < r->elements; i++)
        p->id[p->n++] = r->element[i]->str;
    p->last = r->elements < count;
    snprintf(p->next, sizeof p->next, "%lld", off + (long long)r->elements);
    return CTL_OK;
}

static const char *const hash_fields[] = {
    "state", "type", "attempt", "created_ms", "error_code", "run_at_ms", "finished_ms",
    "priority", "worker",
};
#define NFIELDS (sizeof hash_fields / sizeof hash_fields[0])

static const char *hf(const redisReply *h, size_t k)
{
    return h->type == REDIS_REPLY_ARRAY && k < h->elements ? ctl_reply_str(h->element[k]) : NULL;
}

static json_t *hf_int(const redisReply *h, size_t k)
{
    long long v = heft_reply_ll(h->element[k], -1);

    return out_json_int(v, hf(h, k) != NULL);
}

/* A row of the listing from a job's HMGET (fields as hash_fields). */
static json_t *make_row(const struct lister *l, const char *id, const char *state,
                        const char *worker, const redisReply *h)
{
    long long created = heft_reply_ll(h->element[3], -1);

    return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "id", id, "type", out_json_str(hf(h, 1)), "state", state,
                     "priority", out_json_str(hf(h, 7)), "attempt", hf_int(h, 2),
                     "created_ms", hf_int(h, 3),
                     "age_ms", out_json_int(l->now_ms - created, created >= 0),
                     "error_code", out_json_str(hf(h, 4)), "run_at_ms", hf_int(h, 5),
                     "finished_ms", hf_int(h, 6),
                     "worker", out_json_str(worker ? worker : hf(h, 8)));
}

/* Whether a job in state st (from its hash) belongs in the listing. */
static int wanted(const struct lister *l, enum source s, const char *st)
{
    if (s == SRC_DELAYED)
        return l->state ? !strcmp(st, l->state) : !strcmp(st, "delayed") || !strcmp(st, "retrying");
    if (s == SRC_DEAD)
        return !strcmp(st, "dead");
    return 1;
}

/* The page's hashes, in one pipeline; rows appended up to the limit. */
static int add_rows(struct ctl *c, struct lister *l, enum source s, const struct ctl_page *p)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *h;
    size_t i, k;
    int rc = CTL_OK;

    for (i = 0; i < p->n; i++) {
        heft_cmd_borrows(&cmd, "HMGET");
        heft_cmd_printf(&cmd, "heft:{%s}:job:%s", l->queue, p->id[i]);
        for (k = 0; k < NFIELDS; k++)
            heft_cmd_borrows(&cmd, hash_fields[k]);
        ctl_append(c, &cmd);
    }
    heft_cmd_free(&cmd);
    for (i = 0; i < p->n; i++) {
        const char *st;

        if ((rc = ctl_replies(c, &h, 1)) != CTL_OK)
            return rc;
        st = s == SRC_WAITING ? "waiting" : s == SRC_ACTIVE || s == SRC_SEALED ? "active" : hf(h, 0);
        if (hf(h, 0) && wanted(l, s, st) && (!l->type || (hf(h, 1) && !strcmp(hf(h, 1), l->type)))) {
            if (l->skipped < l->offset)
                l->skipped++;
            else if (json_array_size(l->rows) < (size_t)l->limit)
                json_array_append_new(l->rows, make_row(l, p->id[i], st, p->worker[i], h));
        }
        freeReplyObject(h);
    }
    return CTL_OK;
}

int ctl_unread_start(struct ctl *c, const char *stream, char *from, size_t n)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;
    const char *last = NULL, *name;
    size_t i;

    heft_cmd_borrows(&cmd, "XINFO");
    heft_cmd_borrows(&cmd, "GROUPS");
    heft_cmd_borrows(&cmd, stream);
    r = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    if (!r)
        return CTL_REDIS;
    for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        if ((name = ctl_reply_str(heft_reply_field(r->element[i], "name"))) && !strcmp(name, "heft"))
            last = ctl_reply_str(heft_reply_field(r->element[i], "last-delivered-id"));
    snprintf(from, n, last ? "(%s" : "-", last);
    freeReplyObject(r);
    return CTL_OK;
}

int ctl_page_read(struct ctl *c, enum ctl_page_kind k, const char *key, const char *from,
                  size_t count, struct ctl_page *p)
{
    switch (k) {
    case CTL_PAGE_UNREAD: return page_waiting(c, key, from, count, p);
    case CTL_PAGE_PENDING: return page_active(c, key, from, count, p);
    case CTL_PAGE_NEWEST: return page_zset(c, key, 1, from, count, p);
    default: return page_zset(c, key, 0, from, count, p);
    }
}

static enum ctl_page_kind kind_of(enum source s)
{
    return s == SRC_WAITING ? CTL_PAGE_UNREAD : s == SRC_ACTIVE ? CTL_PAGE_PENDING :
           s == SRC_DEAD ? CTL_PAGE_NEWEST : CTL_PAGE_OLDEST;
}

/* Every page of one source (one stream or set) until the limit. */
static int list_source(struct ctl *c, struct lister *l, enum source s, const char *suffix)
{
    int filtered = l->type || s == SRC_DELAYED || s == SRC_DEAD;
    char key[200], from[80] = "0";
    struct ctl_page p;
    size_t scanned = 0, count;
    int last, rc = CTL_OK;

    memset(&p, 0, sizeof p);
    snprintf(key, sizeof key, "heft:{%s}:%s", l->queue, suffix);
    if (s == SRC_WAITING && (rc = ctl_unread_start(c, key, from, sizeof from)) != CTL_OK)
        return rc;
    if (s == SRC_ACTIVE)
        snprintf(from, sizeof from, "-");
    while (rc == CTL_OK && !l->more && json_array_size(l->rows) < (size_t)l->limit) {
        count = filtered ? PAGE : (size_t)(l->limit + l->offset - l->skipped) -
                                  json_array_size(l->rows);
        if ((rc = ctl_page_read(c, kind_of(s), key, from, count < PAGE ? count : PAGE, &p)) != CTL_OK)
            break;
        rc = add_rows(c, l, s, &p);
        scanned += p.n;
        if (!p.last && filtered && scanned >= SCAN_MAX + (size_t)l->offset)
            l->more = l->bounded = 1;  /* the bound: say so rather than read on */
        snprintf(from, sizeof from, "%s", p.next);
        last = p.last;
        ctl_page_free(&p);
        if (last)
            break;
    }
    ctl_page_free(&p);
    return rc;
}

static int list_state(struct ctl *c, struct lister *l, const char *state)
{
    char suffix[32];
    int b, rc = CTL_OK;

    for (b = 0; b < NBANDS && rc == CTL_OK && !strcmp(state, "active"); b++) {
        snprintf(suffix, sizeof suffix, "ready:%s", bands[b]);
        rc = list_source(c, l, SRC_ACTIVE, suffix);
    }
    if (rc == CTL_OK && !strcmp(state, "active"))
        rc = list_source(c, l, SRC_SEALED, "sealed");
    for (b = 0; b < NBANDS && rc == CTL_OK && !strcmp(state, "waiting"); b++) {
        snprintf(suffix, sizeof suffix, "ready:%s", bands[b]);
        rc = list_source(c, l, SRC_WAITING, suffix);
    }
    if (rc == CTL_OK && !strcmp(state, "delayed"))
        rc = list_source(c, l, SRC_DELAYED, "delayed");
    if (rc == CTL_OK && !strcmp(state, "dead"))
        rc = list_source(c, l, SRC_DEAD, "dead");
    return rc;
}

/* ---- output ---- */

static long long row_ll(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);

    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static const char *row_str(json_t *row, const char *key, const char *dflt)
{
    json_t *v = json_object_get(row, key);

    return json_is_string(v) ? json_string_value(v) : dflt;
}

/* The NOTE column: when a scheduled job runs, when a dead one died, who runs an active one. */
static void add_note(struct out_table *t, const struct lister *l, json_t *row)
{
    const char *st = row_str(row, "state", "");
    char age[48];

    if ((!strcmp(st, "delayed") || !strcmp(st, "retrying")) && row_ll(row, "run_at_ms") >= 0)
        out_table_add(t, OUT_PLAIN, "runs %s", out_age(age, sizeof age, l->now_ms, row_ll(row, "run_at_ms")));
    else if (!strcmp(st, "dead") && row_ll(row, "finished_ms") >= 0)
        out_table_add(t, OUT_PLAIN, "died %s", out_age(age, sizeof age, l->now_ms, row_ll(row, "finished_ms")));
    else if (!strcmp(st, "active"))
        out_table_add(t, OUT_PLAIN, "on %s", row_str(row, "worker", "?"));
    else
        out_table_add(t, OUT_PLAIN, "%s", "");
}

static const char *const heads[] = { "ID", "TYPE", "STATE", "ATTEMPT", "AGE", "ERROR", "NOTE" };

/* The line under the table: where the next page starts, if there may be
 * one, and whether the listing stopped at the bound of ids looked at. */
static void print_more(const struct lister *l)
{
    long long next = l->offset + (long long)json_array_size(l->rows);

    if (!l->more)
        return;
    if (!json_array_size(l->rows)) {
        printf("(stopped after looking at %lld jobs: narrow it with --state or --type)\n",
               SCAN_MAX + l->offset);
        return;
    }
    printf("(jobs %lld to %lld", l->offset + 1, next);
    if (l->bounded)
        printf(" of the first %lld looked at", SCAN_MAX + l->offset);
    if (next <= OFFSET_MAX)
        printf("; more may match: --offset %lld)\n", next);
    else
        printf("; more may match)\n");
}

static int print_human(struct ctl *c, const struct lister *l)
{
    struct out_table t;
    char age[32];
    size_t i;
    json_t *row;
    int rc;

    if (!json_array_size(l->rows)) {
        printf("No %s jobs in queue %s%s%s",
               l->state ? l->state : "active, waiting, scheduled or dead", l->queue,
               l->type ? " of type " : "", l->type ? l->type : "");
        if (l->offset)
            printf(" after the first %lld", l->offset);
        printf(".\n");
        print_more(l);
        return CTL_OK;
    }
    out_table_init(&t, sizeof heads / sizeof heads[0], heads, "llllrll");
    json_array_foreach(l->rows, i, row) {
        const char *st = row_str(row, "state", "?");

        out_table_add(&t, OUT_PLAIN, "%s", row_str(row, "id", "?"));
        out_table_add(&t, OUT_PLAIN, "%s", row_str(row, "type", "?"));
        out_table_add(&t, !strcmp(st, "dead") ? OUT_RED : OUT_PLAIN, "%s", st);
        out_table_add(&t, OUT_PLAIN, "%lld", row_ll(row, "attempt") < 0 ? 0 : row_ll(row, "attempt"));
        out_table_add(&t, OUT_PLAIN, "%s", row_ll(row, "age_ms") < 0 ? "-" :
                      out_duration(age, sizeof age, row_ll(row, "age_ms")));
        out_table_add(&t, OUT_PLAIN, "%s", row_str(row, "error_code", "-"));
        add_note(&t, l, row);
    }
    rc = out_table_print(&t, stdout, c->color) < 0 ? CTL_USAGE : CTL_OK;
    out_table_free(&t);
    if (rc == CTL_OK)
        print_more(l);
    return rc;
}

/* ---- the command ---- */

enum { OPT_STATE = 256, OPT_TYPE, OPT_LIMIT, OPT_OFFSET };

static const char *const listable[] = { "waiting", "active", "delayed", "retrying", "dead" };
#define NLISTABLE (sizeof listable / sizeof listable[0])

/* A whole-number flag from min to max into *out: 0, or -1 said. */
static int number_opt(const char *flag, const char *arg, long long min, long long max,
                      long long *out)
{
    if (ctl_parse_ll(arg, min, max, out) == 0)
        return 0;
    fprintf(stderr, "heftctl jobs: %s: a number from %lld to %lld, not \"%s\"\n", flag, min, max,
            arg);
    return -1;
}

static int jobs_opt(void *state, int opt, const char *arg)
{
    struct lister *l = state;
    size_t i;

    if (opt == OPT_TYPE) {
        l->type = arg;
        return 0;
    }
    if (opt == OPT_LIMIT)
        return number_opt("--limit", arg, 1, SCAN_MAX, &l->limit);
    if (opt == OPT_OFFSET)
        return number_opt("--offset", arg, 0, OFFSET_MAX, &l->offset);
    if (opt != OPT_STATE)
        return -1;
    l->state = arg;
    for (i = 0; i < NLISTABLE; i++)
        if (!strcmp(arg, listable[i]))
            return 0;
    if (!strcmp(arg, "succeeded") || !strcmp(arg, "failed")) {
        fprintf(stderr, "heftctl jobs: %s jobs are not indexed in Redis (the protocol keeps only each\n"
                "job's hash until it expires), so they cannot be listed without scanning every key.\n"
                "Look one up with 'heftctl job ID'; count them with 'heftctl queues'.\n", arg);
        return -1;
    }
    fprintf(stderr, "heftctl jobs: --state: waiting, active, delayed, retrying or dead, not \"%s\"\n", arg);
    return -1;
}

static const struct option jobs_options[] = {
    { "state", required_argument, NULL, OPT_STATE },
    { "type", required_argument, NULL, OPT_TYPE },
    { "limit", required_argument, NULL, OPT_LIMIT },
    { "offset", required_argument, NULL, OPT_OFFSET },
    { NULL, 0, NULL, 0 },
};

static int list(struct ctl *c, struct lister *l)
{
    static const char *const order[] = { "active", "waiting", "delayed", "dead" };
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *t;
    size_t i;
    int rc = CTL_OK;

    heft_cmd_borrows(&cmd, "TIME");
    t = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    if (!t)
        return CTL_REDIS;
    l->now_ms = heft_reply_time_ms(t);
    freeReplyObject(t);
    for (i = 0; i < sizeof order / sizeof order[0] && rc == CTL_OK; i++)
        if (!l->state || !strcmp(l->state, order[i]) ||
            (!strcmp(order[i], "delayed") && !strcmp(l->state, "retrying")))
            rc = list_state(c, l, order[i]);
    if (json_array_size(l->rows) == (size_t)l->limit)
        l->more = 1;               /* at the limit: there may be more */
    return rc;
}

int cmd_jobs(struct ctl *c, int argc, char **argv)
{
    struct lister l = { .limit = DEFAULT_LIMIT };
    struct ctl_flags f = { jobs_options, "", jobs_opt, &l };
    int at, rc;

    if ((at = ctl_args(c, argc, argv, &f, 1, 1, &rc)) < 0)
        return rc;
    l.queue = argv[at];
    if (!ctl_queue_name_ok(l.queue))
        return ctl_bad_queue(argv[0], l.queue);
    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    if (!(l.rows = json_array()))
        return CTL_USAGE;
    if ((rc = list(c, &l)) == CTL_OK) {
        if (c->json)
            rc = out_json(json_pack("{s:s, s:o, s:o, s:I, s:I, s:O, s:b}", "queue", l.queue,
                                    "state", out_json_str(l.state), "type", out_json_str(l.type),
                                    "time_ms", (json_int_t)l.now_ms, "offset", (json_int_t)l.offset,
                                    "jobs", l.rows, "more", l.more))
                 < 0 ? CTL_USAGE : CTL_OK;
        else
            rc = print_human(c, &l);
    }
    json_decref(l.rows);
    return rc;
}
