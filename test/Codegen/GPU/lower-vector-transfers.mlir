// RUN: mamba-opt %s -split-input-file -mamba-lower-vector-transfers | FileCheck %s

// An in-bounds 1-D read along the innermost dimension is a plain load.
// CHECK-LABEL: func @in_bounds
// CHECK:       vector.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<8x4xf32>, vector<4xf32>
// CHECK-NOT:   vector.transfer_read
func.func @in_bounds(%m: memref<8x4xf32>, %i: index) -> vector<4xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%i, %c0], %pad {in_bounds = [true]} : memref<8x4xf32>, vector<4xf32>
  return %v : vector<4xf32>
}

// -----

// A read that may run past the end of the row (a sequence tail) gets a mask
// of the elements left (lane < dim - start), and padding elsewhere.
// CHECK-LABEL: func @maybe_out_of_bounds
// CHECK-SAME:  (%[[M:.*]]: memref<?x8x?xbf16>, %[[B:.*]]: index, %[[C:.*]]: index, %[[T:.*]]: index)
// CHECK-DAG:   %[[PAD:.*]] = arith.constant dense<0.000000e+00> : vector<16xbf16>
// CHECK-DAG:   %[[LANES:.*]] = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : vector<16xi64>
// CHECK:       %[[DIM:.*]] = memref.dim %[[M]], %c2
// CHECK:       %[[LEFT:.*]] = arith.subi %[[DIM]], %[[T]]
// CHECK:       %[[LEFT64:.*]] = arith.index_cast %[[LEFT]] : index to i64
// CHECK:       %[[SPLAT:.*]] = vector.broadcast %[[LEFT64]]
// CHECK:       %[[MASK:.*]] = arith.cmpi sgt, %[[SPLAT]], %[[LANES]] : vector<16xi64>
// CHECK:       vector.maskedload %[[M]][%[[B]], %[[C]], %[[T]]], %[[MASK]], %[[PAD]] : memref<?x8x?xbf16>, vector<16xi1>, vector<16xbf16> into vector<16xbf16>
func.func @maybe_out_of_bounds(%m: memref<?x8x?xbf16>, %b: index, %c: index, %t: index) -> vector<16xbf16> {
  %pad = arith.constant 0.0 : bf16
  %v = vector.transfer_read %m[%b, %c, %t], %pad : memref<?x8x?xbf16>, vector<16xbf16>
  return %v : vector<16xbf16>
}

// -----

// A write that may run past the end is a masked store.
// CHECK-LABEL: func @masked_write
// CHECK:       %[[MASK:.*]] = arith.cmpi sgt
// CHECK:       vector.maskedstore %{{.*}}[%{{.*}}], %[[MASK]], %{{.*}} : memref<?xf32>, vector<4xi1>, vector<4xf32>
func.func @masked_write(%m: memref<?xf32>, %v: vector<4xf32>, %i: index) {
  vector.transfer_write %v, %m[%i] : vector<4xf32>, memref<?xf32>
  return
}

// -----

// Strided reads (along a non-innermost dimension) are not this pass's job.
// CHECK-LABEL: func @strided
// CHECK:       vector.transfer_read
func.func @strided(%m: memref<4x?xf32>, %j: index) -> vector<4xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%c0, %j], %pad {in_bounds = [true], permutation_map = affine_map<(d0, d1) -> (d0)>} : memref<4x?xf32>, vector<4xf32>
  return %v : vector<4xf32>
}
