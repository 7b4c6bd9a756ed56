"""Single fused ops, drop-in for the mamba_ssm functions of the same name
(forward only), on numpy arrays and torch tensors on the CPU.

Each call's shape class (the static sizes, dtypes and optional operands;
batch and length stay dynamic) is compiled once, on first use, into a
module in mamba_mlir.compile's cache, and loaded once per process. Inputs
are used in place (zero copy) when they are contiguous; a non-contiguous
one is copied, as mamba_ssm does.

Not yet: CUDA tensors, causal_conv1d_fn and the other ops of issue 16.
"""

import hashlib
import os
import threading

import numpy as np

from ._compile import _cache_dir, compile as _compile_module
from . import _mamba_mlir

_DTYPES = {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}
_kernels = {}
_kernels_lock = threading.Lock()


def _is_torch(x):
    return type(x).__module__.startswith("torch")


def _dtype(x, name):
    text = str(x.dtype).replace("torch.", "")
    if text not in _DTYPES:
        raise TypeError(f"{name}: expected float32, bfloat16 or float16, "
                        f"got {text}")
    return _DTYPES[text]


def _check(x, name, torch_args):
    if x is None:
        return None
    if _is_torch(x) != torch_args:
        raise TypeError(f"{name}: expected a "
                        f"{'torch tensor' if torch_args else 'numpy array'} "
                        "like u, got " + type(x).__name__)
    if torch_args:
        if x.requires_grad:
            raise ValueError(f"{name}: requires a gradient, and these ops "
                             "have no backward yet")
        if x.device.type != "cpu":
            raise NotImplementedError(
                f"{name}: on {x.device}; mamba_mlir's ops run on CPU "
                "tensors for now")
        return x.contiguous()
    return np.ascontiguousarray(x)


def _shape(x, name, want):
    """want: sizes or None (any), each named in the message."""
    got = list(x.shape)
    if len(got) != len(want) or any(w is not None and w != g
                                    for w, g in zip(want, got)):
        pretty = ", ".join("?" if w is None else str(w) for w in want)
        raise ValueError(f"{name}: expected shape [{pretty}], got {got}")


def _as(x, dtype):
    """x converted to a dtype name ('f32', ...), a copy only if it differs."""
    names = {"f32": "float32", "bf16": "bfloat16", "f16": "float16"}
    if _is_torch(x):
        import torch
        return x.to(getattr(torch, names[dtype])).contiguous()
    return np.ascontiguousarray(x, dtype=names[dtype])


def _empty(like, shape, dtype):
    names = {"f32": "float32", "bf16": "bfloat16", "f16": "float16"}
    if _is_torch(like):
        import torch
        return torch.empty(shape, dtype=getattr(torch, names[dtype]))
    return np.empty(shape, dtype=names[dtype])


def _ref(x):
    address = x.data_ptr() if _is_torch(x) else x.ctypes.data
    return (address, list(x.shape))


def _kernels_for(source, function_name):
    """The loaded module for `source` (mamba IR text) on the CPU."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    with _kernels_lock:
        loaded = _kernels.get(digest)
        if loaded is not None:
            return loaded
        folder = _cache_dir().parent / "ops"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{function_name}-{digest}.mlir"
        if not path.exists():
            partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
            partial.write_text(source)
            os.replace(partial, path)
        module = _compile_module(path, target="cpu")
        loaded = _mamba_mlir.load_kernels(str(module), "cpu", 0)
        _kernels[digest] = loaded
        return loaded


def selective_scan_fn(u, delta, A, B, C, D=None, z=None, delta_bias=None,
                      delta_softplus=False, return_last_state=False):
    """mamba_ssm.ops.selective_scan_interface.selective_scan_fn, forward:
    u, delta, z [b, d, L]; A [d, N] (float32); B, C [b, N, L] or
    [b, G, N, L] (G groups of d / G channels); D, delta_bias [d]. Returns
    out [b, d, L] in u's dtype, and with return_last_state the state after
    the last step, [b, d, N] float32.

    B and C in float32 with 16-bit u are rounded to u's dtype (the kernel
    reads them in u's type); A, D and delta_bias are used as float32."""
    torch_args = _is_torch(u)
    u = _check(u, "u", torch_args)
    act = _dtype(u, "u")
    if u.ndim != 3:
        raise ValueError(f"u: expected shape [b, d, L], got {list(u.shape)}")
    b, d, L = u.shape
    if b < 1 or d < 1 or L < 1:
        raise ValueError(f"u: expected non-empty [b, d, L], got "
                         f"{list(u.shape)}")
    delta = _check(delta, "delta", torch_args)
    _shape(delta, "delta", [b, d, L])
    if _dtype(delta, "delta") != act:
        raise TypeError(f"delta: expected u's dtype {u.dtype}, got "
                        f"{delta.dtype}")
    A = _check(A, "A", torch_args)
    if A.ndim != 2 or A.shape[0] != d:
        raise ValueError(f"A: expected shape [{d}, N], got {list(A.shape)}")
    N = A.shape[1]
    A = _as(A, "f32")
    grouped = []
    for name, x in (("B", B), ("C", C)):
        x = _check(x, name, torch_args)
        if x.ndim == 3:
            _shape(x, name, [b, N, L])
            x = x.reshape(b, 1, N, L)
        elif x.ndim == 4:
            _shape(x, name, [b, None, N, L])
        else:
            raise ValueError(f"{name}: expected shape [b, N, L] or "
                             f"[b, G, N, L], got {list(x.shape)}")
        kind = _dtype(x, name)
        if kind != act:
            if kind != "f32":
                raise TypeError(f"{name}: expected u's dtype {u.dtype} or "
                                f"float32, got {x.dtype}")
            x = _as(x, act)
        grouped.append(x)
    B, C = grouped
    G = B.shape[1]
    if C.shape[1] != G:
        raise ValueError(f"C: expected {G} groups as B, got {C.shape[1]}")
    if d % G != 0:
        raise ValueError(f"B: {G} groups do not divide the {d} channels")
    operands = [("u", u), ("delta", delta), ("A", A), ("B", B), ("C", C)]
    attrs = ""
    if D is not None:
        D = _as(_check(D, "D", torch_args), "f32")
        _shape(D, "D", [d])
        operands.append(("D", D))
        attrs += " D(%D)"
    if z is not None:
        z = _check(z, "z", torch_args)
        _shape(z, "z", [b, d, L])
        if _dtype(z, "z") != act:
            raise TypeError(f"z: expected u's dtype {u.dtype}, got {z.dtype}")
        operands.append(("z", z))
        attrs += " z(%z)"
    if delta_bias is not None:
        delta_bias = _as(_check(delta_bias, "delta_bias", torch_args), "f32")
        _shape(delta_bias, "delta_bias", [d])
        operands.append(("delta_bias", delta_bias))
        attrs += " delta_bias(%delta_bias)"
    if delta_softplus:
        attrs += " delta_softplus"

    types = {"u": f"tensor<?x{d}x?x{act}>", "delta": f"tensor<?x{d}x?x{act}>",
             "A": f"tensor<{d}x{N}xf32>",
             "B": f"tensor<?x{G}x{N}x?x{act}>",
             "C": f"tensor<?x{G}x{N}x?x{act}>", "D": f"tensor<{d}xf32>",
             "z": f"tensor<?x{d}x?x{act}>",
             "delta_bias": f"tensor<{d}xf32>"}
    results = [types["u"]] + ([f"tensor<?x{d}x{N}xf32>"]
                              if return_last_state else [])
    names = ["%y"] + (["%h"] if return_last_state else [])
    signature = ", ".join(f"%{n}: {types[n]}" for n, _ in operands)
    operand_list = ", ".join(f"%{n}" for n, _ in operands[:5])
    operand_types = ", ".join(types[n] for n, _ in operands)
    source = (
        f"func.func @scan({signature}) -> ({', '.join(results)}) {{\n"
        f"  {', '.join(names)} = mamba.selective_scan {operand_list}{attrs}\n"
        f"      : ({operand_types}) -> ({', '.join(results)})\n"
        f"  return {', '.join(names)} : {', '.join(results)}\n}}\n")
    kernels = _kernels_for(source, "selective_scan")
    out = _empty(u, (b, d, L), act)
    outputs = [out]
    if return_last_state:
        outputs.append(_empty(u, (b, d, N), "f32"))
    kernels.call("scan", [_ref(x) for _, x in operands],
                 [_ref(x) for x in outputs])
    return (out, outputs[1]) if return_last_state else out
