/*
 * envelope.h - checking what a client put on the queue before any handler
 * sees it: the type is known, the payload is JSON within the size limit,
 * the options have the right types and ranges.
 *
 * A job that fails here ends "failed" (never retried: the same input
 * would fail again) with one of these codes:
 *   unknown_type       no handler is registered for the type
 *   missing_type       the type is empty
 *   payload_too_large  the payload exceeds the type's or global limit
 *   bad_json           the payload is not valid JSON
 *   bad_option         an option is unknown, of the wrong type or out of range
 */
#ifndef HEFT_ENVELOPE_H
#define HEFT_ENVELOPE_H

#include <stdint.h>

#include "config.h"
#include "job.h"

/* Parse an options object (text, may be empty) over the defaults of the
 * config and of the job's type (job->tconf, may be NULL).
 * Returns 0, or -1 with code "bad_option" and a message set on job. */
int heft_opts_parse(struct heft_job *job, const char *text, size_t len,
                    const struct heft_config *cfg, struct heft_opts *out);

/* Check job's type, payload and options and fill job->payload, ->opts,
 * ->handler and ->tconf.  Returns 0, or -1 with the job's error set. */
int heft_envelope_check(struct heft_job *job, const struct heft_config *cfg);

/* The delay before retry number `attempt` (1 = first retry), in ms.
 * Exponential doubles from backoff_ms up to max_backoff_ms with "equal
 * jitter": half the delay is fixed, the other half is spread by rnd, so a
 * thundering herd of retries spreads out but never comes back early. */
long long heft_backoff_ms(const struct heft_opts *o, int attempt, uint32_t rnd);

#endif
