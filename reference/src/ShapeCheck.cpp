//===- ShapeCheck.cpp - Operand validation shared by the reference ops ----===//

#include "ShapeCheck.h"

#include <stdexcept>

namespace mamba::reference::detail {

void fail(const std::string &op, const std::string &message) {
  throw std::invalid_argument(op + ": " + message);
}

static std::string formatExpected(const std::vector<Dim> &expected) {
  std::string s = "[";
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i)
      s += ", ";
    s += expected[i].name;
    if (expected[i].value >= 0)
      s += "=" + std::to_string(expected[i].value);
  }
  return s + "]";
}

void checkShape(const std::string &op, const std::string &operand,
                const Tensor &t, const std::vector<Dim> &expected) {
  bool ok = t.rank() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = expected[i].value < 0 || expected[i].value == t.shape()[i];
  if (!ok)
    fail(op, operand + " has shape " + formatShape(t.shape()) + ", expected " +
                 formatExpected(expected));
}

} // namespace mamba::reference::detail
