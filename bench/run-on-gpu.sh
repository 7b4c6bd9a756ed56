#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, with build/bin,
# build/test-kernels, build/runtime-test-kernels and build/bench-kernels
# carried from the build machine: the GPU tests, then the scan benchmark,
# then the compiled kernels' resource usage and SASS (cuobjdump is there,
# not on the build machine). Everything goes to $OUT (default: bench/out).
#   STAGES  which of "tests bench sass" to run (default: all three)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${OUT:-bench/out}"
stages="${STAGES:-tests bench sass}"
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total \
  --format=csv,noheader | tee "$out/gpu.txt"

if [[ " $stages " == *" tests "* ]]; then
  MAMBA_GPU_KERNELS=build/test-kernels:build/runtime-test-kernels \
    build/bin/MambaGpuTests >"$out/gpu-tests.log" 2>&1
  echo "MambaGpuTests exit $?"
  grep -E "^\[  (PASSED|FAILED|SKIPPED) |rel L2|^\[  FAILED" "$out/gpu-tests.log" | tail -40
fi

if [[ " $stages " == *" bench "* ]]; then
  build/bin/mamba-bench-scan --markdown "$out/scan-bench.md" \
    build/bench-kernels/*.mmod >"$out/bench.log" 2>&1
  echo "mamba-bench-scan exit $?"
fi

if [[ " $stages " == *" sass "* ]]; then
  mkdir -p /tmp/images
  for m in build/bench-kernels/*.mmod; do
    build/bin/mamba-mmod-dump --extract-images /tmp/images "$m" >/dev/null
  done
  for c in /tmp/images/*.cubin; do
    echo "== $(basename "$c")"
    cuobjdump --dump-resource-usage "$c" | grep -E "REG|STACK|SHARED|LOCAL"
  done >"$out/resource-usage.txt" 2>&1
  for c in /tmp/images/*d1536_cb64_s16_t16*.cubin /tmp/images/*d1536_cb32_s4_t16*.cubin; do
    cuobjdump --dump-sass "$c" >"$out/$(basename "$c" .cubin).sass" 2>&1
  done
fi
[ -f "$out/bench.log" ] && tail -60 "$out/bench.log"
