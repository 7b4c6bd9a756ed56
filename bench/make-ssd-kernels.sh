#!/usr/bin/env bash
# Compiles bench/ssd-kernels.mlir once per SSD configuration into OUT (default
# build/bench-ssd), for bench/SsdBench.cpp (mamba-bench-ssd) on the GPU
# machine: the per-step recurrence, and the chunked tensor-core kernel at each
# chunk and channel block of CONFIGS ("CHUNK:BLOCK ...", 0 = the default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
out="${OUT:-$build/bench-ssd}"
chip="${CHIP:-sm_90a}"
mkdir -p "$out"
"$build/bin/mamba-compile" "$root/bench/ssd-kernels.mlir" --chip="$chip" \
  -o "$out/ssd_per_step.mmod"
configs="${CONFIGS:-0:0 16:64 32:32 32:16 64:16 16:16}"
for config in $configs; do
  chunk=${config%%:*} block=${config##*:}
  "$build/bin/mamba-compile" "$root/bench/ssd-kernels.mlir" --chip="$chip" \
    --ssd-tensor-cores --ssd-chunk="$chunk" --ssd-channel-block="$block" \
    -o "$out/ssd_q${chunk}_p${block}.mmod"
done
ls "$out"
