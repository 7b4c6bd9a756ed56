#!/usr/bin/env bash
# Compiles model configs (default: scripts/check-models/*.json, f32 and
# bf16) into build/check-models, for scripts/check-transformers.py and
# bench/bench-models.sh on the GPU machine. Compiling needs only the
# weights' names and shapes, so the checkpoints made here hold no data.
#   CONFIGS  config files to compile (default: scripts/check-models/*.json)
#   DTYPES   compute types (default: "f32 bf16")
#   TARGETS  GPU targets (default: sm_90a,sm_80)
#   FLAGS    more mamba-compile options, e.g. "--tuning-db tuning/FILE"
#   OUT_DIR  where the modules go (default: build/check-models)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
out="${OUT_DIR:-$build/check-models}"
shapes="$(mktemp -d)"
trap 'rm -rf "$shapes"' EXIT
mkdir -p "$out"
for config in ${CONFIGS:-"$root"/scripts/check-models/*.json}; do
  name="$(basename "$config" .json)"
  python3 "$root/scripts/make-checkpoint-shapes.py" "$config" "$shapes/$name"
  for dtype in ${DTYPES:-f32 bf16}; do
    "$build/bin/mamba-compile" "$shapes/$name" -o "$out/$name-$dtype.mmod" \
      --dtype="$dtype" --target="${TARGETS:-sm_90a,sm_80}" ${FLAGS:-}
  done
done
ls -la "$out"
