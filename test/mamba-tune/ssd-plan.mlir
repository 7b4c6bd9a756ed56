// mamba-tune and Mamba-2's SSD. For a GPU target the candidates are the
// per-step recurrence (the default) and the chunked tensor-core kernel at
// chunks of 16, 32 and 64 positions and blocks of 16 or 32 channels (those
// dividing P = 32): all compile for sm_90a into a plan. The measuring half
// runs on any backend: here the plan's modules are swapped for one module
// of the same function compiled for the CPU, which mamba-tune-run checks
// against the reference SSD, times and enters as an ssd_scan entry, and
// one without the softplus, which the check rejects.
// REQUIRES: mamba-tune
// RUN: rm -rf %t.plan %t.cpu %t.json %t.json.trials
// RUN: mamba-tune %s --target sm_90a --prepare %t.plan --jobs 2 2>&1 | FileCheck %s --check-prefix=PREPARE
// RUN: FileCheck %s --check-prefix=PLAN < %t.plan/plan.json
// RUN: mkdir %t.cpu && mamba-compile %s --target x86-64-v3 -o %t.cpu/ssd.mmod
// RUN: sed 's/ dt_softplus$//' %s > %t.wrong.mlir
// RUN: mamba-compile %t.wrong.mlir --target x86-64-v3 -o %t.cpu/wrong.mmod
// RUN: %python -c "import json, sys; p = json.load(open(sys.argv[1])); p['target'] = 'x86-64-v3'; s = p['scans'][0]; s['candidates'] = s['candidates'][:2]; s['candidates'][0]['file'] = 'ssd.mmod'; s['candidates'][1]['file'] = 'wrong.mmod'; json.dump(p, open(sys.argv[2], 'w'))" %t.plan/plan.json %t.cpu/plan.json
// RUN: %mamba_tools_dir/mamba-tune-run %t.cpu --db %t.json --shapes 2x40 --runs 3 | FileCheck %s --check-prefix=TABLE
// RUN: FileCheck %s --check-prefix=DB < %t.json
// The hill-climb from the per-step default, which differs from every
// chunked candidate in all three parameters: those nearest it are its
// neighbours, so the climb measures them.
// RUN: rm -f %t.n.json %t.n.json.trials
// RUN: %mamba_tools_dir/mamba-tune-run %t.cpu --db %t.n.json --shapes 2x40 --runs 3 --search neighbors | FileCheck %s --check-prefix=NEIGHBORS

// PREPARE: mamba-tune: compiled 1 signatures' candidates into {{.*}}.plan
// PLAN: "candidates": [
// PLAN: "channel_block": 0,
// PLAN-NEXT: "chunk": 0,
// PLAN-NEXT: "tensor_cores": 0
// PLAN: "error": "",
// PLAN-NEXT: "file": "ssd_scan-4,32,32,1,bf16-tc0_c0_p0.mmod"
// PLAN: "file": "ssd_scan-4,32,32,1,bf16-tc1_c16_p16.mmod"
// PLAN: "file": "ssd_scan-4,32,32,1,bf16-tc1_c16_p32.mmod"
// PLAN: "file": "ssd_scan-4,32,32,1,bf16-tc1_c32_p16.mmod"
// PLAN: "file": "ssd_scan-4,32,32,1,bf16-tc1_c32_p32.mmod"
// PLAN: "file": "ssd_scan-4,32,32,1,bf16-tc1_c64_p16.mmod"
// PLAN: "file": "ssd_scan-4,32,32,1,bf16-tc1_c64_p32.mmod"
// PLAN: "op": "ssd_scan",
// PLAN-NEXT: "signature": {
// PLAN-NEXT: "G": 1,
// PLAN-NEXT: "H": 4,
// PLAN-NEXT: "N": 32,
// PLAN-NEXT: "P": 32
// PLAN: "target": "sm_90a"
// TABLE: | op:signature,type | bucket |
// TABLE: | ssd_scan:4,32,32,1,bf16 | 2x40 | {{[0-9.e-]+}} | {{[0-9.e-]+}} | 1.00x | tc0_c0_p0 | 2 of 2 (1 correct) |
// NEIGHBORS: | ssd_scan:4,32,32,1,bf16 | 2x40 | {{.*}} | tc0_c0_p0 | 2 of 2 (1 correct) |
// DB: "op": "ssd_scan",
// DB: "signature": {
// DB-NEXT: "G": 1,
// DB-NEXT: "H": 4,
// DB-NEXT: "N": 32,
// DB-NEXT: "P": 32
// DB: "target": "x86-64-v3"

// The benchmark form mamba-tune compiles (D, z, dt_bias, softplus), so that
// the CPU module has the function the SSD problem calls.
func.func @ssd(%x: tensor<?x?x4x32xbf16>, %dt: tensor<?x?x4xbf16>, %A: tensor<4xf32>, %B: tensor<?x?x1x32xbf16>, %C: tensor<?x?x1x32xbf16>, %D: tensor<4xf32>, %z: tensor<?x?x4x32xbf16>, %bias: tensor<4xf32>) -> tensor<?x?x4x32xbf16> {
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias) dt_softplus
      : (tensor<?x?x4x32xbf16>, tensor<?x?x4xbf16>, tensor<4xf32>, tensor<?x?x1x32xbf16>, tensor<?x?x1x32xbf16>, tensor<4xf32>, tensor<?x?x4x32xbf16>, tensor<4xf32>) -> tensor<?x?x4x32xbf16>
  return %y : tensor<?x?x4x32xbf16>
}
