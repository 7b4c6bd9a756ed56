//===- Mamba2Ops.td - the Mamba-2 ops of the mamba dialect -*- tablegen -*-===//
//
// Shapes use: b batch, L sequence length, H heads, P head dimension
// (channels per head), G groups of B and C (head h reads group h / (H / G)),
// N state size, F features of a norm. Verifiers live in Mamba2Ops.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBA2OPS_TD
#define MAMBA_DIALECT_MAMBA_IR_MAMBA2OPS_TD

include "mamba/Dialect/Mamba/IR/MambaAttrs.td"
include "mamba/Dialect/Mamba/IR/MambaOpBase.td"

def Mamba_SsdScanOp : Mamba_Op<"ssd_scan",
    [Pure, Mamba_ReifyShapes, AttrSizedOperandSegments]> {
  let summary = "Mamba-2 state space duality (SSD) scan over a whole sequence";
  let description = [{
    The recurrence of Mamba-2 (mamba_ssm's `mamba_chunk_scan_combined`), per
    batch element and head, with a scalar decay per head and a state of
    `[P, N]`. All math is done in f32; `y` has the element type of `x`.

    ```
    dt   = dt (+ dt_bias[h]); dt = softplus(dt) if dt_softplus;
           dt = max(dt, dt_min) if dt_min; dt = min(dt, dt_max) if dt_max
    S_t  = exp(dt_t * A[h]) * S_{t-1} + dt_t * x_t B_t^T
    y_t  = S_t C_t (+ D[h] x_t, or D[h, p] x_t[p])
    y_t  = y_t * silu(z_t)            if z is given
    ```

    Shapes: `x`, `z`, `y`: `[b, L, H, P]`; `dt`: `[b, L, H]`; `A`,
    `dt_bias`: `[H]`; `B`, `C`: `[b, L, G, N]`; `D`: `[H]` or `[H, P]`;
    `initial_states`, `final_states`: `[b, H, P, N]`; `seq_idx`: `[b, L]`,
    non-decreasing along L: where it changes, the state restarts at zero
    (several sequences packed in one row). The optional second result is
    the state after the last position.

    `chunk_size` is the length of the chunks of the chunked algorithm that
    the lowering uses (products of C and B within a chunk, states passed
    between chunks); the result does not depend on it beyond rounding.
    mamba_ssm clamps dt only when its `dt_limit` is not (0, inf): `dt_min`
    and `dt_max` are absent then. `kernel` (`#mamba.ssd_kernel`) picks
    the GPU kernel, as a tuning database would.

    ```mlir
    %y, %s = mamba.ssd_scan %x, %dt, %A, %B, %C D(%D) dt_bias(%bias)
        dt_softplus {chunk_size = 64 : i64}
        : (tensor<2x128x8x16xbf16>, tensor<2x128x8xbf16>, tensor<8xf32>,
           tensor<2x128x2x32xbf16>, tensor<2x128x2x32xbf16>, tensor<8xf32>,
           tensor<8xf32>)
        -> (tensor<2x128x8x16xbf16>, tensor<2x8x16x32xf32>)
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$x,
    Mamba_FloatTensor:$dt,
    Mamba_F32Tensor:$A,
    Mamba_FloatTensor:$B,
    Mamba_FloatTensor:$C,
    Optional<Mamba_F32Tensor>:$D,
    Optional<Mamba_FloatTensor>:$z,
    Optional<Mamba_F32Tensor>:$dt_bias,
    Optional<Mamba_F32Tensor>:$initial_states,
    Optional<Mamba_IndexTensor>:$seq_idx,
    DefaultValuedAttr<I64Attr, "256">:$chunk_size,
    UnitAttr:$dt_softplus,
    OptionalAttr<F64Attr>:$dt_min,
    OptionalAttr<F64Attr>:$dt_max,
    OptionalAttr<Mamba_SsdKernelAttr>:$kernel
  );
  let results = (outs
    Mamba_FloatTensor:$y,
    Optional<Mamba_F32Tensor>:$final_states
  );
  let assemblyFormat = [{
    $x `,` $dt `,` $A `,` $B `,` $C
    (`D` `(` $D^ `)`)?
    (`z` `(` $z^ `)`)?
    (`dt_bias` `(` $dt_bias^ `)`)?
    (`initial_states` `(` $initial_states^ `)`)?
    (`seq_idx` `(` $seq_idx^ `)`)?
    (`dt_softplus` $dt_softplus^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_SsdStateUpdateOp : Mamba_Op<"ssd_state_update",
    [Pure, Mamba_ReifyShapes, AttrSizedOperandSegments]> {
  let summary = "one decode step of the SSD scan, with heads";
  let description = [{
    Advances `mamba.ssd_scan` by one token (mamba_ssm's
    `selective_state_update` with heads): with `dt` prepared as there,
    `new_state = exp(dt * A[h]) * state + dt * x B^T` and
    `y = new_state C (+ D x)`, gated by `silu(z)` when given. Running it L
    times from a state equals one SSD scan of length L. Shapes: `state`,
    `new_state`: `[b, H, P, N]` f32; `x`, `z`, `y`: `[b, H, P]`; `dt`:
    `[b, H]`; `A`, `dt_bias`: `[H]`; `B`, `C`: `[b, G, N]`; `D`: `[H]` or
    `[H, P]`.

    ```mlir
    %y, %s = mamba.ssd_state_update %state, %x, %dt, %A, %B, %C D(%D)
        dt_bias(%bias) dt_softplus
        : (tensor<2x8x16x32xf32>, tensor<2x8x16xf32>, tensor<2x8xf32>,
           tensor<8xf32>, tensor<2x2x32xf32>, tensor<2x2x32xf32>,
           tensor<8xf32>, tensor<8xf32>)
        -> (tensor<2x8x16xf32>, tensor<2x8x16x32xf32>)
    ```
  }];
  let arguments = (ins
    Mamba_F32Tensor:$state,
    Mamba_FloatTensor:$x,
    Mamba_FloatTensor:$dt,
    Mamba_F32Tensor:$A,
    Mamba_FloatTensor:$B,
    Mamba_FloatTensor:$C,
    Optional<Mamba_F32Tensor>:$D,
    Optional<Mamba_FloatTensor>:$z,
    Optional<Mamba_F32Tensor>:$dt_bias,
    UnitAttr:$dt_softplus,
    OptionalAttr<F64Attr>:$dt_min,
    OptionalAttr<F64Attr>:$dt_max
  );
  let results = (outs Mamba_FloatTensor:$y, Mamba_F32Tensor:$new_state);
  let assemblyFormat = [{
    $state `,` $x `,` $dt `,` $A `,` $B `,` $C
    (`D` `(` $D^ `)`)?
    (`z` `(` $z^ `)`)?
    (`dt_bias` `(` $dt_bias^ `)`)?
    (`dt_softplus` $dt_softplus^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_RmsNormGatedOp : Mamba_Op<"rms_norm_gated",
    [Pure, Mamba_ReifyShapes]> {
  let summary = "RMS norm of x * silu(z) over groups of features";
  let description = [{
    mamba_ssm's `RMSNormGated` with the norm after the gate, which the
    Mamba-2 mixer applies to the scan's output: `g = x * silu(z)` (`g = x`
    without `z`), then over each group of `group_size` consecutive features
    `y = g / sqrt(mean(g^2) + eps) * weight`. The models use
    `group_size = d_inner / n_groups`; transformers' `Mamba2ForCausalLM`
    normalizes over all of `d_inner` (`group_size = F`), which is another
    model when `n_groups > 1`. Shapes: `x`, `z`, `y`: `[..., F]`; `weight`:
    `[F]`. Math in f32; `y` has the element type of `x`.

    ```mlir
    %y = mamba.rms_norm_gated %x, %w z(%z) {group_size = 64 : i64}
        : (tensor<2x7x128xbf16>, tensor<128xf32>, tensor<2x7x128xbf16>)
        -> tensor<2x7x128xbf16>
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$x,
    Mamba_FloatTensor:$weight,
    Optional<Mamba_FloatTensor>:$z,
    I64Attr:$group_size,
    DefaultValuedAttr<F64Attr, "1e-5">:$eps
  );
  let results = (outs Mamba_FloatTensor:$y);
  let assemblyFormat = [{
    $x `,` $weight (`z` `(` $z^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Composite ops
//===----------------------------------------------------------------------===//

// mamba.mixer2 and mamba.mixer2_step: the activation operands `leading`
// (with their assembly `leadingFormat`), then the weights of one Mamba-2
// mixer block and its sizes that the weights' shapes do not give.
class Mamba_Mixer2LikeOp<string mnemonic, dag leading, string leadingFormat>
    : Mamba_Op<mnemonic,
               [Pure, Mamba_ReifyShapes, AttrSizedOperandSegments]> {
  let arguments = !con(leading, (ins
    Mamba_FloatTensor:$in_proj_weight,
    Optional<Mamba_FloatTensor>:$in_proj_bias,
    Mamba_FloatTensor:$conv_weight,
    Optional<Mamba_FloatTensor>:$conv_bias,
    Mamba_F32Tensor:$dt_bias,
    Mamba_F32Tensor:$A_log,
    Mamba_F32Tensor:$D,
    Mamba_FloatTensor:$norm_weight,
    Mamba_FloatTensor:$out_proj_weight,
    Optional<Mamba_FloatTensor>:$out_proj_bias,
    I64Attr:$n_groups,
    DefaultValuedAttr<I64Attr, "256">:$chunk_size,
    DefaultValuedAttr<F64Attr, "1e-5">:$norm_eps,
    OptionalAttr<F64Attr>:$dt_min,
    OptionalAttr<F64Attr>:$dt_max
  ));
  let assemblyFormat = leadingFormat # [{
    `in_proj` `(` $in_proj_weight (`,` $in_proj_bias^)? `)`
    `conv` `(` $conv_weight (`,` $conv_bias^)? `)`
    `dt_bias` `(` $dt_bias `)`
    `A_log` `(` $A_log `)`
    `D` `(` $D `)`
    `norm` `(` $norm_weight `)`
    `out_proj` `(` $out_proj_weight (`,` $out_proj_bias^)? `)`
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  code mixer2Sizes = [{
    /// Sizes derived from the operand shapes and n_groups;
    /// ShapedType::kDynamic where a defining dimension is dynamic.
    int64_t getInnerSize();  // E = H * P
    int64_t getHeads();      // H
    int64_t getHeadDim();    // P
    int64_t getStateSize();  // N
    int64_t getConvWidth();  // K
  }];
  let extraClassDeclaration = mixer2Sizes;
}

def Mamba_Mixer2Op : Mamba_Mixer2LikeOp<"mixer2",
    (ins Mamba_FloatTensor:$hidden), "$hidden"> {
  let summary = "one whole Mamba-2 mixer block (composite)";
  let description = [{
    The `Mamba2Mixer` of transformers (`Mamba2` in mamba_ssm) over a whole
    sequence, with the norm per group as mamba_ssm's `RMSNormGated`. With
    `hidden: [b, L, D]`, heads H of P channels (E = H * P), G = n_groups
    groups of state size N:

    ```
    z, xBC, dt = split(linear(hidden, in_proj_weight, in_proj_bias),
                       [E, E + 2GN, H])
    xBC        = silu(causal_conv1d(xBC, conv_weight, conv_bias))
    x, B, C    = split(xBC, [E, GN, GN]) as [b, L, H, P], [b, L, G, N] x 2
    y          = ssd_scan(x, dt, -exp(A_log), B, C, D, dt_bias,
                          dt_softplus, chunk_size, dt_min, dt_max)
    y          = rms_norm_gated(y as [b, L, E], norm_weight, z,
                                group_size = E / G, norm_eps)
    out        = linear(y, out_proj_weight, out_proj_bias)        [b, L, D]
    ```

    Shapes: `in_proj_weight` `[2E + 2GN + H, D]`, `in_proj_bias` likewise;
    `conv_weight` `[E + 2GN, K]`, `conv_bias` `[E + 2GN]`; `dt_bias`,
    `A_log` `[H]` f32; `D` `[H]` or `[H, P]` f32; `norm_weight` `[E]`;
    `out_proj_weight` `[D, E]`, `out_proj_bias` `[D]`. `dt_min` / `dt_max`
    are the model's `time_step_limit` where it clamps. The
    `mamba-decompose-mixer` pass rewrites it into the primitive ops.

    With four more results the block also returns what decoding continues
    from: the conv windows of x, B and C, `[b, E, K]`, `[b, GN, K]`,
    `[b, GN, K]` (element type of `hidden`), and the SSD state
    `[b, H, P, N]` f32. mamba_ssm keeps one `[b, E + 2GN, K]` window, the
    three concatenated; kept apart, each is a whole tensor in the layout
    its kernels read. The results are `out` alone or all five.

    ```mlir
    %out = mamba.mixer2 %h in_proj(%w_in) conv(%w_conv, %b_conv)
        dt_bias(%dt_bias) A_log(%a_log) D(%d) norm(%w_norm)
        out_proj(%w_out) {n_groups = 1 : i64} : (...) -> tensor<1x5x64xf32>
    ```
  }];
  let results = (outs
    Mamba_FloatTensor:$out,
    Variadic<Mamba_FloatTensor>:$states
  );
}

def Mamba_Mixer2StepOp : Mamba_Mixer2LikeOp<"mixer2_step",
    (ins Mamba_FloatTensor:$hidden, Mamba_FloatTensor:$conv_state_x,
         Mamba_FloatTensor:$conv_state_b, Mamba_FloatTensor:$conv_state_c,
         Mamba_F32Tensor:$ssm_state),
    "$hidden `,` $conv_state_x `,` $conv_state_b `,` $conv_state_c `,` $ssm_state"> {
  let summary = "one decode step of a whole Mamba-2 mixer block (composite)";
  let description = [{
    `mamba.mixer2` for one token per sequence, continuing from the states a
    prefill or the previous step left (the `step` of mamba_ssm's `Mamba2`).
    With `hidden: [b, D]`: in_proj; `conv_state_update` of x, B and C;
    `ssd_state_update`; the gated norm; out_proj. Shapes: the conv windows
    `[b, E, K]`, `[b, GN, K]`, `[b, GN, K]` (element type of `hidden`), the
    state `[b, H, P, N]` f32, the weights as for `mamba.mixer2`.

    ```mlir
    %out, %cx, %cb, %cc, %s = mamba.mixer2_step %h, %cx0, %cb0, %cc0, %s0
        in_proj(%w_in) conv(%w_conv, %b_conv) dt_bias(%dt_bias)
        A_log(%a_log) D(%d) norm(%w_norm) out_proj(%w_out)
        {n_groups = 1 : i64} : (...) -> (...)
    ```
  }];
  let results = (outs
    Mamba_FloatTensor:$out,
    Mamba_FloatTensor:$new_conv_state_x,
    Mamba_FloatTensor:$new_conv_state_b,
    Mamba_FloatTensor:$new_conv_state_c,
    Mamba_F32Tensor:$new_ssm_state
  );
}

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBA2OPS_TD
