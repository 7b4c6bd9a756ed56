//===- OpChecks.cpp - What the mamba ops' verifiers share -----------------===//

#include "OpChecks.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"

namespace mlir::mamba::detail {

LogicalResult checkGroupsDivide(Operation *op, const ShapeChecker &shapes,
                                StringRef symbol, StringRef what) {
  int64_t groups = shapes.get("G"), divided = shapes.get(symbol);
  if (groups == 0)
    return op->emitOpError() << "expects at least one group of B and C";
  if (ShapedType::isDynamic(groups) || ShapedType::isDynamic(divided) ||
      divided % groups == 0)
    return success();
  return op->emitOpError() << "expects the number of groups G = " << groups
                           << " of B and C to divide the " << what << " "
                           << symbol << " = " << divided;
}

Type elementType(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

LogicalResult checkElementType(Operation *op, StringRef what, Value value,
                               Type expected, StringRef expectedWhat) {
  Type actual = elementType(value);
  if (actual == expected)
    return success();
  return op->emitOpError() << "expects " << what << " to have element type "
                           << expected << " (" << expectedWhat << "), but got "
                           << actual;
}

LogicalResult checkActivationOrF32(Operation *op, StringRef what, Value value,
                                   Type activation) {
  Type actual = elementType(value);
  if (actual == activation || actual.isF32())
    return success();
  return op->emitOpError() << "expects " << what << " to have element type "
                           << activation << " or f32, but got " << actual;
}

/// Fills the sizes of one result: static sizes from the result type, dynamic
/// ones from the operand dimensions they equal (the verifier ensured that).
void reifyResult(OpBuilder &builder, Value result, ArrayRef<DimSource> sources,
                 ReifiedRankedShapedTypeDims &shapes) {
  auto type = cast<RankedTensorType>(result.getType());
  SmallVector<OpFoldResult> &sizes = shapes.emplace_back();
  for (auto [index, source] : llvm::enumerate(sources)) {
    if (!type.isDynamicDim(index))
      sizes.push_back(builder.getIndexAttr(type.getDimSize(index)));
    else
      sizes.push_back(tensor::getMixedSize(builder, result.getLoc(),
                                           source.value, source.dim));
  }
}

LogicalResult checkMixerElementTypes(Operation *op, Type activation,
                                     ArrayRef<NamedValue> asHidden,
                                     ArrayRef<NamedValue> activationOrF32) {
  for (auto [what, value] : asHidden)
    if (failed(checkElementType(op, what, value, activation, "as hidden")))
      return failure();
  for (auto [what, value] : activationOrF32)
    if (value && failed(checkActivationOrF32(op, what, value, activation)))
      return failure();
  return success();
}

/// All dimensions of `value`, in order, followed by `extra`.
SmallVector<DimSource> dimsOf(Value value, ArrayRef<DimSource> extra) {
  SmallVector<DimSource> sources;
  int64_t rank = cast<RankedTensorType>(value.getType()).getRank();
  for (int64_t i = 0; i < rank; ++i)
    sources.push_back({value, i});
  llvm::append_range(sources, extra);
  return sources;
}

} // namespace mlir::mamba::detail
