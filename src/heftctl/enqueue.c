/*
 * enqueue.c - heftctl enqueue: put a job on a queue with the protocol's
 * enqueue script (one round trip), and with --wait, block on its reply
 * list for the outcome, as any client would (docs/protocol.md).
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "buf.h"
#include "ctl.h"
#include "out.h"

#define WAIT_SLICE_MS 5000    /* each BLPOP, well under link.c's I/O timeout */

enum { OPT_ID = 256, OPT_PRIORITY, OPT_DELAY, OPT_WAIT, OPT_TIMEOUT };

struct enq {
    const char *queue, *type, *id, *output, *priority;
    long long delay_ms;       /* -1: not given */
    long long timeout_s;
    int wait;
    char idbuf[40];
    struct heft_buf payload;
    char *opts;               /* the options text, "" for none */
};

static int enq_opt(void *state, int opt, const char *arg)
{
    struct enq *e = state;

    switch (opt) {
    case OPT_ID: e->id = arg; return 0;
    case OPT_WAIT: e->wait = 1; return 0;
    case 'o': e->output = arg; return 0;
    case OPT_PRIORITY:
        e->priority = arg;
        if (!strcmp(arg, "high") || !strcmp(arg, "normal") || !strcmp(arg, "low"))
            return 0;
        fprintf(stderr, "heftctl enqueue: --priority: high, normal or low, not \"%s\"\n", arg);
        return -1;
    case OPT_DELAY:
        if (ctl_parse_ll(arg, 0, 31536000000LL, &e->delay_ms) == 0)
            return 0;
        fprintf(stderr, "heftctl enqueue: --delay-ms: a number of ms, not \"%s\"\n", arg);
        return -1;
    case OPT_TIMEOUT:
        if (ctl_parse_ll(arg, 1, 86400, &e->timeout_s) == 0)
            return 0;
        fprintf(stderr, "heftctl enqueue: --timeout: seconds from 1 to 86400, not \"%s\"\n", arg);
        return -1;
    default: return -1;
    }
}

static const struct option enq_options[] = {
    { "id", required_argument, NULL, OPT_ID },
    { "priority", required_argument, NULL, OPT_PRIORITY },
    { "delay-ms", required_argument, NULL, OPT_DELAY },
    { "wait", no_argument, NULL, OPT_WAIT },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "output", required_argument, NULL, 'o' },
    { NULL, 0, NULL, 0 },
};

/* The payload argument: "-" (stdin), "@FILE" or the text itself. */
static int read_payload(const char *arg, struct heft_buf *b)
{
    FILE *f = NULL;
    char chunk[8192];
    size_t n;
    int rc = CTL_USAGE;

    if (strcmp(arg, "-") && arg[0] != '@')
        return heft_buf_puts(b, arg) < 0 ? CTL_USAGE : CTL_OK;
    f = arg[0] == '@' ? fopen(arg + 1, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "heftctl enqueue: %s: %s\n", arg + 1, strerror(errno));
        return CTL_USAGE;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (heft_buf_append(b, chunk, n) < 0)
            goto out;
    if (ferror(f)) {
        fprintf(stderr, "heftctl enqueue: %s: cannot read\n", arg[0] == '@' ? arg + 1 : "standard input");
        goto out;
    }
    rc = CTL_OK;
out:
    if (f != stdin)
        fclose(f);
    return rc;
}

static int check_json(const struct heft_buf *b)
{
    json_error_t err;
    json_t *j = json_loadb(heft_buf_str(b), b->len, JSON_DECODE_ANY, &err);

    if (j) {
        json_decref(j);
        return CTL_OK;
    }
    fprintf(stderr, "heftctl enqueue: the payload is not JSON: line %d, column %d: %s\n",
            err.line, err.column, err.text);
    return CTL_USAGE;
}

/* A random id, formatted as a version 4 UUID. */
static int random_id(char *out, size_t n)
{
    unsigned char r[16];

    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        perror("heftctl: getrandom");
        return -1;
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, n, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
             r[13], r[14], r[15]);
    return 0;
}

/* The options text: "" when there are none. */
static int build_opts(struct enq *e)
{
    json_t *o = json_object();

    if (e->priority)
        json_object_set_new(o, "priority", json_string(e->priority));
    if (e->delay_ms >= 0)
        json_object_set_new(o, "delay_ms", json_integer(e->delay_ms));
    if (e->wait)
        json_object_set_new(o, "reply", json_true());
    e->opts = json_object_size(o) ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : strdup("");
    json_decref(o);
    return e->opts ? CTL_OK : CTL_USAGE;
}

/* Check everything that can be checked before Redis is asked. */
static int prepare(struct enq *e, const char *payload_arg)
{
    int rc;

    if (!ctl_queue_name_ok(e->queue))
        return ctl_usage("enqueue", "\"%s\" is not a queue name (1 to 64 of A-Z a-z 0-9 _ . : -)", e->queue);
    if (!*e->type)
        return ctl_usage("enqueue", "the job type is empty");
    if (e->id && (!*e->id || strlen(e->id) > 128))
        return ctl_usage("enqueue", "--id: 1 to 128 bytes");
    if (e->output && !e->wait)
        return ctl_usage("enqueue", "-o FILE needs --wait");
    if (!e->id) {
        if (random_id(e->idbuf, sizeof e->idbuf) < 0)
            return CTL_USAGE;
        e->id = e->idbuf;
    }
    if ((rc = read_payload(payload_arg, &e->payload)) != CTL_OK || (rc = check_json(&e->payload)) != CTL_OK)
        return rc;
    return build_opts(e);
}

/* The enqueue script: 1 created, 0 the id exists, -1 failed. */
static int send_job(struct ctl *c, const struct enq *e)
{
    static const char *const keys[] = { "job:", "ready:high", "ready:normal", "ready:low", "delayed" };
    struct heft_cmd cmd = HEFT_CMD_INIT;
    redisReply *r;
    size_t i;
    int created = -1;

    heft_link_script(c->link, &cmd, HEFT_SCRIPT_ENQUEUE, 5);
    for (i = 0; i < 5; i++)
        heft_cmd_printf(&cmd, "heft:{%s}:%s%s", e->queue, keys[i], i ? "" : e->id);
    heft_cmd_borrows(&cmd, e->id);
    heft_cmd_borrows(&cmd, e->type);
    heft_cmd_borrow(&cmd, heft_buf_str(&e->payload), e->payload.len);
    heft_cmd_borrows(&cmd, e->opts);
    r = heft_link_call_script(c->link, &cmd);
    heft_cmd_free(&cmd);
    if (!r)
        fprintf(stderr, "heftctl: Redis: %s\n", heft_link_error(c->link));
    else if (!ctl_reply_error(r, "enqueue"))
        created = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    if (r)
        freeReplyObject(r);
    return created;
}

/* BLPOP the reply list in slices until the deadline: the message (JSON),
 * or NULL with *rc CTL_TIMEOUT or CTL_REDIS. */
static json_t *wait_reply(struct ctl *c, const struct enq *e, int *rc)
{
    struct heft_cmd cmd = HEFT_CMD_INIT;
    long long left = e->timeout_s * 1000;
    json_t *msg = NULL;
    redisReply *r;

    *rc = CTL_TIMEOUT;
    while (!msg && left > 0) {
        long long slice = left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS;

        heft_cmd_borrows(&cmd, "BLPOP");
        heft_cmd_printf(&cmd, "heft:{%s}:reply:%s", e->queue, e->id);
        heft_cmd_printf(&cmd, "%lld.%03lld", slice / 1000, slice % 1000);
        if (!(r = ctl_call(c, &cmd)) || ctl_reply_error(r, "BLPOP")) {
            *rc = CTL_REDIS;
            left = 0;
        } else if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
            msg = json_loadb(r->element[1]->str, r->element[1]->len, 0, NULL);
            *rc = msg ? CTL_OK : CTL_REDIS;
            left = 0;
        }
        left -= slice;
        if (r)
            freeReplyObject(r);
    }
    heft_cmd_free(&cmd);
    if (*rc == CTL_TIMEOUT)
        fprintf(stderr, "heftctl: no outcome for job %s within %lld s; it goes on (heftctl job %s%s%s)\n",
                e->id, e->timeout_s, e->id, strcmp(e->queue, "default") ? " --queue " : "",
                strcmp(e->queue, "default") ? e->queue : "");
    return msg;
}

static const char *text_or(json_t *v, const char *dflt)
{
    return json_is_string(v) ? json_string_value(v) : dflt;
}

/* The outcome: result printed (and blob written), or the error. */
static int report(struct ctl *c, const struct enq *e, json_t *msg)
{
    const char *state = text_or(json_object_get(msg, "state"), "ended");
    json_t *err = json_object_get(msg, "error");
    int rc = CTL_OK;

    if (strcmp(state, "succeeded")) {
        fprintf(stderr, "heftctl: job %s %s: %s: %s\n", e->id, state,
                text_or(json_object_get(err, "code"), "?"), text_or(json_object_get(err, "message"), ""));
        rc = CTL_JOB_FAILED;
    } else if (e->output) {
        rc = ctl_save_blob(c, e->queue, e->id, e->output);
    }
    if (c->json)
        return out_json(json_incref(msg)) < 0 && rc == CTL_OK ? CTL_USAGE : rc;
    if (rc == CTL_OK && out_json(json_incref(json_object_get(msg, "result"))) < 0)
        rc = CTL_USAGE;
    return rc;
}

static int enqueue(struct ctl *c, struct enq *e)
{
    json_t *msg;
    int created, rc;

    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    if ((created = send_job(c, e)) < 0)
        return CTL_REDIS;
    if (!created)
        fprintf(stderr, "heftctl: a job %s exists in queue %s: nothing enqueued\n", e->id, e->queue);
    if (!e->wait) {
        if (c->json)
            return out_json(json_pack("{s:s, s:s, s:b}", "id", e->id, "queue", e->queue,
                                      "created", created)) < 0 ? CTL_USAGE : CTL_OK;
        return printf("%s\n", e->id) < 0 ? CTL_USAGE : CTL_OK;
    }
    if (!created)
        return CTL_USAGE;
    if (!(msg = wait_reply(c, e, &rc)))
        return rc;
    rc = report(c, e, msg);
    json_decref(msg);
    return rc;
}

int cmd_enqueue(struct ctl *c, int argc, char **argv)
{
    struct enq e;
    struct ctl_flags f = { enq_options, "o:", enq_opt, &e };
    int at, rc;

    memset(&e, 0, sizeof e);
    e.delay_ms = -1;
    e.timeout_s = 30;
    if ((at = ctl_args(c, argc, argv, &f, 3, 3, &rc)) < 0)
        return rc;
    e.queue = argv[at];
    e.type = argv[at + 1];
    if ((rc = prepare(&e, argv[at + 2])) == CTL_OK)
        rc = enqueue(c, &e);
    heft_buf_free(&e.payload);
    free(e.opts);
    return rc;
}
