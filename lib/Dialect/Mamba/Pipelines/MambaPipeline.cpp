//===- MambaPipeline.cpp - the mamba compilation pipeline -----------------===//

#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mamba::buildMambaPipeline(OpPassManager &pm,
                               const MambaPipelineOptions &options) {
  if (options.decomposeComposites)
    pm.addPass(createMambaDecomposeMixer({options.fuseStep}));
  // Clean up between stages so each one sees folded, deduplicated IR; shape
  // queries on op results are answered from the operands' shapes.
  pm.addPass(createMambaResolveShapeQueries());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Time step, D skip and gate written around a scan become the scan's.
  pm.addPass(createMambaFuseScanElementwise());
  // The layout changes between projections and the conv and scan become
  // GEMM operand layouts.
  pm.addPass(createMambaFoldGemmLayouts());
  pm.addPass(createCanonicalizerPass());
}

void mamba::registerMambaPipelines() {
  PassPipelineRegistration<MambaPipelineOptions>(
      "mamba-pipeline",
      "Compile tensor-level mamba IR as far as fused primitive mamba ops "
      "and GEMMs",
      buildMambaPipeline);
  PassPipelineRegistration<MambaGpuPipelineOptions>(
      "mamba-gpu-pipeline",
      "Compile the kernel ops of tensor-level mamba IR into GPU kernel "
      "images (tiling, SRAM promotion, gpu.launch, NVVM, PTX/cubin)",
      buildMambaGpuPipeline);
  PassPipelineRegistration<MambaCpuPipelineOptions>(
      "mamba-cpu-pipeline",
      "Tile the kernel ops of tensor-level mamba IR for the host CPU and "
      "outline them into kernels (compiled to host code by mamba-compile "
      "--target cpu)",
      buildMambaCpuLowering);
}
