/*
 * jobs/pdf/image.c - pdfmake `image` sources (data URLs) decoded to raw
 * pixels for pdf.render.
 *
 * Why decode here instead of letting libharu load PNG/JPEG: libharu 2.3's
 * own PNG loader can abort the whole process on a corrupt PNG, and its JPEG
 * loader only parses headers.  So every image is decoded completely by
 * libpng (simplified API, which catches its errors itself) or libjpeg (with
 * an error_exit that longjmps back here), and libharu only ever sees raw
 * 8-bit RGB pixels plus, for alpha, an 8-bit grayscale soft mask.  The cost
 * is size: a JPEG is stored re-encoded as a Flate stream, not as DCT.
 * Limits (decoded bytes, pixels) are checked before the big allocations.
 */
#include "pdf.h"

#include <jpeglib.h>
#include <limits.h>
#include <openssl/evp.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum img_type { IMG_PNG, IMG_JPEG };

/* "data:<type>;base64,<data>": the type and where the base64 starts. */
static int parse_data_url(const char *src, const char *path, enum img_type *type,
                          const char **b64, struct pdf_err *err)
{
    size_t tlen;
    const char *t = src + 5;

    if (strncasecmp(src, "data:", 5) != 0)
        return pdf_fail(err, "unsupported", "%s: image files are not supported yet (they need "
                        "configured image directories); use a data URL", path);
    tlen = strcspn(t, ";,");
    if (tlen == 9 && strncasecmp(t, "image/png", 9) == 0)
        *type = IMG_PNG;
    else if ((tlen == 10 && strncasecmp(t, "image/jpeg", 10) == 0) ||
             (tlen == 9 && strncasecmp(t, "image/jpg", 9) == 0))
        *type = IMG_JPEG;
    else
        return pdf_fail(err, "unsupported", "%s: image type \"%.*s\" is not supported "
                        "(only image/png and image/jpeg)", path, (int)(tlen > 64 ? 64 : tlen), t);
    if (strncasecmp(t + tlen, ";base64,", 8) != 0)
        return pdf_fail(err, "bad_input", "%s: only base64 data URLs are supported", path);
    *b64 = t + tlen + 8;
    return 0;
}

/* base64 through OpenSSL; the size limit is checked before decoding. */
static int decode_base64(const char *b64, long long max_bytes, const char *path,
                         unsigned char **out, size_t *out_len, struct pdf_err *err)
{
    size_t len = strlen(b64), pad = 0, size;
    int got;

    if (len == 0 || len % 4 != 0)
        return pdf_fail(err, "bad_input", "%s: invalid base64", path);
    pad = (b64[len - 1] == '=') + (b64[len - 2] == '=');
    size = len / 4 * 3 - pad;
    if ((long long)size > max_bytes)
        return pdf_fail(err, "limit_exceeded", "%s: the image is %zu bytes, more than the "
                        "max_image_bytes limit (%lld)", path, size, max_bytes);
    if (len > INT_MAX)
        return pdf_fail(err, "limit_exceeded", "%s: the image is too large", path);
    *out = malloc(len / 4 * 3 + 1);
    if (!*out)
        return pdf_fail(err, "render_error", "out of memory");
    /* EVP_DecodeBlock rejects bad characters but counts padding as data. */
    got = EVP_DecodeBlock(*out, (const unsigned char *)b64, (int)len);
    if (got < 0 || (size_t)got != len / 4 * 3 || size == 0) {
        free(*out);
        *out = NULL;
        return pdf_fail(err, "bad_input", "%s: invalid base64", path);
    }
    *out_len = size;
    return 0;
}

static int check_pixels(unsigned long w, unsigned long h, long long max_pixels,
                        const char *path, struct pdf_err *err)
{
    if (w == 0 || h == 0)
        return pdf_fail(err, "bad_input", "%s: the image has no pixels", path);
    if ((double)w * (double)h > (double)max_pixels)
        return pdf_fail(err, "limit_exceeded", "%s: the image has %lux%lu pixels, more than "
                        "the max_image_pixels limit (%lld)", path, w, h, max_pixels);
    return 0;
}

/* RGBA pixels split into the RGB image and its alpha channel (in place
 * for the RGB part: it only ever moves bytes towards the start). */
static int split_alpha(struct pdf_image *img, unsigned char *rgba, struct pdf_err *err)
{
    size_t n = (size_t)img->w * img->h;

    img->alpha = malloc(n);
    if (!img->alpha)
        return pdf_fail(err, "render_error", "out of memory");
    for (size_t i = 0; i < n; i++) {
        img->alpha[i] = rgba[4 * i + 3];
        memmove(rgba + 3 * i, rgba + 4 * i, 3);
    }
    img->rgb = rgba;
    return 0;
}

static int decode_png(struct pdf_image *img, const unsigned char *data, size_t len,
                      long long max_pixels, const char *path, struct pdf_err *err)
{
    png_image pi;
    unsigned char *px = NULL;
    int alpha, rc = -1;

    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&pi, data, len)) {
        pdf_fail(err, "bad_input", "%s: corrupt PNG: %s", path, pi.message);
        goto out;
    }
    if (check_pixels(pi.width, pi.height, max_pixels, path, err) != 0)
        goto out;
    alpha = (pi.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    pi.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    px = malloc(PNG_IMAGE_SIZE(pi));
    if (!px) {
        pdf_fail(err, "render_error", "out of memory");
        goto out;
    }
    if (!png_image_finish_read(&pi, NULL, px, 0, NULL)) {
        pdf_fail(err, "bad_input", "%s: corrupt PNG: %s", path, pi.message);
        goto out;
    }
    img->w = pi.width;
    img->h = pi.height;
    if (alpha && split_alpha(img, px, err) != 0)
        goto out;
    img->rgb = px;
    px = NULL;
    rc = 0;
out:
    png_image_free(&pi);
    free(px);
    return rc;
}

/* libjpeg must never exit() the daemon: errors, and warnings (corrupt
 * data libjpeg would otherwise paper over with gray), jump back. */
struct jpeg_fail {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    char msg[JMSG_LENGTH_MAX];
};

static void jpeg_error_jump(j_common_ptr c)
{
    struct jpeg_fail *f = (struct jpeg_fail *)c->err;

    c->err->format_message(c, f->msg);
    longjmp(f->jb, 1);
}

static void jpeg_message(j_common_ptr c, int level)
{
    if (level < 0)      /* a warning: the data is corrupt */
        jpeg_error_jump(c);
}

/* After jpeg_read_header: refuse CMYK, check the size, start RGB output. */
static int jpeg_start(j_decompress_ptr ci, long long max_pixels, const char *path,
                      struct pdf_err *err)
{
    if (ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK)
        return pdf_fail(err, "unsupported", "%s: CMYK JPEG images are not supported", path);
    if (check_pixels(ci->image_width, ci->image_height, max_pixels, path, err) != 0)
        return -1;
    ci->out_color_space = JCS_RGB;
    jpeg_start_decompress(ci);
    return 0;
}

static int decode_jpeg(struct pdf_image *img, const unsigned char *data, size_t len,
                       long long max_pixels, const char *path, struct pdf_err *err)
{
    struct jpeg_decompress_struct ci;
    struct jpeg_fail jf;
    unsigned char *volatile px = NULL;
    volatile int rc = -1;

    ci.err = jpeg_std_error(&jf.pub);
    jf.pub.error_exit = jpeg_error_jump;
    jf.pub.emit_message = jpeg_message;
    jpeg_create_decompress(&ci);
    if (setjmp(jf.jb)) {
        pdf_fail(err, "bad_input", "%s: corrupt JPEG: %s", path, jf.msg);
        goto out;
    }
    jpeg_mem_src(&ci, (unsigned char *)data, (unsigned long)len);
    jpeg_read_header(&ci, TRUE);
    if (jpeg_start(&ci, max_pixels, path, err) != 0)
        goto out;
    px = malloc((size_t)ci.output_width * ci.output_height * 3);
    if (!px) {
        pdf_fail(err, "render_error", "out of memory");
        goto out;
    }
    while (ci.output_scanline < ci.output_height) {
        JSAMPROW row = px + (size_t)ci.output_scanline * ci.output_width * 3;
        jpeg_read_scanlines(&ci, &row, 1);
    }
    jpeg_finish_decompress(&ci);
    img->w = ci.output_width;
    img->h = ci.output_height;
    img->rgb = px;
    px = NULL;
    rc = 0;
out:
    jpeg_destroy_decompress(&ci);
    free(px);
    return rc;
}

int pdf_image_decode(struct pdf_image *img, const char *src, const struct pdf_image_limits *lim,
                     const char *path, struct pdf_err *err)
{
    enum img_type type = IMG_PNG;
    const char *b64 = "";
    unsigned char *data = NULL;
    size_t len = 0;
    int rc = -1;

    memset(img, 0, sizeof *img);
    if (parse_data_url(src, path, &type, &b64, err) != 0 ||
        decode_base64(b64, lim->max_bytes, path, &data, &len, err) != 0)
        goto out;
    rc = type == IMG_PNG ? decode_png(img, data, len, lim->max_pixels, path, err)
                         : decode_jpeg(img, data, len, lim->max_pixels, path, err);
out:
    free(data);
    return rc;
}

int pdf_image_decode_bytes(struct pdf_image *img, const unsigned char *data, size_t len,
                           long long max_pixels, const char *path, struct pdf_err *err)
{
    static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    static const unsigned char jpeg_magic[3] = { 0xff, 0xd8, 0xff };

    memset(img, 0, sizeof *img);
    if (len >= sizeof png_magic && !memcmp(data, png_magic, sizeof png_magic))
        return decode_png(img, data, len, max_pixels, path, err);
    if (len >= sizeof jpeg_magic && !memcmp(data, jpeg_magic, sizeof jpeg_magic))
        return decode_jpeg(img, data, len, max_pixels, path, err);
    return pdf_fail(err, "unsupported", "%s: not a PNG or JPEG file (only PNG and JPEG images "
                    "are supported)", path);
}

void pdf_image_free(struct pdf_image *img)
{
    free(img->rgb);
    free(img->alpha);
    memset(img, 0, sizeof *img);
}
