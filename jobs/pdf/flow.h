/*
 * jobs/pdf/flow.h - content flowing down a box and over pages, shared by
 * layout.c (paragraphs, images, the page) and grid.c (tables, columns).
 *
 * A flow is a box (x, width, the lowest y it may use) and a cursor (page,
 * y).  A table cell or a column is a flow of its own, started where its
 * row starts; grid.c runs one per cell and continues below the lowest.
 * Pages are shared: the first flow to need page n creates it, and a table
 * whose header rows repeat draws them at the top of every page its body
 * reaches (struct pdf_repeat).  Nothing is drawn here: flows only append
 * placed items to the layout, in any page order (sorted at the end).
 */
#ifndef HEFT_JOBS_PDF_FLOW_H
#define HEFT_JOBS_PDF_FLOW_H

#include "pdf.h"

/* A table's header rows as placed on its first page, copied to the top of
 * each later page the table reaches. */
struct pdf_repeat {
    struct pdf_repeat *parent;      /* an enclosing table's, or NULL */
    size_t from[3], to[3];          /* its lines, images, rects in the layout */
    double top, height;             /* where it starts on its page, how tall */
    int page_done;                  /* the last page it is drawn on */
};

struct flow {
    struct pdf_layout *lay;
    const struct pdf_doc *doc;
    struct pdf_fonts *fonts;
    heft_job *job;
    long long max_pages;
    struct pdf_err *err;
    const double *list_w;           /* each list's marker column width */
    /* the box */
    double x, w;
    double bottom;                  /* content stays above this y */
    double top_pad;                 /* space left at the top of a page the box continues on */
    struct pdf_repeat *repeat;      /* header rows to draw on a new page first */
    /* the cursor */
    int page;                       /* 0-based */
    double y;                       /* top of the next item, PDF coordinates */
    int page_empty;                 /* nothing placed by this flow on its page yet */
    int break_pending;              /* a page break waits for the next item */
    int placed_page;                /* page of the first item placed; -1 = none yet */
    int together;                   /* inside rows kept together: only the outermost retries */
    int depth;                      /* tables around this flow: inner fills paint last */
};

/* Where the layout stands, to undo an attempt (grid.c keeps header rows
 * and unbreakable rows together by retrying them on the next page). */
#define PDF_MARK_DEPTH 16
struct pdf_mark {
    size_t n[3];                    /* lines, images, rects */
    int pages;
    int done[PDF_MARK_DEPTH];       /* page_done of the repeat chain */
};

/* Blocks [first, end) of the document; grids skip their cells' blocks. */
int pdf_flow_range(struct flow *f, size_t first, size_t end);
/* Move the cursor to the top of the next page (creating it, drawing
 * repeated header rows); -2 when the job was cancelled. */
int pdf_flow_advance(struct flow *f);
/* Where content of the flow starts on a page it continues on (below any
 * repeated header rows, which are drawn there if not yet). */
int pdf_page_top(struct flow *f, int page, double *top);
/* The narrowest and widest the blocks can be laid out (pdfmake's min and
 * max widths): the widest unbreakable word, the widest unbroken line. */
int pdf_flow_measure(struct flow *f, size_t first, size_t end, double *min, double *max);
/* How far list l (index + 1) and its enclosing lists push content right. */
double pdf_list_offset(const struct flow *f, size_t l);
int pdf_push_rect(struct pdf_layout *lay, const struct pdf_rect *r, struct pdf_err *err);
/* Also stops rectangle merging from reaching back over the mark, so that
 * a rollback (or a header copy) restores exactly what was there. */
void pdf_mark(struct flow *f, struct pdf_mark *m);
void pdf_rollback(struct flow *f, const struct pdf_mark *m);

/* grid.c */
int pdf_flow_table(struct flow *f, const struct pdf_block *b);
int pdf_flow_columns(struct flow *f, const struct pdf_block *b);
int pdf_measure_grid(struct flow *f, const struct pdf_block *b, double *min, double *max);

#endif
