/* Keras's pad_sequences for one sequence. */
#include "data.h"

#include <string.h>

rnnc_status rnnc_pad_ids(const int32_t *ids, size_t n, int maxlen, int padding, int truncating,
                         int32_t value, int32_t *out, int *len) {
    if (maxlen < 1)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pad_ids: maxlen %d is below 1", maxlen);
    if ((!ids && n > 0) || !out || !len)
        return RNNC_FAIL(RNNC_ERR_ARG, "rnnc_pad_ids: %s is NULL",
                         !out   ? "out"
                         : !len ? "len"
                                : "ids");
    if ((padding != RNNC_PAD_PRE && padding != RNNC_PAD_POST) ||
        (truncating != RNNC_PAD_PRE && truncating != RNNC_PAD_POST))
        return RNNC_FAIL(
            RNNC_ERR_ARG, "rnnc_pad_ids: %s %d is neither RNNC_PAD_PRE nor RNNC_PAD_POST",
            (padding != RNNC_PAD_PRE && padding != RNNC_PAD_POST) ? "padding" : "truncating",
            (padding != RNNC_PAD_PRE && padding != RNNC_PAD_POST) ? padding : truncating);
    size_t m = (size_t)maxlen, k = n < m ? n : m;
    /* Truncating 'pre' drops the start of a long sequence, 'post' its end. */
    const int32_t *src = (n > m && truncating == RNNC_PAD_PRE) ? ids + (n - m) : ids;
    size_t at = padding == RNNC_PAD_PRE ? m - k : 0;
    for (size_t i = 0; i < m; i++)
        out[i] = value;
    if (k)
        memcpy(out + at, src, k * sizeof *out);
    *len = (int)k;
    return RNNC_OK;
}
