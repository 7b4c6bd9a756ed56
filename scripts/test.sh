#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test: the GoogleTest unit
# tests (reference library, safetensors reader) and the lit suite, through
# ctest, then each fuzz target for a bounded time (scripts/fuzz.sh,
# FUZZ_SECONDS each, 0 to skip), then the unit and CPU end-to-end tests
# under ASan and UBSan and under TSan (scripts/sanitize.sh; SANITIZE=0 to
# skip). GPU tests skip, and say so, on machines without a GPU.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Each stage's time, so that CI's total (at most 30 minutes) can be kept.
start=$SECONDS
stage() { echo "test.sh: $1 done at $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"; }

bash scripts/install-deps.sh
stage install
bash scripts/build.sh
stage build
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
stage tests
if [[ ${FUZZ_SECONDS:-} != 0 ]]; then
  bash scripts/fuzz.sh
  stage fuzz
fi
# The plain C++ parts' tests again under ASan and UBSan, then the CPU
# runtime's (the thread pool and several threads on one model among them)
# under TSan; SANITIZE=0 skips both.
if [[ ${SANITIZE:-1} != 0 ]]; then
  bash scripts/sanitize.sh
  stage "ASan and UBSan"
  SANITIZERS=thread TESTS=MambaCpuRuntimeTests bash scripts/sanitize.sh
  stage TSan
fi
