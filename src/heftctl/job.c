/*
 * job.c - heftctl job and result: one job's hash as people and scripts
 * want to read it, and its binary result written to a file.
 *
 * `job` costs two round trips: the hash's field names, the blob's size
 * and the clock; then every field but the blob, which can be megabytes.
 * A third reads the payload of a waiting or running job from its stream
 * entry (the hash has it only while the job is delayed, or once it ended).
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "out.h"

#define RESULT_SHOWN 300     /* characters of result or payload shown to people */

struct job_args {
    const char *queue;
    const char *output;
};

static int job_opt(void *state, int opt, const char *arg)
{
    struct job_args *a = state;

    if (opt == 'q')
        a->queue = arg;
    else if (opt == 'o')
        a->output = arg;
    else
        return -1;
    return 0;
}

static const struct option job_options[] = {
    { "queue", required_argument, NULL, 'q' },
    { "output", required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 },
};

/* The flags of job and result; the id's index, or -1 with *rc set. */
static int job_parse(struct ctl *c, int argc, char **argv, struct job_args *a, int *rc)
{
    struct ctl_flags f = { job_options, !strcmp(argv[0], "job") ? "q:" : "q:o:", job_opt, a };
    int at = ctl_args(c, argc, argv, &f, 1, 1, rc);

    if (at >= 0 && !ctl_queue_name_ok(a->queue)) {
        *rc = ctl_usage(argv[0], "\"%s\" is not a queue name", a->queue);
        return -1;
    }
    return at;
}

/* ---- job ---- */

struct job {
    const char *id, *queue;
    redisReply *keys, *values;   /* HKEYS; HMGET of them but the blob */
    redisReply *entry;           /* XRANGE of its stream entry, or NULL */
    long long blob_bytes, now_ms;
};

static const char *get(const struct job *j, const char *name)
{
    size_t i, k = 0;

    for (i = 0; i < j->keys->elements; i++) {
        if (!strcmp(j->keys->element[i]->str, "blob"))
            continue;
        if (!strcmp(j->keys->element[i]->str, name))
            return k < j->values->elements ? ctl_reply_str(j->values->element[k]) : NULL;
        k++;
    }
    return NULL;
}

static long long get_ll(const struct job *j, const char *name, long long dflt)
{
    const char *s = get(j, name);
    long long v;

    return s && ctl_parse_ll(s, LLONG_MIN, LLONG_MAX, &v) == 0 ? v : dflt;
}

/* Round trip 1: names, blob size, clock.  CTL_NOT_FOUND for no hash. */
static int load_keys(struct ctl *c, struct job *j)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r[2];
    int rc;

    heft_cmd_borrows(&cmd, "HKEYS");
    heft_cmd_printf(&cmd, "heft:{%s}:job:%s", j->queue, j->id);
    ctl_append(c, &cmd);
    heft_cmd_borrows(&cmd, "HSTRLEN");
    heft_cmd_printf(&cmd, "heft:{%s}:job:%s", j->queue, j->id);
    heft_cmd_borrows(&cmd, "blob");
    ctl_append(c, &cmd);
    heft_cmd_free(&cmd);
    if ((rc = ctl_replies_timed(c, r, 2, &j->now_ms)) != CTL_OK)
        return rc;
    j->keys = r[0];
    j->blob_bytes = heft_reply_ll(r[1], 0);
    freeReplyObject(r[1]);
    if (ctl_reply_error(r[0], "HKEYS") || r[0]->type != REDIS_REPLY_ARRAY)
        return CTL_REDIS;
    if (r[0]->elements == 0) {
        fprintf(stderr, "heftctl: no job \"%s\" in queue %s (or it expired)\n", j->id, j->queue);
        return CTL_NOT_FOUND;
    }
    return CTL_OK;
}

/* Round trip 2: every field but the blob. */
static int load_values(struct ctl *c, struct job *j)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    size_t i;

    heft_cmd_borrows(&cmd, "HMGET");
    heft_cmd_printf(&cmd, "heft:{%s}:job:%s", j->queue, j->id);
    for (i = 0; i < j->keys->elements; i++)
        if (strcmp(j->keys->element[i]->str, "blob"))
            heft_cmd_borrows(&cmd, j->keys->element[i]->str);
    if (cmd.argc == 2)
        heft_cmd_borrows(&cmd, "state");   /* only a blob: HMGET needs a field */
    j->values = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    if (!j->values)
        return CTL_REDIS;
    if (ctl_reply_error(j->values, "HMGET") || j->values->type != REDIS_REPLY_ARRAY)
        return CTL_REDIS;
    return CTL_OK;
}

/* Round trip 3, for a job in a stream: its entry, for the payload. */
static int load_entry(struct ctl *c, struct job *j)
{
    const char *prio = get(j, "priority"), *entry = get(j, "entry");
    struct heft_cmd cmd = HEFT_CMD_INIT;

    if (get(j, "payload") || !entry || !prio || get_ll(j, "sealed", 0) == 1 ||
        (strcmp(prio, "high") && strcmp(prio, "normal") && strcmp(prio, "low")))
        return CTL_OK;
    heft_cmd_borrows(&cmd, "XRANGE");
    heft_cmd_printf(&cmd, "heft:{%s}:ready:%s", j->queue, prio);
    heft_cmd_borrows(&cmd, entry);
    heft_cmd_borrows(&cmd, entry);
    j->entry = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    return j->entry ? CTL_OK : CTL_REDIS;
}

/* The payload: in the hash, else in the stream entry, else NULL. */
static const char *payload(const struct job *j)
{
    const redisReply *e = j->entry;

    if (get(j, "payload") || !e || e->type != REDIS_REPLY_ARRAY || e->elements != 1 ||
        e->element[0]->type != REDIS_REPLY_ARRAY || e->element[0]->elements != 2)
        return get(j, "payload");
    return ctl_reply_str(heft_reply_field(e->element[0]->element[1], "payload"));
}

/* A JSON text as JSON, a text that is not as a string, NULL as null. */
static json_t *as_json(const char *text)
{
    json_t *v;

    if (!text)
        return json_null();
    v = json_loads(text, JSON_DECODE_ANY, NULL);
    return v ? v : json_string(text);
}

static json_t *job_json(const struct job *j)
{
    static const char *const numbers[] = {
        "attempt", "lost_deliveries", "created_ms", "run_at_ms", "started_ms", "finished_ms", "progress",
    };
    static const char *const texts[] = { "state", "type", "priority", "worker" };
    json_t *o = json_pack("{s:s, s:s}", "id", j->id, "queue", j->queue), *fields = json_object();
    size_t i, k = 0;

    for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
        json_object_set_new(o, texts[i], out_json_str(get(j, texts[i])));
    for (i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        json_object_set_new(o, numbers[i], out_json_int(get_ll(j, numbers[i], 0), get(j, numbers[i]) != NULL));
    json_object_set_new(o, "sealed", json_boolean(get_ll(j, "sealed", 0) == 1));
    json_object_set_new(o, "error", get(j, "error_code") || get(j, "error")
        ? json_pack("{s:o, s:o}", "code", out_json_str(get(j, "error_code")),
                    "message", out_json_str(get(j, "error"))) : json_null());
    json_object_set_new(o, "result", as_json(get(j, "result")));
    json_object_set_new(o, "blob_bytes", json_integer(j->blob_bytes));
    json_object_set_new(o, "opts", get(j, "opts") && *get(j, "opts") ? as_json(get(j, "opts")) : json_null());
    json_object_set_new(o, "payload", as_json(payload(j)));
    for (i = 0; i < j->keys->elements; i++)
        if (strcmp(j->keys->element[i]->str, "blob")) {
            const char *v = k < j->values->elements ? ctl_reply_str(j->values->element[k]) : NULL;

            json_object_set_new(fields, j->keys->element[i]->str, out_json_str(v));
            k++;
        }
    json_object_set_new(o, "fields", fields);
    return o;
}

static enum out_color state_color(const char *state)
{
    if (!state)
        return OUT_PLAIN;
    if (!strcmp(state, "succeeded"))
        return OUT_GREEN;
    if (!strcmp(state, "failed") || !strcmp(state, "dead"))
        return OUT_RED;
    return OUT_YELLOW;
}

/* A long text cut for people: its start and its full size. */
static void kv_text(struct ctl *c, const char *key, const char *text)
{
    size_t n = strlen(text);

    if (n <= RESULT_SHOWN)
        out_kv(stdout, c->color, OUT_PLAIN, key, "%s", text);
    else
        out_kv(stdout, c->color, OUT_PLAIN, key, "%.*s... (%zu bytes; --json for all)",
               RESULT_SHOWN, text, n);
}

static void kv_time(struct ctl *c, const struct job *j, const char *key, const char *field)
{
    long long ms = get_ll(j, field, -1);
    char buf[128];

    if (ms >= 0)
        out_kv(stdout, c->color, OUT_PLAIN, key, "%s", out_when(buf, sizeof buf, j->now_ms, ms));
}

static void kv_field(struct ctl *c, const struct job *j, const char *key, const char *field)
{
    const char *v = get(j, field);

    if (v)
        kv_text(c, key, v);
}

static void print_outcome(struct ctl *c, const struct job *j)
{
    long long started = get_ll(j, "started_ms", -1), finished = get_ll(j, "finished_ms", -1);
    char buf[64];

    if (started >= 0 && finished >= started)
        out_kv(stdout, c->color, OUT_PLAIN, "took", "%s", out_duration(buf, sizeof buf, finished - started));
    kv_field(c, j, "worker", "worker");
    if (get(j, "progress"))
        out_kv(stdout, c->color, OUT_PLAIN, "progress", "%s%%", get(j, "progress"));
    if (get(j, "error_code") || get(j, "error"))
        out_kv(stdout, c->color, OUT_RED, "error", "%s: %s", get(j, "error_code") ? get(j, "error_code") : "?",
               get(j, "error") ? get(j, "error") : "");
    kv_field(c, j, "result", "result");
    if (j->blob_bytes > 0)
        out_kv(stdout, c->color, OUT_PLAIN, "blob", "%s (%lld bytes; heftctl result %s -o FILE)",
               out_bytes(buf, sizeof buf, j->blob_bytes), j->blob_bytes, j->id);
}

static void print_human(struct ctl *c, const struct job *j)
{
    static const char *const shown[] = {
        "state", "type", "priority", "attempt", "lost_deliveries", "created_ms", "run_at_ms",
        "started_ms", "finished_ms", "worker", "progress", "error_code", "error", "result", "opts",
        "payload", "sealed", "blob",
    };
    size_t i, k;

    out_kv(stdout, c->color, OUT_BOLD, "id", "%s", j->id);
    out_kv(stdout, c->color, OUT_PLAIN, "queue", "%s", j->queue);
    out_kv(stdout, c->color, state_color(get(j, "state")), "state", "%s", get(j, "state") ? get(j, "state") : "?");
    kv_field(c, j, "type", "type");
    kv_field(c, j, "priority", "priority");
    kv_field(c, j, "attempt", "attempt");
    kv_field(c, j, "lost deliveries", "lost_deliveries");
    kv_time(c, j, "created", "created_ms");
    kv_time(c, j, "runs at", "run_at_ms");
    kv_time(c, j, "started", "started_ms");
    kv_time(c, j, "finished", "finished_ms");
    print_outcome(c, j);
    kv_field(c, j, "options", "opts");
    if (payload(j))
        kv_text(c, "payload", payload(j));
    if (get_ll(j, "sealed", 0) == 1)
        out_kv(stdout, c->color, OUT_PLAIN, "sealed", "yes: its payload left Redis when heftd took it");
    for (i = 0; i < j->keys->elements; i++) {       /* fields this version does not know */
        for (k = 0; k < sizeof shown / sizeof shown[0]; k++)
            if (!strcmp(j->keys->element[i]->str, shown[k]))
                break;
        if (k == sizeof shown / sizeof shown[0])
            kv_field(c, j, j->keys->element[i]->str, j->keys->element[i]->str);
    }
}

int cmd_job(struct ctl *c, int argc, char **argv)
{
    struct job_args a = { "default", NULL };
    struct job j = { NULL, NULL, NULL, NULL, NULL, 0, 0 };
    int at, rc;

    if ((at = job_parse(c, argc, argv, &a, &rc)) < 0)
        return rc;
    j.id = argv[at];
    j.queue = a.queue;
    if ((rc = ctl_connect(c)) != CTL_OK || (rc = load_keys(c, &j)) != CTL_OK ||
        (rc = load_values(c, &j)) != CTL_OK || (rc = load_entry(c, &j)) != CTL_OK)
        goto out;
    if (c->json)
        rc = out_json(job_json(&j)) < 0 ? CTL_USAGE : CTL_OK;
    else
        print_human(c, &j);
out:
    if (j.keys)
        freeReplyObject(j.keys);
    if (j.values)
        freeReplyObject(j.values);
    if (j.entry)
        freeReplyObject(j.entry);
    return rc;
}

/* ---- result ---- */

/* No output file and stdout is a terminal: say so, and 1. */
static int refuse_tty(const char *path)
{
    if (path || !isatty(STDOUT_FILENO))
        return 0;
    fprintf(stderr, "heftctl: not writing binary data to a terminal: use -o FILE or a pipe\n");
    return 1;
}

int ctl_write_out(const char *path, const char *data, size_t len)
{
    FILE *f;
    int rc = CTL_OK;

    if (refuse_tty(path))
        return CTL_USAGE;
    f = path ? fopen(path, "wb") : stdout;
    if (!f || fwrite(data, 1, len, f) != len || (path ? fclose(f) : fflush(f)) != 0) {
        perror(path ? path : "heftctl: standard output");
        rc = CTL_USAGE;
        if (f && path)
            fclose(f);
    }
    return rc;
}

int ctl_save_blob(struct ctl *c, const char *queue, const char *id, const char *path)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;
    int rc = CTL_REDIS;

    heft_cmd_borrows(&cmd, "HMGET");
    heft_cmd_printf(&cmd, "heft:{%s}:job:%s", queue, id);
    heft_cmd_borrows(&cmd, "state");
    heft_cmd_borrows(&cmd, "blob");
    r = ctl_call(c, &cmd);
    heft_cmd_free(&cmd);
    if (!r || ctl_reply_error(r, "HMGET") || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
        goto out;
    rc = CTL_NOT_FOUND;
    if (!ctl_reply_str(r->element[0]))
        fprintf(stderr, "heftctl: no job \"%s\" in queue %s (or it expired)\n", id, queue);
    else if (r->element[1]->type != REDIS_REPLY_STRING)
        fprintf(stderr, "heftctl: job %s has no binary result (state %s)\n", id, r->element[0]->str);
    else
        rc = ctl_write_out(path, r->element[1]->str, r->element[1]->len);
out:
    if (r)
        freeReplyObject(r);
    return rc;
}

int cmd_result(struct ctl *c, int argc, char **argv)
{
    struct job_args a = { "default", NULL };
    int at, rc;

    if ((at = job_parse(c, argc, argv, &a, &rc)) < 0)
        return rc;
    if (refuse_tty(a.output))
        return CTL_USAGE;
    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    return ctl_save_blob(c, a.queue, argv[at], a.output);
}
