//===- DecomposeMixer.cpp - mamba.mixer(_step) into primitive ops ---------===//
//
// The GEMMs work on `[b, L, features]` (rows are tokens, the layout of
// torch.nn.Linear), the convolution and the scan on `[b, channels, L]` (the
// layout of mamba_ssm's kernels). The decomposition makes every layout change
// an explicit linalg.transpose so later passes can fold them into the GEMM
// operand layouts (mamba-fold-gemm-layouts), instead of hiding them here.
// Projections whose output is split (in_proj into x and z, x_proj into
// dt_r, B and C) become one GEMM per part on a row slice of the weight, so
// that every intermediate is a whole, contiguous tensor.
//
//===----------------------------------------------------------------------===//

#include "MixerBuilder.h"

#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBADECOMPOSEMIXER
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;
using namespace mlir::mamba;
using mlir::mamba::detail::MixerBuilder;

namespace {

struct DecomposeMixerPattern : OpRewritePattern<MixerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MixerOp op,
                                PatternRewriter &rewriter) const override {
    MixerBuilder b(rewriter, op.getLoc());
    OpFoldResult inner =
        tensor::getMixedSize(rewriter, op.getLoc(), op.getALog(), 0);
    OpFoldResult state =
        tensor::getMixedSize(rewriter, op.getLoc(), op.getALog(), 1);
    OpFoldResult rank =
        tensor::getMixedSize(rewriter, op.getLoc(), op.getDtProjWeight(), 1);
    OpFoldResult zero = rewriter.getIndexAttr(0);

    // in_proj, then split channels into the conv/scan input x and the gate z.
    Value x = b.swapLastTwo(b.linearPart(op.getHidden(), op.getInProjWeight(),
                                         op.getInProjBias(), zero, inner));
    Value z = b.swapLastTwo(b.linearPart(op.getHidden(), op.getInProjWeight(),
                                         op.getInProjBias(), inner, inner));

    // A prefill also returns where decoding continues: the conv's last
    // inputs and the scan's final state.
    Value convState = op.getConvState();
    Value ssmState = op.getSsmState();
    auto convOp = CausalConv1dOp::create(
        rewriter, op.getLoc(), x.getType(),
        convState ? convState.getType() : Type(), x, op.getConvWeight(),
        op.getConvBias(), Activation::Silu);
    Value conv = convOp.getY();

    // x_proj produces [dt_r | B | C] per token.
    Value convRows = b.swapLastTwo(conv);
    Value dtRank =
        b.linearPart(convRows, op.getXProjWeight(), Value(), zero, rank);
    Value bRows =
        b.linearPart(convRows, op.getXProjWeight(), Value(), rank, state);
    Value cRows = b.linearPart(convRows, op.getXProjWeight(), Value(),
                               b.add(rank, state), state);

    // dt_proj's bias is left to the scan (delta_bias), which adds it in f32
    // right before the softplus, as mamba_ssm's fused path does.
    Value dtRows = b.linear(dtRank, op.getDtProjWeight(), Value());
    Value dt = b.swapLastTwo(dtRows);

    // Separate statements: the order of the emitted ops must not depend on
    // the compiler's order of evaluating call arguments.
    Value a = b.negExp(op.getALog());
    Value bGroups = b.toScanGroupLayout(bRows);
    Value cGroups = b.toScanGroupLayout(cRows);
    auto scan = SelectiveScanOp::create(
        rewriter, op.getLoc(), conv.getType(),
        ssmState ? ssmState.getType() : Type(), conv, dt, a, bGroups, cGroups,
        op.getD(), z, op.getDtProjBias(),
        /*initial_state=*/Value(), /*delta_softplus=*/true,
        /*tiling=*/ScanTilingAttr());

    Value yRows = b.swapLastTwo(scan.getY());
    Value out = b.linear(yRows, op.getOutProjWeight(), op.getOutProjBias(),
                         op.getOut().getType());
    if (convState)
      rewriter.replaceOp(op,
                         {out, convOp.getFinalState(), scan.getFinalState()});
    else
      rewriter.replaceOp(op, out);
    return success();
  }
};

/// The same block for one token: rows are sequences, `[b, features]`, so
/// no layout changes are needed.
struct DecomposeMixerStepPattern : OpRewritePattern<MixerStepOp> {
  DecomposeMixerStepPattern(MLIRContext *context, bool fuseStep)
      : OpRewritePattern(context), fuseStep(fuseStep) {}

  LogicalResult matchAndRewrite(MixerStepOp op,
                                PatternRewriter &rewriter) const override {
    if (fuseStep)
      return rewriteFused(op, rewriter);
    MixerBuilder b(rewriter, op.getLoc());
    OpFoldResult inner =
        tensor::getMixedSize(rewriter, op.getLoc(), op.getALog(), 0);
    OpFoldResult state =
        tensor::getMixedSize(rewriter, op.getLoc(), op.getALog(), 1);
    OpFoldResult rank =
        tensor::getMixedSize(rewriter, op.getLoc(), op.getDtProjWeight(), 1);
    OpFoldResult zero = rewriter.getIndexAttr(0);

    Value x = b.linearPart(op.getHidden(), op.getInProjWeight(),
                           op.getInProjBias(), zero, inner);
    Value z = b.linearPart(op.getHidden(), op.getInProjWeight(),
                           op.getInProjBias(), inner, inner);

    auto conv = ConvStateUpdateOp::create(
        rewriter, op.getLoc(), x.getType(), op.getNewConvState().getType(),
        op.getConvState(), x, op.getConvWeight(), op.getConvBias(),
        Activation::Silu);

    Value dtRank =
        b.linearPart(conv.getY(), op.getXProjWeight(), Value(), zero, rank);
    Value bRow =
        b.linearPart(conv.getY(), op.getXProjWeight(), Value(), rank, state);
    Value cRow = b.linearPart(conv.getY(), op.getXProjWeight(), Value(),
                              b.add(rank, state), state);
    Value dt = b.linear(dtRank, op.getDtProjWeight(), Value());

    Value a = b.negExp(op.getALog());
    Value bGroup = b.withOneGroup(bRow);
    Value cGroup = b.withOneGroup(cRow);
    auto step = SelectiveStateUpdateOp::create(
        rewriter, op.getLoc(), conv.getY().getType(),
        op.getNewSsmState().getType(), op.getSsmState(), conv.getY(), dt, a,
        bGroup, cGroup, op.getD(), z, op.getDtProjBias(),
        /*delta_softplus=*/true);

    Value out = b.linear(step.getY(), op.getOutProjWeight(),
                         op.getOutProjBias(), op.getOut().getType());
    rewriter.replaceOp(op, {out, conv.getNewConvState(), step.getNewState()});
    return success();
  }

private:
  /// One in_proj GEMM for x and z together (the fused step reads both
  /// halves of its rows), the fused step, and out_proj.
  LogicalResult rewriteFused(MixerStepOp op, PatternRewriter &rewriter) const {
    MixerBuilder b(rewriter, op.getLoc());
    Value xz =
        b.linear(op.getHidden(), op.getInProjWeight(), op.getInProjBias());
    Value a = b.negExp(op.getALog());
    SmallVector<OpFoldResult> ySizes = {
        tensor::getMixedSize(rewriter, op.getLoc(), op.getHidden(), 0),
        tensor::getMixedSize(rewriter, op.getLoc(), op.getALog(), 0)};
    Type yType = MixerBuilder::typeOf(
        ySizes, getElementTypeOrSelf(op.getHidden().getType()));
    auto step = SelectiveStepOp::create(
        rewriter, op.getLoc(), yType, op.getNewConvState().getType(),
        op.getNewSsmState().getType(), xz, op.getConvState(), op.getSsmState(),
        op.getConvWeight(), op.getConvBias(), op.getXProjWeight(),
        op.getDtProjWeight(), op.getDtProjBias(), a, op.getD());
    Value out = b.linear(step.getY(), op.getOutProjWeight(),
                         op.getOutProjBias(), op.getOut().getType());
    rewriter.replaceOp(op,
                       {out, step.getNewConvState(), step.getNewSsmState()});
    return success();
  }

  bool fuseStep;
};

struct MambaDecomposeMixerPass
    : mamba::impl::MambaDecomposeMixerBase<MambaDecomposeMixerPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposeMixerPatterns(patterns, fuseStep);
    populateDecomposeMixer2Patterns(patterns);
    // Only mixers are rewritten; folding the rest is canonicalize's job.
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace

void mlir::mamba::populateDecomposeMixerPatterns(RewritePatternSet &patterns,
                                                 bool fuseStep) {
  patterns.add<DecomposeMixerPattern>(patterns.getContext());
  patterns.add<DecomposeMixerStepPattern>(patterns.getContext(), fuseStep);
}
