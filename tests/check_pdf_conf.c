/*
 * check_pdf_conf.c - pdf.render's settings (jobs.types.pdf.render in
 * heft.yaml): what its init accepts and refuses, and what each setting
 * does to the documents it renders.  Settings and payloads are written as
 * JSON with ' for " (see pdf_harness.h); the PDFs are read with poppler.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../jobs/pdf/pdf.h"
#include "pdf_harness.h"

/* ---- helpers ------------------------------------------------------------- */

/* A fresh temporary directory (malloc'd); remove it with rm_rf(). */
static char *temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char buf[200];
    char *dir;

    snprintf(buf, sizeof buf, "%s/check_pdf_conf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp %s", buf);
    dir = strdup(buf);
    ck_assert_ptr_nonnull(dir);
    return dir;
}

static void rm_rf(char *dir)
{
    char cmd[1024];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

/* text with every @DIR replaced by dir (malloc'd). */
static char *settings_in(const char *text, const char *dir)
{
    size_t n = strlen(text) + 8 * strlen(dir) + 1;
    char *s = calloc(1, n);
    const char *at;

    ck_assert_ptr_nonnull(s);
    while ((at = strstr(text, "@DIR"))) {
        strncat(s, text, (size_t)(at - text));
        strcat(s, dir);
        text = at + 4;
    }
    strcat(s, text);
    return s;
}

/* The names in dir, sorted, joined by spaces (malloc'd). */
static char *list_dir(const char *dir)
{
    struct dirent **ents;
    char *out = calloc(1, 4096);
    int n, i;

    ck_assert_ptr_nonnull(out);
    n = scandir(dir, &ents, NULL, alphasort);
    ck_assert_msg(n >= 0, "cannot list %s", dir);
    for (i = 0; i < n; i++) {
        if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, ".."))
            snprintf(out + strlen(out), 4096 - strlen(out), "%s%s", *out ? " " : "",
                     ents[i]->d_name);
        free(ents[i]);
    }
    free(ents);
    return out;
}

/* Run a job with this id and these settings; the job, run (rc in *rc). */
static struct heft_job *run_as(const char *id, const char *payload, const char *settings,
                               int *rc)
{
    struct heft_job *job = job_new(payload_of(payload), NULL);
    void *state = pdf_settings(settings);

    free(job->id);
    job->id = strdup(id);
    ck_assert_ptr_nonnull(job->id);
    job->state = state;
    *rc = run(job);
    job->state = NULL;
    pdf_settings_free(state);
    return job;
}

/* pdftotext of a PDF file (malloc'd); the file must pass qpdf --check. */
static char *file_text(const char *path)
{
    char cmd[1200];
    char *out;
    int st;

    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", path);
    ck_assert_msg(system(cmd) == 0, "qpdf --check fails on %s", path);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", path);
    out = capture(cmd, &st);
    ck_assert_int_eq(st, 0);
    return out;
}

static const char *result_file(const struct heft_job *job)
{
    const char *f = json_string_value(json_object_get(job->result, "file"));

    ck_assert_msg(f != NULL, "the result has no \"file\"");
    return f;
}

/* ---- init ---------------------------------------------------------------- */

START_TEST(test_no_settings_render_as_before)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok_with(payload_of("{'content': ['Hello settings']}"), "{}");
    assert_page_has(p, 1, "Hello settings");
    pdf_free(p);
}
END_TEST

START_TEST(test_unknown_key_is_refused_naming_it)
{
    struct heft_init_error err = pdf_settings_fail("{'colour': 'red'}");

    ck_assert_str_eq(err.key, "colour");
    ck_assert_msg(strstr(err.msg, "unknown key") != NULL, "%s", err.msg);
}
END_TEST

/* ---- output: blob, file or both ------------------------------------------ */

START_TEST(test_output_file_writes_job_id_pdf_atomically_and_sets_no_blob)
{
    char *dir = temp_dir(), *settings = settings_in("{'output': 'file', 'output_dir': '@DIR'}", dir);
    char want[1024], *text, *names;
    struct heft_job *job;
    int rc;

    NEED_PDF_TOOLS();
    job = run_as("invoice-42", "{'content': ['Filed away']}", settings, &rc);
    ck_assert_msg(rc == HEFT_OK, "%s: %s", job->code, heft_buf_str(&job->message));
    snprintf(want, sizeof want, "%s/invoice-42.pdf", dir);
    ck_assert_str_eq(result_file(job), want);
    ck_assert_uint_eq(job->blob.len, 0);
    ck_assert_int_eq(json_integer_value(json_object_get(job->result, "pages")), 1);
    text = file_text(want);
    assert_has_text(text, "Filed away");
    /* No temporary file is left beside it. */
    names = list_dir(dir);
    ck_assert_str_eq(names, "invoice-42.pdf");
    free(names);
    free(text);
    heft_job_destroy(job);
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_output_both_writes_the_file_and_keeps_the_same_pdf_as_blob)
{
    char *dir = temp_dir(), *settings = settings_in("{'output': 'both', 'output_dir': '@DIR'}", dir);
    struct heft_job *job;
    struct stat st;
    int rc;

    job = run_as("both-1", "{'content': ['Twice']}", settings, &rc);
    ck_assert_int_eq(rc, HEFT_OK);
    ck_assert_int_eq(stat(result_file(job), &st), 0);
    ck_assert_uint_gt(job->blob.len, 0);
    ck_assert_uint_eq((size_t)st.st_size, job->blob.len);
    ck_assert_int_eq(st.st_mode & 0777, 0640);
    heft_job_destroy(job);
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_output_blob_is_the_default_and_writes_no_file)
{
    char *dir = temp_dir(), *settings = settings_in("{'output_dir': '@DIR'}", dir), *names;
    struct heft_job *job;
    int rc;

    job = run_as("blob-1", "{'content': ['Blob only']}", settings, &rc);
    ck_assert_int_eq(rc, HEFT_OK);
    ck_assert_uint_gt(job->blob.len, 0);
    ck_assert_ptr_null(json_object_get(job->result, "file"));
    names = list_dir(dir);
    ck_assert_str_eq(names, "");
    free(names);
    heft_job_destroy(job);
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_job_ids_that_could_leave_the_directory_are_hex_encoded)
{
    char name[PDF_OUTPUT_NAME_MAX], long_id[129];

    pdf_output_name("inv-2024.01_A", name);
    ck_assert_str_eq(name, "inv-2024.01_A.pdf");
    pdf_output_name("../etc/passwd", name);
    ck_assert_str_eq(name, "%2e2e2f6574632f706173737764.pdf");
    pdf_output_name(".hidden", name);
    ck_assert_str_eq(name, "%2e68696464656e.pdf");
    pdf_output_name("a b", name);
    ck_assert_str_eq(name, "%612062.pdf");
    /* 128 bytes that need encoding would make a name over 255 bytes. */
    memset(long_id, '/', 128);
    long_id[128] = '\0';
    pdf_output_name(long_id, name);
    ck_assert_int_eq(strncmp(name, "%sha256-", 8), 0);
    ck_assert_uint_eq(strlen(name), 8 + 64 + 4);
}
END_TEST

START_TEST(test_job_id_with_slashes_is_written_inside_output_dir)
{
    char *dir = temp_dir(), *settings = settings_in("{'output': 'file', 'output_dir': '@DIR'}", dir);
    char *names;
    struct heft_job *job;
    int rc;

    job = run_as("../x", "{'content': ['Escape?']}", settings, &rc);
    ck_assert_int_eq(rc, HEFT_OK);
    names = list_dir(dir);
    ck_assert_str_eq(names, "%2e2e2f78.pdf");
    free(names);
    heft_job_destroy(job);
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_write_error_is_a_retryable_output_error)
{
    char *dir = temp_dir(), *settings = settings_in("{'output': 'file', 'output_dir': '@DIR'}", dir);
    struct heft_job *job = job_new(payload_of("{'content': ['Lost']}"), NULL);
    void *state = pdf_settings(settings);

    /* The directory goes away after heftd started. */
    ck_assert_int_eq(rmdir(dir), 0);
    job->state = state;
    ck_assert_int_eq(run(job), HEFT_ERR);
    ck_assert_str_eq(job->code, "output_error");
    ck_assert_int_eq(job->retryable, 1);
    assert_message_has(job, dir);
    pdf_settings_free(state);
    heft_job_destroy(job);
    free(settings);
    free(dir);
}
END_TEST

START_TEST(test_output_settings_are_checked_at_init)
{
    struct heft_init_error e;

    e = pdf_settings_fail("{'output': 'file'}");
    ck_assert_str_eq(e.key, "output");
    ck_assert_str_eq(e.msg, "file needs output_dir");
    e = pdf_settings_fail("{'output': 'pdf', 'output_dir': '/tmp'}");
    ck_assert_str_eq(e.key, "output");
    ck_assert_str_eq(e.msg, "must be blob, file or both");
    e = pdf_settings_fail("{'output_dir': '/nonexistent/heft'}");
    ck_assert_str_eq(e.key, "output_dir");
    ck_assert_str_eq(e.msg, "/nonexistent/heft: No such file or directory");
    e = pdf_settings_fail("{'output_dir': 'relative/dir'}");
    ck_assert_str_eq(e.msg, "must be an absolute path, got \"relative/dir\"");
    e = pdf_settings_fail("{'output_dir': '/etc/hostname'}");
    ck_assert_str_eq(e.msg, "/etc/hostname is not a directory");
    /* Exists but takes no files (even for root). */
    e = pdf_settings_fail("{'output_dir': '/proc'}");
    ck_assert_str_eq(e.key, "output_dir");
    ck_assert_msg(strstr(e.msg, "cannot create files in /proc: "), "%s", e.msg);
    e = pdf_settings_fail("{'output_dir': 12}");
    ck_assert_str_eq(e.msg, "must be the path of a directory");
}
END_TEST

/* ---- the size limit --------------------------------------------------------- */

START_TEST(test_definition_over_max_definition_bytes_is_limit_exceeded)
{
    struct heft_type_conf t = { .name = "pdf.render", .nlimits = 1,
                                .limits = { { "max_definition_bytes", 100 } } };
    struct heft_job *job;
    struct pdf *p;

    job = render_fails_conf(paragraphs(3), &t, "limit_exceeded");
    assert_message_has(job, "more than the max_definition_bytes limit (100)");
    heft_job_destroy(job);
    NEED_PDF_TOOLS();
    t.limits[0].value = 1000;
    p = render_ok_conf(paragraphs(3), &t);
    pdf_free(p);
}
END_TEST

static Suite *pdf_conf_suite(void)
{
    Suite *s = suite_create("pdf_conf");
    TCase *init = tcase("init"), *output = tcase("output"), *limits = tcase("limits");

    tcase_add_test(init, test_no_settings_render_as_before);
    tcase_add_test(init, test_unknown_key_is_refused_naming_it);
    tcase_add_test(output, test_output_file_writes_job_id_pdf_atomically_and_sets_no_blob);
    tcase_add_test(output, test_output_both_writes_the_file_and_keeps_the_same_pdf_as_blob);
    tcase_add_test(output, test_output_blob_is_the_default_and_writes_no_file);
    tcase_add_test(output, test_job_ids_that_could_leave_the_directory_are_hex_encoded);
    tcase_add_test(output, test_job_id_with_slashes_is_written_inside_output_dir);
    tcase_add_test(output, test_write_error_is_a_retryable_output_error);
    tcase_add_test(output, test_output_settings_are_checked_at_init);
    tcase_add_test(limits, test_definition_over_max_definition_bytes_is_limit_exceeded);
    suite_add_tcase(s, init);
    suite_add_tcase(s, output);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pdf_conf_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
