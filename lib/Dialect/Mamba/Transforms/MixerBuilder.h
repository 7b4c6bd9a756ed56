//===- MixerBuilder.h - Building blocks of the mixer decompositions -*- C++
//-*-===//
//
// Internal to mamba-decompose-mixer: the GEMMs, slices, layout changes and
// A = -exp(A_log) that the Mamba-1 (DecomposeMixer.cpp) and Mamba-2
// (DecomposeMixer2.cpp) blocks are both made of.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_DIALECT_MAMBA_TRANSFORMS_MIXERBUILDER_H
#define MAMBA_LIB_DIALECT_MAMBA_TRANSFORMS_MIXERBUILDER_H

#include "mamba/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::mamba::detail {

/// Builds the ops of one decomposition at the rewriter's insertion point.
class MixerBuilder {
public:
  MixerBuilder(PatternRewriter &rewriter, Location loc)
      : rewriter(rewriter), loc(loc) {}

  SmallVector<OpFoldResult> sizes(Value value) {
    return tensor::getMixedSizes(rewriter, loc, value);
  }

  OpFoldResult add(OpFoldResult lhs, OpFoldResult rhs) {
    std::optional<int64_t> l = getConstantIntValue(lhs);
    std::optional<int64_t> r = getConstantIntValue(rhs);
    if (l && r)
      return rewriter.getIndexAttr(*l + *r);
    return arith::AddIOp::create(
               rewriter, loc,
               getValueOrCreateConstantIndexOp(rewriter, loc, lhs),
               getValueOrCreateConstantIndexOp(rewriter, loc, rhs))
        .getResult();
  }

  static RankedTensorType typeOf(ArrayRef<OpFoldResult> sizes,
                                 Type elementType) {
    auto [staticSizes, dynamicSizes] = decomposeMixedValues(sizes);
    return RankedTensorType::get(staticSizes, elementType);
  }

  /// `[..., K] x [M, K]^T -> [..., M]`.
  Value linear(Value x, Value weight, Value bias, Type resultType = {}) {
    if (!resultType) {
      SmallVector<OpFoldResult> outSizes = sizes(x);
      outSizes.back() = tensor::getMixedSize(rewriter, loc, weight, 0);
      resultType = typeOf(outSizes, getElementTypeOrSelf(x.getType()));
    }
    return LinearOp::create(rewriter, loc, resultType, x, weight, bias).getY();
  }

  /// The linear producing output features [offset, offset + size) only:
  /// the same GEMM on those rows of the weight (and of the bias). Splitting
  /// a projection this way instead of slicing its output keeps every
  /// result contiguous; the input is read once per part, which is cheap
  /// next to the weights and the outputs.
  Value linearPart(Value x, Value weight, Value bias, OpFoldResult offset,
                   OpFoldResult size) {
    Value rows = slice(weight, 0, offset, size);
    Value biasRows = bias ? slice(bias, 0, offset, size) : Value();
    return linear(x, rows, biasRows);
  }

  /// Swaps the last two dimensions of a rank-3 tensor.
  Value swapLastTwo(Value value) {
    const int64_t permutation[] = {0, 2, 1};
    SmallVector<OpFoldResult> outSizes =
        applyPermutation(sizes(value), permutation);
    Value init = tensor::EmptyOp::create(rewriter, loc, outSizes,
                                         getElementTypeOrSelf(value.getType()));
    return linalg::TransposeOp::create(rewriter, loc, value, init, permutation)
        ->getResult(0);
  }

  /// The slice [offset, offset + size) of dimension `dim`.
  Value slice(Value value, unsigned dim, OpFoldResult offset,
              OpFoldResult size) {
    SmallVector<OpFoldResult> outSizes = sizes(value);
    SmallVector<OpFoldResult> offsets(outSizes.size(),
                                      rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(outSizes.size(),
                                      rewriter.getIndexAttr(1));
    offsets[dim] = offset;
    outSizes[dim] = size;
    return tensor::ExtractSliceOp::create(rewriter, loc, value, offsets,
                                          outSizes, strides);
  }

  /// `[b, L, N]` (GEMM rows) to `[b, 1, N, L]`, the one-group B/C layout.
  Value toScanGroupLayout(Value rows) {
    Value transposed = swapLastTwo(rows);
    SmallVector<OpFoldResult> outSizes = sizes(transposed);
    outSizes.insert(outSizes.begin() + 1, rewriter.getIndexAttr(1));
    RankedTensorType type =
        typeOf(outSizes, getElementTypeOrSelf(rows.getType()));
    SmallVector<ReassociationIndices> reassociation = {{0, 1}, {2}, {3}};
    return tensor::ExpandShapeOp::create(rewriter, loc, type, transposed,
                                         reassociation, outSizes);
  }

  /// `[b, N]` to `[b, 1, N]`, the one-group B/C layout of a decode step.
  Value withOneGroup(Value row) {
    SmallVector<OpFoldResult> outSizes = sizes(row);
    outSizes.insert(outSizes.begin() + 1, rewriter.getIndexAttr(1));
    RankedTensorType type =
        typeOf(outSizes, getElementTypeOrSelf(row.getType()));
    SmallVector<ReassociationIndices> reassociation = {{0, 1}, {2}};
    return tensor::ExpandShapeOp::create(rewriter, loc, type, row,
                                         reassociation, outSizes);
  }

  /// `[..., outer * inner]` as `[..., outer, inner]` (a view).
  Value splitLast(Value value, int64_t outer, int64_t inner) {
    SmallVector<OpFoldResult> outSizes = sizes(value);
    outSizes.back() = rewriter.getIndexAttr(outer);
    outSizes.push_back(rewriter.getIndexAttr(inner));
    RankedTensorType type =
        typeOf(outSizes, getElementTypeOrSelf(value.getType()));
    int64_t rank = static_cast<int64_t>(outSizes.size()) - 1;
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t i = 0; i + 1 < rank; ++i)
      reassociation.push_back({i});
    reassociation.push_back({rank - 1, rank});
    return tensor::ExpandShapeOp::create(rewriter, loc, type, value,
                                         reassociation, outSizes);
  }

  /// `[..., outer, inner]` as `[..., outer * inner]` (a view).
  Value mergeLastTwo(Value value) {
    int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t i = 0; i + 2 < rank; ++i)
      reassociation.push_back({i});
    reassociation.push_back({rank - 2, rank - 1});
    return tensor::CollapseShapeOp::create(rewriter, loc, value, reassociation);
  }

  /// A = -exp(A_log), elementwise; constant-folded once weights are known.
  Value negExp(Value aLog) {
    Value init = tensor::EmptyOp::create(rewriter, loc, sizes(aLog),
                                         getElementTypeOrSelf(aLog.getType()));
    auto map = linalg::MapOp::create(
        rewriter, loc, ValueRange{aLog}, init,
        [](OpBuilder &builder, Location bodyLoc, ValueRange args) {
          Value e = math::ExpOp::create(builder, bodyLoc, args[0]);
          Value neg = arith::NegFOp::create(builder, bodyLoc, e);
          linalg::YieldOp::create(builder, bodyLoc, neg);
        });
    return map->getResult(0);
  }

private:
  PatternRewriter &rewriter;
  Location loc;
};

} // namespace mlir::mamba::detail

#endif // MAMBA_LIB_DIALECT_MAMBA_TRANSFORMS_MIXERBUILDER_H
