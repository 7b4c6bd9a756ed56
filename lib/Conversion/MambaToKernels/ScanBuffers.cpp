//===- ScanBuffers.cpp - What both scan tilings take from the op ----------===//

#include "ScanBuffers.h"

#include "mamba/Conversion/Utils/KernelNest.h"

using namespace mlir;
using namespace mlir::mamba;

ScanBuffers mlir::mamba::takeScanBuffers(ImplicitLocOpBuilder &b,
                                         SelectiveScanOp op) {
  ScanBuffers s;
  s.u = readOnlyBuffer(b, op.getU());
  s.delta = readOnlyBuffer(b, op.getDelta());
  s.A = readOnlyBuffer(b, op.getA());
  s.B = readOnlyBuffer(b, op.getB());
  s.C = readOnlyBuffer(b, op.getC());
  s.D = readOnlyBuffer(b, op.getD());
  s.z = readOnlyBuffer(b, op.getZ());
  s.deltaBias = readOnlyBuffer(b, op.getDeltaBias());
  s.initialState = readOnlyBuffer(b, op.getInitialState());
  SmallVector<Value> sizes = bufferSizes(b, s.u);
  s.batch = sizes[0];
  s.channels = sizes[1];
  s.length = sizes[2];
  s.y = allocBuffer(b, op.getY().getType(), sizes);
  if (Value result = op.getFinalState()) {
    int64_t N = cast<RankedTensorType>(op.getA().getType()).getDimSize(1);
    s.finalState = allocBuffer(b, result.getType(),
                               {s.batch, s.channels, indexConstant(b, N)});
  }
  return s;
}

FailureOr<int64_t> mlir::mamba::scanChannelsPerGroup(SelectiveScanOp op) {
  int64_t groups = cast<RankedTensorType>(op.getB().getType()).getDimSize(1);
  int64_t channels = cast<RankedTensorType>(op.getU().getType()).getDimSize(1);
  if (groups == 1)
    return 0;
  if (ShapedType::isDynamic(groups) || ShapedType::isDynamic(channels))
    return op.emitOpError() << "needs static channels d and groups G to be "
                               "tiled when G is not 1";
  return channels / groups;
}
