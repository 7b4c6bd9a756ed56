// The Mamba-2 ops parse, verify and print, in the custom and generic forms.
// RUN: mamba-opt %s | FileCheck %s
// RUN: mamba-opt %s | mamba-opt | FileCheck %s
// RUN: mamba-opt -mlir-print-op-generic %s | mamba-opt | FileCheck %s

// Every optional operand and result of the SSD scan, bf16 activations, D per
// head and channel, a dt limit.
// CHECK-LABEL: func @ssd_scan_all_options
func.func @ssd_scan_all_options(
    %x: tensor<2x37x8x4xbf16>, %dt: tensor<2x37x8xbf16>, %A: tensor<8xf32>,
    %B: tensor<2x37x2x16xbf16>, %C: tensor<2x37x2x16xbf16>,
    %D: tensor<8x4xf32>, %z: tensor<2x37x8x4xbf16>, %bias: tensor<8xf32>,
    %h0: tensor<2x8x4x16xf32>, %seq: tensor<2x37xi32>)
    -> (tensor<2x37x8x4xbf16>, tensor<2x8x4x16xf32>) {
  // CHECK: mamba.ssd_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) z(%{{.*}}) dt_bias(%{{.*}}) initial_states(%{{.*}}) seq_idx(%{{.*}}) dt_softplus {chunk_size = 16 : i64, dt_max = 1.000000e-01 : f64, dt_min = 1.000000e-03 : f64}
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) z(%z) dt_bias(%bias)
      initial_states(%h0) seq_idx(%seq) dt_softplus
      {chunk_size = 16 : i64, dt_min = 0.001 : f64, dt_max = 0.1 : f64}
      : (tensor<2x37x8x4xbf16>, tensor<2x37x8xbf16>, tensor<8xf32>,
         tensor<2x37x2x16xbf16>, tensor<2x37x2x16xbf16>, tensor<8x4xf32>,
         tensor<2x37x8x4xbf16>, tensor<8xf32>, tensor<2x8x4x16xf32>,
         tensor<2x37xi32>)
      -> (tensor<2x37x8x4xbf16>, tensor<2x8x4x16xf32>)
  return %y, %s : tensor<2x37x8x4xbf16>, tensor<2x8x4x16xf32>
}

// The bare scan: the default chunk size is not printed; dynamic b and L.
// CHECK-LABEL: func @ssd_scan_bare
func.func @ssd_scan_bare(%x: tensor<?x?x4x64xf32>, %dt: tensor<?x?x4xf32>,
                         %A: tensor<4xf32>, %B: tensor<?x?x1x128xf32>,
                         %C: tensor<?x?x1x128xf32>, %D: tensor<4xf32>)
    -> tensor<?x?x4x64xf32> {
  // CHECK: mamba.ssd_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) :
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D)
      : (tensor<?x?x4x64xf32>, tensor<?x?x4xf32>, tensor<4xf32>,
         tensor<?x?x1x128xf32>, tensor<?x?x1x128xf32>, tensor<4xf32>)
      -> tensor<?x?x4x64xf32>
  return %y : tensor<?x?x4x64xf32>
}

// CHECK-LABEL: func @ssd_state_update
func.func @ssd_state_update(%s: tensor<2x8x16x32xf32>, %x: tensor<2x8x16xbf16>,
                            %dt: tensor<2x8xbf16>, %A: tensor<8xf32>,
                            %B: tensor<2x2x32xbf16>, %C: tensor<2x2x32xbf16>,
                            %D: tensor<8xf32>, %z: tensor<2x8x16xbf16>,
                            %bias: tensor<8xf32>)
    -> (tensor<2x8x16xbf16>, tensor<2x8x16x32xf32>) {
  // CHECK: mamba.ssd_state_update %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} D(%{{.*}}) z(%{{.*}}) dt_bias(%{{.*}}) dt_softplus :
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C D(%D) z(%z)
      dt_bias(%bias) dt_softplus
      : (tensor<2x8x16x32xf32>, tensor<2x8x16xbf16>, tensor<2x8xbf16>,
         tensor<8xf32>, tensor<2x2x32xbf16>, tensor<2x2x32xbf16>,
         tensor<8xf32>, tensor<2x8x16xbf16>, tensor<8xf32>)
      -> (tensor<2x8x16xbf16>, tensor<2x8x16x32xf32>)
  return %y, %n : tensor<2x8x16xbf16>, tensor<2x8x16x32xf32>
}

// CHECK-LABEL: func @rms_norm_gated
func.func @rms_norm_gated(%x: tensor<2x7x128xbf16>, %w: tensor<128xf32>,
                          %z: tensor<2x7x128xbf16>, %v: tensor<?x64xf32>,
                          %wv: tensor<64xf32>)
    -> (tensor<2x7x128xbf16>, tensor<?x64xf32>) {
  // CHECK: mamba.rms_norm_gated %{{.*}}, %{{.*}} z(%{{.*}}) {group_size = 64 : i64}
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 64 : i64}
      : (tensor<2x7x128xbf16>, tensor<128xf32>, tensor<2x7x128xbf16>)
      -> tensor<2x7x128xbf16>
  // CHECK: mamba.rms_norm_gated %{{.*}}, %{{.*}} {eps = 1.000000e-03 : f64, group_size = 64 : i64}
  %u = mamba.rms_norm_gated %v, %wv {group_size = 64 : i64, eps = 0.001 : f64}
      : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  return %y, %u : tensor<2x7x128xbf16>, tensor<?x64xf32>
}
