/*
 * jobs/hash/input.c - the input of a hash job, whichever type: inline
 * text, inline base64, a file under one of the type's input_dirs, or a
 * Redis string value under one of its input_key_prefixes.  It owns the
 * rules that keep a file name inside those directories and a key under
 * those prefixes, and the streaming of files and values in chunks, so
 * that an input of any size costs one chunk of memory and a job can be
 * cancelled between chunks.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"

#define CHUNK (1024 * 1024)
#define DEFAULT_MAX_INPUT_BYTES (8LL * 1024 * 1024)
#define DEFAULT_MAX_FILE_BYTES (4LL * 1024 * 1024 * 1024)

static const char *const inputs[] = { "text", "base64", "file", "redis_key", NULL };

int hash_fail(struct hash_err *err, const char *code, int retryable, const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    err->retryable = retryable;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

static int listed(const char *const *names, const char *name)
{
    for (; *names; names++)
        if (!strcmp(*names, name))
            return 1;
    return 0;
}

int hash_input_field(const char *field)
{
    return listed(inputs, field);
}

int hash_payload_check(const json_t *payload, const char *type, const char *const *fields,
                       struct hash_err *err)
{
    const char *key;
    json_t *v;

    if (!json_is_object(payload))
        return hash_fail(err, "bad_input", 0, "the payload must be an object");
    json_object_foreach((json_t *)payload, key, v)
        if (!hash_input_field(key) && !listed(fields, key))
            return hash_fail(err, "bad_input", 0, "%.64s: unknown field for %s", key, type);
    return 0;
}

/* ---- inline inputs ---- */

static int inline_limit(heft_job *job, size_t len, const char *field, struct hash_err *err)
{
    long long max = heft_job_limit(job, "max_input_bytes", DEFAULT_MAX_INPUT_BYTES);

    if ((long long)len > max)
        return hash_fail(err, "limit_exceeded", 0, "%s: %zu bytes, over max_input_bytes (%lld)",
                         field, len, max);
    return 0;
}

static int feed(hash_sink_fn sink, void *ctx, const unsigned char *p, size_t len,
                struct hash_err *err)
{
    if (sink(ctx, p, len) != 0)
        return hash_fail(err, "crypto_error", 1, "OpenSSL failed to process the input");
    return 0;
}

static int read_text(heft_job *job, const json_t *v, hash_sink_fn sink, void *ctx,
                     uint64_t *nbytes, struct hash_err *err)
{
    if (!json_is_string(v))
        return hash_fail(err, "bad_input", 0, "text: must be a string");
    *nbytes = json_string_length(v);
    if (inline_limit(job, json_string_length(v), "text", err) < 0)
        return -1;
    return feed(sink, ctx, (const unsigned char *)json_string_value(v), json_string_length(v),
                err);
}

static int read_base64(heft_job *job, const json_t *v, hash_sink_fn sink, void *ctx,
                       uint64_t *nbytes, struct hash_err *err)
{
    unsigned char *bytes;
    size_t len;
    int rc = -1;

    if (!json_is_string(v))
        return hash_fail(err, "bad_input", 0, "base64: must be a string");
    bytes = hash_base64_decode(json_string_value(v), json_string_length(v), &len);
    if (!bytes && errno == ENOMEM)
        return hash_fail(err, "no_memory", 1, "base64: out of memory");
    if (!bytes)
        return hash_fail(err, "bad_input", 0, "base64: not valid base64 (RFC 4648, padded)");
    *nbytes = len;
    if (inline_limit(job, len, "base64", err) == 0)
        rc = feed(sink, ctx, bytes, len, err);
    free(bytes);
    return rc;
}

/* ---- files ---- */

/* Whether path is dir or below it (both resolved). */
static int inside(const char *dir, const char *path)
{
    size_t n = strlen(dir);

    if (n == 1)                 /* "/" */
        return path[0] == '/';
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* The resolved path of name in the first input directory that has it. */
static int resolve(const struct hash_state *st, const char *name, char **path, const char **dir,
                   struct hash_err *err)
{
    char joined[PATH_MAX];
    size_t i;

    if (!st->ndirs)
        return hash_fail(err, "file_refused", 0, "file: no input_dirs are configured");
    if (!*name || name[0] == '/')
        return hash_fail(err, "file_refused", 0,
                         "file: must be a path relative to an input directory");
    for (i = 0; i < st->ndirs; i++) {
        if ((size_t)snprintf(joined, sizeof joined, "%s/%s", st->dirs[i], name) >= sizeof joined)
            return hash_fail(err, "bad_input", 0, "file: the path is too long");
        *path = realpath(joined, NULL);
        if (!*path && (errno == ENOENT || errno == ENOTDIR))
            continue;
        if (!*path)
            return hash_fail(err, "file_refused", 0, "file: \"%.200s\": %s", name,
                             strerror(errno));
        if (inside(st->dirs[i], *path)) {
            *dir = st->dirs[i];
            return 0;
        }
        free(*path);
        *path = NULL;
        return hash_fail(err, "file_refused", 0, "file: \"%.200s\" leads out of the input "
                         "directory (through .. or a symbolic link)", name);
    }
    return hash_fail(err, "file_not_found", 0, "file: \"%.200s\" is in no input directory",
                     name);
}

/* After open: what the descriptor really is, so that a directory swapped
 * for a symbolic link between realpath and open is caught too. */
static int check_opened(heft_job *job, int fd, const char *dir, const char *name,
                        struct hash_err *err)
{
    long long max = heft_job_limit(job, "max_file_bytes", DEFAULT_MAX_FILE_BYTES);
    char link[64], real[PATH_MAX];
    struct stat sb;
    ssize_t n;

    if (fstat(fd, &sb) < 0)
        return hash_fail(err, "io_error", 1, "file: \"%.200s\": %s", name, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return hash_fail(err, "file_refused", 0, "file: \"%.200s\" is not a regular file", name);
    if (sb.st_size > max)
        return hash_fail(err, "limit_exceeded", 0, "file: \"%.200s\" has %lld bytes, over "
                         "max_file_bytes (%lld)", name, (long long)sb.st_size, max);
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, real, sizeof real - 1);
    if (n < 0)                  /* no /proc: realpath's check stands alone */
        return 0;
    real[n] = '\0';
    if (!inside(dir, real))
        return hash_fail(err, "file_refused", 0, "file: \"%.200s\" moved out of the input "
                         "directory while being opened", name);
    return 0;
}

static int open_file(heft_job *job, const struct hash_state *st, const char *name, int *fd,
                     struct hash_err *err)
{
    const char *dir = NULL;
    char *path = NULL;

    if (resolve(st, name, &path, &dir, err) < 0)
        return -1;
    /* O_NONBLOCK: a FIFO must not hang the worker before fstat refuses it. */
    *fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    free(path);
    if (*fd < 0 && errno == ENOENT)
        return hash_fail(err, "file_not_found", 0, "file: \"%.200s\" vanished", name);
    if (*fd < 0 && (errno == ELOOP || errno == EACCES || errno == EPERM))
        return hash_fail(err, "file_refused", 0, "file: \"%.200s\": %s", name, strerror(errno));
    if (*fd < 0)
        return hash_fail(err, "io_error", 1, "file: \"%.200s\": %s", name, strerror(errno));
    if (check_opened(job, *fd, dir, name, err) == 0)
        return 0;
    close(*fd);
    *fd = -1;
    return -1;
}

static int stream(heft_job *job, int fd, const char *name, unsigned char *buf,
                  hash_sink_fn sink, void *ctx, uint64_t *nbytes, struct hash_err *err)
{
    long long max = heft_job_limit(job, "max_file_bytes", DEFAULT_MAX_FILE_BYTES);
    struct stat sb;
    off_t size = fstat(fd, &sb) == 0 ? sb.st_size : 0;
    ssize_t n;

    *nbytes = 0;
    for (;;) {
        if (heft_job_cancelled(job))
            return hash_fail(err, "cancelled", 1, "file: stopped after %llu bytes",
                             (unsigned long long)*nbytes);
        n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return hash_fail(err, "io_error", 1, "file: \"%.200s\": read: %s", name,
                             strerror(errno));
        if (n == 0)
            return 0;
        *nbytes += (uint64_t)n;
        if (*nbytes > (uint64_t)max)
            return hash_fail(err, "limit_exceeded", 0, "file: \"%.200s\" grew over "
                             "max_file_bytes (%lld) while being read", name, max);
        if (feed(sink, ctx, buf, (size_t)n, err) < 0)
            return -1;
        if (size > 0)
            heft_job_progress(job, (int)(*nbytes * 100 / (uint64_t)size));
    }
}

static int read_file(heft_job *job, const struct hash_state *st, const json_t *v,
                     hash_sink_fn sink, void *ctx, uint64_t *nbytes, struct hash_err *err)
{
    const char *name = json_string_value(v);
    unsigned char *buf = NULL;
    int fd = -1, rc = -1;

    if (!name || strlen(name) != json_string_length(v))
        return hash_fail(err, "bad_input", 0, "file: must be a path (a string without NUL)");
    if (open_file(job, st, name, &fd, err) < 0)
        return -1;
    buf = malloc(CHUNK);
    if (!buf)
        hash_fail(err, "no_memory", 1, "file: out of memory");
    else
        rc = stream(job, fd, name, buf, sink, ctx, nbytes, err);
    free(buf);
    close(fd);
    return rc;
}

/* ---- Redis values ---- */

/* The key is under one of the configured prefixes (byte by byte: a key
 * may hold any byte, a NUL included). */
static int key_allowed(const struct hash_state *st, const char *key, size_t len,
                       struct hash_err *err)
{
    size_t i, n;

    if (!st->nkey_prefixes)
        return hash_fail(err, "key_refused", 0, "redis_key: no input_key_prefixes are "
                         "configured");
    for (i = 0; i < st->nkey_prefixes; i++) {
        n = strlen(st->key_prefixes[i]);
        if (len >= n && !memcmp(key, st->key_prefixes[i], n))
            return 0;
    }
    return hash_fail(err, "key_refused", 0, "redis_key: \"%.200s\" is under none of the "
                     "input_key_prefixes", key);
}

/* A failed heft_job_redis_* call as the job's error. */
static int redis_fail(heft_job *job, int rc, const char *key, struct hash_err *err)
{
    const char *why = heft_job_redis_error(job);

    switch (rc) {
    case HEFT_REDIS_ENOKEY:
        return hash_fail(err, "key_not_found", 0, "redis_key: \"%.200s\" does not exist", key);
    case HEFT_REDIS_EWRONGTYPE:
        return hash_fail(err, "key_wrong_type", 0, "redis_key: \"%.200s\": %s", key, why);
    case HEFT_REDIS_EREFUSED:
        return hash_fail(err, "key_refused", 0, "redis_key: \"%.200s\": %s", key, why);
    case HEFT_REDIS_ECHANGED:
        return hash_fail(err, "key_changed", 1, "redis_key: \"%.200s\": %s", key, why);
    case HEFT_REDIS_EUNAVAILABLE:
        return hash_fail(err, "redis_unavailable", 1, "redis_key: %s", why);
    default:
        return hash_fail(err, "redis_error", 1, "redis_key: \"%.200s\": %s", key, why);
    }
}

static int stream_key(heft_job *job, const char *key, uint64_t size, unsigned char *buf,
                      hash_sink_fn sink, void *ctx, uint64_t *nbytes, struct hash_err *err)
{
    size_t got;
    int rc;

    for (*nbytes = 0; *nbytes < size; *nbytes += got) {
        if (heft_job_cancelled(job))
            return hash_fail(err, "cancelled", 1, "redis_key: stopped after %llu bytes",
                             (unsigned long long)*nbytes);
        rc = heft_job_redis_read(job, *nbytes, buf, CHUNK, &got);
        if (rc < 0)
            return redis_fail(job, rc, key, err);
        if (feed(sink, ctx, buf, got, err) < 0)
            return -1;
        heft_job_progress(job, (int)((*nbytes + got) * 100 / size));
    }
    rc = heft_job_redis_close(job);
    return rc < 0 ? redis_fail(job, rc, key, err) : 0;
}

static int read_key(heft_job *job, const struct hash_state *st, const json_t *v,
                    hash_sink_fn sink, void *ctx, uint64_t *nbytes, struct hash_err *err)
{
    long long max = heft_job_limit(job, "max_file_bytes", DEFAULT_MAX_FILE_BYTES);
    const char *key = json_string_value(v);
    size_t keylen = json_string_length(v);
    unsigned char *buf = NULL;
    uint64_t size;
    int rc;

    if (!key)
        return hash_fail(err, "bad_input", 0, "redis_key: must be a string");
    if (key_allowed(st, key, keylen, err) < 0)
        return -1;
    rc = heft_job_redis_open(job, key, keylen, &size);
    if (rc < 0)
        return redis_fail(job, rc, key, err);
    if (size > (uint64_t)max)
        return hash_fail(err, "limit_exceeded", 0, "redis_key: \"%.200s\" holds %llu bytes, "
                         "over max_file_bytes (%lld)", key, (unsigned long long)size, max);
    buf = malloc(CHUNK);
    if (!buf)
        return hash_fail(err, "no_memory", 1, "redis_key: out of memory");
    rc = stream_key(job, key, size, buf, sink, ctx, nbytes, err);
    free(buf);
    return rc;
}

int hash_input_read(heft_job *job, const struct hash_state *st, hash_sink_fn sink,
                    void *ctx, uint64_t *nbytes, struct hash_err *err)
{
    const json_t *payload = heft_job_payload(job);
    const char *found = NULL;
    const json_t *v = NULL;
    size_t i;

    for (i = 0; inputs[i]; i++) {
        if (!json_object_get(payload, inputs[i]))
            continue;
        if (found)
            return hash_fail(err, "bad_input", 0, "%s, %s: give only one input", found,
                             inputs[i]);
        found = inputs[i];
        v = json_object_get(payload, found);
    }
    if (!found)
        return hash_fail(err, "bad_input", 0, "text, base64, file or redis_key: the payload has "
                         "no input");
    if (!strcmp(found, "text"))
        return read_text(job, v, sink, ctx, nbytes, err);
    if (!strcmp(found, "base64"))
        return read_base64(job, v, sink, ctx, nbytes, err);
    if (!strcmp(found, "file"))
        return read_file(job, st, v, sink, ctx, nbytes, err);
    return read_key(job, st, v, sink, ctx, nbytes, err);
}
