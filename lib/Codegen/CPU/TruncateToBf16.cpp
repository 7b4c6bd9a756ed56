//===- TruncateToBf16.cpp - f32 to bf16 rounding on the integer bits ------===//
//
// Every bf16 kernel output goes through this conversion, so its vector form
// matters; see the pass description for why MLIR's own expansion of it
// ends up scalarized on AVX2.
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBATRUNCATETOBF16
#include "mamba/Codegen/CPU/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

struct TruncateF32ToBf16 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    if (!getElementTypeOrSelf(op.getIn().getType()).isF32() ||
        !getElementTypeOrSelf(op.getType()).isBF16())
      return rewriter.notifyMatchFailure(op, "not f32 to bf16");
    // A rounding mode other than the default (to nearest even) is left to
    // arith-expand, which knows them all.
    if (op.getRoundingmodeAttr())
      return rewriter.notifyMatchFailure(op, "explicit rounding mode");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto like = [&](Type element) -> Type {
      if (auto vector = dyn_cast<VectorType>(op.getType()))
        return vector.clone(element);
      return element;
    };
    Type i32 = like(b.getI32Type()), i16 = like(b.getI16Type());
    auto constant = [&](uint32_t v) -> Value {
      auto scalar = b.getI32IntegerAttr(static_cast<int32_t>(v));
      if (auto vector = dyn_cast<VectorType>(i32))
        return arith::ConstantOp::create(
            b, DenseElementsAttr::get(vector, scalar));
      return arith::ConstantOp::create(b, scalar);
    };
    Value bits = arith::BitcastOp::create(b, i32, op.getIn());
    Value sixteen = constant(16);
    Value keptLsb = arith::AndIOp::create(
        b, arith::ShRUIOp::create(b, bits, sixteen), constant(1));
    Value rounded = arith::AddIOp::create(
        b, bits, arith::AddIOp::create(b, keptLsb, constant(0x7FFF)));
    Value quieted = arith::OrIOp::create(b, bits, constant(0x00400000));
    Value isNan = arith::CmpIOp::create(
        b, arith::CmpIPredicate::ugt,
        arith::AndIOp::create(b, bits, constant(0x7FFFFFFF)),
        constant(0x7F800000));
    Value chosen = arith::SelectOp::create(b, isNan, quieted, rounded);
    Value high = arith::TruncIOp::create(
        b, i16, arith::ShRUIOp::create(b, chosen, sixteen));
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), high);
    return success();
  }
};

struct MambaTruncateToBf16Pass
    : mamba::impl::MambaTruncateToBf16Base<MambaTruncateToBf16Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TruncateF32ToBf16>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
