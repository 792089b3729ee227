/* Plots for the CLI (`rnnc forecast --plot`): a tiny vector canvas (tools/plot.c): lines and polylines with a width and a dash
 * pattern, filled rectangles and text, kept as a list of drawing operations and written either
 * as SVG or rasterized by hand into an 8-bit RGB PNG. The forecast plot at the end draws on it.
 *
 * Coordinates are in canvas units (SVG pixels), origin at the top left, y downwards. Colours are
 * "#rgb", "#rrggbb", "white" or "black", written to SVG as given. Drawing calls never report an
 * error themselves: the first failure (a bad colour, no memory) is kept, later calls do nothing,
 * and plot_canvas_svg / _png / _write return it. */
#ifndef RNNC_TOOLS_PLOT_H
#define RNNC_TOOLS_PLOT_H

#include "rnnc.h"

#include <stddef.h>

typedef struct plot_canvas plot_canvas;

/* How SVG writes the coordinates of one operation: with one decimal ("80.0", the default) or as
 * whole numbers ("80"), separately for x and y. The raster ignores it. */
enum { PLOT_XY_DEC = 0, PLOT_X_INT = 1, PLOT_Y_INT = 2, PLOT_XY_INT = 3 };

/* Text anchors: the point is where the text starts, its middle or its end (SVG text-anchor). */
enum { PLOT_ANCHOR_START = 0, PLOT_ANCHOR_MIDDLE, PLOT_ANCHOR_END };

typedef struct plot_stroke {
    const char *color; /* the line colour */
    double width;      /* in units; 1 is SVG's default and is not written */
    double dash[2];    /* on and off lengths in units; {0, 0}: solid */
} plot_stroke;

typedef struct plot_font {
    const char *color; /* NULL: black (SVG: not written) */
    double size;       /* in units; 12 is the canvas's default and is not written */
    int anchor;        /* PLOT_ANCHOR_* */
    double rotate;     /* degrees about the anchor point, clockwise on the screen (SVG's sense) */
} plot_font;

/* An empty width x height canvas (1..8192 units each) filled with background (NULL: none in SVG,
 * white in PNG). Owned by the caller; plot_canvas_free(NULL) does nothing. */
rnnc_status plot_canvas_create(int width, int height, const char *background, plot_canvas **out);
void plot_canvas_free(plot_canvas *c);

/* A straight line from (x1,y1) to (x2,y2); fmt: PLOT_XY_* for SVG. */
void plot_canvas_line(plot_canvas *c, double x1, double y1, double x2, double y2,
                      const plot_stroke *s, int fmt);
/* A polyline through n points xy (n,2) (copied), never filled; SVG writes it with one decimal. */
void plot_canvas_polyline(plot_canvas *c, const double *xy, size_t n, const plot_stroke *s);
/* A closed polygon through n points xy (n,2) (copied), filled with fill (even-odd rule; the raster
 * samples 4 rows per pixel and covers the columns exactly). */
void plot_canvas_polygon(plot_canvas *c, const double *xy, size_t n, const char *fill);
/* A rectangle with its top left corner at (x,y), filled with fill. */
void plot_canvas_rect(plot_canvas *c, double x, double y, double w, double h, const char *fill,
                      int fmt);
/* Text (copied) on a baseline through (x,y); f NULL means size 12, black, anchor start. The
 * raster draws printable ASCII in a 5x7 bitmap font (one '?' for every other character). */
void plot_canvas_text(plot_canvas *c, double x, double y, const char *text, const plot_font *f,
                      int fmt);

/* The canvas as SVG text: *out (malloc'ed, NUL-terminated, owned by the caller) and its length. */
rnnc_status plot_canvas_svg(const plot_canvas *c, char **out, size_t *len);
/* The canvas rasterized at scale (1..4) output pixels per unit: *rgb (H,W,3) with W = width*scale,
 * H = height*scale (malloc'ed, owned by the caller). */
rnnc_status plot_canvas_raster(const plot_canvas *c, int scale, unsigned char **rgb, int *w,
                               int *h);
/* An 8-bit RGB image rgb (h,w,3) as a PNG file in memory: the signature, IHDR, one IDAT (zlib,
 * filter type 0 on every row) and IEND. *out is malloc'ed and owned by the caller. */
rnnc_status plot_png_encode(const unsigned char *rgb, int w, int h, unsigned char **out,
                            size_t *len);
/* The canvas as a PNG rasterized at scale (plot_canvas_raster, then plot_png_encode). */
rnnc_status plot_canvas_png(const plot_canvas *c, int scale, unsigned char **out, size_t *len);
/* Writes the canvas to path as SVG (path ends in .svg) or as PNG at scale (.png; either case),
 * atomically: path.tmp.<pid>, fsync, rename; on failure nothing is left. Errors name the path. */
rnnc_status plot_canvas_write(const plot_canvas *c, const char *path, int scale);

/* ---- the forecast plot ---- */

/* A forecast plot (what `rnnc forecast --plot` draws): over x positions 0..n-1, the history
 * (blue), the actual values after the origin (black, dashed) and the forecast (red), each NAN
 * where it has no value, with a value axis and grid, a time axis with about 8 labels, a dashed
 * line at the origin, a title and a legend of the series drawn (a series with no value, such as
 * the actuals of a forecast past the data's end, is neither drawn nor named). Every pointer is
 * borrowed for the call. */
typedef struct plot_forecast_spec {
    const char *title;         /* above the plot (NULL: none) */
    const char *ylabel;        /* the value axis's name (NULL: none) */
    size_t n;                  /* x positions, at least 1 */
    const char *const *labels; /* (n) time stamps */
    const double *history;     /* (n) */
    const double *actual;      /* (n) */
    const double *forecast;    /* (n) */
    size_t origin;             /* the position of the dashed line, < n */
    /* Prediction intervals drawn as shaded bands under the lines, band 0 (the widest) first and
     * palest; each bound (n) NAN where there is none; named in the legend by level (percent). */
    int n_bands; /* 0..PLOT_BANDS_MAX */
    const double *band_lo[2], *band_hi[2];
    double band_level[2];
} plot_forecast_spec;
enum { PLOT_BANDS_MAX = 2 };
/* Writes the plot to path as SVG (960 x 480) when path ends in .svg, or as an 8-bit RGB PNG
 * (1920 x 960: the same drawing at 2 pixels per SVG unit, text in a built-in 5x7 bitmap font)
 * when it ends in .png (either case). The file is written atomically (a temporary, fsync,
 * rename): on failure none is left and an earlier file at path is unchanged. Errors:
 * RNNC_ERR_ARG (another suffix, a NULL pointer, n = 0, origin >= n), RNNC_ERR_IO naming the file,
 * RNNC_ERR_NOMEM. */
rnnc_status plot_forecast(const char *path, const plot_forecast_spec *p);

/* ---- training curves ---- */

/* Curves over a shared x axis (what `rnnc plot` draws: the epochs), in panels of PLOT_PANEL_W x
 * PLOT_PANEL_H units, two a row (one when there is one panel), under a title: each panel has its
 * title, a value axis and grid over its curves' finite values, the x axis with whole-number
 * ticks, and a legend naming the curves it draws (one with no finite value is neither drawn nor
 * named). A curve is a line through its runs of finite values (broken at NAN) in one of
 * PLOT_PANEL_CURVES styles (0 blue solid, 1 orange dashed, 2 green solid, 3 red dashed,
 * 4 purple solid, 5 brown dashed), with a square at each point when there are at most 60. */
typedef struct plot_curve {
    const char *name; /* the legend's text */
    const double *y;  /* (n) NAN where it has no value */
    int style;        /* 0..PLOT_PANEL_CURVES-1 */
} plot_curve;
typedef struct plot_panel {
    const char *title;
    const plot_curve *curves; /* (n_curves), 1..PLOT_PANEL_CURVES */
    int n_curves;
    /* A value axis in powers of ten (ticks at whole decades, labelled 1e-3 ...): values <= 0 are
     * not drawn, as NAN. 0: linear. */
    int log_y;
    /* The panel's own x positions (n, x finite and increasing; its curves' y have n values) and
     * x label instead of the spec's; n = 0: the spec's. */
    size_t n;
    const double *x;
    const char *xlabel;
} plot_panel;
typedef struct plot_curves_spec {
    const char *title;        /* above the panels (NULL: none) */
    const char *xlabel;       /* under each panel's x axis (NULL: none) */
    size_t n;                 /* x positions, at least 1 */
    const double *x;          /* (n) finite, increasing */
    const plot_panel *panels; /* (n_panels), 1..PLOT_PANELS_MAX */
    int n_panels;
} plot_curves_spec;
enum { PLOT_PANEL_W = 480, PLOT_PANEL_H = 300, PLOT_PANELS_MAX = 16, PLOT_PANEL_CURVES = 6 };
/* Writes the curves to path as SVG (.svg; 960 units wide, 48 + 300 per row of panels high) or
 * as a PNG at 2 pixels per unit (.png), atomically as plot_forecast does. Errors: RNNC_ERR_ARG
 * (another suffix, a NULL pointer, n = 0, x not finite and increasing, a panel or curve count
 * out of range), RNNC_ERR_IO naming the file, RNNC_ERR_NOMEM. */
rnnc_status plot_curves(const char *path, const plot_curves_spec *p);

#endif
