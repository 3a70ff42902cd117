/*
 * heft/yaml.h - YAML to JSON, for handlers that read YAML files of their own
 * (pdf.render's templates) and for heftd's job type settings, so that both
 * read YAML the same way.
 *
 * Scalars: a quoted scalar (', ", | or >) is always a string.  A plain one
 * is null when empty, ~, null, Null or NULL; a boolean when true, True,
 * TRUE, false, False or FALSE; a number when it is written as a JSON number
 * (-12, 0.5, 1e6: an integer when it has no fraction or exponent and fits
 * 64 bits); a string otherwise (yes, on, 010, 0x1f and 1_000 stay strings).
 * Mapping keys must be scalars and are always strings; a duplicate key is
 * an error.  Anchors and aliases are expanded (within a depth of 64 and
 * 100000 nodes, so a small file cannot blow up).
 *
 * Lines: when asked, the conversion records the 1-based line of every node
 * in an object mapping the node's path to it.  Paths join mapping keys with
 * '.' and write sequence items as [N] ("fonts.Roboto.bold", "image_dirs[1]");
 * the root is "".  A mapping's value is recorded at the line of its key.
 */
#ifndef HEFT_YAML_H
#define HEFT_YAML_H

#include <jansson.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct heft_yaml_error {
    size_t line;            /* 1-based; 0 = not about a line */
    char path[256];         /* path of the offending node ("" = root or none) */
    char msg[256];          /* human message, no line or path prefix */
};

/* Parse one YAML document of len bytes into a new JSON value (an empty
 * document is JSON null).  lines (may be NULL) receives a new object of
 * path -> line.  Returns NULL with err filled on any error, a second
 * document in the text included. */
json_t *heft_yaml_parse(const char *text, size_t len, json_t **lines,
                        struct heft_yaml_error *err);

/* The line recorded for path, or for the nearest enclosing node that has
 * one ("a.b[2].c", then "a.b[2]", "a.b", "a", ""); 0 when none. */
size_t heft_yaml_line(const json_t *lines, const char *path);

#ifdef __cplusplus
}
#endif

#endif
