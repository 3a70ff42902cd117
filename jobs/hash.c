/*
 * jobs/hash.c - the job types hash.digest (one or several digests of one
 * input in a single pass) and hash.hmac (HMAC sign and verify with keys
 * that live in heftd's settings, so the secret never crosses Redis).
 * Every digest and MAC is OpenSSL's EVP; jobs/hash/ reads the inputs
 * (input.c), the settings (settings.c) and the encodings (encode.c).
 * docs/hash.md describes payloads, results and errors.
 */
#include <heft/job.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "hash/hash.h"

struct algorithm {
    const char *name;           /* as jobs name it */
    const char *openssl;        /* as OpenSSL 3 fetches it */
};

static const struct algorithm digests[HASH_NALGS] = {
    { "sha256", "SHA2-256" }, { "sha384", "SHA2-384" }, { "sha512", "SHA2-512" },
    { "sha1", "SHA1" }, { "md5", "MD5" }, { "sha3-256", "SHA3-256" },
    { "sha3-512", "SHA3-512" }, { "blake2b-512", "BLAKE2B-512" },
    { "blake2s-256", "BLAKE2S-256" },
};
#define DIGEST_NAMES "sha256, sha384, sha512, sha1, md5, sha3-256, sha3-512, blake2b-512 " \
    "or blake2s-256"

static const struct mac_algorithm {
    const char *name;
    const char *openssl;        /* the digest HMAC runs on */
    size_t len;                 /* of the MAC */
} macs[] = {
    { "sha256", "SHA2-256", 32 }, { "sha512", "SHA2-512", 64 }, { NULL, NULL, 0 },
};

static int job_fail(heft_job *job, const struct hash_err *err)
{
    return heft_job_fail(job, err->code, err->retryable, "%s", err->msg);
}

static void hash_fini(void *state)
{
    hash_state_free(state);
}

/* ---- hash.digest ---- */

/* One pass over the input feeds every requested digest. */
struct digest_run {
    size_t n;
    int alg[HASH_NALGS];        /* index in digests[] */
    EVP_MD_CTX *ctx[HASH_NALGS];
};

static int digest_init(const json_t *settings, void **state, struct heft_init_error *err)
{
    struct hash_state *st = hash_state_new(HASH_DIGEST, settings, err);
    size_t i;

    if (!st)
        return HEFT_ERR;
    /* Fetched once: a fetch per job would cost a lock and a lookup.  A
     * digest the OpenSSL in use lacks (md5 under FIPS) stays NULL. */
    for (i = 0; i < HASH_NALGS; i++)
        st->md[i] = EVP_MD_fetch(NULL, digests[i].openssl, NULL);
    ERR_clear_error();
    *state = st;
    return HEFT_OK;
}

static int digest_index(const char *name)
{
    int i;

    for (i = 0; i < HASH_NALGS; i++)
        if (!strcmp(digests[i].name, name))
            return i;
    return -1;
}

static int digest_add(const struct hash_state *st, struct digest_run *r, size_t at,
                      const char *name, struct hash_err *err)
{
    int i = digest_index(name);
    EVP_MD_CTX *ctx;
    size_t j;

    if (i < 0)
        return hash_fail(err, "unknown_algorithm", 0, "algorithms[%zu]: \"%.40s\" is not one "
                         "of " DIGEST_NAMES, at, name);
    if (!st->md[i])
        return hash_fail(err, "unknown_algorithm", 0, "algorithms[%zu]: %s is not available "
                         "in this OpenSSL", at, name);
    for (j = 0; j < r->n; j++)
        if (r->alg[j] == i)
            return hash_fail(err, "bad_input", 0, "algorithms[%zu]: %s is listed twice", at,
                             name);
    ctx = EVP_MD_CTX_new();
    r->alg[r->n] = i;
    r->ctx[r->n++] = ctx;       /* freed by the caller, whatever happens */
    if (!ctx || !EVP_DigestInit_ex2(ctx, st->md[i], NULL))
        return hash_fail(err, "crypto_error", 1, "algorithms[%zu]: OpenSSL cannot start %s",
                         at, name);
    return 0;
}

static int digest_algorithms(const struct hash_state *st, const json_t *list,
                             struct digest_run *r, struct hash_err *err)
{
    const json_t *v;
    size_t i;

    if (!json_is_array(list) || json_array_size(list) == 0)
        return hash_fail(err, "bad_input", 0, "algorithms: must be a non-empty list of "
                         "names (" DIGEST_NAMES ")");
    json_array_foreach(list, i, v) {
        if (!json_is_string(v))
            return hash_fail(err, "bad_input", 0, "algorithms[%zu]: must be a string", i);
        if (digest_add(st, r, i, json_string_value(v), err) < 0)
            return -1;
    }
    return 0;
}

static int digest_sink(void *p, const unsigned char *data, size_t len)
{
    struct digest_run *r = p;
    size_t i;

    for (i = 0; i < r->n; i++)
        if (!EVP_DigestUpdate(r->ctx[i], data, len))
            return -1;
    return 0;
}

/* {"bytes": N, "digests": {"sha256": "...", ...}}, or NULL. */
static json_t *digest_result(struct digest_run *r, uint64_t nbytes, int base64)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    json_t *all = json_object();
    unsigned int len;
    size_t i;

    for (i = 0; all && i < r->n; i++) {
        if (!EVP_DigestFinal_ex(r->ctx[i], md, &len) ||
            json_object_set_new(all, digests[r->alg[i]].name, hash_encode(md, len, base64)) < 0) {
            json_decref(all);
            return NULL;
        }
    }
    return all ? json_pack("{s:I,s:o}", "bytes", (json_int_t)nbytes, "digests", all) : NULL;
}

static int digest_run(heft_job *job)
{
    static const char *const fields[] = { "algorithms", "encoding", NULL };
    const struct hash_state *st = heft_job_state(job);
    const json_t *p = heft_job_payload(job);
    struct digest_run r = { 0 };
    struct hash_err err = { 0 };
    uint64_t nbytes = 0;
    json_t *result;
    int base64, rc;
    size_t i;

    if (!st)
        return heft_job_fail(job, "not_configured", 0, "hash.digest ran without its init");
    if (hash_payload_check(p, "hash.digest", fields, &err) < 0 ||
        hash_encoding(p, &base64, &err) < 0 ||
        digest_algorithms(st, json_object_get(p, "algorithms"), &r, &err) < 0 ||
        hash_input_read(job, st, digest_sink, &r, &nbytes, &err) < 0) {
        rc = job_fail(job, &err);
        goto out;
    }
    result = digest_result(&r, nbytes, base64);
    rc = result ? heft_job_set_result(job, result)
                : heft_job_fail(job, "crypto_error", 1, "cannot finish the digests");
out:
    for (i = 0; i < r.n; i++)
        EVP_MD_CTX_free(r.ctx[i]);
    return rc;
}

/* ---- hash.hmac ---- */

struct hmac_request {
    int verify;
    const struct mac_algorithm *alg;
    int base64;
    unsigned char given[EVP_MAX_MD_SIZE];   /* verify: the MAC to check */
};

static int hmac_init(const json_t *settings, void **state, struct heft_init_error *err)
{
    struct hash_state *st = hash_state_new(HASH_HMAC, settings, err);

    if (!st)
        return HEFT_ERR;
    st->hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
    if (!st->hmac) {
        ERR_clear_error();
        hash_state_free(st);
        err->key[0] = '\0';
        snprintf(err->msg, sizeof err->msg, "this OpenSSL has no HMAC");
        return HEFT_ERR;
    }
    *state = st;
    return HEFT_OK;
}

static int hmac_algorithm(const json_t *v, struct hmac_request *rq, struct hash_err *err)
{
    const char *name = v ? json_string_value(v) : "sha256";
    const struct mac_algorithm *a;

    if (!name)
        return hash_fail(err, "bad_input", 0, "algorithm: must be a string");
    for (a = macs; a->name; a++)
        if (!strcmp(a->name, name)) {
            rq->alg = a;
            return 0;
        }
    return hash_fail(err, "unknown_algorithm", 0, "algorithm: \"%.40s\" is not sha256 or sha512",
                     name);
}

static int hmac_given(const json_t *v, struct hmac_request *rq, struct hash_err *err)
{
    size_t len = 0;

    if (!rq->verify && v)
        return hash_fail(err, "bad_input", 0, "mac: only op verify takes a mac");
    if (!rq->verify)
        return 0;
    if (!json_is_string(v))
        return hash_fail(err, "bad_input", 0, "mac: verify needs the MAC to check, in %s",
                         rq->base64 ? "base64" : "hex");
    if (hash_decode_mac(json_string_value(v), json_string_length(v), rq->base64, rq->given,
                        sizeof rq->given, &len) < 0)
        return hash_fail(err, "bad_input", 0, "mac: not valid %s (see encoding)",
                         rq->base64 ? "base64" : "hex");
    if (len != rq->alg->len)
        return hash_fail(err, "bad_input", 0, "mac: %zu bytes; an HMAC-%s has %zu", len,
                         rq->alg->name, rq->alg->len);
    return 0;
}

static int hmac_request(const json_t *p, struct hmac_request *rq, struct hash_err *err)
{
    const char *op = json_string_value(json_object_get(p, "op"));

    if (!op || (strcmp(op, "sign") && strcmp(op, "verify")))
        return hash_fail(err, "bad_input", 0, "op: must be \"sign\" or \"verify\"");
    rq->verify = !strcmp(op, "verify");
    if (hmac_algorithm(json_object_get(p, "algorithm"), rq, err) < 0 ||
        hash_encoding(p, &rq->base64, err) < 0)
        return -1;
    return hmac_given(json_object_get(p, "mac"), rq, err);
}

/* The key the payload names, or its inline key decoded into *owned (the
 * caller wipes it).  Messages name keys, never show them. */
static int hmac_key(const struct hash_state *st, const json_t *p, const unsigned char **key,
                    size_t *len, unsigned char **owned, struct hash_err *err)
{
    const json_t *name = json_object_get(p, "key"), *inline_key = json_object_get(p, "key_base64");
    const struct hash_key *k;

    if (name && inline_key)
        return hash_fail(err, "bad_input", 0, "key, key_base64: give only one");
    if (inline_key && !st->allow_inline_keys)
        return hash_fail(err, "inline_key_refused", 0, "key_base64: inline keys are not "
                         "allowed (setting allow_inline_keys); name a key of the settings");
    if (inline_key) {
        if (json_is_string(inline_key))
            *owned = hash_base64_decode(json_string_value(inline_key),
                                        json_string_length(inline_key), len);
        if (!*owned || *len == 0)
            return hash_fail(err, "bad_input", 0, "key_base64: must be a non-empty key in "
                             "base64");
        *key = *owned;
        return 0;
    }
    if (!json_is_string(name))
        return hash_fail(err, "bad_input", 0, "key: must name a key of the settings");
    k = hash_key_find(st, json_string_value(name));
    if (!k)
        return hash_fail(err, "unknown_key", 0, "key: no key named \"%.64s\" in the settings",
                         json_string_value(name));
    *key = k->bytes;
    *len = k->len;
    return 0;
}

static int mac_sink(void *ctx, const unsigned char *data, size_t len)
{
    return EVP_MAC_update(ctx, data, len) == 1 ? 0 : -1;
}

static EVP_MAC_CTX *hmac_start(const struct hash_state *st, const struct hmac_request *rq,
                               const unsigned char *key, size_t len)
{
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(st->hmac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)rq->alg->openssl, 0),
        OSSL_PARAM_construct_end(),
    };

    if (ctx && EVP_MAC_init(ctx, key, len, params) == 1)
        return ctx;
    EVP_MAC_CTX_free(ctx);
    return NULL;
}

static json_t *hmac_result(const struct hmac_request *rq, const unsigned char *mac,
                           uint64_t nbytes)
{
    if (rq->verify)
        return json_pack("{s:I,s:b}", "bytes", (json_int_t)nbytes,
                         "valid", CRYPTO_memcmp(mac, rq->given, rq->alg->len) == 0);
    return json_pack("{s:I,s:o}", "bytes", (json_int_t)nbytes, "mac",
                     hash_encode(mac, rq->alg->len, rq->base64));
}

static int hmac_run(heft_job *job)
{
    static const char *const fields[] = { "op", "key", "key_base64", "algorithm", "encoding",
                                          "mac", NULL };
    const struct hash_state *st = heft_job_state(job);
    const json_t *p = heft_job_payload(job);
    unsigned char mac[EVP_MAX_MD_SIZE], *owned = NULL;
    struct hmac_request rq = { 0 };
    struct hash_err err = { 0 };
    const unsigned char *key = NULL;
    EVP_MAC_CTX *ctx = NULL;
    uint64_t nbytes = 0;
    size_t keylen = 0, len = 0;
    json_t *result;
    int rc;

    if (!st)
        return heft_job_fail(job, "not_configured", 0, "hash.hmac ran without its init");
    if (hash_payload_check(p, "hash.hmac", fields, &err) < 0 || hmac_request(p, &rq, &err) < 0 ||
        hmac_key(st, p, &key, &keylen, &owned, &err) < 0) {
        rc = job_fail(job, &err);
        goto out;
    }
    ctx = hmac_start(st, &rq, key, keylen);
    if (!ctx) {
        rc = heft_job_fail(job, "crypto_error", 1, "OpenSSL cannot start HMAC-%s", rq.alg->name);
        goto out;
    }
    if (hash_input_read(job, st, mac_sink, ctx, &nbytes, &err) < 0) {
        rc = job_fail(job, &err);
        goto out;
    }
    if (EVP_MAC_final(ctx, mac, &len, sizeof mac) != 1 || len != rq.alg->len ||
        !(result = hmac_result(&rq, mac, nbytes))) {
        rc = heft_job_fail(job, "crypto_error", 1, "cannot finish the HMAC");
        goto out;
    }
    rc = heft_job_set_result(job, result);
out:
    EVP_MAC_CTX_free(ctx);
    hash_secret_free(owned, keylen);
    OPENSSL_cleanse(mac, sizeof mac);   /* the right MAC of a verify */
    return rc;
}

const struct heft_handler heft_hash_digest_handler = {
    .type = "hash.digest",
    .run = digest_run,
    .summary = "digests (sha2, sha3, blake2, sha1, md5) of text, base64, a file or a Redis value",
    .init = digest_init,
    .fini = hash_fini,
};

const struct heft_handler heft_hash_hmac_handler = {
    .type = "hash.hmac",
    .run = hmac_run,
    .summary = "HMAC-SHA256/512 sign and verify with keys from the settings",
    .init = hmac_init,
    .fini = hash_fini,
};
