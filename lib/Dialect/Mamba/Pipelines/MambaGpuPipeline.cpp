//===- MambaGpuPipeline.cpp - kernel ops to GPU kernel images -------------===//
//
// Our passes take each kernel op to a gpu.launch; the rest is upstream, run in
// the order that works for MLIR 22 (see docs/ScanCodegen.md): outline before
// any nvgpu lowering, lower vector transfers to loads before the LLVM
// conversion, and give the serializer the toolkit so libdevice is linked.
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/GPU/Passes.h"
#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"
#include "mamba/Format/Encoding.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

std::optional<unsigned>
mlir::mamba::chipComputeCapability(llvm::StringRef chip) {
  // The module format's reading of chip names: an architecture-specific
  // suffix ("a", "f") does not change the version.
  ::mamba::format::Chip parsed;
  if (!::mamba::format::parseChip(chip.str(), parsed) ||
      parsed.family != ::mamba::format::Chip::Family::Nvidia)
    return std::nullopt;
  return parsed.major * 10 + parsed.minor;
}

void mlir::mamba::buildMambaGpuPipeline(
    OpPassManager &pm, const MambaGpuPipelineOptions &options) {
  buildMambaGpuLowering(pm, options);
  buildMambaGpuSerialization(pm, options);
}

void mlir::mamba::buildMambaKernelOutlining(OpPassManager &pm) {
  pm.addPass(createMambaMapForallToGpu());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));

  // Constants and shape queries move into the kernel so its parameters are
  // exactly the buffers.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createSymbolDCEPass());
}

void mlir::mamba::buildMambaGpuLowering(
    OpPassManager &pm, const MambaGpuPipelineOptions &options) {
  MambaPipelineOptions frontend;
  buildMambaPipeline(pm, frontend);
  pm.addPass(createCheckKernelOpsPass("gpu"));

  MambaTileSelectiveScanOptions tiling;
  tiling.channelsPerBlock = options.channelsPerBlock;
  tiling.statesPerThread = options.statesPerThread;
  tiling.chunkLength = options.chunkLength;
  tiling.tunedTilings = llvm::SmallVector<std::string>(
      options.tunedTilings.begin(), options.tunedTilings.end());
  tiling.tunedSplitTilings = llvm::SmallVector<std::string>(
      options.tunedSplitTilings.begin(), options.tunedSplitTilings.end());
  tiling.sequenceSplits = options.sequenceSplits;
  pm.addPass(createMambaTileSelectiveScan(tiling));
  std::optional<unsigned> capability = chipComputeCapability(options.chip);
  if (options.promote) {
    MambaPromoteScanOperandsOptions promotion;
    promotion.doubleBuffer = options.doubleBuffer;
    // cp.async exists from sm_80 on; older chips copy through registers.
    promotion.asyncCopy =
        options.doubleBuffer && capability && *capability >= 80;
    pm.addPass(createMambaPromoteScanOperands(promotion));
  }
  // The other ops become one kernel each.
  pm.addPass(createMambaTileEmbedding());
  pm.addPass(createMambaTileArgmax());
  pm.addPass(createMambaTileRmsNorm());
  pm.addPass(createMambaTileRmsNormGated());
  pm.addPass(createMambaTileCausalConv1d());
  pm.addPass(createMambaTileDecodeSteps());
  // 16-bit SSD scans on the tensor cores (mma.sync: sm_80 on): those with a
  // #mamba.ssd_kernel or of a tuned signature as it says, the others when
  // asked for; the rest as the per-step recurrence. The pass runs on every
  // sm_80+ target, since any op may carry the attribute.
  if (capability && *capability >= 80) {
    MambaTileSsdChunkedOptions chunked;
    chunked.chunk = options.ssdChunk;
    chunked.channelBlock = options.ssdChannelBlock;
    chunked.tunedSsds = llvm::SmallVector<std::string>(options.ssdTuned.begin(),
                                                       options.ssdTuned.end());
    chunked.untuned = options.ssdTensorCores;
    pm.addPass(createMambaTileSsdChunked(chunked));
  }
  pm.addPass(createMambaTileSsdScan());
  pm.addPass(createMambaTileSsdStep());
  pm.addPass(createMambaTileSelectiveStep());
  buildMambaKernelOutlining(pm);
  MambaSetKernelCodegenOptionsOptions codegen;
  codegen.maxRegisters = options.maxRegisters;
  codegen.flushDenormals = options.flushDenormals;
  pm.addPass(createMambaSetKernelCodegenOptions(codegen));

  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  // libdevice's own choice of flushing follows the kernels'.
  target.ftzFlag = options.flushDenormals;
  pm.addPass(createGpuNVVMAttachTarget(target));

  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // Strided transfers (unpromoted B/C columns) become unrolled scalar ones.
  kernels.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  kernels.addPass(createMambaLowerVectorTransfers());
  kernels.addPass(createMambaLowerBf16MmaSync());
  kernels.addPass(createConvertNVGPUToNVVMPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(arith::createArithExpandOpsPass());
  kernels.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions toNvvm;
  toNvvm.indexBitwidth = 64;
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNvvm));
  kernels.addPass(createConvertVectorToLLVMPass());
  kernels.addPass(createArithToLLVMConversionPass());
  kernels.addPass(createConvertIndexToLLVMPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::mamba::buildMambaGpuSerialization(
    OpPassManager &pm, const MambaGpuPipelineOptions &options) {
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkit;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}
