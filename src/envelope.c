/*
 * envelope.c - validation of a job's type, payload and options, and the
 * retry schedule those options imply.
 */
#include "envelope.h"

#include <string.h>

#include "registry.h"

static int opt_error(struct heft_job *job, const char *key, const char *what)
{
    heft_job_set_error(job, "bad_option", 0, "option \"%s\": %s", key, what);
    return -1;
}

/* An integer option in [min, max]. */
static int opt_int(struct heft_job *job, const char *key, json_t *v,
                   long long min, long long max, long long *out)
{
    char what[96];

    if (!json_is_integer(v)) {
        snprintf(what, sizeof what, "must be an integer from %lld to %lld", min, max);
        return opt_error(job, key, what);
    }
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(what, sizeof what, "%lld is out of range (%lld to %lld)",
                 (long long)json_integer_value(v), min, max);
        return opt_error(job, key, what);
    }
    *out = json_integer_value(v);
    return 0;
}

static int opt_backoff(struct heft_job *job, json_t *v, struct heft_opts *o)
{
    const char *key;
    json_t *val;

    if (json_is_integer(v))
        return opt_int(job, "backoff", v, 0, 86400000, &o->backoff_ms);
    if (!json_is_object(v))
        return opt_error(job, "backoff", "must be milliseconds or {\"type\", \"delay_ms\"}");
    json_object_foreach(v, key, val) {
        if (strcmp(key, "type") == 0) {
            if (json_is_string(val) && strcmp(json_string_value(val), "fixed") == 0)
                o->backoff_type = HEFT_BACKOFF_FIXED;
            else if (json_is_string(val) && strcmp(json_string_value(val), "exponential") == 0)
                o->backoff_type = HEFT_BACKOFF_EXPONENTIAL;
            else
                return opt_error(job, "backoff.type", "must be \"exponential\" or \"fixed\"");
        } else if (strcmp(key, "delay_ms") == 0) {
            if (opt_int(job, "backoff.delay_ms", val, 0, 86400000, &o->backoff_ms) < 0)
                return -1;
        } else if (strcmp(key, "max_delay_ms") == 0) {
            if (opt_int(job, "backoff.max_delay_ms", val, 0, 604800000, &o->max_backoff_ms) < 0)
                return -1;
        } else {
            char name[96];

            snprintf(name, sizeof name, "backoff.%s", key);
            return opt_error(job, name, "unknown key (use type, delay_ms or max_delay_ms)");
        }
    }
    return 0;
}

static int opt_priority(struct heft_job *job, json_t *v)
{
    const char *s = json_string_value(v);

    if (s && (!strcmp(s, "high") || !strcmp(s, "normal") || !strcmp(s, "low")))
        return 0;
    return opt_error(job, "priority", "must be \"high\", \"normal\" or \"low\"");
}

static int opt_one(struct heft_job *job, const char *key, json_t *v, struct heft_opts *o)
{
    long long n;

    if (!strcmp(key, "attempts")) {
        if (opt_int(job, key, v, 1, 1000, &n) < 0)
            return -1;
        o->attempts = (int)n;
        return 0;
    }
    if (!strcmp(key, "timeout_ms"))
        return opt_int(job, key, v, 1, 86400000, &o->timeout_ms);
    if (!strcmp(key, "result_ttl"))
        return opt_int(job, key, v, 1, 31536000, &o->result_ttl);
    if (!strcmp(key, "backoff"))
        return opt_backoff(job, v, o);
    if (!strcmp(key, "delay_ms"))
        return opt_int(job, key, v, 0, 31536000000LL, &n);
    if (!strcmp(key, "run_at"))
        return opt_int(job, key, v, 0, 253402300799999LL, &n);
    if (!strcmp(key, "priority"))
        return opt_priority(job, v);
    if (!strcmp(key, "reply")) {
        if (!json_is_boolean(v))
            return opt_error(job, key, "must be true or false");
        o->reply = json_is_true(v);
        return 0;
    }
    return opt_error(job, key, "unknown option");
}

int heft_opts_parse(struct heft_job *job, const char *text, size_t len,
                    const struct heft_config *cfg, struct heft_opts *o)
{
    json_error_t jerr;
    json_t *root, *v;
    const char *key;
    int rc = 0;

    o->attempts = (int)cfg->defaults.attempts;
    o->timeout_ms = job->tconf && job->tconf->timeout_ms ? job->tconf->timeout_ms
                                                         : cfg->defaults.timeout_ms;
    o->result_ttl = cfg->defaults.result_ttl;
    o->backoff_type = HEFT_BACKOFF_EXPONENTIAL;
    o->backoff_ms = cfg->defaults.backoff_ms;
    o->max_backoff_ms = cfg->defaults.max_backoff_ms;
    o->reply = 0;
    if (len == 0)
        return 0;
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        heft_job_set_error(job, "bad_option", 0, "options are not valid JSON: %s", jerr.text);
        return -1;
    }
    if (!json_is_object(root)) {
        heft_job_set_error(job, "bad_option", 0, "options must be a JSON object");
        rc = -1;
    }
    json_object_foreach(json_is_object(root) ? root : NULL, key, v) {
        if ((rc = opt_one(job, key, v, o)) < 0)
            break;
    }
    json_decref(root);
    return rc;
}

static size_t payload_limit(const struct heft_config *cfg, const struct heft_type_conf *t)
{
    return t && t->max_payload_bytes ? t->max_payload_bytes : cfg->max_payload_bytes;
}

/* Whether the options ask for a reply, read before anything else is
 * checked: a client blocked on the reply list must hear about a job that
 * fails its envelope check too. */
static int wants_reply(const char *text, size_t len)
{
    json_t *root = len ? json_loadb(text, len, 0, NULL) : NULL;
    int yes = json_is_true(json_object_get(root, "reply"));

    json_decref(root);
    return yes;
}

int heft_envelope_check(struct heft_job *job, const struct heft_config *cfg)
{
    json_error_t jerr;
    size_t limit;

    job->opts.reply = wants_reply(job->opts_text, job->opts_len);
    if (!job->type || !*job->type) {
        heft_job_set_error(job, "missing_type", 0, "the job has no type");
        return -1;
    }
    job->handler = heft_handler_find(job->type);
    if (!job->handler) {
        heft_job_set_error(job, "unknown_type", 0, "no handler for job type \"%s\"", job->type);
        return -1;
    }
    job->tconf = heft_config_type(cfg, job->type);
    limit = payload_limit(cfg, job->tconf);
    if (job->payload_len > limit) {
        heft_job_set_error(job, "payload_too_large", 0,
                           "payload is %zu bytes; the limit for \"%s\" is %zu",
                           job->payload_len, job->type, limit);
        return -1;
    }
    if (heft_opts_parse(job, job->opts_text, job->opts_len, cfg, &job->opts) < 0) {
        job->opts.reply = wants_reply(job->opts_text, job->opts_len);
        return -1;
    }
    job->payload = json_loadb(job->payload_text ? job->payload_text : "", job->payload_len,
                              JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!job->payload && job->sealed) {     /* jansson quotes the text near the error */
        heft_job_set_error(job, "bad_json", 0, "payload is not valid JSON at line %d column %d "
                           "(details withheld: the payload is sealed)", jerr.line, jerr.column);
        return -1;
    }
    if (!job->payload) {
        heft_job_set_error(job, "bad_json", 0, "payload is not valid JSON: %s at line %d column %d",
                           jerr.text, jerr.line, jerr.column);
        return -1;
    }
    return 0;
}

long long heft_backoff_ms(const struct heft_opts *o, int attempt, uint32_t rnd)
{
    long long d = o->backoff_ms;
    int i;

    if (o->backoff_type == HEFT_BACKOFF_EXPONENTIAL)
        for (i = 1; i < attempt && d < o->max_backoff_ms; i++)
            d *= 2;
    if (d > o->max_backoff_ms)
        d = o->max_backoff_ms;
    if (o->backoff_type == HEFT_BACKOFF_FIXED || d < 2)
        return d;
    return d - d / 2 + (long long)(rnd % (uint32_t)(d / 2 + 1));
}
