"""The Mamba-2 ops of mamba_mlir.ops (issue 21), drop-in for mamba_ssm's:
mamba_chunk_scan_combined (the SSD scan over whole sequences) and the
multi-head form of selective_state_update (one decode step with heads).
They share ops.py's machinery: each shape class compiles once into the
cache, contiguous inputs are used in place, CUDA tensors run on the
current stream.
"""

import math

import numpy as np

from . import ops as _ops


def _leading_x(x, op, dims):
    """The call's leading operand x (non-empty, of the named `dims`) with
    where the call runs and its activation dtype name."""
    where = _ops._Where(x, "x")
    x = _ops._check(x, "x", where)
    if x.ndim != len(dims) or min(x.shape) < 1:
        raise ValueError(f"x: expected non-empty [{', '.join(dims)}], got "
                         f"{list(x.shape)}")
    return where, x, _ops._dtype(x, "x")


def _same_dtype(v, name, act, like):
    """v checked as an activation operand: in x's dtype."""
    kind = _ops._dtype(v, name)
    if kind != act:
        raise TypeError(f"{name}: expected {like}'s dtype {_ops._NAMES[act]},"
                        f" got {str(v.dtype).replace('torch.', '')}")
    return v


def _groups(v, name, where, shape, act, like):
    """B or C: `shape` ([..., G, N]) in the activation type; float32 with
    16-bit activations is rounded to them, as the kernels read them."""
    v = _ops._check(v, name, where)
    _ops._shape(v, name, shape)
    kind = _ops._dtype(v, name)
    if kind != act:
        if kind != "f32":
            raise TypeError(f"{name}: expected {like}'s dtype "
                            f"{_ops._NAMES[act]} or float32, got "
                            f"{str(v.dtype).replace('torch.', '')}")
        v = _ops._as(v, act)
    return v


def _per_head(v, name, where, H, P=None):
    """A float32 per-head parameter ([H], or [H, P] where P is given)."""
    v = _ops._as(_ops._check(v, name, where), "f32")
    if P is not None and v.ndim == 2:
        _ops._shape(v, name, [H, P])
    else:
        _ops._shape(v, name, [H] if P is None else [H])
    return v


def _dt_limit_attrs(dt_limit):
    """mamba_ssm clamps dt only when dt_limit is not (0, inf)."""
    try:
        low, high = (float(v) for v in dt_limit)
    except (TypeError, ValueError):
        raise ValueError("dt_limit: expected a pair (low, high) of numbers, "
                         f"got {dt_limit!r}") from None
    if math.isnan(low) or math.isnan(high) or low < 0 or low > high or \
            math.isinf(low):
        raise ValueError(f"dt_limit: expected 0 <= low <= high with low "
                         f"finite, got ({low}, {high})")
    if low == 0.0 and math.isinf(high):
        return []
    attrs = [f"dt_min = {low!r} : f64"]
    if not math.isinf(high):
        attrs.append(f"dt_max = {high!r} : f64")
    return attrs


def _int32(v, name, where, shape):
    v = _ops._check(v, name, where)
    _ops._shape(v, name, shape)
    if _ops._is_torch(v):
        torch = _ops._torch()
        if v.dtype not in (torch.int32, torch.int64):
            raise TypeError(f"{name}: expected int32 or int64, got {v.dtype}")
        return v.to(torch.int32).contiguous()
    if v.dtype not in (np.int32, np.int64):
        raise TypeError(f"{name}: expected int32 or int64, got {v.dtype}")
    return np.ascontiguousarray(v, dtype=np.int32)


def mamba_chunk_scan_combined(x, dt, A, B, C, chunk_size, D=None, z=None,
                              dt_bias=None, initial_states=None, seq_idx=None,
                              cu_seqlens=None, dt_softplus=False,
                              dt_limit=(0.0, float("inf")),
                              return_final_states=False,
                              return_varlen_states=False):
    """mamba_ssm.ops.triton.ssd_combined.mamba_chunk_scan_combined, forward:
    x, z [b, L, H, P]; dt [b, L, H] (x's dtype); A [H] float32; B, C
    [b, L, G, N] (G groups dividing the H heads); D [H] or [H, P]; dt_bias
    [H]; initial_states [b, H, P, N]; seq_idx [b, L] int32 (the state
    restarts where it changes). Returns out [b, L, H, P] in x's dtype, and
    with return_final_states the state after the last position, [b, H, P,
    N] float32. chunk_size is the chunked algorithm's; the result does not
    depend on it. As in mamba_ssm, cu_seqlens ([n + 1] offsets of n packed
    sequences in a batch of one, from 0 to L) only serves
    return_varlen_states (seq_idx is what restarts the state within out):
    without it, it is ignored; with it, the call also returns each
    sequence's state after its last position, [n, H, P, N] float32, each
    sequence started from zero (mamba_ssm's, when seq_idx marks the same
    sequences): (out, varlen_states), or (out, final_states,
    varlen_states) with return_final_states. The states come from one
    more call per sequence (as much work again as out's in all). States
    are float32 whatever the activations: mamba_ssm returns them in C's
    dtype, which rounds a bf16 call's states to bf16."""
    if return_varlen_states:
        varlen = _varlen_states_call(
            x, dt, A, B, C, chunk_size, dt_bias, initial_states, cu_seqlens,
            dt_softplus, dt_limit)
        out = mamba_chunk_scan_combined(
            x, dt, A, B, C, chunk_size, D, z, dt_bias, initial_states,
            seq_idx, None, dt_softplus, dt_limit, return_final_states)
        states = varlen()
        if out is None or states is None:
            return None  # warm_up: both kinds of call compiled, not run
        return (*out, states) if return_final_states else (out, states)
    if _ops._traced():
        low, high = dt_limit
        y, final = _ops.torch_ops().ssd_scan(
            x, dt, A, B, C, chunk_size, D, z, dt_bias, initial_states, seq_idx,
            dt_softplus, float(low), float(high), return_final_states)
        return (y, final) if return_final_states else y
    return _eager_ssd_scan(x, dt, A, B, C, chunk_size, D, z, dt_bias,
                           initial_states, seq_idx, dt_softplus, dt_limit,
                           return_final_states)


def _varlen_states_call(x, dt, A, B, C, chunk_size, dt_bias, initial_states,
                        cu_seqlens, dt_softplus, dt_limit):
    """return_varlen_states' states, checked before anything runs and
    computed when the returned function is called: each sequence of
    cu_seqlens scanned alone from zero for its final state (D and z do not
    touch the state)."""
    if cu_seqlens is None:
        raise ValueError("return_varlen_states: needs cu_seqlens, the "
                         "offsets of the packed sequences")
    if initial_states is not None:
        raise NotImplementedError(
            "return_varlen_states with initial_states: not supported by "
            "mamba_mlir's mamba_chunk_scan_combined (each sequence starts "
            "from zero)")
    if _ops._traced():
        raise NotImplementedError(
            "return_varlen_states under torch.compile: the sequences' "
            "offsets decide the shapes; call it outside the compiled region")
    shape = list(getattr(x, "shape", []))
    if len(shape) != 4 or shape[0] != 1:
        raise ValueError(f"return_varlen_states: expected x of one packed "
                         f"batch, [1, L, H, P], got {shape}")
    L, H, P = shape[1], shape[2], shape[3]
    where = _ops._Where(x, "x")
    offsets = _ops._check(cu_seqlens, "cu_seqlens", where)
    if offsets.ndim != 1 or offsets.shape[0] < 2:
        raise ValueError(f"cu_seqlens: expected [n + 1] offsets (n >= 1), "
                         f"got shape {list(offsets.shape)}")
    kind = str(offsets.dtype).replace("torch.", "")
    if kind not in ("int32", "int64"):
        raise TypeError(f"cu_seqlens: expected int32 or int64, got {kind}")
    offsets = [int(v) for v in offsets.tolist()]
    if offsets[0] != 0 or offsets[-1] != L or \
            any(a > b for a, b in zip(offsets, offsets[1:])):
        raise ValueError(f"cu_seqlens: expected non-decreasing offsets from "
                         f"0 to L = {L}, got {offsets}")
    N = B.shape[-1]

    def states():
        parts, warming = [], False
        for start, end in zip(offsets, offsets[1:]):
            if start == end:
                parts.append(None)
                continue
            piece = (lambda v: v[:, start:end])
            got = _eager_ssd_scan(
                piece(x), piece(dt), A, piece(B), piece(C), chunk_size, None,
                None, dt_bias, None, None, dt_softplus, dt_limit, True)
            if got is None:
                # warm_up: each sequence's call compiled (a tuning database
                # may give lengths of other buckets other kernels), not run.
                warming = True
                continue
            parts.append(got[1][0])
        if warming:
            return None
        if _ops._is_torch(x):
            torch = _ops._torch()
            zeros = torch.zeros(H, P, N, dtype=torch.float32, device=x.device)
            return torch.stack([zeros if p is None else p for p in parts])
        zeros = np.zeros((H, P, N), np.float32)
        return np.stack([zeros if p is None else p for p in parts])
    return states


def _eager_ssd_scan(x, dt, A, B, C, chunk_size, D, z, dt_bias, initial_states,
                    seq_idx, dt_softplus, dt_limit, return_final_states):
    where, x, act = _leading_x(x, "mamba_chunk_scan_combined",
                               ("b", "L", "H", "P"))
    b, L, H, P = x.shape
    if not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or \
            chunk_size < 1:
        raise ValueError(f"chunk_size: expected a positive integer, got "
                         f"{chunk_size!r}")
    dt = _same_dtype(_ops._check(dt, "dt", where), "dt", act, "x")
    _ops._shape(dt, "dt", [b, L, H])
    A = _per_head(A, "A", where, H)
    B = _ops._check(B, "B", where)
    if B.ndim != 4:
        raise ValueError(f"B: expected shape [b, L, G, N], got "
                         f"{list(B.shape)}")
    G, N = B.shape[2], B.shape[3]
    B = _groups(B, "B", where, [b, L, G, N], act, "x")
    C = _groups(C, "C", where, [b, L, G, N], act, "x")
    if H % G != 0:
        raise ValueError(f"B: {G} groups do not divide the {H} heads")

    operands = [("x", x), ("dt", dt), ("A", A), ("B", B), ("C", C)]
    types = {"x": f"tensor<?x?x{H}x{P}x{act}>", "dt": f"tensor<?x?x{H}x{act}>",
             "A": f"tensor<{H}xf32>", "B": f"tensor<?x?x{G}x{N}x{act}>",
             "C": f"tensor<?x?x{G}x{N}x{act}>",
             "z": f"tensor<?x?x{H}x{P}x{act}>", "dt_bias": f"tensor<{H}xf32>",
             "initial_states": f"tensor<?x{H}x{P}x{N}xf32>",
             "seq_idx": "tensor<?x?xi32>"}
    named = ""
    if D is not None:
        D = _per_head(D, "D", where, H, P)
        operands.append(("D", D))
        types["D"] = ("tensor<{H}x{P}xf32>" if D.ndim == 2 else
                      "tensor<{H}xf32>").format(H=H, P=P)
        named += " D(%D)"
    if z is not None:
        z = _same_dtype(_ops._check(z, "z", where), "z", act, "x")
        _ops._shape(z, "z", [b, L, H, P])
        operands.append(("z", z))
        named += " z(%z)"
    if dt_bias is not None:
        operands.append(("dt_bias", _per_head(dt_bias, "dt_bias", where, H)))
        named += " dt_bias(%dt_bias)"
    if initial_states is not None:
        h0 = _ops._as(_ops._check(initial_states, "initial_states", where),
                      "f32")
        _ops._shape(h0, "initial_states", [b, H, P, N])
        operands.append(("initial_states", h0))
        named += " initial_states(%initial_states)"
    if seq_idx is not None:
        operands.append(("seq_idx", _int32(seq_idx, "seq_idx", where,
                                           [b, L])))
        named += " seq_idx(%seq_idx)"
    if dt_softplus:
        named += " dt_softplus"
    attrs = [f"chunk_size = {chunk_size} : i64"] + _dt_limit_attrs(dt_limit)
    target = getattr(_ops._warming, "target", None) or _ops._device_of(x)[1]
    named += " {" + ", ".join(attrs) + _ops._tuned_ssd_kernel(
        target, H, P, N, G, act, b, L) + "}"

    results = [((b, L, H, P), act, types["x"])]
    if return_final_states:
        results.append(((b, H, P, N), "f32", f"tensor<?x{H}x{P}x{N}xf32>"))
    outputs = _ops._run("ssd_scan", "mamba.ssd_scan",
                        [(n, v, types[n]) for n, v in operands], 5, named,
                        results, x)
    if outputs is None:
        return None
    return tuple(outputs) if return_final_states else outputs[0]


def _tied(v, name, where, shape, keep):
    """A parameter mamba_ssm's Mamba2.step broadcasts (A [H, P, N], dt
    [b, H, P], dt_bias and D [H, P]) as the per-head values the kernel
    takes: the leading `keep` dimensions, after checking it is constant
    along the others (a repeat or an expand, as mamba_ssm makes it).
    Already per head (rank `keep`) it is taken as it is. The caller checks
    the result like any operand."""
    if v.ndim == keep:
        _ops._shape(v, name, shape[:keep])
        return v
    _ops._shape(v, name, shape)
    index = (slice(None),) * keep + (slice(0, 1),) * (len(shape) - keep)
    first = v[index]
    # An expand or broadcast_to (stride 0 along the repeated dimensions) is
    # constant there by construction: no pass over its P x N values, which
    # each decode step of each layer would otherwise pay.
    strides = v.stride() if _ops._is_torch(v) else v.strides
    if any(strides[keep:]) and not bool((v == first).all()):
        raise NotImplementedError(
            f"{name}: varies along the head channels or states; mamba_mlir's "
            "multi-head selective_state_update takes it per head (as "
            "mamba_ssm's Mamba2 makes it)")
    return first.reshape(tuple(shape[:keep]))


def ssd_state_update(state, x, dt, A, B, C, D=None, z=None, dt_bias=None,
                     dt_softplus=False):
    """selective_state_update with heads: state [b, H, P, N], updated in
    place; x, z [b, H, P]; dt [b, H, P] or [b, H]; A [H, P, N] or [H];
    B, C [b, G, N]; D, dt_bias [H, P] or [H]. The broadcast forms must be
    constant along P (and N), as mamba_ssm's Mamba2.step makes them.
    Returns out [b, H, P] in x's dtype."""
    if _ops._traced():
        return _ops.torch_ops().ssd_state_update(state, x, dt, A, B, C, D, z,
                                                 dt_bias, dt_softplus)
    return _eager_ssd_state_update(state, x, dt, A, B, C, D, z, dt_bias,
                                   dt_softplus)


def _eager_ssd_state_update(state, x, dt, A, B, C, D, z, dt_bias,
                            dt_softplus):
    where, x, act = _leading_x(x, "selective_state_update", ("b", "H", "P"))
    b, H, P = x.shape
    if _ops._is_torch(state) != where.torch:
        raise TypeError("state: expected the same kind of array as x")
    if where.torch and state.requires_grad:
        raise ValueError("state: requires a gradient, and these ops have no "
                         "backward yet")
    if state.ndim != 4 or list(state.shape[:3]) != [b, H, P]:
        raise ValueError(f"state: expected shape [{b}, {H}, {P}, N], got "
                         f"{list(state.shape)}")
    N = state.shape[3]
    _ops._dtype(state, "state")
    state32 = _ops._as(_ops._check(state, "state", where), "f32")
    dt = _same_dtype(_tied(dt, "dt", where, [b, H, P], 2), "dt", act, "x")
    dt = _ops._check(dt, "dt", where)
    A = _ops._as(_ops._check(_tied(A, "A", where, [H, P, N], 1), "A", where),
                 "f32")
    B = _ops._check(B, "B", where)
    if B.ndim != 3:
        raise ValueError(f"B: expected shape [b, G, N], got {list(B.shape)}")
    G = B.shape[1]
    B = _groups(B, "B", where, [b, G, N], act, "x")
    C = _groups(C, "C", where, [b, G, N], act, "x")
    if H % G != 0:
        raise ValueError(f"B: {G} groups do not divide the {H} heads")
    operands = [("state", state32), ("x", x), ("dt", dt), ("A", A), ("B", B),
                ("C", C)]
    types = {"state": f"tensor<?x{H}x{P}x{N}xf32>",
             "x": f"tensor<?x{H}x{P}x{act}>", "dt": f"tensor<?x{H}x{act}>",
             "A": f"tensor<{H}xf32>", "B": f"tensor<?x{G}x{N}x{act}>",
             "C": f"tensor<?x{G}x{N}x{act}>", "D": f"tensor<{H}xf32>",
             "z": f"tensor<?x{H}x{P}x{act}>", "dt_bias": f"tensor<{H}xf32>"}
    named = ""
    if D is not None:
        # D may stay per channel: the kernel takes [H, P] as well.
        D = _ops._as(_ops._check(D, "D", where), "f32")
        if D.ndim == 2:
            _ops._shape(D, "D", [H, P])
            types["D"] = f"tensor<{H}x{P}xf32>"
        else:
            _ops._shape(D, "D", [H])
        operands.append(("D", D))
        named += " D(%D)"
    if z is not None:
        z = _same_dtype(_ops._check(z, "z", where), "z", act, "x")
        _ops._shape(z, "z", [b, H, P])
        operands.append(("z", z))
        named += " z(%z)"
    if dt_bias is not None:
        bias = _ops._as(_ops._check(_tied(dt_bias, "dt_bias", where, [H, P],
                                          1), "dt_bias", where), "f32")
        operands.append(("dt_bias", bias))
        named += " dt_bias(%dt_bias)"
    if dt_softplus:
        named += " dt_softplus"
    outputs = _ops._run(
        "ssd_state_update", "mamba.ssd_state_update",
        [(n, v, types[n]) for n, v in operands], 6, named,
        [((b, H, P), act, types["x"]), ((b, H, P, N), "f32", types["state"])],
        x, into=_ops._in_place(1, "state", state, state32))
    if outputs is None:
        return None
    out, new_state = outputs
    _ops._write_back(state, new_state, where)
    return out
