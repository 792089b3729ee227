/* Plots: a tiny canvas (tools/plot.h) written as SVG or rasterized into PNG by hand, and the
 * forecast plot of `rnnc forecast --plot` drawn on it once for both formats.
 *
 * The raster: strokes are anti-aliased by the distance of each pixel centre from the segment
 * (coverage = half width + 0.5 - distance, clamped to [0, 1]), with round ends; a stroke's
 * coverage is the maximum over its segments, blended once, so joints are not drawn twice. Dashes
 * follow the arc length from the first point, each dash shortened by the half width at both ends
 * so its round ends keep the dash its length. Text uses a 5x7 bitmap font (9 rows with the
 * descenders) scaled by whole pixels; rotated text is sampled 4x4 per pixel from the font. */
#include "plot.h"

#include <assert.h>
#include <stdint.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* An invariant of this file that stays on in release builds. */
#define PLOT_ASSERT(cond)                                                                          \
    ((cond) ? (void)0                                                                              \
            : (fprintf(stderr, "rnnc: internal error: %s (%s:%d)\n", #cond, __FILE__, __LINE__),   \
               abort()))

/* ---- the font ---- */

/* Printable ASCII 32..126, 5 columns x 9 rows each: rows 0-6 stand on the baseline (capitals and
 * digits fill them), rows 7-8 hang below it (g, j, p, q, y, comma, underscore). Bit 4 of a row is
 * its leftmost column. Drawn by hand for rnnc. */
static const unsigned char font5x7[95][9] = {
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* space */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00, 0x00}, /* ! */
    {0x0a, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* " */
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a, 0x00, 0x00}, /* # */
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04, 0x00, 0x00}, /* $ */
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00, 0x00}, /* % */
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d, 0x00, 0x00}, /* & */
    {0x04, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* quote */
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00, 0x00}, /* ( */
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00, 0x00}, /* ) */
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00, 0x00, 0x00}, /* * */
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00, 0x00, 0x00}, /* + */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x04, 0x08}, /* , */
    {0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00}, /* - */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x00, 0x00}, /* . */
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00, 0x00, 0x00}, /* / */
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e, 0x00, 0x00}, /* 0 */
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* 1 */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f, 0x00, 0x00}, /* 2 */
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e, 0x00, 0x00}, /* 3 */
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02, 0x00, 0x00}, /* 4 */
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e, 0x00, 0x00}, /* 5 */
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* 6 */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00, 0x00}, /* 7 */
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* 8 */
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c, 0x00, 0x00}, /* 9 */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00, 0x00, 0x00}, /* : */
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x04, 0x08, 0x00}, /* ; */
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02, 0x00, 0x00}, /* < */
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00}, /* = */
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08, 0x00, 0x00}, /* > */
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00, 0x00}, /* ? */
    {0x0e, 0x11, 0x01, 0x0d, 0x15, 0x15, 0x0e, 0x00, 0x00}, /* @ */
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00, 0x00}, /* A */
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e, 0x00, 0x00}, /* B */
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e, 0x00, 0x00}, /* C */
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c, 0x00, 0x00}, /* D */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f, 0x00, 0x00}, /* E */
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10, 0x00, 0x00}, /* F */
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f, 0x00, 0x00}, /* G */
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00, 0x00}, /* H */
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* I */
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c, 0x00, 0x00}, /* J */
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00, 0x00}, /* K */
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f, 0x00, 0x00}, /* L */
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00, 0x00}, /* M */
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00, 0x00}, /* N */
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* O */
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10, 0x00, 0x00}, /* P */
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d, 0x00, 0x00}, /* Q */
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11, 0x00, 0x00}, /* R */
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e, 0x00, 0x00}, /* S */
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* T */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* U */
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00, 0x00}, /* V */
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a, 0x00, 0x00}, /* W */
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11, 0x00, 0x00}, /* X */
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* Y */
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f, 0x00, 0x00}, /* Z */
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e, 0x00, 0x00}, /* [ */
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00, 0x00, 0x00}, /* backslash */
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e, 0x00, 0x00}, /* ] */
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ^ */
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00}, /* _ */
    {0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, /* ` */
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f, 0x00, 0x00}, /* a */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e, 0x00, 0x00}, /* b */
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e, 0x00, 0x00}, /* c */
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f, 0x00, 0x00}, /* d */
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e, 0x00, 0x00}, /* e */
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08, 0x00, 0x00}, /* f */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* g */
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, /* h */
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* i */
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}, /* j */
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00, 0x00}, /* k */
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00, 0x00}, /* l */
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x15, 0x15, 0x00, 0x00}, /* m */
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00, 0x00}, /* n */
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e, 0x00, 0x00}, /* o */
    {0x00, 0x00, 0x1e, 0x11, 0x11, 0x11, 0x1e, 0x10, 0x10}, /* p */
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x01}, /* q */
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00, 0x00}, /* r */
    {0x00, 0x00, 0x0f, 0x10, 0x0e, 0x01, 0x1e, 0x00, 0x00}, /* s */
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06, 0x00, 0x00}, /* t */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d, 0x00, 0x00}, /* u */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00, 0x00}, /* v */
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a, 0x00, 0x00}, /* w */
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x00, 0x00}, /* x */
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e}, /* y */
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f, 0x00, 0x00}, /* z */
    {0x03, 0x04, 0x04, 0x08, 0x04, 0x04, 0x03, 0x00, 0x00}, /* { */
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x00}, /* | */
    {0x18, 0x04, 0x04, 0x02, 0x04, 0x04, 0x18, 0x00, 0x00}, /* } */
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00, 0x00}, /* ~ */
};

enum { GLYPH_W = 5, GLYPH_ROWS = 9, GLYPH_ASCENT = 7, GLYPH_ADVANCE = 6 };

/* ---- colours ---- */

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* "#rgb", "#rrggbb", "white" or "black" into rgb[3]; -1 if it is none of them. */
static int parse_color(const char *s, unsigned char rgb[3]) {
    if (!strcmp(s, "white"))
        return memset(rgb, 255, 3), 0;
    if (!strcmp(s, "black"))
        return memset(rgb, 0, 3), 0;
    size_t n = strlen(s);
    if (s[0] != '#' || (n != 4 && n != 7))
        return -1;
    for (int k = 0; k < 3; k++) {
        int hi = hexval(s[n == 4 ? 1 + k : 1 + 2 * k]), lo = hexval(s[n == 4 ? 1 + k : 2 + 2 * k]);
        if (hi < 0 || lo < 0)
            return -1;
        rgb[k] = (unsigned char)(n == 4 ? hi * 17 : hi * 16 + lo);
    }
    return 0;
}

/* ---- the canvas: a list of drawing operations ---- */

enum { OP_LINE, OP_POLYLINE, OP_RECT, OP_TEXT, OP_POLYGON };

typedef struct op {
    int kind, fmt;
    double x, y, x2, y2; /* line: the ends; rect: corner and size; text: the anchor point */
    double *xy;          /* polyline points (n,2), owned */
    size_t n;
    char color[16];       /* stroke, fill or text colour as given; "" for the text default */
    unsigned char rgb[3]; /* the colour parsed */
    double width, dash[2];
    char *text; /* owned */
    double size, rotate;
    int anchor;
} op;

struct plot_canvas {
    int w, h;
    char bg[16];
    op *ops;
    size_t n, cap;
    rnnc_status err; /* the first failure, kept */
};

rnnc_status plot_canvas_create(int width, int height, const char *background, plot_canvas **out) {
    if (!out)
        return rnnc_error(RNNC_ERR_ARG, "plot_canvas_create: NULL out");
    *out = NULL;
    unsigned char rgb[3];
    if (width < 1 || width > 8192 || height < 1 || height > 8192)
        return rnnc_error(RNNC_ERR_ARG, "canvas: size %d x %d is outside 1..8192", width, height);
    if (background && (strlen(background) >= 16 || parse_color(background, rgb)))
        return rnnc_error(RNNC_ERR_ARG, "canvas: unknown colour '%s'", background);
    plot_canvas *c = calloc(1, sizeof *c);
    if (!c)
        return rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
    c->w = width, c->h = height;
    if (background)
        strcpy(c->bg, background);
    *out = c;
    return RNNC_OK;
}

void plot_canvas_free(plot_canvas *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->ops[i].xy), free(c->ops[i].text);
    free(c->ops);
    free(c);
}

/* A new operation of the given colour at the end of the list, or NULL (the failure is kept). */
static op *push(plot_canvas *c, int kind, const char *color, int fmt) {
    if (!c || c->err)
        return NULL;
    unsigned char rgb[3] = {0, 0, 0};
    if (color && (strlen(color) >= 16 || parse_color(color, rgb))) {
        c->err = rnnc_error(RNNC_ERR_ARG, "canvas: unknown colour '%s'", color);
        return NULL;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        op *ops = realloc(c->ops, cap * sizeof *ops);
        if (!ops) {
            c->err = rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
            return NULL;
        }
        c->ops = ops, c->cap = cap;
    }
    op *o = &c->ops[c->n++];
    memset(o, 0, sizeof *o);
    o->kind = kind, o->fmt = fmt;
    if (color)
        strcpy(o->color, color);
    memcpy(o->rgb, rgb, 3);
    return o;
}

static void set_stroke(op *o, const plot_stroke *s) {
    o->width = s->width > 0 ? s->width : 1;
    o->dash[0] = s->dash[0], o->dash[1] = s->dash[1];
}

void plot_canvas_line(plot_canvas *c, double x1, double y1, double x2, double y2,
                      const plot_stroke *s, int fmt) {
    op *o = push(c, OP_LINE, s->color, fmt);
    if (!o)
        return;
    o->x = x1, o->y = y1, o->x2 = x2, o->y2 = y2;
    set_stroke(o, s);
}

void plot_canvas_polyline(plot_canvas *c, const double *xy, size_t n, const plot_stroke *s) {
    if (n == 0)
        return;
    double *copy = malloc(2 * n * sizeof *copy);
    if (!copy) {
        if (c && !c->err)
            c->err = rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
        return;
    }
    op *o = push(c, OP_POLYLINE, s->color, PLOT_XY_DEC);
    if (!o) {
        free(copy);
        return;
    }
    memcpy(copy, xy, 2 * n * sizeof *copy);
    o->xy = copy, o->n = n;
    set_stroke(o, s);
}

void plot_canvas_polygon(plot_canvas *c, const double *xy, size_t n, const char *fill) {
    if (n < 3)
        return;
    double *copy = malloc(2 * n * sizeof *copy);
    if (!copy) {
        if (c && !c->err)
            c->err = rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
        return;
    }
    op *o = push(c, OP_POLYGON, fill, PLOT_XY_DEC);
    if (!o) {
        free(copy);
        return;
    }
    memcpy(copy, xy, 2 * n * sizeof *copy);
    o->xy = copy, o->n = n;
}

void plot_canvas_rect(plot_canvas *c, double x, double y, double w, double h, const char *fill,
                      int fmt) {
    op *o = push(c, OP_RECT, fill, fmt);
    if (!o)
        return;
    o->x = x, o->y = y, o->x2 = w, o->y2 = h;
}

void plot_canvas_text(plot_canvas *c, double x, double y, const char *text, const plot_font *f,
                      int fmt) {
    char *copy = strdup(text ? text : "");
    if (!copy) {
        if (c && !c->err)
            c->err = rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
        return;
    }
    op *o = push(c, OP_TEXT, f ? f->color : NULL, fmt);
    if (!o) {
        free(copy);
        return;
    }
    o->x = x, o->y = y, o->text = copy;
    o->size = f && f->size > 0 ? f->size : 12;
    o->anchor = f ? f->anchor : PLOT_ANCHOR_START;
    o->rotate = f ? f->rotate : 0;
}

/* ---- SVG ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sputs(sbuf *b, const char *s, size_t k) {
    if (b->oom)
        return;
    if (b->n + k + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + k + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, s, k);
    b->n += k;
    b->p[b->n] = 0;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
sprint(sbuf *b, const char *fmt, ...) {
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    PLOT_ASSERT(k >= 0 && (size_t)k < sizeof tmp);
    sputs(b, tmp, (size_t)k);
}

/* A coordinate: a whole number or one decimal (PLOT_X_INT / PLOT_Y_INT). */
static void num(sbuf *b, double v, int whole) {
    if (whole)
        sprint(b, "%ld", lround(v));
    else
        sprint(b, "%.1f", v);
}

static void xml_text(sbuf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '<')
            sputs(b, "&lt;", 4);
        else if (*s == '>')
            sputs(b, "&gt;", 4);
        else if (*s == '&')
            sputs(b, "&amp;", 5);
        else
            sputs(b, s, 1);
    }
}

static void svg_stroke(sbuf *b, const op *o) {
    sprint(b, " stroke=\"%s\"", o->color);
    if (o->width != 1)
        sprint(b, " stroke-width=\"%g\"", o->width);
    if (o->dash[0] > 0 && o->dash[1] > 0)
        sprint(b, " stroke-dasharray=\"%g %g\"", o->dash[0], o->dash[1]);
}

/* A point as x="X" y="Y" or "X Y" (attr NULL). */
static void svg_xy(sbuf *b, const char *ax, const char *ay, double x, double y, int fmt) {
    if (ax)
        sprint(b, " %s=\"", ax);
    num(b, x, fmt & PLOT_X_INT);
    sputs(b, ax ? "\" " : " ", ax ? 2 : 1);
    if (ay)
        sprint(b, "%s=\"", ay);
    num(b, y, fmt & PLOT_Y_INT);
    if (ay)
        sputs(b, "\"", 1);
}

static void svg_op(sbuf *b, const op *o) {
    static const char *const anchors[] = {NULL, "middle", "end"};
    switch (o->kind) {
    case OP_LINE:
        sputs(b, "<line", 5);
        svg_xy(b, "x1", "y1", o->x, o->y, o->fmt);
        svg_xy(b, "x2", "y2", o->x2, o->y2, o->fmt);
        svg_stroke(b, o);
        sputs(b, "/>\n", 3);
        break;
    case OP_POLYLINE:
        sputs(b, "<polyline fill=\"none\"", 21);
        svg_stroke(b, o);
        sputs(b, " points=\"", 9);
        for (size_t i = 0; i < o->n; i++)
            sprint(b, "%.1f,%.1f ", o->xy[2 * i], o->xy[2 * i + 1]);
        sputs(b, "\"/>\n", 4);
        break;
    case OP_POLYGON:
        sprint(b, "<polygon fill=\"%s\" points=\"", o->color);
        for (size_t i = 0; i < o->n; i++)
            sprint(b, "%.1f,%.1f ", o->xy[2 * i], o->xy[2 * i + 1]);
        sputs(b, "\"/>\n", 4);
        break;
    case OP_RECT:
        sputs(b, "<rect", 5);
        svg_xy(b, "x", "y", o->x, o->y, o->fmt);
        svg_xy(b, "width", "height", o->x2, o->y2, o->fmt);
        sprint(b, " fill=\"%s\"/>\n", o->color);
        break;
    case OP_TEXT: {
        const int vertical = fabs(o->rotate) == 90;
        sputs(b, "<text", 5);
        /* Text along a vertical axis is placed by a translation, other text by x and y. */
        if (vertical) {
            sputs(b, " transform=\"translate(", 22);
            svg_xy(b, NULL, NULL, o->x, o->y, o->fmt);
            sprint(b, ") rotate(%g)\"", o->rotate);
        } else {
            svg_xy(b, "x", "y", o->x, o->y, o->fmt);
        }
        if (o->size != 12)
            sprint(b, " font-size=\"%g\"", o->size);
        if (o->anchor > 0 && o->anchor < 3)
            sprint(b, " text-anchor=\"%s\"", anchors[o->anchor]);
        if (o->color[0])
            sprint(b, " fill=\"%s\"", o->color);
        if (o->rotate != 0 && !vertical) {
            sprint(b, " transform=\"rotate(%g ", o->rotate);
            svg_xy(b, NULL, NULL, o->x, o->y, o->fmt);
            sputs(b, ")\"", 2);
        }
        sputs(b, ">", 1);
        xml_text(b, o->text);
        sputs(b, "</text>\n", 8);
        break;
    }
    default: PLOT_ASSERT(0);
    }
}

rnnc_status plot_canvas_svg(const plot_canvas *c, char **out, size_t *len) {
    if (!c || !out || !len)
        return rnnc_error(RNNC_ERR_ARG, "plot_canvas_svg: NULL argument");
    *out = NULL, *len = 0;
    if (c->err)
        return c->err;
    sbuf b = {NULL, 0, 0, 0};
    sprint(&b,
           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
           "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
           c->w, c->h, c->w, c->h);
    if (c->bg[0])
        sprint(&b, "<rect width=\"100%%\" height=\"100%%\" fill=\"%s\"/>\n", c->bg);
    for (size_t i = 0; i < c->n; i++)
        svg_op(&b, &c->ops[i]);
    sputs(&b, "</svg>\n", 7);
    if (b.oom) {
        free(b.p);
        return rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory for the SVG text");
    }
    *out = b.p, *len = b.n;
    return RNNC_OK;
}

/* ---- the raster ---- */

typedef struct raster {
    unsigned char *rgb; /* (H,W,3) */
    float *cov;         /* (H,W) coverage of the stroke being drawn, 0 outside it */
    int W, H;
    int x0, y0, x1, y1; /* the pixels [x0,x1) x [y0,y1) the stroke touched */
} raster;

static void blend(raster *r, int x, int y, const unsigned char rgb[3], double a) {
    unsigned char *p = r->rgb + 3 * ((size_t)y * (size_t)r->W + (size_t)x);
    for (int k = 0; k < 3; k++)
        p[k] = (unsigned char)lround(p[k] + a * (rgb[k] - p[k]));
}

static int clampi(double v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : (int)v;
}

/* Adds the segment (ax,ay)-(bx,by) with half width hw (output pixels) to the coverage. */
static void segment(raster *r, double ax, double ay, double bx, double by, double hw) {
    const double pad = hw + 1;
    const int x0 = clampi(floor(fmin(ax, bx) - pad), 0, r->W),
              x1 = clampi(ceil(fmax(ax, bx) + pad), 0, r->W);
    const int y0 = clampi(floor(fmin(ay, by) - pad), 0, r->H),
              y1 = clampi(ceil(fmax(ay, by) + pad), 0, r->H);
    const double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            /* The distance from the pixel centre to the nearest point of the segment. */
            const double px = x + 0.5 - ax, py = y + 0.5 - ay;
            double t = len2 > 0 ? (px * dx + py * dy) / len2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            const double ex = px - t * dx, ey = py - t * dy;
            const double a = hw + 0.5 - sqrt(ex * ex + ey * ey);
            float *cv = &r->cov[(size_t)y * (size_t)r->W + (size_t)x];
            if (a > *cv)
                *cv = (float)(a > 1 ? 1 : a);
        }
    if (x0 < x1 && y0 < y1) {
        r->x0 = x0 < r->x0 ? x0 : r->x0, r->x1 = x1 > r->x1 ? x1 : r->x1;
        r->y0 = y0 < r->y0 ? y0 : r->y0, r->y1 = y1 > r->y1 ? y1 : r->y1;
    }
}

/* The part [s0, s1] of the arc length of the polyline p (n,2) with cumulative lengths cum (n). */
static void arc_part(raster *r, const double *p, const double *cum, size_t n, double s0, double s1,
                     double hw) {
    for (size_t k = 0; k + 1 < n; k++) {
        const double a = cum[k], b = cum[k + 1];
        if (b < s0 || a > s1 || b <= a)
            continue;
        const double t0 = (fmax(s0, a) - a) / (b - a), t1 = (fmin(s1, b) - a) / (b - a);
        const double *u = p + 2 * k, *v = p + 2 * k + 2;
        segment(r, u[0] + t0 * (v[0] - u[0]), u[1] + t0 * (v[1] - u[1]), u[0] + t1 * (v[0] - u[0]),
                u[1] + t1 * (v[1] - u[1]), hw);
    }
}

/* A stroke through p (n,2) (output pixels): its coverage, blended once, then cleared. */
static rnnc_status stroke(raster *r, const op *o, const double *p, size_t n, int scale) {
    const double hw = o->width * scale / 2;
    r->x0 = r->W, r->y0 = r->H, r->x1 = r->y1 = 0;
    if (n == 1)
        segment(r, p[0], p[1], p[0], p[1], hw);
    if (!(o->dash[0] > 0 && o->dash[1] > 0)) {
        for (size_t k = 0; k + 1 < n; k++)
            segment(r, p[2 * k], p[2 * k + 1], p[2 * k + 2], p[2 * k + 3], hw);
    } else {
        double *cum = malloc(n * sizeof *cum);
        if (!cum)
            return rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
        cum[0] = 0;
        for (size_t k = 1; k < n; k++)
            cum[k] = cum[k - 1] + hypot(p[2 * k] - p[2 * k - 2], p[2 * k + 1] - p[2 * k - 1]);
        const double on = o->dash[0] * scale, period = on + o->dash[1] * scale;
        for (double s = 0; s < cum[n - 1]; s += period) {
            /* The dash [s, s + on], shortened by the half width at each end for its round ends. */
            double a = s + hw, b = fmin(s + on, cum[n - 1]) - hw;
            if (a > b)
                a = b = (s + fmin(s + on, cum[n - 1])) / 2;
            arc_part(r, p, cum, n, a, b, hw);
        }
        free(cum);
    }
    for (int y = r->y0; y < r->y1; y++)
        for (int x = r->x0; x < r->x1; x++) {
            float *cv = &r->cov[(size_t)y * (size_t)r->W + (size_t)x];
            if (*cv > 0)
                blend(r, x, y, o->rgb, *cv), *cv = 0;
        }
    return RNNC_OK;
}

/* A filled rectangle: each pixel blended by the part of it the rectangle covers. */
static void fill_rect(raster *r, const op *o, int scale) {
    double ax = o->x * scale, ay = o->y * scale, bx = ax + o->x2 * scale, by = ay + o->y2 * scale;
    if (bx < ax) {
        double t = ax;
        ax = bx, bx = t;
    }
    if (by < ay) {
        double t = ay;
        ay = by, by = t;
    }
    const int x0 = clampi(floor(ax), 0, r->W), x1 = clampi(ceil(bx), 0, r->W);
    const int y0 = clampi(floor(ay), 0, r->H), y1 = clampi(ceil(by), 0, r->H);
    for (int y = y0; y < y1; y++) {
        const double fy = fmin(by, y + 1) - fmax(ay, y);
        for (int x = x0; x < x1; x++) {
            const double a = fy * (fmin(bx, x + 1) - fmax(ax, x));
            if (a > 0)
                blend(r, x, y, o->rgb, a > 1 ? 1 : a);
        }
    }
}

/* A filled polygon (even-odd): 4 sample rows per pixel row, each adding the exact part of every
 * pixel its spans cover (a quarter each) to the coverage, blended once. */
static rnnc_status fill_polygon(raster *r, const op *o, int scale) {
    const size_t n = o->n;
    double *xs = malloc(n * sizeof *xs);
    if (!xs)
        return rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
    double ylo = INFINITY, yhi = -INFINITY;
    for (size_t k = 0; k < n; k++)
        ylo = fmin(ylo, o->xy[2 * k + 1] * scale), yhi = fmax(yhi, o->xy[2 * k + 1] * scale);
    const int y0 = clampi(floor(ylo), 0, r->H), y1 = clampi(ceil(yhi), 0, r->H);
    int xmin = r->W, xmax = 0;
    for (int y = y0; y < y1; y++)
        for (int sub = 0; sub < 4; sub++) {
            const double sy = y + (sub + 0.5) / 4;
            size_t m = 0;
            for (size_t k = 0; k < n; k++) {
                const double *a = o->xy + 2 * k, *b = o->xy + 2 * ((k + 1) % n);
                const double ay = a[1] * scale, by = b[1] * scale;
                if ((ay <= sy) == (by <= sy))
                    continue;
                xs[m++] = (a[0] + (sy - ay) / (by - ay) * (b[0] - a[0])) * scale;
            }
            for (size_t i = 1; i < m; i++) /* insertion sort: a few crossings per row */
                for (size_t j = i; j > 0 && xs[j - 1] > xs[j]; j--) {
                    const double t = xs[j];
                    xs[j] = xs[j - 1], xs[j - 1] = t;
                }
            for (size_t i = 0; i + 1 < m; i += 2) {
                const double a = fmax(xs[i], 0), b = fmin(xs[i + 1], r->W);
                for (int x = clampi(floor(a), 0, r->W); x < r->W && x < b; x++) {
                    const double part = fmin(b, x + 1) - fmax(a, x);
                    if (part > 0)
                        r->cov[(size_t)y * (size_t)r->W + (size_t)x] += (float)(part / 4);
                    xmin = x < xmin ? x : xmin, xmax = x + 1 > xmax ? x + 1 : xmax;
                }
            }
        }
    for (int y = y0; y < y1; y++)
        for (int x = xmin; x < xmax; x++) {
            float *cv = &r->cov[(size_t)y * (size_t)r->W + (size_t)x];
            if (*cv > 0)
                blend(r, x, y, o->rgb, *cv > 1 ? 1 : *cv), *cv = 0;
        }
    free(xs);
    return RNNC_OK;
}

/* The glyph of one byte of text: printable ASCII, '?' for the first byte of anything else, NULL
 * for UTF-8 continuation bytes (they take no place). */
static const unsigned char *glyph(unsigned char ch) {
    if (ch >= 32 && ch <= 126)
        return font5x7[ch - 32];
    return ch >= 0x80 && ch < 0xc0 ? NULL : font5x7['?' - 32];
}

/* Whether the text's font pixel under the point (u, v) is set: u from the left end of the text,
 * v from the baseline (down), both in font pixels. */
static int text_bit(const unsigned char *const *g, size_t n, double u, double v) {
    if (u < 0 || v < -GLYPH_ASCENT || v >= GLYPH_ROWS - GLYPH_ASCENT)
        return 0;
    const size_t k = (size_t)(u / GLYPH_ADVANCE);
    const int col = (int)(u - (double)k * GLYPH_ADVANCE), row = (int)floor(v) + GLYPH_ASCENT;
    return k < n && col < GLYPH_W && (g[k][row] >> (GLYPH_W - 1 - col) & 1);
}

static rnnc_status text(raster *r, const op *o, int scale) {
    const size_t len = strlen(o->text);
    const unsigned char **g = malloc((len ? len : 1) * sizeof *g);
    if (!g)
        return rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if ((g[n] = glyph((unsigned char)o->text[i])))
            n++;
    /* One font pixel is px x px output pixels: 2 at scale 2 for the default size 12. */
    int px = (int)floor(scale * o->size / 12 + 0.5);
    px = px < 1 ? 1 : px;
    const double width = n ? (double)(n * GLYPH_ADVANCE - 1) : 0; /* font pixels */
    const double shift = o->anchor == PLOT_ANCHOR_END      ? -width
                         : o->anchor == PLOT_ANCHOR_MIDDLE ? -width / 2
                                                           : 0;
    const double ax = o->x * scale, ay = o->y * scale;
    if (o->rotate == 0) {
        /* Upright text on whole pixels: every font pixel a px x px block, no blending. */
        const long ox = lround(ax + shift * px), oy = lround(ay);
        for (size_t k = 0; k < n; k++)
            for (int row = 0; row < GLYPH_ROWS; row++)
                for (int col = 0; col < GLYPH_W; col++) {
                    if (!(g[k][row] >> (GLYPH_W - 1 - col) & 1))
                        continue;
                    const long bx = ox + ((long)k * GLYPH_ADVANCE + col) * px;
                    const long by = oy + (long)(row - GLYPH_ASCENT) * px;
                    for (long y = by; y < by + px; y++)
                        for (long x = bx; x < bx + px; x++)
                            if (x >= 0 && x < r->W && y >= 0 && y < r->H)
                                blend(r, (int)x, (int)y, o->rgb, 1);
                }
        free(g);
        return RNNC_OK;
    }
    /* Rotated text: each output pixel near the text samples the font at 4 x 4 points, mapped back
     * by the inverse rotation about the anchor. */
    const double a = o->rotate * acos(-1) / 180, ca = cos(a), sa = sin(a);
    const double u0 = shift * px, u1 = (shift + width) * px;
    const double v0 = -GLYPH_ASCENT * px, v1 = (GLYPH_ROWS - GLYPH_ASCENT) * px;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int k = 0; k < 4; k++) {
        const double u = k & 1 ? u1 : u0, v = k & 2 ? v1 : v0;
        const double x = ax + u * ca - v * sa, y = ay + u * sa + v * ca;
        xlo = fmin(xlo, x), xhi = fmax(xhi, x), ylo = fmin(ylo, y), yhi = fmax(yhi, y);
    }
    const int x0 = clampi(floor(xlo), 0, r->W), x1 = clampi(ceil(xhi), 0, r->W);
    const int y0 = clampi(floor(ylo), 0, r->H), y1 = clampi(ceil(yhi), 0, r->H);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            int hits = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++) {
                    const double dx = x + (sx + 0.5) / 4 - ax, dy = y + (sy + 0.5) / 4 - ay;
                    const double u = dx * ca + dy * sa, v = -dx * sa + dy * ca;
                    hits += text_bit(g, n, u / px - shift, v / px);
                }
            if (hits)
                blend(r, x, y, o->rgb, hits / 16.0);
        }
    free(g);
    return RNNC_OK;
}

rnnc_status plot_canvas_raster(const plot_canvas *c, int scale, unsigned char **rgb, int *w,
                               int *h) {
    if (!c || !rgb || !w || !h)
        return rnnc_error(RNNC_ERR_ARG, "plot_canvas_raster: NULL argument");
    *rgb = NULL;
    if (c->err)
        return c->err;
    if (scale < 1 || scale > 4)
        return rnnc_error(RNNC_ERR_ARG, "canvas: scale %d is outside 1..4", scale);
    raster r = {NULL, NULL, c->w * scale, c->h * scale, 0, 0, 0, 0};
    const size_t npx = (size_t)r.W * (size_t)r.H;
    r.rgb = malloc(3 * npx);
    r.cov = calloc(npx, sizeof *r.cov);
    if (!r.rgb || !r.cov) {
        free(r.rgb), free(r.cov);
        return rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory for %d x %d pixels", r.W, r.H);
    }
    unsigned char bg[3] = {255, 255, 255};
    if (c->bg[0])
        parse_color(c->bg, bg);
    for (size_t i = 0; i < npx; i++)
        memcpy(r.rgb + 3 * i, bg, 3);
    rnnc_status st = RNNC_OK;
    double *pts = NULL;
    for (size_t i = 0; i < c->n && st == RNNC_OK; i++) {
        const op *o = &c->ops[i];
        if (o->kind == OP_LINE) {
            const double p[4] = {o->x * scale, o->y * scale, o->x2 * scale, o->y2 * scale};
            st = stroke(&r, o, p, 2, scale);
        } else if (o->kind == OP_POLYLINE) {
            free(pts);
            pts = malloc(2 * o->n * sizeof *pts);
            if (!pts) {
                st = rnnc_error(RNNC_ERR_NOMEM, "canvas: out of memory");
                break;
            }
            for (size_t k = 0; k < 2 * o->n; k++)
                pts[k] = o->xy[k] * scale;
            st = stroke(&r, o, pts, o->n, scale);
        } else if (o->kind == OP_RECT) {
            fill_rect(&r, o, scale);
        } else if (o->kind == OP_POLYGON) {
            st = fill_polygon(&r, o, scale);
        } else {
            st = text(&r, o, scale);
        }
    }
    free(pts), free(r.cov);
    if (st) {
        free(r.rgb);
        return st;
    }
    *rgb = r.rgb, *w = r.W, *h = r.H;
    return RNNC_OK;
}

/* ---- PNG ---- */

static void be32(unsigned char *p, unsigned long v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* A chunk at p: length, type, the data (already at p + 8), and the CRC of type and data. */
static size_t chunk(unsigned char *p, const char *type, size_t len) {
    be32(p, (unsigned long)len);
    memcpy(p + 4, type, 4);
    be32(p + 8 + len, crc32(crc32(0L, Z_NULL, 0), p + 4, (uInt)(len + 4)));
    return len + 12;
}

rnnc_status plot_png_encode(const unsigned char *rgb, int w, int h, unsigned char **out,
                            size_t *len) {
    if (!rgb || !out || !len)
        return rnnc_error(RNNC_ERR_ARG, "plot_png_encode: NULL argument");
    *out = NULL, *len = 0;
    if (w < 1 || h < 1 || w > 32768 || h > 32768)
        return rnnc_error(RNNC_ERR_ARG, "PNG: size %d x %d is outside 1..32768", w, h);
    /* The filtered image: every row is its filter type (0, none) and the row's RGB bytes. */
    const size_t row = 1 + 3 * (size_t)w, raw_len = (size_t)h * row;
    unsigned char *raw = malloc(raw_len);
    const uLong bound = compressBound((uLong)raw_len);
    /* signature 8 + IHDR 25 + IDAT 12 + data + IEND 12 */
    unsigned char *png = malloc(8 + 25 + 12 + (size_t)bound + 12);
    if (!raw || !png) {
        free(raw), free(png);
        return rnnc_error(RNNC_ERR_NOMEM, "PNG: out of memory for %d x %d pixels", w, h);
    }
    for (size_t y = 0; y < (size_t)h; y++) {
        raw[y * row] = 0;
        memcpy(raw + y * row + 1, rgb + y * 3 * (size_t)w, 3 * (size_t)w);
    }
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(png, sig, 8);
    size_t n = 8;
    unsigned char *ihdr = png + n + 8;
    be32(ihdr, (unsigned long)w), be32(ihdr + 4, (unsigned long)h);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 2;  /* colour type: RGB */
    ihdr[10] = 0; /* compression: zlib */
    ihdr[11] = 0; /* filter method 0 */
    ihdr[12] = 0; /* no interlace */
    n += chunk(png + n, "IHDR", 13);
    uLongf zlen = bound;
    const int z = compress2(png + n + 8, &zlen, raw, (uLong)raw_len, Z_BEST_COMPRESSION);
    free(raw);
    if (z != Z_OK) {
        free(png);
        return rnnc_error(RNNC_ERR_NOMEM, "PNG: zlib compress2 failed (%d)", z);
    }
    n += chunk(png + n, "IDAT", (size_t)zlen);
    n += chunk(png + n, "IEND", 0);
    *out = png, *len = n;
    return RNNC_OK;
}

rnnc_status plot_canvas_png(const plot_canvas *c, int scale, unsigned char **out, size_t *len) {
    unsigned char *rgb = NULL;
    int w = 0, h = 0;
    rnnc_status st0 = plot_canvas_raster(c, scale, &rgb, &w, &h);
    if (st0 != RNNC_OK)
        return st0;
    rnnc_status st = plot_png_encode(rgb, w, h, out, len);
    free(rgb);
    return st;
}

/* ---- files ---- */

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcasecmp(s + n - k, suf);
}

rnnc_status plot_canvas_write(const plot_canvas *c, const char *path, int scale) {
    if (!c || !path || !path[0])
        return rnnc_error(RNNC_ERR_ARG, "plot_canvas_write: no path");
    unsigned char *bytes = NULL;
    size_t len = 0;
    rnnc_status st;
    if (has_suffix(path, ".svg")) {
        char *svg = NULL;
        st = plot_canvas_svg(c, &svg, &len);
        bytes = (unsigned char *)svg;
    } else if (has_suffix(path, ".png")) {
        st = plot_canvas_png(c, scale, &bytes, &len);
    } else {
        return rnnc_error(RNNC_ERR_ARG, "%s: a plot is written as .svg or .png", path);
    }
    if (st != RNNC_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", rnnc_last_error());
        rnnc_error(st, "%s: %s", path, msg);
    } else
        st = rnnc_file_write_atomic(path, bytes, len);
    free(bytes);
    return st;
}

/* ---- the forecast plot ---- */

/* A step of 1, 2 or 5 times a power of ten giving about n ticks over [lo, hi]. */
static double nice_step(double lo, double hi, int n) {
    double raw = (hi - lo) / n;
    if (!(raw > 0))
        return 1;
    double p = pow(10, floor(log10(raw))), r = raw / p;
    return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * p;
}

/* The layout in SVG units: the plot area is [ML, PW-MR] x [MT, PH-MB]. */
enum { PW = 960, PH = 480, ML = 80, MR = 24, MT = 60, MB = 72 };

static double xpos(const plot_forecast_spec *p, size_t i) {
    return ML + (p->n > 1 ? (double)i * (PW - ML - MR) / (double)(p->n - 1) : 0);
}

/* The runs of finite values of v (n) as polylines. */
static void series(plot_canvas *c, const plot_forecast_spec *p, const double *v, double y0,
                   double ys, const plot_stroke *s, double *xy /* (n,2) */) {
    size_t k = 0;
    for (size_t i = 0; i <= p->n; i++) {
        if (i < p->n && isfinite(v[i])) {
            xy[2 * k] = xpos(p, i), xy[2 * k + 1] = y0 - v[i] * ys;
            k++;
        } else if (k) {
            plot_canvas_polyline(c, xy, k, s);
            k = 0;
        }
    }
}

/* Band k: a polygon along the upper bound and back along the lower one over each run of
 * positions where both are finite; returns whether any was drawn. xy holds (2n+2,2). */
static int band(plot_canvas *c, const plot_forecast_spec *p, int k, double y0, double ys,
                const char *fill, double *xy) {
    const double *lo = p->band_lo[k], *hi = p->band_hi[k];
    int any = 0;
    for (size_t i = 0; i < p->n;) {
        if (!(isfinite(lo[i]) && isfinite(hi[i]))) {
            i++;
            continue;
        }
        size_t e = i;
        while (e < p->n && isfinite(lo[e]) && isfinite(hi[e]))
            e++;
        const size_t m = e - i;
        for (size_t q = 0; q < m; q++) {
            xy[2 * q] = xpos(p, i + q), xy[2 * q + 1] = y0 - hi[i + q] * ys;
            xy[2 * (2 * m - 1 - q)] = xpos(p, i + q);
            xy[2 * (2 * m - 1 - q) + 1] = y0 - lo[i + q] * ys;
        }
        if (m == 1) { /* one step: a narrow bar, 4 units wide */
            const double x = xy[0], top = xy[1], bottom = xy[3];
            const double bar[8] = {x - 2, top, x + 2, top, x + 2, bottom, x - 2, bottom};
            plot_canvas_polygon(c, bar, 4, fill);
        } else {
            plot_canvas_polygon(c, xy, 2 * m, fill);
        }
        any = 1;
        i = e;
    }
    return any;
}

static void draw_forecast(plot_canvas *c, const plot_forecast_spec *p, double *xy) {
    const double *all[3] = {p->history, p->actual, p->forecast};
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < 3 + 2 * p->n_bands; k++) {
        const double *v = k < 3         ? all[k]
                          : (k - 3) % 2 ? p->band_hi[(k - 3) / 2]
                                        : p->band_lo[(k - 3) / 2];
        for (size_t i = 0; i < p->n; i++)
            if (isfinite(v[i]))
                lo = v[i] < lo ? v[i] : lo, hi = v[i] > hi ? v[i] : hi;
    }
    if (!(lo <= hi))
        lo = 0, hi = 1; /* no value at all */
    if (!(hi > lo))
        hi = lo + 1;
    const double step = nice_step(lo, hi, 6);
    lo = floor(lo / step) * step, hi = ceil(hi / step) * step;
    const double ys = (PH - MT - MB) / (hi - lo), y0 = PH - MB + lo * ys;
    const plot_font title = {NULL, 15, PLOT_ANCHOR_START, 0};
    plot_canvas_text(c, ML, 20, p->title, &title, PLOT_XY_INT);
    /* The value grid, ticks and labels; counted, so a step below the precision of lo ends. */
    const plot_stroke grid = {"#e0e0e0", 1, {0, 0}}, axis = {"#333", 1, {0, 0}};
    const plot_font right = {NULL, 12, PLOT_ANCHOR_END, 0};
    double v = lo;
    for (int k = 0; k <= 100 && v <= hi + step / 2; k++, v += step) {
        const double y = y0 - v * ys;
        char b[64];
        plot_canvas_line(c, ML, y, PW - MR, y, &grid, PLOT_X_INT);
        snprintf(b, sizeof b, "%g", fabs(v) < step * 1e-9 ? 0 : v);
        plot_canvas_text(c, ML - 6, y + 4, b, &right, PLOT_X_INT);
    }
    /* The time ticks: about 8 labels, slanted. */
    const plot_font slant = {NULL, 12, PLOT_ANCHOR_END, -30};
    const size_t every = p->n > 8 ? (p->n + 7) / 8 : 1;
    for (size_t i = 0; i < p->n; i += every) {
        const double x = xpos(p, i);
        plot_canvas_line(c, x, PH - MB, x, PH - MB + 5, &axis, PLOT_Y_INT);
        plot_canvas_text(c, x, PH - MB + 18, p->labels[i] ? p->labels[i] : "", &slant, PLOT_Y_INT);
    }
    /* The axes and the forecast origin. */
    plot_canvas_line(c, ML, PH - MB, PW - MR, PH - MB, &axis, PLOT_XY_INT);
    plot_canvas_line(c, ML, MT, ML, PH - MB, &axis, PLOT_XY_INT);
    const plot_stroke origin = {"#999", 1, {4, 4}};
    const double xo = xpos(p, p->origin);
    plot_canvas_line(c, xo, MT, xo, PH - MB, &origin, PLOT_Y_INT);
    const plot_font up = {NULL, 12, PLOT_ANCHOR_MIDDLE, -90};
    plot_canvas_text(c, 18, (MT + PH - MB) / 2, p->ylabel, &up, PLOT_XY_INT);
    static const plot_stroke styles[3] = {
        {"#1f77b4", 1.5, {0, 0}}, {"#222", 1.5, {5, 3}}, {"#d62728", 2, {0, 0}}};
    static const char *const band_fill[PLOT_BANDS_MAX] = {"#f8d4d4", "#eea3a3"};
    int band_drawn[PLOT_BANDS_MAX] = {0, 0};
    for (int k = 0; k < p->n_bands; k++)
        band_drawn[k] = band(c, p, k, y0, ys, band_fill[k], xy);
    for (int k = 0; k < 3; k++)
        series(c, p, all[k], y0, ys, &styles[k], xy);
    /* The legend in the top margin, right-aligned, so it never hides data: the series drawn
     * only (one with no value, such as the actuals after the last row, has no entry). */
    static const char *const names[3] = {"history", "actual", "forecast"};
    int drawn[3], m = 0;
    for (int k = 0; k < 3; k++) {
        drawn[k] = 0;
        for (size_t i = 0; i < p->n && !drawn[k]; i++)
            drawn[k] = isfinite(all[k][i]);
        m += drawn[k];
    }
    for (int k = 0; k < p->n_bands; k++)
        m += band_drawn[k];
    const int ly = 42;
    int x = PW - MR - m * 110;
    for (int k = 0; k < 3; k++) {
        if (!drawn[k])
            continue;
        plot_canvas_line(c, x, ly, x + 32, ly, &styles[k], PLOT_XY_INT);
        plot_canvas_text(c, x + 40, ly + 4, names[k], NULL, PLOT_XY_INT);
        x += 110;
    }
    for (int k = 0; k < p->n_bands; k++) {
        if (!band_drawn[k])
            continue;
        char b[32];
        snprintf(b, sizeof b, "%g%%", p->band_level[k]);
        plot_canvas_rect(c, x, ly - 6, 32, 12, band_fill[k], PLOT_XY_INT);
        plot_canvas_text(c, x + 40, ly + 4, b, NULL, PLOT_XY_INT);
        x += 110;
    }
}

rnnc_status plot_forecast(const char *path, const plot_forecast_spec *p) {
    if (!path || !path[0] || !p)
        return rnnc_error(RNNC_ERR_ARG, "plot_forecast: no path or plot");
    if (!has_suffix(path, ".svg") && !has_suffix(path, ".png"))
        return rnnc_error(RNNC_ERR_ARG, "%s: a plot is written as .svg or .png", path);
    int bands_ok = p->n_bands >= 0 && p->n_bands <= PLOT_BANDS_MAX;
    for (int k = 0; bands_ok && k < p->n_bands; k++)
        bands_ok = p->band_lo[k] && p->band_hi[k];
    if (p->n == 0 || p->origin >= p->n || !p->labels || !p->history || !p->actual || !p->forecast ||
        !bands_ok)
        return rnnc_error(RNNC_ERR_ARG,
                          "%s: a forecast plot needs n >= 1, origin < n and every array (n %zu, "
                          "origin %zu)",
                          path, p->n, p->origin);
    double *xy =
        p->n <= SIZE_MAX / (4 * sizeof(double)) ? calloc(2 * p->n + 2, 2 * sizeof(double)) : NULL;
    if (!xy) /* (n,2) */
        return rnnc_error(RNNC_ERR_NOMEM, "%s: no memory for the plot's %zu points", path, p->n);
    plot_canvas *c = NULL;
    rnnc_status st = plot_canvas_create(PW, PH, "white", &c);
    if (st == RNNC_OK) {
        plot_forecast_spec q = *p;
        q.title = p->title ? p->title : "", q.ylabel = p->ylabel ? p->ylabel : "";
        draw_forecast(c, &q, xy);
        st = plot_canvas_write(c, path, 2);
    }
    plot_canvas_free(c);
    free(xy);
    return st;
}

/* ---- training curves ---- */

enum { CURVES_W = 2 * PLOT_PANEL_W, CURVES_TITLE_H = 48 };
/* A panel's plot area inside its box: margins left, right, top (title and legend), bottom. */
enum { CL = 64, CR = 20, CT = 44, CB = 52 };

static const plot_stroke curve_styles[PLOT_PANEL_CURVES] = {
    {"#1f77b4", 2, {0, 0}}, {"#ff7f0e", 2, {6, 3}}, {"#2ca02c", 2, {0, 0}},
    {"#d62728", 2, {6, 3}}, {"#9467bd", 2, {0, 0}}, {"#8c564b", 2, {6, 3}}};

typedef struct panel_box {
    double x0, x1, y0, y1; /* the plot area: left, right, top, bottom */
    double xlo, xhi, ylo, yhi;
} panel_box;

static double box_x(const panel_box *b, double x) {
    return b->x0 + (x - b->xlo) * (b->x1 - b->x0) / (b->xhi - b->xlo);
}
static double box_y(const panel_box *b, double y) {
    return b->y1 - (y - b->ylo) * (b->y1 - b->y0) / (b->yhi - b->ylo);
}

/* A curve's value at i as the panel draws it: log10 of it on a log axis (NAN for <= 0). */
static double yval(const plot_panel *pn, const plot_curve *cv, size_t i) {
    const double v = cv->y[i];
    return !pn->log_y ? v : v > 0 ? log10(v) : NAN;
}

static int curve_drawn(const plot_curves_spec *p, const plot_panel *pn, const plot_curve *c) {
    for (size_t i = 0; i < p->n; i++)
        if (isfinite(yval(pn, c, i)))
            return 1;
    return 0;
}

static void draw_panel(plot_canvas *c, const plot_curves_spec *spec, const plot_panel *pn,
                       double px, double py, double pw, double *xy) {
    plot_curves_spec own = *spec; /* the x positions this panel draws over */
    if (pn->n)
        own.n = pn->n, own.x = pn->x, own.xlabel = pn->xlabel ? pn->xlabel : spec->xlabel;
    const plot_curves_spec *p = &own;
    panel_box b = {px + CL, px + pw - CR, py + CT,  py + PLOT_PANEL_H - CB, 0,
                   0,       INFINITY,     -INFINITY};
    for (int k = 0; k < pn->n_curves; k++)
        for (size_t i = 0; i < p->n; i++) {
            const double v = yval(pn, &pn->curves[k], i);
            if (isfinite(v))
                b.ylo = fmin(b.ylo, v), b.yhi = fmax(b.yhi, v);
        }
    if (!(b.ylo <= b.yhi))
        b.ylo = 0, b.yhi = 1; /* no value at all */
    if (!(b.yhi > b.ylo)) {
        const double d = pn->log_y ? 0.5 : b.ylo != 0 ? fabs(b.ylo) * 0.1 : 1;
        b.ylo -= d, b.yhi += d;
    }
    double ystep = nice_step(b.ylo, b.yhi, 4);
    if (pn->log_y) /* whole decades */
        ystep = ystep < 1 ? 1 : ceil(ystep);
    b.ylo = floor(b.ylo / ystep) * ystep, b.yhi = ceil(b.yhi / ystep) * ystep;
    b.xlo = p->x[0], b.xhi = p->x[p->n - 1];
    if (!(b.xhi > b.xlo))
        b.xlo -= 0.5, b.xhi += 0.5;
    const plot_stroke grid = {"#e0e0e0", 1, {0, 0}}, axis = {"#333", 1, {0, 0}};
    const plot_font right = {NULL, 11, PLOT_ANCHOR_END, 0};
    const plot_font middle = {NULL, 11, PLOT_ANCHOR_MIDDLE, 0};
    /* the value grid and labels; counted, so a step below the precision of ylo ends */
    double v = b.ylo;
    for (int k = 0; k <= 100 && v <= b.yhi + ystep / 2; k++, v += ystep) {
        const double y = box_y(&b, v);
        char t[64];
        plot_canvas_line(c, b.x0, y, b.x1, y, &grid, PLOT_X_INT);
        if (pn->log_y)
            snprintf(t, sizeof t, "1e%d", (int)lround(v));
        else
            snprintf(t, sizeof t, "%g", fabs(v) < ystep * 1e-9 ? 0 : v);
        plot_canvas_text(c, b.x0 - 6, y + 4, t, &right, PLOT_X_INT);
    }
    /* whole-number x ticks */
    double xstep = nice_step(b.xlo, b.xhi, 6);
    xstep = xstep < 1 ? 1 : round(xstep);
    for (double x = ceil(b.xlo / xstep) * xstep; x <= b.xhi + 1e-9; x += xstep) {
        const double sx = box_x(&b, x);
        char t[64];
        plot_canvas_line(c, sx, b.y1, sx, b.y1 + 5, &axis, PLOT_Y_INT);
        snprintf(t, sizeof t, "%g", x);
        plot_canvas_text(c, sx, b.y1 + 18, t, &middle, PLOT_Y_INT);
    }
    plot_canvas_line(c, b.x0, b.y1, b.x1, b.y1, &axis, PLOT_XY_INT);
    plot_canvas_line(c, b.x0, b.y0, b.x0, b.y1, &axis, PLOT_XY_INT);
    if (p->xlabel)
        plot_canvas_text(c, (b.x0 + b.x1) / 2, b.y1 + 36, p->xlabel, &middle, PLOT_XY_INT);
    const plot_font title = {NULL, 13, PLOT_ANCHOR_START, 0};
    plot_canvas_text(c, b.x0, py + 22, pn->title ? pn->title : "", &title, PLOT_XY_INT);
    /* the curves, then the legend of those drawn, right-aligned on the title's line */
    double lx = b.x1;
    for (int k = pn->n_curves - 1; k >= 0; k--) {
        const plot_curve *cv = &pn->curves[k];
        if (!curve_drawn(p, pn, cv))
            continue;
        const plot_stroke *s = &curve_styles[cv->style];
        size_t m = 0;
        for (size_t i = 0; i <= p->n; i++) {
            if (i < p->n && isfinite(yval(pn, cv, i))) {
                xy[2 * m] = box_x(&b, p->x[i]), xy[2 * m + 1] = box_y(&b, yval(pn, cv, i));
                m++;
            } else if (m) {
                plot_canvas_polyline(c, xy, m, s);
                m = 0;
            }
        }
        for (size_t i = 0; p->n <= 60 && i < p->n; i++)
            if (isfinite(yval(pn, cv, i)))
                plot_canvas_rect(c, box_x(&b, p->x[i]) - 2, box_y(&b, yval(pn, cv, i)) - 2, 4, 4,
                                 s->color, PLOT_XY_DEC);
        const double tw = 6.5 * (double)strlen(cv->name ? cv->name : "");
        lx -= tw;
        plot_canvas_text(c, lx, py + 22, cv->name ? cv->name : "", NULL, PLOT_XY_DEC);
        plot_canvas_line(c, lx - 32, py + 18, lx - 6, py + 18, s, PLOT_XY_DEC);
        lx -= 32 + 16;
    }
}

rnnc_status plot_curves(const char *path, const plot_curves_spec *p) {
    if (!path || !path[0] || !p)
        return rnnc_error(RNNC_ERR_ARG, "plot_curves: no path or plot");
    if (!has_suffix(path, ".svg") && !has_suffix(path, ".png"))
        return rnnc_error(RNNC_ERR_ARG, "%s: a plot is written as .svg or .png", path);
    if (p->n == 0 || !p->x || !p->panels || p->n_panels < 1 || p->n_panels > PLOT_PANELS_MAX)
        return rnnc_error(RNNC_ERR_ARG,
                          "%s: curves need n >= 1 and 1 to %d panels (n %zu, %d panels)", path,
                          PLOT_PANELS_MAX, p->n, p->n_panels);
    for (size_t i = 0; i < p->n; i++)
        if (!isfinite(p->x[i]) || (i > 0 && !(p->x[i] > p->x[i - 1])))
            return rnnc_error(RNNC_ERR_ARG, "%s: x[%zu] = %g is not finite and increasing", path, i,
                              p->x[i]);
    size_t most = p->n; /* the most x positions of a panel */
    for (int k = 0; k < p->n_panels; k++) {
        const plot_panel *pn = &p->panels[k];
        if (!pn->curves || pn->n_curves < 1 || pn->n_curves > PLOT_PANEL_CURVES)
            return rnnc_error(RNNC_ERR_ARG, "%s: panel %d has %d curves (1 to %d)", path, k + 1,
                              pn->n_curves, PLOT_PANEL_CURVES);
        if (pn->n && !pn->x)
            return rnnc_error(RNNC_ERR_ARG, "%s: panel %d has n %zu and no x", path, k + 1, pn->n);
        for (size_t i = 0; i < pn->n; i++)
            if (!isfinite(pn->x[i]) || (i > 0 && !(pn->x[i] > pn->x[i - 1])))
                return rnnc_error(RNNC_ERR_ARG,
                                  "%s: panel %d: x[%zu] = %g is not finite and "
                                  "increasing",
                                  path, k + 1, i, pn->x[i]);
        most = pn->n > most ? pn->n : most;
        for (int j = 0; j < pn->n_curves; j++)
            if (!pn->curves[j].y || pn->curves[j].style < 0 ||
                pn->curves[j].style >= PLOT_PANEL_CURVES)
                return rnnc_error(RNNC_ERR_ARG,
                                  "%s: panel %d, curve %d has no values or style %d (0 to %d)",
                                  path, k + 1, j + 1, pn->curves[j].style, PLOT_PANEL_CURVES - 1);
    }
    double *xy = most <= SIZE_MAX / (2 * sizeof(double)) ? calloc(most, 2 * sizeof(double)) : NULL;
    if (!xy) /* (most,2) */
        return rnnc_error(RNNC_ERR_NOMEM, "%s: no memory for the plot's %zu points", path, most);
    const int cols = p->n_panels > 1 ? 2 : 1, rows = (p->n_panels + cols - 1) / cols;
    plot_canvas *c = NULL;
    rnnc_status st =
        plot_canvas_create(CURVES_W, CURVES_TITLE_H + rows * PLOT_PANEL_H, "white", &c);
    if (st == RNNC_OK) {
        const plot_font title = {NULL, 15, PLOT_ANCHOR_START, 0};
        plot_canvas_text(c, CL, 28, p->title ? p->title : "", &title, PLOT_XY_INT);
        const double pw = (double)CURVES_W / cols;
        for (int k = 0; k < p->n_panels; k++)
            draw_panel(c, p, &p->panels[k], pw * (k % cols),
                       CURVES_TITLE_H + (double)PLOT_PANEL_H * (k / cols), pw, xy);
        st = plot_canvas_write(c, path, 2);
    }
    plot_canvas_free(c);
    free(xy);
    return st;
}
