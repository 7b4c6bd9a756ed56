//===- MambaDialect.h - the mamba dialect -----------------------*- C++ -*-===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBADIALECT_H
#define MAMBA_DIALECT_MAMBA_IR_MAMBADIALECT_H

#include "mlir/IR/Dialect.h"

#include "mamba/Dialect/Mamba/IR/MambaDialect.h.inc"

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBADIALECT_H
