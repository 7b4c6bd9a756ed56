#!/usr/bin/python3
"""Times PyTorch's CPU reference formula of the selective scan.

The formula is mamba_ssm's selective_scan_ref (written again here, not
imported: mamba_ssm needs CUDA to install): softplus(delta + bias), exp(dt A)
and dt B u for every (b, d, t, n) at once, then a Python loop over time of
h = dA_t * h + dBu_t and y_t = <C_t, h>, then D and the SiLU gate. f32, as
the reference computes. It is what a CPU user of mamba_ssm runs, so it is
the baseline the compiled CPU scan is compared with (bench/cpu-scan.sh).

Run with Debian's interpreter and python3-torch (apt-get install
python3-torch):

    /usr/bin/python3 bench/scan-ref-torch.py --threads 2 --runs 3 \\
        --rows "1,1536,2048;4,1536,512" --out torch.txt

Writes one line per row, "b d L seconds" (the median of the runs), to --out
and a readable line per row to stdout.
"""

import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

STATES = 16


def scan_formula(u, delta, A, B, C, D, z, delta_bias):
    """y of the scan; B and C are (b, 1, N, L): one group."""
    batch, dim, length = u.shape
    dt = F.softplus(delta + delta_bias[:, None])
    # (b, d, L, N): every exponential and input term before the recurrence.
    dA = torch.exp(dt[..., None] * A[:, None, :])
    dBu = (dt * u)[..., None] * B[:, 0].transpose(1, 2)[:, None]
    Ct = C[:, 0]
    h = u.new_zeros(batch, dim, A.shape[1])
    ys = []
    for t in range(length):
        h = dA[:, :, t] * h + dBu[:, :, t]
        ys.append(torch.einsum("bdn,bn->bd", h, Ct[:, :, t]))
    y = torch.stack(ys, dim=2) + u * D[:, None]
    return y * F.silu(z)


def make_inputs(b, d, L, generator):
    """The ranges of a trained model, as the C++ benchmarks draw them."""

    def uniform(shape, lo, hi):
        return torch.rand(shape, generator=generator) * (hi - lo) + lo

    return dict(
        u=uniform((b, d, L), -1.7, 1.7),
        delta=uniform((b, d, L), -1.0, 1.0),
        A=-torch.exp(uniform((d, STATES), math.log(0.5), math.log(16.0))),
        B=uniform((b, 1, STATES, L), -1.7, 1.7),
        C=uniform((b, 1, STATES, L), -1.7, 1.7),
        D=uniform((d,), -1.7, 1.7),
        z=uniform((b, d, L), -1.7, 1.7),
        delta_bias=uniform((d,), -6.9, -2.25),
    )


def scan_by_element(u, delta, A, B, C, D, z, delta_bias):
    """The scan one element at a time in float64: checks scan_formula."""
    u, delta, A, B, C, D, z, delta_bias = (
        t.double() for t in (u, delta, A, B, C, D, z, delta_bias))
    batch, dim, length = u.shape
    y = torch.zeros(batch, dim, length, dtype=torch.float64)
    for bi in range(batch):
        for c in range(dim):
            h = [0.0] * A.shape[1]
            for t in range(length):
                dt = math.log1p(math.exp(delta[bi, c, t] + delta_bias[c]))
                acc = 0.0
                for n in range(A.shape[1]):
                    h[n] = (math.exp(dt * A[c, n]) * h[n] +
                            dt * B[bi, 0, n, t] * u[bi, c, t])
                    acc += C[bi, 0, n, t] * h[n]
                acc += D[c] * u[bi, c, t]
                y[bi, c, t] = acc * z[bi, c, t] / (1 + math.exp(-z[bi, c, t]))
    return y


def others_share(since):
    """The share of the cores other processes used since `since`, a
    (wall, machine busy, own CPU) triple from cpu_time(): the machine may be
    shared, and other work on its cores slows the formula down."""
    now = cpu_time()
    others = (now[1] - since[1]) - (now[2] - since[2])
    return max(0.0, others) / ((now[0] - since[0]) * os.cpu_count())


def cpu_time():
    """Wall time, all cores' busy time (/proc/stat, steal counted) and this
    process's CPU time, in seconds."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:9]]
    user, nice, system, _, _, irq, softirq, steal = ticks
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf(
        "SC_CLK_TCK")
    own = os.times()
    return time.perf_counter(), busy, own.user + own.system


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default="1,1536,2048;4,1536,512;1,5120,2048",
                        help='"b,d,L;..." (default: the issue-15 rows)')
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", help='file for "b d L seconds" lines')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(0)

    small = make_inputs(2, 3, 37, generator)
    got = scan_formula(**small).double()
    want = scan_by_element(**small)
    error = ((got - want).norm() / want.norm()).item()
    if not error <= 1e-5:
        sys.exit(f"scan-ref-torch: the formula is off by {error:.2e} "
                 "(relative L2) against the element loop")

    lines = []
    for row in args.rows.split(";"):
        b, d, L = (int(v) for v in row.split(","))
        inputs = make_inputs(b, d, L, generator)
        before = cpu_time()
        with torch.no_grad():
            scan_formula(**inputs)  # warm-up: the allocator, the thread pool
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                scan_formula(**inputs)
                times.append(time.perf_counter() - start)
        seconds = sorted(times)[len(times) // 2]
        print(f"torch formula b={b} d={d} L={L}: {seconds:.3f} s, "
              f"{b * d * L * STATES / seconds:.3g} state updates/s "
              f"({args.threads} threads, torch {torch.__version__}, "
              f"rel L2 {error:.1e} vs the element loop; other processes "
              f"used {100 * others_share(before):.0f}% of the cores)",
              flush=True)
        lines.append(f"{b} {d} {L} {seconds:.6f}\n")
    if args.out:
        with open(args.out, "w") as out:
            out.writelines(lines)


if __name__ == "__main__":
    main()
