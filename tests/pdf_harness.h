/*
 * pdf_harness.h - what the pdf.render tests share: running a document
 * through the handler as heftd would, and looking at the PDF with real
 * tools (qpdf, pdftotext, pdfinfo, pdffonts, pdftoppm), never with our own
 * parser.  See check_pdf.c for the conventions (payloads written with '
 * for ", positions in points from the top-left corner of the page).
 */
#ifndef HEFT_TESTS_PDF_HARNESS_H
#define HEFT_TESTS_PDF_HARNESS_H

#include <check.h>
#include <jansson.h>

#include "config.h"
#include "job.h"

#define A4_W 595.28
#define A4_H 841.89

/* First line of a test that looks at a PDF: passes, saying so, when a tool
 * is missing. */
#define NEED_PDF_TOOLS()                    \
    do {                                    \
        if (skip_without_tools(__func__))   \
            return;                         \
    } while (0)

/* A word as pdftotext -bbox sees it. */
struct word {
    int page;                       /* 1-based */
    double x0, y0, x1, y1;          /* points from the top-left corner */
    char *text;
};

struct pdf {
    struct heft_job *job;           /* result and blob */
    int pages;                      /* pdfinfo's Pages: */
    char *text;                     /* pdftotext, UTF-8, each page ends in \f */
    char *info;                     /* pdfinfo, UTF-8 */
    char *fonts;                    /* pdffonts */
    char *warnings;                 /* what poppler printed on stderr */
    struct word *words;             /* pdftotext -bbox, in reading order */
    size_t nwords;
};

#define assert_near(got, want, tol)                                                   \
    ck_assert_msg((got) >= (want) - (tol) && (got) <= (want) + (tol),                 \
                  "%s is %.2f, expected %.2f +- %.2f", #got, (double)(got),             \
                  (double)(want), (double)(tol))

/* A job as the daemon hands it to the handler (steals payload), and
 * running it through pdf.render. */
struct heft_job *job_new(json_t *payload, const struct heft_type_conf *tconf);
int run(struct heft_job *job);

/* A test payload: JSON written with ' for " (a new reference). */
json_t *payload_of(const char *text);

/* Runs a document that must fail with code (steals payload; tconf may be
 * NULL); returns the job to look at its message.  Every failure of
 * pdf.render is permanent. */
struct heft_job *render_fails_conf(json_t *payload, const struct heft_type_conf *tconf,
                                   const char *code);
struct heft_job *render_fails(const char *payload, const char *code);
void assert_message_has(const struct heft_job *job, const char *needle);

/* Settings (jobs.types.pdf.render in heft.yaml, written as JSON with '
 * for "): pdf.render's init must accept them; the state it built, for
 * job->state.  Free it with pdf_settings_free() (the handler's fini). */
void *pdf_settings(const char *settings);
void pdf_settings_free(void *state);
/* pdf.render's init must refuse the settings; what it said. */
struct heft_init_error pdf_settings_fail(const char *settings);
/* render_fails_conf() with the state of these settings (init and fini run
 * around the job). */
struct heft_job *render_fails_with(json_t *payload, const char *settings, const char *code);

/* Non-zero (after saying so) when a test must be skipped for a missing
 * tool; fn is the test's function. */
int skip_without_tools(const char *fn);
/* The standard output of a shell command, and its exit status (malloc'd). */
char *capture(const char *cmd, int *status);
/* The standard output of sh command cmd run with $f naming a file that
 * holds the job's PDF (malloc'd). */
char *capture_on_pdf(const struct heft_job *job, const char *cmd, int *status);

/* Runs the document (steals payload); it must succeed with a PDF that
 * qpdf accepts.  Free with pdf_free(). */
struct pdf *render_ok_conf(json_t *payload, const struct heft_type_conf *tconf);
struct pdf *render_ok(const char *payload);
/* The same with the state of these settings (init and fini run around the
 * job; see pdf_settings()); tconf may be NULL. */
struct pdf *render_ok_with(json_t *payload, const char *settings);
struct pdf *render_ok_conf_with(json_t *payload, const struct heft_type_conf *tconf,
                                const char *settings);
void pdf_free(struct pdf *p);

/* s with each run of white space made one space, none at the ends. */
char *squeeze(const char *s);
/* needle is in the text, white space aside. */
void assert_has_text(const char *haystack, const char *needle);
/* Pages as pdftotext separates them (each ends with a form feed). */
int text_pages(const struct pdf *p);
/* The text of page n (1-based), malloc'd. */
char *page_text(const struct pdf *p, int n);
void assert_page_has(const struct pdf *p, int n, const char *needle);
void assert_page_lacks(const struct pdf *p, int n, const char *needle);
/* The first word with exactly this text (fails the test when absent). */
const struct word *word(const struct pdf *p, const char *text);
double height(const struct word *w);
/* The rightmost point any word reaches on a page. */
double right_edge(const struct pdf *p, int page);
/* pdfinfo's page size of the first page, in points. */
void page_size(const struct pdf *p, double *w, double *h);
/* A pdfinfo field must have this value. */
void assert_info(const struct pdf *p, const char *name, const char *want);
/* {"content": ["Paragraph 1. The quick brown fox ...", ... n of them]} */
json_t *paragraphs(int n);
/* Non-zero when poppler printed nothing but the known libharu 2.3.0
 * ToUnicode CMap complaint. */
int only_known_libharu_warnings(const char *warnings);
/* The grey level (0 black .. 255 white) at (x, y) points from the top-left
 * of page 1, rendered by pdftoppm at 36 dpi. */
int pixel_at(const struct pdf *p, double x, double y);
/* A test case with a timeout that fits rendering under valgrind. */
TCase *tcase(const char *name);

#endif
