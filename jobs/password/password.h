/*
 * jobs/password/password.h - what password.hash and password.verify share:
 * the policy their init builds from the settings (policy.c: default
 * algorithm, default cost parameters and the bounds a job may ask for),
 * the four algorithms (argon2.c: libargon2 with per-thread memory, or
 * libsodium where it is faster;
 * crypt.c: bcrypt through libxcrypt; kdf.c: scrypt and PBKDF2-SHA256
 * through OpenSSL) and the strict reading of hash strings (format.c).
 *
 * Errors are collected in a struct hash_err (jobs/hash/hash.h) like the
 * hash types do; no message ever holds a password.
 */
#ifndef HEFT_JOBS_PASSWORD_H
#define HEFT_JOBS_PASSWORD_H

#include <heft/job.h>
#include <stddef.h>
#include <stdint.h>

#include "../hash/hash.h"
#include "lend.h"

enum pw_alg { PW_ARGON2ID, PW_BCRYPT, PW_SCRYPT, PW_PBKDF2, PW_NALGS };

/* Every cost parameter of every algorithm, as an index in pw_params.v. */
enum pw_param {
    PW_ARGON2_M, PW_ARGON2_T, PW_ARGON2_P,      /* memory_kib, iterations, parallelism */
    PW_BCRYPT_COST,                             /* cost */
    PW_SCRYPT_N, PW_SCRYPT_R, PW_SCRYPT_P,      /* n, r, p */
    PW_PBKDF2_I,                                /* iterations */
    PW_NPARAMS
};

/* Salts: 16 random bytes for every algorithm (bcrypt's is fixed at 16). */
#define PW_SALT_BYTES 16
/* The derived key of argon2id, scrypt and PBKDF2-SHA256. */
#define PW_KEY_BYTES 32
/* Room for any hash string heft writes or reads. */
#define PW_MAX_HASH 256

/* Which library computes an argon2id key.  AUTO: libsodium
 * where it is the faster and can compute the key (pw_argon2_pick: where
 * its memory can be lent, or the kernel gives it huge pages), else
 * libargon2. */
enum pw_argon2_engine { PW_ENGINE_AUTO, PW_ENGINE_LIBARGON2, PW_ENGINE_LIBSODIUM };

struct pw_params {
    enum pw_alg alg;
    long long v[PW_NPARAMS];    /* only those of alg are meaningful */
    int bcrypt_2b;              /* bcrypt: "$2b$" instead of "$2y$" */
    int argon2_version;         /* verify: the v= of an argon2id hash */
    enum pw_argon2_engine argon2_engine;        /* the policy's */
    /* verify: where the salt and the key are in the hash string (base64) */
    const char *salt_b64, *key_b64;
    size_t salt_len, key_len;
};

/* Built by init, read only by every worker thread. */
struct pw_policy {
    enum pw_alg alg;                    /* the default algorithm */
    long long def[PW_NPARAMS];          /* defaults: also the floor under which verify says needs_rehash */
    long long min[PW_NPARAMS], max[PW_NPARAMS];
    enum pw_argon2_engine argon2_engine;        /* setting argon2id_engine */
};

/* ---- policy.c ---- */

const char *pw_alg_name(enum pw_alg alg);
/* The algorithm named name, or -1. */
int pw_alg_find(const char *name);
/* The policy of the settings, or NULL with err filled. */
struct pw_policy *pw_policy_new(const json_t *settings, struct heft_init_error *err);
/* The parameters of a password.hash payload: policy defaults, overridden
 * within bounds by the payload's fields of the algorithm. */
int pw_params_from_payload(const struct pw_policy *pol, const json_t *payload,
                           struct pw_params *out, struct hash_err *err);
/* Whether parameters read from a hash are within the bounds a job may ask
 * for (a hash demanding 4 GiB is refused, not computed). */
int pw_params_check_max(const struct pw_policy *pol, const struct pw_params *p,
                        struct hash_err *err);
/* Whether a verified hash should be made again under the policy. */
int pw_needs_rehash(const struct pw_policy *pol, const struct pw_params *p);

/* ---- format.c ---- */

/* Base64 without padding ('.' for '+' when adapted, as passlib's pbkdf2
 * writes it) of len bytes into out (cap bytes, NUL-terminated). */
int pw_b64_encode(const unsigned char *bytes, size_t len, int adapted, char *out, size_t cap);
/* Decodes s (slen chars, unpadded) into out; -1 unless it is exactly that. */
int pw_b64_decode(const char *s, size_t slen, int adapted, unsigned char *out, size_t cap,
                  size_t *len);
/* Reads the literal prefix then a decimal number (1 to 10 digits, no sign,
 * no leading zero) at *s, advancing *s; -1 when not there. */
int pw_take_number(const char **s, const char *prefix, long long *v);
/* Which algorithm a hash string is of, and its parameters: 0, or -1 with
 * err "bad_hash" or "unknown_algorithm". */
int pw_parse(const char *hash, struct pw_params *p, struct hash_err *err);

/* ---- the algorithms: hash writes the string into out[PW_MAX_HASH];
 * verify sets *valid.  Both return 0, or -1 with err filled. ---- */

/* Starts libsodium and picks the engine of AUTO, once per process (else
 * done by the first hash). */
void pw_argon2_prepare(void);
/* Unmaps this thread's argon2 memory (kept between hashes); the next hash
 * maps it again. */
void pw_argon2_release_thread(void);
int pw_argon2_hash(const struct pw_params *p, const unsigned char *pwd, size_t len, char *out,
                   struct hash_err *err);
int pw_argon2_verify(const struct pw_params *p, const unsigned char *pwd, size_t len,
                     int *valid, struct hash_err *err);
/* The engine AUTO picks for p (its argon2_version, lanes) and these salt
 * and key lengths, fast saying whether libsodium gets reused or huge-page
 * memory: pw_lend_works, or the kernel gives every large mapping huge
 * pages (transparent_hugepage "always": pw_thp_always). */
enum pw_argon2_engine pw_argon2_pick(const struct pw_params *p, size_t saltlen, size_t keylen,
                                     int fast);
int pw_thp_always(void);
/* Whether libsodium's argon2 took the memory lent to it (lend.c) in the
 * check heftd makes once at start: it does when libsodium maps its memory
 * with mmap and this process's mmap is lend.c's. */
int pw_lend_works(void);

/* bytes of fresh memory (munmap it with *cap), rounded up to whole 2 MiB
 * huge pages, starting on one and advised MADV_HUGEPAGE, so that all of it
 * can be huge pages: each worker thread's argon2 memory; NULL when mmap
 * fails. */
uint8_t *pw_huge_map(size_t bytes, size_t *cap);
/* The argon2id key of pwd and salt under p (memory, iterations, lanes,
 * argon2_version) into key: ARGON2_OK, or libargon2's code of the error
 * (ARGON2_INCORRECT_PARAMETER when engine cannot compute it). */
int pw_argon2_key(enum pw_argon2_engine engine, const struct pw_params *p,
                  const unsigned char *pwd, size_t len, const unsigned char *salt,
                  size_t saltlen, unsigned char *key, size_t keylen);
int pw_bcrypt_hash(const struct pw_params *p, const unsigned char *pwd, size_t len, char *out,
                   struct hash_err *err);
int pw_bcrypt_verify(const char *hash, const unsigned char *pwd, size_t len, int *valid,
                     struct hash_err *err);
int pw_kdf_hash(const struct pw_params *p, const unsigned char *pwd, size_t len, char *out,
                struct hash_err *err);
int pw_kdf_verify(const struct pw_params *p, const unsigned char *pwd, size_t len, int *valid,
                  struct hash_err *err);

#endif
