//===- Passes.td - transformations of the mamba dialect ---*- tablegen -*-===//

#ifndef MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_TD
#define MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MambaDecomposeMixer : Pass<"mamba-decompose-mixer"> {
  let summary = "Decompose the mixer blocks (mamba.mixer, mamba.mixer2 and their steps) into primitive mamba ops, GEMMs and layout changes";
  let description = [{
    Rewrites every `mamba.mixer` into the sequence the block computes:
    `mamba.linear` for the four projections, `linalg.transpose` and
    `tensor.extract_slice` for the layout changes between the GEMMs'
    `[b, L, features]` and the scan's `[b, channels, L]` layout, a
    `linalg.map` computing `A = -exp(A_log)`, `mamba.causal_conv1d` with SiLU,
    and one `mamba.selective_scan` that already carries the D skip, the
    SiLU(z) gate, the time-step bias and the softplus, so that the fused scan
    kernel does that work instead of separate elementwise kernels. Dynamic
    batch and sequence sizes are kept dynamic. A mixer that returns its
    decode state gets it from the conv's and the scan's `final_state`.

    Every `mamba.mixer_step` becomes its two projections around one
    `mamba.selective_step` (the fused decode step). With `fuse-step=false`
    it becomes the one-token sequence of primitives instead: the same
    projections on `[b, features]` rows, `mamba.conv_state_update` and
    `mamba.selective_state_update`.

    Every `mamba.mixer2` (Mamba-2) becomes one `mamba.linear` per part of
    in_proj's output (z, x, B, C, dt), a channels-last
    `mamba.causal_conv1d` with SiLU per part of x, B and C, `mamba.ssd_scan`
    on `tensor.expand_shape` views of them, `mamba.rms_norm_gated` and
    out_proj; every `mamba.mixer2_step` the same with
    `mamba.conv_state_update` and `mamba.ssd_state_update`.
  }];
  let options = [
    Option<"fuseStep", "fuse-step", "bool", /*default=*/"true",
           "Keep a decode step's work between in_proj and out_proj as one "
           "mamba.selective_step">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def MambaFoldGemmLayouts : Pass<"mamba-fold-gemm-layouts"> {
  let summary = "Fold transposes around mamba.linear into its operand layouts";
  let description = [{
    Rewrites `linalg.transpose` (of the last two dimensions of a rank-3
    tensor) of a `mamba.linear` result into the linear with the other
    `y_features_major` layout, and a `mamba.linear` of such a transpose into
    the linear of the transpose's input with the other `x_features_major`
    layout. A GEMM library reads and writes both layouts at the same speed,
    so after `mamba-decompose-mixer` and this pass a mixer block has no
    layout change left: the projections write the `[b, features, L]` tensors
    the conv and the scan read, and read what they write.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MambaResolveShapeQueries : Pass<"mamba-resolve-shape-queries"> {
  let summary = "Answer tensor.dim of op results from the function's inputs";
  let description = [{
    Replaces every `tensor.dim` with a constant index by the size its
    source's defining op reifies (`ReifyRankedShapedTypeOpInterface`), in
    terms of the function arguments' dimensions, so that later passes see
    through the layers. What upstream's
    `resolve-ranked-shaped-type-result-dims` does, memoized per (value,
    dimension): each layer's sizes are asked of the layer before it, and a
    whole model (64 layers) would otherwise resolve the same chains once per
    query, in time quadratic in the layer count. Sizes of values whose ops
    cannot reify stay `tensor.dim` queries.
  }];
  // Reified sizes use arith and affine (tensor.collapse_shape's).
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def MambaFuseScanElementwise : Pass<"mamba-fuse-scan-elementwise"> {
  let summary = "Fold elementwise ops around a selective scan into the scan";
  let description = [{
    Recognizes, in elementwise `linalg.generic` ops over the scan's
    `[b, d, L]` space (all loops parallel, identity output map), the three
    computations the fused scan kernel does per element, and moves them
    into the scan:

    - the time step: a generic producing `delta` as `softplus(x + bias[c])`,
      `softplus(x)` or `x + bias[c]` becomes the scan's `delta = x`,
      `delta_bias = bias` and `delta_softplus` (softplus written as
      `log1p(exp(t))`, optionally with torch's `t > threshold ? t : ...`);
    - the D skip: the sole consumer of `y` computing `y + D[c] * u`, with
      `u` the scan's own, becomes `D`;
    - the gate: the sole consumer of `y` computing `y * silu(z)` (`z / (1 +
      exp(-z))` or `z * (1 / (1 + exp(-z)))`) becomes `z`.

    Widening and narrowing in the bodies are looked through: the fused
    scan computes in f32 without the intermediate rounding. A fold applies
    only where the scan does not have the operand yet, the operands keep
    the scan's types, and a consumer's operands are defined before the
    scan. `linalg.map` and named elementwise ops can be brought to this
    form with `linalg-generalize-named-ops`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def MambaOutlineKernels : Pass<"mamba-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline each kernel op of a model's entries into a kernel function it calls";
  let description = [{
    A compiled model is host code (the plan: GEMMs, views, calls) around
    kernel functions. This pass makes that split visible in the IR: in every
    entry function (one with an argument marked `mamba.input`), each op that
    becomes a kernel (`mamba.embedding`, `rms_norm`, `causal_conv1d`,
    `selective_scan`, `conv_state_update`, `selective_state_update`,
    `selective_step`, `argmax`) is replaced by a `func.call` of a private
    function `k<N>_<op>` that holds only that op, marked `mamba.kernel`.
    Ops that are the same (name, attributes, operand and result types)
    share one function, so a 64-layer model has a handful, numbered in the
    order they are first met.

    A `selective_scan` without its own `tiling` whose channel count is
    static also gets a second function with the split tiling of
    TilingDefaults.h (a sequence split for batches too small to fill the
    GPU); the call names it in `mamba.split_variant`, and the planner makes
    it a variant the runtime picks by block count. The variant's scan is
    marked with a unit `mamba.split_variant`, so that the scan tiling pass's
    `tuned-split` tilings (a tuning database's small-batch entries) can
    replace its default split tiling. Functions other than
    entries are left alone.
  }];
  let options = [
    Option<"splitVariants", "split-variants", "bool", /*default=*/"true",
           "Give scans without a tiling their split-sequence variant (a GPU "
           "tiling; the CPU target has none)">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

#endif // MAMBA_DIALECT_MAMBA_TRANSFORMS_PASSES_TD
