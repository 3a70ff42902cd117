/*
 * argon2-compare.c - the speed of argon2id in the libraries Debian 12
 * ships, side by side on this machine (issue 4: the choice of heft's
 * argon2id).  Each option hashes the same password and salt N times after a
 * warm-up, on one thread (or T threads at once with --threads: T x N hashes
 * in all, which the threads take from one counter), and every
 * hash must be byte for byte what libargon2's argon2id_hash_raw gives: an
 * option that differs is reported as wrong and the program exits 1.
 *
 * Options (--only picks some, by name):
 *   fresh         libargon2, its own malloc per hash (what a naive caller gets)
 *   reused        libargon2, one malloc'ed buffer per thread through
 *                 allocate_cbk/free_cbk (heft before this comparison)
 *   reused-thp    the same buffer mmap'ed on 2 MiB boundaries and
 *                 madvise(MADV_HUGEPAGE) (heft's libargon2 path now)
 *   sodium        libsodium's crypto_pwhash_argon2id (SIMD; mmaps fresh
 *                 memory for every hash)
 *   sodium-lent   the same on reused-thp's buffer, lent to the mapping
 *                 libsodium makes (jobs/password/lend.c: heft's path now)
 *   gcrypt        libgcrypt's gcry_kdf_open(GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID)
 *   fresh-hugetlb, gcrypt-hugetlb
 *                 fresh and gcrypt run again in a child process started with
 *                 GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc then madvises
 *                 its large mappings for huge pages: an environment setting of
 *                 the process, no system setting)
 *   heft          what jobs/password/argon2.c does (pw_argon2_hash, its PHC
 *                 string included): sodium-lent where libsodium's memory can
 *                 be lent (its engine is noted on stderr)
 *   bcrypt        libxcrypt's bcrypt at --bcrypt-cost (not argon2: the raw
 *                 reference of bench/compare-password.sh)
 *
 * Output: one line per option, `option=NAME threads=T hashes=N ms_per_hash=..
 * hashes_per_s=.. cpu_ms_per_hash=.. minflt_per_hash=.. ok=yes|no`, then
 * notes on stderr.  Page faults are getrusage's ru_minflt of the process over
 * the timed hashes (MAP_POPULATE counts its pages as minor faults too).
 */
#include <argon2.h>
#include <crypt.h>
#include <errno.h>
#include <gcrypt.h>
#include <getopt.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jobs/password/password.h"

#define OUTLEN 32

/* What every option is run with. */
struct run {
    int hashes, warmup, threads;        /* timed hashes and warm-up ones per thread */
    uint32_t m_kib, t;
    int bcrypt_cost;
    const char *pwd;
    uint8_t salt[16];
    uint8_t want[OUTLEN];       /* libargon2's argon2id_hash_raw */
};

/* One option: hash one password into out (OUTLEN bytes; bcrypt: a string
 * in out of cap bytes); 0 on success. */
struct choice {
    const char *name;
    int (*hash)(const struct run *r, uint8_t *out, size_t cap);
    int compares;               /* the output is the argon2id key to check */
    int (*check)(const struct run *r, const char *s);  /* else: checks its last string */
    const char *tunables;       /* run in a child with GLIBC_TUNABLES=this */
    const char *as;             /* the option the child runs */
};

/* libargon2's callbacks take no user pointer: each thread's buffer is
 * thread-local, kept for the thread's life like heft's arena. */
static __thread uint8_t *buf_mem;
static __thread size_t buf_cap;
static __thread int buf_thp;

static int buf_alloc_malloc(uint8_t **memory, size_t bytes)
{
    if (buf_cap < bytes) {
        free(buf_mem);
        buf_mem = malloc(bytes);
        buf_cap = buf_mem ? bytes : 0;
    }
    *memory = buf_mem;
    return buf_mem ? ARGON2_OK : ARGON2_MEMORY_ALLOCATION_ERROR;
}

/* heft's own mapping for its argon2 memory: whole 2 MiB huge pages,
 * advised MADV_HUGEPAGE (THP "madvise" mode: only advised ranges). */
static int buf_alloc_thp(uint8_t **memory, size_t bytes)
{
    if (buf_cap < bytes) {
        if (buf_mem)
            munmap(buf_mem, buf_cap);
        buf_mem = pw_huge_map(bytes, &buf_cap);
        if (!buf_mem) {
            buf_cap = 0;
            return ARGON2_MEMORY_ALLOCATION_ERROR;
        }
        buf_thp = 1;
    }
    *memory = buf_mem;
    return ARGON2_OK;
}

static void buf_release(uint8_t *memory, size_t bytes)
{
    (void)memory;
    (void)bytes;        /* libargon2 has wiped it; kept for the next hash */
}

static void buf_drop(void)
{
    if (buf_thp)
        munmap(buf_mem, buf_cap);
    else
        free(buf_mem);
    buf_mem = NULL;
    buf_cap = 0;
    buf_thp = 0;
}

static int libargon2_hash(const struct run *r, uint8_t *out, allocate_fptr alloc,
                          deallocate_fptr release)
{
    argon2_context ctx = {
        .out = out, .outlen = OUTLEN,
        .pwd = (uint8_t *)r->pwd, .pwdlen = (uint32_t)strlen(r->pwd),
        .salt = (uint8_t *)r->salt, .saltlen = sizeof r->salt,
        .t_cost = r->t, .m_cost = r->m_kib, .lanes = 1, .threads = 1,
        .version = ARGON2_VERSION_13, .allocate_cbk = alloc, .free_cbk = release,
        .flags = ARGON2_DEFAULT_FLAGS,
    };
    return argon2_ctx(&ctx, Argon2_id);
}

static int opt_fresh(const struct run *r, uint8_t *out, size_t cap)
{
    return libargon2_hash(r, out, NULL, NULL);
}

static int opt_reused(const struct run *r, uint8_t *out, size_t cap)
{
    return libargon2_hash(r, out, buf_alloc_malloc, buf_release);
}

static int opt_reused_thp(const struct run *r, uint8_t *out, size_t cap)
{
    return libargon2_hash(r, out, buf_alloc_thp, buf_release);
}

static int opt_sodium(const struct run *r, uint8_t *out, size_t cap)
{
    return crypto_pwhash_argon2id(out, OUTLEN, r->pwd, strlen(r->pwd), r->salt, r->t,
                                  (size_t)r->m_kib * 1024, crypto_pwhash_ALG_ARGON2ID13);
}

static int opt_sodium_lent(const struct run *r, uint8_t *out, size_t cap)
{
    /* What libsodium maps for m KiB and one lane: a multiple of 4 blocks. */
    size_t bytes = (size_t)(r->m_kib - r->m_kib % 4) * 1024;
    uint8_t *mem;
    int rc, took;

    if (buf_alloc_thp(&mem, bytes) != ARGON2_OK || pw_lend_open(mem, bytes) < 0)
        return -1;
    rc = opt_sodium(r, out, cap);
    took = pw_lend_close();
    explicit_bzero(mem, bytes);         /* as heft does */
    return rc == 0 && took ? 0 : -1;
}

static int opt_gcrypt(const struct run *r, uint8_t *out, size_t cap)
{
    /* Its parameters: output length, passes, memory in KiB, lanes. */
    const unsigned long param[4] = { OUTLEN, r->t, r->m_kib, 1 };
    gcry_kdf_hd_t hd;

    if (gcry_kdf_open(&hd, GCRY_KDF_ARGON2, GCRY_KDF_ARGON2ID, param, 4, r->pwd,
                      strlen(r->pwd), r->salt, sizeof r->salt, NULL, 0, NULL, 0) != 0)
        return -1;
    int rc = gcry_kdf_compute(hd, NULL) == 0 && gcry_kdf_final(hd, OUTLEN, out) == 0 ? 0 : -1;
    gcry_kdf_close(hd);
    return rc;
}

/* heft's own path: a PHC string with a random salt, so its last string is
 * checked by libargon2's decoder (check_phc) instead of against want. */
static int opt_heft(const struct run *r, uint8_t *out, size_t cap)
{
    struct pw_params p = { .alg = PW_ARGON2ID };
    struct hash_err err = { 0 };
    char phc[PW_MAX_HASH];

    p.v[PW_ARGON2_M] = r->m_kib;
    p.v[PW_ARGON2_T] = r->t;
    p.v[PW_ARGON2_P] = 1;
    if (pw_argon2_hash(&p, (const unsigned char *)r->pwd, strlen(r->pwd), phc, &err) != 0)
        return -1;
    snprintf((char *)out, cap, "%s", phc);
    return 0;
}

static int check_phc(const struct run *r, const char *s)
{
    return argon2id_verify(s, r->pwd, strlen(r->pwd)) == ARGON2_OK ? 0 : -1;
}

static int check_crypt(const struct run *r, const char *s)
{
    struct crypt_data cd;
    const char *h;

    memset(&cd, 0, sizeof cd);
    h = crypt_r(r->pwd, s, &cd);
    return h && strcmp(h, s) == 0 ? 0 : -1;
}

static int opt_bcrypt(const struct run *r, uint8_t *out, size_t cap)
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data cd;

    memset(&cd, 0, sizeof cd);
    if (!crypt_gensalt_rn("$2y$", (unsigned long)r->bcrypt_cost, (const char *)r->salt,
                          sizeof r->salt, setting, sizeof setting))
        return -1;
    const char *h = crypt_r(r->pwd, setting, &cd);
    if (!h || h[0] != '$')
        return -1;
    snprintf((char *)out, cap, "%s", h);
    return 0;
}

static const struct choice choices[] = {
    { "fresh", opt_fresh, 1, NULL, NULL, NULL },
    { "reused", opt_reused, 1, NULL, NULL, NULL },
    { "reused-thp", opt_reused_thp, 1, NULL, NULL, NULL },
    { "sodium", opt_sodium, 1, NULL, NULL, NULL },
    { "sodium-lent", opt_sodium_lent, 1, NULL, NULL, NULL },
    { "gcrypt", opt_gcrypt, 1, NULL, NULL, NULL },
    { "fresh-hugetlb", NULL, 1, NULL, "glibc.malloc.hugetlb=1", "fresh" },
    { "gcrypt-hugetlb", NULL, 1, NULL, "glibc.malloc.hugetlb=1", "gcrypt" },
    { "heft", opt_heft, 0, check_phc, NULL, NULL },
    { "bcrypt", opt_bcrypt, 0, check_crypt, NULL, NULL },
};
#define NCHOICES (sizeof choices / sizeof choices[0])
/* What runs without --only: the argon2id options. */
#define DEFAULT_ONLY \
    "fresh,reused,reused-thp,sodium,sodium-lent,gcrypt,fresh-hugetlb,gcrypt-hugetlb,heft"

/* The library pw_argon2_hash uses for these parameters, as argon2.c picks
 * it. */
static const char *heft_engine(void)
{
    if (pw_lend_works())
        return "libsodium, lent huge-page memory";
    return pw_thp_always() ? "libsodium (THP always)" : "libargon2, huge-page memory";
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(struct rusage *ru)
{
    return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
           (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

/* What the threads of a timed run share: they start the timed hashes
 * together after their warm-up (a barrier of T + 1: the main thread times
 * from its release to the end barrier), then take hashes from one counter
 * until T x N are done, as heftd's worker threads take jobs from one queue:
 * a thread the machine slows down does fewer, instead of holding up the
 * end. */
struct shared {
    const struct choice *opt;
    const struct run *run;
    pthread_barrier_t start, end;
    atomic_int next;
};

struct worker {
    pthread_t th;
    struct shared *sh;
    int wrong;                  /* hashes that failed or differ from want */
    char last[PW_MAX_HASH];     /* heft, bcrypt: the last string, for the notes */
};

static void one_hash(struct worker *w)
{
    const struct shared *sh = w->sh;
    uint8_t out[PW_MAX_HASH];

    if (sh->opt->hash(sh->run, out, sizeof out) != 0 ||
        (sh->opt->compares && memcmp(out, sh->run->want, OUTLEN) != 0))
        w->wrong++;
    else if (!sh->opt->compares)
        snprintf(w->last, sizeof w->last, "%s", (char *)out);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < w->sh->run->warmup; i++)
        one_hash(w);
    pthread_barrier_wait(&w->sh->start);
    while (atomic_fetch_add(&w->sh->next, 1) < w->sh->run->hashes * w->sh->run->threads)
        one_hash(w);
    pthread_barrier_wait(&w->sh->end);
    buf_drop();
    return NULL;
}

/* Runs opt on T threads, N timed hashes each; prints its line; 0 when
 * every hash was right. */
static int run_option(const struct choice *opt, const struct run *r)
{
    struct shared sh = { .opt = opt, .run = r };
    int threads = r->threads, hashes = r->hashes;
    struct worker w[64];
    struct rusage ru0, ru1;
    double t0, t1;
    int wrong = 0;

    pthread_barrier_init(&sh.start, NULL, (unsigned)threads + 1);
    pthread_barrier_init(&sh.end, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].sh = &sh;
        if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0) {
            perror("argon2-compare: pthread_create");
            exit(1);
        }
    }
    pthread_barrier_wait(&sh.start);
    getrusage(RUSAGE_SELF, &ru0);
    t0 = now_s();
    pthread_barrier_wait(&sh.end);
    t1 = now_s();
    getrusage(RUSAGE_SELF, &ru1);
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].th, NULL);
        wrong += w[i].wrong;
    }
    pthread_barrier_destroy(&sh.start);
    pthread_barrier_destroy(&sh.end);

    for (int i = 0, checked = 0; i < threads && !opt->compares; i++) {
        if (w[i].last[0] && opt->check(r, w[i].last) != 0)
            wrong++;
        checked += w[i].last[0] != 0;
        if (i == threads - 1 && !checked)
            wrong++;            /* no string at all */
    }
    if (!opt->compares && w[0].last[0])
        fprintf(stderr, "argon2-compare: %s: e.g. %s\n", opt->name, w[0].last);
    if (opt->hash == opt_heft)
        fprintf(stderr, "argon2-compare: heft's engine: %s\n", heft_engine());
    double n = (double)hashes * threads;
    printf("option=%s threads=%d hashes=%d ms_per_hash=%.1f hashes_per_s=%.2f "
           "cpu_ms_per_hash=%.1f minflt_per_hash=%.0f ok=%s\n", opt->name, threads,
           hashes * threads, (t1 - t0) * 1000 / n * threads, n / (t1 - t0),
           (cpu_s(&ru1) - cpu_s(&ru0)) * 1000 / n, (double)(ru1.ru_minflt - ru0.ru_minflt) / n,
           wrong ? "no" : "yes");
    fflush(stdout);
    return wrong ? -1 : 0;
}

/* An option that needs an environment of its own: this program again, in a
 * child with GLIBC_TUNABLES set (glibc reads it only at startup), which
 * prints its line under the option's own name. */
static int run_child(const struct choice *opt, const struct run *r, const char *argv0)
{
    char nb[5][16];
    pid_t pid;
    int status;

    snprintf(nb[0], sizeof nb[0], "%d", r->hashes);
    snprintf(nb[1], sizeof nb[1], "%d", r->warmup);
    snprintf(nb[2], sizeof nb[2], "%d", r->threads);
    snprintf(nb[3], sizeof nb[3], "%u", r->m_kib);
    snprintf(nb[4], sizeof nb[4], "%u", r->t);
    char *const args[] = { (char *)argv0, "--hashes", nb[0], "--warmup", nb[1], "--threads", nb[2],
                           "--memory", nb[3], "--iterations", nb[4], "--only", (char *)opt->as,
                           NULL };

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        setenv("GLIBC_TUNABLES", opt->tunables, 1);
        setenv("ARGON2_COMPARE_NAME", opt->name, 1);
        execv("/proc/self/exe", args);
        perror("argon2-compare: exec");
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: argon2-compare [--hashes N] [--warmup W] [--threads T] [--memory KIB]\n"
               "                      [--iterations T] [--bcrypt-cost C] [--only NAME,...]\n"
               "NAME: fresh reused reused-thp sodium sodium-lent gcrypt fresh-hugetlb\n"
               "      gcrypt-hugetlb heft bcrypt\n(defaults: every NAME but bcrypt, 20 hashes after 2 warm-up ones per"
               " thread,\n1 thread, 65536 KiB, 3 iterations, bcrypt cost 12)\n");
}

static int number(const char *s, const char *flag, int lo, int hi)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "argon2-compare: %s must be a whole number from %d to %d, not '%s'\n",
                flag, lo, hi, s);
        exit(1);
    }
    return (int)v;
}

static const struct choice *choice_find(const char *name, size_t len)
{
    for (size_t i = 0; i < NCHOICES; i++)
        if (strlen(choices[i].name) == len && strncmp(choices[i].name, name, len) == 0)
            return &choices[i];
    return NULL;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "hashes", required_argument, NULL, 'n' }, { "warmup", required_argument, NULL, 'w' },
        { "threads", required_argument, NULL, 'T' }, { "memory", required_argument, NULL, 'm' },
        { "iterations", required_argument, NULL, 't' },
        { "bcrypt-cost", required_argument, NULL, 'c' }, { "only", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    struct run r = { .hashes = 20, .warmup = 2, .threads = 1, .m_kib = 65536, .t = 3,
                     .bcrypt_cost = 12, .pwd = "correct horse battery staple" };
    int status = 0, c;
    const char *only = DEFAULT_ONLY, *as = getenv("ARGON2_COMPARE_NAME");

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': r.hashes = number(optarg, "--hashes", 1, 100000); break;
        case 'w': r.warmup = number(optarg, "--warmup", 0, 1000); break;
        case 'T': r.threads = number(optarg, "--threads", 1, 64); break;
        case 'm': r.m_kib = (uint32_t)number(optarg, "--memory", 8, 4194304); break;
        case 't': r.t = (uint32_t)number(optarg, "--iterations", 1, 100); break;
        case 'c': r.bcrypt_cost = number(optarg, "--bcrypt-cost", 4, 31); break;
        case 'o': only = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 1;
    }
    if (sodium_init() < 0 || !gcry_check_version(NULL)) {
        fprintf(stderr, "argon2-compare: libsodium or libgcrypt does not start\n");
        return 1;
    }
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    for (size_t i = 0; i < sizeof r.salt; i++)
        r.salt[i] = (uint8_t)(0x11 * i + 3);
    if (argon2id_hash_raw(r.t, r.m_kib, 1, r.pwd, strlen(r.pwd), r.salt, sizeof r.salt,
                          r.want, OUTLEN) != ARGON2_OK) {
        fprintf(stderr, "argon2-compare: libargon2 refuses m=%u t=%u\n", r.m_kib, r.t);
        return 1;
    }

    for (const char *s = only; *s;) {
        size_t len = strcspn(s, ",");
        const struct choice *opt = choice_find(s, len);

        if (!opt) {
            fprintf(stderr, "argon2-compare: unknown option '%.*s'\n", (int)len, s);
            usage(stderr);
            return 1;
        }
        if (opt->tunables) {
            if (run_child(opt, &r, argv[0]) != 0)
                status = 1;
        } else {
            struct choice named = *opt;

            if (as)
                named.name = as;        /* a child prints its parent's option name */
            if (run_option(&named, &r) != 0)
                status = 1;
        }
        s += len + (s[len] == ',');
    }
    if (status)
        fprintf(stderr, "argon2-compare: some option gave a wrong hash or failed (ok=no)\n");
    return status;
}
