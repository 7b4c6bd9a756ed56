"""mamba_mlir.compile: the compile driver in this process."""

import hashlib
import json
import logging
import os
import pathlib

from ._mamba_mlir import MambaError


def _cache_dir():
    root = os.environ.get("MAMBA_MLIR_CACHE")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
            os.path.expanduser("~"), ".cache")
        root = os.path.join(base, "mamba_mlir")
    return pathlib.Path(root) / "modules"


def _compiler():
    """The compile driver extension, or None in a runtime-only build."""
    try:
        from . import _mamba_mlir_compiler
    except ImportError:
        return None
    return _mamba_mlir_compiler


def _input_key(path):
    """What the module depends on: the input's files, by name, size and
    modification time (a model directory's config and weights, or one
    .mlir file)."""
    path = pathlib.Path(path).resolve()
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return [(str(f), f.stat().st_size, f.stat().st_mtime_ns)
            for f in files if f.is_file()]


def compile(model, output=None, target="cpu", dtype="auto",
            toolkit="/usr/local/cuda", tuning_db=None,
            tuning_bucket=(1, 2048), **tiling):
    """Compiles a model directory (config.json and *.safetensors) or a .mlir
    file into a module file, as mamba-compile does, in this process, and
    returns the module's path.

    target: "cpu" (this machine's level), CPU levels ("x86-64-v3") or GPU
    architectures ("sm_90a", "sm_80"): one name, a comma-separated list or
    a list; one module holds CPU or GPU code, not both. dtype: the compute
    type of a model directory ("auto": its config's torch_dtype, else its
    weights'; "f32", "bf16", "f16"). tiling: the scan's tiles, unset for
    the target's defaults: channels_per_block and chunk_length (GPU and
    CPU), states_per_thread and sequence_splits (GPU only), max_registers
    (GPU code generation). tuning_db: a mamba-tune database; scans of a
    signature it has an entry for (for the target; the entry whose bucket
    is nearest tuning_bucket, (batch, length)) get its tiling unless tiling
    options are given. None: the shipped databases (the source tree's
    tuning/, as mamba-compile without --tuning-db); False: none, the
    target's default tilings (--no-tuning-db). What it decided is logged
    (logger "mamba_mlir").

    With output None the module goes to a cache (MAMBA_MLIR_CACHE, else
    $XDG_CACHE_HOME/mamba_mlir, else ~/.cache/mamba_mlir), named by a hash
    of the input's files (names, sizes, modification times), the options
    and this compiler build, and is reused while they stay the same. A
    module is written to a temporary name and renamed into place, so
    processes that fill the cache at once never read a partial file.
    """
    driver = _compiler()
    if driver is None:
        raise MambaError("mamba_mlir.compile needs the compiler, and this "
                         "mamba_mlir has the runtime only (build with "
                         "MAMBA_ENABLE_COMPILER=ON)")
    targets = [target] if isinstance(target, str) else list(target)
    targets = [t.strip() for name in targets for t in str(name).split(",")
               if t.strip()]
    source = pathlib.Path(model)
    if not source.exists():
        raise MambaError(f"{source}: no such model directory or .mlir file")
    if output is None:
        build = pathlib.Path(driver.__file__).stat()
        if tuning_db is False:
            dbs = []
        elif tuning_db is None:
            dbs = sorted(pathlib.Path(driver.shipped_tuning_dir())
                         .glob("*.json"))
        else:
            dbs = [pathlib.Path(tuning_db)]
        db = [[str(p.resolve()), p.stat().st_mtime_ns] for p in dbs
              if p.exists()] + [list(tuning_bucket)]
        key = json.dumps({"input": _input_key(source), "targets": targets,
                          "dtype": dtype, "tiling": sorted(tiling.items()),
                          "tuning": db,
                          "toolkit": toolkit,
                          "compiler": [build.st_size, build.st_mtime_ns]})
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        output = _cache_dir() / (f"{source.resolve().name}-"
                                 f"{'_'.join(targets)}-{dtype}-{digest}.mmod")
        if output.exists():
            return output
    output = pathlib.Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        batch, length = tuning_bucket
        notes = driver.compile(str(source), str(partial), targets, str(dtype),
                               dict(tiling), str(toolkit),
                               "" if tuning_db in (None, False)
                               else str(tuning_db),
                               int(batch), int(length),
                               tuning_db is not False)
        for note in notes:
            logging.getLogger("mamba_mlir").info("tuning: %s", note)
        os.replace(partial, output)
    finally:
        if partial.exists():
            partial.unlink()
    return output


def tune(model, db, target="cpu", shapes=((1, 2048), (8, 2048)), device=None,
         dtype="auto", search="auto", budget_seconds=0, runs=10, jobs=0,
         prepare=None, seed_dbs=()):
    """mamba-tune in this process: the scans of a model directory or a
    .mlir file, every candidate tiling compiled, run on the device against
    the reference library (wrong results rejected) and timed on each
    (batch, length) of shapes; the best per shape, with the default's
    time, goes into the database db (docs/tuning-db.md), which compile(...,
    tuning_db=db) and mamba_mlir.ops.use_tuning_db(db) read. target "cpu"
    (this machine's level) or a GPU ("sm_90a"); device defaults to the CPU
    for a CPU target and "cuda" for a GPU; search "auto" (exhaustive up to
    32 candidates, else successive halving), "exhaustive", "halving",
    "neighbors" or "guided" (from the tilings that won in db and the
    databases seed_dbs, at most a fifth of the candidates); budget_seconds bounds the time (0: none). Prints the
    tuned-against-default table; returns db. With prepare (a folder) it
    only compiles a plan for mamba-tune-run on another machine."""
    driver = _compiler()
    if driver is None or not hasattr(driver, "tune"):
        raise MambaError("mamba_mlir.tune needs the compiler and the tuner "
                         "(built with the tests' support library)")
    text = ",".join(f"{int(b)}x{int(n)}" for b, n in shapes)
    driver.tune(str(model), "" if db is None else str(db), str(target),
                device or "", text, str(dtype), str(search),
                float(budget_seconds), int(runs), int(jobs),
                "" if prepare is None else str(prepare),
                [str(p) for p in seed_dbs])
    return db
