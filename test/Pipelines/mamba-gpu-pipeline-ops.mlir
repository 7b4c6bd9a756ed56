// The ops around the scan go through their tiling passes and the upstream
// GPU lowering to one kernel each, with the reductions and barriers in the
// PTX and a cubin from ptxas.
// REQUIRES: ptxas
// RUN: mamba-opt %mamba_src_root/unittests/Gpu/compiled/ops.mlir --mamba-gpu-pipeline="chip=sm_90a format=isa" | FileCheck %s --check-prefix=PTX
// RUN: mamba-opt %mamba_src_root/unittests/Gpu/compiled/ops.mlir --mamba-gpu-pipeline="chip=sm_80 format=bin" | FileCheck %s --check-prefix=CUBIN

// Each function launches its kernel, whose binary follows it.
// PTX-LABEL: func.func @norm_residual_bf16
// Prefill rows: a thread per eight of the row's 1000 features, in whole
// warps (the eight kept in registers).
// PTX:       gpu.launch_func @norm_residual_bf16_kernel::@norm_residual_bf16_kernel blocks in (%{{.*}}, %{{.*}}, %c1) threads in (%c128, %c1, %c1)
// The norm's warp reduction and shared-memory round.
// PTX:       gpu.binary @norm_residual_bf16_kernel
// PTX-SAME:  shfl.sync.bfly.b32
// PTX-SAME:  bar.sync
// PTX-SAME:  rsqrt.approx
// PTX-LABEL: func.func @conv_silu_bf16
// PTX:       gpu.launch_func @conv_silu_bf16_kernel::@conv_silu_bf16_kernel blocks in (%{{.*}}, %c96, %{{.*}}) threads in (%c128, %c1, %c1)
// A thread's eight timesteps in one 16-byte load and one store.
// PTX:       gpu.binary @conv_silu_bf16_kernel
// PTX-SAME:  ld.global.v4.b32
// PTX-SAME:  st.global.v4.b32
// PTX-LABEL: func.func @embed_bf16
// PTX:       gpu.launch_func
// PTX-LABEL: func.func @ssm_step_bf16_n64_g2
// PTX:       gpu.launch_func @ssm_step_bf16_n64_g2_kernel::@ssm_step_bf16_n64_g2_kernel blocks in (%c3, %{{.*}}, %c1) threads in (%c128, %c1, %c1)
// The state update: one ex2 per state, shuffles over the channel's lanes.
// PTX:       gpu.binary @ssm_step_bf16_n64_g2_kernel
// PTX-SAME:  ex2.approx.ftz.f32
// PTX-SAME:  shfl.sync.bfly.b32
// The fused decode step: two kernels, the scratch between them allocated
// by the function; x_proj reads 16-byte vectors of weights before the
// barrier that makes x visible.
// PTX-LABEL: func.func @selective_step_bf16
// PTX:       %[[P:.*]] = memref.alloc(%{{.*}}) : memref<?x2x44xf32>
// PTX:       gpu.launch_func @selective_step_bf16_kernel::@selective_step_bf16_kernel blocks in (%c2, %{{.*}}, %c1) threads in (%c256, %c1, %c1) {{.*}}%[[P]]
// PTX:       gpu.launch_func @selective_step_bf16_kernel_0::@selective_step_bf16_kernel blocks in (%c3, %{{.*}}, %c1) threads in (%c256, %c1, %c1) {{.*}}%[[P]]
// PTX:       gpu.binary @selective_step_bf16_kernel
// PTX-SAME:  ld.global.v4.b32
// PTX-SAME:  bar.sync

// CUBIN-COUNT-12: gpu.binary @{{.*}}_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_80"
// Greedy sampling: a block per row, 16-byte loads, the warp's best pairs
// combined by shuffles.
// PTX-LABEL: func.func @argmax_bf16
// PTX:       gpu.launch_func @argmax_bf16_kernel::@argmax_bf16_kernel blocks in (%{{.*}}, %c1, %c1) threads in (%c512, %c1, %c1)
// PTX:       gpu.binary @argmax_bf16_kernel
// PTX-SAME:  ld.global.v4.b32
// PTX-SAME:  shfl.sync.bfly.b32
