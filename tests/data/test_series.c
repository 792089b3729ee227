/* Time-series input through the public API: the CSV reader (CRLF and LF, quotes, missing values
 * refused or filled, one-hot columns, composed time stamps, every error with its line and
 * column), the chronological split, the scaler by hand, and time stamps after the last row. */
#include "check.h"
#include "rnnc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rnnc_series *parse(const char *text, const rnnc_series_source *src, rnnc_status *st) {
    rnnc_series *s = NULL;
    *st = rnnc_series_parse(text, strlen(text), "t.csv", src, &s);
    return s;
}

static int near(double a, double b, double tol) {
    return fabs(a - b) <= tol;
}

/* The error of parsing text with src: its status, and whether the message holds every needle. */
static void expect_error(const char *what, const char *text, const rnnc_series_source *src,
                         rnnc_status want, const char *n1, const char *n2) {
    rnnc_status st;
    rnnc_series *s = parse(text, src, &st);
    const char *msg = rnnc_last_error();
    check(st == want && !s && strstr(msg, n1) && (!n2 || strstr(msg, n2)),
          "%s: status %d, message names '%s'%s%s (got: %s)", what, st, n1, n2 ? " and " : "",
          n2 ? n2 : "", msg);
    rnnc_series_free(s);
}

static void test_basic(void) {
    /* CRLF, quoted header and stamps, a quoted number with a comma-free text, no final newline */
    const char *crlf = "\"Month\",\"Passengers\",\"Note\"\r\n"
                       "\"1949-01\",112,\"a, \"\"quoted\"\" note\"\r\n"
                       "\"1949-02\",118,x\r\n"
                       "\r\n"
                       "\"1949-03\",132.5,y";
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "Month";
    src.columns = "Passengers";
    rnnc_status st;
    rnnc_series *s = parse(crlf, &src, &st);
    check(st == RNNC_OK && s && s->T == 3 && s->F == 1, "CRLF: 3 rows, 1 column (status %d: %s)",
          st, rnnc_last_error());
    if (!s)
        return;
    check(!strcmp(s->names[0], "Passengers") && s->x[0] == 112 && s->x[1] == 118 &&
              s->x[2] == 132.5,
          "CRLF: values 112 118 132.5 under 'Passengers'");
    check(s->time && !strcmp(s->time[0], "1949-01") && !strcmp(s->time[2], "1949-03"),
          "CRLF: time stamps unquoted");
    check(rnnc_series_column(s, "Passengers") == 0 && rnnc_series_column(s, "Note") == -1,
          "column lookup by name");
    rnnc_series_free(s);

    /* the same with LF and a final newline; columns by index; the quoted field is read whole */
    const char *lf =
        "Month,Passengers,Note\n1949-01,112,\"a, b\"\n1949-02,118,x\n1949-03,132.5,y\n";
    src.columns = "1";
    s = parse(lf, &src, &st);
    check(st == RNNC_OK && s && s->T == 3 && s->x[2] == 132.5,
          "LF: the same values, column by index");
    rnnc_series_free(s);

    /* every column besides time and categorical by default */
    const char *all = "t,a,b\n1,2,3\n2,4,6\n";
    src = rnnc_series_source_init();
    src.time = "t";
    s = parse(all, &src, &st);
    check(st == RNNC_OK && s && s->F == 2 && !strcmp(s->names[1], "b") && s->x[3] == 6,
          "default columns: all but time, in file order");
    rnnc_series_free(s);
}

static void test_missing(void) {
    const char *text = "t,v,w\n"
                       "1,NA,1\n"   /* line 2: leading missing */
                       "2,2,1\n"    /* line 3 */
                       "3,,1\n"     /* line 4: empty */
                       "4,NA,1\n"   /* line 5 */
                       "5,8,1\n"    /* line 6 */
                       "6,NaN,1\n"; /* line 7: trailing */
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "t";
    expect_error("missing rejected", text, &src, RNNC_ERR_FORMAT, "t.csv:2:", "column 'v'");
    src.missing = RNNC_MISSING_FFILL;
    rnnc_status st;
    rnnc_series *s = parse(text, &src, &st);
    const double ff[] = {2, 2, 2, 2, 8, 8};
    int ok = st == RNNC_OK && s && s->T == 6;
    for (int t = 0; ok && t < 6; t++)
        ok = s->x[t * 2] == ff[t];
    check(ok && s->filled == 4, "forward fill: 2 2 2 2 8 8, 4 filled");
    rnnc_series_free(s);
    src.missing = RNNC_MISSING_INTERPOLATE;
    s = parse(text, &src, &st);
    const double li[] = {2, 2, 4, 6, 8, 8};
    ok = st == RNNC_OK && s && s->T == 6;
    for (int t = 0; ok && t < 6; t++)
        ok = near(s->x[t * 2], li[t], 1e-12);
    check(ok && s->filled == 4, "linear interpolation: 2 2 4 6 8 8, 4 filled");
    rnnc_series_free(s);
    expect_error("a column without any number", "t,v\n1,NA\n2,NA\n", &src, RNNC_ERR_FORMAT,
                 "column 'v'", "no number");
}

static void test_onehot_and_time(void) {
    const char *text = "No,year,month,day,hour,pm,cbwd\r\n"
                       "1,2010,1,1,0,10,NW\r\n"
                       "2,2010,1,1,1,12,cv\r\n"
                       "3,2010,1,1,2,14,NE\r\n"
                       "4,2010,1,1,3,16,NW";
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "year,month,day,hour";
    src.columns = "pm";
    src.categorical = "cbwd";
    rnnc_status st;
    rnnc_series *s = parse(text, &src, &st);
    check(st == RNNC_OK && s && s->F == 4, "one-hot: pm plus 3 category columns (%s)",
          rnnc_last_error());
    if (!s)
        return;
    check(!strcmp(s->names[1], "cbwd=NE") && !strcmp(s->names[2], "cbwd=NW") &&
              !strcmp(s->names[3], "cbwd=cv") && !s->onehot[0] && s->onehot[1] && s->onehot[3],
          "one-hot: columns named column=value, sorted by bytes");
    const double want[] = {10, 0, 1, 0, 12, 0, 0, 1, 14, 1, 0, 0, 16, 0, 1, 0};
    int ok = 1;
    for (int i = 0; i < 16; i++)
        ok &= s->x[i] == want[i];
    check(ok, "one-hot: rows NW, cv, NE, NW");
    check(!strcmp(s->time[0], "2010-01-01 00:00") && !strcmp(s->time[3], "2010-01-01 03:00"),
          "time composed from year, month, day, hour: %s", s->time[3]);
    char b[64];
    check(rnnc_series_time_after(s, 2, b, sizeof b) == RNNC_OK && !strcmp(b, "2010-01-01 05:00"),
          "hourly: 2 steps after 03:00 is 05:00 (%s)", b);
    rnnc_series_free(s);
}

static void test_time_after(void) {
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "d";
    rnnc_status st;
    char b[64];
    rnnc_series *s = parse("d,v\n1960-11,1\n1960-12,2\n", &src, &st);
    check(s && rnnc_series_time_after(s, 1, b, sizeof b) == 0 && !strcmp(b, "1961-01"),
          "monthly: after 1960-12 comes 1961-01 (%s)", b);
    check(s && rnnc_series_time_after(s, 13, b, sizeof b) == 0 && !strcmp(b, "1962-01"),
          "monthly: 13 after 1960-12 is 1962-01 (%s)", b);
    check(s && rnnc_series_time_after(s, 1, b, 4) == RNNC_ERR_ARG, "a small buffer is refused");
    rnnc_series_free(s);
    s = parse("d,v\n1988-02-27,1\n1988-02-28,2\n", &src, &st);
    check(s && rnnc_series_time_after(s, 2, b, sizeof b) == 0 && !strcmp(b, "1988-03-01"),
          "daily: leap day counted (%s)", b);
    rnnc_series_free(s);
    /* trading days, DD-MM-YY: Thursday 30 and Friday 31 August 2018, after a weekend gap */
    s = parse("d,v\n24-08-18,1\n27-08-18,1\n28-08-18,1\n29-08-18,1\n30-08-18,1\n31-08-18,1\n", &src,
              &st);
    check(s && rnnc_series_time_after(s, 1, b, sizeof b) == 0 && !strcmp(b, "03-09-18"),
          "business days: after Friday 31-08-18 comes Monday 03-09-18 (%s)", b);
    rnnc_series_free(s);
    rnnc_series_source none = rnnc_series_source_init();
    s = parse("v\n1\n2\n", &none, &st);
    check(s && rnnc_series_time_after(s, 3, b, sizeof b) == 0 && !strcmp(b, "+3"),
          "no time column: +3");
    rnnc_series_free(s);
}

static void test_errors(void) {
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "t";
    expect_error("field count", "t,v\n1,2\n2,3,4\n", &src, RNNC_ERR_FORMAT, "t.csv:3:", "3 fields");
    expect_error("not a number", "t,v\n1,2\n2,abc\n", &src, RNNC_ERR_FORMAT,
                 "t.csv:3:", "column 'v': 'abc' is not a number");
    expect_error("unterminated quote", "t,v\n1,2\n\"2,3\n", &src, RNNC_ERR_FORMAT,
                 "t.csv:3:", "unterminated quote");
    expect_error("empty file", "", &src, RNNC_ERR_FORMAT, "t.csv", "empty");
    expect_error("no data rows", "t,v\r\n", &src, RNNC_ERR_FORMAT, "t.csv", "no data rows");
    rnnc_series_source bad = src;
    bad.columns = "w";
    expect_error("unknown column", "t,v\n1,2\n", &bad, RNNC_ERR_FORMAT, "t.csv:1:", "'w'");
    rnnc_series_source missing_file = rnnc_series_source_init();
    missing_file.path = "/nonexistent/x.csv";
    rnnc_series *s = NULL;
    check(rnnc_series_read(&missing_file, &s) == RNNC_ERR_IO && !s &&
              strstr(rnnc_last_error(), "/nonexistent/x.csv"),
          "a missing file: I/O error naming it");
}

static void test_split(void) {
    size_t a, b, c;
    check(rnnc_series_split(10, 0.1, 0.2, &a, &b, &c) == RNNC_OK && a == 7 && b == 1 && c == 2,
          "split 10 rows 0.1/0.2: 7 1 2");
    check(rnnc_series_split(144, 0.1, 0.2, &a, &b, &c) == RNNC_OK && a == 101 && b == 14 && c == 29,
          "split 144 rows: 101 14 29 (the last 20%% rounded: 28.8 -> 29)");
    check(rnnc_series_split(2, 0.4, 0.4, &a, &b, &c) == RNNC_ERR_ARG,
          "2 rows, 0.4/0.4: no training part, refused");
    check(rnnc_series_split(10, 0.5, 0.5, &a, &b, &c) == RNNC_ERR_ARG,
          "fractions summing to 1: refused");
}

static void test_scaler(void) {
    /* (T=4, F=3): fitted on the first 3 rows only */
    const double x[] = {1, 10, 0, 2, 20, 1, 3, 30, 0, 100, -5, 1};
    const unsigned char on[] = {1, 1, 0};
    rnnc_scaler sc;
    check(rnnc_scaler_fit(&sc, RNNC_SCALE_ZSCORE, x, 3, 3, on, NULL) == RNNC_OK, "zscore fit");
    /* rows 0..2 of column 0: mean 2, population sd sqrt(2/3) */
    check(near(sc.shift[0], 2, 1e-15) && near(sc.scale[0], sqrt(2.0 / 3), 1e-15) &&
              near(sc.shift[1], 20, 1e-13) && near(sc.scale[1], sqrt(200.0 / 3), 1e-13),
          "zscore: mean and population sd of the fitted rows only");
    check(sc.shift[2] == 0 && sc.scale[2] == 1, "a column with on = 0 is left as it is");
    float z[12];
    check(rnnc_scaler_apply(&sc, x, 4, z) == RNNC_OK &&
              near(z[9], (100 - 2) / sqrt(2.0 / 3), 1e-3) && z[11] == 1,
          "apply: row 3 scaled with the training statistics");
    check(near(rnnc_scaler_invert(&sc, 0, z[9]), 100, 1e-4), "invert undoes apply");
    check(rnnc_scaler_fit(&sc, RNNC_SCALE_MINMAX, x, 3, 3, NULL, NULL) == RNNC_OK &&
              sc.shift[0] == 1 && sc.scale[0] == 2 && sc.shift[2] == 0 && sc.scale[2] == 1,
          "minmax: shift min, scale max - min of the fitted rows");
    const unsigned char lg[] = {1, 0, 0};
    check(rnnc_scaler_fit(&sc, RNNC_SCALE_NONE, x, 3, 3, NULL, lg) == RNNC_OK &&
              rnnc_scaler_apply(&sc, x, 1, z) == RNNC_OK && near(z[0], log1p(1.0), 1e-7) &&
              near(rnnc_scaler_invert(&sc, 0, z[0]), 1, 1e-6),
          "log1p before scaling, expm1 after");
    const double neg[] = {-2, 1};
    check(rnnc_scaler_fit(&sc, RNNC_SCALE_ZSCORE, neg, 2, 1, NULL, lg) == RNNC_ERR_NUMERIC &&
              strstr(rnnc_last_error(), "row 0"),
          "log1p of -2 refused naming the row");
    const double cst[] = {5, 5, 5};
    check(rnnc_scaler_fit(&sc, RNNC_SCALE_ZSCORE, cst, 3, 1, NULL, NULL) == RNNC_OK &&
              sc.scale[0] == 1 && sc.shift[0] == 5,
          "a constant column gets scale 1");
}

/* Rows oldest first: stamps out of order or repeated are refused naming both lines; sort_time
 * sorts the rows (values, stamps, categories) before missing values are filled. */
static void test_time_order(void) {
    rnnc_series_source src = rnnc_series_source_init();
    src.time = "d";
    expect_error("a date before the row above", "d,v\n2000-01-01,1\n2000-01-03,3\n2000-01-02,2\n",
                 &src, RNNC_ERR_FORMAT,
                 "t.csv:4: time stamp '2000-01-02' comes before line 3's ('2000-01-03')",
                 "sort_time");
    expect_error("a repeated month", "d,v\n2000-01,1\n\n2000-02,2\n2000-02,3\n", &src,
                 RNNC_ERR_FORMAT, "t.csv:5: time stamp '2000-02' repeats line 4's ('2000-02')",
                 NULL);
    expect_error("numbers out of order", "d,v\n1,1\n2.5,2\n2,3\n", &src, RNNC_ERR_FORMAT,
                 "t.csv:4: time stamp '2' comes before line 3's ('2.5')", NULL);
    rnnc_status st;
    rnnc_series *s = parse("d,v\nQ3 1990,1\nQ1 1990,2\nQ1 1990,3\n", &src, &st);
    check(st == RNNC_OK && s && s->T == 3,
          "stamps that are neither dates of one format nor numbers: read in file order");
    rnnc_series_free(s);
    s = parse("d,v\n2000-01,1\n2000-01-02,2\n", &src, &st);
    check(st == RNNC_OK && s && s->T == 2, "dates of two formats: no order to check");
    rnnc_series_free(s);

    src.sort_time = 1;
    src.categorical = "c";
    src.missing = RNNC_MISSING_INTERPOLATE;
    s = parse("d,v,c\n2000-01-04,4,x\n2000-01-01,1,y\n2000-01-03,NA,x\n2000-01-02,2,z\n", &src,
              &st);
    check(st == RNNC_OK && s && s->T == 4 && s->F == 4, "sort_time: 4 rows sorted (%s)",
          st ? rnnc_last_error() : "ok");
    if (s) {
        check(!strcmp(s->time[0], "2000-01-01") && !strcmp(s->time[3], "2000-01-04") &&
                  s->x[0 * 4] == 1 && s->x[1 * 4] == 2 && s->x[3 * 4] == 4,
              "sort_time: stamps and values move together");
        check(near(s->x[2 * 4], 3, 1e-12) && s->filled == 1,
              "sort_time: the missing value is interpolated along time (3, between 2 and 4)");
        const int cx = rnnc_series_column(s, "c=x"), cy = rnnc_series_column(s, "c=y");
        check(cx >= 0 && cy >= 0 && s->x[0 * 4 + cy] == 1 && s->x[2 * 4 + cx] == 1 &&
                  s->x[3 * 4 + cx] == 1 && s->x[0 * 4 + cx] == 0,
              "sort_time: the one-hot columns move with their rows");
    }
    rnnc_series_free(s);
    src.categorical = NULL;
    src.missing = RNNC_MISSING_REJECT;
    expect_error("sort_time keeps refusing a repeated stamp",
                 "d,v\n2000-01-02,2\n2000-01-01,1\n2000-01-02,3\n", &src, RNNC_ERR_FORMAT,
                 "t.csv:4: time stamp '2000-01-02' repeats line 2's", NULL);
    expect_error("sort_time on stamps with no order", "d,v\n2000-01,1\nsoon,2\n", &src,
                 RNNC_ERR_FORMAT, "t.csv:3: time stamp 'soon': sort_time needs", NULL);
    src.time = NULL;
    s = parse("v\n3\n1\n2\n", &src, &st);
    check(st == RNNC_OK && s && s->x[0] == 3, "no time column: sort_time has nothing to sort");
    rnnc_series_free(s);
}

/* Magnitudes whose squares and sums would overflow: refused by the reader (line and column) and,
 * given directly, by the scaler. */
static void test_huge_values(void) {
    rnnc_series_source src = rnnc_series_source_init();
    expect_error("a value of -1e200", "v\n1\n-1e200\n", &src, RNNC_ERR_FORMAT,
                 "t.csv:3: column 'v': -1e200 is beyond +-1e100", NULL);
    rnnc_status st;
    rnnc_series *s = parse("v\n1e100\n-1e100\n", &src, &st);
    check(st == RNNC_OK && s, "+-1e100 itself is read");
    rnnc_series_free(s);
    const double big[] = {1e200, -1e200, 1e200, -1e200};
    rnnc_scaler sc;
    check(rnnc_scaler_fit(&sc, RNNC_SCALE_ZSCORE, big, 4, 1, NULL, NULL) == RNNC_ERR_NUMERIC &&
              strstr(rnnc_last_error(), "column 0: the statistics overflow"),
          "zscore statistics that overflow are refused (%s)", rnnc_last_error());
    const double wide[] = {1e308, -1e308};
    check(rnnc_scaler_fit(&sc, RNNC_SCALE_MINMAX, wide, 2, 1, NULL, NULL) == RNNC_ERR_NUMERIC,
          "a min-max range that overflows is refused");
}

int main(void) {
    test_basic();
    test_missing();
    test_onehot_and_time();
    test_time_after();
    test_errors();
    test_split();
    test_scaler();
    test_time_order();
    test_huge_values();
    return check_summary();
}
