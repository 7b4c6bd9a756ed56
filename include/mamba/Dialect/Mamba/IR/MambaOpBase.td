//===- MambaOpBase.td - what the mamba op files share ------*- tablegen -*-===//
//
// Each model family's ops live in a file of their own (MambaOps.td for
// Mamba-1 and the model-level ops, Mamba2Ops.td for Mamba-2), generated
// separately; this is what they include in common.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBAOPBASE_TD
#define MAMBA_DIALECT_MAMBA_IR_MAMBAOPBASE_TD

include "mamba/Dialect/Mamba/IR/MambaDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Result sizes in terms of operand sizes, so that tensor.dim of a result
// folds to the operands' dims (resolve-ranked-shaped-type-result-dims).
def Mamba_ReifyShapes
    : DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                                ["reifyResultShapes"]>;

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBAOPBASE_TD
