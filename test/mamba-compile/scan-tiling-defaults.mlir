// Left unset, the scan's channels per block fit the op: a grouped scan with
// d / G = 12 channels per group compiles for a GPU and the CPU with the
// defaults halved to 4 (64 and 8 do not divide 12). A value the caller
// sets is used as given and refused where it does not fit.
// RUN: mamba-compile %s -o %t.mmod --target=sm_80
// RUN: mamba-mmod-dump %t.mmod | FileCheck %s --check-prefix=GPU
// RUN: mamba-compile %s -o %t2.mmod --target=x86-64-v3
// RUN: mamba-mmod-dump %t2.mmod | FileCheck %s --check-prefix=CPU
// RUN: not mamba-compile %s -o %t3.mmod --target=sm_80 --channels-per-block=8 2>&1 | FileCheck %s --check-prefix=SET

// 24 channels in blocks of 4: ceil(24 / 4) = 6 blocks per batch row.
// GPU: launch {{.*}} grid [6, arg0.0, 1]
// CPU: launch {{.*}} grid [6, arg0.0, 1]
// SET: error: 'mamba.selective_scan' op cannot tile: channels_per_block = 8 must divide the channels per group d / G = 12
func.func @scan(%u: tensor<?x24x?xf32>, %delta: tensor<?x24x?xf32>,
                %A: tensor<24x16xf32>, %B: tensor<?x2x16x?xf32>,
                %C: tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x24x?xf32>, tensor<?x24x?xf32>, tensor<24x16xf32>,
         tensor<?x2x16x?xf32>, tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32>
  return %y : tensor<?x24x?xf32>
}
