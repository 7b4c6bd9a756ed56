// RUN: mamba-opt %s -split-input-file -verify-diagnostics

// x must be [b, L, H, P].
func.func @f(%x: tensor<2x8x4xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects x to have rank 4 ([b, L, H, P]), but got 'tensor<2x8x4xf32>'}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4xf32>
  return
}

// -----

// dt's heads must be x's.
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x3xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects dt dim 2 (H) to be 4 to match x dim 2, but got 3}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x3xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// C's state size must be B's.
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x32xf32>) {
  // expected-error @+1 {{expects C dim 3 (N) to be 16 to match B dim 3, but got 32}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x32xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// The groups must divide the heads.
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x3x16xf32>, %C: tensor<2x8x3x16xf32>) {
  // expected-error @+1 {{expects the number of groups G = 3 of B and C to divide the heads H = 4}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x3x16xf32>, tensor<2x8x3x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// D per head and channel must be [H, P].
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>, %D: tensor<4x8xf32>) {
  // expected-error @+1 {{expects D dim 1 (P) to be 16 to match x dim 3, but got 8}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>, tensor<4x8xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// B must have x's element type.
func.func @f(%x: tensor<2x8x4x16xbf16>, %dt: tensor<2x8x4xbf16>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xbf16>) {
  // expected-error @+1 {{expects B to have element type 'bf16' (as x), but got 'f32'}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xbf16>, tensor<2x8x4xbf16>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xbf16>) -> tensor<2x8x4x16xbf16>
  return
}

// -----

// seq_idx must be [b, L].
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>, %seq: tensor<2x7xi32>) {
  // expected-error @+1 {{expects seq_idx dim 1 (L) to be 8 to match x dim 1, but got 7}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C seq_idx(%seq) : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>, tensor<2x7xi32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// The final states are [b, H, P, N].
func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x32xf32>, %C: tensor<2x8x1x32xf32>) {
  // expected-error @+1 {{expects final_states dim 3 (N) to be 32 to match B dim 3, but got 16}}
  %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x32xf32>, tensor<2x8x1x32xf32>) -> (tensor<2x8x4x16xf32>, tensor<2x4x16x16xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects a chunk_size of at least 1, but got 0}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {chunk_size = 0 : i64} : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8x4x16xf32>, %dt: tensor<2x8x4xf32>, %A: tensor<4xf32>, %B: tensor<2x8x1x16xf32>, %C: tensor<2x8x1x16xf32>) {
  // expected-error @+1 {{expects 0 <= dt_min <= dt_max, but got dt_min = 5.000000e-01, dt_max = 1.000000e-01}}
  %y = mamba.ssd_scan %x, %dt, %A, %B, %C {dt_min = 0.5 : f64, dt_max = 0.1 : f64} : (tensor<2x8x4x16xf32>, tensor<2x8x4xf32>, tensor<4xf32>, tensor<2x8x1x16xf32>, tensor<2x8x1x16xf32>) -> tensor<2x8x4x16xf32>
  return
}

// -----

// The state update's state is [b, H, P, N].
func.func @f(%s: tensor<2x4x16x8xf32>, %x: tensor<2x4x16xf32>, %dt: tensor<2x4xf32>, %A: tensor<4xf32>, %B: tensor<2x1x16xf32>, %C: tensor<2x1x16xf32>) {
  // expected-error @+1 {{expects B dim 2 (N) to be 8 to match state dim 3, but got 16}}
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C : (tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4xf32>, tensor<4xf32>, tensor<2x1x16xf32>, tensor<2x1x16xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x16x8xf32>)
  return
}

// -----

func.func @f(%s: tensor<2x4x16x8xf32>, %x: tensor<2x4x16xf32>, %dt: tensor<2x4xf32>, %A: tensor<4xf32>, %B: tensor<2x1x8xf32>, %C: tensor<2x1x8xf32>, %z: tensor<2x4x8xf32>) {
  // expected-error @+1 {{expects z dim 2 (P) to be 16 to match state dim 2, but got 8}}
  %y, %n = mamba.ssd_state_update %s, %x, %dt, %A, %B, %C z(%z) : (tensor<2x4x16x8xf32>, tensor<2x4x16xf32>, tensor<2x4xf32>, tensor<4xf32>, tensor<2x1x8xf32>, tensor<2x1x8xf32>, tensor<2x4x8xf32>) -> (tensor<2x4x16xf32>, tensor<2x4x16x8xf32>)
  return
}

// -----

// The gated norm's group size must divide the features.
func.func @f(%x: tensor<2x128xf32>, %w: tensor<128xf32>) {
  // expected-error @+1 {{expects group_size = 48 to divide the features F = 128}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 48 : i64} : (tensor<2x128xf32>, tensor<128xf32>) -> tensor<2x128xf32>
  return
}

// -----

func.func @f(%x: tensor<2x128xf32>, %w: tensor<64xf32>) {
  // expected-error @+1 {{expects weight dim 0 (F) to be 128 to match x dim 1, but got 64}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 64 : i64} : (tensor<2x128xf32>, tensor<64xf32>) -> tensor<2x128xf32>
  return
}

// -----

func.func @f(%x: tensor<2x128xbf16>, %w: tensor<128xf32>, %z: tensor<2x128xf32>) {
  // expected-error @+1 {{expects z to have the type of x 'tensor<2x128xbf16>', but got 'tensor<2x128xf32>'}}
  %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 64 : i64} : (tensor<2x128xbf16>, tensor<128xf32>, tensor<2x128xf32>) -> tensor<2x128xbf16>
  return
}

// -----

func.func @f(%x: tensor<2x128xf32>, %w: tensor<128xf32>) {
  // expected-error @+1 {{expects a group_size of at least 1, but got 0}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 0 : i64} : (tensor<2x128xf32>, tensor<128xf32>) -> tensor<2x128xf32>
  return
}

// -----

func.func @f(%x: tensor<2x128xf32>, %w: tensor<128xf32>) {
  // expected-error @+1 {{expects y to have the shape of x 'tensor<2x128xf32>', but got 'tensor<3x128xf32>'}}
  %y = mamba.rms_norm_gated %x, %w {group_size = 64 : i64} : (tensor<2x128xf32>, tensor<128xf32>) -> tensor<3x128xf32>
  return
}
