/* reviews.h - tiny synthetic labelled review sets for the training tests: each review is 4 to 15
 * filler words with one sentiment word at a random place, label 1 (pos) when that word is
 * positive. The same seed gives the same set. */
#ifndef RNNC_TESTS_REVIEWS_H
#define RNNC_TESTS_REVIEWS_H

#include "rnnc.h"

/* n reviews, labels "neg" (0) and "pos" (1); owned by the caller (rnnc_textset_free). */
rnnc_textset *reviews_make(size_t n, uint64_t seed);

#endif
