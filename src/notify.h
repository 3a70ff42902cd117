/*
 * notify.h - telling systemd how heftd is doing, through its notify
 * protocol (sd_notify(3)): READY once heftd serves, STATUS lines,
 * WATCHDOG pings, STOPPING and the time a drain may take.
 *
 * Every function does nothing when heftd was built without libsystemd or
 * runs without NOTIFY_SOCKET (not started by systemd as Type=notify).
 * Only the main thread calls them.
 */
#ifndef HEFT_NOTIFY_H
#define HEFT_NOTIFY_H

/* Send one notification: "KEY=value" lines, printf-style. */
void heft_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval systemd asked for (WatchdogSec=), in ms; 0 when
 * there is none.  heftd pings at half of it. */
long long heft_notify_watchdog_ms(void);

#endif
