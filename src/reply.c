/*
 * reply.c - reading hiredis replies (see reply.h).
 */
#include "reply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const redisReply *heft_reply_field(const redisReply *map, const char *name)
{
    size_t i;

    if (!map || map->type != REDIS_REPLY_ARRAY)
        return NULL;
    for (i = 0; i + 1 < map->elements; i += 2)
        if (map->element[i]->type == REDIS_REPLY_STRING && !strcmp(map->element[i]->str, name))
            return map->element[i + 1];
    return NULL;
}

long long heft_reply_ll(const redisReply *r, long long otherwise)
{
    char *end;
    long long v;

    if (r && r->type == REDIS_REPLY_INTEGER)
        return r->integer;
    if (!r || r->type != REDIS_REPLY_STRING || !r->len)
        return otherwise;
    errno = 0;
    v = strtoll(r->str, &end, 10);
    return errno || *end ? otherwise : v;
}

long long heft_reply_time_ms(const redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
        return -1;
    return atoll(r->element[0]->str) * 1000 + atoll(r->element[1]->str) / 1000;
}

long long heft_reply_entry_ms(const redisReply *xrange)
{
    const redisReply *e;

    if (!xrange || xrange->type != REDIS_REPLY_ARRAY || xrange->elements < 1)
        return -1;
    e = xrange->element[0];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 1 || e->element[0]->type != REDIS_REPLY_STRING)
        return -1;
    return atoll(e->element[0]->str);
}

void heft_replies_free(redisReply **r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (r[i]) {
            freeReplyObject(r[i]);
            r[i] = NULL;
        }
}

/* The group "heft" in an XINFO GROUPS reply (an error when no stream). */
static const redisReply *heft_group(const redisReply *groups)
{
    const redisReply *name;
    size_t i;

    for (i = 0; groups && groups->type == REDIS_REPLY_ARRAY && i < groups->elements; i++) {
        name = heft_reply_field(groups->element[i], "name");
        if (name && name->type == REDIS_REPLY_STRING && !strcmp(name->str, "heft"))
            return groups->element[i];
    }
    return NULL;
}

/* Waiting: the group's lag when Redis knows it, else the entries not
 * pending (heftd deletes an entry when it acknowledges it). */
void heft_stream_depth(struct heft_stream_depth *s, const redisReply *groups,
                       const redisReply *xlen)
{
    const redisReply *g = heft_group(groups);
    const redisReply *last = g ? heft_reply_field(g, "last-delivered-id") : NULL;
    long long lag = g ? heft_reply_ll(heft_reply_field(g, "lag"), -1) : -1;

    s->pending = g ? heft_reply_ll(heft_reply_field(g, "pending"), 0) : 0;
    s->waiting = lag >= 0 ? lag : heft_reply_ll(xlen, 0) - s->pending;
    if (s->waiting < 0)
        s->waiting = 0;
    if (last && last->type == REDIS_REPLY_STRING)
        snprintf(s->from, sizeof s->from, "(%s", last->str);
    else
        snprintf(s->from, sizeof s->from, "-");
}
