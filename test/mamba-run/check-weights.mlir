// mamba-run --check-weights refuses a weight with a NaN or an infinity in
// its compute type, naming the file, the weight, how many and the first;
// without the option the model runs. The bf16 case is a value finite as
// stored (3.4e38 in f32) that bf16, whose largest is 3.39e38, rounds to an
// infinity.
// RUN: rm -rf %t.w && cp -r %mamba_src_root/test/data/golden/model-tiny %t.w
// RUN: %python %mamba_src_root/test/python/set_weight.py %t.w/model.safetensors backbone.norm_f.weight 3 3.4e38
// RUN: mamba-compile %t.w -o %t.bf16.mmod --target=x86-64 --dtype=bf16
// RUN: not mamba-run %t.bf16.mmod --weights %t.w --device cpu --prompt-ids 1,2 --check-weights 2>&1 | FileCheck %s --check-prefix=BF16
// RUN: mamba-run %t.bf16.mmod --weights %t.w --device cpu --prompt-ids 1,2 --max-new-tokens 2 | FileCheck %s --check-prefix=RUNS
// RUN: mamba-compile %t.w -o %t.f32.mmod --target=x86-64 --dtype=f32
// RUN: mamba-run %t.f32.mmod --weights %t.w --device cpu --prompt-ids 1,2 --max-new-tokens 2 --check-weights | FileCheck %s --check-prefix=RUNS

// BF16: mamba-run: {{.*}}model.safetensors: weight 'backbone.norm_f.weight' has 1 NaN or infinite value in bf16 (the first at element 3, stored as 3.4e+38)
// RUNS: row 0:
