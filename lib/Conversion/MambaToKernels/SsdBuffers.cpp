//===- SsdBuffers.cpp - What the SSD tilings take from their ops ----------===//

#include "SsdBuffers.h"

#include "mamba/Conversion/Utils/KernelNest.h"

using namespace mlir;
using namespace mlir::mamba;

namespace {

SsdSizes sizesOf(Value x, Value B) {
  auto xType = cast<RankedTensorType>(x.getType());
  auto bType = cast<RankedTensorType>(B.getType());
  int64_t xRank = xType.getRank(), bRank = bType.getRank();
  return {xType.getDimSize(xRank - 2), xType.getDimSize(xRank - 1),
          bType.getDimSize(bRank - 2), bType.getDimSize(bRank - 1)};
}

} // namespace

SsdSizes mlir::mamba::ssdSizes(SsdScanOp op) {
  return sizesOf(op.getX(), op.getB());
}

SsdSizes mlir::mamba::ssdSizes(SsdStateUpdateOp op) {
  return sizesOf(op.getX(), op.getB());
}

SsdScanBuffers mlir::mamba::takeSsdScanBuffers(ImplicitLocOpBuilder &b,
                                               SsdScanOp op, int64_t N) {
  SsdScanBuffers s;
  s.x = readOnlyBuffer(b, op.getX());
  s.dt = readOnlyBuffer(b, op.getDt());
  s.A = readOnlyBuffer(b, op.getA());
  s.B = readOnlyBuffer(b, op.getB());
  s.C = readOnlyBuffer(b, op.getC());
  s.D = readOnlyBuffer(b, op.getD());
  s.z = readOnlyBuffer(b, op.getZ());
  s.dtBias = readOnlyBuffer(b, op.getDtBias());
  s.initialStates = readOnlyBuffer(b, op.getInitialStates());
  s.seqIdx = readOnlyBuffer(b, op.getSeqIdx());
  s.sizes = bufferSizes(b, s.x);
  s.y = allocBuffer(b, op.getY().getType(), s.sizes);
  if (Value result = op.getFinalStates())
    s.finalStates =
        allocBuffer(b, result.getType(),
                    {s.sizes[0], s.sizes[2], s.sizes[3], indexConstant(b, N)});
  return s;
}

SsdStepBuffers mlir::mamba::takeSsdStepBuffers(ImplicitLocOpBuilder &b,
                                               SsdStateUpdateOp op, int64_t N) {
  SsdStepBuffers s;
  s.state = readOnlyBuffer(b, op.getState());
  s.x = readOnlyBuffer(b, op.getX());
  s.dt = readOnlyBuffer(b, op.getDt());
  s.A = readOnlyBuffer(b, op.getA());
  s.B = readOnlyBuffer(b, op.getB());
  s.C = readOnlyBuffer(b, op.getC());
  s.D = readOnlyBuffer(b, op.getD());
  s.z = readOnlyBuffer(b, op.getZ());
  s.dtBias = readOnlyBuffer(b, op.getDtBias());
  s.sizes = bufferSizes(b, s.x);
  s.y = allocBuffer(b, op.getY().getType(), s.sizes);
  s.newState =
      allocBuffer(b, op.getNewState().getType(),
                  {s.sizes[0], s.sizes[1], s.sizes[2], indexConstant(b, N)});
  return s;
}
