#!/usr/bin/env python3
"""Writes a model directory with a Hugging Face Mamba config and random
weights in safetensors, for benchmarks (the time does not depend on the
values). Runs where torch is (the GPU machine); generating on the GPU
makes the 2.8b configuration in seconds, where building transformers'
MambaForCausalLM with its initialization takes minutes.

The values follow mamba_ssm's initialization closely enough for the
numbers to stay finite and the softplus/exp paths to be the usual ones:
A_log = log(1..N) (Mamba-2: log of a per-head A uniform in [1, 16]), D =
1, dt_proj.bias (Mamba-2: dt_bias) the inverse softplus of a dt
log-uniform in [1e-3, 1e-1], projections N(0, 0.02), out_proj scaled by
1/sqrt(n_layer), norms 1.

  make-random-checkpoint.py CONFIG.json OUT_DIR [--dtype bf16|f16|f32] [--seed S]
"""
import argparse
import json
import math

import torch

from mamba_checkpoint import write_checkpoint

DTYPES = {"bf16": (torch.bfloat16, "BF16"), "f16": (torch.float16, "F16"),
          "f32": (torch.float32, "F32")}


def random_weight(name, shape, config, gen, device):
    def normal(std):
        return torch.randn(shape, generator=gen, device=device) * std

    def uniform(bound):
        return (torch.rand(shape, generator=gen, device=device) * 2 - 1) * bound

    last = name.rsplit(".", 1)[-1]
    if name.endswith("norm.weight") or name.endswith("norm_f.weight"):
        return torch.ones(shape, device=device)
    if last == "A_log" and len(shape) == 1:
        # Mamba-2: one A per head, uniform in [1, 16] as mamba_ssm draws it.
        return torch.log(1 + 15 * torch.rand(shape, generator=gen,
                                             device=device))
    if last == "A_log":
        n = torch.arange(1, shape[1] + 1, dtype=torch.float32, device=device)
        return torch.log(n).expand(shape).contiguous()
    if last == "D":
        return torch.ones(shape, device=device)
    if "conv1d" in name:
        return uniform(1.0 / math.sqrt(config["conv_kernel"]))
    if "dt_proj.weight" in name:
        return uniform(1.0 / math.sqrt(shape[1]))
    if "dt_proj.bias" in name or last == "dt_bias":
        low, high = math.log(1e-3), math.log(1e-1)
        dt = torch.exp(torch.rand(shape, generator=gen, device=device)
                       * (high - low) + low)
        return dt + torch.log(-torch.expm1(-dt))
    if "out_proj.weight" in name:
        return normal(0.02 / math.sqrt(config["num_hidden_layers"]))
    if last == "bias":
        return torch.zeros(shape, device=device)
    return normal(0.02)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("config")
    parser.add_argument("out_dir")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="bf16")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    dtype, dtype_name = DTYPES[args.dtype]
    device = "cuda" if torch.cuda.is_available() else "cpu"
    gen = torch.Generator(device=device).manual_seed(args.seed)

    element_size = torch.tensor([], dtype=dtype).element_size()

    def tensor_bytes(name, shape):
        w = random_weight(name, shape, config, gen, device).to(dtype)
        return w.contiguous().view(torch.uint8).cpu().numpy().tobytes()

    count, offset = write_checkpoint(args.out_dir, config, dtype_name,
                                     element_size, tensor_bytes)
    print(f"{args.out_dir}: {count} tensors, {offset / 2**30:.2f} GiB "
          f"{args.dtype}")


if __name__ == "__main__":
    main()
