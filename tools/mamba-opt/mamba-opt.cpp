//===- mamba-opt.cpp - the mamba-mlir optimizer driver --------------------===//
//
// mlir-opt with the mamba dialect, its passes and pipelines registered next to
// everything upstream.
//
//===----------------------------------------------------------------------===//

#include "mamba/Registration/RegisterMamba.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::mamba::registerAllMambaDialects(registry);
  mlir::mamba::registerAllMambaPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "mamba-mlir optimizer driver\n", registry));
}
