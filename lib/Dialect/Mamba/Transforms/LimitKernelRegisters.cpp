//===- LimitKernelRegisters.cpp - cap the registers of GPU kernels --------===//
//
// Left alone, ptxas gives a fully unrolled scan as many registers as it can
// use for scheduling (up to 255), which caps the blocks per SM far below
// what the scan needs to hide latency. A cap (PTX .maxnreg) trades a little
// instruction-level parallelism for occupancy; it is a tuning parameter.
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBALIMITKERNELREGISTERS
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

struct MambaLimitKernelRegistersPass
    : mamba::impl::MambaLimitKernelRegistersBase<
          MambaLimitKernelRegistersPass> {
  using Base::Base;

  void runOnOperation() override {
    if (maxRegisters == 0)
      return;
    // PTX allows 24 to 255 registers per thread for .maxnreg.
    if (maxRegisters < 24 || maxRegisters > 255) {
      getOperation()->emitError()
          << "max-registers = " << static_cast<int64_t>(maxRegisters)
          << " is outside the 24 to 255 registers a thread can have";
      return signalPassFailure();
    }
    Builder b(&getContext());
    getOperation()->walk([&](gpu::GPUFuncOp func) {
      if (func.isKernel())
        func->setAttr(NVVM::NVVMDialect::getMaxnregAttrName(),
                      b.getI32IntegerAttr(maxRegisters));
    });
  }
};

} // namespace
