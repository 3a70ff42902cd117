/*
 * jobs/registry.c - the table of built-in job types.  Adding a job type
 * means writing jobs/NAME.c against <heft/job.h> and listing it here.
 */
#include <heft/job.h>
#include <stddef.h>

extern const struct heft_handler heft_echo_handler;
extern const struct heft_handler heft_pdf_render_handler;
extern const struct heft_handler heft_hash_digest_handler;
extern const struct heft_handler heft_hash_hmac_handler;
extern const struct heft_handler heft_password_hash_handler;
extern const struct heft_handler heft_password_verify_handler;

/* Declared for the daemon in src/registry.h. */
extern const struct heft_handler *const heft_builtin_handlers[];

const struct heft_handler *const heft_builtin_handlers[] = {
    &heft_echo_handler,
    &heft_pdf_render_handler,
    &heft_hash_digest_handler,
    &heft_hash_hmac_handler,
    &heft_password_hash_handler,
    &heft_password_verify_handler,
    NULL,
};
