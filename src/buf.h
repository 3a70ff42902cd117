/*
 * buf.h - heft_buf, the one growable byte buffer used throughout heft
 * (in the spirit of git's strbuf and Redis's sds).
 *
 * A heft_buf always keeps a NUL after its len bytes, so ->data can be used
 * as a C string when the content is text.  Growth and bounds are checked
 * here and nowhere else.  A zeroed struct (HEFT_BUF_INIT) is an empty
 * buffer; heft_buf_free() releases it and leaves it empty and reusable.
 * All functions that can allocate return 0 or -ENOMEM.
 */
#ifndef HEFT_BUF_H
#define HEFT_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct heft_buf {
    char *data;     /* NULL until the first append */
    size_t len;     /* bytes used, not counting the trailing NUL */
    size_t cap;     /* bytes allocated */
};

#define HEFT_BUF_INIT { NULL, 0, 0 }

int heft_buf_reserve(struct heft_buf *b, size_t extra);
int heft_buf_append(struct heft_buf *b, const void *data, size_t len);
int heft_buf_puts(struct heft_buf *b, const char *s);
int heft_buf_printf(struct heft_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int heft_buf_vprintf(struct heft_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void heft_buf_reset(struct heft_buf *b);   /* len = 0, keeps memory */
void heft_buf_free(struct heft_buf *b);
/* Hand the bytes to the caller (free() them); the buffer becomes empty.
 * Never NULL: an empty buffer yields "". Returns NULL only on ENOMEM. */
char *heft_buf_detach(struct heft_buf *b, size_t *len);

/* The text, or "" for a buffer that never grew. */
static inline const char *heft_buf_str(const struct heft_buf *b)
{
    return b->data ? b->data : "";
}

#endif
