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
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/pdf.h"

/* sha256 of the PDF as 64 lowercase hex digits into hex[65]. */
static int sha256_hex(const unsigned char *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32)
        return -1;
    for (unsigned int i = 0; i < md_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static int report(heft_job *job, const unsigned char *pdf, size_t len, int pages)
{
    char hex[65];
    json_t *result;

    if (sha256_hex(pdf, len, hex) != 0)
        return heft_job_fail(job, "render_error", 0, "cannot compute the sha256 of the PDF");
    if (heft_job_set_blob(job, pdf, len) != HEFT_OK)
        return heft_job_fail(job, "no_memory", 1, "cannot store the PDF");
    result = json_pack("{s:i, s:I, s:s}", "pages", pages, "bytes", (json_int_t)len,
                       "sha256", hex);
    if (!result)
        return heft_job_fail(job, "no_memory", 1, "cannot build the result");
    return heft_job_set_result(job, result);
}

/* Parse the docdef (images are decoded here, within their limits); the
 * iconv handle only serves the U+FFFF check. */
static int parse(heft_job *job, struct pdf_doc *doc, struct pdf_err *err)
{
    iconv_t to_utf32 = iconv_open("UTF-32LE", "UTF-8");
    struct pdf_image_limits lim = {
        heft_job_limit(job, "max_image_bytes", 10485760),
        heft_job_limit(job, "max_image_pixels", 25000000),
    };
    int rc;

    if (to_utf32 == (iconv_t)-1)
        return pdf_fail(err, "render_error", "iconv cannot convert UTF-8 to UTF-32LE");
    rc = pdf_doc_parse(doc, heft_job_payload(job), heft_job_limit(job, "max_depth", 64),
                       &lim, to_utf32, err);
    iconv_close(to_utf32);
    return rc;
}

static int pdf_render_run(heft_job *job)
{
    struct pdf_err err = { "", "" };
    struct pdf_doc doc;
    unsigned char *pdf = NULL;
    size_t len = 0;
    int pages = 0, rc;

    memset(&doc, 0, sizeof doc);
    rc = parse(job, &doc, &err);
    if (rc == 0)
        rc = pdf_render(&doc, job, heft_job_limit(job, "max_pages", 1000), &pdf, &len,
                        &pages, &err);
    if (rc == 0)
        rc = report(job, pdf, len, pages);
    else if (rc == -2)      /* cancelled: the daemon reports "timeout" */
        rc = HEFT_ERR;
    else
        rc = heft_job_fail(job, err.code[0] ? err.code : "render_error", 0, "%s",
                           err.code[0] ? err.msg : "rendering failed");
    free(pdf);
    pdf_doc_free(&doc);
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
