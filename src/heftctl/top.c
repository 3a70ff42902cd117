/*
 * top.c - heftctl top: the queues and the workers, redrawn in place every
 * --interval ms on the terminal's alternate screen, with the jobs ended
 * per second since the last frame, until q (or Ctrl-C, or Escape).
 *
 * The terminal is in non-canonical mode without echo and without signals
 * (Ctrl-C is read as a key), so every way out restores it.  Plain ANSI
 * escapes, which every terminal heftctl meets understands; no curses.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ctl.h"

#define ALT_SCREEN_ON "\033[?1049h\033[?25l"     /* and hide the cursor */
#define ALT_SCREEN_OFF "\033[?25h\033[?1049l"
#define HOME_CLEAR "\033[H\033[2J"

enum { OPT_INTERVAL = 256 };

static const struct option top_options[] = {
    { "interval", required_argument, NULL, OPT_INTERVAL },
    { NULL, 0, NULL, 0 },
};

struct top {
    long long interval_ms;
    long long last_ended;     /* -1 before the first frame */
    long long last_ms;
};

static int top_opt(void *state, int opt, const char *arg)
{
    struct top *t = state;

    if (opt == OPT_INTERVAL && ctl_parse_ll(arg, 100, 3600000, &t->interval_ms) == 0)
        return 0;
    ctl_usage("top", "--interval: expected milliseconds from 100 to 3600000, got \"%s\"", arg);
    return -1;
}

static void frame(struct ctl *c, struct top *t)
{
    char where[256], when[32];
    long long ended = 0, now = heft_mono_ms();
    time_t wall = time(NULL);
    struct tm tm;

    strftime(when, sizeof when, "%H:%M:%S", localtime_r(&wall, &tm));
    printf(HOME_CLEAR "heftctl top  %s  %s  every %lld ms  (q: quit)\n\n",
           ctl_where(c, where, sizeof where), when, t->interval_ms);
    if (ctl_show_queues(c, &ended) != CTL_OK) {
        printf("\n(Redis unreachable; trying again)\n");
        fflush(stdout);
        return;
    }
    if (t->last_ended >= 0 && now > t->last_ms)
        printf("\njobs ended: %.1f/s\n", (double)(ended - t->last_ended) * 1000.0 / (double)(now - t->last_ms));
    else
        printf("\njobs ended: -\n");
    t->last_ended = ended;
    t->last_ms = now;
    printf("\n");
    ctl_show_workers(c);
    fflush(stdout);
}

/* Wait up to ms for a key: 1 to quit, 0 otherwise. */
static int wants_out(long long ms)
{
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    char key;

    if (poll(&p, 1, (int)ms) <= 0)
        return 0;
    if (read(STDIN_FILENO, &key, 1) != 1)
        return 1;               /* the terminal went away */
    return key == 'q' || key == 'Q' || key == 3 || key == 27;
}

int cmd_top(struct ctl *c, int argc, char **argv)
{
    struct top t = { 1000, -1, 0 };
    struct ctl_flags f = { top_options, "", top_opt, &t };
    struct termios saved, raw;
    int rc;

    if (ctl_args(c, argc, argv, &f, 0, 0, &rc) < 0)
        return rc;
    if (c->json)
        return ctl_usage("top", "no --json: use queues --json and workers --json");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
        return ctl_usage("top", "needs a terminal (use queues and workers in scripts)");
    if ((rc = ctl_connect(c)) != CTL_OK)
        return rc;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
    printf(ALT_SCREEN_ON);
    do
        frame(c, &t);
    while (!wants_out(t.interval_ms));
    printf(ALT_SCREEN_OFF);
    fflush(stdout);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    return CTL_OK;
}
