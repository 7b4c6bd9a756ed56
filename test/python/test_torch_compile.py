"""mamba_mlir.ops under torch.compile: registered as torch custom ops
(torch 2.4 and later), each passes torch.library.opcheck (schema, fake
implementation, mutation declared), and a compiled function that calls
them runs them in one graph (fullgraph=True: no graph break) with the
eager results. On CUDA tensors where there is a GPU (kernels from
MAMBA_TEST_OPS_CACHE on a machine without the compiler), else on the
CPU. Skips on a torch without torch.library.custom_op (Debian's 1.13)."""

import pytest

torch = pytest.importorskip("torch")
if not hasattr(getattr(torch, "library", None), "custom_op"):
    pytest.skip("this torch has no torch.library.custom_op (2.4 and later)",
                allow_module_level=True)

import mamba_mlir.ops as ops  # noqa: E402
from test_ops_cuda import make, results  # noqa: E402

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
if DEVICE == "cpu":
    pytest.importorskip("mamba_mlir._mamba_mlir_compiler",
                        reason="the ops compile their kernels on first use")

OPS = {"scan": "selective_scan", "state_update": "selective_state_update",
       "conv": "causal_conv1d", "conv_update": "causal_conv1d_update",
       "rms_norm": "rms_norm", "ssd": "ssd_scan",
       "ssd_step": "ssd_state_update"}


def custom_op_arguments(name, args, kwargs):
    """The custom op's positional arguments for a public call."""
    if name == "scan":
        return (*args, kwargs["D"], kwargs["z"], kwargs["delta_bias"],
                kwargs["delta_softplus"], kwargs["return_last_state"])
    if name == "ssd":
        return (*args, kwargs["D"], kwargs["z"], kwargs["dt_bias"],
                kwargs["initial_states"], None, kwargs["dt_softplus"], 0.0,
                float("inf"), kwargs["return_final_states"])
    if name in ("state_update", "ssd_step"):
        return (*args, kwargs["D"], kwargs["z"], kwargs["dt_bias"],
                kwargs["dt_softplus"])
    if name == "conv":
        return (*args, kwargs["return_final_states"], kwargs["activation"])
    if name == "conv_update":
        return (*args, kwargs["activation"])
    return (*args, kwargs["residual"], kwargs["prenorm"],
            kwargs["residual_in_fp32"], kwargs["eps"])


def test_the_ops_are_registered():
    assert ops._registered
    for op in OPS.values():
        assert hasattr(torch.ops.mamba_mlir, op)


@pytest.mark.parametrize("name", OPS)
def test_opcheck(name):
    _, args, kwargs, _ = make(name, "f32", DEVICE)
    op = getattr(torch.ops.mamba_mlir, OPS[name])
    torch.library.opcheck(op, custom_op_arguments(name, args, kwargs),
                          test_utils=("test_schema", "test_faketensor"))


def test_a_compiled_block_keeps_the_ops_in_one_graph():
    _, s_args, s_kwargs, want = make("scan", "f32", DEVICE)
    _, n_args, n_kwargs, n_want = make("rms_norm", "f32", DEVICE)

    def block(u, x):
        y, last = ops.selective_scan_fn(u, *s_args[1:], **s_kwargs)
        h, r = ops.rms_norm_fn(x, *n_args[1:], **n_kwargs)
        return y * 2, last, h, r

    compiled = torch.compile(block, fullgraph=True)
    y, last, h, r = compiled(s_args[0], n_args[0])
    ey, elast, eh, er = block(s_args[0], n_args[0])
    assert torch.equal(y, ey) and torch.equal(last, elast)
    assert torch.equal(h, eh) and torch.equal(r, er)


def test_a_compiled_decode_step_updates_its_state_in_place():
    _, args, kwargs, want = make("state_update", "f32", DEVICE)
    state = args[0]

    def step(state, x):
        return ops.selective_state_update(state, x, *args[2:], **kwargs)

    out = torch.compile(step, fullgraph=True)(state, args[1])
    got = results("state_update", out, (state,))
    from op_references import rel
    assert rel(got[0], want[0]) <= 1e-5 and rel(got[1], want[1]) <= 1e-5


def test_a_compiled_mamba2_layer_keeps_its_ops_in_one_graph():
    """The SSD and the multi-head decode step (with Mamba2.step's broadcast
    parameters) under torch.compile give the eager results."""
    _, args, kwargs, _ = make("ssd", "f32", DEVICE)
    _, s_args, s_kwargs, s_want = make("ssd_step", "f32", DEVICE)
    state = s_args[0].clone()

    def layer(x, state, xs):
        y, final = ops.mamba_chunk_scan_combined(x, *args[1:], **kwargs)
        out = ops.selective_state_update(state, xs, *s_args[2:], **s_kwargs)
        return y * 2, final, out

    y, final, out = torch.compile(layer, fullgraph=True)(args[0], state,
                                                         s_args[1])
    ey, efinal = ops.mamba_chunk_scan_combined(*args, **kwargs)
    assert torch.equal(y, ey * 2) and torch.equal(final, efinal)
    from op_references import rel
    assert rel(out, s_want[0]) <= 1e-5 and rel(state, s_want[1]) <= 1e-5
