"""Single fused ops, drop-in for the mamba_ssm functions of the same name
(forward only), on numpy arrays and torch tensors on the CPU.

Each call's shape class (the static sizes, dtypes and optional operands;
batch and length stay dynamic) is compiled once, on first use, into a
module in mamba_mlir.compile's cache, and loaded once per process. Inputs
are used in place (zero copy) when they are contiguous; a non-contiguous
one is copied, as mamba_ssm does.

Here: selective_scan_fn, selective_state_update (with a [b, d, N] state,
or with heads: a [b, H, P, N] one, Mamba-2's) and rms_norm_fn (the fused
add + RMSNorm) as mamba_ssm has them; mamba_chunk_scan_combined (Mamba-2's
SSD scan; CPU only so far) as mamba_ssm has it; causal_conv1d_fn and
causal_conv1d_update as causal_conv1d has them. Torch tensors may be on
the CPU or a CUDA device (all of one call's on the same one); on CUDA the
kernels run on the current stream, like any torch op, and the call returns
once they are enqueued. Not yet: torch.library registration.
"""

import hashlib
import os
import pathlib
import threading

import numpy as np

from ._compile import _cache_dir, _compiler, compile as _compile_module
from . import _mamba_mlir
from ._mamba_mlir import MambaError

_NAMES = {"f32": "float32", "bf16": "bfloat16", "f16": "float16"}
# dtype objects (numpy's and torch's) to names: a dict lookup per argument,
# where str(dtype) cost a microsecond of each call's overhead.
_DTYPES = {np.dtype(n): k for k, n in _NAMES.items() if hasattr(np, n)}
_TORCH_DTYPES = {}
_kernels = {}
_kernels_lock = threading.Lock()


def _torch():
    import torch
    if not _TORCH_DTYPES:
        _TORCH_DTYPES.update({getattr(torch, n): k for k, n in _NAMES.items()})
    return torch


def _is_torch(x):
    return type(x).__module__.startswith("torch")


def _dtype(x, name):
    kind = (_TORCH_DTYPES if _is_torch(x) else _DTYPES).get(x.dtype)
    if kind is None:
        text = str(x.dtype).replace("torch.", "")
        raise TypeError(f"{name}: expected float32, bfloat16 or float16, "
                        f"got {text}")
    return kind


class _Where:
    """Where a call runs, from its leading operand (`lead`, by name): numpy
    (device None) or a torch tensor's device (CPU or CUDA). The other
    operands' checks compare against it."""
    __slots__ = ("device", "lead")

    def __init__(self, x, lead):
        self.lead = lead
        self.device = None
        if _is_torch(x):
            _torch()
            if x.device.type not in ("cpu", "cuda"):
                raise NotImplementedError(
                    f"{lead}: on {x.device}; mamba_mlir's ops run on CPU "
                    "and CUDA tensors")
            self.device = x.device

    @property
    def torch(self):
        return self.device is not None


def _check(x, name, where):
    """x, contiguous and 16-byte aligned (as the kernels read their
    buffers), after checking it is the same kind of array as the call's
    leading operand and on the same device. A view into the middle of a
    buffer (x[:, 1:]) can be contiguous but not aligned: it is copied."""
    if x is None:
        return None
    if _is_torch(x) != where.torch:
        raise TypeError(f"{name}: expected a "
                        f"{'torch tensor' if where.torch else 'numpy array'}"
                        f" like {where.lead}, got " + type(x).__name__)
    if where.torch:
        if x.requires_grad:
            raise ValueError(f"{name}: requires a gradient, and these ops "
                             "have no backward yet")
        if x.device != where.device:
            raise ValueError(f"{name}: on {x.device}, expected "
                             f"{where.device} like {where.lead}")
        if not x.is_contiguous():
            return x.contiguous()
        return x if x.data_ptr() % 16 == 0 else x.clone()
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array like {where.lead}, "
                        f"got {type(x).__name__}")
    if not x.flags.c_contiguous:
        return np.ascontiguousarray(x)
    return x if x.ctypes.data % 16 == 0 else x.copy()


def _shape(x, name, want):
    """want: sizes or None (any), each named in the message."""
    got = x.shape
    if len(got) != len(want) or any(w is not None and w != g
                                    for w, g in zip(want, got)):
        pretty = ", ".join("?" if w is None else str(w) for w in want)
        raise ValueError(f"{name}: expected shape [{pretty}], got "
                         f"{list(got)}")


def _as(x, dtype):
    """x converted to a dtype name ('f32', ...), a copy only if it differs."""
    if _is_torch(x):
        torch = _torch()
        if _TORCH_DTYPES.get(x.dtype) == dtype and x.is_contiguous():
            return x
        return x.to(getattr(torch, _NAMES[dtype])).contiguous()
    return np.ascontiguousarray(x, dtype=_NAMES[dtype])


def _empty(like, shape, dtype):
    if _is_torch(like):
        torch = _torch()
        return torch.empty(shape, dtype=getattr(torch, _NAMES[dtype]),
                           device=like.device)
    return np.empty(shape, dtype=_NAMES[dtype])


def _ref(x):
    if _is_torch(x):
        return (x.data_ptr(), list(x.shape))
    return (x.ctypes.data, list(x.shape))


def _cuda_target(index):
    """The compile target of CUDA device `index`: sm_90a on an H100 (the
    architecture-specific form from compute capability 9 on), sm_80 on an
    A100."""
    major, minor = _torch().cuda.get_device_capability(index)
    return f"sm_{major}{minor}" + ("a" if major >= 9 else "")


def _device_of(like):
    """(runtime device name, compile target) of the arrays like `like`."""
    if _is_torch(like) and like.device.type == "cuda":
        index = like.device.index or 0
        return f"cuda:{index}", _cuda_target(index)
    return "cpu", "cpu"


def _ops_module(source, function_name, target):
    """The module of `source` (one op's function, mamba IR text) for
    `target`, from the cache or compiled into it. With the compiler, under
    a folder of this compiler build; without it (a runtime-only install),
    the newest module of any build, as warm_up(target=...) made elsewhere
    and copied here."""
    digest = hashlib.sha256(f"{target}\n{source}".encode()).hexdigest()[:24]
    folder = _cache_dir().parent / "ops"
    name = f"{function_name}-{target}-{digest}"
    driver = _compiler()
    if driver is None:
        found = sorted(folder.glob(f"*/{name}.mmod"),
                       key=lambda f: f.stat().st_mtime_ns)
        if not found:
            raise MambaError(
                f"{function_name} for {target}: no compiled kernel in "
                f"{folder}, and this mamba_mlir has no compiler; compile it "
                "on a machine with one (mamba_mlir.ops.warm_up(calls, "
                f"target=\"{target}\")) and copy its cache's ops folder "
                "here (MAMBA_MLIR_CACHE)")
        return found[-1]
    out = folder / _compiler_id(driver) / f"{name}.mmod"
    if out.exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.mlir"
    if not path.exists():
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_text(source)
        os.replace(partial, path)
    # The tiling is chosen here, per call (_tuned_scan_tiling), and written
    # into the source: the compile must not add the shipped databases'.
    return _compile_module(path, output=out, target=target, tuning_db=False)


def _compiler_id(driver):
    build = pathlib.Path(driver.__file__).stat()
    return hashlib.sha256(
        f"{build.st_size}-{build.st_mtime_ns}".encode()).hexdigest()[:12]


def _kernels_for(source, function_name, device, target):
    """The loaded module for `source` on `device`."""
    key = (source, device)
    with _kernels_lock:
        loaded = _kernels.get(key)
        if loaded is None:
            module = _ops_module(source, function_name, target)
            loaded = _mamba_mlir.load_kernels(str(module), device, 0)
            _kernels[key] = loaded
        return loaded


def _queue(like):
    """The stream a call on `like`'s device runs on: torch's current CUDA
    stream (0 for the legacy default stream), 0 on the CPU."""
    if not _is_torch(like) or like.device.type != "cuda":
        return 0
    torch = _torch()
    index = like.device.index or 0
    raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
    if raw is not None:
        return raw(index)
    return torch.cuda.current_stream(index).cuda_stream


_by_signature = {}
_warming = threading.local()


def _run(name, op, operands, positional, attrs, results, like, fast=None,
         returns=(0,), into=()):
    """Builds a function of one mamba op over `operands` ((name, array,
    tensor type); the first `positional` are the op's plain operands, the
    rest named in `attrs` already), compiles and loads it once per shape
    class, allocates `results` ((shape, dtype name, tensor type)) like
    `like` and runs it; `into` ((result, argument name, tensor)) gives
    results a tensor to write instead (a state updated in place, which the
    decode-step kernels allow: each thread reads its states before it
    writes them). With `fast` (a _FastKey of the public call) the call is
    recorded for the fast path: the caller returns the results numbered in
    `returns` (a tuple when more than one)."""
    result_types = tuple(t for _, _, t in results)
    target = getattr(_warming, "target", None)
    device = None if target else _device_of(like)
    signature = (name, op, tuple((n, t) for n, _, t in operands), positional,
                 attrs, result_types, target or device[0])
    kernels = _by_signature.get(signature)
    if kernels is None:
        values = [f"%r{i}" for i in range(len(results))]
        params = ", ".join(f"%{n}: {t}" for n, _, t in operands)
        plain = ", ".join(f"%{n}" for n, _, _ in operands[:positional])
        source = (
            f"func.func @{name}({params}) -> ({', '.join(result_types)}) "
            f"{{\n  {', '.join(values)} = {op} {plain}{attrs}\n"
            f"      : ({', '.join(t for _, _, t in operands)}) -> "
            f"({', '.join(result_types)})\n"
            f"  return {', '.join(values)} : {', '.join(result_types)}\n}}\n")
        if target:  # warm_up for another machine: compiled, not loaded
            _ops_module(source, name, target)
            return None
        kernels = _by_signature[signature] = _kernels_for(source, name,
                                                          *device)
    if getattr(_warming, "active", False):
        return None  # warm_up: compiled and loaded, not run
    given = {index: tensor for index, _, tensor in into}
    outputs = [given[i] if i in given else _empty(like, shape, dtype)
               for i, (shape, dtype, _) in enumerate(results)]
    kernels.call(name, [_ref(x) for _, x, _ in operands],
                 [_ref(x) for x in outputs], _queue(like))
    if fast is not None and _is_torch(like):
        fast.record(kernels, name, operands, outputs, returns, into, like)
    return outputs


class _FastKey:
    """A public call as the fast path (_mamba_mlir.FastCalls) sees it: the
    op's number, its tensor arguments by name and its flags."""
    __slots__ = ("op", "names", "args", "flags")

    def __init__(self, op, names, args, flags):
        self.op, self.names, self.args, self.flags = op, names, args, flags

    def run(self):
        """The recorded call's result, or None (not recorded, or warm_up)."""
        if _warm_ups:
            return None
        return _fast.call(self.op, self.args, self.flags)

    def _argument(self, name, x):
        """The index of the argument `name` if x is it unchanged (no
        conversion or copy was needed), else None."""
        if name not in self.names:
            return None
        index = self.names.index(name)
        raw = self.args[index]
        if (not _is_torch(raw) or raw.data_ptr() != x.data_ptr() or
                raw.dtype != x.dtype or raw.numel() != x.numel() or
                not raw.is_contiguous()):
            return None
        return index

    def record(self, kernels, function, operands, outputs, returns, into,
               like):
        """Records the call just made, if each kernel operand and each
        result written in place is one of the call's arguments unchanged."""
        mapped = []
        for name, x, _ in operands:
            index = self._argument(name, x)
            if index is None:
                return
            mapped.append((index, list(x.shape)))
        written = {i: name for i, name, _ in into}
        made = []
        for i, o in enumerate(outputs):
            if i in written:
                index = self._argument(written[i], o)
                if index is None:
                    return
                made.append((list(o.shape), None, index))
            else:
                made.append((list(o.shape),
                             {"dtype": o.dtype, "device": o.device}, -1))
        device = like.device.index or 0 if like.device.type == "cuda" else -1
        _fast.add(self.op, self.args, self.flags, kernels, function, mapped,
                  made, list(returns), len(returns) > 1, device)


def _new_fast_calls():
    calls = _mamba_mlir.FastCalls()
    try:
        import torch
    except ImportError:
        return calls  # numpy only: every call takes the Python path
    calls.set_torch(torch.Tensor, torch.empty,
                    getattr(torch._C, "_cuda_getCurrentRawStream", None))
    return calls


_fast = _new_fast_calls()
_warm_ups = 0  # warm_up calls in progress: the fast path would run them


def _write_back(state, new_state, where):
    """In place, as upstream: the caller's state gets the new state (the
    kernel wrote it there unless it had to be converted; see _in_place)."""
    if new_state is state:
        return
    if where.torch:
        state.copy_(new_state)
    else:
        state[...] = new_state


def _in_place(result, name, state, operand):
    """`into` for _run: the state argument written in place by result
    `result` when the kernel reads it unchanged (operand is state)."""
    return ((result, name, state),) if operand is state else ()


_SHIPPED = object()  # use_tuning_db's default: the package's databases
_tuning = {"path": _SHIPPED, "stamp": None, "databases": []}


def use_tuning_db(path=_SHIPPED):
    """Where scans get their tilings (and SSD calls on a GPU their kernel):
    mamba-tune databases. By default (no
    argument) the shipped ones (the package's tuning/ folder: the CI
    machine's CPU kind and the H100; tuning/README.md in the source tree);
    `path`: that database instead; None: none, the default tilings. A call
    takes the entry for its device's target, signature and dtype whose
    bucket is nearest its (batch, length), by the compile driver's own
    look-up (entries of another code generation version are skipped), else
    the default tiling. The chosen tiling is part of the shape class, so
    each bucket compiles once. MAMBA_MLIR_TUNING_DB sets `path` at import
    (an empty value: None)."""
    global _fast
    if path is not _SHIPPED and path is not None:
        path = str(path)
    _tuning.update(path=path, stamp=None, databases=[])
    _fast = _new_fast_calls()  # recorded calls ran the tilings chosen before


def _tuning_databases():
    """The databases use_tuning_db chose, read again when a file changes."""
    path = _tuning["path"]
    if path is None:
        return []
    if path is _SHIPPED:
        paths = sorted((pathlib.Path(__file__).parent / "tuning")
                       .glob("*.json"))
    else:
        paths = [pathlib.Path(path)]
    stamp = [(p, p.stat().st_mtime_ns if p.exists() else None)
             for p in paths]
    if _tuning["stamp"] != stamp:
        # A missing or malformed file is a MambaError naming it.
        _tuning.update(stamp=stamp, databases=[
            _mamba_mlir.TuningDatabase(str(p)) for p in paths])
    return _tuning["databases"]


def _tuned_scan_tiling(target, d, N, G, dtype, b, L):
    """The databases' tiling for a scan call, as the op's attribute text,
    or "" for the default."""
    databases = _tuning_databases()
    if not databases:
        return ""
    if target == "cpu":
        driver = _compiler()
        if driver is None:
            return ""  # "cpu" names this machine's level: only the compiler knows it
        target = driver.host_cpu_level()
    for db in databases:
        best = db.select_scan(target, d, N, G, dtype, b, L)
        if best is not None:
            return (" {tiling = #mamba.scan_tiling<channels_per_block = "
                    f"{best['channels_per_block']}, states_per_thread = "
                    f"{best['states_per_thread']}, chunk_length = "
                    f"{best['chunk_length']}, sequence_splits = "
                    f"{best['sequence_splits']}>}}")
    return ""


def _tuned_ssd_kernel(target, H, P, N, G, dtype, b, L):
    """The databases' GPU kernel for an SSD call, as the op's `kernel`
    attribute text (", kernel = ..."), or "" for the default. The CPU has
    one SSD kernel: nothing to look up."""
    if not target.startswith("sm_"):
        return ""
    for db in _tuning_databases():
        best = db.select_ssd(target, H, P, N, G, dtype, b, L)
        if best is not None:
            return (f", kernel = #mamba.ssd_kernel<tensor_cores = "
                    f"{best['tensor_cores']}, chunk = {best['chunk']}, "
                    f"channel_block = {best['channel_block']}>")
    return ""


if "MAMBA_MLIR_TUNING_DB" in os.environ:
    _tuning["path"] = os.environ["MAMBA_MLIR_TUNING_DB"] or None


def _traced():
    """Whether torch.compile is tracing the call (on tensors then):
    the call goes through the registered custom op (_torch_ops), which its
    graph keeps. Checked first by every op, so nothing else it does is
    traced."""
    return _registered and _torch_ops.compiling()


def torch_ops():
    """The registered custom ops (torch.ops.mamba_mlir)."""
    return _torch_module.ops.mamba_mlir


def _residual_dtype(x_dtype, residual_dtype, residual_in_fp32):
    """rms_norm_fn's dtype of r with prenorm (torch dtypes): float32 with
    residual_in_fp32, else the residual's (float32 or x's; another is
    rounded to x's), else x's."""
    f32 = _torch().float32
    if residual_in_fp32:
        return f32
    if residual_dtype is None or residual_dtype not in (x_dtype, f32):
        return x_dtype
    return residual_dtype


def _grouped_bc(B, C, where, b, tail, d, act, like):
    """B and C as [b, G, *tail] in the activation type: a [b, *tail] one is
    one group; float32 with 16-bit activations is rounded to them (the
    kernels read B and C in the activation type). Returns (B, C, G)."""
    out = []
    for name, v in (("B", B), ("C", C)):
        v = _check(v, name, where)
        if v.ndim == 1 + len(tail):
            _shape(v, name, [b] + tail)
            v = v.reshape(b, 1, *tail)
        elif v.ndim == 2 + len(tail):
            _shape(v, name, [b, None] + tail)
        else:
            dims = ", ".join(["b"] + ["N", "L"][:len(tail)])
            raise ValueError(f"{name}: expected shape [{dims}] or [b, G, "
                             f"{dims[3:]}], got {list(v.shape)}")
        kind = _dtype(v, name)
        if kind != act:
            if kind != "f32":
                raise TypeError(f"{name}: expected {like[0]}'s dtype "
                                f"{like[1].dtype} or float32, got {v.dtype}")
            v = _as(v, act)
        out.append(v)
    B, C = out
    G = B.shape[1]
    if C.shape[1] != G:
        raise ValueError(f"C: expected {G} groups as B, got {C.shape[1]}")
    if d % G != 0:
        raise ValueError(f"B: {G} groups do not divide the {d} channels")
    return B, C, G


def _skip_gate_bias(where, d, act_shape, act, like, D, z, bias,
                    bias_name, softplus):
    """The optional operands the scan and the state update share: the D
    skip, the z gate, the dt bias (named as the caller names it) and the
    softplus; their (name, array) operands and the op's attribute text."""
    operands, attrs = [], ""
    if D is not None:
        D = _as(_check(D, "D", where), "f32")
        _shape(D, "D", [d])
        operands.append(("D", D))
        attrs += " D(%D)"
    if z is not None:
        z = _check(z, "z", where)
        _shape(z, "z", act_shape)
        if _dtype(z, "z") != act:
            raise TypeError(f"z: expected {like[0]}'s dtype {like[1].dtype}, "
                            f"got {z.dtype}")
        operands.append(("z", z))
        attrs += " z(%z)"
    if bias is not None:
        bias = _as(_check(bias, bias_name, where), "f32")
        _shape(bias, bias_name, [d])
        operands.append((bias_name, bias))
        attrs += f" {bias_name}(%{bias_name})"
    if softplus:
        attrs += " delta_softplus"
    return operands, attrs


def selective_scan_fn(u, delta, A, B, C, D=None, z=None, delta_bias=None,
                      delta_softplus=False, return_last_state=False):
    """mamba_ssm.ops.selective_scan_interface.selective_scan_fn, forward:
    u, delta, z [b, d, L]; A [d, N] (float32); B, C [b, N, L] or
    [b, G, N, L] (G groups of d / G channels); D, delta_bias [d]. Returns
    out [b, d, L] in u's dtype, and with return_last_state the state after
    the last step, [b, d, N] float32.

    B and C in float32 with 16-bit u are rounded to u's dtype (the kernel
    reads them in u's type); A, D and delta_bias are used as float32."""
    if _traced():
        out, last = torch_ops().selective_scan(u, delta, A, B, C, D, z,
                                               delta_bias, delta_softplus,
                                               return_last_state)
        return (out, last) if return_last_state else out
    fast = _FastKey(0, _SCAN_NAMES, (u, delta, A, B, C, D, z, delta_bias),
                    (delta_softplus, return_last_state))
    got = fast.run()
    if got is not None:
        return got
    return _eager_selective_scan(u, delta, A, B, C, D, z, delta_bias,
                                 delta_softplus, return_last_state, fast)


_SCAN_NAMES = ("u", "delta", "A", "B", "C", "D", "z", "delta_bias")


def _eager_selective_scan(u, delta, A, B, C, D, z, delta_bias,
                          delta_softplus, return_last_state, fast=None):
    where = _Where(u, "u")
    u = _check(u, "u", where)
    act = _dtype(u, "u")
    if u.ndim != 3:
        raise ValueError(f"u: expected shape [b, d, L], got {list(u.shape)}")
    b, d, L = u.shape
    if b < 1 or d < 1 or L < 1:
        raise ValueError(f"u: expected non-empty [b, d, L], got "
                         f"{list(u.shape)}")
    delta = _check(delta, "delta", where)
    _shape(delta, "delta", [b, d, L])
    if _dtype(delta, "delta") != act:
        raise TypeError(f"delta: expected u's dtype {u.dtype}, got "
                        f"{delta.dtype}")
    A = _check(A, "A", where)
    if A.ndim != 2 or A.shape[0] != d:
        raise ValueError(f"A: expected shape [{d}, N], got {list(A.shape)}")
    N = A.shape[1]
    A = _as(A, "f32")
    B, C, G = _grouped_bc(B, C, where, b, [N, L], d, act, ("u", u))
    extra, attrs = _skip_gate_bias(where, d, [b, d, L], act, ("u", u), D,
                                   z, delta_bias, "delta_bias",
                                   delta_softplus)
    operands = [("u", u), ("delta", delta), ("A", A), ("B", B),
                ("C", C)] + extra

    types = {"u": f"tensor<?x{d}x?x{act}>", "delta": f"tensor<?x{d}x?x{act}>",
             "A": f"tensor<{d}x{N}xf32>",
             "B": f"tensor<?x{G}x{N}x?x{act}>",
             "C": f"tensor<?x{G}x{N}x?x{act}>", "D": f"tensor<{d}xf32>",
             "z": f"tensor<?x{d}x?x{act}>",
             "delta_bias": f"tensor<{d}xf32>"}
    attrs += _tuned_scan_tiling(
        getattr(_warming, "target", None) or _device_of(u)[1], d, N, G, act,
        b, L)
    results = [((b, d, L), act, types["u"])]
    if return_last_state:
        results.append(((b, d, N), "f32", f"tensor<?x{d}x{N}xf32>"))
    outputs = _run("selective_scan", "mamba.selective_scan",
                   [(n, x, types[n]) for n, x in operands], 5, attrs,
                   results, u, fast, (0, 1) if return_last_state else (0,))
    if outputs is None:
        return None
    return tuple(outputs) if return_last_state else outputs[0]


def _refuse_unsupported(op, arguments):
    """The upstream arguments `op` does not support yet, if given."""
    for name, value in arguments.items():
        if value is not None:
            raise NotImplementedError(f"{name}: not supported by "
                                      f"mamba_mlir's {op} yet")


def _check_activation(activation):
    """The convolutions' activation, checked before anything else (the fast
    path keys on whether there is one)."""
    if activation not in (None, "silu", "swish"):
        raise ValueError(f"activation: expected None, 'silu' or 'swish', "
                         f"got {activation!r}")


def _conv_arguments(activation, x, dims):
    """What both convolutions check first: the activation, and x
    (non-empty, of rank len(dims))."""
    _check_activation(activation)
    where = _Where(x, "x")
    x = _check(x, "x", where)
    act = _dtype(x, "x")
    if x.ndim != len(dims.split(", ")) or min(x.shape) < 1:
        raise ValueError(f"x: expected non-empty [{dims}], got "
                         f"{list(x.shape)}")
    return where, x, act


def causal_conv1d_fn(x, weight, bias=None, seq_idx=None, initial_states=None,
                     return_final_states=False, final_states_out=None,
                     activation=None):
    """causal_conv1d.causal_conv1d_fn, forward: x [b, d, L], weight [d, K],
    bias [d]; activation None, "silu" or "swish". Returns out [b, d, L] in
    x's dtype, and with return_final_states the last K - 1 inputs of each
    row ([b, d, K - 1], zero-padded on the left), as causal_conv1d does.
    seq_idx, initial_states and final_states_out are not supported yet."""
    _refuse_unsupported("causal_conv1d_fn", {
        "seq_idx": seq_idx, "initial_states": initial_states,
        "final_states_out": final_states_out})
    _check_activation(activation)
    if _traced():
        out, final = torch_ops().causal_conv1d(x, weight, bias,
                                               return_final_states,
                                               activation)
        return (out, final) if return_final_states else out
    fast = None
    if not return_final_states:  # the final states are a view: not recorded
        fast = _FastKey(2, _CONV_NAMES, (x, weight, bias),
                        (activation is not None,))
        got = fast.run()
        if got is not None:
            return got
    return _eager_causal_conv1d(x, weight, bias, return_final_states,
                                activation, fast)


_CONV_NAMES = ("x", "weight", "bias")


def _eager_causal_conv1d(x, weight, bias, return_final_states, activation,
                         fast=None):
    where, x, act = _conv_arguments(activation, x, "b, d, L")
    b, d, L = x.shape
    weight = _check(weight, "weight", where)
    if weight.ndim != 2 or weight.shape[0] != d or weight.shape[1] < 1:
        raise ValueError(f"weight: expected shape [{d}, K], got "
                         f"{list(weight.shape)}")
    K = weight.shape[1]
    if _dtype(weight, "weight") not in (act, "f32"):
        weight = _as(weight, act)
    w_type = "f32" if _dtype(weight, "weight") == "f32" else act
    operands = [("x", x, f"tensor<?x{d}x?x{act}>"),
                ("weight", weight, f"tensor<{d}x{K}x{w_type}>")]
    attrs = ""
    if bias is not None:
        bias = _check(bias, "bias", where)
        _shape(bias, "bias", [d])
        if _dtype(bias, "bias") not in (act, "f32"):
            bias = _as(bias, act)
        operands.append(("bias", bias,
                         f"tensor<{d}x{_dtype(bias, 'bias')}>"))
        attrs += " bias(%bias)"
    if activation is not None:
        attrs += " activation(silu)"
    results = [((b, d, L), act, f"tensor<?x{d}x?x{act}>")]
    if return_final_states:
        results.append(((b, d, K), act, f"tensor<?x{d}x{K}x{act}>"))
    outputs = _run("causal_conv1d", "mamba.causal_conv1d", operands, 2, attrs,
                   results, x, fast)
    if outputs is None:
        return None
    if not return_final_states:
        return outputs[0]
    return outputs[0], outputs[1][:, :, 1:]


def selective_state_update(state, x, dt, A, B, C, D=None, z=None,
                           dt_bias=None, dt_softplus=False):
    """mamba_ssm's selective_state_update (one decode step), forward: state
    [b, d, N] is updated in place; x, dt, z [b, d]; A [d, N]; B, C [b, N]
    or [b, G, N]; D, dt_bias [d]. Returns out [b, d] in x's dtype. The
    kernel keeps the state in float32: a 16-bit state is widened for the
    step and rounded back into the caller's tensor.

    With a [b, H, P, N] state it is the multi-head step of Mamba-2 (see
    _ssd_ops.ssd_state_update for its shapes)."""
    if getattr(state, "ndim", None) == 4:
        return _ssd_ops.ssd_state_update(state, x, dt, A, B, C, D, z,
                                         dt_bias, dt_softplus)
    if _traced():
        return torch_ops().selective_state_update(state, x, dt, A, B, C, D, z,
                                                  dt_bias, dt_softplus)
    fast = _FastKey(1, _UPDATE_NAMES, (state, x, dt, A, B, C, D, z, dt_bias),
                    (dt_softplus,))
    got = fast.run()
    if got is not None:
        return got
    return _eager_selective_state_update(state, x, dt, A, B, C, D, z,
                                         dt_bias, dt_softplus, fast)


_UPDATE_NAMES = ("state", "x", "dt", "A", "B", "C", "D", "z", "dt_bias")


def _eager_selective_state_update(state, x, dt, A, B, C, D, z, dt_bias,
                                  dt_softplus, fast=None):
    where = _Where(x, "x")
    x = _check(x, "x", where)
    act = _dtype(x, "x")
    if x.ndim != 2 or min(x.shape) < 1:
        raise ValueError(f"x: expected non-empty [b, d], got {list(x.shape)}")
    b, d = x.shape
    if _is_torch(state) != where.torch:
        raise TypeError("state: expected the same kind of array as x")
    if where.torch and state.requires_grad:
        raise ValueError("state: requires a gradient, and these ops have no "
                         "backward yet")
    if state.ndim != 3 or state.shape[0] != b or state.shape[1] != d:
        raise ValueError(f"state: expected shape [{b}, {d}, N], got "
                         f"{list(state.shape)}")
    N = state.shape[2]
    _dtype(state, "state")
    state32 = _as(_check(state, "state", where), "f32")
    dt = _check(dt, "dt", where)
    _shape(dt, "dt", [b, d])
    if _dtype(dt, "dt") != act:
        raise TypeError(f"dt: expected x's dtype {x.dtype}, got {dt.dtype}")
    A = _check(A, "A", where)
    _shape(A, "A", [d, N])
    A = _as(A, "f32")
    B, C, G = _grouped_bc(B, C, where, b, [N], d, act, ("x", x))
    types = {"state": f"tensor<?x{d}x{N}xf32>", "x": f"tensor<?x{d}x{act}>",
             "dt": f"tensor<?x{d}x{act}>", "A": f"tensor<{d}x{N}xf32>",
             "B": f"tensor<?x{G}x{N}x{act}>",
             "C": f"tensor<?x{G}x{N}x{act}>", "D": f"tensor<{d}xf32>",
             "z": f"tensor<?x{d}x{act}>", "dt_bias": f"tensor<{d}xf32>"}
    extra, attrs = _skip_gate_bias(where, d, [b, d], act, ("x", x), D, z,
                                   dt_bias, "dt_bias", dt_softplus)
    operands = [("state", state32), ("x", x), ("dt", dt), ("A", A), ("B", B),
                ("C", C)] + extra
    outputs = _run(
        "selective_state_update", "mamba.selective_state_update",
        [(n, v, types[n]) for n, v in operands], 6, attrs,
        [((b, d), act, types["x"]), ((b, d, N), "f32", types["state"])], x,
        fast, into=_in_place(1, "state", state, state32))
    if outputs is None:
        return None
    out, new_state = outputs
    _write_back(state, new_state, where)
    return out


def _float_like(v, name, where, act, f32_too=True):
    """v checked, in act's dtype (or float32 when f32_too and it is)."""
    v = _check(v, name, where)
    kind = _dtype(v, name)
    if kind == act or (f32_too and kind == "f32"):
        return v, kind
    return _as(v, act), act


def causal_conv1d_update(x, conv_state, weight, bias=None, activation=None,
                         cache_seqlens=None, conv_state_indices=None):
    """causal_conv1d.causal_conv1d_update (one decode step), forward: x
    [b, d]; conv_state [b, d, K] is shifted left by one with x appended, in
    place; weight [d, K]; bias [d]. Returns out [b, d] in x's dtype.
    cache_seqlens, conv_state_indices and x of [b, d, seqlen] are not
    supported yet."""
    _refuse_unsupported("causal_conv1d_update", {
        "cache_seqlens": cache_seqlens,
        "conv_state_indices": conv_state_indices})
    _check_activation(activation)
    if _traced():
        return torch_ops().causal_conv1d_update(x, conv_state, weight, bias,
                                                activation)
    fast = _FastKey(3, _CONV_UPDATE_NAMES, (x, conv_state, weight, bias),
                    (activation is not None,))
    got = fast.run()
    if got is not None:
        return got
    return _eager_causal_conv1d_update(x, conv_state, weight, bias,
                                       activation, fast)


_CONV_UPDATE_NAMES = ("x", "conv_state", "weight", "bias")


def _eager_causal_conv1d_update(x, conv_state, weight, bias, activation,
                                fast=None):
    where, x, act = _conv_arguments(activation, x, "b, d")
    b, d = x.shape
    if _is_torch(conv_state) != where.torch:
        raise TypeError("conv_state: expected the same kind of array as x")
    if conv_state.ndim != 3 or list(conv_state.shape[:2]) != [b, d]:
        raise ValueError(f"conv_state: expected shape [{b}, {d}, K], got "
                         f"{list(conv_state.shape)}")
    K = conv_state.shape[2]
    state, state_kind = _float_like(conv_state, "conv_state", where, act)
    weight, w_kind = _float_like(weight, "weight", where, act)
    _shape(weight, "weight", [d, K])
    operands = [("conv_state", state, f"tensor<?x{d}x{K}x{state_kind}>"),
                ("x", x, f"tensor<?x{d}x{act}>"),
                ("weight", weight, f"tensor<{d}x{K}x{w_kind}>")]
    attrs = ""
    if bias is not None:
        bias, b_kind = _float_like(bias, "bias", where, act)
        _shape(bias, "bias", [d])
        operands.append(("bias", bias, f"tensor<{d}x{b_kind}>"))
        attrs += " bias(%bias)"
    if activation is not None:
        attrs += " activation(silu)"
    outputs = _run(
        "conv_state_update", "mamba.conv_state_update", operands, 3, attrs,
        [((b, d), act, f"tensor<?x{d}x{act}>"),
         ((b, d, K), state_kind, f"tensor<?x{d}x{K}x{state_kind}>")], x,
        fast, into=_in_place(1, "conv_state", conv_state, state))
    if outputs is None:
        return None
    out, new_state = outputs
    _write_back(conv_state, new_state, where)
    return out


def rms_norm_fn(x, weight, bias=None, residual=None, prenorm=False,
                residual_in_fp32=False, eps=1e-6):
    """mamba_ssm.ops.triton.layer_norm.rms_norm_fn, forward: the fused
    residual add and RMSNorm over the last dimension. r = x + residual (x
    without one), y = r / sqrt(mean(r^2) + eps) * weight; returns y in x's
    dtype, and with prenorm (y, r), r in float32 with residual_in_fp32,
    else in the residual's dtype (x's without one). bias is not supported
    (Mamba's norms have none)."""
    if bias is not None:
        raise NotImplementedError("bias: mamba_mlir's rms_norm_fn has no "
                                  "bias (Mamba's RMSNorm has none)")
    if _traced():
        y, r = torch_ops().rms_norm(x, weight, residual, prenorm,
                                    residual_in_fp32, eps)
        return (y, r) if prenorm else y
    fast = _FastKey(4, _NORM_NAMES, (x, weight, residual),
                    (prenorm, residual_in_fp32, float(eps)))
    got = fast.run()
    if got is not None:
        return got
    return _eager_rms_norm(x, weight, residual, prenorm, residual_in_fp32,
                           eps, fast)


_NORM_NAMES = ("x", "weight", "residual")


def _eager_rms_norm(x, weight, residual, prenorm, residual_in_fp32, eps,
                    fast=None):
    where = _Where(x, "x")
    x = _check(x, "x", where)
    act = _dtype(x, "x")
    if x.ndim < 1 or x.ndim > 8 or min(x.shape) < 1:
        raise ValueError(f"x: expected a non-empty [..., D] of 1 to 8 "
                         f"dimensions, got {list(x.shape)}")
    D = x.shape[-1]
    shape = tuple(x.shape)
    dims = "x".join(["?"] * (x.ndim - 1) + [str(D)])
    weight, w_kind = _float_like(weight, "weight", where, act)
    _shape(weight, "weight", [D])
    operands = [("x", x, f"tensor<{dims}x{act}>"),
                ("weight", weight, f"tensor<{D}x{w_kind}>")]
    attrs = ""
    r_kind = "f32" if residual_in_fp32 else act
    if residual is not None:
        residual = _check(residual, "residual", where)
        _shape(residual, "residual", list(shape))
        kind = _dtype(residual, "residual")
        if residual_in_fp32 and kind != "f32":
            # The op keeps residual_out in the residual's type; widening
            # is exact.
            residual, kind = _as(residual, "f32"), "f32"
        elif kind not in (act, "f32"):
            residual, kind = _as(residual, act), act
        r_kind = kind
        operands.append(("residual", residual, f"tensor<{dims}x{kind}>"))
        attrs += " residual(%residual)"
    attrs += f" eps({float(eps):.9e})"
    results = [(shape, act, f"tensor<{dims}x{act}>")]
    if prenorm:
        results.append((shape, r_kind, f"tensor<{dims}x{r_kind}>"))
    outputs = _run("rms_norm", "mamba.rms_norm", operands, 2, attrs, results,
                   x, fast, (0, 1) if prenorm else (0,))
    if outputs is None:
        return None
    return tuple(outputs) if prenorm else outputs[0]


def warm_up(calls, target=None):
    """Compiles (or loads from the cache) and loads the kernels of each
    call's shape class ahead of time, without running them: calls is a list
    of (op, args) or (op, args, kwargs), op one of this module's functions
    and the arguments as for a real call (any batch and length: they do not
    change the shape class; states are left untouched). Returns how many
    shape classes were made ready.

    target: None for the arguments' own device; else a compile target
    ("sm_90a", "x86-64-v3", "cpu"): the kernels are compiled into the cache
    for it, not loaded, so that a machine without a GPU (or without the
    compiler's target) fills a cache for another, as a runtime-only install
    there needs. The arguments may then be CPU tensors or numpy arrays."""
    ready = 0
    for call in calls:
        op, args = call[0], call[1]
        kwargs = call[2] if len(call) > 2 else {}
        if op not in (selective_scan_fn, selective_state_update,
                      causal_conv1d_fn, causal_conv1d_update, rms_norm_fn,
                      mamba_chunk_scan_combined):
            raise TypeError(f"warm_up: {op!r} is not an op of "
                            "mamba_mlir.ops")
        global _warm_ups
        _warming.active, _warming.target = True, target
        _warm_ups += 1
        try:
            op(*args, **kwargs)
        finally:
            _warming.active, _warming.target = False, None
            _warm_ups -= 1
        ready += 1
    return ready


# Mamba-2's ops live in their own file; they use the helpers above.
from . import _ssd_ops  # noqa: E402
from ._ssd_ops import mamba_chunk_scan_combined  # noqa: E402,F401

# torch.compile support: the ops registered as torch custom ops where torch
# has torch.library.custom_op (2.4 and later).
try:
    import torch as _torch_module  # noqa: F401
except ImportError:
    _registered = False
else:
    from . import _torch_ops
    import sys as _sys
    _registered = _torch_ops.register(_sys.modules[__name__])
