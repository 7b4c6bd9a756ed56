//===- RegisterMamba.cpp - everything a mamba tool registers --------------===//

#include "mamba/Registration/RegisterMamba.h"

#include "mamba/Codegen/CPU/Passes.h"
#include "mamba/Codegen/GPU/Passes.h"
#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::mamba::registerAllMambaDialects(DialectRegistry &registry) {
  registry.insert<MambaDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // Serializing gpu.module to PTX/cubin translates it to LLVM IR first.
  registerAllToLLVMIRTranslations(registry);
}

void mlir::mamba::registerAllMambaPasses() {
  registerAllPasses();
  mamba::registerMambaPasses();
  mamba::registerMambaToKernelsPasses();
  mamba::registerMambaCPUCodegenPasses();
  mamba::registerMambaGPUCodegenPasses();
  registerMambaPipelines();
}
