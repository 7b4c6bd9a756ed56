// RUN: mamba-opt %s -split-input-file -verify-diagnostics -mamba-map-forall-to-gpu | FileCheck %s

// A block loop over (x, y) with one thread loop becomes one launch; block
// ids replace the block loop's variables, thread ids the thread loop's, and
// the block-uniform ops between the loops run in every thread.
// CHECK-LABEL: func @nest
// CHECK-SAME:  (%[[OUT:.*]]: memref<?x64xf32>, %[[N:.*]]: index)
// CHECK-DAG:   %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG:   %[[C64:.*]] = arith.constant 64 : index
// CHECK:       gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%{{.*}} = %[[N]], %{{.*}} = %c3, %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C64]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK:         %[[ROW:.*]] = arith.addi %[[BX]], %[[BY]]
// CHECK:         memref.store %{{.*}}, %[[OUT]][%[[ROW]], %[[TX]]]
// CHECK:         gpu.terminator
// CHECK-NOT:   scf.forall
func.func @nest(%out: memref<?x64xf32>, %n: index) {
  %c3 = arith.constant 3 : index
  %cst = arith.constant 1.0 : f32
  scf.forall (%i, %j) in (%n, %c3) {
    %row = arith.addi %i, %j : index
    scf.forall (%t) in (64) {
      memref.store %cst, %out[%row, %t] : memref<?x64xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>, #gpu.block<y>]}
  return
}

// -----

// Shared memory allocated in the nest becomes an aligned workgroup global;
// its dealloc goes away with it.
// CHECK-DAG:   memref.global "private" @__mamba_shared : memref<16x4xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
// CHECK-DAG:   memref.global "private" @__mamba_shared_0 : memref<2xf16, #gpu.address_space<workgroup>> {alignment = 32 : i64}
// CHECK-LABEL: func @workgroup_buffer
// CHECK:       gpu.launch
// CHECK:         %[[SMEM:.*]] = memref.get_global @__mamba_shared : memref<16x4xf32, #gpu.address_space<workgroup>>
// CHECK:         %[[SMEM2:.*]] = memref.get_global @__mamba_shared_0
// CHECK:         memref.store %{{.*}}, %[[SMEM]]
// CHECK-NOT:     memref.alloc
// CHECK-NOT:     memref.dealloc
func.func @workgroup_buffer(%n: index) {
  %cst = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  scf.forall (%i) in (%n) {
    %smem = memref.alloc() : memref<16x4xf32, #gpu.address_space<workgroup>>
    %smem2 = memref.alloc() {alignment = 32 : i64} : memref<2xf16, #gpu.address_space<workgroup>>
    scf.forall (%t) in (16) {
      memref.store %cst, %smem[%t, %c0] : memref<16x4xf32, #gpu.address_space<workgroup>>
    } {mapping = [#gpu.thread<x>]}
    memref.dealloc %smem : memref<16x4xf32, #gpu.address_space<workgroup>>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

// Loops not mapped to blocks are left alone.
// CHECK-LABEL: func @unmapped
// CHECK:       scf.forall
// CHECK-NOT:   gpu.launch
func.func @unmapped(%out: memref<4xf32>) {
  %cst = arith.constant 1.0 : f32
  scf.forall (%i) in (4) {
    memref.store %cst, %out[%i] : memref<4xf32>
  }
  return
}

// -----

func.func @no_thread_loop(%out: memref<4xf32>) {
  %cst = arith.constant 1.0 : f32
  // expected-error @+1 {{mapped to GPU blocks must hold exactly one thread loop, found 0}}
  scf.forall (%i) in (4) {
    memref.store %cst, %out[%i] : memref<4xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @dynamic_threads(%out: memref<4x?xf32>, %n: index) {
  %cst = arith.constant 1.0 : f32
  scf.forall (%i) in (4) {
    // expected-error @+1 {{mapped to GPU threads must be normalized, have static trip counts}}
    scf.forall (%t) in (%n) {
      memref.store %cst, %out[%i, %t] : memref<4x?xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @not_normalized(%out: memref<8xf32>) {
  %cst = arith.constant 1.0 : f32
  // expected-error @+1 {{mapped to GPU blocks must be normalized (lower bound 0, step 1)}}
  scf.forall (%i) = (2) to (8) step (2) {
    scf.forall (%t) in (4) {
      memref.store %cst, %out[%i] : memref<8xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}
