#!/usr/bin/env bash
# Issue 15's CPU scan table in one run on this machine: compiles a scan-only
# module per channel count d and activation type (f32, bf16) for the CPU,
# with the CPU target's default tiling, into $1 (default
# build/bench-kernels-cpu); times PyTorch's reference formula
# (scan-ref-torch.py), then runs mamba-bench-scan-cpu, which checks and
# times the modules, times the reference library's loop and measures the
# exp + FMA rate and the copy bandwidth, and prints one markdown table (also
# written to $1/cpu-scan.md). Nothing else should run on the machine
# meanwhile: both tools say how much of the cores other processes used.
#   ROWS            "b,d,L;..." (default: the three rows of issue 15)
#   THREADS         threads for every column but the reference loop (2)
#   RUNS            timed calls of each module per row (20)
#   TORCH_RUNS      timed calls of the torch formula per row (3; 0 skips it)
#   REFERENCE_RUNS  timed calls of the reference loop per row (1; 0 skips)
#   PYTHON          an interpreter with torch (/usr/bin/python3: Debian's
#                   python3-torch)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-build/bench-kernels-cpu}"
bin="${BUILD_DIR:-build}/bin"
rows="${ROWS:-1,1536,2048;4,1536,512;1,5120,2048}"
threads="${THREADS:-2}"
python="${PYTHON:-/usr/bin/python3}"
for tool in mamba-compile mamba-bench-scan-cpu; do
  if [ ! -x "$bin/$tool" ]; then
    echo "cpu-scan.sh: no $bin/$tool (run scripts/build.sh)" >&2
    exit 1
  fi
done
mkdir -p "$out"

# One module per d and type: the function's d is static, b and L are not.
modules=()
for d in $(tr ';' '\n' <<<"$rows" | cut -d, -f2 | sort -un); do
  for type in f32 bf16; do
    name="scan_cpu_${type}_d${d}"
    act="tensor<?x${d}x?x${type}>"
    bc="tensor<?x1x16x?x${type}>"
    vec="tensor<${d}xf32>"
    cat >"$out/$name.mlir" <<MLIR
func.func @scan(%u: $act, %delta: $act, %A: tensor<${d}x16xf32>, %B: $bc, %C: $bc, %D: $vec, %z: $act, %delta_bias: $vec) -> $act {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z) delta_bias(%delta_bias) delta_softplus
      : ($act, $act, tensor<${d}x16xf32>, $bc, $bc, $vec, $act, $vec) -> $act
  return %y : $act
}
MLIR
    "$bin/mamba-compile" "$out/$name.mlir" -o "$out/$name.mmod" --target cpu
    modules+=("$out/$name.mmod")
  done
done

stamp="$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
git diff --quiet HEAD -- || stamp+=" (with uncommitted changes)"
echo "$stamp"
torch=()
if [ "${TORCH_RUNS:-3}" -gt 0 ]; then
  "$python" bench/scan-ref-torch.py --rows "$rows" --threads "$threads" \
    --runs "${TORCH_RUNS:-3}" --out "$out/torch.txt"
  torch=(--torch "$out/torch.txt")
fi
"$bin/mamba-bench-scan-cpu" --rows "$rows" --threads "$threads" \
  --runs "${RUNS:-20}" --reference-runs "${REFERENCE_RUNS:-1}" \
  "${torch[@]}" --markdown "$out/cpu-scan.md" "${modules[@]}"
{ echo "$stamp"; echo; cat "$out/cpu-scan.md"; } >"$out/cpu-scan.md.new"
mv "$out/cpu-scan.md.new" "$out/cpu-scan.md"
