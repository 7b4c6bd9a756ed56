//===- Mamba2Ops.h - the Mamba-2 ops of the mamba dialect -------*- C++ -*-===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBA2OPS_H
#define MAMBA_DIALECT_MAMBA_IR_MAMBA2OPS_H

#include "mamba/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h" // the attributes
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h.inc"

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBA2OPS_H
