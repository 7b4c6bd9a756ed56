// RUN: mamba-opt %s -mamba-tile-selective-step | FileCheck %s

// Two kernels with two scratch buffers between them. Kernel 1: a block per
// 128 channels (E = 192: two blocks, the second half empty) of a sequence;
// the conv window is read whole before the new one is written, x goes to
// shared memory and to the scratch row, then a thread per x_proj row (44)
// sums the block's channels in vectors of 8 weights into a partial.
// Kernel 2: the partials of both blocks added into [dt_r | B | C] in shared
// memory, dt_proj over R = 12 (three vectors of 4), softplus, the state
// update, skip and gate with z from the second half of xz.
// CHECK-LABEL: func.func @step
// CHECK-DAG:  %[[XZ:.*]] = bufferization.to_buffer %arg0 read_only : tensor<?x384xbf16> to memref<?x384xbf16>
// CHECK-DAG:  %[[CS:.*]] = bufferization.to_buffer %arg1 read_only : tensor<?x192x4xbf16>
// CHECK-DAG:  %[[WX:.*]] = bufferization.to_buffer %arg5 read_only : tensor<44x192xbf16>
// CHECK-DAG:  %[[WDT:.*]] = bufferization.to_buffer %arg6 read_only : tensor<192x12xbf16>
// CHECK-DAG:  %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x192xbf16>
// CHECK-DAG:  %[[NCS:.*]] = memref.alloc(%{{.*}}) : memref<?x192x4xbf16>
// CHECK-DAG:  %[[NSS:.*]] = memref.alloc(%{{.*}}) : memref<?x192x16xf32>
// CHECK-DAG:  %[[XC:.*]] = memref.alloc(%{{.*}}) : memref<?x192xf32>
// CHECK-DAG:  %[[P:.*]] = memref.alloc(%{{.*}}) : memref<?x2x44xf32>
// CHECK:      scf.forall (%[[S:.*]], %[[B:.*]]) in (2, %{{.*}}) {
// CHECK:        scf.forall (%[[T:.*]]) in (128) {
// CHECK:          %[[XS:.*]] = memref.alloc() {alignment = 16 : i64} : memref<128xf32, #gpu.address_space<workgroup>>
// CHECK:          memref.store %{{.*}}, %[[XS]][%[[T]]]
// CHECK:          scf.if
// CHECK:            memref.load %[[XZ]][%[[B]], %{{.*}}]
// CHECK-COUNT-3:    memref.load %[[CS]][%[[B]], %{{.*}}, %{{.*}}]
// CHECK-NOT:        memref.store
// CHECK-COUNT-4:    math.fma
// CHECK-COUNT-4:    memref.store %{{.*}}, %[[NCS]]
// CHECK:            arith.divf {{.*}} fastmath<afn>
// CHECK:            arith.truncf {{.*}} : f32 to bf16
// CHECK:            memref.store %{{.*}}, %[[XC]][%[[B]], %{{.*}}]
// CHECK:            memref.store %{{.*}}, %[[XS]][%[[T]]]
// CHECK:          gpu.barrier
// CHECK:          scf.for %[[ROW:.*]] = %[[T]] to %c44 step %c128
// CHECK:            arith.minui %{{.*}}, %c184
// CHECK:            vector.load %[[WX]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<44x192xbf16>, vector<8xbf16>
// CHECK:            vector.load %[[XS]][%{{.*}}] {alignment = 16 : i64} : memref<128xf32, #gpu.address_space<workgroup>>, vector<8xf32>
// CHECK:            vector.fma
// CHECK-COUNT-15:   vector.load %[[WX]]
// CHECK-NOT:        gpu.shuffle
// CHECK:            vector.reduction <add>
// CHECK-NEXT:       memref.store %{{.*}}, %[[P]][%[[B]], %[[S]], %[[ROW]]]
// CHECK:      scf.forall (%{{.*}}, %[[B2:.*]]) in (2, %{{.*}}) {
// CHECK:        scf.forall (%[[T2:.*]]) in (128) {
// Every global read of the channel is issued before the barrier.
// CHECK-COUNT-3:  vector.load %[[WDT]][%{{.*}}, %{{.*}}] {alignment = 8 : i64} : memref<192x12xbf16>, vector<4xbf16>
// CHECK:          memref.load %[[XC]][%[[B2]], %{{.*}}]
// CHECK:          vector.transfer_read %{{.*}} : memref<?x192x16xf32>, vector<16xf32>
// CHECK:          memref.load %[[XZ]][%[[B2]], %{{.*}}]
// CHECK:          %[[PR:.*]] = memref.alloc() {alignment = 16 : i64} : memref<44xf32, #gpu.address_space<workgroup>>
// CHECK:          scf.for %[[J:.*]] = %[[T2]] to %c44 step %c128
// CHECK-COUNT-2:    memref.load %[[P]][%[[B2]], %{{.*}}, %[[J]]]
// CHECK:            memref.store %{{.*}}, %[[PR]][%[[J]]]
// CHECK:          gpu.barrier
// CHECK-COUNT-3:  vector.load %[[PR]]
// CHECK:          vector.transfer_read %[[PR]]{{.*}} : memref<44xf32, #gpu.address_space<workgroup>>, vector<16xf32>
// CHECK:          vector.transfer_read %[[PR]]{{.*}} : memref<44xf32, #gpu.address_space<workgroup>>, vector<16xf32>
// CHECK:          math.exp2 %{{.*}} : vector<16xf32>
// CHECK:          vector.transfer_write %{{.*}}, %[[NSS]]
// CHECK:          memref.store %{{.*}}, %[[Y]]
// CHECK-NOT:  mamba.selective_step
func.func @step(%xz: tensor<?x384xbf16>, %cs: tensor<?x192x4xbf16>, %ss: tensor<?x192x16xf32>, %wc: tensor<192x4xbf16>, %bc: tensor<192xbf16>, %wx: tensor<44x192xbf16>, %wdt: tensor<192x12xbf16>, %bdt: tensor<192xf32>, %a: tensor<192x16xf32>, %d: tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc, %bc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x384xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>, tensor<192x4xbf16>, tensor<192xbf16>, tensor<44x192xbf16>, tensor<192x12xbf16>, tensor<192xf32>, tensor<192x16xf32>, tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>)
  return %y, %c, %s : tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>
}
