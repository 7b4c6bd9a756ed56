//===- FoldGemmLayouts.cpp - transposes around a linear into its layout ---===//
//
// A GEMM library reads A and B and writes C in either order of their two
// dimensions at the same speed, so a transpose next to a GEMM is a pass over
// memory for nothing. The mixer's decomposition makes each layout change
// between the projections ([b, L, features]) and the conv and scan
// ([b, features, L]) an explicit linalg.transpose; this pass folds every one
// that feeds or is fed by a mamba.linear into the linear's
// x_features_major / y_features_major flags, leaving no layout change for the
// runtime to run.
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBAFOLDGEMMLAYOUTS
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// A transpose of the last two dimensions of a rank-3 tensor.
bool swapsLastTwo(linalg::TransposeOp transpose) {
  ArrayRef<int64_t> permutation = transpose.getPermutation();
  return permutation.size() == 3 && permutation[0] == 0 &&
         permutation[1] == 2 && permutation[2] == 1;
}

/// transpose(linear(x)) -> linear(x) with the other output layout, when the
/// transpose is the linear's only use.
struct FoldTransposeOfLinear : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    if (!swapsLastTwo(transpose) || !transpose.hasPureTensorSemantics())
      return failure();
    // Only the linear's sole use: another one would need the GEMM twice.
    auto linear = transpose.getInput().getDefiningOp<LinearOp>();
    if (!linear || !linear->hasOneUse())
      return failure();
    auto folded = LinearOp::create(
        rewriter, linear.getLoc(), transpose->getResult(0).getType(),
        linear.getX(), linear.getWeight(), linear.getBias(),
        linear.getXFeaturesMajor(), !linear.getYFeaturesMajor());
    rewriter.replaceOp(transpose, folded.getY());
    return success();
  }
};

/// linear(transpose(x)) -> linear(x) with the other input layout.
struct FoldLinearOfTranspose : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LinearOp linear,
                                PatternRewriter &rewriter) const override {
    auto transpose = linear.getX().getDefiningOp<linalg::TransposeOp>();
    if (!transpose || !swapsLastTwo(transpose) ||
        !transpose.hasPureTensorSemantics())
      return failure();
    rewriter.replaceOpWithNewOp<LinearOp>(
        linear, linear.getY().getType(), transpose.getInput(),
        linear.getWeight(), linear.getBias(), !linear.getXFeaturesMajor(),
        linear.getYFeaturesMajor());
    return success();
  }
};

struct MambaFoldGemmLayoutsPass
    : mamba::impl::MambaFoldGemmLayoutsBase<MambaFoldGemmLayoutsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTransposeOfLinear, FoldLinearOfTranspose>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
