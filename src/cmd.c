/*
 * cmd.c - heft_cmd storage.  Copied arguments live in one heft_buf and are
 * referred to by offset, because the buffer may move while it grows; the
 * pointers are resolved only when the command is about to be sent.
 */
#include "cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(struct heft_cmd *c)
{
    int cap = c->cap ? c->cap * 2 : 16;
    const char **ptr = realloc(c->ptr, sizeof *ptr * (size_t)cap);
    size_t *off, *len;

    if (!ptr)
        return -1;
    c->ptr = ptr;
    off = realloc(c->off, sizeof *off * (size_t)cap);
    if (!off)
        return -1;
    c->off = off;
    len = realloc(c->len, sizeof *len * (size_t)cap);
    if (!len)
        return -1;
    c->len = len;
    c->cap = cap;
    return 0;
}

static int push(struct heft_cmd *c, const char *ptr, size_t off, size_t len)
{
    if (c->failed || (c->argc == c->cap && grow(c) < 0)) {
        c->failed = 1;
        return -1;
    }
    c->ptr[c->argc] = ptr;
    c->off[c->argc] = off;
    c->len[c->argc] = len;
    c->argc++;
    return 0;
}

void heft_cmd_borrow(struct heft_cmd *c, const char *s, size_t len)
{
    push(c, s ? s : "", 0, s ? len : 0);
}

void heft_cmd_borrows(struct heft_cmd *c, const char *s)
{
    heft_cmd_borrow(c, s, s ? strlen(s) : 0);
}

void heft_cmd_copy(struct heft_cmd *c, const char *s, size_t len)
{
    size_t off = c->own.len;

    if (heft_buf_append(&c->own, s, len) < 0) {
        c->failed = 1;
        return;
    }
    push(c, NULL, off, len);
}

void heft_cmd_printf(struct heft_cmd *c, const char *fmt, ...)
{
    size_t off = c->own.len;
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = heft_buf_vprintf(&c->own, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        c->failed = 1;
        return;
    }
    push(c, NULL, off, c->own.len - off);
}

void heft_cmd_int(struct heft_cmd *c, long long v)
{
    heft_cmd_printf(c, "%lld", v);
}

const char **heft_cmd_argv(struct heft_cmd *c)
{
    const char **argv;
    int i;

    if (c->failed)
        return NULL;
    argv = realloc(c->argv, sizeof *argv * (size_t)(c->argc ? c->argc : 1));
    if (!argv)
        return NULL;
    c->argv = argv;
    for (i = 0; i < c->argc; i++)
        argv[i] = c->ptr[i] ? c->ptr[i] : c->own.data + c->off[i];
    return argv;
}

void heft_cmd_reset(struct heft_cmd *c)
{
    c->argc = 0;
    c->failed = 0;
    heft_buf_reset(&c->own);
}

void heft_cmd_free(struct heft_cmd *c)
{
    free(c->ptr);
    free(c->off);
    free(c->len);
    free(c->argv);
    heft_buf_free(&c->own);
    memset(c, 0, sizeof *c);
}
