/*
 * jobs/pdf.c - the "pdf.render" job: a pdfmake document definition (JSON)
 * in, a PDF out (the job's blob) with {"pages", "bytes", "sha256"} as its
 * result.
 *
 * This file is only the handler: read limits, parse (jobs/pdf/doc.c),
 * render (jobs/pdf/render.c), digest and report.  Every failure is a
 * property of the input or of this renderer, so none is retryable; see
 * docs/pdf.md for the supported subset.
 */
#include <heft/job.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf.h"

/* No settings: what a job sees when the type has no state (tests that
 * run the handler without its init). */
static const struct pdf_shared no_settings;

static const struct pdf_shared *shared_of(const heft_job *job)
{
    const struct pdf_shared *sh = heft_job_state(job);

    return sh ? sh : &no_settings;
}

/* The PDF as a file (output file or both): written first, so a failed
 * write fails the job before anything else is recorded. */
static int store_file(heft_job *job, const struct pdf_shared *sh, const unsigned char *pdf,
                      size_t len, json_t *result)
{
    struct pdf_err err = { "", "" };
    char *path = NULL;
    int rc;

    if (pdf_output_write(sh, heft_job_id(job), pdf, len, &path, &err) < 0)
        return heft_job_fail(job, "output_error", 1, "%s", err.msg);
    rc = json_object_set_new(result, "file", json_string(path));
    free(path);
    return rc == 0 ? HEFT_OK : heft_job_fail(job, "no_memory", 1, "cannot build the result");
}

static int report(heft_job *job, const unsigned char *pdf, size_t len, int pages,
                  json_t *warnings)
{
    const struct pdf_shared *sh = shared_of(job);
    char hex[65];
    json_t *result;

    if (pdf_sha256_hex(pdf, len, hex) != 0)
        return heft_job_fail(job, "render_error", 0, "cannot compute the sha256 of the PDF");
    result = json_pack("{s:i, s:I, s:s}", "pages", pages, "bytes", (json_int_t)len,
                       "sha256", hex);
    if (!result || (warnings && json_object_set(result, "warnings", warnings) != 0)) {
        json_decref(result);
        return heft_job_fail(job, "no_memory", 1, "cannot build the result");
    }
    if (sh->output != PDF_OUT_BLOB && store_file(job, sh, pdf, len, result) != HEFT_OK) {
        json_decref(result);
        return HEFT_ERR;
    }
    if (sh->output != PDF_OUT_FILE && heft_job_set_blob(job, pdf, len) != HEFT_OK) {
        json_decref(result);
        return heft_job_fail(job, "no_memory", 1, "cannot store the PDF");
    }
    return heft_job_set_result(job, result);
}

static int add_bytes(const char *buffer, size_t size, void *data)
{
    size_t *n = data;

    (void)buffer;
    *n += size;
    return 0;
}

/* The docdef as compact JSON may not exceed max_definition_bytes: counted
 * without building the text. */
static int check_size(const json_t *def, long long max, struct pdf_err *err)
{
    size_t n = 0;

    json_dump_callback(def, add_bytes, &n, JSON_COMPACT | JSON_ENCODE_ANY);
    if ((long long)n > max)
        return pdf_fail(err, "limit_exceeded", "the document definition is %zu bytes, more "
                        "than the max_definition_bytes limit (%lld)", n, max);
    return 0;
}

/* The document definition: the payload itself, or the template it names
 * expanded with its data (*owned then holds it); within its size limit. */
static int definition(heft_job *job, json_t **owned, const json_t **def, struct pdf_err *err)
{
    long long max = heft_job_limit(job, "max_definition_bytes", 4194304);
    const json_t *images;

    *owned = NULL;
    *def = heft_job_payload(job);
    if (json_is_object(*def) && json_object_get(*def, "template")) {
        if (pdf_template_expand(shared_of(job), *def, max, owned, err) != 0)
            return -1;
        *def = *owned;
    }
    /* a payload's own size is known: counting it again costs ~5% of a render */
    if ((*owned || !heft_job_payload_size(job) || heft_job_payload_size(job) > (size_t)max) &&
        check_size(*def, max, err) != 0)
        return -1;
    images = json_is_object(*def) ? json_object_get(*def, "images") : NULL;
    return images ? pdf_images_check(images, err) : 0;
}

/* Parse the docdef (images are decoded here, within their limits). */
static int parse(heft_job *job, const json_t *def, struct pdf_doc *doc, struct pdf_err *err)
{
    struct pdf_image_limits lim = {
        heft_job_limit(job, "max_image_bytes", 10485760),
        heft_job_limit(job, "max_image_pixels", 25000000),
        shared_of(job)->image_dirs, shared_of(job)->nimage_dirs, json_object_get(def, "images"),
    };
    const struct pdf_fontset *fonts = pdf_fontset_for_job(job, err);

    return fonts ? pdf_doc_parse(doc, def, heft_job_limit(job, "max_depth", 64),
                                 heft_job_limit(job, "max_table_cells", 100000), &lim, fonts,
                                 err) : -1;
}

static int pdf_render_run(heft_job *job)
{
    struct pdf_err err = { "", "" };
    const json_t *def = NULL;
    json_t *expanded = NULL;
    struct pdf_doc doc;
    unsigned char *pdf = NULL;
    size_t len = 0;
    int pages = 0, rc;

    memset(&doc, 0, sizeof doc);
    rc = definition(job, &expanded, &def, &err);
    if (rc == 0)
        rc = parse(job, def, &doc, &err);
    if (rc == 0)
        rc = pdf_render(&doc, job, heft_job_limit(job, "max_pages", 1000), &pdf, &len,
                        &pages, &err);
    if (rc == 0)
        rc = report(job, pdf, len, pages, doc.warnings);
    else if (rc == -2)      /* cancelled: the daemon reports "timeout" */
        rc = HEFT_ERR;
    else
        rc = heft_job_fail(job, err.code[0] ? err.code : "render_error", 0, "%s",
                           err.code[0] ? err.msg : "rendering failed");
    free(pdf);
    pdf_doc_free(&doc);
    json_decref(expanded);
    return rc;
}

/* The settings become the state every job of the type shares (read only). */
static int pdf_render_init(const json_t *settings, void **state, struct heft_init_error *err)
{
    struct pdf_shared *sh = pdf_shared_new(settings, err);

    if (!sh)
        return HEFT_ERR;
    *state = sh;
    return HEFT_OK;
}

static void pdf_render_fini(void *state)
{
    pdf_shared_free(state);
}

const struct heft_handler heft_pdf_render_handler = {
    .type = "pdf.render",
    .run = pdf_render_run,
    .summary = "renders a pdfmake document definition (JSON) to PDF",
    .init = pdf_render_init,
    .fini = pdf_render_fini,
};
