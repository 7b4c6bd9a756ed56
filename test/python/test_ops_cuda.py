"""mamba_mlir.ops on CUDA tensors, float32 and bfloat16, against the
upstream reference formulas (op_references.py): zero copy, on the current
stream, results on the inputs' device. Skips without a CUDA device.

A machine with a GPU may have no compiler (the GPU machine has none): the
kernels then come from a cache filled where there is one, by running this
file as a script, `python3 test/python/test_ops_cuda.py sm_90a CACHE`,
which warms up every case below for that target into CACHE; point
MAMBA_MLIR_CACHE at it there."""

import os
import sys

import pytest

torch = pytest.importorskip("torch")

import mamba_mlir.ops as ops  # noqa: E402
from op_references import (conv_reference, conv_update_reference, f64,  # noqa
                           rel, rms_norm_reference, scan_reference,
                           ssd_reference, ssd_step_reference,
                           state_update_reference)


def scan(dtype, device, g, grouped):
    b, d, L, N, G = 2, 24, 37, 16, 2 if grouped else 1
    act = lambda *s: torch.randn(*s, generator=g).to(dtype).to(device)
    bc = (b, G, N, L) if grouped else (b, N, L)
    args = (act(b, d, L), (0.5 * torch.rand(b, d, L, generator=g)).to(
        dtype).to(device), -torch.exp(torch.randn(d, N, generator=g)).to(
        device), act(*bc), act(*bc))
    kwargs = dict(D=torch.randn(d, generator=g).to(device), z=act(b, d, L),
                  delta_bias=(0.5 * torch.randn(d, generator=g)).to(device),
                  delta_softplus=True, return_last_state=True)
    u, delta, A, B, C = args
    B4, C4 = (B, C) if grouped else (B[:, None], C[:, None])
    want = scan_reference(u, delta, A, B4, C4, kwargs["D"], kwargs["z"],
                          kwargs["delta_bias"], True)
    return ops.selective_scan_fn, args, kwargs, want


def state_update(dtype, device, g, grouped):
    b, d, N, G = 2, 24, 16, 2 if grouped else 1
    act = lambda *s: torch.randn(*s, generator=g).to(dtype).to(device)
    bc = (b, G, N) if grouped else (b, N)
    args = (torch.randn(b, d, N, generator=g).to(device), act(b, d),
            act(b, d), -torch.exp(torch.randn(d, N, generator=g)).to(device),
            act(*bc), act(*bc))
    kwargs = dict(D=torch.randn(d, generator=g).to(device), z=act(b, d),
                  dt_bias=torch.randn(d, generator=g).to(device),
                  dt_softplus=True)
    out, new = state_update_reference(*args, **kwargs)
    return ops.selective_state_update, args, kwargs, (out, new)


def conv(dtype, device, g, _):
    b, d, L, K = 2, 20, 37, 4
    x = torch.randn(b, d, L, generator=g).to(dtype).to(device)
    w = torch.randn(d, K, generator=g).to(dtype).to(device)
    bias = torch.randn(d, generator=g).to(dtype).to(device)
    final = torch.nn.functional.pad(x, (K - 1, 0))[:, :, -(K - 1):]
    want = (conv_reference(x, w, bias, "silu"), f64(final))
    return (ops.causal_conv1d_fn, (x, w, bias),
            dict(activation="silu", return_final_states=True), want)


def conv_update(dtype, device, g, _):
    b, d, K = 3, 20, 4
    state = torch.randn(b, d, K, generator=g).to(dtype).to(device)
    x = torch.randn(b, d, generator=g).to(dtype).to(device)
    w = torch.randn(d, K, generator=g).to(dtype).to(device)
    bias = torch.randn(d, generator=g).to(dtype).to(device)
    want = conv_update_reference(x, state, w, bias, "silu")
    return (ops.causal_conv1d_update, (x, state, w, bias),
            dict(activation="silu"), want)


def rms_norm(dtype, device, g, _):
    x = torch.randn(7, 64, generator=g).to(dtype).to(device)
    w = torch.randn(64, generator=g).to(dtype).to(device)
    res = torch.randn(7, 64, generator=g).to(dtype).to(device)
    want = rms_norm_reference(x, w, res, eps=1e-5)
    return (ops.rms_norm_fn, (x, w),
            dict(residual=res, prenorm=True, residual_in_fp32=True, eps=1e-5),
            want)


def ssd(dtype, device, g, grouped):
    """Mamba-2's SSD (mamba_chunk_scan_combined): 40 positions over chunks
    of 16, D per channel, the gate, the bias, initial and final states."""
    b, L, H, P, N, G = 2, 40, 4, 16, 32, 2 if grouped else 1
    act = lambda *s: torch.randn(*s, generator=g).to(dtype).to(device)
    args = (act(b, L, H, P), (torch.randn(b, L, H, generator=g) - 1).to(
        dtype).to(device), -torch.exp(torch.rand(H, generator=g) * 2).to(
        device), act(b, L, G, N), act(b, L, G, N), 16)
    kwargs = dict(D=torch.randn(H, P, generator=g).to(device),
                  z=act(b, L, H, P),
                  dt_bias=(0.5 * torch.randn(H, generator=g)).to(device),
                  initial_states=torch.randn(b, H, P, N, generator=g).to(
                      device),
                  dt_softplus=True, return_final_states=True)
    want = ssd_reference(*args[:5], kwargs["D"], kwargs["z"],
                         kwargs["dt_bias"], kwargs["initial_states"], True)
    return ops.mamba_chunk_scan_combined, args, kwargs, want


def ssd_varlen(dtype, device, g, _):
    """mamba_chunk_scan_combined's return_varlen_states: two packed
    sequences' last states (each from zero) beside the whole row's out."""
    L, H, P, N, cu = 40, 4, 16, 32, [0, 13, 40]
    act = lambda *s: torch.randn(*s, generator=g).to(dtype).to(device)
    args = (act(1, L, H, P), (torch.randn(1, L, H, generator=g) - 1).to(
        dtype).to(device), -torch.exp(torch.rand(H, generator=g) * 2).to(
        device), act(1, L, 1, N), act(1, L, 1, N), 16)
    bias = (0.5 * torch.randn(H, generator=g)).to(device)
    kwargs = dict(dt_bias=bias, dt_softplus=True, return_varlen_states=True,
                  cu_seqlens=torch.tensor(cu, dtype=torch.int32,
                                          device=device))
    y, _ = ssd_reference(*args[:5], dt_bias=bias, dt_softplus=True)
    finals = [ssd_reference(*(a[:, s:e] for a in args[:2]), args[2],
                            *(a[:, s:e] for a in args[3:5]), dt_bias=bias,
                            dt_softplus=True)[1][0]
              for s, e in zip(cu, cu[1:])]
    return ops.mamba_chunk_scan_combined, args, kwargs, (y, torch.stack(finals))


def ssd_step(dtype, device, g, _):
    """Mamba2.step's multi-head selective_state_update: A, dt, D and
    dt_bias broadcast along P (and N) as the layer passes them."""
    b, H, P, N, G = 3, 4, 16, 32, 2
    act = lambda *s: torch.randn(*s, generator=g).to(dtype).to(device)
    A = -torch.exp(torch.rand(H, generator=g)).to(device)
    dt = (torch.randn(b, H, generator=g) - 1).to(dtype).to(device)
    D = torch.randn(H, generator=g).to(device)
    bias = (0.5 * torch.randn(H, generator=g)).to(device)
    args = (torch.randn(b, H, P, N, generator=g).to(device), act(b, H, P),
            dt[:, :, None].expand(b, H, P), A[:, None, None].expand(H, P, N),
            act(b, G, N), act(b, G, N))
    kwargs = dict(D=D[:, None].expand(H, P), z=act(b, H, P),
                  dt_bias=bias[:, None].expand(H, P), dt_softplus=True)
    want = ssd_step_reference(*args, **kwargs)
    return ops.selective_state_update, args, kwargs, want


CASES = {"scan": (scan, False), "scan-grouped": (scan, True),
         "state_update": (state_update, False),
         "state_update-grouped": (state_update, True),
         "conv": (conv, None), "conv_update": (conv_update, None),
         "rms_norm": (rms_norm, None),
         "ssd": (ssd, False), "ssd-grouped": (ssd, True),
         "ssd-varlen": (ssd_varlen, None), "ssd_step": (ssd_step, None)}
DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}


def make(name, dtype, device):
    build, variant = CASES[name]
    return build(DTYPES[dtype], device, torch.Generator().manual_seed(3),
                 variant)


def results(name, got, args):
    """What to compare with the reference, in its order: the returned
    tensors, and a state updated in place."""
    if name.startswith("state_update") or name == "ssd_step":
        return got, args[0]
    if name == "conv_update":
        return got, args[1]
    return got


needs_cuda = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="no CUDA device: the CUDA op tests run on the GPU machine")


@needs_cuda
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_matches_the_reference_on_cuda(name, dtype):
    op, args, kwargs, want = make(name, dtype, "cuda")
    got = results(name, op(*args, **kwargs), args)
    limit = 1e-5 if dtype == "f32" else 1e-2
    for g, w in zip(got, want):
        assert g.device.type == "cuda"
        assert rel(g, w) <= limit, name


@needs_cuda
def test_runs_on_the_current_stream():
    """On a side stream, the op is ordered after the work before it there
    and before the work after it, with no synchronization of its own."""
    op, args, kwargs, want = make("scan", "f32", "cuda")
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        u = args[0] * 1.0  # made on this stream just before the op
        torch.cuda._sleep(50_000_000)  # keeps the stream busy
        out, last = op(u, *args[1:], **kwargs)
        out = out + 0  # read on the stream right after
    stream.synchronize()
    assert rel(out, want[0]) <= 1e-5 and rel(last, want[1]) <= 1e-5


@needs_cuda
def test_non_contiguous_cuda_inputs_are_copied():
    op, args, kwargs, want = make("conv", "f32", "cuda")
    x = args[0].transpose(1, 2).contiguous().transpose(1, 2)
    assert not x.is_contiguous()
    out, _ = op(x, *args[1:], **kwargs)
    assert rel(out, want[0]) <= 1e-5


@needs_cuda
def test_operands_on_another_device_name_themselves():
    op, args, kwargs, _ = make("state_update", "f32", "cuda")
    with pytest.raises(ValueError, match=r"A: on cpu, expected cuda:0 like x"):
        op(args[0], args[1], args[2], args[3].cpu(), *args[4:], **kwargs)


def warm_up(target):
    """Compiles every case's kernels for `target` into the cache."""
    calls = []
    for name in CASES:
        for dtype in DTYPES:
            op, args, kwargs, _ = make(name, dtype, "cpu")
            calls.append((op, args, kwargs))
    return ops.warm_up(calls, target=target)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: test_ops_cuda.py TARGET CACHE (e.g. sm_90a "
                 "gpu-carry/py/cache)")
    os.environ["MAMBA_MLIR_CACHE"] = sys.argv[2]
    print(f"{warm_up(sys.argv[1])} shape classes compiled for {sys.argv[1]} "
          f"into {sys.argv[2]}")
