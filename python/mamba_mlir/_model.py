"""The compiled-model API over the _mamba_mlir extension."""

import queue
import threading

import numpy as np

from . import _mamba_mlir


def load(module, weights, device="auto", threads=0, check_weights=False):
    """Loads a compiled module (mamba-compile MODEL_DIR -o module.mmod) and
    the weights of MODEL_DIR onto a device: "auto" (the GPU when there is
    one and the module has code for it, else the CPU), "cpu", "cuda" or
    "cuda:N". threads: CPU threads (0: MAMBA_THREADS, else every core).
    check_weights: refuse a weight with a NaN or an infinity in its compute
    type (MambaError naming the file and the weight; one more pass over the
    weights)."""
    return Model(_mamba_mlir.load(str(module), str(weights), str(device),
                                  int(threads), bool(check_weights)))


class _Ids:
    """ids as the extension takes them ([batch, length] int64), and how to
    give results back in the caller's kind (list, numpy, torch) and rank."""

    def __init__(self, ids, tokenizer, name="ids"):
        self.text = isinstance(ids, str)
        self.torch = None
        if self.text:
            if tokenizer is None:
                raise TypeError(f"{name}: got text but no tokenizer "
                                "(pass tokenizer=, any object with encode "
                                "and decode)")
            ids = tokenizer.encode(ids)
        self.kind = "list" if isinstance(ids, (list, tuple)) else "numpy"
        if type(ids).__module__.startswith("torch"):
            if getattr(ids, "requires_grad", False):
                raise ValueError(f"{name}: token ids need no gradient")
            self.kind, self.torch = "torch", ids
            ids = ids.detach().cpu().numpy()
        array = np.asarray(ids)
        if array.size == 0:  # [] is float64 to numpy; the size is the error
            array = array.astype(np.int64)
        if array.dtype.kind not in "iu":
            raise TypeError(f"{name}: expected integer token ids, got "
                            f"dtype {array.dtype}")
        if array.ndim not in (1, 2):
            raise ValueError(f"{name}: expected [length] or [batch, length], "
                             f"got shape {list(array.shape)}")
        self.one_row = array.ndim == 1
        self.array = np.ascontiguousarray(
            array[None, :] if self.one_row else array, dtype=np.int64)

    def give(self, array, tokenizer=None, lists=True):
        """array: [batch, ...] results in the caller's kind and rank (a
        list in, a list out only where `lists`: token ids, not logits)."""
        if self.one_row:
            array = array[0]
        if self.text and tokenizer is not None:
            return tokenizer.decode(array.tolist())
        if self.kind == "torch":
            import torch
            return torch.from_numpy(np.ascontiguousarray(array))
        if self.kind == "list" and lists:
            return array.tolist()
        return array


class Model:
    """A compiled Mamba model on a device (see load)."""

    def __init__(self, impl):
        self._impl = impl

    @property
    def device(self):
        """"cpu" or "cuda"."""
        return self._impl.device_kind

    @property
    def description(self):
        return self._impl.description

    @property
    def vocab_size(self):
        """Entries in a row of logits (the vocabulary as compiled)."""
        return self._impl.vocab_size

    def __repr__(self):
        return f"<mamba_mlir.Model on {self.description}>"

    def prefill(self, ids, all_positions=False):
        """Runs the prompt(s) through the model: the logits of the last
        position ([vocab], or [batch, vocab]), or with all_positions those
        of every position ([length, vocab] or [batch, length, vocab]), as
        float32 (a torch tensor for torch ids, else a numpy array)."""
        request = _Ids(ids, None)
        return request.give(self._impl.prefill(request.array,
                                               bool(all_positions)),
                            lists=False)

    def generate(self, ids, max_new_tokens=32, temperature=0.0, top_k=0,
                 top_p=1.0, seed=0, eos_token_id=None, tokenizer=None):
        """Prefill, then up to max_new_tokens new tokens per prompt: greedy
        at temperature 0, else sampled (temperature, then top_k, then
        top_p) from a generator seeded with seed. Stops early once every
        row has produced eos_token_id. Returns the new tokens only ([n] or
        [batch, n]), or text when ids is text (tokenizer= required)."""
        request = _Ids(ids, tokenizer)
        stop = _EosStop(eos_token_id, request.array.shape[0])
        tokens = self._impl.generate(request.array, int(max_new_tokens),
                                     float(temperature), int(top_k),
                                     float(top_p), int(seed),
                                     stop if eos_token_id is not None
                                     else None)
        return request.give(tokens, tokenizer)

    def stream(self, ids, max_new_tokens=32, temperature=0.0, top_k=0,
               top_p=1.0, seed=0, eos_token_id=None, tokenizer=None):
        """generate(), yielding each step's tokens as they are made: a token
        (an int) per step for one prompt, an array of [batch] for several,
        or the step's text when ids is text. Leaving the loop early stops
        the generation after the step in progress."""
        request = _Ids(ids, tokenizer)
        steps = queue.Queue()
        leave = threading.Event()
        stop = _EosStop(eos_token_id, request.array.shape[0])
        failure = []

        def on_token(tokens):
            steps.put(tokens.copy())
            return not leave.is_set() and stop(tokens)

        def run():
            try:
                self._impl.generate(request.array, int(max_new_tokens),
                                    float(temperature), int(top_k),
                                    float(top_p), int(seed), on_token)
            except BaseException as error:  # raised again in the caller
                failure.append(error)
            finally:
                steps.put(None)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        try:
            while True:
                tokens = steps.get()
                if tokens is None:
                    break
                if request.text:
                    yield tokenizer.decode(tokens[:1].tolist())
                elif request.one_row:
                    yield int(tokens[0])
                else:
                    yield request.give(tokens[None, :])[0] \
                        if request.kind != "list" else tokens.tolist()
        finally:
            leave.set()
            worker.join()
        if failure:
            raise failure[0]


class _EosStop:
    """on_token for eos_token_id: false (stop) once every row has made it."""

    def __init__(self, eos_token_id, rows):
        self.eos = eos_token_id
        self.done = np.zeros(rows, dtype=bool)

    def __call__(self, tokens):
        if self.eos is None:
            return True
        self.done |= tokens == self.eos
        return not self.done.all()
