"""mamba_mlir.load / Model on a CUDA device: the golden tiny model's
logits against the float64 forward, its greedy tokens, and sampled
generation against mamba-run's on the same device. Skips without a GPU.

The module: MAMBA_TEST_GPU_MODULE (compiled elsewhere for this GPU, as the
GPU machine, which has no compiler, needs), else the golden model compiled
here by mamba-compile for this GPU's chip."""

import os

import numpy as np
import pytest

import mamba_mlir

from conftest import GOLDEN, compile_golden, mamba_run_tokens, relative_l2

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="no CUDA device: the CUDA model tests run on the GPU machine")


@pytest.fixture(scope="module")
def gpu_module(tmp_path_factory):
    given = os.environ.get("MAMBA_TEST_GPU_MODULE")
    if given:
        return given
    from mamba_mlir.ops import _cuda_target
    return compile_golden(tmp_path_factory, _cuda_target(0))


@pytest.fixture(scope="module")
def gpu_model(gpu_module):
    return mamba_mlir.load(gpu_module, GOLDEN, device="auto")


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
    want = mamba_run_tokens(gpu_module, "cuda", prompt, 12, *args)
    got = gpu_model.generate(np.array(prompt), max_new_tokens=12,
                             temperature=0.8, top_k=50, top_p=0.9, seed=7)
    assert got.tolist() == want
