/*
 * log.h - one line per event on stderr.
 *
 * Text lines start with a syslog priority prefix ("<6>") so journald keeps
 * the level when heftd runs under systemd; on a terminal they start with a
 * timestamp and level name instead.  JSON lines (log.format: json) carry
 * ts, level, msg and, for job events, queue, type and id.
 *
 * The level and format are process-wide: heft_log_setup() is called by
 * main() before any thread starts (and on reload); the level is read
 * atomically, so changing it is safe while threads log.
 */
#ifndef HEFT_LOG_H
#define HEFT_LOG_H

#include <stdarg.h>

#include "config.h"

void heft_log_setup(enum heft_log_level level, enum heft_log_format format);
int heft_log_enabled(enum heft_log_level level);

void heft_log(enum heft_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A job event: queue, type and id are printed with every line. */
void heft_log_job(enum heft_log_level level, const char *queue, const char *type,
                  const char *id, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

void heft_vlog_job(enum heft_log_level level, const char *queue, const char *type,
                   const char *id, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

#define log_error(...) heft_log(HEFT_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  heft_log(HEFT_LOG_WARN, __VA_ARGS__)
#define log_info(...)  heft_log(HEFT_LOG_INFO, __VA_ARGS__)
#define log_debug(...) do { if (heft_log_enabled(HEFT_LOG_DEBUG)) heft_log(HEFT_LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
