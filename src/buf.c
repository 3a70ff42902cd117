/*
 * buf.c - heft_buf: growth policy and the few appenders everything uses.
 *
 * Growth doubles capacity (minimum 64 bytes) so appends are amortised O(1);
 * size arithmetic is overflow-checked once, in heft_buf_reserve().
 */
#include "buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int heft_buf_reserve(struct heft_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > SIZE_MAX - b->len - 1)
        return -ENOMEM;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (!p)
        return -ENOMEM;
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

int heft_buf_append(struct heft_buf *b, const void *data, size_t len)
{
    if (heft_buf_reserve(b, len) < 0)
        return -ENOMEM;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int heft_buf_puts(struct heft_buf *b, const char *s)
{
    return heft_buf_append(b, s, strlen(s));
}

int heft_buf_vprintf(struct heft_buf *b, const char *fmt, va_list ap)
{
    va_list again;
    int n;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    if (n < 0)
        return -EINVAL;
    if (heft_buf_reserve(b, (size_t)n) < 0)
        return -ENOMEM;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int heft_buf_printf(struct heft_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = heft_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void heft_buf_reset(struct heft_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void heft_buf_free(struct heft_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *heft_buf_detach(struct heft_buf *b, size_t *len)
{
    char *p;

    if (!b->data && heft_buf_reserve(b, 0) < 0)
        return NULL;
    p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
