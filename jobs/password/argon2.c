/*
 * jobs/password/argon2.c - argon2id, computed by the fastest of two Debian
 * libraries that can compute it (bench/README.md has the comparison,
 * issue 4 the goal), both on memory each worker thread keeps between jobs:
 * otherwise every hash takes a fresh 64 MiB and faults in every page of
 * it, about half of the time of a hash.  The thread's arena is grown to the
 * largest memory seen and kept until the thread exits; it is mapped on 2 MiB
 * boundaries and advised for transparent huge pages (MADV_HUGEPAGE, which
 * the kernel's default "madvise" mode honours): argon2 reads blocks all over
 * its 64 MiB, and with 4 KiB pages most reads miss the TLB.  It is wiped
 * after every hash, so no password-derived block outlives its job.
 *
 * - libsodium's crypto_pwhash_argon2id (AVX-512, AVX2 or SSSE3 code picked
 *   at run time), about twice as fast as libargon2 on the same memory.  It
 *   takes no memory, so the arena is lent to the mapping it makes
 *   (lend.c).  Its raw API only takes 16-byte salts, one lane and keys of
 *   16 bytes or more: any other hash (p > 1, another salt length, as other
 *   libraries write) goes through libargon2.
 * - libargon2 (the reference implementation; Debian builds its portable
 *   code), which gets the arena through argon2_context's
 *   allocate_cbk/free_cbk.
 *
 * The PHC string: libargon2 does not export its encoder apart from
 * argon2id_hash_encoded, which cannot take the callbacks; so the string is
 * written here around OpenSSL's base64 (unpadded, as the PHC format
 * wants), and every test checks it with libargon2's own decoder
 * (argon2id_verify), libsodium's, PHP and Node.
 */
#include <argon2.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "password.h"

/* One worker thread's argon2 memory: a mapping of cap bytes. */
struct arena {
    uint8_t *mem;
    size_t cap;
};

/* Transparent huge pages are 2 MiB on x86-64 (and the usual arm64 kernel). */
#define HUGE_PAGE ((size_t)2 << 20)

/* The key is created once and never changes: only the value behind it is
 * per thread.  Which engine hashes of one lane use is also decided once:
 * libsodium when its memory can be lent, or when the kernel gives every
 * large mapping huge pages anyway. */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
static int sodium_ok;
static int lend_ok;
static int sodium_fast;

/* Gives the arena's memory back (it was wiped after its last use). */
static void arena_unmap(struct arena *a)
{
    if (a->mem)
        munmap(a->mem, a->cap);
    a->mem = NULL;
    a->cap = 0;
}

static void arena_free(void *p)
{
    arena_unmap(p);
    free(p);
}

int pw_thp_always(void)
{
    char buf[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

    if (f) {
        if (!fgets(buf, sizeof buf, f))
            buf[0] = '\0';
        fclose(f);
    }
    return strstr(buf, "[always]") != NULL;
}

/* The memory libsodium 1.0.18 maps for m KiB and one lane: at least 8
 * blocks of 1 KiB, a multiple of 4 (its sync points).  0 when m KiB do not
 * fit in a size_t. */
static size_t sodium_memory(long long m)
{
    if (m < 8)
        m = 8;
    if ((unsigned long long)m > SIZE_MAX / 1024)
        return 0;
    return (size_t)(m - m % 4) * 1024;
}

/* Whether libsodium's argon2 takes lent memory: one hash with its least
 * memory (8 KiB) on a loan of a buffer of this stack. */
static int lend_probe(void)
{
    _Alignas(64) uint8_t mem[8192];   /* as a mapping would be, for its SIMD code */
    static const unsigned char salt[crypto_pwhash_argon2id_SALTBYTES];
    unsigned char key[crypto_pwhash_argon2id_BYTES_MIN];
    int rc, took;

    if (pw_lend_open(mem, sodium_memory(8)) < 0)
        return 0;
    rc = crypto_pwhash_argon2id(key, sizeof key, "", 0, salt, 1, sizeof mem,
                                crypto_pwhash_ALG_ARGON2ID13);
    took = pw_lend_close();
    explicit_bzero(mem, sizeof mem);
    return rc == 0 && took;
}

static void arena_key_create(void)
{
    if (pthread_key_create(&arena_key, arena_free) != 0)
        abort();        /* only when the process is out of keys at start */
    sodium_ok = sodium_init() >= 0;
    lend_ok = sodium_ok && lend_probe();
    sodium_fast = lend_ok || (sodium_ok && pw_thp_always());
}

void pw_argon2_prepare(void)
{
    pthread_once(&arena_once, arena_key_create);
}

int pw_lend_works(void)
{
    pthread_once(&arena_once, arena_key_create);
    return lend_ok;
}

uint8_t *pw_huge_map(size_t bytes, size_t *cap)
{
    size_t len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uint8_t *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *a;

    if (p == MAP_FAILED)
        return NULL;
    /* Keep the aligned len bytes; give back what is before and after. */
    a = (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    munmap(a + len, (size_t)(p + HUGE_PAGE - a));
    /* Only advice: without it (THP "never", or no huge page free) the
     * same memory works with 4 KiB pages. */
    madvise(a, len, MADV_HUGEPAGE);
    *cap = len;
    return a;
}

void pw_argon2_release_thread(void)
{
    struct arena *a;

    pthread_once(&arena_once, arena_key_create);
    if ((a = pthread_getspecific(arena_key)))
        arena_unmap(a);
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
        arena_unmap(a);
        a->mem = pw_huge_map(bytes, &a->cap);
        if (!a->mem)
            return ARGON2_MEMORY_ALLOCATION_ERROR;
    }
    *memory = a->mem;
    return ARGON2_OK;
}

/* Nothing to do: libargon2 wipes its memory before it hands it back (its
 * clear_internal_memory, on by default), so the 64 MiB are not written a
 * second time; tests/check_password.c checks that the buffer is all zeros
 * after every kind of hash. */
static void arena_release(uint8_t *memory, size_t bytes)
{
    (void)memory;
    (void)bytes;
}

/* The context of one hash through libargon2; pwd is only read (the flags
 * do not clear it). */
static void context_init(argon2_context *ctx, const struct pw_params *p,
                         const unsigned char *pwd, size_t len, const unsigned char *salt,
                         size_t saltlen, unsigned char *out, size_t outlen)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->out = out;
    ctx->outlen = (uint32_t)outlen;
    ctx->pwd = (uint8_t *)pwd;
    ctx->pwdlen = (uint32_t)len;
    ctx->salt = (uint8_t *)salt;
    ctx->saltlen = (uint32_t)saltlen;
    ctx->t_cost = (uint32_t)p->v[PW_ARGON2_T];
    ctx->m_cost = (uint32_t)p->v[PW_ARGON2_M];
    ctx->lanes = ctx->threads = (uint32_t)p->v[PW_ARGON2_P];
    ctx->version = (uint32_t)p->argon2_version;
    ctx->allocate_cbk = arena_alloc;
    ctx->free_cbk = arena_release;
    ctx->flags = ARGON2_DEFAULT_FLAGS;
}

/* What libsodium's raw API computes: version 1.3, one lane, a 16-byte salt,
 * a key of 16 bytes or more. */
static int sodium_can(const struct pw_params *p, size_t saltlen, size_t keylen)
{
    return p->argon2_version == ARGON2_VERSION_13 && p->v[PW_ARGON2_P] == 1 &&
           saltlen == crypto_pwhash_argon2id_SALTBYTES &&
           keylen >= crypto_pwhash_argon2id_BYTES_MIN;
}

enum pw_argon2_engine pw_argon2_pick(const struct pw_params *p, size_t saltlen, size_t keylen,
                                     int fast)
{
    return fast && sodium_can(p, saltlen, keylen) ? PW_ENGINE_LIBSODIUM : PW_ENGINE_LIBARGON2;
}

/* libsodium's key, on this thread's arena lent to it (else on the memory
 * libsodium maps itself: slower, the same key). */
static int sodium_key(const struct pw_params *p, const unsigned char *pwd, size_t len,
                      const unsigned char *salt, unsigned char *key, size_t keylen)
{
    size_t want = sodium_memory(p->v[PW_ARGON2_M]);
    uint8_t *mem = NULL;
    int rc, error, lent = 0;

    if (!want)
        return ARGON2_MEMORY_ALLOCATION_ERROR;
    if (arena_alloc(&mem, want) == ARGON2_OK)
        lent = pw_lend_open(mem, want) == 0;
    errno = 0;
    rc = crypto_pwhash_argon2id(key, keylen, (const char *)pwd, len, salt,
                                (unsigned long long)p->v[PW_ARGON2_T],
                                (size_t)p->v[PW_ARGON2_M] * 1024, crypto_pwhash_ALG_ARGON2ID13);
    error = errno;
    /* libsodium does not wipe its memory: lend.c wipes its own mapping, and
     * the lent one is wiped here. */
    if (lent && pw_lend_close())
        explicit_bzero(mem, want);
    if (rc != 0)    /* its mmap failing is ENOMEM; EINVAL, EFBIG: parameters */
        return error == ENOMEM ? ARGON2_MEMORY_ALLOCATION_ERROR : ARGON2_INCORRECT_PARAMETER;
    return ARGON2_OK;
}

int pw_argon2_key(enum pw_argon2_engine engine, const struct pw_params *p,
                  const unsigned char *pwd, size_t len, const unsigned char *salt,
                  size_t saltlen, unsigned char *key, size_t keylen)
{
    argon2_context ctx;

    pthread_once(&arena_once, arena_key_create);
    if (engine == PW_ENGINE_AUTO)
        engine = pw_argon2_pick(p, saltlen, keylen, sodium_fast);
    if (engine == PW_ENGINE_LIBSODIUM) {
        if (!sodium_ok || !sodium_can(p, saltlen, keylen))
            return ARGON2_INCORRECT_PARAMETER;
        return sodium_key(p, pwd, len, salt, key, keylen);
    }
    context_init(&ctx, p, pwd, len, salt, saltlen, key, keylen);
    return argon2_ctx(&ctx, Argon2_id);
}

/* The engine of a job: the setting argon2id_engine, where libsodium is
 * asked for only what it can compute. */
static enum pw_argon2_engine job_engine(const struct pw_params *p, size_t saltlen, size_t keylen)
{
    pthread_once(&arena_once, arena_key_create);
    if (p->argon2_engine == PW_ENGINE_LIBSODIUM && !(sodium_ok && sodium_can(p, saltlen, keylen)))
        return PW_ENGINE_LIBARGON2;
    return p->argon2_engine;
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
    struct pw_params v13 = *p;
    int rc;

    if (RAND_bytes(salt, sizeof salt) != 1)
        return hash_fail(err, "crypto_error", 1, "no random bytes for a salt");
    v13.argon2_version = ARGON2_VERSION_13;
    rc = pw_argon2_key(job_engine(&v13, sizeof salt, sizeof key), &v13, pwd, len, salt,
                       sizeof salt, key, sizeof key);
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
    int rc;

    if (pw_b64_decode(p->salt_b64, p->salt_len, 0, salt, sizeof salt, &saltlen) < 0 ||
        pw_b64_decode(p->key_b64, p->key_len, 0, key, sizeof key, &keylen) < 0 ||
        saltlen < ARGON2_MIN_SALT_LENGTH || keylen < ARGON2_MIN_OUTLEN)
        return hash_fail(err, "bad_hash", 0, "hash: a malformed argon2id hash string (its "
                         "salt or hash is not base64 of the right length)");
    rc = pw_argon2_key(job_engine(p, saltlen, keylen), p, pwd, len, salt, saltlen, mine, keylen);
    /* Compared in constant time, as argon2_verify_ctx would. */
    *valid = rc == ARGON2_OK && CRYPTO_memcmp(mine, key, keylen) == 0;
    OPENSSL_cleanse(mine, sizeof mine);
    if (rc == ARGON2_OK)
        return 0;
    if (rc == ARGON2_MEMORY_ALLOCATION_ERROR)
        return argon2_fail(rc, err);
    return hash_fail(err, "bad_hash", 0, "hash: argon2id cannot use it: %s",
                     argon2_error_message(rc));
}
