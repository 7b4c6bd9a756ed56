#!/usr/bin/env bash
# Our CPU runtime against llama.cpp (hand-written CPU kernels for Mamba) on
# the same weights, machine and thread count: prefill of a 512-token prompt
# and decode at batch 1 (llama-bench's pp512 and tg128). For each model and
# dtype: make the seeded random checkpoint, compile it for this CPU, convert
# it to GGUF (write-gguf.py), check that both give the same greedy tokens
# and logits, then time both and print one markdown table.
#
#   bench-llama-cpp.sh LLAMA_DIR [WORK_DIR]
#
# LLAMA_DIR is build-llama-cpp.sh's target; WORK_DIR (default
# build/llama-cpp-bench) holds the models, made once and reused.
#   MODELS   config names: scripts/check-models/NAME.json or
#            scripts/bench-models/NAME.json (default "130m")
#   DTYPES   f32, bf16 (default "f32 bf16")
#   THREADS  default 2; PROMPT default 512; GEN default 128
#   REPEAT   timed runs of each side (default 3): ours the median,
#            llama-bench's the mean ± standard deviation
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 LLAMA_DIR [WORK_DIR]" >&2
  exit 2
fi
llama_root="$(cd "$1" && pwd)"
llama="$llama_root/build/bin"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."
work="${2:-build/llama-cpp-bench}"
bin="${BUILD_DIR:-build}/bin"
threads="${THREADS:-2}"
prompt="${PROMPT:-512}"
gen="${GEN:-128}"
repeat="${REPEAT:-3}"
# Debian's python3 has numpy; the one first on the PATH may not.
python=/usr/bin/python3
mkdir -p "$work"

config_of() {
  for dir in scripts/check-models scripts/bench-models; do
    if [ -f "$dir/$1.json" ]; then
      echo "$dir/$1.json"
      return
    fi
  done
  echo "no config $1.json in scripts/check-models or scripts/bench-models" >&2
  exit 1
}

# The machine may be shared: `timed` runs a command and adds to others_s
# the CPU seconds that other processes used meanwhile (all CPUs' busy time
# from /proc/stat less the command's own) and to cpu_s the CPU seconds
# there were, so a disturbed row shows.
timed() {
  local a b
  read -r -a a < <(head -1 /proc/stat)
  /usr/bin/time -f "%U %S" -o "$work/.cpu" "$@"
  read -r -a b < <(head -1 /proc/stat)
  read -r others_s cpu_s < <(awk -v a="${a[*]:1}" -v b="${b[*]:1}" \
    -v hz="$(getconf CLK_TCK)" -v own="$(cat "$work/.cpu")" \
    -v others="$others_s" -v cpu="$cpu_s" 'BEGIN {
      n = split(a, x, " "); split(b, y, " "); split(own, o, " ")
      for (i = 1; i <= n; ++i) {
        total += y[i] - x[i]
        if (i != 4 && i != 5) busy += y[i] - x[i]  # all but idle, iowait
      }
      s = busy / hz - o[1] - o[2]
      print others + (s > 0 ? s : 0), cpu + total / hz }')
}

rows=()
for name in ${MODELS:-130m}; do
  config="$(config_of "$name")"
  vocab="$($python -c "import json,sys; print(json.load(open(sys.argv[1]))['vocab_size'])" "$config")"
  for dtype in ${DTYPES:-f32 bf16}; do
    model="$work/$name-$dtype"
    if [ ! -f "$model/model.safetensors" ]; then
      $python scripts/make-example-model.py "$config" "$model" --dtype "$dtype" --seed 0
    fi
    if [ ! -f "$model/cpu.mmod" ] || [ "$bin/mamba-compile" -nt "$model/cpu.mmod" ]; then
      "$bin/mamba-compile" "$model" -o "$model/cpu.mmod" --target cpu
    fi
    if [ ! -f "$model/model.gguf" ] || [ "$here/write-gguf.py" -nt "$model/model.gguf" ]; then
      $python "$here/write-gguf.py" "$model" "$model/model.gguf" --dtype "$dtype"
    fi

    # The conversion check: the same seeded ids, greedy, both sides.
    ids="$($python -c "import random; r = random.Random(7); print(','.join(str(r.randrange($vocab)) for _ in range(32)))")"
    echo "== $name $dtype: check on 32 prompt ids, 8 new tokens"
    ours="$("$bin/mamba-run" "$model/cpu.mmod" --weights "$model" --device cpu \
      --threads "$threads" --prompt-ids "$ids" --max-new-tokens 8 \
      --dump-logits "$model/ours.logits" 2>/dev/null | grep '^row 0:')"
    theirs="$("$llama/llama-greedy" "$model/model.gguf" "$ids" 8 "$threads" \
      "$model/llama-cpp.logits")"
    echo "mamba-run    $ours"
    echo "llama-greedy $theirs"
    # The logits decide; with random weights the greedy tokens agree even
    # for a broken conversion (the conv taps reversed: logits off by 6.6
    # times their spread, tokens equal). In bf16 both sides round the
    # activations to bf16 at different points (llama.cpp also before each
    # matrix product: its AVX2 dot product is bf16 x bf16), which moves
    # the logits by 5-15% of their spread, as much as each side differs
    # from an f32 computation with the same weights.
    tolerance=1e-3
    [ "$dtype" = f32 ] || tolerance=0.5
    check="ok"
    [ "$ours" = "$theirs" ] || check="tokens differ"
    $python "$here/compare-logits.py" "$model/ours.logits" \
      "$model/llama-cpp.logits" "$vocab" --tolerance "$tolerance" ||
      check="logits differ"

    others_s=0 cpu_s=0
    echo "== $name $dtype: llama-bench -t $threads -p $prompt -n $gen -r $repeat"
    timed "$llama/llama-bench" -m "$model/model.gguf" -t "$threads" -p "$prompt" \
      -n "$gen" -r "$repeat" -o csv >"$model/llama-bench.csv"
    # llama-bench's CSV: one row per test, pp (n_gen 0) and tg (n_prompt 0),
    # tokens/s as the mean and standard deviation over the repetitions.
    read -r their_prefill their_prefill_sd their_decode their_decode_sd < <(
      $python - "$model/llama-bench.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pp = next(r for r in rows if r["n_gen"] == "0")
tg = next(r for r in rows if r["n_prompt"] == "0")
print(pp["avg_ts"], pp["stddev_ts"], tg["avg_ts"], tg["stddev_ts"])
EOF
    )
    echo "llama-bench: prefill $their_prefill ± $their_prefill_sd tokens/s, decode $their_decode ± $their_decode_sd tokens/s"
    echo "== $name $dtype: mamba-run --bench --prompt-length $prompt --max-new-tokens $gen --repeat $repeat"
    timed "$bin/mamba-run" "$model/cpu.mmod" --weights "$model" --device cpu \
      --threads "$threads" --bench --prompt-length "$prompt" \
      --max-new-tokens "$gen" --repeat "$repeat" 2>/dev/null >"$model/mamba-run.txt"
    grep -v '^row' "$model/mamba-run.txt"
    # The last line is the bench table's row: | batch | prompt | prefill ms
    # | prefill tokens/s | decode ms/token | ... |; the rates come from the
    # times, which it prints with more digits.
    read -r our_prefill_ms our_decode_ms < <(tail -1 "$model/mamba-run.txt" |
      awk -F'|' '{ print $4, $6 }')
    rows+=("$(awk -v n="$name" -v d="$dtype" -v p="$prompt" -v c="$check" \
      -v pm="$our_prefill_ms" -v dm="$our_decode_ms" -v l="$others_s" -v t="$cpu_s" \
      -v tp="$their_prefill" -v tps="$their_prefill_sd" \
      -v td="$their_decode" -v tds="$their_decode_sd" 'BEGIN {
        op = p / pm * 1e3; od = 1e3 / dm
        printf "| %s | %s | %.1f | %.1f ± %.1f | %.2fx | %.1f | %.1f ± %.1f | %.2fx | %s | %.0f%% |",
          n, d, op, tp, tps, op / tp, od, td, tds, od / td, c, 100 * l / t }')")
  done
done

echo
ours="$(git rev-parse --short HEAD)"
git diff --quiet HEAD -- . ':!bench/llama-cpp' || ours="$ours + uncommitted changes"
echo "$(lscpu | sed -n 's/^Model name: *//p'), $threads threads; prefill: a $prompt-token prompt (pp$prompt), decode: batch 1 (tg$gen); ours at $ours, llama.cpp $(git -C "$llama_root/llama.cpp" rev-parse --short HEAD)"
echo
echo "| model | dtype | prefill tok/s ours | llama.cpp | ours/llama.cpp | decode tok/s ours | llama.cpp | ours/llama.cpp | check | others' CPU share |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
