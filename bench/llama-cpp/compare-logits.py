#!/usr/bin/env python3
"""Compares two logits dumps (raw float32 [positions, vocab], as
mamba-run --dump-logits and llama-greedy write them for batch 1): the
largest difference, the same over the logits' spread, and at how many
positions the argmax agrees. Exits 1 if the largest difference exceeds
--tolerance times the spread (the argmax may differ at near-ties in
bf16, so it only informs).

  compare-logits.py OURS THEIRS VOCAB [--tolerance 1e-3]
"""
import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("ours")
    parser.add_argument("theirs")
    parser.add_argument("vocab", type=int)
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    ours = np.fromfile(args.ours, np.float32).reshape(-1, args.vocab)
    theirs = np.fromfile(args.theirs, np.float32).reshape(-1, args.vocab)
    if ours.shape != theirs.shape:
        sys.exit(f"{ours.shape[0]} positions against {theirs.shape[0]}")
    diff = np.abs(ours.astype(np.float64) - theirs).max()
    # Relative to the logits' spread: random-weight logits are small, so
    # an absolute bound would mean something different per model.
    spread = ours.std()
    same = (ours.argmax(1) == theirs.argmax(1)).sum()
    relative = diff / spread
    print(f"{ours.shape[0]} positions: max |diff| {diff:.3g} "
          f"({relative:.3g} of the logits' std {spread:.3g}), "
          f"argmax equal at {same}/{ours.shape[0]}")
    sys.exit(0 if relative <= args.tolerance else 1)


if __name__ == "__main__":
    main()
