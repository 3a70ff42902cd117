/*
 * registry.c - handler lookup and the handlers' shared states.  Lookup is
 * a linear scan: there are a handful of job types and the lookup is a few
 * string compares per job.
 */
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct heft_states {
    size_t n;
    void *state[];      /* one per entry of heft_builtin_handlers */
};

const struct heft_handler *heft_handler_find(const char *type)
{
    const struct heft_handler *const *h;

    for (h = heft_builtin_handlers; *h; h++)
        if (strcmp((*h)->type, type) == 0)
            return *h;
    return NULL;
}

int heft_type_sealed(const struct heft_config *cfg, const char *type)
{
    const struct heft_type_conf *t = heft_config_type(cfg, type);
    const struct heft_handler *h;

    if (t && t->seal_payload >= 0)
        return t->seal_payload;
    h = heft_handler_find(type);
    return h && (h->flags & HEFT_HANDLER_SEAL_PAYLOAD);
}

static size_t handler_count(void)
{
    size_t n = 0;

    while (heft_builtin_handlers[n])
        n++;
    return n;
}

/* Undo the first n inits, last first. */
static void fini_first(struct heft_states *s, size_t n)
{
    while (n--)
        if (heft_builtin_handlers[n]->fini)
            heft_builtin_handlers[n]->fini(s->state[n]);
}

static int init_one(const struct heft_handler *h, const struct heft_config *cfg, void **state,
                    struct heft_config_error *err)
{
    const struct heft_type_conf *t = heft_config_type(cfg, h->type);
    struct heft_init_error ierr;
    json_t *empty = NULL;
    int rc;

    if (!h->init && t && json_object_size(t->settings)) {
        const char *key = json_object_iter_key(json_object_iter(t->settings));

        heft_config_settings_error(cfg, h->type, key, "unknown key; the type takes no settings",
                                   err);
        return -1;
    }
    if (!h->init)
        return 0;
    if (!t && !(empty = json_object())) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return -1;
    }
    memset(&ierr, 0, sizeof ierr);
    rc = h->init(t ? t->settings : empty, state, &ierr);
    json_decref(empty);
    if (rc == HEFT_OK)
        return 0;
    ierr.key[sizeof ierr.key - 1] = '\0';
    ierr.msg[sizeof ierr.msg - 1] = '\0';
    heft_config_settings_error(cfg, h->type, ierr.key, ierr.msg[0] ? ierr.msg : "refused",
                               err);
    return -1;
}

struct heft_states *heft_handlers_init(const struct heft_config *cfg,
                                       struct heft_config_error *err)
{
    size_t n = handler_count(), i;
    struct heft_states *s = calloc(1, sizeof *s + n * sizeof s->state[0]);

    if (!s) {
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return NULL;
    }
    s->n = n;
    for (i = 0; i < n; i++) {
        if (init_one(heft_builtin_handlers[i], cfg, &s->state[i], err) < 0) {
            fini_first(s, i);
            free(s);
            return NULL;
        }
    }
    return s;
}

const void *heft_handler_state(const struct heft_states *s, const struct heft_handler *h)
{
    size_t i;

    for (i = 0; s && i < s->n; i++)
        if (heft_builtin_handlers[i] == h)
            return s->state[i];
    return NULL;
}

void heft_handlers_fini(struct heft_states *s)
{
    if (!s)
        return;
    fini_first(s, s->n);
    free(s);
}
