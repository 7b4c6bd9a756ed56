//===- SetKernelCodegenOptions.cpp - registers and denormals of kernels ---===//
//
// Two code generation choices that decide how fast the scan runs and that
// live on the kernel functions themselves:
//
// - Left alone, ptxas gives a fully unrolled scan as many registers as it
//   can use for scheduling (up to 255), which caps the blocks per SM far
//   below what the scan needs to hide latency. A cap (PTX .maxnreg) trades
//   a little instruction-level parallelism for occupancy: a tuning knob.
// - Without flushing f32 denormals, NVPTX implements every exp2 as a range
//   check, a scale, MUFU.EX2 and a fix-up; with them flushed it is one
//   MUFU.EX2 (as nvcc --use_fast_math does for the public kernels).
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBASETKERNELCODEGENOPTIONS
#include "mamba/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

struct MambaSetKernelCodegenOptionsPass
    : mamba::impl::MambaSetKernelCodegenOptionsBase<
          MambaSetKernelCodegenOptionsPass> {
  using Base::Base;

  void runOnOperation() override {
    // PTX allows 24 to 255 registers per thread for .maxnreg.
    if (maxRegisters != 0 && (maxRegisters < 24 || maxRegisters > 255)) {
      getOperation()->emitError()
          << "max-registers = " << static_cast<int64_t>(maxRegisters)
          << " is outside the 24 to 255 registers a thread can have";
      return signalPassFailure();
    }
    Builder b(&getContext());
    getOperation()->walk([&](gpu::GPUFuncOp func) {
      if (func.isKernel() && maxRegisters != 0)
        func->setAttr(NVVM::NVVMDialect::getMaxnregAttrName(),
                      b.getI32IntegerAttr(maxRegisters));
      // Carried onto the llvm.func by the GPU-to-NVVM lowering, and from
      // there to LLVM's "denormal-fp-math-f32" function attribute.
      if (flushDenormals)
        func->setAttr("denormal_fp_math_f32",
                      b.getStringAttr("preserve-sign,preserve-sign"));
    });
    if (!flushDenormals)
      return;
    // libdevice picks its flushing variants (__nv_exp2f's ex2.approx.ftz)
    // through __nvvm_reflect("__CUDA_FTZ"), which reads this module flag.
    getOperation()->walk([&](gpu::GPUModuleOp module) {
      if (!module.getOps<LLVM::ModuleFlagsOp>().empty())
        return;
      OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
      auto flag = LLVM::ModuleFlagAttr::get(
          &getContext(), LLVM::ModFlagBehavior::Override,
          builder.getStringAttr("nvvm-reflect-ftz"),
          builder.getI32IntegerAttr(1));
      LLVM::ModuleFlagsOp::create(builder, module.getLoc(),
                                  builder.getArrayAttr({flag}));
    });
  }
};

} // namespace
