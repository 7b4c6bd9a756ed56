#!/usr/bin/env python3
"""Replays mamba-tune's searches on recorded times.

A trials file of an exhaustive run (DB.trials: every candidate measured on
every bucket) holds the whole landscape, so a search can be replayed
without a GPU: each "measurement" is a look-up. Prints, per bucket, how
many candidates each search measured and how far its pick is from the
exhaustive best; the issue's target is within 5% after at most 20% of the
candidates.

  bench/replay-search.py bench/data/h100-scan-exhaustive.trials

Searches:
  neighbors  mamba-tune --search neighbors (TuneRunner.cpp): from the
             default, measure the neighbours of the current candidate (one
             parameter one step away), move to each better one as found,
             repeat while it moves.
  guided     mamba-tune --search guided (Search.h, TuneRunner.cpp): the
             default and the tilings that won elsewhere in the database
             (same signature first, then by bucket distance; at most half
             the cap), then the neighbours climb from the best of them, at
             most a fifth of the candidates in all. Replayed twice: seeded
             by the winners of the other signatures' buckets only (a new
             model size tuned with a database of the others, say), and by
             the winners of every other bucket.
  model      a sketch, not in mamba-tune: a balanced start (the default,
             then greedily the candidates that add parameter values not yet
             seen), then fit log time as a sum of one term per parameter
             value (ridge), measure the predicted best unmeasured candidate,
             stop after two in a row that do not improve or at 20%.
"""
import itertools
import math
import re
import sys
from collections import defaultdict

import numpy as np

NAME = re.compile(r"cb(\d+)_s(\d+)_t(\d+)_q(\d+)$")


def load(path):
    buckets = defaultdict(dict)
    for line in open(path):
        fields = line.split()
        if len(fields) < 5 or fields[1] != "1":
            continue
        target, scan, bucket, name = fields[0].split("/")
        match = NAME.match(name)
        if not match:
            continue  # another op's trial (ssd_scan): not replayed
        config = tuple(int(x) for x in match.groups())
        times = buckets[(scan, bucket)]
        times[config] = min(float(fields[2]), times.get(config, float("inf")))
    return buckets


def axes_of(times):
    return [sorted({c[a] for c in times}) for a in range(4)]


def neighbours(config, axes):
    out = []
    for a, values in enumerate(axes):
        i = values.index(config[a])
        for j in (i - 1, i + 1):
            if 0 <= j < len(values):
                n = list(config)
                n[a] = values[j]
                out.append(tuple(n))
    return out


def search_neighbors(times, default):
    axes = axes_of(times)
    seen = {default: times[default]}
    at, moved = default, True
    while moved:
        moved = False
        for n in neighbours(at, axes):
            if n not in times:
                continue
            seen.setdefault(n, times[n])
            if seen[n] < seen[at]:
                at, moved = n, True
    return at, len(seen)


def bucket_distance(a, b):
    (ba, la), (bb, lb) = (map(int, x.split("x")) for x in (a, b))
    return (abs(math.log2(ba * la / (bb * lb))), abs(math.log2(ba / bb)))


def search_guided(times, default, known, scan, bucket):
    """known: {(scan, bucket): winning config} of the database."""
    axes = axes_of(times)
    cap = max(4, len(times) // 5)
    order = sorted(known, key=lambda k: (k[0] != scan,
                                         bucket_distance(k[1], bucket)))
    seeds = []
    for k in order:
        c = known[k]
        if len(seeds) < cap // 2 and c != default and c not in seeds:
            seeds.append(c)
    seen = {}
    for c in [default] + seeds:
        if len(seen) < cap:
            seen[c] = times[c]
    at = min(seen, key=seen.get)
    moved = True
    while moved:
        moved = False
        for n in neighbours(at, axes):
            if len(seen) >= cap:
                break
            if n not in times:
                continue
            seen.setdefault(n, times[n])
            if seen[n] < seen[at]:
                at, moved = n, True
    return min(seen, key=seen.get), len(seen)


def search_model(times, default, cap):
    axes = axes_of(times)
    candidates = sorted(times)
    levels = [(a, v) for a in range(4) for v in axes[a][1:]]

    def features(c):
        return [1.0] + [1.0 if c[a] == v else 0.0 for a, v in levels]

    seen = {default: times[default]}
    covered = {(a, default[a]) for a in range(4)}
    while len(covered) < sum(len(v) for v in axes):
        pick = max((c for c in candidates if c not in seen),
                   key=lambda c: sum((a, c[a]) not in covered
                                     for a in range(4)))
        seen[pick] = times[pick]
        covered |= {(a, pick[a]) for a in range(4)}
    X = np.array([features(c) for c in candidates])
    stale = 0
    while len(seen) < cap and stale < 2:
        A = np.array([features(c) for c in seen])
        y = np.log([seen[c] for c in seen])
        w = np.linalg.solve(A.T @ A + 0.1 * np.eye(A.shape[1]), A.T @ y)
        order = np.argsort(X @ w)
        nxt = next((candidates[i] for i in order
                    if candidates[i] not in seen), None)
        if nxt is None:
            break
        best = min(seen.values())
        seen[nxt] = times[nxt]
        stale = 0 if seen[nxt] < best else stale + 1
    return min(seen, key=seen.get), len(seen)


def main():
    buckets = load(sys.argv[1])
    default = (64, 16, 16, 1)
    print("| scan | bucket | candidates | exhaustive best | search | "
          "measured | share | pick / best |")
    print("|---|---|---|---|---|---|---|---|")
    summary = defaultdict(list)
    winners = {k: min(t, key=t.get) for k, t in buckets.items()}
    for (scan, bucket), times in buckets.items():
        best = min(times, key=times.get)
        cap = max(1, len(times) // 5)
        others = {k: w for k, w in winners.items() if k[0] != scan}
        rest = {k: w for k, w in winners.items() if k != (scan, bucket)}
        for name, run in (("neighbors", lambda: search_neighbors(times,
                                                                 default)),
                          ("guided, other signatures", lambda: search_guided(
                              times, default, others, scan, bucket)),
                          ("guided, other buckets", lambda: search_guided(
                              times, default, rest, scan, bucket)),
                          ("model", lambda: search_model(times, default,
                                                         cap))):
            pick, measured = run()
            ratio = times[pick] / times[best]
            summary[name].append((measured / len(times), ratio))
            print(f"| {scan} | {bucket} | {len(times)} | "
                  "cb{}_s{}_t{}_q{}".format(*best) + f" | {name} | "
                  f"{measured} | {measured / len(times):.0%} | {ratio:.3f} |")
    for name, rows in summary.items():
        met = sum(share <= 0.2 and ratio <= 1.05 for share, ratio in rows)
        print(f"{name}: target met on {met} of {len(rows)} buckets; "
              f"worst pick {max(r for _, r in rows):.3f} of the best, "
              f"most measured {max(s for s, _ in rows):.0%}")


if __name__ == "__main__":
    main()
