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
import os
import struct
import sys

from mamba_checkpoint import weight_shapes


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    config_path, out_dir = sys.argv[1:]
    with open(config_path) as f:
        config = json.load(f)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    header, offset = {}, 0
    for name, shape in weight_shapes(config):
        size = 4
        for d in shape:
            size *= d
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    with open(os.path.join(out_dir, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        f.truncate(8 + len(text) + offset)


if __name__ == "__main__":
    main()
