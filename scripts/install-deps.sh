#!/usr/bin/env bash
# Installs the Debian 12 packages that mamba-mlir builds and tests with.
# Idempotent: when every package is already installed it changes nothing.
set -euo pipefail

packages=(
  cmake ninja-build ccache g++                      # build tools
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools  # LLVM/MLIR 22, lit, FileCheck
  libgtest-dev nlohmann-json3-dev                   # unit tests, JSON reader
  libopenblas-dev                                   # the CPU backend's GEMMs
  python3-numpy                                     # the example model's weights
  python3-dev pybind11-dev python3-pytest           # the Python module, its tests
  python3-torch                                     # the Python ops tests, the README example
  clang-22 libclang-rt-22-dev                       # the fuzz targets (libFuzzer)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
# LLVM 22 comes from Debian's security suite: refresh the lists first.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
  --no-install-recommends "${missing[@]}"
