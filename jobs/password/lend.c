/*
 * jobs/password/lend.c - lends a worker thread's argon2 memory to libsodium.
 *
 * libsodium's crypto_pwhash_argon2id has SIMD code (AVX-512, AVX2, SSSE3)
 * and is twice as fast as Debian's portable libargon2, but it takes no
 * memory and no allocator: 1.0.18 maps its 64 MiB with mmap(MAP_POPULATE)
 * for every hash and unmaps it after.  Under the kernel's default
 * transparent huge page mode ("madvise") that fresh mapping is 16,384
 * pages of 4 KiB, and faulting them in, then missing the TLB on every
 * block read, costs more than the hashing (bench/README.md).
 *
 * So heftd defines mmap and munmap itself; the dynamic linker binds
 * libsodium's calls to the executable's definitions before libc's.  They
 * hand every call on to the next definition (libc's, or a sanitizer's),
 * except on a thread that has opened a loan and until it closes it: there
 * the first private anonymous read-write mapping that fits the loan gets
 * the lent memory (the thread's reused arena, on huge pages), and the
 * munmap of that memory does nothing.  No other thread and no other call
 * sees a difference.  Whether libsodium's mapping really was lent is
 * checked once at start (pw_lend_works), so a libsodium that maps its
 * memory another way is only slower, never wrong.
 */
#define _GNU_SOURCE
/* With 64-bit file offsets asked for (hiredis's pkg-config flags do),
 * sys/mman.h would rename the mmap defined below to mmap64, and the mmap
 * libsodium calls would stay libc's. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "password.h"

/* One thread's loan: mem (cap bytes) while open, and how much of it the
 * mapping that took it asked for (0 while nothing has). */
struct loan {
    uint8_t *mem;
    size_t cap, lent;
    int open;
};

static __thread struct loan loan;
/* How many of this thread's loans a mapping took. */
static __thread unsigned long taken;

typedef void *mmap_fn(void *, size_t, int, int, int, off_t);
typedef void *mmap64_fn(void *, size_t, int, int, int, off64_t);
typedef int munmap_fn(void *, size_t);

/* libc's definitions (or the next interposer's), looked up on first use:
 * a library's constructor may map memory before any code of heftd runs.
 * Every thread finds the same pointer, so a race only looks it up twice. */
static _Atomic(mmap_fn *) next_mmap;
static _Atomic(mmap64_fn *) next_mmap64;
static _Atomic(munmap_fn *) next_munmap;

/* NEXT(ptr, name): the next definition of name, looked up once into ptr. */
#define NEXT(fn, name) ({                                                   \
    __typeof__(atomic_load(&(fn))) f_ = atomic_load_explicit(&(fn), memory_order_relaxed); \
    if (!f_) {                                                              \
        f_ = (__typeof__(f_))dlsym(RTLD_NEXT, name);                        \
        atomic_store_explicit(&(fn), f_, memory_order_relaxed);             \
    }                                                                       \
    f_;                                                                     \
})

/* The lent memory if this mapping takes the open loan, else NULL. */
static void *take_loan(void *addr, size_t len, int prot, int flags, int fd)
{
    if (!loan.open || loan.lent || addr || len > loan.cap || fd != -1 ||
        prot != (PROT_READ | PROT_WRITE) ||
        (flags & (MAP_ANONYMOUS | MAP_PRIVATE | MAP_FIXED | MAP_SHARED)) !=
            (MAP_ANONYMOUS | MAP_PRIVATE))
        return NULL;
    loan.lent = len;
    taken++;
    return loan.mem;
}

/* Both names: a library built for 64-bit file offsets on a 32-bit system
 * calls mmap64 (on 64-bit ones they are the same function). */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *lent = take_loan(addr, len, prot, flags, fd);

    return lent ? lent : NEXT(next_mmap, "mmap")(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
    void *lent = take_loan(addr, len, prot, flags, fd);

    return lent ? lent : NEXT(next_mmap64, "mmap64")(addr, len, prot, flags, fd, off);
}

int munmap(void *addr, size_t len)
{
    if (loan.open && loan.lent && addr == loan.mem)
        return 0;
    return NEXT(next_munmap, "munmap")(addr, len);
}

void pw_lend_open(uint8_t *mem, size_t cap)
{
    loan = (struct loan){ .mem = mem, .cap = cap, .open = 1 };
}

size_t pw_lend_close(void)
{
    size_t lent = loan.lent;

    loan = (struct loan){ 0 };
    return lent;
}

unsigned long pw_lend_taken(void)
{
    return taken;
}
