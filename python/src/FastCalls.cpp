//===- FastCalls.cpp - The ops' per-call fast path ------------------------===//

#include "FastCalls.h"

#include "RuntimeFailure.h"

namespace mamba::python {

namespace {

/// Past this many recorded calls new ones are not recorded: shapes that
/// vary call by call (a prefill's lengths) do not grow it without bound.
constexpr size_t kMaxFastCalls = 1024;

/// The attribute and method names a call reads, interned once: a lookup
/// by a C string makes a new str object each time, and a call reads
/// about seven per tensor.
struct Names {
  PyObject *requiresGrad = PyUnicode_InternFromString("requires_grad");
  PyObject *isContiguous = PyUnicode_InternFromString("is_contiguous");
  PyObject *shape = PyUnicode_InternFromString("shape");
  PyObject *dtype = PyUnicode_InternFromString("dtype");
  PyObject *isCuda = PyUnicode_InternFromString("is_cuda");
  PyObject *isCpu = PyUnicode_InternFromString("is_cpu");
  PyObject *getDevice = PyUnicode_InternFromString("get_device");
  PyObject *dataPtr = PyUnicode_InternFromString("data_ptr");
};

const Names &names() {
  static const Names *n = new Names(); // lives as long as the interpreter
  return *n;
}

/// `o.name` (or `o.name()` when `call`), a new reference; a Python error
/// becomes a C++ exception that pybind11 raises again.
py::object read(PyObject *o, PyObject *name, bool call = false) {
  PyObject *v = call ? PyObject_CallMethodObjArgs(o, name, nullptr)
                     : PyObject_GetAttr(o, name);
  if (!v)
    throw py::error_already_set();
  return py::reinterpret_steal<py::object>(v);
}

uint64_t dataPointer(const py::handle &tensor) {
  py::object v = read(tensor.ptr(), names().dataPtr, /*call=*/true);
  return PyLong_AsUnsignedLongLong(v.ptr());
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
    const Names &n = names();
    PyObject *t = arg.ptr();
    // A view into the middle of a buffer may be contiguous but not 16-byte
    // aligned, as the kernels need: the Python path copies it.
    if (read(t, n.requiresGrad).ptr() == Py_True ||
        read(t, n.isContiguous, /*call=*/true).ptr() != Py_True ||
        dataPointer(arg) % 16 != 0)
      return false;
    py::object shape = read(t, n.shape);
    // dtypes are singletons: the object's address names one.
    out.push_back(reinterpret_cast<intptr_t>(read(t, n.dtype).ptr()));
    // CPU (-1) or a CUDA device's index; any other device (meta, say) takes
    // the Python path, which refuses it.
    if (read(t, n.isCuda).ptr() == Py_True)
      out.push_back(PyLong_AsLongLong(read(t, n.getDevice, true).ptr()));
    else if (read(t, n.isCpu).ptr() == Py_True)
      out.push_back(-1);
    else
      return false;
    if (!PyTuple_Check(shape.ptr())) // torch.Size is a tuple
      return false;
    const Py_ssize_t rank = PyTuple_GET_SIZE(shape.ptr());
    out.push_back(rank);
    for (Py_ssize_t d = 0; d < rank; ++d)
      out.push_back(PyLong_AsLongLong(PyTuple_GET_ITEM(shape.ptr(), d)));
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
    operands.push_back({dataPointer(args[arg]), shape});
  std::vector<py::object> made;
  made.reserve(c.results.size());
  for (const FastCall::Result &r : c.results) {
    if (r.argument >= 0) {
      made.push_back(py::reinterpret_borrow<py::object>(args[r.argument]));
    } else {
      // torch.empty(*sizes, **options), the tuple and dict made once.
      PyObject *t = PyObject_Call(empty_.ptr(), r.sizes.ptr(), r.options.ptr());
      if (!t)
        throw py::error_already_set();
      made.push_back(py::reinterpret_steal<py::object>(t));
    }
    results.push_back({dataPointer(made.back()), r.shape});
  }
  uint64_t queue = 0;
  if (c.device >= 0 && !stream_.is_none()) {
    PyObject *s = PyObject_CallOneArg(stream_.ptr(), c.deviceIndex.ptr());
    if (!s)
      throw py::error_already_set();
    queue = PyLong_AsUnsignedLongLong(s);
    Py_DECREF(s);
  }
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
