"""mamba_mlir's ops as torch custom ops (torch.library.custom_op, torch 2.4
and later), so that torch.compile keeps each call in its graph as one op
instead of tracing into the Python that checks arguments and launches
kernels. The public functions in mamba_mlir.ops call these only while
torch.compile traces them; eagerly they run directly, without the
dispatcher's per-call cost. Each op has a fake implementation giving the
shapes and dtypes of its results, which is what torch.compile needs.

Registered ops (namespace mamba_mlir): selective_scan, selective_state_update
(mutates state), causal_conv1d, causal_conv1d_update (mutates conv_state),
rms_norm, and Mamba-2's ssd_scan (mamba_chunk_scan_combined) and
ssd_state_update (the multi-head selective_state_update; mutates state). Ops
whose public function returns one or two results always return two here,
the second empty when not asked for."""

from typing import Optional, Tuple

import torch

Tensor = torch.Tensor
NAMESPACE = "mamba_mlir"


def _empty(like):
    return like.new_empty((0,))


def register(ops):
    """Registers the custom ops over the eager implementations in `ops`
    (mamba_mlir.ops' private _eager_* functions). Returns False where torch
    has no torch.library.custom_op."""
    library = getattr(torch, "library", None)
    if library is None or not hasattr(library, "custom_op"):
        return False

    @library.custom_op(f"{NAMESPACE}::selective_scan", mutates_args=())
    def selective_scan(u: Tensor, delta: Tensor, A: Tensor, B: Tensor,
                       C: Tensor, D: Optional[Tensor], z: Optional[Tensor],
                       delta_bias: Optional[Tensor], delta_softplus: bool,
                       return_last_state: bool) -> Tuple[Tensor, Tensor]:
        got = ops._eager_selective_scan(u, delta, A, B, C, D, z, delta_bias,
                                        delta_softplus, return_last_state)
        return got if return_last_state else (got, _empty(A))

    @selective_scan.register_fake
    def _(u, delta, A, B, C, D, z, delta_bias, delta_softplus,
          return_last_state):
        b, d, _ = u.shape
        last = (A.new_empty((b, d, A.shape[1]), dtype=torch.float32)
                if return_last_state else _empty(A))
        return u.new_empty(u.shape), last

    @library.custom_op(f"{NAMESPACE}::selective_state_update",
                       mutates_args=("state",))
    def selective_state_update(state: Tensor, x: Tensor, dt: Tensor,
                               A: Tensor, B: Tensor, C: Tensor,
                               D: Optional[Tensor], z: Optional[Tensor],
                               dt_bias: Optional[Tensor],
                               dt_softplus: bool) -> Tensor:
        return ops._eager_selective_state_update(state, x, dt, A, B, C, D, z,
                                                 dt_bias, dt_softplus)

    @selective_state_update.register_fake
    def _(state, x, dt, A, B, C, D, z, dt_bias, dt_softplus):
        return x.new_empty(x.shape)

    @library.custom_op(f"{NAMESPACE}::causal_conv1d", mutates_args=())
    def causal_conv1d(x: Tensor, weight: Tensor, bias: Optional[Tensor],
                      return_final_states: bool,
                      activation: Optional[str]) -> Tuple[Tensor, Tensor]:
        got = ops._eager_causal_conv1d(x, weight, bias, return_final_states,
                                       activation)
        if not return_final_states:
            return got, _empty(x)
        return got[0], got[1].contiguous()

    @causal_conv1d.register_fake
    def _(x, weight, bias, return_final_states, activation):
        b, d, _ = x.shape
        final = (x.new_empty((b, d, weight.shape[1] - 1))
                 if return_final_states else _empty(x))
        return x.new_empty(x.shape), final

    @library.custom_op(f"{NAMESPACE}::causal_conv1d_update",
                       mutates_args=("conv_state",))
    def causal_conv1d_update(x: Tensor, conv_state: Tensor, weight: Tensor,
                             bias: Optional[Tensor],
                             activation: Optional[str]) -> Tensor:
        return ops._eager_causal_conv1d_update(x, conv_state, weight, bias,
                                               activation)

    @causal_conv1d_update.register_fake
    def _(x, conv_state, weight, bias, activation):
        return x.new_empty(x.shape)

    @library.custom_op(f"{NAMESPACE}::rms_norm", mutates_args=())
    def rms_norm(x: Tensor, weight: Tensor, residual: Optional[Tensor],
                 prenorm: bool, residual_in_fp32: bool,
                 eps: float) -> Tuple[Tensor, Tensor]:
        got = ops._eager_rms_norm(x, weight, residual, prenorm,
                                  residual_in_fp32, eps)
        return got if prenorm else (got, _empty(x))

    @rms_norm.register_fake
    def _(x, weight, residual, prenorm, residual_in_fp32, eps):
        if not prenorm:
            return x.new_empty(x.shape), _empty(x)
        kind = ops._residual_dtype(x.dtype, None if residual is None
                                   else residual.dtype, residual_in_fp32)
        return x.new_empty(x.shape), x.new_empty(x.shape, dtype=kind)

    @library.custom_op(f"{NAMESPACE}::ssd_scan", mutates_args=())
    def ssd_scan(x: Tensor, dt: Tensor, A: Tensor, B: Tensor, C: Tensor,
                 chunk_size: int, D: Optional[Tensor], z: Optional[Tensor],
                 dt_bias: Optional[Tensor], initial_states: Optional[Tensor],
                 seq_idx: Optional[Tensor], dt_softplus: bool, dt_min: float,
                 dt_max: float,
                 return_final_states: bool) -> Tuple[Tensor, Tensor]:
        got = ops._ssd_ops._eager_ssd_scan(
            x, dt, A, B, C, chunk_size, D, z, dt_bias, initial_states, seq_idx,
            dt_softplus, (dt_min, dt_max), return_final_states)
        return got if return_final_states else (got, _empty(A))

    @ssd_scan.register_fake
    def _(x, dt, A, B, C, chunk_size, D, z, dt_bias, initial_states, seq_idx,
          dt_softplus, dt_min, dt_max, return_final_states):
        b, _, H, P = x.shape
        final = (A.new_empty((b, H, P, B.shape[3]), dtype=torch.float32)
                 if return_final_states else _empty(A))
        return x.new_empty(x.shape), final

    @library.custom_op(f"{NAMESPACE}::ssd_state_update",
                       mutates_args=("state",))
    def ssd_state_update(state: Tensor, x: Tensor, dt: Tensor, A: Tensor,
                         B: Tensor, C: Tensor, D: Optional[Tensor],
                         z: Optional[Tensor], dt_bias: Optional[Tensor],
                         dt_softplus: bool) -> Tensor:
        return ops._ssd_ops._eager_ssd_state_update(state, x, dt, A, B, C, D,
                                                    z, dt_bias, dt_softplus)

    @ssd_state_update.register_fake
    def _(state, x, dt, A, B, C, D, z, dt_bias, dt_softplus):
        return x.new_empty(x.shape)

    return True


def compiling():
    """Whether torch.compile is tracing the caller (False on a torch
    without torch.compiler)."""
    compiler = getattr(torch, "compiler", None)
    return compiler is not None and compiler.is_compiling()
