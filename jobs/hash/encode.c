/*
 * jobs/hash/encode.c - the text forms of binary values for the hash job
 * types: digests and MACs out as lowercase hex or base64, MACs and keys in.
 * Base64 and hex decoding are OpenSSL's (EVP_Decode*, OPENSSL_hexstr2buf_ex).
 */
#include <errno.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

int hash_encoding(const json_t *payload, int *base64, struct hash_err *err)
{
    const json_t *v = json_object_get(payload, "encoding");
    const char *s = json_string_value(v);

    *base64 = 0;
    if (!v)
        return 0;
    if (s && !strcmp(s, "hex"))
        return 0;
    if (s && !strcmp(s, "base64")) {
        *base64 = 1;
        return 0;
    }
    return hash_fail(err, "bad_input", 0, "encoding: must be \"hex\" or \"base64\"");
}

json_t *hash_encode(const unsigned char *bytes, size_t len, int base64)
{
    static const char digits[] = "0123456789abcdef";
    /* sha256sum, openssl dgst and PHP's hash() all write lowercase hex,
     * which OPENSSL_buf2hexstr does not. */
    char *s = malloc(2 * len + 8);     /* room for either form */
    json_t *v = NULL;
    size_t i;

    if (!s)
        return NULL;
    if (base64) {
        EVP_EncodeBlock((unsigned char *)s, bytes, (int)len);
    } else {
        for (i = 0; i < len; i++) {
            s[2 * i] = digits[bytes[i] >> 4];
            s[2 * i + 1] = digits[bytes[i] & 15];
        }
        s[2 * len] = '\0';
    }
    v = json_string(s);
    free(s);
    return v;
}

unsigned char *hash_base64_decode(const char *s, size_t slen, size_t *len)
{
    EVP_ENCODE_CTX *ctx = NULL;
    unsigned char *out = NULL;
    int n = 0, last = 0;

    if (slen > INT_MAX / 2) {
        errno = E2BIG;
        return NULL;
    }
    out = malloc(slen / 4 * 3 + 3);
    ctx = EVP_ENCODE_CTX_new();
    if (!out || !ctx) {
        errno = ENOMEM;
        goto fail;
    }
    EVP_DecodeInit(ctx);
    errno = EINVAL;
    if (EVP_DecodeUpdate(ctx, out, &n, (const unsigned char *)s, (int)slen) < 0 ||
        EVP_DecodeFinal(ctx, out + n, &last) < 0)
        goto fail;
    *len = (size_t)n + (size_t)last;
    EVP_ENCODE_CTX_free(ctx);
    return out;
fail:
    EVP_ENCODE_CTX_free(ctx);
    hash_secret_free(out, out ? slen / 4 * 3 + 3 : 0);
    return NULL;
}

int hash_decode_mac(const char *s, size_t slen, int base64, unsigned char *out, size_t cap,
                    size_t *len)
{
    unsigned char *bytes;

    if (strlen(s) != slen)
        return -1;
    if (!base64)
        return OPENSSL_hexstr2buf_ex(out, cap, len, s, '\0') == 1 ? 0 : -1;
    bytes = hash_base64_decode(s, slen, len);
    if (!bytes || *len > cap) {
        free(bytes);
        return -1;
    }
    memcpy(out, bytes, *len);
    free(bytes);
    return 0;
}

void hash_secret_free(unsigned char *p, size_t len)
{
    if (p)
        OPENSSL_cleanse(p, len);
    free(p);
}
