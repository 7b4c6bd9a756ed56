//===- FuseScanElementwise.cpp - fold elementwise ops into the scan -------===//
//
// A model written op by op computes the time step, the D skip and the SiLU
// gate as elementwise ops around a bare scan. Each of them would be a kernel
// that reads and writes a [b, d, L] tensor, more traffic than the scan
// itself; the scan computes all three per element for free. This pass
// recognizes them in elementwise linalg.generic bodies and moves them into
// the scan's operands.
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Dominance.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBAFUSESCANELEMENTWISE
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// How an elementwise generic over [b, d, L] reads one of its inputs.
enum class Access { Full, PerChannel, Other };

/// An elementwise linalg.generic over a [b, d, L] iteration space with one
/// result, and a matcher for its scalar body.
class ElementwiseBody {
public:
  static std::optional<ElementwiseBody> get(Operation *op) {
    auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
    if (!generic || generic.getNumLoops() != 3 ||
        generic.getNumDpsInits() != 1 || generic->getNumResults() != 1 ||
        !generic.hasPureTensorSemantics() ||
        generic.getNumParallelLoops() != 3)
      return std::nullopt;
    AffineMap out = generic.getIndexingMapMatchingResult(
        cast<OpResult>(generic->getResult(0)));
    if (!out.isIdentity())
      return std::nullopt;
    return ElementwiseBody(generic);
  }

  linalg::GenericOp op() const { return generic; }

  /// The yielded value, past a final narrowing to the result type.
  Value yielded() const {
    auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
    return peel(yield.getValues()[0]);
  }

  /// The input an operand of the body reads (past widening and narrowing),
  /// with how the generic indexes it.
  std::optional<std::pair<OpOperand *, Access>> input(Value v) const {
    if (!v)
      return std::nullopt;
    auto arg = dyn_cast<BlockArgument>(peel(v));
    if (!arg || arg.getOwner() != generic.getBody() ||
        arg.getArgNumber() >= generic.getNumDpsInputs())
      return std::nullopt;
    OpOperand *operand = generic.getDpsInputOperand(arg.getArgNumber());
    AffineMap map = generic.getMatchingIndexingMap(operand);
    Access access = Access::Other;
    if (map.isIdentity())
      access = Access::Full;
    else if (map.getNumResults() == 1 && map.getResult(0).isFunctionOfDim(1) &&
             isa<AffineDimExpr>(map.getResult(0)))
      access = Access::PerChannel;
    return std::make_pair(operand, access);
  }

  /// The tensor bound to `v` if it reads the whole [b, d, L] space.
  Value fullInput(Value v) const {
    auto in = input(v);
    return in && in->second == Access::Full ? in->first->get() : Value();
  }
  /// The [d] tensor bound to `v` if it is broadcast over batch and time.
  Value channelInput(Value v) const {
    auto in = input(v);
    return in && in->second == Access::PerChannel ? in->first->get() : Value();
  }

  /// `t` if v is softplus(t): log1p(exp(t)), or torch's
  /// select(t > threshold, t, log1p(exp(t))).
  Value softplusArg(Value v) const {
    if (!v)
      return {};
    v = peel(v);
    if (auto select = v.getDefiningOp<arith::SelectOp>()) {
      auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
      if (!cmp || cmp.getPredicate() != arith::CmpFPredicate::OGT ||
          cmp.getLhs() != select.getTrueValue())
        return {};
      Value t = softplusArg(select.getFalseValue());
      return t == select.getTrueValue() ? t : Value();
    }
    auto log1p = v.getDefiningOp<math::Log1pOp>();
    auto exp = log1p ? log1p.getOperand().getDefiningOp<math::ExpOp>()
                     : math::ExpOp();
    return exp ? exp.getOperand() : Value();
  }

  /// `z` if v is silu(z): z / (1 + exp(-z)) or z * (1 / (1 + exp(-z))).
  Value siluArg(Value v) const {
    if (!v)
      return {};
    v = peel(v);
    if (auto div = v.getDefiningOp<arith::DivFOp>())
      return isOnePlusExpNeg(div.getRhs(), div.getLhs()) ? div.getLhs()
                                                          : Value();
    auto mul = v.getDefiningOp<arith::MulFOp>();
    if (!mul)
      return {};
    for (auto [z, sigmoid] : {std::pair{mul.getLhs(), mul.getRhs()},
                              std::pair{mul.getRhs(), mul.getLhs()}}) {
      auto div = peel(sigmoid).getDefiningOp<arith::DivFOp>();
      if (div && isConstant(div.getLhs(), 1.0) &&
          isOnePlusExpNeg(div.getRhs(), z))
        return z;
    }
    return {};
  }

  /// The operands of a commutative binary op of type Op, in both orders.
  template <typename Op>
  SmallVector<std::pair<Value, Value>> operandsOf(Value v) const {
    auto op = v ? peel(v).getDefiningOp<Op>() : Op();
    if (!op)
      return {};
    return {{op.getLhs(), op.getRhs()}, {op.getRhs(), op.getLhs()}};
  }

private:
  explicit ElementwiseBody(linalg::GenericOp generic) : generic(generic) {}

  static Value peel(Value v) {
    while (Operation *def = v.getDefiningOp()) {
      if (!isa<arith::ExtFOp, arith::TruncFOp>(def))
        break;
      v = def->getOperand(0);
    }
    return v;
  }

  static bool isConstant(Value v, double expected) {
    auto constant = peel(v).getDefiningOp<arith::ConstantOp>();
    auto attr = constant ? dyn_cast<FloatAttr>(constant.getValue()) : nullptr;
    return attr && attr.getValueAsDouble() == expected;
  }

  /// Whether `v` is 1 + exp(-z) (in either order; -z as negf or z * -1).
  bool isOnePlusExpNeg(Value v, Value z) const {
    for (auto [one, e] : operandsOf<arith::AddFOp>(v)) {
      auto exp = peel(e).getDefiningOp<math::ExpOp>();
      if (!isConstant(one, 1.0) || !exp)
        continue;
      Value arg = peel(exp.getOperand());
      if (auto neg = arg.getDefiningOp<arith::NegFOp>();
          neg && peel(neg.getOperand()) == peel(z))
        return true;
      for (auto [x, minusOne] : operandsOf<arith::MulFOp>(arg))
        if (peel(x) == peel(z) && isConstant(minusOne, -1.0))
          return true;
    }
    return false;
  }

  // Op handles are values whose accessors are not const.
  mutable linalg::GenericOp generic;
};

/// Can `value` become an operand of `scan` (it must be defined before it)?
bool availableAt(Value value, SelectiveScanOp scan, DominanceInfo &dominance) {
  return value && dominance.properlyDominates(value, scan);
}

/// delta = softplus(x + bias[c]), softplus(x) or x + bias[c], computed by an
/// elementwise generic: the scan takes x, the bias and the softplus.
bool foldTimeStep(SelectiveScanOp scan) {
  if (scan.getDeltaBias() || scan.getDeltaSoftplus())
    return false;
  auto body = ElementwiseBody::get(scan.getDelta().getDefiningOp());
  if (!body)
    return false;
  Value sum = body->yielded();
  bool softplus = false;
  if (Value t = body->softplusArg(sum)) {
    sum = t;
    softplus = true;
  }
  Value x, bias;
  for (auto [a, b] : body->operandsOf<arith::AddFOp>(sum)) {
    if (Value full = body->fullInput(a))
      if (Value perChannel = body->channelInput(b)) {
        x = full;
        bias = perChannel;
        break;
      }
  }
  if (!x && softplus)
    x = body->fullInput(sum);
  // The scan's operand types must hold: x like delta, the bias [d] in f32.
  if (!x || x.getType() != scan.getDelta().getType() ||
      (bias && !getElementTypeOrSelf(bias.getType()).isF32()))
    return false;
  scan.getDeltaMutable().assign(x);
  if (body->op()->use_empty())
    body->op()->erase();
  if (bias)
    scan.getDeltaBiasMutable().assign(bias);
  if (softplus)
    scan.setDeltaSoftplus(true);
  return true;
}

/// The one elementwise generic that reads y, as the input bound to `yArg`.
std::optional<ElementwiseBody> soleConsumer(SelectiveScanOp scan) {
  Value y = scan.getY();
  if (!y.hasOneUse())
    return std::nullopt;
  return ElementwiseBody::get(*y.getUsers().begin());
}

void replaceConsumer(SelectiveScanOp scan, const ElementwiseBody &body) {
  body.op()->getResult(0).replaceAllUsesWith(scan.getY());
  body.op()->erase();
}

/// y + D[c] * u, with u the scan's own u: the scan takes D. Only before a
/// gate, which applies after the skip.
bool foldSkip(SelectiveScanOp scan, DominanceInfo &dominance) {
  if (scan.getD() || scan.getZ())
    return false;
  std::optional<ElementwiseBody> body = soleConsumer(scan);
  if (!body || body->op()->getResult(0).getType() != scan.getY().getType())
    return false;
  for (auto [y, product] : body->operandsOf<arith::AddFOp>(body->yielded())) {
    if (body->fullInput(y) != scan.getY())
      continue;
    for (auto [d, u] : body->operandsOf<arith::MulFOp>(product)) {
      Value skip = body->channelInput(d);
      if (body->fullInput(u) != scan.getU() ||
          !availableAt(skip, scan, dominance) ||
          !getElementTypeOrSelf(skip.getType()).isF32())
        continue;
      scan.getDMutable().assign(skip);
      replaceConsumer(scan, *body);
      return true;
    }
  }
  return false;
}

/// y * silu(z): the scan takes z.
bool foldGate(SelectiveScanOp scan, DominanceInfo &dominance) {
  if (scan.getZ())
    return false;
  std::optional<ElementwiseBody> body = soleConsumer(scan);
  if (!body || body->op()->getResult(0).getType() != scan.getY().getType())
    return false;
  for (auto [y, gate] : body->operandsOf<arith::MulFOp>(body->yielded())) {
    Value z = body->fullInput(body->siluArg(gate));
    if (body->fullInput(y) != scan.getY() || !availableAt(z, scan, dominance) ||
        z.getType() != scan.getU().getType())
      continue;
    scan.getZMutable().assign(z);
    replaceConsumer(scan, *body);
    return true;
  }
  return false;
}

struct MambaFuseScanElementwisePass
    : mamba::impl::MambaFuseScanElementwiseBase<MambaFuseScanElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<SelectiveScanOp> scans;
    getOperation()->walk([&](SelectiveScanOp op) { scans.push_back(op); });
    for (SelectiveScanOp scan : scans) {
      DominanceInfo dominance(scan->getParentOp());
      // In the scan's own order: time step, then skip, then gate.
      foldTimeStep(scan);
      foldSkip(scan, dominance);
      foldGate(scan, dominance);
    }
  }
};

} // namespace
