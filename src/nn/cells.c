/* The list of recurrent cells (see layers.h): each row is defined in its cell's file. */
#include "layers.h"

extern const rnnc__cell RNNC__CELL_ROW(rnn_tanh), RNNC__CELL_ROW(rnn_relu), RNNC__CELL_ROW(lstm),
    RNNC__CELL_ROW(gru), RNNC__CELL_ROW(indrnn_relu), RNNC__CELL_ROW(indrnn_tanh);

const rnnc__cell *const rnnc__cells[] = {
    &RNNC__CELL_ROW(rnn_tanh), &RNNC__CELL_ROW(rnn_relu),    &RNNC__CELL_ROW(lstm),
    &RNNC__CELL_ROW(gru),      &RNNC__CELL_ROW(indrnn_relu), &RNNC__CELL_ROW(indrnn_tanh),
};
const int rnnc__n_cells = (int)(sizeof rnnc__cells / sizeof rnnc__cells[0]);

int rnnc__cell_find(int kind, int act) {
    for (int i = 0; i < rnnc__n_cells; i++)
        if (rnnc__cells[i]->kind == kind && (rnnc__cells[i]->act < 0 || rnnc__cells[i]->act == act))
            return i;
    return -1;
}

int rnnc__is_recurrent(int kind) {
    for (int i = 0; i < rnnc__n_cells; i++)
        if (rnnc__cells[i]->kind == kind)
            return 1;
    return 0;
}
