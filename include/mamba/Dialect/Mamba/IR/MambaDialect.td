//===- MambaDialect.td - the mamba dialect ----------------*- tablegen -*-===//
//
// The dialect of selective state space model (Mamba) layers at tensor level.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBADIALECT_TD
#define MAMBA_DIALECT_MAMBA_IR_MAMBADIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

def Mamba_Dialect : Dialect {
  let name = "mamba";
  let cppNamespace = "::mlir::mamba";
  let summary = "Tensor-level operations of Mamba selective state space models";
  let description = [{
    The `mamba` dialect describes Mamba language models at the level a model
    author thinks in: the selective scan, the depthwise causal convolution, the
    RMS norm with a fused residual, their single-token decode steps, and the
    composite mixer block; for Mamba-2 (Mamba2Ops.td) the SSD scan over heads,
    its decode step and the gated, grouped RMS norm. Operations have value (tensor) semantics; layouts
    follow the reference implementation of mamba_ssm: activations are
    `[batch, channels, length]`, B and C are `[batch, groups, state, length]`.
    Later passes decompose the composite ops, fuse elementwise work into the
    scan, tile it and lower it to GPU kernels.
  }];
  let useDefaultAttributePrinterParser = 1;
}

def Mamba_Activation : I32EnumAttr<"Activation",
    "activation applied after a convolution", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Silu", 1, "silu">
    ]> {
  let cppNamespace = "::mlir::mamba";
}

// Base class of every mamba op.
class Mamba_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mamba_Dialect, mnemonic, traits>;

// Activations and weights may be stored in any of the floating point types the
// kernels support; state, A, D and the time-step bias are kept in f32 because
// the recurrence loses accuracy quickly in 16-bit arithmetic.
def Mamba_FloatTensor : RankedTensorOf<[F32, F16, BF16]>;
def Mamba_F32Tensor : RankedTensorOf<[F32]>;
def Mamba_IndexTensor : RankedTensorOf<[I32, I64]>;

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBADIALECT_TD
