//===- LaunchPlan.cpp - From argument shapes to kernel launches -----------===//

#include "mamba/Runtime/LaunchPlan.h"

#include <cstdio>

namespace mamba::runtime {

namespace {

const char *kAxisNames[3] = {"x", "y", "z"};

std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof(text), "%llx",
                static_cast<unsigned long long>(value));
  return text;
}

} // namespace

bool tensorBytes(ElementType element, const Shape &shape, uint64_t &bytes,
                 std::string &error) {
  uint64_t n = elementTypeSize(element);
  for (int64_t d : shape) {
    if (d < 0) {
      error = "shape " + formatShape(shape) + " has a negative dimension";
      return false;
    }
    if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n)) {
      error = "shape " + formatShape(shape) + " of " +
              elementTypeName(element) + " overflows 64 bits in bytes";
      return false;
    }
  }
  bytes = n;
  return true;
}

bool checkArgShapes(const FunctionSpec &fn, const std::vector<Shape> &argShapes,
                    std::string &error) {
  if (argShapes.size() != fn.args.size()) {
    error = "function '" + fn.name + "' takes " +
            std::to_string(fn.args.size()) + " arguments, got " +
            std::to_string(argShapes.size());
    return false;
  }
  for (size_t a = 0; a < argShapes.size(); ++a) {
    const Shape &expected = fn.args[a].shape;
    const Shape &actual = argShapes[a];
    auto fail = [&](const std::string &why) {
      error = "function '" + fn.name + "': argument " + std::to_string(a) +
              " has shape " + formatShape(actual) + ", expected " +
              formatShape(expected) + " (-1 is dynamic): " + why;
      return false;
    };
    if (actual.size() != expected.size())
      return fail("the rank differs");
    for (size_t d = 0; d < actual.size(); ++d) {
      if (actual[d] < 0)
        return fail("dimension " + std::to_string(d) + " is negative");
      if (expected[d] >= 0 && actual[d] != expected[d])
        return fail("static dimension " + std::to_string(d) + " differs");
    }
  }
  return true;
}

bool planFunction(const FunctionSpec &fn, const std::vector<Shape> &argShapes,
                  const DeviceLimits &limits, FunctionPlan &plan,
                  std::string &error) {
  plan = FunctionPlan();
  if (!checkArgShapes(fn, argShapes, error))
    return false;

  // Results and scratch buffers: shapes are expressions over the args.
  auto evaluateBuffers = [&](const std::vector<ResultSpec> &specs,
                             const char *kind, std::vector<Shape> &shapes,
                             std::vector<uint64_t> &sizes) {
    for (size_t r = 0; r < specs.size(); ++r) {
      const ResultSpec &spec = specs[r];
      std::string where =
          "function '" + fn.name + "': " + kind + " " + std::to_string(r);
      Shape shape;
      for (size_t d = 0; d < spec.shape.size(); ++d) {
        int64_t size;
        std::string why;
        if (!spec.shape[d].evaluate(argShapes, size, why)) {
          error = where + " dimension " + std::to_string(d) + ": " + why;
          return false;
        }
        if (size < 0) {
          error = where + " dimension " + std::to_string(d) + ": " +
                  spec.shape[d].toString() + " is negative (" +
                  std::to_string(size) + ")";
          return false;
        }
        shape.push_back(size);
      }
      uint64_t bytes;
      std::string why;
      if (!tensorBytes(spec.element, shape, bytes, why)) {
        error = where + ": " + why;
        return false;
      }
      shapes.push_back(std::move(shape));
      sizes.push_back(bytes);
    }
    return true;
  };
  if (!evaluateBuffers(fn.results, "result", plan.resultShapes,
                       plan.resultBytes) ||
      !evaluateBuffers(fn.scratch, "scratch buffer", plan.scratchShapes,
                       plan.scratchBytes))
    return false;

  for (size_t l = 0; l < fn.launches.size(); ++l) {
    const LaunchSpec &launch = fn.launches[l];
    std::string where = "function '" + fn.name + "': launch " +
                        std::to_string(l) + " (" + launch.kernel + ")";
    auto evaluate = [&](const ShapeExpr &e, const std::string &what,
                        int64_t min, int64_t max, uint32_t &out) {
      int64_t v;
      std::string why;
      if (!e.evaluate(argShapes, v, why)) {
        error = where + " " + what + ": " + why;
        return false;
      }
      if (v < min || v > max) {
        std::string value = std::to_string(v);
        error = where + " " + what + " = " +
                (e.isConstant() ? value : e.toString() + " = " + value) +
                " is outside the device's range [" + std::to_string(min) +
                ", " + std::to_string(max) + "]";
        return false;
      }
      out = static_cast<uint32_t>(v);
      return true;
    };
    LaunchDims dims;
    int64_t threads = 1;
    for (int i = 0; i < 3; ++i) {
      if (!evaluate(launch.grid[i], std::string("grid.") + kAxisNames[i], 1,
                    limits.maxGrid[i], dims.grid[i]) ||
          !evaluate(launch.block[i], std::string("block.") + kAxisNames[i], 1,
                    limits.maxBlock[i], dims.block[i]))
        return false;
      threads *= dims.block[i]; // At most 2^30 each: cannot overflow.
    }
    if (threads > limits.maxThreadsPerBlock) {
      error = where + ": a block of " + std::to_string(dims.block[0]) + "x" +
              std::to_string(dims.block[1]) + "x" +
              std::to_string(dims.block[2]) + " = " + std::to_string(threads) +
              " threads is more than the device's " +
              std::to_string(limits.maxThreadsPerBlock);
      return false;
    }
    if (!evaluate(launch.sharedBytes, "shared_bytes", 0,
                  limits.maxSharedBytesPerBlock, dims.sharedBytes))
      return false;
    plan.launches.push_back(dims);
  }
  return true;
}

bool packKernelParams(const LaunchSpec &launch,
                      const std::vector<TensorRef> &args,
                      const std::vector<TensorRef> &results,
                      std::vector<uint64_t> &slots, std::string &error,
                      const std::vector<TensorRef> &scratch) {
  slots.clear();
  for (size_t p = 0; p < launch.params.size(); ++p) {
    const KernelParamSpec &param = launch.params[p];
    const std::vector<TensorRef> &tensors =
        param.source == ParamSource::Arg      ? args
        : param.source == ParamSource::Result ? results
                                              : scratch;
    std::string name =
        std::string(param.source == ParamSource::Arg      ? "argument "
                    : param.source == ParamSource::Result ? "result "
                                                          : "scratch buffer ") +
        std::to_string(param.index);
    auto fail = [&](const std::string &why) {
      error = "kernel '" + launch.kernel + "' parameter " + std::to_string(p) +
              " (" + name + "): " + why;
      return false;
    };
    if (param.index >= tensors.size())
      return fail("only " + std::to_string(tensors.size()) + " given");
    const TensorRef &t = tensors[param.index];
    if (t.shape.size() != param.rank)
      return fail("has rank " + std::to_string(t.shape.size()) +
                  ", the kernel expects " + std::to_string(param.rank));
    // Kernels read and write up to 16 bytes at a time from a buffer's start
    // (the compiler assumes it); a misaligned one would fault on the GPU.
    if (t.address % kBufferAlignment != 0)
      return fail("address 0x" + hex(t.address) + " is not " +
                  std::to_string(kBufferAlignment) +
                  "-byte aligned, as kernels need their buffers");

    // Row-major strides, computed back to front with overflow checks (the
    // shape may come from a caller).
    Shape strides(param.rank);
    int64_t stride = 1;
    for (size_t d = param.rank; d-- > 0;) {
      if (t.shape[d] < 0)
        return fail("dimension " + std::to_string(d) + " is negative");
      strides[d] = stride;
      if (__builtin_mul_overflow(stride, t.shape[d], &stride))
        return fail("the element count overflows 64 bits");
    }
    slots.push_back(t.address); // allocated pointer
    slots.push_back(t.address); // aligned pointer
    slots.push_back(0);         // offset
    for (int64_t size : t.shape)
      slots.push_back(static_cast<uint64_t>(size));
    for (int64_t s : strides)
      slots.push_back(static_cast<uint64_t>(s));
  }
  return true;
}

namespace {

std::vector<Shape> shapesOf(const std::vector<TensorRef> &tensors) {
  std::vector<Shape> shapes;
  for (const TensorRef &t : tensors)
    shapes.push_back(t.shape);
  return shapes;
}

/// Non-empty tensors need memory behind them.
bool checkAddresses(const FunctionSpec &fn, const std::vector<TensorRef> &ts,
                    bool areArgs, std::string &error) {
  for (size_t i = 0; i < ts.size(); ++i) {
    const ElementType element =
        areArgs ? fn.args[i].element : fn.results[i].element;
    uint64_t bytes;
    if (!tensorBytes(element, ts[i].shape, bytes, error))
      return false;
    if (bytes && !ts[i].address) {
      error = "function '" + fn.name +
              "': " + (areArgs ? "argument " : "result ") + std::to_string(i) +
              " of shape " + formatShape(ts[i].shape) + " has no memory";
      return false;
    }
  }
  return true;
}

} // namespace

const FunctionSpec *findFunction(const ModuleFile &file,
                                 const std::string &name, std::string &error) {
  const FunctionSpec *fn = file.findFunction(name);
  if (!fn) {
    std::string known;
    for (const FunctionSpec &f : file.functions())
      known += (known.empty() ? "" : ", ") + f.name;
    error = file.sourceName() + ": no function '" + name +
            "' (it has: " + (known.empty() ? "none" : known) + ")";
  }
  return fn;
}

bool planCall(const ModuleFile &file, const std::string &functionName,
              const std::vector<TensorRef> &args,
              const std::vector<TensorRef> &results, const DeviceLimits &limits,
              const FunctionSpec *&fn, FunctionPlan &plan, std::string &error) {
  fn = findFunction(file, functionName, error);
  if (!fn)
    return false;
  if (!planFunction(*fn, shapesOf(args), limits, plan, error))
    return false;
  if (results.size() != fn->results.size()) {
    error = "function '" + fn->name + "' has " +
            std::to_string(fn->results.size()) + " results, got " +
            std::to_string(results.size()) + " buffers";
    return false;
  }
  for (size_t r = 0; r < results.size(); ++r) {
    if (results[r].shape != plan.resultShapes[r]) {
      error = "function '" + fn->name + "': result " + std::to_string(r) +
              " has shape " + formatShape(results[r].shape) + ", expected " +
              formatShape(plan.resultShapes[r]);
      return false;
    }
  }
  return checkAddresses(*fn, args, true, error) &&
         checkAddresses(*fn, results, false, error);
}

bool haveShapes(const std::string &function, const char *what,
                const std::vector<Shape> &prepared,
                const std::vector<TensorRef> &tensors, std::string &error) {
  if (tensors.size() != prepared.size()) {
    error = "function '" + function + "': prepared with " +
            std::to_string(prepared.size()) + " " + what + ", given " +
            std::to_string(tensors.size());
    return false;
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].shape != prepared[i]) {
      error = "function '" + function + "': " + what + " " + std::to_string(i) +
              " has shape " + formatShape(tensors[i].shape) +
              ", the call was prepared for " + formatShape(prepared[i]);
      return false;
    }
  return true;
}

} // namespace mamba::runtime
