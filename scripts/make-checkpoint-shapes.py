#!/usr/bin/env python3
"""Writes a model directory with a Hugging Face Mamba config and a
safetensors file of its weights' names and shapes, all zeros (a sparse
file: no disk is written for the data). mamba-compile reads only the
headers, so this is enough to compile for a config whose real weights are
made elsewhere (scripts/check-transformers.py makes them on the GPU
machine, where torch is, with the names transformers saves).

  make-checkpoint-shapes.py CONFIG.json OUT_DIR
"""
import json
import sys

from mamba_checkpoint import write_checkpoint


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    config_path, out_dir = sys.argv[1:]
    with open(config_path) as f:
        config = json.load(f)
    write_checkpoint(out_dir, config, "F32", 4)


if __name__ == "__main__":
    main()
