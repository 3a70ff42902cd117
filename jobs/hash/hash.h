/*
 * jobs/hash/hash.h - what hash.digest and hash.hmac share: the state their
 * init builds from the settings (settings.c), the reading of a job's input
 * (input.c) and the text encodings of digests and keys (encode.c).
 *
 * Errors inside these files are collected in a struct hash_err (a stable
 * code, whether it is retryable, a message) that the handler turns into
 * heft_job_fail(); so the functions stay free of the job's outcome.
 */
#ifndef HEFT_JOBS_HASH_H
#define HEFT_JOBS_HASH_H

#include <heft/job.h>
#include <openssl/evp.h>
#include <stdint.h>

/* The digests of hash.digest (hash.c owns the table of their names). */
#define HASH_NALGS 9

/* Which job type a setting belongs to. */
enum hash_type { HASH_DIGEST = 1, HASH_HMAC = 2 };

struct hash_err {
    const char *code;           /* static: "bad_input", "io_error", ... */
    int retryable;
    char msg[384];
};

/* Fill err; returns -1. */
int hash_fail(struct hash_err *err, const char *code, int retryable, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));


/* A named HMAC key from the settings; its bytes are wiped when freed. */
struct hash_key {
    char *name;
    unsigned char *bytes;
    size_t len;
};

/* Built once by a type's init, then read only by every worker thread. */
struct hash_state {
    enum hash_type type;
    char **dirs;                /* input_dirs, resolved by realpath */
    size_t ndirs;
    char **key_prefixes;        /* input_key_prefixes: the keys redis_key may name */
    size_t nkey_prefixes;
    struct hash_key *keys;      /* hash.hmac */
    size_t nkeys;
    int allow_inline_keys;      /* hash.hmac */
    EVP_MD *md[HASH_NALGS];     /* hash.digest: fetched once; NULL = not available */
    EVP_MAC *hmac;              /* hash.hmac */
};

/* ---- settings.c ---- */

/* The state of type from its settings, or NULL with err filled. */
struct hash_state *hash_state_new(enum hash_type type, const json_t *settings,
                                  struct heft_init_error *err);
/* Frees the state, wiping the keys (NULL is fine). */
void hash_state_free(struct hash_state *st);
const struct hash_key *hash_key_find(const struct hash_state *st, const char *name);

/* ---- input.c ---- */

/* Where the input's bytes go, chunk by chunk; non-zero stops the reading. */
typedef int (*hash_sink_fn)(void *ctx, const unsigned char *data, size_t len);

/* Non-zero for the payload fields that name an input (text, base64, file,
 * redis_key), which every hash type accepts beside its own. */
int hash_input_field(const char *field);

/* Feeds the payload's one input (text, base64, file or redis_key) to
 * sink, a file or a Redis value streamed in chunks with cancellation
 * checks; *nbytes = its length. */
int hash_input_read(heft_job *job, const struct hash_state *st, hash_sink_fn sink,
                    void *ctx, uint64_t *nbytes, struct hash_err *err);

/* Refuses a payload that is not an object or has a field that is neither
 * an input nor one of fields (NULL-terminated). */
int hash_payload_check(const json_t *payload, const char *type, const char *const *fields,
                       struct hash_err *err);

/* ---- encode.c ---- */

/* The payload's "encoding": 0 for hex (default), 1 for base64. */
int hash_encoding(const json_t *payload, int *base64, struct hash_err *err);
/* bytes as lowercase hex or base64 (a new JSON string, NULL on ENOMEM). */
json_t *hash_encode(const unsigned char *bytes, size_t len, int base64);
/* Decodes base64 (padded, newlines allowed) into a new buffer of *len
 * bytes; NULL when s is not base64 (errno EINVAL) or memory runs out. */
unsigned char *hash_base64_decode(const char *s, size_t slen, size_t *len);
/* Decodes a MAC given in hex or base64 into out (at most cap bytes). */
int hash_decode_mac(const char *s, size_t slen, int base64, unsigned char *out, size_t cap,
                    size_t *len);
/* Wipes and frees a buffer that held a secret (NULL is fine). */
void hash_secret_free(unsigned char *p, size_t len);

#endif
