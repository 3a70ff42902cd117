/*
 * scripts.h - the protocol's server-side Lua scripts (src/lua/NAME.lua),
 * embedded at build time by scripts/lua2c.  Their KEYS/ARGV contracts are
 * in each script's header comment and in docs/protocol.md.
 */
#ifndef HEFT_SCRIPTS_H
#define HEFT_SCRIPTS_H

extern const char heft_script_enqueue[];
extern const char heft_script_fetch[];
extern const char heft_script_start[];
extern const char heft_script_finish[];
extern const char heft_script_promote[];
extern const char heft_script_reclaim[];
extern const char heft_script_seal[];
extern const char heft_script_retry[];
extern const char heft_script_delete[];

#endif
