// RUN: mamba-opt %s -split-input-file -mamba-truncate-to-bf16 | FileCheck %s

// f32 to bf16 on vectors: round to nearest even on the bits (0x7FFF plus
// the lowest kept bit), a NaN quieted (bit 22 set) instead of rounded, the
// choice made on i32 before the narrowing, so no select is left on bf16.
// CHECK-LABEL: func @vector
// CHECK-SAME:  (%[[X:.*]]: vector<8xf32>)
// CHECK-DAG:   %[[ABS:.*]] = arith.constant dense<2147483647> : vector<8xi32>
// CHECK-DAG:   %[[INF:.*]] = arith.constant dense<2139095040> : vector<8xi32>
// CHECK-DAG:   %[[QUIET:.*]] = arith.constant dense<4194304> : vector<8xi32>
// CHECK-DAG:   %[[HALF:.*]] = arith.constant dense<32767> : vector<8xi32>
// CHECK-DAG:   %[[ONE:.*]] = arith.constant dense<1> : vector<8xi32>
// CHECK-DAG:   %[[C16:.*]] = arith.constant dense<16> : vector<8xi32>
// CHECK:       %[[BITS:.*]] = arith.bitcast %[[X]] : vector<8xf32> to vector<8xi32>
// CHECK:       %[[HI:.*]] = arith.shrui %[[BITS]], %[[C16]]
// CHECK:       %[[LSB:.*]] = arith.andi %[[HI]], %[[ONE]]
// CHECK:       %[[BIAS:.*]] = arith.addi %[[LSB]], %[[HALF]]
// CHECK:       %[[ROUNDED:.*]] = arith.addi %[[BITS]], %[[BIAS]]
// CHECK:       %[[QUIETED:.*]] = arith.ori %[[BITS]], %[[QUIET]]
// CHECK:       %[[MAG:.*]] = arith.andi %[[BITS]], %[[ABS]]
// CHECK:       %[[NAN:.*]] = arith.cmpi ugt, %[[MAG]], %[[INF]]
// CHECK:       %[[CHOSEN:.*]] = arith.select %[[NAN]], %[[QUIETED]], %[[ROUNDED]] : vector<8xi1>, vector<8xi32>
// CHECK:       %[[SHIFTED:.*]] = arith.shrui %[[CHOSEN]], %[[C16]]
// CHECK:       %[[NARROW:.*]] = arith.trunci %[[SHIFTED]] : vector<8xi32> to vector<8xi16>
// CHECK:       %[[R:.*]] = arith.bitcast %[[NARROW]] : vector<8xi16> to vector<8xbf16>
// CHECK:       return %[[R]]
// CHECK-NOT:   arith.truncf
func.func @vector(%x: vector<8xf32>) -> vector<8xbf16> {
  %0 = arith.truncf %x : vector<8xf32> to vector<8xbf16>
  return %0 : vector<8xbf16>
}

// -----

// Scalars the same way.
// CHECK-LABEL: func @scalar
// CHECK:       arith.select %{{.*}}, %{{.*}}, %{{.*}} : i32
// CHECK:       arith.trunci %{{.*}} : i32 to i16
// CHECK:       arith.bitcast %{{.*}} : i16 to bf16
// CHECK-NOT:   arith.truncf
func.func @scalar(%x: f32) -> bf16 {
  %0 = arith.truncf %x : f32 to bf16
  return %0 : bf16
}

// -----

// Other conversions are left alone: to f16, from f64, and an explicit
// rounding mode (arith-expand handles those).
// CHECK-LABEL: func @others
// CHECK:       arith.truncf %{{.*}} : vector<4xf32> to vector<4xf16>
// CHECK:       arith.truncf %{{.*}} : f64 to bf16
// CHECK:       arith.truncf %{{.*}} toward_zero : f32 to bf16
func.func @others(%x: vector<4xf32>, %y: f64, %z: f32) -> (vector<4xf16>, bf16, bf16) {
  %0 = arith.truncf %x : vector<4xf32> to vector<4xf16>
  %1 = arith.truncf %y : f64 to bf16
  %2 = arith.truncf %z toward_zero : f32 to bf16
  return %0, %1, %2 : vector<4xf16>, bf16, bf16
}
