"""Builds mamba_ssm's CUDA selective_scan_fwd from a fetched source folder
and times it at PERFORMANCE.md's selective-scan shapes.

    python3 bench/peer/scan_peer.py --src gpu-carry/peer-src/mamba \
        --build gpu-carry/peer-build --out OUT/scan-peer.json

The problem is mamba-bench-scan's (bench/ScanBench.cpp, ScanInputs.h): bf16
u, delta, z, B, C and y; f32 A, D and delta_bias; N = 16, one group,
softplus, z gating, D skip; values drawn from the same ranges; as many input
sets as keep each launch's inputs out of the L2 (4x, at most 64); 100 timed
calls, median. The peer's y is its gated output (out_z). Before a row is
timed, the peer's y on that row's first input set is compared with a
float64 recurrence in torch (relative L2; bf16 limit 1e-2).
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

# PERFORMANCE.md's selective-scan set, in its order.
ROWS = [(1, 1536, 2048), (8, 1536, 2048), (16, 1536, 2048), (4, 4096, 2048),
        (1, 5120, 16384), (64, 1536, 512), (1, 1536, 128)]
N = 16

# Upstream's setup.py nvcc flags, for sm_90 only (the card's chip).
NVCC_FLAGS = ["-O3", "-std=c++17",
              "-U__CUDA_NO_HALF_OPERATORS__", "-U__CUDA_NO_HALF_CONVERSIONS__",
              "-U__CUDA_NO_BFLOAT16_OPERATORS__",
              "-U__CUDA_NO_BFLOAT16_CONVERSIONS__",
              "-U__CUDA_NO_BFLOAT162_OPERATORS__",
              "-U__CUDA_NO_BFLOAT162_CONVERSIONS__",
              "--expt-relaxed-constexpr", "--expt-extended-lambda",
              "--use_fast_math", "-lineinfo",
              "-gencode=arch=compute_90,code=sm_90"]


def build(src, build_dir):
    from torch.utils.cpp_extension import load
    csrc = os.path.join(os.path.abspath(src), "csrc", "selective_scan")
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(build_dir, exist_ok=True)
    # All three input types: upstream's binding dispatches over them.
    sources = [os.path.join(here, "selective_scan_binding.cpp")] + [
        os.path.join(csrc, f"selective_scan_fwd_{t}.cu")
        for t in ("bf16", "fp16", "fp32")]
    t0 = time.time()
    ext = load(name="selective_scan_peer", sources=sources,
               extra_cflags=["-O3", "-std=c++17"],
               extra_cuda_cflags=NVCC_FLAGS, extra_include_paths=[csrc],
               build_directory=os.path.abspath(build_dir), verbose=False)
    return ext, time.time() - t0


def make_set(b, d, L, seed):
    g = torch.Generator(device="cuda")
    g.manual_seed(seed)
    bf, f32 = torch.bfloat16, torch.float32
    u = peerlib.uniform((b, d, L), -1.7, 1.7, bf, g)
    delta = peerlib.uniform((b, d, L), -1.0, 1.0, bf, g)
    A = -torch.exp(peerlib.uniform((d, N), math.log(0.5), math.log(16.0), f32, g))
    B = peerlib.uniform((b, 1, N, L), -1.7, 1.7, bf, g)
    C = peerlib.uniform((b, 1, N, L), -1.7, 1.7, bf, g)
    D = peerlib.uniform((d,), -1.7, 1.7, f32, g)
    z = peerlib.uniform((b, d, L), -1.7, 1.7, bf, g)
    delta_bias = peerlib.uniform((d,), -6.9, -2.25, f32, g)
    return u, delta, A, B, C, D, z, delta_bias


def reference(u, delta, A, B, C, D, z, delta_bias):
    """y of the selective scan in float64, one timestep at a time."""
    u, delta, A, B, C, D, z, delta_bias = (
        t.double() for t in (u, delta, A, B, C, D, z, delta_bias))
    dt = F.softplus(delta + delta_bias[:, None])
    b, d, L = u.shape
    h = torch.zeros(b, d, N, dtype=torch.float64, device=u.device)
    y = torch.empty(b, d, L, dtype=torch.float64, device=u.device)
    for t in range(L):
        h = torch.exp(dt[:, :, t, None] * A) * h + \
            (dt[:, :, t] * u[:, :, t])[:, :, None] * B[:, 0, None, :, t]
        y[:, :, t] = (h * C[:, 0, None, :, t]).sum(-1)
    y = y + D[:, None] * u
    return y * F.silu(z)


def run(ext, rows, runs):
    results = []
    for b, d, L in rows:
        set_bytes = 2.0 * (4 * b * d * L + 2 * b * N * L)
        nsets = peerlib.rotation_sets(set_bytes)
        sets = [make_set(b, d, L, 1000 + s) for s in range(nsets)]
        # Check: a freed NaN block of y's size first, so that an element
        # the kernel leaves unwritten shows (the caching allocator hands the
        # block to the kernel's outputs).
        torch.full((3 * b * d * L,), float("nan"), dtype=torch.bfloat16,
                   device="cuda")
        out, _, out_z = ext.fwd(*sets[0], True)
        err = peerlib.rel_l2(out_z, reference(*sets[0]))
        calls = [lambda s=s: ext.fwd(*s, True) for s in sets]
        t = peerlib.time_calls(calls, runs=runs)
        r = {"b": b, "d": d, "L": L, "sets": nsets, "rel_l2": err,
             "ok": err <= 1e-2, **t}
        print(json.dumps(r), flush=True)
        results.append(r)
        del sets, calls, out, out_z
        torch.cuda.empty_cache()
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=100)
    args = ap.parse_args()
    ext, build_s = build(args.src, args.build)
    print(f"built selective_scan_peer in {build_s:.0f} s", flush=True)
    bw = peerlib.copy_bandwidth()
    print(f"copy bandwidth {bw / 1e9:.0f} GB/s", flush=True)
    rows = run(ext, ROWS, args.runs)
    with open(args.out, "w") as f:
        json.dump({"device": peerlib.device_summary(), "build_s": build_s,
                   "copy_bandwidth": bw, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
