#!/usr/bin/env bash
# rnnc against the strongest CPU references on the five fixed shapes (bench/README.md): rnnc,
# oneDNN 2.6 (Debian's libdnnl) and current PyTorch (bench/.venv) run alternately, one process
# per (engine, shape, mode), for ROUNDS rounds (the engine order rotates each round), all with the
# same thread count; plus rnnc's GEMM kernels and OpenBLAS sgemm alone at each shape's GEMM
# shapes in the same run (bench/gemm_shapes.c; OpenBLAS is the ceiling of the old design). Raw lines go to build/bench/compare-<date>.log; the summary (ratios min/median/max
# over rounds) is printed as Markdown tables by bench/summarize.py.
#   bench/compare.sh [rounds=3] [steps=7] [threads=2]
# Environment: SHAPES="S1 S2 S3 S4 S5", MODES="train infer", ENGINES="rnnc onednn torch",
# OPENBLAS_ALSO="SkylakeX" (OpenBLAS core types timed besides the one it picks by itself; by
# default its AVX-512 kernels where the CPU has AVX-512F, its AVX2 ones where it has AVX2)
# (also: torch-default = PyPI torch without flush-to-zero, torch-debian = Debian's python3-torch
# with OpenBLAS threads, onednn-noftz = oneDNN without flush-to-zero). Every reference runs in its
# fastest configuration by default: oneDNN and PyTorch with denormals flushed to zero, as rnnc. Needs: make, bench/setup-venv.sh, bench/setup-onednn.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
steps=${2:-7}
threads=${3:-2}
shapes=${SHAPES:-S1 S2 S3 S4 S5}
modes=${MODES:-train infer}
engines=(${ENGINES:-rnnc onednn torch})
warm=2
py=bench/.venv/bin/python
libs="$(pkg-config --libs inih jansson zlib libarchive) -lm -lpthread"

make -s build/librnnc.a build/rnnc
mkdir -p build/bench
scripts/install-deps.sh libopenblas-dev # the GEMM comparison only; rnnc does not use it
cc -O2 -std=c11 -Iinclude bench/rnnc_shapes.c build/librnnc.a $libs -o build/rnnc_shapes
cc -O2 -std=c11 -Iinclude bench/gemm_shapes.c build/librnnc.a $libs \
    $(pkg-config --cflags --libs openblas) -o build/gemm_shapes
for e in "${engines[@]}"; do
    case $e in
    onednn*) bench/setup-onednn.sh >/dev/null ;;
    torch | torch-default) [ -x "$py" ] || { echo "compare: run bench/setup-venv.sh first" >&2; exit 1; } ;;
    esac
done

run_engine() { # engine shape mode
    case $1 in
    rnnc) build/rnnc_shapes "$2" "$3" "$steps" "$warm" "$threads" ;;
    onednn) ONEDNN_SHAPES_FTZ=1 build/onednn_shapes "$2" "$3" "$steps" "$warm" "$threads" ;;
    onednn-noftz) build/onednn_shapes "$2" "$3" "$steps" "$warm" "$threads" ;;
    torch) "$py" bench/torch_shapes.py "$2" "$3" "$steps" "$warm" "$threads" fast ;;
    torch-default) "$py" bench/torch_shapes.py "$2" "$3" "$steps" "$warm" "$threads" default ;;
    torch-debian) /usr/bin/python3 bench/torch_shapes.py "$2" "$3" "$steps" "$warm" "$threads" blas ;;
    *) echo "compare: unknown engine $1" >&2; exit 2 ;;
    esac
}

flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
also_default=""
if [[ $flags == *" avx512f "* ]]; then also_default=SkylakeX; elif [[ $flags == *" avx2 "* ]]; then also_default=Haswell; fi
also=${OPENBLAS_ALSO-$also_default}

log=build/bench/compare-$(date +%Y%m%d-%H%M%S).log
{
    echo "# machine: $(bench/machine.sh); $(date -u +%FT%TZ)"
    echo "# rounds=$rounds steps=$steps warmup=$warm threads=$threads engines=${engines[*]}"
} | tee "$log"
n=${#engines[@]}
for ((r = 0; r < rounds; r++)); do
    for s in $shapes; do
        build/gemm_shapes "$s" "$threads" 3 | sed "s/^/round=$r /" | tee -a "$log"
        for core in $also; do
            OPENBLAS_CORETYPE=$core build/gemm_shapes "$s" "$threads" 3 openblas | sed "s/^/round=$r /" | tee -a "$log"
        done
        for m in $modes; do
            for ((k = 0; k < n; k++)); do
                e=${engines[$(((k + r) % n))]}
                line=$(run_engine "$e" "$s" "$m" 2>/dev/null | grep '^engine=' || echo "engine=$e shape=$s mode=$m failed=1")
                echo "round=$r $line" | tee -a "$log"
            done
        done
    done
done
echo "# raw lines: $log"
python3 bench/summarize.py "$log"
