"""Fixtures of the mamba_mlir tests: the build tree's tools and the golden
tiny model (test/data/golden/model-tiny), compiled for this CPU once per
session. ctest sets PYTHONPATH to build/python and MAMBA_BUILD_DIR."""

import json
import os
import pathlib
import re
import shutil
import subprocess

import numpy as np
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


@pytest.fixture(scope="session", autouse=True)
def module_cache(tmp_path_factory):
    """compile()'s and the ops' module cache: the session's own, not the
    user's ~/.cache. With MAMBA_TEST_OPS_CACHE (a cache filled elsewhere,
    for a machine without the compiler) its ops' kernels are copied in."""
    path = tmp_path_factory.mktemp("cache")
    given = os.environ.get("MAMBA_TEST_OPS_CACHE")
    if given:
        shutil.copytree(pathlib.Path(given) / "ops", path / "ops")
    os.environ["MAMBA_MLIR_CACHE"] = str(path)
    return path


@pytest.fixture(scope="session")
def golden():
    with open(GOLDEN / "expected.json") as f:
        return json.load(f)


def relative_l2(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return np.linalg.norm(got - want) / np.linalg.norm(want)


def mamba_run_tokens(module, device, prompt, new_tokens, *options):
    """The tokens mamba-run generates for `prompt` (row 0)."""
    run = subprocess.run(
        [str(tool("mamba-run")), str(module), "--weights", str(GOLDEN),
         "--device", device, "--prompt-ids", ",".join(map(str, prompt)),
         "--max-new-tokens", str(new_tokens), *options],
        check=True, capture_output=True, text=True).stdout
    return [int(t) for t in re.search(r"^row 0:(.*)$", run,
                                      re.M).group(1).split()]


def compile_golden(tmp_path_factory, target):
    out = tmp_path_factory.mktemp("modules") / f"tiny-{target}.mmod"
    subprocess.run([str(tool("mamba-compile")), str(GOLDEN), "-o", str(out),
                    "--target", target], check=True)
    return out


@pytest.fixture(scope="session")
def cpu_module(tmp_path_factory):
    """The golden tiny model compiled for this machine's CPU."""
    return compile_golden(tmp_path_factory, "cpu")


@pytest.fixture(scope="session")
def gpu_only_module(tmp_path_factory):
    """The same model with GPU code only (no GPU or CUDA toolkit needed to
    compile it)."""
    return compile_golden(tmp_path_factory, "sm_80")


@pytest.fixture(scope="session")
def model(cpu_module):
    import mamba_mlir
    return mamba_mlir.load(cpu_module, GOLDEN, device="cpu", threads=2)
