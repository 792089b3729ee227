/* A tiny vector canvas for plots (src/io/plot.c): lines and polylines with a width and a dash
 * pattern, filled rectangles and text, kept as a list of drawing operations and written either
 * as SVG or rasterized by hand into an 8-bit RGB PNG. Internal; the public entry point is
 * rnnc_plot_forecast in include/rnnc.h.
 *
 * Coordinates are in canvas units (SVG pixels), origin at the top left, y downwards. Colours are
 * "#rgb", "#rrggbb", "white" or "black", written to SVG as given. Drawing calls never report an
 * error themselves: the first failure (a bad colour, no memory) is kept, later calls do nothing,
 * and rnnc__canvas_svg / _png / _write return it. */
#ifndef RNNC_IO_PLOT_H
#define RNNC_IO_PLOT_H

#include "rnnc.h"

#include <stddef.h>

typedef struct rnnc__canvas rnnc__canvas;

/* How SVG writes the coordinates of one operation: with one decimal ("80.0", the default) or as
 * whole numbers ("80"), separately for x and y. The raster ignores it. */
enum { RNNC__XY_DEC = 0, RNNC__X_INT = 1, RNNC__Y_INT = 2, RNNC__XY_INT = 3 };

/* Text anchors: the point is where the text starts, its middle or its end (SVG text-anchor). */
enum { RNNC__ANCHOR_START = 0, RNNC__ANCHOR_MIDDLE, RNNC__ANCHOR_END };

typedef struct rnnc__stroke {
    const char *color; /* the line colour */
    double width;      /* in units; 1 is SVG's default and is not written */
    double dash[2];    /* on and off lengths in units; {0, 0}: solid */
} rnnc__stroke;

typedef struct rnnc__font {
    const char *color; /* NULL: black (SVG: not written) */
    double size;       /* in units; 12 is the canvas's default and is not written */
    int anchor;        /* RNNC__ANCHOR_* */
    double rotate;     /* degrees about the anchor point, clockwise on the screen (SVG's sense) */
} rnnc__font;

/* An empty width x height canvas (1..8192 units each) filled with background (NULL: none in SVG,
 * white in PNG). Owned by the caller; rnnc__canvas_free(NULL) does nothing. */
rnnc_status rnnc__canvas_create(int width, int height, const char *background, rnnc__canvas **out);
void rnnc__canvas_free(rnnc__canvas *c);

/* A straight line from (x1,y1) to (x2,y2); fmt: RNNC__XY_* for SVG. */
void rnnc__canvas_line(rnnc__canvas *c, double x1, double y1, double x2, double y2,
                       const rnnc__stroke *s, int fmt);
/* A polyline through n points xy (n,2) (copied), never filled; SVG writes it with one decimal. */
void rnnc__canvas_polyline(rnnc__canvas *c, const double *xy, size_t n, const rnnc__stroke *s);
/* A rectangle with its top left corner at (x,y), filled with fill. */
void rnnc__canvas_rect(rnnc__canvas *c, double x, double y, double w, double h, const char *fill,
                       int fmt);
/* Text (copied) on a baseline through (x,y); f NULL means size 12, black, anchor start. The
 * raster draws printable ASCII in a 5x7 bitmap font (one '?' for every other character). */
void rnnc__canvas_text(rnnc__canvas *c, double x, double y, const char *text, const rnnc__font *f,
                       int fmt);

/* The canvas as SVG text: *out (malloc'ed, NUL-terminated, owned by the caller) and its length. */
rnnc_status rnnc__canvas_svg(const rnnc__canvas *c, char **out, size_t *len);
/* The canvas rasterized at scale (1..4) output pixels per unit: *rgb (H,W,3) with W = width*scale,
 * H = height*scale (malloc'ed, owned by the caller). */
rnnc_status rnnc__canvas_raster(const rnnc__canvas *c, int scale, unsigned char **rgb, int *w,
                                int *h);
/* An 8-bit RGB image rgb (h,w,3) as a PNG file in memory: the signature, IHDR, one IDAT (zlib,
 * filter type 0 on every row) and IEND. *out is malloc'ed and owned by the caller. */
rnnc_status rnnc__png_encode(const unsigned char *rgb, int w, int h, unsigned char **out,
                             size_t *len);
/* The canvas as a PNG rasterized at scale (rnnc__canvas_raster, then rnnc__png_encode). */
rnnc_status rnnc__canvas_png(const rnnc__canvas *c, int scale, unsigned char **out, size_t *len);
/* Writes the canvas to path as SVG (path ends in .svg) or as PNG at scale (.png; either case),
 * atomically: path.tmp.<pid>, fsync, rename; on failure nothing is left. Errors name the path. */
rnnc_status rnnc__canvas_write(const rnnc__canvas *c, const char *path, int scale);

#endif
