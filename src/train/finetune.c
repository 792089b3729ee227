/* The trainer's fine-tuning controls (docs/finetune.md): which layers train in an epoch (frozen
 * layers and gradual unfreezing), discriminative learning rates and the L2-SP penalty. */
#include "fit.h"

#include <string.h>

/* Whether layer i has parameters (a "group"). */
static int has_params(const rnnc_model *m, int layer) {
    for (int i = 0; i < rnnc_model_param_count(m); i++)
        if (rnnc_model_param_layer(m, i) == layer)
            return 1;
    return 0;
}

int rnnc_finetune_trainable(const rnnc_finetune_spec *spec, const rnnc_model *m, int epoch,
                            unsigned char *on) {
    const int nl = m ? rnnc_model_config(m)->n_layers : 0;
    int groups = 0;
    for (int i = 0; i < nl; i++)
        on[i] = 1;
    if (!spec || (!spec->frozen && spec->unfreeze_every <= 0)) {
        for (int i = 0; i < nl; i++)
            groups += has_params(m, i);
        return groups;
    }
    /* groups from the top: the first `open` groups not frozen train */
    const int open = spec->unfreeze_every > 0 ? 1 + (epoch - 1) / spec->unfreeze_every : nl;
    int any_below = 0; /* a group at or below layer i trains */
    unsigned char param[RNNC_MAX_LAYERS];
    for (int i = nl - 1, seen = 0; i >= 0; i--) {
        param[i] = (unsigned char)has_params(m, i);
        if (!param[i])
            continue;
        const int frozen = spec->frozen && spec->frozen[i];
        on[i] = (unsigned char)(!frozen && seen < open);
        seen += !frozen;
        groups += on[i];
    }
    /* a layer without parameters trains when a group below it does (so the backward reaches it) */
    for (int i = 0; i < nl; i++) {
        if (param[i])
            any_below |= on[i];
        else
            on[i] = (unsigned char)any_below;
    }
    return groups;
}

rnnc_status rnnc__finetune_epoch(const rnnc_finetune_spec *spec, rnnc_model *m, int epoch) {
    if (!spec->frozen && spec->unfreeze_every <= 0)
        return RNNC_OK; /* the caller's own settings stand */
    unsigned char on[RNNC_MAX_LAYERS];
    rnnc_finetune_trainable(spec, m, epoch, on);
    for (int i = 0; i < rnnc_model_config(m)->n_layers; i++)
        RNNC_TRY(rnnc_model_set_trainable(m, i, on[i]));
    return RNNC_OK;
}

rnnc_status rnnc__finetune_optim(const rnnc_finetune_spec *spec, rnnc_optim *o,
                                 const rnnc_model *m) {
    for (int i = 0; spec->lr_factor && i < rnnc_model_config(m)->n_layers; i++)
        RNNC_TRY(rnnc_optim_set_layer_factor(o, i, spec->lr_factor[i]));
    return RNNC_OK;
}

/* Elements of parameter i. */
static size_t param_size(const rnnc_model *m, int i) {
    int ndim;
    size_t dims[2];
    rnnc_model_param_info(m, i, NULL, &ndim, dims);
    return dims[0] * (ndim > 1 ? dims[1] : 1);
}

void rnnc__finetune_l2sp(const rnnc_finetune_spec *spec, rnnc_model *m) {
    if (!(spec->l2sp > 0) || !spec->anchor)
        return;
    size_t n;
    const float *restrict w = rnnc_model_params(m, &n);
    float *restrict g = rnnc_model_grads(m, NULL);
    const float *restrict w0 = spec->anchor;
    const float a = (float)spec->l2sp;
    size_t off = 0;
    for (int i = 0; i < rnnc_model_param_count(m); i++) {
        const size_t cnt = param_size(m, i);
        if ((!spec->anchored || spec->anchored[i]) && rnnc_model_param_trainable(m, i))
            for (size_t k = off; k < off + cnt; k++)
                g[k] += a * (w[k] - w0[k]);
        off += cnt;
    }
}

double rnnc_finetune_l2sp_penalty(const rnnc_finetune_spec *spec, const rnnc_model *m) {
    if (!spec || !(spec->l2sp > 0) || !spec->anchor)
        return 0;
    const float *w = rnnc_model_params((rnnc_model *)m, NULL);
    double sum = 0;
    size_t off = 0;
    for (int i = 0; i < rnnc_model_param_count(m); i++) {
        const size_t cnt = param_size(m, i);
        if (!spec->anchored || spec->anchored[i])
            for (size_t k = off; k < off + cnt; k++) {
                const double d = (double)w[k] - (double)spec->anchor[k];
                sum += d * d;
            }
        off += cnt;
    }
    return 0.5 * spec->l2sp * sum;
}
