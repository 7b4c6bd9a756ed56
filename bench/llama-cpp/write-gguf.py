#!/usr/bin/env python3
"""Converts a model directory in our format (a Hugging Face Mamba
config.json and model.safetensors, as scripts/make-example-model.py
writes) into a GGUF file that llama.cpp loads as its "mamba"
architecture, with numpy alone (llama.cpp's own converter needs torch and
transformers, which this machine cannot install).

  write-gguf.py MODEL_DIR OUT.gguf [--dtype f32|bf16|f16]

--dtype is the type of the matrices (embedding, in_proj, x_proj, dt_proj,
out_proj, lm_head); norms, biases, A, D and the conv1d weight stay f32,
as llama.cpp's converter keeps them (its CPU kernels for the conv, the
scan and the norms read f32 only). A_log becomes A = -exp(A_log), which
llama.cpp stores instead. The checkpoint may be f32 or bf16; bf16 to bf16
copies the bits.

The file carries no tokenizer, only the vocabulary size (tokenizer model
"no_vocab": llama.cpp makes that many placeholder tokens): our example
models have random weights and no tokenizer, and llama-bench and
llama-greedy feed token ids.
"""
import argparse
import json
import math
import os
import struct

import numpy as np

GGUF_MAGIC = b"GGUF"
GGUF_VERSION = 3
ALIGNMENT = 32  # llama.cpp's default; data offsets are multiples of it

# gguf value types
UINT32, FLOAT32, BOOL, STRING = 4, 6, 7, 8

# ggml tensor types and the llama file type naming the matrices' type
GGML_TYPE = {"f32": 0, "f16": 1, "bf16": 30}
FILE_TYPE = {"f32": 0, "f16": 1, "bf16": 32}
NUMPY_TYPE = {"f32": np.float32, "f16": np.float16, "bf16": np.uint16}


def read_safetensors(path):
    """The checkpoint's tensors as float32 arrays, or raw bf16 bits
    (uint16 arrays) where stored as bf16: memory-mapped, read on use."""
    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
    data = np.memmap(path, np.uint8, "r", offset=8 + size)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = {"F32": np.float32, "BF16": np.uint16}.get(info["dtype"])
        if dtype is None:
            raise SystemExit(f"{path}: {name} is {info['dtype']}; "
                             "expected F32 or BF16")
        tensors[name] = data[begin:end].view(dtype).reshape(info["shape"])
    return tensors


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def f32_to_bf16(w):
    """Round to nearest even, as torch and our checkpoint writer do."""
    bits = w.astype(np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def as_type(w, dtype):
    """w (float32, or uint16 bf16 bits) as an array of `dtype`."""
    if dtype == "bf16" and w.dtype == np.uint16:
        return np.ascontiguousarray(w)
    f32 = bf16_to_f32(w) if w.dtype == np.uint16 else np.asarray(w, np.float32)
    if dtype == "f32":
        return f32
    if dtype == "f16":
        return f32.astype(np.float16)
    return f32_to_bf16(f32)


def hyperparameters(config, tensors):
    """llama.cpp's mamba keys and the checks it (or our format) needs."""
    if config.get("model_type") != "mamba":
        raise SystemExit(f"model_type {config.get('model_type')!r}: "
                         "only Mamba-1 (\"mamba\") converts")
    d_model = config["hidden_size"]
    d_inner = config.get("intermediate_size", config["expand"] * d_model)
    rank = config["time_step_rank"]
    if rank == "auto":
        rank = -(-d_model // 16)
    # llama.cpp's mamba graph has no in_proj/out_proj bias, needs a conv
    # bias and handles only an expansion factor of 2.
    if config.get("use_bias", False):
        raise SystemExit("use_bias: llama.cpp's mamba has no projection bias")
    if not config.get("use_conv_bias", True):
        raise SystemExit("use_conv_bias false: llama.cpp's mamba needs one")
    if d_inner != 2 * d_model:
        raise SystemExit(f"intermediate_size {d_inner} is not 2 * "
                         f"hidden_size: llama.cpp's mamba refuses it")
    vocab = tensors["backbone.embeddings.weight"].shape[0]
    return [
        ("general.architecture", STRING, "mamba"),
        ("general.name", STRING, "mamba-mlir example"),
        ("general.alignment", UINT32, ALIGNMENT),
        ("mamba.vocab_size", UINT32, vocab),
        # The state is recurrent: any length fits; llama.cpp's converter
        # writes the same arbitrary bound.
        ("mamba.context_length", UINT32, 2**20),
        ("mamba.embedding_length", UINT32, d_model),
        # Unused by a Mamba model but read by the loader.
        ("mamba.feed_forward_length", UINT32, 0),
        ("mamba.attention.head_count", UINT32, 0),
        ("mamba.block_count", UINT32, config["num_hidden_layers"]),
        ("mamba.ssm.conv_kernel", UINT32, config["conv_kernel"]),
        ("mamba.ssm.inner_size", UINT32, d_inner),
        ("mamba.ssm.state_size", UINT32, config["state_size"]),
        ("mamba.ssm.time_step_rank", UINT32, rank),
        ("mamba.attention.layer_norm_rms_epsilon", FLOAT32,
         config["layer_norm_epsilon"]),
        # Falcon-Mamba's extra norms on dt, B and C: not Mamba-1's.
        ("mamba.ssm.dt_b_c_rms", BOOL, False),
        ("tokenizer.ggml.model", STRING, "no_vocab"),
    ]


def gguf_tensors(tensors, dtype):
    """(gguf name, shape, type, convert) for each weight, in the
    checkpoint's order: llama.cpp's names, its shapes (numpy order, the
    reverse of ggml's) and types; convert() makes the array."""
    layer_names = {
        "norm.weight": ("attn_norm.weight", "f32"),
        "mixer.in_proj.weight": ("ssm_in.weight", dtype),
        "mixer.conv1d.weight": ("ssm_conv1d.weight", "f32"),
        "mixer.conv1d.bias": ("ssm_conv1d.bias", "f32"),
        "mixer.x_proj.weight": ("ssm_x.weight", dtype),
        "mixer.dt_proj.weight": ("ssm_dt.weight", dtype),
        "mixer.dt_proj.bias": ("ssm_dt.bias", "f32"),
        "mixer.A_log": ("ssm_a", "f32"),
        "mixer.D": ("ssm_d", "f32"),
        "mixer.out_proj.weight": ("ssm_out.weight", dtype),
    }
    top_names = {
        "backbone.embeddings.weight": ("token_embd.weight", dtype),
        "backbone.norm_f.weight": ("output_norm.weight", "f32"),
        # Absent when tied: llama.cpp then reuses token_embd.
        "lm_head.weight": ("output.weight", dtype),
    }
    for name, w in tensors.items():
        if name in top_names:
            gguf_name, t = top_names[name]
        else:
            parts = name.split(".", 3)
            if parts[:2] != ["backbone", "layers"] or parts[3] not in layer_names:
                raise SystemExit(f"{name}: not a Mamba-1 weight llama.cpp has")
            suffix, t = layer_names[parts[3]]
            gguf_name = f"blk.{int(parts[2])}.{suffix}"
        shape = w.shape
        if name.endswith("A_log"):
            convert = lambda w=w: -np.exp(as_type(w, "f32"))
        elif name.endswith("conv1d.weight"):
            shape = (w.shape[0], w.shape[2])  # [d_inner, 1, K] -> [d_inner, K]
            convert = lambda w=w, t=t, s=shape: as_type(w.reshape(s), t)
        else:
            convert = lambda w=w, t=t: as_type(w, t)
        yield gguf_name, shape, t, convert


def string_bytes(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def value_bytes(kind, value):
    if kind == UINT32:
        return struct.pack("<I", value)
    if kind == FLOAT32:
        return struct.pack("<f", value)
    if kind == BOOL:
        return struct.pack("<?", value)
    return string_bytes(value)


def write_gguf(path, metadata, tensors):
    """GGUF v3: header, key-values, tensor infos (ggml dimension order,
    offsets into the data section), then each tensor ALIGNMENT-aligned.
    Each tensor is converted only when written, so a large model's
    converted copy never sits in memory whole."""
    infos, offset = [], 0
    for name, shape, t, convert in tensors:
        nbytes = math.prod(shape) * np.dtype(NUMPY_TYPE[t]).itemsize
        infos.append((name, shape, t, offset, nbytes, convert))
        offset += nbytes + (-nbytes % ALIGNMENT)
    head = bytearray(GGUF_MAGIC)
    head += struct.pack("<IQQ", GGUF_VERSION, len(infos), len(metadata))
    for key, kind, value in metadata:
        head += string_bytes(key) + struct.pack("<I", kind)
        head += value_bytes(kind, value)
    for name, shape, t, off, _, _ in infos:
        head += string_bytes(name) + struct.pack("<I", len(shape))
        head += struct.pack(f"<{len(shape)}Q", *reversed(shape))
        head += struct.pack("<IQ", GGML_TYPE[t], off)
    head += b"\0" * (-len(head) % ALIGNMENT)
    with open(path, "wb") as f:
        f.write(head)
        for name, shape, t, _, nbytes, convert in infos:
            w = convert()
            assert w.shape == tuple(shape) and w.nbytes == nbytes, name
            f.write(w.tobytes())
            f.write(b"\0" * (-nbytes % ALIGNMENT))
    return len(head) + offset


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("model_dir")
    parser.add_argument("out")
    parser.add_argument("--dtype", choices=["f32", "bf16", "f16"],
                        default="f32")
    args = parser.parse_args()
    with open(os.path.join(args.model_dir, "config.json")) as f:
        config = json.load(f)
    tensors = read_safetensors(os.path.join(args.model_dir,
                                            "model.safetensors"))
    metadata = hyperparameters(config, tensors)
    metadata.insert(2, ("general.file_type", UINT32, FILE_TYPE[args.dtype]))
    size = write_gguf(args.out, metadata, gguf_tensors(tensors, args.dtype))
    print(f"{args.out}: {len(tensors)} tensors, {size / 2**30:.2f} GiB, "
          f"matrices {args.dtype}")


if __name__ == "__main__":
    main()
