/*
 * check_password.c - the job types password.hash and password.verify:
 * known answers (the argon2 reference implementation's PHC strings and
 * the RFC 9106 vector, crypt_blowfish's bcrypt vectors, RFC 7914's scrypt
 * and PBKDF2-HMAC-SHA256 vectors), round trips, bounds, malformed hashes,
 * needs_rehash, the settings, and interoperability with real PHP
 * (password_hash, password_verify), Python's passlib (scrypt, PBKDF2)
 * libsodium's own argon2id strings (heft computes argon2id with libsodium
 * where that is faster) and, when tests/password-node.sh sets HEFT_PASSWORD_NODE_DIR, Node's
 * @node-rs/argon2 and bcryptjs.
 * Payloads and settings are written as JSON with ' for ".
 */
#include <argon2.h>
#include <check.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "../jobs/password/password.h"
#include "job_harness.h"

/* Cheap argon2id and scrypt so that round trips take milliseconds. */
#define FAST "{'argon2id': {'memory_kib': 1024, 'min_memory_kib': 64, 'iterations': 1, " \
    "'min_iterations': 1}, 'bcrypt': {'cost': 4, 'min_cost': 4}, 'scrypt': {'n': 1024, " \
    "'min_n': 16, 'r': 8, 'p': 1}, 'pbkdf2-sha256': {'iterations': 1000, 'min_iterations': 1}}"

/* ---- running jobs ---------------------------------------------------------- */

/* password.hash of payload under settings (both stolen): the hash (malloc'd). */
static char *hash_ok(json_t *settings, json_t *payload)
{
    struct heft_job *job = run_job("password.hash", settings, payload, NULL, 0);
    char *h = strdup(json_string_value(json_object_get(result_of(job), "hash")));

    ck_assert_ptr_nonnull(h);
    heft_job_destroy(job);
    return h;
}

/* password.verify of password against hash under settings (stolen): its
 * needs_rehash in *rehash; returns valid. */
static int verify(json_t *settings, const char *password, const char *hash, int *rehash)
{
    json_t *payload = json_pack("{s:s,s:s}", "password", password, "hash", hash);
    struct heft_job *job = run_job("password.verify", settings, payload, NULL, 0);
    const json_t *r = result_of(job);
    int valid = json_is_true(json_object_get(r, "valid"));

    ck_assert(json_is_boolean(json_object_get(r, "valid")));
    ck_assert(json_is_boolean(json_object_get(r, "needs_rehash")));
    if (rehash)
        *rehash = json_is_true(json_object_get(r, "needs_rehash"));
    heft_job_destroy(job);
    return valid;
}

/* A job of type that must fail with code, its message holding in_message
 * and never "s3cret" (the password of every failing payload). */
static void job_fails(const char *type, json_t *settings, json_t *payload, const char *code,
                      const char *in_message)
{
    struct heft_job *job = run_job(type, settings, payload, NULL, 0);
    const char *msg = failure_of(job, code, 0);

    ck_assert_msg(strstr(msg, in_message), "\"%s\" does not say \"%s\"", msg, in_message);
    ck_assert_msg(!strstr(msg, "s3cret"), "the message shows the password: %s", msg);
    heft_job_destroy(job);
}

/* len bytes as base64 without padding ('.' for '+' when adapted). */
static void unpadded(const unsigned char *bytes, size_t len, int adapted, char *out)
{
    char *c;

    EVP_EncodeBlock((unsigned char *)out, bytes, (int)len);
    while ((c = strchr(out, '=')))
        *c = '\0';
    while (adapted && (c = strchr(out, '+')))
        *c = '.';
}

/* hex into bytes; returns the count. */
static size_t unhex(const char *hex, unsigned char *out)
{
    size_t n = 0;
    unsigned v;

    for (; hex[0] && hex[1]; hex += 2) {
        if (*hex == ' ')
            hex--;
        else if (sscanf(hex, "%2x", &v) == 1)
            out[n++] = (unsigned char)v;
    }
    return n;
}

/* ---- argon2id -------------------------------------------------------------- */

/* phc-winner-argon2's src/test.c: "password" with salt "somesalt". */
static const char *const argon2_reference[] = {
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
    "$argon2id$v=19$m=256,t=2,p=2$c29tZXNhbHQ$bQk8UB/VmZZF4Oo79iDXuL5/0ttZwg2f/5U52iv1cDc",
};

START_TEST(argon2id_verifies_the_reference_implementations_phc_strings)
{
    int rehash;

    ck_assert(verify(jsonf("{}"), "password", argon2_reference[_i], &rehash));
    ck_assert_msg(rehash, "t=2 is below the default 3: needs_rehash");
    ck_assert(!verify(jsonf("{}"), "passwore", argon2_reference[_i], NULL));
}
END_TEST

START_TEST(debians_libargon2_computes_the_rfc_9106_argon2id_vector)
{
    /* RFC 9106 section 5.3: with a secret and associated data, which the
     * jobs do not take: this pins the library the jobs are built on. */
    unsigned char pwd[32], salt[16], secret[8], ad[12], out[32], want[32];
    argon2_context ctx = { 0 };

    memset(pwd, 1, sizeof pwd);
    memset(salt, 2, sizeof salt);
    memset(secret, 3, sizeof secret);
    memset(ad, 4, sizeof ad);
    unhex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", want);
    ctx.out = out;
    ctx.outlen = 32;
    ctx.pwd = pwd;
    ctx.pwdlen = 32;
    ctx.salt = salt;
    ctx.saltlen = 16;
    ctx.secret = secret;
    ctx.secretlen = 8;
    ctx.ad = ad;
    ctx.adlen = 12;
    ctx.t_cost = 3;
    ctx.m_cost = 32;
    ctx.lanes = ctx.threads = 4;
    ctx.version = ARGON2_VERSION_13;
    ck_assert_int_eq(argon2_ctx(&ctx, Argon2_id), ARGON2_OK);
    ck_assert_mem_eq(out, want, 32);
}
END_TEST

START_TEST(password_hash_writes_argon2id_phc_strings_that_libargon2s_decoder_verifies)
{
    char *h = hash_ok(jsonf("{}"), jsonf("{'password': 'correct horse'}"));

    ck_assert_msg(!strncmp(h, "$argon2id$v=19$m=65536,t=3,p=1$", 31), "%s", h);
    ck_assert_uint_eq(strlen(h), 31 + 22 + 1 + 43);
    ck_assert_int_eq(argon2id_verify(h, "correct horse", 13), ARGON2_OK);
    ck_assert_int_eq(argon2id_verify(h, "correct horsf", 13), ARGON2_VERIFY_MISMATCH);
    free(h);
}
END_TEST

START_TEST(argon2id_phc_strings_are_what_libargon2s_own_encoder_writes)
{
    char *h = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'parallelism': 2}"));
    char salt64[32], padded[40], theirs[200];
    unsigned char salt[24];
    int n;

    /* The salt heft chose, then the same hash through argon2id_hash_encoded. */
    ck_assert_int_eq(sscanf(h, "$argon2id$v=19$m=1024,t=1,p=2$%22[A-Za-z0-9+/]$", salt64), 1);
    snprintf(padded, sizeof padded, "%s==", salt64);
    n = EVP_DecodeBlock(salt, (const unsigned char *)padded, 24);
    ck_assert_int_eq(n, 18);    /* 16 bytes and the two of the padding */
    ck_assert_int_eq(argon2id_hash_encoded(1, 1024, 2, "pw", 2, salt, 16, 32, theirs,
                                           sizeof theirs), ARGON2_OK);
    ck_assert_str_eq(h, theirs);
    free(h);
}
END_TEST

START_TEST(argon2id_asked_for_other_parameters_within_bounds_uses_them)
{
    char *h = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'memory_kib': 2048, "
                                         "'iterations': 2, 'parallelism': 2}"));

    ck_assert_msg(!strncmp(h, "$argon2id$v=19$m=2048,t=2,p=2$", 30), "%s", h);
    ck_assert_int_eq(argon2id_verify(h, "pw", 2), ARGON2_OK);
    free(h);
}
END_TEST

static long minor_faults(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

START_TEST(argon2id_memory_is_kept_by_the_thread_between_jobs)
{
    /* 32 MiB is 8192 pages: a fresh buffer would fault each one in again. */
    long before;
    char *h;

    free(hash_ok(jsonf("{}"), jsonf("{'password': 'pw', 'memory_kib': 32768}")));
    free(hash_ok(jsonf("{}"), jsonf("{'password': 'pw', 'memory_kib': 24576}")));
    before = minor_faults();
    h = hash_ok(jsonf("{}"), jsonf("{'password': 'pw', 'memory_kib': 32768}"));
    ck_assert_msg(minor_faults() - before < 1000, "%ld page faults for a reused 32 MiB",
                  minor_faults() - before);
    ck_assert(verify(jsonf("{}"), "pw", h, NULL));
    free(h);
}
END_TEST

/* The thread's argon2 memory: the mapping of at least 32 MiB advised
 * MADV_HUGEPAGE ("hg" in /proc/self/smaps), or NULL. */
static const unsigned char *argon2_arena(size_t *len)
{
    char line[512];
    unsigned long lo = 0, hi = 0, a, b, found_lo = 0, found_hi = 0;
    FILE *f = fopen("/proc/self/smaps", "r");

    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof line, f)) {
        /* A mapping's first line: "lo-hi perms ..." (other lines may start
         * with hex letters, as "AnonHugePages:", and leave a or b set). */
        if (sscanf(line, "%lx-%lx ", &a, &b) == 2) {
            lo = a;
            hi = b;
            continue;
        }
        if (!strncmp(line, "VmFlags:", 8) && strstr(line, " hg") && hi - lo >= 32u << 20) {
            found_lo = lo;
            found_hi = hi;
        }
    }
    fclose(f);
    *len = found_hi - found_lo;
    return (const unsigned char *)found_lo;
}

START_TEST(argon2id_memory_is_on_huge_pages_and_all_zeros_after_each_hash)
{
    /* Huge pages: argon2 reads its blocks all over its memory, and 4 KiB
     * pages miss the TLB.  All zeros: no password-derived block outlives
     * its job (libargon2 wipes it; _i = 1: after a verify). */
    const unsigned char *mem;
    size_t len, nonzero = 0;
    char *h = hash_ok(jsonf("{}"), jsonf("{'password': 'pw', 'memory_kib': 32768}"));

    if (_i)
        ck_assert(verify(jsonf("{}"), "pw", h, NULL));
    mem = argon2_arena(&len);
    ck_assert_msg(mem != NULL, "no mapping of 32 MiB or more advised for huge pages");
    for (size_t i = 0; i < len; i++)
        nonzero += mem[i] != 0;
    ck_assert_msg(nonzero == 0, "%zu bytes of %zu not wiped", nonzero, len);
    free(h);
}
END_TEST

/* Cost parameters, salts and passwords both libraries must agree on. */
static const struct { long long m, t; const char *pwd; } same_key_cases[] = {
    { 8, 1, "" }, { 64, 1, "pw" }, { 1001, 2, "correct horse battery staple" },
    { 4096, 3, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac 0123456789012345678901234567890123456789" },
};

START_TEST(libsodium_and_libargon2_compute_the_same_argon2id_keys)
{
    struct pw_params p = { .alg = PW_ARGON2ID, .argon2_version = ARGON2_VERSION_13 };
    const char *pwd = same_key_cases[_i].pwd;
    unsigned char salt[16], a[32], b[32], want[32];

    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (unsigned char)(i * 37 + _i);
    p.v[PW_ARGON2_M] = same_key_cases[_i].m;
    p.v[PW_ARGON2_T] = same_key_cases[_i].t;
    p.v[PW_ARGON2_P] = 1;
    ck_assert_int_eq(argon2id_hash_raw((uint32_t)p.v[PW_ARGON2_T], (uint32_t)p.v[PW_ARGON2_M], 1,
                                       pwd, strlen(pwd), salt, 16, want, 32), ARGON2_OK);
    ck_assert_int_eq(pw_argon2_key(PW_ENGINE_LIBSODIUM, &p, (const unsigned char *)pwd,
                                   strlen(pwd), salt, 16, a, 32), ARGON2_OK);
    ck_assert_int_eq(pw_argon2_key(PW_ENGINE_LIBARGON2, &p, (const unsigned char *)pwd,
                                   strlen(pwd), salt, 16, b, 32), ARGON2_OK);
    ck_assert_mem_eq(a, want, 32);
    ck_assert_mem_eq(b, want, 32);
}
END_TEST

START_TEST(libsodium_is_picked_only_for_one_lane_16_byte_salts_on_fast_memory)
{
    struct pw_params p = { .alg = PW_ARGON2ID, .argon2_version = ARGON2_VERSION_13 };

    p.v[PW_ARGON2_M] = 65536;
    p.v[PW_ARGON2_T] = 3;
    p.v[PW_ARGON2_P] = 1;
    ck_assert_int_eq(pw_argon2_pick(&p, 16, 32, 1), PW_ENGINE_LIBSODIUM);
    /* On fresh 4 KiB pages for every hash libsodium is the slower. */
    ck_assert_int_eq(pw_argon2_pick(&p, 16, 32, 0), PW_ENGINE_LIBARGON2);
    ck_assert_int_eq(pw_argon2_pick(&p, 8, 32, 1), PW_ENGINE_LIBARGON2);
    ck_assert_int_eq(pw_argon2_pick(&p, 24, 32, 1), PW_ENGINE_LIBARGON2);
    ck_assert_int_eq(pw_argon2_pick(&p, 16, 12, 1), PW_ENGINE_LIBARGON2);
    p.argon2_version = 0x10;
    ck_assert_int_eq(pw_argon2_pick(&p, 16, 32, 1), PW_ENGINE_LIBARGON2);
    p.argon2_version = ARGON2_VERSION_13;
    p.v[PW_ARGON2_P] = 2;
    ck_assert_int_eq(pw_argon2_pick(&p, 16, 32, 1), PW_ENGINE_LIBARGON2);
}
END_TEST

START_TEST(what_libsodium_cannot_compute_goes_through_libargon2)
{
    /* Two lanes, or salts of 8 and 24 bytes: libsodium's raw API refuses
     * them, the automatic choice computes libargon2's key. */
    static const struct { long long lanes; size_t saltlen; } cases[] = {
        { 2, 16 }, { 1, 8 }, { 1, 24 },
    };
    struct pw_params p = { .alg = PW_ARGON2ID, .argon2_version = ARGON2_VERSION_13 };
    unsigned char salt[24], key[32], want[32];

    memset(salt, 7, sizeof salt);
    p.v[PW_ARGON2_M] = 256;
    p.v[PW_ARGON2_T] = 2;
    p.v[PW_ARGON2_P] = cases[_i].lanes;
    ck_assert_int_eq(pw_argon2_key(PW_ENGINE_LIBSODIUM, &p, (const unsigned char *)"pw", 2, salt,
                                   cases[_i].saltlen, key, 32), ARGON2_INCORRECT_PARAMETER);
    ck_assert_int_eq(argon2id_hash_raw(2, 256, (uint32_t)cases[_i].lanes, "pw", 2, salt,
                                       cases[_i].saltlen, want, 32), ARGON2_OK);
    ck_assert_int_eq(pw_argon2_key(PW_ENGINE_AUTO, &p, (const unsigned char *)"pw", 2, salt,
                                   cases[_i].saltlen, key, 32), ARGON2_OK);
    ck_assert_mem_eq(key, want, 32);
}
END_TEST

START_TEST(argon2id_strings_with_two_lanes_or_other_salt_lengths_verify)
{
    /* As other libraries write them: 8, 13 and 24-byte salts, p=2. */
    static const struct { uint32_t lanes; size_t saltlen; } cases[] = {
        { 1, 8 }, { 1, 13 }, { 1, 24 }, { 2, 16 }, { 2, 8 },
    };
    unsigned char salt[24];
    char h[200];

    memset(salt, 0x5a, sizeof salt);
    ck_assert_int_eq(argon2id_hash_encoded(1, 1024, cases[_i].lanes, "pw", 2, salt,
                                           cases[_i].saltlen, 32, h, sizeof h), ARGON2_OK);
    ck_assert_msg(verify(jsonf(FAST), "pw", h, NULL), "%s", h);
    ck_assert(!verify(jsonf(FAST), "pv", h, NULL));
}
END_TEST

/* FAST with the setting argon2id_engine. */
static json_t *fast_engine(const char *engine)
{
    return jsonf("{'argon2id_engine': '%s', %s", engine, FAST + 1);
}

START_TEST(hashes_made_with_either_engine_verify_with_the_other)
{
    /* _i = 0: libsodium hashes, libargon2 verifies; 1: the other way. */
    const char *maker = _i ? "libargon2" : "libsodium", *checker = _i ? "libsodium" : "libargon2";
    char *h = hash_ok(fast_engine(maker), jsonf("{'password': 'Tr0ub4dor&3'}"));

    ck_assert(verify(fast_engine(checker), "Tr0ub4dor&3", h, NULL));
    ck_assert(!verify(fast_engine(checker), "Tr0ub4dor&4", h, NULL));
    ck_assert_int_eq(argon2id_verify(h, "Tr0ub4dor&3", 11), ARGON2_OK);
    free(h);
}
END_TEST

START_TEST(the_setting_argon2id_engine_picks_the_library)
{
    /* libsodium hashes on the thread's arena lent to the mapping it makes
     * (a loan taken), libargon2 on the same arena through its callbacks
     * (none); either way the memory is reused: no 2048 page faults for a
     * fresh 8 MiB. */
    const char *engine = _i ? "libsodium" : "libargon2";
    const char *payload = "{'password': 'pw', 'memory_kib': 8192}";
    unsigned long loans;
    long before, faults;

    free(hash_ok(fast_engine(engine), jsonf("%s", payload)));
    loans = pw_lend_taken();
    before = minor_faults();
    free(hash_ok(fast_engine(engine), jsonf("%s", payload)));
    faults = minor_faults() - before;
    ck_assert_msg(faults < 500, "%s: %ld page faults for 8 MiB", engine, faults);
    ck_assert_uint_eq(pw_lend_taken() - loans, _i ? 1 : 0);
}
END_TEST

START_TEST(libsodiums_memory_can_be_lent_in_this_build)
{
    /* Else heftd's mmap is not the one libsodium calls (a static link, or
     * a libsodium that maps its memory another way): argon2id would fall
     * back to libargon2, twice as slow. */
    ck_assert(pw_lend_works());
}
END_TEST

/* libsodium's argon2id key of "pw" (t=1, m KiB, a zero salt) into key. */
static void sodium_1(long long m, unsigned char key[32])
{
    static const unsigned char salt[16];

    ck_assert_int_eq(crypto_pwhash_argon2id(key, 32, "pw", 2, salt, 1, (size_t)m * 1024,
                                            crypto_pwhash_ALG_ARGON2ID13), 0);
}

START_TEST(a_loan_goes_only_to_libsodiums_mapping_of_exactly_its_length)
{
    /* m = 1024 KiB: libsodium maps exactly 1 MiB for the hash. */
    static const unsigned char salt[16];
    size_t len = 1 << 20, cap;
    uint8_t *mem = pw_huge_map(len, &cap);
    unsigned char key[32], want[32];
    unsigned long loans = pw_lend_taken();
    void *other;

    ck_assert_ptr_nonnull(mem);
    ck_assert_int_eq(argon2id_hash_raw(1, 1024, 1, "pw", 2, salt, 16, want, 32), ARGON2_OK);
    /* Not lent: a mapping of the same length by other code (as an
     * allocator's inside the hash would be). */
    ck_assert_int_eq(pw_lend_open(mem, len), 0);
    ck_assert_int_eq(pw_lend_open(mem, len), -1);               /* one at a time */
    other = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(other, MAP_FAILED);
    ck_assert_ptr_ne(other, mem);
    ck_assert_int_eq(munmap(other, len), 0);
    ck_assert_int_eq(pw_lend_close(), 0);
    /* Not lent: libsodium's mapping of another length; the key is right. */
    ck_assert_int_eq(pw_lend_open(mem, len / 2), 0);
    sodium_1(1024, key);
    ck_assert_int_eq(pw_lend_close(), 0);
    ck_assert_mem_eq(key, want, 32);
    /* Lent: libsodium's of the lent length; its munmap keeps the memory. */
    ck_assert_int_eq(pw_lend_open(mem, len), 0);
    sodium_1(1024, key);
    ck_assert_int_eq(pw_lend_close(), 1);
    ck_assert_uint_eq(pw_lend_taken(), loans + 1);
    ck_assert_mem_eq(key, want, 32);
    explicit_bzero(mem, len);           /* still mapped: no SIGSEGV */
    /* Closed: nothing is lent any more. */
    sodium_1(1024, key);
    ck_assert_uint_eq(pw_lend_taken(), loans + 1);
    ck_assert_int_eq(munmap(mem, cap), 0);
}
END_TEST

START_TEST(the_libsodium_engine_still_hashes_and_verifies_two_lanes_and_odd_salts)
{
    /* What libsodium's raw API cannot compute goes through libargon2. */
    unsigned char salt[24];
    char *h = hash_ok(fast_engine("libsodium"), jsonf("{'password': 'pw', 'parallelism': 2}"));
    char theirs[200];

    ck_assert_msg(!strncmp(h, "$argon2id$v=19$m=1024,t=1,p=2$", 30), "%s", h);
    ck_assert_int_eq(argon2id_verify(h, "pw", 2), ARGON2_OK);
    ck_assert(verify(fast_engine("libsodium"), "pw", h, NULL));
    memset(salt, 0xa5, sizeof salt);
    ck_assert_int_eq(argon2id_hash_encoded(1, 1024, 1, "pw", 2, salt, 24, 32, theirs,
                                           sizeof theirs), ARGON2_OK);
    ck_assert(verify(fast_engine("libsodium"), "pw", theirs, NULL));
    ck_assert(!verify(fast_engine("libsodium"), "pv", theirs, NULL));
    free(h);
}
END_TEST

START_TEST(libsodiums_argon2id_strings_verify_and_libsodium_verifies_heft_s)
{
    char theirs[crypto_pwhash_argon2id_STRBYTES], *ours;

    /* libsodium's own encoder: opslimit 2 passes, memlimit 1 MiB. */
    ck_assert_int_eq(crypto_pwhash_argon2id_str(theirs, "Tr0ub4dor&3", 11, 2, 1 << 20), 0);
    ck_assert_msg(!strncmp(theirs, "$argon2id$v=19$m=1024,t=2,p=1$", 30), "%s", theirs);
    ck_assert(verify(jsonf(FAST), "Tr0ub4dor&3", theirs, NULL));
    ck_assert(!verify(jsonf(FAST), "Tr0ub4dor&4", theirs, NULL));
    /* And libsodium's decoder on heft's strings. */
    ours = hash_ok(jsonf(FAST), jsonf("{'password': 'Tr0ub4dor&3'}"));
    ck_assert_int_eq(crypto_pwhash_argon2id_str_verify(ours, "Tr0ub4dor&3", 11), 0);
    ck_assert_int_eq(crypto_pwhash_argon2id_str_verify(ours, "Tr0ub4dor&4", 11), -1);
    free(ours);
}
END_TEST

/* ---- bcrypt ---------------------------------------------------------------- */

/* crypt_blowfish's test vectors (Openwall), as OpenBSD and PHP agree. */
static const char *const bcrypt_vectors[][2] = {
    { "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
    { "U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK" },
    { "U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a" },
    { "", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy" },
    { "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 "
      "are ignored", "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui" },
    { "U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
    { "U*U", "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
};

START_TEST(bcrypt_verifies_crypt_blowfishs_published_vectors)
{
    int rehash;

    ck_assert(verify(jsonf("{}"), bcrypt_vectors[_i][0], bcrypt_vectors[_i][1], &rehash));
    ck_assert_msg(rehash, "bcrypt is not the default algorithm: needs_rehash");
    ck_assert(!verify(jsonf("{}"), "U*U*U*", bcrypt_vectors[_i][1], NULL));
}
END_TEST

START_TEST(bcrypt_hashes_are_2y_by_default_and_2b_on_request)
{
    char *y = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'algorithm': 'bcrypt'}"));
    char *b = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'algorithm': 'bcrypt', "
                                         "'variant': '2b', 'cost': 5}"));

    ck_assert_msg(!strncmp(y, "$2y$04$", 7) && strlen(y) == 60, "%s", y);
    ck_assert_msg(!strncmp(b, "$2b$05$", 7) && strlen(b) == 60, "%s", b);
    ck_assert(verify(jsonf(FAST), "pw", y, NULL));
    ck_assert(verify(jsonf(FAST), "pw", b, NULL));
    ck_assert(!verify(jsonf(FAST), "pW", y, NULL));
    free(y);
    free(b);
}
END_TEST

START_TEST(bcrypt_refuses_a_nul_character_and_more_than_72_bytes)
{
    job_fails("password.hash", jsonf(FAST), jsonf("{'password': 's3cret\\u0000x', "
              "'algorithm': 'bcrypt'}"), "bad_input", "password: bcrypt cannot take a NUL");
    job_fails("password.hash", jsonf(FAST), jsonf("{'password': 's3cret%070d', "
              "'algorithm': 'bcrypt'}", 0), "bad_input", "password: 76 bytes; bcrypt uses at "
              "most 72");
}
END_TEST

/* ---- scrypt and PBKDF2 ------------------------------------------------------ */

/* A $scrypt$ or $pbkdf2-sha256$ string of a known answer. */
static void kdf_string(char *out, const char *head, const char *salt, const char *key_hex,
                       int adapted)
{
    unsigned char key[64];
    char salt64[64], key64[128];
    size_t n = unhex(key_hex, key);

    unpadded((const unsigned char *)salt, strlen(salt), adapted, salt64);
    unpadded(key, n, adapted, key64);
    sprintf(out, "%s$%s$%s", head, salt64, key64);
}

START_TEST(scrypt_verifies_rfc_7914s_vectors)
{
    char h[300];

    kdf_string(h, "$scrypt$ln=14,r=8,p=1", "SodiumChloride",
               "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
               "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887", 0);
    ck_assert(verify(jsonf("{}"), "pleaseletmein", h, NULL));
    ck_assert(!verify(jsonf("{}"), "pleaseletmeim", h, NULL));
    kdf_string(h, "$scrypt$ln=10,r=8,p=16", "NaCl",
               "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
               "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640", 0);
    ck_assert(verify(jsonf("{'scrypt': {'max_p': 16}}"), "password", h, NULL));
}
END_TEST

START_TEST(pbkdf2_sha256_verifies_the_rfc_6070_style_vectors)
{
    int rehash;
    char h[300];

    kdf_string(h, "$pbkdf2-sha256$1", "salt",
               "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b", 1);
    ck_assert(verify(jsonf("{}"), "password", h, &rehash));
    ck_assert(rehash);
    kdf_string(h, "$pbkdf2-sha256$4096", "salt",
               "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a", 1);
    ck_assert(verify(jsonf("{}"), "password", h, NULL));
    ck_assert(!verify(jsonf("{}"), "passwore", h, NULL));
    /* RFC 7914 section 11: a 64-byte key. */
    kdf_string(h, "$pbkdf2-sha256$80000", "NaCl",
               "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
               "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d", 1);
    ck_assert(verify(jsonf("{}"), "Password", h, NULL));
}
END_TEST

START_TEST(scrypt_and_pbkdf2_hashes_have_passlibs_formats)
{
    char *s = hash_ok(jsonf("{}"), jsonf("{'password': 'pw', 'algorithm': 'scrypt'}"));
    char *p = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'algorithm': 'pbkdf2-sha256', "
                                         "'iterations': 1234}"));

    ck_assert_msg(!strncmp(s, "$scrypt$ln=16,r=8,p=1$", 22) && strlen(s) == 22 + 22 + 1 + 43,
                  "%s", s);
    ck_assert_msg(!strncmp(p, "$pbkdf2-sha256$1234$", 20) && strlen(p) == 20 + 22 + 1 + 43 &&
                  !strchr(p, '+') && !strchr(p, '='), "%s", p);
    ck_assert(verify(jsonf("{}"), "pw", s, NULL));
    ck_assert(verify(jsonf(FAST), "pw", p, NULL));
    free(s);
    free(p);
}
END_TEST

/* ---- every algorithm -------------------------------------------------------- */

static const char *const algorithms[] = { "argon2id", "bcrypt", "scrypt", "pbkdf2-sha256" };

START_TEST(each_algorithm_round_trips_and_refuses_a_wrong_password)
{
    char *h = hash_ok(jsonf(FAST), jsonf("{'password': 'p\\u00e4ss w\\u00f6rd', "
                                         "'algorithm': '%s'}", algorithms[_i]));
    int rehash = -1;

    ck_assert(verify(jsonf(FAST), "p\xc3\xa4ss w\xc3\xb6rd", h, &rehash));
    ck_assert_int_eq(rehash, _i != 0);       /* argon2id is the default */
    ck_assert(!verify(jsonf(FAST), "p\xc3\xa4ss w\xc3\xb6rD", h, &rehash));
    ck_assert(!rehash);                      /* only said of a valid password */
    ck_assert(!verify(jsonf(FAST), "", h, NULL));
    free(h);
}
END_TEST

START_TEST(two_hashes_of_one_password_have_different_salts)
{
    char *a = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'algorithm': '%s'}",
                                         algorithms[_i]));
    char *b = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'algorithm': '%s'}",
                                         algorithms[_i]));

    ck_assert_str_ne(a, b);
    free(a);
    free(b);
}
END_TEST

START_TEST(needs_rehash_when_the_algorithm_or_a_parameter_is_below_the_policy)
{
    char *h = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'memory_kib': 2048}"));
    int rehash;

    ck_assert(verify(jsonf(FAST), "pw", h, &rehash) && !rehash);
    ck_assert(verify(jsonf("{'argon2id': {'memory_kib': 2048, 'min_memory_kib': 64, "
                           "'iterations': 1, 'min_iterations': 1}}"), "pw", h, &rehash));
    ck_assert(!rehash);
    ck_assert(verify(jsonf("{'argon2id': {'memory_kib': 4096, 'min_memory_kib': 64, "
                           "'iterations': 1, 'min_iterations': 1}}"), "pw", h, &rehash));
    ck_assert_msg(rehash, "m=2048 is below the policy's 4096");
    ck_assert(verify(jsonf("{'algorithm': 'bcrypt', 'argon2id': {'min_memory_kib': 64, "
                           "'min_iterations': 1}}"), "pw", h, &rehash));
    ck_assert_msg(rehash, "the policy is bcrypt now");
    free(h);
    h = hash_ok(jsonf(FAST), jsonf("{'password': 'pw', 'algorithm': 'bcrypt', 'cost': 6}"));
    ck_assert(verify(jsonf("{'algorithm': 'bcrypt', 'bcrypt': {'cost': 6, 'min_cost': 4}}"),
                     "pw", h, &rehash) && !rehash);
    ck_assert(verify(jsonf("{'algorithm': 'bcrypt', 'bcrypt': {'cost': 7, 'min_cost': 4}}"),
                     "pw", h, &rehash) && rehash);
    free(h);
}
END_TEST

/* ---- errors ----------------------------------------------------------------- */

START_TEST(parameters_outside_the_bounds_fail_naming_the_field)
{
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'memory_kib': 1024}"),
              "bad_input", "memory_kib: 1024 is below the configured minimum 19456");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'memory_kib': "
              "1048576}"), "limit_exceeded", "memory_kib: 1048576 is above the configured "
              "maximum 262144");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'algorithm': 'bcrypt', "
              "'cost': 20}"), "limit_exceeded", "cost: 20 is above");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'algorithm': 'scrypt', "
              "'n': 100000}"), "bad_input", "n: must be a power of 2");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'algorithm': "
              "'pbkdf2-sha256', 'iterations': 10}"), "bad_input", "iterations: 10 is below");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'cost': 12}"),
              "bad_input", "cost: not a parameter of argon2id");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'iterations': '3'}"),
              "bad_input", "iterations: must be an integer");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'variant': '2b'}"),
              "bad_input", "variant: only bcrypt");
}
END_TEST

START_TEST(a_malformed_payload_is_bad_input_and_an_unknown_algorithm_unknown_algorithm)
{
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 's3cret', 'algorithm': 'md5'}"),
              "unknown_algorithm", "algorithm: \"md5\" is not argon2id");
    job_fails("password.hash", jsonf("{}"), jsonf("{'pasword': 's3cret'}"), "bad_input",
              "pasword: not a field of password.hash");
    job_fails("password.hash", jsonf("{}"), jsonf("{'password': 42}"), "bad_input",
              "password: must be a string");
    job_fails("password.hash", jsonf("{}"), jsonf("['s3cret']"), "bad_input",
              "must be an object");
    job_fails("password.verify", jsonf("{}"), jsonf("{'password': 's3cret'}"), "bad_input",
              "hash: must be a string");
}
END_TEST

static const char *const malformed[] = {
    "",
    "s3cret",
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ",
    "$argon2id$v=19$m=65536,t=2$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2id$v=18$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2id$v=19$m=65536,t=2,p=1$c29t!XNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2id$v=19$m=65536,t=2,p=1$c29t$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
    "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",
    "$2y$5$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeWW",
    "$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe+",
    "$scrypt$ln=14,r=8$U29kaXVtQ2hsb3JpZGU$cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI",
    "$scrypt$ln=14,r=8,p=1$U29kaXVtQ2hsb3JpZGU=$cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI",
    "$pbkdf2-sha256$i=1000$c2FsdA$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs",
    "$pbkdf2-sha256$1000$c2FsdA$Eg+2z/z4syxD5yJSVsT4N6hlSMkszDVICAWYfLcL4Xs",
    "$pbkdf2-sha256$1000$c2FsdA$Eg",
    "$scrypt$ln=17,r=1,p=1$U29kaXVtQ2hsb3JpZGU$cCO9yzr9c0hGHAbNgf046/2o+7qQT44+qbVD9lRdofI",
};

START_TEST(a_malformed_hash_string_is_bad_hash_without_the_password)
{
    job_fails("password.verify", jsonf("{}"),
              json_pack("{s:s,s:s}", "password", "s3cret", "hash", malformed[_i]), "bad_hash",
              "hash: ");
}
END_TEST

START_TEST(an_unknown_hash_id_is_unknown_algorithm)
{
    job_fails("password.verify", jsonf("{}"), jsonf("{'password': 's3cret', 'hash': "
              "'$6$salt$IxDD3jeSOb5eB1CX5LBsqZFVkJdido3OUILO5Ifz5iwMuTS4XMS130MTSuDDl3aCI6WouIL9AjRbLCelDCy.g.'}"),
              "unknown_algorithm", "\"$6$\" is not one of");
    job_fails("password.verify", jsonf("{}"), jsonf("{'password': 's3cret', 'hash': "
              "'$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA'}"),
              "unknown_algorithm", "\"$argon2i$\"");
    job_fails("password.verify", jsonf("{}"), jsonf("{'password': 'x', 'hash': '$S3CRET$'}"),
              "bad_hash", "not a password hash string");
}
END_TEST

START_TEST(a_hash_asking_for_more_than_the_maximum_is_limit_exceeded_not_computed)
{
    job_fails("password.verify", jsonf("{}"), jsonf("{'password': 's3cret', 'hash': "
              "'$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'}"),
              "limit_exceeded", "hash: its memory_kib: 4194304 is above the configured maximum");
    job_fails("password.verify", jsonf("{}"), jsonf("{'password': 's3cret', 'hash': "
              "'$2y$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'}"),
              "limit_exceeded", "hash: its cost: 31");
}
END_TEST

START_TEST(a_password_over_max_password_bytes_is_limit_exceeded)
{
    static char big[5000];

    memset(big, 'a', sizeof big - 1);
    job_fails("password.hash", jsonf("{}"), json_pack("{s:s}", "password", big),
              "limit_exceeded", "password: 4999 bytes, over the limit max_password_bytes");
}
END_TEST

/* ---- settings --------------------------------------------------------------- */

START_TEST(settings_are_refused_naming_the_key)
{
    struct heft_init_error e;

    e = init_fails("password.hash", jsonf("{'algorithm': 'md5'}"));
    ck_assert_str_eq(e.key, "algorithm");
    e = init_fails("password.hash", jsonf("{'argon2': {}}"));
    ck_assert_str_eq(e.key, "argon2");
    e = init_fails("password.verify", jsonf("{'bcrypt': {'cost': 3}}"));
    ck_assert_str_eq(e.key, "bcrypt.cost");
    ck_assert_str_eq(e.msg, "must be an integer from 4 to 31");
    e = init_fails("password.hash", jsonf("{'bcrypt': {'cost': 16}}"));
    ck_assert_str_eq(e.key, "bcrypt.cost");
    ck_assert_str_eq(e.msg, "16 is not within min_cost 10 and max_cost 14");
    e = init_fails("password.hash", jsonf("{'scrypt': {'max_n': 100000}}"));
    ck_assert_str_eq(e.key, "scrypt.max_n");
    e = init_fails("password.hash", jsonf("{'scrypt': {'cost': 1}}"));
    ck_assert_str_eq(e.key, "scrypt.cost");
    e = init_fails("password.verify", jsonf("{'argon2id_engine': 'botan'}"));
    ck_assert_str_eq(e.key, "argon2id_engine");
    ck_assert_str_eq(e.msg, "must be auto, libargon2 or libsodium");
}
END_TEST

START_TEST(settings_set_the_defaults_and_the_bounds)
{
    char *h = hash_ok(jsonf("{'algorithm': 'bcrypt', 'bcrypt': {'cost': 5, 'min_cost': 4, "
                            "'max_cost': 6}}"), jsonf("{'password': 'pw'}"));

    ck_assert_msg(!strncmp(h, "$2y$05$", 7), "%s", h);
    free(h);
    job_fails("password.hash", jsonf("{'algorithm': 'bcrypt', 'bcrypt': {'cost': 5, "
              "'min_cost': 4, 'max_cost': 6}}"), jsonf("{'password': 's3cret', 'cost': 7}"),
              "limit_exceeded", "cost: 7 is above the configured maximum 6 for bcrypt");
}
END_TEST

/* ---- PHP -------------------------------------------------------------------- */

static int have_php(void)
{
    if (system("php -r 'exit(function_exists(\"password_verify\") && "
               "defined(\"PASSWORD_ARGON2ID\") ? 0 : 1);' 2>/dev/null") == 0)
        return 1;
    fprintf(stderr, "SKIP: php with argon2id not found (apt-get install php-cli)\n");
    return 0;
}

/* The output of a shell command (static, one at a time). */
static const char *output_of(const char *cmd)
{
    static char out[512];
    FILE *f = popen(cmd, "r");
    size_t n;

    ck_assert_ptr_nonnull(f);
    n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    ck_assert_msg(pclose(f) == 0, "%s failed: %s", cmd, out);
    return out;
}

START_TEST(php_password_verify_accepts_argon2id_and_bcrypt_hashes)
{
    char *h, cmd[600];

    if (!have_php())
        return;
    h = hash_ok(jsonf("{'bcrypt': {'cost': 10}}"), jsonf("{'password': 'Tr0ub4dor&3', "
                "'algorithm': '%s'}", _i ? "bcrypt" : "argon2id"));
    snprintf(cmd, sizeof cmd, "php -r 'echo password_verify($argv[1], $argv[2]) ? \"yes\" : "
             "\"no\", password_verify(\"x\", $argv[2]) ? \"yes\" : \"no\";' "
             "'Tr0ub4dor&3' '%s'", h);
    ck_assert_str_eq(output_of(cmd), "yesno");
    free(h);
}
END_TEST

START_TEST(php_password_hash_output_verifies)
{
    char cmd[300], *h;
    int rehash;

    if (!have_php())
        return;
    snprintf(cmd, sizeof cmd, "php -r 'echo password_hash(\"Tr0ub4dor&3\", %s);'",
             _i ? "PASSWORD_BCRYPT" : "PASSWORD_ARGON2ID");
    h = strdup(output_of(cmd));
    ck_assert(verify(jsonf("{}"), "Tr0ub4dor&3", h, &rehash));
    ck_assert_int_eq(rehash, _i);    /* PHP: argon2id m=65536,t=4; bcrypt is not the default */
    ck_assert(!verify(jsonf("{}"), "tr0ub4dor&3", h, NULL));
    free(h);
}
END_TEST

/* ---- passlib ----------------------------------------------------------------- */

/* A python3 with Debian's passlib (a pyenv python3 first on the PATH may
 * lack it), or NULL. */
static const char *passlib_python(void)
{
    static const char *const pythons[] = { "python3", "/usr/bin/python3", NULL };
    char cmd[200];
    int i;

    for (i = 0; pythons[i]; i++) {
        snprintf(cmd, sizeof cmd, "%s -c 'import passlib.hash' 2>/dev/null", pythons[i]);
        if (system(cmd) == 0)
            return pythons[i];
    }
    fprintf(stderr, "SKIP: passlib not found (apt-get install python3-passlib)\n");
    return NULL;
}

START_TEST(passlibs_scrypt_and_pbkdf2_sha256_agree_both_ways)
{
    const char *py = passlib_python(), *alg = _i ? "pbkdf2-sha256" : "scrypt";
    const char *scheme = _i ? "pbkdf2_sha256.using(rounds=1000)" : "scrypt.using(rounds=10)";
    char cmd[600], *ours, *theirs;

    if (!py)
        return;
    ours = hash_ok(jsonf(FAST), jsonf("{'password': 'Tr0ub4dor&3', 'algorithm': '%s'}", alg));
    snprintf(cmd, sizeof cmd, "%s -c 'import sys; from passlib.hash import %s as h; "
             "print(h.verify(sys.argv[1], sys.argv[3]), h.verify(sys.argv[2], sys.argv[3]))' "
             "'Tr0ub4dor&3' 'x' '%s'", py, _i ? "pbkdf2_sha256" : "scrypt", ours);
    ck_assert_str_eq(output_of(cmd), "True False\n");
    snprintf(cmd, sizeof cmd, "%s -c 'from passlib.hash import scrypt, pbkdf2_sha256; "
             "print(%s.hash(\"Tr0ub4dor&3\"), end=\"\")'", py, scheme);
    theirs = strdup(output_of(cmd));
    ck_assert(verify(jsonf(FAST), "Tr0ub4dor&3", theirs, NULL));
    ck_assert(!verify(jsonf(FAST), "Tr0ub4dor&4", theirs, NULL));
    free(ours);
    free(theirs);
}
END_TEST

/* ---- Node (run by tests/password-node.sh) ------------------------------------ */

static const char *node(const char *args)
{
    const char *dir = getenv("HEFT_PASSWORD_NODE_DIR");
    char cmd[600];

    snprintf(cmd, sizeof cmd, "cd '%s' && node interop.mjs %s", dir, args);
    return output_of(cmd);
}

START_TEST(node_argon2_and_bcryptjs_agree_both_ways)
{
    const char *alg = _i ? "bcrypt" : "argon2id";
    char args[300], *ours, *theirs;
    int rehash;

    if (!getenv("HEFT_PASSWORD_NODE_DIR")) {
        fprintf(stderr, "SKIP: node interop runs from tests/password-node.sh\n");
        return;
    }
    ours = hash_ok(jsonf("{'bcrypt': {'cost': 10}}"),
                   jsonf("{'password': 'Tr0ub4dor&3', 'algorithm': '%s'}", alg));
    snprintf(args, sizeof args, "verify 'Tr0ub4dor&3' '%s'", ours);
    ck_assert_str_eq(node(args), "true\n");
    snprintf(args, sizeof args, "verify 'tr0ub4dor&3' '%s'", ours);
    ck_assert_str_eq(node(args), "false\n");
    snprintf(args, sizeof args, "hash %s 'Tr0ub4dor&3'", alg);
    theirs = strdup(node(args));
    *strchr(theirs, '\n') = '\0';
    ck_assert(verify(jsonf("{}"), "Tr0ub4dor&3", theirs, &rehash));
    ck_assert(!verify(jsonf("{}"), "Tr0ub4dor&4", theirs, NULL));
    free(ours);
    free(theirs);
}
END_TEST

static Suite *password_suite(void)
{
    Suite *s = suite_create("password");
    TCase *argon2 = tcase_create("argon2id"), *bcrypt = tcase_create("bcrypt");
    TCase *kdf = tcase_create("kdf"), *all = tcase_create("all");
    TCase *errors = tcase_create("errors"), *settings = tcase_create("settings");
    TCase *php = tcase_create("php"), *nodejs = tcase_create("node");
    TCase *passlib = tcase_create("passlib");

    tcase_add_loop_test(argon2, argon2id_verifies_the_reference_implementations_phc_strings, 0,
                        3);
    tcase_add_test(argon2, debians_libargon2_computes_the_rfc_9106_argon2id_vector);
    tcase_add_test(argon2, password_hash_writes_argon2id_phc_strings_that_libargon2s_decoder_verifies);
    tcase_add_test(argon2, argon2id_phc_strings_are_what_libargon2s_own_encoder_writes);
    tcase_add_test(argon2, argon2id_asked_for_other_parameters_within_bounds_uses_them);
    tcase_add_test(argon2, argon2id_memory_is_kept_by_the_thread_between_jobs);
    tcase_add_loop_test(argon2, argon2id_memory_is_on_huge_pages_and_all_zeros_after_each_hash, 0,
                        2);
    tcase_add_loop_test(argon2, libsodium_and_libargon2_compute_the_same_argon2id_keys, 0,
                        sizeof same_key_cases / sizeof same_key_cases[0]);
    tcase_add_test(argon2, libsodium_is_picked_only_for_one_lane_16_byte_salts_on_fast_memory);
    tcase_add_loop_test(argon2, what_libsodium_cannot_compute_goes_through_libargon2, 0, 3);
    tcase_add_loop_test(argon2, argon2id_strings_with_two_lanes_or_other_salt_lengths_verify, 0, 5);
    tcase_add_test(argon2, libsodiums_argon2id_strings_verify_and_libsodium_verifies_heft_s);
    tcase_add_loop_test(argon2, hashes_made_with_either_engine_verify_with_the_other, 0, 2);
    tcase_add_test(argon2, the_libsodium_engine_still_hashes_and_verifies_two_lanes_and_odd_salts);
    tcase_add_loop_test(argon2, the_setting_argon2id_engine_picks_the_library, 0, 2);
    tcase_add_test(argon2, libsodiums_memory_can_be_lent_in_this_build);
    tcase_add_test(argon2, a_loan_goes_only_to_libsodiums_mapping_of_exactly_its_length);
    tcase_add_loop_test(bcrypt, bcrypt_verifies_crypt_blowfishs_published_vectors, 0,
                        sizeof bcrypt_vectors / sizeof bcrypt_vectors[0]);
    tcase_add_test(bcrypt, bcrypt_hashes_are_2y_by_default_and_2b_on_request);
    tcase_add_test(bcrypt, bcrypt_refuses_a_nul_character_and_more_than_72_bytes);
    tcase_add_test(kdf, scrypt_verifies_rfc_7914s_vectors);
    tcase_add_test(kdf, pbkdf2_sha256_verifies_the_rfc_6070_style_vectors);
    tcase_add_test(kdf, scrypt_and_pbkdf2_hashes_have_passlibs_formats);
    tcase_add_loop_test(all, each_algorithm_round_trips_and_refuses_a_wrong_password, 0, 4);
    tcase_add_loop_test(all, two_hashes_of_one_password_have_different_salts, 0, 4);
    tcase_add_test(all, needs_rehash_when_the_algorithm_or_a_parameter_is_below_the_policy);
    tcase_add_test(errors, parameters_outside_the_bounds_fail_naming_the_field);
    tcase_add_test(errors, a_malformed_payload_is_bad_input_and_an_unknown_algorithm_unknown_algorithm);
    tcase_add_loop_test(errors, a_malformed_hash_string_is_bad_hash_without_the_password, 0,
                        sizeof malformed / sizeof malformed[0]);
    tcase_add_test(errors, an_unknown_hash_id_is_unknown_algorithm);
    tcase_add_test(errors, a_hash_asking_for_more_than_the_maximum_is_limit_exceeded_not_computed);
    tcase_add_test(errors, a_password_over_max_password_bytes_is_limit_exceeded);
    tcase_add_test(settings, settings_are_refused_naming_the_key);
    tcase_add_test(settings, settings_set_the_defaults_and_the_bounds);
    tcase_add_loop_test(php, php_password_verify_accepts_argon2id_and_bcrypt_hashes, 0, 2);
    tcase_add_loop_test(php, php_password_hash_output_verifies, 0, 2);
    tcase_add_loop_test(passlib, passlibs_scrypt_and_pbkdf2_sha256_agree_both_ways, 0, 2);
    tcase_add_loop_test(nodejs, node_argon2_and_bcryptjs_agree_both_ways, 0, 2);
    /* 64 MiB hashes: seconds each when the machine is busy. */
    tcase_set_timeout(argon2, 30);
    tcase_set_timeout(php, 60);
    tcase_set_timeout(nodejs, 60);
    tcase_set_timeout(passlib, 60);
    suite_add_tcase(s, argon2);
    suite_add_tcase(s, bcrypt);
    suite_add_tcase(s, kdf);
    suite_add_tcase(s, all);
    suite_add_tcase(s, errors);
    suite_add_tcase(s, settings);
    suite_add_tcase(s, php);
    suite_add_tcase(s, passlib);
    suite_add_tcase(s, nodejs);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(password_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
