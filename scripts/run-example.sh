#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what is needed,
# build, make the example model (the 130m shape with seeded random weights,
# numpy, a few seconds), compile it for this machine's CPU and generate
# tokens with the runtime, printing prefill and decode tokens/s. Where a
# GPU and the CUDA toolkit are present, the same model is also compiled
# for the GPU and run there.
#   EXAMPLE_DIR  where the model and its modules go (default: build/example-130m)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
bin="${BUILD_DIR:-build}/bin"
model="${EXAMPLE_DIR:-build/example-130m}"

# Debian's python3 (with python3-numpy), not whatever python3 is first on
# the PATH.
/usr/bin/python3 scripts/make-example-model.py scripts/check-models/130m.json \
  "$model" --dtype f32 --seed 0
echo "== mamba-compile $model --target cpu"
"$bin/mamba-compile" "$model" -o "$model/cpu.mmod" --target cpu
echo "== mamba-run on the CPU"
"$bin/mamba-run" "$model/cpu.mmod" --weights "$model" --device cpu \
  --prompt-length 32 --max-new-tokens 16 --bench --repeat 1

if command -v nvidia-smi >/dev/null && nvidia-smi >/dev/null 2>&1 &&
   [ -x /usr/local/cuda/bin/ptxas ]; then
  echo "== mamba-compile $model --target sm_90a,sm_80, and mamba-run on the GPU"
  "$bin/mamba-compile" "$model" -o "$model/gpu.mmod" --target sm_90a,sm_80
  "$bin/mamba-run" "$model/gpu.mmod" --weights "$model" --device cuda \
    --prompt-length 32 --max-new-tokens 16 --bench --repeat 1
fi
