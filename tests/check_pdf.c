/*
 * check_pdf.c - the pdf.render job type: a pdfmake document definition in,
 * a PDF (the job's blob) and {"pages", "bytes", "sha256"} out.
 *
 * Every PDF a test produces is checked with real tools, never with our
 * own parser: `qpdf --check` must accept it, `pdftotext` gives the text
 * (pages end with a form feed), `pdftotext -bbox` the position and size of
 * each word, `pdfinfo` the page count, size and metadata, `pdffonts` the
 * fonts.  Tests that need a PDF are skipped (and pass, saying so) when a
 * tool is missing; CI installs poppler-utils and qpdf.
 *
 * Payloads are written with ' for " so they read like the JSON they are.
 * Positions are PDF points from the top-left corner of the page, as
 * pdftotext reports them; A4 is 595.28 x 841.89 pt.
 *
 * Failures are the interface a client sees when its document is wrong:
 * each has a stable code, is never retried (the same document would fail
 * again) and has a message naming the place in the document (content[1],
 * pageSize, ...) or the unsupported feature.
 */
#include <check.h>
#include <jansson.h>
#include <jpeglib.h>
#include <openssl/evp.h>
#include <png.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "job.h"
#include "pdf_harness.h"
#include "registry.h"

/* ---- text --------------------------------------------------------------- */

START_TEST(test_pdf_renders_a_plain_string)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': 'Hello from heft'}");
    ck_assert_int_eq(p->pages, 1);
    assert_has_text(p->text, "Hello from heft");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_renders_paragraphs_in_order)
{
    struct pdf *p;
    char *t;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['First paragraph alpha', 'Second paragraph bravo',"
                  " {'text': 'Third paragraph charlie'}]}");
    t = squeeze(p->text);
    ck_assert_msg(strstr(t, "First paragraph alpha Second paragraph bravo "
                            "Third paragraph charlie") != NULL,
                  "paragraphs out of order:\n%.1500s", t);
    free(t);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_renders_a_single_node_as_content)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'Only node', 'fontSize': 14}}");
    assert_has_text(p->text, "Only node");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_renders_text_runs_on_one_line)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': ['Plain ', {'text': 'bold', 'bold': true},"
                  " ' and ', {'text': 'red', 'color': '#ff0000'}, ' runs']}]}");
    assert_has_text(p->text, "Plain bold and red runs");
    assert_near(word(p, "red")->y0, word(p, "Plain")->y0, 0.5);
    ck_assert(word(p, "red")->x0 > word(p, "Plain")->x1);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_renders_a_stack_top_to_bottom)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'stack': ['Upper', {'text': 'Lower'}]}]}");
    assert_has_text(p->text, "Upper Lower");
    ck_assert(word(p, "Lower")->y0 > word(p, "Upper")->y1 - 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_newline_breaks_the_line)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': 'First line\\nSecond line'}");
    ck_assert(word(p, "Second")->y0 > word(p, "First")->y1 - 0.5);
    assert_near(word(p, "Second")->x0, word(p, "First")->x0, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_long_paragraph_wraps_inside_the_margins)
{
    struct heft_buf b = HEFT_BUF_INIT;
    struct pdf *p;
    size_t i;
    int n;

    NEED_PDF_TOOLS();
    heft_buf_puts(&b, "{'pageMargins': [40, 40, 40, 40], 'content': '");
    for (n = 1; n <= 2500; n++)
        heft_buf_printf(&b, "w%d ", n);
    heft_buf_puts(&b, "end'}");
    p = render_ok(b.data);
    ck_assert_int_gt(p->pages, 1);
    for (i = 0; i < p->nwords; i++) {
        ck_assert_msg(p->words[i].x0 >= 40 - 0.5 && p->words[i].x1 <= A4_W - 40 + 0.5,
                      "\"%s\" sticks out of the margins (x %.2f..%.2f)", p->words[i].text,
                      p->words[i].x0, p->words[i].x1);
        ck_assert_msg(p->words[i].y0 >= 40 - 0.5 && p->words[i].y1 <= A4_H - 40 + 0.5,
                      "\"%s\" sticks out of the margins (y %.2f..%.2f)", p->words[i].text,
                      p->words[i].y0, p->words[i].y1);
    }
    heft_buf_reset(&b);
    for (n = 1; n <= 2500; n++)
        heft_buf_printf(&b, "w%d ", n);
    heft_buf_puts(&b, "end");
    assert_has_text(p->text, b.data);   /* every word, in order, none lost at a page break */
    heft_buf_free(&b);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_text_flows_onto_new_pages)
{
    struct heft_buf want = HEFT_BUF_INIT;
    struct pdf *p;
    int i;

    NEED_PDF_TOOLS();
    p = render_ok_conf(paragraphs(300), NULL);
    ck_assert_int_ge(p->pages, 3);
    ck_assert_int_eq(text_pages(p), p->pages);
    ck_assert_int_eq(json_integer_value(json_object_get(p->job->result, "pages")), p->pages);
    for (i = 1; i <= 300; i++)
        heft_buf_printf(&want, "Paragraph %d. The quick brown fox jumps over the lazy dog. ", i);
    assert_has_text(p->text, want.data);
    heft_buf_free(&want);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_unicode_round_trips_in_the_default_font)
{
    static const char text[] = "Zażółć gęślą jaźń € ß Ελληνικά Кириллица";
    struct heft_buf b = HEFT_BUF_INIT;
    struct pdf *p;

    NEED_PDF_TOOLS();
    heft_buf_printf(&b, "{'content': '%s'}", text);
    p = render_ok(b.data);
    assert_has_text(p->text, text);
    heft_buf_free(&b);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_unicode_round_trips_in_helvetica_through_the_fallback_font)
{
    static const char text[] = "Zażółć gęślą jaźń € ß Ελληνικά Кириллица";
    struct heft_buf b = HEFT_BUF_INIT;
    struct pdf *p;

    NEED_PDF_TOOLS();
    heft_buf_printf(&b, "{'content': {'text': '%s', 'font': 'Helvetica'}}", text);
    p = render_ok(b.data);
    assert_has_text(p->text, text);
    heft_buf_free(&b);
    pdf_free(p);
}
END_TEST

/* Only the characters outside WinAnsi fall back: the rest stays Helvetica. */
START_TEST(test_pdf_helvetica_falls_back_only_for_characters_outside_winansi)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'Plain words and Кириллица', 'font': 'Helvetica'}}");
    assert_has_text(p->text, "Plain words and Кириллица");
    ck_assert_msg(strstr(p->fonts, "Helvetica") != NULL, "Helvetica not used:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "DejaVuSans") != NULL,
                  "no DejaVu Sans fallback for the characters outside WinAnsi:\n%s", p->fonts);
    pdf_free(p);
}
END_TEST

/* Beyond qpdf's syntax check: poppler reads the fonts without any other
 * complaint, so text extraction is not guesswork. */
START_TEST(test_pdf_poppler_has_no_complaint_but_the_known_libharu_cmap_one)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['Default font', {'text': 'Base-14', 'font': 'Times'}]}");
    ck_assert_msg(only_known_libharu_warnings(p->warnings), "poppler complains:\n%.2000s",
                  p->warnings);
    pdf_free(p);
}
END_TEST

/* ---- pages -------------------------------------------------------------- */

START_TEST(test_pdf_page_break_before_starts_a_new_page)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['On page one', {'text': 'On page two', 'pageBreak': 'before'}]}");
    ck_assert_int_eq(p->pages, 2);
    ck_assert_int_eq(text_pages(p), 2);
    assert_page_has(p, 1, "On page one");
    assert_page_lacks(p, 1, "two");
    assert_page_has(p, 2, "On page two");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_page_break_after_starts_a_new_page)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'On page one', 'pageBreak': 'after'}, 'On page two']}");
    ck_assert_int_eq(p->pages, 2);
    assert_page_has(p, 1, "On page one");
    assert_page_lacks(p, 1, "two");
    assert_page_has(p, 2, "On page two");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_header_and_footer_number_each_page)
{
    struct pdf *p;
    char want[64];
    int i;

    NEED_PDF_TOOLS();
    p = render_ok("{'header': 'Report {page}/{pages}', 'footer': 'Page {page} of {pages}',"
                  " 'content': ['one', {'text': 'two', 'pageBreak': 'before'},"
                  " {'text': 'three', 'pageBreak': 'before'}]}");
    ck_assert_int_eq(p->pages, 3);
    for (i = 1; i <= 3; i++) {
        snprintf(want, sizeof want, "Report %d/3", i);
        assert_page_has(p, i, want);
        snprintf(want, sizeof want, "Page %d of 3", i);
        assert_page_has(p, i, want);
    }
    ck_assert_msg(strchr(p->text, '{') == NULL, "placeholder left in:\n%.1500s", p->text);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_default_page_is_a4_portrait)
{
    struct pdf *p;
    double w, h;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': 'A4'}");
    page_size(p, &w, &h);
    assert_near(w, A4_W, 0.5);
    assert_near(h, A4_H, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_page_size_a5_landscape)
{
    struct pdf *p;
    double w, h;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageSize': 'A5', 'pageOrientation': 'landscape', 'content': 'Wide'}");
    page_size(p, &w, &h);
    assert_near(w, 595.28, 0.5);
    assert_near(h, 419.53, 0.5);
    pdf_free(p);
}
END_TEST

/* Named sizes, in points, as pdfmake defines them. */
static const struct {
    const char *name;
    double w, h;
} page_sizes[] = {
    { "A0", 2383.94, 3370.39 }, { "A3", 841.89, 1190.55 }, { "A10", 73.70, 104.88 },
    { "B0", 2834.65, 4008.19 }, { "B5", 498.90, 708.66 }, { "B10", 87.87, 124.72 },
    { "LETTER", 612, 792 }, { "LEGAL", 612, 1008 },
};

START_TEST(test_pdf_page_size_by_name)
{
    struct heft_buf b = HEFT_BUF_INIT;
    struct pdf *p;
    double w, h;

    NEED_PDF_TOOLS();
    heft_buf_printf(&b, "{'pageSize': '%s', 'pageMargins': [5, 5, 5, 5], 'content': 'x'}",
                    page_sizes[_i].name);
    p = render_ok(b.data);
    page_size(p, &w, &h);
    assert_near(w, page_sizes[_i].w, 0.5);
    assert_near(h, page_sizes[_i].h, 0.5);
    heft_buf_free(&b);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_page_size_in_points)
{
    struct pdf *p;
    double w, h;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageSize': {'width': 300, 'height': 500}, 'content': 'Custom'}");
    page_size(p, &w, &h);
    assert_near(w, 300, 0.5);
    assert_near(h, 500, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_page_margins_place_the_first_line)
{
    struct pdf *p;
    const struct word *w;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageMargins': [72, 100, 72, 72], 'content': 'Corner'}");
    w = word(p, "Corner");
    assert_near(w->x0, 72, 0.5);
    ck_assert_msg(w->y0 >= 100 - 1 && w->y0 <= 100 + 12, "first line's top at %.2f, not 100",
                  w->y0);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_default_page_margins_are_40pt)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': 'Corner'}");
    assert_near(word(p, "Corner")->x0, 40, 0.5);     /* as in pdfmake */
    pdf_free(p);
}
END_TEST

/* ---- metadata ----------------------------------------------------------- */

START_TEST(test_pdf_info_sets_title_and_author)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'info': {'title': 'Quarterly report', 'author': 'Ada Lovelace'},"
                  " 'content': 'Body'}");
    assert_info(p, "Title", "Quarterly report");
    assert_info(p, "Author", "Ada Lovelace");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_info_sets_subject_keywords_and_creator)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'info': {'subject': 'Sales', 'keywords': 'q3 sales', 'creator': 'crm'},"
                  " 'content': 'Body'}");
    assert_info(p, "Subject", "Sales");
    assert_info(p, "Keywords", "q3 sales");
    assert_info(p, "Creator", "crm");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_info_title_keeps_unicode)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'info': {'title': 'Zażółć €'}, 'content': 'Body'}");
    assert_info(p, "Title", "Zażółć €");
    pdf_free(p);
}
END_TEST

/* ---- style -------------------------------------------------------------- */

START_TEST(test_pdf_font_size_scales_the_text)
{
    struct pdf *p;
    double small, large;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'Small', 'fontSize': 10}, {'text': 'Large', 'fontSize': 40}]}");
    small = height(word(p, "Small"));
    large = height(word(p, "Large"));
    ck_assert_msg(large > 3.5 * small && large < 4.5 * small,
                  "40pt text is %.2f high, 10pt text %.2f", large, small);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_bold_italics_and_color_are_accepted)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'Heavy', 'bold': true}, {'text': 'Slanted', 'italics': true},"
                  " {'text': 'Both', 'bold': true, 'italics': true}, {'text': 'Red', 'color': '#ff0000'},"
                  " {'text': 'Blue', 'color': 'blue'}]}");
    assert_has_text(p->text, "Heavy Slanted Both Red Blue");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_named_style_applies_its_properties)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'styles': {'big': {'fontSize': 36, 'bold': true}},"
                  " 'content': ['Normal', {'text': 'Styled', 'style': 'big'}]}");
    ck_assert(height(word(p, "Styled")) > 2.5 * height(word(p, "Normal")));
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_later_styles_in_a_list_win)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'styles': {'small': {'fontSize': 10}, 'big': {'fontSize': 36}},"
                  " 'content': [{'text': 'Grown', 'style': ['small', 'big']},"
                  " {'text': 'Shrunk', 'style': ['big', 'small']}]}");
    ck_assert(height(word(p, "Grown")) > 2.5 * height(word(p, "Shrunk")));
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_node_properties_override_its_style)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'styles': {'big': {'fontSize': 36}},"
                  " 'content': [{'text': 'Styled', 'style': 'big'},"
                  " {'text': 'Overridden', 'style': 'big', 'fontSize': 10}]}");
    ck_assert(height(word(p, "Styled")) > 2.5 * height(word(p, "Overridden")));
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_default_style_applies_to_all_text)
{
    struct pdf *plain, *p;

    NEED_PDF_TOOLS();
    plain = render_ok("{'content': 'Text'}");
    p = render_ok("{'defaultStyle': {'fontSize': 36}, 'content': 'Text'}");
    ck_assert(height(word(p, "Text")) > 2.5 * height(word(plain, "Text")));
    pdf_free(plain);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_stack_properties_are_inherited)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['Outside', {'stack': ['Inside'], 'fontSize': 36}]}");
    ck_assert(height(word(p, "Inside")) > 2.5 * height(word(p, "Outside")));
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_line_height_spaces_the_lines)
{
    struct pdf *single, *doubled;
    double gap1, gap2;

    NEED_PDF_TOOLS();
    single = render_ok("{'content': {'text': 'Alpha\\nBravo', 'lineHeight': 1}}");
    doubled = render_ok("{'content': {'text': 'Alpha\\nBravo', 'lineHeight': 2}}");
    gap1 = word(single, "Bravo")->y0 - word(single, "Alpha")->y0;
    gap2 = word(doubled, "Bravo")->y0 - word(doubled, "Alpha")->y0;
    ck_assert_msg(gap2 > 1.8 * gap1 && gap2 < 2.2 * gap1,
                  "lines are %.2f apart with lineHeight 2, %.2f with 1", gap2, gap1);
    pdf_free(single);
    pdf_free(doubled);
}
END_TEST

START_TEST(test_pdf_character_spacing_widens_the_text)
{
    struct pdf *tight, *wide;
    double extra;

    NEED_PDF_TOOLS();
    tight = render_ok("{'content': 'Spacing test'}");
    wide = render_ok("{'content': {'text': 'Spacing test', 'characterSpacing': 3}}");
    extra = right_edge(wide, 1) - right_edge(tight, 1);
    ck_assert_msg(extra > 25 && extra < 40, "12 characters spaced by 3pt grew by %.2f pt", extra);
    pdf_free(tight);
    pdf_free(wide);
}
END_TEST

/* ---- alignment and margins (page margins 50 on A4) ----------------------- */

START_TEST(test_pdf_alignment_left)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageMargins': [50, 50, 50, 50], 'content': {'text': 'Left', 'alignment': 'left'}}");
    assert_near(word(p, "Left")->x0, 50, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_alignment_center)
{
    struct pdf *p;
    const struct word *w;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageMargins': [50, 50, 50, 50], 'content': {'text': 'Centred', 'alignment': 'center'}}");
    w = word(p, "Centred");
    assert_near((w->x0 + w->x1) / 2, A4_W / 2, 1);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_alignment_right)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageMargins': [50, 50, 50, 50], 'content': {'text': 'Right', 'alignment': 'right'}}");
    assert_near(word(p, "Right")->x1, A4_W - 50, 1);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_alignment_justify_fills_all_lines_but_the_last)
{
    struct heft_buf b = HEFT_BUF_INIT;
    struct pdf *p;
    const struct word *last;
    double first_line_end = 0;
    size_t i;
    int n;

    NEED_PDF_TOOLS();
    heft_buf_puts(&b, "{'pageMargins': [50, 50, 50, 50], 'content': {'alignment': 'justify', 'text': '");
    for (n = 1; n <= 60; n++)
        heft_buf_puts(&b, n % 3 ? "justified " : "text ");
    heft_buf_puts(&b, "fin'}}");
    p = render_ok(b.data);
    for (i = 0; i < p->nwords; i++)
        if (p->words[i].y0 < p->words[0].y0 + 0.5 && p->words[i].x1 > first_line_end)
            first_line_end = p->words[i].x1;
    assert_near(first_line_end, A4_W - 50, 1);
    assert_near(p->words[0].x0, 50, 0.5);
    last = word(p, "fin");
    ck_assert_msg(last->y0 > p->words[0].y0 + 1, "the text did not wrap");
    ck_assert_msg(last->x1 < A4_W - 50 - 20, "the last line is stretched to %.2f", last->x1);
    heft_buf_free(&b);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_margin_number_applies_to_every_side)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageMargins': [40, 40, 40, 40], 'content': [{'text': 'Indented', 'margin': 30},"
                  " {'text': 'Pushed', 'alignment': 'right', 'margin': 30}]}");
    assert_near(word(p, "Indented")->x0, 70, 0.5);
    assert_near(word(p, "Pushed")->x1, A4_W - 70, 1);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_margin_pair_is_horizontal_then_vertical)
{
    struct pdf *plain, *p;
    double gap0, gap;

    NEED_PDF_TOOLS();
    plain = render_ok("{'pageMargins': [40, 40, 40, 40], 'content': ['Above', 'Below']}");
    p = render_ok("{'pageMargins': [40, 40, 40, 40], 'content': ['Above', {'text': 'Below', 'margin': [30, 20]}]}");
    assert_near(word(p, "Below")->x0, 70, 0.5);
    gap0 = word(plain, "Below")->y0 - word(plain, "Above")->y0;
    gap = word(p, "Below")->y0 - word(p, "Above")->y0;
    assert_near(gap - gap0, 20, 1);
    pdf_free(plain);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_margin_quad_is_left_top_right_bottom)
{
    struct pdf *plain, *p;
    double gap0, gap;

    NEED_PDF_TOOLS();
    plain = render_ok("{'pageMargins': [40, 40, 40, 40], 'content': ['Above', 'Below', 'Last']}");
    p = render_ok("{'pageMargins': [40, 40, 40, 40], 'content': ['Above',"
                  " {'text': 'Below', 'margin': [60, 50, 0, 25]}, 'Last']}");
    assert_near(word(p, "Below")->x0, 100, 0.5);
    gap0 = word(plain, "Below")->y0 - word(plain, "Above")->y0;
    gap = word(p, "Below")->y0 - word(p, "Above")->y0;
    assert_near(gap - gap0, 50, 1);
    gap0 = word(plain, "Last")->y0 - word(plain, "Below")->y0;
    gap = word(p, "Last")->y0 - word(p, "Below")->y0;
    assert_near(gap - gap0, 25, 1);
    pdf_free(plain);
    pdf_free(p);
}
END_TEST

/* ---- fonts -------------------------------------------------------------- */

START_TEST(test_pdf_default_font_is_embedded_dejavu_sans)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': 'Default font'}");
    ck_assert_msg(strstr(p->fonts, "DejaVuSans") != NULL, "fonts:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "Helvetica") == NULL, "fonts:\n%s", p->fonts);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_default_font_bold_and_italics_use_its_variants)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'Heavy', 'bold': true}, {'text': 'Slanted', 'italics': true},"
                  " {'text': 'Both', 'bold': true, 'italics': true}]}");
    ck_assert_msg(strstr(p->fonts, "DejaVuSans-Bold,") != NULL, "fonts:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "DejaVuSans-Oblique") != NULL, "fonts:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "DejaVuSans-BoldOblique") != NULL, "fonts:\n%s", p->fonts);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_roboto_maps_to_the_default_font)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'text': 'Roboto text', 'font': 'Roboto'}}");
    assert_has_text(p->text, "Roboto text");
    ck_assert_msg(strstr(p->fonts, "DejaVuSans") != NULL, "fonts:\n%s", p->fonts);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_base14_fonts_are_used_by_name)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'Sans', 'font': 'Helvetica'}, {'text': 'Serif', 'font': 'Times'},"
                  " {'text': 'Mono', 'font': 'Courier'}]}");
    assert_has_text(p->text, "Sans Serif Mono");
    ck_assert_msg(strstr(p->fonts, "Helvetica") != NULL, "fonts:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "Times-Roman") != NULL, "fonts:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "Courier") != NULL, "fonts:\n%s", p->fonts);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_base14_bold_and_italics_use_their_variants)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'text': 'Heavy', 'font': 'Helvetica', 'bold': true},"
                  " {'text': 'Slanted', 'font': 'Times', 'italics': true},"
                  " {'text': 'Both', 'font': 'Courier', 'bold': true, 'italics': true}]}");
    ck_assert_msg(strstr(p->fonts, "Helvetica-Bold") != NULL, "fonts:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "Times-Italic") != NULL, "fonts:\n%s", p->fonts);
    ck_assert_msg(strstr(p->fonts, "Courier-BoldOblique") != NULL, "fonts:\n%s", p->fonts);
    pdf_free(p);
}
END_TEST

/* ---- result ------------------------------------------------------------- */

START_TEST(test_pdf_result_reports_pages_bytes_and_sha256)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    const json_t *r;
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['one', {'text': 'two', 'pageBreak': 'before'}]}");
    r = p->job->result;
    ck_assert_msg(json_is_object(r), "the result is not an object");
    ck_assert_uint_eq(json_object_size(r), 3);
    ck_assert(json_is_integer(json_object_get(r, "pages")));
    ck_assert(json_is_integer(json_object_get(r, "bytes")));
    ck_assert(json_is_string(json_object_get(r, "sha256")));
    ck_assert_int_eq(json_integer_value(json_object_get(r, "pages")), 2);
    ck_assert_int_eq(p->pages, 2);
    ck_assert_int_eq(json_integer_value(json_object_get(r, "bytes")), (json_int_t)p->job->blob.len);
    ck_assert_int_eq(EVP_Digest(p->job->blob.data, p->job->blob.len, md, &mdlen, EVP_sha256(), NULL), 1);
    for (i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    ck_assert_str_eq(json_string_value(json_object_get(r, "sha256")), hex);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_result_pages_match_the_pdf)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok_conf(paragraphs(150), NULL);
    ck_assert_int_gt(p->pages, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(p->job->result, "pages")), p->pages);
    ck_assert_int_eq(text_pages(p), p->pages);
    pdf_free(p);
}
END_TEST

/* ---- images ----------------------------------------------------------------- */

/* Images are made here with libpng / libjpeg and embedded as data URLs
 * (base64 by OpenSSL); pdfimages -list shows what the PDF holds. */

static char *data_url(const char *type, const unsigned char *bytes, size_t len)
{
    size_t prefix = strlen("data:;base64,") + strlen(type);
    char *url = malloc(prefix + (len + 2) / 3 * 4 + 1);

    ck_assert_ptr_nonnull(url);
    snprintf(url, prefix + 1, "data:%s;base64,", type);
    EVP_EncodeBlock((unsigned char *)url + prefix, bytes, (int)len);
    return url;
}

/* A w x h PNG (RGB, or RGBA whose left half is transparent), cut to keep
 * bytes when keep > 0; a data URL. */
static char *png_url(unsigned w, unsigned h, int alpha, size_t keep)
{
    png_image pi;
    unsigned comps = alpha ? 4 : 3;
    unsigned char *px = malloc((size_t)w * h * comps), *png;
    png_alloc_size_t size = 0;
    char *url;

    ck_assert_ptr_nonnull(px);
    for (size_t i = 0; i < (size_t)w * h; i++)
        for (unsigned c = 0; c < comps; c++)
            px[i * comps + c] = c == 3 ? (i % w < w / 2 ? 0 : 255) : (unsigned char)(i * (c + 1));
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = w;
    pi.height = h;
    pi.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    ck_assert(png_image_write_to_memory(&pi, NULL, &size, 0, px, 0, NULL));
    png = malloc(size);
    ck_assert_ptr_nonnull(png);
    ck_assert(png_image_write_to_memory(&pi, png, &size, 0, px, 0, NULL));
    url = data_url("image/png", png, keep ? keep : size);
    free(png);
    free(px);
    return url;
}

/* A w x h RGB JPEG; with garbage, random bytes follow the SOI marker. */
static char *jpeg_url(unsigned w, unsigned h, int garbage)
{
    struct jpeg_compress_struct ci;
    struct jpeg_error_mgr jerr;
    unsigned char *jpg = NULL, *row = malloc((size_t)w * 3);
    unsigned long size = 0;
    char *url;

    ck_assert_ptr_nonnull(row);
    for (unsigned i = 0; i < w * 3; i++)
        row[i] = (unsigned char)(i * 7);
    ci.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&ci);
    jpeg_mem_dest(&ci, &jpg, &size);
    ci.image_width = w;
    ci.image_height = h;
    ci.input_components = 3;
    ci.in_color_space = JCS_RGB;
    jpeg_set_defaults(&ci);
    jpeg_start_compress(&ci, TRUE);
    while (ci.next_scanline < h)
        jpeg_write_scanlines(&ci, &row, 1);
    jpeg_finish_compress(&ci);
    jpeg_destroy_compress(&ci);
    srand(7);
    for (unsigned long i = 2; garbage && i < size; i++)
        jpg[i] = (unsigned char)rand();
    url = data_url("image/jpeg", jpg, size);
    free(jpg);
    free(row);
    return url;
}

/* The payload fmt (JSON with ' for ") with the URL in place of its %s. */
static json_t *image_doc(const char *fmt, char *url)
{
    const char *at = strstr(fmt, "%s");
    size_t n = strlen(fmt) + strlen(url) + 1;
    char *s = malloc(n);
    json_t *v;

    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_nonnull(at);
    snprintf(s, n, "%.*s%s%s", (int)(at - fmt), fmt, url, at + 2);
    v = payload_of(s);
    free(s);
    free(url);
    return v;
}

struct pdfimage {
    int page;
    char type[16];
    int w, h;
    char color[16];
    int xppi, yppi;
};

/* pdfimages -list of the job's PDF: up to max rows into out; the count. */
static int list_images(const struct pdf *p, struct pdfimage *out, int max)
{
    const char *tmp = getenv("TMPDIR");
    char file[300], cmd[400], *list, *line;
    int n = 0, st;
    FILE *f;

    snprintf(file, sizeof file, "%s/check_pdf_img.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_int_ge(st = mkstemp(file), 0);
    f = fdopen(st, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p->job->blob.data, 1, p->job->blob.len, f), p->job->blob.len);
    ck_assert_int_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "pdfimages -list '%s' 2>&1", file);
    list = capture(cmd, &st);
    unlink(file);
    ck_assert_msg(st == 0, "pdfimages fails:\n%s", list);
    for (line = strtok(list, "\n"); line && n < max; line = strtok(NULL, "\n")) {
        struct pdfimage *im = &out[n];
        if (sscanf(line, "%d %*d %15s %d %d %15s %*d %*d %*s %*s %*d %*d %d %d", &im->page,
                   im->type, &im->w, &im->h, im->color, &im->xppi, &im->yppi) == 7)
            n++;
    }
    free(list);
    return n;
}

static int need_pdfimages(const char *fn)
{
    if (system("command -v pdfimages >/dev/null 2>&1") == 0)
        return 0;
    printf("SKIP %s: pdfimages is not installed (poppler-utils)\n", fn);
    fflush(stdout);
    return 1;
}

#define NEED_IMAGE_TOOLS()                                       \
    do {                                                         \
        if (skip_without_tools(__func__) || need_pdfimages(__func__)) \
            return;                                              \
    } while (0)

/* How far the image pushes the text after it down: the drawn height. */
static double image_push(json_t *with_image)
{
    struct pdf *p = render_ok_conf(with_image, NULL), *ref = render_ok("{'content': ['Above', 'After']}");
    double d = (word(p, "After")->y0 - word(p, "Above")->y0) -
               (word(ref, "After")->y0 - word(ref, "Above")->y0);

    pdf_free(p);
    pdf_free(ref);
    return d;
}

START_TEST(test_pdf_image_png_rgb_is_drawn_at_its_pixel_size)
{
    struct pdfimage im[4];
    struct pdf *p;

    NEED_IMAGE_TOOLS();
    p = render_ok_conf(image_doc("{'content': ['Above', {'image': '%s'}, 'After']}",
                                 png_url(40, 20, 0, 0)), NULL);
    ck_assert_int_eq(list_images(p, im, 4), 1);
    ck_assert_str_eq(im[0].type, "image");
    ck_assert_str_eq(im[0].color, "rgb");
    ck_assert_int_eq(im[0].w, 40);
    ck_assert_int_eq(im[0].h, 20);
    ck_assert_int_eq(im[0].xppi, 72);     /* one pixel, one point */
    ck_assert_int_eq(im[0].yppi, 72);
    pdf_free(p);
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s'}, 'After']}",
                                     png_url(40, 20, 0, 0))), 20, 0.5);
}
END_TEST

START_TEST(test_pdf_image_png_alpha_becomes_a_soft_mask)
{
    struct pdfimage im[4];
    struct pdf *p;

    NEED_IMAGE_TOOLS();
    p = render_ok_conf(image_doc("{'content': {'image': '%s'}}", png_url(16, 12, 1, 0)), NULL);
    ck_assert_int_eq(list_images(p, im, 4), 2);
    ck_assert_str_eq(im[0].type, "image");
    ck_assert_str_eq(im[0].color, "rgb");
    ck_assert_str_eq(im[1].type, "smask");
    ck_assert_str_eq(im[1].color, "gray");
    ck_assert_int_eq(im[1].w, 16);
    ck_assert_int_eq(im[1].h, 12);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_image_jpeg_is_drawn)
{
    struct pdfimage im[4];
    struct pdf *p;

    NEED_IMAGE_TOOLS();
    p = render_ok_conf(image_doc("{'content': ['Above', {'image': '%s'}, 'After']}",
                                 jpeg_url(30, 30, 0)), NULL);
    ck_assert_int_eq(list_images(p, im, 4), 1);
    ck_assert_str_eq(im[0].color, "rgb");
    ck_assert_int_eq(im[0].w, 30);
    ck_assert_int_eq(im[0].h, 30);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_image_width_or_height_alone_keeps_the_aspect_ratio)
{
    struct pdfimage im[4];
    struct pdf *p;

    NEED_IMAGE_TOOLS();
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s', 'width': 100}, 'After']}",
                                     png_url(40, 20, 0, 0))), 50, 0.5);
    p = render_ok_conf(image_doc("{'content': {'image': '%s', 'height': 40}}",
                                 png_url(40, 20, 0, 0)), NULL);
    ck_assert_int_eq(list_images(p, im, 4), 1);
    ck_assert_int_eq(im[0].xppi, 36);     /* 40 px over 80 pt */
    ck_assert_int_eq(im[0].yppi, 36);
    pdf_free(p);
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s', 'width': 10, 'height': 60},"
                                     " 'After']}", png_url(40, 20, 0, 0))), 60, 0.5);
}
END_TEST

START_TEST(test_pdf_image_fit_scales_into_the_box_keeping_the_aspect_ratio)
{
    NEED_IMAGE_TOOLS();
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s', 'fit': [60, 60]}, 'After']}",
                                     png_url(40, 20, 0, 0))), 30, 0.5);
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s', 'fit': [100, 10]}, 'After']}",
                                     png_url(40, 20, 0, 0))), 10, 0.5);
}
END_TEST

START_TEST(test_pdf_image_margin_adds_space_around_it)
{
    NEED_IMAGE_TOOLS();
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s', 'margin': [0, 5, 0, 7],"
                                     " 'alignment': 'center'}, 'After']}",
                                     png_url(40, 20, 0, 0))), 32, 0.5);
}
END_TEST

START_TEST(test_pdf_image_too_tall_for_the_rest_of_the_page_moves_on)
{
    struct pdfimage im[4];
    struct pdf *p;

    NEED_IMAGE_TOOLS();
    p = render_ok_conf(image_doc("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 10,"
                                 " 'content': ['Above', {'image': '%s', 'height': 170},"
                                 " 'After']}", png_url(40, 20, 0, 0)), NULL);
    ck_assert_int_eq(p->pages, 3);       /* 'After' does not fit below it either */
    ck_assert_int_eq(list_images(p, im, 4), 1);
    ck_assert_int_eq(im[0].page, 2);
    assert_page_has(p, 1, "Above");
    assert_page_lacks(p, 2, "After");
    pdf_free(p);
}
END_TEST

static void image_fails(json_t *doc, const struct heft_type_conf *tconf, const char *code,
                        const char *needle)
{
    struct heft_job *job = render_fails_conf(doc, tconf, code);

    assert_message_has(job, "content[1]");
    assert_message_has(job, needle);
    heft_job_destroy(job);
}

#define IMAGE_DOC "{'content': ['ok', {'image': '%s'}]}"

START_TEST(test_pdf_image_truncated_png_is_bad_input)
{
    image_fails(image_doc(IMAGE_DOC, png_url(40, 20, 0, 60)), NULL, "bad_input", "content[1].image: corrupt PNG");
}
END_TEST

START_TEST(test_pdf_image_corrupt_jpeg_is_bad_input)
{
    image_fails(image_doc(IMAGE_DOC, jpeg_url(30, 30, 1)), NULL, "bad_input", "content[1].image: corrupt JPEG");
}
END_TEST

START_TEST(test_pdf_image_invalid_base64_is_bad_input)
{
    image_fails(payload_of("{'content': ['ok', {'image': 'data:image/png;base64,iVB*Rw0K'}]}"),
                NULL, "bad_input", "content[1].image: invalid base64");
    image_fails(payload_of("{'content': ['ok', {'image': 'data:image/png;base64,iVBORw0'}]}"),
                NULL, "bad_input", "content[1].image: invalid base64");
}
END_TEST

START_TEST(test_pdf_image_file_name_and_other_types_are_unsupported)
{
    image_fails(payload_of("{'content': ['ok', {'image': 'photo.png'}]}"), NULL, "unsupported",
                "image directories");
    image_fails(payload_of("{'content': ['ok', {'image': 'data:image/gif;base64,R0lGOD=='}]}"),
                NULL, "unsupported", "image/gif");
}
END_TEST

START_TEST(test_pdf_image_size_properties_must_be_numbers)
{
    image_fails(image_doc("{'content': ['ok', {'image': '%s', 'width': 'wide'}]}",
                          png_url(4, 4, 0, 0)), NULL, "bad_input", "content[1].width");
    image_fails(image_doc("{'content': ['ok', {'image': '%s', 'fit': [10]}]}",
                          png_url(4, 4, 0, 0)), NULL, "bad_input", "content[1].fit");
    image_fails(payload_of("{'content': ['ok', {'image': 42}]}"), NULL, "bad_input", "content[1].image: must be a string");
}
END_TEST

static struct heft_type_conf small_images = {
    .name = "pdf.render",
    .nlimits = 2,
    .limits = { { "max_image_pixels", 100 }, { "max_image_bytes", 2000 } },
};

START_TEST(test_pdf_image_limits_are_limit_exceeded)
{
    image_fails(image_doc(IMAGE_DOC, png_url(11, 10, 0, 0)), &small_images, "limit_exceeded",
                "max_image_pixels");
    image_fails(image_doc(IMAGE_DOC, jpeg_url(200, 200, 0)), &small_images, "limit_exceeded",
                "max_image_bytes");
}
END_TEST

/* ---- canvas ---------------------------------------------------------------- */

/* How far a canvas pushes the text after it down, as image_push. */
static double canvas_push(const char *canvas)
{
    char doc[1024];

    snprintf(doc, sizeof doc, "{'content': ['Above', {'canvas': %s}, 'After']}", canvas);
    return image_push(payload_of(doc));
}

START_TEST(test_pdf_canvas_line_pushes_text_down_by_its_height)
{
    NEED_PDF_TOOLS();
    /* lowest point y = 5, plus half the default line width (1) */
    assert_near(canvas_push("[{'type': 'line', 'x1': 0, 'y1': 5, 'x2': 200, 'y2': 5}]"), 5.5, 0.2);
    assert_near(canvas_push("[{'type': 'line', 'x1': 0, 'y1': 5, 'x2': 200, 'y2': 5,"
                            " 'lineWidth': 4, 'lineCap': 'round',"
                            " 'dash': {'length': 3, 'space': 2}}]"), 7, 0.2);
}
END_TEST

START_TEST(test_pdf_canvas_rect_pushes_text_by_h_plus_half_the_line)
{
    NEED_PDF_TOOLS();
    /* stroked: 30 + 1/2; filled only: exactly 30 */
    assert_near(canvas_push("[{'type': 'rect', 'x': 0, 'y': 0, 'w': 100, 'h': 30}]"), 30.5, 0.2);
    assert_near(canvas_push("[{'type': 'rect', 'x': 10, 'y': 0, 'w': 100, 'h': 30,"
                            " 'color': 'red', 'r': 5}]"), 30, 0.2);
}
END_TEST

START_TEST(test_pdf_canvas_all_ops_render_and_pass_qpdf)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['Above', {'canvas': ["
                  "{'type': 'rect', 'x': 0, 'y': 0, 'w': 50, 'h': 20, 'r': 4, 'color': '#336699',"
                  " 'lineColor': 'black', 'lineWidth': 2},"
                  "{'type': 'polyline', 'points': [{'x': 0, 'y': 0}, {'x': 30, 'y': 40},"
                  " {'x': 60, 'y': 10}], 'closePath': true, 'color': 'yellow'},"
                  "{'type': 'polyline', 'points': [{'x': 0, 'y': 0}, {'x': 30, 'y': 10}],"
                  " 'lineColor': 'blue'},"
                  "{'type': 'ellipse', 'x': 100, 'y': 20, 'r1': 30, 'r2': 15, 'color': 'green'},"
                  "{'type': 'ellipse', 'x': 100, 'y': 20, 'r1': 0, 'r2': 0, 'lineWidth': 0},"
                  "{'type': 'rect', 'x': 0, 'y': 0, 'w': 0, 'h': 0, 'r': 3, 'color': 'red',"
                  " 'lineColor': 'red'},"
                  "{'type': 'line', 'x1': 0, 'y1': -5, 'x2': 300, 'y2': 10, 'lineCap': 'square',"
                  " 'dash': {'length': 2}, 'color': 'red'}"
                  "], 'margin': [0, 5]}, 'After']}");
    assert_page_has(p, 1, "After");
    ck_assert_int_eq(p->pages, 1);
    pdf_free(p);
    /* ellipse bottom 20 + 15, filled only */
    assert_near(canvas_push("[{'type': 'ellipse', 'x': 50, 'y': 20, 'r1': 30, 'r2': 15,"
                            " 'color': 'green'}]"), 35, 0.2);
    /* polyline lowest point 40, stroked */
    assert_near(canvas_push("[{'type': 'polyline', 'points': [{'x': 0, 'y': 0},"
                            " {'x': 30, 'y': 40}]}]"), 40.5, 0.2);
}
END_TEST

START_TEST(test_pdf_canvas_too_tall_for_the_rest_of_the_page_moves_on)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 10,"
                  " 'content': ['Above', {'canvas': [{'type': 'rect', 'x': 0, 'y': 0, 'w': 50,"
                  " 'h': 170, 'color': 'black'}]}, 'After']}");
    ck_assert_int_eq(p->pages, 3);       /* 'After' does not fit below it either */
    assert_page_has(p, 1, "Above");
    assert_page_lacks(p, 2, "After");
    assert_page_has(p, 3, "After");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_canvas_filled_rect_is_drawn_where_it_belongs)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    if (system("command -v pdftoppm >/dev/null 2>&1") != 0) {
        printf("SKIP canvas pixel test: pdftoppm is not installed\n");
        return;
    }
    /* page 200x200, margins 20: the rect covers (40..160, 40..160) */
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20,"
                  " 'content': {'canvas': [{'type': 'rect', 'x': 20, 'y': 20, 'w': 120,"
                  " 'h': 120, 'color': 'black'}]}}");
    ck_assert_int_lt(pixel_at(p, 100, 100), 64);
    ck_assert_int_gt(pixel_at(p, 4, 4), 192);
    ck_assert_int_gt(pixel_at(p, 190, 190), 192);
    ck_assert_int_lt(pixel_at(p, 45, 155), 64);     /* bottom-left: y is not flipped */
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_canvas_bad_input_names_the_path)
{
    static const struct { const char *doc, *code, *needle; } cases[] = {
        { "{'content': ['ok', {'canvas': 'x'}]}", "bad_input", "content[1].canvas" },
        { "{'content': ['ok', {'canvas': [{'type': 'rect', 'x': 0, 'y': 0, 'h': 3}]}]}",
          "bad_input", "content[1].canvas[0].w" },
        { "{'content': ['ok', {'canvas': [{'type': 'line', 'x1': 0, 'y1': 0, 'x2': 1,"
          " 'y2': 0}, {'type': 'rect', 'x': 0, 'y': 0, 'w': -1, 'h': 3}]}]}",
          "bad_input", "content[1].canvas[1].w" },
        { "{'content': ['ok', {'canvas': [{'type': 'line', 'x1': 0, 'y1': 'a', 'x2': 1,"
          " 'y2': 0}]}]}", "bad_input", "content[1].canvas[0].y1" },
        { "{'content': ['ok', {'canvas': [{'x': 0}]}]}", "bad_input", "content[1].canvas[0].type" },
        { "{'content': ['ok', {'canvas': [{'type': 'ellipse', 'x': 0, 'y': 0, 'r1': 1,"
          " 'r2': 1, 'lineWidth': -2}]}]}", "bad_input", "content[1].canvas[0].lineWidth" },
        { "{'content': ['ok', {'canvas': [{'type': 'polyline', 'points': [{'x': 0}, {'x': 1,"
          " 'y': 1}]}]}]}", "bad_input", "content[1].canvas[0].points[0].y" },
        { "{'content': ['ok', {'canvas': [{'type': 'rect', 'x': 0, 'y': 0, 'w': 1, 'h': 1,"
          " 'colour': 'red'}]}]}", "bad_input", "colour" },
        { "{'content': ['ok', {'canvas': [{'type': 'arc'}]}]}", "unsupported", "arc" },
        { "{'content': ['ok', {'canvas': [{'type': 'rect', 'x': 0, 'y': 0, 'w': 1, 'h': 1,"
          " 'fillOpacity': 0.5}]}]}", "unsupported", "fillOpacity" },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct heft_job *job = render_fails(cases[i].doc, cases[i].code);
        assert_message_has(job, cases[i].needle);
        assert_message_has(job, "content[1]");
        heft_job_destroy(job);
    }
}
END_TEST

/* ---- QR codes ------------------------------------------------------------ */

/* Page 1 rasterized at 150 dpi and decoded by zbarimg: the text of the
 * first symbol found (malloc'ed, no trailing newline), or NULL, saying so,
 * when pdftoppm or zbarimg is missing. */
static char *qr_decode(const struct pdf *p, const char *fn)
{
    const char *tmp = getenv("TMPDIR");
    char dir[256], file[300], cmd[2048];
    char *out;
    size_t n;
    int st;
    FILE *f;

    if (system("command -v pdftoppm >/dev/null 2>&1 && command -v zbarimg >/dev/null 2>&1")) {
        printf("SKIP %s: pdftoppm or zbarimg is not installed (poppler-utils, zbar-tools)\n", fn);
        return NULL;
    }
    snprintf(dir, sizeof dir, "%s/check_pdf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
    snprintf(file, sizeof file, "%s/out.pdf", dir);
    f = fopen(file, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(p->job->blob.data, 1, p->job->blob.len, f), p->job->blob.len);
    ck_assert_int_eq(fclose(f), 0);
    snprintf(cmd, sizeof cmd, "pdftoppm -r 150 -png -f 1 -l 1 -singlefile '%s' '%s/page'"
             " 2>/dev/null && zbarimg --raw -q '%s/page.png' 2>/dev/null; rm -f '%s'/page.png '%s'",
             file, dir, dir, dir, file);
    out = capture(cmd, &st);
    rmdir(dir);
    ck_assert_msg(st == 0, "pdftoppm | zbarimg failed (exit %d): %s", st, out);
    n = strlen(out);
    while (n > 0 && out[n - 1] == '\n')
        out[--n] = '\0';
    return out;
}

static void assert_qr_decodes(const char *doc, const char *want, const char *fn)
{
    struct pdf *p = render_ok(doc);
    char *got = qr_decode(p, fn);

    ck_assert_int_eq(p->pages, 1);
    if (got)
        ck_assert_str_eq(got, want);
    free(got);
    pdf_free(p);
}

START_TEST(test_pdf_qr_decodes_to_its_text)
{
    NEED_PDF_TOOLS();
    assert_qr_decodes("{'content': [{'qr': 'https://example.com/invoice/42', 'fit': 200}]}",
                      "https://example.com/invoice/42", __func__);
}
END_TEST

START_TEST(test_pdf_qr_ecc_level_h_and_colors_decode)
{
    NEED_PDF_TOOLS();
    assert_qr_decodes("{'content': ['Above', {'qr': 'https://example.com/invoice/42', 'fit': 200,"
                      " 'eccLevel': 'H', 'version': 5, 'mode': 'octet', 'alignment': 'center',"
                      " 'foreground': '#000080', 'background': 'white', 'margin': 10}]}",
                      "https://example.com/invoice/42", __func__);
}
END_TEST

START_TEST(test_pdf_qr_pushes_text_down_by_fit)
{
    NEED_PDF_TOOLS();
    assert_near(image_push(payload_of("{'content': ['Above', {'qr': 'hello', 'fit': 150},"
                                      " 'After']}")), 150, 0.2);
    assert_near(image_push(payload_of("{'content': ['Above', {'qr': 'hello'}, 'After']}")),
                100, 0.2);
    assert_near(image_push(payload_of("{'content': ['Above', {'qr': 'hello', 'fit': 80,"
                                      " 'margin': [0, 5]}, 'After']}")), 90, 0.2);
}
END_TEST

START_TEST(test_pdf_qr_is_aligned_in_the_column)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    if (system("command -v pdftoppm >/dev/null 2>&1") != 0) {
        printf("SKIP qr alignment test: pdftoppm is not installed\n");
        return;
    }
    /* page 200x200, margins 20, fit 60 right-aligned: the code spans x
     * 120..180 (21 modules of 60/21 pt), its top-left finder pattern first */
    p = render_ok("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20,"
                  " 'content': {'qr': 'x', 'fit': 60, 'alignment': 'right',"
                  " 'background': 'yellow'}}");
    ck_assert_int_lt(pixel_at(p, 130, 30), 64);     /* the finder's centre, modules 2..4 */
    ck_assert_int_gt(pixel_at(p, 30, 30), 192);
    ck_assert_int_gt(pixel_at(p, 100, 30), 192);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_qr_bad_input_names_the_path)
{
    static const struct { const char *doc, *needle; } cases[] = {
        { "{'content': ['ok', {'qr': 42}]}", "content[1].qr" },
        { "{'content': ['ok', {'qr': ''}]}", "content[1].qr" },
        { "{'content': ['ok', {'qr': 'x', 'fit': 0}]}", "content[1].fit" },
        { "{'content': ['ok', {'qr': 'x', 'fit': -5}]}", "content[1].fit" },
        { "{'content': ['ok', {'qr': 'x', 'eccLevel': 'X'}]}", "content[1].eccLevel" },
        { "{'content': ['ok', {'qr': 'x', 'eccLevel': 1}]}", "content[1].eccLevel" },
        { "{'content': ['ok', {'qr': 'x', 'version': 41}]}", "content[1].version" },
        { "{'content': ['ok', {'qr': 'x', 'foreground': 'nope'}]}", "content[1].foreground" },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct heft_job *job = render_fails(cases[i].doc, "bad_input");
        assert_message_has(job, cases[i].needle);
        assert_message_has(job, "content[1]");
        heft_job_destroy(job);
    }
}
END_TEST

START_TEST(test_pdf_qr_text_too_long_is_bad_input)
{
    char *doc = malloc(8000);
    struct heft_job *job;
    size_t n;

    ck_assert_ptr_nonnull(doc);
    strcpy(doc, "{\"content\": [\"ok\", {\"qr\": \"");
    n = strlen(doc);
    memset(doc + n, 'a', 3000);     /* a version 40-L code holds 2953 bytes */
    strcpy(doc + n + 3000, "\"}]}");
    job = render_fails_conf(json_loads(doc, 0, NULL), NULL, "bad_input");
    assert_message_has(job, "content[1].qr");
    assert_message_has(job, "too long for a QR code");
    heft_job_destroy(job);
    free(doc);
}
END_TEST

/* ---- limits and cancellation ---------------------------------------------- */

static struct heft_type_conf three_pages = {
    .name = "pdf.render",
    .nlimits = 1,
    .limits = { { "max_pages", 3 } },
};

START_TEST(test_pdf_more_pages_than_max_pages_is_limit_exceeded)
{
    struct heft_job *job = render_fails_conf(paragraphs(200), &three_pages, "limit_exceeded");

    assert_message_has(job, "3");
    assert_message_has(job, "pages");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_max_pages_allows_exactly_that_many)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok_conf(payload_of("{'content': ['one', {'text': 'two', 'pageBreak': 'before'},"
                                  " {'text': 'three', 'pageBreak': 'before'}]}"),
                       &three_pages);
    ck_assert_int_eq(p->pages, 3);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_cancelled_job_fails)
{
    struct heft_job *job = job_new(paragraphs(50), NULL);

    atomic_store(&job->cancel, 1);
    ck_assert_int_eq(run(job), HEFT_ERR);      /* heftd reports it as a timeout */
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_job_past_its_deadline_fails)
{
    struct heft_job *job = job_new(paragraphs(50), NULL);

    job->deadline = heft_deadline_after(0);
    ck_assert_int_eq(run(job), HEFT_ERR);      /* heftd reports it as a timeout */
    heft_job_destroy(job);
}
END_TEST

/* ---- bad input ------------------------------------------------------------ */

START_TEST(test_pdf_payload_must_be_an_object)
{
    struct heft_job *job = render_fails("['Hello']", "bad_input");

    ck_assert_str_ne(heft_buf_str(&job->message), "");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_content_is_required)
{
    struct heft_job *job = render_fails("{'info': {'title': 'Empty'}}", "bad_input");

    assert_message_has(job, "content");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_font_size_must_be_a_number)
{
    struct heft_job *job = render_fails("{'content': ['ok', {'text': 'x', 'fontSize': 'big'}]}",
                                        "bad_input");

    assert_message_has(job, "content[1]");
    assert_message_has(job, "fontSize");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_font_size_must_not_be_negative)
{
    struct heft_job *job = render_fails("{'content': ['ok', {'text': 'x', 'fontSize': -4}]}",
                                        "bad_input");

    assert_message_has(job, "content[1]");
    assert_message_has(job, "fontSize");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_margin_must_have_one_two_or_four_numbers)
{
    struct heft_job *job = render_fails("{'content': ['ok', {'text': 'x', 'margin': [1, 2, 3]}]}",
                                        "bad_input");

    assert_message_has(job, "content[1]");
    assert_message_has(job, "margin");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_named_style_must_exist)
{
    struct heft_job *job = render_fails("{'styles': {'known': {'bold': true}},"
                                        " 'content': ['ok', {'text': 'x', 'style': 'nosuch'}]}",
                                        "bad_input");

    assert_message_has(job, "content[1]");
    assert_message_has(job, "nosuch");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_page_size_must_be_known)
{
    struct heft_job *job = render_fails("{'pageSize': 'A11', 'content': 'x'}", "bad_input");

    assert_message_has(job, "pageSize");
    assert_message_has(job, "A11");
    heft_job_destroy(job);
}
END_TEST

/* pdfmake ignores keys it does not know (its own examples have a few), so
 * heft renders such a document too, and says what it ignored. */
START_TEST(test_pdf_unknown_property_is_ignored_with_a_warning)
{
    struct pdf *p;
    const json_t *w;

    NEED_PDF_TOOLS();
    p = render_ok("{'colour': 1, 'content': ['ok', {'text': 'x', 'colour': 'red'}]}");
    assert_has_text(p->text, "ok x");
    w = json_object_get(p->job->result, "warnings");
    ck_assert_msg(json_array_size(w) == 2, "expected 2 warnings");
    ck_assert_str_eq(json_string_value(json_array_get(w, 0)), "colour: unknown property \"colour\" ignored");
    ck_assert_str_eq(json_string_value(json_array_get(w, 1)),
                     "content[1]: unknown property \"colour\" ignored");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_unknown_key_of_a_named_style_is_warned_about_once)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'styles': {'s': {'colour': 'red'}}, 'content': [{'text': 'a', 'style': 's'},"
                  " {'text': 'b', 'style': 's'}]}");
    ck_assert_int_eq(json_array_size(json_object_get(p->job->result, "warnings")), 1);
    pdf_free(p);
}
END_TEST

/* pdfmake writes a number, a boolean, null or {} as a paragraph of its text. */
START_TEST(test_pdf_numbers_and_booleans_are_paragraphs_of_their_text)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [42, 1.5, 0.1, true, null, {}, 'end']}");
    assert_has_text(p->text, "42 1.5 0.1 true end");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_clean_document_has_no_warnings)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': 'ok'}");
    ck_assert_ptr_null(json_object_get(p->job->result, "warnings"));
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_error_path_names_nested_nodes)
{
    struct heft_job *job = render_fails("{'content': ['ok', {'stack': ['fine', {'text': 'x',"
                                        " 'fontSize': -1}]}]}", "bad_input");

    assert_message_has(job, "content[1]");
    assert_message_has(job, "stack[1]");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_unknown_font_is_unknown_font)
{
    struct heft_job *job = render_fails("{'content': ['ok', {'text': 'x', 'font': 'Comic Sans'}]}",
                                        "unknown_font");

    assert_message_has(job, "Comic Sans");
    assert_message_has(job, "content[1]");
    heft_job_destroy(job);
}
END_TEST

/* ---- lists ----------------------------------------------------------------- */

START_TEST(test_pdf_ul_draws_a_bullet_before_each_item)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': ['Intro', {'ul': ['Alpha', 'Bravo', 'Charlie']}, 'Outro']}");
    assert_has_text(p->text, "Intro \u2022 Alpha \u2022 Bravo \u2022 Charlie Outro");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_ul_bullet_sits_left_of_its_item_on_its_baseline)
{
    struct pdf *p;
    const struct word *bullet, *item;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageMargins': 50, 'content': {'ul': ['Alpha']}}");
    bullet = word(p, "\u2022");
    item = word(p, "Alpha");
    assert_near(bullet->x0, 50, 0.5);
    ck_assert_double_gt(item->x0, bullet->x1);
    assert_near(bullet->y1, item->y1, 1);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_ul_types_and_base14_bullet)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'ul': ['One'], 'type': 'circle'}, {'ul': ['Two'], 'type': 'square'},"
                  " {'ul': ['Three'], 'type': 'none'}, {'ul': ['Four'], 'font': 'Helvetica'}]}");
    assert_has_text(p->text, "\u25CB One \u25A0 Two Three \u2022 Four");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_ol_numbers_its_items)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'ol': ['Alpha', {'text': 'Bravo', 'bold': true}, {'stack': ['Charlie']}]}}");
    assert_has_text(p->text, "1. Alpha 2. Bravo 3. Charlie");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_ol_start_reversed_and_separator)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'ol': ['Five', 'Six'], 'start': 5},"
                  " {'ol': ['Three', 'Two', 'One'], 'reversed': true},"
                  " {'ol': ['Ten', 'Nine'], 'reversed': true, 'start': 10},"
                  " {'ol': ['Paren'], 'separator': ['(', ')']}]}");
    assert_has_text(p->text, "5. Five 6. Six 3. Three 2. Two 1. One 10. Ten 9. Nine (1) Paren");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_ol_alpha_and_roman_types)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'ol': ['Ay', 'Bee'], 'type': 'lower-alpha'},"
                  " {'ol': ['Cee'], 'type': 'upper-alpha', 'start': 28},"
                  " {'ol': ['Four', 'Five'], 'type': 'upper-roman', 'start': 4},"
                  " {'ol': ['Nine'], 'type': 'lower-roman', 'start': 9},"
                  " {'ol': ['Plain'], 'type': 'none'}]}");
    assert_has_text(p->text, "a. Ay b. Bee AB. Cee IV. Four V. Five ix. Nine Plain");
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_nested_list_items_are_indented_further)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': {'ol': ['Outer', {'ul': ['Inner', {'ol': ['Deepest']}]}, 'Later']}}");
    assert_has_text(p->text, "1. Outer \u2022 Inner 1. Deepest 2. Later");
    ck_assert_double_gt(word(p, "Inner")->x0, word(p, "Outer")->x0 + 5);
    ck_assert_double_gt(word(p, "Deepest")->x0, word(p, "Inner")->x0 + 5);
    assert_near(word(p, "Later")->x0, word(p, "Outer")->x0, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_list_margin_and_style_apply_to_items)
{
    struct pdf *p;
    const struct word *num, *item;

    NEED_PDF_TOOLS();
    p = render_ok("{'pageMargins': 50, 'content': {'ol': ['Big'], 'margin': [30, 0, 0, 0],"
                  " 'fontSize': 30, 'markerColor': 'red'}}");
    num = word(p, "1.");
    item = word(p, "Big");
    assert_near(num->x0, 80, 1);
    ck_assert_double_gt(height(item), 25);
    ck_assert_double_gt(height(num), 25);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_long_list_flows_over_pages)
{
    struct heft_buf doc = HEFT_BUF_INIT;
    const struct word *num, *item, *prev = NULL;
    char n[16], e[16];
    struct pdf *p;
    int i;

    NEED_PDF_TOOLS();
    heft_buf_printf(&doc, "{'content': {'ol': [");
    for (i = 1; i <= 120; i++)
        heft_buf_printf(&doc, "%s'Entry%03d of the long list.'", i > 1 ? ", " : "", i);
    heft_buf_printf(&doc, "]}}");
    p = render_ok(doc.data);
    ck_assert_int_ge(p->pages, 2);
    /* pdftotext reads the markers as a column of their own, so the order
     * and the pairing are checked on the word boxes. */
    for (i = 1; i <= 120; i++) {
        snprintf(n, sizeof n, "%d.", i);
        snprintf(e, sizeof e, "Entry%03d", i);
        num = word(p, n);
        item = word(p, e);
        ck_assert_int_eq(num->page, item->page);
        assert_near(num->y1, item->y1, 1);
        ck_assert(!prev || item->page > prev->page ||
                  (item->page == prev->page && item->y0 > prev->y0));
        prev = item;
    }
    ck_assert_int_eq(word(p, "Entry120")->page, p->pages);
    heft_buf_free(&doc);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_list_must_be_an_array)
{
    struct heft_job *job = render_fails("{'content': ['a', 'b', {'ul': 'x'}]}", "bad_input");

    assert_message_has(job, "content[2].ul");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_list_type_must_be_known)
{
    struct heft_job *job = render_fails("{'content': {'ol': ['a'], 'type': 'greek'}}", "bad_input");

    assert_message_has(job, "content.type");
    assert_message_has(job, "greek");
    heft_job_destroy(job);
}
END_TEST

START_TEST(test_pdf_list_item_errors_name_their_path)
{
    struct heft_job *job = render_fails("{'content': {'ul': ['a', {'text': 'b', 'fontSize': 'x'}]}}",
                                        "bad_input");

    assert_message_has(job, "content.ul[1].fontSize");
    heft_job_destroy(job);
}
END_TEST

/* pdfmake features this first step does not render: refused, by name,
 * rather than silently dropped. */
static const struct {
    const char *feature;
    const char *payload;
    const char *path;               /* where the message must point */
} unsupported[] = {
    { "heights", "{'content': ['ok', {'table': {'heights': 20, 'body': [['a']]}}]}",
      "content[1].table" },
    { "custom table layouts", "{'content': ['ok', {'table': {'body': [['a']]}, 'layout': {}}]}",
      "content[1].layout" },
    { "svg", "{'content': ['ok', {'svg': '<svg width=\\'10\\' height=\\'10\\'></svg>'}]}", "content[1]" },
};

START_TEST(test_pdf_unsupported_feature_is_refused_by_name)
{
    struct heft_job *job = render_fails(unsupported[_i].payload, "unsupported");

    assert_message_has(job, unsupported[_i].feature);
    assert_message_has(job, unsupported[_i].path);
    heft_job_destroy(job);
}
END_TEST

/* pdfmake: an item's listType and counter change its own marker only;
 * the list keeps counting. */
START_TEST(test_pdf_list_item_type_and_counter_change_only_its_marker)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'ol': ['one', {'text': 'two', 'counter': 10}, 'three',"
                  " {'text': 'four', 'listType': 'upper-roman'}]},"
                  " {'ul': ['a', {'text': 'b', 'listType': 'none'}, {'text': 'c',"
                  " 'listType': 'square', 'markerColor': 'red'}]}]}");
    assert_has_text(p->text, "1. one 10. two 3. three IV. four");
    assert_has_text(p->text, "\u2022 a b \u25A0");     /* pdftotext may glue c to the square */
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_list_item_bad_type_or_counter_is_bad_input)
{
    struct heft_job *job = render_fails("{'content': {'ol': [{'text': 'a', 'listType': 'disc'}]}}",
                                        "bad_input");

    assert_message_has(job, "content.ol[0].listType");
    heft_job_destroy(job);
    job = render_fails("{'content': {'ol': [{'text': 'a', 'counter': 'x'}]}}", "bad_input");
    assert_message_has(job, "content.ol[0].counter");
    heft_job_destroy(job);
}
END_TEST

/* A PNG of one grey level: 0 is black. */
static char *flat_png_url(unsigned w, unsigned h, unsigned char level)
{
    png_image pi;
    unsigned char *px = malloc((size_t)w * h), *png;
    png_alloc_size_t size = 0;
    char *url;

    ck_assert_ptr_nonnull(px);
    memset(px, level, (size_t)w * h);
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = w;
    pi.height = h;
    pi.format = PNG_FORMAT_GRAY;
    ck_assert(png_image_write_to_memory(&pi, NULL, &size, 0, px, 0, NULL));
    png = malloc(size);
    ck_assert_ptr_nonnull(png);
    ck_assert(png_image_write_to_memory(&pi, png, &size, 0, px, 0, NULL));
    url = data_url("image/png", png, size);
    free(png);
    free(px);
    return url;
}

/* cover: the box is cover's size; the picture is scaled to cover it (10 x
 * 40 becomes 100 x 400 for a 100 x 50 box) and clipped to it. */
START_TEST(test_pdf_image_cover_fills_its_box_and_is_clipped_to_it)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    if (system("command -v pdftoppm >/dev/null 2>&1") != 0)
        return;
    p = render_ok_conf(image_doc("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20,"
                                 " 'content': [{'image': '%s', 'cover': {'width': 100, 'height': 50,"
                                 " 'valign': 'top'}}, 'after']}", flat_png_url(10, 40, 0)), NULL);
    ck_assert_int_lt(pixel_at(p, 70, 45), 64);          /* inside the box */
    ck_assert_int_gt(pixel_at(p, 70, 110), 192);        /* where the clipped part would be */
    ck_assert_int_gt(pixel_at(p, 160, 45), 192);
    ck_assert(word(p, "after")->y0 >= 70 - 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_pdf_image_opacity_lets_the_page_show_through)
{
    struct pdf *p;
    int v;

    NEED_PDF_TOOLS();
    if (system("command -v pdftoppm >/dev/null 2>&1") != 0)
        return;
    p = render_ok_conf(image_doc("{'pageSize': {'width': 200, 'height': 200}, 'pageMargins': 20,"
                                 " 'content': {'image': '%s', 'opacity': 0.5}}",
                                 flat_png_url(100, 100, 0)), NULL);
    v = pixel_at(p, 70, 70);
    ck_assert_msg(v > 96 && v < 160, "a black image at opacity 0.5 gives grey, not %d", v);
    pdf_free(p);
}
END_TEST

/* pdfmake's maxWidth / minHeight...: the size is clamped, the aspect kept. */
START_TEST(test_pdf_image_max_and_min_sizes_clamp_keeping_the_aspect)
{
    NEED_PDF_TOOLS();
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s', 'maxWidth': 50},"
                                     " 'After']}", flat_png_url(100, 40, 128))), 20, 0.6);
    assert_near(image_push(image_doc("{'content': ['Above', {'image': '%s', 'minHeight': 80},"
                                     " 'After']}", flat_png_url(100, 40, 128))), 80, 0.6);
}
END_TEST

START_TEST(test_pdf_image_bad_cover_or_opacity_is_bad_input)
{
    struct heft_job *job = render_fails_conf(
        image_doc("{'content': {'image': '%s', 'cover': {'width': 10, 'align': 'middle'}}}",
                  flat_png_url(4, 4, 0)), NULL, "bad_input");

    assert_message_has(job, "content.cover");
    heft_job_destroy(job);
    job = render_fails_conf(image_doc("{'content': {'image': '%s', 'opacity': 2}}",
                                      flat_png_url(4, 4, 0)), NULL, "bad_input");
    assert_message_has(job, "content.opacity");
    heft_job_destroy(job);
}
END_TEST

/* ---- suite ---------------------------------------------------------------- */

static Suite *pdf_suite(void)
{
    Suite *s = suite_create("pdf.render");
    TCase *tc;

    tc = tcase("text");
    tcase_add_test(tc, test_pdf_renders_a_plain_string);
    tcase_add_test(tc, test_pdf_renders_paragraphs_in_order);
    tcase_add_test(tc, test_pdf_renders_a_single_node_as_content);
    tcase_add_test(tc, test_pdf_renders_text_runs_on_one_line);
    tcase_add_test(tc, test_pdf_renders_a_stack_top_to_bottom);
    tcase_add_test(tc, test_pdf_newline_breaks_the_line);
    tcase_add_test(tc, test_pdf_long_paragraph_wraps_inside_the_margins);
    tcase_add_test(tc, test_pdf_text_flows_onto_new_pages);
    tcase_add_test(tc, test_pdf_unicode_round_trips_in_the_default_font);
    tcase_add_test(tc, test_pdf_unicode_round_trips_in_helvetica_through_the_fallback_font);
    tcase_add_test(tc, test_pdf_helvetica_falls_back_only_for_characters_outside_winansi);
    tcase_add_test(tc, test_pdf_poppler_has_no_complaint_but_the_known_libharu_cmap_one);
    suite_add_tcase(s, tc);

    tc = tcase("pages");
    tcase_add_test(tc, test_pdf_page_break_before_starts_a_new_page);
    tcase_add_test(tc, test_pdf_page_break_after_starts_a_new_page);
    tcase_add_test(tc, test_pdf_header_and_footer_number_each_page);
    tcase_add_test(tc, test_pdf_default_page_is_a4_portrait);
    tcase_add_test(tc, test_pdf_page_size_a5_landscape);
    tcase_add_loop_test(tc, test_pdf_page_size_by_name, 0,
                        (int)(sizeof page_sizes / sizeof page_sizes[0]));
    tcase_add_test(tc, test_pdf_page_size_in_points);
    tcase_add_test(tc, test_pdf_page_margins_place_the_first_line);
    tcase_add_test(tc, test_pdf_default_page_margins_are_40pt);
    suite_add_tcase(s, tc);

    tc = tcase("metadata");
    tcase_add_test(tc, test_pdf_info_sets_title_and_author);
    tcase_add_test(tc, test_pdf_info_sets_subject_keywords_and_creator);
    tcase_add_test(tc, test_pdf_info_title_keeps_unicode);
    suite_add_tcase(s, tc);

    tc = tcase("style");
    tcase_add_test(tc, test_pdf_font_size_scales_the_text);
    tcase_add_test(tc, test_pdf_bold_italics_and_color_are_accepted);
    tcase_add_test(tc, test_pdf_named_style_applies_its_properties);
    tcase_add_test(tc, test_pdf_later_styles_in_a_list_win);
    tcase_add_test(tc, test_pdf_node_properties_override_its_style);
    tcase_add_test(tc, test_pdf_default_style_applies_to_all_text);
    tcase_add_test(tc, test_pdf_stack_properties_are_inherited);
    tcase_add_test(tc, test_pdf_line_height_spaces_the_lines);
    tcase_add_test(tc, test_pdf_character_spacing_widens_the_text);
    suite_add_tcase(s, tc);

    tc = tcase("layout");
    tcase_add_test(tc, test_pdf_alignment_left);
    tcase_add_test(tc, test_pdf_alignment_center);
    tcase_add_test(tc, test_pdf_alignment_right);
    tcase_add_test(tc, test_pdf_alignment_justify_fills_all_lines_but_the_last);
    tcase_add_test(tc, test_pdf_margin_number_applies_to_every_side);
    tcase_add_test(tc, test_pdf_margin_pair_is_horizontal_then_vertical);
    tcase_add_test(tc, test_pdf_margin_quad_is_left_top_right_bottom);
    suite_add_tcase(s, tc);

    tc = tcase("lists");
    tcase_add_test(tc, test_pdf_ul_draws_a_bullet_before_each_item);
    tcase_add_test(tc, test_pdf_ul_bullet_sits_left_of_its_item_on_its_baseline);
    tcase_add_test(tc, test_pdf_ul_types_and_base14_bullet);
    tcase_add_test(tc, test_pdf_ol_numbers_its_items);
    tcase_add_test(tc, test_pdf_ol_start_reversed_and_separator);
    tcase_add_test(tc, test_pdf_ol_alpha_and_roman_types);
    tcase_add_test(tc, test_pdf_nested_list_items_are_indented_further);
    tcase_add_test(tc, test_pdf_list_margin_and_style_apply_to_items);
    tcase_add_test(tc, test_pdf_long_list_flows_over_pages);
    tcase_add_test(tc, test_pdf_list_must_be_an_array);
    tcase_add_test(tc, test_pdf_list_type_must_be_known);
    tcase_add_test(tc, test_pdf_list_item_errors_name_their_path);
    suite_add_tcase(s, tc);

    tc = tcase("fonts");
    tcase_add_test(tc, test_pdf_default_font_is_embedded_dejavu_sans);
    tcase_add_test(tc, test_pdf_default_font_bold_and_italics_use_its_variants);
    tcase_add_test(tc, test_pdf_roboto_maps_to_the_default_font);
    tcase_add_test(tc, test_pdf_base14_fonts_are_used_by_name);
    tcase_add_test(tc, test_pdf_base14_bold_and_italics_use_their_variants);
    suite_add_tcase(s, tc);

    tc = tcase("images");
    tcase_add_test(tc, test_pdf_image_png_rgb_is_drawn_at_its_pixel_size);
    tcase_add_test(tc, test_pdf_image_png_alpha_becomes_a_soft_mask);
    tcase_add_test(tc, test_pdf_image_jpeg_is_drawn);
    tcase_add_test(tc, test_pdf_image_width_or_height_alone_keeps_the_aspect_ratio);
    tcase_add_test(tc, test_pdf_image_fit_scales_into_the_box_keeping_the_aspect_ratio);
    tcase_add_test(tc, test_pdf_image_margin_adds_space_around_it);
    tcase_add_test(tc, test_pdf_image_too_tall_for_the_rest_of_the_page_moves_on);
    tcase_add_test(tc, test_pdf_image_truncated_png_is_bad_input);
    tcase_add_test(tc, test_pdf_image_corrupt_jpeg_is_bad_input);
    tcase_add_test(tc, test_pdf_image_invalid_base64_is_bad_input);
    tcase_add_test(tc, test_pdf_image_file_name_and_other_types_are_unsupported);
    tcase_add_test(tc, test_pdf_image_size_properties_must_be_numbers);
    tcase_add_test(tc, test_pdf_image_limits_are_limit_exceeded);
    suite_add_tcase(s, tc);

    tc = tcase("list items");
    tcase_add_test(tc, test_pdf_list_item_type_and_counter_change_only_its_marker);
    tcase_add_test(tc, test_pdf_list_item_bad_type_or_counter_is_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase("image cover and opacity");
    tcase_add_test(tc, test_pdf_image_cover_fills_its_box_and_is_clipped_to_it);
    tcase_add_test(tc, test_pdf_image_opacity_lets_the_page_show_through);
    tcase_add_test(tc, test_pdf_image_max_and_min_sizes_clamp_keeping_the_aspect);
    tcase_add_test(tc, test_pdf_image_bad_cover_or_opacity_is_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase("canvas");
    tcase_add_test(tc, test_pdf_canvas_line_pushes_text_down_by_its_height);
    tcase_add_test(tc, test_pdf_canvas_rect_pushes_text_by_h_plus_half_the_line);
    tcase_add_test(tc, test_pdf_canvas_all_ops_render_and_pass_qpdf);
    tcase_add_test(tc, test_pdf_canvas_too_tall_for_the_rest_of_the_page_moves_on);
    tcase_add_test(tc, test_pdf_canvas_filled_rect_is_drawn_where_it_belongs);
    tcase_add_test(tc, test_pdf_canvas_bad_input_names_the_path);
    suite_add_tcase(s, tc);

    tc = tcase("qr");
    tcase_add_test(tc, test_pdf_qr_decodes_to_its_text);
    tcase_add_test(tc, test_pdf_qr_ecc_level_h_and_colors_decode);
    tcase_add_test(tc, test_pdf_qr_pushes_text_down_by_fit);
    tcase_add_test(tc, test_pdf_qr_is_aligned_in_the_column);
    tcase_add_test(tc, test_pdf_qr_bad_input_names_the_path);
    tcase_add_test(tc, test_pdf_qr_text_too_long_is_bad_input);
    suite_add_tcase(s, tc);

    tc = tcase("result");
    tcase_add_test(tc, test_pdf_result_reports_pages_bytes_and_sha256);
    tcase_add_test(tc, test_pdf_result_pages_match_the_pdf);
    tcase_add_test(tc, test_pdf_more_pages_than_max_pages_is_limit_exceeded);
    tcase_add_test(tc, test_pdf_max_pages_allows_exactly_that_many);
    tcase_add_test(tc, test_pdf_cancelled_job_fails);
    tcase_add_test(tc, test_pdf_job_past_its_deadline_fails);
    suite_add_tcase(s, tc);

    tc = tcase("errors");
    tcase_add_test(tc, test_pdf_payload_must_be_an_object);
    tcase_add_test(tc, test_pdf_content_is_required);
    tcase_add_test(tc, test_pdf_font_size_must_be_a_number);
    tcase_add_test(tc, test_pdf_font_size_must_not_be_negative);
    tcase_add_test(tc, test_pdf_margin_must_have_one_two_or_four_numbers);
    tcase_add_test(tc, test_pdf_named_style_must_exist);
    tcase_add_test(tc, test_pdf_page_size_must_be_known);
    tcase_add_test(tc, test_pdf_unknown_property_is_ignored_with_a_warning);
    tcase_add_test(tc, test_pdf_clean_document_has_no_warnings);
    tcase_add_test(tc, test_pdf_numbers_and_booleans_are_paragraphs_of_their_text);
    tcase_add_test(tc, test_pdf_unknown_key_of_a_named_style_is_warned_about_once);
    tcase_add_test(tc, test_pdf_error_path_names_nested_nodes);
    tcase_add_test(tc, test_pdf_unknown_font_is_unknown_font);
    tcase_add_loop_test(tc, test_pdf_unsupported_feature_is_refused_by_name, 0,
                        (int)(sizeof unsupported / sizeof unsupported[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pdf_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
