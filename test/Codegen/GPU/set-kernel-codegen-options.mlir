// RUN: mamba-opt %s -mamba-set-kernel-codegen-options="max-registers=128" | FileCheck %s
// RUN: mamba-opt %s -mamba-set-kernel-codegen-options | FileCheck %s --check-prefix=NONE
// RUN: mamba-opt %s -mamba-set-kernel-codegen-options="flush-denormals=true" | FileCheck %s --check-prefix=FTZ
// RUN: not mamba-opt %s -mamba-set-kernel-codegen-options="max-registers=300" -o /dev/null 2>&1 | FileCheck %s --check-prefix=RANGE

// Every kernel gets the cap; device functions that are not kernels do not
// (.maxnreg is an entry directive). Without the option nothing changes.
// CHECK-LABEL: gpu.module @kernels
// CHECK:       gpu.func @scan() kernel attributes {nvvm.maxnreg = 128 : i32}
// CHECK:       gpu.func @helper()
// CHECK-NOT:   nvvm.maxnreg
// NONE-NOT:    nvvm.maxnreg
// Flushing denormals marks every GPU function (kernel or not) and gives the
// module libdevice's reflect flag for flushing.
// FTZ-LABEL: gpu.module @kernels
// FTZ:       llvm.module_flags [#llvm.mlir.module_flag<override, "nvvm-reflect-ftz", 1 : i32>]
// FTZ:       gpu.func @scan() kernel attributes {denormal_fp_math_f32 = "preserve-sign,preserve-sign"}
// FTZ:       gpu.func @helper() attributes {denormal_fp_math_f32 = "preserve-sign,preserve-sign"}
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
