/*
 * jobs/hash/settings.c - the settings of hash.digest and hash.hmac (keys
 * of jobs.types.TYPE in heft.yaml beyond the generic ones) and the struct
 * hash_state that init builds from them: the resolved input directories,
 * the Redis key prefixes that inputs may name, and for hash.hmac the named keys, read once and kept in memory so that
 * no secret ever crosses Redis.  A key a type does not take is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"

/* Longer HMAC keys are hashed down anyway; this only catches a wrong file. */
#define MAX_KEY_BYTES 65536

typedef int (*setting_fn)(struct hash_state *st, const char *key, const json_t *value,
                          struct heft_init_error *err);

static int input_dirs(struct hash_state *st, const char *key, const json_t *value,
                      struct heft_init_error *err);
static int keys(struct hash_state *st, const char *key, const json_t *value,
                struct heft_init_error *err);
static int input_key_prefixes(struct hash_state *st, const char *key, const json_t *value,
                              struct heft_init_error *err);
static int allow_inline_keys(struct hash_state *st, const char *key, const json_t *value,
                             struct heft_init_error *err);

static const struct setting {
    const char *key;
    unsigned types;             /* enum hash_type bits */
    setting_fn parse;
} settings[] = {
    { "input_dirs", HASH_DIGEST | HASH_HMAC, input_dirs },
    { "input_key_prefixes", HASH_DIGEST | HASH_HMAC, input_key_prefixes },
    { "keys", HASH_HMAC, keys },
    { "allow_inline_keys", HASH_HMAC, allow_inline_keys },
    { NULL, 0, NULL },
};

static const char *type_name(enum hash_type type)
{
    return type == HASH_DIGEST ? "hash.digest" : "hash.hmac";
}

/* "unknown key; hash.hmac takes input_dirs, keys or allow_inline_keys". */
static int unknown_key(enum hash_type type, const char *key, struct heft_init_error *err)
{
    char known[200] = "";
    size_t i, n = 0, len = 0;

    for (i = 0; settings[i].key; i++)
        n += (settings[i].types & type) != 0;
    for (i = 0; settings[i].key; i++) {
        if (!(settings[i].types & type))
            continue;
        len += (size_t)snprintf(known + len, sizeof known - len, "%s%s",
                                len == 0 ? "" : --n == 1 ? " or " : ", ", settings[i].key);
        if (len >= sizeof known)
            break;
    }
    return heft_init_fail(err, key, "unknown key; %s takes %s", type_name(type), known);
}

/* Checks one entry of a list setting (path: "key[i]") and makes *out. */
typedef int (*list_item_fn)(const json_t *value, const char *path, char **out,
                            struct heft_init_error *err);

/* A list setting whose entries become strings: *n of them in *out (which
 * the state owns from here, even when an entry is refused). */
static int string_list(const json_t *value, const char *key, const char *what,
                       list_item_fn item, char ***out, size_t *n, struct heft_init_error *err)
{
    char path[128];
    size_t i;

    if (!json_is_array(value))
        return heft_init_fail(err, key, "must be a list of %s", what);
    *out = calloc(json_array_size(value) + 1, sizeof **out);
    if (!*out)
        return heft_init_fail(err, key, "out of memory");
    for (i = 0; i < json_array_size(value); i++) {
        snprintf(path, sizeof path, "%s[%zu]", key, i);
        if (item(json_array_get(value, i), path, &(*out)[i], err) != 0)
            return -1;
        *n = i + 1;
    }
    return 0;
}

/* ---- input_dirs ---- */

static int input_dirs(struct hash_state *st, const char *key, const json_t *value,
                      struct heft_init_error *err)
{
    return string_list(value, key, "absolute directory paths", heft_setting_dir, &st->dirs,
                       &st->ndirs, err);
}

/* ---- input_key_prefixes ---- */

/* heftd refuses its own keys anyway; a prefix that could only name them,
 * or "" (every key), is a mistake worth stopping at start. */
static int key_prefix(const json_t *value, const char *path, char **out,
                      struct heft_init_error *err)
{
    static const char own[] = "heft:";
    const char *s = json_string_value(value);

    if (!s || !*s || strlen(s) != json_string_length(value))
        return heft_init_fail(err, path, "must be a non-empty string (without NUL)");
    if (!strncmp(s, own, strlen(s) < strlen(own) ? strlen(s) : strlen(own)))
        return heft_init_fail(err, path, "\"%.100s\" would allow heftd's own keys (heft:...)",
                              s);
    *out = strdup(s);
    return *out ? 0 : heft_init_fail(err, path, "out of memory");
}

static int input_key_prefixes(struct hash_state *st, const char *key, const json_t *value,
                              struct heft_init_error *err)
{
    return string_list(value, key, "key prefixes (\"uploads:\")", key_prefix,
                       &st->key_prefixes, &st->nkey_prefixes, err);
}

/* ---- keys ---- */

/* The whole file as the key: its bytes exactly, a final newline included. */
static int key_file(struct hash_key *k, const char *path, const json_t *value,
                    struct heft_init_error *err)
{
    const char *file = json_string_value(value);
    struct stat sb;
    ssize_t n;
    int fd, rc = -1;

    if (!file || file[0] != '/')
        return heft_init_fail(err, path, "must be the absolute path of a key file");
    fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return heft_init_fail(err, path, "%.200s: %s", file, strerror(errno));
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        heft_init_fail(err, path, "%.200s is not a regular file", file);
        goto out;
    }
    if (sb.st_size < 1 || sb.st_size > MAX_KEY_BYTES) {
        heft_init_fail(err, path, "%.200s has %lld bytes; a key has 1 to %d", file,
             (long long)sb.st_size, MAX_KEY_BYTES);
        goto out;
    }
    k->len = (size_t)sb.st_size;        /* so that a failure wipes it all */
    k->bytes = malloc(k->len);
    if (!k->bytes) {
        heft_init_fail(err, path, "out of memory");
        goto out;
    }
    n = read(fd, k->bytes, k->len);
    if (n != (ssize_t)k->len)
        heft_init_fail(err, path, "%.200s: %s", file, n < 0 ? strerror(errno) : "changed while read");
    else
        rc = 0;
out:
    close(fd);
    return rc;
}

static int key_base64(struct hash_key *k, const char *path, const json_t *value,
                      struct heft_init_error *err)
{
    const char *s = json_string_value(value);

    if (!s)
        return heft_init_fail(err, path, "must be the key in base64");
    k->bytes = hash_base64_decode(s, json_string_length(value), &k->len);
    if (!k->bytes)
        return heft_init_fail(err, path, "not valid base64 (RFC 4648, padded)");
    if (k->len == 0)
        return heft_init_fail(err, path, "the key is empty");
    return 0;
}

static int key_entry(struct hash_key *k, const char *name, const json_t *value,
                     struct heft_init_error *err)
{
    const json_t *file = json_object_get(value, "file");
    const json_t *b64 = json_object_get(value, "base64");
    char path[128];

    snprintf(path, sizeof path, "keys.%.80s", name);
    if (!*name || strlen(name) > 64)
        return heft_init_fail(err, path, "a key name has 1 to 64 characters");
    if (!json_is_object(value) || json_object_size(value) != 1 || (!file && !b64))
        return heft_init_fail(err, path, "must be a mapping with either file or base64");
    k->name = strdup(name);
    if (!k->name)
        return heft_init_fail(err, path, "out of memory");
    snprintf(path, sizeof path, "keys.%.80s.%s", name, file ? "file" : "base64");
    return file ? key_file(k, path, file, err) : key_base64(k, path, b64, err);
}

static int keys(struct hash_state *st, const char *key, const json_t *value,
                struct heft_init_error *err)
{
    const char *name;
    json_t *v;

    if (!json_is_object(value))
        return heft_init_fail(err, key, "must be a mapping of key names to {file: PATH} or {base64: KEY}");
    st->keys = calloc(json_object_size(value) + 1, sizeof *st->keys);
    if (!st->keys)
        return heft_init_fail(err, key, "out of memory");
    json_object_foreach((json_t *)value, name, v)
        if (key_entry(&st->keys[st->nkeys++], name, v, err) < 0)
            return -1;
    return 0;
}

static int allow_inline_keys(struct hash_state *st, const char *key, const json_t *value,
                             struct heft_init_error *err)
{
    if (!json_is_boolean(value))
        return heft_init_fail(err, key, "must be true or false");
    st->allow_inline_keys = json_is_true(value);
    return 0;
}

const struct hash_key *hash_key_find(const struct hash_state *st, const char *name)
{
    size_t i;

    for (i = 0; i < st->nkeys; i++)
        if (!strcmp(st->keys[i].name, name))
            return &st->keys[i];
    return NULL;
}

/* ---- the state ---- */

static int parse_key(struct hash_state *st, const char *key, const json_t *value,
                     struct heft_init_error *err)
{
    size_t i;

    for (i = 0; settings[i].key; i++)
        if ((settings[i].types & st->type) && !strcmp(settings[i].key, key))
            return settings[i].parse(st, key, value, err);
    return unknown_key(st->type, key, err);
}

struct hash_state *hash_state_new(enum hash_type type, const json_t *settings_obj,
                                  struct heft_init_error *err)
{
    struct hash_state *st = calloc(1, sizeof *st);
    const char *key;
    json_t *value;

    if (!st) {
        heft_init_fail(err, "", "out of memory");
        return NULL;
    }
    st->type = type;
    if (!json_is_object(settings_obj)) {
        heft_init_fail(err, "", "the settings must be a mapping");
        goto fail;
    }
    json_object_foreach((json_t *)settings_obj, key, value)
        if (parse_key(st, key, value, err) < 0)
            goto fail;
    return st;
fail:
    hash_state_free(st);
    return NULL;
}

void hash_state_free(struct hash_state *st)
{
    size_t i;

    if (!st)
        return;
    for (i = 0; i < st->ndirs; i++)
        free(st->dirs[i]);
    free(st->dirs);
    for (i = 0; i < st->nkey_prefixes; i++)
        free(st->key_prefixes[i]);
    free(st->key_prefixes);
    for (i = 0; st->keys && st->keys[i].name; i++) {
        free(st->keys[i].name);
        hash_secret_free(st->keys[i].bytes, st->keys[i].len);
    }
    free(st->keys);
    for (i = 0; i < HASH_NALGS; i++)
        EVP_MD_free(st->md[i]);
    EVP_MAC_free(st->hmac);
    free(st);
}
