//===- FastCalls.cpp - The ops' per-call fast path ------------------------===//

#include "FastCalls.h"

#include "RuntimeFailure.h"

namespace mamba::python {

namespace {

/// Past this many recorded calls new ones are not recorded: shapes that
/// vary call by call (a prefill's lengths) do not grow it without bound.
constexpr size_t kMaxFastCalls = 1024;

int64_t dataPointer(const py::handle &tensor) {
  return tensor.attr("data_ptr")().cast<int64_t>();
}

} // namespace

void FastCalls::setTorch(py::object tensorType, py::object empty,
                         py::object stream) {
  tensorType_ = std::move(tensorType);
  empty_ = std::move(empty);
  stream_ = std::move(stream);
}

bool FastCalls::key(int op, const py::tuple &args, const py::object &flags,
                    std::vector<int64_t> &out) const {
  if (!tensorType_)
    return false;
  out.clear();
  out.push_back(op);
  out.push_back(static_cast<int64_t>(py::hash(flags)));
  auto *type = reinterpret_cast<PyTypeObject *>(tensorType_.ptr());
  for (const py::handle &arg : args) {
    if (arg.is_none()) {
      out.push_back(-1);
      continue;
    }
    if (!PyObject_TypeCheck(arg.ptr(), type))
      return false;
    if (py::cast<bool>(arg.attr("requires_grad")) ||
        !py::cast<bool>(arg.attr("is_contiguous")()))
      return false;
    py::tuple shape = py::reinterpret_borrow<py::tuple>(arg.attr("shape"));
    // dtypes are singletons: the object's address names one.
    out.push_back(reinterpret_cast<intptr_t>(arg.attr("dtype").ptr()));
    // CPU (-1) or a CUDA device's index; any other device (meta, say) takes
    // the Python path, which refuses it.
    if (py::cast<bool>(arg.attr("is_cuda")))
      out.push_back(py::cast<int64_t>(arg.attr("get_device")()));
    else if (py::cast<bool>(arg.attr("is_cpu")))
      out.push_back(-1);
    else
      return false;
    out.push_back(static_cast<int64_t>(shape.size()));
    for (const py::handle &size : shape)
      out.push_back(py::cast<int64_t>(size));
  }
  return true;
}

py::object FastCalls::call(int op, const py::tuple &args,
                           const py::object &flags) {
  std::vector<int64_t> k;
  if (!key(op, args, flags, k))
    return py::none();
  auto found = calls_.find(k);
  if (found == calls_.end() || !found->second.flags.equal(flags))
    return py::none();
  const FastCall &c = found->second;

  std::vector<runtime::TensorRef> operands, results;
  operands.reserve(c.operands.size());
  for (const auto &[arg, shape] : c.operands)
    operands.push_back({static_cast<uint64_t>(dataPointer(args[arg])), shape});
  std::vector<py::object> made;
  made.reserve(c.results.size());
  for (const FastCall::Result &r : c.results) {
    made.push_back(r.argument >= 0
                       ? py::reinterpret_borrow<py::object>(args[r.argument])
                       : empty_(*r.sizes, **r.options));
    results.push_back(
        {static_cast<uint64_t>(dataPointer(made.back())), r.shape});
  }
  uint64_t queue = 0;
  if (c.device >= 0 && !stream_.is_none())
    queue = stream_(c.device).cast<uint64_t>();
  std::string error;
  if (!c.kernels->call(c.function, operands, results, queue, error))
    throw RuntimeFailure(error);
  if (!c.tuple)
    return made[c.returns.front()];
  py::tuple out(c.returns.size());
  for (size_t i = 0; i < c.returns.size(); ++i)
    out[i] = made[c.returns[i]];
  return std::move(out);
}

void FastCalls::add(int op, const py::tuple &args, const py::object &flags,
                    FastCall call) {
  std::vector<int64_t> k;
  if (calls_.size() >= kMaxFastCalls || !key(op, args, flags, k))
    return;
  call.flags = flags;
  calls_[k] = std::move(call);
}

} // namespace mamba::python
