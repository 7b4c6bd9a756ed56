#!/usr/bin/env bash
# Whole models on this machine's CPU (issue 15's model table): for each
# configuration and compute type, seeded random weights (numpy,
# scripts/make-example-model.py; made once, kept in $OUT), compiled with
# --target cpu, then one `mamba-run --bench --profile` run: prefill of a
# 512-token prompt and decode at batch 1, with the copy bandwidth measured
# in the same process. Prints one table:
#   prefill tokens/s, the scan's and the GEMMs' share of prefill time,
#   decode ms/token, the floor (every weight streamed once at the copy
#   bandwidth), and decode / floor.
#   MODELS   config files (default: the 130m and 1.4b shapes)
#   DTYPES   compute types (default: "f32 bf16")
#   THREADS  threads (default: 2)
#   OUT      where models and logs go (default: build/bench-cpu-models)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin="${BUILD_DIR:-build}/bin"
out="${OUT:-build/bench-cpu-models}"
threads="${THREADS:-2}"
models="${MODELS:-scripts/check-models/130m.json scripts/bench-models/1.4b.json}"
mkdir -p "$out"

rows=()
for config in $models; do
  name="$(basename "$config" .json)"
  for dtype in ${DTYPES:-f32 bf16}; do
    model="$out/$name-$dtype"
    if [ ! -f "$model/model.safetensors" ]; then
      /usr/bin/python3 scripts/make-example-model.py "$config" "$model" \
        --dtype "$dtype" --seed 0 >/dev/null
    fi
    if [ ! -f "$model/cpu.mmod" ] || [ "$bin/mamba-compile" -nt "$model/cpu.mmod" ]; then
      "$bin/mamba-compile" "$model" -o "$model/cpu.mmod" --target cpu
    fi
    log="$model/bench.log"
    "$bin/mamba-run" "$model/cpu.mmod" --weights "$model" --device cpu \
      --threads "$threads" --bench --profile --prompt-length 512 \
      --max-new-tokens 64 --repeat 3 >"$log" 2>&1
    # The profile's tables: prefill first, then the decode step; the bench
    # row last.
    row="$(awk -v name="$name" -v dtype="$dtype" '
      /^weights:/ { mib = $2 }
      /^profile of prefill/ { section = "prefill"; match($0, /bandwidth [0-9.]+/);
                              bw = substr($0, RSTART + 10, RLENGTH - 10) }
      /^profile of decode/ { section = "decode" }
      /^\| / && section == "prefill" {
        split($0, f, "|"); share = f[5]; gsub(/[ %]/, "", share)
        if (f[2] ~ /selective_scan|ssd_scan/) scan += share
        if (f[2] ~ /gemm/) gemm += share
      }
      /^\| 1 \| 512 \|/ { split($0, f, "|"); prefill = f[5]; decode = f[6] }
      END {
        floor = mib * 1048576 / (bw * 1e9) * 1e3
        printf "| %s | %s | %.0f | %.0f%% | %.0f%% | %.1f | %.1f (%.0f MiB at %s GB/s) | %.2fx |\n",
          name, dtype, prefill, scan, gemm, decode, floor, mib, bw, decode / floor
      }' "$log")"
    echo "$row"
    rows+=("$row")
  done
done

echo
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $threads threads, $(date -u +%F), commit $(git rev-parse --short HEAD)"
echo "| model | dtype | prefill tok/s (L=512) | scan share | GEMM share | decode ms/token | floor ms | decode / floor |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
