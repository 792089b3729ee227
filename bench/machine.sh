#!/usr/bin/env bash
# One line naming the machine behind a benchmark: cores, CPU model name, family/model numbers, the
# instruction sets rnnc's kernels are chosen by, and the kernel rnnc picks (build/rnnc info when
# built). Printed at the top of every benchmark log.
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
fam=$(grep -m1 '^cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')
mod=$(grep -m1 '^model[[:space:]]*:' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
isa=""
for f in avx avx2 fma avx512f avx512bw avx512_vnni avx512_bf16 avx512_fp16 avx_vnni amx_tile; do
    [[ $flags == *" $f "* ]] && isa="$isa $f"
done
kernel=""
[ -x build/rnnc ] && kernel="; rnnc gemm kernel $(build/rnnc info | sed -n 's/^gemm kernel: *\([^ ]*\).*/\1/p')"
echo "$(nproc) cores, $cpu (family $fam, model $mod), instruction sets:${isa:- none of avx..}$kernel"
