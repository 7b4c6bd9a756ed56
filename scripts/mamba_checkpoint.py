"""The weights a Hugging Face Mamba (or Mamba-2) checkpoint holds for a config, as
(name, shape) pairs in the order transformers saves them. Shared by the
scripts that make checkpoints (shape-only ones for compiling here, random
ones with numpy here or torch on the GPU machine), with the one writer of
their files."""
import json
import math
import os
import struct


def mamba2_weight_shapes(c):
    """Mamba2ForCausalLM's weights: in_proj makes [z, x, B, C, dt]."""
    D, V, N, K = c["hidden_size"], c["vocab_size"], c["state_size"], c["conv_kernel"]
    E, H, G = c["expand"] * D, c["num_heads"], c["n_groups"]
    conv, inner = E + 2 * G * N, 2 * E + 2 * G * N + H
    out = [("backbone.embeddings.weight", [V, D])]
    for i in range(c["num_hidden_layers"]):
        p = f"backbone.layers.{i}."
        out.append((p + "norm.weight", [D]))
        out.append((p + "mixer.in_proj.weight", [inner, D]))
        if c.get("use_bias", False):
            out.append((p + "mixer.in_proj.bias", [inner]))
        out.append((p + "mixer.conv1d.weight", [conv, 1, K]))
        if c.get("use_conv_bias", True):
            out.append((p + "mixer.conv1d.bias", [conv]))
        out.append((p + "mixer.dt_bias", [H]))
        out.append((p + "mixer.A_log", [H]))
        out.append((p + "mixer.D", [H]))
        out.append((p + "mixer.norm.weight", [E]))
        out.append((p + "mixer.out_proj.weight", [D, E]))
        if c.get("use_bias", False):
            out.append((p + "mixer.out_proj.bias", [D]))
    out.append(("backbone.norm_f.weight", [D]))
    if not c.get("tie_word_embeddings", False):
        out.append(("lm_head.weight", [V, D]))
    return out


def weight_shapes(c):
    if c.get("model_type") == "mamba2":
        return mamba2_weight_shapes(c)
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


def write_checkpoint(out_dir, config, dtype_name, element_size,
                     tensor_bytes=None):
    """Writes config.json and model.safetensors for `config` into out_dir:
    the header of every weight in `dtype_name` ("F32", "BF16", ...;
    `element_size` bytes an element), data 8-byte aligned, then each
    weight's bytes from tensor_bytes(name, shape), in weight_shapes'
    order. Without tensor_bytes the data is a sparse file of zeros (no disk
    is written), enough for mamba-compile, which reads only the header.
    Returns the number of weights and the data's size in bytes."""
    shapes = weight_shapes(config)
    header, offset = {}, 0
    for name, shape in shapes:
        size = math.prod(shape) * element_size
        header[name] = {"dtype": dtype_name, "shape": shape,
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # tensors start 8-byte aligned

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out_dir, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        if tensor_bytes is None:
            f.truncate(8 + len(text) + offset)
        else:
            for name, shape in shapes:
                f.write(tensor_bytes(name, shape))
    return len(shapes), offset
