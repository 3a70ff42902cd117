/*
 * jobs/pdf/doc.c - the pdfmake document definition (JSON) as pdf.render's
 * internal document: page geometry, metadata, header/footer and the
 * content flattened into blocks whose styles are fully resolved.
 *
 * All validation happens here, so layout and rendering never meet bad
 * input: every error names the docdef path (content[2].fontSize).  Known
 * pdfmake features this step cannot draw fail "unsupported".  Node and
 * top-level keys pdfmake does not know either are ignored, as pdfmake
 * ignores them (its own examples carry a few), but never silently: each
 * becomes a warning in the job's result.
 * Style inheritance: defaultStyle < parent node < named styles in order <
 * the node's own properties; margin and pageBreak belong to the node only.
 */
#include "pdf.h"
#include "parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* pdfmake features recognised but not drawn yet: node kinds and properties. */
static const char *const unsupported_keys[] = {
    "table", "columns", "ul", "ol", "image", "qr", "canvas", "svg", "toc", "tocItem",
    "pageReference", "textReference", "linkToDestination",
    "fillOpacity", "markerColor", "opacity", "width", "height", "fit", "cover",
    "noWrap", "preserveLeadingSpaces", "preserveTrailingSpaces", "id", "destination",
    "headlineLevel", "unbreakable", "absolutePosition", "relativePosition",
    "marginLeft", "marginTop", "marginRight", "marginBottom", "leadingIndent",
    "sup", "sub", "separator", "pageOrientation", "outline", "outlineText",
    "outlineParentId", "outlineExpanded",
    "tocStyle", "tocMargin", "tocNumberStyle", "heights", "lineBreak",
    "wordBreak", "features", "alt", NULL,
};

static const char *const unsupported_top[] = {
    "pageBreakBefore", "version", "subset", "tagged", "displayTitle", "language",
    "patterns", "attachments", "files", NULL,
};

static const char *const info_keys[6] = {
    "title", "author", "subject", "keywords", "creator", "producer",
};

/* The CSS named colours, which pdfmake (through pdfkit) accepts. */
struct named_color { const char *name; unsigned long rgb; };

static const struct named_color colors[] = {
    { "aliceblue", 0xf0f8ff }, { "antiquewhite", 0xfaebd7 }, { "aqua", 0x00ffff },
    { "aquamarine", 0x7fffd4 }, { "azure", 0xf0ffff }, { "beige", 0xf5f5dc },
    { "bisque", 0xffe4c4 }, { "black", 0x000000 }, { "blanchedalmond", 0xffebcd },
    { "blue", 0x0000ff }, { "blueviolet", 0x8a2be2 }, { "brown", 0xa52a2a },
    { "burlywood", 0xdeb887 }, { "cadetblue", 0x5f9ea0 }, { "chartreuse", 0x7fff00 },
    { "chocolate", 0xd2691e }, { "coral", 0xff7f50 }, { "cornflowerblue", 0x6495ed },
    { "cornsilk", 0xfff8dc }, { "crimson", 0xdc143c }, { "cyan", 0x00ffff },
    { "darkblue", 0x00008b }, { "darkcyan", 0x008b8b }, { "darkgoldenrod", 0xb8860b },
    { "darkgray", 0xa9a9a9 }, { "darkgreen", 0x006400 }, { "darkgrey", 0xa9a9a9 },
    { "darkkhaki", 0xbdb76b }, { "darkmagenta", 0x8b008b }, { "darkolivegreen", 0x556b2f },
    { "darkorange", 0xff8c00 }, { "darkorchid", 0x9932cc }, { "darkred", 0x8b0000 },
    { "darksalmon", 0xe9967a }, { "darkseagreen", 0x8fbc8f }, { "darkslateblue", 0x483d8b },
    { "darkslategray", 0x2f4f4f }, { "darkslategrey", 0x2f4f4f }, { "darkturquoise", 0x00ced1 },
    { "darkviolet", 0x9400d3 }, { "deeppink", 0xff1493 }, { "deepskyblue", 0x00bfff },
    { "dimgray", 0x696969 }, { "dimgrey", 0x696969 }, { "dodgerblue", 0x1e90ff },
    { "firebrick", 0xb22222 }, { "floralwhite", 0xfffaf0 }, { "forestgreen", 0x228b22 },
    { "fuchsia", 0xff00ff }, { "gainsboro", 0xdcdcdc }, { "ghostwhite", 0xf8f8ff },
    { "gold", 0xffd700 }, { "goldenrod", 0xdaa520 }, { "gray", 0x808080 }, { "green", 0x008000 },
    { "greenyellow", 0xadff2f }, { "grey", 0x808080 }, { "honeydew", 0xf0fff0 },
    { "hotpink", 0xff69b4 }, { "indianred", 0xcd5c5c }, { "indigo", 0x4b0082 },
    { "ivory", 0xfffff0 }, { "khaki", 0xf0e68c }, { "lavender", 0xe6e6fa },
    { "lavenderblush", 0xfff0f5 }, { "lawngreen", 0x7cfc00 }, { "lemonchiffon", 0xfffacd },
    { "lightblue", 0xadd8e6 }, { "lightcoral", 0xf08080 }, { "lightcyan", 0xe0ffff },
    { "lightgoldenrodyellow", 0xfafad2 }, { "lightgray", 0xd3d3d3 }, { "lightgreen", 0x90ee90 },
    { "lightgrey", 0xd3d3d3 }, { "lightpink", 0xffb6c1 }, { "lightsalmon", 0xffa07a },
    { "lightseagreen", 0x20b2aa }, { "lightskyblue", 0x87cefa }, { "lightslategray", 0x778899 },
    { "lightslategrey", 0x778899 }, { "lightsteelblue", 0xb0c4de }, { "lightyellow", 0xffffe0 },
    { "lime", 0x00ff00 }, { "limegreen", 0x32cd32 }, { "linen", 0xfaf0e6 },
    { "magenta", 0xff00ff }, { "maroon", 0x800000 }, { "mediumaquamarine", 0x66cdaa },
    { "mediumblue", 0x0000cd }, { "mediumorchid", 0xba55d3 }, { "mediumpurple", 0x9370db },
    { "mediumseagreen", 0x3cb371 }, { "mediumslateblue", 0x7b68ee },
    { "mediumspringgreen", 0x00fa9a }, { "mediumturquoise", 0x48d1cc },
    { "mediumvioletred", 0xc71585 }, { "midnightblue", 0x191970 }, { "mintcream", 0xf5fffa },
    { "mistyrose", 0xffe4e1 }, { "moccasin", 0xffe4b5 }, { "navajowhite", 0xffdead },
    { "navy", 0x000080 }, { "oldlace", 0xfdf5e6 }, { "olive", 0x808000 },
    { "olivedrab", 0x6b8e23 }, { "orange", 0xffa500 }, { "orangered", 0xff4500 },
    { "orchid", 0xda70d6 }, { "palegoldenrod", 0xeee8aa }, { "palegreen", 0x98fb98 },
    { "paleturquoise", 0xafeeee }, { "palevioletred", 0xdb7093 }, { "papayawhip", 0xffefd5 },
    { "peachpuff", 0xffdab9 }, { "peru", 0xcd853f }, { "pink", 0xffc0cb }, { "plum", 0xdda0dd },
    { "powderblue", 0xb0e0e6 }, { "purple", 0x800080 }, { "rebeccapurple", 0x663399 },
    { "red", 0xff0000 }, { "rosybrown", 0xbc8f8f }, { "royalblue", 0x4169e1 },
    { "saddlebrown", 0x8b4513 }, { "salmon", 0xfa8072 }, { "sandybrown", 0xf4a460 },
    { "seagreen", 0x2e8b57 }, { "seashell", 0xfff5ee }, { "sienna", 0xa0522d },
    { "silver", 0xc0c0c0 }, { "skyblue", 0x87ceeb }, { "slateblue", 0x6a5acd },
    { "slategray", 0x708090 }, { "slategrey", 0x708090 }, { "snow", 0xfffafa },
    { "springgreen", 0x00ff7f }, { "steelblue", 0x4682b4 }, { "tan", 0xd2b48c },
    { "teal", 0x008080 }, { "thistle", 0xd8bfd8 }, { "tomato", 0xff6347 },
    { "turquoise", 0x40e0d0 }, { "violet", 0xee82ee }, { "wheat", 0xf5deb3 },
    { "white", 0xffffff }, { "whitesmoke", 0xf5f5f5 }, { "yellow", 0xffff00 },
    { "yellowgreen", 0x9acd32 },
    { NULL, 0 },
};

struct page_size { const char *name; double w, h; };

/* pdfmake's (pdfkit's) sizes, in points. */
static const struct page_size page_sizes[] = {
    { "A0", 2383.94, 3370.39 }, { "A1", 1683.78, 2383.94 }, { "A2", 1190.55, 1683.78 },
    { "A3", 841.89, 1190.55 }, { "A4", 595.28, 841.89 }, { "A5", 419.53, 595.28 },
    { "A6", 297.64, 419.53 }, { "A7", 209.76, 297.64 }, { "A8", 147.40, 209.76 },
    { "A9", 104.88, 147.40 }, { "A10", 73.70, 104.88 },
    { "B0", 2834.65, 4008.19 }, { "B1", 2004.09, 2834.65 }, { "B2", 1417.32, 2004.09 },
    { "B3", 1000.63, 1417.32 }, { "B4", 708.66, 1000.63 }, { "B5", 498.90, 708.66 },
    { "B6", 354.33, 498.90 }, { "B7", 249.45, 354.33 }, { "B8", 175.75, 249.45 },
    { "B9", 124.72, 175.75 }, { "B10", 87.87, 124.72 },
    { "EXECUTIVE", 521.86, 756.00 }, { "FOLIO", 612.00, 936.00 },
    { "LEGAL", 612.00, 1008.00 }, { "LETTER", 612.00, 792.00 },
    { "TABLOID", 792.00, 1224.00 }, { NULL, 0, 0 },
};

int pdf_in_list(const char *const *list, const char *key)
{
    for (; *list; list++)
        if (strcmp(*list, key) == 0)
            return 1;
    return 0;
}

/* Paths into the docdef for messages ("content[2].fontSize"); a path too
 * long for the buffer is cut short, which only shortens a message.  Every
 * node and property gets one, error or not, so they are built by hand:
 * snprintf was ~8% of a render.  dst may be path (appended in place). */
static void path_append(char dst[PATH_MAX_LEN], const char *path, const char *a, size_t alen,
                        const char *b, size_t blen)
{
    size_t n = path == dst ? strlen(dst) : strnlen(path, PATH_MAX_LEN - 1);

    if (path != dst)
        memcpy(dst, path, n);
    alen = alen < PATH_MAX_LEN - 1 - n ? alen : PATH_MAX_LEN - 1 - n;
    memcpy(dst + n, a, alen);
    n += alen;
    blen = blen < PATH_MAX_LEN - 1 - n ? blen : PATH_MAX_LEN - 1 - n;
    memcpy(dst + n, b, blen);
    dst[n + blen] = '\0';
}

static void path_key(char dst[PATH_MAX_LEN], const char *path, const char *key)
{
    path_append(dst, path, ".", 1, key, strlen(key));
}

static void path_index(char dst[PATH_MAX_LEN], const char *path, size_t i)
{
    char digits[24], *d = digits + sizeof digits;

    *--d = ']';
    do
        *--d = (char)('0' + i % 10);
    while (i /= 10);
    path_append(dst, path, "[", 1, d, (size_t)(digits + sizeof digits - d));
}

/* ---- property values ---- */

static int get_number(struct parser *p, const json_t *v, const char *path, int positive,
                      double *out)
{
    if (!json_is_number(v))
        return pdf_fail(p->err, "bad_input", "%s: must be a number", path);
    *out = json_number_value(v);
    if (positive && !(*out > 0))
        return pdf_fail(p->err, "bad_input", "%s: must be greater than 0", path);
    return 0;
}

/* margin: number | [h, v] | [l, t, r, b], never negative (also pageMargins). */
static int get_margin(struct parser *p, const json_t *v, const char *path, double m[4])
{
    static const int map[3][4] = { { 0, 0, 0, 0 }, { 0, 1, 0, 1 }, { 0, 1, 2, 3 } };
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    int form = json_is_number(v) ? 0 : n == 2 ? 1 : n == 4 ? 2 : -1;
    double vals[4];

    if (form < 0)
        return pdf_fail(p->err, "bad_input",
                        "%s: must be a number, [horizontal, vertical] or [left, top, right, bottom]",
                        path);
    for (size_t i = 0; i < (form ? n : 1); i++) {
        const json_t *e = form ? json_array_get(v, i) : v;
        if (!json_is_number(e) || json_number_value(e) < 0)
            return pdf_fail(p->err, "bad_input", "%s: margins must be numbers >= 0", path);
        vals[i] = json_number_value(e);
    }
    for (int i = 0; i < 4; i++)
        m[i] = vals[map[form][i]];
    return 0;
}

static int hex_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return s[n] == '\0';
}

static int get_color(struct parser *p, const json_t *v, const char *path, double rgb[3])
{
    const char *s = json_string_value(v);
    unsigned long x;

    if (!s)
        return pdf_fail(p->err, "bad_input", "%s: must be a string", path);
    if (s[0] == '#' && (hex_digits(s + 1, 6) || hex_digits(s + 1, 3))) {
        x = strtoul(s + 1, NULL, 16);
        if (strlen(s) == 4)     /* #rgb: each digit doubled */
            x = (x >> 8 & 0xF) * 0x110000 + (x >> 4 & 0xF) * 0x1100 + (x & 0xF) * 0x11;
    } else {
        const struct named_color *c = colors;
        while (c->name && strcasecmp(c->name, s) != 0)
            c++;
        if (!c->name)
            return pdf_fail(p->err, "bad_input", "%s: unknown color \"%s\"", path, s);
        x = c->rgb;
    }
    for (int i = 0; i < 3; i++)
        rgb[i] = (double)(x >> (16 - 8 * i) & 0xFF) / 255.0;
    return 0;
}

static int get_bool(struct parser *p, const json_t *v, const char *path, int *out)
{
    if (!json_is_boolean(v))
        return pdf_fail(p->err, "bad_input", "%s: must be true or false", path);
    *out = json_is_true(v);
    return 0;
}

static int get_align(struct parser *p, const json_t *v, const char *path, enum pdf_align *a)
{
    static const char *const names[] = { "left", "center", "right", "justify" };
    const char *s = json_string_value(v);

    for (int i = 0; s && i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *a = (enum pdf_align)i;
            return 0;
        }
    return pdf_fail(p->err, "bad_input", "%s: must be left, center, right or justify", path);
}

static int get_family(struct parser *p, const json_t *v, const char *path,
                      struct pdf_style *st)
{
    const char *s = json_string_value(v);

    if (!s)
        return pdf_fail(p->err, "bad_input", "%s: must be a string", path);
    if (pdf_font_family(p->fonts, s, &st->family, &st->ttf) != 0)
        return pdf_fail(p->err, "unknown_font", "%s: unknown font \"%s\"", path, s);
    return 0;
}

static int get_page_break(struct parser *p, const json_t *v, const char *path,
                          struct pdf_style *st)
{
    const char *s = json_string_value(v);

    if (s && strcmp(s, "before") == 0)
        st->page_break_before = 1;
    else if (s && strcmp(s, "after") == 0)
        st->page_break_after = 1;
    else
        return pdf_fail(p->err, "bad_input", "%s: must be \"before\" or \"after\"", path);
    return 0;
}

/* ---- decorations, backgrounds and links (drawn by decor.c) ---- */

static const char *const deco_names[] = { "underline", "lineThrough", "overline", NULL };
static const char *const deco_styles[] = { "solid", "dashed", "dotted", "double", "wavy", NULL };

static int name_index(const char *const *names, const char *s)
{
    for (int i = 0; s && names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* decoration: a name or an array of names, as a PDF_DECO_* bit set. */
static int get_decoration(struct parser *p, const json_t *v, const char *path, int *bits)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 1;

    *bits = 0;
    for (size_t i = 0; i < n; i++) {
        int k = name_index(deco_names, json_string_value(json_is_array(v) ? json_array_get(v, i)
                                                                          : v));
        if (k < 0)
            return pdf_fail(p->err, "bad_input",
                            "%s: must be underline, lineThrough, overline or an array of them",
                            path);
        *bits |= 1 << k;
    }
    return 0;
}

static int get_deco_style(struct parser *p, const json_t *v, const char *path,
                          enum pdf_deco_style *style)
{
    int k = name_index(deco_styles, json_string_value(v));

    if (k < 0)
        return pdf_fail(p->err, "bad_input",
                        "%s: must be solid, dashed, dotted, double or wavy", path);
    *style = (enum pdf_deco_style)k;
    return 0;
}

static int get_link(struct parser *p, const json_t *v, const char *path, struct pdf_style *st)
{
    const char *s = json_string_value(v);

    if (!s || !*s)
        return pdf_fail(p->err, "bad_input", "%s: must be a non-empty string (a URL)", path);
    st->link = s;
    return 0;
}

/* linkToPage: a page number from 1; a page past the end gets no link. */
static int get_link_page(struct parser *p, const json_t *v, const char *path,
                         struct pdf_style *st)
{
    double d = json_number_value(v);

    if (!json_is_number(v) || !(d >= 1 && d <= 1e9) || d != (double)(long)d)
        return pdf_fail(p->err, "bad_input", "%s: must be a page number (1, 2, ...)", path);
    st->link_page = (long)d;
    return 0;
}

/* The decor properties of a style; 1 when key is none of them. */
static int apply_decor_prop(struct parser *p, struct pdf_style *st, const char *key,
                            const json_t *v, const char *path)
{
    if (strcmp(key, "decoration") == 0)
        return get_decoration(p, v, path, &st->decoration);
    if (strcmp(key, "decorationStyle") == 0)
        return get_deco_style(p, v, path, &st->deco_style);
    if (strcmp(key, "decorationColor") == 0) {
        st->has_deco_color = 1;
        return get_color(p, v, path, st->deco_color);
    }
    if (strcmp(key, "decorationThickness") == 0)
        return get_number(p, v, path, 1, &st->deco_thickness);
    if (strcmp(key, "background") == 0) {
        st->has_background = 1;
        return get_color(p, v, path, st->background);
    }
    if (strcmp(key, "link") == 0)
        return get_link(p, v, path, st);
    if (strcmp(key, "linkToPage") == 0)
        return get_link_page(p, v, path, st);
    return pdf_xref_prop(p, st, key, v, path);
}

/* One style property onto st; 1 when key is not a style property. */
static int apply_prop(struct parser *p, struct pdf_style *st, const char *key,
                      const json_t *v, const char *path)
{
    if (strcmp(key, "fontSize") == 0)
        return get_number(p, v, path, 1, &st->font_size);
    if (strcmp(key, "lineHeight") == 0)
        return get_number(p, v, path, 1, &st->line_height);
    if (strcmp(key, "characterSpacing") == 0)
        return get_number(p, v, path, 0, &st->char_spacing);
    if (strcmp(key, "bold") == 0)
        return get_bool(p, v, path, &st->bold);
    if (strcmp(key, "italics") == 0)
        return get_bool(p, v, path, &st->italics);
    if (strcmp(key, "color") == 0)
        return get_color(p, v, path, st->color);
    if (strcmp(key, "alignment") == 0)
        return get_align(p, v, path, &st->align);
    if (strcmp(key, "margin") == 0)
        return get_margin(p, v, path, st->margin);
    if (strcmp(key, "font") == 0)
        return get_family(p, v, path, st);
    if (strcmp(key, "fillColor") == 0) {
        st->fill = 1;
        return get_color(p, v, path, st->fill_rgb);
    }
    if (strcmp(key, "columnGap") == 0)
        return get_number(p, v, path, 0, &st->column_gap);
    return apply_decor_prop(p, st, key, v, path);
}

/* All properties of obj onto st.  Keys in `skip` belong to the caller
 * (text, stack, style, pageBreak on nodes). */
static int apply_props(struct parser *p, struct pdf_style *st, const json_t *obj,
                       const char *path, const char *const *skip)
{
    const char *key;
    const json_t *v;
    char sub[PATH_MAX_LEN];
    int rc;

    json_object_foreach((json_t *)obj, key, v) {
        path_key(sub, path, key);
        if ((skip && pdf_in_list(skip, key)) ||
            (obj == p->cell && pdf_in_list(p->cell_keys, key)))
            continue;
        rc = apply_prop(p, st, key, v, sub);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        if (pdf_in_list(unsupported_keys, key))
            return pdf_fail(p->err, "unsupported", "%s: \"%s\" is not supported yet", path, key);
        if (!p->quiet && pdf_parse_warn(p, "%s: unknown property \"%s\" ignored", path, key) != 0)
            return -1;
    }
    return 0;
}

/* The node's `style` (a name or an array of names), in order, onto st. */
static int apply_named(struct parser *p, struct pdf_style *st, const json_t *names,
                       const char *path)
{
    size_t n = json_is_array(names) ? json_array_size(names) : 1;
    int rc;

    for (size_t i = 0; i < n; i++) {
        const json_t *nm = json_is_array(names) ? json_array_get(names, i) : names;
        const char *s = json_string_value(nm);
        const json_t *def = s && p->styles ? json_object_get(p->styles, s) : NULL;
        char sub[PATH_MAX_LEN];

        if (!s)
            return pdf_fail(p->err, "bad_input", "%s.style: must be a name or an array of names",
                            path);
        if (!def)
            return pdf_fail(p->err, "bad_input", "%s.style: unknown style \"%s\"", path, s);
        path_key(sub, "styles", s);
        p->quiet = 1;           /* check_styles warned about its unknown keys */
        rc = apply_props(p, st, def, sub, NULL);
        p->quiet = 0;
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* A node's style: inherited from the parent, then named styles, then its
 * own properties.  Margin and page breaks start afresh for every node. */
static int resolve_style(struct parser *p, const struct pdf_style *parent, const json_t *obj,
                         const char *path, const char *const *skip, struct pdf_style *st)
{
    const json_t *names = json_object_get(obj, "style");
    const json_t *pb = json_object_get(obj, "pageBreak");

    *st = *parent;
    memset(st->margin, 0, sizeof st->margin);
    st->page_break_before = st->page_break_after = 0;
    if (names && apply_named(p, st, names, path) != 0)
        return -1;
    if (apply_props(p, st, obj, path, skip) != 0)
        return -1;
    if (pb) {
        char sub[PATH_MAX_LEN];
        path_key(sub, path, "pageBreak");
        return get_page_break(p, pb, sub, st);
    }
    return 0;
}

/* ---- paragraphs: inline runs ---- */

static const char *const run_skip[] = { "text", "style", "pageBreak", NULL };

static int add_run(struct parser *p, struct pdf_para *para, const char *text,
                   const struct pdf_style *st, const char *path)
{
    struct pdf_run *grown;

    if (pdf_check_bmp(text, path, p->err) != 0)
        return -1;
    grown = realloc(para->runs, (para->nruns + 1) * sizeof *grown);
    if (!grown)
        return pdf_fail(p->err, "render_error", "out of memory");
    para->runs = grown;
    grown[para->nruns].style = *st;
    grown[para->nruns].text = strdup(text);
    if (!grown[para->nruns].text)
        return pdf_fail(p->err, "render_error", "out of memory");
    para->nruns++;
    return 0;
}

static int add_runs(struct parser *p, struct pdf_para *para, const json_t *text,
                    const struct pdf_style *st, const char *path, int level);

/* One element of a text array: a string or {"text": ..., style props}. */
static int add_inline(struct parser *p, struct pdf_para *para, const json_t *item,
                      const struct pdf_style *st, const char *path, int level)
{
    struct pdf_style own;
    const json_t *text;
    json_t *ref_text = NULL;
    char sub[PATH_MAX_LEN];
    size_t run0 = para->nruns;
    int rc;

    if (json_is_string(item))
        return add_run(p, para, json_string_value(item), st, path);
    if (!json_is_object(item))
        return pdf_fail(p->err, "bad_input", "%s: must be a string or an object with \"text\"",
                        path);
    text = json_object_get(item, "text");
    if ((ref_text = pdf_xref_text(item)))   /* pageReference, textReference */
        text = ref_text;
    if (!text)
        return pdf_fail(p->err, json_object_get(item, "stack") ? "unsupported" : "bad_input",
                        "%s: inline items need \"text\" (stacks inside text are not supported)",
                        path);
    path_key(sub, path, "text");
    rc = resolve_style(p, st, item, path, run_skip, &own) != 0 ||
         add_runs(p, para, text, &own, ref_text ? path : sub, level + 1) != 0 ||
         pdf_xref_inline(p, item, para, run0, path) != 0 ? -1 : 0;
    json_decref(ref_text);
    return rc;
}

static int add_runs(struct parser *p, struct pdf_para *para, const json_t *text,
                    const struct pdf_style *st, const char *path, int level)
{
    char sub[PATH_MAX_LEN];

    if (json_is_string(text))
        return add_run(p, para, json_string_value(text), st, path);
    if (!json_is_array(text))
        return pdf_fail(p->err, "bad_input", "%s: must be a string or an array", path);
    if (level > 1)
        return pdf_fail(p->err, "unsupported",
                        "%s: inline text nested more than one level is not supported yet", path);
    for (size_t i = 0; i < json_array_size(text); i++) {
        path_index(sub, path, i);
        if (add_inline(p, para, json_array_get(text, i), st, sub, level) != 0)
            return -1;
    }
    return 0;
}

void pdf_para_free(struct pdf_para *para)
{
    for (size_t i = 0; i < para->nruns; i++)
        free(para->runs[i].text);
    free(para->runs);
    para->runs = NULL;
    para->nruns = 0;
}

/* ---- content: blocks ---- */

static struct pdf_block *new_block(struct parser *p, enum pdf_block_kind kind)
{
    struct pdf_doc *doc = p->doc;
    struct pdf_block *b;

    if (doc->nblocks == doc->cap) {
        size_t cap = doc->cap ? doc->cap * 2 : 32;
        b = realloc(doc->blocks, cap * sizeof *b);
        if (!b) {
            pdf_fail(p->err, "render_error", "out of memory");
            return NULL;
        }
        doc->blocks = b;
        doc->cap = cap;
    }
    b = &doc->blocks[doc->nblocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}

static int add_space(struct parser *p, double pts)
{
    struct pdf_block *b;

    if (pts <= 0)
        return 0;
    b = new_block(p, PDF_BLOCK_SPACE);
    if (!b)
        return -1;
    b->space = pts;
    return 0;
}

static int add_para(struct parser *p, const json_t *text, const struct pdf_style *st,
                    const double indent[2], const char *path)
{
    struct pdf_block *b = new_block(p, PDF_BLOCK_PARA);
    char sub[PATH_MAX_LEN];

    if (!b)
        return -1;
    b->para.style = *st;
    b->list = p->cur_list;
    b->indent[0] = indent[0] + st->margin[PDF_LEFT];
    b->indent[1] = indent[1] + st->margin[PDF_RIGHT];
    path_key(sub, path, "text");
    return add_runs(p, &b->para, text, st, json_is_string(text) ? path : sub, 0);
}

static int add_node(struct parser *p, const json_t *node, const struct pdf_style *parent,
                    const double indent[2], const char *path, long long depth);

static int add_stack(struct parser *p, const json_t *items, const struct pdf_style *st,
                     const double indent[2], const char *path, long long depth)
{
    char sub[PATH_MAX_LEN];

    for (size_t i = 0; i < json_array_size(items); i++) {
        path_index(sub, path, i);
        if (add_node(p, json_array_get(items, i), st, indent, sub, depth + 1) != 0)
            return -1;
    }
    return 0;
}

static const char *const node_kinds[] = {
    "svg", NULL,
};
static const char *const node_skip[] = { "text", "stack", "style", "pageBreak", NULL };

static int add_list(struct parser *p, const json_t *node, const struct pdf_style *parent,
                    const double indent[2], const char *path, long long depth);

/* ---- images ---- */

static const char *const image_skip[] = {
    "image", "width", "height", "fit", "style", "pageBreak", "cover", "opacity", "maxWidth",
    "maxHeight", "minWidth", "minHeight", NULL,
};

/* width / height / fit as given: 0 = absent. */
static int image_dims(struct parser *p, const json_t *node, const char *path, double dims[4])
{
    static const char *const keys[] = { "width", "height" };
    const json_t *fit = json_object_get(node, "fit");
    char sub[PATH_MAX_LEN];

    memset(dims, 0, 4 * sizeof *dims);
    for (int i = 0; i < 2; i++) {
        const json_t *v = json_object_get(node, keys[i]);
        path_key(sub, path, keys[i]);
        if (v && get_number(p, v, sub, 1, &dims[i]) != 0)
            return -1;
    }
    if (!fit)
        return 0;
    path_key(sub, path, "fit");
    if (!json_is_array(fit) || json_array_size(fit) != 2)
        return pdf_fail(p->err, "bad_input", "%s: must be [width, height]", sub);
    if (get_number(p, json_array_get(fit, 0), sub, 1, &dims[2]) != 0 ||
        get_number(p, json_array_get(fit, 1), sub, 1, &dims[3]) != 0)
        return -1;
    return 0;
}

/* pdfmake's sizing: one pixel is one point; fit scales (up or down) to fit
 * the box keeping the aspect ratio; width or height alone keep it too. */
static void image_size(struct pdf_block *b, const double dims[4])
{
    double nw = b->image.w, nh = b->image.h;

    if (dims[2] > 0) {
        double k = nw / nh > dims[2] / dims[3] ? dims[2] / nw : dims[3] / nh;
        b->img_w = nw * k;
        b->img_h = nh * k;
        return;
    }
    b->img_w = dims[0] > 0 ? dims[0] : dims[1] > 0 ? nw * dims[1] / nh : nw;
    b->img_h = dims[1] > 0 ? dims[1] : nh * b->img_w / nw;
}

/* maxWidth, maxHeight, minWidth, minHeight, applied in that order as
 * pdfmake does, each keeping the aspect ratio. */
static int image_bounds(struct parser *p, const json_t *node, const char *path,
                        struct pdf_block *b)
{
    static const char *const keys[] = { "maxWidth", "maxHeight", "minWidth", "minHeight" };
    double ratio = b->img_w / b->img_h, v;
    char sub[PATH_MAX_LEN];

    for (int i = 0; i < 4; i++) {
        const json_t *j = json_object_get(node, keys[i]);
        int width = i % 2 == 0, max = i < 2;
        double *dim = width ? &b->img_w : &b->img_h;
        if (!j)
            continue;
        path_key(sub, path, keys[i]);
        if (get_number(p, j, sub, 1, &v) != 0)
            return -1;
        if (max ? v < *dim : v > *dim) {
            *dim = v;
            if (width)
                b->img_h = v / ratio;
            else
                b->img_w = v * ratio;
        }
    }
    return 0;
}

/* cover: {width, height, align, valign}: the box is width x height, and the
 * picture, scaled to cover it whole, is aligned in it and clipped. */
static int image_cover(struct parser *p, const json_t *cover, const char *path,
                       struct pdf_block *b)
{
    static const char *const h_names[] = { "left", "center", "right", NULL };
    static const char *const v_names[] = { "bottom", "center", "top", NULL };
    const json_t *w = json_object_get(cover, "width"), *h = json_object_get(cover, "height");
    const char *al = json_string_value(json_object_get(cover, "align"));
    const char *va = json_string_value(json_object_get(cover, "valign"));
    double k;
    int ha = 1, vv = 1;
    char sub[PATH_MAX_LEN];

    path_key(sub, path, "cover");
    if (!json_is_object(cover))
        return pdf_fail(p->err, "bad_input", "%s: must be an object {width, height, align, "
                        "valign}", sub);
    if ((w && get_number(p, w, sub, 1, &b->img_w) != 0) ||
        (h && get_number(p, h, sub, 1, &b->img_h) != 0))
        return -1;
    for (ha = 0; al && h_names[ha] && strcmp(h_names[ha], al) != 0; ha++)
        ;
    for (vv = 0; va && v_names[vv] && strcmp(v_names[vv], va) != 0; vv++)
        ;
    if ((al && !h_names[ha]) || (va && !v_names[vv]) ||
        (json_object_get(cover, "align") && !al) || (json_object_get(cover, "valign") && !va))
        return pdf_fail(p->err, "bad_input", "%s: align is left, center or right; valign is "
                        "top, center or bottom", sub);
    ha = al ? ha : 1;
    vv = va ? vv : 1;
    k = b->img_w / b->image.w > b->img_h / b->image.h ? b->img_w / b->image.w
                                                      : b->img_h / b->image.h;
    b->img_cover = 1;
    b->img_draw[2] = b->image.w * k;
    b->img_draw[3] = b->image.h * k;
    b->img_draw[0] = (b->img_w - b->img_draw[2]) * ha / 2;
    b->img_draw[1] = (b->img_h - b->img_draw[3]) * vv / 2;
    return 0;
}

static int image_opacity(struct parser *p, const json_t *node, const char *path,
                         struct pdf_block *b)
{
    const json_t *v = json_object_get(node, "opacity");
    char sub[PATH_MAX_LEN];

    b->img_opacity = 1;
    if (!v)
        return 0;
    path_key(sub, path, "opacity");
    if (get_number(p, v, sub, 0, &b->img_opacity) != 0)
        return -1;
    if (b->img_opacity > 1)
        return pdf_fail(p->err, "bad_input", "%s: must be from 0 to 1", sub);
    return 0;
}

/* An image node: decoded now, so a bad image fails before any layout. */
static int add_image(struct parser *p, const json_t *node, const struct pdf_style *parent,
                     const double indent[2], const char *path)
{
    const json_t *src = json_object_get(node, "image");
    struct pdf_block *b;
    struct pdf_style st;
    char sub[PATH_MAX_LEN];
    double dims[4];

    path_key(sub, path, "image");
    if (!json_is_string(src))
        return pdf_fail(p->err, "bad_input", "%s: must be a string", sub);
    if (resolve_style(p, parent, node, path, image_skip, &st) != 0 ||
        image_dims(p, node, path, dims) != 0)
        return -1;
    if ((st.page_break_before && !new_block(p, PDF_BLOCK_BREAK)) ||
        add_space(p, st.margin[PDF_TOP]) != 0 || !(b = new_block(p, PDF_BLOCK_IMAGE)))
        return -1;
    b->para.style = st;
    b->list = p->cur_list;
    b->indent[0] = indent[0] + st.margin[PDF_LEFT];
    b->indent[1] = indent[1] + st.margin[PDF_RIGHT];
    p->doc->has_image_links |= st.link || st.link_page || st.dest;
    if (pdf_image_load(&b->image, json_string_value(src), p->img_lim, sub, p->err) != 0)
        return -1;
    image_size(b, dims);
    if (image_bounds(p, node, path, b) != 0 || image_opacity(p, node, path, b) != 0 ||
        (json_object_get(node, "cover") && !dims[2] &&
         image_cover(p, json_object_get(node, "cover"), path, b) != 0))
        return -1;
    if (add_space(p, st.margin[PDF_BOTTOM]) != 0 ||
        (st.page_break_after && !new_block(p, PDF_BLOCK_BREAK)))
        return -1;
    return 0;
}

/* ---- canvas ---- */

static const char *const cop_types[] = { "rect", "line", "polyline", "ellipse", NULL };

/* The coordinates each op type needs, in pdf_cop.v order; from index
 * `nonneg` on they are sizes, which cannot be negative. */
static const struct {
    const char *keys[4];
    size_t n, nonneg;
} cop_coords[] = {
    { { "x", "y", "w", "h" }, 4, 2 },
    { { "x1", "y1", "x2", "y2" }, 4, 4 },
    { { NULL, NULL, NULL, NULL }, 0, 0 },
    { { "x", "y", "r1", "r2" }, 4, 2 },
};

static const char *const cop_keys[] = {
    "type", "x", "y", "w", "h", "r", "x1", "y1", "x2", "y2", "points", "closePath",
    "r1", "r2", "color", "lineColor", "lineWidth", "lineCap", "dash", NULL,
};
static const char *const cop_unsupported[] = {
    "fillOpacity", "strokeOpacity", "lineJoin", "linearGradient", NULL,
};

/* A number property of a canvas op; absent ones keep *out unless required. */
static int cop_number(struct parser *p, const json_t *op, const char *key, const char *path,
                      int required, int nonneg, double *out)
{
    const json_t *v = json_object_get(op, key);
    char sub[PATH_MAX_LEN];

    path_key(sub, path, key);
    if (!v && !required)
        return 0;
    if (!v)
        return pdf_fail(p->err, "bad_input", "%s: missing", sub);
    if (get_number(p, v, sub, 0, out) != 0)
        return -1;
    if (nonneg && *out < 0)
        return pdf_fail(p->err, "bad_input", "%s: must not be negative", sub);
    return 0;
}

static int cop_points(struct parser *p, struct pdf_cop *c, const json_t *op, const char *path)
{
    const json_t *pts = json_object_get(op, "points");
    char sub[PATH_MAX_LEN], pt[PATH_MAX_LEN];

    path_key(sub, path, "points");
    if (!json_is_array(pts) || json_array_size(pts) < 2)
        return pdf_fail(p->err, "bad_input", "%s: must be an array of at least 2 {x, y}", sub);
    c->pts = calloc(json_array_size(pts) * 2, sizeof *c->pts);
    if (!c->pts)
        return pdf_fail(p->err, "render_error", "out of memory");
    for (size_t i = 0; i < json_array_size(pts); i++, c->npts++) {
        const json_t *o = json_array_get(pts, i);
        path_index(pt, sub, i);
        if (!json_is_object(o))
            return pdf_fail(p->err, "bad_input", "%s: must be an object {x, y}", pt);
        if (cop_number(p, o, "x", pt, 1, 0, &c->pts[2 * i]) != 0 ||
            cop_number(p, o, "y", pt, 1, 0, &c->pts[2 * i + 1]) != 0)
            return -1;
    }
    return 0;
}

/* dash: {length, space}; libharu takes whole points, so both are rounded. */
static int cop_dash(struct parser *p, struct pdf_cop *c, const json_t *op, const char *path)
{
    const json_t *d = json_object_get(op, "dash");
    char sub[PATH_MAX_LEN];

    if (!d)
        return 0;
    path_key(sub, path, "dash");
    if (!json_is_object(d))
        return pdf_fail(p->err, "bad_input", "%s: must be {length, space}", sub);
    if (cop_number(p, d, "length", sub, 1, 0, &c->dash[0]) != 0)
        return -1;
    c->dash[1] = c->dash[0];        /* pdfmake: space defaults to length */
    if (cop_number(p, d, "space", sub, 0, 0, &c->dash[1]) != 0)
        return -1;
    if (!(c->dash[0] >= 1 && c->dash[0] <= 10000 && c->dash[1] >= 1 && c->dash[1] <= 10000))
        return pdf_fail(p->err, "bad_input", "%s: length and space must be 1..10000", sub);
    return 0;
}

/* color fills (rect, ellipse, a closed polyline), lineColor strokes;
 * neither strokes in black, as pdfmake does. */
static int cop_paint(struct parser *p, struct pdf_cop *c, const json_t *op, const char *path)
{
    static const char *const caps[] = { "butt", "round", "square", NULL };
    const json_t *fill = json_object_get(op, "color"), *line = json_object_get(op, "lineColor");
    const json_t *cap = json_object_get(op, "lineCap");
    char sub[PATH_MAX_LEN];

    c->line_width = 1;
    path_key(sub, path, "color");
    if (fill && get_color(p, fill, sub, c->fill_rgb) != 0)
        return -1;
    path_key(sub, path, "lineColor");
    if (line && get_color(p, line, sub, c->stroke_rgb) != 0)
        return -1;
    c->fill = fill && c->kind != PDF_COP_LINE && (c->kind != PDF_COP_POLYLINE || c->closed);
    c->stroke = line || !c->fill;
    path_key(sub, path, "lineCap");
    for (c->cap = 0; cap && caps[c->cap] && json_string_value(cap) &&
                     strcmp(caps[c->cap], json_string_value(cap)) != 0; c->cap++)
        ;
    if (cap && (!json_string_value(cap) || !caps[c->cap]))
        return pdf_fail(p->err, "bad_input", "%s: must be butt, round or square", sub);
    return cop_number(p, op, "lineWidth", path, 0, 1, &c->line_width) != 0 ||
           cop_dash(p, c, op, path) != 0 ? -1 : 0;
}

/* The op's type, and no property pdfmake does not know. */
static int cop_type(struct parser *p, const json_t *op, const char *path, struct pdf_cop *c)
{
    const char *t = json_string_value(json_object_get(op, "type")), *key;
    const json_t *v;
    size_t i;

    if (!json_is_object(op))
        return pdf_fail(p->err, "bad_input", "%s: must be an object", path);
    if (!t)
        return pdf_fail(p->err, "bad_input", "%s.type: must be a string", path);
    for (i = 0; cop_types[i] && strcmp(cop_types[i], t) != 0; i++)
        ;
    if (!cop_types[i])
        return pdf_fail(p->err, "unsupported", "%s.type: canvas \"%.64s\" is not supported",
                        path, t);
    c->kind = (enum pdf_cop_kind)i;
    json_object_foreach((json_t *)op, key, v) {
        if (pdf_in_list(cop_unsupported, key))
            return pdf_fail(p->err, "unsupported", "%s: \"%s\" is not supported yet", path, key);
        if (!pdf_in_list(cop_keys, key))
            return pdf_fail(p->err, "bad_input", "%s: unknown property \"%s\"", path, key);
    }
    return 0;
}

static int parse_cop(struct parser *p, const json_t *op, const char *path, struct pdf_cop *c)
{
    const json_t *cl = json_object_get(op, "closePath");
    char sub[PATH_MAX_LEN];

    if (cop_type(p, op, path, c) != 0)
        return -1;
    for (size_t i = 0; i < cop_coords[c->kind].n; i++)
        if (cop_number(p, op, cop_coords[c->kind].keys[i], path, 1,
                       i >= cop_coords[c->kind].nonneg, &c->v[i]) != 0)
            return -1;
    path_key(sub, path, "closePath");
    if ((c->kind == PDF_COP_RECT && cop_number(p, op, "r", path, 0, 1, &c->v[4]) != 0) ||
        (c->kind == PDF_COP_POLYLINE && cop_points(p, c, op, path) != 0) ||
        (cl && get_bool(p, cl, sub, &c->closed) != 0))
        return -1;
    return cop_paint(p, c, op, path);
}

/* The lowest point an op draws, in canvas coordinates: a stroke reaches
 * half its width beyond the path. */
static double cop_bottom(const struct pdf_cop *c)
{
    double y = c->v[1];

    if (c->kind == PDF_COP_RECT || c->kind == PDF_COP_ELLIPSE)
        y = c->v[1] + c->v[3];
    else if (c->kind == PDF_COP_LINE)
        y = c->v[1] > c->v[3] ? c->v[1] : c->v[3];
    else
        for (size_t i = 0; i < c->npts; i++)
            y = i == 0 || c->pts[2 * i + 1] > y ? c->pts[2 * i + 1] : y;
    return y + (c->stroke ? c->line_width / 2 : 0);
}

static int parse_canvas(struct parser *p, struct pdf_block *b, const json_t *ops,
                        const char *path)
{
    char sub[PATH_MAX_LEN];
    size_t n = json_array_size(ops);

    if (!json_is_array(ops))
        return pdf_fail(p->err, "bad_input", "%s: must be an array of drawing operations", path);
    b->canvas.ops = calloc(n ? n : 1, sizeof *b->canvas.ops);
    if (!b->canvas.ops)
        return pdf_fail(p->err, "render_error", "out of memory");
    for (size_t i = 0; i < n; i++) {
        struct pdf_cop *c = &b->canvas.ops[b->canvas.nops++];
        double bottom;
        path_index(sub, path, i);
        if (parse_cop(p, json_array_get(ops, i), sub, c) != 0)
            return -1;
        bottom = cop_bottom(c);
        b->img_h = bottom > b->img_h ? bottom : b->img_h;
    }
    return 0;
}

static const char *const canvas_skip[] = { "canvas", "style", "pageBreak", NULL };

/* A canvas node: a block as tall as its lowest drawn point. */
static int add_canvas(struct parser *p, const json_t *node, const struct pdf_style *parent,
                      const double indent[2], const char *path)
{
    struct pdf_block *b;
    struct pdf_style st;
    char sub[PATH_MAX_LEN];

    path_key(sub, path, "canvas");
    if (resolve_style(p, parent, node, path, canvas_skip, &st) != 0)
        return -1;
    if ((st.page_break_before && !new_block(p, PDF_BLOCK_BREAK)) ||
        add_space(p, st.margin[PDF_TOP]) != 0 || !(b = new_block(p, PDF_BLOCK_CANVAS)))
        return -1;
    b->para.style = st;
    b->list = p->cur_list;
    b->indent[0] = indent[0] + st.margin[PDF_LEFT];
    b->indent[1] = indent[1] + st.margin[PDF_RIGHT];
    if (parse_canvas(p, b, json_object_get(node, "canvas"), sub) != 0 ||
        add_space(p, st.margin[PDF_BOTTOM]) != 0 ||
        (st.page_break_after && !new_block(p, PDF_BLOCK_BREAK)))
        return -1;
    return 0;
}

/* ---- QR codes ---- */

/* A qr node becomes a canvas of filled rects (the background square, then
 * one rect per horizontal run of dark modules, which keeps the PDF small),
 * so it is drawn by the canvas code; unlike a canvas it is aligned. */

static const char *const qr_skip[] = {
    "qr", "fit", "foreground", "background", "eccLevel", "version", "mode", "style",
    "pageBreak", NULL,
};

struct qr_opts {
    double fit;
    double fg[3], bg[3];
    QRecLevel level;
    int version;            /* 0: the smallest that holds the text */
};

static int qr_level(struct parser *p, const json_t *v, const char *path, QRecLevel *level)
{
    static const char *const names[] = { "L", "M", "Q", "H", NULL };
    static const QRecLevel levels[] = { QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H };
    const char *s = json_string_value(v);

    for (int i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            *level = levels[i];
            return 0;
        }
    return pdf_fail(p->err, "bad_input", "%s: must be \"L\", \"M\", \"Q\" or \"H\"", path);
}

static int qr_options(struct parser *p, const json_t *node, const char *path, struct qr_opts *o)
{
    const json_t *fit = json_object_get(node, "fit"), *fg = json_object_get(node, "foreground");
    const json_t *bg = json_object_get(node, "background"), *ecc = json_object_get(node, "eccLevel");
    const json_t *ver = json_object_get(node, "version");
    char sub[4][PATH_MAX_LEN];

    *o = (struct qr_opts){ 100, { 0, 0, 0 }, { 1, 1, 1 }, QR_ECLEVEL_L, 0 };
    path_key(sub[0], path, "fit");
    path_key(sub[1], path, "foreground");
    path_key(sub[2], path, "background");
    path_key(sub[3], path, "eccLevel");
    if ((fit && get_number(p, fit, sub[0], 1, &o->fit) != 0) ||
        (fg && get_color(p, fg, sub[1], o->fg) != 0) ||
        (bg && get_color(p, bg, sub[2], o->bg) != 0) ||
        (ecc && qr_level(p, ecc, sub[3], &o->level) != 0))
        return -1;
    path_key(sub[0], path, "version");
    if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
                json_integer_value(ver) > 40))
        return pdf_fail(p->err, "bad_input", "%s: must be an integer from 1 to 40", sub[0]);
    o->version = ver ? (int)json_integer_value(ver) : 0;
    return 0;
}

/* Encoded as 8-bit bytes (pdfmake's `mode` is ignored): any text works. */
static QRcode *qr_encode(struct parser *p, const json_t *text, const struct qr_opts *o,
                         const char *path)
{
    QRcode *qr;

    if (!json_is_string(text))
        return pdf_fail(p->err, "bad_input", "%s: must be a string", path), NULL;
    if (json_string_length(text) == 0)
        return pdf_fail(p->err, "bad_input", "%s: must not be empty", path), NULL;
    errno = 0;
    qr = QRcode_encodeData((int)json_string_length(text),
                           (const unsigned char *)json_string_value(text), o->version, o->level);
    if (!qr && errno == ERANGE)
        pdf_fail(p->err, "bad_input", "%s: the text is too long for a QR code (%zu bytes)",
                 path, json_string_length(text));
    else if (!qr)
        pdf_fail(p->err, "render_error", "%s: libqrencode failed", path);
    return qr;
}

static void qr_rect(struct pdf_cop *c, double x, double y, double w, double h,
                    const double rgb[3])
{
    memset(c, 0, sizeof *c);
    c->kind = PDF_COP_RECT;
    c->v[0] = x, c->v[1] = y, c->v[2] = w, c->v[3] = h;
    c->fill = 1;
    memcpy(c->fill_rgb, rgb, sizeof c->fill_rgb);
}

/* Dark runs of the matrix (bit 0 of each module) as rects; ops NULL:
 * only count them. */
static size_t qr_runs(const QRcode *qr, const struct qr_opts *o, struct pdf_cop *ops)
{
    double m = o->fit / qr->width;
    size_t n = 0;

    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width;) {
            const unsigned char *row = qr->data + (size_t)y * (size_t)qr->width;
            int end = x;
            while (end < qr->width && (row[end] & 1))
                end++;
            if (end == x) {
                x++;
                continue;
            }
            if (ops)
                qr_rect(&ops[n], x * m, y * m, (end - x) * m, m, o->fg);
            n++;
            x = end;
        }
    return n;
}

/* The block's ops: the background square, then the dark runs. */
static int qr_canvas(struct parser *p, struct pdf_block *b, const QRcode *qr,
                     const struct qr_opts *o)
{
    size_t n = qr_runs(qr, o, NULL);

    b->canvas.ops = calloc(n + 1, sizeof *b->canvas.ops);
    if (!b->canvas.ops)
        return pdf_fail(p->err, "render_error", "out of memory");
    qr_rect(&b->canvas.ops[0], 0, 0, o->fit, o->fit, o->bg);
    b->canvas.nops = 1 + qr_runs(qr, o, b->canvas.ops + 1);
    b->img_w = b->img_h = o->fit;
    return 0;
}

/* A qr node: encoded now, so text too long fails before any layout. */
static int add_qr(struct parser *p, const json_t *node, const struct pdf_style *parent,
                  const double indent[2], const char *path)
{
    struct pdf_block *b;
    struct pdf_style st;
    struct qr_opts o;
    QRcode *qr = NULL;
    char sub[PATH_MAX_LEN];
    int rc = -1;

    path_key(sub, path, "qr");
    if (resolve_style(p, parent, node, path, qr_skip, &st) != 0 ||
        qr_options(p, node, path, &o) != 0 ||
        !(qr = qr_encode(p, json_object_get(node, "qr"), &o, sub)))
        goto out;
    if ((st.page_break_before && !new_block(p, PDF_BLOCK_BREAK)) ||
        add_space(p, st.margin[PDF_TOP]) != 0 || !(b = new_block(p, PDF_BLOCK_QR)))
        goto out;
    b->para.style = st;
    b->list = p->cur_list;
    b->indent[0] = indent[0] + st.margin[PDF_LEFT];
    b->indent[1] = indent[1] + st.margin[PDF_RIGHT];
    if (qr_canvas(p, b, qr, &o) != 0 || add_space(p, st.margin[PDF_BOTTOM]) != 0 ||
        (st.page_break_after && !new_block(p, PDF_BLOCK_BREAK)))
        goto out;
    rc = 0;
out:
    QRcode_free(qr);
    return rc;
}

/* An object node: its kind, style, then page breaks and margins around
 * its paragraph or its stacked children. */
static int add_object(struct parser *p, const json_t *node, const struct pdf_style *parent,
                      const double indent[2], const char *path, long long depth)
{
    const json_t *text = json_object_get(node, "text"), *stack = json_object_get(node, "stack");
    json_t *ref_text = NULL;
    double inner[2];
    struct pdf_style st;
    char sub[PATH_MAX_LEN];
    int rc;

    for (const char *const *k = node_kinds; *k; k++)
        if (json_object_get(node, *k))
            return pdf_fail(p->err, "unsupported", "%s: \"%s\" is not supported yet", path, *k);
    if (json_object_get(node, "table"))
        return pdf_parse_table(p, node, parent, indent, path, depth);
    if (json_object_get(node, "columns"))
        return pdf_parse_columns(p, node, parent, indent, path, depth);
    if (json_object_get(node, "canvas"))
        return add_canvas(p, node, parent, indent, path);
    if (json_object_get(node, "image"))
        return add_image(p, node, parent, indent, path);
    if (json_object_get(node, "qr"))
        return add_qr(p, node, parent, indent, path);
    if (json_object_get(node, "ul") || json_object_get(node, "ol"))
        return add_list(p, node, parent, indent, path, depth);
    if (json_object_get(node, "toc"))
        return pdf_xref_toc(p, node, parent, indent, path, depth);
    if (!stack && (ref_text = pdf_xref_text(node))) {   /* pageReference, textReference */
        json_t *copy = json_copy((json_t *)node);
        if (copy) {     /* the hooks read the references from node */
            json_object_del(copy, "pageReference");
            json_object_del(copy, "textReference");
        }
        rc = !copy || json_object_set(copy, "text", ref_text) != 0
           ? pdf_fail(p->err, "render_error", "out of memory")
           : add_object(p, copy, parent, indent, path, depth);
        json_decref(copy);
        json_decref(ref_text);
        return rc;
    }
    if (resolve_style(p, parent, node, path, node_skip, &st) != 0)
        return -1;
    if (!text && !stack)
        return pdf_fail(p->err, "bad_input", "%s: a node needs \"text\" or \"stack\"", path);
    if (!text && !json_is_array(stack))
        return pdf_fail(p->err, "bad_input", "%s.stack: must be an array", path);
    if ((st.page_break_before && !new_block(p, PDF_BLOCK_BREAK)) ||
        add_space(p, st.margin[PDF_TOP]) != 0)
        return -1;
    inner[0] = indent[0] + st.margin[PDF_LEFT];
    inner[1] = indent[1] + st.margin[PDF_RIGHT];
    path_key(sub, path, "stack");
    if (text ? add_para(p, text, &st, indent, path) != 0
             : add_stack(p, stack, &st, inner, sub, depth) != 0)
        return -1;
    if (add_space(p, st.margin[PDF_BOTTOM]) != 0 ||
        (st.page_break_after && !new_block(p, PDF_BLOCK_BREAK)))
        return -1;
    return 0;
}

/* A number, boolean, null or {} is a paragraph of its text, as in pdfmake
 * (which writes numbers as JavaScript does: the shortest that reads back). */
static int add_value(struct parser *p, const json_t *node, const struct pdf_style *st,
                     const double indent[2], const char *path)
{
    char buf[64] = "";
    json_t *text;
    int rc;

    if (json_is_integer(node))
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(node));
    else if (json_is_real(node))
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, json_real_value(node));
            if (strtod(buf, NULL) == json_real_value(node))
                break;
        }
    else if (json_is_boolean(node))
        snprintf(buf, sizeof buf, "%s", json_is_true(node) ? "true" : "false");
    if (!(text = json_string(buf)))
        return pdf_fail(p->err, "render_error", "out of memory");
    rc = add_para(p, text, st, indent, path);
    json_decref(text);
    return rc;
}

static int add_node(struct parser *p, const json_t *node, const struct pdf_style *parent,
                    const double indent[2], const char *path, long long depth)
{
    struct pdf_style st = *parent;

    if (depth > p->max_depth)
        return pdf_fail(p->err, "limit_exceeded", "content nested deeper than %lld levels at %s",
                        p->max_depth, path);
    memset(st.margin, 0, sizeof st.margin);
    st.page_break_before = st.page_break_after = 0;
    if (json_is_string(node))
        return add_para(p, node, &st, indent, path);
    if (json_is_number(node) || json_is_boolean(node) || json_is_null(node) ||
        (json_is_object(node) && json_object_size(node) == 0))
        return add_value(p, node, &st, indent, path);
    if (json_is_array(node))
        return add_stack(p, node, &st, indent, path, depth);
    if (json_is_object(node)) {
        size_t first = p->doc->nblocks;
        return add_object(p, node, parent, indent, path, depth) != 0 ? -1
             : pdf_xref_node(p, node, first, path);
    }
    return pdf_fail(p->err, "bad_input", "%s: a node must be a string, an array or an object",
                    path);
}

/* ---- lists: ul / ol ---- */

static const char *const list_skip[] = {
    "ul", "ol", "type", "start", "reversed", "separator", "markerColor", "style",
    "pageBreak", NULL,
};

static const char *const ul_types[] = { "disc", "circle", "square", "none", NULL };
static const char *const ul_glyphs[] = { "\u2022", "\u25CB", "\u25A0", NULL };

enum ol_type { OL_DECIMAL, OL_LOWER_ALPHA, OL_UPPER_ALPHA, OL_LOWER_ROMAN, OL_UPPER_ROMAN,
               OL_NONE };
static const char *const ol_types[] = {
    "decimal", "lower-alpha", "upper-alpha", "lower-roman", "upper-roman", "none", NULL,
};

struct list_item {
    int type;                   /* the item's listType; -1 = the list's */
    int has_counter;
    long long counter;
    int has_color;              /* its markerColor */
    double color[3];
};

struct list_spec {
    int ordered;
    int type;                   /* index into ul_types / ol_types */
    long long start;
    int has_start, reversed;
    const char *sep[2];         /* ol: text before and after the counter */
    struct pdf_style marker;    /* the list's style, with markerColor */
};

static int get_list_type(struct parser *p, const json_t *node, const char *path,
                         struct list_spec *ls)
{
    const char *const *names = ls->ordered ? ol_types : ul_types;
    const json_t *v = json_object_get(node, "type");
    const char *s = json_string_value(v);

    ls->type = 0;
    if (!v)
        return 0;
    for (int i = 0; s && names[i]; i++)
        if (strcmp(names[i], s) == 0) {
            ls->type = i;
            return 0;
        }
    return pdf_fail(p->err, "bad_input", "%s.type: unknown %s list type%s%s%s", path,
                    ls->ordered ? "ol" : "ul", s ? " \"" : "", s ? s : "", s ? "\"" : "");
}

/* separator: "." (the default), or [before, after]. */
static int get_separator(struct parser *p, const json_t *v, const char *path,
                         struct list_spec *ls)
{
    ls->sep[0] = "";
    ls->sep[1] = ".";
    if (!v)
        return 0;
    if (json_is_string(v)) {
        ls->sep[1] = json_string_value(v);
        return 0;
    }
    if (json_is_array(v) && json_array_size(v) == 2 && json_is_string(json_array_get(v, 0)) &&
        json_is_string(json_array_get(v, 1))) {
        ls->sep[0] = json_string_value(json_array_get(v, 0));
        ls->sep[1] = json_string_value(json_array_get(v, 1));
        return 0;
    }
    return pdf_fail(p->err, "bad_input", "%s.separator: must be a string or [before, after]",
                    path);
}

static int get_list_spec(struct parser *p, const json_t *node, const char *path,
                         const struct pdf_style *st, struct list_spec *ls)
{
    const json_t *start = json_object_get(node, "start");
    const json_t *rev = json_object_get(node, "reversed");
    const json_t *mc = json_object_get(node, "markerColor");
    char sub[PATH_MAX_LEN];

    ls->ordered = json_object_get(node, "ul") == NULL;
    ls->marker = *st;
    ls->has_start = start != NULL;
    ls->start = 1;
    ls->reversed = 0;
    if (get_list_type(p, node, path, ls) != 0)
        return -1;
    /* bounded so that counting up or down from it can never overflow */
    if (start && (!json_is_integer(start) || json_integer_value(start) > 1000000000 ||
                  json_integer_value(start) < -1000000000))
        return pdf_fail(p->err, "bad_input", "%s.start: must be an integer within +-1e9", path);
    if (start)
        ls->start = json_integer_value(start);
    path_key(sub, path, "reversed");
    if (rev && get_bool(p, rev, sub, &ls->reversed) != 0)
        return -1;
    path_key(sub, path, "markerColor");
    if (mc && get_color(p, mc, sub, ls->marker.color) != 0)
        return -1;
    return get_separator(p, json_object_get(node, "separator"), path, ls);
}

/* Letters count like a spreadsheet's columns: z, aa, ab... */
static void fmt_alpha(char *buf, size_t size, long long n, char a)
{
    char tmp[32];
    size_t len = 0;

    for (; n > 0 && len < sizeof tmp; n = (n - 1) / 26)
        tmp[len++] = (char)(a + (n - 1) % 26);
    for (size_t i = 0; i < len && i + 1 < size; i++)
        buf[i] = tmp[len - 1 - i];
    buf[len < size ? len : size - 1] = '\0';
}

static void fmt_roman(char *buf, size_t size, long long n, int upper)
{
    static const int vals[] = { 1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1 };
    static const char *const syms[] = { "m", "cm", "d", "cd", "c", "xc", "l", "xl",
                                        "x", "ix", "v", "iv", "i" };
    size_t len = 0;

    buf[0] = '\0';
    for (int i = 0; i < 13; i++)
        for (; n >= vals[i] && len + 3 < size; n -= vals[i])
            for (const char *c = syms[i]; *c; c++)
                buf[len++] = upper ? (char)toupper((unsigned char)*c) : *c;
    buf[len] = '\0';
}

/* The counter text of an ol item; numbers alpha or roman cannot show
 * (<= 0, roman > 3999) fall back to decimal. */
static void fmt_counter(char *buf, size_t size, int type, long long n)
{
    if ((type == OL_LOWER_ALPHA || type == OL_UPPER_ALPHA) && n > 0)
        fmt_alpha(buf, size, n, type == OL_LOWER_ALPHA ? 'a' : 'A');
    else if ((type == OL_LOWER_ROMAN || type == OL_UPPER_ROMAN) && n > 0 && n < 4000)
        fmt_roman(buf, size, n, type == OL_UPPER_ROMAN);
    else
        snprintf(buf, size, "%lld", n);
}

static int is_list(const json_t *item)
{
    return json_is_object(item) && (json_object_get(item, "ul") || json_object_get(item, "ol"));
}

/* The marker of the k-th marked item (0-based) of n, with the item's own
 * listType and counter when it has them; NULL = none. */
static char *marker_text(const struct list_spec *ls, const struct list_item *it, long long k,
                         long long n)
{
    char num[64], *out;
    long long first = ls->has_start ? ls->start : ls->reversed ? n : 1;
    int type = it->type >= 0 ? it->type : ls->type;

    if (!ls->ordered)
        return ul_glyphs[type] ? strdup(ul_glyphs[type]) : NULL;
    if (type == OL_NONE)
        return NULL;
    fmt_counter(num, sizeof num, type,
                it->has_counter ? it->counter : ls->reversed ? first - k : first + k);
    out = malloc(strlen(ls->sep[0]) + strlen(num) + strlen(ls->sep[1]) + 1);
    if (out)
        sprintf(out, "%s%s%s", ls->sep[0], num, ls->sep[1]);
    return out;
}

/* An item's own listType and counter (pdfmake: they change its marker
 * only; the list's count goes on). */
static int get_list_item(struct parser *p, const json_t *item, const char *path,
                         const struct list_spec *ls, struct list_item *it)
{
    const json_t *lt = json_is_object(item) ? json_object_get(item, "listType") : NULL;
    const json_t *ct = json_is_object(item) ? json_object_get(item, "counter") : NULL, *mc;
    const char *const *names = ls->ordered ? ol_types : ul_types;
    const char *s = json_string_value(lt);

    it->type = -1;
    it->has_counter = ct != NULL;
    for (int i = 0; s && names[i] && it->type < 0; i++)
        if (strcmp(names[i], s) == 0)
            it->type = i;
    if (lt && it->type < 0)
        return pdf_fail(p->err, "bad_input", "%s.listType: unknown %s list type", path,
                        ls->ordered ? "ol" : "ul");
    if (ct && (!json_is_integer(ct) || json_integer_value(ct) > 1000000000 ||
               json_integer_value(ct) < -1000000000))
        return pdf_fail(p->err, "bad_input", "%s.counter: must be an integer within +-1e9", path);
    it->counter = ct ? json_integer_value(ct) : 0;
    if ((mc = json_is_object(item) ? json_object_get(item, "markerColor") : NULL)) {
        char sub[PATH_MAX_LEN];
        path_key(sub, path, "markerColor");
        if (get_color(p, mc, sub, it->color) != 0)
            return -1;
        it->has_color = 1;
    }
    return 0;
}

/* Hang the marker on the item's first paragraph (blocks from `first` on);
 * an item without paragraphs, or whose first paragraph is itself a nested
 * list's item, shows none. */
static int attach_marker(struct parser *p, size_t first, const char *text,
                         const struct list_spec *ls, double marker_indent, const char *path)
{
    for (size_t i = first; i < p->doc->nblocks; i++) {
        struct pdf_block *b = &p->doc->blocks[i];
        if (b->kind == PDF_BLOCK_IMAGE || b->kind == PDF_BLOCK_CANVAS ||
            b->kind == PDF_BLOCK_QR || b->kind == PDF_BLOCK_TABLE ||
            b->kind == PDF_BLOCK_COLUMNS)   /* no marker beside */
            return 0;
        if (b->kind != PDF_BLOCK_PARA)
            continue;
        if (b->marker.nruns)
            return 0;
        b->marker.style = ls->marker;
        b->marker_list = p->cur_list;
        b->marker_indent = marker_indent;
        return add_run(p, &b->marker, text, &ls->marker, path);
    }
    return 0;
}

static int new_list(struct parser *p)
{
    struct pdf_list *grown = realloc(p->doc->lists, (p->doc->nlists + 1) * sizeof *grown);

    if (!grown)
        return pdf_fail(p->err, "render_error", "out of memory");
    p->doc->lists = grown;
    grown[p->doc->nlists].parent = p->cur_list;
    p->cur_list = ++p->doc->nlists;
    return 0;
}

static int add_items(struct parser *p, const json_t *items, const struct list_spec *ls,
                     const struct pdf_style *st, const double inner[2], const char *path,
                     long long depth)
{
    long long n = 0, k = 0;
    char sub[PATH_MAX_LEN];
    size_t first;

    for (size_t i = 0; i < json_array_size(items); i++)
        n += !is_list(json_array_get(items, i));
    for (size_t i = 0; i < json_array_size(items); i++) {
        static const char *const item_keys[] = { "listType", "counter", "markerColor", NULL };
        const json_t *item = json_array_get(items, i), *saved = p->cell;
        const char *const *saved_keys = p->cell_keys;
        struct list_item it = { -1, 0, 0, 0, { 0, 0, 0 } };
        struct list_spec own = *ls;
        char *text = NULL;
        int rc;
        path_index(sub, path, i);
        first = p->doc->nblocks;
        if (get_list_item(p, item, sub, ls, &it) != 0)
            return -1;
        p->cell = item;         /* listType and counter are the list's, not style */
        p->cell_keys = item_keys;
        rc = add_node(p, item, st, inner, sub, depth + 1);
        p->cell = saved;
        p->cell_keys = saved_keys;
        if (rc != 0)
            return -1;
        if (is_list(item))      /* a nested list has no marker of its own */
            continue;
        text = marker_text(ls, &it, k++, n);
        if (it.has_color)
            memcpy(own.marker.color, it.color, sizeof it.color);
        rc = text ? attach_marker(p, first, text, &own, inner[0], sub) : 0;
        free(text);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* A ul / ol node: its items stacked, each right of the marker column. */
static int add_list(struct parser *p, const json_t *node, const struct pdf_style *parent,
                    const double indent[2], const char *path, long long depth)
{
    const char *kind = json_object_get(node, "ul") ? "ul" : "ol";
    const json_t *items = json_object_get(node, kind);
    struct list_spec ls;
    struct pdf_style st;
    double inner[2];
    char sub[PATH_MAX_LEN];
    size_t saved = p->cur_list;
    int rc;

    path_key(sub, path, kind);
    if (!json_is_array(items))
        return pdf_fail(p->err, "bad_input", "%s: must be an array", sub);
    if (resolve_style(p, parent, node, path, list_skip, &st) != 0 ||
        get_list_spec(p, node, path, &st, &ls) != 0)
        return -1;
    if ((st.page_break_before && !new_block(p, PDF_BLOCK_BREAK)) ||
        add_space(p, st.margin[PDF_TOP]) != 0 || new_list(p) != 0)
        return -1;
    inner[0] = indent[0] + st.margin[PDF_LEFT];
    inner[1] = indent[1] + st.margin[PDF_RIGHT];
    rc = add_items(p, items, &ls, &st, inner, sub, depth);
    p->cur_list = saved;
    if (rc != 0 || add_space(p, st.margin[PDF_BOTTOM]) != 0 ||
        (st.page_break_after && !new_block(p, PDF_BLOCK_BREAK)))
        return -1;
    return 0;
}

/* ---- the document level ---- */

static int parse_page_size(struct parser *p, const json_t *v, double *w, double *h)
{
    const char *s = json_string_value(v);

    if (json_is_object(v)) {
        const json_t *jw = json_object_get(v, "width"), *jh = json_object_get(v, "height");
        if (get_number(p, jw, "pageSize.width", 1, w) != 0 ||
            get_number(p, jh, "pageSize.height", 1, h) != 0)
            return -1;
        return 0;
    }
    for (const struct page_size *ps = page_sizes; s && ps->name; ps++)
        if (strcasecmp(ps->name, s) == 0) {
            *w = ps->w;
            *h = ps->h;
            return 0;
        }
    return pdf_fail(p->err, "bad_input", "pageSize: unknown page size %s%s%s",
                    s ? "\"" : "", s ? s : "(not a name or {width, height})", s ? "\"" : "");
}

static int parse_page(struct parser *p, const json_t *def)
{
    struct pdf_doc *doc = p->doc;
    const json_t *size = json_object_get(def, "pageSize");
    const json_t *orient = json_object_get(def, "pageOrientation");
    const json_t *margins = json_object_get(def, "pageMargins");
    const char *o = json_string_value(orient);
    double t;

    doc->page_w = 595.28;       /* pdfmake's default: A4 portrait */
    doc->page_h = 841.89;
    for (int i = 0; i < 4; i++)
        doc->margin[i] = 40;
    if (size && parse_page_size(p, size, &doc->page_w, &doc->page_h) != 0)
        return -1;
    if (orient && (!o || (strcmp(o, "portrait") != 0 && strcmp(o, "landscape") != 0)))
        return pdf_fail(p->err, "bad_input", "pageOrientation: must be portrait or landscape");
    /* as pdfmake: a size is swapped only to match an orientation given */
    if (o && (strcmp(o, "landscape") == 0 ? doc->page_w < doc->page_h
                                          : doc->page_w > doc->page_h)) {
        t = doc->page_w;
        doc->page_w = doc->page_h;
        doc->page_h = t;
    }
    if (margins && get_margin(p, margins, "pageMargins", doc->margin) != 0)
        return -1;
    if (doc->margin[PDF_LEFT] + doc->margin[PDF_RIGHT] >= doc->page_w ||
        doc->margin[PDF_TOP] + doc->margin[PDF_BOTTOM] >= doc->page_h)
        return pdf_fail(p->err, "bad_input", "pageMargins: leave no room on the page");
    return 0;
}

static int parse_info(struct parser *p, const json_t *info)
{
    const char *key;
    const json_t *v;

    if (!json_is_object(info))
        return pdf_fail(p->err, "bad_input", "info: must be an object");
    json_object_foreach((json_t *)info, key, v) {
        int i = 0;
        while (i < 6 && strcmp(info_keys[i], key) != 0)
            i++;
        if (i == 6)
            return pdf_fail(p->err, "unsupported", "info.%s: \"%s\" is not supported yet",
                            key, key);
        if (!json_is_string(v))
            return pdf_fail(p->err, "bad_input", "info.%s: must be a string", key);
        p->doc->info[i] = json_string_value(v);
    }
    return 0;
}

/* header / footer: a string or a text node, drawn on every page. */
static int parse_margin_para(struct parser *p, const json_t *v, const struct pdf_style *base,
                             const char *name, struct pdf_para *para)
{
    struct pdf_style st = *base;

    memset(st.margin, 0, sizeof st.margin);
    if (json_is_string(v)) {
        para->style = st;
        return add_run(p, para, json_string_value(v), &st, name);
    }
    if (!json_is_object(v) || !json_object_get(v, "text"))
        return pdf_fail(p->err, json_is_object(v) || json_is_array(v) ? "unsupported" : "bad_input",
                        "%s: only a string or a text node is supported yet", name);
    if (resolve_style(p, base, v, name, node_skip, &st) != 0)
        return -1;
    if (st.page_break_before || st.page_break_after)
        return pdf_fail(p->err, "bad_input", "%s.pageBreak: not allowed here", name);
    para->style = st;
    if (add_runs(p, para, json_object_get(v, "text"), &st, name, 0) != 0)
        return -1;
    return pdf_xref_inline(p, v, para, 0, name);   /* refuses ids... here */
}

/* ---- watermark, page background, encryption ---- */

static const char *const wm_keys[] = {
    "text", "color", "opacity", "bold", "italics", "fontSize", "angle", "font", NULL,
};

/* One watermark property; the text is taken by the caller. */
static int wm_prop(struct parser *p, struct pdf_watermark *wm, const char *key,
                   const json_t *v, const char *path)
{
    if (strcmp(key, "opacity") == 0) {
        if (get_number(p, v, path, 0, &wm->opacity) != 0)
            return -1;
        if (wm->opacity < 0 || wm->opacity > 1)
            return pdf_fail(p->err, "bad_input", "%s: must be between 0 and 1", path);
        return 0;
    }
    if (strcmp(key, "angle") == 0) {
        wm->has_angle = 1;
        return get_number(p, v, path, 0, &wm->angle);
    }
    return apply_prop(p, &wm->style, key, v, path) < 0 ? -1 : 0;
}

/* watermark: a string or {text, color, opacity, bold, italics, fontSize,
 * angle, font}; pdfmake's defaults: black, opacity 0.6, not bold nor
 * italic, defaultStyle's font, sized to fit the page, along its diagonal.
 * An empty text is no watermark. */
static int parse_watermark(struct parser *p, const json_t *v, const struct pdf_style *base)
{
    struct pdf_watermark *wm = &p->doc->watermark;
    const json_t *text = json_is_object(v) ? json_object_get(v, "text") : v;
    const char *key;
    const json_t *val;
    char sub[PATH_MAX_LEN];

    memset(wm, 0, sizeof *wm);
    wm->style.family = base->family;
    wm->style.line_height = 1;
    wm->opacity = 0.6;
    if (json_is_null(v))
        return 0;
    if (!json_is_string(text))
        return pdf_fail(p->err, "bad_input", "watermark%s: must be a string%s",
                        json_is_object(v) ? ".text" : "",
                        json_is_object(v) ? "" : " or an object with \"text\"");
    json_object_foreach((json_t *)v, key, val) {
        path_key(sub, "watermark", key);
        if (!pdf_in_list(wm_keys, key))
            return pdf_fail(p->err, "bad_input", "watermark: unknown property \"%s\"", key);
        if (strcmp(key, "text") != 0 && wm_prop(p, wm, key, val, sub) != 0)
            return -1;
    }
    if (pdf_check_bmp(json_string_value(text), "watermark", p->err) != 0)
        return -1;
    wm->text = *json_string_value(text) ? json_string_value(text) : NULL;
    return 0;
}

/* permissions: what a reader without the owner password may do, as the
 * bits of PDF's P entry; as in pdfmake, what is not given is denied. */
static const struct { const char *key; unsigned bits; } perm_bits[] = {
    { "modifying", 1u << 3 }, { "copying", 1u << 4 }, { "annotating", 1u << 5 },
    { "fillingForms", 1u << 8 }, { "contentAccessibility", 1u << 9 },
    { "documentAssembly", 1u << 10 }, { NULL, 0 },
};

static int perm_prop(struct parser *p, const char *key, const json_t *v, unsigned *perms)
{
    const char *s = json_string_value(v);
    int on = 0;

    if (strcmp(key, "printing") == 0) {
        if (s && strcmp(s, "lowResolution") == 0)
            *perms |= 1u << 2;
        else if (s && strcmp(s, "highResolution") == 0)
            *perms |= 1u << 2 | 1u << 11;
        else
            return pdf_fail(p->err, "bad_input",
                            "permissions.printing: must be lowResolution or highResolution");
        return 0;
    }
    for (int i = 0; perm_bits[i].key; i++)
        if (strcmp(perm_bits[i].key, key) == 0) {
            char sub[PATH_MAX_LEN];
            path_key(sub, "permissions", key);
            if (get_bool(p, v, sub, &on) != 0)
                return -1;
            *perms |= on ? perm_bits[i].bits : 0;
            return 0;
        }
    return pdf_fail(p->err, "bad_input", "permissions: unknown property \"%s\"", key);
}

static int parse_crypt(struct parser *p, const json_t *def)
{
    struct pdf_crypt *c = &p->doc->crypt;
    const json_t *owner = json_object_get(def, "ownerPassword");
    const json_t *user = json_object_get(def, "userPassword");
    const json_t *perms = json_object_get(def, "permissions");
    const char *key;
    const json_t *v;

    if (owner && !json_is_string(owner))
        return pdf_fail(p->err, "bad_input", "ownerPassword: must be a string");
    if (user && !json_is_string(user))
        return pdf_fail(p->err, "bad_input", "userPassword: must be a string");
    c->owner = json_string_value(owner);
    c->user = json_string_value(user);
    if (!perms)
        return 0;
    if (!json_is_object(perms))
        return pdf_fail(p->err, "bad_input", "permissions: must be an object");
    if (!(c->owner && *c->owner) && !(c->user && *c->user))
        return pdf_fail(p->err, "bad_input",
                        "permissions: need ownerPassword or userPassword (nothing is encrypted)");
    c->has_permissions = 1;
    json_object_foreach((json_t *)perms, key, v)
        if (perm_prop(p, key, v, &c->permissions) != 0)
            return -1;
    return 0;
}

/* The top-level keys drawn by decor.c (the background is a page-wide
 * header, parsed like one). */
static int parse_decor(struct parser *p, const json_t *def, const struct pdf_style *base)
{
    const json_t *wm = json_object_get(def, "watermark");
    const json_t *bg = json_object_get(def, "background");

    if (wm && parse_watermark(p, wm, base) != 0)
        return -1;
    if (bg && parse_margin_para(p, bg, base, "background", &p->doc->background) != 0)
        return -1;
    if (bg && p->doc->background.style.margin[PDF_LEFT] +
              p->doc->background.style.margin[PDF_RIGHT] >= p->doc->page_w)
        return pdf_fail(p->err, "bad_input", "background.margin: leaves no room on the page");
    p->doc->has_background = bg != NULL;
    return parse_crypt(p, def);
}

static const char *const top_keys[] = {
    "content", "styles", "defaultStyle", "pageSize", "pageOrientation", "pageMargins",
    "info", "header", "footer", "compress", "images",
    "watermark", "background", "ownerPassword", "userPassword", "permissions", NULL,
};

static int check_top(struct parser *p, const json_t *def)
{
    const char *key;
    const json_t *v;

    json_object_foreach((json_t *)def, key, v) {
        if (pdf_in_list(top_keys, key))
            continue;
        if (pdf_in_list(unsupported_top, key))
            return pdf_fail(p->err, "unsupported", "%s: \"%s\" is not supported yet", key, key);
        if (pdf_parse_warn(p, "%s: unknown property \"%s\" ignored", key, key) != 0)
            return -1;
    }
    if (!json_object_get(def, "content"))
        return pdf_fail(p->err, "bad_input", "content: missing");
    return 0;
}

/* Named styles are checked once up front, so errors in them name
 * styles.NAME.prop whether or not a node uses them. */
static int check_styles(struct parser *p, const json_t *styles)
{
    const char *key;
    const json_t *v;
    char path[PATH_MAX_LEN];
    struct pdf_style scratch;

    if (!json_is_object(styles))
        return pdf_fail(p->err, "bad_input", "styles: must be an object");
    json_object_foreach((json_t *)styles, key, v) {
        path_key(path, "styles", key);
        memset(&scratch, 0, sizeof scratch);
        if (!json_is_object(v))
            return pdf_fail(p->err, "bad_input", "%s: must be an object", path);
        if (apply_props(p, &scratch, v, path, NULL) != 0)
            return -1;
    }
    return 0;
}

static int base_style(struct parser *p, const json_t *def, struct pdf_style *st)
{
    const json_t *ds = json_object_get(def, "defaultStyle");

    memset(st, 0, sizeof *st);
    st->font_size = 12;             /* pdfmake's defaults */
    st->line_height = 1;
    st->family = PDF_FAM_DEFAULT;
    if (!ds)
        return 0;
    if (!json_is_object(ds))
        return pdf_fail(p->err, "bad_input", "defaultStyle: must be an object");
    if (apply_props(p, st, ds, "defaultStyle", NULL) != 0)
        return -1;
    memset(st->margin, 0, sizeof st->margin);
    return 0;
}

int pdf_doc_parse(struct pdf_doc *doc, const json_t *def, long long max_depth,
                  long long max_cells, const struct pdf_image_limits *img_lim,
                  const struct pdf_fontset *fonts, struct pdf_err *err)
{
    struct parser p = {
        doc, NULL, max_depth, max_cells, 0, img_lim, fonts, err, 0, NULL, NULL, 0,
    };
    const json_t *hdr, *ftr, *info;
    struct pdf_style base;
    static const double no_indent[2] = { 0, 0 };

    memset(doc, 0, sizeof *doc);
    if (!json_is_object(def))
        return pdf_fail(err, "bad_input", "payload: must be a JSON object (a document definition)");
    if (check_top(&p, def) != 0)
        return -1;
    p.styles = json_object_get(def, "styles");
    if ((p.styles && check_styles(&p, p.styles) != 0) || base_style(&p, def, &base) != 0 ||
        parse_page(&p, def) != 0)
        return -1;
    if ((info = json_object_get(def, "info")) && parse_info(&p, info) != 0)
        return -1;
    hdr = json_object_get(def, "header");
    ftr = json_object_get(def, "footer");
    if ((hdr && parse_margin_para(&p, hdr, &base, "header", &doc->header) != 0) ||
        (ftr && parse_margin_para(&p, ftr, &base, "footer", &doc->footer) != 0))
        return -1;
    doc->has_header = hdr != NULL;
    doc->has_footer = ftr != NULL;
    if (parse_decor(&p, def, &base) != 0 || pdf_xref_prescan(&p, json_object_get(def, "content")) ||
        add_node(&p, json_object_get(def, "content"), &base, no_indent, "content", 1) != 0)
        return -1;
    return pdf_xref_resolve(&p);
}

static void pdf_canvas_free(struct pdf_canvas *cv)
{
    for (size_t i = 0; cv->ops && i < cv->nops; i++)
        free(cv->ops[i].pts);
    free(cv->ops);
    memset(cv, 0, sizeof *cv);
}

void pdf_doc_free(struct pdf_doc *doc)
{
    for (size_t i = 0; i < doc->nblocks; i++)
        pdf_para_free(&doc->blocks[i].para);
    for (size_t i = 0; i < doc->nblocks; i++)
        pdf_para_free(&doc->blocks[i].marker);
    for (size_t i = 0; i < doc->nblocks; i++)
        pdf_image_free(&doc->blocks[i].image);
    for (size_t i = 0; i < doc->nblocks; i++)
        pdf_canvas_free(&doc->blocks[i].canvas);
    for (size_t i = 0; i < doc->nblocks; i++)
        pdf_table_free(doc->blocks[i].table);
    for (size_t i = 0; i < doc->nblocks; i++)
        pdf_columns_free(doc->blocks[i].columns);
    free(doc->blocks);
    free(doc->lists);
    json_decref(doc->warnings);
    pdf_para_free(&doc->header);
    pdf_para_free(&doc->footer);
    pdf_para_free(&doc->background);
    pdf_xref_free(&doc->xref);
    memset(doc, 0, sizeof *doc);
}

/* ---- for table.c: the parser's building blocks (parse.h) ---- */

int pdf_parse_warn(struct parser *p, const char *fmt, ...)
{
    json_t **w = &p->doc->warnings;
    char msg[PATH_MAX_LEN + 128];
    va_list ap;

    if (!*w && !(*w = json_array()))
        return pdf_fail(p->err, "render_error", "out of memory");
    if (json_array_size(*w) > PDF_MAX_WARNINGS)
        return 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (json_array_size(*w) == PDF_MAX_WARNINGS)
        snprintf(msg, sizeof msg, "more warnings not shown");
    if (json_array_append_new(*w, json_string(msg)) != 0)
        return pdf_fail(p->err, "render_error", "out of memory");
    return 0;
}

int pdf_parse_node(struct parser *p, const json_t *node, const struct pdf_style *parent,
                   const double indent[2], const char *path, long long depth)
{
    return add_node(p, node, parent, indent, path, depth);
}

int pdf_parse_style(struct parser *p, const struct pdf_style *parent, const json_t *obj,
                    const char *path, const char *const *skip, struct pdf_style *st)
{
    return resolve_style(p, parent, obj, path, skip, st);
}

int pdf_parse_color(struct parser *p, const json_t *v, const char *path, double rgb[3])
{
    return get_color(p, v, path, rgb);
}

int pdf_parse_bool(struct parser *p, const json_t *v, const char *path, int *out)
{
    return get_bool(p, v, path, out);
}

size_t pdf_parse_block(struct parser *p, enum pdf_block_kind kind)
{
    return new_block(p, kind) ? p->doc->nblocks - 1 : (size_t)-1;
}

int pdf_parse_space(struct parser *p, double pts)
{
    return add_space(p, pts);
}

void pdf_path_key(char dst[PATH_MAX_LEN], const char *path, const char *key)
{
    path_key(dst, path, key);
}

void pdf_path_index(char dst[PATH_MAX_LEN], const char *path, size_t i)
{
    path_index(dst, path, i);
}
