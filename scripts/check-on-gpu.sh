#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, with build/bin,
# build/check-models, build/test-kernels and build/runtime-test-kernels
# carried from the build machine (scripts/compile-check-models.sh makes the
# models): the GPU tests, the transformers comparison and, with BENCH=1,
# the whole-model benchmark (bench/bench-models.sh). Prints a short summary
# of each, the full logs go to $OUT (default: /tmp/mamba-check). Exits
# non-zero when the tests or the comparison fail.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${OUT:-/tmp/mamba-check}"
mkdir -p "$out"
start=$(date +%s)
elapsed() { echo "$1: exit $2 after $(($(date +%s) - start)) s"; }

MAMBA_GPU_KERNELS=$PWD/build/test-kernels:$PWD/build/runtime-test-kernels \
  build/bin/MambaGpuTests --gtest_brief=1 >"$out/gpu-tests.log" 2>&1
tests=$?
[[ $tests -eq 77 ]] && echo "MambaGpuTests skipped every test: no usable GPU here"
grep -E "Failure|^\[  FAILED|^\[  PASSED|tests from .* ran" "$out/gpu-tests.log" | tail -12
elapsed MambaGpuTests $tests

# A GPU number past the machine's count is an error naming the ones there.
devices=0
module=$(ls build/check-models/*.mmod 2>/dev/null | head -1)
if [[ -n $module ]]; then
  message=$(build/bin/mamba-run "$module" --weights . --device cuda:64 \
    --prompt-ids 1 2>&1)
  if [[ $message == "mamba-run: --device cuda:64: no such GPU: the driver sees "* ]]; then
    echo "cuda:64: refused as expected ($message)"
  else
    echo "cuda:64: unexpected answer: $message"
    devices=1
  fi
fi

timeout 300 python3 scripts/check-transformers.py --mamba-run build/bin/mamba-run \
  --modules build/check-models >"$out/check-transformers.log" 2>&1
check=$?
grep -E "^[|]|Error" "$out/check-transformers.log" | tail -10
elapsed check-transformers $check

if [[ ${BENCH:-0} == 1 ]]; then
  OUT="$out/bench" bash bench/bench-models.sh >"$out/bench.log" 2>&1
  elapsed bench-models $?
  cat "$out/bench/models"*.md
fi
[[ $tests -eq 0 && $check -eq 0 && $devices -eq 0 ]]
