/*
 * ping.c - heftctl ping: can heft use this Redis?  Its version, its
 * eviction policy (heftd refuses one that evicts) and the protocol
 * version heftctl speaks.  Exit 0 or 3, for health checks.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "out.h"

#define PROTOCOL_VERSION 1

struct ping {
    char version[32];
    char policy[64];
    double ms;            /* round trip of INFO */
};

/* The value of "name:" in an INFO text, into out ("" when missing). */
static void info_value(const char *info, const char *name, char *out, size_t len)
{
    const char *p = strstr(info, name);

    *out = '\0';
    if (p) {
        p += strlen(name);
        snprintf(out, len, "%.*s", (int)strcspn(p, "\r\n"), p);
    }
}

static double mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int ask(struct ctl *c, struct ping *p)
{
    const char *argv[] = { "INFO" };
    double t0 = mono_ms();
    redisReply *r = heft_link_callv(c->link, 1, argv);
    int rc = CTL_REDIS;

    p->ms = mono_ms() - t0;
    if (!r) {
        fprintf(stderr, "heftctl: Redis: %s\n", heft_link_error(c->link));
        goto out;
    }
    if (ctl_reply_error(r, "INFO") || r->type != REDIS_REPLY_STRING)
        goto out;
    info_value(r->str, "redis_version:", p->version, sizeof p->version);
    info_value(r->str, "maxmemory_policy:", p->policy, sizeof p->policy);
    rc = CTL_OK;
out:
    if (r)
        freeReplyObject(r);
    return rc;
}

static int print_json(struct ctl *c, int rc, const struct ping *p)
{
    char where[300];
    json_t *j = json_pack("{s:b, s:s, s:o, s:o, s:i, s:o}",
                          "ok", rc == CTL_OK, "redis", ctl_where(c, where, sizeof where),
                          "redis_version", out_json_str(rc == CTL_OK ? p->version : NULL),
                          "maxmemory_policy", out_json_str(rc == CTL_OK ? p->policy : NULL),
                          "protocol", PROTOCOL_VERSION,
                          "latency_ms", rc == CTL_OK ? json_real((double)(long long)(p->ms * 1000) / 1000) : json_null());

    return out_json(j) < 0 && rc == CTL_OK ? CTL_USAGE : rc;
}

static void print_human(struct ctl *c, const struct ping *p)
{
    int evicting = strcmp(p->policy, "noeviction") != 0;
    char where[300];

    out_kv(stdout, c->color, OUT_GREEN, "redis", "%s reachable (%.2f ms)",
           ctl_where(c, where, sizeof where), p->ms);
    out_kv(stdout, c->color, OUT_PLAIN, "version", "%s", p->version);
    out_kv(stdout, c->color, evicting ? OUT_RED : OUT_PLAIN, "maxmemory-policy", "%s%s",
           p->policy, evicting ? " (heftd refuses it: queued jobs could be evicted)" : "");
    out_kv(stdout, c->color, OUT_PLAIN, "protocol", "%d", PROTOCOL_VERSION);
}

int cmd_ping(struct ctl *c, int argc, char **argv)
{
    struct ping p = { "", "", 0 };
    int rc;

    if (ctl_args(c, argc, argv, NULL, 0, 0, &rc) < 0)
        return rc;
    rc = ctl_connect(c);
    if (rc == CTL_OK)
        rc = ask(c, &p);
    if (c->json && rc != CTL_USAGE)
        return print_json(c, rc, &p);
    if (rc == CTL_OK)
        print_human(c, &p);
    return rc;
}
