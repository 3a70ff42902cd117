/*
 * clock.h - the few time calculations heft needs, in one place.
 * Deadlines and durations use CLOCK_MONOTONIC (immune to clock changes);
 * only timestamps stored in Redis use the wall clock.
 */
#ifndef HEFT_CLOCK_H
#define HEFT_CLOCK_H

#include <pthread.h>
#include <time.h>

/* CLOCK_MONOTONIC now + ms (ms < 0 counts as 0). */
static inline struct timespec heft_deadline_after(long long ms)
{
    struct timespec ts;

    if (ms < 0)
        ms = 0;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Milliseconds from now until t (CLOCK_MONOTONIC); negative once past. */
static inline long long heft_ms_until(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

/* A condition variable whose timed waits use CLOCK_MONOTONIC deadlines
 * (heft_deadline_after), so a clock change cannot stretch a wait. */
static inline int heft_cond_init(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    int rc;

    if ((rc = pthread_condattr_init(&ca)) != 0)
        return rc;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

/* CLOCK_MONOTONIC in ms: for intervals within this process. */
static inline long long heft_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wall clock, ms since the epoch. */
static inline long long heft_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
