/*
 * check_pdf_xref.c - pdf.render's cross references: ids, linkToDestination,
 * pageReference and textReference, tables of contents (toc, tocItem) and
 * outlines (bookmarks), as pdfmake users write them.
 *
 * Text and its place are checked with pdftotext (-bbox), links and
 * outlines with qpdf --json=2 read by a few lines of python3 (see
 * SUMMARY), which prints one line per outline entry and per GoTo link:
 *   outline DEPTH TITLE -> PAGE /FitH TOP count COUNT
 *   link PAGE X0 Y0 X1 Y1 -> PAGE /FitH TOP
 * (PDF coordinates, rounded to whole points).  Page tops are 801.89 on
 * A4 with pdfmake's 40 pt margins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf_harness.h"

#define TOP "802"       /* the top margin's y on A4, rounded */

/* ---- helpers ------------------------------------------------------------- */

/* python3 over qpdf --json=2: outlines and GoTo links, one per line. */
static const char SUMMARY[] =
    "qpdf --json=2 \"$f\" | python3 -c '\n"
    "import json, sys\n"
    "j = json.load(sys.stdin)\n"
    "o = j[\"qpdf\"][1]\n"
    "pages = [p[\"object\"] for p in j[\"pages\"]]\n"
    "def v(r):\n"
    "    return o[\"obj:\" + r][\"value\"] if isinstance(r, str) and r.endswith(\" R\") else r\n"
    "def nums(a):\n"
    "    return \" \".join(\"%.0f\" % n for n in a)\n"
    "def dest(x):\n"
    "    x = v(x)\n"
    "    return \"%d %s %s\" % (pages.index(x[0]) + 1, x[1], nums(x[2:]))\n"
    "def walk(r, depth):\n"
    "    while r:\n"
    "        e = v(r)\n"
    "        t = e[\"/Title\"]\n"
    "        t = t[2:] if t.startswith(\"u:\") else t\n"
    "        print(\"outline %d %s -> %s count %s\" % (depth, t, dest(e[\"/Dest\"]),\n"
    "                                               e.get(\"/Count\", 0)))\n"
    "        walk(e.get(\"/First\"), depth + 1)\n"
    "        r = e.get(\"/Next\")\n"
    "root = v(o[\"trailer\"][\"value\"][\"/Root\"])\n"
    "print(\"pagemode %s\" % root.get(\"/PageMode\"))\n"
    "if \"/Outlines\" in root:\n"
    "    walk(v(root[\"/Outlines\"]).get(\"/First\"), 0)\n"
    "for i, p in enumerate(pages):\n"
    "    for a in v(v(p).get(\"/Annots\", [])):\n"
    "        a = v(a)\n"
    "        if \"/Dest\" in a:\n"
    "            print(\"link %d %s -> %s\" % (i + 1, nums(a[\"/Rect\"]), dest(a[\"/Dest\"])))\n"
    "'";

/* The summary of the PDF's outlines and links (malloc'd). */
static char *summary(const struct pdf *p)
{
    int st;
    char *out = capture_on_pdf(p->job, SUMMARY, &st);

    ck_assert_msg(st == 0, "the qpdf/python3 summary fails (exit %d): %s", st, out);
    return out;
}

/* Lines of the summary starting with prefix, joined by '\n' (malloc'd). */
static char *lines_with(const char *sum, const char *prefix)
{
    char *out = calloc(strlen(sum) + 1, 1);
    const char *s = sum;

    ck_assert_ptr_nonnull(out);
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) + 1 : strlen(s);
        if (strncmp(s, prefix, strlen(prefix)) == 0)
            strncat(out, s, n);
        s += n;
    }
    return out;
}

static void assert_summary_has(const char *sum, const char *line)
{
    ck_assert_msg(strstr(sum, line) != NULL, "\"%s\" not in the summary:\n%s", line, sum);
}

/* The document renders, its summary having the line(s). */
static void assert_summary_of(const char *payload, const char *lines)
{
    struct pdf *p = render_ok(payload);
    char *sum = summary(p);

    assert_summary_has(sum, lines);
    free(sum);
    pdf_free(p);
}

/* The number of GoTo links in the summary that go to "PAGE /FitH TOP". */
static int links_to(const char *sum, const char *target)
{
    char want[64];
    int n = 0;

    snprintf(want, sizeof want, "-> %s\n", target);
    for (const char *s = strstr(sum, want); s; s = strstr(s + 1, want))
        n++;
    return n;
}

/* The y (from the top of the page) of the first word with this text on page. */
static double word_top(const struct pdf *p, int page, const char *text)
{
    for (size_t i = 0; i < p->nwords; i++)
        if (p->words[i].page == page && strcmp(p->words[i].text, text) == 0)
            return p->words[i].y0;
    ck_abort_msg("no word \"%s\" on page %d", text, page);
    return 0;
}

/* The document renders, its page 1 showing text and not `not` (unless NULL). */
static void assert_page_1_shows(const char *payload, const char *text, const char *not)
{
    struct pdf *p = render_ok(payload);

    assert_page_has(p, 1, text);
    if (not)
        assert_page_lacks(p, 1, not);
    pdf_free(p);
}

static int has_python3(void)
{
    int st;
    char *out = capture("command -v python3 >/dev/null 2>&1", &st);

    free(out);
    if (st != 0)
        fprintf(stderr, "skipped: python3 is not installed\n");
    return st == 0;
}

#define NEED_PYTHON3()          \
    do {                        \
        NEED_PDF_TOOLS();       \
        if (!has_python3())     \
            return;             \
    } while (0)

/* Three chapters on pages 2, 3 and 4, after page 1 (which the tests fill). */
#define CHAPTERS(a, b, c)                                                                   \
    "{'text': 'Alpha', " a ", 'pageBreak': 'before'}, {'text': 'Beta', " b ", "          \
    "'pageBreak': 'before'}, {'text': ['Gamma ', {'text': 'inline', " c "}], "           \
    "'pageBreak': 'before'}"

/* ---- tables of contents ------------------------------------------------------ */

START_TEST(test_toc_lists_the_items_with_their_page_numbers_right_aligned)
{
    struct pdf *p;

    NEED_PDF_TOOLS();
    p = render_ok("{'content': [{'toc': {'title': {'text': 'Contents', 'bold': true}}}, "
                  CHAPTERS("'tocItem': true", "'tocItem': true", "'tocItem': true") "]}");
    ck_assert_int_eq(p->pages, 4);
    assert_page_has(p, 1, "Contents Alpha Beta inline 2 3 4");
    /* each number on its entry's line, its right edge at the right margin */
    assert_near(word_top(p, 1, "2"), word_top(p, 1, "Alpha"), 0.5);
    assert_near(word_top(p, 1, "3"), word_top(p, 1, "Beta"), 0.5);
    assert_near(word_top(p, 1, "4"), word_top(p, 1, "inline"), 0.5);
    assert_near(word(p, "3")->x1, A4_W - 40, 0.5);
    assert_near(word(p, "Alpha")->x0, 40, 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_toc_entries_link_to_their_items_text_and_number_both)
{
    struct pdf *p;
    char *sum;

    NEED_PYTHON3();
    p = render_ok("{'content': [{'toc': {'title': 'Contents'}}, "
                  CHAPTERS("'tocItem': true", "'tocItem': true", "'tocItem': true") "]}");
    sum = summary(p);
    ck_assert_int_eq(links_to(sum, "2 /FitH " TOP), 2);
    ck_assert_int_eq(links_to(sum, "3 /FitH " TOP), 2);
    ck_assert_int_eq(links_to(sum, "4 /FitH " TOP), 2);
    free(sum);
    pdf_free(p);
}
END_TEST

START_TEST(test_toc_page_numbers_are_right_when_the_toc_itself_takes_pages)
{
    struct pdf *p;
    char doc[16384];
    size_t n;

    NEED_PDF_TOOLS();
    /* 60 entries: the toc fills page 1 and part of page 2, so the items
     * (one a page after it) are on pages 3 to 62 */
    n = (size_t)snprintf(doc, sizeof doc, "{'content': [{'toc': {'title': 'Contents'}}");
    for (int i = 1; i <= 60; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n,
                              ", {'text': 'Chapter%d', 'tocItem': true, 'pageBreak': 'before'}",
                              i);
    snprintf(doc + n, sizeof doc - n, "]}");
    p = render_ok(doc);
    ck_assert_int_eq(p->pages, 62);
    assert_page_has(p, 1, "Chapter1 ");
    assert_page_has(p, 2, "Chapter60");
    assert_page_has(p, 62, "Chapter60");
    assert_near(word_top(p, 2, "62"), word_top(p, 2, "Chapter60"), 0.5);
    assert_near(word_top(p, 1, "3"), word_top(p, 1, "Chapter1"), 0.5);
    pdf_free(p);
}
END_TEST

START_TEST(test_toc_item_on_an_inline_text_lists_that_text_and_its_paragraphs_page)
{
    NEED_PDF_TOOLS();
    assert_page_1_shows("{'content': [{'toc': {}}, {'text': ['Intro ', {'text': 'Listed', "
                        "'tocItem': true}, ' not listed'], 'pageBreak': 'before'}]}",
                        "Listed 2", "not listed");
}
END_TEST

START_TEST(test_toc_with_an_id_lists_only_the_items_naming_it)
{
    NEED_PDF_TOOLS();
    assert_page_1_shows("{'content': [{'toc': {'id': 'figs', 'title': 'Figures'}}, {'toc': "
                        "{'title': 'Chapters'}}, "
                        CHAPTERS("'tocItem': true", "'tocItem': 'figs'", "'tocItem': ['figs', true]")
                        "]}",
                        "Figures Beta inline Chapters Alpha inline 3 4 2 4", NULL);
}
END_TEST

START_TEST(test_toc_sorted_by_title)
{
    NEED_PDF_TOOLS();
    assert_page_1_shows("{'content': [{'toc': {'sortBy': 'title'}}, {'text': 'zebra', 'tocItem': true},"
                        " {'text': 'Apple', 'tocItem': true}, {'text': 'mango', 'tocItem': true}]}",
                        "Apple mango zebra zebra Apple mango 1 1 1", NULL);
}
END_TEST

START_TEST(test_toc_without_items_shows_its_title_and_hideEmpty_hides_it)
{
    NEED_PDF_TOOLS();
    assert_page_1_shows("{'content': [{'toc': {'title': 'Shown'}}, {'toc': {'id': 'x', 'title': "
                        "'Hidden', 'hideEmpty': true}}, 'body']}", "Shown body", "Hidden");
}
END_TEST

START_TEST(test_toc_margins_styles_of_the_toc_and_of_an_item)
{
    struct pdf *p;
    double a, b, c;

    NEED_PDF_TOOLS();
    /* textMargin spaces every entry; an item's tocMargin replaces it */
    p = render_ok("{'content': [{'toc': {'textMargin': [0, 10, 0, 0], 'textStyle': "
                  "{'fontSize': 20}, 'numberStyle': 'num'}}, " CHAPTERS("'tocItem': true",
                  "'tocItem': true, 'tocMargin': [0, 40, 0, 0], 'tocStyle': 'small'",
                  "'tocItem': true") "], 'styles': {'num': {'bold': true}, 'small': {'fontSize': 8}}}");
    a = word_top(p, 1, "Alpha");
    b = word_top(p, 1, "Beta");
    c = word_top(p, 1, "inline");
    assert_near(height(word(p, "Alpha")), 20 * (0.928 + 0.236), 0.6);
    assert_near(height(word(p, "Beta")), 8 * (0.928 + 0.236), 0.6);
    ck_assert_msg(b - a > 40 + 8, "Beta's tocMargin top of 40 is not there (%.1f)", b - a);
    ck_assert_msg(c - b > 10 + 8 && c - b < 40, "inline's textMargin (%.1f)", c - b);
    pdf_free(p);
}
END_TEST

/* ---- page and text references ---------------------------------------------- */

START_TEST(test_page_reference_shows_the_page_of_the_node_with_that_id)
{
    NEED_PDF_TOOLS();
    assert_page_1_shows("{'content': [{'text': ['See page ', {'pageReference': 'b'}, '.']}, "
                        "{'pageReference': 'c'}, "
                        CHAPTERS("'id': 'a'", "'id': 'b'", "'id': 'c'") "]}",
                        "See page 3. 4", "00000");
}
END_TEST

START_TEST(test_page_reference_links_to_the_node)
{
    struct pdf *p;
    char *sum;

    NEED_PYTHON3();
    p = render_ok("{'content': [{'pageReference': 'b'}, " CHAPTERS("'id': 'a'", "'id': 'b'",
                  "'id': 'c'") "]}");
    sum = summary(p);
    ck_assert_int_eq(links_to(sum, "3 /FitH " TOP), 1);
    free(sum);
    pdf_free(p);
}
END_TEST

START_TEST(test_page_reference_with_more_digits_than_before_is_laid_out_again)
{
    struct pdf *p;
    char doc[8192];
    size_t n;

    NEED_PDF_TOOLS();
    /* right-aligned: "12" must end at the right margin, not where a
     * shorter placeholder would have put it */
    n = (size_t)snprintf(doc, sizeof doc, "{'content': [{'pageReference': 'last', "
                         "'alignment': 'right'}");
    for (int i = 2; i <= 12; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, ", {'text': 'p%d', %s'pageBreak': "
                              "'before'}", i, i == 12 ? "'id': 'last', " : "");
    snprintf(doc + n, sizeof doc - n, "]}");
    p = render_ok(doc);
    ck_assert_int_eq(p->pages, 12);
    assert_page_has(p, 1, "12");
    assert_near(word(p, "12")->x1, A4_W - 40, 0.5);
    pdf_free(p);
}
END_TEST

/* 36 one-line rows, then a tall row with the id "m" that starts low on page 1. */
static void tall_row_doc(char *doc, size_t size, int dont_break)
{
    size_t n = (size_t)snprintf(doc, size, "{'content': [{'text': ['ref: ', {'pageReference': "
                                "'m'}]}, {'table': {'dontBreakRows': %s, 'body': [",
                                dont_break ? "true" : "false");

    for (int i = 0; i < 36; i++)
        n += (size_t)snprintf(doc + n, size - n, "['row %d'], ", i);
    snprintf(doc + n, size - n, "[{'text': 'moved\\nmoved\\nmoved\\nmoved\\nmoved', "
             "'id': 'm'}]]}}]}");
}

START_TEST(test_page_reference_to_a_row_moved_to_the_next_page_names_that_page)
{
    char doc[4096];

    NEED_PDF_TOOLS();
    tall_row_doc(doc, sizeof doc, 1);       /* the row is retried on page 2 */
    assert_page_1_shows(doc, "ref: 2", NULL);
    tall_row_doc(doc, sizeof doc, 0);       /* the row starts on page 1 */
    assert_page_1_shows(doc, "ref: 1", NULL);
}
END_TEST

START_TEST(test_text_reference_shows_the_text_of_the_node_with_that_id)
{
    NEED_PDF_TOOLS();
    assert_page_1_shows("{'content': [{'text': ['Chapter ', {'textReference': 'g'}, ' on page ', "
                        "{'pageReference': 'g'}]}, {'textReference': 'b'}, "
                        CHAPTERS("'id': 'a'", "'id': 'b'", "'id': 'g'") "]}",
                        "Chapter inline on page 4 Beta", NULL);
}
END_TEST

START_TEST(test_references_inside_table_cells)
{
    NEED_PDF_TOOLS();
    assert_page_1_shows("{'content': [{'table': {'body': [[{'pageReference': 'b', 'alignment': "
                        "'right'}, {'textReference': 'b'}]]}}, "
                        CHAPTERS("'id': 'a'", "'id': 'b'", "'id': 'c'") "]}",
                        "3 Beta", NULL);
}
END_TEST

/* ---- links to destinations ------------------------------------------------- */

START_TEST(test_link_to_destination_goes_to_the_page_and_top_of_the_node)
{
    struct pdf *p;
    char *sum, *links, want[64];

    NEED_PYTHON3();
    p = render_ok("{'content': [{'text': 'jump', 'linkToDestination': 'there'}, {'text': "
                  "'page two', 'pageBreak': 'before'}, {'text': 'target', 'id': 'there', "
                  "'margin': [0, 50, 0, 0]}]}");
    sum = summary(p);
    links = lines_with(sum, "link 1 ");
    /* the link covers "jump" on page 1 and shows page 2 from the target's top */
    assert_summary_has(links, "link 1 40 788 ");
    assert_near(word_top(p, 2, "target"), 40 + 12 * (0.928 + 0.236) + 50, 0.5);
    snprintf(want, sizeof want, "-> 2 /FitH %.0f\n", A4_H - word_top(p, 2, "target"));
    assert_summary_has(links, want);
    free(links);
    free(sum);
    pdf_free(p);
}
END_TEST

START_TEST(test_link_to_destination_on_an_image_and_an_id_on_a_stack)
{
    NEED_PYTHON3();
    assert_summary_of("{'content': [{'image': 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"
                      "CAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'width': 50,"
                      " 'linkToDestination': 's'}, {'stack': ['in the stack'], 'id': 's', "
                      "'pageBreak': 'before'}]}",
                      "link 1 40 752 90 802 -> 2 /FitH " TOP);
}
END_TEST

/* ---- outlines ------------------------------------------------------------ */

START_TEST(test_outlines_nest_by_outlineParentId_with_titles_and_targets)
{
    NEED_PYTHON3();
    assert_summary_of("{'content': ["
                      "{'text': 'Part one', 'outline': true, 'id': 'p1', 'outlineExpanded': true},"
                      "{'text': 'Sub', 'outline': true, 'outlineParentId': 'p1', 'id': 's',"
                      " 'pageBreak': 'before'},"
                      "{'text': 'Subsub', 'outline': true, 'outlineParentId': 's', 'margin': [0, 30, 0, 0]},"
                      "{'text': ['Part ', {'text': 'two', 'outline': true, 'outlineText': 'Zwei'}],"
                      " 'pageBreak': 'before'}]}",
                      "pagemode /UseOutlines\n"
                      "outline 0 Part one -> 1 /FitH " TOP " count 1\n"
                      "outline 1 Sub -> 2 /FitH " TOP " count -1\n"
                      "outline 2 Subsub -> 2 /FitH 758 count 0\n"
                      "outline 0 Zwei -> 3 /FitH " TOP " count 0\n");
}
END_TEST

START_TEST(test_toc_outlines_makes_its_items_bookmarks)
{
    NEED_PYTHON3();
    assert_summary_of("{'content': [{'toc': {'outlines': true}}, "
                      CHAPTERS("'tocItem': true", "'tocItem': true, 'outlineText': 'B'",
                               "'tocItem': true") "]}",
                      "outline 0 Alpha -> 2 /FitH " TOP " count 0\n"
                      "outline 0 B -> 3 /FitH " TOP " count 0\n"
                      "outline 0 inline -> 4 /FitH " TOP " count 0\n");
}
END_TEST

START_TEST(test_outline_titles_keep_non_ascii_text)
{
    NEED_PYTHON3();
    assert_summary_of("{'content': [{'text': 'Überblick – ñ', 'outline': true}]}",
                      "outline 0 Überblick – ñ -> 1");
}
END_TEST

START_TEST(test_no_outlines_no_outline_page_mode)
{
    NEED_PYTHON3();
    assert_summary_of("{'content': [{'text': 'plain', 'id': 'x'}]}",
                      "pagemode None\n");
}
END_TEST

/* ---- bad input ------------------------------------------------------------- */

/* Documents that must fail with code, the message naming the place and id. */
static const struct {
    const char *doc, *code, *names, *names_too;
} bad[] = {
    /* unknown ids: pdfmake throws for references; we also refuse dead links */
    { "{'content': [{'text': ['p. ', {'pageReference': 'nope'}]}]}", "bad_input",
      "content[0].text[1].pageReference", "\"nope\"" },
    { "{'content': [{'textReference': 'gone'}]}", "bad_input", "content[0].textReference",
      "\"gone\"" },
    { "{'content': ['a', {'text': 'go', 'linkToDestination': 'x'}]}", "bad_input",
      "content[1].linkToDestination", "\"x\"" },
    { "{'content': [{'text': 'a', 'outline': true, 'outlineParentId': 'p'}]}", "bad_input",
      "content[0].outlineParentId", "\"p\"" },
    /* an outline's parent must come before it */
    { "{'content': [{'text': 'child', 'outline': true, 'outlineParentId': 'p'}, {'text': "
      "'parent', 'id': 'p', 'outline': true}]}", "bad_input", "content[0].outlineParentId",
      "\"p\"" },
    /* ids and toc ids are unique */
    { "{'content': [{'text': 'a', 'id': 'x'}, {'stack': ['b'], 'id': 'x'}]}", "bad_input",
      "content[1]: the id \"x\" is already used at content[0]", "" },
    { "{'content': [{'toc': {}}, {'toc': {'title': 'again'}}]}", "bad_input", "content[1].toc",
      "_default_" },
    { "{'content': [{'textReference': 's'}, {'stack': ['x'], 'id': 's'}]}", "bad_input",
      "content[0].textReference", "has no text" },
    /* bad values */
    { "{'content': [{'toc': {'titel': 'x'}}]}", "bad_input", "content[0].toc",
      "unknown property \"titel\"" },
    { "{'content': [{'toc': {'sortBy': 'size'}}]}", "bad_input", "content[0].toc.sortBy", "" },
    { "{'content': [{'toc': {}}, {'text': 'a', 'tocItem': true, 'tocStyle': 'nostyle'}]}",
      "bad_input", "content[1].tocStyle", "unknown style \"nostyle\"" },
    { "{'content': [{'text': 'a', 'tocItem': true, 'tocMargin': [1, 2, 3]}]}", "bad_input",
      "content[0].tocMargin", "" },
    { "{'content': [{'text': 'a', 'tocItem': 3}]}", "bad_input", "content[0].tocItem", "" },
    { "{'content': [{'text': 'a', 'id': ''}]}", "bad_input", "content[0].id", "" },
    { "{'content': [{'text': 'a', 'outline': 'yes'}]}", "bad_input", "content[0].outline", "" },
    { "{'content': 'x', 'header': {'text': ['a', {'text': 'b', 'id': 'h'}]}}", "unsupported",
      "header", "not supported here" },
    { "{'content': 'x', 'footer': {'text': 'f', 'outline': true}}", "unsupported", "footer",
      "not supported here" },
};

START_TEST(test_bad_references_fail_naming_the_place)
{
    struct heft_job *job = render_fails(bad[_i].doc, bad[_i].code);

    assert_message_has(job, bad[_i].names);
    assert_message_has(job, bad[_i].names_too);
    heft_job_destroy(job);
}
END_TEST

static Suite *xref_suite(void)
{
    Suite *s = suite_create("pdf_xref");
    TCase *tc = tcase("toc");

    tcase_add_test(tc, test_toc_lists_the_items_with_their_page_numbers_right_aligned);
    tcase_add_test(tc, test_toc_entries_link_to_their_items_text_and_number_both);
    tcase_add_test(tc, test_toc_page_numbers_are_right_when_the_toc_itself_takes_pages);
    tcase_add_test(tc, test_toc_item_on_an_inline_text_lists_that_text_and_its_paragraphs_page);
    tcase_add_test(tc, test_toc_with_an_id_lists_only_the_items_naming_it);
    tcase_add_test(tc, test_toc_sorted_by_title);
    tcase_add_test(tc, test_toc_without_items_shows_its_title_and_hideEmpty_hides_it);
    tcase_add_test(tc, test_toc_margins_styles_of_the_toc_and_of_an_item);
    suite_add_tcase(s, tc);

    tc = tcase("references");
    tcase_add_test(tc, test_page_reference_shows_the_page_of_the_node_with_that_id);
    tcase_add_test(tc, test_page_reference_links_to_the_node);
    tcase_add_test(tc, test_page_reference_with_more_digits_than_before_is_laid_out_again);
    tcase_add_test(tc, test_page_reference_to_a_row_moved_to_the_next_page_names_that_page);
    tcase_add_test(tc, test_text_reference_shows_the_text_of_the_node_with_that_id);
    tcase_add_test(tc, test_references_inside_table_cells);
    tcase_add_test(tc, test_link_to_destination_goes_to_the_page_and_top_of_the_node);
    tcase_add_test(tc, test_link_to_destination_on_an_image_and_an_id_on_a_stack);
    suite_add_tcase(s, tc);

    tc = tcase("outlines");
    tcase_add_test(tc, test_outlines_nest_by_outlineParentId_with_titles_and_targets);
    tcase_add_test(tc, test_toc_outlines_makes_its_items_bookmarks);
    tcase_add_test(tc, test_outline_titles_keep_non_ascii_text);
    tcase_add_test(tc, test_no_outlines_no_outline_page_mode);
    suite_add_tcase(s, tc);

    tc = tcase("errors");
    tcase_add_loop_test(tc, test_bad_references_fail_naming_the_place, 0,
                        (int)(sizeof bad / sizeof bad[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(xref_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
