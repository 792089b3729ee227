/* Minimal test support: named checks, a pass/fail count, and the closing summary line. */
#ifndef RNNC_TEST_CHECK_H
#define RNNC_TEST_CHECK_H

#include <stddef.h>

/* Records one check; prints "ok" or "FAIL" with the name. Returns cond. */
int check(int cond, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* |got-want| <= atol + rtol*|want| elementwise; on failure prints the worst index and both values. */
int check_close(const char *what, const float *got, const float *want, size_t n, double atol,
                double rtol);
/* max|got - want| / max|want| <= tol (the fixtures' criterion), in double. */
int check_rel(const char *what, const double *got, const double *want, size_t n, double tol);
/* The same criterion without recording a check: the relative error. */
double rel_error(const double *got, const double *want, size_t n);
/* Prints "N passed, N failed" and returns the process exit code (0 when none failed). */
int check_summary(void);

#endif
