"""mamba_mlir.compile: the compile driver in-process, its cache, its
errors."""

import os

import pytest

import mamba_mlir

from conftest import GOLDEN

compiler = pytest.importorskip("mamba_mlir._mamba_mlir_compiler",
                               reason="a runtime-only build has no compiler")


def test_compiles_what_mamba_compile_does(tmp_path, golden):
    out = mamba_mlir.compile(GOLDEN, output=tmp_path / "tiny.mmod",
                             target="cpu")
    assert out == tmp_path / "tiny.mmod" and out.stat().st_size > 0
    model = mamba_mlir.load(out, GOLDEN, device="cpu")
    want = golden["greedy_new_tokens"]
    assert model.generate(golden["prompt"], max_new_tokens=len(want)) == want


def test_the_cache_reuses_a_module_until_its_input_changes(tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path / "cache"))
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    for name in ("config.json", "model.safetensors"):
        (model_dir / name).write_bytes((GOLDEN / name).read_bytes())
    first = mamba_mlir.compile(model_dir, target="x86-64-v2")
    assert first.parent == tmp_path / "cache" / "modules"
    stamp = first.stat().st_mtime_ns
    assert mamba_mlir.compile(model_dir, target="x86-64-v2") == first
    assert first.stat().st_mtime_ns == stamp  # not compiled again
    # Other options, or a changed input, are another module.
    assert mamba_mlir.compile(model_dir, target="x86-64-v2",
                              dtype="bf16") != first
    config = model_dir / "config.json"
    os.utime(config, ns=(stamp + 10**9, stamp + 10**9))
    assert mamba_mlir.compile(model_dir, target="x86-64-v2") != first
    assert not list((tmp_path / "cache" / "modules").glob(".*partial"))


def test_a_missing_input(tmp_path):
    with pytest.raises(mamba_mlir.MambaError,
                       match="nothing: no such model directory"):
        mamba_mlir.compile(tmp_path / "nothing", output=tmp_path / "x.mmod")


def test_errors_name_the_option_and_leave_no_file(tmp_path):
    out = tmp_path / "x.mmod"
    with pytest.raises(mamba_mlir.MambaError, match="unsupported chip "
                                                    "'sm_12'"):
        mamba_mlir.compile(GOLDEN, output=out, target="sm_12")
    with pytest.raises(mamba_mlir.MambaError, match="unknown dtype 'int4'"):
        mamba_mlir.compile(GOLDEN, output=out, dtype="int4")
    with pytest.raises(ValueError, match="tiling: unknown option 'bogus'"):
        mamba_mlir.compile(GOLDEN, output=out, bogus=3)
    with pytest.raises(ValueError, match="target: expected at least one"):
        mamba_mlir.compile(GOLDEN, output=out, target="")
    assert not list(tmp_path.iterdir())


def test_diagnostics_come_back_in_the_error(tmp_path):
    source = tmp_path / "bad.mlir"
    source.write_text(
        "func.func @f(%x: tensor<1x8x10xf32>, %w: tensor<8x4xf32>) -> "
        "tensor<1x8x11xf32> {\n"
        "  %y = mamba.causal_conv1d %x, %w : (tensor<1x8x10xf32>, "
        "tensor<8x4xf32>) -> tensor<1x8x11xf32>\n"
        "  return %y : tensor<1x8x11xf32>\n}\n")
    with pytest.raises(mamba_mlir.MambaError) as raised:
        mamba_mlir.compile(source, output=tmp_path / "bad.mmod")
    message = str(raised.value)
    assert "bad.mlir:2" in message and "mamba.causal_conv1d" in message
    assert not (tmp_path / "bad.mmod").exists()


def test_two_processes_fill_the_cache_at_once(tmp_path):
    # Each writes its own partial file and renames it into place: both
    # succeed, the module is whole, no partial file is left.
    import subprocess
    import sys
    script = ("import mamba_mlir, sys; "
              "print(mamba_mlir.compile(sys.argv[1], target='x86-64'))")
    env = dict(os.environ, MAMBA_MLIR_CACHE=str(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-c", script, str(GOLDEN)],
                              env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    paths = {p.communicate()[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(paths) == 1
    module = paths.pop()
    model = mamba_mlir.load(module, GOLDEN, device="cpu")
    assert model.vocab_size == 256
    assert not list((tmp_path / "modules").glob(".*partial"))


def test_tiling_options_reach_the_cpu_target(tmp_path, golden):
    default = mamba_mlir.compile(GOLDEN, output=tmp_path / "a.mmod")
    tiled = mamba_mlir.compile(GOLDEN, output=tmp_path / "b.mmod",
                               channels_per_block=4, chunk_length=16)
    assert default.read_bytes() != tiled.read_bytes()
    want = golden["greedy_new_tokens"]
    model = mamba_mlir.load(tiled, GOLDEN, device="cpu")
    assert model.generate(golden["prompt"], max_new_tokens=len(want)) == want
    with pytest.raises(mamba_mlir.MambaError,
                       match="states-per-thread is a GPU tiling option"):
        mamba_mlir.compile(GOLDEN, output=tmp_path / "c.mmod",
                           states_per_thread=4)


def test_a_tuning_database_chooses_the_scan_tiling(tmp_path, golden, caplog):
    """compile(tuning_db=): the golden model's scan (d = 128, N = 16, f32)
    gets the database's entry for this CPU, says so in the log, and the
    model still gives the golden tokens."""
    import json
    import logging
    entry = {"target": compiler.host_cpu_level(), "device": "test",
             "op": "selective_scan", "signature": {"d": 128, "N": 16, "G": 1},
             "dtype": "f32", "bucket": {"batch": 1, "length": 64},
             "config": {"channels_per_block": 4, "states_per_thread": 16,
                        "chunk_length": 16, "sequence_splits": 1},
             "ms": 1.0, "default_ms": 2.0, "candidates": 2, "codegen": 1}
    db = tmp_path / "db.json"
    db.write_text(json.dumps({"format": "mamba-mlir tuning database",
                              "version": 1, "entries": [entry]}))
    with caplog.at_level(logging.INFO, logger="mamba_mlir"):
        out = mamba_mlir.compile(GOLDEN, target="cpu", tuning_db=db,
                                 tuning_bucket=(1, 64))
    assert "selective_scan 128:16:1:f32=4:16:16:1" in caplog.text
    model = mamba_mlir.load(out, GOLDEN, device="cpu")
    want = golden["greedy_new_tokens"]
    assert model.generate(golden["prompt"], max_new_tokens=len(want)) == want
    db.write_text("{}")
    with pytest.raises(mamba_mlir.MambaError, match="not a tuning database"):
        mamba_mlir.compile(GOLDEN, target="cpu", tuning_db=db,
                           tuning_bucket=(1, 64))


def test_compile_uses_the_shipped_databases_unless_told_not_to(
        tmp_path, caplog, monkeypatch):
    """compile() without tuning_db reads the shipped databases, as
    mamba-compile does (the 130m scan's signature has an entry for
    x86-64-v3); tuning_db=False leaves the default tilings, and the two
    modules are cached apart."""
    import logging
    import pathlib
    scans = (pathlib.Path(__file__).parents[1] / "mamba-compile" /
             "shipped-tuning.mlir")
    monkeypatch.setenv("MAMBA_MLIR_CACHE", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="mamba_mlir"):
        shipped = mamba_mlir.compile(scans, target="x86-64-v3")
    assert "the shipped database" in caplog.text
    assert "selective_scan 1536:16:1:f32=" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mamba_mlir"):
        default = mamba_mlir.compile(scans, target="x86-64-v3",
                                     tuning_db=False)
    assert "tuning:" not in caplog.text
    assert shipped != default


def test_tune_writes_a_database_that_compile_uses(tmp_path, golden, caplog):
    """mamba_mlir.tune in-process on the golden model's scan (a small
    bucket, a budget), then compile(tuning_db=) with it."""
    import json
    import logging
    if not hasattr(compiler, "tune"):
        pytest.skip("this build has no tuner")
    db = tmp_path / "tuned.json"
    assert mamba_mlir.tune(GOLDEN, db, shapes=[(1, 32)], runs=3,
                           budget_seconds=15) == db
    entries = json.loads(db.read_text())["entries"]
    assert [e["signature"] for e in entries] == [{"G": 1, "N": 16, "d": 128}]
    with caplog.at_level(logging.INFO, logger="mamba_mlir"):
        mamba_mlir.compile(GOLDEN, target="cpu", tuning_db=db,
                           tuning_bucket=(1, 32))
    assert "selective_scan 128:16:1:f32=" in caplog.text
    with pytest.raises(mamba_mlir.MambaError, match="--search: expected"):
        mamba_mlir.tune(GOLDEN, db, search="random")
