#include "check.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

static int passed, failed;

static int record(int ok, const char *name) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", name);
    if (ok)
        passed++;
    else
        failed++;
    return ok;
}

int check(int cond, const char *fmt, ...) {
    char name[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    return record(cond != 0, name);
}

int check_close(const char *what, const float *got, const float *want, size_t n, double atol,
                double rtol) {
    size_t worst = 0;
    double worst_excess = -INFINITY;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - want[i]), lim = atol + rtol * fabs((double)want[i]);
        if (!(d <= lim))
            ok = 0; /* NaN fails too */
        double ex = isnan(d) ? INFINITY : d - lim;
        if (ex > worst_excess)
            worst_excess = ex, worst = i;
    }
    if (!ok)
        printf("     %s: worst at [%zu]: got %.9g want %.9g\n", what, worst, (double)got[worst],
               (double)want[worst]);
    return record(ok, what);
}

double rel_error(const double *got, const double *want, size_t n) {
    double md = 0, mw = 0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(got[i] - want[i]);
        if (isnan(d))
            return INFINITY;
        md = d > md ? d : md;
        mw = fabs(want[i]) > mw ? fabs(want[i]) : mw;
    }
    if (mw == 0)
        return md; /* an all-zero reference: compare absolutely */
    return md / mw;
}

int check_rel(const char *what, const double *got, const double *want, size_t n, double tol) {
    double e = rel_error(got, want, n);
    char name[512];
    snprintf(name, sizeof name, "%s (rel err %.2e <= %.0e)", what, e, tol);
    return record(e <= tol, name);
}

int check_summary(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
