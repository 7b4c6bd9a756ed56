"""Per-call time of mamba_mlir.ops.selective_state_update from Python at
batch 1 (a decode step's shape, where the call's overhead is most of the
time), on torch CPU tensors: the median of many calls after a warm-up, the
first call (compiling the shape class, or loading it from the cache) timed
apart. Issue 16 asks for this figure; mamba_ssm's Triton kernel took 50-117
us per call from Python on an H100.

    PYTHONPATH=build/python /usr/bin/python3 bench/python-op-overhead.py \\
        [--d 1536] [--n 16] [--calls 2000]
"""

import argparse
import statistics
import time

import torch

from mamba_mlir.ops import selective_state_update


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--d", type=int, default=1536)
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    d, N = args.d, args.n
    g = torch.Generator().manual_seed(0)
    state = torch.randn(1, d, N, generator=g)
    x, dt, z = (torch.randn(1, d, generator=g) for _ in range(3))
    A = -torch.exp(torch.randn(d, N, generator=g))
    B, C = torch.randn(1, N, generator=g), torch.randn(1, N, generator=g)
    D, dt_bias = torch.randn(d, generator=g), torch.randn(d, generator=g)
    call = lambda: selective_state_update(state, x, dt, A, B, C, D, z,
                                          dt_bias, True)
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    for _ in range(50):
        call()
    times = []
    for _ in range(args.calls):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    print(f"selective_state_update, batch 1, d={d}, N={N}, f32, torch CPU "
          f"tensors, {torch.get_num_threads()} torch threads: first call "
          f"{first * 1e3:.1f} ms; then median {statistics.median(times) * 1e6:.1f} "
          f"us, p10 {sorted(times)[len(times) // 10] * 1e6:.1f} us over "
          f"{args.calls} calls")


if __name__ == "__main__":
    main()
