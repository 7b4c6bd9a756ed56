//===- MambaOps.h - operations of the mamba dialect -------------*- C++ -*-===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBAOPS_H
#define MAMBA_DIALECT_MAMBA_IR_MAMBAOPS_H

#include "mamba/Dialect/Mamba/IR/MambaDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mamba/Dialect/Mamba/IR/MambaEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "mamba/Dialect/Mamba/IR/MambaAttrs.h.inc"

#define GET_OP_CLASSES
#include "mamba/Dialect/Mamba/IR/MambaOps.h.inc"

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBAOPS_H
