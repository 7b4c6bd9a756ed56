//===- RegisterMamba.cpp - the passes every mamba tool registers ----------===//

#include "mamba/Registration/RegisterMamba.h"

#include "mamba/Codegen/CPU/Passes.h"
#include "mamba/Codegen/GPU/Passes.h"
#include "mamba/Conversion/MambaToKernels/Passes.h"
#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/InitAllPasses.h"

void mlir::mamba::registerAllMambaPasses() {
  registerAllPasses();
  mamba::registerMambaPasses();
  mamba::registerMambaToKernelsPasses();
  mamba::registerMambaCPUCodegenPasses();
  mamba::registerMambaGPUCodegenPasses();
  registerMambaPipelines();
}
