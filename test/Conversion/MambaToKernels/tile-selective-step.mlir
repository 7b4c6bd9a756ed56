// RUN: mamba-opt %s -mamba-tile-selective-step | FileCheck %s

// Two kernels with two scratch buffers between them. Kernel 1: a block of
// 256 threads per 128 channels (E = 192: two blocks, the second half
// empty) of a sequence. A thread per x_proj row (44) loads that row's 16
// vectors of 8 weights first; the first 128 threads then update the conv
// window (read whole before the new one is written) and put x in shared
// memory and in the scratch row; after the barrier each row's weights meet
// x, and the rows that exist store a partial.
// Kernel 2: 64 channels per block, four lanes of four states each. The
// channel's global reads come first: its dt_proj row (R = 12, three
// vectors of 4) spread over the lanes, the fourth lane's clamped and
// zeroed, then u, the states and z. The partials of both blocks are added
// into [dt_r | B | C] in shared memory; after the barrier the dt dot is
// summed over the lanes, then softplus, the state update, skip and gate.
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
// CHECK:        scf.forall (%[[T:.*]]) in (256) {
// CHECK:          %[[INROW:.*]] = arith.cmpi ult, %{{.*}}, %c44
// CHECK:          %[[ROW:.*]] = arith.select %[[INROW]]
// CHECK:          arith.minui %{{.*}}, %c184
// CHECK:          %[[W0:.*]] = vector.load %[[WX]][%[[ROW]], %{{.*}}] {alignment = 16 : i64} : memref<44x192xbf16>, vector<8xbf16>
// CHECK-COUNT-15: vector.load %[[WX]][%[[ROW]], %{{.*}}]
// CHECK:          %[[XS:.*]] = memref.alloc() {alignment = 16 : i64} : memref<128xf32, #gpu.address_space<workgroup>>
// CHECK:          %[[L:.*]] = arith.minui %[[T]], %c127
// CHECK:          %[[CT:.*]] = arith.cmpi ult, %[[T]], %c128
// CHECK:          scf.if %[[CT]] {
// CHECK-NEXT:       arith.constant 0.0
// CHECK-NEXT:       memref.store %{{.*}}, %[[XS]][%[[L]]]
// CHECK:          scf.if
// CHECK:            memref.load %[[XZ]][%[[B]], %{{.*}}]
// CHECK-COUNT-3:    memref.load %[[CS]][%[[B]], %{{.*}}, %{{.*}}]
// CHECK-NOT:        memref.store
// CHECK-COUNT-4:    math.fma
// CHECK-COUNT-4:    memref.store %{{.*}}, %[[NCS]]
// CHECK:            arith.divf {{.*}} fastmath<afn>
// CHECK:            arith.truncf {{.*}} : f32 to bf16
// CHECK:            memref.store %{{.*}}, %[[XC]][%[[B]], %{{.*}}]
// CHECK:            memref.store %{{.*}}, %[[XS]][%[[L]]]
// CHECK:          gpu.barrier
// CHECK-NOT:      vector.load %[[WX]]
// CHECK:          vector.load %[[XS]][%{{.*}}] {alignment = 16 : i64} : memref<128xf32, #gpu.address_space<workgroup>>, vector<8xf32>
// CHECK:          arith.extf %[[W0]]
// CHECK:          vector.fma
// CHECK-COUNT-15: vector.fma
// CHECK-NOT:      gpu.shuffle
// CHECK:          vector.reduction <add>
// CHECK-NEXT:     scf.if %[[INROW]] {
// CHECK-NEXT:       memref.store %{{.*}}, %[[P]][%[[B]], %[[S]], %[[ROW]]]
// CHECK:      scf.forall (%{{.*}}, %[[B2:.*]]) in (3, %{{.*}}) {
// CHECK:        scf.forall (%[[T2:.*]]) in (256) {
// CHECK:          %[[LANE:.*]] = arith.remui %[[T2]], %c4
// CHECK:          %[[INV:.*]] = arith.cmpi ult, %{{.*}}, %c3
// CHECK:          vector.load %[[WDT]][%{{.*}}, %{{.*}}] {alignment = 8 : i64} : memref<192x12xbf16>, vector<4xbf16>
// CHECK:          arith.select %[[INV]], %{{.*}} : vector<4xf32>
// CHECK:          memref.load %[[XC]][%[[B2]], %{{.*}}]
// CHECK:          vector.transfer_read %{{.*}} : memref<?x192x16xf32>, vector<4xf32>
// CHECK:          memref.load %[[XZ]][%[[B2]], %{{.*}}]
// CHECK:          %[[PR:.*]] = memref.alloc() {alignment = 16 : i64} : memref<44xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-2:  memref.load %[[P]][%[[B2]], %{{.*}}, %{{.*}}]
// CHECK:          scf.if
// CHECK-NEXT:       memref.store %{{.*}}, %[[PR]]
// CHECK:          gpu.barrier
// CHECK:          vector.load %[[PR]]
// CHECK:          vector.reduction <add>
// CHECK-COUNT-2:  gpu.shuffle xor
// CHECK:          vector.transfer_read %[[PR]]{{.*}} : memref<44xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:          vector.transfer_read %[[PR]]{{.*}} : memref<44xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK:          math.exp2 %{{.*}} : vector<4xf32>
// CHECK:          vector.transfer_write %{{.*}}, %[[NSS]]
// CHECK-COUNT-2:  gpu.shuffle xor
// CHECK:          memref.store %{{.*}}, %[[Y]]
// CHECK-NOT:  mamba.selective_step
func.func @step(%xz: tensor<?x384xbf16>, %cs: tensor<?x192x4xbf16>, %ss: tensor<?x192x16xf32>, %wc: tensor<192x4xbf16>, %bc: tensor<192xbf16>, %wx: tensor<44x192xbf16>, %wdt: tensor<192x12xbf16>, %bdt: tensor<192xf32>, %a: tensor<192x16xf32>, %d: tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>) {
  %y, %c, %s = mamba.selective_step %xz, %cs, %ss conv(%wc, %bc) x_proj(%wx) dt_proj(%wdt, %bdt) A(%a) D(%d) : (tensor<?x384xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>, tensor<192x4xbf16>, tensor<192xbf16>, tensor<44x192xbf16>, tensor<192x12xbf16>, tensor<192xf32>, tensor<192x16xf32>, tensor<192xf32>) -> (tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>)
  return %y, %c, %s : tensor<?x192xbf16>, tensor<?x192x4xbf16>, tensor<?x192x16xf32>
}
