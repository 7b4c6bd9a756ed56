"""mamba_mlir.load / Model with a Mamba-2 model on the CPU: the same calls
as for Mamba-1 (issue 21: `load` and `generate` work unchanged), against
the golden tiny Mamba-2 model's float64 logits and tokens."""


import json
import subprocess

import numpy as np
import pytest

import mamba_mlir

from conftest import ROOT, relative_l2, tool

GOLDEN2 = ROOT / "test" / "data" / "golden" / "model-tiny-mamba2"


@pytest.fixture(scope="module")
def golden2():
    with open(GOLDEN2 / "expected.json") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def model2(tmp_path_factory):
    out = tmp_path_factory.mktemp("modules") / "tiny-mamba2-cpu.mmod"
    subprocess.run([str(tool("mamba-compile")), str(GOLDEN2), "-o", str(out),
                    "--target", "cpu"], check=True)
    return mamba_mlir.load(out, GOLDEN2, device="cpu", threads=2)


def test_prefill_matches_the_float64_forward(model2, golden2):
    want = np.array(golden2["logits"]["data"]).reshape(
        golden2["logits"]["shape"])
    every = model2.prefill(golden2["prompt"], all_positions=True)
    assert every.shape == tuple(golden2["logits"]["shape"])
    assert relative_l2(every, want) <= 1e-5


def test_greedy_generation_matches_the_golden_tokens(model2, golden2):
    want = golden2["greedy_new_tokens"]
    assert model2.generate(golden2["prompt"], max_new_tokens=len(want)) == want


def test_a_batch_gives_each_row_its_own_tokens(model2, golden2):
    prompt = golden2["prompt"]
    other = [7] * len(prompt)
    both = model2.generate(np.array([prompt, other]), max_new_tokens=8)
    assert both.tolist()[0] == golden2["greedy_new_tokens"][:8]
    assert both.tolist()[1] == model2.generate(other, max_new_tokens=8)
