#!/usr/bin/env bash
# A test of the tests: plants one known bug at a time in a copy of the tree and checks that
# `make check` fails. Not part of `make check` (each mutant is a full rebuild); run by hand:
#   tests/mutants.sh
# Prints one line per mutant and exits non-zero when a planted bug survives the suite.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/rnnc-mutants.XXXXXX)
trap 'rm -rf "$work"' EXIT
survived=0

# file | text to replace | replacement | what the bug is
mutants=(
  "src/nn/lstm.c|dc[j] = R_FLUSH(dct * f);|dc[j] = R_FLUSH(dct);|LSTM cell-state gradient skips the forget gate"
  "src/nn/gru.c|gh[2 * H + j] = R_FLUSH(dn * r);|gh[2 * H + j] = R_FLUSH(dn);|GRU recurrent n-gradient misses the reset gate"
  "src/nn/rnn.c|dht * (1 - h[j] * h[j])|dht * (1 - h[j])|tanh derivative written as 1 - h"
  "src/nn/indrnn.c|dhb[j] = R_FLUSH(w->w_hh[j] * dgt[j]);|dhb[j] = R_FLUSH(dgt[j]);|IndRNN state gradient skips its recurrent weight"
  "src/nn/indrnn.c|(w->w_hh[j] * hb[j] + w->b_hh[j])|(hb[j] + w->b_hh[j])|IndRNN forward without its recurrent weight"
  "src/nn/model.c|m->active[t * b->B + j] = t >= start \&\& t < start + len;|m->active[t * b->B + j] = 1;|padded steps treated as data"
  "src/nn/embedding.c|if (ids[n] == padding_idx) continue;|(void)padding_idx;|padding row receives gradient"
  "src/nn/dense.c|dzr[o] = yr[o] * (dyr[o] - (real)dot);|dzr[o] = yr[o] * dyr[o];|softmax backward without the Jacobian's second term"
  "src/nn/stack.c|r.reverse = (int)d;|r.reverse = 0;|second direction runs forward"
  "src/nn/recurrent.c|if (db2) db2[j0 + j] += (real)acc[j];|(void)db2;|LSTM/RNN bias_hh gets no gradient"
  "src/nn/pool.c|if (!active[t * B + b]) continue;|(void)0;|pooling counts padded steps"
  "src/core/vmath.c|x[i] = in != in ? in : a < 0.3f ? small|x[i] = in != in ? in : a < 0.03f ? small|tanh switches to the exp form too early"
  "src/train/fit.c|    *rnnc_model_rng(r->task->model) = r->st.dropout;|    (void)0;|resume forgets the dropout stream"
  "src/core/gemm.c|r0 * ldc, ldc, k0 > 0|r0 * ldc, ldc, k0 < 0|step product forgets the partial sums of earlier k blocks"
  "src/nn/layers.h|    return e - b0;|    return e > b0 ? e - b0 - 1 : 0;|step product skips the last row holding data"
  "src/nn/lstm.c|hh + b * 4 * nu, w->b_ih + u0,|hh + b * 4 * nu, w->b_ih,|LSTM units mode reads another thread's b_ih"
  "src/core/gemm.c|const size_t b = k == nt - 1 ? total :|const size_t b = k == nt - 1 ? total - 1 :|GEMM thread slices drop the last row or column"
  "src/core/gemm.c|acc[r][0] = _mm512_fmadd_ps(a, w0, acc[r][0]);|acc[r][0] = _mm512_add_ps(_mm512_mul_ps(a, w0), acc[r][0]);|AVX-512 kernel rounds products and sums separately (bits differ from the definition and AVX2)"
  "src/core/gemm.c|TILE(2, Ap + (r % (MR))), r += 2;|TILE(2, Ap), r += 2;|a 2-row tail tile after an 8- or 4-row one reads the first rows of its micro-panel"
  "src/tasks/lm.c|                if (reset \&\& !reset[b])|                if (0)|language model forgets its state between windows"
  "src/tasks/lm.c|                            ? 1.0f / (float)B|                            ? 1.0f / (float)(counted ? counted : 1)|step_sum loss reduced as a token mean"
  "src/nn/model.c|    return \&m->plan.params[pl->tied_weight >= 0 ? pl->tied_weight : pl->first_param];|    return &m->plan.params[pl->first_param];|tied output layer uses its bias as its weight"
  "src/train/fit.c|            a[i] = d * a[i] + e * w[i];|            a[i] = w[i];|weight average is the last weights"
  "src/train/optim.c|update_range(o, p, g, off, cnt, o->factor[l], o->layer_step[l]);|update_range(o, p, g, off, cnt, o->factor[l], o->step);|a layer unfrozen late takes the optimizer's global step count"
  "src/train/finetune.c|                g[k] += a * (w[k] - w0[k]);|                (void)w0;|L2-SP adds no gradient"
  "src/train/finetune.c|        on[i] = (unsigned char)(!frozen \&\& seen < open);|        on[i] = (unsigned char)(!frozen);|gradual unfreezing opens every layer at once"
  "src/data/augment.c|            ids[i] = ids[i + 1], ids[i + 1] = t;|            ids[i] = ids[i + (i + 2 < n ? 2 : 1)], ids[i + (i + 2 < n ? 2 : 1)] = t;|augmentation swaps a word with the one after its neighbour"
  "src/data/augment.c|    if (words > 0 \&\& kept == 0)|    if (0)|augmentation may delete every word of a text"
  "src/data/augment.c|        if (!reserved(ids[i]) \&\& rnnc_rng_uniform(rng) < p)|        if (rnnc_rng_uniform(rng) < p)|<unk> replacement also hits <start> and <pad>"
  "src/data/augment.c|            y[h] = (float)(y[h] * k);|            y[h] = y[h];|window scaling leaves the targets unscaled"
  "src/nn/stack.c|                rnnc__dropout_backward(GH, s->whh_mask[k], s->dwhh, s->g[k].w_hh);|                for (size_t i = 0; i < GH; i++) s->g[k].w_hh[i] += s->dwhh[i];|weight_drop's W_hh gradient skips the mask"
  "src/nn/stack.c|    if (s->wdropped) w.w_hh = s->whh[k];|    (void)0;|weight_drop draws masks but runs on the whole W_hh"
  "src/tasks/forecast.c|    for (int b = 0; b < B \&\& !(set == 0 \&\& augmenting(\&f->spec)); b++)|    for (int b = 0; b < B; b++)|forecaster loss ignores the augmented targets"
  "src/tasks/forecast.c|    if (st == RNNC_OK \&\& set == 0 \&\& augmenting(\&f->spec)) /* training windows only */|    if (st == RNNC_OK && augmenting(&f->spec))|forecaster augments its validation windows"
  "src/tasks/classify.c|    rnnc_rng *rng = rnnc_model_rng(c->model);|    static rnnc_rng own = {{1, 2, 3, 4}}; rnnc_rng *rng = &own;|text augmentation draws from its own generator, not the model's"
  "src/tasks/classify.c|        c->border[b] = idx[c->border[b]];|        (void)idx;|augmented batch rows not mapped back to their labels"
  "src/nn/layers.h|            o[j] = on ? dh[b * H + j] + dy[(t * B + b) * ldy + j] : 0;|            o[j] = on ? dh[b * H + j] : 0;|the step-gradient record (rnnc gradflow) leaves out the output's gradient"
)

for m in "${mutants[@]}"; do
    IFS='|' read -r file from to what <<<"$m"
    rm -rf "$work/tree"
    mkdir -p "$work/tree"
    (cd "$top" && git ls-files -z | xargs -0 cp --parents -t "$work/tree")
    python3 - "$work/tree/$file" "$from" "$to" <<'PY' || { echo "mutant not applied: $what"; survived=1; continue; }
import sys
path, a, b = sys.argv[1], sys.argv[2].replace("\\&", "&"), sys.argv[3]
s = open(path).read()
if a not in s:
    sys.exit(1)
open(path, "w").write(s.replace(a, b, 1))
PY
    out=$(cd "$work/tree" && make -s check 2>&1)
    rc=$?
    last=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ $rc -ne 0 ]; then
        echo "killed    ($last): $what"
    else
        echo "SURVIVED  ($last): $what"
        survived=1
    fi
done
exit $survived
