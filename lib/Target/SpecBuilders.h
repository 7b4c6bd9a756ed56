//===- SpecBuilders.h - IR pieces as module-format values -------*- C++ -*-===//
//
// Shared by the module writer (host functions) and the model planner (entry
// buffers): element types and shape arithmetic turned into the format
// library's values, with a diagnostic where the format has no spelling.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_LIB_TARGET_SPECBUILDERS_H
#define MAMBA_LIB_TARGET_SPECBUILDERS_H

#include "mamba/Format/Encoding.h"
#include "mamba/Format/ShapeExpr.h"

#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>

namespace mlir::mamba {

/// The module format library (format/), seen from the compiler.
namespace format = ::mamba::format;

/// The format's element type of `type`; an error at `loc` for a type no
/// module can hold.
FailureOr<format::ElementType> formatElementType(Type type, Location loc);

/// Answers the values that are not shape arithmetic: an expression, a
/// failure (already diagnosed), or std::nullopt for a value it does not know.
using ShapeLeafFn =
    function_ref<std::optional<FailureOr<format::ShapeExpr>>(Value)>;

/// `value`, made of constants, index casts and integer add, sub, mul, div,
/// ceildiv, rem, min and max over what `leaf` answers, as an expression.
/// Anything else is an error that says `sizes` (what the value is: "launch
/// sizes", "tensor sizes") may only use those.
FailureOr<format::ShapeExpr> buildShapeExpr(Value value, ShapeLeafFn leaf,
                                            StringRef sizes);

/// `kind(lhs, rhs)`; an error at `loc` when it would nest deeper than the
/// format allows.
FailureOr<format::ShapeExpr> combineShapeExprs(format::ShapeExpr::Kind kind,
                                               const format::ShapeExpr &lhs,
                                               const format::ShapeExpr &rhs,
                                               Location loc);

} // namespace mlir::mamba

#endif // MAMBA_LIB_TARGET_SPECBUILDERS_H
