//===- ScanBuffers.h - What both scan tilings take from the op --*- C++ -*-===//
//
// The GPU and CPU tilings of mamba.selective_scan lay their loops out
// differently but start alike: the operands as buffers, the results
// allocated, the sizes read, the group size checked.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SCANBUFFERS_H
#define MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SCANBUFFERS_H

#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::mamba {

/// A scan's operands as read-only buffers (null when absent), its results
/// as new buffers (finalState null when the op has none), and the sizes
/// of u.
struct ScanBuffers {
  Value u, delta, A, B, C, D, z, deltaBias, initialState;
  Value y, finalState;
  Value batch, channels, length;
};
ScanBuffers takeScanBuffers(ImplicitLocOpBuilder &b, SelectiveScanOp op);

/// d / G for a scan with G > 1 groups, 0 for one group; an error on the op
/// when G > 1 and d or G is not static (a block's channels must be known to
/// share a group).
FailureOr<int64_t> scanChannelsPerGroup(SelectiveScanOp op);

} // namespace mlir::mamba

#endif // MAMBA_LIB_CONVERSION_MAMBATOKERNELS_SCANBUFFERS_H
