#!/usr/bin/env bash
# Compiles the benchmark scans: one module per channel count d of the
# PERFORMANCE.md set and per tile configuration, named
# scan_d<d>_cb<channels>_s<states>_t<chunk>_r<registers>_q<splits>.mmod, into $1 (default
# build/bench-kernels). Runs where the compiler is; the modules and
# build/bin/mamba-bench-scan are then carried to the GPU machine.
#   CONFIGS  space-separated "cb:s:t:r:q" tuples: channels per block, states
#            per thread, chunk length, register cap (0: ptxas decides),
#            sequence splits (default 1)
#   DIMS     space-separated channel counts (default: 1536 4096 5120)
#   CHIP     target chip (default: sm_90a)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-build/bench-kernels}"
compile="${BUILD_DIR:-build}/bin/mamba-compile"
configs="${CONFIGS:-64:16:16:128 64:16:16:168 32:16:16:128 128:16:16:128 64:16:32:168 64:8:16:0 32:4:16:0}"
dims="${DIMS:-1536 4096 5120}"
chip="${CHIP:-sm_90a}"
mkdir -p "$out"

for d in $dims; do
  for config in $configs; do
    IFS=: read -r cb s t r q <<<"$config"
    r="${r:-0}" q="${q:-1}"
    name="scan_d${d}_cb${cb}_s${s}_t${t}_r${r}_q${q}"
    act="tensor<?x${d}x?xbf16>"
    bc="tensor<?x1x16x?xbf16>"
    vec="tensor<${d}xf32>"
    cat >"$out/$name.mlir" <<MLIR
func.func @scan(%u: $act, %delta: $act, %A: tensor<${d}x16xf32>, %B: $bc, %C: $bc, %D: $vec, %z: $act, %delta_bias: $vec) -> $act {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) delta_softplus
      {tiling = #mamba.scan_tiling<channels_per_block = $cb, states_per_thread = $s, chunk_length = $t, sequence_splits = $q>}
      : ($act, $act, tensor<${d}x16xf32>, $bc, $bc, $vec, $act, $vec) -> $act
  return %y : $act
}
MLIR
    "$compile" "$out/$name.mlir" -o "$out/$name.mmod" --chip="$chip" \
      --max-registers="$r"
    echo "$out/$name.mmod"
  done
done
