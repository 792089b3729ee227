/* The forecaster's parts (forecast.c: the object, its spec and model file; forecast_fit.c: windows
 * and training; forecast_predict.c: prediction and evaluation) share its struct and these
 * helpers. Not part of the public API. */
#ifndef RNNC_SRC_TASKS_FORECASTER_H
#define RNNC_SRC_TASKS_FORECASTER_H

#include "rnnc.h"

#include "../formats/values.h"
#include "../train/fit.h"
#include "task.h"

/* A series as the forecaster sees it: its inputs, raw and scaled, and the split. */
typedef struct view {
    size_t T;
    double *raw; /* (T,I) */
    float *z;    /* (T,I) what the model sees: scaled, the targets differenced with difference k */
    float *lz;   /* (T,I) with difference k: the scaled levels (in z's allocation); else NULL */
    size_t n_tr, n_va, n_te;
} view;

struct rnnc_forecaster {
    rnnc_model *model;
    rnnc_forecast_spec spec;
    size_t I, NT; /* inputs, targets (the first NT inputs) */
    char **names; /* (I) */
    rnnc_scaler sc;
    char data[1024], time[256], columns[1024], categorical[256];
    int missing, sort_time;
    /* during fit: */
    view v;
    size_t *orig[2], n_orig[2]; /* first target rows of the training and validation windows */
    float *bx, *by;             /* batch workspace: (L,B,I) inputs, (B,units) targets */
    size_t bx_cap, by_cap;
    float *wx, *ww; /* augmentation: one window (L,I) and rnnc_series_augment's scratch (L,I) */
    size_t wx_cap, ww_cap;
    float *gm; /* the Gaussian loss's means, variances and their gradients (4 x units) */
    size_t gm_cap;
    pthread_mutex_t lock; /* held by predict and evaluate (task.h) */
    uint64_t seed;        /* the creation seed (member k of an ensemble: seed + k) */
    rnnc_model **members; /* an ensemble's models (n_members > 1), members[0] == model */
    int n_members;
};

size_t rnnc__fc_ar_order_of(const rnnc_forecaster *f, size_t n_tr);
int rnnc__fc_augmenting(const rnnc_forecast_spec *s);
rnnc_status rnnc__fc_check_baselines(const rnnc_forecaster *f, const view *v, const char *data);
rnnc_status rnnc__fc_check_scaled(const rnnc_forecaster *f, const view *v, const char *data);
rnnc_status rnnc__fc_fill_inputs(rnnc_forecaster *f, const float *const *rows, int B);
size_t rnnc__fc_first_row(const rnnc_forecaster *f);
size_t rnnc__fc_head_steps(const rnnc_forecaster *f);
size_t rnnc__fc_head_width(const rnnc_forecaster *f);
size_t rnnc__fc_level_len(const rnnc_forecaster *f);
size_t rnnc__fc_ma_window_of(const rnnc_forecaster *f);
rnnc_status rnnc__fc_make_view(rnnc_forecaster *f, const rnnc_series *s, view *v);
rnnc_status rnnc__fc_origins_of(rnnc_forecaster *f, const view *v, int part, size_t **out,
                                size_t *n);
rnnc_status rnnc__fc_save_with(const rnnc_forecaster *f, const char *path, const char *key,
                               const char *value);
rnnc_status rnnc__fc_scale_view(rnnc_forecaster *f, view *v);
char *rnnc__fc_scaler_to_meta(const rnnc_forecaster *f);
size_t rnnc__fc_season_of(const rnnc_forecaster *f, size_t n_tr);
double rnnc__fc_softplus(double r);
void rnnc__fc_to_levels(const rnnc_forecaster *f, const view *v, size_t t, size_t steps,
                        const float *zo, const float *zl, const float *zh, size_t NI, double *lev,
                        double *llo, double *lhi);
double rnnc__fc_window_level(const rnnc_forecaster *f, const float *w, size_t j);
/* The words of the spec's enums, in enum order: scaling, loss, missing values. */
extern const char *const rnnc__fc_scaling_names[];
extern const char *const rnnc__fc_loss_names[];
extern const char *const rnnc__fc_missing_names[];

#endif
