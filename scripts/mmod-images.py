#!/usr/bin/env python3
"""Writes the kernel images of a .mmod module file (docs/ModuleFormat.md) to
a directory, one file per image: MODULE.CHIP.cubin or MODULE.CHIP.ptx, so
that ptxas, cuobjdump or nvdisasm can read them. Prints the header's
functions with --header."""
import json
import os
import struct
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 2:
        sys.exit("usage: mmod-images.py [--header] FILE.mmod OUT_DIR")
    path, out = args
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"MAMBAMOD" or len(data) < 16:
        sys.exit(f"{path}: not a mamba module file (bad magic)")
    (length,) = struct.unpack("<Q", data[8:16])
    if 16 + length > len(data):
        sys.exit(f"{path}: truncated header ({length} bytes declared)")
    header = json.loads(data[16:16 + length])
    body = data[16 + length:]
    os.makedirs(out, exist_ok=True)
    stem = os.path.basename(path).rsplit(".", 1)[0]
    for image in header["images"]:
        end = image["offset"] + image["size"]
        if end > len(body):
            sys.exit(f"{path}: image {image['module']} runs past the file")
        name = f"{stem}.{image['module']}.{image['chip']}.{image['kind']}"
        with open(os.path.join(out, name), "wb") as f:
            f.write(body[image["offset"]:end])
        print(os.path.join(out, name))
    if "--header" in sys.argv:
        print(json.dumps(header["functions"], indent=1))


if __name__ == "__main__":
    main()
