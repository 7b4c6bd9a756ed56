"""The same-card table of the Mamba-1 scan: mamba_ssm's selective_scan_fwd
(scan-peer.json, from scan_peer.py) against our best configuration per row
(scan-ours.md and scan-ours.log, from mamba-bench-scan), both from one call.

    python3 bench/peer/table.py OUT_DIR

The floor is PERFORMANCE.md's: the larger of the bytes 2(4bdL + 2bNL) over
the copy bandwidth mamba-bench-scan measured in the same call and bdLN
exponentials over the MUFU rate it printed (16 per clock per SM).
"""

import json
import os
import re
import sys

N = 16


def main():
    out = sys.argv[1]
    peer = json.load(open(os.path.join(out, "scan-peer.json")))
    md = open(os.path.join(out, "scan-ours.md")).read()
    log = open(os.path.join(out, "scan-ours.log")).read()
    copy_bw = float(re.search(r"copy bandwidth ([0-9.e+]+) GB/s", md)
                    .group(1)) * 1e9
    exp_rate = float(re.search(r"exp rate ([0-9.e+]+) /s", log).group(1))
    ours = {}
    for line in md.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 12 or not cells[0].isdigit():
            continue
        key = tuple(int(c) for c in cells[:3])
        ms, err = float(cells[4]), float(cells[11])
        if err > 1e-2:
            continue  # a wrong kernel's time is no result
        if key not in ours or ms < ours[key][0]:
            ours[key] = (ms, cells[3])
    print(f"copy bandwidth {copy_bw / 1e9:.0f} GB/s (mamba-bench-scan), "
          f"{peer['copy_bandwidth'] / 1e9:.0f} GB/s (torch); "
          f"exp rate {exp_rate:.3g}/s\n")
    print("| b | d | L | public ms | ours best ms | config | ours vs public | "
          "% of floor (ours) | % of floor (public) | public rel L2 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in peer["rows"]:
        b, d, L = r["b"], r["d"], r["L"]
        floor = 1e3 * max(2.0 * (4 * b * d * L + 2 * b * N * L) / copy_bw,
                          b * d * L * N / exp_rate)
        pub = r["median_ms"]
        flag = "" if r["ok"] else " WRONG"
        if not r["gpu_behind_host"]:
            flag += " (host gaps?)"
        if (b, d, L) not in ours:
            print(f"| {b} | {d} | {L} | {pub:.4f} | - | - | - | - | "
                  f"{100 * floor / pub:.0f}% | {r['rel_l2']:.1e}{flag} |")
            continue
        ms, config = ours[(b, d, L)]
        print(f"| {b} | {d} | {L} | {pub:.4f} | {ms:.4f} | {config} | "
              f"{pub / ms:.2f}x | {100 * floor / ms:.0f}% | "
              f"{100 * floor / pub:.0f}% | {r['rel_l2']:.1e}{flag} |")


if __name__ == "__main__":
    main()
