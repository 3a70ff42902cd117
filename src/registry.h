/*
 * registry.h - finding the handler for a job type.  The table itself is
 * jobs/registry.c, the one place a new job type is added.
 */
#ifndef HEFT_REGISTRY_H
#define HEFT_REGISTRY_H

#include <heft/job.h>

/* NULL-terminated; defined in jobs/registry.c. */
extern const struct heft_handler *const heft_builtin_handlers[];

const struct heft_handler *heft_handler_find(const char *type);

#endif
