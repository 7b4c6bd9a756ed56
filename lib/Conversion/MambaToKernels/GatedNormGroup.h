//===- GatedNormGroup.h - What both gated-norm tilings share ----*- C++ -*-===//
//
// The CPU (TileRmsNormGatedCpu.cpp) and GPU (TileRmsNormGated.cpp) tilings
// of mamba.rms_norm_gated differ in how a block's threads share its group
// of features; they agree on the rest: a block per (group, row), the groups
// the grid's x and the rows its y and z, and per feature i of a block's
// group its indices, its gated value x * silu(z) and its weight.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_CONVERSION_MAMBATOKERNELS_GATEDNORMGROUP_H
#define MAMBA_LIB_CONVERSION_MAMBATOKERNELS_GATEDNORMGROUP_H

#include "mamba/Conversion/Utils/KernelNest.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::mamba {

/// Rows are [rows, F] or [b, L, F]; `target` ("CPU", "GPU") names the
/// tiling in the error.
inline LogicalResult checkGatedNormRank(RmsNormGatedOp op, StringRef target) {
  int64_t rank = cast<RankedTensorType>(op.getX().getType()).getRank();
  if (rank >= 2 && rank <= 3)
    return success();
  return op.emitOpError() << "cannot tile for the " << target << ": rank "
                          << rank << ", expected [rows, F] or [b, L, F]";
}

/// The op's buffers (y allocated) and its grid: groups, then the rows
/// innermost first.
struct GatedNormLayout {
  Value x, z, weight, y;
  SmallVector<OpFoldResult> grid;
  int64_t rank, group;
};

inline GatedNormLayout takeGatedNormLayout(ImplicitLocOpBuilder &b,
                                           RmsNormGatedOp op) {
  GatedNormLayout l;
  l.x = readOnlyBuffer(b, op.getX());
  l.z = readOnlyBuffer(b, op.getZ());
  l.weight = readOnlyBuffer(b, op.getWeight());
  SmallVector<Value> sizes = bufferSizes(b, l.x);
  l.y = allocBuffer(b, op.getY().getType(), sizes);
  l.rank = static_cast<int64_t>(sizes.size());
  l.group = op.getGroupSize();
  l.grid.push_back(
      arith::DivUIOp::create(b, sizes.back(), indexConstant(b, l.group))
          .getResult());
  for (int64_t dim = l.rank - 2; dim >= 0; --dim)
    l.grid.push_back(sizes[dim]);
  return l;
}

/// Inside a block (`ids`: its group, then its rows innermost first): the
/// features of its group, numbered 0 to group_size - 1.
class GatedNormGroup {
public:
  GatedNormGroup(ImplicitLocOpBuilder &b, const GatedNormLayout &l,
                 ValueRange ids, RmsNormGatedOp op)
      : b(b), l(l), eps(op.getEps().convertToDouble()),
        element(getElementTypeOrSelf(op.getY().getType())) {
    for (int64_t dim = 0; dim <= l.rank - 2; ++dim)
      row.push_back(ids[l.rank - 1 - dim]);
    first = arith::MulIOp::create(b, ids[0], indexConstant(b, l.group));
  }

  /// x * silu(z) of feature i (x without z), in f32.
  Value gated(Value i) const {
    Value g = toF32(b, memref::LoadOp::create(b, l.x, at(i)));
    if (!l.z)
      return g;
    return arith::MulFOp::create(
        b, g, emitSilu(b, toF32(b, memref::LoadOp::create(b, l.z, at(i)))));
  }

  /// gated() of features i to i + width - 1 as an f32 vector.
  Value gatedVector(Value i, int64_t width) const {
    Value g = readF32Vector(b, l.x, at(i), width);
    if (!l.z)
      return g;
    return arith::MulFOp::create(
        b, g, emitSilu(b, readF32Vector(b, l.z, at(i), width)));
  }

  /// 1 / sqrt(mean + eps) of the group from its sum of squares.
  Value scale(Value squares) const {
    Value mean =
        arith::DivFOp::create(b, squares, f32Constant(b, double(l.group)));
    return math::RsqrtOp::create(
        b, arith::AddFOp::create(b, mean, f32Constant(b, eps)));
  }

  /// Stores feature i's output: its gated value `g` (f32) times `scale`
  /// and its weight.
  void store(Value i, Value g, Value scale) const {
    Value w = toF32(
        b, memref::LoadOp::create(
               b, l.weight, ValueRange{arith::AddIOp::create(b, first, i)}));
    Value out = arith::MulFOp::create(b, arith::MulFOp::create(b, g, scale), w);
    memref::StoreOp::create(b, fromF32(b, out, element), l.y, at(i));
  }

  /// store() of features i to i + width - 1 from the f32 vector `g`.
  void storeVector(Value i, Value g, Value scale, int64_t width) const {
    Value w = readF32Vector(
        b, l.weight, ValueRange{arith::AddIOp::create(b, first, i)}, width);
    auto type = cast<VectorType>(g.getType());
    Value out = arith::MulFOp::create(
        b,
        arith::MulFOp::create(b, g,
                              vector::BroadcastOp::create(b, type, scale)),
        w);
    vector::TransferWriteOp::create(b, fromF32(b, out, element), l.y, at(i),
                                    ArrayRef<bool>{true});
  }

private:
  SmallVector<Value> at(Value i) const {
    SmallVector<Value> indices = row;
    indices.push_back(arith::AddIOp::create(b, first, i));
    return indices;
  }

  ImplicitLocOpBuilder &b;
  const GatedNormLayout &l;
  double eps;
  Type element;
  SmallVector<Value> row;
  Value first;
};

} // namespace mlir::mamba

#endif // MAMBA_LIB_CONVERSION_MAMBATOKERNELS_GATEDNORMGROUP_H
