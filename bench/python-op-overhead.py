"""Per-call time of mamba_mlir.ops.selective_state_update from Python at
batch 1 (a decode step's shape, where the call's overhead is most of the
time), on torch tensors on the CPU or a CUDA device: the median time of one
call seen from Python after a warm-up, the first call (compiling the shape
class, or loading it from the cache) timed apart. On CUDA also the time per
call of a run of calls followed by one synchronization (host overhead and
GPU time overlap there), and, given --peer (a folder holding mamba_ssm's
ops/triton/selective_state_update.py and softplus.py, as in the mamba_ssm
source tree; needs triton and einops), the same figures for mamba_ssm's
Triton kernel on the same tensors, with the two outputs compared. Issue 16
asks for this figure; mamba_ssm's Triton kernel took 50-117 us per call
from Python on an H100.

    PYTHONPATH=build/python python3 bench/python-op-overhead.py \\
        [--device cpu|cuda] [--dtype f32|bf16] [--d 1536] [--n 16] \\
        [--calls 2000] [--peer FOLDER]

With --compile-for TARGET (sm_90a, say) it only compiles the kernels of
those settings for TARGET into the cache (MAMBA_MLIR_CACHE), for a machine
without the compiler to run them.
"""

import argparse
import statistics
import sys
import time

import torch

from mamba_mlir.ops import selective_state_update, warm_up


def timings(call, calls, cuda):
    """(first call s, median per call s, per call of a synchronized run s)."""
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    start = time.perf_counter()
    call()
    sync()
    first = time.perf_counter() - start
    for _ in range(50):
        call()
    sync()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    sync()
    start = time.perf_counter()
    for _ in range(calls):
        call()
    sync()
    run = (time.perf_counter() - start) / calls
    return first, statistics.median(times), run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="f32", choices=["f32", "bf16"])
    parser.add_argument("--d", type=int, default=1536)
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--peer", help="folder with mamba_ssm's Triton ops")
    parser.add_argument("--compile-for", metavar="TARGET")
    args = parser.parse_args()
    d, N, dev = args.d, args.n, args.device
    if args.compile_for:
        dev = "cpu"
    cuda = dev.startswith("cuda")
    act = torch.float32 if args.dtype == "f32" else torch.bfloat16
    g = torch.Generator().manual_seed(0)
    rnd = lambda *s: torch.randn(*s, generator=g)
    state = rnd(1, d, N).to(dev)
    x, dt, z = (rnd(1, d).to(act).to(dev) for _ in range(3))
    A = (-torch.exp(rnd(d, N))).to(dev)
    B, C = rnd(1, N).to(act).to(dev), rnd(1, N).to(act).to(dev)
    D, dt_bias = rnd(d).to(dev), rnd(d).to(dev)
    start_state = state.clone()
    if args.compile_for:
        warm_up([(selective_state_update,
                  (state, x, dt, A, B, C, D, z, dt_bias, True))],
                target=args.compile_for)
        return
    where = (f"{torch.cuda.get_device_name()}" if cuda else
             f"CPU, {torch.get_num_threads()} torch threads")
    print(f"selective_state_update, batch 1, d={d}, N={N}, {args.dtype}, "
          f"{where}, {args.calls} calls")
    rows = []

    ours = lambda: selective_state_update(state, x, dt, A, B, C, D, z,
                                          dt_bias, True)
    rows.append(("mamba_mlir", timings(ours, args.calls, cuda)))
    if args.peer:
        sys.path.insert(0, args.peer)
        try:
            from mamba_ssm.ops.triton.selective_state_update import \
                selective_state_update as peer_update
        except ImportError as error:
            print(f"mamba_ssm's Triton kernel unavailable: {error}")
        else:
            peer = lambda: peer_update(state, x, dt, A, B, C, D, z, dt_bias,
                                       True)
            rows.append(("mamba_ssm Triton", timings(peer, args.calls, cuda)))
            s1, s2 = start_state.clone(), start_state.clone()
            a = selective_state_update(s1, x, dt, A, B, C, D, z, dt_bias, True)
            b = peer_update(s2, x, dt, A, B, C, D, z, dt_bias, True)
            diff = lambda p, q: float((p.double() - q.double()).norm() /
                                      q.double().norm())
            print(f"outputs: rel L2 {diff(a, b):.2e}, states {diff(s1, s2):.2e}")
    print("| kernel | first call ms | median per call us | per call in a "
          "synchronized run us |")
    print("|---|---|---|---|")
    for name, (first, median, run) in rows:
        print(f"| {name} | {first * 1e3:.1f} | {median * 1e6:.1f} | "
              f"{run * 1e6:.1f} |")


if __name__ == "__main__":
    main()
