/*
 * jobs/pdf/output.c - where a rendered PDF goes: the job's blob (the
 * default), a file in output_dir, or both ("output" and "output_dir"
 * settings).
 *
 * A file is written atomically: a temporary file in the same directory,
 * fsync, rename over the final name, fsync of the directory.  A reader
 * therefore sees either no file or the whole PDF, and a crash leaves at
 * worst a ".heft-XXXXXX" temporary behind.  The final name comes from the
 * job id, encoded so that no id can name a file outside output_dir.
 */
#define _GNU_SOURCE     /* mkostemp */

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdf.h"

#define FILE_MODE 0640      /* heftd's user and group: PDFs may be private */

/* ---- settings ---- */

static int output_mode(struct pdf_shared *sh, const char *key, const json_t *value,
                       struct heft_init_error *err)
{
    static const char *const names[] = { "blob", "file", "both" };
    const char *s = json_string_value(value);
    int i;

    for (i = 0; s && i < 3; i++)
        if (!strcmp(s, names[i])) {
            sh->output = (enum pdf_output)i;
            return 0;
        }
    return heft_init_fail(err, key, "must be blob, file or both");
}

/* A directory we can create files in: probed by creating one. */
static int output_dir(struct pdf_shared *sh, const char *key, const json_t *value,
                      struct heft_init_error *err)
{
    char probe[4096];
    int fd;

    if (heft_setting_dir(value, key, &sh->output_dir, err) < 0)
        return -1;
    snprintf(probe, sizeof probe, "%s/.heft-XXXXXX", sh->output_dir);
    fd = mkostemp(probe, O_CLOEXEC);
    if (fd < 0)
        return heft_init_fail(err, key, "cannot create files in %s: %s", sh->output_dir,
                              strerror(errno));
    close(fd);
    unlink(probe);
    return 0;
}

int pdf_output_setting(struct pdf_shared *sh, const char *key, const json_t *value,
                       struct heft_init_error *err)
{
    if (!strcmp(key, "output"))
        return output_mode(sh, key, value, err);
    return output_dir(sh, key, value, err);
}

int pdf_output_check(const struct pdf_shared *sh, struct heft_init_error *err)
{
    if (sh->output != PDF_OUT_BLOB && !sh->output_dir)
        return heft_init_fail(err, "output", "%s needs output_dir",
                              sh->output == PDF_OUT_FILE ? "file" : "both");
    return 0;
}

/* ---- names ---- */

int pdf_sha256_hex(const unsigned char *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;

    if (EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) != 1 || md_len != 32)
        return -1;
    for (unsigned int i = 0; i < md_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static int plain_id(const char *id)
{
    size_t n = strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    return n > 0 && !id[n] && id[0] != '.';
}

void pdf_output_name(const char *id, char out[PDF_OUTPUT_NAME_MAX])
{
    size_t len = strlen(id), i;
    char hex[65];

    if (plain_id(id) && len + 5 <= PDF_OUTPUT_NAME_MAX) {
        snprintf(out, PDF_OUTPUT_NAME_MAX, "%s.pdf", id);
        return;
    }
    /* '%' is outside the plain alphabet, so no encoded name equals a plain
     * one; '-' is outside hex, so the two encodings never meet either. */
    if (1 + 2 * len + 5 <= PDF_OUTPUT_NAME_MAX) {
        out[0] = '%';
        for (i = 0; i < len; i++)
            snprintf(out + 1 + 2 * i, 3, "%02x", (unsigned char)id[i]);
        snprintf(out + 1 + 2 * len, PDF_OUTPUT_NAME_MAX - 1 - 2 * len, ".pdf");
        return;
    }
    if (pdf_sha256_hex((const unsigned char *)id, len, hex) < 0)
        hex[0] = '\0';
    snprintf(out, PDF_OUTPUT_NAME_MAX, "%%sha256-%s.pdf", hex);
}

/* ---- writing ---- */

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The rename is only durable once the directory itself is synced. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int write_file(const char *dir, const char *final, const unsigned char *pdf, size_t len,
                      struct pdf_err *err)
{
    char tmp[4096];
    int fd, rc = -1;

    snprintf(tmp, sizeof tmp, "%s/.heft-XXXXXX", dir);
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return pdf_fail(err, "output_error", "cannot create a file in %s: %s", dir,
                        strerror(errno));
    if (fchmod(fd, FILE_MODE) < 0 || write_all(fd, pdf, len) < 0 || fsync(fd) < 0) {
        pdf_fail(err, "output_error", "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    if (close(fd) < 0 || rename(tmp, final) < 0) {
        pdf_fail(err, "output_error", "cannot write %s: %s", final, strerror(errno));
        goto out;
    }
    if (sync_dir(dir) < 0) {
        pdf_fail(err, "output_error", "cannot sync %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
out:
    unlink(tmp);
    return rc;
}

int pdf_output_write(const struct pdf_shared *sh, const char *id, const unsigned char *pdf,
                     size_t len, char **path, struct pdf_err *err)
{
    char name[PDF_OUTPUT_NAME_MAX];
    size_t size;

    pdf_output_name(id, name);
    size = strlen(sh->output_dir) + 1 + strlen(name) + 1;
    *path = malloc(size);
    if (!*path)
        return pdf_fail(err, "output_error", "out of memory");
    snprintf(*path, size, "%s/%s", sh->output_dir, name);
    if (write_file(sh->output_dir, *path, pdf, len, err) == 0)
        return 0;
    free(*path);
    *path = NULL;
    return -1;
}
