//===- MambaOps.td - operations of the mamba dialect ------*- tablegen -*-===//
//
// Shapes in the descriptions use these letters: b batch, d channels (d_inner),
// L sequence length, N state size, G groups of B/C, K convolution width,
// D model width (hidden size), E d_inner, R time-step rank, V vocabulary.
// Verifiers live in MambaOps.cpp: they check every rank, dimension and element
// type relation so that later passes can rely on them (LLVM's assertions are
// off in release builds; a malformed op must be rejected here, not crash a
// pass).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_DIALECT_MAMBA_IR_MAMBAOPS_TD
#define MAMBA_DIALECT_MAMBA_IR_MAMBAOPS_TD

include "mamba/Dialect/Mamba/IR/MambaAttrs.td"
include "mamba/Dialect/Mamba/IR/MambaOpBase.td"

//===----------------------------------------------------------------------===//
// Sequence ops (prefill)
//===----------------------------------------------------------------------===//

def Mamba_SelectiveScanOp : Mamba_Op<"selective_scan",
    [Pure, Mamba_ReifyShapes, AttrSizedOperandSegments]> {
  let summary = "Mamba-1 selective scan over a whole sequence";
  let description = [{
    Runs the discretized selective state space recurrence of Mamba-1 over the
    sequence dimension, per batch element and channel. All math is done in
    f32; `y` has the element type of `u`.

    ```
    dt  = delta (+ delta_bias[c]);  dt = softplus(dt) if delta_softplus
    h_t = exp(dt_t * A[c, n]) * h_{t-1} + dt_t * B[g, n, t] * u_t
    y_t = sum_n C[g, n, t] * h_t[n] (+ D[c] * u_t)
    y_t = y_t * silu(z_t)            if z is given
    ```

    Shapes: `u`, `delta`, `z`, `y`: `[b, d, L]`; `A`: `[d, N]`;
    `B`, `C`: `[b, G, N, L]` where channel `c` reads group `c / (d / G)`, so G
    must divide d; `D`, `delta_bias`: `[d]`; `initial_state`, `final_state`:
    `[b, d, N]`. `h_0` is `initial_state`, or zero without it. The optional
    second result is the state after the last step.

    The optional `tiling` attribute fixes how `mamba-tile-selective-scan`
    splits this scan over GPU blocks and threads (a tuner sets it per shape);
    without it the pass options decide.

    Example:
    ```mlir
    %y, %h = mamba.selective_scan %u, %dt, %A, %B, %C D(%D) z(%z)
        delta_bias(%bias) delta_softplus
        : (tensor<2x64x128xbf16>, tensor<2x64x128xbf16>, tensor<64x16xf32>,
           tensor<2x1x16x128xbf16>, tensor<2x1x16x128xbf16>, tensor<64xf32>,
           tensor<2x64x128xbf16>, tensor<64xf32>)
        -> (tensor<2x64x128xbf16>, tensor<2x64x16xf32>)
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$u,
    Mamba_FloatTensor:$delta,
    Mamba_F32Tensor:$A,
    Mamba_FloatTensor:$B,
    Mamba_FloatTensor:$C,
    Optional<Mamba_F32Tensor>:$D,
    Optional<Mamba_FloatTensor>:$z,
    Optional<Mamba_F32Tensor>:$delta_bias,
    Optional<Mamba_F32Tensor>:$initial_state,
    UnitAttr:$delta_softplus,
    OptionalAttr<Mamba_ScanTilingAttr>:$tiling
  );
  let results = (outs
    Mamba_FloatTensor:$y,
    Optional<Mamba_F32Tensor>:$final_state
  );
  let assemblyFormat = [{
    $u `,` $delta `,` $A `,` $B `,` $C
    (`D` `(` $D^ `)`)?
    (`z` `(` $z^ `)`)?
    (`delta_bias` `(` $delta_bias^ `)`)?
    (`initial_state` `(` $initial_state^ `)`)?
    (`delta_softplus` $delta_softplus^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_CausalConv1dOp : Mamba_Op<"causal_conv1d", [Pure, Mamba_ReifyShapes]> {
  let summary = "depthwise causal 1-D convolution over the sequence";
  let description = [{
    Per channel `c`, with the input zero-padded on the left:
    `y[t] = bias[c] + sum_k weight[c, k] * x[t - (K - 1) + k]`, followed by
    SiLU when `activation` is `silu`. Shapes: `x`, `y`: `[b, d, L]`; `weight`:
    `[d, K]`; `bias`: `[d]`. Weight and bias have the element type of `x`, or
    f32.

    With `channels_last`, `x` and `y` are `[b, L, d]` instead: the layout of
    the GEMM that produces the conv's input, which Mamba-2 uses because its
    scan reads token-major operands (mamba_ssm runs that conv channel-last
    too). The math is the same.

    The optional second result `final_state` `[b, d, K]` (element type of
    `x`, in either layout) holds the last K inputs of each channel, oldest
    first, zero-padded on the left when L < K: the `conv_state` from which
    `mamba.conv_state_update` continues the sequence one token at a time.

    ```mlir
    %y = mamba.causal_conv1d %x, %w bias(%b) activation(silu)
        : (tensor<1x128x64xf32>, tensor<128x4xf32>, tensor<128xf32>)
        -> tensor<1x128x64xf32>
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$x,
    Mamba_FloatTensor:$weight,
    Optional<Mamba_FloatTensor>:$bias,
    DefaultValuedAttr<Mamba_Activation, "::mlir::mamba::Activation::None">:$activation,
    UnitAttr:$channels_last
  );
  let results = (outs
    Mamba_FloatTensor:$y,
    Optional<Mamba_FloatTensor>:$final_state
  );
  let assemblyFormat = [{
    $x `,` $weight (`bias` `(` $bias^ `)`)?
    (`activation` `(` $activation^ `)`)?
    (`channels_last` $channels_last^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The dimension of x and y that indexes channels (1, or 2 with
    /// channels_last) and the one that indexes time.
    unsigned getChannelDim() { return getChannelsLast() ? 2 : 1; }
    unsigned getTimeDim() { return getChannelsLast() ? 1 : 2; }
  }];
}

def Mamba_RmsNormOp : Mamba_Op<"rms_norm",
    [Pure, Mamba_ReifyShapes]> {
  let summary = "RMS normalization over the last dimension, with an optional fused residual add";
  let description = [{
    `r = x + residual` (or `r = x` without a residual);
    `y = r / sqrt(mean(r * r) + eps) * weight`, reduced over the last dimension.
    The optional `residual_out` result returns `r`, the residual stream of the
    next layer; it may be kept in f32 while `x` and `y` are 16-bit
    (`residual_in_fp32` in mamba_ssm). Shapes: `x`, `residual`, `y`,
    `residual_out`: `[..., D]`; `weight`: `[D]`.

    ```mlir
    %y, %r = mamba.rms_norm %x, %w residual(%res) eps(1.0e-05)
        : (tensor<2x8x64xbf16>, tensor<64xbf16>, tensor<2x8x64xf32>)
        -> (tensor<2x8x64xbf16>, tensor<2x8x64xf32>)
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$x,
    Mamba_FloatTensor:$weight,
    Optional<Mamba_FloatTensor>:$residual,
    DefaultValuedAttr<F32Attr, "1.0e-5">:$eps
  );
  let results = (outs
    Mamba_FloatTensor:$y,
    Optional<Mamba_FloatTensor>:$residual_out
  );
  let assemblyFormat = [{
    $x `,` $weight (`residual` `(` $residual^ `)`)? (`eps` `(` $eps^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_LinearOp : Mamba_Op<"linear", [Pure, Mamba_ReifyShapes]> {
  let summary = "dense layer: y = x * transpose(weight) + bias";
  let description = [{
    A GEMM over the last dimension of `x` with a weight stored as
    `[out_features, in_features]`, the layout of `torch.nn.Linear`. Shapes:
    `x`: `[..., K]`; `weight`: `[M, K]`; `bias`: `[M]`; `y`: `[..., M]`.
    Accumulation is in f32. Later stages hand these to a GEMM library.

    For rank-3 operands either side may be features-major instead, the
    layout of the conv and the scan: with `x_features_major`, `x` is
    `[b, K, L]`; with `y_features_major`, `y` is `[b, M, L]`. A GEMM library
    reads and writes either layout at the same speed, so
    `mamba-fold-gemm-layouts` folds the transposes around a linear into
    these flags.

    ```mlir
    %y = mamba.linear %x, %w : (tensor<1x5x64xf32>, tensor<256x64xf32>)
        -> tensor<1x5x256xf32>
    %t = mamba.linear %x, %w {y_features_major}
        : (tensor<1x5x64xf32>, tensor<256x64xf32>) -> tensor<1x256x5xf32>
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$x,
    Mamba_FloatTensor:$weight,
    Optional<Mamba_FloatTensor>:$bias,
    UnitAttr:$x_features_major,
    UnitAttr:$y_features_major
  );
  let results = (outs Mamba_FloatTensor:$y);
  let assemblyFormat = [{
    $x `,` $weight (`bias` `(` $bias^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_EmbeddingOp : Mamba_Op<"embedding", [Pure, Mamba_ReifyShapes]> {
  let summary = "token embedding lookup";
  let description = [{
    `y[..., :] = table[ids[...], :]`. Shapes: `ids`: `[...]` of i32 or i64;
    `table`: `[V, D]`; `y`: `[..., D]` with the element type of `table`. Ids
    outside `[0, V)` are an error at run time.

    ```mlir
    %h = mamba.embedding %ids, %table
        : (tensor<1x5xi32>, tensor<256x64xf32>) -> tensor<1x5x64xf32>
    ```
  }];
  let arguments = (ins Mamba_IndexTensor:$ids, Mamba_FloatTensor:$table);
  let results = (outs Mamba_FloatTensor:$y);
  let assemblyFormat = [{
    $ids `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_ArgmaxOp : Mamba_Op<"argmax", [Pure, Mamba_ReifyShapes]> {
  let summary = "index of the largest element along the last dimension";
  let description = [{
    `ids[...] = argmax_v x[..., v]`, the greedy choice of a next token from
    its logits, so that a decode step hands the host `b` ids instead of
    `b x V` logits. As `torch.argmax`: the first of equal maxima, and NaN
    counts as larger than every number. Shapes: `x`: `[..., V]` float with
    `V >= 1`; `ids`: `[...]` i32.

    ```mlir
    %ids = mamba.argmax %logits : (tensor<?x50280xbf16>) -> tensor<?xi32>
    ```
  }];
  let arguments = (ins Mamba_FloatTensor:$x);
  let results = (outs RankedTensorOf<[I32]>:$ids);
  let assemblyFormat = [{
    $x attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Decode-step ops (one token)
//===----------------------------------------------------------------------===//

def Mamba_SelectiveStateUpdateOp : Mamba_Op<"selective_state_update",
    [Pure, Mamba_ReifyShapes, AttrSizedOperandSegments]> {
  let summary = "one decode step of the selective scan";
  let description = [{
    Advances the recurrence of `mamba.selective_scan` by one token (the
    `selective_state_update` of mamba_ssm): with
    `dt = softplus(dt + dt_bias)` (softplus only with `delta_softplus`),
    `new_state = exp(dt * A) * state + dt * B * x` and
    `y = sum_n C * new_state (+ D * x)`, gated by `silu(z)` when given.
    Running it L times from a state equals one selective scan of length L.
    Shapes: `state`, `new_state`: `[b, d, N]` f32; `x`, `dt`, `z`, `y`:
    `[b, d]`; `A`: `[d, N]`; `B`, `C`: `[b, G, N]`; `D`, `dt_bias`: `[d]`.

    ```mlir
    %y, %s = mamba.selective_state_update %state, %x, %dt, %A, %B, %C D(%D)
        z(%z) dt_bias(%bias) delta_softplus
        : (tensor<2x4x3xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
           tensor<4x3xf32>, tensor<2x1x3xf32>, tensor<2x1x3xf32>,
           tensor<4xf32>, tensor<2x4xf32>, tensor<4xf32>)
        -> (tensor<2x4xf32>, tensor<2x4x3xf32>)
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
    UnitAttr:$delta_softplus
  );
  let results = (outs Mamba_FloatTensor:$y, Mamba_F32Tensor:$new_state);
  let assemblyFormat = [{
    $state `,` $x `,` $dt `,` $A `,` $B `,` $C
    (`D` `(` $D^ `)`)?
    (`z` `(` $z^ `)`)?
    (`dt_bias` `(` $dt_bias^ `)`)?
    (`delta_softplus` $delta_softplus^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_ConvStateUpdateOp : Mamba_Op<"conv_state_update", [Pure, Mamba_ReifyShapes]> {
  let summary = "one decode step of the causal convolution";
  let description = [{
    Shifts the rolling window `conv_state` (oldest input first) left by one,
    appends `x`, and returns the convolution of the new window:
    `y = bias + sum_k new_conv_state[k] * weight[k]`, then SiLU when
    `activation` is `silu`. Running it L times from a zero state equals
    `mamba.causal_conv1d` over L. Shapes: `conv_state`, `new_conv_state`:
    `[b, d, K]`; `x`, `y`: `[b, d]`; `weight`: `[d, K]`; `bias`: `[d]`.

    ```mlir
    %y, %s = mamba.conv_state_update %state, %x, %w bias(%b) activation(silu)
        : (tensor<2x3x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>)
        -> (tensor<2x3xf32>, tensor<2x3x4xf32>)
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$conv_state,
    Mamba_FloatTensor:$x,
    Mamba_FloatTensor:$weight,
    Optional<Mamba_FloatTensor>:$bias,
    DefaultValuedAttr<Mamba_Activation, "::mlir::mamba::Activation::None">:$activation
  );
  let results = (outs Mamba_FloatTensor:$y, Mamba_FloatTensor:$new_conv_state);
  let assemblyFormat = [{
    $conv_state `,` $x `,` $weight (`bias` `(` $bias^ `)`)?
    (`activation` `(` $activation^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Mamba_SelectiveStepOp : Mamba_Op<"selective_step",
    [Pure, Mamba_ReifyShapes]> {
  let summary = "one decode step of a mixer between in_proj and out_proj (fused)";
  let description = [{
    What `mamba.mixer_step` computes after its input projection and before
    its output projection, as one op so that it compiles to one fused
    decode step instead of six kernels and GEMMs. With `xz: [b, 2E]` (the
    in_proj output) and `x, z` its halves:

    ```
    x, new_conv_state = conv_state_update(conv_state, x, conv_weight,
                                          conv_bias, silu)
    dt_r, B, C        = split(linear(x, x_proj_weight), [R, N, N])
    dt                = linear(dt_r, dt_proj_weight)
    y, new_ssm_state  = selective_state_update(ssm_state, x, dt, A, B, C,
                            D, z, dt_bias, delta_softplus)
    ```

    Intermediates are rounded to the element type of `xz` where the
    unfused ops would store them (the conv output, the x_proj and dt_proj
    outputs), so both forms compute the same numbers up to the order of
    the sums. Shapes: `conv_state`, `new_conv_state`: `[b, E, K]` (element
    type of `xz`); `ssm_state`, `new_ssm_state`: `[b, E, N]` f32;
    `conv_weight`: `[E, K]`; `conv_bias`: `[E]`; `x_proj_weight`:
    `[R + 2N, E]`; `dt_proj_weight`: `[E, R]`; `dt_bias`, `D`: `[E]` f32;
    `A`: `[E, N]` f32 (already `-exp(A_log)`); `y`: `[b, E]`.

    ```mlir
    %y, %cs, %ss = mamba.selective_step %xz, %conv, %ssm
        conv(%w_conv, %b_conv) x_proj(%w_x) dt_proj(%w_dt, %b_dt) A(%a) D(%d)
        : (...) -> (tensor<2x64xf32>, tensor<2x64x4xf32>, tensor<2x64x16xf32>)
    ```
  }];
  let arguments = (ins
    Mamba_FloatTensor:$xz,
    Mamba_FloatTensor:$conv_state,
    Mamba_F32Tensor:$ssm_state,
    Mamba_FloatTensor:$conv_weight,
    Optional<Mamba_FloatTensor>:$conv_bias,
    Mamba_FloatTensor:$x_proj_weight,
    Mamba_FloatTensor:$dt_proj_weight,
    Mamba_F32Tensor:$dt_bias,
    Mamba_F32Tensor:$A,
    Mamba_F32Tensor:$D
  );
  let results = (outs Mamba_FloatTensor:$y,
                      Mamba_FloatTensor:$new_conv_state,
                      Mamba_F32Tensor:$new_ssm_state);
  let assemblyFormat = [{
    $xz `,` $conv_state `,` $ssm_state
    `conv` `(` $conv_weight (`,` $conv_bias^)? `)`
    `x_proj` `(` $x_proj_weight `)`
    `dt_proj` `(` $dt_proj_weight `,` $dt_bias `)`
    `A` `(` $A `)`
    `D` `(` $D `)`
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getInnerSize();   // E
    int64_t getStateSize();   // N
    int64_t getDtRank();      // R
    int64_t getConvWidth();   // K
  }];
}

//===----------------------------------------------------------------------===//
// Composite ops
//===----------------------------------------------------------------------===//

// mamba.mixer and mamba.mixer_step: the activation operands `leading` (with
// their assembly `leadingFormat`), then the weights of one mixer block.
class Mamba_MixerLikeOp<string mnemonic, dag leading, string leadingFormat>
    : Mamba_Op<mnemonic,
               [Pure, Mamba_ReifyShapes, AttrSizedOperandSegments]> {
  let arguments = !con(leading, (ins
    Mamba_FloatTensor:$in_proj_weight,
    Optional<Mamba_FloatTensor>:$in_proj_bias,
    Mamba_FloatTensor:$conv_weight,
    Optional<Mamba_FloatTensor>:$conv_bias,
    Mamba_FloatTensor:$x_proj_weight,
    Mamba_FloatTensor:$dt_proj_weight,
    Mamba_F32Tensor:$dt_proj_bias,
    Mamba_F32Tensor:$A_log,
    Mamba_F32Tensor:$D,
    Mamba_FloatTensor:$out_proj_weight,
    Optional<Mamba_FloatTensor>:$out_proj_bias
  ));
  let assemblyFormat = leadingFormat # [{
    `in_proj` `(` $in_proj_weight (`,` $in_proj_bias^)? `)`
    `conv` `(` $conv_weight (`,` $conv_bias^)? `)`
    `x_proj` `(` $x_proj_weight `)`
    `dt_proj` `(` $dt_proj_weight `,` $dt_proj_bias `)`
    `A_log` `(` $A_log `)`
    `D` `(` $D `)`
    `out_proj` `(` $out_proj_weight (`,` $out_proj_bias^)? `)`
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  code mixerSizes = [{
    /// Sizes derived from the operand shapes; ShapedType::kDynamic where the
    /// defining dimension is dynamic.
    int64_t getInnerSize();   // E
    int64_t getStateSize();   // N
    int64_t getDtRank();      // R
    int64_t getConvWidth();   // K
  }];
  let extraClassDeclaration = mixerSizes;
}

def Mamba_MixerOp : Mamba_MixerLikeOp<"mixer",
    (ins Mamba_FloatTensor:$hidden), "$hidden"> {
  let summary = "one whole Mamba-1 mixer block (composite)";
  let description = [{
    The `MambaMixer` of Hugging Face transformers (`Mamba` in mamba_ssm), over
    a whole sequence. With `hidden: [b, L, D]`:

    ```
    xz      = linear(hidden, in_proj_weight, in_proj_bias)     [b, L, 2E]
    x, z    = the first and second halves of xz, as [b, E, L]
    x       = silu(causal_conv1d(x, conv_weight, conv_bias))
    dt_r, B, C = split(linear(x, x_proj_weight), [R, N, N])
    dt      = linear(dt_r, dt_proj_weight)                    (no bias here)
    y       = selective_scan(x, dt, -exp(A_log), B, C, D, z,
                             delta_bias = dt_proj_bias, delta_softplus)
    out     = linear(y, out_proj_weight, out_proj_bias)        [b, L, D]
    ```

    Operand shapes: `in_proj_weight` `[2E, D]`, `in_proj_bias` `[2E]`,
    `conv_weight` `[E, K]`, `conv_bias` `[E]`, `x_proj_weight` `[R + 2N, E]`,
    `dt_proj_weight` `[E, R]`, `dt_proj_bias` `[E]` f32, `A_log` `[E, N]` f32,
    `D` `[E]` f32, `out_proj_weight` `[D, E]`, `out_proj_bias` `[D]`. The
    `mamba-decompose-mixer` pass rewrites it into the primitive ops.

    With two more results, the block also returns what decoding continues
    from (a prefill): `conv_state` `[b, E, K]` (the last K conv inputs,
    element type of `hidden`) and `ssm_state` `[b, E, N]` f32 (the scan's
    final state). The results are `out` alone or all three.

    ```mlir
    %out = mamba.mixer %h in_proj(%w_in) conv(%w_conv, %b_conv)
        x_proj(%w_x) dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d)
        out_proj(%w_out) : (...) -> tensor<1x5x64xf32>
    ```
  }];
  let results = (outs
    Mamba_FloatTensor:$out,
    Variadic<Mamba_FloatTensor>:$states
  );
  let extraClassDeclaration = mixerSizes # [{
    /// The decode state results, or null without them.
    ::mlir::Value getConvState() {
      return getStates().empty() ? ::mlir::Value() : getStates()[0];
    }
    ::mlir::Value getSsmState() {
      return getStates().empty() ? ::mlir::Value() : getStates()[1];
    }
  }];
}

def Mamba_MixerStepOp : Mamba_MixerLikeOp<"mixer_step",
    (ins Mamba_FloatTensor:$hidden, Mamba_FloatTensor:$conv_state,
         Mamba_F32Tensor:$ssm_state),
    "$hidden `,` $conv_state `,` $ssm_state"> {
  let summary = "one decode step of a whole Mamba-1 mixer block (composite)";
  let description = [{
    `mamba.mixer` for one token per sequence, continuing from the state a
    prefill or the previous step left (the `step` of mamba_ssm's `Mamba`).
    With `hidden: [b, D]`:

    ```
    xz            = linear(hidden, in_proj_weight, in_proj_bias)  [b, 2E]
    x, z          = the halves of xz
    x, conv_state = conv_state_update(conv_state, x, conv_weight,
                                      conv_bias, silu)
    dt_r, B, C    = split(linear(x, x_proj_weight), [R, N, N])
    dt            = linear(dt_r, dt_proj_weight)
    y, ssm_state  = selective_state_update(ssm_state, x, dt, -exp(A_log),
                        B, C, D, z, dt_bias = dt_proj_bias, delta_softplus)
    out           = linear(y, out_proj_weight, out_proj_bias)    [b, D]
    ```

    Shapes: `conv_state`, `new_conv_state` `[b, E, K]` (element type of
    `hidden`); `ssm_state`, `new_ssm_state` `[b, E, N]` f32; the weights as
    for `mamba.mixer`.

    ```mlir
    %out, %conv, %ssm = mamba.mixer_step %h, %conv0, %ssm0
        in_proj(%w_in) conv(%w_conv, %b_conv) x_proj(%w_x)
        dt_proj(%w_dt, %b_dt) A_log(%a_log) D(%d) out_proj(%w_out)
        : (...) -> (tensor<2x64xf32>, tensor<2x128x4xf32>, tensor<2x128x16xf32>)
    ```
  }];
  let results = (outs
    Mamba_FloatTensor:$out,
    Mamba_FloatTensor:$new_conv_state,
    Mamba_F32Tensor:$new_ssm_state
  );
}

#endif // MAMBA_DIALECT_MAMBA_IR_MAMBAOPS_TD
