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
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/PatternMatch.h"
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
    auto constant = [&](Type t, Attribute scalar) -> Value {
      if (auto vector = dyn_cast<VectorType>(t))
        return arith::ConstantOp::create(
            b, DenseElementsAttr::get(vector, scalar));
      return arith::ConstantOp::create(b, cast<TypedAttr>(scalar));
    };
    auto f = [&](float v) { return constant(type, b.getF32FloatAttr(v)); };
    auto i = [&](int32_t v) {
      return constant(intType, b.getI32IntegerAttr(v));
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
