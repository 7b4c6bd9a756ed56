//===- RegisterMambaDialects.cpp - the dialects every mamba tool knows ----===//
//
// Apart from the passes (RegisterMamba.cpp) so that what needs only to
// parse and lower mamba IR, like the mamba-opt fuzz target, does not link
// the CPU code generation.
//
//===----------------------------------------------------------------------===//

#include "mamba/Registration/RegisterMamba.h"

#include "mamba/Dialect/Mamba/IR/MambaDialect.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::mamba::registerAllMambaDialects(DialectRegistry &registry) {
  registry.insert<MambaDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // Serializing gpu.module to PTX/cubin translates it to LLVM IR first.
  registerAllToLLVMIRTranslations(registry);
}
