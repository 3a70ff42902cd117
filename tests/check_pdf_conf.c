/*
 * check_pdf_conf.c - pdf.render's settings (jobs.types.pdf.render in
 * heft.yaml): what its init accepts and refuses, and what each setting
 * does to the documents it renders.  Settings and payloads are written as
 * JSON with ' for " (see pdf_harness.h); the PDFs are read with poppler.
 */
#include <check.h>
#include <dirent.h>
#include <png.h>
#include <pthread.h>
#include <stdarg.h>
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

/* pdf.render's init refuses settings at key, saying msg. */
static void assert_init_fails(const char *settings, const char *key, const char *msg)
{
    struct heft_init_error e = pdf_settings_fail(settings);

    ck_assert_str_eq(e.key, key);
    ck_assert_str_eq(e.msg, msg);
}

/* ---- image files ---------------------------------------------------------- */

/* dir/name (malloc'd); the directories on the way are created. */
static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n), *slash;

    ck_assert_ptr_nonnull(p);
    snprintf(p, n, "%s/%s", dir, name);
    for (slash = strchr(p + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(p, 0755);
        *slash = '/';
    }
    return p;
}

/* A w x h grey PNG file dir/name. */
static void write_png(const char *dir, const char *name, unsigned w, unsigned h)
{
    unsigned char *px = calloc((size_t)w * h, 1);
    char *path = path_in(dir, name);
    png_image pi;

    ck_assert_ptr_nonnull(px);
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = w;
    pi.height = h;
    pi.format = PNG_FORMAT_GRAY;
    ck_assert_msg(png_image_write_to_file(&pi, path, 0, px, 0, NULL), "cannot write %s", path);
    free(px);
    free(path);
}

/* A 5 x 3 black JPEG (made once with libjpeg, quality 50), base64. */
static const char jpeg_5x3[] =
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERX"
    "RTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAADAAUDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAA"
    "AAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAk"
    "M2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKT"
    "lJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdh"
    "cRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hp"
    "anN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDz+iiigD//2Q==";

/* The bytes of base64 text b64 as the file dir/name. */
static void write_base64(const char *dir, const char *name, const char *b64)
{
    char *path = path_in(dir, name), cmd[2048];

    snprintf(cmd, sizeof cmd, "printf '%%s' '%s' | base64 -d > '%s'", b64, path);
    ck_assert_msg(system(cmd) == 0, "cannot write %s", path);
    free(path);
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char *path = path_in(dir, name);
    FILE *f = fopen(path, "w");

    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    free(path);
}

/* The sizes of the images in the PDF, as pdfimages -list shows them, in
 * order: "8x6 4x4" (malloc'd). */
static char *image_sizes(const struct pdf *p)
{
    char *dir = temp_dir(), *file = path_in(dir, "out.pdf"), *list, *line, *out;
    char cmd[1200];
    FILE *f = fopen(file, "wb");
    int st, w, h;

    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p->job->blob.data, 1, p->job->blob.len, f), p->job->blob.len);
    ck_assert_int_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "pdfimages -list '%s' 2>&1", file);
    list = capture(cmd, &st);
    ck_assert_msg(st == 0, "pdfimages fails:\n%s", list);
    out = calloc(1, strlen(list) + 1);
    ck_assert_ptr_nonnull(out);
    for (line = strtok(list, "\n"); line; line = strtok(NULL, "\n"))
        if (sscanf(line, "%*d %*d image %d %d", &w, &h) == 2)
            sprintf(out + strlen(out), "%s%dx%d", *out ? " " : "", w, h);
    free(list);
    free(file);
    rm_rf(dir);
    return out;
}

static void assert_image_sizes(const struct pdf *p, const char *want)
{
    char *got = image_sizes(p);

    ck_assert_str_eq(got, want);
    free(got);
}

/* A job with a tconf (limits) and settings that must fail with code
 * (steals payload). */
static struct heft_job *fails_conf_with_json(json_t *payload, const struct heft_type_conf *t,
                                             const char *settings, const char *code)
{
    struct heft_job *job = job_new(payload, t);
    void *state = pdf_settings(settings);
    int rc;

    job->state = state;
    rc = run(job);
    job->state = NULL;
    pdf_settings_free(state);
    ck_assert_msg(rc == HEFT_ERR && !strcmp(job->code, code), "expected %s, got rc %d %s: %s",
                  code, rc, job->code, heft_buf_str(&job->message));
    ck_assert_int_eq(job->retryable, 0);
    return job;
}

/* The payload, run with these settings, fails with code saying needle. */
static void assert_fails(const char *payload, const char *settings, const char *code,
                         const char *needle)
{
    struct heft_job *job = render_fails_with(payload_of(payload), settings, code);

    assert_message_has(job, needle);
    heft_job_destroy(job);
}

static struct heft_job *fails_conf_with(const char *payload, const struct heft_type_conf *t,
                                        const char *settings, const char *code)
{
    return fails_conf_with_json(payload_of(payload), t, settings, code);
}

/* Two image directories a and b, as settings for image_dirs: [a, b]. */
struct dirs {
    char *a, *b, *settings;
};

static void dirs_make(struct dirs *d)
{
    char *both;

    d->a = temp_dir();
    d->b = temp_dir();
    both = settings_in("{'image_dirs': ['@DIR', ", d->a);
    d->settings = malloc(strlen(both) + strlen(d->b) + 8);
    ck_assert_ptr_nonnull(d->settings);
    sprintf(d->settings, "%s'%s']}", both, d->b);
    free(both);
}

static void dirs_free(struct dirs *d)
{
    rm_rf(d->a);
    rm_rf(d->b);
    free(d->settings);
}

START_TEST(test_image_file_names_are_found_in_the_first_image_dir_that_has_them)
{
    struct dirs d;
    struct pdf *p;

    NEED_PDF_TOOLS();
    dirs_make(&d);
    write_png(d.b, "images/sampleImage.png", 8, 6);
    write_png(d.a, "logo.png", 4, 4);
    write_png(d.b, "logo.png", 2, 2);
    write_base64(d.b, "photo.jpg", jpeg_5x3);
    p = render_ok_with(payload_of("{'content': [{'image': 'images/sampleImage.png'},"
                                  " {'image': 'logo.png'}, {'image': './photo.jpg'}, 'after']}"),
                       d.settings);
    assert_image_sizes(p, "8x6 4x4 5x3");
    assert_page_has(p, 1, "after");
    pdf_free(p);
    dirs_free(&d);
}
END_TEST

START_TEST(test_images_dictionary_names_data_urls_and_files_that_nodes_refer_to)
{
    static const char dot[] = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVA"
                              "AAACklEQVQI12NoAAAAggCB3UNq9AAAAABJRU5ErkJggg==";
    char payload[1024];
    struct dirs d;
    struct pdf *p;

    NEED_PDF_TOOLS();
    dirs_make(&d);
    write_png(d.a, "files/logo.png", 3, 2);
    snprintf(payload, sizeof payload, "{'images': {'logo': 'files/logo.png', 'dot': '%s'},"
             " 'content': [{'image': 'logo'}, {'image': 'dot'}, {'image': 'logo', 'width': 30}]}",
             dot);
    p = render_ok_with(payload_of(payload), d.settings);
    assert_image_sizes(p, "3x2 1x1 3x2");
    pdf_free(p);
    /* Data URLs in the dictionary need no image_dirs. */
    snprintf(payload, sizeof payload, "{'images': {'dot': '%s'}, 'content': [{'image': 'dot'}]}",
             dot);
    p = render_ok_with(payload_of(payload), "{}");
    assert_image_sizes(p, "1x1");
    pdf_free(p);
    dirs_free(&d);
}
END_TEST

START_TEST(test_absolute_and_dotdot_image_names_are_refused)
{
    static const char *const names[] = { "/etc/passwd", "../x.png", "images/../../x.png", ".." };
    char payload[256];
    struct heft_job *job;
    struct dirs d;
    size_t i;

    dirs_make(&d);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(payload, sizeof payload, "{'content': [{'image': '%s'}]}", names[i]);
        job = render_fails_with(payload_of(payload), d.settings, "bad_input");
        assert_message_has(job, "content[0].image: ");
        assert_message_has(job, "image file names must be relative, without \"..\"");
        heft_job_destroy(job);
    }
    dirs_free(&d);
}
END_TEST

START_TEST(test_a_symlink_cannot_lead_out_of_the_image_dir)
{
    struct dirs d;
    char *inside, *outside;

    dirs_make(&d);
    write_png(d.b, "secret.png", 2, 2);
    outside = path_in(d.b, "secret.png");
    inside = path_in(d.a, "link.png");
    ck_assert_int_eq(symlink(outside, inside), 0);
    assert_fails("{'content': [{'image': 'link.png'}]}", d.settings, "bad_input",
                 "content[0].image: \"link.png\" leads outside the image directory");
    free(inside);
    /* A link to a directory outside is no way out either. */
    inside = path_in(d.a, "up");
    ck_assert_int_eq(symlink(d.b, inside), 0);
    assert_fails("{'content': [{'image': 'up/secret.png'}]}", d.settings, "bad_input",
                 "leads outside the image directory");
    free(inside);
    free(outside);
    dirs_free(&d);
}
END_TEST

START_TEST(test_missing_image_file_is_bad_input_naming_the_path)
{
    struct dirs d;

    dirs_make(&d);
    assert_fails("{'content': ['x', {'image': 'nope.png'}]}", d.settings, "bad_input",
                 "content[1].image: image file \"nope.png\" not found in image_dirs");
    assert_fails("{'images': {'logo': 'gone.png'},"
                 " 'content': [{'image': 'logo'}]}", d.settings, "bad_input",
                 "images.logo: image file \"gone.png\" not found");
    dirs_free(&d);
}
END_TEST

START_TEST(test_image_file_over_max_image_bytes_is_refused_before_reading)
{
    struct heft_type_conf t = { .name = "pdf.render", .nlimits = 1,
                                .limits = { { "max_image_bytes", 20 } } };
    struct heft_job *job;
    struct dirs d;

    dirs_make(&d);
    write_png(d.a, "big.png", 50, 50);
    job = fails_conf_with("{'content': [{'image': 'big.png'}]}", &t, d.settings,
                          "limit_exceeded");
    assert_message_has(job, "content[0].image: the image file is ");
    assert_message_has(job, "more than the max_image_bytes limit (20)");
    heft_job_destroy(job);
    dirs_free(&d);
}
END_TEST

START_TEST(test_a_file_that_is_no_png_or_jpeg_is_unsupported)
{
    struct dirs d;

    dirs_make(&d);
    write_text(d.a, "notes.png", "not an image at all");
    assert_fails("{'content': [{'image': 'notes.png'}]}", d.settings, "unsupported",
                 "content[0].image: not a PNG or JPEG file");
    mkdir(d.a, 0755);
    assert_fails("{'content': [{'image': '.'}]}", d.settings, "bad_input",
                 "not a regular file");
    dirs_free(&d);
}
END_TEST

START_TEST(test_image_file_names_without_image_dirs_stay_unsupported)
{
    assert_fails("{'content': [{'image': 'logo.png'}]}", "{}", "unsupported",
                 "content[0].image: image files need configured image directories "
                 "(the image_dirs setting of pdf.render, unset)");
}
END_TEST

START_TEST(test_images_dictionary_must_map_names_to_strings)
{
    struct heft_job *job;

    assert_fails("{'images': ['a'], 'content': ['x']}", "{}", "bad_input",
                 "images: must be an object");
    assert_fails("{'images': {'logo': 5}, 'content': ['x']}", "{}", "bad_input",
                 "images.logo: must be a string (a data URL or a file name)");
    /* pdfmake's {url, headers} form fetches over the network: not here. */
    job = render_fails_with(payload_of("{'images': {'logo': {'url': 'https://x/y.png'}},"
                 " 'content': ['x']}"), "{}", "unsupported");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_image_dirs_are_checked_at_init)
{
    assert_init_fails("{'image_dirs': '/tmp'}", "image_dirs", "must be a list of directories");
    assert_init_fails("{'image_dirs': ['/tmp', '/nonexistent/images']}", "image_dirs[1]",
                      "/nonexistent/images: No such file or directory");
    assert_init_fails("{'image_dirs': []}", "image_dirs", "must be a list of directories");
}
END_TEST

/* ---- templates ------------------------------------------------------------- */

/* A templates_dir with these files (name, text, name, text, ..., NULL);
 * *settings gets {'templates_dir': DIR}.  Remove with rm_rf(). */
static char *templates(char **settings, ...)
{
    char *dir = temp_dir();
    const char *name;
    va_list ap;

    va_start(ap, settings);
    while ((name = va_arg(ap, const char *)))
        write_text(dir, name, va_arg(ap, const char *));
    va_end(ap);
    *settings = settings_in("{'templates_dir': '@DIR'}", dir);
    return dir;
}

static const char invoice_yaml[] =
    "# An invoice: items become list entries.\n"
    "info:\n"
    "  title: 'Invoice {{number}}'\n"
    "content:\n"
    "  - text: 'Invoice {{number}} for {{customer.name}}'\n"
    "    fontSize: 14\n"
    "  - '{{note}}'\n"
    "  - ol:\n"
    "      - $repeat: items\n"
    "        $as: item\n"
    "        $each: '{{item.name}}: {{item.qty}} x {{item.price}} for {{customer.name}}'\n"
    "  - 'Total: {{total}} EUR, paid: {{paid}}'\n";

static const char invoice_data[] =
    "{'template': 'invoice', 'data': {'number': 42, 'customer': {'name': 'ACME'},"
    " 'note': 'Thank you', 'paid': false, 'total': 200.2,"
    " 'items': [{'name': 'Bolt', 'qty': 3, 'price': 0.1},"
    " {'name': 'Nut', 'qty': 10, 'price': 19.99}]}}";

START_TEST(test_template_renders_with_its_placeholders_filled_from_data)
{
    char *settings, *dir = templates(&settings, "invoice.yaml", invoice_yaml, NULL);
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok_with(payload_of(invoice_data), settings);
    assert_has_text(p->text, "Invoice 42 for ACME Thank you");
    /* Numbers as JSON writes them: 0.1 and 19.99, not 0.10000000000000001. */
    assert_has_text(p->text, "1. Bolt: 3 x 0.1 for ACME 2. Nut: 10 x 19.99 for ACME");
    assert_has_text(p->text, "Total: 200.2 EUR, paid: false");
    assert_info(p, "Title", "Invoice 42");
    pdf_free(p);
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_a_string_that_is_one_placeholder_takes_the_value_and_its_type)
{
    char *settings, *dir = templates(&settings, "big.json",
        "{\"pageSize\": \"{{page}}\", \"content\": [{\"text\": \"Big\", \"fontSize\": \"{{size}}\","
        " \"bold\": \"{{ strong }}\"}, \"{{body}}\"]}", NULL);
    struct pdf *p;
    double w, h;

    NEED_PDF_TOOLS();
    p = render_ok_with(payload_of("{'template': 'big', 'data': {'page': 'A6', 'size': 40,"
                                  " 'strong': true, 'body': {'stack': ['one', 'two']}}}"),
                       settings);
    page_size(p, &w, &h);
    assert_near(w, 297.64, 0.5);
    ck_assert_msg(height(word(p, "Big")) > 30, "fontSize 40 was not a number");
    assert_has_text(p->text, "Big one two");
    pdf_free(p);
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_repeat_splices_one_element_per_item_with_index_and_number)
{
    char *settings, *dir = templates(&settings, "rows.yaml",
        "content:\n"
        "  - before\n"
        "  - $repeat: rows\n"
        "    $each:\n"
        "      text: '{{$index}}/{{$number}}:{{item.name}}'\n"
        "  - $repeat: rows\n"
        "    $as: row\n"
        "    $each:\n"
        "      stack:\n"
        "        - $repeat: row.tags\n"
        "          $as: tag\n"
        "          $each: '{{row.name}}-{{tag}}-{{$number}} of {{title}}'\n"
        "  - after\n", NULL);
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok_with(payload_of("{'template': 'rows', 'data': {'title': 'T', 'rows':"
                                  " [{'name': 'a', 'tags': ['x', 'y']}, {'name': 'b', 'tags': []},"
                                  " {'name': 'c', 'tags': ['z']}]}}"), settings);
    assert_has_text(p->text, "before 0/1:a 1/2:b 2/3:c a-x-1 of T a-y-2 of T c-z-1 of T after");
    pdf_free(p);
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_unknown_template_fails_unknown_template)
{
    char *settings, *dir = templates(&settings, "invoice.yaml", invoice_yaml, NULL);

    assert_fails("{'template': 'receipt', 'data': {}}", settings, "unknown_template",
                 "template: no template \"receipt\"");
    assert_fails("{'template': 'receipt'}", "{}", "unknown_template",
                 "(templates_dir is not set)");
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_missing_value_names_template_path_and_placeholder)
{
    char *settings, *dir = templates(&settings, "invoice.yaml", invoice_yaml, NULL);

    assert_fails("{'template': 'invoice', 'data': {'number': 1,"
                 " 'customer': {'nom': 'x'}}}", settings, "template_error",
                 "template \"invoice\": content[0].text: {{customer.name}}: "
                 "no value at \"customer.name\"");
    /* Inside a repeat, the path is the template's, not the item's. */
    assert_fails("{'template': 'invoice', 'data': {'number': 1,"
                 " 'customer': {'name': 'x'}, 'note': '', 'items':"
                 " [{'name': 'a', 'qty': 1}]}}", settings, "template_error",
                 "template \"invoice\": content[2].ol[0].$each: {{item.price}}: "
                 "no value at \"item.price\"");
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_repeat_over_a_non_array_and_objects_in_text_are_template_errors)
{
    char *settings, *dir = templates(&settings, "invoice.yaml", invoice_yaml, NULL);

    assert_fails("{'template': 'invoice', 'data': {'number': 1,"
                 " 'customer': {'name': 'x'}, 'note': '',"
                 " 'items': {'name': 'a'}}}", settings, "template_error",
                 "template \"invoice\": content[2].ol[0]: $repeat: \"items\" is not "
                 "an array");
    assert_fails("{'template': 'invoice', 'data': {'number': [1]}}", settings, "template_error",
                 "info.title: {{number}}: is an array, which cannot go inside a "
                 "longer string");
    free(settings);
    rm_rf(dir);
    /* $index and $number are numbers, with nothing below them. */
    dir = templates(&settings, "odd.yaml",
                    "content:\n  - $repeat: rows\n    $each:\n      stack:\n"
                    "        - '{{$index.x}}'\n        - $repeat: $number\n          $each: x\n",
                    NULL);
    assert_fails("{'template': 'odd', 'data': {'rows': [1]}}", settings, "template_error",
                 "content[0].$each.stack[0]: {{$index.x}}: no value at \"$index.x\"");
    free(settings);
    rm_rf(dir);
    dir = templates(&settings, "odd.yaml",
                    "content:\n  - $repeat: rows\n    $each:\n      stack:\n"
                    "        - $repeat: $number\n          $each: x\n", NULL);
    assert_fails("{'template': 'odd', 'data': {'rows': [1]}}", settings, "template_error",
                 "content[0].$each.stack[0]: $repeat: \"$number\" is not an array");
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_template_payload_takes_only_template_and_data)
{
    char *settings, *dir = templates(&settings, "invoice.yaml", invoice_yaml, NULL);

    assert_fails("{'template': 'invoice', 'content': []}", settings, "bad_input",
                 "content: unknown property with a template");
    assert_fails("{'template': 'invoice', 'data': [1]}", settings, "bad_input",
                 "data: must be an object");
    assert_fails("{'template': 7}", settings, "bad_input",
                 "template: must be a string");
    free(settings);
    rm_rf(dir);
}
END_TEST

START_TEST(test_expansion_beyond_max_definition_bytes_is_limit_exceeded)
{
    struct heft_type_conf t = { .name = "pdf.render", .nlimits = 1,
                                .limits = { { "max_definition_bytes", 2000 } } };
    char *settings, *dir = templates(&settings, "many.yaml",
        "content:\n"
        "  - $repeat: rows\n"
        "    $each:\n"
        "      - $repeat: rows\n"
        "        $as: inner\n"
        "        $each: 'a long line of text {{item}} {{inner}}'\n", NULL);
    json_t *rows = json_array(), *payload;
    struct heft_job *job;
    int i;

    /* 1000 x 1000 lines would be ~40 MB: stopped early. */
    for (i = 0; i < 1000; i++)
        json_array_append_new(rows, json_integer(i));
    payload = json_pack("{s:s, s:{s:o}}", "template", "many", "data", "rows", rows);
    job = fails_conf_with_json(payload, &t, settings, "limit_exceeded");
    assert_message_has(job, "template \"many\": the expanded document definition is more than "
                       "the max_definition_bytes limit (2000)");
    heft_job_destroy(job);
    free(settings);
    rm_rf(dir);
}
END_TEST

/* Templates are shared by every worker thread: several jobs expand the
 * same template at once. */
struct threaded {
    const void *state;
    int ok;
};

static void *render_invoices(void *arg)
{
    struct threaded *t = arg;
    int i;

    for (i = 0; i < 5; i++) {
        struct heft_job *job = job_new(payload_of(invoice_data), NULL);

        job->state = t->state;
        t->ok += run(job) == HEFT_OK && job->blob.len > 0;
        job->state = NULL;
        heft_job_destroy(job);
    }
    return NULL;
}

START_TEST(test_threads_share_templates_read_only)
{
    char *settings, *dir = templates(&settings, "invoice.yaml", invoice_yaml, NULL);
    void *state = pdf_settings(settings);
    struct threaded t[4];
    pthread_t th[4];
    int i;

    for (i = 0; i < 4; i++) {
        t[i].state = state;
        t[i].ok = 0;
        ck_assert_int_eq(pthread_create(&th[i], NULL, render_invoices, &t[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(t[i].ok, 5);
    }
    pdf_settings_free(state);
    free(settings);
    rm_rf(dir);
}
END_TEST

/* The templates_dir error for these files must be "DIR/" + want. */
static void assert_templates_refused(const char *want, ...)
{
    char *dir = temp_dir(), *settings = settings_in("{'templates_dir': '@DIR'}", dir), full[1024];
    struct heft_init_error e;
    const char *name;
    va_list ap;

    va_start(ap, want);
    while ((name = va_arg(ap, const char *)))
        write_text(dir, name, va_arg(ap, const char *));
    va_end(ap);
    e = pdf_settings_fail(settings);
    ck_assert_str_eq(e.key, "templates_dir");
    snprintf(full, sizeof full, "%s/%s", dir, want);
    ck_assert_msg(strncmp(e.msg, full, strlen(full)) == 0, "\"%s\" does not start with \"%s\"",
                  e.msg, full);
    free(settings);
    rm_rf(dir);
}

START_TEST(test_broken_templates_stop_init_naming_file_and_line)
{
    assert_templates_refused("bad.yaml:4: YAML syntax error: did not find expected ',' or ']' "
                             "(while parsing a flow sequence at line 3)", "bad.yaml",
                             "content:\n  - ok\n  - [unclosed\n", NULL);
    assert_templates_refused("open.yaml:4: content[1].text: \"{{\" without \"}}\"", "open.yaml",
                             "content:\n  - fine\n  -\n    text: 'Dear {{name'\n", NULL);
    assert_templates_refused("ph.yaml:2: content[0]: bad placeholder \"{{ a b }}\"", "ph.yaml",
                             "content:\n  - 'x {{ a b }}'\n", NULL);
    assert_templates_refused("r.yaml:1: content: $repeat must be an element of an array",
                             "r.yaml", "content:\n  $repeat: items\n  $each: x\n", NULL);
    assert_templates_refused("e.yaml:2: content[0]: $repeat needs $each", "e.yaml",
                             "content:\n  - $repeat: items\n", NULL);
    assert_templates_refused("k.yaml:2: content[0]: unknown key \"$for\"", "k.yaml",
                             "content:\n  - {$repeat: items, $each: x, $for: y}\n", NULL);
    assert_templates_refused("j.json:3: ", "j.json", "{\"content\":\n [\"a\",\n ]}\n", NULL);
    assert_templates_refused("d.json:1: duplicate object key", "d.json",
                             "{\"content\": [], \"content\": []}", NULL);
    assert_templates_refused("list.yaml:1: a template must be a document definition", "list.yaml",
                             "- a\n- b\n", NULL);
    assert_templates_refused("invoice.json and ", "invoice.json", "{\"content\": []}",
                             "invoice.yaml", "content: []\n", "other.txt", "not a template",
                             NULL);
}
END_TEST

START_TEST(test_templates_dir_ignores_other_files_and_must_exist)
{
    char *settings, *dir = templates(&settings, "README.txt", "{{ not a template", ".hidden.yaml",
                                     "[broken", "ok.yml", "content: ['{{x}}']\n", NULL);
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok_with(payload_of("{'template': 'ok', 'data': {'x': 'yml works'}}"), settings);
    assert_has_text(p->text, "yml works");
    pdf_free(p);
    assert_init_fails("{'templates_dir': '/nonexistent/templates'}", "templates_dir",
                      "/nonexistent/templates: No such file or directory");
    free(settings);
    rm_rf(dir);
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

    assert_init_fails("{'output': 'file'}", "output", "file needs output_dir");
    assert_init_fails("{'output': 'pdf', 'output_dir': '/tmp'}", "output",
                      "must be blob, file or both");
    assert_init_fails("{'output_dir': '/nonexistent/heft'}", "output_dir",
                      "/nonexistent/heft: No such file or directory");
    assert_init_fails("{'output_dir': 'relative/dir'}", "output_dir",
                      "must be an absolute path, got \"relative/dir\"");
    assert_init_fails("{'output_dir': '/etc/hostname'}", "output_dir",
                      "/etc/hostname is not a directory");
    assert_init_fails("{'output_dir': 12}", "output_dir", "must be the path of a directory");
    /* Exists but takes no files (even for root). */
    e = pdf_settings_fail("{'output_dir': '/proc'}");
    ck_assert_str_eq(e.key, "output_dir");
    ck_assert_msg(strstr(e.msg, "cannot create files in /proc: "), "%s", e.msg);
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
    TCase *images = tcase("images"), *tmpl = tcase("templates");

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
    tcase_add_test(images, test_image_file_names_are_found_in_the_first_image_dir_that_has_them);
    tcase_add_test(images, test_images_dictionary_names_data_urls_and_files_that_nodes_refer_to);
    tcase_add_test(images, test_absolute_and_dotdot_image_names_are_refused);
    tcase_add_test(images, test_a_symlink_cannot_lead_out_of_the_image_dir);
    tcase_add_test(images, test_missing_image_file_is_bad_input_naming_the_path);
    tcase_add_test(images, test_image_file_over_max_image_bytes_is_refused_before_reading);
    tcase_add_test(images, test_a_file_that_is_no_png_or_jpeg_is_unsupported);
    tcase_add_test(images, test_image_file_names_without_image_dirs_stay_unsupported);
    tcase_add_test(images, test_images_dictionary_must_map_names_to_strings);
    tcase_add_test(images, test_image_dirs_are_checked_at_init);
    tcase_add_test(tmpl, test_template_renders_with_its_placeholders_filled_from_data);
    tcase_add_test(tmpl, test_a_string_that_is_one_placeholder_takes_the_value_and_its_type);
    tcase_add_test(tmpl, test_repeat_splices_one_element_per_item_with_index_and_number);
    tcase_add_test(tmpl, test_unknown_template_fails_unknown_template);
    tcase_add_test(tmpl, test_missing_value_names_template_path_and_placeholder);
    tcase_add_test(tmpl, test_repeat_over_a_non_array_and_objects_in_text_are_template_errors);
    tcase_add_test(tmpl, test_template_payload_takes_only_template_and_data);
    tcase_add_test(tmpl, test_expansion_beyond_max_definition_bytes_is_limit_exceeded);
    tcase_add_test(tmpl, test_threads_share_templates_read_only);
    tcase_add_test(tmpl, test_broken_templates_stop_init_naming_file_and_line);
    tcase_add_test(tmpl, test_templates_dir_ignores_other_files_and_must_exist);
    suite_add_tcase(s, init);
    suite_add_tcase(s, tmpl);
    suite_add_tcase(s, images);
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
