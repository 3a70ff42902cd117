/*
 * notify.c - sd_notify(3) for heftd, or nothing (see notify.h).
 */
#include "autoconfig.h"

#include "notify.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"

void heft_notify(const char *fmt, ...)
{
#ifdef HAVE_LIBSYSTEMD
    char msg[512];
    va_list ap;
    int rc;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* 0 without NOTIFY_SOCKET; a failure is worth a line but never fatal */
    if ((rc = sd_notify(0, msg)) < 0)
        log_warn("sd_notify: %s", strerror(-rc));
#else
    (void)fmt;
#endif
}

long long heft_notify_watchdog_ms(void)
{
#ifdef HAVE_LIBSYSTEMD
    uint64_t usec = 0;

    if (sd_watchdog_enabled(0, &usec) > 0)
        return (long long)(usec / 1000);
#endif
    return 0;
}
