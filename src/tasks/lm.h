/* Internal to the language model (lm.c, lm_sample.c): the model's parts and the recurrent state
 * it carries from window to window. */
#ifndef RNNC_SRC_TASKS_LM_H
#define RNNC_SRC_TASKS_LM_H

#include "../core/core.h"
#include "rnnc.h"
#include "task.h"

/* The windows of one pass over a stream cut into B rows: window w, row b starts at stream
 * position pos[w*B+b] and predicts len[w*B+b] tokens (0: the row has no window left), from a zero
 * state when reset[w*B+b] (the row's first window, or a document's first). */
typedef struct rnnc__lm_sched {
    size_t B, T, n_win;
    size_t *pos;          /* (n_win,B) */
    uint32_t *len;        /* (n_win,B) */
    unsigned char *reset; /* (n_win,B) */
    size_t tokens;        /* predictions over all windows */
} rnnc__lm_sched;

struct rnnc_lm {
    rnnc_model *model;
    rnnc_vocab *vocab;
    rnnc_lm_spec spec;
    size_t V;
    /* the recurrent layers: config index, states per layer (L*D), hidden size, LSTM or not */
    int n_rec;
    int rec[RNNC_MAX_LAYERS];
    size_t rec_n[RNNC_MAX_LAYERS], rec_h[RNNC_MAX_LAYERS];
    int rec_c[RNNC_MAX_LAYERS];
    /* carried state per recurrent layer, (L*D,B,H), for up to state_cap rows */
    float *h[RNNC_MAX_LAYERS], *c[RNNC_MAX_LAYERS];
    size_t state_cap;
    int carry_train; /* the carried state is training's (of carry_rows rows), not evaluation's */
    size_t carry_rows;
    /* a batch: ids and targets (T,B), lengths (B), per-row losses (T*B) */
    int32_t *ids, *tgt, *lengths;
    double *row_loss;
    unsigned char *row_hit;
    size_t tb_cap, b_cap;
    /* during fit: the train and validation streams and their windows */
    const rnnc_corpus *cor[2];
    rnnc__lm_sched sched[2];
    pthread_mutex_t lock; /* held by evaluate and generate (task.h) */
};

/* Sets the model's initial states for the next forward of B rows: row b from the carried state,
 * or zero where reset[b] (reset NULL: every row zero). */
rnnc_status rnnc__lm_load_state(rnnc_lm *lm, size_t B, const unsigned char *reset);
/* Copies the model's final states into the carried state. */
rnnc_status rnnc__lm_keep_state(rnnc_lm *lm, size_t B);
/* Grows the carried state and the batch buffers for (T,B). */
rnnc_status rnnc__lm_reserve(rnnc_lm *lm, size_t T, size_t B);

#endif
