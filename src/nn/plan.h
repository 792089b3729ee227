/* The plan of a model: from a validated rnnc_config, each layer's sizes and the table of named
 * parameters with their offsets in the arena. Shared by the float and double model code. */
#ifndef RNNC_SRC_NN_PLAN_H
#define RNNC_SRC_NN_PLAN_H

#include "../core/core.h"
#include "rnnc/nn.h"

typedef struct rnnc__param {
    char name[RNNC_NAME_MAX + 32]; /* "<layer>.<parameter>" as PyTorch's state_dict */
    int ndim;
    size_t dims[2];
    size_t offset, size; /* in elements, within the arena */
    int layer;
} rnnc__param;

typedef struct rnnc__plan_layer {
    int kind;
    char name[RNNC_NAME_MAX];
    size_t in, out;      /* features per row of input and output */
    int seq_in, seq_out; /* 1: (T,B,F); 0: (B,F) */
    int first_param, n_params;
    int tied_weight; /* a tied dense layer: the index of the parameter it uses as its weight (it
                        owns only its bias); -1 otherwise */
} rnnc__plan_layer;

typedef struct rnnc__plan {
    int n_layers;
    rnnc__plan_layer layer[RNNC_MAX_LAYERS];
    int n_params;
    rnnc__param *params; /* owned */
    size_t total;        /* elements in the arena */
} rnnc__plan;

/* Validates cfg and fills plan (free with rnnc__plan_free). */
rnnc_status rnnc__plan_build(const rnnc_config *cfg, rnnc__plan *plan);
void rnnc__plan_free(rnnc__plan *plan);
/* Index of the parameter called `name`, or -1. */
int rnnc__plan_find(const rnnc__plan *plan, const char *name);
/* Reals of the final hidden states of the recurrent layers before layer `upto`, per sequence
 * (what a decoder's linear bridge reads). */
size_t rnnc__plan_bridge_in(const rnnc_config *cfg, int upto);
/* The internal cell kind of a recurrent layer spec. */
int rnnc__plan_cell(const rnnc_layer_spec *s);
/* "embedding", "dense", "dropout", "rnn", "lstm", "gru" */
const char *rnnc__kind_name(int kind);

#endif
