//===- SsdScan.h - Mamba-2 state space duality scan and its step -*- C++
//-*-===//
//
// The semantics of mamba_ssm's mamba_chunk_scan_combined (its
// ssd_minimal_discrete reference, with the options of the fused kernels) and
// of selective_state_update with heads, evaluated in double. ssdScan is the
// plain per-step recurrence, independent of chunking; ssdScanChunked computes
// the same through the chunked algorithm that the kernels use (products
// within a chunk, states passed between chunks), so that each can be checked
// against the other. Optional operands are pointers; nullptr means absent.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_SSDSCAN_H
#define MAMBA_REFERENCE_SSDSCAN_H

#include "mamba/Reference/Tensor.h"

#include <limits>

namespace mamba::reference {

/// What is done to dt before it is used: dt + dt_bias, then softplus when
/// `softplus`, then a clamp to [low, high] unless the limit is the default
/// (0, inf), as mamba_ssm does (so without softplus a negative dt stays
/// negative under the default limit).
struct DtOptions {
  bool softplus = false;
  double low = 0.0;
  double high = std::numeric_limits<double>::infinity();

  bool clamps() const {
    return !(low == 0.0 && high == std::numeric_limits<double>::infinity());
  }
};

struct SsdScanResult {
  Tensor y;           ///< [b, L, H, P]
  Tensor finalStates; ///< [b, H, P, N]
};

/// Shapes: x, z [b, L, H, P]; dt [b, L, H]; A, dtBias [H]; B, C [b, L, G, N]
/// where head h reads group h / (H / G) and G must divide H; D [H] or
/// [H, P]; initialStates [b, H, P, N] (zero when absent); seqIdx [b, L],
/// non-decreasing along L: where it changes, the state restarts at zero.
///
///   dt_t = dt options applied to dt[t, h]
///   S_t  = exp(dt_t A_h) S_{t-1} + dt_t x_t B_t^T      (S: [P, N])
///   y_t  = S_t C_t + D x_t, then y_t *= silu(z_t)
///
/// The final states are those after the last position (of the last
/// sequence, with seqIdx). Throws std::invalid_argument on a shape
/// mismatch, a decreasing seqIdx, or low > high.
SsdScanResult
ssdScan(const Tensor &x, const Tensor &dt, const Tensor &A, const Tensor &B,
        const Tensor &C, const Tensor *D = nullptr, const Tensor *z = nullptr,
        const Tensor *dtBias = nullptr, const Tensor *initialStates = nullptr,
        const Tensor *seqIdx = nullptr, const DtOptions &dtOptions = {});

/// ssdScan through the chunked algorithm with chunks of `chunkSize`
/// positions (the last one shorter when chunkSize does not divide L): within
/// a chunk, y = (C B^T masked by the decay between positions) (dt x), plus
/// the decayed state entering the chunk read by C; between chunks, the state
/// is the decayed previous one plus the chunk's own contribution.
SsdScanResult ssdScanChunked(const Tensor &x, const Tensor &dt, const Tensor &A,
                             const Tensor &B, const Tensor &C,
                             int64_t chunkSize, const Tensor *D = nullptr,
                             const Tensor *z = nullptr,
                             const Tensor *dtBias = nullptr,
                             const Tensor *initialStates = nullptr,
                             const Tensor *seqIdx = nullptr,
                             const DtOptions &dtOptions = {});

struct SsdStepResult {
  Tensor y;        ///< [b, H, P]
  Tensor newState; ///< [b, H, P, N]
};

/// One position of ssdScan, for token-by-token decoding. Shapes: state
/// [b, H, P, N]; x, z [b, H, P]; dt [b, H]; A, dtBias [H]; B, C [b, G, N];
/// D [H] or [H, P].
SsdStepResult ssdStep(const Tensor &state, const Tensor &x, const Tensor &dt,
                      const Tensor &A, const Tensor &B, const Tensor &C,
                      const Tensor *D = nullptr, const Tensor *z = nullptr,
                      const Tensor *dtBias = nullptr,
                      const DtOptions &dtOptions = {});

} // namespace mamba::reference

#endif // MAMBA_REFERENCE_SSDSCAN_H
