/*
 * jobredis.h - heft_jobredis, the Redis access a worker thread lends to
 * the handlers it runs (the heft_job_redis_* functions of <heft/job.h>).
 *
 * Each worker thread owns one, kept in thread-specific data under the
 * daemon's key: created with the thread's first job, its link connected
 * on first use, reused across jobs, destroyed by the key's destructor
 * when the thread exits.  The job borrows it (job->redis) while its
 * handler runs.  Never shared between threads (a hiredis context is not
 * thread-safe).
 */
#ifndef HEFT_JOBREDIS_H
#define HEFT_JOBREDIS_H

#include <pthread.h>

#include "config.h"

struct heft_jobredis;

/* Unconnected; NULL on ENOMEM. */
struct heft_jobredis *heft_jobredis_create(const struct heft_config *cfg);
void heft_jobredis_destroy(struct heft_jobredis *r);

/* For pthread_key_create(): destroys a thread's heft_jobredis. */
void heft_jobredis_key_destructor(void *r);
/* The calling thread's heft_jobredis under key, created on first call
 * (NULL on ENOMEM: the handler's calls then fail as unavailable). */
struct heft_jobredis *heft_jobredis_of_thread(pthread_key_t key, const struct heft_config *cfg);

#endif
