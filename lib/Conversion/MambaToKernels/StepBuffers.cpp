//===- StepBuffers.cpp - What both decode-step tilings take from the op ---===//

#include "StepBuffers.h"

#include "mamba/Conversion/Utils/KernelNest.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::mamba;

LogicalResult mlir::mamba::checkStaticStepSizes(SelectiveStepOp op,
                                                StringRef sizedBy) {
  for (auto [name, size] :
       {std::pair<StringRef, int64_t>{"E", op.getInnerSize()},
        {"N", op.getStateSize()},
        {"R", op.getDtRank()},
        {"K", op.getConvWidth()}})
    if (ShapedType::isDynamic(size))
      return op.emitOpError()
             << "needs a static " << name << " to be tiled (the kernels size "
             << sizedBy << " by E, N, R and K)";
  return success();
}

StepBuffers mlir::mamba::takeStepBuffers(ImplicitLocOpBuilder &b,
                                         SelectiveStepOp op, int64_t blocks) {
  const int64_t E = op.getInnerSize(), N = op.getStateSize(),
                J = op.getDtRank() + 2 * N, K = op.getConvWidth();
  Type f32 = b.getF32Type();
  StepBuffers s;
  s.xz = readOnlyBuffer(b, op.getXz());
  s.convState = readOnlyBuffer(b, op.getConvState());
  s.ssmState = readOnlyBuffer(b, op.getSsmState());
  s.convWeight = readOnlyBuffer(b, op.getConvWeight());
  s.convBias = readOnlyBuffer(b, op.getConvBias());
  s.xWeight = readOnlyBuffer(b, op.getXProjWeight());
  s.dtWeight = readOnlyBuffer(b, op.getDtProjWeight());
  s.dtBias = readOnlyBuffer(b, op.getDtBias());
  s.A = readOnlyBuffer(b, op.getA());
  s.D = readOnlyBuffer(b, op.getD());
  s.batches = memref::DimOp::create(b, s.xz, 0);
  s.channels = indexConstant(b, E);
  s.y = allocBuffer(b, op.getY().getType(), {s.batches, s.channels});
  s.newConv = allocBuffer(b, op.getNewConvState().getType(),
                          {s.batches, s.channels, indexConstant(b, K)});
  s.newSsm = allocBuffer(b, op.getNewSsmState().getType(),
                         {s.batches, s.channels, indexConstant(b, N)});
  s.convOut = memref::AllocOp::create(
      b, MemRefType::get({ShapedType::kDynamic, E}, f32),
      ValueRange{s.batches});
  s.partials = memref::AllocOp::create(
      b, MemRefType::get({ShapedType::kDynamic, blocks, J}, f32),
      ValueRange{s.batches});
  return s;
}
