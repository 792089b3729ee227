/* Plots (tools/plot.c): a small canvas written as PNG and read back by hand (the signature, the
 * IHDR fields, every chunk's CRC recomputed with zlib, IDAT inflated to height x (1 + 3 x width)
 * bytes with filter type 0 on every row, known pixels of a line, a dash gap, a rectangle and the
 * white corners, text that darkens its box upright and rotated), the SVG text of the same
 * operations exactly, and plot_forecast's files: both formats, a refused suffix and an
 * unwritable folder leaving nothing behind; plot_curves's panels (what `rnnc plot` draws), its
 * legend of the curves drawn only, and its refusals. */
#include "check.h"
#include "../../tools/plot.h"
#include "rnnc.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char g_dir[512];

static unsigned long be32(const unsigned char *p) {
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *b = NULL;
    size_t n = 0, cap = 0, k;
    do {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            unsigned char *nb = realloc(b, cap);
            if (!nb)
                break;
            b = nb;
        }
        k = fread(b + n, 1, cap - n, f);
        n += k;
    } while (k > 0);
    fclose(f);
    *len = n;
    return b;
}

/* A decoded PNG: the pixels (h,w,3) or NULL when a check on the file failed. */
typedef struct image {
    int w, h;
    unsigned char *rgb;
} image;

/* Reads path as the PNG that rnnc writes, checking the format on the way (what names the file in
 * the checks). */
static image read_png(const char *what, const char *path) {
    image im = {0, 0, NULL};
    size_t len = 0;
    unsigned char *d = read_all(path, &len);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!check(d && len >= 8 && !memcmp(d, sig, 8), "%s: the PNG signature", what)) {
        free(d);
        return im;
    }
    /* Every chunk: its length fits the file, its CRC is that of its type and data. */
    unsigned char *idat = NULL;
    size_t idat_len = 0, p = 8;
    int nchunks = 0, crc_ok = 1, order_ok = 1, ihdr_ok = 0, iend = 0, w = 0, h = 0;
    while (p + 12 <= len && !iend) {
        const unsigned long n = be32(d + p);
        if (n > len - p - 12)
            break;
        const unsigned char *type = d + p + 4, *data = d + p + 8;
        const unsigned long want = crc32(crc32(0L, Z_NULL, 0), type, (uInt)(n + 4));
        crc_ok &= be32(data + n) == want;
        if (!memcmp(type, "IHDR", 4)) {
            order_ok &= nchunks == 0;
            w = (int)be32(data), h = (int)be32(data + 4);
            ihdr_ok = n == 13 && data[8] == 8 && data[9] == 2 && data[10] == 0 && data[11] == 0 &&
                      data[12] == 0;
        } else if (!memcmp(type, "IDAT", 4)) {
            unsigned char *nb = realloc(idat, idat_len + n + 1);
            if (nb)
                memcpy(nb + idat_len, data, n), idat = nb, idat_len += n;
        } else if (!memcmp(type, "IEND", 4)) {
            iend = 1;
            order_ok &= n == 0 && p + 12 == len;
        }
        order_ok &= nchunks > 0 || !memcmp(type, "IHDR", 4);
        nchunks++;
        p += 12 + n;
    }
    free(d);
    check(crc_ok && nchunks >= 3, "%s: %d chunks, every CRC matches crc32 of type and data", what,
          nchunks);
    check(order_ok && iend, "%s: IHDR first, IEND last and empty at the end of the file", what);
    check(ihdr_ok && w > 0 && h > 0,
          "%s: IHDR %d x %d, 8 bits, colour type 2 (RGB), compression, filter and interlace 0",
          what, w, h);
    if (!crc_ok || !ihdr_ok || !idat) {
        free(idat);
        return im;
    }
    /* IDAT inflates to exactly h rows of a filter byte and 3w bytes, every filter byte 0. */
    const size_t row = 1 + 3 * (size_t)w, want = (size_t)h * row;
    unsigned char *raw = malloc(want + 1);
    uLongf got = (uLongf)want + 1;
    const int z = raw ? uncompress(raw, &got, idat, (uLong)idat_len) : Z_MEM_ERROR;
    free(idat);
    if (!check(z == Z_OK && got == want, "%s: IDAT inflates to %zu bytes (got %lu, zlib %d)", what,
               want, (unsigned long)got, z)) {
        free(raw);
        return im;
    }
    int filters_ok = 1;
    for (size_t y = 0; y < (size_t)h; y++)
        filters_ok &= raw[y * row] == 0;
    check(filters_ok, "%s: filter type 0 on each of the %d rows", what, h);
    im.rgb = malloc(3 * (size_t)w * (size_t)h);
    if (im.rgb) {
        for (size_t y = 0; y < (size_t)h; y++)
            memcpy(im.rgb + 3 * y * (size_t)w, raw + y * row + 1, 3 * (size_t)w);
        im.w = w, im.h = h;
    }
    free(raw);
    return im;
}

static const unsigned char *px(const image *im, int x, int y) {
    return im->rgb + 3 * ((size_t)y * (size_t)im->w + (size_t)x);
}

static int is_rgb(const image *im, int x, int y, int r, int g, int b) {
    const unsigned char *p = px(im, x, y);
    return p[0] == r && p[1] == g && p[2] == b;
}

/* Pixels in [x0,x1) x [y0,y1) that are not white. */
static int dark_in(const image *im, int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < im->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < im->w; x++)
            n += !is_rgb(im, x, y, 255, 255, 255);
    return n;
}

/* Files in the temporary folder whose name contains ".tmp.". */
static int temporaries(void) {
    DIR *d = opendir(g_dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

/* The canvas the raster and SVG checks share: 60 x 40 units, white. */
static plot_canvas *small_canvas(void) {
    plot_canvas *c = NULL;
    if (plot_canvas_create(60, 40, "white", &c))
        return NULL;
    /* A red line 2 units wide along y = 10: rows 9 and 10 at scale 1. */
    const plot_stroke red = {"#ff0000", 2, {0, 0}}, dashed = {"#00f", 2, {6, 6}};
    plot_canvas_line(c, 5, 10, 55, 10, &red, PLOT_XY_INT);
    /* A blue dashed line along y = 20 from x = 4: dashes [4,10], [16,22], [28,34], ... */
    plot_canvas_line(c, 4, 20, 58, 20, &dashed, PLOT_XY_INT);
    /* A green rectangle over [40,50) x [28,36). */
    plot_canvas_rect(c, 40, 28, 10, 8, "#00ff00", PLOT_XY_INT);
    /* Text on the baseline y = 36 from x = 2 (3 glyphs: 17 x 7 units above the baseline). */
    plot_canvas_text(c, 2, 36, "Ab1", NULL, PLOT_XY_INT);
    return c;
}

static void test_png(void) {
    plot_canvas *c = small_canvas();
    if (!check(c != NULL, "canvas created"))
        return;
    char path[600];
    snprintf(path, sizeof path, "%s/small.png", g_dir);
    rnnc_status st = plot_canvas_write(c, path, 1);
    check(st == RNNC_OK, "small.png written (%s)", st ? rnnc_last_error() : "ok");
    image im = read_png("small.png", path);
    if (im.rgb) {
        check(im.w == 60 && im.h == 40, "small.png is 60 x 40 (got %d x %d)", im.w, im.h);
        check(is_rgb(&im, 0, 0, 255, 255, 255) && is_rgb(&im, 59, 39, 255, 255, 255) &&
                  is_rgb(&im, 59, 0, 255, 255, 255) && is_rgb(&im, 0, 39, 255, 255, 255),
              "the four corners are white");
        check(is_rgb(&im, 30, 9, 255, 0, 0) && is_rgb(&im, 30, 10, 255, 0, 0) &&
                  is_rgb(&im, 10, 9, 255, 0, 0),
              "the red line's pixels are red");
        check(is_rgb(&im, 30, 7, 255, 255, 255) && is_rgb(&im, 30, 12, 255, 255, 255),
              "above and below the red line is white");
        check(is_rgb(&im, 7, 19, 0, 0, 255) && is_rgb(&im, 19, 19, 0, 0, 255),
              "the dashes are blue");
        check(is_rgb(&im, 13, 19, 255, 255, 255) && is_rgb(&im, 25, 20, 255, 255, 255),
              "the gaps between the dashes are white");
        check(is_rgb(&im, 41, 29, 0, 255, 0) && is_rgb(&im, 49, 35, 0, 255, 0) &&
                  is_rgb(&im, 50, 35, 255, 255, 255) && is_rgb(&im, 41, 36, 255, 255, 255),
              "the rectangle fills exactly [40,50) x [28,36)");
        const int ink = dark_in(&im, 2, 29, 19, 36);
        check(ink > 20 && dark_in(&im, 20, 24, 39, 40) == 0,
              "the text darkens its box (%d pixels) and nothing right of it", ink);
        check(is_rgb(&im, 2, 35, 0, 0, 0), "the text is black (the foot of the A)");
    }
    free(im.rgb);
    /* At scale 2 everything doubles: 120 x 80, the line on rows 18-21. */
    snprintf(path, sizeof path, "%s/small2.png", g_dir);
    st = plot_canvas_write(c, path, 2);
    im = read_png("small2.png", path);
    if (im.rgb)
        check(im.w == 120 && im.h == 80 && is_rgb(&im, 60, 18, 255, 0, 0) &&
                  is_rgb(&im, 60, 21, 255, 0, 0) && is_rgb(&im, 60, 23, 255, 255, 255),
              "scale 2: 120 x 80 (got %d x %d), the line twice as wide", im.w, im.h);
    free(im.rgb);
    plot_canvas_free(c);

    /* Text rotated by -30 degrees still lands near its anchor, above and left of it. */
    c = NULL;
    plot_canvas_create(80, 60, NULL, &c);
    const plot_font slant = {NULL, 12, PLOT_ANCHOR_END, -30};
    plot_canvas_text(c, 70, 30, "1958-12", &slant, PLOT_XY_INT);
    snprintf(path, sizeof path, "%s/slant.png", g_dir);
    st = plot_canvas_write(c, path, 1);
    im = read_png("slant.png", path);
    if (im.rgb)
        check(dark_in(&im, 30, 18, 71, 56) > 30 && dark_in(&im, 72, 0, 80, 60) == 0 &&
                  dark_in(&im, 0, 0, 80, 12) == 0,
              "rotated text is drawn left of and below-left of its end anchor (%d pixels)",
              dark_in(&im, 30, 18, 71, 56));
    free(im.rgb);
    plot_canvas_free(c);
}

static void test_svg(void) {
    plot_canvas *c = small_canvas();
    if (!c)
        return;
    const plot_font f = {"#333", 15, PLOT_ANCHOR_END, -30}, up = {NULL, 12, 1, -90};
    plot_canvas_text(c, 12.25, 30, "a<b&c", &f, PLOT_Y_INT);
    plot_canvas_text(c, 18, 20, "y", &up, PLOT_XY_INT);
    const double xy[4] = {1, 2.25, 3.5, 4};
    const plot_stroke s = {"#222", 1.5, {5, 3}};
    plot_canvas_polyline(c, xy, 2, &s);
    char *svg = NULL;
    size_t len = 0;
    rnnc_status st = plot_canvas_svg(c, &svg, &len);
    const char *want =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"40\" viewBox=\"0 0 60 "
        "40\" font-family=\"sans-serif\" font-size=\"12\">\n"
        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<line x1=\"5\" y1=\"10\" x2=\"55\" y2=\"10\" stroke=\"#ff0000\" stroke-width=\"2\"/>\n"
        "<line x1=\"4\" y1=\"20\" x2=\"58\" y2=\"20\" stroke=\"#00f\" stroke-width=\"2\" "
        "stroke-dasharray=\"6 6\"/>\n"
        "<rect x=\"40\" y=\"28\" width=\"10\" height=\"8\" fill=\"#00ff00\"/>\n"
        "<text x=\"2\" y=\"36\">Ab1</text>\n"
        "<text x=\"12.2\" y=\"30\" font-size=\"15\" text-anchor=\"end\" fill=\"#333\" "
        "transform=\"rotate(-30 12.2 30)\">a&lt;b&amp;c</text>\n"
        "<text transform=\"translate(18 20) rotate(-90)\" text-anchor=\"middle\">y</text>\n"
        "<polyline fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\" "
        "points=\"1.0,2.2 3.5,4.0 \"/>\n"
        "</svg>\n";
    const int same = st == RNNC_OK && svg && len == strlen(svg) && !strcmp(svg, want);
    if (!check(same, "the SVG text of the canvas, exactly"))
        printf("     got:\n%s\n", svg ? svg : "(none)");
    free(svg);
    /* A bad colour is kept as the canvas's failure and reported when writing. */
    const plot_stroke bad = {"#12345", 1, {0, 0}};
    plot_canvas_line(c, 0, 0, 1, 1, &bad, 0);
    st = plot_canvas_svg(c, &svg, &len);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "#12345") && !svg,
          "a bad colour fails the canvas (%s)", rnnc_last_error());
    plot_canvas_free(c);
}

static void test_forecast_plot(void) {
    enum { N = 30 };
    double hist[N], act[N], fc[N];
    char lab[N][16];
    const char *labels[N];
    for (int i = 0; i < N; i++) {
        hist[i] = i < 20 ? 100 + 10 * sin(i / 3.0) : NAN;
        act[i] = i >= 20 ? 100 + 10 * sin(i / 3.0) : NAN;
        fc[i] = i >= 19 ? 101 + 9 * sin(i / 3.0) : NAN;
        snprintf(lab[i], sizeof lab[i], "2001-%02d", i % 12 + 1);
        labels[i] = lab[i];
    }
    plot_forecast_spec p = {"a test: forecast (direct)",
                            "value",
                            N,
                            labels,
                            hist,
                            act,
                            fc,
                            19,
                            0,
                            {NULL, NULL},
                            {NULL, NULL},
                            {0, 0}};
    char path[600];
    snprintf(path, sizeof path, "%s/f.png", g_dir);
    rnnc_status st = plot_forecast(path, &p);
    check(st == RNNC_OK, "plot_forecast writes f.png (%s)", st ? rnnc_last_error() : "ok");
    image im = read_png("f.png", path);
    if (im.rgb) {
        check(im.w == 1920 && im.h == 960, "f.png is 1920 x 960 (got %d x %d)", im.w, im.h);
        /* The title at (80, 20), the legend at the top right, the value labels left of x = 80. */
        check(dark_in(&im, 160, 16, 600, 44) > 200, "f.png: the title is drawn");
        check(dark_in(&im, 1200, 70, 1900, 100) > 200, "f.png: the legend is drawn");
        check(dark_in(&im, 60, 100, 150, 830) > 100, "f.png: the value labels are drawn");
        check(dark_in(&im, 0, 870, 1920, 960) > 200, "f.png: the time labels are drawn");
        check(is_rgb(&im, 5, 5, 255, 255, 255), "f.png: the corner is white");
    }
    free(im.rgb);
    snprintf(path, sizeof path, "%s/F.SVG", g_dir);
    st = plot_forecast(path, &p);
    size_t len = 0;
    unsigned char *svg = read_all(path, &len);
    check(st == RNNC_OK && svg && len > 100 && !memcmp(svg, "<svg ", 5) &&
              !memcmp(svg + len - 7, "</svg>\n", 7),
          "plot_forecast writes F.SVG as SVG");
    free(svg);
    snprintf(path, sizeof path, "%s/f.jpg", g_dir);
    st = plot_forecast(path, &p);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "f.jpg") && access(path, F_OK) != 0,
          "a .jpg is refused naming it, nothing written (%s)", rnnc_last_error());
    snprintf(path, sizeof path, "%s/no/such/folder/f.png", g_dir);
    st = plot_forecast(path, &p);
    check(st == RNNC_ERR_IO && strstr(rnnc_last_error(), "folder/f.png"),
          "an unwritable path fails with RNNC_ERR_IO naming it (%s)", rnnc_last_error());
    p.origin = N;
    snprintf(path, sizeof path, "%s/g.png", g_dir);
    st = plot_forecast(path, &p);
    check(st == RNNC_ERR_ARG && access(path, F_OK) != 0, "origin >= n is refused (%s)",
          rnnc_last_error());
    check(temporaries() == 0, "no temporary file is left");
}

/* Whether the SVG file at path holds the text element ">word</text>". */
static int svg_has_text(const char *path, const char *word) {
    size_t len = 0;
    unsigned char *svg = read_all(path, &len);
    char want[64];
    const size_t w = (size_t)snprintf(want, sizeof want, ">%s</text>", word);
    int found = 0;
    for (size_t i = 0; svg && !found && i + w <= len; i++)
        found = !memcmp(svg + i, want, w);
    free(svg);
    return found;
}

/* Intervals as bands: two polygons under the lines, the wider paler, named in the legend; in
 * the PNG a point inside only the 95% band has its colour, a point inside both the 80% one's. */
static void test_forecast_bands(void) {
    enum { N = 30 };
    double hist[N], act[N], fc[N], lo[2][N], hi[2][N];
    char lab[N][16];
    const char *labels[N];
    for (int i = 0; i < N; i++) {
        hist[i] = i < 20 ? 100 : NAN;
        act[i] = NAN;
        fc[i] = i >= 19 ? 100 : NAN;
        lo[0][i] = i >= 20 ? 60 : NAN, hi[0][i] = i >= 20 ? 140 : NAN; /* 95% */
        lo[1][i] = i >= 20 ? 80 : NAN, hi[1][i] = i >= 20 ? 120 : NAN; /* 80% */
        snprintf(lab[i], sizeof lab[i], "%d", i);
        labels[i] = lab[i];
    }
    plot_forecast_spec p = {"bands", "value", N, labels,         hist,           act,
                            fc,      19,      2, {lo[0], lo[1]}, {hi[0], hi[1]}, {95, 80}};
    char path[600];
    snprintf(path, sizeof path, "%s/b.svg", g_dir);
    check(plot_forecast(path, &p) == RNNC_OK, "plot_forecast with two bands writes b.svg");
    size_t len = 0;
    unsigned char *svg = read_all(path, &len);
    const char *a = svg ? strstr((const char *)svg, "<polygon fill=\"#f8d4d4\"") : NULL;
    const char *b = a ? strstr(a, "<polygon fill=\"#eea3a3\"") : NULL;
    const char *line = b ? strstr(b, "<polyline") : NULL;
    check(a && b && line, "b.svg: the 95%% band, then the 80%% band, then the lines over them");
    free(svg);
    check(svg_has_text(path, "95%") && svg_has_text(path, "80%"), "b.svg: the legend names both");
    snprintf(path, sizeof path, "%s/b.png", g_dir);
    check(plot_forecast(path, &p) == RNNC_OK, "plot_forecast with two bands writes b.png");
    image im = read_png("b.png", path);
    if (im.rgb) {
        /* The values 60..140 span the plot area's y 408..60 (SVG units): y(v) = 408 - (v - 60)
         * 348/80; position 25 is x = 80 + 25 * 856/29 = 817.9. 125 (inside the 95% band only)
         * is y 125.25, 115 (inside both) y 168.75, clear of the grid (every 10) and the lines. */
        check(is_rgb(&im, 1636, 250, 0xf8, 0xd4, 0xd4),
              "b.png: inside the 95%% band only: its colour");
        check(is_rgb(&im, 1636, 337, 0xee, 0xa3, 0xa3), "b.png: inside the 80%% band: its colour");
        check(is_rgb(&im, 750, 250, 255, 255, 255), "b.png: before the origin, no band: white");
    }
    free(im.rgb);
    p.n_bands = 3;
    snprintf(path, sizeof path, "%s/c.svg", g_dir);
    check(plot_forecast(path, &p) == RNNC_ERR_ARG && access(path, F_OK) != 0,
          "three bands are refused");
}

/* The legend names the series drawn only: no "actual" entry when there are no actual values
 * (a forecast past the data's last row), none for a history that is not drawn. */
static void test_forecast_legend(void) {
    enum { N = 12 };
    double hist[N], act[N], fc[N];
    const char *labels[N];
    for (int i = 0; i < N; i++) {
        hist[i] = i < 8 ? i : NAN;
        act[i] = NAN;
        fc[i] = i >= 7 ? i + 0.5 : NAN;
        labels[i] = "t";
    }
    plot_forecast_spec p = {"legend", "value", N, labels,       hist,         act,
                            fc,       7,       0, {NULL, NULL}, {NULL, NULL}, {0, 0}};
    char path[600];
    snprintf(path, sizeof path, "%s/legend.svg", g_dir);
    rnnc_status st = plot_forecast(path, &p);
    check(st == RNNC_OK && svg_has_text(path, "history") && svg_has_text(path, "forecast") &&
              !svg_has_text(path, "actual"),
          "without actual values the legend has history and forecast, no actual");
    act[9] = 9;
    st = plot_forecast(path, &p);
    check(st == RNNC_OK && svg_has_text(path, "actual"),
          "one actual value puts actual in the legend");
    for (int i = 0; i < N; i++)
        hist[i] = act[i] = NAN;
    st = plot_forecast(path, &p);
    check(st == RNNC_OK && svg_has_text(path, "forecast") && !svg_has_text(path, "history") &&
              !svg_has_text(path, "actual"),
          "a forecast alone has one legend entry");
}

static size_t count(const char *s, const char *what) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p++)
        n++;
    return n;
}

static void test_curves(void) {
    enum { N = 5 };
    const double x[N] = {1, 2, 3, 4, 5};
    const double loss[N] = {0.9, 0.7, 0.6, 0.55, 0.5}, val[N] = {1.0, 0.8, NAN, 0.7, 0.72};
    const double none[N] = {NAN, NAN, NAN, NAN, NAN}, lr[N] = {1e-3, 1e-3, 1e-3, 1e-3, 1e-3};
    const plot_curve c1[3] = {{"loss", loss, 0}, {"val_loss", val, 1}, {"hidden_one", none, 2}};
    const plot_curve c2[1] = {{"lr", lr, 0}};
    const plot_panel panels[2] = {{"loss", c1, 3, 0, 0, NULL, NULL},
                                  {"lr", c2, 1, 0, 0, NULL, NULL}};
    plot_curves_spec p = {"a run: 5 epochs", "epoch", N, x, panels, 2};
    char path[600];
    snprintf(path, sizeof path, "%s/c.svg", g_dir);
    rnnc_status st = plot_curves(path, &p);
    size_t len = 0;
    char *svg = (char *)read_all(path, &len);
    char *text = svg ? realloc(svg, len + 1) : NULL;
    if (text)
        text[len] = 0;
    check(st == RNNC_OK && text && !strncmp(text, "<svg ", 5) &&
              strstr(text, "width=\"960\" height=\"348\""),
          "plot_curves writes c.svg, 960 x 348 for one row of panels (%s)",
          st ? rnnc_last_error() : "ok");
    /* loss: one run of 5 points; val_loss: two runs (broken at the NAN); lr: one */
    check(text && count(text, "<polyline") == 4, "4 polylines: val_loss broken at its NAN (%zu)",
          text ? count(text, "<polyline") : 0);
    check(text && strstr(text, ">val_loss</text>") && strstr(text, ">lr</text>") &&
              strstr(text, ">a run: 5 epochs</text>") && strstr(text, ">epoch</text>") &&
              !strstr(text, "hidden_one"),
          "the titles and the legend of the curves drawn, not of the curve without values");
    check(text && strstr(text, "stroke=\"#ff7f0e\" stroke-width=\"2\" stroke-dasharray=\"6 3\""),
          "style 1 is orange and dashed");
    free(text);
    snprintf(path, sizeof path, "%s/c.png", g_dir);
    st = plot_curves(path, &p);
    image im = read_png("c.png", path);
    if (im.rgb) {
        check(im.w == 1920 && im.h == 696, "c.png is 1920 x 696 (got %d x %d)", im.w, im.h);
        check(dark_in(&im, 128, 100, 960, 600) > 500, "c.png: the first panel is drawn");
        check(dark_in(&im, 1088, 100, 1920, 600) > 500, "c.png: the second panel is drawn");
    }
    free(im.rgb);
    const double back[N] = {1, 2, 2, 4, 5};
    p.x = back;
    snprintf(path, sizeof path, "%s/d.svg", g_dir);
    st = plot_curves(path, &p);
    check(st == RNNC_ERR_ARG &&
              strstr(rnnc_last_error(), "x[2] = 2 is not finite and increasing") &&
              access(path, F_OK) != 0,
          "x not increasing is refused, nothing written (%s)", rnnc_last_error());
    p.x = x;
    const plot_curve bad_style[1] = {{"lr", lr, 6}};
    const plot_panel bad_panel[1] = {{"lr", bad_style, 1, 0, 0, NULL, NULL}};
    p.panels = bad_panel, p.n_panels = 1;
    st = plot_curves(path, &p);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "style 6"), "style 6 is refused (%s)",
          rnnc_last_error());
    p.panels = panels, p.n_panels = 0;
    st = plot_curves(path, &p);
    check(st == RNNC_ERR_ARG && access(path, F_OK) != 0, "no panel is refused (%s)",
          rnnc_last_error());
    p.n_panels = 2;
    snprintf(path, sizeof path, "%s/c.jpg", g_dir);
    st = plot_curves(path, &p);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "c.jpg") && access(path, F_OK) != 0,
          "a .jpg is refused naming it (%s)", rnnc_last_error());
    check(temporaries() == 0, "no temporary file is left");
}

/* A log value axis (ticks at whole decades; values <= 0 not drawn) and a panel's own x. */
static void test_log_panel(void) {
    enum { N = 4, M = 6 };
    const double x[N] = {1, 2, 3, 4}, x2[M] = {10, 20, 30, 40, 50, 60};
    const double v[N] = {1e-4, 1e-3, 0, 2e-1}, w[M] = {1, 2, 3, 4, 5, 6};
    const plot_curve c1[1] = {{"norm", v, 0}}, c2[1] = {{"other", w, 1}};
    plot_panel panels[2] = {{"log", c1, 1, 1, 0, NULL, NULL},
                            {"own x", c2, 1, 0, M, x2, "optimizer step"}};
    plot_curves_spec p = {"log", "t", N, x, panels, 2};
    char path[600];
    snprintf(path, sizeof path, "%s/log.svg", g_dir);
    rnnc_status st = plot_curves(path, &p);
    size_t len = 0;
    char *svg = (char *)read_all(path, &len);
    char *text = svg ? realloc(svg, len + 1) : NULL;
    if (text)
        text[len] = 0;
    check(st == RNNC_OK && text && strstr(text, ">1e-4</text>") && strstr(text, ">1e-1</text>") &&
              strstr(text, ">1e-2</text>") && !strstr(text, ">0.05</text>"),
          "log axis: ticks at the decades 1e-4 .. 1e-1 (%s)", st ? rnnc_last_error() : "ok");
    /* the 0 breaks the log curve: two polylines; the second panel one */
    check(text && count(text, "<polyline") == 3, "a value <= 0 is not drawn on a log axis (%zu)",
          text ? count(text, "<polyline") : 0);
    check(text && strstr(text, ">optimizer step</text>") && strstr(text, ">60</text>"),
          "a panel with its own x positions and label");
    free(text);
    const double back[M] = {1, 2, 2, 4, 5, 6};
    panels[1].x = back;
    st = plot_curves(path, &p);
    check(st == RNNC_ERR_ARG && strstr(rnnc_last_error(), "panel 2: x[2] = 2"),
          "a panel's x not increasing is refused (%s)", rnnc_last_error());
}

int main(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/rnnc-plot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!check(mkdtemp(g_dir) != NULL, "temporary folder %s", g_dir))
        return check_summary();
    test_png();
    test_svg();
    test_forecast_plot();
    test_forecast_bands();
    test_forecast_legend();
    test_curves();
    test_log_panel();
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "note: could not remove %s\n", g_dir);
    return check_summary();
}
