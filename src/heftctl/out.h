/*
 * out.h - how heftctl shows things: aligned tables with units for people,
 * relative ages ("3m12s ago"), colour only when it is wanted, and JSON
 * (built with jansson) for scripts.
 *
 * Nothing here decides whether to use colour or JSON: the command passes
 * the choice it holds in struct ctl.
 */
#ifndef HEFT_CTL_OUT_H
#define HEFT_CTL_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

enum out_color { OUT_PLAIN = 0, OUT_RED, OUT_YELLOW, OUT_GREEN, OUT_DIM, OUT_BOLD };

/* Cells are added row by row, left to right; the table owns their text. */
struct out_table {
    size_t ncols;
    const char *const *head;   /* ncols column titles */
    const char *align;         /* ncols letters: 'l' left, 'r' right */
    size_t ncells, cap;
    char **cells;
    enum out_color *colors;
    int failed;                /* sticky: out of memory */
};

void out_table_init(struct out_table *t, size_t ncols, const char *const *head, const char *align);
/* The next cell; printf-like. */
void out_table_add(struct out_table *t, enum out_color col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Print the table, titles first; 0, or -1 when an add ran out of memory. */
int out_table_print(const struct out_table *t, FILE *f, int color);
void out_table_free(struct out_table *t);

/* One "key   value" line of a record view, keys padded to one width. */
void out_kv(FILE *f, int color, enum out_color col, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Text with a colour around it when color is set (escape codes). */
const char *out_on(int color, enum out_color col);
const char *out_off(int color, enum out_color col);

/* Units. Each writes into buf and returns it. */
const char *out_duration(char *buf, size_t n, long long ms);      /* 4d03h, 2h05m, 3m12s, 4.2s, 120ms */
const char *out_age(char *buf, size_t n, long long now_ms, long long then_ms); /* 3m12s ago, in 3s */
const char *out_bytes(char *buf, size_t n, long long bytes);      /* 812 B, 18.0 KiB, 1.2 MiB */
const char *out_date(char *buf, size_t n, long long ms);          /* 2026-11-26 08:39:17 UTC */
/* A date and its age: "2026-11-26 08:39:17 UTC (3m12s ago)". */
const char *out_when(char *buf, size_t n, long long now_ms, long long ms);

/* Print j (a reference is taken over) on stdout, indented, with a
 * newline; 0, or -1 when j is NULL (out of memory) or stdout failed. */
int out_json(json_t *j);
/* An integer, or JSON null when have is 0. */
json_t *out_json_int(long long v, int have);
/* A string, or JSON null for NULL. */
json_t *out_json_str(const char *s);

#endif
