//===- EntryBinding.cpp - An entry's operands, resolved -------------------===//

#include "mamba/Runtime/EntryBinding.h"

#include <algorithm>
#include <climits>

namespace mamba::runtime {

bool describeGemm(const Shape &x, const Shape &w, const Shape &y,
                  const Shape *biasShape, bool xFeaturesMajor,
                  bool yFeaturesMajor, GemmProblem &problem,
                  std::string &error) {
  auto bad = [&](const std::string &what) {
    error = "gemm x " + formatShape(x) +
            (xFeaturesMajor ? " (features-major)" : "") + ", w " +
            formatShape(w) + ", y " + formatShape(y) +
            (yFeaturesMajor ? " (features-major)" : "") + ": " + what;
    return false;
  };
  if (w.size() != 2)
    return bad("w must be [M, K]");
  int64_t m = w[0], k = w[1];
  bool batched = xFeaturesMajor || yFeaturesMajor;
  if (batched && (x.size() != 3 || y.size() != 3))
    return bad("a features-major operand needs x and y of rank 3");
  if (x.size() < 2 || y.size() != x.size())
    return bad("x and y must have one rank, at least 2");
  int64_t xK = xFeaturesMajor ? x[1] : x.back();
  int64_t yM = yFeaturesMajor ? y[1] : y.back();
  if (xK != k)
    return bad("x has " + std::to_string(xK) + " features, w " +
               std::to_string(k));
  if (yM != m)
    return bad("y has " + std::to_string(yM) + " features, w " +
               std::to_string(m));
  if (biasShape && (biasShape->size() != 1 || (*biasShape)[0] != m))
    return bad("the bias is " + formatShape(*biasShape) + ", expected [" +
               std::to_string(m) + "]");
  if (batched) {
    int64_t xL = xFeaturesMajor ? x[2] : x[1];
    int64_t yL = yFeaturesMajor ? y[2] : y[1];
    if (x[0] != y[0] || xL != yL)
      return bad("x and y differ in batch or length");
    problem.batch = x[0];
    problem.tokens = xL;
  } else {
    int64_t rows = 1;
    for (size_t i = 0; i + 1 < x.size(); ++i) {
      if (x[i] != y[i])
        return bad("x and y differ in dimension " + std::to_string(i));
      if (x[i] != 0 && rows > INT64_MAX / x[i])
        return bad("too many rows");
      rows *= x[i];
    }
    problem.batch = 1;
    problem.tokens = rows;
  }
  problem.m = m;
  problem.k = k;
  problem.xFeaturesMajor = xFeaturesMajor;
  problem.yFeaturesMajor = yFeaturesMajor;
  return true;
}

bool externalOutputs(const EntrySpec &entry,
                     const std::map<std::string, TensorRef> &outputsTo,
                     std::set<uint32_t> &external, std::string &error) {
  const std::string what = "entry '" + entry.name + "'";
  for (const auto &[name, tensor] : outputsTo) {
    auto it =
        std::find_if(entry.outputs.begin(), entry.outputs.end(),
                     [&](const EntryOutputSpec &o) { return o.name == name; });
    if (it == entry.outputs.end()) {
      error = what + " has no output '" + name + "' to bind";
      return false;
    }
    if (entry.buffers[it->buffer].source != BufferSpec::Source::Temp) {
      error = what + " output '" + name +
              "' is not an activation; it cannot be bound";
      return false;
    }
    external.insert(it->buffer);
  }
  return true;
}

bool bindEntry(const EntrySpec &entry, const std::vector<Shape> &inputShapes,
               const EntryLayout &layout, const EntryAddresses &addresses,
               int64_t multiprocessors, std::vector<BoundStep> &steps,
               std::vector<TensorRef> &outputs, std::string &error) {
  steps.clear();
  outputs.clear();
  const std::string what = "entry '" + entry.name + "'";
  if (addresses.inputs.size() != entry.inputs.size()) {
    error = what + " takes " + std::to_string(entry.inputs.size()) +
            " inputs, got " + std::to_string(addresses.inputs.size());
    return false;
  }
  // Every root buffer's address, then every buffer's.
  std::vector<uint64_t> rootAddress(entry.buffers.size(), 0);
  for (uint32_t b = 0; b < entry.buffers.size(); ++b) {
    const BufferSpec &spec = entry.buffers[b];
    const std::vector<uint64_t> *table = nullptr;
    switch (spec.source) {
    case BufferSpec::Source::Input:
      rootAddress[b] = addresses.inputs[spec.index].address;
      break;
    case BufferSpec::Source::Weight:
      table = &addresses.weights;
      break;
    case BufferSpec::Source::Derived:
      table = &addresses.derived;
      break;
    case BufferSpec::Source::Temp:
      if (layout.arenaOffset[b] >= 0)
        rootAddress[b] =
            addresses.arena + static_cast<uint64_t>(layout.arenaOffset[b]);
      break;
    case BufferSpec::Source::View:
      break;
    }
    if (table) {
      if (spec.index >= table->size()) {
        error = what + " buffer " + std::to_string(b) +
                ": no address for its weight " + std::to_string(spec.index);
        return false;
      }
      rootAddress[b] = (*table)[spec.index];
    }
  }
  for (const auto &[name, tensor] : addresses.outputsTo) {
    for (const EntryOutputSpec &o : entry.outputs) {
      if (o.name != name)
        continue;
      if (tensor.shape != layout.shapes[o.buffer]) {
        error = what + " output '" + name + "' is bound to a tensor of shape " +
                formatShape(tensor.shape) + ", expected " +
                formatShape(layout.shapes[o.buffer]);
        return false;
      }
      rootAddress[o.buffer] = tensor.address;
    }
  }
  auto ref = [&](uint32_t b) {
    return TensorRef{rootAddress[layout.root[b]] + layout.rootOffset[b],
                     layout.shapes[b]};
  };

  for (size_t s = 0; s < entry.steps.size(); ++s) {
    const StepSpec &spec = entry.steps[s];
    BoundStep step;
    std::string where = what + " step " + std::to_string(s);
    if (spec.kind == StepSpec::Kind::Gemm) {
      step.gemm = true;
      step.problem.element = entry.buffers[spec.w].element;
      const Shape *bias = spec.hasBias ? &layout.shapes[spec.bias] : nullptr;
      if (!describeGemm(layout.shapes[spec.x], layout.shapes[spec.w],
                        layout.shapes[spec.y], bias, spec.xFeaturesMajor,
                        spec.yFeaturesMajor, step.problem, error)) {
        error = where + ": " + error;
        return false;
      }
      step.problem.x = ref(spec.x).address;
      step.problem.w = ref(spec.w).address;
      step.problem.y = ref(spec.y).address;
      step.problem.bias = spec.hasBias ? ref(spec.bias).address : 0;
    } else {
      for (uint32_t a : spec.args)
        step.args.push_back(ref(a));
      for (uint32_t r : spec.results)
        step.results.push_back(ref(r));
      // The first variant meant for these shapes, else the default.
      step.function = spec.function;
      for (const KernelVariant &variant : spec.variants) {
        int64_t blocks;
        if (!variant.whenBlocksBelowSms.evaluate(inputShapes, blocks, error)) {
          error = where + ": choosing a variant: " + error;
          return false;
        }
        if (blocks < multiprocessors) {
          step.function = variant.function;
          break;
        }
      }
    }
    steps.push_back(std::move(step));
  }
  for (const EntryOutputSpec &o : entry.outputs)
    outputs.push_back(ref(o.buffer));
  return true;
}

} // namespace mamba::runtime
