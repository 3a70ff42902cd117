/*
 * jobs/password/kdf.c - scrypt (RFC 7914) and PBKDF2-HMAC-SHA256 (RFC
 * 8018) through OpenSSL (EVP_PBE_scrypt, PKCS5_PBKDF2_HMAC), in passlib's
 * string formats, since no C library writes them:
 *   $scrypt$ln=16,r=8,p=1$SALT$KEY          (base64 without padding)
 *   $pbkdf2-sha256$600000$SALT$KEY          (passlib's adapted base64:
 *                                            '.' for '+', no padding)
 * with a 16-byte salt and a 32-byte key.  Verify computes the key again
 * and compares in constant time.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "password.h"

/* The key of pwd and salt under p into key (keylen bytes): 0 or -1. */
static int derive(const struct pw_params *p, const unsigned char *pwd, size_t len,
                  const unsigned char *salt, size_t saltlen, unsigned char *key, size_t keylen)
{
    uint64_t n = (uint64_t)p->v[PW_SCRYPT_N], r = (uint64_t)p->v[PW_SCRYPT_R];
    uint64_t par = (uint64_t)p->v[PW_SCRYPT_P];

    if (p->alg == PW_PBKDF2)
        return PKCS5_PBKDF2_HMAC((const char *)pwd, (int)len, salt, (int)saltlen,
                                 (int)p->v[PW_PBKDF2_I], EVP_sha256(), (int)keylen, key) == 1
               ? 0 : -1;
    /* OpenSSL refuses more than maxmem (32 MiB unless told): V and B, plus
     * room for its rounding. */
    return EVP_PBE_scrypt((const char *)pwd, len, salt, saltlen, n, r, par,
                          128 * r * (n + 2) + 128 * r * par + 65536, key, keylen) == 1 ? 0 : -1;
}

static int log2_of(long long n)
{
    int l = 0;

    while ((1LL << l) < n)
        l++;
    return l;
}

int pw_kdf_hash(const struct pw_params *p, const unsigned char *pwd, size_t len, char *out,
                struct hash_err *err)
{
    unsigned char salt[PW_SALT_BYTES], key[PW_KEY_BYTES];
    int adapted = p->alg == PW_PBKDF2, rc = -1;
    char salt64[32], key64[64];

    if (RAND_bytes(salt, sizeof salt) != 1)
        return hash_fail(err, "crypto_error", 1, "no random bytes for a salt");
    if (derive(p, pwd, len, salt, sizeof salt, key, sizeof key) < 0) {
        hash_fail(err, "crypto_error", 1, "%s: OpenSSL failed (out of memory?)",
                  pw_alg_name(p->alg));
        goto out;
    }
    pw_b64_encode(salt, sizeof salt, adapted, salt64, sizeof salt64);
    pw_b64_encode(key, sizeof key, adapted, key64, sizeof key64);
    if (p->alg == PW_PBKDF2)
        snprintf(out, PW_MAX_HASH, "$pbkdf2-sha256$%lld$%s$%s", p->v[PW_PBKDF2_I], salt64,
                 key64);
    else
        snprintf(out, PW_MAX_HASH, "$scrypt$ln=%d,r=%lld,p=%lld$%s$%s",
                 log2_of(p->v[PW_SCRYPT_N]), p->v[PW_SCRYPT_R], p->v[PW_SCRYPT_P], salt64,
                 key64);
    rc = 0;
out:
    OPENSSL_cleanse(key, sizeof key);
    return rc;
}

int pw_kdf_verify(const struct pw_params *p, const unsigned char *pwd, size_t len, int *valid,
                  struct hash_err *err)
{
    unsigned char salt[PW_MAX_HASH], key[PW_MAX_HASH], mine[PW_MAX_HASH];
    int adapted = p->alg == PW_PBKDF2, rc = 0;
    size_t saltlen, keylen;

    *valid = 0;
    if (pw_b64_decode(p->salt_b64, p->salt_len, adapted, salt, sizeof salt, &saltlen) < 0 ||
        pw_b64_decode(p->key_b64, p->key_len, adapted, key, sizeof key, &keylen) < 0 ||
        keylen < 16)
        return hash_fail(err, "bad_hash", 0, "hash: a malformed %s hash string (its salt or "
                         "hash is not base64 of the right length)", pw_alg_name(p->alg));
    /* Within the bounds, memory is not what fails: OpenSSL refuses some
     * scrypt parameters (N >= 2^(16r)) that a string can still spell. */
    if (derive(p, pwd, len, salt, saltlen, mine, keylen) < 0)
        rc = hash_fail(err, "bad_hash", 0, "hash: OpenSSL cannot compute %s with its "
                       "parameters", pw_alg_name(p->alg));
    else
        *valid = CRYPTO_memcmp(mine, key, keylen) == 0;
    OPENSSL_cleanse(mine, sizeof mine);
    return rc;
}
