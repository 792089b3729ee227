#!/bin/sh
# The long-memory table of docs/theory.md: for each T, task and cell, one `rnnc demo` run within
# a fixed budget (20 epochs of 100 steps, batch 32, hidden 64, Adam lr 0.005, clipping at norm 1,
# seed 1, one thread), stopping at the first epoch that meets the task's criterion.
#   examples/memory/run.sh [OUTDIR]     (default runs/memory)
# TS="50 100" picks the T's, CELLS and TASKS the rest; TABLE_ONLY=1 rebuilds the table from the
# logs already in OUTDIR without running anything. Each run's log goes to OUTDIR/TASK-CELL-T.log
# and one row to OUTDIR/table.tsv: task, cell, T, solved (yes/no), the step it was solved at (or
# the budget), wall seconds, the final test loss (MSE or cross-entropy per step) and accuracy
# (adding: answers within 0.04; copy: recalled symbols right).
set -eu
RNNC=${RNNC:-build/rnnc}
OUT=${1:-runs/memory}
TS=${TS:-50 100 200 500 1000}
CELLS=${CELLS:-rnn irnn gru lstm}
TASKS=${TASKS:-adding copy}
BUDGET="--epochs 20 --steps 100 --batch 32 --hidden 64 --lr 0.005 --seed 1 --threads 1"
mkdir -p "$OUT"
printf 'task\tcell\tT\tsolved\tstep\twall_s\ttest_loss\ttest_acc\n' >"$OUT/table.tsv"
for T in $TS; do
    for task in $TASKS; do
        for cell in $CELLS; do
            log="$OUT/$task-$cell-$T.log"
            if [ -z "${TABLE_ONLY:-}" ]; then
                if [ "$task" = adding ]; then
                    "$RNNC" demo adding --cell "$cell" --T "$T" --solved 0.01 $BUDGET >"$log"
                else
                    "$RNNC" demo copy --cell "$cell" --T "$T" $BUDGET >"$log"
                fi
            fi
            [ -f "$log" ] || continue
            # "final test accuracy: 12.7% of ... (cross-entropy 0.17325)" or "(MSE 0.00877)"
            fin=$(sed -n 's/^final test accuracy: \([0-9.]*%\) .*(\(MSE\|cross-entropy\) \([-0-9.a-z]*\))$/\3 \1/p' "$log")
            # "solved: yes, at step 700 (12.3 s wall)" / "solved: no, within 2000 steps (...)"
            sed -n 's/^solved: \([a-z]*\), [a-z]* \(step \)*\([0-9]*\)[a-z ]*(\([0-9.]*\) s wall)$/\1 \3 \4/p' "$log" |
                while read -r ok step wall; do
                    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$task" "$cell" "$T" "$ok" "$step" "$wall" \
                        ${fin:-? ?} >>"$OUT/table.tsv"
                done
        done
    done
done
cat "$OUT/table.tsv"
