"""Summarises a bench/compare.sh log as Markdown tables (standard library only).

    python3 bench/summarize.py build/bench/compare-*.log

Per shape and mode: rnnc's median ms/step (median over rounds of each round's median), its
tokens/s and GFLOP/s, and for each reference the speed ratio reference_ms / rnnc_ms (above 1:
rnnc faster) as min / median / max over the rounds, plus peak memory (MiB) of each engine (median
over rounds). Then the GEMMs alone at each training step's products (bench/gemm_shapes.c): rnnc's
own kernels against OpenBLAS sgemm (with the core type it picked), median GFLOP/s over the rounds;
and the ceiling: S* training GFLOP/s of rnnc against that sgemm rate.
"""
import statistics
import sys
from collections import defaultdict


def parse(path):
    rows, head = [], []
    gemm = defaultdict(list)  # (shape, engine, kernel) -> GFLOP/s per round
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                head.append(line.strip())
                continue
            kv = dict(tok.split("=", 1) for tok in line.split() if "=" in tok)
            if kv.get("engine") in ("openblas-sgemm", "rnnc-gemm"):
                gemm[(kv["shape"], kv["engine"], kv.get("kernel", "?"))].append(float(kv["gflops"]))
            elif "engine" in kv:
                rows.append(kv)
    return head, rows, gemm


def main():
    head, rows, gemm = parse(sys.argv[1])
    for h in head:
        print(h.lstrip("# "))
    ms = defaultdict(dict)  # (shape, mode) -> engine -> {round: row}
    engines = []
    for r in rows:
        if "failed" in r:
            print(f"note: {r['engine']} failed on {r['shape']} {r['mode']}")
            continue
        e = r["engine"]
        if e not in engines:
            engines.append(e)
        ms[(r["shape"], r["mode"])].setdefault(e, {})[r["round"]] = r
    refs = [e for e in engines if e != "rnnc"]
    for mode in ("train", "infer"):
        keys = sorted(k for k in ms if k[1] == mode)
        if not keys:
            continue
        print(f"\n### {mode}: ms per step (rnnc), speed ratio reference/rnnc (min / median / max over rounds)\n")
        hdr = "| shape | rnnc ms | rnnc tokens/s | rnnc GFLOP/s | " + " | ".join(f"vs {e}" for e in refs) + " |"
        print(hdr)
        print("|" + "---|" * (4 + len(refs)))
        for k in keys:
            d = ms[k]
            if "rnnc" not in d:
                continue
            rn = d["rnnc"]
            med = lambda field, rr: statistics.median(float(x[field]) for x in rr.values())
            cells = [k[0], f"{med('ms_median', rn):.1f}", f"{med('tokens_per_s', rn):.0f}", f"{med('gflops', rn):.1f}"]
            for e in refs:
                if e not in d:
                    cells.append("-")
                    continue
                ratios = sorted(float(d[e][rd]["ms_median"]) / float(rn[rd]["ms_median"]) for rd in d[e] if rd in rn)
                cells.append(f"{ratios[0]:.2f} / {statistics.median(ratios):.2f} / {ratios[-1]:.2f}x")
            print("| " + " | ".join(cells) + " |")
        print(f"\n### {mode}: peak memory of the step, MiB (median over rounds)\n")
        print("| shape | " + " | ".join(["rnnc"] + refs) + " |")
        print("|" + "---|" * (1 + len(engines)))
        for k in keys:
            d = ms[k]
            cells = [k[0]]
            for e in ["rnnc"] + refs:
                cells.append(f"{statistics.median(float(x['peak_mb']) for x in d[e].values()):.0f}" if e in d else "-")
            print("| " + " | ".join(cells) + " |")
    if gemm:
        print("\n### GEMM alone at the training step's products: GFLOP/s (median over rounds)\n")
        cols = sorted({(e, k) for (_, e, k) in gemm}, key=lambda c: (c[0] != "rnnc-gemm", c[1]))
        print("| shape | " + " | ".join(f"{e} ({k})" for e, k in cols) + " |")
        print("|" + "---|" * (1 + len(cols)))
        for s in sorted({sh for (sh, _, _) in gemm}):
            cells = [s] + [f"{statistics.median(gemm[(s, e, k)]):.1f}" if (s, e, k) in gemm else "-" for e, k in cols]
            print("| " + " | ".join(cells) + " |")
    blas_shapes = sorted({sh for (sh, e, _) in gemm if e == "openblas-sgemm"})
    if blas_shapes:
        print("\n### ceiling: training GFLOP/s against OpenBLAS sgemm's best core type at the step's GEMM shapes (same run)\n")
        print("| shape | rnnc train GFLOP/s | sgemm GFLOP/s | rnnc / sgemm |")
        print("|---|---|---|---|")
        for s in blas_shapes:
            d = ms.get((s, "train"), {}).get("rnnc")
            if not d:
                continue
            g = statistics.median(float(x["gflops"]) for x in d.values())
            c = max(statistics.median(v) for (sh, e, _), v in gemm.items() if sh == s and e == "openblas-sgemm")
            print(f"| {s} | {g:.1f} | {c:.1f} | {100 * g / c:.0f}% |")


if __name__ == "__main__":
    main()
