#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/: the module reader, the safetensors
# reader, the config.json reader, and mamba-opt's parser, verifiers and
# lowerings) with clang-22 and
# -fsanitize=fuzzer,address,undefined in their own build tree, runs every
# kept regression input (fuzz/regressions/TARGET), then fuzzes each target
# from its seed corpus (fuzz/corpus/TARGET, with fuzz/TARGET.dict) for
# FUZZ_SECONDS (default 45). Fails on any crash, sanitizer report, leak,
# hang (an input over 10 s) or out-of-memory (2 GB); the input that did it
# is left in FUZZ_OUT (default build-fuzz/findings) to be fixed and then
# kept as a regression input.
#   FUZZ_TARGETS  which targets (default: "module safetensors config opt";
#                 opt builds the compiler's libraries in the fuzz tree)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
out="${FUZZ_OUT:-$build/findings}"
seconds="${FUZZ_SECONDS:-45}"
targets=(${FUZZ_TARGETS:-module safetensors config opt})
compiler=OFF
[[ " ${targets[*]} " == *" opt "* ]] && compiler=ON
if [[ ! -f $build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DMAMBA_ENABLE_FUZZERS=ON \
    -DMAMBA_FUZZ_COMPILER=$compiler \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLLVM_DIR=/usr/lib/llvm-22/lib/cmake/llvm \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir >/dev/null
fi
ninja -C "$build" "${targets[@]/#/mamba-fuzz-}"
mkdir -p "$out"
for target in "${targets[@]}"; do
  fuzzer="$build/bin/mamba-fuzz-$target"
  # LLVM's BumpPtrAllocator poisons and unpoisons its slabs where it is
  # inlined into instrumented code (ours) but not inside Debian's
  # uninstrumented libMLIR, so mixed allocations read as use-after-poison:
  # manual poisoning off for the target that links MLIR.
  run=("$fuzzer")
  [[ $target == opt ]] && run=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}allow_user_poisoning=0" "$fuzzer")
  options=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$out/$target-")
  [[ -f $root/fuzz/$target.dict ]] && options+=(-dict="$root/fuzz/$target.dict")
  regressions="$root/fuzz/regressions/$target"
  if [[ -d $regressions ]] && compgen -G "$regressions/*" >/dev/null; then
    echo "fuzz: $target: the kept regression inputs"
    "${run[@]}" "${options[@]}" -runs=0 "$regressions"/*
  fi
  # A scratch copy of the seeds: what the run adds does not touch the tree.
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  cp "$root/fuzz/corpus/$target"/* "$corpus/"
  echo "fuzz: $target: ${seconds} s from $(ls "$corpus" | wc -l) inputs"
  "${run[@]}" "${options[@]}" -max_total_time="$seconds" "$corpus" \
    2>"$out/$target.log" || {
    status=$?
    tail -40 "$out/$target.log"
    echo "fuzz: $target failed (exit $status); the input is in $out" >&2
    exit 1
  }
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$out/$target.log" |
    sed "s/^/fuzz: $target: /"
done
echo "fuzz: every target ran clean"
