// A model directory compiles to one module file: the kernels of its distinct
// ops (the two layers share theirs) and the plan of each entry.
// REQUIRES: ptxas
// RUN: mamba-compile %mamba_src_root/test/data/golden/model-tiny -o %t.mmod --target=sm_90a
// RUN: %python %mamba_src_root/scripts/mmod-plan.py %t.mmod | FileCheck %s

// CHECK: kernels: k0_embedding k1_rms_norm k2_causal_conv1d k3_selective_scan k4_selective_scan k5_rms_norm k6_rms_norm k7_embedding k8_rms_norm k9_selective_step k10_rms_norm k11_rms_norm k12_argmax
// CHECK: weight 0 backbone.embeddings.weight f32[256, 64]
// CHECK: weight 22 lm_head.weight f32[256, 64]
// CHECK: derived 0 = neg_exp(weight 8) f32[128, 16]
// CHECK: derived 1 = neg_exp(weight 18) f32[128, 16]

// CHECK-LABEL: entry prefill
// CHECK-NEXT:  input 0 ids i32[?, ?]
// Temporaries are sized by the prompts' batch and length.
// CHECK:       b24 = temp f32[in0.0, in0.1, 64]
// in_proj's halves are row blocks of its weight.
// CHECK:       b28 = view of b3 + 0 f32[128, 64]
// CHECK:       b30 = view of b3 + 8192 f32[128, 64]
// CHECK:       kernel k0_embedding(b0, b1) -> b24
// CHECK-NEXT:  kernel k1_rms_norm(b24, b2) -> b25, b26
// CHECK-NEXT:  gemm b29 = b25 * b28^T [y features-major]
// CHECK-NEXT:  gemm b31 = b25 * b30^T [y features-major]
// CHECK-NEXT:  kernel k2_causal_conv1d(b29, b27, b5) -> b32, b33
// CHECK-NEXT:  gemm b35 = b32 * b34^T [x features-major]
// CHECK-NEXT:  gemm b38 = b35 * b7^T [y features-major]
// CHECK-NEXT:  gemm b40 = b32 * b36^T [x features-major, y features-major]
// CHECK-NEXT:  gemm b42 = b32 * b37^T [x features-major, y features-major]
// CHECK-NEXT:  kernel k3_selective_scan(b32, b38, b39, b41, b43, b10, b31, b8) -> b44, b45
// CHECK-NEXT:    or k4_selective_scan when ceildiv(mul(in0.0, 128), 64) < SMs
// CHECK-NEXT:  gemm b46 = b44 * b11^T [x features-major]
// CHECK-NEXT:  kernel k5_rms_norm(b46, b12, b26) -> b47, b48
// The second layer runs the first layer's kernels.
// CHECK:       kernel k2_causal_conv1d
// CHECK:       kernel k3_selective_scan
// CHECK:       kernel k6_rms_norm(b68, b22, b48) -> b69
// CHECK-NEXT:  gemm b70 = b69 * b23^T
// CHECK-NEXT:  output logits = b70
// CHECK-NEXT:  output layers.0.conv = b33
// CHECK-NEXT:  output layers.1.conv = b55
// CHECK-NEXT:  output layers.0.ssm = b45
// CHECK-NEXT:  output layers.1.ssm = b67

// CHECK-LABEL: entry decode_step
// CHECK-NEXT:  input 0 ids i32[?]
// CHECK-NEXT:  input 1 layers.0.conv f32[?, 128, 4] state
// CHECK-NEXT:  input 2 layers.1.conv f32[?, 128, 4] state
// CHECK-NEXT:  input 3 layers.0.ssm f32[?, 128, 16] state
// CHECK-NEXT:  input 4 layers.1.ssm f32[?, 128, 16] state
// A decode layer: the norm, one in_proj GEMM for x and z, the fused step
// (shared by both layers), out_proj.
// CHECK:       kernel k7_embedding(b0, b5) -> b28
// CHECK-NEXT:  kernel k8_rms_norm(b28, b6) -> b29, b30
// CHECK-NEXT:  gemm b32 = b29 * b7^T
// CHECK-NEXT:  kernel k9_selective_step(b32, b1, b3, b31, b9, b10, b11, b12, b33, b14) -> b34, b35, b36
// CHECK-NEXT:  gemm b37 = b34 * b15^T
// CHECK-NEXT:  kernel k10_rms_norm(b37, b16, b30) -> b38, b39
// CHECK-NEXT:  gemm b41 = b38 * b17^T
// CHECK-NEXT:  kernel k9_selective_step(b41, b2, b4, b40, b19, b20, b21, b22, b42, b24) -> b43, b44, b45
// The logits' greedy argmax, returned after the states.
// CHECK:       kernel k12_argmax([[LOGITS:b[0-9]+]]) -> [[NEXT:b[0-9]+]]
// CHECK-NEXT:  output logits = [[LOGITS]]
// CHECK:       output layers.1.ssm
// CHECK-NEXT:  output next_ids = [[NEXT]]
