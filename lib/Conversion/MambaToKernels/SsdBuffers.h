//===- SsdBuffers.h - What the SSD tilings take from their ops --*- C++ -*-===//
//
// The CPU and GPU tilings of mamba.ssd_scan and mamba.ssd_state_update lay
// their loops out differently but start alike: the sizes H, P, G and N
// read, the operands as buffers, the results allocated (as ScanBuffers.h
// does for Mamba-1's scan).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SSDBUFFERS_H
#define MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SSDBUFFERS_H

#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::mamba {

/// Heads, head dimension, groups and state size (ShapedType::kDynamic
/// where the type leaves them open).
struct SsdSizes {
  int64_t H, P, G, N;
};
SsdSizes ssdSizes(SsdScanOp op);
SsdSizes ssdSizes(SsdStateUpdateOp op);

/// A scan's operands as read-only buffers (null when absent), its results
/// as new buffers (finalStates null when the op has none), and the sizes
/// of x: b, L, H, P. `N` is the state size, static.
struct SsdScanBuffers {
  Value x, dt, A, B, C, D, z, dtBias, initialStates, seqIdx;
  Value y, finalStates;
  SmallVector<Value> sizes;
};
SsdScanBuffers takeSsdScanBuffers(ImplicitLocOpBuilder &b, SsdScanOp op,
                                  int64_t N);

/// The same for a decode step; the sizes of x are b, H, P.
struct SsdStepBuffers {
  Value state, x, dt, A, B, C, D, z, dtBias;
  Value y, newState;
  SmallVector<Value> sizes;
};
SsdStepBuffers takeSsdStepBuffers(ImplicitLocOpBuilder &b, SsdStateUpdateOp op,
                                  int64_t N);

} // namespace mlir::mamba

#endif // MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SSDBUFFERS_H
