//===- ApproximateMath.cpp - f32 transcendentals as vector polynomials ----===//
//
// MLIR has polynomials for exp and log but not for exp2, which is what the
// kernels call (exp(dt * A) is exp2(dt * A * log2 e) so that the GPU uses
// its hardware exp2). Going through exp would add a multiply and undo it
// again inside exp's range reduction, with a guard for every special
// value; a scan spends most of its time there, so exp2 gets its own.
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBAAPPROXIMATEMATH
#include "mamba/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

/// p(f) = 1 + f * q(f) ~ 2^f on [-1/2, 1/2]: q's coefficients, lowest
/// first, fitted for the least maximum relative error with p(0) = 1 held
/// exact (1.7e-7 evaluated in f32).
constexpr float kExp2Coefficients[] = {
    0.6931468844f, 0.2402223796f, 0.0555086881f, 0.0096716909f, 0.0013225644f};

/// q(e) with ln(1 + e) ~ e * q(e) on [0, 1]: coefficients, lowest first,
/// fitted for the least maximum relative error (2e-7 evaluated in f32).
constexpr float kLog1pCoefficients[] = {
    9.9999994040e-01f,  -4.9999493361e-01f, 3.3319082856e-01f,
    -2.4842888117e-01f, 1.9105689228e-01f,  -1.3662645221e-01f,
    7.8219473362e-02f,  -2.9501531273e-02f, 5.2318200469e-03f};

/// A constant of `type` (a scalar or a vector of it) from a scalar.
Value splat(ImplicitLocOpBuilder &b, Type type, TypedAttr scalar) {
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(b, DenseElementsAttr::get(vector, scalar));
  return arith::ConstantOp::create(b, scalar);
}

/// log1p(exp(x)), the softplus of the scan's dt, as
/// max(x, 0) + log1p(exp(-|x|)): the inner exp is in (0, 1], where a
/// polynomial in it gives log1p with no range reduction and no division.
/// MLIR's log1p goes through log with both, at four times the work; with
/// 16 states per channel the softplus was a sixth of a CPU scan.
struct SoftplusPolynomial : OpRewritePattern<math::Log1pOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::Log1pOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    auto exp = op.getOperand().getDefiningOp<math::ExpOp>();
    if (!exp || !getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(op, "not log1p(exp(x)) on f32");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto f = [&](float v) { return splat(b, type, b.getF32FloatAttr(v)); };
    Value x = exp.getOperand();
    // maximumf keeps a NaN (maxnumf would give 0); an infinite x gives
    // infinity or 0 through exp2's clamps.
    Value positive = arith::MaximumFOp::create(b, x, f(0.0f));
    Value e = math::Exp2Op::create(
        b, arith::MulFOp::create(b, math::AbsFOp::create(b, x),
                                 f(-1.4426950408889634f)));
    Value q = f(kLog1pCoefficients[std::size(kLog1pCoefficients) - 1]);
    for (int k = std::size(kLog1pCoefficients) - 2; k >= 0; --k)
      q = math::FmaOp::create(b, q, e, f(kLog1pCoefficients[k]));
    rewriter.replaceOp(op, math::FmaOp::create(b, e, q, positive));
    return success();
  }
};

struct Exp2Polynomial : OpRewritePattern<math::Exp2Op> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::Exp2Op op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type i32 = b.getI32Type();
    Type intType = i32;
    if (auto vector = dyn_cast<VectorType>(type))
      intType = vector.clone(i32);
    auto f = [&](float v) { return splat(b, type, b.getF32FloatAttr(v)); };
    auto i = [&](int32_t v) {
      return splat(b, intType, b.getI32IntegerAttr(v));
    };

    // Clamped with compare and select, which x86 does in one max or min
    // (arith.maximumf's NaN and signed-zero rules take several); a NaN
    // fails both compares and stays.
    Value x = op.getOperand();
    auto clamp = [&](arith::CmpFPredicate predicate, float bound) {
      Value limit = f(bound);
      Value beyond = arith::CmpFOp::create(b, predicate, x, limit);
      x = arith::SelectOp::create(b, beyond, limit, x);
    };
    clamp(arith::CmpFPredicate::OLT, -127.0f); // 2^-127 and below: 0
    clamp(arith::CmpFPredicate::OGT, 128.0f);  // 2^128: infinity

    // n = x rounded to the nearest integer, by adding 1.5 * 2^23 + 127:
    // the sum's mantissa ends in the bits of n + 127, which shifted into
    // the exponent field are 2^n. (Two adds where roundeven would need
    // SSE4.1 and a conversion.)
    Value shifter = f(12582912.0f + 127.0f);
    Value shifted = arith::AddFOp::create(b, x, shifter);
    Value n = arith::SubFOp::create(b, shifted, shifter);
    Value frac = arith::SubFOp::create(b, x, n);
    Value q = f(kExp2Coefficients[std::size(kExp2Coefficients) - 1]);
    for (int k = std::size(kExp2Coefficients) - 2; k >= 0; --k)
      q = math::FmaOp::create(b, q, frac, f(kExp2Coefficients[k]));
    Value p = math::FmaOp::create(b, frac, q, f(1.0f));
    // n + 127 in [0, 255]: 0 makes the product 0, 255 infinity.
    Value bits = arith::ShLIOp::create(
        b, arith::BitcastOp::create(b, intType, shifted), i(23));
    Value scale = arith::BitcastOp::create(b, type, bits);
    rewriter.replaceOp(op, arith::MulFOp::create(b, p, scale));
    return success();
  }
};

struct MambaApproximateMathPass
    : mamba::impl::MambaApproximateMathBase<MambaApproximateMathPass> {
  void runOnOperation() override {
    // The softplus first, while its exp is still an exp.
    RewritePatternSet softplus(&getContext());
    softplus.add<SoftplusPolynomial>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(softplus))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    // Preferred to any exp2 pattern of MLIR's; a 16-bit exp2 is widened
    // by MLIR's patterns and comes back here as f32.
    patterns.add<Exp2Polynomial>(&getContext(), /*benefit=*/2);
    auto all = [](StringRef) { return true; };
    populateMathF32ExpansionPatterns(patterns, all);
    populateMathPolynomialApproximationPatterns(patterns, all);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
