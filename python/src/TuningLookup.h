//===- TuningLookup.h - The tuning database for the Python ops --*- C++ -*-===//
//
// mamba_mlir.ops chooses a scan call's tiling from a mamba-tune database by
// the call's own (batch, length): through the compile driver's look-up
// (mamba/Tuning/TuningDb.h), not a second one in Python, so that an op
// takes the entry mamba-compile would take for that bucket. Part of the
// runtime-only extension: it needs no LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_PYTHON_TUNINGLOOKUP_H
#define MAMBA_PYTHON_TUNINGLOOKUP_H

#include <pybind11/pybind11.h>

namespace mamba::python {

/// Adds the TuningDatabase class (read once, then looked up per shape
/// class) to `m`.
void bindTuningLookup(pybind11::module_ &m);

} // namespace mamba::python

#endif // MAMBA_PYTHON_TUNINGLOOKUP_H
