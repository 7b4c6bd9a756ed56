// A model directory compiles to one module file: the kernels of its distinct
// ops (the two layers share theirs) and the plan of each entry.
// REQUIRES: ptxas
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny -o %t.mmod --target=sm_90a
// RUN: mamba-mmod-dump --plan %t.mmod | FileCheck %s

// CHECK: kernels: k0_embedding k1_rms_norm k2_causal_conv1d k3_selective_scan k4_selective_scan k5_rms_norm k6_rms_norm k7_embedding k8_argmax k9_embedding k10_rms_norm k11_selective_step k12_rms_norm k13_rms_norm
// CHECK: weight 0 backbone.embeddings.weight f32[256, 64]
// CHECK: weight 22 lm_head.weight f32[256, 64]
// CHECK: derived 0 = neg_exp(weight 8) f32[128, 16]
// CHECK: derived 1 = neg_exp(weight 18) f32[128, 16]

// CHECK-LABEL: entry prefill
// CHECK-NEXT:  input 0 ids i32[?, ?]
// CHECK-NEXT:  input 1 logit_rows i32[?]
// Temporaries are sized by the prompts' batch and length.
// CHECK:       b25 = temp f32[in0.0, in0.1, 64]
// in_proj's halves are row blocks of its weight.
// CHECK:       b29 = view of b4 + 0 f32[128, 64]
// CHECK:       b31 = view of b4 + 8192 f32[128, 64]
// The positions flattened for the gather of the logits' rows, and what is
// sized by how many rows are asked for.
// CHECK:       b71 = view of b70 + 0 f32[mul(in0.0, in0.1), 64]
// CHECK-NEXT:  b72 = temp f32[in1.0, 64]
// CHECK-NEXT:  b73 = temp f32[in1.0, 256]
// CHECK-NEXT:  b74 = temp i32[in1.0]
// CHECK-NEXT:  kernel k0_embedding(b0, b2) -> b25
// CHECK-NEXT:  kernel k1_rms_norm(b25, b3) -> b26, b27
// CHECK-NEXT:  gemm b30 = b26 * b29^T [y features-major]
// CHECK-NEXT:  gemm b32 = b26 * b31^T [y features-major]
// CHECK-NEXT:  kernel k2_causal_conv1d(b30, b28, b6) -> b33, b34
// CHECK-NEXT:  gemm b36 = b33 * b35^T [x features-major]
// CHECK-NEXT:  gemm b39 = b36 * b8^T [y features-major]
// CHECK-NEXT:  gemm b41 = b33 * b37^T [x features-major, y features-major]
// CHECK-NEXT:  gemm b43 = b33 * b38^T [x features-major, y features-major]
// CHECK-NEXT:  kernel k3_selective_scan(b33, b39, b40, b42, b44, b11, b32, b9) -> b45, b46
// CHECK-NEXT:    or k4_selective_scan when ceildiv(mul(in0.0, 128), 64) < SMs
// CHECK-NEXT:  gemm b47 = b45 * b12^T [x features-major]
// CHECK-NEXT:  kernel k5_rms_norm(b47, b13, b27) -> b48, b49
// The second layer runs the first layer's kernels.
// CHECK:       kernel k2_causal_conv1d
// CHECK:       kernel k3_selective_scan
// norm_f over every position, then lm_head over the gathered rows only,
// and their greedy ids.
// CHECK:       kernel k6_rms_norm(b69, b23, b49) -> b70
// CHECK-NEXT:  kernel k7_embedding(b1, b71) -> b72
// CHECK-NEXT:  gemm b73 = b72 * b24^T
// CHECK-NEXT:  kernel k8_argmax(b73) -> b74
// CHECK-NEXT:  output logits = b73
// CHECK-NEXT:  output layers.0.conv = b34
// CHECK-NEXT:  output layers.1.conv = b56
// CHECK-NEXT:  output layers.0.ssm = b46
// CHECK-NEXT:  output layers.1.ssm = b68
// CHECK-NEXT:  output next_ids = b74

// CHECK-LABEL: entry decode_step
// CHECK-NEXT:  input 0 ids i32[?]
// CHECK-NEXT:  input 1 layers.0.conv f32[?, 128, 4] state
// CHECK-NEXT:  input 2 layers.1.conv f32[?, 128, 4] state
// CHECK-NEXT:  input 3 layers.0.ssm f32[?, 128, 16] state
// CHECK-NEXT:  input 4 layers.1.ssm f32[?, 128, 16] state
// A decode layer: the norm, one in_proj GEMM for x and z, the fused step
// (shared by both layers), out_proj.
// CHECK:       kernel k9_embedding(b0, b5) -> b28
// CHECK-NEXT:  kernel k10_rms_norm(b28, b6) -> b29, b30
// CHECK-NEXT:  gemm b32 = b29 * b7^T
// CHECK-NEXT:  kernel k11_selective_step(b32, b1, b3, b31, b9, b10, b11, b12, b33, b14) -> b34, b35, b36
// CHECK-NEXT:  gemm b37 = b34 * b15^T
// CHECK-NEXT:  kernel k12_rms_norm(b37, b16, b30) -> b38, b39
// CHECK-NEXT:  gemm b41 = b38 * b17^T
// CHECK-NEXT:  kernel k11_selective_step(b41, b2, b4, b40, b19, b20, b21, b22, b42, b24) -> b43, b44, b45
// The logits' greedy argmax (prefill's kernel: the shapes are the same),
// returned after the states.
// CHECK:       kernel k8_argmax([[LOGITS:b[0-9]+]]) -> [[NEXT:b[0-9]+]]
// CHECK-NEXT:  output logits = [[LOGITS]]
// CHECK:       output layers.1.ssm
// CHECK-NEXT:  output next_ids = [[NEXT]]
