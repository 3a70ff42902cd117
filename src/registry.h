/*
 * registry.h - finding the handler for a job type, and the shared states
 * the handlers' inits build from their settings.  The table itself is
 * jobs/registry.c, the one place a new job type is added.
 */
#ifndef HEFT_REGISTRY_H
#define HEFT_REGISTRY_H

#include <heft/job.h>

#include "config.h"

/* NULL-terminated; defined in jobs/registry.c. */
extern const struct heft_handler *const heft_builtin_handlers[];

const struct heft_handler *heft_handler_find(const char *type);
/* Whether jobs of type get their payload out of Redis once taken: the
 * config's seal_payload, else the handler's HEFT_HANDLER_SEAL_PAYLOAD. */
int heft_type_sealed(const struct heft_config *cfg, const char *type);

/* The states of the built-in handlers, in table order (an opaque array). */
struct heft_states;

/* Run every handler's init with its type's settings (an empty object when
 * the config has none).  Returns the states, or NULL with err filled
 * ("FILE:LINE: jobs.types.TYPE.KEY: msg", or "out of memory"); the inits
 * that did succeed are undone first. */
struct heft_states *heft_handlers_init(const struct heft_config *cfg,
                                       struct heft_config_error *err);
/* The state of h (which must be in the table); NULL when it has none. */
const void *heft_handler_state(const struct heft_states *s, const struct heft_handler *h);
/* Run every fini, in reverse order; NULL is fine. */
void heft_handlers_fini(struct heft_states *s);

#endif
