//===- Passes.td - transformations of the mamba dialect ---*- tablegen -*-===//

#ifndef MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_TD
#define MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MambaDecomposeMixer : Pass<"mamba-decompose-mixer"> {
  let summary = "Decompose mamba.mixer into primitive mamba ops, GEMMs and layout changes";
  let description = [{
    Rewrites every `mamba.mixer` into the sequence the block computes:
    `mamba.linear` for the four projections, `linalg.transpose` and
    `tensor.extract_slice` for the layout changes between the GEMMs'
    `[b, L, features]` and the scan's `[b, channels, L]` layout, a
    `linalg.map` computing `A = -exp(A_log)`, `mamba.causal_conv1d` with SiLU,
    and one `mamba.selective_scan` that already carries the D skip, the
    SiLU(z) gate, the time-step bias and the softplus, so that the fused scan
    kernel does that work instead of separate elementwise kernels. Dynamic
    batch and sequence sizes are kept dynamic.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_TD
