"""mamba_mlir.ops.selective_scan_fn against mamba_ssm's reference formula
(selective_scan_ref, written out here in torch, float64), over edge
shapes, each optional operand, groups, numpy and torch inputs, and the
errors of bad arguments."""

import os

import numpy as np
import pytest

import mamba_mlir
from mamba_mlir import MambaError
from mamba_mlir.ops import selective_scan_fn

torch = pytest.importorskip("torch")
pytest.importorskip("mamba_mlir._mamba_mlir_compiler",
                    reason="the ops compile their kernels on first use")

from op_references import (conv_reference, rel, rms_norm_reference,  # noqa
                           scan_reference, state_update_reference)


def inputs(b, d, L, N, G, dtype, seed, grouped):
    g = torch.Generator().manual_seed(seed)
    act = lambda *shape: torch.randn(*shape, generator=g).to(dtype)
    bc_shape = (b, G, N, L) if grouped else (b, N, L)
    # delta in [0, 0.5), as mamba_ssm's tests draw it: without the
    # softplus a negative delta makes exp(delta * A) grow without bound.
    return dict(u=act(b, d, L),
                delta=(0.5 * torch.rand(b, d, L, generator=g)).to(dtype),
                A=-torch.exp(torch.randn(d, N, generator=g)),
                B=act(*bc_shape), C=act(*bc_shape),
                D=torch.randn(d, generator=g), z=act(b, d, L),
                delta_bias=torch.randn(d, generator=g) * 0.5)


@pytest.mark.parametrize("b, d, L, N, G, grouped", [
    (1, 20, 1, 16, 1, False),    # one step; d not a multiple of the lanes
    (2, 20, 37, 16, 1, False),   # L not a multiple of the chunk
    (2, 16, 64, 4, 2, True),     # two groups
    (1, 8, 5, 1, 1, True),       # N = 1, [b, 1, N, L] B and C
])
@pytest.mark.parametrize("optional", ["all", "none", "D", "z",
                                      "delta_bias"])
def test_f32_matches_the_reference(b, d, L, N, G, grouped, optional):
    x = inputs(b, d, L, N, G, torch.float32, seed=b + d + L + N, grouped=grouped)
    keep = {"all": ("D", "z", "delta_bias"), "none": ()}.get(optional,
                                                             (optional,))
    kwargs = {k: x[k] for k in ("D", "z", "delta_bias") if k in keep}
    softplus = optional != "none"
    out, last = selective_scan_fn(x["u"], x["delta"], x["A"], x["B"], x["C"],
                                  delta_softplus=softplus,
                                  return_last_state=True, **kwargs)
    B4 = x["B"] if grouped else x["B"][:, None]
    C4 = x["C"] if grouped else x["C"][:, None]
    want, state = scan_reference(x["u"], x["delta"], x["A"], B4, C4,
                                 delta_softplus=softplus, **kwargs)
    assert out.dtype == torch.float32 and out.shape == (b, d, L)
    assert last.dtype == torch.float32 and last.shape == (b, d, N)
    assert rel(out, want) <= 1e-5
    assert rel(last, state) <= 1e-5


def test_bf16_matches_the_reference():
    x = inputs(2, 24, 50, 16, 1, torch.bfloat16, seed=3, grouped=False)
    out = selective_scan_fn(x["u"], x["delta"], x["A"], x["B"], x["C"],
                            x["D"], x["z"], x["delta_bias"], True)
    want, _ = scan_reference(x["u"], x["delta"], x["A"], x["B"][:, None],
                             x["C"][:, None], x["D"], x["z"], x["delta_bias"],
                             True)
    assert out.dtype == torch.bfloat16
    assert rel(out, want) <= 1e-2


def test_numpy_in_numpy_out():
    x = inputs(1, 20, 37, 16, 1, torch.float32, seed=5, grouped=False)
    arrays = {k: v.numpy() for k, v in x.items()}
    out = selective_scan_fn(arrays["u"], arrays["delta"], arrays["A"],
                            arrays["B"], arrays["C"], arrays["D"],
                            delta_softplus=True)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    want, _ = scan_reference(x["u"], x["delta"], x["A"], x["B"][:, None],
                             x["C"][:, None], x["D"], delta_softplus=True)
    assert rel(torch.from_numpy(out), want) <= 1e-5


def test_non_contiguous_inputs_are_copied():
    x = inputs(1, 20, 37, 16, 1, torch.float32, seed=6, grouped=False)
    u = x["u"].transpose(1, 2).contiguous().transpose(1, 2)  # strided view
    assert not u.is_contiguous()
    out = selective_scan_fn(u, x["delta"], x["A"], x["B"], x["C"])
    want, _ = scan_reference(x["u"], x["delta"], x["A"], x["B"][:, None],
                             x["C"][:, None])
    assert rel(out, want) <= 1e-5


@pytest.mark.parametrize("change, error, message", [
    (lambda x: x.update(delta=x["delta"][:, :, :-1]), ValueError,
     r"delta: expected shape \[2, 20, 37\], got \[2, 20, 36\]"),
    (lambda x: x.update(A=x["A"][:-1]), ValueError,
     r"A: expected shape \[20, N\], got \[19, 16\]"),
    (lambda x: x.update(B=x["B"][:, :, :-1]), ValueError,
     r"B: expected shape \[2, 16, 37\], got \[2, 16, 36\]"),
    (lambda x: x.update(u=x["u"][0]), ValueError,
     r"u: expected shape \[b, d, L\], got \[20, 37\]"),
    (lambda x: x.update(delta=x["delta"].double()), TypeError,
     r"delta: expected float32, bfloat16 or float16, got float64"),
    (lambda x: x.update(u=x["u"].to(torch.int32)), TypeError,
     r"u: expected float32, bfloat16 or float16, got int32"),
    (lambda x: x.update(B=x["B"].numpy()), TypeError,
     r"B: expected a torch tensor like u, got ndarray"),
    (lambda x: x.update(u=x["u"].requires_grad_()), ValueError,
     r"u: requires a gradient, and these ops have no backward yet"),
])
def test_bad_arguments_name_themselves(change, error, message):
    x = inputs(2, 20, 37, 16, 1, torch.float32, seed=7, grouped=False)
    change(x)
    with pytest.raises(error, match=message):
        selective_scan_fn(x["u"], x["delta"], x["A"], x["B"], x["C"])


def test_groups_must_divide_the_channels():
    x = inputs(1, 20, 8, 4, 3, torch.float32, seed=8, grouped=True)
    with pytest.raises(ValueError, match="B: 3 groups do not divide the 20 "
                                         "channels"):
        selective_scan_fn(x["u"], x["delta"], x["A"], x["B"], x["C"])


# causal_conv1d_fn and selective_state_update, against the formulas.

from mamba_mlir.ops import causal_conv1d_fn, selective_state_update  # noqa


@pytest.mark.parametrize("L", [1, 3, 37, 100])
@pytest.mark.parametrize("dtype, bias, activation", [
    (torch.float32, True, "silu"), (torch.float32, False, None),
    (torch.bfloat16, True, "swish")])
def test_causal_conv1d_matches_the_reference(L, dtype, bias, activation):
    g = torch.Generator().manual_seed(L)
    x = torch.randn(2, 20, L, generator=g).to(dtype)
    w = torch.randn(20, 4, generator=g).to(dtype)
    b = torch.randn(20, generator=g).to(dtype) if bias else None
    out, final = causal_conv1d_fn(x, w, b, activation=activation,
                                  return_final_states=True)
    assert out.dtype == dtype and out.shape == x.shape
    limit = 1e-5 if dtype == torch.float32 else 1e-2
    assert rel(out, conv_reference(x, w, b, activation)) <= limit
    # The last K - 1 inputs, zeros before the row's start.
    padded = torch.nn.functional.pad(x, (3, 0))
    assert torch.equal(final, padded[:, :, -3:])


def test_causal_conv1d_refuses_what_it_cannot_do():
    x, w = torch.randn(1, 4, 8), torch.randn(4, 4)
    with pytest.raises(NotImplementedError, match="seq_idx"):
        causal_conv1d_fn(x, w, seq_idx=torch.zeros(1, 8, dtype=torch.int32))
    with pytest.raises(ValueError, match="activation: expected None, 'silu' "
                                         "or 'swish', got 'relu'"):
        causal_conv1d_fn(x, w, activation="relu")
    with pytest.raises(ValueError, match=r"weight: expected shape \[4, K\], "
                                         r"got \[3, 4\]"):
        causal_conv1d_fn(x, w[:3])


@pytest.mark.parametrize("G, dtype", [(1, torch.float32), (2, torch.float32),
                                      (1, torch.bfloat16)])
def test_selective_state_update_matches_the_reference(G, dtype):
    g = torch.Generator().manual_seed(G)
    b, d, N = 2, 24, 16
    act = lambda *shape: torch.randn(*shape, generator=g).to(dtype)
    state = torch.randn(b, d, N, generator=g)
    x, dt, z = act(b, d), act(b, d), act(b, d)
    A = -torch.exp(torch.randn(d, N, generator=g))
    B, C = (act(b, G, N), act(b, G, N)) if G > 1 else (act(b, N), act(b, N))
    D, dt_bias = torch.randn(d, generator=g), torch.randn(d, generator=g)
    want, new = state_update_reference(state, x, dt, A, B, C, D, z, dt_bias,
                                       True)
    out = selective_state_update(state, x, dt, A, B, C, D, z, dt_bias, True)
    limit = 1e-5 if dtype == torch.float32 else 1e-2
    assert out.dtype == dtype and rel(out, want) <= limit
    assert rel(state, new) <= limit  # updated in place


from mamba_mlir.ops import causal_conv1d_update, rms_norm_fn  # noqa


@pytest.mark.parametrize("dtype, bias, activation", [
    (torch.float32, True, "silu"), (torch.float32, False, None),
    (torch.bfloat16, True, "silu")])
def test_causal_conv1d_update_shifts_the_state_in_place(dtype, bias,
                                                        activation):
    g = torch.Generator().manual_seed(11)
    b, d, K = 3, 20, 4
    state = torch.randn(b, d, K, generator=g).to(dtype)
    x = torch.randn(b, d, generator=g).to(dtype)
    w = torch.randn(d, K, generator=g).to(dtype)
    bb = torch.randn(d, generator=g).to(dtype) if bias else None
    shifted = torch.cat([state[:, :, 1:], x[:, :, None]], dim=-1)
    out = causal_conv1d_update(x, state, w, bb, activation)
    assert torch.equal(state, shifted)  # moved, not computed
    want = (shifted.double() * w.double()).sum(-1)
    if bias:
        want = want + bb.double()
    if activation:
        want = torch.nn.functional.silu(want)
    assert out.dtype == dtype
    assert rel(out, want) <= (1e-5 if dtype == torch.float32 else 1e-2)


@pytest.mark.parametrize("shape", [(7, 64), (2, 5, 100), (100,)])
@pytest.mark.parametrize("dtype, residual, prenorm, fp32", [
    (torch.float32, False, False, False), (torch.float32, True, True, False),
    (torch.bfloat16, True, True, True), (torch.bfloat16, False, True, True)])
def test_rms_norm_fn_matches_the_formula(shape, dtype, residual, prenorm,
                                         fp32):
    g = torch.Generator().manual_seed(len(shape))
    x = torch.randn(*shape, generator=g).to(dtype)
    w = torch.randn(shape[-1], generator=g).to(dtype)
    res = torch.randn(*shape, generator=g).to(dtype) if residual else None
    got = rms_norm_fn(x, w, residual=res, prenorm=prenorm,
                      residual_in_fp32=fp32, eps=1e-5)
    want, r = rms_norm_reference(x, w, res, eps=1e-5)
    y = got[0] if prenorm else got
    assert y.dtype == dtype and y.shape == x.shape
    limit = 1e-5 if dtype == torch.float32 else 1e-2
    assert rel(y, want) <= limit
    if prenorm:
        assert got[1].dtype == (torch.float32 if fp32 else dtype)
        assert rel(got[1], r) <= limit


def test_rms_norm_fn_refuses_a_bias():
    with pytest.raises(NotImplementedError, match="bias"):
        rms_norm_fn(torch.randn(2, 8), torch.randn(8), bias=torch.randn(8))


def test_warm_up_compiles_without_running(monkeypatch, tmp_path):
    import mamba_mlir.ops as ops
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path))
    monkeypatch.setattr(ops, "_kernels", {})
    monkeypatch.setattr(ops, "_by_signature", {})
    state = torch.randn(1, 24, 16)
    before = state.clone()
    x = torch.randn(1, 24)
    A = -torch.rand(24, 16)
    B, C = torch.randn(1, 16), torch.randn(1, 16)
    u = torch.randn(1, 24, 5)
    assert ops.warm_up([
        (selective_state_update, (state, x, x, A, B, C)),
        (causal_conv1d_fn, (u, torch.randn(24, 4)), {"activation": "silu"}),
    ]) == 2
    assert torch.equal(state, before)  # not run
    assert len(ops._kernels) == 2
    assert len(list((tmp_path / "ops").glob("*/*.mmod"))) == 2
    # The real calls find their kernels loaded.
    selective_state_update(state, x, x, A, B, C)
    assert len(ops._kernels) == 2 and not torch.equal(state, before)
    with pytest.raises(TypeError, match="warm_up: .* is not an op"):
        ops.warm_up([(print, ())])


def test_warm_up_for_another_target_compiles_without_loading(monkeypatch,
                                                            tmp_path):
    """A machine without a GPU fills a cache for one: sm_80 code made here
    (no GPU, no CUDA toolkit needed), nothing loaded."""
    import mamba_mlir.ops as ops
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path))
    monkeypatch.setattr(ops, "_kernels", {})
    monkeypatch.setattr(ops, "_by_signature", {})
    x = torch.randn(3, 40)
    assert ops.warm_up([(rms_norm_fn, (x, torch.randn(40)))],
                       target="sm_80") == 1
    made = list((tmp_path / "ops").glob("*/*.mmod"))
    assert [m.name.split("-")[1] for m in made] == ["sm_80"]
    assert ops._kernels == {}


def test_a_runtime_only_install_runs_kernels_compiled_elsewhere(monkeypatch,
                                                                tmp_path):
    import mamba_mlir.ops as ops
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path))
    monkeypatch.setattr(ops, "_kernels", {})
    monkeypatch.setattr(ops, "_by_signature", {})
    x, w = torch.randn(3, 40), torch.randn(40)
    want = rms_norm_fn(x, w)  # compiled into the cache for this CPU
    monkeypatch.setattr(ops, "_kernels", {})
    monkeypatch.setattr(ops, "_by_signature", {})
    monkeypatch.setattr(ops, "_compiler", lambda: None)
    assert torch.equal(rms_norm_fn(x, w), want)
    with pytest.raises(MambaError, match=r"no compiled kernel .*warm_up\(calls, target=\"cpu\"\)"):
        rms_norm_fn(torch.randn(3, 24), torch.randn(24))


def test_repeated_calls_take_the_recorded_fast_path():
    """The first call of a kind is checked in Python and recorded; a call
    like it (other tensors, same dtypes, shapes and flags) runs from the
    record, with the same results and the state still updated in place.
    Different flags, dtypes or a conversion are not served by it."""
    import mamba_mlir.ops as ops
    g = torch.Generator().manual_seed(5)
    b, d, N = 2, 24, 16

    def tensors(dtype=torch.float32):
        act = lambda *s: torch.randn(*s, generator=g).to(dtype)
        return (torch.randn(b, d, N, generator=g), act(b, d), act(b, d),
                -torch.exp(torch.randn(d, N, generator=g)), act(b, N),
                act(b, N), torch.randn(d, generator=g), act(b, d),
                torch.randn(d, generator=g))

    first = tensors()
    selective_state_update(*first, True)
    recorded = len(ops._fast)
    assert recorded >= 1
    for softplus in (True, False, True):
        args = tensors()
        want, new = state_update_reference(*args, dt_softplus=softplus)
        out = selective_state_update(*args, dt_softplus=softplus)
        assert rel(out, want) <= 1e-5 and rel(args[0], new) <= 1e-5
    assert len(ops._fast) == recorded + 1  # softplus off: recorded once
    # B in float32 with bf16 x is rounded first: not recorded, still right.
    args = list(tensors(torch.bfloat16))
    args[4], args[5] = args[4].float(), args[5].float()
    want, _ = state_update_reference(*args, dt_softplus=True)
    before = len(ops._fast)
    for _ in range(2):
        out = selective_state_update(*[a.clone() for a in args], True)
        assert rel(out, want) <= 1e-2
    assert len(ops._fast) == before
    # A different batch is another record: shapes are exact.
    x = torch.randn(1, 40, 8)
    w = torch.randn(8)
    for _ in range(2):
        y, r = rms_norm_fn(x, w, residual=x, prenorm=True)
        want, wr = rms_norm_reference(x, w, x)
        assert rel(y, want) <= 1e-5 and rel(r, wr) <= 1e-5


def test_scans_take_their_tiling_from_a_tuning_database(monkeypatch,
                                                        tmp_path):
    """use_tuning_db: a scan call gets the entry of its signature whose
    bucket is nearest its (batch, length); the tiling is part of the
    compiled function, and the result is still right."""
    import json
    import mamba_mlir.ops as ops
    from mamba_mlir import _mamba_mlir_compiler as driver
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(ops, "_kernels", {})
    monkeypatch.setattr(ops, "_by_signature", {})

    def entry(batch, length, channels):
        return {"target": driver.host_cpu_level(), "device": "test",
                "op": "selective_scan", "signature": {"d": 24, "N": 16,
                                                      "G": 2},
                "dtype": "f32", "bucket": {"batch": batch, "length": length},
                "config": {"channels_per_block": channels,
                           "states_per_thread": 16, "chunk_length": 16,
                           "sequence_splits": 1},
                "ms": 1.0, "default_ms": 2.0, "candidates": 2, "codegen": 1}
    db = tmp_path / "db.json"
    db.write_text(json.dumps({"format": "mamba-mlir tuning database",
                              "version": 1,
                              "entries": [entry(1, 2048, 2),
                                          entry(8, 16, 12)]}))
    ops.use_tuning_db(db)
    try:
        for (b, L), channels in (((1, 1000), 2), ((8, 20), 12)):
            x = inputs(b, 24, L, 16, 2, torch.float32, seed=b, grouped=True)
            out = selective_scan_fn(x["u"], x["delta"], x["A"], x["B"],
                                    x["C"])
            want, _ = scan_reference(x["u"], x["delta"], x["A"], x["B"],
                                     x["C"])
            assert rel(out, want) <= 1e-5
            sources = [p.read_text()
                       for p in (tmp_path / "cache" / "ops").glob("*.mlir")]
            assert any(f"channels_per_block = {channels}," in s
                       for s in sources)
    finally:
        ops.use_tuning_db()


def test_scans_use_the_shipped_tuning_databases_by_default():
    """Without use_tuning_db, a scan call takes the shipped database's entry
    for its target and bucket (the H100's for a bf16 d = 1536 scan on
    sm_90a); use_tuning_db(None) leaves the default tiling; use_tuning_db()
    goes back to the shipped ones. Nothing is compiled or run here."""
    import json
    import pathlib
    import mamba_mlir.ops as ops
    shipped = pathlib.Path(ops.__file__).parent / "tuning" / "sm_90a-h100.json"
    entries = json.loads(shipped.read_text())["entries"]
    want = next(e["config"] for e in entries
                if e["signature"]["d"] == 1536 and e["dtype"] == "bf16" and
                e["bucket"] == {"batch": 8, "length": 2048})
    assert ops._tuning["path"] is ops._SHIPPED
    try:
        got = ops._tuned_scan_tiling("sm_90a", 1536, 16, 1, "bf16", 8, 2048)
        assert got == (" {tiling = #mamba.scan_tiling<channels_per_block = "
                       f"{want['channels_per_block']}, states_per_thread = "
                       f"{want['states_per_thread']}, chunk_length = "
                       f"{want['chunk_length']}, sequence_splits = "
                       f"{want['sequence_splits']}>}}")
        # No entry: another signature, dtype or target.
        assert ops._tuned_scan_tiling("sm_90a", 1536, 16, 1, "f32", 8,
                                      2048) == ""
        assert ops._tuned_scan_tiling("sm_90a", 24, 16, 2, "bf16", 8,
                                      2048) == ""
        assert ops._tuned_scan_tiling("sm_80", 1536, 16, 1, "bf16", 8,
                                      2048) == ""
        ops.use_tuning_db(None)
        assert ops._tuned_scan_tiling("sm_90a", 1536, 16, 1, "bf16", 8,
                                      2048) == ""
    finally:
        ops.use_tuning_db()
    assert ops._tuned_scan_tiling("sm_90a", 1536, 16, 1, "bf16", 8,
                                  2048) == got


def test_a_tuning_database_that_cannot_be_read_is_an_error_naming_it(
        tmp_path):
    import mamba_mlir.ops as ops
    from mamba_mlir import MambaError
    for name, text in (("missing.json", None), ("bad.json", "{not json"),
                       ("other.json", '{"format": "something else"}')):
        db = tmp_path / name
        if text is not None:
            db.write_text(text)
        ops.use_tuning_db(db)
        try:
            with pytest.raises(MambaError, match=name):
                ops._tuned_scan_tiling("sm_90a", 1536, 16, 1, "bf16", 1, 128)
        finally:
            ops.use_tuning_db()


def test_a_recorded_call_does_not_skip_the_argument_checks():
    """After a call is recorded, a call like it with a bad activation is
    still refused, not run as the recorded one."""
    x, w = torch.randn(1, 8, 5), torch.randn(8, 4)
    causal_conv1d_fn(x, w, activation="silu")
    causal_conv1d_fn(x, w, activation="silu")
    with pytest.raises(ValueError, match="activation: expected None"):
        causal_conv1d_fn(x, w, activation="gelu")
    state, xs = torch.randn(1, 8, 4), torch.randn(1, 8)
    causal_conv1d_update(xs, state, w, activation="silu")
    with pytest.raises(ValueError, match="activation: expected None"):
        causal_conv1d_update(xs, state, w, activation="relu")


def test_the_tuning_database_can_come_from_the_environment(tmp_path):
    import subprocess
    import sys
    db = tmp_path / "db.json"
    db.write_text('{"format": "mamba-mlir tuning database", "version": 1, '
                  '"entries": []}')
    env = dict(os.environ, MAMBA_MLIR_TUNING_DB=str(db))
    out = subprocess.run(
        [sys.executable, "-c",
         "import mamba_mlir.ops as o; print(o._tuning['path'])"],
        env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(db)
    # Set but empty: no database, the default tilings.
    env["MAMBA_MLIR_TUNING_DB"] = ""
    out = subprocess.run(
        [sys.executable, "-c",
         "import mamba_mlir.ops as o; print(o._tuning['path'])"],
        env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "None"


# The rest of the ops' argument checks (docs/errors.md, section 8): each
# error names the operand and what was expected, before anything compiles.

def _scan_args(dtype=torch.float32, **change):
    x = inputs(2, 20, 8, 4, 2, dtype, seed=12, grouped=True)
    x.update(change)
    return x


def _call_scan(x):
    return selective_scan_fn(x["u"], x["delta"], x["A"], x["B"], x["C"],
                             z=x.get("zz"))


def _step_args(**change):
    g = torch.Generator().manual_seed(13)
    b, d, N = 2, 8, 4
    x = dict(state=torch.randn(b, d, N, generator=g),
             x=torch.randn(b, d, generator=g),
             dt=torch.randn(b, d, generator=g),
             A=-torch.rand(d, N, generator=g),
             B=torch.randn(b, N, generator=g),
             C=torch.randn(b, N, generator=g))
    x.update(change)
    return x


def _conv_state_args(**change):
    x = dict(x=torch.randn(2, 8), conv_state=torch.randn(2, 8, 4),
             weight=torch.randn(8, 4))
    x.update(change)
    return x


@pytest.mark.parametrize("call, error, message", [
    (lambda: _call_scan(_scan_args(u=torch.randn(2, 20, 8, device="meta"))),
     NotImplementedError, r"u: on meta; mamba_mlir's ops run on CPU and CUDA"),
    (lambda: _call_scan(_scan_args(C=torch.randn(2, 1, 4, 8))), ValueError,
     r"C: expected 2 groups as B, got 1"),
    (lambda: _call_scan(_scan_args(B=torch.randn(2, 2, 4, 8).double())),
     TypeError, r"B: expected float32, bfloat16 or float16, got float64"),
    (lambda: _call_scan(_scan_args(torch.bfloat16,
                                   B=torch.randn(2, 2, 4, 8).half())),
     TypeError, r"B: expected u's dtype torch.bfloat16 or float32, got "
                r"torch.float16"),
    (lambda: _call_scan(_scan_args(u=torch.randn(2, 20, 0),
                                   delta=torch.randn(2, 20, 0),
                                   B=torch.randn(2, 2, 4, 0),
                                   C=torch.randn(2, 2, 4, 0))),
     ValueError, r"u: expected non-empty \[b, d, L\], got \[2, 20, 0\]"),
    (lambda: _call_scan(_scan_args(delta=torch.rand(2, 20, 8).half())),
     TypeError, r"delta: expected u's dtype torch.float32, got torch.float16"),
    (lambda: _call_scan(_scan_args(zz=torch.randn(2, 20, 8).half())),
     TypeError, r"z: expected u's dtype torch.float32, got torch.float16"),
    (lambda: causal_conv1d_fn(torch.randn(2, 8, 0), torch.randn(8, 4)),
     ValueError, r"x: expected non-empty \[b, d, L\], got \[2, 8, 0\]"),
    (lambda: causal_conv1d_fn(torch.randn(8, 5), torch.randn(8, 4)),
     ValueError, r"x: expected non-empty \[b, d, L\], got \[8, 5\]"),
    (lambda: selective_state_update(**_step_args(x=torch.randn(2, 0))),
     ValueError, r"x: expected non-empty \[b, d\], got \[2, 0\]"),
    (lambda: selective_state_update(**_step_args(
        state=np.zeros((2, 8, 4), np.float32))),
     TypeError, r"state: expected the same kind of array as x"),
    (lambda: selective_state_update(**_step_args(
        state=torch.zeros(2, 8, 4, requires_grad=True))),
     ValueError, r"state: requires a gradient, and these ops have no "
                 r"backward yet"),
    (lambda: selective_state_update(**_step_args(state=torch.zeros(2, 7, 4))),
     ValueError, r"state: expected shape \[2, 8, N\], got \[2, 7, 4\]"),
    (lambda: selective_state_update(**_step_args(
        dt=torch.randn(2, 8).bfloat16())),
     TypeError, r"dt: expected x's dtype torch.float32, got torch.bfloat16"),
    (lambda: causal_conv1d_update(**_conv_state_args(
        conv_state=np.zeros((2, 8, 4), np.float32))),
     TypeError, r"conv_state: expected the same kind of array as x"),
    (lambda: causal_conv1d_update(**_conv_state_args(
        conv_state=torch.zeros(2, 8))),
     ValueError, r"conv_state: expected shape \[2, 8, K\], got \[2, 8\]"),
    (lambda: rms_norm_fn(torch.randn(3, 0), torch.randn(0)), ValueError,
     r"x: expected a non-empty \[..., D\] of 1 to 8 dimensions, got \[3, 0\]"),
    (lambda: rms_norm_fn(torch.randn([1] * 9 + [4]), torch.randn(4)),
     ValueError, r"x: expected a non-empty \[..., D\] of 1 to 8 dimensions"),
])
def test_every_op_names_its_bad_operand(call, error, message):
    with pytest.raises(error, match=message):
        call()
