/*
 * jobs/pdf/imagefile.c - pdfmake image sources other than an inline data
 * URL: file names ("images/logo.png") looked up in the configured
 * image_dirs, and the docdef's top-level `images` dictionary whose names
 * image nodes refer to.
 *
 * A file name comes from a job, so it must never reach outside the
 * directories: absolute names and ".." components are refused, and the
 * name is resolved (realpath) and must still lie inside the directory, so
 * a symlink inside it cannot lead out.  The size is checked against
 * max_image_bytes before reading; the bytes then go through the same
 * decoders as data URLs (image.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdf.h"

/* ---- the setting ---- */

int pdf_image_dirs_setting(struct pdf_shared *sh, const char *key, const json_t *value,
                           struct heft_init_error *err)
{
    char sub[64];
    size_t i;

    if (!json_is_array(value) || json_array_size(value) == 0)
        return heft_init_fail(err, key, "must be a list of directories");
    sh->image_dirs = calloc(json_array_size(value), sizeof *sh->image_dirs);
    if (!sh->image_dirs)
        return heft_init_fail(err, key, "out of memory");
    for (i = 0; i < json_array_size(value); i++) {
        snprintf(sub, sizeof sub, "%s[%zu]", key, i);
        if (heft_setting_dir(json_array_get(value, i), sub, &sh->image_dirs[i], err) < 0)
            return -1;
        sh->nimage_dirs++;
    }
    return 0;
}

/* ---- the images dictionary ---- */

int pdf_images_check(const json_t *images, struct pdf_err *err)
{
    const char *name;
    json_t *v;

    if (!json_is_object(images))
        return pdf_fail(err, "bad_input", "images: must be an object of names to images");
    json_object_foreach((json_t *)images, name, v)
        if (!json_is_string(v))
            return pdf_fail(err, json_is_object(v) ? "unsupported" : "bad_input",
                            "images.%.64s: must be a string (a data URL or a file name)", name);
    return 0;
}

/* ---- files ---- */

/* Relative, and no component is "..": checked before touching the disk. */
static int name_ok(const char *name)
{
    const char *p = name;

    if (!*name || *name == '/')
        return 0;
    while (*p) {
        size_t n = strcspn(p, "/");

        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += n + (p[n] == '/');
    }
    return 1;
}

static int read_file(int fd, size_t size, unsigned char **out, const char *path,
                     struct pdf_err *err)
{
    size_t got = 0;

    *out = malloc(size ? size : 1);
    if (!*out)
        return pdf_fail(err, "render_error", "out of memory");
    while (got < size) {
        ssize_t n = read(fd, *out + got, size - got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return pdf_fail(err, "render_error", "%s: cannot read the image file: %s", path,
                            n < 0 ? strerror(errno) : "it shrank while being read");
        got += (size_t)n;
    }
    return 0;
}

/* Decode the file at real (a resolved path inside an image directory). */
static int load_real(struct pdf_image *img, const char *real, const struct pdf_image_limits *lim,
                     const char *path, struct pdf_err *err)
{
    unsigned char *data = NULL;
    struct stat st;
    int fd, rc = -1;

    fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return pdf_fail(err, "bad_input", "%s: cannot open the image file: %s", path,
                        strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        pdf_fail(err, "bad_input", "%s: the image is not a regular file", path);
        goto out;
    }
    if ((long long)st.st_size > lim->max_bytes) {
        pdf_fail(err, "limit_exceeded", "%s: the image file is %lld bytes, more than the "
                 "max_image_bytes limit (%lld)", path, (long long)st.st_size, lim->max_bytes);
        goto out;
    }
    if (read_file(fd, (size_t)st.st_size, &data, path, err) == 0)
        rc = pdf_image_decode_bytes(img, data, (size_t)st.st_size, lim->max_pixels, path, err);
out:
    free(data);
    close(fd);
    return rc;
}

/* real is dir itself or below it. */
static int inside(const char *real, const char *dir)
{
    size_t n = strlen(dir);

    return !strncmp(real, dir, n) && (real[n] == '/' || real[n] == '\0' || !strcmp(dir, "/"));
}

/* The first directory that has the file wins; a name that resolves
 * outside its directory is an error, not a reason to look further. */
static int load_file(struct pdf_image *img, const char *name, const struct pdf_image_limits *lim,
                     const char *path, struct pdf_err *err)
{
    char joined[8192], *real;
    size_t i;
    int rc;

    if (lim->ndirs == 0)
        return pdf_fail(err, "unsupported", "%s: image files need configured image directories "
                        "(the image_dirs setting of pdf.render, unset); use a data URL", path);
    if (!name_ok(name))
        return pdf_fail(err, "bad_input", "%s: \"%.200s\": image file names must be relative, "
                        "without \"..\"", path, name);
    for (i = 0; i < lim->ndirs; i++) {
        if ((size_t)snprintf(joined, sizeof joined, "%s/%s", lim->dirs[i], name) >= sizeof joined)
            return pdf_fail(err, "bad_input", "%s: the image file name is too long", path);
        real = realpath(joined, NULL);
        if (!real && (errno == ENOENT || errno == ENOTDIR))
            continue;
        if (!real)
            return pdf_fail(err, "bad_input", "%s: \"%.200s\": %s", path, name, strerror(errno));
        if (inside(real, lim->dirs[i]))
            rc = load_real(img, real, lim, path, err);
        else
            rc = pdf_fail(err, "bad_input", "%s: \"%.200s\" leads outside the image directory "
                          "%s", path, name, lim->dirs[i]);
        free(real);
        return rc;
    }
    return pdf_fail(err, "bad_input", "%s: image file \"%.200s\" not found in image_dirs", path,
                    name);
}

static int is_data_url(const char *s)
{
    return strncasecmp(s, "data:", 5) == 0;
}

int pdf_image_load(struct pdf_image *img, const char *src, const struct pdf_image_limits *lim,
                   const char *path, struct pdf_err *err)
{
    const json_t *named = lim->images ? json_object_get(lim->images, src) : NULL;
    char sub[320];

    memset(img, 0, sizeof *img);
    if (is_data_url(src))
        return pdf_image_decode(img, src, lim, path, err);
    if (!json_is_string(named))
        return load_file(img, src, lim, path, err);
    /* Errors about the entry name where it is: images.NAME. */
    snprintf(sub, sizeof sub, "images.%.256s", src);
    src = json_string_value(named);
    if (is_data_url(src))
        return pdf_image_decode(img, src, lim, sub, err);
    return load_file(img, src, lim, sub, err);
}
