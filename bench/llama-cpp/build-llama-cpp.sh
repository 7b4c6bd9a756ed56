#!/usr/bin/env bash
# Builds llama.cpp for this machine's CPU, the peer that bench-llama-cpp.sh
# times our CPU runtime against. llama.cpp comes from the npm package
# node-llama-cpp, which ships its source as a git bundle (this machine
# reaches npm but not GitHub); the pinned package version fixes the commit.
# Nothing fetched enters this repository: everything goes under TARGET_DIR.
#
#   build-llama-cpp.sh TARGET_DIR
#
# Leaves TARGET_DIR/llama.cpp (the source), TARGET_DIR/build/bin/llama-bench
# and TARGET_DIR/build/bin/llama-greedy (llama-greedy.cpp: greedy tokens and
# logits for token ids, the conversion check).
#   NODE_LLAMA_CPP  the npm package version (default 3.22.1)
#   JOBS            parallel compile jobs (default: the number of cores)
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 TARGET_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$1"
target="$(cd "$1" && pwd)"
version="${NODE_LLAMA_CPP:-3.22.1}"
cd "$target"

if [ ! -d llama.cpp ]; then
  tarball="$(npm pack --silent "node-llama-cpp@$version")"
  tar xzf "$tarball" package/llama/gitRelease.bundle
  git -c advice.detachedHead=false clone --quiet package/llama/gitRelease.bundle llama.cpp
  rm -rf package "$tarball"
fi
echo "llama.cpp $(git -C llama.cpp rev-parse --short HEAD) from node-llama-cpp@$version"

# CPU only, tuned for this CPU (GGML_NATIVE: -march=native). No tests,
# server, HTTPS or web UI: llama-bench needs only the library and common.
cmake -S llama.cpp -B build -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=ON \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_UI=OFF >/dev/null
start=$(date +%s)
cmake --build build --target llama-bench llama -j "${JOBS:-$(nproc)}"

# The check tool links the library just built, found through its rpath.
c++ -O2 -std=c++17 "$here/llama-greedy.cpp" -o build/bin/llama-greedy \
  -I llama.cpp/include -I llama.cpp/ggml/include \
  -L build/bin -lllama -lggml -lggml-base -Wl,-rpath,"$target/build/bin"
echo "built in $(($(date +%s) - start)) s: $target/build/bin/llama-bench, llama-greedy"
