#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: install what is needed, build,
# and take the example model through mamba-opt's pipeline as far as it goes
# today (composite ops decomposed into primitive mamba ops and GEMMs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
bash scripts/build.sh
echo "== mamba-opt examples/tiny-mamba.mlir --mamba-pipeline"
"${BUILD_DIR:-build}/bin/mamba-opt" examples/tiny-mamba.mlir --mamba-pipeline
