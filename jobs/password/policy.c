/*
 * jobs/password/policy.c - the settings of password.hash and
 * password.verify (keys of jobs.types.TYPE in heft.yaml): the default
 * algorithm and, per algorithm, the default cost parameters and the
 * bounds within which a job may ask for others.  Also where a job's
 * parameters are read from its payload and checked against those bounds,
 * and where a verified hash is judged against the policy (needs_rehash).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

static const char *const alg_names[PW_NALGS] = { "argon2id", "bcrypt", "scrypt",
                                                 "pbkdf2-sha256" };

/* One cost parameter: its name in payloads and settings, its default and
 * default bounds, and what the library can compute at all. */
static const struct param_def {
    enum pw_alg alg;
    const char *name;
    long long def, min, max;    /* when the settings say nothing */
    long long lo, hi;           /* the settings cannot go beyond */
    int pow2;                   /* scrypt's n */
} params[PW_NPARAMS] = {
    [PW_ARGON2_M] = { PW_ARGON2ID, "memory_kib", 65536, 19456, 262144, 8, 4194304, 0 },
    [PW_ARGON2_T] = { PW_ARGON2ID, "iterations", 3, 2, 10, 1, 1000, 0 },
    [PW_ARGON2_P] = { PW_ARGON2ID, "parallelism", 1, 1, 4, 1, 64, 0 },
    [PW_BCRYPT_COST] = { PW_BCRYPT, "cost", 12, 10, 14, 4, 31, 0 },
    [PW_SCRYPT_N] = { PW_SCRYPT, "n", 65536, 16384, 262144, 2, 1LL << 30, 1 },
    [PW_SCRYPT_R] = { PW_SCRYPT, "r", 8, 8, 16, 1, 1024, 0 },
    [PW_SCRYPT_P] = { PW_SCRYPT, "p", 1, 1, 4, 1, 1024, 0 },
    [PW_PBKDF2_I] = { PW_PBKDF2, "iterations", 600000, 100000, 2000000, 1, 2147483647, 0 },
};

const char *pw_alg_name(enum pw_alg alg)
{
    return alg_names[alg];
}

int pw_alg_find(const char *name)
{
    int i;

    for (i = 0; name && i < PW_NALGS; i++)
        if (!strcmp(alg_names[i], name))
            return i;
    return -1;
}

/* The parameter of alg named name (in a payload or settings), or -1. */
static int param_find(enum pw_alg alg, const char *name)
{
    int i;

    for (i = 0; i < PW_NPARAMS; i++)
        if (params[i].alg == alg && !strcmp(params[i].name, name))
            return i;
    return -1;
}

static int is_pow2(long long v)
{
    return v > 0 && (v & (v - 1)) == 0;
}

/* ---- the settings ---- */

/* One key of an algorithm's mapping: NAME, min_NAME or max_NAME. */
static int setting_value(struct pw_policy *pol, enum pw_alg alg, const char *key,
                         const json_t *value, struct heft_init_error *err)
{
    long long *slot;
    char path[128];
    const char *name = key;
    int i;

    if (!strncmp(key, "min_", 4) || !strncmp(key, "max_", 4))
        name = key + 4;
    snprintf(path, sizeof path, "%s.%.80s", alg_names[alg], key);
    i = param_find(alg, name);
    if (i < 0)
        return heft_init_fail(err, path, "unknown key; %s takes its cost parameters, each with min_ and "
                    "max_ (see docs/password.md)", alg_names[alg]);
    slot = name == key ? &pol->def[i] : key[1] == 'i' ? &pol->min[i] : &pol->max[i];
    if (!json_is_integer(value) || json_integer_value(value) < params[i].lo ||
        json_integer_value(value) > params[i].hi)
        return heft_init_fail(err, path, "must be an integer from %lld to %lld", params[i].lo,
                    params[i].hi);
    if (params[i].pow2 && !is_pow2(json_integer_value(value)))
        return heft_init_fail(err, path, "must be a power of 2");
    *slot = json_integer_value(value);
    return 0;
}

/* min <= default <= max for every parameter of alg. */
static int check_order(const struct pw_policy *pol, enum pw_alg alg,
                       struct heft_init_error *err)
{
    char path[128];
    int i;

    for (i = 0; i < PW_NPARAMS; i++) {
        if (params[i].alg != alg)
            continue;
        snprintf(path, sizeof path, "%s.%s", alg_names[alg], params[i].name);
        if (pol->min[i] > pol->def[i] || pol->def[i] > pol->max[i])
            return heft_init_fail(err, path, "%lld is not within min_%s %lld and max_%s %lld",
                        pol->def[i], params[i].name, pol->min[i], params[i].name, pol->max[i]);
    }
    return 0;
}

static int algorithm_settings(struct pw_policy *pol, enum pw_alg alg, const json_t *value,
                              struct heft_init_error *err)
{
    const char *key;
    json_t *v;

    if (!json_is_object(value))
        return heft_init_fail(err, alg_names[alg], "must be a mapping of cost parameters");
    json_object_foreach((json_t *)value, key, v)
        if (setting_value(pol, alg, key, v, err) < 0)
            return -1;
    return 0;
}

/* Which library computes argon2id: auto (the faster on this host),
 * libargon2, or libsodium (where its raw API can; libargon2 for the rest). */
static int engine_setting(struct pw_policy *pol, const json_t *value,
                          struct heft_init_error *err)
{
    static const char *const names[] = { "auto", "libargon2", "libsodium" };
    const char *v = json_string_value(value);

    for (size_t i = 0; v && i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(v, names[i])) {
            pol->argon2_engine = (enum pw_argon2_engine)i;
            return 0;
        }
    return heft_init_fail(err, "argon2id_engine", "must be auto, libargon2 or libsodium");
}

static int setting(struct pw_policy *pol, const char *key, const json_t *value,
                   struct heft_init_error *err)
{
    int alg;

    if (!strcmp(key, "algorithm")) {
        alg = pw_alg_find(json_string_value(value));
        if (alg < 0)
            return heft_init_fail(err, key, "must be argon2id, bcrypt, scrypt or pbkdf2-sha256");
        pol->alg = alg;
        return 0;
    }
    if (!strcmp(key, "argon2id_engine"))
        return engine_setting(pol, value, err);
    alg = pw_alg_find(key);
    if (alg < 0)
        return heft_init_fail(err, key, "unknown key; the password types take algorithm, argon2id, "
                    "bcrypt, scrypt, pbkdf2-sha256 or argon2id_engine");
    return algorithm_settings(pol, alg, value, err);
}

struct pw_policy *pw_policy_new(const json_t *settings, struct heft_init_error *err)
{
    struct pw_policy *pol = calloc(1, sizeof *pol);
    const char *key;
    json_t *value;
    int i;

    if (!pol) {
        heft_init_fail(err, "", "out of memory");
        return NULL;
    }
    pol->alg = PW_ARGON2ID;
    for (i = 0; i < PW_NPARAMS; i++) {
        pol->def[i] = params[i].def;
        pol->min[i] = params[i].min;
        pol->max[i] = params[i].max;
    }
    if (!json_is_object(settings)) {
        heft_init_fail(err, "", "the settings must be a mapping");
        goto fail;
    }
    json_object_foreach((json_t *)settings, key, value)
        if (setting(pol, key, value, err) < 0)
            goto fail;
    for (i = 0; i < PW_NALGS; i++)
        if (check_order(pol, i, err) < 0)
            goto fail;
    return pol;
fail:
    free(pol);
    return NULL;
}

/* ---- a job's parameters ---- */

/* Refuses v outside the policy's bounds for parameter i; field names
 * where it came from ("memory_kib", "hash's m"). */
static int check_bounds(const struct pw_policy *pol, int i, long long v, const char *field,
                        struct hash_err *err)
{
    if (v < pol->min[i])
        return hash_fail(err, "bad_input", 0, "%s: %lld is below the configured minimum %lld "
                         "for %s", field, v, pol->min[i], alg_names[params[i].alg]);
    if (v > pol->max[i])
        return hash_fail(err, "limit_exceeded", 0, "%s: %lld is above the configured maximum "
                         "%lld for %s", field, v, pol->max[i], alg_names[params[i].alg]);
    return 0;
}

static int payload_param(const struct pw_policy *pol, struct pw_params *out, const char *key,
                         const json_t *v, struct hash_err *err)
{
    int i = param_find(out->alg, key);

    if (i < 0)
        return hash_fail(err, "bad_input", 0, "%s: not a parameter of %s", key,
                         alg_names[out->alg]);
    if (!json_is_integer(v))
        return hash_fail(err, "bad_input", 0, "%s: must be an integer", key);
    if (params[i].pow2 && !is_pow2(json_integer_value(v)))
        return hash_fail(err, "bad_input", 0, "%s: must be a power of 2", key);
    out->v[i] = json_integer_value(v);
    return check_bounds(pol, i, out->v[i], key, err);
}

static int bcrypt_variant(const json_t *v, struct pw_params *out, struct hash_err *err)
{
    const char *s = json_string_value(v);

    if (out->alg != PW_BCRYPT)
        return hash_fail(err, "bad_input", 0, "variant: only bcrypt takes a variant");
    if (!s || (strcmp(s, "2y") && strcmp(s, "2b")))
        return hash_fail(err, "bad_input", 0, "variant: must be \"2y\" or \"2b\"");
    out->bcrypt_2b = !strcmp(s, "2b");
    return 0;
}

int pw_params_from_payload(const struct pw_policy *pol, const json_t *payload,
                           struct pw_params *out, struct hash_err *err)
{
    const json_t *alg = json_object_get(payload, "algorithm"), *v;
    const char *key;
    int a;

    memset(out, 0, sizeof *out);
    a = alg ? pw_alg_find(json_string_value(alg)) : (int)pol->alg;
    if (a < 0 && !json_is_string(alg))
        return hash_fail(err, "bad_input", 0, "algorithm: must be a string");
    if (a < 0)
        return hash_fail(err, "unknown_algorithm", 0, "algorithm: \"%.40s\" is not argon2id, "
                         "bcrypt, scrypt or pbkdf2-sha256", json_string_value(alg));
    out->alg = a;
    out->argon2_engine = pol->argon2_engine;
    memcpy(out->v, pol->def, sizeof out->v);
    json_object_foreach((json_t *)payload, key, v) {
        if (!strcmp(key, "password") || !strcmp(key, "algorithm"))
            continue;
        if (!strcmp(key, "variant") ? bcrypt_variant(v, out, err) < 0
                                    : payload_param(pol, out, key, v, err) < 0)
            return -1;
    }
    if (a == PW_ARGON2ID && out->v[PW_ARGON2_M] < 8 * out->v[PW_ARGON2_P])
        return hash_fail(err, "bad_input", 0, "memory_kib: argon2id needs at least 8 KiB per "
                         "lane of parallelism");
    return 0;
}

int pw_params_check_max(const struct pw_policy *pol, const struct pw_params *p,
                        struct hash_err *err)
{
    char field[64];
    int i;

    for (i = 0; i < PW_NPARAMS; i++) {
        if (params[i].alg != p->alg || p->v[i] <= pol->max[i])
            continue;
        snprintf(field, sizeof field, "hash: its %s", params[i].name);
        return check_bounds(pol, i, p->v[i], field, err);
    }
    return 0;
}

int pw_needs_rehash(const struct pw_policy *pol, const struct pw_params *p)
{
    int i;

    if (p->alg != pol->alg)
        return 1;
    if (p->alg == PW_ARGON2ID && p->argon2_version != 0x13)
        return 1;
    for (i = 0; i < PW_NPARAMS; i++)
        if (params[i].alg == p->alg && p->v[i] < pol->def[i])
            return 1;
    return 0;
}
