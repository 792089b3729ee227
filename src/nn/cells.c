/* The table of recurrent cells (see layers.h): one row per cell and nonlinearity. */
#include "layers.h"

const rnnc__cell rnnc__cells[] = {
    /* name, kind, act, gates, has_c, forget_gate, whh_diag, split_dgh, cache_hn, units_mode */
    {"rnn", RNNC_LAYER_RNN, RNNC_ACT_TANH, 1, 0, -1, 0, 0, 0, 0, rnnc__rnn_forward,
     rnnc__rnn_backward},
    {"rnn", RNNC_LAYER_RNN, RNNC_ACT_RELU, 1, 0, -1, 0, 0, 0, 0, rnnc__rnn_forward,
     rnnc__rnn_backward},
    {"lstm", RNNC_LAYER_LSTM, -1, 4, 1, 1, 0, 0, 0, 1, rnnc__lstm_forward, rnnc__lstm_backward},
    {"gru", RNNC_LAYER_GRU, -1, 3, 0, -1, 0, 1, 1, 0, rnnc__gru_forward, rnnc__gru_backward},
};
const int rnnc__n_cells = (int)(sizeof rnnc__cells / sizeof rnnc__cells[0]);

int rnnc__cell_find(int kind, int act) {
    for (int i = 0; i < rnnc__n_cells; i++)
        if (rnnc__cells[i].kind == kind && (rnnc__cells[i].act < 0 || rnnc__cells[i].act == act))
            return i;
    return -1;
}

int rnnc__is_recurrent(int kind) {
    for (int i = 0; i < rnnc__n_cells; i++)
        if (rnnc__cells[i].kind == kind)
            return 1;
    return 0;
}
