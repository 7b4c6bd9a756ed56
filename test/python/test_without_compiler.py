"""A runtime-only mamba_mlir (built without the compiler, or without the
tuner): compile and tune say what is missing and how to get it, instead of
failing on an import."""

import types

import pytest

import mamba_mlir
from mamba_mlir import _compile

from conftest import GOLDEN


def test_compile_without_the_compiler(monkeypatch, tmp_path):
    # What _compiler() returns when the extension cannot be imported.
    monkeypatch.setattr(_compile, "_compiler", lambda: None)
    with pytest.raises(mamba_mlir.MambaError,
                       match=r"mamba_mlir.compile needs the compiler, and this "
                             r"mamba_mlir has the runtime only \(build with "
                             r"MAMBA_ENABLE_COMPILER=ON\)"):
        mamba_mlir.compile(GOLDEN, output=tmp_path / "m.mmod", target="cpu")
    assert not (tmp_path / "m.mmod").exists()


@pytest.mark.parametrize("driver", [None, types.SimpleNamespace()],
                         ids=["no-compiler", "compiler-without-tuner"])
def test_tune_without_the_tuner(monkeypatch, tmp_path, driver):
    monkeypatch.setattr(_compile, "_compiler", lambda: driver)
    with pytest.raises(mamba_mlir.MambaError,
                       match=r"mamba_mlir.tune needs the compiler and the "
                             r"tuner"):
        mamba_mlir.tune(GOLDEN, db=tmp_path / "db.json", target="cpu")
    assert not (tmp_path / "db.json").exists()
