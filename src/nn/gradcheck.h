/* The gradient check's internals (src/nn/gradcheck.c), for tests. */
#ifndef RNNC_SRC_NN_GRADCHECK_H
#define RNNC_SRC_NN_GRADCHECK_H

#include "../core/core.h"
#include "rnnc/nn.h"

/* Tests only: after backward, rnnc_gradcheck makes the analytic gradient of the tensor of that
 * name (a parameter's, or "input") 1% wrong at its largest entry and always compares that entry,
 * so the check must fail on it. NULL or "" turns it off. Not thread-safe. */
void rnnc__gradcheck_plant(const char *tensor);

#endif
