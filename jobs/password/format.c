/*
 * jobs/password/format.c - the text of password hashes: base64 without
 * padding (standard, or passlib's adapted alphabet with '.' for '+'),
 * through OpenSSL's encoder and decoder, and the strict reading of the
 * four hash string formats into their algorithm and parameters.  Only the
 * minimal formatting around the base64 is ours; docs/password.md gives
 * each format exactly.
 */
#include <string.h>

#include "password.h"

int pw_b64_encode(const unsigned char *bytes, size_t len, int adapted, char *out, size_t cap)
{
    size_t n = (len + 2) / 3 * 4, i;

    if (n + 1 > cap)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, bytes, (int)len);
    while (n > 0 && out[n - 1] == '=')
        out[--n] = '\0';
    for (i = 0; adapted && i < n; i++)
        if (out[i] == '+')
            out[i] = '.';
    return 0;
}

int pw_b64_decode(const char *s, size_t slen, int adapted, unsigned char *out, size_t cap,
                  size_t *len)
{
    char padded[PW_MAX_HASH + 4];
    unsigned char *bytes;
    size_t i, n;
    int rc = -1;

    if (slen == 0 || slen % 4 == 1 || slen > PW_MAX_HASH)
        return -1;
    for (i = 0; i < slen; i++) {
        char c = s[i];

        if (adapted && c == '.')
            c = '+';
        else if (adapted && c == '+')
            return -1;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return -1;
        padded[i] = c;
    }
    for (n = slen; n % 4; n++)
        padded[n] = '=';
    bytes = hash_base64_decode(padded, n, len);
    if (bytes && *len <= cap) {
        memcpy(out, bytes, *len);
        rc = 0;
    }
    hash_secret_free(bytes, bytes ? *len : 0);
    return rc;
}

int pw_take_number(const char **s, const char *prefix, long long *v)
{
    size_t plen = strlen(prefix), n = 0;
    const char *d;

    if (strncmp(*s, prefix, plen))
        return -1;
    d = *s + plen;
    *v = 0;
    while (d[n] >= '0' && d[n] <= '9' && n < 11)
        *v = *v * 10 + (d[n++] - '0');
    if (n == 0 || n > 10 || (n > 1 && d[0] == '0'))
        return -1;
    *s = d + n;
    return 0;
}

/* "SALT$KEY" to the end of the string: their spans in p. */
static int salt_and_key(const char *s, struct pw_params *p)
{
    const char *dollar = strchr(s, '$');

    if (!dollar || dollar == s || !dollar[1] || strchr(dollar + 1, '$'))
        return -1;
    p->salt_b64 = s;
    p->salt_len = (size_t)(dollar - s);
    p->key_b64 = dollar + 1;
    p->key_len = strlen(dollar + 1);
    return 0;
}

/* $argon2id$v=19$m=65536,t=3,p=1$SALT$KEY (v= absent in version 1.0). */
static int parse_argon2(const char *s, struct pw_params *p)
{
    long long v = 0x10;

    if (!strncmp(s, "v=", 2) && (pw_take_number(&s, "v=", &v) < 0 || *s++ != '$'))
        return -1;
    if (v != 0x10 && v != 0x13)
        return -1;
    p->argon2_version = (int)v;
    if (pw_take_number(&s, "m=", &p->v[PW_ARGON2_M]) < 0 ||
        pw_take_number(&s, ",t=", &p->v[PW_ARGON2_T]) < 0 ||
        pw_take_number(&s, ",p=", &p->v[PW_ARGON2_P]) < 0 || *s++ != '$')
        return -1;
    return salt_and_key(s, p);
}

/* $2y$12$ then 22 characters of salt and 31 of hash (crypt's base64). */
static int parse_bcrypt(const char *s, struct pw_params *p)
{
    size_t i;

    if (s[0] < '0' || s[0] > '3' || s[1] < '0' || s[1] > '9' || s[2] != '$')
        return -1;
    p->v[PW_BCRYPT_COST] = (s[0] - '0') * 10 + (s[1] - '0');
    for (i = 3; s[i]; i++)
        if (!strchr("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", s[i]))
            return -1;
    return i == 3 + 53 ? 0 : -1;
}

/* $scrypt$ln=16,r=8,p=1$SALT$KEY, as passlib writes it. */
static int parse_scrypt(const char *s, struct pw_params *p)
{
    long long ln;

    if (pw_take_number(&s, "ln=", &ln) < 0 || ln < 1 || ln > 62 ||
        pw_take_number(&s, ",r=", &p->v[PW_SCRYPT_R]) < 0 ||
        pw_take_number(&s, ",p=", &p->v[PW_SCRYPT_P]) < 0 || *s++ != '$')
        return -1;
    p->v[PW_SCRYPT_N] = 1LL << ln;
    return salt_and_key(s, p);
}

/* $pbkdf2-sha256$600000$SALT$KEY, as passlib writes it. */
static int parse_pbkdf2(const char *s, struct pw_params *p)
{
    if (pw_take_number(&s, "", &p->v[PW_PBKDF2_I]) < 0 || *s++ != '$')
        return -1;
    return salt_and_key(s, p);
}

int pw_parse(const char *hash, struct pw_params *p, struct hash_err *err)
{
    static const char *const bcrypts[] = { "$2a$", "$2b$", "$2x$", "$2y$", NULL };
    const char *end;
    size_t i;
    int rc;

    memset(p, 0, sizeof *p);
    for (i = 0; bcrypts[i]; i++)
        if (!strncmp(hash, bcrypts[i], 4))
            break;
    if (bcrypts[i]) {
        p->alg = PW_BCRYPT;
        rc = parse_bcrypt(hash + 4, p);
    } else if (!strncmp(hash, "$argon2id$", 10)) {
        p->alg = PW_ARGON2ID;
        rc = parse_argon2(hash + 10, p);
    } else if (!strncmp(hash, "$scrypt$", 8)) {
        p->alg = PW_SCRYPT;
        rc = parse_scrypt(hash + 8, p);
    } else if (!strncmp(hash, "$pbkdf2-sha256$", 15)) {
        p->alg = PW_PBKDF2;
        rc = parse_pbkdf2(hash + 15, p);
    } else {
        /* The id is named only when it looks like one, so that a password
         * given as the hash by mistake is not echoed. */
        end = hash[0] == '$' ? strchr(hash + 1, '$') : NULL;
        if (end && end - hash <= 32 && end > hash + 1 &&
            strspn(hash + 1, "abcdefghijklmnopqrstuvwxyz0123456789-") == (size_t)(end - hash - 1))
            return hash_fail(err, "unknown_algorithm", 0, "hash: \"%.*s\" is not one of "
                             "$argon2id$, $2y$/$2b$/$2a$, $scrypt$ or $pbkdf2-sha256$",
                             (int)(end - hash + 1), hash);
        return hash_fail(err, "bad_hash", 0, "hash: not a password hash string (it must start "
                         "with $argon2id$, $2y$, $2b$, $2a$, $scrypt$ or $pbkdf2-sha256$)");
    }
    if (rc < 0)
        return hash_fail(err, "bad_hash", 0, "hash: a malformed %s hash string",
                         pw_alg_name(p->alg));
    return 0;
}
