/*
 * jobs/pdf/settings.c - pdf.render's settings (the keys of
 * jobs.types.pdf.render in heft.yaml beyond the generic ones) and the
 * struct pdf_shared that init builds from them.
 *
 * One table maps each key to the function that parses it; every subsystem
 * parses its own keys in its own function, so the only thing this file
 * knows about them is their names.  A key not in the table is refused, as
 * the config parser cannot know which keys a handler takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf.h"

struct setting {
    const char *key;
    pdf_setting_fn parse;
};

static const struct setting settings[] = {
    { "image_dirs", pdf_image_dirs_setting },
    { "output", pdf_output_setting },
    { "output_dir", pdf_output_setting },
    { "templates_dir", pdf_templates_setting },
    { "fonts", pdf_fonts_settings },
    { "default_font", pdf_fonts_settings },
    { NULL, NULL },
};

/* "unknown key; pdf.render takes a, b or c". */
static int unknown_key(const char *key, struct heft_init_error *err)
{
    char known[256] = "";
    size_t i, len = 0;

    for (i = 0; settings[i].key && len < sizeof known; i++)
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i == 0 ? ""
                                : settings[i + 1].key ? ", " : " or ", settings[i].key);
    if (i == 0)
        return heft_init_fail(err, key, "unknown key; pdf.render takes no settings");
    return heft_init_fail(err, key, "unknown key; pdf.render takes %s", known);
}

static int parse_key(struct pdf_shared *sh, const char *key, const json_t *value,
                     struct heft_init_error *err)
{
    size_t i;

    for (i = 0; settings[i].key; i++)
        if (!strcmp(settings[i].key, key))
            return settings[i].parse(sh, key, value, err);
    return unknown_key(key, err);
}

/* Rules between keys, once all are read.  HOOK: other subsystems add
 * their checks here (helper "fonts": default_font names a family). */
static int check_all(struct pdf_shared *sh, struct heft_init_error *err)
{
    if (pdf_fonts_check(sh, err) < 0)
        return -1;
    return pdf_output_check(sh, err);
}

struct pdf_shared *pdf_shared_new(const json_t *settings_obj, struct heft_init_error *err)
{
    struct pdf_shared *sh = calloc(1, sizeof *sh);
    const char *key;
    json_t *value;

    if (!sh) {
        heft_init_fail(err, "", "out of memory");
        return NULL;
    }
    if (!json_is_object(settings_obj)) {
        heft_init_fail(err, "", "the settings must be a mapping");
        goto fail;
    }
    json_object_foreach((json_t *)settings_obj, key, value)
        if (parse_key(sh, key, value, err) < 0)
            goto fail;
    if (check_all(sh, err) < 0)
        goto fail;
    return sh;
fail:
    pdf_shared_free(sh);
    return NULL;
}

void pdf_shared_free(struct pdf_shared *sh)
{
    if (!sh)
        return;
    free(sh->output_dir);
    for (size_t i = 0; i < sh->nimage_dirs; i++)
        free(sh->image_dirs[i]);
    free(sh->image_dirs);
    pdf_templates_free(sh);
    pdf_fontset_free(sh->fonts);
    free(sh);
}
