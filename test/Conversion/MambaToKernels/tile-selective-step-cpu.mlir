// RUN: mamba-opt %s -split-input-file -mamba-tile-selective-step-cpu -canonicalize -cse | FileCheck %s

// E = 200: four blocks of 64 channels (the last with 8), one thread each.
// Scratch between the kernels: the conv output [b, E] and each block's
// x_proj partial sums [b, 4, J = 12 + 2 * 16].
// CHECK-LABEL: func.func @step
// CHECK:       %[[CONV:.*]] = memref.alloc(%{{.*}}) : memref<?x200xf32>
// CHECK:       %[[PARTIALS:.*]] = memref.alloc(%{{.*}}) : memref<?x4x44xf32>
// Kernel 1: the block's channels into a stack vector (zeros past E), then
// every x_proj row against it in 8-lane vectors; a vector's first column
// is clamped to E - 8 = 192, where it meets only zeros.
// CHECK:       scf.forall (%[[BLOCK:.*]], %[[BATCH:.*]]) in (4, %{{.*}}) {
// CHECK-NEXT:    scf.forall (%{{.*}}) in (1) {
// CHECK:           %[[XS:.*]] = memref.alloca() : memref<64xf32>
// CHECK:           scf.for %{{.*}} = %c0 to %c64 step %c1 {
// CHECK:             math.exp2
// CHECK:             memref.store %{{.*}}, %[[CONV]]
// CHECK:           scf.for %[[ROW:.*]] = %c0 to %c44 step %c1 {
// CHECK:             scf.for %[[I:.*]] = %c0 to %c64 step %c8 iter_args(%{{.*}}) -> (vector<8xf32>) {
// CHECK:               arith.minui %{{.*}}, %c192 : index
// CHECK:               vector.load %[[XS]][%[[I]]] : memref<64xf32>, vector<8xf32>
// CHECK:               vector.fma
// CHECK:             vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<8xf32> into f32
// CHECK:             memref.store %{{.*}}, %[[PARTIALS]][%[[BATCH]], %[[BLOCK]], %[[ROW]]]
// Kernel 2: [dt_r | B | C] from the four partials, in order, into a stack
// vector; per channel dt_proj in 4-lane vectors (R = 12), softplus, and
// all 16 states updated as one vector.
// CHECK:       scf.forall (%{{.*}}, %{{.*}}) in (4, %{{.*}}) {
// CHECK-NEXT:    scf.forall (%{{.*}}) in (1) {
// CHECK:           %[[PROJ:.*]] = memref.alloca() : memref<44xf32>
// CHECK:           scf.for %{{.*}} = %c0 to %c44 step %c1 {
// CHECK-COUNT-4:     memref.load %[[PARTIALS]]
// CHECK:           vector.transfer_read %[[PROJ]][%c12]{{.*}} : memref<44xf32>, vector<16xf32>
// CHECK:           vector.transfer_read %[[PROJ]][%c28]{{.*}} : memref<44xf32>, vector<16xf32>
// CHECK:           scf.for %{{.*}} = %c0 to %c64 step %c1 {
// CHECK:             scf.for %{{.*}} = %c0 to %c12 step %c4 iter_args(%{{.*}}) -> (vector<4xf32>) {
// CHECK:             math.exp2 %{{.*}} : vector<16xf32>
// CHECK:             vector.transfer_write %{{.*}} : vector<16xf32>, memref<?x200x16xf32>
func.func @step(%xz: tensor<?x400xbf16>, %cs: tensor<?x200x4xbf16>, %ss: tensor<?x200x16xf32>, %wc: tensor<200x4xbf16>, %bc: tensor<200xbf16>, %wx: tensor<44x200xbf16>, %wdt: tensor<200x12xbf16>, %bdt: tensor<200xf32>, %a: tensor<200x16xf32>, %d: tensor<200xf32>) -> (tensor<?x200xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc, %bc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x400xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>, tensor<200x4xbf16>, tensor<200xbf16>, tensor<44x200xbf16>, tensor<200x12xbf16>, tensor<200xf32>, tensor<200x16xf32>, tensor<200xf32>) -> (tensor<?x200xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>)
  return %y, %c, %s : tensor<?x200xbf16>, tensor<?x200x4xbf16>, tensor<?x200x16xf32>
}
