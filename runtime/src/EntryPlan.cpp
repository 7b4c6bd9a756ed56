//===- EntryPlan.cpp - Placing a model entry's buffers --------------------===//

#include "mamba/Runtime/EntryPlan.h"

#include "mamba/Runtime/Format.h"
#include "mamba/Runtime/LaunchPlan.h"

#include <algorithm>

namespace mamba::runtime {

namespace {

bool checkInputs(const EntrySpec &entry, const std::vector<Shape> &shapes,
                 std::string &error) {
  const std::string what = "entry '" + entry.name + "'";
  if (shapes.size() != entry.inputs.size()) {
    error = what + " takes " + std::to_string(entry.inputs.size()) +
            " inputs, got " + std::to_string(shapes.size());
    return false;
  }
  for (size_t i = 0; i < shapes.size(); ++i) {
    const EntryInputSpec &input = entry.inputs[i];
    const Shape &shape = shapes[i];
    std::string where = what + " input '" + input.name + "'";
    if (shape.size() != input.shape.size()) {
      error = where + " has rank " + std::to_string(shape.size()) +
              ", expected " + std::to_string(input.shape.size()) + " (" +
              formatShape(input.shape) + ")";
      return false;
    }
    for (size_t d = 0; d < shape.size(); ++d) {
      if (shape[d] < 0 || (input.shape[d] >= 0 && shape[d] != input.shape[d])) {
        error = where + " has shape " + formatShape(shape) + ", expected " +
                formatShape(input.shape) + " (-1: any size)";
        return false;
      }
    }
    // Dimension 0 of each layer's state is the batch of the ids (the first
    // input): the kernels index one by the other's batch. Other inputs
    // (prefill's logit rows) have sizes of their own.
    if (input.state && !shape.empty() && !shapes[0].empty() &&
        shape[0] != shapes[0][0]) {
      error = where + " has batch " + std::to_string(shape[0]) + ", but '" +
              entry.inputs[0].name + "' has batch " +
              std::to_string(shapes[0][0]);
      return false;
    }
  }
  return true;
}

struct Lifetime {
  uint32_t buffer = 0;
  size_t first = SIZE_MAX, last = 0;
};

} // namespace

bool planEntry(const EntrySpec &entry, const std::vector<Shape> &inputShapes,
               const std::set<uint32_t> &external, EntryLayout &layout,
               std::string &error) {
  layout = EntryLayout();
  if (!checkInputs(entry, inputShapes, error))
    return false;
  const size_t n = entry.buffers.size();
  layout.shapes.resize(n);
  layout.bytes.resize(n);
  layout.root.resize(n);
  layout.rootOffset.resize(n);
  layout.arenaOffset.assign(n, -1);
  for (size_t b = 0; b < n; ++b) {
    const BufferSpec &spec = entry.buffers[b];
    std::string where =
        "entry '" + entry.name + "' buffer " + std::to_string(b);
    Shape &shape = layout.shapes[b];
    for (size_t d = 0; d < spec.shape.size(); ++d) {
      int64_t value;
      std::string why;
      if (!spec.shape[d].evaluate(inputShapes, value, why) || value < 0) {
        error = where + " dimension " + std::to_string(d) + " (" +
                spec.shape[d].toString() + "): " +
                (why.empty() ? "negative size " + std::to_string(value) : why);
        return false;
      }
      shape.push_back(value);
    }
    if (!tensorBytes(spec.element, shape, layout.bytes[b], error)) {
      error = where + ": " + error;
      return false;
    }
    if (spec.source == BufferSpec::Source::Input &&
        shape != inputShapes[spec.index]) {
      error = where + " is input " + std::to_string(spec.index) +
              " with shape " + formatShape(shape) + ", but the input is " +
              formatShape(inputShapes[spec.index]);
      return false;
    }
    layout.root[b] = static_cast<uint32_t>(b);
    if (spec.source == BufferSpec::Source::View) {
      // A view lies in what it views: from `offset` elements in, its own
      // size, inside the viewed buffer (itself maybe a view).
      uint64_t elementBytes = elementTypeSize(spec.element);
      uint64_t begin = static_cast<uint64_t>(spec.offset);
      if (begin > layout.bytes[spec.of] / elementBytes ||
          layout.bytes[b] > layout.bytes[spec.of] - begin * elementBytes) {
        error = where + ": a view of " + formatShape(shape) + " at element " +
                std::to_string(spec.offset) + " runs past buffer " +
                std::to_string(spec.of) + " " +
                formatShape(layout.shapes[spec.of]);
        return false;
      }
      layout.root[b] = layout.root[spec.of];
      layout.rootOffset[b] = layout.rootOffset[spec.of] + begin * elementBytes;
    }
  }

  // Lifetimes of the temps, in step indices; outputs live to the end.
  std::vector<Lifetime> life(n);
  auto touch = [&](uint32_t buffer, size_t step) {
    Lifetime &l = life[layout.root[buffer]];
    l.buffer = layout.root[buffer];
    l.first = std::min(l.first, step);
    l.last = std::max(l.last, step);
  };
  for (size_t s = 0; s < entry.steps.size(); ++s) {
    const StepSpec &step = entry.steps[s];
    if (step.kind == StepSpec::Kind::Gemm) {
      touch(step.x, s);
      touch(step.w, s);
      touch(step.y, s);
      if (step.hasBias)
        touch(step.bias, s);
    } else {
      for (uint32_t a : step.args)
        touch(a, s);
      for (uint32_t r : step.results)
        touch(r, s);
    }
  }
  for (const EntryOutputSpec &output : entry.outputs)
    touch(output.buffer, entry.steps.size());

  std::vector<Lifetime> temps;
  for (size_t b = 0; b < n; ++b)
    if (entry.buffers[b].source == BufferSpec::Source::Temp &&
        life[b].first != SIZE_MAX && !external.count(b)) {
      temps.push_back(life[b]);
      layout.unsharedBytes += layout.bytes[b];
    }
  // Largest first, each at the lowest aligned offset clear of every placed
  // temp whose lifetime overlaps its own.
  std::stable_sort(temps.begin(), temps.end(),
                   [&](const Lifetime &a, const Lifetime &b) {
                     return layout.bytes[a.buffer] > layout.bytes[b.buffer];
                   });
  struct Placed {
    uint64_t begin, end;
    size_t first, last;
  };
  std::vector<Placed> placed;
  for (const Lifetime &t : temps) {
    uint64_t size = (layout.bytes[t.buffer] + kArenaAlignment - 1) /
                    kArenaAlignment * kArenaAlignment;
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (const Placed &p : placed)
      if (p.first <= t.last && t.first <= p.last)
        busy.push_back({p.begin, p.end});
    std::sort(busy.begin(), busy.end());
    uint64_t offset = 0;
    for (const auto &[begin, end] : busy) {
      if (offset + size <= begin)
        break;
      offset = std::max(offset, end);
    }
    placed.push_back({offset, offset + size, t.first, t.last});
    layout.arenaOffset[t.buffer] = static_cast<int64_t>(offset);
    layout.arenaBytes = std::max(layout.arenaBytes, offset + size);
  }
  return true;
}

StepCost stepCost(const EntrySpec &entry, const EntryLayout &layout,
                  size_t step) {
  StepCost cost;
  const StepSpec &s = entry.steps[step];
  if (s.kind == StepSpec::Kind::Kernel) {
    for (uint32_t b : s.args)
      cost.bytes += layout.bytes[b];
    for (uint32_t b : s.results)
      cost.bytes += layout.bytes[b];
    return cost;
  }
  cost.bytes = layout.bytes[s.x] + layout.bytes[s.w] + layout.bytes[s.y] +
               (s.hasBias ? layout.bytes[s.bias] : 0);
  // y = x * w^T with w [N, K]: y holds M * N elements.
  const Shape &w = layout.shapes[s.w];
  uint64_t yElements = 1;
  for (int64_t d : layout.shapes[s.y])
    yElements *= static_cast<uint64_t>(d);
  if (w.size() == 2)
    cost.flops = 2 * yElements * static_cast<uint64_t>(w[1]);
  return cost;
}

} // namespace mamba::runtime
