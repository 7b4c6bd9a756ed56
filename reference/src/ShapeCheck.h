//===- ShapeCheck.h - Operand validation shared by the reference ops ------===//
//
// Every op validates all of its operands before touching data, so that a
// wrong call fails with a message that names the operand and shows the
// expected and actual shapes, instead of reading out of bounds.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_SHAPECHECK_H
#define MAMBA_REFERENCE_SHAPECHECK_H

#include "mamba/Reference/Tensor.h"

#include <string>
#include <vector>

namespace mamba::reference::detail {

/// One expected dimension: a symbolic name, and its value when it is already
/// fixed by an earlier operand (a negative value accepts any size).
struct Dim {
  Dim(const char *name) : name(name) {}
  Dim(const char *name, int64_t value) : name(name), value(value) {}
  std::string name;
  int64_t value = -1;
};

/// Throws std::invalid_argument("op: message").
[[noreturn]] void fail(const std::string &op, const std::string &message);

/// Checks rank and fixed dimensions; on mismatch throws e.g.
/// "selective_scan: B has shape [2,1,3,36], expected [b=2, G, N=3, L=37]".
void checkShape(const std::string &op, const std::string &operand,
                const Tensor &t, const std::vector<Dim> &expected);

/// Same as checkShape when `t` is given; absent optional operands pass.
inline void checkOptionalShape(const std::string &op,
                               const std::string &operand, const Tensor *t,
                               const std::vector<Dim> &expected) {
  if (t)
    checkShape(op, operand, *t, expected);
}

} // namespace mamba::reference::detail

#endif // MAMBA_REFERENCE_SHAPECHECK_H
