"""The weights a Hugging Face Mamba checkpoint holds for a config, as
(name, shape) pairs in the order transformers saves them. Shared by the
scripts that make checkpoints (shape-only ones for compiling here, random
ones on the GPU machine)."""


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
