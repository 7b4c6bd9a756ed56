"""What the peer benchmarks share: timing, the card's ceilings, rotation.

The public kernels are called from Python, whose per-call overhead (tens of
microseconds for the CUDA scan, hundreds for the five Triton launches of the
SSD) can exceed their GPU time. Events recorded around a call measure that
overhead too when the GPU waits for the host, so every timed batch is
queued behind a sleep kernel long enough for the host to enqueue all of it:
each event pair then brackets GPU work only. `behind` reports whether the
sleep was still running when the last call was queued (if not, the times
may include host gaps and are flagged).
"""

import math
import time

import torch


def rotation_sets(set_bytes, l2_bytes=None):
    """How many input sets keep each launch's inputs out of the L2: more
    than 4x its size, at most 64 (as mamba-bench-scan does)."""
    if l2_bytes is None:
        l2_bytes = torch.cuda.get_device_properties(0).L2_cache_size
    return int(min(64, math.ceil(4.0 * l2_bytes / set_bytes)))


def time_calls(calls, runs=100, warmup=5):
    """Median and minimum GPU ms of `runs` calls, rotating over `calls`
    (one closure per input set), plus the host's wall ms per call."""
    for i in range(warmup):
        calls[i % len(calls)]()
    torch.cuda.synchronize()
    # Host time per call, back to back: sizes the sleep below, and is what
    # a caller from eager Python pays when the GPU time is smaller.
    t0 = time.perf_counter()
    wall_runs = 20
    for i in range(wall_runs):
        calls[i % len(calls)]()
    torch.cuda.synchronize()
    wall_ms = (time.perf_counter() - t0) * 1e3 / wall_runs

    starts = [torch.cuda.Event(enable_timing=True) for _ in range(runs)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(runs)]
    slept = torch.cuda.Event()
    # Cycles at up to 2 GHz for 1.5x the host's enqueue time, plus 10 ms.
    torch.cuda._sleep(int(2e9 * (1.5 * runs * wall_ms * 1e-3 + 0.01)))
    slept.record()
    for i in range(runs):
        starts[i].record()
        calls[i % len(calls)]()
        ends[i].record()
    behind = not slept.query()
    torch.cuda.synchronize()
    ms = sorted(s.elapsed_time(e) for s, e in zip(starts, ends))
    return {"median_ms": ms[len(ms) // 2], "min_ms": ms[0],
            "wall_ms_per_call": wall_ms, "gpu_behind_host": behind,
            "runs": runs}


def copy_bandwidth(nbytes=1 << 30, runs=20):
    """Device-to-device copy, bytes read plus written over the median time,
    in bytes per second (the same measure as mamba-bench-scan's)."""
    src = torch.empty(nbytes, dtype=torch.uint8, device="cuda").fill_(1)
    dst = torch.empty_like(src)
    dst.copy_(src)
    ev = [torch.cuda.Event(enable_timing=True) for _ in range(runs + 1)]
    ev[0].record()
    for i in range(runs):
        dst.copy_(src)
        ev[i + 1].record()
    torch.cuda.synchronize()
    ms = sorted(ev[i].elapsed_time(ev[i + 1]) for i in range(runs))
    del src, dst
    return 2.0 * nbytes / (ms[len(ms) // 2] * 1e-3)


def bf16_matmul_rate(n=8192, runs=20):
    """FLOP/s of an n^3 bf16 product on random data (torch's cuBLAS)."""
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    ev = [torch.cuda.Event(enable_timing=True) for _ in range(runs + 1)]
    ev[0].record()
    for i in range(runs):
        a @ b
        ev[i + 1].record()
    torch.cuda.synchronize()
    ms = sorted(ev[i].elapsed_time(ev[i + 1]) for i in range(runs))
    return 2.0 * n ** 3 / (ms[len(ms) // 2] * 1e-3)


def rel_l2(out, ref):
    """||out - ref|| / ||ref|| in float64; inf when out has a NaN (an
    element the kernel did not write, or a wrong one)."""
    out, ref = out.double(), ref.double()
    if not torch.isfinite(out).all():
        return float("inf")
    return ((out - ref).norm() / ref.norm()).item()


def uniform(shape, lo, hi, dtype, gen):
    x = torch.rand(shape, device="cuda", dtype=torch.float32, generator=gen)
    return (x * (hi - lo) + lo).to(dtype)


def device_summary():
    p = torch.cuda.get_device_properties(0)
    return {"name": p.name, "sms": p.multi_processor_count,
            "l2_bytes": p.L2_cache_size,
            "memory_gib": p.total_memory / 2 ** 30,
            "torch": torch.__version__, "cuda": torch.version.cuda}
