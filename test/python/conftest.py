"""Fixtures of the mamba_mlir tests: the build tree's tools and the golden
tiny model (test/data/golden/model-tiny), compiled for this CPU once per
session. ctest sets PYTHONPATH to build/python and MAMBA_BUILD_DIR."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MAMBA_BUILD_DIR", ROOT / "build"))
GOLDEN = ROOT / "test" / "data" / "golden" / "model-tiny"


def tool(name):
    path = BUILD / "bin" / name
    if not path.exists():
        pytest.skip(f"{path} is not built (the compiler is off in this "
                    "build?)")
    return path


@pytest.fixture(scope="session")
def golden():
    with open(GOLDEN / "expected.json") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def cpu_module(tmp_path_factory):
    """The golden tiny model compiled for this machine's CPU."""
    out = tmp_path_factory.mktemp("modules") / "tiny-cpu.mmod"
    subprocess.run([str(tool("mamba-compile")), str(GOLDEN), "-o", str(out),
                    "--target", "cpu"], check=True)
    return out


@pytest.fixture(scope="session")
def gpu_only_module(tmp_path_factory):
    """The same model with GPU code only (no GPU or CUDA toolkit needed to
    compile it)."""
    out = tmp_path_factory.mktemp("modules") / "tiny-sm80.mmod"
    subprocess.run([str(tool("mamba-compile")), str(GOLDEN), "-o", str(out),
                    "--target", "sm_80"], check=True)
    return out


@pytest.fixture(scope="session")
def model(cpu_module):
    import mamba_mlir
    return mamba_mlir.load(cpu_module, GOLDEN, device="cpu", threads=2)
