/*
 * link.h - heft_link, one thread's connection to Redis.
 *
 * Each thread that talks to Redis owns exactly one link (a hiredis
 * context is not thread-safe).  A link connects, authenticates, selects
 * the database and loads the protocol scripts; after any I/O or protocol
 * error it is "broken" (as hiredis contexts are) and the owner calls
 * heft_link_connect() again, waiting heft_link_backoff_ms() between tries.
 * An outage is logged once when it starts and once when it ends.
 *
 * Replies returned by heft_link_call()/heft_link_reply() belong to the
 * caller, who frees them with freeReplyObject() in the same function.
 */
#ifndef HEFT_LINK_H
#define HEFT_LINK_H

#include <hiredis/hiredis.h>
#include <stdatomic.h>

#include "cmd.h"
#include "config.h"

enum heft_script {
    HEFT_SCRIPT_ENQUEUE,
    HEFT_SCRIPT_FETCH,
    HEFT_SCRIPT_START,
    HEFT_SCRIPT_FINISH,
    HEFT_SCRIPT_PROMOTE,
    HEFT_SCRIPT_RECLAIM,
    HEFT_SCRIPT_SEAL,
    HEFT_SCRIPT_RETRY,      /* heftctl's repairs */
    HEFT_SCRIPT_DELETE,
    HEFT_SCRIPT_COUNT
};

struct heft_link;

/* role names the link in logs ("fetcher", "acker"). NULL on ENOMEM or a
 * URL that does not parse (the config was validated, so: a bug). */
struct heft_link *heft_link_create(const struct heft_config *cfg, const char *role);
void heft_link_destroy(struct heft_link *l);

/* Connect (if not connected).  Returns 0, or -1 with the reason in
 * heft_link_error() (logged once per outage). */
int heft_link_connect(struct heft_link *l);
int heft_link_connected(const struct heft_link *l);
/* Drop the connection; the next heft_link_connect() makes a new one. */
void heft_link_break(struct heft_link *l, const char *why);
/* Add 1 to *count each time the link connects again after a loss
 * (heft_redis_reconnects_total); count must outlive the link. */
void heft_link_count_reconnects(struct heft_link *l, atomic_llong *count);
/* Capped exponential backoff for the next reconnect attempt. */
long long heft_link_backoff_ms(struct heft_link *l);
const char *heft_link_error(const struct heft_link *l);

/* Send one command and wait for its reply.  NULL means the link broke. */
redisReply *heft_link_call(struct heft_link *l, struct heft_cmd *c);
/* The same for a command of argc NUL-terminated strings. */
redisReply *heft_link_callv(struct heft_link *l, int argc, const char *const *argv);
/* Pipelining: queue commands, then read their replies in order.  Queued
 * commands go out with the next read, or at once with heft_link_flush(). */
int heft_link_append(struct heft_link *l, struct heft_cmd *c);
int heft_link_flush(struct heft_link *l);
redisReply *heft_link_reply(struct heft_link *l);
/* The same for replies of megabytes: reads the socket through scratch, cap
 * bytes at a time, instead of hiredis's 16 KiB reads (a read per 16 KiB
 * costs more than copying them). */
redisReply *heft_link_reply_large(struct heft_link *l, char *scratch, size_t cap);

/* Start c as "EVALSHA <sha> nkeys" for script s (keys and args follow). */
void heft_link_script(struct heft_link *l, struct heft_cmd *c, enum heft_script s, int nkeys);
/* A script reply that says Redis lost its script cache (SCRIPT FLUSH):
 * call heft_link_reload() and send the command again. */
int heft_reply_is_noscript(const redisReply *r);
int heft_link_reload(struct heft_link *l);

/* Call a script, reloading the cache once on NOSCRIPT. */
redisReply *heft_link_call_script(struct heft_link *l, struct heft_cmd *c);

/* Convenience for tests and tools: the script text. */
const char *heft_script_text(enum heft_script s);

#endif
