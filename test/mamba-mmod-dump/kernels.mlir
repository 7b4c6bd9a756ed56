// mamba-mmod-dump reads a module with the runtime's reader and prints its
// images and functions, the expressions over the arguments' dimensions.
// REQUIRES: ptxas
// RUN: mamba-compile %s -o %t.mmod --chip=sm_90a,sm_80 --channels-per-block=4
// RUN: mamba-mmod-dump %t.mmod | FileCheck %s
// The header it prints is the one stored: the writer is the reader's inverse.
// RUN: mamba-mmod-dump --header %t.mmod > %t.header
// RUN: tail -c +25 %t.mmod > %t.rest
// RUN: head -c $(( $(wc -c < %t.header) - 1 )) %t.rest > %t.stored
// RUN: head -c -1 %t.header | diff - %t.stored
// RUN: rm -rf %t.images && mkdir %t.images
// RUN: mamba-mmod-dump --extract-images %t.images %t.mmod | FileCheck %s --check-prefix=IMAGES
// RUN: head -c 4 %t.images/*.scan_kernel.sm_80.cubin | FileCheck %s --check-prefix=ELF

// CHECK: image 0 scan_kernel sm_90a cubin {{[0-9]+}} bytes at 0
// CHECK-NEXT: image 1 scan_kernel sm_90a ptx
// CHECK-NEXT: image 2 scan_kernel sm_80 cubin
// CHECK-NEXT: image 3 scan_kernel sm_80 ptx
// CHECK-NEXT: function scan(f32[?, 8, ?], f32[?, 8, ?], f32[8, 4], f32[?, 1, 4, ?], f32[?, 1, 4, ?]) -> (f32[arg0.0, 8, arg0.2])
// Grid: ceil(8 / 4) channel blocks x batch; 4 threads.
// CHECK-NEXT:   launch scan_kernel::scan_kernel grid [2, arg0.0, 1] block [4, 1, 1] shared 0 (arg 0, arg 2, arg 3, arg 4, arg 1, result 0)
// CHECK-NOT: kernels:

// IMAGES-COUNT-4: .scan_kernel.sm_{{.*}}
// ELF: ELF
func.func @scan(%u: tensor<?x8x?xf32>, %dt: tensor<?x8x?xf32>, %A: tensor<8x4xf32>,
                %B: tensor<?x1x4x?xf32>, %C: tensor<?x1x4x?xf32>) -> tensor<?x8x?xf32> {
  %y = mamba.selective_scan %u, %dt, %A, %B, %C
      : (tensor<?x8x?xf32>, tensor<?x8x?xf32>, tensor<8x4xf32>,
         tensor<?x1x4x?xf32>, tensor<?x1x4x?xf32>) -> tensor<?x8x?xf32>
  return %y : tensor<?x8x?xf32>
}
