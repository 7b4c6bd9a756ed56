#!/usr/bin/env python3
"""Prints the execution plan of a compiled model (the "model" section of a
.mmod file, docs/ModuleFormat.md) one line per buffer and step, for people
and for FileCheck:

  mmod-plan.py model.mmod
"""
import json
import struct
import sys


def expr(e):
    if isinstance(e, int):
        return str(e)
    if "dim" in e:
        return f"in{e['dim'][0]}.{e['dim'][1]}"
    a, b = (expr(x) for x in e["args"])
    return f"{e['op']}({a}, {b})"


def shape(s):
    return "[" + ", ".join(expr(d) if d != -1 else "?" for d in s) + "]"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    if data[:8] != b"MAMBAMOD" or len(data) < 16:
        sys.exit(f"{sys.argv[1]}: not a mamba module file")
    (length,) = struct.unpack("<Q", data[8:16])
    header = json.loads(data[16:16 + length])
    model = header.get("model")
    if model is None:
        sys.exit(f"{sys.argv[1]}: not a compiled model (no model section)")
    print("kernels:", " ".join(f["name"] for f in header["functions"]))
    for i, w in enumerate(model["weights"]):
        print(f"weight {i} {w['name']} {w['element']}{shape(w['shape'])}")
    for i, d in enumerate(model["derived"]):
        print(f"derived {i} = {d['transform']}(weight {d['weight']}) "
              f"{d['element']}{shape(d['shape'])}")
    for entry in model["entries"]:
        print(f"entry {entry['name']}")
        for i, x in enumerate(entry["inputs"]):
            state = " state" if x.get("state") else ""
            print(f"  input {i} {x['name']} {x['element']}{shape(x['shape'])}{state}")
        for i, b in enumerate(entry["buffers"]):
            src = b["source"]
            what = {"input": f"input {b.get('index')}",
                    "weight": f"weight {b.get('index')}",
                    "derived": f"derived {b.get('index')}",
                    "temp": "temp",
                    "view": f"view of b{b.get('of')} + {b.get('offset')}"}[src]
            print(f"  b{i} = {what} {b['element']}{shape(b['shape'])}")
        for s in entry["steps"]:
            if s["kind"] == "gemm":
                layout = []
                if s["x_features_major"]:
                    layout.append("x features-major")
                if s["y_features_major"]:
                    layout.append("y features-major")
                bias = f" + b{s['bias']}" if "bias" in s else ""
                lay = f" [{', '.join(layout)}]" if layout else ""
                print(f"  gemm b{s['y']} = b{s['x']} * b{s['w']}^T{bias}{lay}")
            else:
                args = ", ".join(f"b{a}" for a in s["args"])
                res = ", ".join(f"b{r}" for r in s["results"])
                print(f"  kernel {s['function']}({args}) -> {res}")
                for v in s.get("variants", []):
                    print(f"    or {v['function']} when "
                          f"{expr(v['when_blocks_below_sms'])} < SMs")
        for o in entry["outputs"]:
            print(f"  output {o.get('name', '?')} = b{o['buffer']}")


if __name__ == "__main__":
    main()
