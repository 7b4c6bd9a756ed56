//===- ShapeExpr.cpp - Integer expressions over argument dimensions -------===//

#include "mamba/Format/ShapeExpr.h"

#include <algorithm>

namespace mamba::format {

std::string formatShape(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

namespace {

struct OpEntry {
  const char *name;
  ShapeExpr::Kind kind;
};

constexpr OpEntry kOps[] = {
    {"add", ShapeExpr::Kind::Add},         {"sub", ShapeExpr::Kind::Sub},
    {"mul", ShapeExpr::Kind::Mul},         {"div", ShapeExpr::Kind::Div},
    {"ceildiv", ShapeExpr::Kind::CeilDiv}, {"rem", ShapeExpr::Kind::Rem},
    {"min", ShapeExpr::Kind::Min},         {"max", ShapeExpr::Kind::Max},
};

bool isBinary(ShapeExpr::Kind kind) {
  return kind != ShapeExpr::Kind::Constant && kind != ShapeExpr::Kind::Dim;
}

} // namespace

ShapeExpr ShapeExpr::constant(int64_t value) {
  ShapeExpr e;
  e.nodes_.back().value = value;
  return e;
}

ShapeExpr ShapeExpr::dim(uint32_t arg, uint32_t dim) {
  ShapeExpr e;
  Node &n = e.nodes_.back();
  n.kind = Kind::Dim;
  n.arg = arg;
  n.dim = dim;
  return e;
}

bool ShapeExpr::binary(Kind kind, const ShapeExpr &lhs, const ShapeExpr &rhs,
                       ShapeExpr &out, std::string &error) {
  if (!isBinary(kind)) {
    error = "internal error: ShapeExpr::binary called with a leaf kind";
    return false;
  }
  unsigned depth = std::max(lhs.depth(), rhs.depth()) + 1;
  if (depth > kMaxDepth) {
    error = "expression is nested deeper than " + std::to_string(kMaxDepth) +
            " levels";
    return false;
  }
  ShapeExpr e;
  e.nodes_ = lhs.nodes_;
  // rhs's child indices move up by the nodes that now precede them.
  uint32_t shift = static_cast<uint32_t>(lhs.nodes_.size());
  for (Node n : rhs.nodes_) {
    if (isBinary(n.kind)) {
      n.lhs += shift;
      n.rhs += shift;
    }
    e.nodes_.push_back(n);
  }
  Node root;
  root.kind = kind;
  root.lhs = shift - 1;
  root.rhs = static_cast<uint32_t>(e.nodes_.size()) - 1;
  root.depth = depth;
  e.nodes_.push_back(root);
  out = std::move(e);
  return true;
}

const char *ShapeExpr::opName(Kind kind) {
  for (const OpEntry &op : kOps)
    if (op.kind == kind)
      return op.name;
  return kind == Kind::Dim ? "dim" : "constant";
}

bool ShapeExpr::parseOpName(const std::string &name, Kind &kind) {
  for (const OpEntry &op : kOps) {
    if (name == op.name) {
      kind = op.kind;
      return true;
    }
  }
  return false;
}

bool ShapeExpr::evaluate(const std::vector<Shape> &argShapes, int64_t &result,
                         std::string &error) const {
  return evaluateNode(static_cast<uint32_t>(nodes_.size() - 1), argShapes,
                      result, error);
}

bool ShapeExpr::evaluateNode(uint32_t index,
                             const std::vector<Shape> &argShapes,
                             int64_t &result, std::string &error) const {
  const Node &n = nodes_[index];
  switch (n.kind) {
  case Kind::Constant:
    result = n.value;
    return true;
  case Kind::Dim:
    if (n.arg >= argShapes.size() || n.dim >= argShapes[n.arg].size()) {
      error = "dim(" + std::to_string(n.arg) + "," + std::to_string(n.dim) +
              ") refers to a dimension the arguments do not have";
      return false;
    }
    result = argShapes[n.arg][n.dim];
    return true;
  default:
    break;
  }

  int64_t a, b;
  if (!evaluateNode(n.lhs, argShapes, a, error) ||
      !evaluateNode(n.rhs, argShapes, b, error))
    return false;
  auto fail = [&](const std::string &problem) {
    error = problem + " in " + nodeToString(index) + " with operands " +
            std::to_string(a) + " and " + std::to_string(b);
    return false;
  };
  bool overflow = false;
  switch (n.kind) {
  case Kind::Add:
    overflow = __builtin_add_overflow(a, b, &result);
    break;
  case Kind::Sub:
    overflow = __builtin_sub_overflow(a, b, &result);
    break;
  case Kind::Mul:
    overflow = __builtin_mul_overflow(a, b, &result);
    break;
  case Kind::Div:
  case Kind::CeilDiv:
  case Kind::Rem:
    if (a < 0 || b < 0)
      return fail("negative operand of an unsigned operation");
    if (b == 0)
      return fail("division by zero");
    if (n.kind == Kind::Div)
      result = a / b;
    else if (n.kind == Kind::Rem)
      result = a % b;
    else // Written so that a + b - 1 cannot overflow.
      result = a / b + (a % b != 0 ? 1 : 0);
    break;
  case Kind::Min:
    result = std::min(a, b);
    break;
  case Kind::Max:
    result = std::max(a, b);
    break;
  default:
    break;
  }
  if (overflow)
    return fail("64-bit overflow");
  return true;
}

std::string ShapeExpr::toString() const {
  return nodeToString(static_cast<uint32_t>(nodes_.size() - 1));
}

std::string ShapeExpr::nodeToString(uint32_t index) const {
  const Node &n = nodes_[index];
  switch (n.kind) {
  case Kind::Constant:
    return std::to_string(n.value);
  case Kind::Dim:
    return "dim(" + std::to_string(n.arg) + "," + std::to_string(n.dim) + ")";
  default:
    return std::string(opName(n.kind)) + "(" + nodeToString(n.lhs) + ", " +
           nodeToString(n.rhs) + ")";
  }
}

} // namespace mamba::format
