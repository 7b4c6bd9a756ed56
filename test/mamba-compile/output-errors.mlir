// mamba-compile's output and target errors name the file or the chip.
// RUN: not mamba-compile %s -o %t.missing/out.mmod --target=x86-64 2>&1 | FileCheck %s --check-prefix=OUTPUT
// RUN: not mamba-compile %s -o %t.mmod --target= 2>&1 | FileCheck %s --check-prefix=NOCHIP

// OUTPUT: mamba-compile: cannot open output file '{{.*}}out.mmod': No such file or directory
// NOCHIP: mamba-compile: unsupported chip '': expected sm_80 or newer
func.func @scan(%u: tensor<?x24x?xf32>, %delta: tensor<?x24x?xf32>,
                %A: tensor<24x16xf32>, %B: tensor<?x2x16x?xf32>,
                %C: tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32> {
  %y = mamba.selective_scan %u, %delta, %A, %B, %C
      : (tensor<?x24x?xf32>, tensor<?x24x?xf32>, tensor<24x16xf32>,
         tensor<?x2x16x?xf32>, tensor<?x2x16x?xf32>) -> tensor<?x24x?xf32>
  return %y : tensor<?x24x?xf32>
}
