//===- CheckKernelOps.cpp - every op left has a kernel lowering -----------===//
//
// After the front end (decompositions, fusions), each remaining mamba op must
// be one that the target's tiling passes turn into a kernel. Anything else
// (a GEMM in kernel-only IR, an op whose lowering does not exist yet) is an
// error naming the op here, rather than an obscure failure in bufferization
// or a later lowering.
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::mamba;

namespace {

struct CheckKernelOpsPass
    : PassWrapper<CheckKernelOpsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckKernelOpsPass)

  explicit CheckKernelOpsPass(std::string target) : target(std::move(target)) {}
  StringRef getArgument() const final { return "mamba-check-kernel-ops"; }

  void runOnOperation() override {
    const bool cpu = target == "cpu";
    WalkResult result = getOperation()->walk([&](Operation *op) {
      if (!isa<MambaDialect>(op->getDialect()) ||
          isa<EmbeddingOp, RmsNormOp, CausalConv1dOp, ArgmaxOp,
              ConvStateUpdateOp, SelectiveScanOp, SelectiveStateUpdateOp,
              SelectiveStepOp>(op))
        return WalkResult::advance();
      if (isa<SsdScanOp, SsdStateUpdateOp, RmsNormGatedOp>(op))
        return WalkResult::advance();
      if (isa<LinearOp>(op)) {
        op->emitOpError() << "is a GEMM, which runs as a step of a compiled "
                             "model's plan ("
                          << (cpu ? "OpenBLAS on the CPU"
                                  : "cuBLASLt on the GPU")
                          << "), not as a kernel: compile the model directory";
        return WalkResult::interrupt();
      }
      op->emitOpError() << "has no " << (cpu ? "CPU" : "GPU")
                        << " lowering (the " << target
                        << " target lowers the kernel ops the mamba pipeline "
                           "leaves)";
      return WalkResult::interrupt();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  std::string target;
};

} // namespace

std::unique_ptr<Pass> mlir::mamba::createCheckKernelOpsPass(StringRef target) {
  return std::make_unique<CheckKernelOpsPass>(target.str());
}
