/*
 * jobs/password.c - the job types password.hash (a password to a hash
 * string: argon2id, bcrypt, scrypt or PBKDF2-SHA256, with cost parameters
 * from the settings or, within their bounds, from the job) and
 * password.verify (a password against any such string, and whether the
 * hash should be made again under today's policy).  jobs/password/ has the
 * policy, the formats and the algorithms; docs/password.md the payloads.
 *
 * A password is never logged, echoed or copied into a message; the copies
 * heft makes of it are wiped.  (The payload itself stays in Redis until
 * the core removes it: docs/password.md.)
 */
#include <heft/job.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "password/password.h"

/* Passwords longer than this are refused (limit max_password_bytes): they
 * cost PBKDF2 and scrypt nothing much, but nobody types them. */
#define MAX_PASSWORD_BYTES 4096

static int job_fail(heft_job *job, const struct hash_err *err)
{
    return heft_job_fail(job, err->code, err->retryable, "%s", err->msg);
}

static int pw_init(const json_t *settings, void **state, struct heft_init_error *err)
{
    struct pw_policy *pol = pw_policy_new(settings, err);

    if (!pol)
        return HEFT_ERR;
    /* libsodium's start and the check of its lent memory, before the
     * first job rather than inside it. */
    pw_argon2_prepare();
    *state = pol;
    return HEFT_OK;
}

static void pw_fini(void *state)
{
    free(state);
}

/* The thread's argon2id memory goes back to the system while it idles. */
static void pw_thread_idle(const void *state)
{
    (void)state;
    pw_argon2_release_thread();
}

/* The payload's password (borrowed from it, never copied). */
static int password_of(heft_job *job, const json_t *p, const char *const *fields,
                       const unsigned char **pwd, size_t *len, struct hash_err *err)
{
    const json_t *v = json_object_get(p, "password");
    const char *key;
    json_t *x;
    size_t i;

    if (!json_is_object(p))
        return hash_fail(err, "bad_input", 0, "the payload must be an object");
    json_object_foreach((json_t *)p, key, x) {
        for (i = 0; fields[i] && strcmp(fields[i], key); i++)
            ;
        if (!fields[i])
            return hash_fail(err, "bad_input", 0, "%.64s: not a field of %s", key,
                             heft_job_type(job));
    }
    if (!json_is_string(v))
        return hash_fail(err, "bad_input", 0, "password: must be a string");
    *pwd = (const unsigned char *)json_string_value(v);
    *len = json_string_length(v);
    if ((long long)*len > heft_job_limit(job, "max_password_bytes", MAX_PASSWORD_BYTES))
        return hash_fail(err, "limit_exceeded", 0, "password: %zu bytes, over the limit "
                         "max_password_bytes", *len);
    return 0;
}

static int hash_run(heft_job *job)
{
    static const char *const fields[] = { "password", "algorithm", "memory_kib", "iterations",
                                          "parallelism", "cost", "variant", "n", "r", "p",
                                          NULL };
    const struct pw_policy *pol = heft_job_state(job);
    const json_t *payload = heft_job_payload(job);
    const unsigned char *pwd = NULL;
    struct hash_err err = { 0 };
    struct pw_params p;
    char out[PW_MAX_HASH];
    size_t len = 0;
    int rc;

    if (!pol)
        return heft_job_fail(job, "not_configured", 0, "password.hash ran without its init");
    if (password_of(job, payload, fields, &pwd, &len, &err) < 0 ||
        pw_params_from_payload(pol, payload, &p, &err) < 0)
        return job_fail(job, &err);
    if (p.alg == PW_ARGON2ID)
        rc = pw_argon2_hash(&p, pwd, len, out, &err);
    else if (p.alg == PW_BCRYPT)
        rc = pw_bcrypt_hash(&p, pwd, len, out, &err);
    else
        rc = pw_kdf_hash(&p, pwd, len, out, &err);
    if (rc < 0)
        return job_fail(job, &err);
    return heft_job_set_result(job, json_pack("{s:s}", "hash", out));
}

static int verify_run(heft_job *job)
{
    static const char *const fields[] = { "password", "hash", NULL };
    const struct pw_policy *pol = heft_job_state(job);
    const json_t *payload = heft_job_payload(job);
    const unsigned char *pwd = NULL;
    struct hash_err err = { 0 };
    struct pw_params p;
    const char *hash;
    int valid = 0, rc;
    size_t len = 0;

    if (!pol)
        return heft_job_fail(job, "not_configured", 0, "password.verify ran without its init");
    if (password_of(job, payload, fields, &pwd, &len, &err) < 0)
        return job_fail(job, &err);
    hash = json_string_value(json_object_get(payload, "hash"));
    if (!hash)
        return heft_job_fail(job, "bad_input", 0, "hash: must be a string");
    if (strlen(hash) >= PW_MAX_HASH)
        return heft_job_fail(job, "bad_hash", 0, "hash: longer than any password hash");
    if (pw_parse(hash, &p, &err) < 0 || pw_params_check_max(pol, &p, &err) < 0)
        return job_fail(job, &err);
    p.argon2_engine = pol->argon2_engine;
    if (p.alg == PW_ARGON2ID)
        rc = pw_argon2_verify(&p, pwd, len, &valid, &err);
    else if (p.alg == PW_BCRYPT)
        rc = pw_bcrypt_verify(hash, pwd, len, &valid, &err);
    else
        rc = pw_kdf_verify(&p, pwd, len, &valid, &err);
    if (rc < 0)
        return job_fail(job, &err);
    return heft_job_set_result(job, json_pack("{s:b,s:b}", "valid", valid, "needs_rehash",
                                              valid && pw_needs_rehash(pol, &p)));
}

const struct heft_handler heft_password_hash_handler = {
    .type = "password.hash",
    .run = hash_run,
    .summary = "hash a password with argon2id, bcrypt, scrypt or PBKDF2-SHA256",
    .init = pw_init,
    .fini = pw_fini,
    .flags = HEFT_HANDLER_SEAL_PAYLOAD,
    .thread_idle = pw_thread_idle,
};

const struct heft_handler heft_password_verify_handler = {
    .type = "password.verify",
    .run = verify_run,
    .summary = "check a password against an argon2id, bcrypt, scrypt or PBKDF2 hash string",
    .init = pw_init,
    .fini = pw_fini,
    .flags = HEFT_HANDLER_SEAL_PAYLOAD,
    .thread_idle = pw_thread_idle,
};
