/*
 * log.c - formatting and writing log lines.
 *
 * Each line is built in a heft_buf and written with a single write(2), so
 * lines from different threads never interleave.
 */
#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

static _Atomic int log_level = HEFT_LOG_INFO;
static _Atomic int log_format = HEFT_LOG_TEXT;
static int log_tty = -1;

void heft_log_setup(enum heft_log_level level, enum heft_log_format format)
{
    atomic_store(&log_level, level);
    atomic_store(&log_format, format);
    log_tty = isatty(STDERR_FILENO);
}

int heft_log_enabled(enum heft_log_level level)
{
    return (int)level <= atomic_load(&log_level);
}

static const char *level_name(enum heft_log_level level)
{
    switch (level) {
    case HEFT_LOG_ERROR: return "error";
    case HEFT_LOG_WARN: return "warn";
    case HEFT_LOG_INFO: return "info";
    default: return "debug";
    }
}

static void format_time(char *out, size_t len)
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void format_json(struct heft_buf *line, enum heft_log_level level, const char *queue,
                        const char *type, const char *id, const char *msg)
{
    char ts[40];
    json_t *o;
    char *text;

    format_time(ts, sizeof ts);
    o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_name(level), "msg", msg);
    if (!o)
        return;
    if (queue)
        json_object_set_new(o, "queue", json_string(queue));
    if (type)
        json_object_set_new(o, "type", json_string(type));
    if (id)
        json_object_set_new(o, "id", json_string(id));
    text = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (text)
        heft_buf_puts(line, text);
    free(text);
    json_decref(o);
}

static void format_text(struct heft_buf *line, enum heft_log_level level, const char *queue,
                        const char *type, const char *id, const char *msg)
{
    char ts[40];

    if (log_tty > 0) {
        format_time(ts, sizeof ts);
        heft_buf_printf(line, "%s %-5s ", ts, level_name(level));
    } else {
        heft_buf_printf(line, "<%d>", (int)level);
    }
    heft_buf_puts(line, msg);
    if (queue)
        heft_buf_printf(line, " queue=%s", queue);
    if (type)
        heft_buf_printf(line, " type=%s", type);
    if (id)
        heft_buf_printf(line, " id=%s", id);
}

void heft_vlog_job(enum heft_log_level level, const char *queue, const char *type,
                   const char *id, const char *fmt, va_list ap)
{
    struct heft_buf msg = HEFT_BUF_INIT, line = HEFT_BUF_INIT;
    ssize_t unused;

    if (!heft_log_enabled(level))
        return;
    if (heft_buf_vprintf(&msg, fmt, ap) < 0)
        goto out;
    if (atomic_load(&log_format) == HEFT_LOG_JSON)
        format_json(&line, level, queue, type, id, heft_buf_str(&msg));
    else
        format_text(&line, level, queue, type, id, heft_buf_str(&msg));
    if (heft_buf_append(&line, "\n", 1) == 0)
        unused = write(STDERR_FILENO, line.data, line.len);
    (void)unused;
out:
    heft_buf_free(&msg);
    heft_buf_free(&line);
}

void heft_log_job(enum heft_log_level level, const char *queue, const char *type,
                  const char *id, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    heft_vlog_job(level, queue, type, id, fmt, ap);
    va_end(ap);
}

void heft_log(enum heft_log_level level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    heft_vlog_job(level, NULL, NULL, NULL, fmt, ap);
    va_end(ap);
}
