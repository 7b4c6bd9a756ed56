//===- Mamba2Ops.cpp - verifiers of the Mamba-2 ops -----------------------===//
//
// As for the Mamba-1 ops (MambaOps.cpp): every rank, dimension and element
// type relation is checked here, with messages naming the operand and where
// the expected size came from, so that the passes after can rely on them.
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"

#include "OpChecks.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::mamba;
using namespace mlir::mamba::detail;

namespace {

/// D is per head, [H], or per head and channel, [H, P].
LogicalResult checkD(ShapeChecker &shapes, Value D) {
  if (!D)
    return success();
  if (cast<RankedTensorType>(D.getType()).getRank() == 2)
    return shapes.check("D", D, {"H", "P"});
  return shapes.check("D", D, {"H"});
}

/// dt, B, C and y have x's element type (the activation type), and D is
/// per head or per head and channel.
template <typename SsdOp>
LogicalResult checkActivationsAndD(SsdOp op, ShapeChecker &shapes) {
  Type act = elementType(op.getX());
  for (auto [what, value] : {std::pair<StringRef, Value>{"dt", op.getDt()},
                             {"B", op.getB()},
                             {"C", op.getC()},
                             {"y", op.getY()}})
    if (failed(checkElementType(op, what, value, act, "as x")))
      return failure();
  return checkD(shapes, op.getD());
}

/// dt_min <= dt_max, both numbers, dt_min not negative.
LogicalResult checkDtLimit(Operation *op, std::optional<llvm::APFloat> low,
                           std::optional<llvm::APFloat> high) {
  double lo = low ? low->convertToDouble() : 0.0;
  double hi = high ? high->convertToDouble() : INFINITY;
  if (std::isnan(lo) || std::isnan(hi) || lo < 0.0 || lo > hi || std::isinf(lo))
    return op->emitOpError() << "expects 0 <= dt_min <= dt_max, but got "
                                "dt_min = "
                             << lo << ", dt_max = " << hi;
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// SsdScanOp
//===----------------------------------------------------------------------===//

LogicalResult SsdScanOp::verify() {
  ShapeChecker shapes(*this);
  Type act = elementType(getX());
  if (failed(shapes.check("x", getX(), {"b", "L", "H", "P"})) ||
      failed(shapes.check("dt", getDt(), {"b", "L", "H"})) ||
      failed(shapes.check("A", getA(), {"H"})) ||
      failed(shapes.check("B", getB(), {"b", "L", "G", "N"})) ||
      failed(shapes.check("C", getC(), {"b", "L", "G", "N"})) ||
      failed(shapes.check("y", getY(), {"b", "L", "H", "P"})))
    return failure();
  if (failed(checkActivationsAndD(*this, shapes)))
    return failure();
  if (Value z = getZ()) {
    if (failed(shapes.check("z", z, {"b", "L", "H", "P"})) ||
        failed(checkElementType(*this, "z", z, act, "as x")))
      return failure();
  }
  if (getDtBias() && failed(shapes.check("dt_bias", getDtBias(), {"H"})))
    return failure();
  if (getInitialStates() &&
      failed(shapes.check("initial_states", getInitialStates(),
                          {"b", "H", "P", "N"})))
    return failure();
  if (getSeqIdx() && failed(shapes.check("seq_idx", getSeqIdx(), {"b", "L"})))
    return failure();
  if (getFinalStates() && failed(shapes.check("final_states", getFinalStates(),
                                              {"b", "H", "P", "N"})))
    return failure();
  if (getChunkSize() < 1)
    return emitOpError() << "expects a chunk_size of at least 1, but got "
                         << getChunkSize();
  if (failed(checkDtLimit(*this, getDtMin(), getDtMax())))
    return failure();
  return checkGroupsDivide(*this, shapes, "H", "heads");
}

//===----------------------------------------------------------------------===//
// SsdStateUpdateOp
//===----------------------------------------------------------------------===//

LogicalResult SsdStateUpdateOp::verify() {
  ShapeChecker shapes(*this);
  Type act = elementType(getX());
  if (failed(shapes.check("state", getState(), {"b", "H", "P", "N"})) ||
      failed(shapes.check("x", getX(), {"b", "H", "P"})) ||
      failed(shapes.check("dt", getDt(), {"b", "H"})) ||
      failed(shapes.check("A", getA(), {"H"})) ||
      failed(shapes.check("B", getB(), {"b", "G", "N"})) ||
      failed(shapes.check("C", getC(), {"b", "G", "N"})) ||
      failed(shapes.check("y", getY(), {"b", "H", "P"})) ||
      failed(shapes.check("new_state", getNewState(), {"b", "H", "P", "N"})))
    return failure();
  if (failed(checkActivationsAndD(*this, shapes)))
    return failure();
  if (Value z = getZ()) {
    if (failed(shapes.check("z", z, {"b", "H", "P"})) ||
        failed(checkElementType(*this, "z", z, act, "as x")))
      return failure();
  }
  if (getDtBias() && failed(shapes.check("dt_bias", getDtBias(), {"H"})))
    return failure();
  if (failed(checkDtLimit(*this, getDtMin(), getDtMax())))
    return failure();
  return checkGroupsDivide(*this, shapes, "H", "heads");
}

//===----------------------------------------------------------------------===//
// RmsNormGatedOp
//===----------------------------------------------------------------------===//

LogicalResult RmsNormGatedOp::verify() {
  auto type = cast<RankedTensorType>(getX().getType());
  if (type.getRank() < 1)
    return emitOpError() << "expects x to have rank at least 1 ([..., F]), "
                            "but got "
                         << type;
  ShapeChecker shapes(*this);
  SmallVector<StringRef> dims(type.getRank() - 1, "");
  dims.push_back("F");
  Type act = type.getElementType();
  if (failed(shapes.check("x", getX(), dims)) ||
      failed(shapes.check("weight", getWeight(), {"F"})) ||
      failed(checkActivationOrF32(*this, "weight", getWeight(), act)) ||
      failed(checkElementType(*this, "y", getY(), act, "as x")))
    return failure();
  if (cast<RankedTensorType>(getY().getType()).getShape() != type.getShape())
    return emitOpError() << "expects y to have the shape of x " << type
                         << ", but got " << getY().getType();
  if (Value z = getZ()) {
    if (z.getType() != getX().getType())
      return emitOpError() << "expects z to have the type of x " << type
                           << ", but got " << z.getType();
  }
  if (!(getEps().convertToDouble() >= 0.0))
    return emitOpError() << "expects eps >= 0, but got "
                         << getEps().convertToDouble();
  int64_t group = getGroupSize(), features = shapes.get("F");
  if (group < 1)
    return emitOpError() << "expects a group_size of at least 1, but got "
                         << group;
  if (!ShapedType::isDynamic(features) && features % group != 0)
    return emitOpError() << "expects group_size = " << group
                         << " to divide the features F = " << features;
  return success();
}

//===----------------------------------------------------------------------===//
// Result shapes
//===----------------------------------------------------------------------===//

LogicalResult
SsdScanOp::reifyResultShapes(OpBuilder &builder,
                             ReifiedRankedShapedTypeDims &shapes) {
  reifyResult(builder, getY(), dimsOf(getX()), shapes);
  if (Value finalStates = getFinalStates())
    reifyResult(builder, finalStates,
                {{getX(), 0}, {getX(), 2}, {getX(), 3}, {getB(), 3}}, shapes);
  return success();
}

LogicalResult
SsdStateUpdateOp::reifyResultShapes(OpBuilder &builder,
                                    ReifiedRankedShapedTypeDims &shapes) {
  reifyResult(builder, getY(), dimsOf(getX()), shapes);
  reifyResult(builder, getNewState(), dimsOf(getState()), shapes);
  return success();
}

LogicalResult
RmsNormGatedOp::reifyResultShapes(OpBuilder &builder,
                                  ReifiedRankedShapedTypeDims &shapes) {
  reifyResult(builder, getY(), dimsOf(getX()), shapes);
  return success();
}

#define GET_OP_CLASSES
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.cpp.inc"
