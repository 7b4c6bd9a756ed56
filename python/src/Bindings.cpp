//===- Bindings.cpp - The _mamba_mlir extension module --------------------===//
//
// The runtime's models for Python (pybind11): arrays in and out as numpy,
// every runtime failure a MambaError carrying the runtime's message, every
// bad argument a ValueError or TypeError naming it, and the GIL released
// while the runtime works. The pure-Python layer (mamba_mlir/) builds the
// user-facing API on these calls.
//
//===----------------------------------------------------------------------===//

#include "FastCalls.h"
#include "LoadedKernels.h"
#include "LoadedModel.h"
#include "RuntimeFailure.h"
#include "TuningLookup.h"

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>

namespace py = pybind11;
using mamba::python::FastCall;
using mamba::python::FastCalls;
using mamba::python::LoadedKernels;
using mamba::python::LoadedModel;
using mamba::python::RuntimeFailure;

namespace {

using IdArray = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

/// `ids` ([length] or [batch, length] integers) as the runtime's int32 ids,
/// each checked against the vocabulary before it is narrowed.
std::vector<int32_t> takeIds(const IdArray &ids, int64_t vocab, int64_t &batch,
                             int64_t &length) {
  if (ids.ndim() != 1 && ids.ndim() != 2)
    throw py::value_error("ids: expected a 1-D [length] or 2-D [batch, "
                          "length] array of token ids, got " +
                          std::to_string(ids.ndim()) + " dimensions");
  batch = ids.ndim() == 2 ? ids.shape(0) : 1;
  length = ids.shape(ids.ndim() - 1);
  if (batch < 1 || length < 1)
    throw py::value_error("ids: expected at least one row of at least one "
                          "token, got shape [" +
                          std::to_string(batch) + ", " +
                          std::to_string(length) + "]");
  std::vector<int32_t> out(static_cast<size_t>(batch * length));
  const int64_t *data = ids.data();
  for (size_t i = 0; i < out.size(); ++i) {
    if (data[i] < 0 || data[i] >= vocab)
      throw py::value_error("ids: token id " + std::to_string(data[i]) +
                            " at flat index " + std::to_string(i) +
                            " is not in [0, " + std::to_string(vocab) +
                            "), the model's vocabulary");
    out[i] = static_cast<int32_t>(data[i]);
  }
  return out;
}

int64_t vocabOf(LoadedModel &model) {
  std::string error;
  int64_t vocab = 0;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = model.vocab(vocab, error);
  }
  if (!ok)
    throw RuntimeFailure(error);
  return vocab;
}

std::unique_ptr<LoadedModel> load(const std::string &module,
                                  const std::string &weights,
                                  const std::string &device, int threads,
                                  bool checkWeights) {
  if (threads < 0)
    throw py::value_error("threads: expected 0 (MAMBA_THREADS or every "
                          "core) or a positive count, got " +
                          std::to_string(threads));
  auto model = std::make_unique<LoadedModel>();
  std::string error;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = model->load(module, weights,
                     mamba::runtime::DeviceRequest{device, threads},
                     checkWeights, error);
  }
  if (!ok)
    throw RuntimeFailure(error);
  return model;
}

py::array_t<float> prefill(LoadedModel &model, const IdArray &ids,
                           bool allPositions) {
  const int64_t vocab = vocabOf(model);
  int64_t batch = 0, length = 0;
  std::vector<int32_t> flat = takeIds(ids, vocab, batch, length);
  std::vector<float> logits;
  std::string error;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = model.prefill(flat, batch, length, allPositions, logits, error);
  }
  if (!ok)
    throw RuntimeFailure(error);
  std::vector<py::ssize_t> shape = {batch};
  if (allPositions)
    shape.push_back(length);
  shape.push_back(vocab);
  py::array_t<float> out(shape);
  std::copy(logits.begin(), logits.end(), out.mutable_data());
  return out;
}

py::array_t<int32_t> generate(LoadedModel &model, const IdArray &ids,
                              int64_t maxNewTokens, double temperature,
                              int64_t topK, double topP, uint64_t seed,
                              const py::object &onToken) {
  if (maxNewTokens < 0)
    throw py::value_error("max_new_tokens: expected 0 or more, got " +
                          std::to_string(maxNewTokens));
  mamba::runtime::SamplingOptions sampling;
  sampling.temperature = temperature;
  sampling.topK = topK;
  sampling.topP = topP;
  sampling.seed = seed;
  std::string error;
  if (!sampling.validate(error))
    throw py::value_error(error);
  const int64_t vocab = vocabOf(model);
  int64_t batch = 0, length = 0;
  std::vector<int32_t> flat = takeIds(ids, vocab, batch, length);

  // The callback runs on this thread with the GIL taken back; an exception
  // it raises stops the generation and is raised again here.
  std::unique_ptr<py::error_already_set> raised;
  std::function<bool(const std::vector<int32_t> &)> callback;
  if (!onToken.is_none())
    callback = [&](const std::vector<int32_t> &step) {
      py::gil_scoped_acquire acquire;
      try {
        py::array_t<int32_t> tokens(static_cast<py::ssize_t>(step.size()));
        std::copy(step.begin(), step.end(), tokens.mutable_data());
        py::object keepGoing = onToken(tokens);
        return keepGoing.is_none() || keepGoing.cast<bool>();
      } catch (py::error_already_set &e) {
        raised = std::make_unique<py::error_already_set>(std::move(e));
        return false;
      } catch (const std::exception &e) { // a cast of its result, say
        PyErr_SetString(PyExc_TypeError,
                        (std::string("on_token: ") + e.what()).c_str());
        raised = std::make_unique<py::error_already_set>();
        return false;
      }
    };
  std::vector<std::vector<int32_t>> tokens;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = model.generate(flat, batch, length, maxNewTokens, sampling, callback,
                        tokens, error);
  }
  if (raised)
    throw std::move(*raised);
  if (!ok)
    throw RuntimeFailure(error);
  const size_t produced = tokens.empty() ? 0 : tokens[0].size();
  py::array_t<int32_t> out(
      {static_cast<py::ssize_t>(batch), static_cast<py::ssize_t>(produced)});
  int32_t *data = out.mutable_data();
  for (int64_t r = 0; r < batch; ++r)
    std::copy(tokens[r].begin(), tokens[r].end(), data + r * produced);
  return out;
}

std::unique_ptr<LoadedKernels>
loadKernels(const std::string &module, const std::string &device, int threads) {
  auto kernels = std::make_unique<LoadedKernels>();
  std::string error;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = kernels->load(module, mamba::runtime::DeviceRequest{device, threads},
                       error);
  }
  if (!ok)
    throw RuntimeFailure(error);
  return kernels;
}

/// (address, shape) pairs from the Python layer, which took them from
/// arrays it checked (dtype, layout, device).
using Tensors = std::vector<std::pair<uint64_t, std::vector<int64_t>>>;

std::vector<mamba::runtime::TensorRef> refs(const Tensors &tensors) {
  std::vector<mamba::runtime::TensorRef> out;
  for (const auto &[address, shape] : tensors)
    out.push_back(mamba::runtime::TensorRef{address, shape});
  return out;
}

void callKernel(LoadedKernels &kernels, const std::string &function,
                const Tensors &args, const Tensors &results, uint64_t queue) {
  std::string error;
  bool ok;
  {
    py::gil_scoped_release release;
    ok = kernels.call(function, refs(args), refs(results), queue, error);
  }
  if (!ok)
    throw RuntimeFailure(error);
}

/// Records a call for FastCalls: `operands` (op argument, kernel shape)
/// per kernel argument, `results` (kernel shape, torch.empty's options or
/// None, the op argument written in place or -1) per kernel result, and
/// the results returned.
void addFastCall(
    FastCalls &calls, int op, const py::tuple &args, const py::object &flags,
    const py::object &kernels, const std::string &function,
    const std::vector<std::pair<int, std::vector<int64_t>>> &operands,
    const std::vector<std::tuple<std::vector<int64_t>, py::object, int>>
        &results,
    const std::vector<int> &returns, bool tuple, int device) {
  FastCall call;
  call.kernelsObject = kernels;
  call.kernels = kernels.cast<LoadedKernels *>();
  call.function = function;
  call.operands = operands;
  for (const auto &[shape, options, argument] : results) {
    if (argument >= static_cast<int>(args.size()) ||
        (argument < 0 && !py::isinstance<py::dict>(options)))
      throw py::value_error("add: a result is neither made nor an argument");
    call.results.push_back(
        {shape, argument, py::cast(shape),
         argument < 0 ? options.cast<py::dict>() : py::dict()});
  }
  call.returns = returns;
  call.tuple = tuple;
  call.device = device;
  call.deviceIndex = py::int_(device);
  for (const auto &[arg, shape] : operands)
    if (arg < 0 || arg >= static_cast<int>(args.size()))
      throw py::value_error("add: operand " + std::to_string(arg) +
                            " is not an argument");
  for (int r : returns)
    if (r < 0 || r >= static_cast<int>(results.size()))
      throw py::value_error("add: a returned result does not exist");
  if (returns.empty() || (!tuple && returns.size() != 1))
    throw py::value_error("add: expected one result, or a tuple");
  calls.add(op, args, flags, std::move(call));
}

} // namespace

PYBIND11_MODULE(_mamba_mlir, m) {
  m.doc() = "mamba-mlir's runtime: compiled Mamba models (see mamba_mlir)";
  py::register_exception<RuntimeFailure>(m, "MambaError", PyExc_RuntimeError);

  py::class_<LoadedModel>(m, "LoadedModel")
      .def_property_readonly("device_kind", &LoadedModel::deviceKind)
      .def_property_readonly("description", &LoadedModel::describe)
      .def_property_readonly("vocab_size", &vocabOf)
      .def("prefill", &prefill, py::arg("ids"), py::arg("all_positions"))
      .def("generate", &generate, py::arg("ids"), py::arg("max_new_tokens"),
           py::arg("temperature"), py::arg("top_k"), py::arg("top_p"),
           py::arg("seed"), py::arg("on_token"));
  m.def("load", &load, py::arg("module"), py::arg("weights"), py::arg("device"),
        py::arg("threads"), py::arg("check_weights") = false);

  py::class_<LoadedKernels>(m, "LoadedKernels")
      .def_property_readonly("device_kind", &LoadedKernels::deviceKind)
      .def("call", &callKernel, py::arg("function"), py::arg("args"),
           py::arg("results"), py::arg("queue") = 0);
  py::class_<FastCalls>(m, "FastCalls")
      .def(py::init<>())
      .def("set_torch", &FastCalls::setTorch, py::arg("tensor_type"),
           py::arg("empty"), py::arg("stream"))
      .def("call", &FastCalls::call, py::arg("op"), py::arg("args"),
           py::arg("flags"))
      .def("add", &addFastCall, py::arg("op"), py::arg("args"),
           py::arg("flags"), py::arg("kernels"), py::arg("function"),
           py::arg("operands"), py::arg("results"), py::arg("returns"),
           py::arg("tuple"), py::arg("device"))
      .def("__len__", &FastCalls::size);
  m.def("load_kernels", &loadKernels, py::arg("module"), py::arg("device"),
        py::arg("threads"));
  mamba::python::bindTuningLookup(m);
}
