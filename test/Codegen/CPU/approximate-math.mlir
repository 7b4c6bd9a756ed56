// RUN: mamba-opt %s -split-input-file -mamba-approximate-math | FileCheck %s

// exp2 on f32 vectors: clamped to [-127, 128], rounded by the 1.5 * 2^23
// + 127 shifter, a degree-5 polynomial ending in 1 + f * q, and 2^n from
// the shifted sum's bits; no math op is left.
// CHECK-LABEL: func @exp2_vector
// CHECK-SAME:  (%[[X:.*]]: vector<8xf32>)
// CHECK-DAG:   %[[LO:.*]] = arith.constant dense<-1.270000e+02> : vector<8xf32>
// CHECK-DAG:   %[[HI:.*]] = arith.constant dense<1.280000e+02> : vector<8xf32>
// CHECK-DAG:   %[[SHIFTER:.*]] = arith.constant dense<0x4B40007F> : vector<8xf32>
// CHECK-DAG:   %[[ONE:.*]] = arith.constant dense<1.000000e+00> : vector<8xf32>
// CHECK-DAG:   %[[C23:.*]] = arith.constant dense<23> : vector<8xi32>
// CHECK:       %[[BELOW:.*]] = arith.cmpf olt, %[[X]], %[[LO]]
// CHECK:       %[[X1:.*]] = arith.select %[[BELOW]], %[[LO]], %[[X]]
// CHECK:       %[[ABOVE:.*]] = arith.cmpf ogt, %[[X1]], %[[HI]]
// CHECK:       %[[X2:.*]] = arith.select %[[ABOVE]], %[[HI]], %[[X1]]
// CHECK:       %[[S:.*]] = arith.addf %[[X2]], %[[SHIFTER]]
// CHECK:       %[[N:.*]] = arith.subf %[[S]], %[[SHIFTER]]
// CHECK:       %[[F:.*]] = arith.subf %[[X2]], %[[N]]
// CHECK-COUNT-4: math.fma
// CHECK:       %[[P:.*]] = math.fma %[[F]], %{{.*}}, %[[ONE]]
// CHECK:       %[[BITS:.*]] = arith.bitcast %[[S]] : vector<8xf32> to vector<8xi32>
// CHECK:       %[[E:.*]] = arith.shli %[[BITS]], %[[C23]]
// CHECK:       %[[SCALE:.*]] = arith.bitcast %[[E]] : vector<8xi32> to vector<8xf32>
// CHECK:       %[[R:.*]] = arith.mulf %[[P]], %[[SCALE]]
// CHECK:       return %[[R]]
// CHECK-NOT:   math.exp2
func.func @exp2_vector(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.exp2 %x : vector<8xf32>
  return %0 : vector<8xf32>
}

// -----

// Scalars too; a bf16 exp2 is widened to f32 first and narrowed after.
// CHECK-LABEL: func @exp2_scalar_and_bf16
// CHECK:       arith.extf %{{.*}} : bf16 to f32
// CHECK:       arith.shli %{{.*}} : i32
// CHECK:       arith.truncf %{{.*}} : f32 to bf16
// CHECK:       arith.shli %{{.*}} : i32
// CHECK-NOT:   math.exp2
func.func @exp2_scalar_and_bf16(%x: bf16, %y: f32) -> (bf16, f32) {
  %0 = math.exp2 %x : bf16
  %1 = math.exp2 %y : f32
  return %0, %1 : bf16, f32
}

// -----

// The softplus, log1p(exp(x)): max(x, 0) (NaN-keeping) plus e * q(e) for
// e = exp2(-|x| log2 e) in (0, 1], q of degree 8 by Horner's rule; the exp2
// becomes the polynomial above (its 4 + 1 FMAs come first).
// CHECK-LABEL: func @softplus
// CHECK-SAME:  (%[[X:.*]]: vector<8xf32>)
// CHECK-DAG:   %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<8xf32>
// CHECK-DAG:   %[[NLOG2E:.*]] = arith.constant dense<-1.44269502> : vector<8xf32>
// CHECK:       %[[POS:.*]] = arith.maximumf %[[X]], %[[ZERO]]
// CHECK:       %[[ABS:.*]] = math.absf %[[X]]
// CHECK:       arith.mulf %[[ABS]], %[[NLOG2E]]
// CHECK-COUNT-5: math.fma
// CHECK:       %[[E:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK-COUNT-8: math.fma %{{.*}}, %[[E]], %{{.*}}
// CHECK:       %[[R:.*]] = math.fma %[[E]], %{{.*}}, %[[POS]]
// CHECK:       return %[[R]]
// CHECK-NOT:   math.exp
// CHECK-NOT:   math.log1p
func.func @softplus(%x: vector<8xf32>) -> vector<8xf32> {
  %e = math.exp %x : vector<8xf32>
  %0 = math.log1p %e : vector<8xf32>
  return %0 : vector<8xf32>
}

// -----

// The rest goes through MLIR's polynomials: no libm function is left for
// the others the kernels use (a log1p not of an exp included).
// CHECK-LABEL: func @others
// CHECK-NOT:   math.exp
// CHECK-NOT:   math.log
// CHECK-NOT:   math.tanh
// CHECK:       return
func.func @others(%x: vector<8xf32>) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
  %0 = math.exp %x : vector<8xf32>
  %1 = math.log1p %x : vector<8xf32>
  %2 = math.log2 %x : vector<8xf32>
  %3 = math.tanh %x : vector<8xf32>
  return %0, %1, %2, %3 : vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>
}
