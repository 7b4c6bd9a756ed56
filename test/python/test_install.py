"""The README's Python instructions, as written: a fresh virtual
environment, pip install of ./python (from the build tree this suite runs
in), then the README's example, from the repository root."""

import re
import subprocess
import sys

import pytest

from conftest import BUILD, ROOT


def readme_block(after, language):
    text = (ROOT / "README.md").read_text()
    start = text.index(after)
    match = re.compile(rf"```{language}\n(.*?)```", re.S).search(text, start)
    return match.group(1)


def test_the_readme_example_runs_in_a_fresh_virtual_environment(tmp_path):
    if not (BUILD / "bin" / "mamba-compile").exists():
        pytest.skip("the example compiles a model: needs the compiler")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                    str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {"MAMBA_BUILD_DIR": str(BUILD), "PATH": "/usr/bin:/bin",
           "MAMBA_MLIR_CACHE": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    install = readme_block("From Python: install the package", "sh")
    assert "--no-build-isolation ./python" in install
    subprocess.run([str(python), "-m", "pip", "install", "-q",
                    "--no-build-isolation", "--no-index", "./python"],
                   cwd=ROOT, env=env, check=True)
    example = readme_block("Then, from the repository root", "python")
    run = subprocess.run([str(python), "-c", example], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    # It imported the installed package, not the build tree's.
    where = subprocess.run(
        [str(python), "-c", "import mamba_mlir; print(mamba_mlir.__file__)"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert str(venv) in where.stdout
