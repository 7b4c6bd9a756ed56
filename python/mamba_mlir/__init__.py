"""mamba_mlir: Mamba models compiled by mamba-mlir, run from Python.

    import mamba_mlir
    module = mamba_mlir.compile("MODEL_DIR", target="cpu")  # cached
    model = mamba_mlir.load(module, weights="MODEL_DIR", device="auto")
    logits = model.prefill([1, 2, 3])          # numpy [vocab]
    new = model.generate([1, 2, 3], max_new_tokens=32)
    for token in model.stream([1, 2, 3], max_new_tokens=32):
        ...
    mamba_mlir.tune("MODEL_DIR", db="tuned.json", shapes=[(1, 2048)])

ids may be lists, numpy arrays or torch tensors, of one prompt ([length])
or a batch of equal-length prompts ([batch, length]); results come back in
the same rank: torch tensors for torch ids, else numpy arrays (new token
ids for list ids as a list). With a tokenizer (any object with encode and
decode, such as transformers' or tokenizers'), text goes in and out.
"""

from ._compile import compile, tune
from ._mamba_mlir import MambaError
from ._model import Model, load

__all__ = ["MambaError", "Model", "compile", "load", "tune"]
