//===- FastCalls.h - The ops' per-call fast path ----------------*- C++ -*-===//
//
// A decode step calls an op on tensors of the same shapes thousands of
// times; its checks in Python cost more than the kernel. The first call of
// a kind runs the Python path, which checks everything and then records
// here how that call ran: which arguments went to the kernel unchanged,
// the results it allocated, the states it copied back. A later call whose
// arguments match (torch tensors of the same dtypes, shapes, devices and
// contiguity, the same flags) runs the same way from here, reading only the
// tensors' data pointers. Anything else (numpy arrays, a tensor needing a
// gradient, a conversion or a copy) takes the Python path.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_PYTHON_FASTCALLS_H
#define MAMBA_PYTHON_FASTCALLS_H

#include "LoadedKernels.h"

#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mamba::python {

namespace py = pybind11;

/// How a recorded call ran.
struct FastCall {
  py::object kernelsObject; ///< keeps `kernels` alive
  LoadedKernels *kernels = nullptr;
  std::string function;
  /// Per kernel argument: the op argument it is, seen with this shape.
  std::vector<std::pair<int, std::vector<int64_t>>> operands;
  /// Per kernel result: the shape the kernel sees, and where it goes: the
  /// op argument `argument` (a state updated in place), or with argument
  /// -1 a tensor torch.empty makes (from `sizes` and `options`, the dtype
  /// and device).
  struct Result {
    std::vector<int64_t> shape;
    int argument = -1;
    py::tuple sizes;
    py::dict options;
  };
  std::vector<Result> results;
  /// The results returned, as a tuple when `tuple`.
  std::vector<int> returns;
  bool tuple = false;
  /// CUDA device index, -1 on the CPU (and as a Python int, for the stream
  /// getter).
  int device = -1;
  py::int_ deviceIndex;
  py::object flags;
};

class FastCalls {
public:
  /// torch.Tensor, torch.empty and torch._C._cuda_getCurrentRawStream (or
  /// None): what a call uses, set once torch is imported.
  void setTorch(py::object tensorType, py::object empty, py::object stream);
  /// Runs `op` on `args` (a tuple of tensors and Nones) and `flags` (a
  /// hashable tuple) as a recorded call did; None when none matches.
  py::object call(int op, const py::tuple &args, const py::object &flags);
  /// Records how a call of `op` on `args` with `flags` ran.
  void add(int op, const py::tuple &args, const py::object &flags,
           FastCall call);
  size_t size() const { return calls_.size(); }

private:
  /// The key of a call, or false when it cannot take the fast path.
  bool key(int op, const py::tuple &args, const py::object &flags,
           std::vector<int64_t> &out) const;

  py::object tensorType_, empty_, stream_;
  std::map<std::vector<int64_t>, FastCall> calls_;
};

} // namespace mamba::python

#endif // MAMBA_PYTHON_FASTCALLS_H
