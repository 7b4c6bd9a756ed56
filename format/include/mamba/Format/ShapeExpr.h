//===- ShapeExpr.h - Integer expressions over dimensions --------*- C++ -*-===//
//
// The shapes of a compiled function's results and the grid and block of its
// launches depend on the dynamic dimensions of its arguments; the module file
// stores them as small expression trees (see docs/ModuleFormat.md). This is
// that tree and its evaluator: every step is checked 64-bit signed arithmetic,
// so a hostile or buggy file can produce an error but never a wrapped value.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_SHAPEEXPR_H
#define MAMBA_FORMAT_SHAPEEXPR_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mamba::format {

using Shape = std::vector<int64_t>;

/// "[2,64]": a shape as messages print it.
std::string formatShape(const Shape &shape);

class ShapeExpr {
public:
  enum class Kind { Constant, Dim, Add, Sub, Mul, Div, CeilDiv, Rem, Min, Max };

  /// Trees deeper than this are rejected when built: the evaluator recurses,
  /// and the compiler never needs more than a handful of levels.
  static constexpr unsigned kMaxDepth = 64;

  /// The constant 0.
  ShapeExpr() : nodes_(1) {}

  static ShapeExpr constant(int64_t value);
  /// Dimension `dim` of argument `arg`.
  static ShapeExpr dim(uint32_t arg, uint32_t dim);
  /// `kind` must be a binary kind (Add..Max). False, with `error` set, when
  /// the result would be deeper than kMaxDepth.
  static bool binary(Kind kind, const ShapeExpr &lhs, const ShapeExpr &rhs,
                     ShapeExpr &out, std::string &error);

  /// The spelling of a binary kind in the file ("add", "ceildiv", ...), and
  /// back; false for an unknown name.
  static const char *opName(Kind kind);
  static bool parseOpName(const std::string &name, Kind &kind);

  Kind kind() const { return nodes_.back().kind; }
  bool isConstant() const { return kind() == Kind::Constant; }
  /// Only meaningful when isConstant().
  int64_t constantValue() const { return nodes_.back().value; }
  unsigned depth() const { return nodes_.back().depth; }

  /// Calls `fn(arg, dim)` for every dimension the expression reads (used to
  /// validate references against the function's argument ranks).
  template <typename Fn> void forEachDim(Fn fn) const {
    for (const Node &n : nodes_)
      if (n.kind == Kind::Dim)
        fn(n.arg, n.dim);
  }

  /// Computes a value of type R for every node, children first, and returns
  /// the root's: `constant(value)`, `dim(arg, dim)`, `binary(kind, lhs,
  /// rhs)` (how the writer and the printers walk the tree without recursion).
  template <typename R, typename ConstantFn, typename DimFn, typename BinaryFn>
  R fold(ConstantFn constant, DimFn dim, BinaryFn binary) const {
    std::vector<R> values;
    values.reserve(nodes_.size());
    for (const Node &n : nodes_) {
      if (n.kind == Kind::Constant)
        values.push_back(constant(n.value));
      else if (n.kind == Kind::Dim)
        values.push_back(dim(n.arg, n.dim));
      else
        values.push_back(binary(n.kind, values[n.lhs], values[n.rhs]));
    }
    return std::move(values.back());
  }

  /// Evaluates with `argShapes[a][d]` as dimension d of argument a. `div`,
  /// `ceildiv` and `rem` are unsigned in the file format, so a negative
  /// operand is an error rather than a huge unsigned value; so is overflow,
  /// division by zero, and a dimension that `argShapes` does not have.
  bool evaluate(const std::vector<Shape> &argShapes, int64_t &result,
                std::string &error) const;

  /// "ceildiv(dim(0,1), 64)": how errors quote expressions.
  std::string toString() const;

private:
  struct Node {
    Kind kind = Kind::Constant;
    int64_t value = 0; ///< Constant
    uint32_t arg = 0;  ///< Dim
    uint32_t dim = 0;  ///< Dim
    uint32_t lhs = 0;  ///< binary: operand node indices
    uint32_t rhs = 0;
    unsigned depth = 1; ///< of the subtree rooted here
  };

  bool evaluateNode(uint32_t index, const std::vector<Shape> &argShapes,
                    int64_t &result, std::string &error) const;
  std::string nodeToString(uint32_t index) const;

  /// Children before parents; the root is the last node.
  std::vector<Node> nodes_;
};

} // namespace mamba::format

#endif // MAMBA_FORMAT_SHAPEEXPR_H
