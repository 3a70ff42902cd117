/*
 * yamljson.h - the daemon's side of <heft/yaml.h>: loading a YAML document
 * with libyaml and converting one node of it, for config.c, which walks the
 * document itself and converts only the job type settings.
 */
#ifndef HEFT_YAMLJSON_H
#define HEFT_YAMLJSON_H

#include <heft/yaml.h>
#include <yaml.h>

/* Load the one document of text into doc (yaml_document_delete() it).
 * Errors: "YAML syntax error: ...", "only one YAML document is allowed",
 * "out of memory" (line 0).  Returns 0 or -1 with err filled. */
int heft_yaml_load(const char *text, size_t len, yaml_document_t *doc,
                   struct heft_yaml_error *err);

/* Convert node (see <heft/yaml.h> for the rules) into a new JSON value.
 * path names node in lines and errors ("" for a root); lines (may be NULL)
 * receives an entry for node and each node below it.  NULL with err
 * filled on error (err->path is then the full path). */
json_t *heft_yaml_node_json(yaml_document_t *doc, yaml_node_t *node, const char *path,
                            json_t *lines, struct heft_yaml_error *err);

#endif
