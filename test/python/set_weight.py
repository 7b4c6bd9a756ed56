"""Sets one element of an f32 tensor in a safetensors file, in place: the
bad weights of the --check-weights tests (lit and pytest).

  set_weight.py FILE NAME INDEX VALUE"""
import json
import struct
import sys


def set_weight(path, name, index, value):
    with open(path, "rb") as f:
        raw = bytearray(f.read())
    (length,) = struct.unpack_from("<Q", raw, 0)
    header = json.loads(raw[8:8 + length])
    assert header[name]["dtype"] == "F32", header[name]
    begin = 8 + length + header[name]["data_offsets"][0]
    struct.pack_into("<f", raw, begin + 4 * index, value)
    with open(path, "wb") as f:
        f.write(bytes(raw))


if __name__ == "__main__":
    set_weight(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
