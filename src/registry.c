/*
 * registry.c - handler lookup.  A linear scan: there are a handful of job
 * types and the lookup is a few string compares per job.
 */
#include "registry.h"

#include <string.h>

const struct heft_handler *heft_handler_find(const char *type)
{
    const struct heft_handler *const *h;

    for (h = heft_builtin_handlers; *h; h++)
        if (strcmp((*h)->type, type) == 0)
            return *h;
    return NULL;
}
