"""Sets element INDEX of the f32 tensor NAME of a safetensors file to VALUE:
  set-weight.py FILE NAME INDEX VALUE"""
import json
import struct
import sys

path, name, index, value = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
raw = bytearray(open(path, "rb").read())
(length,) = struct.unpack_from("<Q", raw, 0)
header = json.loads(raw[8:8 + length])
assert header[name]["dtype"] == "F32", header[name]
struct.pack_into("<f", raw, 8 + length + header[name]["data_offsets"][0] + 4 * index, value)
open(path, "wb").write(bytes(raw))
