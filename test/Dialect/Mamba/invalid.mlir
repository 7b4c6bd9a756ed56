// RUN: mamba-opt %s -split-input-file -verify-diagnostics

// u must be [b, d, L].
func.func @f(%u: tensor<4x8xf32>, %dt: tensor<4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects u to have rank 3 ([b, d, L]), but got 'tensor<4x8xf32>'}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// delta must have u's shape.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x7xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects delta dim 2 (L) to be 8 to match u dim 2, but got 7}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x7xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// A's channels must match u's.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<5x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects A dim 0 (d) to be 4 to match u dim 1, but got 5}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<5x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// B needs a group dimension.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects B to have rank 4 ([b, G, N, L]), but got 'tensor<2x3x8xf32>'}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// C's state size must match A's.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x4x8xf32>) {
  // expected-error @+1 {{expects C dim 2 (N) to be 3 to match A dim 1, but got 4}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x4x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// B's length must match u's.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x9xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects B dim 3 (L) to be 8 to match u dim 2, but got 9}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x9xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// y has u's shape.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects y dim 0 (b) to be 2 to match u dim 0, but got 3}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<3x4x8xf32>
  return
}

// -----

// delta has u's element type.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xbf16>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects delta to have element type 'f32' (as u), but got 'bf16'}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xbf16>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// B has u's element type.
func.func @f(%u: tensor<2x4x8xbf16>, %dt: tensor<2x4x8xbf16>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf16>, %C: tensor<2x1x3x8xbf16>) {
  // expected-error @+1 {{expects B to have element type 'bf16' (as u), but got 'f16'}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xbf16>, tensor<2x4x8xbf16>, tensor<4x3xf32>, tensor<2x1x3x8xf16>, tensor<2x1x3x8xbf16>) -> tensor<2x4x8xbf16>
  return
}

// -----

// y has u's element type.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects y to have element type 'f32' (as u), but got 'f16'}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf16>
  return
}

// -----

// D is per channel.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>, %D: tensor<3xf32>) {
  // expected-error @+1 {{expects D dim 0 (d) to be 4 to match u dim 1, but got 3}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C D(%D) : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>, tensor<3xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// z has u's shape.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>, %z: tensor<2x4x1xf32>) {
  // expected-error @+1 {{expects z dim 2 (L) to be 8 to match u dim 2, but got 1}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C z(%z) : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>, tensor<2x4x1xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// z has u's element type.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>, %z: tensor<2x4x8xbf16>) {
  // expected-error @+1 {{expects z to have element type 'f32' (as u), but got 'bf16'}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C z(%z) : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>, tensor<2x4x8xbf16>) -> tensor<2x4x8xf32>
  return
}

// -----

// delta_bias is per channel.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>, %delta_bias: tensor<2x4xf32>) {
  // expected-error @+1 {{expects delta_bias to have rank 1 ([d]), but got 'tensor<2x4xf32>'}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C delta_bias(%delta_bias) : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>, tensor<2x4xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// initial_state is [b, d, N].
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>, %initial_state: tensor<2x4x16xf32>) {
  // expected-error @+1 {{expects initial_state dim 2 (N) to be 3 to match A dim 1, but got 16}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C initial_state(%initial_state) : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>, tensor<2x4x16xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// final_state is [b, d, N].
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{expects final_state dim 1 (d) to be 4 to match u dim 1, but got 8}}
  %y, %h = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x8x3xf32>)
  return
}

// -----

// Channels are split evenly over the groups of B and C.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x3x3x8xf32>, %C: tensor<2x3x3x8xf32>) {
  // expected-error @+1 {{expects the number of groups G = 3 of B and C to divide the channels d = 4}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x3x3x8xf32>, tensor<2x3x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// B and C need at least one group.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x0x3x8xf32>, %C: tensor<2x0x3x8xf32>) {
  // expected-error @+1 {{expects at least one group of B and C}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x0x3x8xf32>, tensor<2x0x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// The recurrence parameters are f32.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xbf16>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{operand #2 must be ranked tensor of 32-bit float values}}
  %y = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xbf16>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

// The state is kept in f32.
func.func @f(%u: tensor<2x4x8xf32>, %dt: tensor<2x4x8xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x8xf32>, %C: tensor<2x1x3x8xf32>) {
  // expected-error @+1 {{result #1 must be ranked tensor of 32-bit float values}}
  %y, %h = mamba.selective_scan %u, %dt, %A, %B, %C : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<4x3xf32>, tensor<2x1x3x8xf32>, tensor<2x1x3x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x3xbf16>)
  return
}

// -----

// The conv weight is [d, K].
func.func @f(%x: tensor<2x3x10xf32>, %w: tensor<4x4xf32>) {
  // expected-error @+1 {{expects weight dim 0 (d) to be 3 to match x dim 1, but got 4}}
  %y = mamba.causal_conv1d %x, %w : (tensor<2x3x10xf32>, tensor<4x4xf32>) -> tensor<2x3x10xf32>
  return
}

// -----

// Conv weights are in x's type or f32.
func.func @f(%x: tensor<2x3x10xbf16>, %w: tensor<3x4xf16>) {
  // expected-error @+1 {{expects weight to have element type 'bf16' or f32, but got 'f16'}}
  %y = mamba.causal_conv1d %x, %w : (tensor<2x3x10xbf16>, tensor<3x4xf16>) -> tensor<2x3x10xbf16>
  return
}

// -----

// The conv bias is per channel.
func.func @f(%x: tensor<2x3x10xf32>, %w: tensor<3x4xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{expects bias dim 0 (d) to be 3 to match x dim 1, but got 2}}
  %y = mamba.causal_conv1d %x, %w bias(%b) : (tensor<2x3x10xf32>, tensor<3x4xf32>, tensor<2xf32>) -> tensor<2x3x10xf32>
  return
}

// -----

// A convolution needs a tap.
func.func @f(%x: tensor<2x10x3xf32>, %w: tensor<10x4xf32>) {
  // expected-error @+1 {{expects weight dim 0 (d) to be 3 to match x dim 2, but got 10}}
  %y = mamba.causal_conv1d %x, %w channels_last : (tensor<2x10x3xf32>, tensor<10x4xf32>) -> tensor<2x10x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3x10xf32>, %w: tensor<3x0xf32>) {
  // expected-error @+1 {{expects a convolution width K of at least 1}}
  %y = mamba.causal_conv1d %x, %w : (tensor<2x3x10xf32>, tensor<3x0xf32>) -> tensor<2x3x10xf32>
  return
}

// -----

// The conv output has x's shape.
func.func @f(%x: tensor<2x3x10xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{expects y dim 2 (L) to be 10 to match x dim 2, but got 9}}
  %y = mamba.causal_conv1d %x, %w : (tensor<2x3x10xf32>, tensor<3x4xf32>) -> tensor<2x3x9xf32>
  return
}

// -----

// rms_norm reduces over a last dimension.
func.func @f(%x: tensor<f32>, %w: tensor<1xf32>) {
  // expected-error @+1 {{expects x to have rank 1 to 8, but got rank 0}}
  %y = mamba.rms_norm %x, %w : (tensor<f32>, tensor<1xf32>) -> tensor<f32>
  return
}

// -----

// The norm weight matches the last dimension.
func.func @f(%x: tensor<2x5xf32>, %w: tensor<6xf32>) {
  // expected-error @+1 {{expects weight dim 0 (D) to be 5 to match x dim 1, but got 6}}
  %y = mamba.rms_norm %x, %w : (tensor<2x5xf32>, tensor<6xf32>) -> tensor<2x5xf32>
  return
}

// -----

// The residual has x's shape.
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf32>, %res: tensor<3x5xf32>) {
  // expected-error @+1 {{expects residual dim 0 (r0) to be 2 to match x dim 0, but got 3}}
  %y, %r = mamba.rms_norm %x, %w residual(%res) : (tensor<2x5xf32>, tensor<5xf32>, tensor<3x5xf32>) -> (tensor<2x5xf32>, tensor<3x5xf32>)
  return
}

// -----

// The residual stream keeps its type.
func.func @f(%x: tensor<2x5xbf16>, %w: tensor<5xbf16>, %res: tensor<2x5xf32>) {
  // expected-error @+1 {{expects residual_out to have element type 'f32' (as residual), but got 'bf16'}}
  %y, %r = mamba.rms_norm %x, %w residual(%res) : (tensor<2x5xbf16>, tensor<5xbf16>, tensor<2x5xf32>) -> (tensor<2x5xbf16>, tensor<2x5xbf16>)
  return
}

// -----

// A new residual stream is x's type or f32.
func.func @f(%x: tensor<2x5xbf16>, %w: tensor<5xbf16>) {
  // expected-error @+1 {{expects residual_out to have element type 'bf16' or f32, but got 'f16'}}
  %y, %r = mamba.rms_norm %x, %w : (tensor<2x5xbf16>, tensor<5xbf16>) -> (tensor<2x5xbf16>, tensor<2x5xf16>)
  return
}

// -----

// eps keeps the division finite.
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf32>) {
  // expected-error @+1 {{expects eps to be a positive finite number, but got 0}}
  %y = mamba.rms_norm %x, %w eps(0.0) : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// The norm output has x's type.
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf32>) {
  // expected-error @+1 {{expects y to have element type 'f32' (as x), but got 'bf16'}}
  %y = mamba.rms_norm %x, %w : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xbf16>
  return
}

// -----

// The GEMM's reduction dimensions agree.
func.func @f(%x: tensor<5x64xf32>, %w: tensor<256x32xf32>) {
  // expected-error @+1 {{expects weight dim 1 (K) to be 64 to match x dim 1, but got 32}}
  %y = mamba.linear %x, %w : (tensor<5x64xf32>, tensor<256x32xf32>) -> tensor<5x256xf32>
  return
}

// -----

// The GEMM's output width is the weight's rows.
func.func @f(%x: tensor<5x64xf32>, %w: tensor<256x64xf32>) {
  // expected-error @+1 {{expects y dim 1 (M) to be 256 to match weight dim 0, but got 128}}
  %y = mamba.linear %x, %w : (tensor<5x64xf32>, tensor<256x64xf32>) -> tensor<5x128xf32>
  return
}

// -----

// The GEMM's rows are x's leading dimensions.
func.func @f(%x: tensor<1x5x64xf32>, %w: tensor<256x64xf32>) {
  // expected-error @+1 {{expects y to have rank 3 ([r0, r1, M]), but got 'tensor<5x256xf32>'}}
  %y = mamba.linear %x, %w : (tensor<1x5x64xf32>, tensor<256x64xf32>) -> tensor<5x256xf32>
  return
}

// -----

// GEMM operands share one type.
func.func @f(%x: tensor<5x64xbf16>, %w: tensor<256x64xf32>) {
  // expected-error @+1 {{expects weight to have element type 'bf16' (as x), but got 'f32'}}
  %y = mamba.linear %x, %w : (tensor<5x64xbf16>, tensor<256x64xf32>) -> tensor<5x256xbf16>
  return
}

// -----

// The GEMM bias is per output feature.
func.func @f(%x: tensor<5x64xf32>, %w: tensor<256x64xf32>, %b: tensor<64xf32>) {
  // expected-error @+1 {{expects bias dim 0 (M) to be 256 to match weight dim 0, but got 64}}
  %y = mamba.linear %x, %w bias(%b) : (tensor<5x64xf32>, tensor<256x64xf32>, tensor<64xf32>) -> tensor<5x256xf32>
  return
}

// -----

// Token ids are integers.
func.func @f(%ids: tensor<5xf32>, %t: tensor<256x64xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values}}
  %y = mamba.embedding %ids, %t : (tensor<5xf32>, tensor<256x64xf32>) -> tensor<5x64xf32>
  return
}

// -----

// The embedding appends the model width.
func.func @f(%ids: tensor<5xi32>, %t: tensor<256x64xf32>) {
  // expected-error @+1 {{expects y dim 1 (D) to be 64 to match table dim 1, but got 32}}
  %y = mamba.embedding %ids, %t : (tensor<5xi32>, tensor<256x64xf32>) -> tensor<5x32xf32>
  return
}

// -----

// The embedding keeps the ids' shape.
func.func @f(%ids: tensor<5xi32>, %t: tensor<256x64xf32>) {
  // expected-error @+1 {{expects y dim 0 (r0) to be 5 to match ids dim 0, but got 4}}
  %y = mamba.embedding %ids, %t : (tensor<5xi32>, tensor<256x64xf32>) -> tensor<4x64xf32>
  return
}

// -----

// The embedding has the table's type.
func.func @f(%ids: tensor<5xi32>, %t: tensor<256x64xf32>) {
  // expected-error @+1 {{expects y to have element type 'f32' (as table), but got 'bf16'}}
  %y = mamba.embedding %ids, %t : (tensor<5xi32>, tensor<256x64xf32>) -> tensor<5x64xbf16>
  return
}

// -----

// An empty table has no valid id.
func.func @f(%ids: tensor<5xi32>, %t: tensor<0x64xf32>) {
  // expected-error @+1 {{expects a table with at least one row}}
  %y = mamba.embedding %ids, %t : (tensor<5xi32>, tensor<0x64xf32>) -> tensor<5x64xf32>
  return
}

// -----

// argmax drops the last dimension and keeps the others.
func.func @f(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{expects ids dim 0 (r0) to be 4 to match x dim 0, but got 3}}
  %i = mamba.argmax %x : (tensor<4x10xf32>) -> tensor<3xi32>
  return
}

// -----

func.func @f(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{expects ids to have rank 1 ([r0]), but got 'tensor<4x10xi32>'}}
  %i = mamba.argmax %x : (tensor<4x10xf32>) -> tensor<4x10xi32>
  return
}

// -----

// Ids are i32, as the embedding takes them.
func.func @f(%x: tensor<4x10xf32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit signless integer values}}
  %i = mamba.argmax %x : (tensor<4x10xf32>) -> tensor<4xi64>
  return
}

// -----

func.func @f(%x: tensor<4x10xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %i = mamba.argmax %x : (tensor<4x10xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @f(%x: tensor<4x0xf32>) {
  // expected-error @+1 {{expects x to have at least one element along its last dimension (V >= 1)}}
  %i = mamba.argmax %x : (tensor<4x0xf32>) -> tensor<4xi32>
  return
}

// -----

func.func @f(%x: tensor<f32>) {
  // expected-error @+1 {{expects x to have rank 1 to 8, but got rank 0}}
  %i = mamba.argmax %x : (tensor<f32>) -> tensor<i32>
  return
}

// -----

// The decode state matches A's state size.
func.func @f(%s: tensor<2x4x16xf32>, %x: tensor<2x4xf32>, %dt: tensor<2x4xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3xf32>, %C: tensor<2x1x3xf32>) {
  // expected-error @+1 {{expects A dim 1 (N) to be 16 to match state dim 2, but got 3}}
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C : (tensor<2x4x16xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x1x3xf32>, tensor<2x1x3xf32>) -> (tensor<2x4xf32>, tensor<2x4x16xf32>)
  return
}

// -----

// B of one step is [b, G, N].
func.func @f(%s: tensor<2x4x3xf32>, %x: tensor<2x4xf32>, %dt: tensor<2x4xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3x1xf32>, %C: tensor<2x1x3x1xf32>) {
  // expected-error @+1 {{expects B to have rank 3 ([b, G, N]), but got 'tensor<2x1x3x1xf32>'}}
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C : (tensor<2x4x3xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x1x3x1xf32>, tensor<2x1x3x1xf32>) -> (tensor<2x4xf32>, tensor<2x4x3xf32>)
  return
}

// -----

// Channels are split evenly over the groups.
func.func @f(%s: tensor<2x4x3xf32>, %x: tensor<2x4xf32>, %dt: tensor<2x4xf32>, %A: tensor<4x3xf32>, %B: tensor<2x3x3xf32>, %C: tensor<2x3x3xf32>) {
  // expected-error @+1 {{expects the number of groups G = 3 of B and C to divide the channels d = 4}}
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C : (tensor<2x4x3xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x3x3xf32>, tensor<2x3x3xf32>) -> (tensor<2x4xf32>, tensor<2x4x3xf32>)
  return
}

// -----

// dt_bias is per channel.
func.func @f(%s: tensor<2x4x3xf32>, %x: tensor<2x4xf32>, %dt: tensor<2x4xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3xf32>, %C: tensor<2x1x3xf32>, %dt_bias: tensor<2xf32>) {
  // expected-error @+1 {{expects dt_bias dim 0 (d) to be 4 to match state dim 1, but got 2}}
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C dt_bias(%dt_bias) : (tensor<2x4x3xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x1x3xf32>, tensor<2x1x3xf32>, tensor<2xf32>) -> (tensor<2x4xf32>, tensor<2x4x3xf32>)
  return
}

// -----

// The state is kept in f32.
func.func @f(%s: tensor<2x4x3xbf16>, %x: tensor<2x4xf32>, %dt: tensor<2x4xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3xf32>, %C: tensor<2x1x3xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 32-bit float values}}
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C : (tensor<2x4x3xbf16>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x1x3xf32>, tensor<2x1x3xf32>) -> (tensor<2x4xf32>, tensor<2x4x3xf32>)
  return
}

// -----

// The new state has the state's shape.
func.func @f(%s: tensor<2x4x3xf32>, %x: tensor<2x4xf32>, %dt: tensor<2x4xf32>, %A: tensor<4x3xf32>, %B: tensor<2x1x3xf32>, %C: tensor<2x1x3xf32>) {
  // expected-error @+1 {{expects new_state dim 0 (b) to be 2 to match state dim 0, but got 1}}
  %y, %n = mamba.selective_state_update %s, %x, %dt, %A, %B, %C : (tensor<2x4x3xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<4x3xf32>, tensor<2x1x3xf32>, tensor<2x1x3xf32>) -> (tensor<2x4xf32>, tensor<1x4x3xf32>)
  return
}

// -----

// The conv window is as wide as the weight.
func.func @f(%s: tensor<2x3x4xf32>, %x: tensor<2x3xf32>, %w: tensor<3x3xf32>) {
  // expected-error @+1 {{expects weight dim 1 (K) to be 4 to match conv_state dim 2, but got 3}}
  %y, %n = mamba.conv_state_update %s, %x, %w : (tensor<2x3x4xf32>, tensor<2x3xf32>, tensor<3x3xf32>) -> (tensor<2x3xf32>, tensor<2x3x4xf32>)
  return
}

// -----

// The new window keeps the window's type.
func.func @f(%s: tensor<2x3x4xbf16>, %x: tensor<2x3xbf16>, %w: tensor<3x4xbf16>) {
  // expected-error @+1 {{expects new_conv_state to have element type 'bf16' (as conv_state), but got 'f32'}}
  %y, %n = mamba.conv_state_update %s, %x, %w : (tensor<2x3x4xbf16>, tensor<2x3xbf16>, tensor<3x4xbf16>) -> (tensor<2x3xbf16>, tensor<2x3x4xf32>)
  return
}

// -----

// One decode step takes one token per channel.
func.func @f(%s: tensor<2x3x4xf32>, %x: tensor<2x3x1xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{expects x to have rank 2 ([b, d]), but got 'tensor<2x3x1xf32>'}}
  %y, %n = mamba.conv_state_update %s, %x, %w : (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<3x4xf32>) -> (tensor<2x3xf32>, tensor<2x3x4xf32>)
  return
}

// -----

// in_proj produces x and z.
func.func @f(%h: tensor<1x5x64xf32>, %w_in: tensor<128x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects in_proj_weight dim 0 to be 2 * E = 256, but got 128}}
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xf32>, tensor<128x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<1x5x64xf32>
  return
}

// -----

// x_proj produces dt_r, B and C.
func.func @f(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<40x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects x_proj_weight dim 0 to be R + 2 * N = 36, but got 40}}
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<40x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<1x5x64xf32>
  return
}

// -----

// out_proj returns to the model width.
func.func @f(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<32x128xf32>) {
  // expected-error @+1 {{expects out_proj_weight dim 0 (D) to be 64 to match hidden dim 2, but got 32}}
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<32x128xf32>) -> tensor<1x5x64xf32>
  return
}

// -----

// dt_proj expands to every channel.
func.func @f(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<64x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects dt_proj_weight dim 0 (E) to be 128 to match A_log dim 0, but got 64}}
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<64x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<1x5x64xf32>
  return
}

// -----

// The mixer's output is [b, L, D].
func.func @f(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects out dim 1 (L) to be 5 to match hidden dim 1, but got 6}}
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<1x6x64xf32>
  return
}

// -----

// The GEMM weights share the activation type.
func.func @f(%h: tensor<1x5x64xbf16>, %w_in: tensor<256x64xbf16>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xbf16>, %w_dt: tensor<128x4xbf16>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects out_proj_weight to have element type 'bf16' (as hidden), but got 'f32'}}
  %o = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xbf16>, tensor<256x64xbf16>, tensor<128x4xf32>, tensor<36x128xbf16>, tensor<128x4xbf16>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> tensor<1x5x64xbf16>
  return
}

// -----

// Nine dimensions are more than any dimension name covers.
func.func @f(%x: tensor<1x1x1x1x1x1x1x1x5xf32>, %w: tensor<5x5xf32>) {
  // expected-error @+1 {{expects x to have rank 1 to 8, but got rank 9}}
  %y = mamba.linear %x, %w : (tensor<1x1x1x1x1x1x1x1x5xf32>, tensor<5x5xf32>) -> tensor<1x1x1x1x1x1x1x1x5xf32>
  return
}

// -----

// Ids of rank 8 would need a result of rank 9.
func.func @f(%ids: tensor<1x1x1x1x1x1x1x5xi32>, %t: tensor<5x5xf32>) {
  // expected-error @+1 {{expects y to have rank 1 to 8, but got rank 9}}
  %y = mamba.embedding %ids, %t : (tensor<1x1x1x1x1x1x1x5xi32>, tensor<5x5xf32>) -> tensor<1x1x1x1x1x1x1x5x5xf32>
  return
}

// -----

// A misspelled activation is a parse error, not a silent default.
func.func @f(%x: tensor<1x2x3xf32>, %w: tensor<2x2xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'activation' [none, silu]}}
  %y = mamba.causal_conv1d %x, %w activation(relu) : (tensor<1x2x3xf32>, tensor<2x2xf32>) -> tensor<1x2x3xf32>
  return
}

// -----

// The functional type must list every operand.
func.func @f(%x: tensor<2x5xf32>, %w: tensor<5xf32>) {
  // expected-error @+1 {{number of operands and types do not match: got 2 operands and 1 types}}
  %y = mamba.rms_norm %x, %w : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

// Tile sizes are positive.
func.func @f(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>, %B: tensor<1x1x4x4xf32>) {
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      // expected-error @+1 {{expects positive tile sizes, but got channels_per_block = 0, states_per_thread = 4, chunk_length = 2}}
      {tiling = #mamba.scan_tiling<channels_per_block = 0, states_per_thread = 4, chunk_length = 2>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  return
}

// -----

// A sequence is split into at least one segment.
func.func @f(%u: tensor<1x8x4xf32>, %A: tensor<8x4xf32>, %B: tensor<1x1x4x4xf32>) {
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      // expected-error @+1 {{expects positive tile sizes, but got channels_per_block = 4, states_per_thread = 4, chunk_length = 2, sequence_splits = 0}}
      {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 4, chunk_length = 2, sequence_splits = 0>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>,
         tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) -> tensor<1x8x4xf32>
  return
}

// -----

// The conv's final window has K entries per channel.
func.func @f(%x: tensor<2x3x10xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+1 {{expects final_state dim 2 (K) to be 4 to match weight dim 1, but got 3}}
  %y, %s = mamba.causal_conv1d %x, %w : (tensor<2x3x10xf32>, tensor<3x4xf32>) -> (tensor<2x3x10xf32>, tensor<2x3x3xf32>)
  return
}

// -----

// The conv's final window is in the input's type.
func.func @f(%x: tensor<2x3x10xbf16>, %w: tensor<3x4xbf16>) {
  // expected-error @+1 {{expects final_state to have element type 'bf16' (as x), but got 'f32'}}
  %y, %s = mamba.causal_conv1d %x, %w : (tensor<2x3x10xbf16>, tensor<3x4xbf16>) -> (tensor<2x3x10xbf16>, tensor<2x3x4xf32>)
  return
}

// -----

// A mixer returns both decode states or none.
func.func @f(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects either no state results or two (conv_state, ssm_state), but got 1}}
  %o, %c = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<1x5x64xf32>, tensor<1x128x4xf32>)
  return
}

// -----

// The SSM state of a mixer is f32.
func.func @f(%h: tensor<1x5x64xbf16>, %w_in: tensor<256x64xbf16>, %w_conv: tensor<128x4xbf16>, %w_x: tensor<36x128xbf16>, %w_dt: tensor<128x4xbf16>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xbf16>) {
  // expected-error @+1 {{expects ssm_state to have element type 'f32' (the state is kept in f32), but got 'bf16'}}
  %o, %c, %s = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xbf16>, tensor<256x64xbf16>, tensor<128x4xbf16>, tensor<36x128xbf16>, tensor<128x4xbf16>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xbf16>) -> (tensor<1x5x64xbf16>, tensor<1x128x4xbf16>, tensor<1x128x16xbf16>)
  return
}

// -----

// The conv state of a mixer has one window per inner channel.
func.func @f(%h: tensor<1x5x64xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects conv_state dim 1 (E) to be 128 to match A_log dim 0, but got 64}}
  %o, %c, %s = mamba.mixer %h in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<1x5x64xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<1x5x64xf32>, tensor<1x64x4xf32>, tensor<1x128x16xf32>)
  return
}

// -----

// A mixer step takes one token per sequence.
func.func @f(%h: tensor<2x5x64xf32>, %c: tensor<2x128x4xf32>, %s: tensor<2x128x16xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects hidden to have rank 2 ([b, D]), but got 'tensor<2x5x64xf32>'}}
  %o, %c1, %s1 = mamba.mixer_step %h, %c, %s in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<2x5x64xf32>, tensor<2x128x4xf32>, tensor<2x128x16xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<2x64xf32>, tensor<2x128x4xf32>, tensor<2x128x16xf32>)
  return
}

// -----

// A mixer step's states belong to the same batch as its tokens.
func.func @f(%h: tensor<2x64xf32>, %c: tensor<3x128x4xf32>, %s: tensor<2x128x16xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects conv_state dim 0 (b) to be 2 to match hidden dim 0, but got 3}}
  %o, %c1, %s1 = mamba.mixer_step %h, %c, %s in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<2x64xf32>, tensor<3x128x4xf32>, tensor<2x128x16xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<2x64xf32>, tensor<3x128x4xf32>, tensor<2x128x16xf32>)
  return
}

// -----

// The new SSM state keeps the state's shape.
func.func @f(%h: tensor<2x64xf32>, %c: tensor<2x128x4xf32>, %s: tensor<2x128x16xf32>, %w_in: tensor<256x64xf32>, %w_conv: tensor<128x4xf32>, %w_x: tensor<36x128xf32>, %w_dt: tensor<128x4xf32>, %b_dt: tensor<128xf32>, %a_log: tensor<128x16xf32>, %d: tensor<128xf32>, %w_out: tensor<64x128xf32>) {
  // expected-error @+1 {{expects new_ssm_state dim 2 (N) to be 16 to match A_log dim 1, but got 8}}
  %o, %c1, %s1 = mamba.mixer_step %h, %c, %s in_proj(%w_in) conv(%w_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out) : (tensor<2x64xf32>, tensor<2x128x4xf32>, tensor<2x128x16xf32>, tensor<256x64xf32>, tensor<128x4xf32>, tensor<36x128xf32>, tensor<128x4xf32>, tensor<128xf32>, tensor<128x16xf32>, tensor<128xf32>, tensor<64x128xf32>) -> (tensor<2x64xf32>, tensor<2x128x4xf32>, tensor<2x128x8xf32>)
  return
}

// -----

// Only rank-3 operands have a features-major layout.
func.func @f(%x: tensor<5x64xf32>, %w: tensor<16x64xf32>) {
  // expected-error @+1 {{expects x to have rank 3 to be features-major, but it has rank 2}}
  %y = mamba.linear %x, %w {x_features_major} : (tensor<5x64xf32>, tensor<16x64xf32>) -> tensor<5x16xf32>
  return
}

// -----

// A features-major result is [b, M, L].
func.func @f(%x: tensor<2x5x64xf32>, %w: tensor<16x64xf32>) {
  // expected-error @+1 {{expects y dim 1 (M) to be 16 to match weight dim 0, but got 5}}
  %y = mamba.linear %x, %w {y_features_major} : (tensor<2x5x64xf32>, tensor<16x64xf32>) -> tensor<2x5x16xf32>
  return
}

// -----

// xz holds x and z: 2E columns.
func.func @f(%xz: tensor<2x64xbf16>, %cs: tensor<2x64x4xbf16>, %ss: tensor<2x64x16xf32>, %wc: tensor<64x4xbf16>, %wx: tensor<36x64xbf16>, %wdt: tensor<64x4xbf16>, %bdt: tensor<64xf32>, %a: tensor<64x16xf32>, %d: tensor<64xf32>) {
  // expected-error @+1 {{expects xz dim 1 to be 2 * E = 128 (x and z), but got 64}}
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<2x64xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>, tensor<64x4xbf16>, tensor<36x64xbf16>, tensor<64x4xbf16>, tensor<64xf32>, tensor<64x16xf32>, tensor<64xf32>) -> (tensor<2x64xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>)
  return
}

// -----

// x_proj produces dt_r, B and C: R + 2N rows.
func.func @f(%xz: tensor<2x128xbf16>, %cs: tensor<2x64x4xbf16>, %ss: tensor<2x64x16xf32>, %wc: tensor<64x4xbf16>, %wx: tensor<40x64xbf16>, %wdt: tensor<64x4xbf16>, %bdt: tensor<64xf32>, %a: tensor<64x16xf32>, %d: tensor<64xf32>) {
  // expected-error @+1 {{expects x_proj_weight dim 0 to be R + 2 * N = 36, but got 40}}
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<2x128xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>, tensor<64x4xbf16>, tensor<40x64xbf16>, tensor<64x4xbf16>, tensor<64xf32>, tensor<64x16xf32>, tensor<64xf32>) -> (tensor<2x64xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>)
  return
}

// -----

// y has the activation type.
func.func @f(%xz: tensor<2x128xbf16>, %cs: tensor<2x64x4xbf16>, %ss: tensor<2x64x16xf32>, %wc: tensor<64x4xbf16>, %wx: tensor<36x64xbf16>, %wdt: tensor<64x4xbf16>, %bdt: tensor<64xf32>, %a: tensor<64x16xf32>, %d: tensor<64xf32>) {
  // expected-error @+1 {{expects y to have element type 'bf16' (as xz), but got 'f32'}}
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<2x128xbf16>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>, tensor<64x4xbf16>, tensor<36x64xbf16>, tensor<64x4xbf16>, tensor<64xf32>, tensor<64x16xf32>, tensor<64xf32>) -> (tensor<2x64xf32>, tensor<2x64x4xbf16>, tensor<2x64x16xf32>)
  return
}
