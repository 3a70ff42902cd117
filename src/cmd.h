/*
 * cmd.h - heft_cmd, a Redis command built argument by argument.
 *
 * Every command heft sends goes through hiredis's argv interface, so no
 * byte of a job ever becomes a format string.  Arguments are either
 * borrowed (the caller keeps the bytes alive until the command is sent:
 * payloads, results, blobs — no copy) or copied into the command's own
 * storage (numbers, keys built on the fly).
 */
#ifndef HEFT_CMD_H
#define HEFT_CMD_H

#include <stddef.h>

#include "buf.h"

struct heft_cmd {
    int argc;
    int cap;
    const char **ptr;     /* borrowed bytes, or NULL: bytes at off[] in own */
    size_t *off;
    size_t *len;
    struct heft_buf own;
    const char **argv;    /* resolved by heft_cmd_argv() */
    int failed;           /* sticky: an append ran out of memory */
};

#define HEFT_CMD_INIT { 0, 0, NULL, NULL, NULL, HEFT_BUF_INIT, NULL, 0 }

void heft_cmd_reset(struct heft_cmd *c);
void heft_cmd_free(struct heft_cmd *c);

void heft_cmd_borrow(struct heft_cmd *c, const char *s, size_t len);
void heft_cmd_borrows(struct heft_cmd *c, const char *s);   /* NUL-terminated */
void heft_cmd_copy(struct heft_cmd *c, const char *s, size_t len);
void heft_cmd_printf(struct heft_cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void heft_cmd_int(struct heft_cmd *c, long long v);

/* Pointers and lengths ready for redisAppendCommandArgv; NULL when an
 * append failed.  Valid until the command changes. */
const char **heft_cmd_argv(struct heft_cmd *c);

#endif
