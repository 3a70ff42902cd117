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
 * So heftd defines mmap, mmap64 and munmap itself; the dynamic linker binds
 * libsodium's calls to the executable's definitions before libc's.  They
 * hand every call on to the next definition (libc's, or a sanitizer's),
 * except on a thread that has opened a loan and until it closes it: there
 * a mapping that libsodium itself asks for (the caller's code is in a
 * library named libsodium), of exactly the lent length, private, anonymous
 * and read-write, gets the lent memory, and libsodium's munmap of it does
 * nothing.  Anything else, an allocator's mmap inside the hash included,
 * gets its own mapping.  libsodium only reads and writes the memory (no
 * mremap, mprotect or madvise of it).  Whether a loan is taken is checked
 * once at start (argon2.c), so a libsodium that maps its memory another way
 * is only slower, never wrong.
 *
 * Where no loan is taken, libsodium's own mapping of that length is wiped
 * before it is unmapped: 1.0.18 does not wipe it.
 *
 * A sanitizer linked statically into heftd (clang's default) has its mmap
 * interceptor replaced by these: it then does not see mappings, which it
 * only uses for reports.
 */
#define _GNU_SOURCE
/* This file must define the mmap libsodium calls, not mmap64 under
 * another name as sys/mman.h makes it with 64-bit file offsets (which
 * hiredis's pkg-config flags ask for, and 64-bit time_t with them).  It
 * shares no structure with the rest of heftd. */
#undef _TIME_BITS
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lend.h"

/* One thread's loan: mem while open (len bytes lent), and whether a
 * mapping took it. */
struct loan {
    uint8_t *mem;
    size_t len;
    int taken;
};

static __thread struct loan loan;
/* How many of this thread's loans a mapping took. */
static __thread unsigned long taken;
/* Set while this thread looks up libc's definitions: a mapping made by
 * dlsym itself then goes straight to the kernel. */
static __thread int resolving;

typedef void *mmap_fn(void *, size_t, int, int, int, off_t);
typedef void *mmap64_fn(void *, size_t, int, int, int, off64_t);
typedef int munmap_fn(void *, size_t);

/* libc's definitions (or the next interposer's), looked up once; NULL
 * until then, and in a static link, which has none: then the kernel. */
static _Atomic(mmap_fn *) next_mmap;
static _Atomic(mmap64_fn *) next_mmap64;
static _Atomic(munmap_fn *) next_munmap;
static atomic_int looked_up;

static void look_up(void)
{
    if (atomic_load(&looked_up) || resolving)
        return;
    resolving = 1;
    atomic_store(&next_mmap, (mmap_fn *)dlsym(RTLD_NEXT, "mmap"));
    atomic_store(&next_mmap64, (mmap64_fn *)dlsym(RTLD_NEXT, "mmap64"));
    atomic_store(&next_munmap, (munmap_fn *)dlsym(RTLD_NEXT, "munmap"));
    atomic_store(&looked_up, 1);
    resolving = 0;
}

/* Before main, while heftd runs one thread. */
__attribute__((constructor)) static void look_up_early(void)
{
    look_up();
}

static void *kernel_mmap(void *addr, size_t len, int prot, int flags, int fd, int64_t off)
{
#ifdef SYS_mmap2
    return (void *)syscall(SYS_mmap2, addr, len, prot, flags, fd, (long)(off / 4096));
#else
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, (long)off);
#endif
}

/* Whether code at addr is libsodium's. */
static int in_libsodium(const void *addr)
{
    Dl_info info;

    return dladdr(addr, &info) && info.dli_fname && strstr(info.dli_fname, "libsodium");
}

/* The lent memory if this mapping, asked for from code at caller, takes
 * the open loan; else NULL. */
static void *take_loan(const void *caller, void *addr, size_t len, int prot, int flags, int fd)
{
    const int may = MAP_POPULATE | MAP_NORESERVE;

    if (!loan.mem || loan.taken || addr || len != loan.len || fd != -1 ||
        prot != (PROT_READ | PROT_WRITE) ||
        (flags & ~may) != (MAP_PRIVATE | MAP_ANONYMOUS) || !in_libsodium(caller))
        return NULL;
    loan.taken = 1;
    taken++;
    return loan.mem;
}

/* A mapping asked for from code at caller: the loan, else the next
 * definition's (mmap64's when is64), else the kernel's. */
static void *map(const void *caller, void *addr, size_t len, int prot, int flags, int fd,
                 int64_t off, int is64)
{
    void *lent = take_loan(caller, addr, len, prot, flags, fd);
    mmap64_fn *next64;
    mmap_fn *next;

    if (lent)
        return lent;
    look_up();
    if (is64 && (next64 = atomic_load(&next_mmap64)))
        return next64(addr, len, prot, flags, fd, (off64_t)off);
    if (!is64 && (next = atomic_load(&next_mmap)))
        return next(addr, len, prot, flags, fd, (off_t)off);
    return kernel_mmap(addr, len, prot, flags, fd, off);
}

/* Both names: a library built for 64-bit file offsets on a 32-bit system
 * calls mmap64 (on 64-bit ones they are the same function). */
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    return map(__builtin_return_address(0), addr, len, prot, flags, fd, off, 0);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
    return map(__builtin_return_address(0), addr, len, prot, flags, fd, off, 1);
}

int munmap(void *addr, size_t len)
{
    munmap_fn *next;

    if (loan.mem && loan.taken && addr == loan.mem)
        return 0;
    /* Not lent: libsodium's own memory of a hash that should have been;
     * wiped, not left to the kernel to zero whenever it reuses it. */
    if (loan.mem && !loan.taken && len == loan.len && in_libsodium(__builtin_return_address(0)))
        explicit_bzero(addr, len);
    look_up();
    next = atomic_load(&next_munmap);
    return next ? next(addr, len) : (int)syscall(SYS_munmap, addr, len);
}

int pw_lend_open(uint8_t *mem, size_t len)
{
    if (loan.mem)
        return -1;
    loan = (struct loan){ .mem = mem, .len = len };
    return 0;
}

int pw_lend_close(void)
{
    int took = loan.taken;

    loan = (struct loan){ 0 };
    return took;
}

unsigned long pw_lend_taken(void)
{
    return taken;
}
