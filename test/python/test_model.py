"""mamba_mlir.load / Model on the CPU: logits against the float64 golden
forward, generation against mamba-run's, and the errors of bad input."""


import numpy as np
import pytest

import mamba_mlir

from conftest import GOLDEN, mamba_run_tokens, relative_l2


def test_describes_its_device(model):
    assert model.device == "cpu"
    assert "CPU" in model.description
    assert model.vocab_size == 256
    assert "CPU" in repr(model)


def test_prefill_matches_the_float64_forward(model, golden):
    want = np.array(golden["logits"]["data"]).reshape(
        golden["logits"]["shape"])
    every = model.prefill(golden["prompt"], all_positions=True)
    assert every.shape == (len(golden["prompt"]), 256)
    assert relative_l2(every, want) <= 1e-5
    last = model.prefill(np.array(golden["prompt"]))
    assert last.dtype == np.float32 and last.shape == (256,)
    assert relative_l2(last, want[-1]) <= 1e-5


def test_a_batch_gives_each_row_its_own_logits(model, golden):
    prompt = golden["prompt"]
    other = [3, 1, 4, 1, 5]
    both = model.prefill(np.array([prompt, other]))
    assert both.shape == (2, 256)
    np.testing.assert_allclose(both[0], model.prefill(prompt), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(both[1], model.prefill(other), rtol=1e-5,
                               atol=1e-6)


def test_greedy_generation_matches_the_golden_tokens(model, golden):
    want = golden["greedy_new_tokens"]
    got = model.generate(golden["prompt"], max_new_tokens=len(want))
    assert got == want


def test_generation_matches_mamba_run(model, cpu_module, golden):
    # Sampling too: the same runtime code, so the same seed gives the same
    # tokens as mamba-run.
    prompt = golden["prompt"]
    args = ["--temperature", "0.8", "--top-k", "50", "--top-p", "0.9",
            "--seed", "7"]
    want = mamba_run_tokens(cpu_module, "cpu", prompt, 12, "--threads", "2",
                            *args)
    got = model.generate(np.array(prompt), max_new_tokens=12,
                         temperature=0.8, top_k=50, top_p=0.9, seed=7)
    assert isinstance(got, np.ndarray)
    assert got.tolist() == want


def test_stream_yields_what_generate_returns(model, golden):
    prompt = golden["prompt"]
    whole = model.generate(prompt, max_new_tokens=10)
    assert list(model.stream(prompt, max_new_tokens=10)) == whole
    # Leaving early stops the generation; the model is usable after.
    first = []
    for token in model.stream(prompt, max_new_tokens=1000):
        first.append(token)
        if len(first) == 3:
            break
    assert first == whole[:3]
    assert model.generate(prompt, max_new_tokens=10) == whole


def test_eos_stops_generation(model, golden):
    whole = model.generate(golden["prompt"], max_new_tokens=10)
    eos = whole[4]
    got = model.generate(golden["prompt"], max_new_tokens=10,
                         eos_token_id=eos)
    assert got == whole[:whole.index(eos) + 1]


class Tokenizer:
    """The smallest object with encode and decode: bytes as ids."""

    def encode(self, text):
        return list(text.encode("latin-1"))

    def decode(self, ids):
        return bytes(ids).decode("latin-1")


def test_text_in_and_out_through_a_tokenizer(model):
    tok = Tokenizer()
    text = model.generate("hello", max_new_tokens=6, tokenizer=tok)
    assert isinstance(text, str) and len(text) == 6
    assert text == tok.decode(model.generate(tok.encode("hello"),
                                             max_new_tokens=6))
    assert "".join(model.stream("hello", max_new_tokens=6,
                                tokenizer=tok)) == text


def test_torch_tensors_in_and_out(model, golden):
    torch = pytest.importorskip("torch")
    ids = torch.tensor([golden["prompt"]])
    logits = model.prefill(ids)
    assert isinstance(logits, torch.Tensor) and logits.shape == (1, 256)
    np.testing.assert_allclose(logits[0].numpy(),
                               model.prefill(golden["prompt"]), rtol=1e-6)
    new = model.generate(ids, max_new_tokens=4)
    assert isinstance(new, torch.Tensor) and new.shape == (1, 4)


# Bad input: an exception naming the problem, never a crash.

def test_a_missing_module_names_the_file(tmp_path):
    missing = tmp_path / "nothing.mmod"
    with pytest.raises(mamba_mlir.MambaError, match="nothing.mmod"):
        mamba_mlir.load(missing, GOLDEN, device="cpu")


def test_a_bad_device_name(cpu_module):
    with pytest.raises(mamba_mlir.MambaError,
                       match="device expects auto, cpu, cuda or cuda:N, "
                             "got 'tpu'"):
        mamba_mlir.load(cpu_module, GOLDEN, device="tpu")
    with pytest.raises(ValueError, match="threads: expected 0"):
        mamba_mlir.load(cpu_module, GOLDEN, device="cpu", threads=-1)


def test_a_gpu_only_module_on_the_cpu(gpu_only_module):
    with pytest.raises(mamba_mlir.MambaError,
                       match="has no CPU code .*compile it with --target "
                             "cpu"):
        mamba_mlir.load(gpu_only_module, GOLDEN, device="cpu")


def test_missing_weights_name_the_directory(cpu_module, tmp_path):
    with pytest.raises(mamba_mlir.MambaError, match=str(tmp_path)):
        mamba_mlir.load(cpu_module, tmp_path, device="cpu")


def _golden_with(tmp_path, name, value, at=5):
    """A copy of the golden model's directory whose weight `name` holds
    `value` at element `at` (an f32 tensor)."""
    import shutil
    from set_weight import set_weight
    folder = tmp_path / "weights"
    shutil.copytree(GOLDEN, folder)
    set_weight(folder / "model.safetensors", name, at, value)
    return folder


@pytest.mark.parametrize("name, value, message", [
    ("backbone.layers.0.mixer.in_proj.weight", float("nan"),
     r"model.safetensors: weight 'backbone.layers.0.mixer.in_proj.weight' "
     r"has 1 NaN or infinite value in f32 \(the first at element 5, stored "
     r"as nan\)"),
    ("backbone.layers.1.mixer.D", float("-inf"),
     r"weight 'backbone.layers.1.mixer.D' has 1 NaN or infinite value in f32 "
     r"\(the first at element 5, stored as -inf\)"),
    # Finite as stored, but -exp(100) is past f32's range.
    ("backbone.layers.0.mixer.A_log", 100.0,
     r"model.safetensors: -exp\(backbone.layers.0.mixer.A_log\) has 1 NaN or "
     r"infinite value in f32 \(the first at element 5, stored as 100\)"),
])
def test_check_weights_refuses_nan_and_inf(cpu_module, tmp_path, name, value,
                                           message):
    """load(check_weights=True) names the file, the weight, how many values
    are bad and the first; without it the model loads (the check costs a
    pass over the weights, so it is asked for)."""
    folder = _golden_with(tmp_path, name, value)
    with pytest.raises(mamba_mlir.MambaError, match=message):
        mamba_mlir.load(cpu_module, folder, device="cpu", check_weights=True)
    mamba_mlir.load(cpu_module, folder, device="cpu")
    mamba_mlir.load(cpu_module, GOLDEN, device="cpu", check_weights=True)


@pytest.mark.parametrize("ids, error, message", [
    ([1, 256], ValueError, r"ids: token id 256 at flat index 1 is not in "
                           r"\[0, 256\)"),
    ([-1], ValueError, r"ids: token id -1 .* is not in \[0, 256\)"),
    ([2**40], ValueError, r"ids: token id 1099511627776"),
    ([[[1]]], ValueError, r"ids: expected \[length\] or \[batch, length\], "
                          r"got shape \[1, 1, 1\]"),
    ([], ValueError, r"ids: expected at least one row of at least one "
                     r"token"),
    ([1.5, 2.0], TypeError, r"ids: expected integer token ids, got dtype "
                            r"float64"),
    ("text", TypeError, r"ids: got text but no tokenizer"),
])
def test_bad_ids(model, ids, error, message):
    with pytest.raises(error, match=message):
        model.prefill(ids)
    with pytest.raises(error, match=message):
        model.generate(ids, max_new_tokens=2)


def test_bad_sampling_options(model):
    with pytest.raises(ValueError, match="max_new_tokens: expected 0 or "
                                         "more, got -1"):
        model.generate([1], max_new_tokens=-1)
    with pytest.raises(ValueError, match="top-p"):
        model.generate([1], max_new_tokens=2, top_p=1.5)
    with pytest.raises(ValueError, match="temperature"):
        model.generate([1], max_new_tokens=2, temperature=-1.0)
    with pytest.raises(ValueError, match=r"top-k must be 0 \(all tokens\) "
                                         r"or positive"):
        model.generate([1], max_new_tokens=2, temperature=1.0, top_k=-1)


def test_ids_that_require_a_gradient(model):
    torch = pytest.importorskip("torch")
    ids = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="ids: token ids need no gradient"):
        model.prefill(ids)


def test_a_callback_error_comes_back(model):
    # stream's consumer raising inside the loop: the exception propagates
    # and the model stays usable.
    with pytest.raises(KeyError):
        for _ in model.stream([1, 2], max_new_tokens=5):
            raise KeyError("stop")
    assert len(model.generate([1, 2], max_new_tokens=3)) == 3
