// Bad input to mamba-compile: a clear error and no output file.
// RUN: not mamba-compile %s -o %t.mmod 2>&1 | FileCheck %s
// RUN: not test -e %t.mmod
// RUN: not mamba-compile %S/does-not-exist.mlir -o %t2.mmod 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not mamba-compile %s -o %t3.mmod --chip=sm_70 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not mamba-compile %s -o %t3.mmod --chip=sm_90a,volta 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not test -e %t3.mmod

// A scan whose state size cannot be tiled is rejected by the tiling pass.
// CHECK: error: 'mamba.selective_scan' op cannot tile: states_per_thread = 4 does not divide the state size N = 6
// CHECK: mamba-compile: compiling for sm_90a failed
// Chips without cp.async (and names that are no chip) are refused before
// the NVPTX backend could abort on them.
// CHIP: mamba-compile: unsupported chip 'sm_70': expected sm_80 or newer
// NAME: mamba-compile: unsupported chip 'volta'
// MISSING: mamba-compile: cannot open input file '{{.*}}does-not-exist.mlir': No such file or directory
func.func @scan(%u: tensor<1x8x4xf32>, %A: tensor<8x6xf32>, %B: tensor<1x1x6x4xf32>) -> tensor<1x8x4xf32> {
  %y = mamba.selective_scan %u, %u, %A, %B, %B
      {tiling = #mamba.scan_tiling<channels_per_block = 4, states_per_thread = 4, chunk_length = 2>}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x6xf32>,
         tensor<1x1x6x4xf32>, tensor<1x1x6x4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}
