#!/usr/bin/env bash
# Compiles the configs of scripts/check-models (f32 and bf16) into
# build/check-models, for scripts/check-transformers.py on the GPU machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
out="$build/check-models"
shapes="$(mktemp -d)"
trap 'rm -rf "$shapes"' EXIT
mkdir -p "$out"
for config in "$root"/scripts/check-models/*.json; do
  name="$(basename "$config" .json)"
  python3 "$root/scripts/make-checkpoint-shapes.py" "$config" "$shapes/$name"
  for dtype in f32 bf16; do
    "$build/bin/mamba-compile" "$shapes/$name" -o "$out/$name-$dtype.mmod" \
      --dtype="$dtype" --target="${TARGETS:-sm_90a,sm_80}"
  done
done
ls -la "$out"
