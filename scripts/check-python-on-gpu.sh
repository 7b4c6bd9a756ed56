#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, with PY (default
# gpu-carry/py) carried from the build machine:
#   PY/lib/                 the runtime's static libraries (build/lib/libMamba
#                           {RuntimeDevices,CudaRuntime,CpuRuntime,RuntimeCore,
#                           Format}.a)
#   PY/cache/               the ops' kernels for this GPU, made there by
#                           `python3 test/python/test_ops_cuda.py sm_90a
#                           PY/cache` and bench/python-op-overhead.py
#                           --compile-for sm_90a (MAMBA_MLIR_CACHE=PY/cache)
#   PY/tiny-sm_90a.mmod     the golden tiny model for this GPU
# and build/bin/mamba-run (the CUDA model test compares with it). Builds
# the extension for this machine's Python (python/build-extension.sh), runs
# the pytest suite (the CUDA tests run; those that need the compiler skip)
# and the per-call benchmark; PEERS (a folder with mamba_ssm's Triton ops)
# adds mamba_ssm's selective_state_update to it. Logs go to $OUT.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=${PY:-gpu-carry/py}
out="${OUT:-/tmp/mamba-check}"
mkdir -p "$out"
stage=$(mktemp -d)
python/build-extension.sh "$py" "$stage" >"$out/build-extension.log" 2>&1 ||
  { echo "build-extension failed:"; tail -20 "$out/build-extension.log"; exit 1; }
export PYTHONPATH=$stage
MAMBA_TEST_OPS_CACHE=$py/cache MAMBA_TEST_GPU_MODULE=$py/tiny-sm_90a.mmod \
  MAMBA_BUILD_DIR=$PWD/build timeout 300 python3 -m pytest -q \
  -p no:cacheprovider -rs test/python >"$out/pytest.log" 2>&1
tests=$?
grep -E "passed|failed|error" "$out/pytest.log" | tail -3
grep -E "^FAILED|^ERROR" "$out/pytest.log" | head -20
for dtype in f32 bf16; do
  MAMBA_MLIR_CACHE=$py/cache timeout 120 python3 bench/python-op-overhead.py \
    --device cuda --dtype $dtype --calls 5000 ${PEERS:+--peer "$PEERS"} \
    2>&1 | tee -a "$out/overhead.log" | grep -v "^|---"
done
exit $tests
