#!/usr/bin/env bash
# Builds the plain C++ parts (format, reference library, runtime, their
# unit tests and the CPU end-to-end tests) under sanitizers, in a build
# tree of their own without the compiler, and runs their tests there. The
# compiled test modules (CPU kernels, the tiny models) come from the main
# build (BUILD_DIR, default build/), which must be built first. Fails on
# any sanitizer report.
#   SANITIZERS  space-separated -fsanitize= sets (default: "address,undefined")
#   TESTS       the test executables to build and run (default: all four:
#               MambaReferenceTests MambaFormatTests MambaRuntimeCoreTests
#               MambaCpuRuntimeTests); with a list, each runs directly
#               instead of through ctest
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
main="$(cd "${BUILD_DIR:-$root/build}" && pwd)"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# allocator_may_return_null: an allocation the runtime cannot get is an
# error it reports (CpuModelTest.PromptsTooLongAreErrors), not an abort.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:allocator_may_return_null=1
all="MambaReferenceTests MambaFormatTests MambaRuntimeCoreTests MambaCpuRuntimeTests"
# The long-run numerics (a 65,536-step scan, 4,096 decode steps) walk the
# same code as the short cases, for minutes under a sanitizer: the main
# build runs them.
long="SixtyFiveThousandSteps|LongDecodeMatchesPrefill"
for kind in ${SANITIZERS:-address,undefined}; do
  build="$root/build-sanitize-${kind//,/-}"
  if [[ ! -f $build/build.ninja ]]; then
    # clang at -O1 with line tables (CMakeLists sets both for sanitizer
    # builds; no build type here): the ASan and UBSan tree builds in 4 min,
    # where GCC at -O2 -g took 11.
    cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE= \
      -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
      -DMAMBA_ENABLE_COMPILER=OFF -DMAMBA_SANITIZE="$kind" \
      -DMAMBA_TEST_MODULES_FROM="$main" "${launcher[@]}" >/dev/null
  fi
  # The tests only (not the tools and benchmarks); the GPU tests need a GPU
  # and the CUDA driver, which the sanitizers' runtimes do not get along with.
  cmake --build "$build" --target ${TESTS:-$all} MambaCpuTestKernels
  echo "sanitize: $kind: ${TESTS:-every test}"
  if [[ -z ${TESTS:-} ]]; then
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)" \
      -E "MambaGpuTests|$long"
  else
    for test in $TESTS; do
      "$build/bin/$test" --gtest_brief=1 \
        --gtest_filter="-*${long//|/*:*}*"
    done
  fi
done
echo "sanitize: every test ran clean"
