//===- MambaDialect.cpp - the mamba dialect -------------------------------===//

#include "mamba/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::mamba;

#include "mamba/Dialect/Mamba/IR/MambaDialect.cpp.inc"

void MambaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mamba/Dialect/Mamba/IR/MambaOps.cpp.inc"
      >();
}
