//===- MambaCpuPipeline.cpp - kernel ops tiled and outlined for the CPU ---===//

#include "mamba/Codegen/GPU/Passes.h"
#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// Fails on the first op that no CPU tiling pass takes, naming it, rather
/// than leaving it for a GPU pass or an obscure lowering failure.
struct CheckCpuTilingPass
    : PassWrapper<CheckCpuTilingPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CheckCpuTilingPass)
  StringRef getArgument() const final { return "mamba-check-cpu-tiling"; }
  void runOnOperation() override {
    WalkResult result =
        getOperation()->walk([](Operation *op) {
          if (!isa<MambaDialect>(op->getDialect()) ||
              isa<EmbeddingOp, RmsNormOp, CausalConv1dOp, ArgmaxOp,
                  ConvStateUpdateOp, SelectiveScanOp, SelectiveStateUpdateOp,
                  SelectiveStepOp>(op))
            return WalkResult::advance();
          if (isa<LinearOp>(op)) {
            op->emitOpError()
                << "is a GEMM, which runs as a step of a compiled model's "
                   "plan (OpenBLAS on the CPU), not as a kernel: compile the "
                   "model directory";
            return WalkResult::interrupt();
          }
          op->emitOpError() << "has no CPU lowering (the cpu target lowers the "
                               "kernel ops the mamba pipeline leaves)";
          return WalkResult::interrupt();
        });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace

void mlir::mamba::buildMambaCpuLowering(
    OpPassManager &pm, const MambaCpuPipelineOptions &options) {
  buildMambaPipeline(pm, MambaPipelineOptions());
  pm.addPass(std::make_unique<CheckCpuTilingPass>());
  MambaTileSelectiveScanCpuOptions scan;
  scan.channelsPerBlock = options.channelsPerBlock;
  scan.chunkLength = options.chunkLength;
  scan.tunedTilings = llvm::SmallVector<std::string>(
      options.tunedTilings.begin(), options.tunedTilings.end());
  pm.addPass(createMambaTileSelectiveScanCpu(scan));
  pm.addPass(createMambaTileSelectiveStepCpu());
  MambaTileRmsNormOptions norm;
  norm.threadsPerBlock = tiling::kCpuThreadsPerBlock;
  pm.addPass(createMambaTileRmsNorm(norm));
  pm.addPass(createMambaTileCausalConv1dCpu());
  MambaTileDecodeStepsOptions steps;
  steps.threadsPerBlock = tiling::kCpuThreadsPerBlock;
  pm.addPass(createMambaTileDecodeSteps(steps));
  MambaTileArgmaxOptions argmax;
  argmax.threadsPerBlock = tiling::kCpuThreadsPerBlock;
  pm.addPass(createMambaTileArgmax(argmax));
  MambaTileEmbeddingOptions embedding;
  embedding.threadsPerBlock = tiling::kCpuThreadsPerBlock;
  pm.addPass(createMambaTileEmbedding(embedding));
  buildMambaKernelOutlining(pm);
}
