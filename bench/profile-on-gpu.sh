#!/usr/bin/env bash
# Runs on the GPU machine: Nsight Compute on one timed launch of a compiled
# scan, the sections that say where a kernel's time goes (occupancy, issue
# slots, warp stall reasons, memory traffic). Clocks are left as they are.
#   profile-on-gpu.sh KERNEL.mmod "b,d,L" [OUT_NAME]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
module="$1" row="$2" name="${3:-$(basename "$1" .mmod)}"
out="${OUT:-bench/out}"
mkdir -p "$out"
# Launch 0 is the reference check, 1-5 the warm-up; profile the first timed.
ncu --clock-control none -k regex:scan --launch-skip 6 --launch-count 1 \
  --section LaunchStats --section Occupancy --section SpeedOfLight \
  --section SchedulerStats --section WarpStateStats \
  --section MemoryWorkloadAnalysis --section ComputeWorkloadAnalysis \
  --section InstructionStats --section SourceCounters \
  build/bin/mamba-bench-scan --runs 2 --rows "$row" "$module" \
  >"$out/ncu-$name.txt" 2>&1
echo "ncu exit $? -> $out/ncu-$name.txt"
