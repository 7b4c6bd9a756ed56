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

void mlir::mamba::buildMambaCpuLowering(
    OpPassManager &pm, const MambaCpuPipelineOptions &options) {
  buildMambaPipeline(pm, MambaPipelineOptions());
  pm.addPass(createCheckKernelOpsPass("cpu"));
  MambaTileSelectiveScanCpuOptions scan;
  scan.channelsPerBlock = options.channelsPerBlock;
  scan.chunkLength = options.chunkLength;
  scan.tunedTilings = llvm::SmallVector<std::string>(
      options.tunedTilings.begin(), options.tunedTilings.end());
  pm.addPass(createMambaTileSelectiveScanCpu(scan));
  pm.addPass(createMambaTileSelectiveStepCpu());
  pm.addPass(createMambaTileSsdCpu());
  pm.addPass(createMambaTileRmsNormGatedCpu());
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
