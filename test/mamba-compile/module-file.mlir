// mamba-compile writes one module file: the magic, the header length, the
// checksums of the header and the data section (8 bytes), a JSON
// header with the replay plan and one image per chip and kind.
// REQUIRES: ptxas
// RUN: mamba-compile %s -o %t.mmod --chip=sm_90a,sm_80 --channels-per-block=4
// RUN: head -c 8 %t.mmod | FileCheck %s --check-prefix=MAGIC
// RUN: tail -c +25 %t.mmod | FileCheck %s

// MAGIC: MAMBAMOD
// CHECK: "format":"mamba-module"
// CHECK-SAME: "functions":[{"args":[{"element":"f32","shape":[-1,8,-1]},{"element":"f32","shape":[-1,8,-1]},{"element":"f32","shape":[8,4]},{"element":"f32","shape":[-1,1,4,-1]},{"element":"f32","shape":[-1,1,4,-1]}]
// Grid: ceil(8 / 4) channel blocks x batch; 4 threads.
// CHECK-SAME: "launches":[{"block":[4,1,1],"grid":[2,{"dim":[0,0]},1],"kernel":"scan_kernel","module":"scan_kernel"
// CHECK-SAME: "params":[
// CHECK-SAME: {"index":0,"kind":"memref","rank":3,"source":"result"}
// The result is allocated with the batch and length of u.
// CHECK-SAME: "results":[{"element":"f32","shape":[{"dim":[0,0]},8,{"dim":[0,2]}]}]
// CHECK-SAME: "images":[{"chip":"sm_90a","kind":"cubin"
// CHECK-SAME: {"chip":"sm_90a","kind":"ptx"
// CHECK-SAME: {"chip":"sm_80","kind":"cubin"
// CHECK-SAME: {"chip":"sm_80","kind":"ptx"
func.func @scan(%u: tensor<?x8x?xf32>, %dt: tensor<?x8x?xf32>, %A: tensor<8x4xf32>,
                %B: tensor<?x1x4x?xf32>, %C: tensor<?x1x4x?xf32>) -> tensor<?x8x?xf32> {
  %y = mamba.selective_scan %u, %dt, %A, %B, %C
      : (tensor<?x8x?xf32>, tensor<?x8x?xf32>, tensor<8x4xf32>,
         tensor<?x1x4x?xf32>, tensor<?x1x4x?xf32>) -> tensor<?x8x?xf32>
  return %y : tensor<?x8x?xf32>
}
