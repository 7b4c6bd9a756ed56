#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/TARGET/) from a build
tree and the test data: small valid inputs that reach deep into each
reader, so that mutations start from files that load.

  fuzz/make-seeds.py BUILD_DIR

module: compiled modules (a GPU model, the GPU ops, a CPU scan) with each
kernel image cut to a few bytes (the reader checks an image's range and
kind, not its code; the header, with its plan, is what is worth mutating),
offsets and checksums written again. safetensors: small files of several
dtypes, with and without metadata. config: the model configs of the tests
(Mamba-1 and Mamba-2).
opt: the lit tests' mamba-dialect inputs, each `// -----` split its own
seed, comments dropped.
"""
import hashlib
import json
import pathlib
import re
import shutil
import struct
import sys
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"


def module_with_stub_images(path):
    raw = path.read_bytes()
    (length,) = struct.unpack_from("<Q", raw, 8)
    header = json.loads(raw[24:24 + length])
    data = b""
    for image in header["images"]:
        stub = (b"\x7fELF" if image["kind"] != "ptx" else b".version 8.0\n")
        image["offset"], image["size"] = len(data), len(stub)
        data += stub
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    return (b"MAMBAMOD" + struct.pack("<QII", len(text), zlib.crc32(text),
                                      zlib.crc32(data)) + text + data)


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def opt_seeds():
    """The lit tests' inputs with mamba ops, split at `// -----`, without
    comment lines, named by content so that a test's several splits and
    repeated inputs stay apart and once."""
    seeds = {}
    for path in sorted((ROOT / "test").rglob("*.mlir")):
        for part in path.read_text().split("// -----"):
            lines = [l for l in part.splitlines()
                     if not re.match(r"\s*//", l) and l.strip()]
            text = "\n".join(lines) + "\n"
            if "mamba." in text:
                seeds[hashlib.sha1(text.encode()).hexdigest()[:12]] = text
    return seeds


def main():
    build = pathlib.Path(sys.argv[1])
    for target in ("module", "safetensors", "config", "opt"):
        shutil.rmtree(CORPUS / target, ignore_errors=True)
        (CORPUS / target).mkdir(parents=True)
    for name, module in (("model-tiny-gpu", "test-kernels/model-tiny/bf16.mmod"),
                         ("gpu-ops", "test-kernels/ops.mmod"),
                         ("scan-split", "test-kernels/scan_bf16_seqsplit.mmod")):
        (CORPUS / "module" / name).write_bytes(
            module_with_stub_images(build / module))
    st = CORPUS / "safetensors"
    st.joinpath("f32-bf16").write_bytes(safetensors({
        "a": ("F32", [2, 2], struct.pack("<4f", 1, -2, 3.5, 0)),
        "b": ("BF16", [3], b"\x80\x3f\x00\x40\x00\xc0")}))
    st.joinpath("metadata-i64").write_bytes(safetensors(
        {"ids": ("I64", [2], struct.pack("<2q", 7, -1)),
         "empty": ("F16", [0, 4], b"")}, {"format": "pt"}))
    st.joinpath("f64-scalar").write_bytes(safetensors(
        {"x": ("F64", [], struct.pack("<d", 2.5))}))
    for config in (ROOT / "test/data/golden/model-tiny/config.json",
                   ROOT / "scripts/check-models/130m.json",
                   ROOT / "scripts/bench-models/2.8b.json"):
        shutil.copy(config, CORPUS / "config" / config.name.replace(
            ".json", "") )
    (CORPUS / "config" / "state-spaces").write_text(json.dumps({
        "d_model": 64, "n_layer": 2, "vocab_size": 100,
        "ssm_cfg": {"d_state": 16, "d_conv": 4, "expand": 2},
        "rms_norm": True, "residual_in_fp32": True, "fused_add_norm": True,
        "pad_vocab_size_multiple": 8, "tie_embeddings": True}))
    # Mamba-2 in both layouts; transformers' with Python's bare Infinity.
    shutil.copy(ROOT / "test/data/golden/model-tiny-mamba2/config.json",
                CORPUS / "config" / "mamba2")
    (CORPUS / "config" / "state-spaces-mamba2").write_text(json.dumps({
        "d_model": 64, "n_layer": 2, "vocab_size": 100,
        "ssm_cfg": {"layer": "Mamba2", "d_state": 16, "d_conv": 4,
                    "expand": 2, "headdim": 16, "ngroups": 2,
                    "chunk_size": 8, "dt_limit": [0.0, {"__float__": "inf"}],
                    "D_has_hdim": True},
        "rms_norm": True, "residual_in_fp32": True, "fused_add_norm": True,
        "pad_vocab_size_multiple": 8, "tie_embeddings": True}))
    for name, text in opt_seeds().items():
        (CORPUS / "opt" / name).write_text(text)


if __name__ == "__main__":
    main()
