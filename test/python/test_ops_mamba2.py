"""mamba_mlir.ops' Mamba-2 ops on the CPU against the float64 golden cases
(test/data/golden/ops: ssd_* and step_heads_*, computed independently of
this project): mamba_chunk_scan_combined with every option mamba_ssm
has, the multi-head selective_state_update in the broadcast form
mamba_ssm's Mamba2.step passes, torch and numpy, f32 and bf16, and the
errors of bad input."""

import json

import numpy as np
import pytest
import torch

from mamba_mlir.ops import mamba_chunk_scan_combined, selective_state_update

from conftest import ROOT, relative_l2

OPS = ROOT / "test" / "data" / "golden" / "ops"
SSD_CASES = ["ssd_basic", "ssd_dt_limit", "ssd_groups", "ssd_initial_states",
             "ssd_len1", "ssd_n128", "ssd_no_options", "ssd_seq_idx"]


def golden(name):
    with open(OPS / f"{name}.json") as f:
        case = json.load(f)
    arrays = {k: np.array(v["data"], np.float64).reshape(v["shape"])
              for k, v in case["inputs"].items()}
    outputs = {k: np.array(v["data"], np.float64).reshape(v["shape"])
               for k, v in case["outputs"].items()}
    return case["attrs"], arrays, outputs


def scan_call(attrs, arrays, dtype):
    """The golden case as a mamba_chunk_scan_combined call on torch
    tensors: activations in `dtype`, A, D, dt_bias, states in float32."""
    act = {"x", "dt", "B", "C", "z"}
    t = {k: torch.tensor(v, dtype=dtype if k in act else torch.float32)
         for k, v in arrays.items() if k != "seq_idx"}
    if "seq_idx" in arrays:
        t["seq_idx"] = torch.tensor(arrays["seq_idx"], dtype=torch.int32)
    low, high = attrs["dt_limit"]
    return mamba_chunk_scan_combined(
        t["x"], t["dt"], t["A"], t["B"], t["C"], attrs["chunk_size"],
        D=t.get("D"), z=t.get("z"), dt_bias=t.get("dt_bias"),
        initial_states=t.get("initial_states"), seq_idx=t.get("seq_idx"),
        dt_softplus=attrs["dt_softplus"], dt_limit=(low, float(high)),
        return_final_states=True)


@pytest.mark.parametrize("name", SSD_CASES)
def test_chunk_scan_matches_the_golden_cases_f32(name):
    attrs, arrays, want = golden(name)
    out, final = scan_call(attrs, arrays, torch.float32)
    assert out.dtype == torch.float32 and final.dtype == torch.float32
    assert relative_l2(out, want["y"]) <= 1e-5
    assert relative_l2(final, want["final_states"]) <= 1e-5


@pytest.mark.parametrize("name", ["ssd_basic", "ssd_groups", "ssd_seq_idx"])
def test_chunk_scan_matches_the_golden_cases_bf16(name):
    attrs, arrays, want = golden(name)
    out, final = scan_call(attrs, arrays, torch.bfloat16)
    assert out.dtype == torch.bfloat16
    # The inputs themselves are rounded to bf16: the limit of issue 21.
    assert relative_l2(out.float(), want["y"]) <= 1e-2
    assert relative_l2(final, want["final_states"]) <= 1e-2


def test_chunk_scan_numpy_in_numpy_out_without_final_states():
    attrs, arrays, want = golden("ssd_no_options")
    a = {k: np.asarray(v, np.float32) for k, v in arrays.items()}
    out = mamba_chunk_scan_combined(a["x"], a["dt"], a["A"], a["B"], a["C"],
                                    attrs["chunk_size"])
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    assert relative_l2(out, want["y"]) <= 1e-5


def test_chunk_scan_reads_non_contiguous_inputs():
    attrs, arrays, want = golden("ssd_basic")
    t = {k: torch.tensor(v, dtype=torch.float32) for k, v in arrays.items()}
    # x as a strided view of a wider tensor, as mamba_ssm's split of xBC is.
    wide = torch.cat([t["x"], torch.zeros_like(t["x"])], dim=-1)
    x = wide[..., :t["x"].shape[-1]]
    assert not x.is_contiguous()
    out = mamba_chunk_scan_combined(
        x, t["dt"], t["A"], t["B"], t["C"], 16, D=t["D"], z=t["z"],
        dt_bias=t["dt_bias"], dt_softplus=True)
    assert relative_l2(out, want["y"]) <= 1e-5


@pytest.mark.parametrize("name", ["step_heads_basic", "step_heads_groups"])
def test_multi_head_state_update_in_mamba2_steps_broadcast_form(name):
    """As mamba_ssm's Mamba2.step calls it: A [H, P, N], dt [b, H, P],
    dt_bias and D [H, P], all repeated along P (and N)."""
    attrs, arrays, want = golden(name)
    f = {k: torch.tensor(v, dtype=torch.float32) for k, v in arrays.items()}
    b, H, P, N = f["state"].shape
    state = f["state"].clone()
    out = selective_state_update(
        state, f["x"], f["dt"][:, :, None].expand(b, H, P),
        f["A"][:, None, None].expand(H, P, N).contiguous(), f["B"], f["C"],
        D=f["D"][:, None].expand(H, P), z=f["z"],
        dt_bias=f["dt_bias"][:, None].expand(H, P),
        dt_softplus=attrs["dt_softplus"])
    assert relative_l2(out, want["y"]) <= 1e-5
    assert relative_l2(state, want["state"]) <= 1e-5  # updated in place


def test_multi_head_state_update_per_head_and_bf16():
    attrs, arrays, want = golden("step_heads_groups")
    act = {"x", "dt", "B", "C", "z"}
    t = {k: torch.tensor(v, dtype=torch.bfloat16 if k in act else
                         torch.float32) for k, v in arrays.items()}
    state = t["state"].clone()
    out = selective_state_update(state, t["x"], t["dt"], t["A"], t["B"],
                                 t["C"], D=t["D"], z=t["z"],
                                 dt_bias=t["dt_bias"], dt_softplus=True)
    assert out.dtype == torch.bfloat16
    assert relative_l2(out.float(), want["y"]) <= 1e-2
    assert relative_l2(state, want["state"]) <= 1e-2


def test_a_per_channel_a_is_refused_by_name():
    _, arrays, _ = golden("step_heads_basic")
    f = {k: torch.tensor(v, dtype=torch.float32) for k, v in arrays.items()}
    b, H, P, N = f["state"].shape
    A = f["A"][:, None, None].expand(H, P, N).clone()
    A[0, 1, 0] += 1.0
    with pytest.raises(NotImplementedError, match="A: varies along the head "
                       "channels or states"):
        selective_state_update(f["state"], f["x"], f["dt"], A, f["B"],
                               f["C"])


def _scan_args(**change):
    _, arrays, _ = golden("ssd_basic")
    t = {k: torch.tensor(v, dtype=torch.float32) for k, v in arrays.items()}
    args = dict(x=t["x"], dt=t["dt"], A=t["A"], B=t["B"], C=t["C"],
                chunk_size=16, D=t["D"], z=t["z"], dt_bias=t["dt_bias"])
    args.update(change)
    return args


@pytest.mark.parametrize("change, error, message", [
    (dict(x=torch.zeros(2, 37, 4)), ValueError,
     r"x: expected non-empty \[b, L, H, P\], got \[2, 37, 4\]"),
    (dict(dt=torch.zeros(2, 37, 3)), ValueError,
     r"dt: expected shape \[2, 37, 4\], got \[2, 37, 3\]"),
    (dict(dt=torch.zeros(2, 37, 4, dtype=torch.bfloat16)), TypeError,
     "dt: expected x's dtype float32, got bfloat16"),
    (dict(B=torch.zeros(2, 37, 3, 16), C=torch.zeros(2, 37, 3, 16)),
     ValueError, "B: 3 groups do not divide the 4 heads"),
    (dict(C=torch.zeros(2, 37, 1, 8)), ValueError,
     r"C: expected shape \[2, 37, 1, 16\], got \[2, 37, 1, 8\]"),
    (dict(D=torch.zeros(4, 3)), ValueError,
     r"D: expected shape \[4, 8\], got \[4, 3\]"),
    (dict(chunk_size=0), ValueError,
     "chunk_size: expected a positive integer, got 0"),
    (dict(dt_limit=(0.1, 0.01)), ValueError,
     r"dt_limit: expected 0 <= low <= high with low finite, got "
     r"\(0.1, 0.01\)"),
    (dict(seq_idx=torch.zeros(2, 37)), TypeError,
     "seq_idx: expected int32 or int64, got torch.float32"),
    (dict(return_varlen_states=True), ValueError,
     "return_varlen_states: needs cu_seqlens"),
    (dict(return_varlen_states=True, cu_seqlens=torch.tensor([0, 37])),
     ValueError, r"return_varlen_states: expected x of one packed batch, "
     r"\[1, L, H, P\], got \[2, 37, 4, 8\]"),
])
def test_chunk_scan_names_its_bad_operand(change, error, message):
    with pytest.raises(error, match=message):
        mamba_chunk_scan_combined(**_scan_args(**change))


def test_chunk_scan_ignores_cu_seqlens_without_varlen_states():
    """mamba_ssm drops cu_seqlens unless return_varlen_states asks for each
    sequence's state: the output is seq_idx's alone."""
    args = _scan_args(dt_softplus=True)
    want = mamba_chunk_scan_combined(**args)
    assert bool(torch.isfinite(want).all())
    got = mamba_chunk_scan_combined(
        **args, cu_seqlens=torch.tensor([0, 20, 37], dtype=torch.int32))
    assert torch.equal(got, want)


def _packed(**change):
    """_scan_args' first row: one packed batch of 37 positions."""
    args = _scan_args(dt_softplus=True)
    for k in ("x", "dt", "B", "C", "z"):
        args[k] = args[k][:1].contiguous()
    args.update(change)
    return args


def test_varlen_states_are_each_sequences_last_state():
    """return_varlen_states: the state after each sequence of cu_seqlens,
    started from zero (an empty sequence's is zero), against the float64
    reference of that sequence alone; out is the call's without it."""
    from op_references import ssd_reference
    args = _packed()
    cu = torch.tensor([0, 11, 11, 30, 37], dtype=torch.int32)
    seq_idx = torch.repeat_interleave(
        torch.arange(4, dtype=torch.int32), torch.diff(cu).long())[None]
    want_out = mamba_chunk_scan_combined(**args, seq_idx=seq_idx)
    out, final, varlen = mamba_chunk_scan_combined(
        **args, seq_idx=seq_idx, cu_seqlens=cu, return_final_states=True,
        return_varlen_states=True)
    assert torch.equal(out, want_out)
    assert varlen.shape == (4, 4, 8, 16) and varlen.dtype == torch.float32
    assert torch.equal(varlen[3], final[0])
    assert not bool(varlen[1].any())
    for i in (0, 2, 3):
        s, e = int(cu[i]), int(cu[i + 1])
        piece = {k: args[k][:, s:e] for k in ("x", "dt", "B", "C")}
        _, want = ssd_reference(piece["x"], piece["dt"], args["A"],
                                piece["B"], piece["C"],
                                dt_bias=args["dt_bias"], dt_softplus=True)
        assert relative_l2(varlen[i], want[0]) <= 1e-5, i
    out2, varlen2 = mamba_chunk_scan_combined(
        **args, seq_idx=seq_idx, cu_seqlens=cu.long(),
        return_varlen_states=True)
    assert torch.equal(out2, want_out) and torch.equal(varlen2, varlen)


def test_varlen_states_numpy_in_numpy_out():
    args = {k: (v.numpy() if isinstance(v, torch.Tensor) else v)
            for k, v in _packed().items()}
    out, varlen = mamba_chunk_scan_combined(
        **args, cu_seqlens=np.array([0, 5, 37], np.int64),
        return_varlen_states=True)
    assert isinstance(varlen, np.ndarray) and varlen.shape == (2, 4, 8, 16)
    _, first = mamba_chunk_scan_combined(
        **{k: (v[:, :5] if k in ("x", "dt", "B", "C", "z") else v)
           for k, v in args.items()}, return_final_states=True)
    assert np.array_equal(varlen[0], first[0])


@pytest.mark.parametrize("change, error, message", [
    (dict(cu_seqlens=torch.tensor([0, 20, 36])), ValueError,
     r"cu_seqlens: expected non-decreasing offsets from 0 to L = 37, got "
     r"\[0, 20, 36\]"),
    (dict(cu_seqlens=torch.tensor([0, 20, 19, 37])), ValueError,
     "cu_seqlens: expected non-decreasing offsets"),
    (dict(cu_seqlens=torch.tensor([37])), ValueError,
     r"cu_seqlens: expected \[n \+ 1\] offsets \(n >= 1\), got shape \[1\]"),
    (dict(cu_seqlens=torch.tensor([0.0, 37.0])), TypeError,
     "cu_seqlens: expected int32 or int64, got float32"),
    (dict(cu_seqlens=torch.tensor([0, 37]),
          initial_states=torch.zeros(1, 4, 8, 16)), NotImplementedError,
     "return_varlen_states with initial_states: not supported"),
])
def test_varlen_states_name_their_bad_input(change, error, message):
    with pytest.raises(error, match=message):
        mamba_chunk_scan_combined(**_packed(**change),
                                  return_varlen_states=True)


def test_views_into_the_middle_of_a_buffer_are_copied_not_refused():
    """dt[:, 1:] of a bf16 [b, L, 4] tensor starts 8 bytes into its buffer:
    contiguous but not 16-byte aligned, as the kernels need. The call
    copies it and gives what an aligned copy gives, every time."""
    args = _packed()
    longer = {k: torch.cat([args[k][:, :1], args[k]], 1).bfloat16()
              for k in ("x", "dt", "B", "C", "z")}
    views = {k: v[:, 1:] for k, v in longer.items()}
    assert views["dt"].is_contiguous() and views["dt"].data_ptr() % 16 != 0
    copies = {k: v.clone() for k, v in views.items()}
    want = mamba_chunk_scan_combined(**{**args, **copies})
    for _ in range(2):
        got = mamba_chunk_scan_combined(**{**args, **views})
        assert torch.equal(got, want)


def test_ssd_calls_on_a_gpu_take_their_kernel_from_a_tuning_database(
        monkeypatch, tmp_path):
    """use_tuning_db: an SSD call for a GPU gets its signature's ssd_scan
    entry as the op's #mamba.ssd_kernel (here compiled for sm_90a without
    running: this machine has no GPU); the CPU has one SSD kernel and looks
    nothing up."""
    import mamba_mlir.ops as ops
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(ops, "_kernels", {})
    monkeypatch.setattr(ops, "_by_signature", {})
    entry = {"target": "sm_90a", "device": "test", "op": "ssd_scan",
             "signature": {"H": 4, "P": 32, "N": 32, "G": 1},
             "dtype": "bf16", "bucket": {"batch": 1, "length": 2048},
             "config": {"tensor_cores": 1, "chunk": 32, "channel_block": 16},
             "ms": 1.0, "default_ms": 2.0, "candidates": 10, "codegen": 2}
    db = tmp_path / "db.json"
    db.write_text(json.dumps({"format": "mamba-mlir tuning database",
                              "version": 1, "entries": [entry]}))
    attr = ("kernel = #mamba.ssd_kernel<tensor_cores = 1, chunk = 32, "
            "channel_block = 16>")
    ops.use_tuning_db(db)
    try:
        assert ops._tuned_ssd_kernel("sm_90a", 4, 32, 32, 1, "bf16", 2,
                                     100) == ", " + attr
        assert ops._tuned_ssd_kernel("sm_90a", 4, 32, 32, 1, "f32", 2,
                                     100) == ""
        assert ops._tuned_ssd_kernel("cpu", 4, 32, 32, 1, "bf16", 2,
                                     100) == ""
        g = torch.Generator().manual_seed(0)
        act = lambda *s: torch.randn(*s, generator=g).bfloat16()
        call = (mamba_chunk_scan_combined,
                (act(2, 100, 4, 32), act(2, 100, 4), -torch.rand(4) - 1,
                 act(2, 100, 1, 32), act(2, 100, 1, 32), 64))
        assert ops.warm_up([call], target="sm_90a") == 1
        sources = [p.read_text()
                   for p in (tmp_path / "cache" / "ops").glob("*.mlir")]
        assert len(sources) == 1 and attr in sources[0]
        assert len(list((tmp_path / "cache" / "ops").glob("*/*.mmod"))) == 1
    finally:
        ops.use_tuning_db()


def test_warm_up_of_a_varlen_call_compiles_both_kinds_of_call(monkeypatch,
                                                               tmp_path):
    """A return_varlen_states call runs two functions (the whole row's
    scan, and each sequence's with its final state): warm_up compiles
    both, so a runtime-only install has them."""
    import mamba_mlir.ops as ops
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path))
    monkeypatch.setattr(ops, "_kernels", {})
    monkeypatch.setattr(ops, "_by_signature", {})
    args = _packed()
    call = (mamba_chunk_scan_combined, (),
            dict(args, cu_seqlens=torch.tensor([0, 11, 37]),
                 return_varlen_states=True))
    assert ops.warm_up([call]) == 1
    assert len(list((tmp_path / "ops").glob("*/*.mmod"))) == 2


def test_the_fast_path_leaves_unaligned_views_to_the_python_path():
    """A selective scan call is recorded for the fast path; a later call of
    the same shapes whose u is a view 4 bytes into its buffer (contiguous,
    not 16-byte aligned) must not reach the kernel as it is: the fast path
    leaves it to the Python path, which copies it."""
    from mamba_mlir.ops import selective_scan_fn
    g = torch.Generator().manual_seed(5)
    b, d, L, N = 1, 8, 16, 16
    u = torch.randn(b, d, L, generator=g)
    delta = torch.rand(b, d, L, generator=g)
    A = -torch.rand(d, N, generator=g) - 0.5
    B = torch.randn(b, N, L, generator=g)
    C = torch.randn(b, N, L, generator=g)
    want = selective_scan_fn(u, delta, A, B, C)
    assert torch.equal(selective_scan_fn(u, delta, A, B, C), want)  # recorded
    longer = torch.cat([torch.zeros(1), u.flatten()])
    view = longer[1:].view(b, d, L)
    assert view.is_contiguous() and view.data_ptr() % 16 != 0
    for _ in range(2):
        assert torch.equal(selective_scan_fn(view, delta, A, B, C), want)


def test_a_list_where_numpy_arrays_are_expected_is_a_type_error():
    args = {k: (v.numpy() if isinstance(v, torch.Tensor) else v)
            for k, v in _packed().items()}
    with pytest.raises(TypeError, match="cu_seqlens: expected a numpy array "
                       "like x, got list"):
        mamba_chunk_scan_combined(**args, cu_seqlens=[0, 4, 37],
                                  return_varlen_states=True)
