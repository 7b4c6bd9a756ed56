// mamba-tune's and mamba-tune-run's bad arguments, each an error naming the
// option or the file before anything is measured.
// REQUIRES: mamba-tune
// RUN: not mamba-tune %s --target cpu --runs 0 --db %t.json 2>&1 | FileCheck %s --check-prefix=RUNS
// RUN: not mamba-tune %s --target cpu 2>&1 | FileCheck %s --check-prefix=NODB
// RUN: not mamba-tune %t.missing.mlir --target cpu --db %t.json 2>&1 | FileCheck %s --check-prefix=INPUT
// RUN: not mamba-tune %mamba_src_root/test/data/golden/model-tiny --target cpu --db %t.missing/db.json 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// RUN: not %mamba_tools_dir/mamba-tune-run 2>&1 | FileCheck %s --check-prefix=NOPLAN
// RUN: not %mamba_tools_dir/mamba-tune-run %t --db 2>&1 | FileCheck %s --check-prefix=VALUE
// RUN: not %mamba_tools_dir/mamba-tune-run %t --db %t.json --runs 0 2>&1 | FileCheck %s --check-prefix=RUNRUNS
// RUN: not %mamba_tools_dir/mamba-tune-run %t --db %t.json --budget-seconds -1 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: not %mamba_tools_dir/mamba-tune-run %t --db %t.json --bogus 2>&1 | FileCheck %s --check-prefix=BOGUS
// RUN: rm -rf %t.plan && mkdir %t.plan && echo '{' > %t.plan/plan.json
// RUN: not %mamba_tools_dir/mamba-tune-run %t.plan --db %t.json 2>&1 | FileCheck %s --check-prefix=PLANJSON
// RUN: echo '{"format": 3}' > %t.plan/plan.json
// RUN: not %mamba_tools_dir/mamba-tune-run %t.plan --db %t.json 2>&1 | FileCheck %s --check-prefix=PLANKEY
// RUN: echo '{"target": "sm_90a", "scans": [{"op": "conv", "signature": {}, "type": "f32", "candidates": []}]}' > %t.plan/plan.json
// RUN: not %mamba_tools_dir/mamba-tune-run %t.plan --db %t.json 2>&1 | FileCheck %s --check-prefix=PLANOP
// RUN: echo '{"target": "sm_90a", "scans": [{"op": "ssd_scan", "signature": {"H": 4, "P": 32, "N": 32}, "type": "bf16", "candidates": []}]}' > %t.plan/plan.json
// RUN: not %mamba_tools_dir/mamba-tune-run %t.plan --db %t.json 2>&1 | FileCheck %s --check-prefix=PLANSIZE
// RUN: echo '{"target": "sm_90a", "scans": [{"op": "ssd_scan", "signature": {"H": 4, "P": 32, "N": 32, "G": 1}, "type": "bf16", "candidates": [{"config": {"chunk": 16}, "file": "x.mmod"}]}]}' > %t.plan/plan.json
// RUN: not %mamba_tools_dir/mamba-tune-run %t.plan --db %t.json 2>&1 | FileCheck %s --check-prefix=PLANCONFIG

// RUNS: mamba-tune: --runs must be at least 1
// NODB: mamba-tune: expected --db FILE (the database to write) or --prepare DIR
// INPUT: mamba-tune: cannot open input file '{{.*}}missing.mlir': No such file or directory
// UNWRITABLE: mamba-tune: {{.*}}missing/db.json: cannot write the tuning database ({{.*}}db.json.{{[0-9]+}}.partial: No such file or directory)
// UNWRITABLE-NOT: |
// NOPLAN: mamba-tune-run: expected a plan folder and --db
// NOPLAN-NEXT: usage: mamba-tune-run DIR --db FILE
// VALUE: mamba-tune-run: --db needs a value
// RUNRUNS: mamba-tune-run: --runs: expected a count of at least 1, got '0'
// BUDGET: mamba-tune-run: --budget-seconds: expected seconds (0: no limit), got '-1'
// BOGUS: mamba-tune-run: unexpected argument '--bogus'
// PLANJSON: mamba-tune-run: {{.*}}plan.json: {{.*}}parse error
// PLANKEY: mamba-tune-run: {{.*}}plan.json: {{.*}}key 'target' not found
// PLANOP: mamba-tune-run: {{.*}}plan.json: mamba-tune-run cannot tune 'conv'
// PLANSIZE: mamba-tune-run: {{.*}}plan.json: ssd_scan signature has no 'G'
// PLANCONFIG: mamba-tune-run: {{.*}}plan.json: ssd_scan candidate: config has no 'tensor_cores'
func.func @scan(%u: tensor<?x24x?xf32>, %delta: tensor<?x24x?xf32>,
                %A: tensor<24x16xf32>, %B: tensor<?x2x16x?xf32>,
                %C: tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x24x?xf32>, tensor<?x24x?xf32>, tensor<24x16xf32>,
         tensor<?x2x16x?xf32>, tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32>
  return %y : tensor<?x24x?xf32>
}
