/*
 * jobs/password/crypt.c - bcrypt through libxcrypt: crypt_gensalt_rn
 * writes the setting ("$2y$12$" and 22 characters of salt from 16 random
 * bytes), crypt_rn hashes into a struct crypt_data of the job's own (so it
 * is thread-safe; crypt() never is), wiped after use.
 *
 * bcrypt reads a password as a C string and only its first 72 bytes: a
 * password with a NUL byte is refused, and password.hash refuses one over
 * 72 bytes rather than silently ignore its end (verify accepts it, as PHP
 * and libxcrypt do, so that hashes made elsewhere still verify).
 */
#include <crypt.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

#define BCRYPT_MAX_BYTES 72

static int check_password(const unsigned char *pwd, size_t len, int hashing,
                          struct hash_err *err)
{
    if (memchr(pwd, '\0', len))
        return hash_fail(err, "bad_input", 0, "password: bcrypt cannot take a NUL character");
    if (hashing && len > BCRYPT_MAX_BYTES)
        return hash_fail(err, "bad_input", 0, "password: %zu bytes; bcrypt uses at most %d "
                         "(use argon2id for longer passwords)", len, BCRYPT_MAX_BYTES);
    return 0;
}

/* crypt_rn of pwd (a C string copy, wiped) with setting into *data. */
static const char *bcrypt_run(const unsigned char *pwd, size_t len, const char *setting,
                              struct crypt_data *data)
{
    char *phrase = malloc(len + 1);
    const char *out = NULL;

    if (!phrase)
        return NULL;
    memcpy(phrase, pwd, len);
    phrase[len] = '\0';
    out = crypt_rn(phrase, setting, data, (int)sizeof *data);
    hash_secret_free((unsigned char *)phrase, len + 1);
    return out;
}

int pw_bcrypt_hash(const struct pw_params *p, const unsigned char *pwd, size_t len, char *out,
                   struct hash_err *err)
{
    char rbytes[PW_SALT_BYTES], setting[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data = NULL;
    const char *h;
    int rc = -1;

    if (check_password(pwd, len, 1, err) < 0)
        return -1;
    if (RAND_bytes((unsigned char *)rbytes, sizeof rbytes) != 1)
        return hash_fail(err, "crypto_error", 1, "no random bytes for a salt");
    if (!crypt_gensalt_rn(p->bcrypt_2b ? "$2b$" : "$2y$", (unsigned long)p->v[PW_BCRYPT_COST],
                          rbytes, (int)sizeof rbytes, setting, (int)sizeof setting))
        return hash_fail(err, "crypto_error", 0, "bcrypt: libxcrypt refuses cost %lld",
                         p->v[PW_BCRYPT_COST]);
    data = calloc(1, sizeof *data);
    h = data ? bcrypt_run(pwd, len, setting, data) : NULL;
    if (!h || strlen(h) >= PW_MAX_HASH)
        hash_fail(err, "crypto_error", 1, "bcrypt: libxcrypt failed (%s)",
                  data ? "crypt_rn" : "out of memory");
    else {
        strcpy(out, h);
        rc = 0;
    }
    if (data)
        OPENSSL_cleanse(data, sizeof *data);
    free(data);
    OPENSSL_cleanse(rbytes, sizeof rbytes);
    return rc;
}

int pw_bcrypt_verify(const char *hash, const unsigned char *pwd, size_t len, int *valid,
                     struct hash_err *err)
{
    struct crypt_data *data;
    const char *h;
    size_t hlen = strlen(hash);
    int rc = 0;

    *valid = 0;
    if (memchr(pwd, '\0', len))
        return 0;       /* no bcrypt hash is of such a password */
    data = calloc(1, sizeof *data);
    if (!data)
        return hash_fail(err, "out_of_memory", 1, "bcrypt: out of memory");
    h = bcrypt_run(pwd, len, hash, data);
    if (!h || h[0] == '*')
        rc = hash_fail(err, "bad_hash", 0, "hash: libxcrypt cannot use this bcrypt hash string");
    else
        *valid = strlen(h) == hlen && CRYPTO_memcmp(h, hash, hlen) == 0;
    OPENSSL_cleanse(data, sizeof *data);
    free(data);
    return rc;
}
