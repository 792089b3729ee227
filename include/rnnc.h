/*
 * rnnc: recurrent neural networks in C11.
 *
 * The whole public API, one header per layer of the library (include/rnnc/), each including
 * the ones below it. Conventions used throughout:
 *   - Sequences are time-major: (T,B,F) = T steps, B sequences, F features per step.
 *   - Dimension letters: T time, B batch, I input, H hidden, G gate rows (4H LSTM, 3H GRU, H RNN),
 *     V vocabulary, L stacked layers, D directions (1 or 2).
 *   - A fallible function returns rnnc_status (RNNC_OK = 0, negative on error) and leaves a message
 *     for rnnc_last_error(). The library never prints and never exits.
 *   - rnnc_x_create(..., &out) hands ownership to the caller; rnnc_x_free(x) releases it and
 *     rnnc_x_free(NULL) does nothing. Pointer arguments are borrowed for the call only.
 *   - A struct of options (rnnc_fit_spec, rnnc_layer_spec, rnnc_text_source, ...) starts with
 *     struct_size and is started from its _init(), which sets it; a call refuses another size
 *     (docs/api.md, "Compatibility").
 *   - Layers are numbered from 0 (their index in rnnc_config) in every call, message and listing.
 *   - Getters are rnnc_<object>_<thing>, setters rnnc_<object>_set_<thing> (docs/api.md, "Names").
 *   - Parameter names, shapes and gate order are PyTorch's (torch.nn.RNN/LSTM/GRU, nn.Embedding,
 *     nn.Linear), so weights move between rnnc and PyTorch without permutation.
 */
#ifndef RNNC_H
#define RNNC_H

#include "rnnc/core.h"
#include "rnnc/formats.h"
#include "rnnc/text.h"
#include "rnnc/series.h"
#include "rnnc/pairs.h"
#include "rnnc/nn.h"
#include "rnnc/train.h"
#include "rnnc/classify.h"
#include "rnnc/trainfile.h"
#include "rnnc/lm.h"
#include "rnnc/forecast.h"
#include "rnnc/arrays.h"
#include "rnnc/translate.h"

#endif /* RNNC_H */
