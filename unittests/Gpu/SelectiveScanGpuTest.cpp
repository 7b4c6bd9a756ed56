//===- SelectiveScanGpuTest.cpp - A compiled scan against the reference ---===//

#include "SelectiveScanGpuTest.h"

#include "GpuTestSupport.h"
#include "HostTensor.h"
#include "mamba/Reference/SelectiveScan.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>

namespace mamba::gpu_test {

using runtime::DeviceLimits;
using runtime::ElementType;
using runtime::FunctionSpec;
using runtime::TensorRef;
namespace cuda = runtime::cuda;

namespace {

/// An operand of the scan: how the sidecar names it, its type and shape,
/// and how its values are drawn.
struct Operand {
  std::string name;
  ElementType element;
  runtime::Shape shape;
  std::function<double(std::mt19937_64 &)> draw;
  HostTensor host;
};

std::function<double(std::mt19937_64 &)> normal(double mean, double stddev) {
  return [=](std::mt19937_64 &rng) {
    return std::normal_distribution<double>(mean, stddev)(rng);
  };
}

std::function<double(std::mt19937_64 &)> uniform(double lo, double hi) {
  return [=](std::mt19937_64 &rng) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
}

/// The operands in the function's argument order: u, delta, A, B, C, then
/// the optional ones present. Value ranges follow a trained Mamba: time
/// steps dt of 0.001 to 0.1 after the bias and softplus (delta_bias is the
/// inverse softplus of such a step), A = -exp(A_log) between -16 and -0.5.
std::vector<Operand> scanOperands(const ScanCase &c, const ScanShape &s) {
  ElementType act = c.element, f32 = ElementType::F32;
  std::function<double(std::mt19937_64 &)> delta, bias;
  if (c.deltaSoftplus && c.hasDeltaBias) {
    delta = normal(0.0, 0.5);
    bias = uniform(-6.9, -2.25);
  } else if (c.deltaSoftplus) {
    delta = uniform(-6.9, -2.25);
  } else {
    delta = uniform(0.001, 0.1);
    bias = uniform(0.0, 0.05);
  }
  std::vector<Operand> ops = {
      {"u", act, {s.b, s.d, s.L}, normal(0, 1), {}},
      {"delta", act, {s.b, s.d, s.L}, delta, {}},
      {"A",
       f32,
       {s.d, s.N},
       [](std::mt19937_64 &rng) {
         return -std::exp(std::uniform_real_distribution<double>(
             std::log(0.5), std::log(16.0))(rng));
       },
       {}},
      {"B", act, {s.b, s.G, s.N, s.L}, normal(0, 1), {}},
      {"C", act, {s.b, s.G, s.N, s.L}, normal(0, 1), {}},
  };
  if (c.hasD)
    ops.push_back({"D", f32, {s.d}, normal(0, 1), {}});
  if (c.hasZ)
    ops.push_back({"z", act, {s.b, s.d, s.L}, normal(0, 1), {}});
  if (c.hasDeltaBias)
    ops.push_back({"delta_bias", f32, {s.d}, bias, {}});
  if (c.hasInitialState)
    ops.push_back({"initial_state", f32, {s.b, s.d, s.N}, normal(0, 1), {}});
  return ops;
}

const FunctionSpec *pickFunction(const runtime::ModuleFile &file,
                                 const std::string &name, std::string &error) {
  if (!name.empty()) {
    const FunctionSpec *fn = file.findFunction(name);
    if (!fn)
      error = file.sourceName() + " has no function '" + name + "'";
    return fn;
  }
  if (file.functions().size() != 1) {
    error = file.sourceName() + " has " +
            std::to_string(file.functions().size()) +
            " functions; name one with \"function\" in the sidecar";
    return nullptr;
  }
  return &file.functions()[0];
}

/// The reference on host tensors in the function's operand order (u,
/// delta, A, B, C, then the optional ones the case has).
reference::SelectiveScanResult
referenceScan(const ScanCase &c, const std::vector<const HostTensor *> &ops) {
  std::vector<reference::Tensor> in;
  for (const HostTensor *t : ops)
    in.push_back(t->toReference());
  size_t next = 5;
  auto optional = [&](bool present) { return present ? &in[next++] : nullptr; };
  const reference::Tensor *D = optional(c.hasD);
  const reference::Tensor *z = optional(c.hasZ);
  const reference::Tensor *bias = optional(c.hasDeltaBias);
  const reference::Tensor *init = optional(c.hasInitialState);
  return reference::selectiveScan(in[0], in[1], in[2], in[3], in[4], D, z,
                                  bias, init, c.deltaSoftplus);
}

/// The bits of a small constant in `element`, for the unchecked channels.
uint32_t constantBits(ElementType element, float value) {
  switch (element) {
  case ElementType::F16:
    return floatToHalfBits(value);
  case ElementType::BF16:
    return floatToBfloat16Bits(value);
  default: {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    return bits;
  }
  }
}

bool fillConstant(cuda::DeviceBuffer &buffer, ElementType element, float value,
                  std::string &error) {
  uint32_t bits = constantBits(element, value);
  return element == ElementType::F32
             ? buffer.fill32(bits, error)
             : buffer.fill16(static_cast<uint16_t>(bits), error);
}

/// A case too large for the reference on every channel (L of a million, or
/// b*d*L past 2^31 elements): u, delta and z are a constant everywhere but
/// in the checked channels' rows, which get random values; only those rows
/// of y (and of the final state) are compared, against the reference run on
/// the checked channels alone (they depend on nothing else, G being 1).
void runSampledChannels(const ScanCase &c, size_t shapeIndex,
                        const cuda::LoadedModule &module,
                        const FunctionSpec &fn, std::vector<Operand> &ops) {
  const ScanShape &s = c.shapes[shapeIndex];
  const cuda::Device &device = module.device();
  const std::vector<int64_t> &channels = c.checkedChannels;
  const int64_t k = static_cast<int64_t>(channels.size());
  std::mt19937_64 rng(caseSeed(c.name, shapeIndex));
  std::string error;

  // The reference's view: the checked channels as channels 0..k-1.
  std::vector<HostTensor> sliced;
  std::vector<cuda::DeviceBuffer> buffers(ops.size());
  std::vector<TensorRef> args;
  std::vector<runtime::Shape> argShapes;
  for (size_t i = 0; i < ops.size(); ++i) {
    Operand &op = ops[i];
    bool perTimestep = op.name == "u" || op.name == "delta" || op.name == "z";
    bool perChannel = op.name == "A" || op.name == "D" ||
                      op.name == "delta_bias" || op.name == "initial_state";
    uint64_t bytes;
    ASSERT_TRUE(runtime::tensorBytes(op.element, op.shape, bytes, error))
        << error;
    ASSERT_TRUE(buffers[i].allocate(device, bytes, error)) << error;
    args.push_back({buffers[i].address(), op.shape});
    argShapes.push_back(op.shape);
    if (!perTimestep && !perChannel) {
      // B and C: every channel reads them; drawn whole.
      op.host = HostTensor(op.element, op.shape);
      for (int64_t e = 0; e < op.host.numel(); ++e)
        op.host.set(e, op.draw(rng));
      ASSERT_TRUE(buffers[i].copyFromHost(op.host.bytes().data(),
                                          op.host.bytes().size(), error))
          << op.name << ": " << error;
      sliced.push_back(op.host);
      continue;
    }
    // [d, rest] or [b, d, rest]: the channel is dimension 0 or 1.
    size_t channelDim = op.shape.size() == 3 ? 1 : 0;
    int64_t outer = channelDim == 1 ? op.shape[0] : 1;
    int64_t inner = 1;
    for (size_t dim = channelDim + 1; dim < op.shape.size(); ++dim)
      inner *= op.shape[dim];
    runtime::Shape slicedShape = op.shape;
    slicedShape[channelDim] = k;
    HostTensor part(op.element, slicedShape);
    size_t element = runtime::elementTypeSize(op.element);
    if (perTimestep)
      ASSERT_TRUE(fillConstant(buffers[i], op.element, op.name == "delta"
                                                           ? 0.0f
                                                           : 0.5f,
                               error))
          << error;
    else
      ASSERT_TRUE(fillConstant(buffers[i], op.element, 0.0f, error)) << error;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < k; ++j) {
        int64_t row = (o * k + j) * inner;
        for (int64_t e = 0; e < inner; ++e)
          part.set(row + e, op.draw(rng));
        uint64_t offset =
            static_cast<uint64_t>((o * s.d + channels[j]) * inner) * element;
        ASSERT_TRUE(buffers[i].copyFromHost(part.bytes().data() +
                                                row * element,
                                            inner * element, error, offset))
            << op.name << ": " << error;
      }
    sliced.push_back(std::move(part));
  }
  ASSERT_TRUE(runtime::checkArgShapes(fn, argShapes, error)) << error;

  std::vector<cuda::DeviceTensor> results;
  ASSERT_TRUE(
      cuda::allocateResults(module, fn.name, argShapes, results, error))
      << error;
  std::vector<TensorRef> resultRefs;
  for (cuda::DeviceTensor &r : results) {
    ASSERT_TRUE(poison(r, error)) << error;
    resultRefs.push_back(r.ref());
  }
  ASSERT_TRUE(cuda::launchFunction(module, fn.name, args, resultRefs, error))
      << error;

  // The checked rows of each result, in the sliced layout.
  auto download = [&](size_t r, int64_t inner) {
    const cuda::DeviceTensor &t = results[r];
    size_t element = runtime::elementTypeSize(t.element);
    HostTensor row(t.element, {inner});
    std::vector<double> values;
    for (int64_t bi = 0; bi < s.b; ++bi)
      for (int64_t ch : channels) {
        uint64_t offset =
            static_cast<uint64_t>((bi * s.d + ch) * inner) * element;
        EXPECT_TRUE(t.buffer.copyToHost(row.bytes().data(), inner * element,
                                        error, offset))
            << error;
        for (int64_t e = 0; e < inner; ++e)
          values.push_back(row.get(e));
      }
    return values;
  };
  std::vector<double> y = download(0, s.L);
  std::vector<double> finalState;
  if (c.finalState)
    finalState = download(1, s.N);

  std::vector<const HostTensor *> inputs;
  for (const HostTensor &t : sliced)
    inputs.push_back(&t);
  reference::SelectiveScanResult expected = referenceScan(c, inputs);

  double tolerance = scanTolerance(c.element);
  auto compare = [&](const char *what, const std::vector<double> &actual,
                     const reference::Tensor &ref) {
    return compareToReference(what, actual, ref.values(), c.element);
  };
  std::printf("  %s %s (channels sampled: %lld): y rel L2 %.3g", c.name.c_str(),
              s.name().c_str(), static_cast<long long>(k),
              compare("y", y, expected.y));
  if (c.finalState)
    std::printf(", final_state %.3g",
                compare("final_state", finalState, expected.finalState));
  std::printf(" (limit %.0e)\n", tolerance);
}

} // namespace

double scanTolerance(ElementType element) { return elementTolerance(element); }

void SelectiveScanGpuTest::TestBody() {
  MAMBA_REQUIRE_GPU();
  const ScanShape &shape = case_.shapes[shapeIndex_];
  const cuda::Device &device = gpuState().device;
  std::string error;
  const LoadedModuleFile *loaded = loadModuleFile(case_.modulePath, error);
  ASSERT_NE(loaded, nullptr) << error;
  const FunctionSpec *fn = pickFunction(loaded->file, case_.function, error);
  ASSERT_NE(fn, nullptr) << error;

  // The module must be the scan the sidecar describes.
  std::vector<Operand> ops = scanOperands(case_, shape);
  std::string names;
  for (const Operand &op : ops)
    names += (names.empty() ? "" : ", ") + op.name;
  ASSERT_EQ(fn->args.size(), ops.size())
      << case_.casePath << " describes " << ops.size() << " operands (" << names
      << "), but function '" << fn->name << "' takes " << fn->args.size();
  for (size_t i = 0; i < ops.size(); ++i)
    ASSERT_EQ(fn->args[i].element, ops[i].element)
        << "operand " << ops[i].name << " is "
        << runtime::elementTypeName(fn->args[i].element) << " in "
        << case_.modulePath << ", the sidecar implies "
        << runtime::elementTypeName(ops[i].element);
  size_t resultCount = case_.finalState ? 2 : 1;
  ASSERT_EQ(fn->results.size(), resultCount)
      << "function '" << fn->name << "' has " << fn->results.size()
      << " results; the sidecar says final_state is "
      << (case_.finalState ? "true" : "false");
  ASSERT_EQ(fn->results[0].element, case_.element) << "the element type of y";
  if (case_.finalState) {
    ASSERT_EQ(fn->results[1].element, ElementType::F32) << "final_state is f32";
  }

  if (!case_.checkedChannels.empty()) {
    runSampledChannels(case_, shapeIndex_, loaded->module, *fn, ops);
    return;
  }

  // Fresh inputs for this shape, uploaded exactly as drawn.
  std::mt19937_64 rng(caseSeed(case_.name, shapeIndex_));
  std::vector<runtime::Shape> argShapes;
  std::vector<cuda::DeviceBuffer> buffers(ops.size());
  std::vector<TensorRef> args;
  for (size_t i = 0; i < ops.size(); ++i) {
    Operand &op = ops[i];
    op.host = HostTensor(op.element, op.shape);
    for (int64_t k = 0; k < op.host.numel(); ++k)
      op.host.set(k, op.draw(rng));
    ASSERT_TRUE(buffers[i].allocate(device, op.host.bytes().size(), error) &&
                buffers[i].copyFromHost(op.host.bytes().data(),
                                        op.host.bytes().size(), error))
        << op.name << ": " << error;
    argShapes.push_back(op.shape);
    args.push_back({buffers[i].address(), op.shape});
  }
  ASSERT_TRUE(runtime::checkArgShapes(*fn, argShapes, error))
      << "shape " << shape.name() << " of " << case_.casePath
      << " does not fit the module: " << error;

  std::vector<cuda::DeviceTensor> results;
  ASSERT_TRUE(cuda::allocateResults(loaded->module, fn->name, argShapes,
                                    results, error))
      << error;
  runtime::Shape yShape = {shape.b, shape.d, shape.L};
  runtime::Shape stateShape = {shape.b, shape.d, shape.N};
  ASSERT_EQ(results[0].shape, yShape) << "y's shape from the module";
  if (case_.finalState) {
    ASSERT_EQ(results[1].shape, stateShape) << "final_state's shape";
  }
  std::vector<TensorRef> resultRefs;
  for (cuda::DeviceTensor &r : results) {
    ASSERT_TRUE(poison(r, error)) << error;
    resultRefs.push_back(r.ref());
  }

  ASSERT_TRUE(
      cuda::launchFunction(loaded->module, fn->name, args, resultRefs, error))
      << error;

  auto download = [&](size_t r) {
    HostTensor host(results[r].element, results[r].shape);
    EXPECT_TRUE(results[r].buffer.copyToHost(host.bytes().data(),
                                             host.bytes().size(), error))
        << error;
    std::vector<double> values(static_cast<size_t>(host.numel()));
    for (int64_t k = 0; k < host.numel(); ++k)
      values[k] = host.get(k);
    return values;
  };
  std::vector<double> y = download(0);
  std::vector<double> finalState;
  if (case_.finalState)
    finalState = download(1);

  // The reference on the very values uploaded.
  std::vector<const HostTensor *> inputs;
  for (const Operand &op : ops)
    inputs.push_back(&op.host);
  reference::SelectiveScanResult expected = referenceScan(case_, inputs);

  double tolerance = scanTolerance(case_.element);
  auto compare = [&](const char *what, const std::vector<double> &actual,
                     const reference::Tensor &ref) {
    return compareToReference(what, actual, ref.values(), case_.element);
  };
  char line[256];
  int n = std::snprintf(line, sizeof(line), "  %s %s: y rel L2 %.3g",
                        case_.name.c_str(), shape.name().c_str(),
                        compare("y", y, expected.y));
  if (case_.finalState && n > 0 && n < int(sizeof(line)))
    n += std::snprintf(line + n, sizeof(line) - n, ", final_state %.3g",
                       compare("final_state", finalState, expected.finalState));
  if (n > 0 && n < int(sizeof(line)))
    std::snprintf(line + n, sizeof(line) - n, " (limit %.0e)", tolerance);
  std::printf("%s\n", line);
}

} // namespace mamba::gpu_test
