// RUN: mamba-opt %s -mamba-limit-kernel-registers="max-registers=128" | FileCheck %s
// RUN: mamba-opt %s -mamba-limit-kernel-registers | FileCheck %s --check-prefix=NONE
// RUN: not mamba-opt %s -mamba-limit-kernel-registers="max-registers=300" -o /dev/null 2>&1 | FileCheck %s --check-prefix=RANGE

// Every kernel gets the cap; device functions that are not kernels do not
// (.maxnreg is an entry directive). Without the option nothing changes.
// CHECK-LABEL: gpu.module @kernels
// CHECK:       gpu.func @scan() kernel attributes {nvvm.maxnreg = 128 : i32}
// CHECK:       gpu.func @helper()
// CHECK-NOT:   nvvm.maxnreg
// NONE-NOT:    nvvm.maxnreg
// A cap PTX cannot express is an error naming the range.
// RANGE:       max-registers = 300 is outside the 24 to 255 registers a thread can have
gpu.module @kernels {
  gpu.func @scan() kernel {
    gpu.return
  }
  gpu.func @helper() {
    gpu.return
  }
}
