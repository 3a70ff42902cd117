/*
 * jobs/password/argon2.c - argon2id through libargon2, with the memory of
 * each worker thread kept between jobs.  libargon2 would otherwise take a
 * fresh 64 MiB from malloc (a new mapping) for every hash and fault in
 * every page of it: about half of the time of a hash (issue 4).  Through
 * argon2_context's allocate_cbk/free_cbk it gets this thread's buffer,
 * grown to the largest memory seen and kept until the thread exits; it is
 * wiped after every hash, so no password-derived block outlives its job.
 *
 * The PHC string: libargon2 does not export its encoder apart from
 * argon2id_hash_encoded, which cannot take the callbacks; so the string is
 * written here around OpenSSL's base64 (unpadded, as the PHC format
 * wants), and every test checks it with libargon2's own decoder
 * (argon2id_verify), PHP and Node.
 */
#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

/* One worker thread's argon2 memory. */
struct arena {
    uint8_t *mem;
    size_t cap;
};

/* The key is created once and never changes: only the value behind it is
 * per thread. */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void arena_free(void *p)
{
    struct arena *a = p;

    free(a->mem);
    free(a);
}

static void arena_key_create(void)
{
    if (pthread_key_create(&arena_key, arena_free) != 0)
        abort();        /* only when the process is out of keys at start */
}

static int arena_alloc(uint8_t **memory, size_t bytes)
{
    struct arena *a;

    pthread_once(&arena_once, arena_key_create);
    a = pthread_getspecific(arena_key);
    if (!a) {
        a = calloc(1, sizeof *a);
        if (!a || pthread_setspecific(arena_key, a) != 0) {
            free(a);
            return ARGON2_MEMORY_ALLOCATION_ERROR;
        }
    }
    if (a->cap < bytes) {
        free(a->mem);   /* wiped after its last use */
        a->cap = 0;
        a->mem = malloc(bytes);
        if (!a->mem)
            return ARGON2_MEMORY_ALLOCATION_ERROR;
        a->cap = bytes;
    }
    *memory = a->mem;
    return ARGON2_OK;
}

static void arena_release(uint8_t *memory, size_t bytes)
{
    OPENSSL_cleanse(memory, bytes);
}

/* The context of one hash; pwd is only read (the flags do not clear it). */
static void context_init(argon2_context *ctx, const struct pw_params *p,
                         const unsigned char *pwd, size_t len, uint8_t *salt, size_t saltlen,
                         uint8_t *out, size_t outlen)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->out = out;
    ctx->outlen = (uint32_t)outlen;
    ctx->pwd = (uint8_t *)pwd;
    ctx->pwdlen = (uint32_t)len;
    ctx->salt = salt;
    ctx->saltlen = (uint32_t)saltlen;
    ctx->t_cost = (uint32_t)p->v[PW_ARGON2_T];
    ctx->m_cost = (uint32_t)p->v[PW_ARGON2_M];
    ctx->lanes = ctx->threads = (uint32_t)p->v[PW_ARGON2_P];
    ctx->version = ARGON2_VERSION_13;
    ctx->allocate_cbk = arena_alloc;
    ctx->free_cbk = arena_release;
    ctx->flags = ARGON2_DEFAULT_FLAGS;
}

static int argon2_fail(int rc, struct hash_err *err)
{
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return hash_fail(err, "out_of_memory", 1, "argon2id: cannot allocate its memory");
    return hash_fail(err, "crypto_error", 0, "argon2id: %s", argon2_error_message(rc));
}

int pw_argon2_hash(const struct pw_params *p, const unsigned char *pwd, size_t len, char *out,
                   struct hash_err *err)
{
    unsigned char salt[PW_SALT_BYTES], key[PW_KEY_BYTES];
    char salt64[32], key64[64];
    argon2_context ctx;
    int rc;

    if (RAND_bytes(salt, sizeof salt) != 1)
        return hash_fail(err, "crypto_error", 1, "no random bytes for a salt");
    context_init(&ctx, p, pwd, len, salt, sizeof salt, key, sizeof key);
    rc = argon2_ctx(&ctx, Argon2_id);
    if (rc != ARGON2_OK) {
        rc = argon2_fail(rc, err);
        goto out;
    }
    pw_b64_encode(salt, sizeof salt, 0, salt64, sizeof salt64);
    pw_b64_encode(key, sizeof key, 0, key64, sizeof key64);
    snprintf(out, PW_MAX_HASH, "$argon2id$v=%d$m=%lld,t=%lld,p=%lld$%s$%s", ARGON2_VERSION_13,
             p->v[PW_ARGON2_M], p->v[PW_ARGON2_T], p->v[PW_ARGON2_P], salt64, key64);
    rc = 0;
out:
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int pw_argon2_verify(const struct pw_params *p, const unsigned char *pwd, size_t len,
                     int *valid, struct hash_err *err)
{
    unsigned char salt[PW_MAX_HASH], key[PW_MAX_HASH], mine[PW_MAX_HASH];
    size_t saltlen, keylen;
    argon2_context ctx;
    int rc;

    if (pw_b64_decode(p->salt_b64, p->salt_len, 0, salt, sizeof salt, &saltlen) < 0 ||
        pw_b64_decode(p->key_b64, p->key_len, 0, key, sizeof key, &keylen) < 0 ||
        saltlen < ARGON2_MIN_SALT_LENGTH || keylen < ARGON2_MIN_OUTLEN)
        return hash_fail(err, "bad_hash", 0, "hash: a malformed argon2id hash string (its "
                         "salt or hash is not base64 of the right length)");
    /* argon2_verify_ctx computes into mine and compares in constant time. */
    context_init(&ctx, p, pwd, len, salt, saltlen, mine, keylen);
    ctx.version = (uint32_t)p->argon2_version;
    rc = argon2_verify_ctx(&ctx, (const char *)key, Argon2_id);
    OPENSSL_cleanse(mine, sizeof mine);
    *valid = rc == ARGON2_OK;
    if (rc == ARGON2_OK || rc == ARGON2_VERIFY_MISMATCH)
        return 0;
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return argon2_fail(rc, err);
    return hash_fail(err, "bad_hash", 0, "hash: argon2id cannot use it: %s",
                     argon2_error_message(rc));
}
