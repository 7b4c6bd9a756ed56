//===- DecomposeMixer2.cpp - mamba.mixer2(_step) into primitive ops -------===//
//
// The Mamba-2 block keeps every activation token-major ([b, L, features],
// the GEMMs' layout, which the SSD scan reads too), so unlike Mamba-1 there
// is no layout change: the conv runs channels-last. in_proj's output
// [z | x | B | C | dt] becomes one GEMM per part on a row block of the
// weight, and the conv one conv per part of x, B and C on row blocks of
// its weight (it is depthwise, so the parts are independent), so that each
// of x, B and C is a whole tensor the scan reads as [b, L, H, P] and
// [b, L, G, N] views, never a strided slice of a wider one.
//
//===----------------------------------------------------------------------===//

#include "MixerBuilder.h"

#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::mamba;
using mlir::mamba::detail::MixerBuilder;

namespace {

/// What both forms share: the sizes, the projections of in_proj, the
/// parts of the conv weight, and the ops after the scan.
template <typename OpTy> class Mixer2Parts {
public:
  Mixer2Parts(OpTy op, PatternRewriter &rewriter)
      : op(op), rewriter(rewriter), b(rewriter, op.getLoc()),
        E(op.getInnerSize()), H(op.getHeads()), P(op.getHeadDim()),
        G(op.getNGroups()), N(op.getStateSize()) {}

  /// in_proj's rows [offset, offset + size): z, x, B, C or dt.
  Value project(int64_t offset, int64_t size) {
    return b.linearPart(op.getHidden(), op.getInProjWeight(),
                        op.getInProjBias(), index(offset), index(size));
  }
  Value z() { return project(0, E); }
  Value x() { return project(E, E); }
  Value bPart() { return project(2 * E, G * N); }
  Value cPart() { return project(2 * E + G * N, G * N); }
  Value dt() { return project(2 * E + 2 * G * N, H); }

  /// The conv weight's (or bias') rows of the part at `offset` of xBC.
  Value convWeight(int64_t offset, int64_t size) {
    return b.slice(op.getConvWeight(), 0, index(offset), index(size));
  }
  Value convBias(int64_t offset, int64_t size) {
    Value bias = op.getConvBias();
    return bias ? b.slice(bias, 0, index(offset), index(size)) : Value();
  }

  /// The scan's attributes of the time step.
  FloatAttr dtMin() { return op.getDtMinAttr(); }
  FloatAttr dtMax() { return op.getDtMaxAttr(); }

  /// rms_norm_gated(y merged to [..., E], z) per group, then out_proj.
  Value normAndProject(Value y, Value z) {
    Value merged = b.mergeLastTwo(y);
    Value normed = RmsNormGatedOp::create(
        rewriter, op.getLoc(), merged.getType(), merged, op.getNormWeight(), z,
        rewriter.getI64IntegerAttr(E / G), op.getNormEpsAttr());
    return b.linear(normed, op.getOutProjWeight(), op.getOutProjBias(),
                    op.getOut().getType());
  }

  OpTy op;
  PatternRewriter &rewriter;
  MixerBuilder b;
  const int64_t E, H, P, G, N;

private:
  OpFoldResult index(int64_t v) { return rewriter.getIndexAttr(v); }
};

struct DecomposeMixer2Pattern : OpRewritePattern<Mixer2Op> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Mixer2Op op,
                                PatternRewriter &rewriter) const override {
    Mixer2Parts<Mixer2Op> m(op, rewriter);
    Location loc = op.getLoc();
    const bool states = !op.getStates().empty();
    const int64_t E = m.E, GN = m.G * m.N;
    Value z = m.z();

    // One channels-last conv + SiLU per part of xBC; a prefill also keeps
    // each part's last K inputs.
    auto conv = [&](Value input, int64_t offset, int64_t size,
                    unsigned stateIndex) {
      return CausalConv1dOp::create(
          rewriter, loc, input.getType(),
          states ? op.getStates()[stateIndex].getType() : Type(), input,
          m.convWeight(offset, size), m.convBias(offset, size),
          Activation::Silu, /*channels_last=*/true);
    };
    Value xIn = m.x();
    auto xConv = conv(xIn, 0, E, 0);
    Value bIn = m.bPart();
    auto bConv = conv(bIn, E, GN, 1);
    Value cIn = m.cPart();
    auto cConv = conv(cIn, E + GN, GN, 2);
    Value dt = m.dt();

    Value x = m.b.splitLast(xConv.getY(), m.H, m.P);
    Value bGroups = m.b.splitLast(bConv.getY(), m.G, m.N);
    Value cGroups = m.b.splitLast(cConv.getY(), m.G, m.N);
    Value a = m.b.negExp(op.getALog());
    auto scan = SsdScanOp::create(
        rewriter, loc, x.getType(),
        states ? op.getStates()[3].getType() : Type(), x, dt, a, bGroups,
        cGroups, op.getD(), /*z=*/Value(), op.getDtBias(),
        /*initial_states=*/Value(), /*seq_idx=*/Value(),
        rewriter.getI64IntegerAttr(op.getChunkSize()), rewriter.getUnitAttr(),
        m.dtMin(), m.dtMax(), /*kernel=*/SsdKernelAttr());

    Value out = m.normAndProject(scan.getY(), z);
    if (!states) {
      rewriter.replaceOp(op, out);
      return success();
    }
    rewriter.replaceOp(op, {out, xConv.getFinalState(), bConv.getFinalState(),
                            cConv.getFinalState(), scan.getFinalStates()});
    return success();
  }
};

/// The same block for one token: rows are sequences, `[b, features]`.
struct DecomposeMixer2StepPattern : OpRewritePattern<Mixer2StepOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Mixer2StepOp op,
                                PatternRewriter &rewriter) const override {
    Mixer2Parts<Mixer2StepOp> m(op, rewriter);
    Location loc = op.getLoc();
    const int64_t E = m.E, GN = m.G * m.N;
    Value z = m.z();

    auto conv = [&](Value state, Value input, int64_t offset, int64_t size) {
      return ConvStateUpdateOp::create(
          rewriter, loc, input.getType(), state.getType(), state, input,
          m.convWeight(offset, size), m.convBias(offset, size),
          Activation::Silu);
    };
    Value xIn = m.x();
    auto xConv = conv(op.getConvStateX(), xIn, 0, E);
    Value bIn = m.bPart();
    auto bConv = conv(op.getConvStateB(), bIn, E, GN);
    Value cIn = m.cPart();
    auto cConv = conv(op.getConvStateC(), cIn, E + GN, GN);
    Value dt = m.dt();

    Value x = m.b.splitLast(xConv.getY(), m.H, m.P);
    Value bGroups = m.b.splitLast(bConv.getY(), m.G, m.N);
    Value cGroups = m.b.splitLast(cConv.getY(), m.G, m.N);
    Value a = m.b.negExp(op.getALog());
    auto step = SsdStateUpdateOp::create(
        rewriter, loc, x.getType(), op.getSsmState().getType(),
        op.getSsmState(), x, dt, a, bGroups, cGroups, op.getD(), /*z=*/Value(),
        op.getDtBias(), rewriter.getUnitAttr(), m.dtMin(), m.dtMax());

    Value out = m.normAndProject(step.getY(), z);
    rewriter.replaceOp(op,
                       {out, xConv.getNewConvState(), bConv.getNewConvState(),
                        cConv.getNewConvState(), step.getNewState()});
    return success();
  }
};

} // namespace

void mlir::mamba::populateDecomposeMixer2Patterns(RewritePatternSet &patterns) {
  patterns.add<DecomposeMixer2Pattern, DecomposeMixer2StepPattern>(
      patterns.getContext());
}
