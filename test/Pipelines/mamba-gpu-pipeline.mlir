// The scan goes through our passes and the upstream GPU lowering to a kernel
// image: PTX with the fused math, shared-memory staging and barriers, and a
// cubin from ptxas.
// REQUIRES: ptxas
// RUN: mamba-opt %s --mamba-gpu-pipeline="chip=sm_90a format=isa channels-per-block=64 chunk-length=16" | FileCheck %s --check-prefix=PTX
// RUN: mamba-opt %s --mamba-gpu-pipeline="chip=sm_80 format=bin" | FileCheck %s --check-prefix=CUBIN

// The host side keeps only shape arithmetic, result buffers and the launch.
// PTX-LABEL: func.func @scan
// PTX:       memref.alloc
// PTX:       gpu.launch_func @scan_kernel::@scan_kernel blocks in (%c24, %{{.*}}, %c1) threads in (%c64, %c1, %c1)
// PTX:       gpu.binary @scan_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80", flags = {ftz}>
// PTX-SAME:  .entry scan_kernel
// The B and C chunks are staged in shared memory between barriers and read
// as vectors.
// PTX-SAME:  .shared .align 16 .b8 __mamba_shared
// PTX-SAME:  bar.sync
// PTX-SAME:  ld.shared.v4.b32
// exp(dt * A) is a single ex2, flushing denormals (one MUFU.EX2 in SASS).
// PTX-SAME:  ex2.approx.ftz.f32
// No calls are left: libdevice was linked.
// PTX-NOT:   call.uni __nv_

// CUBIN:     gpu.binary @scan_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80", flags = {ftz}>, properties = {{.*}}, bin = "\7FELF
func.func @scan(%u: tensor<?x1536x?xbf16>, %delta: tensor<?x1536x?xbf16>,
    %A: tensor<1536x16xf32>, %B: tensor<?x1x16x?xbf16>,
    %C: tensor<?x1x16x?xbf16>, %D: tensor<1536xf32>, %z: tensor<?x1536x?xbf16>,
    %bias: tensor<1536xf32>) -> tensor<?x1536x?xbf16> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C D(%D) z(%z)
      delta_bias(%bias) delta_softplus
      : (tensor<?x1536x?xbf16>, tensor<?x1536x?xbf16>, tensor<1536x16xf32>,
         tensor<?x1x16x?xbf16>, tensor<?x1x16x?xbf16>, tensor<1536xf32>,
         tensor<?x1536x?xbf16>, tensor<1536xf32>) -> tensor<?x1536x?xbf16>
  return %y : tensor<?x1536x?xbf16>
}
