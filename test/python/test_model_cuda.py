"""mamba_mlir.load / Model on a CUDA device: the golden tiny model's
logits against the float64 forward, its greedy tokens, and sampled
generation against mamba-run's on the same device. Skips without a GPU.

The module: MAMBA_TEST_GPU_MODULE (compiled elsewhere for this GPU, as the
GPU machine, which has no compiler, needs), else the golden model compiled
here by mamba-compile for this GPU's chip."""

import os
import re
import subprocess

import numpy as np
import pytest

import mamba_mlir

from conftest import GOLDEN, tool

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="no CUDA device: the CUDA model tests run on the GPU machine")


@pytest.fixture(scope="module")
def gpu_module(tmp_path_factory):
    given = os.environ.get("MAMBA_TEST_GPU_MODULE")
    if given:
        return given
    major, minor = torch.cuda.get_device_capability()
    chip = f"sm_{major}{minor}" + ("a" if major >= 9 else "")
    out = tmp_path_factory.mktemp("gpu") / f"tiny-{chip}.mmod"
    subprocess.run([str(tool("mamba-compile")), str(GOLDEN), "-o", str(out),
                    "--target", chip], check=True)
    return out


@pytest.fixture(scope="module")
def gpu_model(gpu_module):
    return mamba_mlir.load(gpu_module, GOLDEN, device="auto")


def relative_l2(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return np.linalg.norm(got - want) / np.linalg.norm(want)


def test_auto_picks_the_gpu(gpu_model):
    assert gpu_model.device == "cuda"


def test_prefill_matches_the_float64_forward(gpu_model, golden):
    want = np.array(golden["logits"]["data"]).reshape(
        golden["logits"]["shape"])
    every = gpu_model.prefill(golden["prompt"], all_positions=True)
    assert relative_l2(every, want) <= 1e-5


def test_greedy_generation_matches_the_golden_tokens(gpu_model, golden):
    want = golden["greedy_new_tokens"]
    assert gpu_model.generate(golden["prompt"],
                              max_new_tokens=len(want)) == want


def test_generation_matches_mamba_run(gpu_model, gpu_module, golden):
    prompt = golden["prompt"]
    args = ["--temperature", "0.8", "--top-k", "50", "--top-p", "0.9",
            "--seed", "7"]
    run = subprocess.run(
        [str(tool("mamba-run")), str(gpu_module), "--weights", str(GOLDEN),
         "--device", "cuda", "--prompt-ids", ",".join(map(str, prompt)),
         "--max-new-tokens", "12", *args],
        check=True, capture_output=True, text=True).stdout
    want = [int(t) for t in re.search(r"^row 0:(.*)$", run,
                                      re.M).group(1).split()]
    got = gpu_model.generate(np.array(prompt), max_new_tokens=12,
                             temperature=0.8, top_k=50, top_p=0.9, seed=7)
    assert got.tolist() == want
