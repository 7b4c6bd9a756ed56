//===- SpecBuilders.cpp - IR pieces as module-format values ---------------===//

#include "SpecBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::mamba {

using format::ShapeExpr;

FailureOr<format::ElementType> formatElementType(Type type, Location loc) {
  std::string name;
  if (type.isF32())
    name = "f32";
  else if (type.isF16())
    name = "f16";
  else if (type.isBF16())
    name = "bf16";
  else if (type.isF64())
    name = "f64";
  else if (type.isSignlessInteger())
    name = "i" + std::to_string(type.getIntOrFloatBitWidth());
  format::ElementType element;
  if (!format::parseElementType(name, element))
    return emitError(loc) << "a module file cannot hold elements of type "
                          << type
                          << " (expected f32, f16, bf16, f64, i8, i16, i32 "
                             "or i64)";
  return element;
}

FailureOr<ShapeExpr> combineShapeExprs(ShapeExpr::Kind kind,
                                       const ShapeExpr &lhs,
                                       const ShapeExpr &rhs, Location loc) {
  ShapeExpr out;
  std::string error;
  if (!ShapeExpr::binary(kind, lhs, rhs, out, error))
    return emitError(loc) << "a size expression for the runtime: " << error;
  return out;
}

FailureOr<ShapeExpr> buildShapeExpr(Value value, ShapeLeafFn leaf,
                                    StringRef sizes) {
  if (std::optional<int64_t> c = getConstantIntValue(value))
    return ShapeExpr::constant(*c);
  if (std::optional<FailureOr<ShapeExpr>> known = leaf(value))
    return *known;
  Operation *def = value.getDefiningOp();
  if (auto cast = dyn_cast_or_null<arith::IndexCastOp>(def))
    return buildShapeExpr(cast.getIn(), leaf, sizes);
  using Kind = ShapeExpr::Kind;
  std::optional<Kind> kind =
      TypeSwitch<Operation *, std::optional<Kind>>(def)
          .Case<arith::AddIOp>([](auto) { return Kind::Add; })
          .Case<arith::SubIOp>([](auto) { return Kind::Sub; })
          .Case<arith::MulIOp>([](auto) { return Kind::Mul; })
          .Case<arith::DivUIOp>([](auto) { return Kind::Div; })
          .Case<arith::CeilDivUIOp>([](auto) { return Kind::CeilDiv; })
          .Case<arith::RemUIOp>([](auto) { return Kind::Rem; })
          .Case<arith::MinUIOp, arith::MinSIOp>([](auto) { return Kind::Min; })
          .Case<arith::MaxUIOp, arith::MaxSIOp>([](auto) { return Kind::Max; })
          .Default([](Operation *) { return std::nullopt; });
  if (!kind) {
    if (!def)
      return emitError(value.getLoc())
             << sizes
             << " come from a block argument that is not a tensor "
                "dimension the runtime knows";
    return def->emitOpError()
           << "cannot be replayed by the runtime: " << sizes
           << " may only use constants, dimensions and integer add, sub, "
              "mul, div, ceildiv, rem, min, max";
  }
  FailureOr<ShapeExpr> lhs = buildShapeExpr(def->getOperand(0), leaf, sizes);
  if (failed(lhs))
    return failure();
  FailureOr<ShapeExpr> rhs = buildShapeExpr(def->getOperand(1), leaf, sizes);
  if (failed(rhs))
    return failure();
  return combineShapeExprs(*kind, *lhs, *rhs, def->getLoc());
}

} // namespace mlir::mamba
