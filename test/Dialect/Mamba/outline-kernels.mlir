// RUN: mamba-opt %s --mamba-outline-kernels --split-input-file | FileCheck %s

// Each kernel op of an entry becomes a call of a private kernel function;
// equal ops share one; a scan without tiling also gets its split variant,
// named on the call. Functions that are not entries stay as they are.

// CHECK-LABEL: func.func @prefill
// CHECK: %[[E:.*]] = call @k0_embedding(%arg0, %arg1)
// CHECK: %[[N1:.*]] = call @k1_rms_norm(%[[E]], %arg2)
// CHECK: %[[N2:.*]] = call @k1_rms_norm(%[[N1]], %arg2)
// CHECK: %[[Y:.*]] = call @k2_selective_scan(%arg3, %arg3, %arg4, %arg5, %arg5) {mamba.split_variant = @k3_selective_scan}
// CHECK: %[[T:.*]] = call @k4_selective_scan(%arg3, %arg3, %arg4, %arg5, %arg5)
// CHECK-NOT: mamba.split_variant
// CHECK: return %[[N2]], %[[Y]], %[[T]]
// CHECK-LABEL: func.func @helper
// CHECK: mamba.rms_norm
// CHECK: func.func private @k0_embedding(%arg0: tensor<?x?xi32>, %arg1: tensor<16x8xf32>) -> tensor<?x?x8xf32> attributes {mamba.kernel}
// CHECK-NEXT: %[[K:.*]] = mamba.embedding %arg0, %arg1
// CHECK-NEXT: return %[[K]]
// CHECK: func.func private @k1_rms_norm({{.*}}) -> tensor<?x?x8xf32> attributes {mamba.kernel}
// CHECK-NEXT: mamba.rms_norm %arg0, %arg1 :
// CHECK: func.func private @k2_selective_scan({{.*}}) -> tensor<?x64x?xf32> attributes {mamba.kernel}
// CHECK-NEXT: mamba.selective_scan %arg0, %arg1, %arg2, %arg3, %arg4 :
// CHECK: func.func private @k3_selective_scan({{.*}}) -> {{.*}} attributes {mamba.kernel}
// CHECK-NEXT: mamba.selective_scan {{.*}}tiling = #mamba.scan_tiling<channels_per_block = 32, states_per_thread = 8, chunk_length = 16, sequence_splits = 16>
// CHECK: func.func private @k4_selective_scan({{.*}}) -> {{.*}} attributes {mamba.kernel}
// CHECK-NEXT: mamba.selective_scan {{.*}}tiling = #mamba.scan_tiling<channels_per_block = 64, states_per_thread = 16, chunk_length = 16>
func.func @prefill(%ids: tensor<?x?xi32> {mamba.input = "ids"},
                   %table: tensor<16x8xf32> {mamba.weight = "embeddings"},
                   %w: tensor<8xf32> {mamba.weight = "norm"},
                   %u: tensor<?x64x?xf32> {mamba.input = "u"},
                   %A: tensor<64x16xf32> {mamba.weight = "A"},
                   %B: tensor<?x1x16x?xf32> {mamba.input = "B"})
    -> (tensor<?x?x8xf32> {mamba.output = "h"}, tensor<?x64x?xf32> {mamba.output = "y"},
        tensor<?x64x?xf32> {mamba.output = "t"}) {
  %h = mamba.embedding %ids, %table : (tensor<?x?xi32>, tensor<16x8xf32>) -> tensor<?x?x8xf32>
  %n1 = mamba.rms_norm %h, %w : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %n2 = mamba.rms_norm %n1, %w : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32>
  %t = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 64, states_per_thread = 16, chunk_length = 16, sequence_splits = 1>}
      : (tensor<?x64x?xf32>, tensor<?x64x?xf32>, tensor<64x16xf32>, tensor<?x1x16x?xf32>, tensor<?x1x16x?xf32>) -> tensor<?x64x?xf32>
  return %n2, %y, %t : tensor<?x?x8xf32>, tensor<?x64x?xf32>, tensor<?x64x?xf32>
}

func.func @helper(%x: tensor<?x?x8xf32>, %w: tensor<8xf32>) -> tensor<?x?x8xf32> {
  %n = mamba.rms_norm %x, %w : (tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  return %n : tensor<?x?x8xf32>
}

// -----

// A second run finds nothing to outline and adds nothing; names already
// taken are not reused.
// CHECK-LABEL: func.func @decode
// CHECK: call @k1_rms_norm(%arg0, %arg1)
// CHECK: call @k0_rms_norm(
// CHECK: func.func private @k0_rms_norm
// CHECK-NOT: func.func private @k0_rms_norm
// CHECK: func.func private @k1_rms_norm
// CHECK-NOT: func.func
func.func @decode(%x: tensor<?x8xf32> {mamba.input = "x"}, %w: tensor<8xf32> {mamba.weight = "norm"})
    -> (tensor<?x8xf32> {mamba.output = "y"}) {
  %n = mamba.rms_norm %x, %w : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %m = call @k0_rms_norm(%n, %w) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %m : tensor<?x8xf32>
}
func.func private @k0_rms_norm(%x: tensor<?x8xf32>, %w: tensor<8xf32>) -> tensor<?x8xf32> attributes {mamba.kernel} {
  %n = mamba.rms_norm %x, %w eps(1.0e-6) : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  return %n : tensor<?x8xf32>
}
