//===- RuntimeFailure.h - A runtime error for Python -----------*- C++ -*-===//
//
// What the runtime reports, thrown from the bindings: MambaError in Python
// (Bindings.cpp registers it).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_PYTHON_RUNTIMEFAILURE_H
#define MAMBA_PYTHON_RUNTIMEFAILURE_H

#include <stdexcept>

namespace mamba::python {

struct RuntimeFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

} // namespace mamba::python

#endif // MAMBA_PYTHON_RUNTIMEFAILURE_H
