/*
 * check_pdf_table.c - tables and columns in pdf.render, as pdfmake lays
 * them out: where cells and columns land, how rows and header rows behave
 * across pages, spans, fills, layouts, and the errors a wrong table gets.
 *
 * Geometry of pdfmake's default table layout, which the expected
 * positions below follow: 1 pt lines around every cell, cells padded 4 pt
 * left and right and 2 pt top and bottom; the default page margins are
 * 40 pt, so the first cell's text starts at x = 40 + 1 + 4 = 45.
 * Positions are points from the top-left corner (pdftotext -bbox).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf_harness.h"

#define LEFT 40.0           /* default page margin */
#define CONTENT_W (A4_W - 2 * LEFT)

/* {'content': [ <n> paragraphs, then what ] } with ' for " */
static struct pdf *after_paragraphs(int n, const char *what, const char *page)
{
    char *doc = malloc(65536);
    size_t len = 0;

    ck_assert_ptr_nonnull(doc);
    len += (size_t)snprintf(doc + len, 65536 - len, "{%s 'content': [", page);
    for (int i = 1; i <= n; i++)
        len += (size_t)snprintf(doc + len, 65536 - len, "'filler %d', ", i);
    snprintf(doc + len, 65536 - len, "%s]}", what);
    struct pdf *p = render_ok(doc);
    free(doc);
    return p;
}

/* A table of n rows: a header row "Heading" then rows "row K". */
static struct pdf *long_table(int n, int header_rows)
{
    json_t *body = json_array();

    json_array_append_new(body, json_pack("[s, s]", "Heading", "Second"));
    for (int i = 1; i < n; i++) {
        char cell[32];
        snprintf(cell, sizeof cell, "row %d", i);
        json_array_append_new(body, json_pack("[s, s]", cell, "x"));
    }
    return render_ok_conf(json_pack("{s:{s:{s:o, s:i}}}", "content", "table", "body", body,
                                    "headerRows", header_rows), NULL);
}

/* The first word of page n (1-based) in reading order. */
static const struct word *first_word_on(const struct pdf *p, int page)
{
    for (size_t i = 0; i < p->nwords; i++)
        if (p->words[i].page == page)
            return &p->words[i];
    ck_abort_msg("page %d has no words", page);
    return NULL;
}

/* ---- cells -------------------------------------------------------------- */

START_TEST(test_table_cells_sit_in_rows_and_columns)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'body': [['alpha', 'beta'], ['gamma', 'delta']]}}}");
    assert_near(word(p, "alpha")->x0, LEFT + 5, 0.5);
    assert_near(word(p, "beta")->y0, word(p, "alpha")->y0, 0.1);
    assert_near(word(p, "gamma")->x0, word(p, "alpha")->x0, 0.1);
    ck_assert(word(p, "beta")->x0 > word(p, "alpha")->x1);
    ck_assert(word(p, "gamma")->y0 > word(p, "alpha")->y1);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_fixed_width_places_the_next_column)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'widths': [100, '*'], 'body': [['a', 'b']]}}}");
    /* line, padding, 100, padding, line, padding */
    assert_near(word(p, "b")->x0, LEFT + 1 + 4 + 100 + 4 + 1 + 4, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_star_columns_share_the_rest_equally)
{
    struct pdf *p;
    double each = (CONTENT_W - 19) / 2;     /* 19: three lines, four paddings */

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'widths': ['*', '*'], 'body': [['a', 'b']]}}}");
    assert_near(word(p, "b")->x0, LEFT + 5 + each + 9, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_percent_width_is_a_share_of_the_width)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'widths': ['50%', '*'], 'body': [['a', 'b']]}}}");
    /* half the width, less its paddings and one and a half lines */
    assert_near(word(p, "b")->x0, LEFT + CONTENT_W / 2 + 0.5 + 4, 0.6);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_auto_columns_are_as_wide_as_their_text)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'body': [['Hello world', 'next']]}}}");
    assert_near(word(p, "world")->y0, word(p, "Hello")->y0, 0.1);    /* not wrapped */
    assert_near(word(p, "next")->x0, word(p, "world")->x1 + 9, 0.6);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_text_wraps_inside_a_narrow_column)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'widths': [60, '*'], 'body': [['one two three four"
                  " five six seven', 'b']]}}}");
    for (size_t i = 0; i < p->nwords; i++)
        if (strcmp(p->words[i].text, "b") != 0)
            ck_assert_msg(p->words[i].x1 <= LEFT + 5 + 60 + 0.5, "%s reaches %.1f",
                          p->words[i].text, p->words[i].x1);
    ck_assert(word(p, "seven")->y0 > word(p, "one")->y1);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_col_span_gives_a_cell_the_width_of_its_columns)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'widths': [80, 80], 'body': ["
                  "[{'text': 'spans two columns', 'colSpan': 2}, ''],"
                  " ['left', 'right']]}}}");
    assert_near(word(p, "columns")->y0, word(p, "spans")->y0, 0.1);
    ck_assert(word(p, "columns")->x1 > LEFT + 5 + 80);
    assert_near(word(p, "right")->x0, LEFT + 5 + 80 + 9, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_row_span_cell_pushes_down_the_row_after_its_last)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'table': {'body': ["
                  "[{'text': 'tall1\\ntall2\\ntall3\\ntall4', 'rowSpan': 2}, 'first'],"
                  " ['', 'second'], ['after', 'x']]}}}");
    ck_assert(word(p, "second")->y0 < word(p, "tall3")->y0);  /* rows 1 and 2 stay short */
    ck_assert(word(p, "after")->y0 > word(p, "tall4")->y1);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_content_after_it_starts_below_its_last_row)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'table': {'body': [['a\\nb\\nc', 'd']]}}, 'after']}");
    /* bottom padding and line: 3 points */
    ck_assert(word(p, "after")->y0 > word(p, "c")->y1 + 3);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_cell_styles_and_nesting)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'styles': {'th': {'bold': true, 'fontSize': 20}}, 'content': {'table': "
                  "{'body': [[{'text': 'Big', 'style': 'th'}, {'ul': ['item one', 'item two']}],"
                  " [{'table': {'body': [['inner']]}}, {'stack': ['s1', 's2']}]]}}}");
    ck_assert(height(word(p, "Big")) > height(word(p, "item")) * 1.4);
    assert_near(word(p, "one")->y0, word(p, "item")->y0, 0.1);
    ck_assert(word(p, "two")->y0 > word(p, "one")->y1 - 0.5);
    ck_assert(word(p, "inner")->x0 > LEFT + 5 + 4);        /* inside a cell inside a cell */
    ck_assert(word(p, "s2")->y0 > word(p, "s1")->y1);
    pdf_free(p);
}
END_TEST

/* ---- pages -------------------------------------------------------------- */

START_TEST(test_table_header_rows_repeat_on_every_page)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = long_table(150, 1);
    ck_assert_int_ge(p->pages, 3);
    for (int i = 1; i <= p->pages; i++) {
        const struct word *w = first_word_on(p, i);
        ck_assert_msg(strcmp(w->text, "Heading") == 0, "page %d starts with %s", i, w->text);
        assert_near(w->y0, word(p, "Heading")->y0, 0.1);
    }
    assert_has_text(p->text, "row 149");
    pdf_free(p);
}
END_TEST

START_TEST(test_table_without_header_rows_repeats_nothing)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = long_table(150, 0);
    ck_assert_int_ge(p->pages, 3);
    assert_page_lacks(p, 2, "Heading");
    assert_near(first_word_on(p, 2)->y0, word(p, "Heading")->y0, 0.1);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_row_splits_over_pages_by_default)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    /* page 200 x 200, margins 20: 160 points, about 11 lines; the second row has 6 */
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20, 'content': "
                  "{'table': {'body': [['A1\\nA2\\nA3\\nA4\\nA5'], ['B1\\nB2\\nB3\\nB4\\nB5\\nB6']]}}}");
    ck_assert_int_eq(p->pages, 2);
    assert_page_has(p, 1, "B1");
    assert_page_has(p, 2, "B6");
    pdf_free(p);
}
END_TEST

START_TEST(test_table_dont_break_rows_moves_a_row_to_the_next_page_whole)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20, 'content': "
                  "{'table': {'dontBreakRows': true, 'body': [['A1\\nA2\\nA3\\nA4\\nA5'],"
                  " ['B1\\nB2\\nB3\\nB4\\nB5\\nB6']]}}}");
    ck_assert_int_eq(p->pages, 2);
    assert_page_lacks(p, 1, "B1");
    assert_page_has(p, 2, "B1 B2 B3 B4 B5 B6");
    pdf_free(p);
}
END_TEST

START_TEST(test_table_header_stays_with_keep_with_header_rows)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    /* 8 lines of filler leave room for the header, not for the first row */
    p = after_paragraphs(8, "{'table': {'headerRows': 1, 'keepWithHeaderRows': 1, 'body': "
                            "[['Head'], ['R1\\nR2\\nR3'], ['next']]}}",
                         "'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20,");
    ck_assert_int_eq(p->pages, 2);
    assert_page_lacks(p, 1, "Head");
    assert_page_has(p, 2, "Head R1 R2 R3 next");
    pdf_free(p);
}
END_TEST

START_TEST(test_table_row_with_nothing_on_a_page_starts_on_the_next)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    /* 11 lines of filler: a row's first line no longer fits */
    p = after_paragraphs(11, "{'table': {'body': [['R1\\nR2']]}}",
                         "'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20,");
    ck_assert_int_eq(p->pages, 2);
    assert_near(word(p, "R1")->y0, first_word_on(p, 1)->y0 + 3, 0.6);  /* line + padding */
    pdf_free(p);
}
END_TEST

/* ---- paint --------------------------------------------------------------- */

static int have_pdftoppm(void)
{
    if (system("command -v pdftoppm >/dev/null 2>&1") == 0)
        return 1;
    printf("SKIP table pixel test: pdftoppm is not installed\n");
    return 0;
}

START_TEST(test_table_fill_color_paints_the_cell)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    if (!have_pdftoppm())
        return;
    /* the cell spans x 20..125 and y 20..about 90 */
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20, 'content': "
                  "{'table': {'widths': [100], 'body': [[{'text': 'a\\nb\\nc\\nd', 'color': 'white',"
                  " 'fillColor': 'black'}]]}}}");
    ck_assert_int_lt(pixel_at(p, 70, 50), 64);
    ck_assert_int_gt(pixel_at(p, 160, 50), 192);
    ck_assert_int_gt(pixel_at(p, 70, 150), 192);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_fill_color_comes_from_styles_too)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    if (!have_pdftoppm())
        return;
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20, 'styles': "
                  "{'dark': {'fillColor': '#000000'}}, 'content': {'table': {'widths': [100], "
                  "'body': [[{'text': 'a\\nb\\nc\\nd', 'style': 'dark'}]]}}}");
    ck_assert_int_lt(pixel_at(p, 70, 50), 64);
    pdf_free(p);
}
END_TEST

/* A 4-line cell in a 100-point column at (40, 40), with a layout. */
static struct pdf *boxed(const char *layout)
{
    char doc[512];

    snprintf(doc, sizeof doc, "{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 40, "
             "'content': {'table': {'widths': [100], 'body': [['a\\nb\\nc\\nd']]}%s%s%s}}",
             layout ? ", 'layout': '" : "", layout ? layout : "", layout ? "'" : "");
    return render_ok(doc);
}

/* The darkest pixel around x: at 36 dpi a 1-point line is half a pixel
 * wide, and poppler snaps it to one side or the other. */
static int darkest_near(const struct pdf *p, double x, double y)
{
    int a = pixel_at(p, x - 2, y), b = pixel_at(p, x, y), c = pixel_at(p, x + 2, y);

    return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

START_TEST(test_table_default_layout_draws_lines_and_no_borders_draws_none)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    if (!have_pdftoppm())
        return;
    p = boxed(NULL);
    ck_assert_int_lt(darkest_near(p, 149.5, 60), 200); /* the right line, 149..150 */
    pdf_free(p);
    p = boxed("noBorders");
    ck_assert_int_gt(darkest_near(p, 149.5, 60), 240);
    pdf_free(p);
}
END_TEST

START_TEST(test_table_layouts_pad_as_pdfmake)
{
    static const struct {
        const char *layout;
        double a, b;        /* x of the text of the first and second column */
    } cases[] = {
        { "noBorders", LEFT, LEFT + 50 + 4 + 4 },
        { "headerLineOnly", LEFT, LEFT + 50 + 8 + 8 },
        { "lightHorizontalLines", LEFT, LEFT + 50 + 8 + 8 },
    };
    char doc[256];

    NEED_PDF_TOOLS();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pdf *p;
        snprintf(doc, sizeof doc, "{'content': {'table': {'headerRows': 1, 'widths': [50, 50],"
                 " 'body': [['a', 'b'], ['c', 'd']]}, 'layout': '%s'}}", cases[i].layout);
        p = render_ok(doc);
        assert_near(word(p, "a")->x0, cases[i].a, 0.5);
        assert_near(word(p, "b")->x0, cases[i].b, 0.5);
        pdf_free(p);
    }
}
END_TEST

/* A cell's fill is laid out after its content: fills still paint from the
 * outermost table in, so a filled table inside a filled cell shows. */
START_TEST(test_table_fill_inside_a_filled_cell_shows)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    if (!have_pdftoppm())
        return;
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20, 'content': "
                  "{'table': {'body': [[{'fillColor': '#cccccc', 'stack': [{'table': {'widths': [100],"
                  " 'body': [[{'text': 'a\\nb\\nc\\nd', 'color': 'white', 'fillColor': 'black'}]]}}]}]]}}}");
    ck_assert_int_lt(pixel_at(p, 70, 50), 64);
    pdf_free(p);
}
END_TEST

/* Rows kept together inside rows kept together move once, with the
 * outermost (as pdfmake nests unbreakable blocks): no page per level. */
START_TEST(test_table_nested_rows_kept_together_move_once)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20, 'content': ["
                  "'f1\\nf2\\nf3\\nf4\\nf5\\nf6', {'table': {'dontBreakRows': true, 'body': [['outer'],"
                  " [{'table': {'dontBreakRows': true, 'body': [['inner'], ['i1\\ni2\\ni3\\ni4\\ni5\\ni6']]}}]]}}]}");
    ck_assert_int_eq(p->pages, 2);
    assert_page_has(p, 2, "inner i1 i2 i3 i4 i5 i6");
    pdf_free(p);
}
END_TEST

/* A tall rowSpan does not make every row below it look back over it. */
START_TEST(test_table_tall_row_span_lays_out_row_by_row)
{
    json_t *body = json_array();
    struct pdf *p;

    NEED_PDF_TOOLS();
    for (int i = 0; i < 3000; i++)
        json_array_append_new(body, i ? json_pack("[s, i]", "", i)
                                      : json_pack("[{s:s, s:i}, i]", "text", "span", "rowSpan",
                                                  3000, i));
    p = render_ok_conf(json_pack("{s:{s:{s:o}}}", "content", "table", "body", body), NULL);
    ck_assert_int_ge(p->pages, 50);
    assert_has_text(p->text, "2999");
    pdf_free(p);
}
END_TEST

/* ---- columns ------------------------------------------------------------- */

START_TEST(test_columns_sit_side_by_side_sharing_the_width)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'columns': ['left text', 'right text']}}");
    assert_near(word(p, "left")->x0, LEFT, 0.5);
    assert_near(word(p, "right")->x0, LEFT + CONTENT_W / 2, 0.5);
    assert_near(word(p, "right")->y0, word(p, "left")->y0, 0.1);
    pdf_free(p);
}
END_TEST

START_TEST(test_columns_fixed_auto_and_gap)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'columnGap': 10, 'columns': [{'width': 100, 'text': 'fixed'},"
                  " {'width': 'auto', 'text': 'Hello'}, 'rest']}}");
    assert_near(word(p, "Hello")->x0, LEFT + 100 + 10, 0.5);
    assert_near(word(p, "rest")->x0, word(p, "Hello")->x1 + 10, 0.6);
    pdf_free(p);
}
END_TEST

START_TEST(test_content_after_columns_starts_below_the_tallest)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'columns': ['a', 'b\\nc\\nd', 'e']}, 'after']}");
    ck_assert(word(p, "after")->y0 >= word(p, "d")->y1 - 0.5);
    assert_near(word(p, "after")->x0, LEFT, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_columns_each_flow_over_pages_in_their_own_column)
{
    json_t *lines = json_array();
    struct pdf *p;

    NEED_PDF_TOOLS();
    for (int i = 1; i <= 80; i++) {
        char s[16];
        snprintf(s, sizeof s, "L%d", i);
        json_array_append_new(lines, json_string(s));
    }
    p = render_ok_conf(json_pack("{s:[{s:[{s:o}, s]}, s]}", "content", "columns", "stack", lines,
                                 "short", "after"), NULL);
    ck_assert_int_eq(p->pages, 2);
    assert_page_has(p, 2, "L80");
    assert_near(word(p, "L80")->x0, LEFT, 0.5);
    assert_page_has(p, 2, "after");
    ck_assert(word(p, "after")->y0 > word(p, "L80")->y1 - 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_columns_keep_a_page_break_before_them)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['a', {'text': '', 'pageBreak': 'after'},"
                  " {'columns': [{'stack': []}, {'stack': []}]}, 'b']}");
    ck_assert_int_eq(p->pages, 2);
    assert_page_has(p, 2, "b");
    pdf_free(p);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

static const struct {
    const char *doc, *code, *where, *what;
} bad[] = {
    { "{'content': {'table': {'body': [['a', 'b'], ['c']]}}}", "bad_input",
      "content.table.body[1]", "cells" },
    { "{'content': {'table': {'body': []}}}", "bad_input", "content.table.body", "rows" },
    { "{'content': {'table': {'body': [['a', 'b']], 'widths': [10]}}}", "bad_input",
      "content.table.widths", "2 widths" },
    { "{'content': {'table': {'body': [['a']], 'widths': ['wide']}}}", "bad_input",
      "content.table.widths[0]", "auto" },
    { "{'content': {'table': {'body': [[{'text': 'a', 'colSpan': 3}, 'b']]}}}", "bad_input",
      "content.table.body[0][0]", "colSpan" },
    { "{'content': {'table': {'body': [['a']], 'headerRows': 2}}}", "bad_input",
      "headerRows", "1 rows" },
    { "{'content': {'table': {'body': [['a']]}, 'layout': 'zebra'}}", "bad_input",
      "content.layout", "noBorders" },
    { "{'content': {'table': {'body': [[{'text': 'a', 'border': [true]}]]}}}", "bad_input",
      "border", "left, top, right, bottom" },
    { "{'content': {'table': {'body': [[{'text': 'a', 'borderColor': ['red']}]]}}}",
      "unsupported", "content.table.body[0][0]", "borderColor" },
    { "{'content': {'columns': []}}", "bad_input", "content.columns", "non-empty" },
    { "{'content': {'columns': [{'text': 'a', 'width': -3}]}}", "bad_input",
      "content.columns[0].width", "width" },
};

START_TEST(test_table_bad_definitions_fail_naming_the_place)
{
    struct heft_job *job = render_fails(bad[_i].doc, bad[_i].code);

    assert_message_has(job, bad[_i].where);
    assert_message_has(job, bad[_i].what);
    heft_job_destroy(job);
}
END_TEST

static const struct heft_type_conf three_cells = {
    .name = "pdf.render",
    .nlimits = 1,
    .limits = { { "max_table_cells", 3 } },
};

START_TEST(test_table_cells_beyond_max_table_cells_are_limit_exceeded)
{
    struct heft_job *job = render_fails_conf(
        payload_of("{'content': {'table': {'body': [['a', 'b'], ['c', 'd']]}}}"), &three_cells,
        "limit_exceeded");

    assert_message_has(job, "max_table_cells");
    heft_job_destroy(job);
}
END_TEST

static Suite *table_suite(void)
{
    Suite *s = suite_create("pdf.render tables");
    TCase *tc;

    tc = tcase("cells");
    tcase_add_test(tc, test_table_cells_sit_in_rows_and_columns);
    tcase_add_test(tc, test_table_fixed_width_places_the_next_column);
    tcase_add_test(tc, test_table_star_columns_share_the_rest_equally);
    tcase_add_test(tc, test_table_percent_width_is_a_share_of_the_width);
    tcase_add_test(tc, test_table_auto_columns_are_as_wide_as_their_text);
    tcase_add_test(tc, test_table_text_wraps_inside_a_narrow_column);
    tcase_add_test(tc, test_table_col_span_gives_a_cell_the_width_of_its_columns);
    tcase_add_test(tc, test_table_row_span_cell_pushes_down_the_row_after_its_last);
    tcase_add_test(tc, test_table_content_after_it_starts_below_its_last_row);
    tcase_add_test(tc, test_table_cell_styles_and_nesting);
    suite_add_tcase(s, tc);

    tc = tcase("pages");
    tcase_add_test(tc, test_table_header_rows_repeat_on_every_page);
    tcase_add_test(tc, test_table_without_header_rows_repeats_nothing);
    tcase_add_test(tc, test_table_row_splits_over_pages_by_default);
    tcase_add_test(tc, test_table_dont_break_rows_moves_a_row_to_the_next_page_whole);
    tcase_add_test(tc, test_table_header_stays_with_keep_with_header_rows);
    tcase_add_test(tc, test_table_row_with_nothing_on_a_page_starts_on_the_next);
    tcase_add_test(tc, test_table_nested_rows_kept_together_move_once);
    tcase_add_test(tc, test_table_tall_row_span_lays_out_row_by_row);
    suite_add_tcase(s, tc);

    tc = tcase("paint");
    tcase_add_test(tc, test_table_fill_color_paints_the_cell);
    tcase_add_test(tc, test_table_fill_color_comes_from_styles_too);
    tcase_add_test(tc, test_table_default_layout_draws_lines_and_no_borders_draws_none);
    tcase_add_test(tc, test_table_layouts_pad_as_pdfmake);
    tcase_add_test(tc, test_table_fill_inside_a_filled_cell_shows);
    suite_add_tcase(s, tc);

    tc = tcase("columns");
    tcase_add_test(tc, test_columns_sit_side_by_side_sharing_the_width);
    tcase_add_test(tc, test_columns_fixed_auto_and_gap);
    tcase_add_test(tc, test_content_after_columns_starts_below_the_tallest);
    tcase_add_test(tc, test_columns_each_flow_over_pages_in_their_own_column);
    tcase_add_test(tc, test_columns_keep_a_page_break_before_them);
    suite_add_tcase(s, tc);

    tc = tcase("errors");
    tcase_add_loop_test(tc, test_table_bad_definitions_fail_naming_the_place, 0,
                        (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, test_table_cells_beyond_max_table_cells_are_limit_exceeded);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(table_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
