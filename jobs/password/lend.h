/*
 * jobs/password/lend.h - lending a worker thread's memory to libsodium's
 * argon2 (lend.c says how and why).
 */
#ifndef HEFT_JOBS_PASSWORD_LEND_H
#define HEFT_JOBS_PASSWORD_LEND_H

#include <stddef.h>
#include <stdint.h>

/* Lends mem (len bytes) to the mapping of exactly len bytes that libsodium
 * makes next on this thread, until pw_lend_close; libsodium's munmap of it
 * then does nothing.  -1 when this thread has a loan open already. */
int pw_lend_open(uint8_t *mem, size_t len);
/* Ends the loan: 1 if libsodium's mapping took the memory (the caller
 * wipes it), else 0. */
int pw_lend_close(void);
/* How many loans of this thread a mapping took (tests, benchmarks). */
unsigned long pw_lend_taken(void);

#endif
