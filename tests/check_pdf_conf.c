/*
 * check_pdf_conf.c - pdf.render's settings (jobs.types.pdf.render in
 * heft.yaml): what its init accepts and refuses, and what each setting
 * does to the documents it renders.  Settings and payloads are written as
 * JSON with ' for " (see pdf_harness.h); the PDFs are read with poppler.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pdf_harness.h"

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

static Suite *pdf_conf_suite(void)
{
    Suite *s = suite_create("pdf_conf");
    TCase *init = tcase("init");

    tcase_add_test(init, test_no_settings_render_as_before);
    tcase_add_test(init, test_unknown_key_is_refused_naming_it);
    suite_add_tcase(s, init);
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
