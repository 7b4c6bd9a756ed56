#!/usr/bin/env python3
"""Writes a model directory (a Hugging Face Mamba or Mamba-2 config and seeded random
weights in safetensors) with numpy alone, on any machine: the README's
example model. The values follow mamba_ssm's initialization as
make-random-checkpoint.py does (that one needs torch and is for the GPU
machine's large models): A_log = log(1..N), D = 1, dt_proj.bias the
inverse softplus of a dt log-uniform in [1e-3, 1e-1], projections
N(0, 0.02), out_proj scaled by 1/sqrt(n_layer), norms 1.

  make-example-model.py CONFIG.json OUT_DIR [--dtype f32|bf16] [--seed S]
"""
import argparse
import json
import math

import numpy as np

from mamba_checkpoint import write_checkpoint


def random_weight(name, shape, config, rng):
    last = name.rsplit(".", 1)[-1]
    if name.endswith("norm.weight") or name.endswith("norm_f.weight"):
        return np.ones(shape, np.float32)
    if last == "A_log" and len(shape) == 1:
        # Mamba-2: one A per head, uniform in [1, 16] as mamba_ssm draws it.
        return np.log(rng.uniform(1, 16, shape)).astype(np.float32)
    if last == "A_log":
        n = np.arange(1, shape[1] + 1, dtype=np.float32)
        return np.broadcast_to(np.log(n), shape).astype(np.float32)
    if last == "D":
        return np.ones(shape, np.float32)
    if "conv1d" in name:
        bound = 1.0 / math.sqrt(config["conv_kernel"])
        return rng.uniform(-bound, bound, shape).astype(np.float32)
    if "dt_proj.weight" in name:
        bound = 1.0 / math.sqrt(shape[1])
        return rng.uniform(-bound, bound, shape).astype(np.float32)
    if "dt_proj.bias" in name or last == "dt_bias":
        low, high = math.log(1e-3), math.log(1e-1)
        dt = np.exp(rng.uniform(low, high, shape))
        return (dt + np.log(-np.expm1(-dt))).astype(np.float32)
    if "out_proj.weight" in name:
        std = 0.02 / math.sqrt(config["num_hidden_layers"])
        return rng.standard_normal(shape, np.float32) * np.float32(std)
    if last == "bias":
        return np.zeros(shape, np.float32)
    return rng.standard_normal(shape, np.float32) * np.float32(0.02)


def to_bf16_bytes(w):
    """Round to nearest even, as torch's conversion does."""
    bits = w.astype(np.float32).view(np.uint32)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16).tobytes()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("config")
    parser.add_argument("out_dir")
    parser.add_argument("--dtype", choices=["f32", "bf16"], default="f32")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    rng = np.random.default_rng(args.seed)

    def tensor_bytes(name, shape):
        w = random_weight(name, shape, config, rng)
        return w.tobytes() if args.dtype == "f32" else to_bf16_bytes(w)

    count, offset = write_checkpoint(args.out_dir, config,
                                     "F32" if args.dtype == "f32" else "BF16",
                                     4 if args.dtype == "f32" else 2,
                                     tensor_bytes)
    print(f"{args.out_dir}: {count} tensors, {offset / 2**30:.2f} GiB "
          f"{args.dtype}")


if __name__ == "__main__":
    main()
