/*
 * check_pdf_fonts.c - TrueType families registered in pdf.render's
 * settings ("fonts", "default_font"): which file draws a run, what the
 * init refuses, and what documents without settings keep doing.  Fonts in
 * the PDFs are read with pdffonts, text and positions with pdftotext
 * -bbox; settings and payloads are JSON written with ' for ".
 *
 * The families come from Debian's fonts-roboto-unhinted (scripts/
 * install-deps installs it); without it the tests that need it pass,
 * saying so.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdf_harness.h"

#define RDIR "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/"

/* Roboto as pdfmake's examples register it (bold is Medium). */
#define ROBOTO                                                              \
    "'Roboto': {'normal': '" RDIR "Roboto-Regular.ttf', "                  \
    "'bold': '" RDIR "Roboto-Medium.ttf', "                                \
    "'italics': '" RDIR "Roboto-Italic.ttf', "                             \
    "'bolditalics': '" RDIR "Roboto-MediumItalic.ttf'}"

/* First line of a test that needs the Roboto files and poppler. */
#define NEED_ROBOTO()                                                               \
    do {                                                                            \
        if (skip_without_tools(__func__))                                           \
            return;                                                                 \
        if (access(RDIR "Roboto-Regular.ttf", R_OK) != 0) {                         \
            printf("SKIP %s: fonts-roboto-unhinted is not installed\n", __func__);  \
            return;                                                                 \
        }                                                                           \
    } while (0)

static void assert_fonts_have(const struct pdf *p, const char *name)
{
    ck_assert_msg(strstr(p->fonts, name) != NULL, "%s is not in the PDF:\n%s", name, p->fonts);
}

static void assert_fonts_lack(const struct pdf *p, const char *name)
{
    ck_assert_msg(strstr(p->fonts, name) == NULL, "%s is in the PDF:\n%s", name, p->fonts);
}

/* pdf.render's init refuses the settings at key, saying something with
 * needle in it. */
static void assert_init_fails(const char *settings, const char *key, const char *needle)
{
    struct heft_init_error e = pdf_settings_fail(settings);

    ck_assert_str_eq(e.key, key);
    ck_assert_msg(strstr(e.msg, needle) != NULL, "\"%s\" is not in \"%s\"", needle, e.msg);
}

/* The document rendered with Roboto registered (and, with as_default,
 * as default_font). */
static struct pdf *with_roboto(const char *payload, int as_default)
{
    return render_ok_with(payload_of(payload),
                          as_default ? "{'fonts': {" ROBOTO "}, 'default_font': 'Roboto'}"
                                     : "{'fonts': {" ROBOTO "}}");
}

/* ---- registered families ------------------------------------------------- */

START_TEST(test_a_registered_family_draws_each_style_from_its_own_file)
{
    struct pdf *p;

    NEED_ROBOTO();
    p = with_roboto("{'content': [{'font': 'Roboto', 'text': ["
                    "'plain ', {'text': 'heavy ', 'bold': true}, "
                    "{'text': 'slanted ', 'italics': true}, "
                    "{'text': 'both', 'bold': true, 'italics': true}]}]}", 0);
    assert_page_has(p, 1, "plain heavy slanted both");
    assert_fonts_have(p, "Roboto-Regular");
    assert_fonts_have(p, "Roboto-Medium ");
    assert_fonts_have(p, "Roboto-Italic");
    assert_fonts_have(p, "Roboto-MediumItalic");
    assert_fonts_lack(p, "DejaVu");
    pdf_free(p);
}
END_TEST

START_TEST(test_text_in_a_registered_family_is_measured_with_its_metrics)
{
    struct pdf *p;
    const struct word *w;

    NEED_ROBOTO();
    /* Right alignment puts the last word's end on the margin only when the
     * width layout measured is the width drawn. */
    p = with_roboto("{'pageMargins': 40, 'content': [{'font': 'Roboto', "
                    "'alignment': 'right', 'fontSize': 20, "
                    "'text': 'Wide WWWW mmmm iiii'}]}", 0);
    w = word(p, "iiii");
    assert_near(w->x1, A4_W - 40, 1);
    pdf_free(p);
}
END_TEST

START_TEST(test_styles_a_family_does_not_name_use_its_normal_file)
{
    struct pdf *p;

    NEED_ROBOTO();
    p = render_ok_with(payload_of("{'content': [{'font': 'Plain', 'text': ["
                                  "'one ', {'text': 'two ', 'bold': true}, "
                                  "{'text': 'three', 'italics': true}]}]}"),
                       "{'fonts': {'Plain': {'normal': '" RDIR "Roboto-Regular.ttf'}}}");
    assert_page_has(p, 1, "one two three");
    assert_fonts_have(p, "Roboto-Regular");
    assert_fonts_lack(p, "Roboto-Medium");
    assert_fonts_lack(p, "Roboto-Italic");
    assert_fonts_lack(p, "DejaVu");
    pdf_free(p);
}
END_TEST

START_TEST(test_default_font_is_what_text_without_a_font_uses)
{
    struct pdf *p;

    NEED_ROBOTO();
    p = with_roboto("{'content': ['default text', "
                    "{'text': 'in DejaVu', 'font': 'DejaVu Sans'}]}", 1);
    assert_page_has(p, 1, "default text");
    assert_fonts_have(p, "Roboto-Regular");
    assert_fonts_have(p, "DejaVuSans");
    pdf_free(p);
}
END_TEST

START_TEST(test_base14_text_outside_winansi_falls_back_to_the_default_font)
{
    struct pdf *p;

    NEED_ROBOTO();
    p = with_roboto("{'content': [{'font': 'Helvetica', "
                    "'text': 'plain \u03a9mega'}]}", 1);
    assert_page_has(p, 1, "plain \xce\xa9mega");
    assert_fonts_have(p, "Helvetica");
    assert_fonts_have(p, "Roboto-Regular");
    assert_fonts_lack(p, "DejaVu");
    pdf_free(p);
}
END_TEST

START_TEST(test_base14_names_keep_working_beside_registered_families)
{
    struct pdf *p;

    NEED_ROBOTO();
    p = with_roboto("{'content': [{'text': 'serif', 'font': 'Times'}, "
                    "{'text': 'mono', 'font': 'Courier', 'bold': true}, "
                    "{'text': 'sans', 'font': 'Roboto'}]}", 0);
    assert_fonts_have(p, "Times-Roman");
    assert_fonts_have(p, "Courier-Bold");
    assert_fonts_have(p, "Roboto-Regular");
    pdf_free(p);
}
END_TEST

START_TEST(test_roboto_is_dejavu_sans_unless_registered)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok_with(payload_of("{'content': [{'text': 'pdfmake default', "
                                  "'font': 'Roboto'}]}"), "{}");
    assert_fonts_have(p, "DejaVuSans");
    pdf_free(p);
}
END_TEST

START_TEST(test_a_font_no_family_has_fails_unknown_font_naming_it)
{
    struct heft_job *job;

    NEED_ROBOTO();
    job = render_fails_with(payload_of("{'content': ['ok', {'text': 'x', 'font': 'Lato'}]}"),
                            "{'fonts': {" ROBOTO "}}", "unknown_font");
    assert_message_has(job, "content[1].font");
    assert_message_has(job, "Lato");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_a_font_only_measured_is_not_embedded)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    /* The empty bold line is measured (its height) but draws nothing. */
    p = render_ok("{'content': ['text', {'text': '', 'bold': true}, 'more']}");
    assert_fonts_have(p, "DejaVuSans");
    assert_fonts_lack(p, "DejaVuSans-Bold");
    pdf_free(p);
}
END_TEST

/* The embedded font is cut down to the document's characters (subset.c):
 * a short document carries a few kilobytes of font, not DejaVu Sans's
 * 700, and every character still extracts. */
START_TEST(test_embedded_fonts_are_subset_to_the_documents_characters)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['Hello \u0142\u00df\u20ac \u0416\u03a9',"
                  " {'text': 'bold', 'bold': true}]}");
    ck_assert_msg(p->job->blob.len < 25000, "the PDF is %zu bytes", p->job->blob.len);
    assert_has_text(p->text, "Hello \u0142\u00df\u20ac \u0416\u03a9 bold");
    assert_fonts_have(p, "DejaVuSans-Bold");
    pdf_free(p);
}
END_TEST

/* Text that WinAnsi holds is drawn through a simple TrueType font (libharu
 * maps 256 codes for it, not 65,536); other text through a CID font with
 * UTF-8.  Both extract intact. */
START_TEST(test_western_text_uses_a_simple_font_and_other_text_a_cid_font)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['Plain caf\u00e9 text', '\u0416\u03a9 \u0142\u00f3d\u017a']}");
    ck_assert_msg(strstr(p->fonts, "TrueType          WinAnsi") != NULL,
                  "no simple TrueType font in WinAnsi:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "CID TrueType") != NULL, "no CID font:\n%s", p->fonts);
    assert_has_text(p->text, "Plain caf\u00e9 text \u0416\u03a9 \u0142\u00f3d\u017a");
    pdf_free(p);
}
END_TEST

/* ---- one fontset, many threads ------------------------------------------- */

#define NTHREADS 4

struct render_thread {
    pthread_t tid;
    const void *state;      /* shared by all the threads */
    int rc;
    char *pdf;              /* the job's blob (malloc'd) */
    size_t len;
};

static const char thread_doc[] =
    "{\"content\": [{\"text\": [\"plain \", {\"text\": \"bold \", \"bold\": true}, "
    "{\"text\": \"italic \", \"italics\": true}], \"font\": \"Roboto\"}, "
    "\"DejaVu default \u0416\", {\"text\": \"Times \u03a9\", \"font\": \"Times\"}]}";

/* Renders thread_doc a few times with the shared state; keeps the last PDF. */
static void *render_in_thread(void *arg)
{
    struct render_thread *t = arg;

    for (int i = 0; i < 5 && t->rc == HEFT_OK; i++) {
        struct heft_job *job = job_new(json_loads(thread_doc, 0, NULL), NULL);

        job->state = t->state;
        t->rc = run(job);
        free(t->pdf);
        t->len = job->blob.len;
        t->pdf = malloc(t->len ? t->len : 1);
        memcpy(t->pdf, job->blob.data, t->len);
        heft_job_destroy(job);
    }
    return NULL;
}

START_TEST(test_threads_sharing_one_fontset_render_the_same_pdf)
{
    struct render_thread t[NTHREADS];
    void *state;

    NEED_ROBOTO();
    state = pdf_settings("{'fonts': {" ROBOTO "}}");
    memset(t, 0, sizeof t);
    for (int i = 0; i < NTHREADS; i++) {
        t[i].state = state;
        ck_assert_int_eq(pthread_create(&t[i].tid, NULL, render_in_thread, &t[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        ck_assert_int_eq(pthread_join(t[i].tid, NULL), 0);
    for (int i = 0; i < NTHREADS; i++) {
        ck_assert_int_eq(t[i].rc, HEFT_OK);
        ck_assert_msg(t[i].len == t[0].len && memcmp(t[i].pdf, t[0].pdf, t[0].len) == 0,
                      "thread %d rendered another PDF than thread 0", i);
    }
    for (int i = 0; i < NTHREADS; i++)
        free(t[i].pdf);
    pdf_settings_free(state);
}
END_TEST

/* ---- what init refuses ---------------------------------------------------- */

START_TEST(test_font_files_are_checked_at_init_naming_the_key)
{
    NEED_ROBOTO();
    assert_init_fails("{'fonts': {'Roboto': {'normal': '" RDIR "Roboto-Regular.ttf', "
                      "'bold': '/nonexistent/Bold.ttf'}}}",
                      "fonts.Roboto.bold", "cannot open /nonexistent/Bold.ttf");
    assert_init_fails("{'fonts': {'Roboto': {'normal': '/etc/passwd'}}}",
                      "fonts.Roboto.normal", "cannot open /etc/passwd");
    assert_init_fails("{'fonts': {'Roboto': {'normal': 'Roboto-Regular.ttf'}}}",
                      "fonts.Roboto.normal", "absolute path");
    assert_init_fails("{'fonts': {'Roboto': {'normal': 12}}}", "fonts.Roboto.normal",
                      "absolute path");
}
END_TEST

START_TEST(test_opentype_with_cff_outlines_is_refused_at_init)
{
    /* FreeType reads it, libharu 2.3.0 cannot embed it (no glyf table). */
    const char *otf = "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf";

    if (access(otf, R_OK) != 0) {
        printf("SKIP %s: fonts-urw-base35 is not installed\n", __func__);
        return;
    }
    assert_init_fails("{'fonts': {'Nimbus': {'normal': '/usr/share/fonts/opentype/"
                      "urw-base35/NimbusSans-Regular.otf'}}}", "fonts.Nimbus.normal",
                      "not a TrueType font");
}
END_TEST

START_TEST(test_a_family_must_have_a_normal_file_and_known_styles)
{
    NEED_ROBOTO();
    assert_init_fails("{'fonts': {'Roboto': {'bold': '" RDIR "Roboto-Medium.ttf'}}}",
                      "fonts.Roboto", "no normal file");
    assert_init_fails("{'fonts': {'Roboto': {'normal': '" RDIR "Roboto-Regular.ttf', "
                      "'light': '" RDIR "Roboto-Light.ttf'}}}",
                      "fonts.Roboto.light", "unknown style");
    assert_init_fails("{'fonts': {'Roboto': '" RDIR "Roboto-Regular.ttf'}}", "fonts.Roboto",
                      "must be a mapping");
    assert_init_fails("{'fonts': ['Roboto']}", "fonts", "must be a mapping");
}
END_TEST

START_TEST(test_base14_names_cannot_be_registered)
{
    NEED_ROBOTO();
    assert_init_fails("{'fonts': {'Helvetica': {'normal': '" RDIR "Roboto-Regular.ttf'}}}",
                      "fonts.Helvetica", "base-14");
}
END_TEST

START_TEST(test_default_font_must_name_a_truetype_family)
{
    NEED_ROBOTO();
    assert_init_fails("{'fonts': {" ROBOTO "}, 'default_font': 'Lato'}", "default_font",
                      "\"Lato\" is neither a family of fonts");
    assert_init_fails("{'default_font': 'Times'}", "default_font", "base-14 Times");
    assert_init_fails("{'default_font': ''}", "default_font", "must be the name");
}
END_TEST

START_TEST(test_default_font_may_name_the_builtin_family)
{
    void *state = pdf_settings("{'default_font': 'DejaVu Sans'}");

    pdf_settings_free(state);
}
END_TEST

/* heftd as the tests run it: $HEFT_BUILDDIR/heftd, else ./heftd. */
static void heftd_path(char *out, size_t len)
{
    const char *dir = getenv("HEFT_BUILDDIR");

    snprintf(out, len, "%s/heftd", dir && *dir ? dir : ".");
}

START_TEST(test_heftd_check_config_names_file_line_and_key_of_a_bad_font)
{
    char yaml[] = "/tmp/check_pdf_fonts.XXXXXX";
    char heftd[1024], cmd[2048];
    int fd = mkstemp(yaml), status;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    char *out;

    heftd_path(heftd, sizeof heftd);
    if (access(heftd, X_OK) != 0 || access(RDIR "Roboto-Regular.ttf", R_OK) != 0) {
        printf("SKIP %s: no %s or no fonts-roboto-unhinted\n", __func__, heftd);
        unlink(yaml);
        return;
    }
    ck_assert_ptr_nonnull(f);
    fputs("jobs:\n"
          "  types:\n"
          "    pdf.render:\n"
          "      fonts:\n"
          "        Roboto:\n"
          "          normal: " RDIR "Roboto-Regular.ttf\n"
          "          bold: /nonexistent/Roboto-Bold.ttf\n", f);
    ck_assert_int_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "%s -c %s --check-config 2>&1", heftd, yaml);
    out = capture(cmd, &status);
    unlink(yaml);
    ck_assert_msg(status == 1, "heftd exited %d: %s", status, out);
    ck_assert_msg(strstr(out, ":7: jobs.types.pdf.render.fonts.Roboto.bold: cannot open "
                              "/nonexistent/Roboto-Bold.ttf") != NULL, "heftd said: %s", out);
    free(out);
}
END_TEST

static Suite *pdf_fonts_suite(void)
{
    Suite *s = suite_create("pdf.render fonts");
    TCase *families = tcase("families"), *init = tcase("init");

    tcase_add_test(families, test_a_registered_family_draws_each_style_from_its_own_file);
    tcase_add_test(families, test_text_in_a_registered_family_is_measured_with_its_metrics);
    tcase_add_test(families, test_styles_a_family_does_not_name_use_its_normal_file);
    tcase_add_test(families, test_default_font_is_what_text_without_a_font_uses);
    tcase_add_test(families, test_base14_text_outside_winansi_falls_back_to_the_default_font);
    tcase_add_test(families, test_base14_names_keep_working_beside_registered_families);
    tcase_add_test(families, test_roboto_is_dejavu_sans_unless_registered);
    tcase_add_test(families, test_a_font_no_family_has_fails_unknown_font_naming_it);
    tcase_add_test(families, test_a_font_only_measured_is_not_embedded);
    tcase_add_test(families, test_embedded_fonts_are_subset_to_the_documents_characters);
    tcase_add_test(families, test_western_text_uses_a_simple_font_and_other_text_a_cid_font);
    tcase_add_test(families, test_threads_sharing_one_fontset_render_the_same_pdf);
    tcase_add_test(init, test_font_files_are_checked_at_init_naming_the_key);
    tcase_add_test(init, test_opentype_with_cff_outlines_is_refused_at_init);
    tcase_add_test(init, test_a_family_must_have_a_normal_file_and_known_styles);
    tcase_add_test(init, test_base14_names_cannot_be_registered);
    tcase_add_test(init, test_default_font_must_name_a_truetype_family);
    tcase_add_test(init, test_default_font_may_name_the_builtin_family);
    tcase_add_test(init, test_heftd_check_config_names_file_line_and_key_of_a_bad_font);
    suite_add_tcase(s, families);
    suite_add_tcase(s, init);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pdf_fonts_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
