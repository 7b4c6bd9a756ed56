//===- OpChecks.h - What the mamba ops' verifiers share ---------*- C++ -*-===//
//
// Every verifier binds the named dimensions of its op (b, d, L, N, ...) from
// the first operand that has them static, then checks each later occurrence
// against that binding; dynamic dimensions are accepted. Used by the ops of
// each model family (MambaOps.cpp, Mamba2Ops.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_DIALECT_MAMBA_IR_OPCHECKS_H
#define MAMBA_LIB_DIALECT_MAMBA_IR_OPCHECKS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/StringMap.h"

#include <string>

namespace mlir::mamba::detail {

/// Checks the shapes of an op's operands and results against named
/// dimensions. A symbol is bound by its first static occurrence.
class ShapeChecker {
public:
  explicit ShapeChecker(Operation *op) : op(op) {}

  /// Checks that `value` is a ranked tensor whose dimensions are `dims`, in
  /// order. An empty name matches any size.
  LogicalResult check(StringRef what, Value value, ArrayRef<StringRef> dims) {
    return check(what, cast<RankedTensorType>(value.getType()), dims);
  }

  LogicalResult check(StringRef what, RankedTensorType type,
                      ArrayRef<StringRef> dims) {
    if (type.getRank() != static_cast<int64_t>(dims.size())) {
      InFlightDiagnostic diag = op->emitOpError()
                                << "expects " << what << " to have rank "
                                << dims.size() << " ([";
      llvm::interleaveComma(dims, diag);
      return diag << "]), but got " << type;
    }
    for (auto [index, name] : llvm::enumerate(dims))
      if (failed(bind(what, index, name, type.getDimSize(index))))
        return failure();
    return success();
  }

  /// Binds or checks one dimension.
  LogicalResult bind(StringRef what, unsigned index, StringRef name,
                     int64_t size) {
    if (name.empty() || ShapedType::isDynamic(size))
      return success();
    auto [it, inserted] = bound.try_emplace(
        name, Binding{size, (what + " dim " + Twine(index)).str()});
    if (inserted || it->second.size == size)
      return success();
    return op->emitOpError()
           << "expects " << what << " dim " << index << " (" << name
           << ") to be " << it->second.size << " to match " << it->second.origin
           << ", but got " << size;
  }

  /// The bound size of a symbol, or ShapedType::kDynamic.
  int64_t get(StringRef name) const {
    auto it = bound.find(name);
    return it == bound.end() ? ShapedType::kDynamic : it->second.size;
  }

private:
  struct Binding {
    int64_t size;
    std::string origin;
  };
  Operation *op;
  llvm::StringMap<Binding> bound;
};

/// B and C are shared by groups: the G groups (symbol "G") must divide the
/// `what` (symbol `symbol`: the channels d of Mamba-1, the heads H of
/// Mamba-2). Unknown sizes pass.
LogicalResult checkGroupsDivide(Operation *op, const ShapeChecker &shapes,
                                StringRef symbol, StringRef what);

/// The element type of a ranked tensor value.
Type elementType(Value value);

/// `what` must have exactly the element type `expected`.
LogicalResult checkElementType(Operation *op, StringRef what, Value value,
                               Type expected, StringRef expectedWhat);

/// Weights and biases may be stored in the activation type or in f32.
LogicalResult checkActivationOrF32(Operation *op, StringRef what, Value value,
                                   Type activation);

/// A mixer block's operands by name: each of `asHidden` (its GEMM weights
/// and its output) has the activation type, each present one of
/// `activationOrF32` (biases, conv and norm weights) that type or f32.
using NamedValue = std::pair<StringRef, Value>;
LogicalResult checkMixerElementTypes(Operation *op, Type activation,
                                     ArrayRef<NamedValue> asHidden,
                                     ArrayRef<NamedValue> activationOrF32);

/// Where one result dimension's size comes from: dimension `dim` of `value`.
struct DimSource {
  Value value;
  int64_t dim;
};

/// Fills the sizes of one result: static sizes from the result type, dynamic
/// ones from the operand dimensions they equal (the verifier ensured that).
void reifyResult(OpBuilder &builder, Value result, ArrayRef<DimSource> sources,
                 ReifiedRankedShapedTypeDims &shapes);

/// All dimensions of `value`, in order, followed by `extra`.
SmallVector<DimSource> dimsOf(Value value, ArrayRef<DimSource> extra = {});

} // namespace mlir::mamba::detail

#endif // MAMBA_LIB_DIALECT_MAMBA_IR_OPCHECKS_H
