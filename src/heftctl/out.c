/*
 * out.c - heftctl's output: tables, units, ages, colour and JSON (see
 * out.h).  Widths are measured on the text before colour is added, so
 * columns line up with and without escape codes.
 */
#include "autoconfig.h"

#include "out.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_WIDTH 18
#define COL_GAP "  "

static const char *const color_codes[] = {
    [OUT_PLAIN] = "", [OUT_RED] = "\033[31m", [OUT_YELLOW] = "\033[33m",
    [OUT_GREEN] = "\033[32m", [OUT_DIM] = "\033[2m", [OUT_BOLD] = "\033[1m",
};

const char *out_on(int color, enum out_color col)
{
    return color ? color_codes[col] : "";
}

const char *out_off(int color, enum out_color col)
{
    return color && col != OUT_PLAIN ? "\033[0m" : "";
}

void out_table_init(struct out_table *t, size_t ncols, const char *const *head, const char *align)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->head = head;
    t->align = align;
}

static int table_grow(struct out_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    char **cells = realloc(t->cells, cap * sizeof *cells);
    enum out_color *colors;

    if (!cells)
        return -1;
    t->cells = cells;
    colors = realloc(t->colors, cap * sizeof *colors);
    if (!colors)
        return -1;
    t->colors = colors;
    t->cap = cap;
    return 0;
}

void out_table_add(struct out_table *t, enum out_color col, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    if (t->failed || (t->ncells == t->cap && table_grow(t) < 0)) {
        t->failed = 1;
        return;
    }
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    t->cells[t->ncells] = s;
    t->colors[t->ncells++] = col;
}

static void print_cell(FILE *f, const char *text, enum out_color col, int color,
                       size_t width, char align, int last)
{
    size_t pad = width - strlen(text);

    if (align == 'r')
        fprintf(f, "%*s", (int)pad, "");
    fprintf(f, "%s%s%s", out_on(color, col), text, out_off(color, col));
    if (align != 'r' && !last)
        fprintf(f, "%*s", (int)pad, "");
    fputs(last ? "\n" : COL_GAP, f);
}

int out_table_print(const struct out_table *t, FILE *f, int color)
{
    size_t *width, i, col;

    if (t->failed || !(width = calloc(t->ncols, sizeof *width)))
        return -1;
    for (col = 0; col < t->ncols; col++)
        width[col] = strlen(t->head[col]);
    for (i = 0; i < t->ncells; i++)
        if (strlen(t->cells[i]) > width[i % t->ncols])
            width[i % t->ncols] = strlen(t->cells[i]);
    for (col = 0; col < t->ncols; col++)
        print_cell(f, t->head[col], OUT_BOLD, color, width[col], t->align[col],
                   col + 1 == t->ncols);
    for (i = 0; i < t->ncells; i++)
        print_cell(f, t->cells[i], t->colors[i], color, width[i % t->ncols],
                   t->align[i % t->ncols], i % t->ncols + 1 == t->ncols);
    free(width);
    return 0;
}

void out_table_free(struct out_table *t)
{
    size_t i;

    for (i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->colors);
    memset(t, 0, sizeof *t);
}

void out_kv(FILE *f, int color, enum out_color col, const char *key, const char *fmt, ...)
{
    va_list ap;

    fprintf(f, "%-*s%s", KEY_WIDTH, key, out_on(color, col));
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fprintf(f, "%s\n", out_off(color, col));
}

const char *out_duration(char *buf, size_t n, long long ms)
{
    long long s = ms / 1000;

    if (ms < 0)
        ms = 0, s = 0;
    if (ms < 1000)
        snprintf(buf, n, "%lldms", ms);
    else if (s < 10)
        snprintf(buf, n, "%lld.%llds", s, ms % 1000 / 100);
    else if (s < 60)
        snprintf(buf, n, "%llds", s);
    else if (s < 3600)
        snprintf(buf, n, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(buf, n, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, n, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
    return buf;
}

const char *out_age(char *buf, size_t n, long long now_ms, long long then_ms)
{
    char d[32];

    if (then_ms > now_ms)
        snprintf(buf, n, "in %s", out_duration(d, sizeof d, then_ms - now_ms));
    else
        snprintf(buf, n, "%s ago", out_duration(d, sizeof d, now_ms - then_ms));
    return buf;
}

const char *out_bytes(char *buf, size_t n, long long bytes)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(buf, n, "%lld B", bytes);
        return buf;
    }
    while (v >= 1024 && u < 3) {
        v /= 1024;
        u++;
    }
    snprintf(buf, n, "%.1f %s", v, units[u]);
    return buf;
}

const char *out_date(char *buf, size_t n, long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, n, "%lld ms", ms);
    return buf;
}

const char *out_when(char *buf, size_t n, long long now_ms, long long ms)
{
    char date[64], age[48];

    snprintf(buf, n, "%s (%s)", out_date(date, sizeof date, ms),
             out_age(age, sizeof age, now_ms, ms));
    return buf;
}

int out_json(json_t *j)
{
    int rc = -1;

    if (!j)
        goto out;
    if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
        goto out;
    rc = fputc('\n', stdout) == EOF ? -1 : 0;
out:
    json_decref(j);
    return rc;
}

json_t *out_json_int(long long v, int have)
{
    return have ? json_integer(v) : json_null();
}

json_t *out_json_str(const char *s)
{
    return s ? json_string(s) : json_null();
}
