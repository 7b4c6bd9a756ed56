// mamba-tune end to end on the CPU: the golden tiny model's scan (d = 128,
// N = 16, f32) tuned on one small bucket under a budget; the database is
// written, read back by mamba-compile --tuning-db and used, and the model
// compiled with it still gives the golden greedy tokens. A second run
// resumes from the trials file instead of measuring again; bad arguments
// are errors naming them.
// REQUIRES: mamba-tune
// RUN: rm -f %t.json %t.json.trials
// RUN: mamba-tune %mamba_src_root/test/data/golden/model-tiny --target=cpu --db %t.json --shapes 1x32 --runs 3 --budget-seconds 20 | FileCheck %s --check-prefix=TABLE
// RUN: FileCheck %s --check-prefix=DB < %t.json
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny --target=cpu --tuning-db %t.json --tuning-bucket 1x32 -o %t.mmod 2>&1 | FileCheck %s --check-prefix=USED
// RUN: mamba-run %t.mmod --weights %mamba_src_root/test/data/golden/model-tiny --device cpu --prompt-ids 5,6,7,8,9 --max-new-tokens 16 | FileCheck %s --check-prefix=TOKENS
// RUN: mamba-tune %mamba_src_root/test/data/golden/model-tiny --target=cpu --db %t.json --shapes 1x32 --runs 3 --budget-seconds 20 2>&1 | FileCheck %s --check-prefix=RESUME
// The split for a machine without the compiler: compile a plan here,
// measure it with mamba-tune-run (runtime only).
// RUN: rm -rf %t.plan %t.run.json %t.run.json.trials %t.n.json %t.n.json.trials
// RUN: mamba-tune %mamba_src_root/test/data/golden/model-tiny --target=cpu --prepare %t.plan --jobs 2 2>&1 | FileCheck %s --check-prefix=PREPARE
// RUN: %mamba_tools_dir/mamba-tune-run %t.plan --db %t.run.json --shapes 1x32 --runs 3 | FileCheck %s --check-prefix=TABLE
// RUN: %mamba_tools_dir/mamba-tune-run %t.plan --db %t.n.json --shapes 1x32 --runs 3 --search neighbors | FileCheck %s --check-prefix=TABLE
// The guided search: with nothing to start from it is successive halving
// (a note says so); started from the entries of --seed-db it measures at
// most a fifth of the candidates, here the floor of 4. The seed database
// is %t.run.json with its entry's tiling changed to one that is not the
// default (a seed equal to the default adds nothing, and which tiling wins
// 1x32 depends on the machine's timing).
// RUN: rm -f %t.g.json %t.g.json.trials %t.s.json %t.s.json.trials
// RUN: %mamba_tools_dir/mamba-tune-run %t.plan --db %t.g.json --shapes 1x64 --runs 3 --search guided 2>&1 | FileCheck %s --check-prefix=UNSEEDED
// RUN: %python -c "import json, sys; d = json.load(open(sys.argv[1])); c = d['entries'][0]['config']; c['channels_per_block'] = 16 if c['channels_per_block'] == 4 else 4; json.dump(d, open(sys.argv[2], 'w'))" %t.run.json %t.seed.json
// RUN: %mamba_tools_dir/mamba-tune-run %t.plan --db %t.s.json --shapes 1x64 --runs 3 --search guided --seed-db %t.seed.json | FileCheck %s --check-prefix=GUIDED
// RUN: not %mamba_tools_dir/mamba-tune-run %t.plan --db %t.s.json --search guided --seed-db %t.missing.json 2>&1 | FileCheck %s --check-prefix=NOSEED
// RUN: not %mamba_tools_dir/mamba-tune-run %t.plan --db %t.n.json --search random 2>&1 | FileCheck %s --check-prefix=SEARCH
// RUN: not %mamba_tools_dir/mamba-tune-run %t.missing --db %t.run.json 2>&1 | FileCheck %s --check-prefix=NOPLAN
// RUN: not mamba-tune %mamba_src_root/test/data/golden/model-tiny --db %t.json --shapes 32 2>&1 | FileCheck %s --check-prefix=SHAPES
// RUN: not mamba-tune %s --db %t.json 2>&1 | FileCheck %s --check-prefix=NOSCAN

// TABLE: | op:signature,type | bucket | default ms | tuned ms | speedup | tuned config | candidates | seconds |
// TABLE: | selective_scan:128,16,1,f32 | 1x32 | {{[0-9.e-]+}} | {{[0-9.e-]+}} | {{[0-9.]+}}x | cb{{[0-9]+}}_s16_t{{[0-9]+}}_q1 |
// DB: "op": "selective_scan"
// DB: "format": "mamba-mlir tuning database"
// USED: mamba-compile: tuning: selective_scan 128:16:1:f32={{[0-9]+}}:16:{{[0-9]+}}:1 for {{.*}} (bucket 1x32:
// TOKENS: row 0: 144 121 87 64 69 28 11 0 132 55 112 210 131 212 214 250
// RESUME: mamba-tune: resuming: {{[0-9]+}} trials in
// PREPARE: mamba-tune: compiled 1 signatures' candidates into {{.*}}.plan; measure them with mamba-tune-run
// NOPLAN: mamba-tune-run: {{.*}}.missing/plan.json: cannot open (make it with mamba-tune --prepare)
// UNSEEDED: mamba-tune: {{.*}}/1x64: no database entry to start the guided search from: successive halving
// UNSEEDED: | selective_scan:128,16,1,f32 | 1x64 | {{.*}} | 9 of 9 (9 correct) |
// GUIDED: | selective_scan:128,16,1,f32 | 1x64 | {{.*}} | {{[1-4]}} of 9 ({{[1-4]}} correct) |
// NOSEED: mamba-tune-run: {{.*}}.missing.json: cannot open the tuning database
// SEARCH: mamba-tune-run: --search: expected auto, exhaustive, halving, neighbors or guided
// SHAPES: mamba-tune: --shapes: '32' is not BATCHxLENGTH, like 1x2048
// NOSCAN: mamba-tune: {{.*}}cpu-tiny-model.mlir: nothing to tune on {{.*}} (the tuner tunes selective_scan and, on GPUs, ssd_scan)
// The CPU's SSD has one form: a Mamba-2 model has nothing to tune there,
// and the messages say why.
// RUN: not mamba-tune %mamba_src_root/test/data/golden/model-tiny-mamba2 --target cpu --shapes 1x16 --db %t.mamba2.json 2>&1 | FileCheck %s --check-prefix=SSD
// SSD: mamba-tune: skipping ssd_scan:{{[0-9]+}},{{[0-9]+}},{{[0-9]+}},{{[0-9]+}},f32: it has one tiling on the CPU, nothing to choose
// SSD: mamba-tune: {{.*}}model-tiny-mamba2: nothing to tune on
func.func @nothing() {
  return
}
