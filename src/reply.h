/*
 * reply.h - reading hiredis replies the way heft's keys are laid out,
 * shared by heftd (maintenance, metrics) and heftctl: a field of a flat
 * field/value reply, an integer sent as either type, Redis's TIME, the
 * time in a stream entry id, and what a ready stream holds (waiting and
 * pending entries, as docs/protocol.md defines them) from XINFO GROUPS and
 * XLEN.  Pure functions of the replies; the caller owns them.
 */
#ifndef HEFT_REPLY_H
#define HEFT_REPLY_H

#include <hiredis/hiredis.h>

/* The value after name in a flat [name, value, ...] array; NULL if none. */
const redisReply *heft_reply_field(const redisReply *map, const char *name);
/* An integer reply, or a string holding a whole integer; otherwise. */
long long heft_reply_ll(const redisReply *r, long long otherwise);
/* Redis's clock in ms from a TIME reply; -1 if it is not one. */
long long heft_reply_time_ms(const redisReply *r);
/* The ms part of the id of the first entry of an XRANGE reply; -1 if none. */
long long heft_reply_entry_ms(const redisReply *xrange);

/* Free the n replies of r that are there, and set them to NULL. */
void heft_replies_free(redisReply **r, size_t n);

/* One ready stream of a queue, from its XINFO GROUPS and XLEN replies. */
struct heft_stream_depth {
    long long waiting;        /* not yet delivered to any heftd */
    long long pending;        /* delivered, not yet acknowledged */
    char from[80];            /* XRANGE start of the waiting entries */
};
void heft_stream_depth(struct heft_stream_depth *s, const redisReply *groups,
                       const redisReply *xlen);

#endif
