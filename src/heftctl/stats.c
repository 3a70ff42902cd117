/*
 * stats.c - heftctl stats: the counters of heft:{Q}:stats of every queue
 * in heft:queues (or of one), and their sum, in two round trips.
 *
 * The protocol keeps totals only, since each queue was created; rates
 * over the last minute or hour would need heftd to keep per-minute
 * counters, which it does not yet, so none are made up here.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "out.h"

static const char *const counters[] = { "succeeded", "failed", "retried", "dead", "released" };
#define NCOUNTERS (sizeof counters / sizeof counters[0])

/* The names: the one given, or heft:queues (sorted by Redis). */
static redisReply *queue_names(struct ctl *c, const char *one)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;

    heft_cmd_borrows(&cmd, one ? "SMISMEMBER" : "SORT");
    heft_cmd_borrows(&cmd, "heft:queues");
    heft_cmd_borrows(&cmd, one ? one : "ALPHA");
    r = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    if (r && (ctl_reply_error(r, "heft:queues") || r->type != REDIS_REPLY_ARRAY)) {
        freeReplyObject(r);
        r = NULL;
    }
    return r;
}

static json_t *totals_json(const long long *v)
{
    json_t *o = json_object();
    size_t i;

    for (i = 0; i < NCOUNTERS; i++)
        json_object_set_new(o, counters[i], json_integer(v[i]));
    return o;
}

/* Every queue's HMGET, read into rows (NCOUNTERS per queue) and sum. */
static int load(struct ctl *c, char **names, size_t n, long long *rows, long long *sum)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;
    size_t i, k;
    int rc;

    for (i = 0; i < n; i++) {
        heft_cmd_borrows(&cmd, "HMGET");
        ctl_cmd_key(&cmd, names[i], "stats");
        for (k = 0; k < NCOUNTERS; k++)
            heft_cmd_borrows(&cmd, counters[k]);
        ctl_append(c, &cmd);
    }
    heft_cmd_free(&cmd);
    for (i = 0; i < n; i++) {
        if ((rc = ctl_replies(c, &r, 1)) != CTL_OK)
            return rc;
        for (k = 0; k < NCOUNTERS; k++) {
            rows[i * NCOUNTERS + k] = r->type == REDIS_REPLY_ARRAY && k < r->elements
                                      ? ctl_reply_ll(r->element[k], 0) : 0;
            sum[k] += rows[i * NCOUNTERS + k];
        }
        freeReplyObject(r);
    }
    return CTL_OK;
}

static const char *const heads[] = { "QUEUE", "SUCCEEDED", "FAILED", "RETRIED", "DIED", "RELEASED" };

static int print(struct ctl *c, char **names, size_t n, const long long *rows, const long long *sum)
{
    struct out_table t;
    json_t *list;
    size_t i, k;
    int rc;

    if (c->json) {
        list = json_array();
        for (i = 0; i < n; i++)
            json_array_append_new(list, json_pack("{s:s, s:o}", "name", names[i], "totals",
                                                  totals_json(rows + i * NCOUNTERS)));
        return out_json(json_pack("{s:o, s:o, s:n}", "queues", list, "totals", totals_json(sum),
                                  "rates")) < 0 ? CTL_USAGE : CTL_OK;
    }
    out_table_init(&t, NCOUNTERS + 1, heads, "lrrrrr");
    for (i = 0; i <= n; i++) {
        out_table_add(&t, i == n ? OUT_BOLD : OUT_PLAIN, "%s", i == n ? "(all)" : names[i]);
        for (k = 0; k < NCOUNTERS; k++)
            out_table_add(&t, OUT_PLAIN, "%lld", i == n ? sum[k] : rows[i * NCOUNTERS + k]);
    }
    rc = out_table_print(&t, stdout, c->color) < 0 ? CTL_USAGE : CTL_OK;
    out_table_free(&t);
    printf("Totals since each queue was created.  Rates per minute and hour: not yet\n"
           "(heftd keeps no per-minute counters in protocol 1).\n");
    return rc;
}

/* The names as strings: the one given, or those of the SORT reply. */
static char **name_list(redisReply *names, char *one, size_t *n)
{
    char **list;
    size_t i;

    *n = one ? 1 : names->elements;
    if (!(list = calloc(*n ? *n : 1, sizeof *list)))
        return NULL;
    for (i = 0; i < *n; i++)
        list[i] = one ? one : names->element[i]->str;
    return list;
}

int cmd_stats(struct ctl *c, int argc, char **argv)
{
    long long sum[NCOUNTERS] = { 0 }, *rows = NULL;
    redisReply *names = NULL;
    char **list = NULL, *one;
    size_t n = 0;
    int at, rc;

    if ((at = ctl_args(c, argc, argv, NULL, 0, 1, &rc)) < 0)
        return rc;
    one = at < argc ? argv[at] : NULL;
    if (one && !ctl_queue_name_ok(one))
        return ctl_bad_queue(argv[0], one);
    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    rc = CTL_REDIS;
    if (!(names = queue_names(c, one)))
        goto out;
    rc = CTL_NOT_FOUND;
    if (one && (names->elements != 1 || ctl_reply_ll(names->element[0], 0) != 1)) {
        fprintf(stderr, "heftctl stats: no queue \"%s\" (not in heft:queues)\n", one);
        goto out;
    }
    rc = CTL_USAGE;
    if (!(list = name_list(names, one, &n)) || !(rows = calloc(n ? n * NCOUNTERS : 1, sizeof *rows)))
        goto out;
    if ((rc = load(c, list, n, rows, sum)) == CTL_OK)
        rc = print(c, list, n, rows, sum);
out:
    free(rows);
    free(list);
    if (names)
        freeReplyObject(names);
    return rc;
}
