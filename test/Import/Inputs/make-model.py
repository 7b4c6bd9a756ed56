#!/usr/bin/env python3
"""Writes a Mamba-1 (or with --mamba2 a Mamba-2) model directory
(config.json + safetensors) for the importer tests, correct by default,
broken in one way on request. The tensor data is zeros: the importer reads
only the headers. --set-raw KEY=TEXT puts TEXT into config.json as it is
(Python's bare Infinity, say).

  make-model.py OUT_DIR [--mamba2] [--layout hf|ss] [--layers N] [--dtype F32|BF16|F16] [--tied]
      [--use-bias] [--no-conv-bias] [--squeeze-conv] [--shards N]
      [--drop NAME] [--extra NAME] [--shape NAME=2,3] [--retype NAME=I64]
      [--truncate] [--set KEY=JSON] [--unset KEY]
"""
import argparse
import json
import os
import struct

SIZES = {"F64": 8, "F32": 4, "BF16": 2, "F16": 2, "I64": 8, "I32": 4}


# Mamba-2: D = 64, E = 128 in H = 8 heads of P = 16, G = 2 groups of N = 16.
M2 = {"H": 8, "P": 16, "G": 2, "N": 16}


def mamba2_mixer(args, p, E, K):
    H, GN = M2["H"], M2["G"] * M2["N"]
    C = E + 2 * GN
    out = [(p + "mixer.in_proj.weight", [E + C + H, 64])]
    if args.use_bias:
        out.append((p + "mixer.in_proj.bias", [E + C + H]))
    out.append((p + "mixer.conv1d.weight", [C, K] if args.squeeze_conv else [C, 1, K]))
    if not args.no_conv_bias:
        out.append((p + "mixer.conv1d.bias", [C]))
    out.append((p + "mixer.dt_bias", [H]))
    out.append((p + "mixer.A_log", [H]))
    out.append((p + "mixer.D", [H]))
    out.append((p + "mixer.norm.weight", [E]))
    out.append((p + "mixer.out_proj.weight", [64, E]))
    if args.use_bias:
        out.append((p + "mixer.out_proj.bias", [64]))
    return out


def weights(args):
    D, L, V, N, K, E, R = 64, args.layers, 256, 16, 4, 128, 4
    embedding = ("backbone.embeddings.weight" if args.layout == "hf"
                 else "backbone.embedding.weight")
    out = [(embedding, [V, D])]
    for i in range(L):
        p = f"backbone.layers.{i}."
        out.append((p + "norm.weight", [D]))
        if args.mamba2:
            out += mamba2_mixer(args, p, E, K)
            continue
        out.append((p + "mixer.in_proj.weight", [2 * E, D]))
        if args.use_bias:
            out.append((p + "mixer.in_proj.bias", [2 * E]))
        out.append((p + "mixer.conv1d.weight",
                    [E, K] if args.squeeze_conv else [E, 1, K]))
        if not args.no_conv_bias:
            out.append((p + "mixer.conv1d.bias", [E]))
        out.append((p + "mixer.x_proj.weight", [R + 2 * N, E]))
        out.append((p + "mixer.dt_proj.weight", [E, R]))
        out.append((p + "mixer.dt_proj.bias", [E]))
        out.append((p + "mixer.A_log", [E, N]))
        out.append((p + "mixer.D", [E]))
        out.append((p + "mixer.out_proj.weight", [D, E]))
        if args.use_bias:
            out.append((p + "mixer.out_proj.bias", [D]))
    out.append(("backbone.norm_f.weight", [D]))
    if not args.tied:
        out.append(("lm_head.weight", [V, D]))
    return out


def config(args):
    if args.layout == "hf":
        c = {"model_type": "mamba", "hidden_size": 64, "num_hidden_layers": args.layers,
             "vocab_size": 256, "state_size": 16, "conv_kernel": 4,
             "expand": 2, "intermediate_size": 128, "time_step_rank": 4,
             "layer_norm_epsilon": 1e-5, "use_bias": args.use_bias,
             "use_conv_bias": not args.no_conv_bias,
             "tie_word_embeddings": args.tied, "residual_in_fp32": True}
    else:
        # 250 padded up to a multiple of 8 is 256.
        c = {"d_model": 64, "n_layer": args.layers, "vocab_size": 250,
             "pad_vocab_size_multiple": 8, "rms_norm": True,
             "residual_in_fp32": True, "fused_add_norm": True,
             "tie_embeddings": args.tied,
             "ssm_cfg": {"d_state": 16, "d_conv": 4, "expand": 2,
                         "dt_rank": 4, "conv_bias": not args.no_conv_bias,
                         "bias": args.use_bias}}
    if args.mamba2 and args.layout == "hf":
        c.update({"model_type": "mamba2", "num_heads": M2["H"],
                  "head_dim": M2["P"], "n_groups": M2["G"], "chunk_size": 8,
                  "rms_norm": True})
        for key in ("intermediate_size", "time_step_rank"):
            c.pop(key)
    elif args.mamba2:
        c["ssm_cfg"] = {"layer": "Mamba2", "d_state": 16, "d_conv": 4,
                        "expand": 2, "headdim": M2["P"], "ngroups": M2["G"],
                        "chunk_size": 8, "conv_bias": not args.no_conv_bias,
                        "bias": args.use_bias}
    for item in args.set:
        key, value = item.split("=", 1)
        c[key] = json.loads(value)
    for key in args.unset:
        c.pop(key, None)
    return c


def write_safetensors(path, tensors, truncate):
    header, offset = {}, 0
    for name, dtype, shape in tensors:
        size = SIZES[dtype]
        for d in shape:
            size *= d
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header).encode()
    data = bytes(offset)
    if truncate:
        data = data[: offset // 2]
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob + data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--mamba2", action="store_true")
    p.add_argument("--layout", choices=["hf", "ss"], default="hf")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--dtype", default="F32")
    p.add_argument("--tied", action="store_true")
    p.add_argument("--use-bias", action="store_true")
    p.add_argument("--no-conv-bias", action="store_true")
    p.add_argument("--squeeze-conv", action="store_true")
    p.add_argument("--shards", type=int, default=1)
    p.add_argument("--drop", action="append", default=[])
    p.add_argument("--extra", action="append", default=[])
    p.add_argument("--shape", action="append", default=[])
    p.add_argument("--retype", action="append", default=[])
    p.add_argument("--truncate", action="store_true")
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--unset", action="append", default=[])
    p.add_argument("--set-raw", action="append", default=[])
    args = p.parse_args()

    shapes = dict(item.split("=", 1) for item in args.shape)
    types = dict(item.split("=", 1) for item in args.retype)
    tensors = []
    for name, shape in weights(args):
        if name in args.drop:
            continue
        if name in shapes:
            shape = [int(d) for d in shapes[name].split(",")]
        # A, D and the time-step bias are f32 in checkpoints of any dtype.
        keep_f32 = name.endswith(("A_log", "mixer.D", "dt_proj.bias",
                                  "dt_bias"))
        tensors.append((name, types.get(name, "F32" if keep_f32 else args.dtype),
                        shape))
    for name in args.extra:
        tensors.append((name, args.dtype, [4]))

    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        os.remove(os.path.join(args.out, f))
    text = json.dumps(config(args))
    for item in args.set_raw:
        key, value = item.split("=", 1)
        text = text[:-1] + ", " + json.dumps(key) + ": " + value + "}"
    with open(os.path.join(args.out, "config.json"), "w") as f:
        f.write(text)
    if args.shards == 1:
        write_safetensors(os.path.join(args.out, "model.safetensors"),
                          tensors, args.truncate)
    else:
        for s in range(args.shards):
            part = tensors[s::args.shards]
            name = f"model-{s + 1:05d}-of-{args.shards:05d}.safetensors"
            write_safetensors(os.path.join(args.out, name), part,
                              args.truncate and s == 0)


if __name__ == "__main__":
    main()
