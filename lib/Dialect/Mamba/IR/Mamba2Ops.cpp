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
// Mixer2Op, Mixer2StepOp
//===----------------------------------------------------------------------===//

namespace {

/// The sizes of a Mamba-2 mixer: H from A_log, E from norm_weight, the conv
/// channels E + 2GN and K from conv_weight. The split of in_proj and of the
/// conv into parts is static, so these must be too.
struct Mixer2Sizes {
  int64_t E, H, P, G, N, K, convChannels;
};

template <typename OpTy>
FailureOr<Mixer2Sizes> mixer2Sizes(OpTy op, bool emitErrors) {
  auto dim = [](Value value, unsigned index) {
    return cast<RankedTensorType>(value.getType()).getDimSize(index);
  };
  auto fail = [&]() -> InFlightDiagnostic {
    if (emitErrors)
      return op.emitOpError();
    return InFlightDiagnostic();
  };
  Mixer2Sizes s;
  s.H = dim(op.getALog(), 0);
  s.E = dim(op.getNormWeight(), 0);
  s.convChannels = dim(op.getConvWeight(), 0);
  s.K = dim(op.getConvWeight(), 1);
  s.G = op.getNGroups();
  if (ShapedType::isDynamic(s.H) || ShapedType::isDynamic(s.E) ||
      ShapedType::isDynamic(s.convChannels) || ShapedType::isDynamic(s.K)) {
    fail() << "expects static A_log, norm_weight and conv_weight shapes: the "
              "splits of in_proj and of the conv come from them";
    return failure();
  }
  if (s.G < 1) {
    fail() << "expects n_groups of at least 1, but got " << s.G;
    return failure();
  }
  if (s.H < 1 || s.E % s.H != 0) {
    fail() << "expects the heads H = " << s.H
           << " (A_log dim 0) to divide the inner size E = " << s.E
           << " (norm_weight dim 0)";
    return failure();
  }
  s.P = s.E / s.H;
  int64_t bc = s.convChannels - s.E;
  if (bc <= 0 || bc % (2 * s.G) != 0) {
    fail() << "expects conv_weight dim 0 to be E + 2 * n_groups * N = " << s.E
           << " + 2 * " << s.G << " * N, but got " << s.convChannels;
    return failure();
  }
  s.N = bc / (2 * s.G);
  return s;
}

template <typename OpTy>
LogicalResult verifyMixer2Weights(OpTy op, ShapeChecker &shapes, Type act) {
  FailureOr<Mixer2Sizes> sizes = mixer2Sizes(op, /*emitErrors=*/true);
  if (failed(sizes))
    return failure();
  const Mixer2Sizes &s = *sizes;
  int64_t inRows = 2 * s.E + 2 * s.G * s.N + s.H;
  if (failed(shapes.check("A_log", op.getALog(), {"H"})) ||
      failed(shapes.check("norm_weight", op.getNormWeight(), {"E"})) ||
      failed(shapes.check("conv_weight", op.getConvWeight(), {"C", "K"})) ||
      failed(shapes.check("dt_bias", op.getDtBias(), {"H"})) ||
      failed(
          shapes.check("out_proj_weight", op.getOutProjWeight(), {"D", "E"})) ||
      failed(shapes.check("in_proj_weight", op.getInProjWeight(), {"", "D"})))
    return failure();
  // D per head, or per head and channel.
  auto dType = cast<RankedTensorType>(op.getD().getType());
  if (dType.getShape() != ArrayRef<int64_t>{s.H} &&
      dType.getShape() != ArrayRef<int64_t>{s.H, s.P})
    return op.emitOpError()
           << "expects D to be [H] = [" << s.H << "] or [H, P] = [" << s.H
           << ", " << s.P << "], but got " << dType;
  int64_t rows =
      cast<RankedTensorType>(op.getInProjWeight().getType()).getDimSize(0);
  if (!ShapedType::isDynamic(rows) && rows != inRows)
    return op.emitOpError()
           << "expects in_proj_weight dim 0 to be 2E + 2GN + H = " << inRows
           << " (E = " << s.E << ", G = " << s.G << ", N = " << s.N
           << ", H = " << s.H << "), but got " << rows;
  (void)shapes.bind("in_proj_weight", 0, "IN", inRows);
  if (op.getInProjBias() &&
      failed(shapes.check("in_proj_bias", op.getInProjBias(), {"IN"})))
    return failure();
  if (op.getConvBias() &&
      failed(shapes.check("conv_bias", op.getConvBias(), {"C"})))
    return failure();
  if (op.getOutProjBias() &&
      failed(shapes.check("out_proj_bias", op.getOutProjBias(), {"D"})))
    return failure();
  if (s.K < 1)
    return op.emitOpError() << "expects a convolution width K of at least 1";
  if (s.H % s.G != 0)
    return op.emitOpError() << "expects n_groups = " << s.G
                            << " to divide the heads H = " << s.H;
  if (op.getChunkSize() < 1)
    return op.emitOpError() << "expects a chunk_size of at least 1, but got "
                            << op.getChunkSize();
  if (!(op.getNormEps().convertToDouble() >= 0.0))
    return op.emitOpError() << "expects norm_eps >= 0, but got "
                            << op.getNormEps().convertToDouble();
  if (failed(checkDtLimit(op, op.getDtMin(), op.getDtMax())))
    return failure();

  return checkMixerElementTypes(op, act,
                                {{"in_proj_weight", op.getInProjWeight()},
                                 {"out_proj_weight", op.getOutProjWeight()},
                                 {"out", op.getOut()}},
                                {{"in_proj_bias", op.getInProjBias()},
                                 {"conv_weight", op.getConvWeight()},
                                 {"conv_bias", op.getConvBias()},
                                 {"norm_weight", op.getNormWeight()},
                                 {"out_proj_bias", op.getOutProjBias()}});
}

/// The conv windows of x, B and C ([b, E, K], [b, GN, K], [b, GN, K], of
/// the activation type) and the SSD state ([b, H, P, N] f32): static but
/// for the batch, whose sizes come from the weights.
template <typename OpTy>
LogicalResult verifyMixer2States(OpTy op, ShapeChecker &shapes, Type act,
                                 StringRef prefix, ValueRange states) {
  Mixer2Sizes s = *mixer2Sizes(op, /*emitErrors=*/false);
  static const char *const names[] = {"conv_state_x", "conv_state_b",
                                      "conv_state_c", "ssm_state"};
  const SmallVector<std::pair<StringRef, int64_t>> dims[] = {
      {{"E", s.E}, {"K", s.K}},
      {{"GN", s.G * s.N}, {"K", s.K}},
      {{"GN", s.G * s.N}, {"K", s.K}},
      {{"H", s.H}, {"P", s.P}, {"N", s.N}}};
  for (auto [index, state] : llvm::enumerate(states)) {
    std::string what = (prefix + names[index]).str();
    auto type = cast<RankedTensorType>(state.getType());
    if (type.getRank() != static_cast<int64_t>(dims[index].size()) + 1)
      return op.emitOpError() << "expects " << what << " to have rank "
                              << dims[index].size() + 1 << ", but got " << type;
    if (failed(shapes.bind(what, 0, "b", type.getDimSize(0))))
      return failure();
    for (auto [offset, dim] : llvm::enumerate(dims[index])) {
      int64_t size = type.getDimSize(offset + 1);
      if (size != dim.second)
        return op.emitOpError()
               << "expects " << what << " dim " << offset + 1 << " ("
               << dim.first << ") to be " << dim.second << ", but got "
               << (ShapedType::isDynamic(size) ? std::string("?")
                                               : std::to_string(size));
    }
    // The SSD state is f32 by the operand and result constraints.
    if (index < 3 &&
        failed(checkElementType(op, what, state, act, "as hidden")))
      return failure();
  }
  return success();
}

} // namespace

LogicalResult Mixer2Op::verify() {
  ShapeChecker shapes(*this);
  Type act = elementType(getHidden());
  if (failed(shapes.check("hidden", getHidden(), {"b", "L", "D"})) ||
      failed(shapes.check("out", getOut(), {"b", "L", "D"})) ||
      failed(verifyMixer2Weights(*this, shapes, act)))
    return failure();
  if (getStates().empty())
    return success();
  if (getStates().size() != 4)
    return emitOpError() << "expects either no state results or four "
                            "(conv_state_x, conv_state_b, conv_state_c, "
                            "ssm_state), but got "
                         << getStates().size();
  return verifyMixer2States(*this, shapes, act, "", getStates());
}

LogicalResult Mixer2StepOp::verify() {
  ShapeChecker shapes(*this);
  Type act = elementType(getHidden());
  if (failed(shapes.check("hidden", getHidden(), {"b", "D"})) ||
      failed(shapes.check("out", getOut(), {"b", "D"})) ||
      failed(verifyMixer2Weights(*this, shapes, act)) ||
      failed(verifyMixer2States(
          *this, shapes, act, "",
          {getConvStateX(), getConvStateB(), getConvStateC(), getSsmState()})))
    return failure();
  return verifyMixer2States(*this, shapes, act, "new_",
                            {getNewConvStateX(), getNewConvStateB(),
                             getNewConvStateC(), getNewSsmState()});
}

#define MIXER2_SIZE_GETTERS(OpTy)                                              \
  int64_t OpTy::getInnerSize() { return sizeOr(*this, &Mixer2Sizes::E); }      \
  int64_t OpTy::getHeads() { return sizeOr(*this, &Mixer2Sizes::H); }          \
  int64_t OpTy::getHeadDim() { return sizeOr(*this, &Mixer2Sizes::P); }        \
  int64_t OpTy::getStateSize() { return sizeOr(*this, &Mixer2Sizes::N); }      \
  int64_t OpTy::getConvWidth() { return sizeOr(*this, &Mixer2Sizes::K); }

namespace {
template <typename OpTy> int64_t sizeOr(OpTy op, int64_t Mixer2Sizes::*field) {
  FailureOr<Mixer2Sizes> sizes = mixer2Sizes(op, /*emitErrors=*/false);
  return succeeded(sizes) ? (*sizes).*field : ShapedType::kDynamic;
}
} // namespace

MIXER2_SIZE_GETTERS(Mixer2Op)
MIXER2_SIZE_GETTERS(Mixer2StepOp)
#undef MIXER2_SIZE_GETTERS

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

/// Static but for the batch (and the length of `out`), which come from
/// hidden.
template <typename OpTy>
void reifyMixer2(OpTy op, OpBuilder &builder,
                 ReifiedRankedShapedTypeDims &shapes) {
  Value hidden = op.getHidden();
  for (Value result : op->getResults()) {
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<DimSource> sources;
    for (int64_t i = 0; i < type.getRank(); ++i)
      sources.push_back({hidden, result == op.getOut() ? i : 0});
    reifyResult(builder, result, sources, shapes);
  }
}

LogicalResult Mixer2Op::reifyResultShapes(OpBuilder &builder,
                                          ReifiedRankedShapedTypeDims &shapes) {
  reifyMixer2(*this, builder, shapes);
  return success();
}

LogicalResult
Mixer2StepOp::reifyResultShapes(OpBuilder &builder,
                                ReifiedRankedShapedTypeDims &shapes) {
  reifyMixer2(*this, builder, shapes);
  return success();
}

#define GET_OP_CLASSES
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.cpp.inc"
