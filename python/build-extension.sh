#!/usr/bin/env bash
# Builds mamba_mlir's runtime-only extension (_mamba_mlir: load and run
# modules, and the ops from a filled kernel cache) for this machine's
# Python, from the runtime libraries of a build tree made elsewhere: no
# CMake, LLVM or project toolchain needed here. For a machine whose Python
# the build machine lacks, like the GPU machine (Python 3.12, pybind11's
# headers from the pybind11 package or from torch).
#   python/build-extension.sh BUILD_DIR OUT
# stages the package in OUT/mamba_mlir: PYTHONPATH=OUT imports it.
# PYTHON (default python3) and CXX (default c++) choose the tools.
set -euo pipefail
if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR OUT" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "$1" && pwd)
out=$2
python=${PYTHON:-python3}
libs=()
for lib in RuntimeDevices CudaRuntime CpuRuntime RuntimeCore Format Tuning; do
  [[ -f $build/lib/libMamba$lib.a ]] && libs+=("$build/lib/libMamba$lib.a")
done
if [[ ! -f $build/lib/libMambaRuntimeDevices.a ]]; then
  echo "$0: $build/lib has no libMambaRuntimeDevices.a (build the runtime" \
       "there first)" >&2
  exit 1
fi
# Python's headers and pybind11's: the pybind11 package's, else torch's
# copy, else the system's.
read -r -a includes < <("$python" - <<'PY'
import sysconfig
paths = [sysconfig.get_paths()["include"]]
try:
    import pybind11
    paths.append(pybind11.get_include())
except ImportError:
    try:
        from torch.utils.cpp_extension import include_paths
        paths += include_paths()
    except ImportError:
        pass
print(" ".join("-isystem" + p for p in paths))
PY
)
suffix=$("$python" -c \
  "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
mkdir -p "$out/mamba_mlir"
cp "$root"/python/mamba_mlir/*.py "$out/mamba_mlir/"
mkdir -p "$out/mamba_mlir/tuning"
cp "$root"/tuning/*.json "$out/mamba_mlir/tuning/"
"${CXX:-c++}" -O2 -std=c++17 -shared -fPIC -fvisibility=hidden \
  "${includes[@]}" -I"$root/runtime/include" -I"$root/format/include" -I"$root/include" \
  "$root"/python/src/*.cpp -Wl,--start-group "${libs[@]}" -Wl,--end-group \
  -ldl -pthread -o "$out/mamba_mlir/_mamba_mlir$suffix"
echo "$out/mamba_mlir/_mamba_mlir$suffix"
