#!/usr/bin/env bash
# Configures (once) and builds mamba-mlir into ./build. Idempotent: a second
# run only rebuilds what changed.
#   BUILD_DIR   build directory (default: build)
#   BUILD_TYPE  CMake build type (default: Release)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${BUILD_DIR:-build}"
llvm_prefix=/usr/lib/llvm-22

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# Debian's Python (its numpy, pybind11 and pytest), not another one first
# on the PATH, for the Python module.
python=()
if [ -x /usr/bin/python3 ]; then
  python=(-DPython3_EXECUTABLE=/usr/bin/python3)
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -G Ninja -S . -B "$build_dir" \
    -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" \
    -DMLIR_DIR="$llvm_prefix/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$llvm_prefix/bin/lit" \
    "${python[@]}" "${launcher[@]}"
fi
cmake --build "$build_dir"
