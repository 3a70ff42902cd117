/*
 * check_pdf_decor.c - pdf.render's drawing around the text and over the
 * page: decorations (underline, lineThrough, overline and their styles),
 * run backgrounds, links, the watermark, the page background, encryption
 * and compression.  The conventions are those of check_pdf.c (payloads
 * with ' for ", positions in points from the page's top-left corner).
 *
 * What is drawn is seen with real tools: pixels of the page rendered by
 * pdftoppm (pixel_at: grey 0 black .. 255 white), words placed by
 * pdftotext -bbox, annotations and streams as qpdf --json=2 shows the
 * objects, passwords and permissions as pdfinfo, pdftotext and qpdf
 * --show-encryption take them.
 *
 * Where a decoration sits: for DejaVu Sans (ascender 0.928 em, descender
 * 0.236 em) the baseline is 0.928 / 1.164 of the way down a word's box,
 * and pdfmake puts an underline 0.45 x the descender below it, a
 * lineThrough 0.25 x the ascender above it, an overline 0.85 x the
 * ascender above it.  Tests probe between two words, where only the
 * decoration (drawn under the space too) can darken the page.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "job.h"
#include "pdf_harness.h"

#define ASC 0.928
#define DESC 0.236

/* ---- helpers ------------------------------------------------------------- */

/* The standard output of sh command cmd run with $f naming a file that
 * holds the job's PDF. */
static char *on_blob(const struct heft_job *job, const char *cmd, int *status)
{
    return capture_on_pdf(job, cmd, status);
}

/* A document that renders (run without looking at it: an encrypted PDF
 * needs its password before the usual tools can read it). */
static struct heft_job *rendered(const char *payload)
{
    struct heft_job *job = job_new(payload_of(payload), NULL);

    ck_assert_msg(run(job) == HEFT_OK, "pdf.render failed: %s: %s", job->code,
                  heft_buf_str(&job->message));
    return job;
}

/* The pages and objects of the PDF as qpdf --json=2 shows them. */
static json_t *qpdf_json(const struct heft_job *job)
{
    int st;
    char *out = on_blob(job, "qpdf --json=2 --json-key=pages --json-key=qpdf \"$f\"", &st);
    json_error_t err;
    json_t *j = json_loads(out, 0, &err);

    ck_assert_msg(st == 0 && j != NULL, "qpdf --json fails (exit %d, %s)", st, err.text);
    free(out);
    return j;
}

/* An object's value (a stream's dictionary) by reference, "12 0 R". */
static json_t *object(json_t *j, const char *ref)
{
    char key[64];
    json_t *o;

    snprintf(key, sizeof key, "obj:%s", ref);
    o = json_object_get(json_array_get(json_object_get(j, "qpdf"), 1), key);
    ck_assert_msg(o != NULL, "no object %s", ref);
    if (json_object_get(o, "stream"))
        return json_object_get(json_object_get(o, "stream"), "dict");
    return json_object_get(o, "value");
}

/* v, or the object v refers to when it is a reference. */
static json_t *deref(json_t *j, json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = s ? strlen(s) : 0;

    return n > 2 && strcmp(s + n - 2, " R") == 0 ? object(j, s) : v;
}

static const char *page_ref(json_t *j, int n)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(j, "pages"),
                                                            (size_t)n - 1), "object"));
}

/* The annotations of page n (1-based): an array (possibly empty). */
static json_t *annots(json_t *j, int n)
{
    json_t *a = json_object_get(object(j, page_ref(j, n)), "/Annots");

    return a ? deref(j, a) : NULL;     /* json_array_size(NULL) is 0 */
}

/* Page 1's one annotation (the test fails unless there is exactly one). */
static json_t *the_link(json_t *j)
{
    json_t *a = annots(j, 1);

    ck_assert_uint_eq(json_array_size(a), 1);
    return deref(j, json_array_get(a, 0));
}

static size_t links_on_page_1(const struct pdf *p)
{
    json_t *j = qpdf_json(p->job);
    size_t n = json_array_size(annots(j, 1));

    json_decref(j);
    return n;
}

static double rect_at(json_t *annot, size_t i)
{
    return json_number_value(json_array_get(json_object_get(annot, "/Rect"), i));
}

/* The annotation's box covers the word, within tol points; words are in
 * top-down coordinates, the /Rect bottom-up. */
static void assert_covers(json_t *annot, const struct word *w, double tol)
{
    assert_near(rect_at(annot, 0), w->x0, tol);
    assert_near(rect_at(annot, 2), w->x1, tol);
    assert_near(A4_H - rect_at(annot, 3), w->y0, tol);
    assert_near(A4_H - rect_at(annot, 1), w->y1, tol);
}

static void assert_no_border(json_t *annot)
{
    json_t *b = json_object_get(annot, "/Border");

    ck_assert_msg(json_array_size(b) == 3 && json_number_value(json_array_get(b, 2)) == 0,
                  "the link has a border");
}

/* A document that must fail, and what its message must name. */
struct bad {
    const char *doc, *names;
};

static void assert_all_fail(const char *code, const struct bad *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct heft_job *job = render_fails(bad[i].doc, code);
        assert_message_has(job, bad[i].names);
        heft_job_destroy(job);
    }
}

#define ASSERT_ALL_FAIL(code, table) \
    assert_all_fail(code, table, sizeof table / sizeof table[0])

/* Where a word's baseline is, top-down (DejaVu Sans). */
static double baseline(const struct word *w)
{
    return w->y0 + (w->y1 - w->y0) * ASC / (ASC + DESC);
}

/* The grey between the words `a` and `b` of page 1, dy points below the
 * baseline (negative: above). */
static int grey_between(const struct pdf *p, const char *a, const char *b, double dy)
{
    const struct word *wa = word(p, a), *wb = word(p, b);

    return pixel_at(p, (wa->x1 + wb->x0) / 2, baseline(wa) + dy);
}

/* ---- decoration ---------------------------------------------------------- */

/* pdfmake's default thickness at 60 pt: 0.5 + floor((60 - 8) / 2) x 0.12. */
#define LW60 3.62

START_TEST(test_underline_runs_under_the_words_and_the_space_between)
{
    struct pdf *p, *plain;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'ab  cd', 'fontSize': 60, 'decoration': 'underline'}}");
    plain = render_ok("{'content': {'text': 'ab  cd', 'fontSize': 60}}");
    ck_assert_int_lt(grey_between(p, "ab", "cd", 0.45 * DESC * 60), 100);
    ck_assert_int_gt(grey_between(plain, "ab", "cd", 0.45 * DESC * 60), 200);
    /* nothing through the middle of the letters' height */
    ck_assert_int_gt(grey_between(p, "ab", "cd", -0.5 * ASC * 60), 200);
    pdf_free(p);
    pdf_free(plain);
}
END_TEST

START_TEST(test_line_through_crosses_the_text_a_quarter_up_the_ascender)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'ab  cd', 'fontSize': 60, 'decoration': 'lineThrough'}}");
    ck_assert_int_lt(grey_between(p, "ab", "cd", -0.25 * ASC * 60), 100);
    ck_assert_int_gt(grey_between(p, "ab", "cd", 0.45 * DESC * 60), 200);
    pdf_free(p);
}
END_TEST

START_TEST(test_overline_and_underline_together_from_an_array)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'ab  cd', 'fontSize': 60,"
                  " 'decoration': ['overline', 'underline']}}");
    ck_assert_int_lt(grey_between(p, "ab", "cd", -0.85 * ASC * 60), 100);
    ck_assert_int_lt(grey_between(p, "ab", "cd", 0.45 * DESC * 60), 100);
    ck_assert_int_gt(grey_between(p, "ab", "cd", -0.25 * ASC * 60), 200);
    pdf_free(p);
}
END_TEST

START_TEST(test_decoration_takes_the_text_colour_unless_decoration_color_is_given)
{
    struct pdf *red, *blue_on_red;
    int g_red, g_blue;

    NEED_PDF_TOOLS();
    red = render_ok("{'content': {'text': 'ab  cd', 'fontSize': 60, 'color': 'red',"
                    " 'decoration': 'underline', 'decorationThickness': 8}}");
    blue_on_red = render_ok("{'content': {'text': 'ab  cd', 'fontSize': 60, 'color': 'red',"
                            " 'decoration': 'underline', 'decorationThickness': 8,"
                            " 'decorationColor': '#0000ff'}}");
    g_red = grey_between(red, "ab", "cd", 0.45 * DESC * 60);
    g_blue = grey_between(blue_on_red, "ab", "cd", 0.45 * DESC * 60);
    /* as grey levels: red (~54-76) is lighter than blue (~18-29), neither white */
    ck_assert_int_lt(g_red, 140);
    ck_assert_int_lt(g_blue, g_red - 15);
    pdf_free(red);
    pdf_free(blue_on_red);
}
END_TEST

START_TEST(test_decoration_thickness_defaults_to_grow_with_the_font_size)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'ab  cd', 'fontSize': 60, 'decoration': 'underline'}}");
    /* 3.62 pt thick: dark at its centre, white 3 pt beyond either edge */
    ck_assert_int_lt(grey_between(p, "ab", "cd", 0.45 * DESC * 60), 100);
    ck_assert_int_gt(grey_between(p, "ab", "cd", 0.45 * DESC * 60 + LW60 / 2 + 3), 200);
    pdf_free(p);
}
END_TEST

/* How many times an operator ends a line of page 1's content stream, as
 * qpdf decompresses it. */
static int count_ops(const struct heft_job *job, const char *op)
{
    char cmd[256], *out;
    int st, n;

    snprintf(cmd, sizeof cmd, "n=$(qpdf --show-pages \"$f\" | awk 'NR == 3 { print $1 }'); "
             "qpdf --show-object=\"$n\" --filtered-stream-data \"$f\" | grep -c ' %s$'", op);
    out = on_blob(job, cmd, &st);
    n = atoi(out);
    free(out);
    return n;
}

static const struct {
    const char *style;
    const char *op;     /* the path operator that draws it */
    int min, max;       /* how many in a 'ab  cd' line at 60 pt */
} styles[] = {
    { "solid", "re", 1, 1 },
    { "double", "re", 2, 2 },
    { "dashed", "re", 15, 40 },     /* one every 6.8 pt over ~120 pt */
    { "dotted", "re", 8, 20 },      /* one every 3 x 3.62 pt */
    { "wavy", "c", 40, 120 },       /* two curves every 4.2 pt */
};

START_TEST(test_decoration_style_is_drawn_as_pdfmake_draws_it)
{
    struct heft_job *job;
    char payload[256];
    int n;

    NEED_PDF_TOOLS();
    snprintf(payload, sizeof payload, "{'content': {'text': 'ab  cd', 'fontSize': 60,"
             " 'decoration': 'underline', 'decorationStyle': '%s'}}", styles[_i].style);
    job = rendered(payload);
    n = count_ops(job, styles[_i].op);
    ck_assert_msg(n >= styles[_i].min && n <= styles[_i].max,
                  "%s: %d \"%s\" operators, expected %d..%d", styles[_i].style, n,
                  styles[_i].op, styles[_i].min, styles[_i].max);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_decoration_is_inherited_from_styles_default_style_and_parents)
{
    static const char *const docs[] = {
        "{'content': {'text': 'ab  cd', 'style': 'u'}, 'styles': {'u': {'decoration': 'underline',"
        " 'fontSize': 60}}}",
        "{'content': 'ab  cd', 'defaultStyle': {'decoration': 'underline', 'fontSize': 60}}",
        "{'content': {'stack': ['ab  cd'], 'decoration': 'underline', 'fontSize': 60}}",
        "{'content': {'text': [{'text': 'ab  cd'}], 'decoration': 'underline', 'fontSize': 60}}",
    };

    NEED_PDF_TOOLS();
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct pdf *p = render_ok(docs[i]);
        ck_assert_msg(grey_between(p, "ab", "cd", 0.45 * DESC * 60) < 100,
                      "no underline in %s", docs[i]);
        pdf_free(p);
    }
}
END_TEST

START_TEST(test_decoration_of_one_run_stops_at_its_end)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': [{'text': 'ab  ', 'decoration': 'underline'}, 'cd  ef'],"
                  " 'fontSize': 60}}");
    ck_assert_int_lt(grey_between(p, "ab", "cd", 0.45 * DESC * 60), 100);
    ck_assert_int_gt(grey_between(p, "cd", "ef", 0.45 * DESC * 60), 200);
    pdf_free(p);
}
END_TEST

START_TEST(test_justified_underline_spans_the_stretched_spaces)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'ab cd abcdefghijklmnopqrstuvwxy',"
                  " 'fontSize': 30, 'alignment': 'justify', 'decoration': 'underline'}}");
    /* the long word goes to the next line: the first is stretched wide */
    ck_assert_double_gt(word(p, "cd")->x0 - word(p, "ab")->x1, 100);
    ck_assert_int_lt(grey_between(p, "ab", "cd", 0.45 * DESC * 30), 120);
    pdf_free(p);
}
END_TEST

START_TEST(test_decoration_bad_values_are_bad_input_naming_the_path)
{
    static const struct bad bad[] = {
        { "{'content': ['ok', {'text': 'x', 'decoration': 'underlined'}]}",
          "content[1].decoration" },
        { "{'content': ['ok', {'text': 'x', 'decoration': ['underline', 3]}]}",
          "content[1].decoration" },
        { "{'content': ['ok', {'text': 'x', 'decorationStyle': 'zigzag'}]}",
          "content[1].decorationStyle" },
        { "{'content': ['ok', {'text': 'x', 'decorationColor': 'reddish'}]}",
          "content[1].decorationColor" },
        { "{'content': ['ok', {'text': 'x', 'decorationThickness': 0}]}",
          "content[1].decorationThickness" },
        { "{'content': 'x', 'styles': {'s': {'decoration': true}}}", "styles.s.decoration" },
        { "{'content': ['ok', {'text': 'x', 'background': 5}]}", "content[1].background" },
    };

    ASSERT_ALL_FAIL("bad_input", bad);
}
END_TEST

/* ---- run background -------------------------------------------------------- */

START_TEST(test_background_fills_the_line_height_behind_the_run_only)
{
    struct pdf *p;
    const struct word *ab, *cd;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': [{'text': 'ab  cd', 'background': 'gray'}, '  ef'],"
                  " 'fontSize': 40}}");
    ab = word(p, "ab");
    cd = word(p, "cd");
    /* grey 128 between the words, from the line's top to its bottom */
    assert_near(pixel_at(p, (ab->x1 + cd->x0) / 2, ab->y0 + 3), 128, 25);
    assert_near(pixel_at(p, (ab->x1 + cd->x0) / 2, ab->y1 - 3), 128, 25);
    /* white above the line and after the run */
    ck_assert_int_gt(pixel_at(p, (ab->x1 + cd->x0) / 2, ab->y0 - 4), 240);
    ck_assert_int_gt(pixel_at(p, (cd->x1 + word(p, "ef")->x0) / 2, baseline(cd) - 10), 240);
    /* the text is still there, on top */
    assert_has_text(p->text, "ab cd ef");
    pdf_free(p);
}
END_TEST

/* ---- links ----------------------------------------------------------------- */

START_TEST(test_link_is_a_borderless_uri_annotation_over_the_word)
{
    struct pdf *p;
    json_t *j, *a, *action;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': ['Read ', {'text': 'this', 'link': "
                  "'https://example.com/a?b=(c)'}, ' now'], 'fontSize': 20}}");
    j = qpdf_json(p->job);
    a = the_link(j);
    action = deref(j, json_object_get(a, "/A"));
    ck_assert_str_eq(json_string_value(json_object_get(a, "/Subtype")), "/Link");
    ck_assert_str_eq(json_string_value(json_object_get(action, "/S")), "/URI");
    ck_assert_str_eq(json_string_value(json_object_get(action, "/URI")),
                     "u:https://example.com/a?b=(c)");
    assert_covers(a, word(p, "this"), 1.5);
    assert_no_border(a);
    json_decref(j);
    pdf_free(p);
}
END_TEST

START_TEST(test_link_on_a_paragraph_gives_each_of_its_lines_an_annotation)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'first line\\nsecond line', 'link': 'https://example.com'}}");
    ck_assert_uint_eq(links_on_page_1(p), 2);
    pdf_free(p);
}
END_TEST

START_TEST(test_link_is_inherited_from_a_named_style)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'styled', 'style': 'a'},"
                  " 'styles': {'a': {'link': 'mailto:x@example.com'}}}");
    ck_assert_uint_eq(links_on_page_1(p), 1);
    pdf_free(p);
}
END_TEST

START_TEST(test_link_to_page_goes_to_that_page)
{
    struct pdf *p;
    json_t *j, *a, *dest;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'jump', 'linkToPage': 3}, {'text': 'two', 'pageBreak':"
                  " 'before'}, {'text': 'three', 'pageBreak': 'before'}]}");
    ck_assert_int_eq(p->pages, 3);
    j = qpdf_json(p->job);
    a = the_link(j);
    dest = deref(j, json_object_get(a, "/Dest"));
    ck_assert_msg(json_is_array(dest), "the link has no /Dest array");
    ck_assert_str_eq(json_string_value(json_array_get(dest, 0)), page_ref(j, 3));
    assert_covers(a, word(p, "jump"), 1.5);
    assert_no_border(a);
    json_decref(j);
    pdf_free(p);
}
END_TEST

START_TEST(test_link_to_a_page_past_the_end_is_no_link)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'nowhere', 'linkToPage': 5}, 'more']}");
    ck_assert_uint_eq(links_on_page_1(p), 0);
    assert_has_text(p->text, "nowhere more");
    pdf_free(p);
}
END_TEST

/* A 20 x 10 red PNG. */
#define PNG_20X10 "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABQAAAAKCAIAAAA7N+mxAAAAFUlEQVR" \
    "42mP4z8BANmIY1TyqmRACADFExzlExWpRAAAAAElFTkSuQmCC"

START_TEST(test_link_on_an_image_covers_the_image)
{
    struct pdf *p;
    json_t *j, *a;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'image': '" PNG_20X10 "', 'width': 100, 'link': "
                  "'https://example.com/img'}]}");
    j = qpdf_json(p->job);
    a = the_link(j);
    /* at the top-left margin corner, 100 x 50 */
    assert_near(rect_at(a, 0), 40, 0.01);
    assert_near(rect_at(a, 2), 140, 0.01);
    assert_near(rect_at(a, 3), A4_H - 40, 0.01);
    assert_near(rect_at(a, 1), A4_H - 90, 0.01);
    json_decref(j);
    pdf_free(p);
}
END_TEST

START_TEST(test_link_bad_values_are_bad_input_naming_the_path)
{
    static const struct bad bad[] = {
        { "{'content': ['ok', {'text': 'x', 'link': 5}]}", "content[1].link" },
        { "{'content': ['ok', {'text': 'x', 'link': ''}]}", "content[1].link" },
        { "{'content': ['ok', {'text': 'x', 'linkToPage': 0}]}", "content[1].linkToPage" },
        { "{'content': ['ok', {'text': 'x', 'linkToPage': 1.5}]}", "content[1].linkToPage" },
        { "{'content': ['ok', {'text': 'x', 'linkToPage': '2'}]}", "content[1].linkToPage" },
    };

    ASSERT_ALL_FAIL("bad_input", bad);
}
END_TEST

/* ---- watermark --------------------------------------------------------------- */

START_TEST(test_watermark_string_is_on_every_page)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'watermark': {'text': 'DRAFT', 'angle': 0}, 'content': ['one',"
                  " {'text': 'two', 'pageBreak': 'before'}, {'text': 'three', 'pageBreak': 'before'}]}");
    ck_assert_int_eq(p->pages, 3);
    for (int i = 1; i <= 3; i++)
        assert_page_has(p, i, "DRAFT");
    pdf_free(p);
}
END_TEST

START_TEST(test_watermark_runs_up_the_diagonal_by_default)
{
    struct pdf *p;
    const struct word *left = NULL, *right = NULL;

    NEED_PDF_TOOLS();
    p = render_ok("{'watermark': 'DRAFT', 'content': 'x'}");
    /* pdftotext cuts rotated text into pieces: take the outermost ones */
    for (size_t i = 0; i < p->nwords; i++) {
        const struct word *w = &p->words[i];
        if (strspn(w->text, "DRAFT") != strlen(w->text))
            continue;
        left = !left || w->x0 < left->x0 ? w : left;
        right = !right || w->x1 > right->x1 ? w : right;
    }
    ck_assert_ptr_nonnull(left);
    ck_assert_ptr_ne(left, right);
    /* from the bottom left up to the top right, across the page */
    ck_assert_double_gt((left->y0 + left->y1) / 2, (right->y0 + right->y1) / 2 + 200);
    ck_assert_double_gt(right->x1 - left->x0, A4_W * 0.8);
    pdf_free(p);
}
END_TEST

START_TEST(test_watermark_is_sized_to_fit_the_page)
{
    struct pdf *p;
    const struct word *w;

    NEED_PDF_TOOLS();
    p = render_ok("{'watermark': {'text': 'DRAFT', 'angle': 0}, 'content': 'x'}");
    w = word(p, "DRAFT");
    /* level: as wide as the page, give or take pdfmake's 1 pt of font size */
    ck_assert_double_ge(w->x0, 0);
    ck_assert_double_le(w->x1, A4_W);
    ck_assert_double_gt(w->x1 - w->x0, A4_W * 0.95);
    /* centred */
    assert_near((w->y0 + w->y1) / 2, A4_H / 2, 2);
    pdf_free(p);
}
END_TEST

/* A full block (U+2588) watermark covers the page's centre. */
#define BLOCK_WM(props) "{'watermark': {'text': '\u2588', 'fontSize': 200, 'angle': 0" props "}," \
    " 'content': 'x'}"

START_TEST(test_watermark_is_drawn_translucent_at_opacity_0_6)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok(BLOCK_WM(""));
    /* black at 0.6 over white: 0.4 x 255 = 102 */
    assert_near(pixel_at(p, A4_W / 2, A4_H / 2), 102, 20);
    pdf_free(p);
}
END_TEST

START_TEST(test_watermark_opacity_and_colour_are_honoured)
{
    struct pdf *opaque, *grey;

    NEED_PDF_TOOLS();
    opaque = render_ok(BLOCK_WM(", 'opacity': 1"));
    grey = render_ok(BLOCK_WM(", 'opacity': 1, 'color': '#808080'"));
    ck_assert_int_lt(pixel_at(opaque, A4_W / 2, A4_H / 2), 20);
    assert_near(pixel_at(grey, A4_W / 2, A4_H / 2), 128, 20);
    pdf_free(opaque);
    pdf_free(grey);
}
END_TEST

START_TEST(test_watermark_font_size_bold_and_font_are_honoured)
{
    struct pdf *p;
    const struct word *w;

    NEED_PDF_TOOLS();
    p = render_ok("{'watermark': {'text': 'MARK', 'fontSize': 50, 'angle': 0, 'bold': true,"
                  " 'font': 'Helvetica'}, 'content': 'x'}");
    w = word(p, "MARK");
    assert_near(w->x1 - w->x0, 50 * 2.999, 1);     /* Helvetica-Bold: M A R K = 2999/1000 em */
    ck_assert_msg(strstr(p->fonts, "Helvetica-Bold") != NULL, "fonts:\n%s", p->fonts);
    pdf_free(p);
}
END_TEST

START_TEST(test_watermark_on_a_big_page_may_be_larger_than_libharus_largest_font_size)
{
    struct pdf *p;
    const struct word *w;

    NEED_PDF_TOOLS();
    /* A0 is 2384 pt wide: the fitted size is near 1000, libharu stops at 600 */
    p = render_ok("{'pageSize': 'A0', 'watermark': {'text': 'DRAFT', 'angle': 0},"
                  " 'content': 'x'}");
    w = word(p, "DRAFT");
    ck_assert_double_gt(w->x1 - w->x0, 2383.94 * 0.95);
    ck_assert_double_le(w->x1, 2383.94);
    pdf_free(p);
}
END_TEST

START_TEST(test_watermark_with_empty_text_is_none)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'watermark': '', 'content': 'only this'}");
    assert_has_text(p->text, "only this");
    ck_assert_uint_eq(p->nwords, 2);
    pdf_free(p);
}
END_TEST

START_TEST(test_watermark_bad_values_are_bad_input_naming_the_key)
{
    static const struct bad bad[] = {
        { "{'watermark': 5, 'content': 'x'}", "watermark" },
        { "{'watermark': {'color': 'red'}, 'content': 'x'}", "watermark.text" },
        { "{'watermark': {'text': 'A', 'opacity': 2}, 'content': 'x'}", "watermark.opacity" },
        { "{'watermark': {'text': 'A', 'angle': 'up'}, 'content': 'x'}", "watermark.angle" },
        { "{'watermark': {'text': 'A', 'fontSize': -3}, 'content': 'x'}", "watermark.fontSize" },
        { "{'watermark': {'text': 'A', 'italic': true}, 'content': 'x'}", "italic" },
    };

    ASSERT_ALL_FAIL("bad_input", bad);
}
END_TEST

/* ---- page background ------------------------------------------------------------ */

START_TEST(test_background_text_is_at_the_top_left_corner_of_every_page)
{
    struct pdf *p;
    int seen = 0;

    NEED_PDF_TOOLS();
    p = render_ok("{'background': 'Backdrop', 'pageMargins': 80,"
                  " 'content': ['one', {'text': 'two', 'pageBreak': 'before'}]}");
    for (size_t i = 0; i < p->nwords; i++)
        if (strcmp(p->words[i].text, "Backdrop") == 0) {
            assert_near(p->words[i].x0, 0, 0.5);
            assert_near(p->words[i].y0, 0, 0.5);
            seen |= 1 << (p->words[i].page - 1);
        }
    ck_assert_int_eq(seen, 3);
    assert_near(word(p, "one")->x0, 80, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_background_node_takes_styles_margins_and_alignment)
{
    struct pdf *p;
    const struct word *w;

    NEED_PDF_TOOLS();
    p = render_ok("{'background': {'text': 'Backdrop', 'alignment': 'right', 'margin': [0, 30, 20, 0],"
                  " 'style': 'bg'}, 'styles': {'bg': {'fontSize': 20}}, 'content': 'x'}");
    w = word(p, "Backdrop");
    assert_near(w->x1, A4_W - 20, 0.5);
    assert_near(w->y0, 30, 0.5);
    assert_near(height(w), 20 * (ASC + DESC), 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_background_lies_under_the_page_content)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    /* a grey band at the page top, with a black block over it drawn by the content */
    p = render_ok("{'background': {'text': 'Behind', 'background': 'gray', 'fontSize': 100},"
                  " 'pageMargins': 0, 'content': {'text': '\\u2588', 'fontSize': 40}}");
    assert_has_text(p->text, "Behind");
    assert_near(pixel_at(p, 100, 110), 128, 25);        /* the band, right of the block */
    ck_assert_int_lt(pixel_at(p, 12, 20), 20);          /* the block, black on top */
    pdf_free(p);
}
END_TEST

START_TEST(test_background_other_than_text_is_unsupported)
{
    static const struct bad bad[] = {
        { "{'background': {'image': '" PNG_20X10 "'}, 'content': 'x'}", "background" },
        { "{'background': [{'text': 'a'}], 'content': 'x'}", "background" },
        { "{'background': {'canvas': []}, 'content': 'x'}", "background" },
    };

    ASSERT_ALL_FAIL("unsupported", bad);
}
END_TEST

START_TEST(test_background_margins_must_leave_room_on_the_page)
{
    static const struct bad bad[] = {
        { "{'background': {'text': 'a', 'margin': [300, 0, 300, 0]}, 'content': 'x'}",
          "background.margin" },
    };

    ASSERT_ALL_FAIL("bad_input", bad);
}
END_TEST

/* ---- encryption ------------------------------------------------------------------- */

START_TEST(test_user_password_locks_the_text)
{
    struct heft_job *job;
    const char *enc;
    char *out;
    int st;

    NEED_PDF_TOOLS();
    job = rendered("{'content': 'Secret words', 'userPassword': 'open sesame',"
                   " 'ownerPassword': 'boss'}");
    out = on_blob(job, "pdftotext \"$f\" - 2>&1", &st);
    ck_assert_int_ne(st, 0);
    ck_assert_msg(strstr(out, "Incorrect password") != NULL, "pdftotext says: %s", out);
    ck_assert_msg(strstr(out, "Secret") == NULL, "the text leaked: %s", out);
    free(out);
    out = on_blob(job, "pdftotext -upw 'open sesame' \"$f\" -", &st);
    ck_assert_int_eq(st, 0);
    assert_has_text(out, "Secret words");
    free(out);
    out = on_blob(job, "pdfinfo -upw 'open sesame' \"$f\"", &st);
    ck_assert_int_eq(st, 0);
    enc = strstr(out, "Encrypted:");
    ck_assert_msg(enc != NULL, "pdfinfo:\n%s", out);
    enc += strlen("Encrypted:");
    ck_assert_msg(strncmp(enc + strspn(enc, " "), "yes", 3) == 0, "pdfinfo:\n%s", out);
    free(out);
    out = on_blob(job, "qpdf --check --password='open sesame' \"$f\" 2>&1", &st);
    ck_assert_msg(st == 0, "qpdf --check:\n%s", out);
    free(out);
    /* the owner password opens it too */
    out = on_blob(job, "pdftotext -opw boss \"$f\" -", &st);
    ck_assert_int_eq(st, 0);
    assert_has_text(out, "Secret words");
    free(out);
    heft_job_destroy(job);
}
END_TEST

/* qpdf --show-encryption, opened with password (NULL: none). */
static char *encryption(const struct heft_job *job, const char *password)
{
    char cmd[256];
    char *out;
    int st;

    snprintf(cmd, sizeof cmd, "qpdf --show-encryption %s%s%s \"$f\" 2>&1",
             password ? "--password='" : "", password ? password : "", password ? "'" : "");
    out = on_blob(job, cmd, &st);
    ck_assert_msg(st == 0, "qpdf --show-encryption:\n%s", out);
    return out;
}

static void assert_line(const char *text, const char *line)
{
    ck_assert_msg(strstr(text, line) != NULL, "no \"%s\" in:\n%s", line, text);
}

START_TEST(test_encryption_is_rc4_128_bit)
{
    struct heft_job *job;
    char *out;

    NEED_PDF_TOOLS();
    job = rendered("{'content': 'x', 'userPassword': 'u', 'ownerPassword': 'o'}");
    out = encryption(job, "u");
    assert_line(out, "R = 3");          /* revision 3: RC4 with a 128-bit key */
    free(out);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_owner_password_alone_opens_freely_but_grants_only_the_permissions_given)
{
    struct heft_job *job;
    char *out;
    int st;

    NEED_PDF_TOOLS();
    job = rendered("{'content': 'Open words', 'ownerPassword': 'boss',"
                   " 'permissions': {'printing': 'lowResolution', 'copying': true}}");
    out = on_blob(job, "pdftotext \"$f\" -", &st);
    ck_assert_int_eq(st, 0);
    assert_has_text(out, "Open words");
    free(out);
    out = encryption(job, NULL);
    assert_line(out, "print low resolution: allowed");
    assert_line(out, "print high resolution: not allowed");
    assert_line(out, "extract for any purpose: allowed");
    assert_line(out, "modify other: not allowed");
    assert_line(out, "modify annotations: not allowed");
    assert_line(out, "modify forms: not allowed");
    assert_line(out, "extract for accessibility: not allowed");
    assert_line(out, "modify document assembly: not allowed");
    free(out);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_every_pdfmake_permission_maps_to_its_pdf_bit)
{
    struct heft_job *job;
    char *out;

    NEED_PDF_TOOLS();
    job = rendered("{'content': 'x', 'ownerPassword': 'boss', 'permissions': {"
                   "'printing': 'highResolution', 'modifying': true, 'copying': true,"
                   " 'annotating': true, 'fillingForms': true, 'contentAccessibility': true,"
                   " 'documentAssembly': true}}");
    out = encryption(job, NULL);
    assert_line(out, "P = -4");
    assert_line(out, "print low resolution: allowed");
    assert_line(out, "print high resolution: allowed");
    assert_line(out, "modify other: allowed");
    assert_line(out, "extract for any purpose: allowed");
    assert_line(out, "modify annotations: allowed");
    assert_line(out, "modify forms: allowed");
    assert_line(out, "extract for accessibility: allowed");
    assert_line(out, "modify document assembly: allowed");
    free(out);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_no_permissions_with_an_owner_password_denies_everything)
{
    struct heft_job *job;
    char *out;

    NEED_PDF_TOOLS();
    job = rendered("{'content': 'x', 'ownerPassword': 'boss'}");
    out = encryption(job, NULL);
    assert_line(out, "P = -3904");       /* 0xFFFFF0C0: nothing granted */
    free(out);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_user_password_alone_lets_its_reader_do_everything)
{
    struct heft_job *job;
    char *out;

    NEED_PDF_TOOLS();
    job = rendered("{'content': 'x', 'userPassword': 'u'}");
    out = encryption(job, "u");
    assert_line(out, "P = -4");
    assert_line(out, "Supplied password is user password");
    free(out);
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_encryption_bad_values_are_bad_input_naming_the_key)
{
    static const struct bad bad[] = {
        { "{'content': 'x', 'ownerPassword': 5}", "ownerPassword" },
        { "{'content': 'x', 'userPassword': ['a']}", "userPassword" },
        { "{'content': 'x', 'ownerPassword': 'o', 'permissions': true}", "permissions" },
        { "{'content': 'x', 'ownerPassword': 'o', 'permissions': {'copying': 'yes'}}",
          "permissions.copying" },
        { "{'content': 'x', 'ownerPassword': 'o', 'permissions': {'printing': 'color'}}",
          "permissions.printing" },
        { "{'content': 'x', 'ownerPassword': 'o', 'permissions': {'printng': 'lowResolution'}}",
          "printng" },
        { "{'content': 'x', 'permissions': {'copying': true}}", "permissions" },
    };

    ASSERT_ALL_FAIL("bad_input", bad);
}
END_TEST

/* ---- compression --------------------------------------------------------------------- */

START_TEST(test_page_content_streams_are_flate_compressed)
{
    struct pdf *p;
    json_t *j, *pages;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['one', {'text': 'two', 'pageBreak': 'before'}],"
                  " 'watermark': 'W', 'compress': false}");
    j = qpdf_json(p->job);
    pages = json_object_get(j, "pages");
    ck_assert_uint_eq(json_array_size(pages), 2);
    for (size_t i = 0; i < json_array_size(pages); i++) {
        json_t *contents = json_object_get(json_array_get(pages, i), "contents");
        ck_assert_uint_ge(json_array_size(contents), 1);
        for (size_t k = 0; k < json_array_size(contents); k++) {
            json_t *filter = json_object_get(
                object(j, json_string_value(json_array_get(contents, k))), "/Filter");
            const char *f = json_string_value(json_is_array(filter) ? json_array_get(filter, 0)
                                                                    : filter);
            ck_assert_msg(f && strcmp(f, "/FlateDecode") == 0,
                          "page %zu content stream is not Flate-compressed", i + 1);
        }
    }
    json_decref(j);
    pdf_free(p);
}
END_TEST

/* ---- suite ------------------------------------------------------------------------------ */

static Suite *decor_suite(void)
{
    Suite *s = suite_create("pdf.render decor");
    TCase *tc;

    tc = tcase("decoration");
    tcase_add_test(tc, test_underline_runs_under_the_words_and_the_space_between);
    tcase_add_test(tc, test_line_through_crosses_the_text_a_quarter_up_the_ascender);
    tcase_add_test(tc, test_overline_and_underline_together_from_an_array);
    tcase_add_test(tc, test_decoration_takes_the_text_colour_unless_decoration_color_is_given);
    tcase_add_test(tc, test_decoration_thickness_defaults_to_grow_with_the_font_size);
    tcase_add_loop_test(tc, test_decoration_style_is_drawn_as_pdfmake_draws_it, 0,
                        (int)(sizeof styles / sizeof styles[0]));
    tcase_add_test(tc, test_decoration_is_inherited_from_styles_default_style_and_parents);
    tcase_add_test(tc, test_decoration_of_one_run_stops_at_its_end);
    tcase_add_test(tc, test_justified_underline_spans_the_stretched_spaces);
    tcase_add_test(tc, test_decoration_bad_values_are_bad_input_naming_the_path);
    tcase_add_test(tc, test_background_fills_the_line_height_behind_the_run_only);
    suite_add_tcase(s, tc);

    tc = tcase("links");
    tcase_add_test(tc, test_link_is_a_borderless_uri_annotation_over_the_word);
    tcase_add_test(tc, test_link_on_a_paragraph_gives_each_of_its_lines_an_annotation);
    tcase_add_test(tc, test_link_is_inherited_from_a_named_style);
    tcase_add_test(tc, test_link_to_page_goes_to_that_page);
    tcase_add_test(tc, test_link_to_a_page_past_the_end_is_no_link);
    tcase_add_test(tc, test_link_on_an_image_covers_the_image);
    tcase_add_test(tc, test_link_bad_values_are_bad_input_naming_the_path);
    suite_add_tcase(s, tc);

    tc = tcase("watermark");
    tcase_add_test(tc, test_watermark_string_is_on_every_page);
    tcase_add_test(tc, test_watermark_runs_up_the_diagonal_by_default);
    tcase_add_test(tc, test_watermark_is_sized_to_fit_the_page);
    tcase_add_test(tc, test_watermark_is_drawn_translucent_at_opacity_0_6);
    tcase_add_test(tc, test_watermark_opacity_and_colour_are_honoured);
    tcase_add_test(tc, test_watermark_font_size_bold_and_font_are_honoured);
    tcase_add_test(tc, test_watermark_on_a_big_page_may_be_larger_than_libharus_largest_font_size);
    tcase_add_test(tc, test_watermark_with_empty_text_is_none);
    tcase_add_test(tc, test_watermark_bad_values_are_bad_input_naming_the_key);
    suite_add_tcase(s, tc);

    tc = tcase("background");
    tcase_add_test(tc, test_background_text_is_at_the_top_left_corner_of_every_page);
    tcase_add_test(tc, test_background_node_takes_styles_margins_and_alignment);
    tcase_add_test(tc, test_background_lies_under_the_page_content);
    tcase_add_test(tc, test_background_other_than_text_is_unsupported);
    tcase_add_test(tc, test_background_margins_must_leave_room_on_the_page);
    suite_add_tcase(s, tc);

    tc = tcase("encryption");
    tcase_add_test(tc, test_user_password_locks_the_text);
    tcase_add_test(tc, test_encryption_is_rc4_128_bit);
    tcase_add_test(tc, test_owner_password_alone_opens_freely_but_grants_only_the_permissions_given);
    tcase_add_test(tc, test_every_pdfmake_permission_maps_to_its_pdf_bit);
    tcase_add_test(tc, test_no_permissions_with_an_owner_password_denies_everything);
    tcase_add_test(tc, test_user_password_alone_lets_its_reader_do_everything);
    tcase_add_test(tc, test_encryption_bad_values_are_bad_input_naming_the_key);
    suite_add_tcase(s, tc);

    tc = tcase("compression");
    tcase_add_test(tc, test_page_content_streams_are_flate_compressed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(decor_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
