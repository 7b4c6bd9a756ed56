#!/usr/bin/env bash
# Runs on the GPU machine, in the repository root, with build/bin and
# build/check-models carried (scripts/compile-check-models.sh makes the
# modules, for example CONFIGS="scripts/check-models/130m.json
# scripts/bench-models/*.json" DTYPES=bf16 TARGETS=sm_90a): makes random
# bf16 weights for each model (scripts/make-random-checkpoint.py, torch on
# the GPU), then `mamba-run --bench` at the PERFORMANCE.md settings. Logs
# go to $OUT (default bench/out); the last lines are one table.
#   MODELS    model names (default: "130m 1.4b 2.8b")
#   SETTINGS  "batch:prompt" pairs (default: "1:2048 8:2048 16:128 1:128")
#   NEW       decode steps per run (default: 64)
#   MODULES   the compiled models' folder (default: build/check-models)
#   EXTRA     more mamba-run options, e.g. --all-logits (prefill computes
#             every position's logits, as a forward pass does)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${OUT:-bench/out}"
weights="${WEIGHTS_DIR:-/tmp/mamba-bench-weights}"
mkdir -p "$out" "$weights"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
table="$out/models${EXTRA:+-${EXTRA//[^a-z]/}}.md"
echo "| model | batch | prompt | prefill ms | prefill tokens/s | decode ms/token | decode tokens/s | peak GPU MiB |" >"$table"
echo "|---|---|---|---|---|---|---|---|" >>"$table"
for m in ${MODELS:-130m 1.4b 2.8b}; do
  config=scripts/check-models/$m.json
  [[ -f $config ]] || config=scripts/bench-models/$m.json
  python3 scripts/make-random-checkpoint.py "$config" "$weights/$m" --dtype bf16 \
    || { echo "$m: no weights"; continue; }
  for setting in ${SETTINGS:-1:2048 8:2048 16:128 1:128}; do
    batch=${setting%%:*} prompt=${setting##*:}
    log="$out/$m-b$batch-L$prompt.log"
    build/bin/mamba-run "${MODULES:-build/check-models}/$m-bf16.mmod" --weights "$weights/$m" \
      --bench --batch "$batch" --prompt-length "$prompt" \
      --max-new-tokens "${NEW:-64}" --repeat 5 ${EXTRA:-} >"$log" 2>&1
    status=$?
    row=$(tail -1 "$log")
    if [[ $status -ne 0 || $row != "| "* ]]; then
      echo "| $m bf16 | $batch | $prompt | failed (exit $status): $(tail -1 "$log" | cut -c1-120) |" >>"$table"
    else
      echo "| $m bf16 | ${row#| }" >>"$table"
    fi
  done
  rm -rf "${weights:?}/$m"
done
cat "$table"
