// RUN: mamba-opt %s -split-input-file -mamba-fuse-scan-elementwise | FileCheck %s

#full = affine_map<(b, d, l) -> (b, d, l)>
#chan = affine_map<(b, d, l) -> (d)>

// The block written op by op: the time step softplus(x + bias) in one
// generic, the D skip and the SiLU gate in two more after a bare scan. All
// three end up in the scan and the generics go away.
// CHECK-LABEL: func @time_step_skip_and_gate
// CHECK-SAME:  (%[[U:.*]]: tensor<2x8x16xbf16>, %[[X:.*]]: tensor<2x8x16xbf16>, %[[A:.*]]: tensor<8x4xf32>, %[[B:.*]]: tensor<2x1x4x16xbf16>, %[[D:.*]]: tensor<8xf32>, %[[Z:.*]]: tensor<2x8x16xbf16>, %[[BIAS:.*]]: tensor<8xf32>)
// CHECK-NOT:   linalg.generic
// CHECK:       %[[Y:.*]] = mamba.selective_scan %[[U]], %[[X]], %[[A]], %[[B]], %[[B]] D(%[[D]]) z(%[[Z]]) delta_bias(%[[BIAS]]) delta_softplus
// CHECK-NOT:   linalg.generic
// CHECK:       return %[[Y]]
func.func @time_step_skip_and_gate(%u: tensor<2x8x16xbf16>, %x: tensor<2x8x16xbf16>,
    %A: tensor<8x4xf32>, %B: tensor<2x1x4x16xbf16>, %D: tensor<8xf32>,
    %z: tensor<2x8x16xbf16>, %bias: tensor<8xf32>) -> tensor<2x8x16xbf16> {
  %e = tensor.empty() : tensor<2x8x16xbf16>
  %dt = linalg.generic {indexing_maps = [#full, #chan, #full],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<2x8x16xbf16>, tensor<8xf32>) outs(%e : tensor<2x8x16xbf16>) {
  ^bb0(%xv: bf16, %bv: f32, %o: bf16):
    %xf = arith.extf %xv : bf16 to f32
    %s = arith.addf %xf, %bv : f32
    // torch's softplus: x itself above the threshold.
    %ex = math.exp %s : f32
    %sp = math.log1p %ex : f32
    %c20 = arith.constant 20.0 : f32
    %big = arith.cmpf ogt, %s, %c20 : f32
    %r = arith.select %big, %s, %sp : f32
    %t = arith.truncf %r : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x8x16xbf16>
  %y = mamba.selective_scan %u, %dt, %A, %B, %B
      : (tensor<2x8x16xbf16>, tensor<2x8x16xbf16>, tensor<8x4xf32>,
         tensor<2x1x4x16xbf16>, tensor<2x1x4x16xbf16>) -> tensor<2x8x16xbf16>
  %skip = linalg.generic {indexing_maps = [#full, #chan, #full, #full],
                          iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y, %D, %u : tensor<2x8x16xbf16>, tensor<8xf32>, tensor<2x8x16xbf16>)
      outs(%e : tensor<2x8x16xbf16>) {
  ^bb0(%yv: bf16, %dv: f32, %uv: bf16, %o: bf16):
    %yf = arith.extf %yv : bf16 to f32
    %uf = arith.extf %uv : bf16 to f32
    %p = arith.mulf %dv, %uf : f32
    %s = arith.addf %yf, %p : f32
    %t = arith.truncf %s : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x8x16xbf16>
  %gated = linalg.generic {indexing_maps = [#full, #full, #full],
                           iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%skip, %z : tensor<2x8x16xbf16>, tensor<2x8x16xbf16>)
      outs(%e : tensor<2x8x16xbf16>) {
  ^bb0(%yv: bf16, %zv: bf16, %o: bf16):
    %yf = arith.extf %yv : bf16 to f32
    %zf = arith.extf %zv : bf16 to f32
    %n = arith.negf %zf : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %ex : f32
    %silu = arith.divf %zf, %den : f32
    %g = arith.mulf %yf, %silu : f32
    %t = arith.truncf %g : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<2x8x16xbf16>
  return %gated : tensor<2x8x16xbf16>
}

// -----

#full = affine_map<(b, d, l) -> (b, d, l)>

// The other spellings: softplus without a bias, SiLU as z * sigmoid(z)
// with -z as z * -1, in f32.
// CHECK-LABEL: func @softplus_and_sigmoid
// CHECK:       %[[Y:.*]] = mamba.selective_scan %arg0, %arg1, %arg2, %arg3, %arg3 z(%arg4) delta_softplus
// CHECK-NEXT:  return %[[Y]]
func.func @softplus_and_sigmoid(%u: tensor<1x4x8xf32>, %x: tensor<1x4x8xf32>,
    %A: tensor<4x2xf32>, %B: tensor<1x1x2x8xf32>, %z: tensor<1x4x8xf32>)
    -> tensor<1x4x8xf32> {
  %e = tensor.empty() : tensor<1x4x8xf32>
  %dt = linalg.generic {indexing_maps = [#full, #full],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x4x8xf32>) outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%xv: f32, %o: f32):
    %ex = math.exp %xv : f32
    %sp = math.log1p %ex : f32
    linalg.yield %sp : f32
  } -> tensor<1x4x8xf32>
  %y = mamba.selective_scan %u, %dt, %A, %B, %B
      : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<4x2xf32>,
         tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x4x8xf32>
  %gated = linalg.generic {indexing_maps = [#full, #full, #full],
                           iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%z, %y : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%zv: f32, %yv: f32, %o: f32):
    %m1 = arith.constant -1.0 : f32
    %n = arith.mulf %zv, %m1 : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %ex, %one : f32
    %sig = arith.divf %one, %den : f32
    %silu = arith.mulf %zv, %sig : f32
    %g = arith.mulf %silu, %yv : f32
    linalg.yield %g : f32
  } -> tensor<1x4x8xf32>
  return %gated : tensor<1x4x8xf32>
}

// -----

#full = affine_map<(b, d, l) -> (b, d, l)>
#chan = affine_map<(b, d, l) -> (d)>

// What must stay as it is:
// - a skip after a gate (the scan applies D before the gate): the gate
//   folds, then the skip cannot;
// - a consumer whose operand is defined after the scan;
// - y used twice (the unfused y is needed too);
// - a body that is not the pattern (y * z is not a SiLU gate).
// CHECK-LABEL: func @not_folded
// CHECK:       %[[Y1:.*]] = mamba.selective_scan %arg0, %arg1, %arg2, %arg3, %arg3 z(%arg4) :
// CHECK:       linalg.generic
// CHECK:       %[[Y2:.*]] = mamba.selective_scan %arg0, %arg1, %arg2, %arg3, %arg3 :
// CHECK:       %[[LATE:.*]] = arith.addf
// CHECK:       linalg.generic {{.*}} ins(%[[Y2]], %[[LATE]]
// CHECK:       %[[Y3:.*]] = mamba.selective_scan %arg0, %arg1, %arg2, %arg3, %arg3 :
// CHECK:       linalg.generic {{.*}} ins(%[[Y3]], %arg4
// CHECK:       %[[Y4:.*]] = mamba.selective_scan %arg0, %arg1, %arg2, %arg3, %arg3 :
// CHECK:       linalg.generic {{.*}} ins(%[[Y4]], %arg4
func.func @not_folded(%u: tensor<1x4x8xf32>, %x: tensor<1x4x8xf32>,
    %A: tensor<4x2xf32>, %B: tensor<1x1x2x8xf32>, %z: tensor<1x4x8xf32>,
    %D: tensor<4xf32>)
    -> (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>) {
  %e = tensor.empty() : tensor<1x4x8xf32>
  %y1 = mamba.selective_scan %u, %x, %A, %B, %B
      : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<4x2xf32>,
         tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x4x8xf32>
  %g1 = linalg.generic {indexing_maps = [#full, #full, #full],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y1, %z : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%yv: f32, %zv: f32, %o: f32):
    %n = arith.negf %zv : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %ex : f32
    %silu = arith.divf %zv, %den : f32
    %g = arith.mulf %yv, %silu : f32
    linalg.yield %g : f32
  } -> tensor<1x4x8xf32>
  %s1 = linalg.generic {indexing_maps = [#full, #chan, #full, #full],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g1, %D, %u : tensor<1x4x8xf32>, tensor<4xf32>, tensor<1x4x8xf32>)
      outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%yv: f32, %dv: f32, %uv: f32, %o: f32):
    %p = arith.mulf %dv, %uv : f32
    %s = arith.addf %yv, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8xf32>

  %y2 = mamba.selective_scan %u, %x, %A, %B, %B
      : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<4x2xf32>,
         tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x4x8xf32>
  %late = arith.addf %z, %z : tensor<1x4x8xf32>
  %g2 = linalg.generic {indexing_maps = [#full, #full, #full],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y2, %late : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%yv: f32, %zv: f32, %o: f32):
    %n = arith.negf %zv : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %ex : f32
    %silu = arith.divf %zv, %den : f32
    %g = arith.mulf %yv, %silu : f32
    linalg.yield %g : f32
  } -> tensor<1x4x8xf32>

  %y3 = mamba.selective_scan %u, %x, %A, %B, %B
      : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<4x2xf32>,
         tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x4x8xf32>
  %g3 = linalg.generic {indexing_maps = [#full, #full, #full],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y3, %z : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%yv: f32, %zv: f32, %o: f32):
    %n = arith.negf %zv : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %ex : f32
    %silu = arith.divf %zv, %den : f32
    %g = arith.mulf %yv, %silu : f32
    linalg.yield %g : f32
  } -> tensor<1x4x8xf32>

  %y4 = mamba.selective_scan %u, %x, %A, %B, %B
      : (tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<4x2xf32>,
         tensor<1x1x2x8xf32>, tensor<1x1x2x8xf32>) -> tensor<1x4x8xf32>
  %g4 = linalg.generic {indexing_maps = [#full, #full, #full],
                        iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y4, %z : tensor<1x4x8xf32>, tensor<1x4x8xf32>) outs(%e : tensor<1x4x8xf32>) {
  ^bb0(%yv: f32, %zv: f32, %o: f32):
    %g = arith.mulf %yv, %zv : f32
    linalg.yield %g : f32
  } -> tensor<1x4x8xf32>
  return %s1, %g2, %g3, %y3, %g4 : tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>, tensor<1x4x8xf32>
}
