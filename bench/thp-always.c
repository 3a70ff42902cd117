/*
 * thp-always.c - for measuring only, never for production: an LD_PRELOAD
 * library that gives a program's large anonymous mappings what the kernel
 * would give them with /sys/kernel/mm/transparent_hugepage/enabled set to
 * "always" (a system setting the bench may not change on a shared
 * machine): each mmap of 16 MiB or more without an address is advised
 * MADV_HUGEPAGE before it is populated.  (This kernel, 6.18, already
 * places such mappings on 2 MiB boundaries, as "always" needs.)  This
 * is how bench/README.md estimates libsodium's argon2id under THP
 * "always" (libsodium maps its memory itself, with MAP_POPULATE, and in
 * the default "madvise" mode gets 4 KiB pages).  glibc's malloc calls the
 * kernel directly and is not affected.
 *
 *   cc -O2 -shared -fPIC -o /tmp/thp-always.so bench/thp-always.c
 *   LD_PRELOAD=/tmp/thp-always.so bench/argon2-compare --only sodium
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    void *p;

    if (addr || !(flags & MAP_ANONYMOUS) || len < ((size_t)16 << 20))
        return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
    p = (void *)syscall(SYS_mmap, NULL, len, prot, flags & ~MAP_POPULATE, fd, off);
    if (p != MAP_FAILED) {
        madvise(p, len, MADV_HUGEPAGE);
        if (flags & MAP_POPULATE)
            madvise(p, len, MADV_POPULATE_WRITE);
    }
    return p;
}
