#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, with gpu-carry/peer
# (mamba-bench-scan and our scan modules, bench/make-scan-kernels.sh's
# output) and gpu-carry/peer-src (the fetched public sources) carried:
# builds mamba_ssm's CUDA scan, then times it and our modules in the same
# call, then mamba_ssm's Triton SSD. Results to $OUT (default
# bench/peer/out); at most 8 files, as the device tool returns.
#   STAGES    any of "scan ours ssd" (default: all three)
#   SSD_ARGS  extra ssd_peer.py options (e.g. --tune-each)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${OUT:-bench/peer/out}"
stages="${STAGES:-scan ours ssd}"
src=gpu-carry/peer-src/mamba
mkdir -p "$out"
export PYTHONUNBUFFERED=1 MAX_JOBS=16 TORCH_CUDA_ARCH_LIST=9.0
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total \
    --format=csv,noheader
  python3 -c 'import torch, triton; print("torch", torch.__version__, "triton", triton.__version__)'
  nvcc --version | tail -2
  echo "mamba source: $(cat $src/COMMIT)"
} 2>&1 | tee "$out/env.txt"

if [[ " $stages " == *" scan "* ]]; then
  # The build's own log goes to the same file: a failed build says why there.
  python3 bench/peer/scan_peer.py --src $src --build gpu-carry/peer-build \
    --out "$out/scan-peer.json" >"$out/scan-peer.log" 2>&1
  echo "scan_peer exit $?"; tail -12 "$out/scan-peer.log"
fi
if [[ " $stages " == *" ours "* ]]; then
  gpu-carry/peer/mamba-bench-scan --markdown "$out/scan-ours.md" \
    gpu-carry/peer/kernels/*.mmod >"$out/scan-ours.log" 2>&1
  echo "mamba-bench-scan exit $?"; grep -c "WRONG" "$out/scan-ours.log"
fi
if [[ -f "$out/scan-peer.json" && -f "$out/scan-ours.md" ]]; then
  python3 bench/peer/table.py "$out" | tee "$out/scan-table.md"
fi
if [[ " $stages " == *" ssd "* ]]; then
  python3 bench/peer/ssd_peer.py --src $src --out "$out/ssd-peer.json" \
    ${SSD_ARGS:-} >"$out/ssd-peer.log" 2>&1
  echo "ssd_peer exit $?"; tail -9 "$out/ssd-peer.log"
fi
