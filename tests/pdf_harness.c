/*
 * pdf_harness.c - running pdf.render documents and looking at the PDFs
 * with real tools; see pdf_harness.h.
 */
#include <check.h>
#include <jansson.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "pdf_harness.h"
#include "registry.h"

/* ---- running a job ------------------------------------------------------ */

static const struct heft_handler *pdf_handler(void)
{
    const struct heft_handler *h = heft_handler_find("pdf.render");

    ck_assert_msg(h != NULL, "pdf.render is not registered");
    return h;
}

/* A test payload: JSON written with ' for ". */
json_t *payload_of(const char *text)
{
    char *s = strdup(text);
    json_error_t err;
    json_t *v;
    char *p;

    ck_assert_ptr_nonnull(s);
    for (p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    v = json_loads(s, JSON_DECODE_ANY, &err);
    ck_assert_msg(v != NULL, "the test's payload is not JSON (%s): %s", err.text, s);
    free(s);
    return v;
}

/* A job as the daemon hands it to the handler (steals payload). */
struct heft_job *job_new(json_t *payload, const struct heft_type_conf *tconf)
{
    struct heft_job *job = heft_job_create(0, "default", HEFT_BAND_NORMAL, "1-0");

    ck_assert_ptr_nonnull(job);
    job->id = strdup("t1");
    job->type = strdup("pdf.render");
    ck_assert_ptr_nonnull(job->id);
    ck_assert_ptr_nonnull(job->type);
    job->payload = payload;
    job->attempt = 1;
    job->tconf = tconf;
    job->deadline = heft_deadline_after(60000);     /* generous: valgrind runs this too */
    return job;
}

int run(struct heft_job *job)
{
    const struct heft_handler *h = pdf_handler();

    job->handler = h;
    return h->run(job);
}

/* Runs a document that must fail with code; returns the job to look at
 * its message.  Every failure of pdf.render is permanent. */
static struct heft_job *fails_state(json_t *payload, const struct heft_type_conf *tconf,
                                    const void *state, const char *code)
{
    struct heft_job *job = job_new(payload, tconf);
    int rc;

    job->state = state;
    rc = run(job);
    job->state = NULL;

    ck_assert_msg(rc == HEFT_ERR, "expected failure \"%s\", but the job succeeded (rc %d)", code,
                  rc);
    ck_assert_msg(strcmp(job->code, code) == 0, "code is \"%s\" (%s), expected \"%s\"", job->code,
                  heft_buf_str(&job->message), code);
    ck_assert_msg(job->retryable == 0, "%s must not be retryable", code);
    return job;
}

struct heft_job *render_fails_conf(json_t *payload, const struct heft_type_conf *tconf,
                                   const char *code)
{
    return fails_state(payload, tconf, NULL, code);
}

/* ---- settings: pdf.render's init and fini ------------------------------ */

/* pdf.render's init with the settings written with ' for ". */
static int init_with(const char *settings, void **state, struct heft_init_error *err)
{
    json_t *obj = payload_of(settings);
    int rc = pdf_handler()->init(obj, state, err);

    json_decref(obj);
    return rc;
}

void *pdf_settings(const char *settings)
{
    struct heft_init_error err = { "", "" };
    void *state = NULL;
    int rc = init_with(settings, &state, &err);

    ck_assert_msg(rc == HEFT_OK, "pdf.render's init refuses %s: %s: %s", settings, err.key,
                  err.msg);
    return state;
}

void pdf_settings_free(void *state)
{
    pdf_handler()->fini(state);
}

struct heft_init_error pdf_settings_fail(const char *settings)
{
    struct heft_init_error err = { "", "" };
    void *state = NULL;
    int rc = init_with(settings, &state, &err);

    ck_assert_msg(rc == HEFT_ERR, "pdf.render's init accepts %s", settings);
    ck_assert_msg(err.msg[0], "pdf.render's init refuses %s without saying why", settings);
    return err;
}

struct heft_job *render_fails_with(json_t *payload, const char *settings, const char *code)
{
    void *state = pdf_settings(settings);
    struct heft_job *job = fails_state(payload, NULL, state, code);

    pdf_settings_free(state);
    return job;
}

struct heft_job *render_fails(const char *payload, const char *code)
{
    return render_fails_conf(payload_of(payload), NULL, code);
}

void assert_message_has(const struct heft_job *job, const char *needle)
{
    const char *m = heft_buf_str(&job->message);

    ck_assert_msg(strstr(m, needle) != NULL, "message \"%s\" does not mention \"%s\"", m, needle);
}

/* ---- looking at the PDF with real tools --------------------------------- */

const char *const tools[] = { "qpdf", "pdftotext", "pdfinfo", "pdffonts" };

/* The first tool the PDF checks need that is not installed, or NULL. */
static const char *missing_tool(void)
{
    char cmd[128];
    size_t i;

    for (i = 0; i < sizeof tools / sizeof tools[0]; i++) {
        snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tools[i]);
        if (system(cmd) != 0)
            return tools[i];
    }
    return NULL;
}

/* Non-zero (after saying so) when a test must be skipped for a missing tool;
 * fn is the test's function, "<test name>_fn". */
int skip_without_tools(const char *fn)
{
    const char *missing = missing_tool();
    size_t n = strlen(fn);

    if (!missing)
        return 0;
    if (n > 3 && strcmp(fn + n - 3, "_fn") == 0)
        n -= 3;
    printf("SKIP %.*s: %s is not installed (poppler-utils, qpdf)\n", (int)n, fn, missing);
    fflush(stdout);
    return 1;
}




/* The standard output of a shell command, and its exit status. */
char *capture(const char *cmd, int *status)
{
    FILE *f = popen(cmd, "r");
    size_t len = 0, cap = 8192, n;
    char *buf = malloc(cap);
    int st;

    ck_assert_msg(f != NULL, "cannot run %s", cmd);
    ck_assert_ptr_nonnull(buf);
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    buf[len] = '\0';
    st = pclose(f);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}

/* The job's PDF as dir/out.pdf in a new temporary directory dir. */
static void blob_to_file(const struct heft_job *job, char dir[256], char file[300])
{
    const char *tmp = getenv("TMPDIR");
    FILE *f;

    snprintf(dir, 256, "%s/check_pdf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
    snprintf(file, 300, "%s/out.pdf", dir);
    f = fopen(file, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(job->blob.data, 1, job->blob.len, f), job->blob.len);
    ck_assert_int_eq(fclose(f), 0);
}

char *capture_on_pdf(const struct heft_job *job, const char *cmd, int *status)
{
    char dir[256], file[300], *full, *out;
    size_t n = strlen(cmd) + sizeof file + 16;

    blob_to_file(job, dir, file);
    full = malloc(n);
    ck_assert_ptr_nonnull(full);
    snprintf(full, n, "f='%s'; %s", file, cmd);
    out = capture(full, status);
    free(full);
    unlink(file);
    rmdir(dir);
    return out;
}

static double attr(const char *tag, const char *name)
{
    const char *p = strstr(tag, name);

    ck_assert_msg(p != NULL, "no %s in pdftotext -bbox line %s", name, tag);
    return strtod(p + strlen(name), NULL);
}

static void parse_words(struct pdf *p, const char *html)
{
    const char *line = html;
    size_t cap = 0;
    int page = 0;

    while (line && *line) {
        const char *end = strchr(line, '\n');
        const char *w = strstr(line, "<word ");

        if (strstr(line, "<page ") && (!end || strstr(line, "<page ") < end)) {
            page++;
        } else if (w && (!end || w < end)) {
            const char *open = strchr(w, '>');
            const char *close = open ? strstr(open, "</word>") : NULL;
            struct word *wd;

            ck_assert_msg(close != NULL, "unexpected pdftotext -bbox line: %.80s", line);
            if (p->nwords == cap) {
                cap = cap ? cap * 2 : 256;
                p->words = realloc(p->words, cap * sizeof *p->words);
                ck_assert_ptr_nonnull(p->words);
            }
            wd = &p->words[p->nwords++];
            wd->page = page;
            wd->x0 = attr(w, "xMin=\"");
            wd->y0 = attr(w, "yMin=\"");
            wd->x1 = attr(w, "xMax=\"");
            wd->y1 = attr(w, "yMax=\"");
            wd->text = strndup(open + 1, (size_t)(close - open - 1));
            ck_assert_ptr_nonnull(wd->text);
        }
        line = end ? end + 1 : NULL;
    }
}

/* The value of a "Name:   value" line of pdfinfo, or NULL (malloc'd). */
static char *info_field(const struct pdf *p, const char *name)
{
    size_t n = strlen(name);
    const char *line = p->info;

    while (line && *line) {
        const char *end = strchr(line, '\n');

        if (strncmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;

            while (*v == ' ')
                v++;
            return strndup(v, end ? (size_t)(end - v) : strlen(v));
        }
        line = end ? end + 1 : NULL;
    }
    return NULL;
}

/* Runs the document; it must succeed with a PDF that qpdf accepts.  What
 * the tools make of it is collected before any assertion, so the temporary
 * files never outlive the check. */
static struct pdf *ok_state(json_t *payload, const struct heft_type_conf *tconf,
                            const void *state)
{
    struct pdf *p = calloc(1, sizeof *p);
    const char *tmp = getenv("TMPDIR");
    char dir[256], file[300], cmd[1024];
    char *qpdf_out, *bbox, *pages;
    int qpdf_st, text_st, bbox_st, info_st, fonts_st, st, rc;
    FILE *f;

    ck_assert_ptr_nonnull(p);
    p->job = job_new(payload, tconf);
    p->job->state = state;
    rc = run(p->job);
    p->job->state = NULL;
    ck_assert_msg(rc == HEFT_OK, "pdf.render failed: %s: %s", p->job->code,
                  heft_buf_str(&p->job->message));
    ck_assert_msg(p->job->blob.len > 5 && memcmp(p->job->blob.data, "%PDF-", 5) == 0,
                  "the blob (%zu bytes) does not start with %%PDF-", p->job->blob.len);

    snprintf(dir, sizeof dir, "%s/check_pdf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
    snprintf(file, sizeof file, "%s/out.pdf", dir);
    f = fopen(file, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", file);
    ck_assert_uint_eq(fwrite(p->job->blob.data, 1, p->job->blob.len, f), p->job->blob.len);
    ck_assert_int_eq(fclose(f), 0);

    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", file);
    qpdf_out = capture(cmd, &qpdf_st);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>>'%s/stderr'", file, dir);
    p->text = capture(cmd, &text_st);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -bbox '%s' - 2>>'%s/stderr'", file, dir);
    bbox = capture(cmd, &bbox_st);
    snprintf(cmd, sizeof cmd, "pdfinfo -enc UTF-8 '%s' 2>>'%s/stderr'", file, dir);
    p->info = capture(cmd, &info_st);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>>'%s/stderr'", file, dir);
    p->fonts = capture(cmd, &fonts_st);
    snprintf(cmd, sizeof cmd, "cat '%s/stderr'", dir);
    p->warnings = capture(cmd, &st);
    snprintf(cmd, sizeof cmd, "%s/stderr", dir);
    unlink(cmd);
    unlink(file);
    rmdir(dir);

    ck_assert_msg(qpdf_st == 0, "qpdf --check fails (exit %d):\n%.2000s", qpdf_st, qpdf_out);
    ck_assert_msg(text_st == 0, "pdftotext fails (exit %d):\n%.2000s", text_st, p->warnings);
    ck_assert_msg(bbox_st == 0, "pdftotext -bbox fails (exit %d):\n%.2000s", bbox_st, p->warnings);
    ck_assert_msg(info_st == 0, "pdfinfo fails (exit %d):\n%.2000s", info_st, p->warnings);
    ck_assert_msg(fonts_st == 0, "pdffonts fails (exit %d):\n%.2000s", fonts_st, p->warnings);
    parse_words(p, bbox);
    pages = info_field(p, "Pages");
    ck_assert_msg(pages != NULL, "pdfinfo shows no page count:\n%s", p->info);
    p->pages = atoi(pages);
    free(pages);
    free(qpdf_out);
    free(bbox);
    return p;
}

struct pdf *render_ok_conf(json_t *payload, const struct heft_type_conf *tconf)
{
    return ok_state(payload, tconf, NULL);
}

struct pdf *render_ok_conf_with(json_t *payload, const struct heft_type_conf *tconf,
                                const char *settings)
{
    void *state = pdf_settings(settings);
    struct pdf *p = ok_state(payload, tconf, state);

    pdf_settings_free(state);
    return p;
}

struct pdf *render_ok_with(json_t *payload, const char *settings)
{
    return render_ok_conf_with(payload, NULL, settings);
}

struct pdf *render_ok(const char *payload)
{
    return render_ok_conf(payload_of(payload), NULL);
}

void pdf_free(struct pdf *p)
{
    size_t i;

    heft_job_destroy(p->job);
    free(p->text);
    free(p->info);
    free(p->fonts);
    free(p->warnings);
    for (i = 0; i < p->nwords; i++)
        free(p->words[i].text);
    free(p->words);
    free(p);
}

/* s with each run of white space (form feeds included) made one space,
 * none at either end (malloc'd). */
char *squeeze(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    int space = 0;

    ck_assert_ptr_nonnull(out);
    for (; *s; s++) {
        if (strchr(" \t\r\n\f\v", *s)) {
            space = 1;
            continue;
        }
        if (space && o > out)
            *o++ = ' ';
        space = 0;
        *o++ = *s;
    }
    *o = '\0';
    return out;
}

/* needle is in the text, white space aside; a failure shows where the
 * longest found prefix of needle ends, as texts can be long. */
void assert_has_text(const char *haystack, const char *needle)
{
    char *h = squeeze(haystack), *n = squeeze(needle);
    size_t good = 0, len = strlen(n), i;

    if (!strstr(h, n)) {
        for (i = 1; i <= len; i++) {
            if (n[i] != ' ' && n[i] != '\0')
                continue;
            char *pre = strndup(n, i);
            int found = strstr(h, pre) != NULL;

            free(pre);
            if (!found)
                break;
            good = i;
        }
        ck_abort_msg("text not found: \"%.300s\"\nfound up to: \"...%.200s\"\n"
                     "then missing: \"%.200s...\"\nthe text: %.1500s", n,
                     n + (good > 200 ? good - 200 : 0), n + good, h);
    }
    free(h);
    free(n);
}

/* Pages as pdftotext separates them: each ends with a form feed. */
int text_pages(const struct pdf *p)
{
    const char *s;
    int n = 0;

    for (s = p->text; *s; s++)
        if (*s == '\f')
            n++;
    return n;
}

/* The text of page n (1-based), malloc'd. */
char *page_text(const struct pdf *p, int n)
{
    const char *s = p->text, *end;
    int i;

    for (i = 1; i < n; i++) {
        s = strchr(s, '\f');
        ck_assert_msg(s != NULL, "the PDF has no page %d:\n%.1500s", n, p->text);
        s++;
    }
    end = strchr(s, '\f');
    return strndup(s, end ? (size_t)(end - s) : strlen(s));
}

void assert_page_has(const struct pdf *p, int n, const char *needle)
{
    char *t = page_text(p, n), *h = squeeze(t), *w = squeeze(needle);

    ck_assert_msg(strstr(h, w) != NULL, "\"%s\" not found on page %d:\n%.1500s", w, n, h);
    free(t);
    free(h);
    free(w);
}

void assert_page_lacks(const struct pdf *p, int n, const char *needle)
{
    char *t = page_text(p, n);

    ck_assert_msg(strstr(t, needle) == NULL, "\"%s\" found on page %d:\n%.1500s", needle, n, t);
    free(t);
}

/* The first word with exactly this text. */
const struct word *word(const struct pdf *p, const char *text)
{
    size_t i;

    for (i = 0; i < p->nwords; i++)
        if (strcmp(p->words[i].text, text) == 0)
            return &p->words[i];
    ck_abort_msg("word \"%s\" not in the PDF:\n%.1500s", text, p->text);
    return NULL;
}

double height(const struct word *w)
{
    return w->y1 - w->y0;
}

/* The rightmost point any word reaches on a page. */
double right_edge(const struct pdf *p, int page)
{
    double x = 0;
    size_t i;

    for (i = 0; i < p->nwords; i++)
        if (p->words[i].page == page && p->words[i].x1 > x)
            x = p->words[i].x1;
    return x;
}


/* "W x H pts" of pdfinfo's Page size: line. */
void page_size(const struct pdf *p, double *w, double *h)
{
    char *v = info_field(p, "Page size");

    ck_assert_msg(v != NULL, "pdfinfo shows no page size:\n%s", p->info);
    ck_assert_msg(sscanf(v, "%lf x %lf", w, h) == 2, "unexpected page size \"%s\"", v);
    free(v);
}

void assert_info(const struct pdf *p, const char *name, const char *want)
{
    char *v = info_field(p, name);

    ck_assert_msg(v != NULL, "pdfinfo shows no %s:\n%s", name, p->info);
    ck_assert_str_eq(v, want);
    free(v);
}

/* {"content": [ "Paragraph 1 ...", ... n paragraphs ]} */
json_t *paragraphs(int n)
{
    json_t *content = json_array();
    char line[128];
    int i;

    for (i = 1; i <= n; i++) {
        snprintf(line, sizeof line, "Paragraph %d. The quick brown fox jumps over the lazy dog.", i);
        json_array_append_new(content, json_string(line));
    }
    return json_pack("{s:o}", "content", content);
}

/* libharu 2.3.0 writes the ToUnicode CMap of embedded TrueType fonts with
 * the wrong operator (begincidrange); poppler says so and then extracts
 * the text correctly from the font itself (docs/pdf.md, known defects). */
int only_known_libharu_warnings(const char *warnings)
{
    const char *line = warnings;

    while (*line) {
        size_t n = strcspn(line, "\n");

        if (n && !strstr(line, "Invalid 'begincidrange' operator in ToUnicode CMap"))
            return 0;
        line += n + (line[n] == '\n');
    }
    return 1;
}


/* The gray level (0 black .. 255 white) at (x, y) points from the top left
 * of page 1, rendered by pdftoppm at 36 dpi (half a pixel a point). */
int pixel_at(const struct pdf *p, double x, double y)
{
    char dir[256], file[300], cmd[1024];
    png_image pi;
    unsigned char *px;
    int st, v;

    blob_to_file(p->job, dir, file);
    snprintf(cmd, sizeof cmd, "pdftoppm -r 36 -png -f 1 -l 1 -singlefile '%s' '%s/page'"
             " 2>/dev/null", file, dir);
    st = system(cmd);
    snprintf(file, sizeof file, "%s/page.png", dir);
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    ck_assert_msg(st == 0 && png_image_begin_read_from_file(&pi, file), "pdftoppm failed");
    pi.format = PNG_FORMAT_GRAY;
    px = malloc(PNG_IMAGE_SIZE(pi));
    ck_assert_ptr_nonnull(px);
    ck_assert(png_image_finish_read(&pi, NULL, px, 0, NULL));
    v = px[(size_t)(y / 2) * pi.width + (size_t)(x / 2)];
    free(px);
    unlink(file);
    snprintf(file, sizeof file, "%s/out.pdf", dir);
    unlink(file);
    rmdir(dir);
    return v;
}


TCase *tcase(const char *name)
{
    TCase *tc = tcase_create(name);

    tcase_set_timeout(tc, 120);         /* rendering under valgrind is slow */
    return tc;
}

