//===- SelectiveScan.h - Mamba-1 selective scan and decode step -*- C++ -*-===//
//
// The semantics of mamba_ssm's selective_scan_ref and selective_state_update,
// evaluated in double. Optional operands are passed as pointers; nullptr means
// absent.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_SELECTIVESCAN_H
#define MAMBA_REFERENCE_SELECTIVESCAN_H

#include "mamba/Reference/Tensor.h"

namespace mamba::reference {

struct SelectiveScanResult {
  Tensor y;          ///< [b, d, L]
  Tensor finalState; ///< [b, d, N]
};

/// Shapes: u, delta, z [b, d, L]; A [d, N]; B, C [b, G, N, L] where channel c
/// reads group c / (d / G) and G must divide d; D, deltaBias [d];
/// initialState [b, d, N] (zero when absent).
///
///   dt  = delta + deltaBias, then softplus(dt) if deltaSoftplus
///   h_t = exp(dt * A) * h_{t-1} + dt * B_t * u_t
///   y_t = sum_n C_t[n] * h_t[n] + D * u_t, then y_t *= silu(z_t)
///
/// Throws std::invalid_argument on any shape mismatch.
SelectiveScanResult
selectiveScan(const Tensor &u, const Tensor &delta, const Tensor &A,
              const Tensor &B, const Tensor &C, const Tensor *D = nullptr,
              const Tensor *z = nullptr, const Tensor *deltaBias = nullptr,
              const Tensor *initialState = nullptr, bool deltaSoftplus = false);

struct SelectiveStateUpdateResult {
  Tensor y;        ///< [b, d]
  Tensor newState; ///< [b, d, N]
};

/// One time step of selectiveScan, as used in token-by-token decoding.
/// Shapes: state [b, d, N]; x, dt, z [b, d]; A [d, N]; B, C [b, G, N];
/// D, dtBias [d].
SelectiveStateUpdateResult
selectiveStateUpdate(const Tensor &state, const Tensor &x, const Tensor &dt,
                     const Tensor &A, const Tensor &B, const Tensor &C,
                     const Tensor *D = nullptr, const Tensor *z = nullptr,
                     const Tensor *dtBias = nullptr,
                     bool deltaSoftplus = false);

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_SELECTIVESCAN_H
