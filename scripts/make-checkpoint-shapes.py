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


def weight_shapes(c):
    D, V, N, K = c["hidden_size"], c["vocab_size"], c["state_size"], c["conv_kernel"]
    E = c.get("intermediate_size", c["expand"] * D)
    R = c["time_step_rank"]
    if R == "auto":
        R = -(-D // 16)
    out = [("backbone.embeddings.weight", [V, D])]
    for i in range(c["num_hidden_layers"]):
        p = f"backbone.layers.{i}."
        out.append((p + "norm.weight", [D]))
        out.append((p + "mixer.in_proj.weight", [2 * E, D]))
        if c.get("use_bias", False):
            out.append((p + "mixer.in_proj.bias", [2 * E]))
        out.append((p + "mixer.conv1d.weight", [E, 1, K]))
        if c.get("use_conv_bias", True):
            out.append((p + "mixer.conv1d.bias", [E]))
        out.append((p + "mixer.x_proj.weight", [R + 2 * N, E]))
        out.append((p + "mixer.dt_proj.weight", [E, R]))
        out.append((p + "mixer.dt_proj.bias", [E]))
        out.append((p + "mixer.A_log", [E, N]))
        out.append((p + "mixer.D", [E]))
        out.append((p + "mixer.out_proj.weight", [D, E]))
        if c.get("use_bias", False):
            out.append((p + "mixer.out_proj.bias", [D]))
    out.append(("backbone.norm_f.weight", [D]))
    if not c.get("tie_word_embeddings", True):
        out.append(("lm_head.weight", [V, D]))
    return out


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
