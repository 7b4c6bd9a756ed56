"""Times mamba_ssm's Triton Mamba-2 SSD forward, mamba_chunk_scan_combined,
from a fetched source folder (its mamba_ssm/ops/triton files and the two
utils modules they import; no package install, no compiled extension).

    python3 bench/peer/ssd_peer.py --src gpu-carry/peer-src/mamba --out F.json

The problem is PERFORMANCE.md's Mamba-2 row: bf16 x, B, C, dt, z and y; f32
A (per head), D (per head) and dt_bias; chunk 256, softplus, D and z on, one
group, N = 128, P = 64. Each shape is checked first (the whole timed
problem, against a float64 recurrence in torch; bf16 limit 1e-2), then
timed: GPU time of the whole call (its five kernels; events around each
call, queued behind a sleep so host gaps stay out), the host's wall time
per call, and the first call's time (Triton's autotuning; with --tune-each
redone at each shape, see reset_autotuning). The floor is
PERFORMANCE.md's: bytes (x, B, C, dt, z read once, y written once) over the
copy bandwidth, FLOPs of the chunked algorithm 2 b L H (Q (N + P) + 2 N P)
over the bf16 matrix rate, both measured in this run; the larger counts.
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

P, N, G, CHUNK = 64, 128, 1, 256
# (name, heads, batch, length): mamba2-130m (H = 24) and mamba2-2.7b (H = 80).
SHAPES = [("mamba2-130m", 24, 1, 2048), ("mamba2-130m", 24, 8, 2048),
          ("mamba2-2.7b", 80, 1, 2048), ("mamba2-2.7b", 80, 8, 2048),
          ("mamba2-130m", 24, 1, 16384)]


def make_set(H, b, L, seed):
    g = torch.Generator(device="cuda")
    g.manual_seed(seed)
    bf, f32 = torch.bfloat16, torch.float32
    x = peerlib.uniform((b, L, H, P), -1.7, 1.7, bf, g)
    dt = peerlib.uniform((b, L, H), -1.0, 1.0, bf, g)
    # Mamba2's initialization: A = -exp(A_log), A in [-16, -1]; dt_bias the
    # inverse softplus of dt in [0.001, 0.1].
    A = -torch.exp(peerlib.uniform((H,), 0.0, math.log(16.0), f32, g))
    B = peerlib.uniform((b, L, G, N), -1.7, 1.7, bf, g)
    C = peerlib.uniform((b, L, G, N), -1.7, 1.7, bf, g)
    D = peerlib.uniform((H,), -1.7, 1.7, f32, g)
    z = peerlib.uniform((b, L, H, P), -1.7, 1.7, bf, g)
    dt_bias = peerlib.uniform((H,), -6.9, -2.25, f32, g)
    return x, dt, A, B, C, D, z, dt_bias


def reference(x, dt, A, B, C, D, z, dt_bias):
    """y of the SSD scan in float64, one timestep at a time (one group)."""
    x, dt, A, B, C, D, z, dt_bias = (
        t.double() for t in (x, dt, A, B, C, D, z, dt_bias))
    b, L, H, _ = x.shape
    dt = F.softplus(dt + dt_bias)                       # (b, L, H)
    h = torch.zeros(b, H, P, N, dtype=torch.float64, device=x.device)
    y = torch.empty(b, L, H, P, dtype=torch.float64, device=x.device)
    for t in range(L):
        dA = torch.exp(dt[:, t] * A)                    # (b, H)
        h = h * dA[:, :, None, None] + \
            (dt[:, t, :, None] * x[:, t])[..., None] * B[:, t, 0, None, None, :]
        y[:, t] = (h * C[:, t, 0, None, None, :]).sum(-1)
    y = y + D[:, None] * x
    return y * F.silu(z)


def reset_autotuning():
    """Forgets the configs Triton's autotuner chose, so that the next call
    tunes at its own shape. The autotune keys hold chunk, hdim, dstate,
    nheads, not batch or length: in one process every later shape would
    otherwise run the configs tuned at the first. Returns how many
    autotuned kernels were reset."""
    from triton.runtime.autotuner import Autotuner
    count = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("mamba_ssm.ops.triton.ssd"):
            continue
        for obj in vars(module).values():
            while obj is not None and not isinstance(obj, Autotuner):
                obj = getattr(obj, "fn", None)  # through heuristics wrappers
            if obj is not None:
                obj.cache.clear()  # Triton 3.x: the chosen config per key
                count += 1
    return count


def floor_ms(H, b, L, copy_bw, mm_rate):
    nbytes = 2.0 * b * L * (3 * H * P + 2 * G * N + H)
    flops = 2.0 * b * L * H * (CHUNK * (N + P) + 2 * N * P)
    return {"bytes": nbytes, "flops": flops,
            "memory_floor_ms": 1e3 * nbytes / copy_bw,
            "flop_floor_ms": 1e3 * flops / mm_rate}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=100)
    # Off by default: the recorded H200 numbers (bench/RESULTS.md) kept the
    # configs the first shape tuned; this option has not yet run on a GPU.
    ap.add_argument("--tune-each", action="store_true",
                    help="autotune again at each shape (reset_autotuning)")
    args = ap.parse_args()
    sys.path.insert(0, os.path.abspath(args.src))
    import triton
    from mamba_ssm.ops.triton.ssd_combined import mamba_chunk_scan_combined

    copy_bw = peerlib.copy_bandwidth()
    mm_rate = peerlib.bf16_matmul_rate()
    print(f"triton {triton.__version__}; copy bandwidth {copy_bw / 1e9:.0f} "
          f"GB/s; bf16 8192^3 product {mm_rate / 1e12:.0f} TFLOP/s",
          flush=True)

    def call(s):
        x, dt, A, B, C, D, z, dt_bias = s
        return mamba_chunk_scan_combined(x, dt, A, B, C, CHUNK, D=D, z=z,
                                         dt_bias=dt_bias, dt_softplus=True)

    rows = []
    with torch.no_grad():
        for name, H, b, L in SHAPES:
            set_bytes = 2.0 * b * L * (3 * H * P + 2 * G * N + H)
            nsets = peerlib.rotation_sets(set_bytes)
            sets = [make_set(H, b, L, 2000 + s) for s in range(nsets)]
            reset = reset_autotuning() if args.tune_each else 0
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            y = call(sets[0])            # autotunes at the first call per key
            torch.cuda.synchronize()
            first_s = time.perf_counter() - t0
            err = peerlib.rel_l2(y, reference(*sets[0]))
            t = peerlib.time_calls([lambda s=s: call(s) for s in sets],
                                   runs=args.runs)
            fl = floor_ms(H, b, L, copy_bw, mm_rate)
            floor = max(fl["memory_floor_ms"], fl["flop_floor_ms"])
            r = {"model": name, "H": H, "P": P, "N": N, "G": G, "b": b,
                 "L": L, "chunk": CHUNK, "sets": nsets, "rel_l2": err,
                 "ok": err <= 1e-2, "first_call_s": first_s,
                 "autotuners_reset": reset, **t, **fl,
                 "floor_ms": floor, "floor_fraction": floor / t["median_ms"]}
            print(json.dumps(r), flush=True)
            rows.append(r)
            del sets, y
            torch.cuda.empty_cache()
    with open(args.out, "w") as f:
        json.dump({"device": peerlib.device_summary(),
                   "triton": triton.__version__, "copy_bandwidth": copy_bw,
                   "bf16_matmul_rate": mm_rate, "rows": rows}, f, indent=1)
    print("\n| model | H | b | L | GPU ms (median) | min | wall ms/call | "
          "first call s | floor ms (mem / flop) | % of floor | rel L2 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['H']} | {r['b']} | {r['L']} | "
              f"{r['median_ms']:.4f} | {r['min_ms']:.4f} | "
              f"{r['wall_ms_per_call']:.3f} | {r['first_call_s']:.1f} | "
              f"{r['memory_floor_ms']:.4f} / {r['flop_floor_ms']:.4f} | "
              f"{100 * r['floor_fraction']:.0f}% | {r['rel_l2']:.1e}"
              f"{'' if r['ok'] else ' WRONG'}"
              f"{'' if r['gpu_behind_host'] else ' (host gaps?)'} |")


if __name__ == "__main__":
    main()
