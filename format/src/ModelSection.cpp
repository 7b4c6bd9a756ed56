//===- ModelSection.cpp - Reading a module file's model section -----------===//
//
// Everything the executor relies on is checked here, once, so that running a
// plan never indexes out of range: buffer, weight, input and function
// references; element types and ranks against the functions' signatures;
// constant shapes of weights; and data flow (a step only reads buffers that
// are loaded or written by an earlier step, and only writes activations).
//
//===----------------------------------------------------------------------===//

#include "HeaderJson.h"

#include <limits>
#include <set>

namespace mamba::format {

using namespace header;

const EntrySpec *ModelSpec::findEntry(const std::string &name) const {
  for (const EntrySpec &entry : entries)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

std::optional<int64_t> ModelSpec::configInt(const std::string &name) const {
  auto it = config.find(name);
  if (it == config.end())
    return std::nullopt;
  if (it->second.kind == ConfigValue::Kind::Int)
    return it->second.intValue;
  if (it->second.kind == ConfigValue::Kind::Bool)
    return it->second.boolValue ? 1 : 0;
  return std::nullopt;
}

ConfigValue ConfigValue::ofInt(int64_t v) {
  ConfigValue c;
  c.kind = Kind::Int;
  c.intValue = v;
  return c;
}

ConfigValue ConfigValue::ofBool(bool v) {
  ConfigValue c;
  c.kind = Kind::Bool;
  c.boolValue = v;
  return c;
}

ConfigValue ConfigValue::ofFloat(double v) {
  ConfigValue c;
  c.kind = Kind::Float;
  c.floatValue = v;
  return c;
}

ConfigValue ConfigValue::ofString(std::string v) {
  ConfigValue c;
  c.kind = Kind::String;
  c.stringValue = std::move(v);
  return c;
}

namespace {

constexpr uint64_t kMaxIndex = std::numeric_limits<uint32_t>::max();

bool parseStaticShape(const json &object, const std::string &where,
                      bool allowDynamic, Shape &out, std::string &problem) {
  const json *shape;
  if (!getArrayField(object, "shape", where, shape, problem))
    return false;
  if (!checkRank(shape->size(), where + ".shape", problem))
    return false;
  for (size_t i = 0; i < shape->size(); ++i) {
    int64_t d;
    if (!getInt64((*shape)[i], d) || d < (allowDynamic ? -1 : 0))
      return fail(problem, indexed(where + ".shape", i),
                  allowDynamic
                      ? "expected a size of at least 0, or -1 for a dynamic one"
                      : "expected a size of at least 0");
    out.push_back(d);
  }
  return true;
}

bool getBoolField(const json &object, const char *name,
                  const std::string &where, bool &out, std::string &problem) {
  const json *v = findField(object, name);
  if (!v)
    return true; // absent: false
  if (!v->is_boolean())
    return fail(problem, where + "." + name,
                "expected true or false, got " + describe(*v));
  out = v->get<bool>();
  return true;
}

bool parseConfig(const json &v, ModelSpec &out, std::string &problem) {
  if (!requireObject(v, "model.config", problem))
    return false;
  for (auto it = v.begin(); it != v.end(); ++it) {
    const json &value = it.value();
    int64_t i;
    if (value.is_boolean())
      out.config[it.key()] = ConfigValue::ofBool(value.get<bool>());
    else if (getInt64(value, i))
      out.config[it.key()] = ConfigValue::ofInt(i);
    else if (value.is_number_float())
      out.config[it.key()] = ConfigValue::ofFloat(value.get<double>());
    else if (value.is_string())
      out.config[it.key()] = ConfigValue::ofString(value.get<std::string>());
    else
      return fail(problem, "model.config." + it.key(),
                  "expected a 64-bit integer, a number, true, false or a "
                  "string, got " +
                      describe(value));
  }
  return true;
}

bool parseWeights(const json &model, ModelSpec &out, std::string &problem) {
  const json *weights;
  if (!getArrayField(model, "weights", "model", weights, problem))
    return false;
  std::set<std::string> names;
  for (size_t i = 0; i < weights->size(); ++i) {
    std::string where = indexed("model.weights", i);
    const json &v = (*weights)[i];
    WeightSpec weight;
    if (!requireObject(v, where, problem) ||
        !getStringField(v, "name", where, weight.name, problem) ||
        !getElementField(v, where, weight.element, problem) ||
        !parseStaticShape(v, where, false, weight.shape, problem))
      return false;
    if (!names.insert(weight.name).second)
      return fail(problem, where + ".name",
                  "a second weight named '" + weight.name + "'");
    out.weights.push_back(std::move(weight));
  }
  return true;
}

bool parseDerived(const json &model, ModelSpec &out, std::string &problem) {
  const json *derived = findField(model, "derived");
  if (!derived)
    return true;
  if (!derived->is_array())
    return fail(problem, "model.derived",
                "expected an array, got " + describe(*derived));
  for (size_t i = 0; i < derived->size(); ++i) {
    std::string where = indexed("model.derived", i);
    const json &v = (*derived)[i];
    DerivedSpec spec;
    std::string transform;
    uint64_t weight;
    if (!requireObject(v, where, problem) ||
        !getStringField(v, "transform", where, transform, problem) ||
        !getUnsignedField(v, "weight", where, kMaxIndex, weight, problem) ||
        !getElementField(v, where, spec.element, problem) ||
        !parseStaticShape(v, where, false, spec.shape, problem))
      return false;
    if (transform != derivedTransformName(DerivedSpec::Transform::NegExp))
      return fail(problem, where + ".transform",
                  "unknown transform '" + transform + "' (expected neg_exp)");
    if (weight >= out.weights.size())
      return fail(problem, where + ".weight",
                  "weight " + std::to_string(weight) + " does not exist (" +
                      std::to_string(out.weights.size()) + " weights)");
    // neg_exp is elementwise: same shape as its source.
    if (spec.shape != out.weights[weight].shape)
      return fail(problem, where + ".shape",
                  "differs from the shape of weight '" +
                      out.weights[weight].name + "'");
    spec.weight = static_cast<uint32_t>(weight);
    out.derived.push_back(std::move(spec));
  }
  return true;
}

bool parseInputs(const json &entry, const std::string &where, EntrySpec &out,
                 std::string &problem) {
  const json *inputs;
  if (!getArrayField(entry, "inputs", where, inputs, problem))
    return false;
  for (size_t i = 0; i < inputs->size(); ++i) {
    std::string at = indexed(where + ".inputs", i);
    const json &v = (*inputs)[i];
    EntryInputSpec input;
    if (!requireObject(v, at, problem) ||
        !getStringField(v, "name", at, input.name, problem) ||
        !getElementField(v, at, input.element, problem) ||
        !parseStaticShape(v, at, true, input.shape, problem) ||
        !getBoolField(v, "state", at, input.state, problem))
      return false;
    for (const EntryInputSpec &earlier : out.inputs)
      if (earlier.name == input.name)
        return fail(problem, at + ".name",
                    "a second input named '" + input.name + "'");
    out.inputs.push_back(std::move(input));
  }
  return true;
}

/// An expression over the entry's inputs: dim(I, D) must name one of them
/// and one of its dimensions.
bool parseInputExpr(const json &v, const EntrySpec &entry,
                    const std::string &where, ShapeExpr &out,
                    std::string &problem) {
  if (!parseExpr(v, 1, where, out, problem))
    return false;
  std::string bad;
  out.forEachDim([&](uint32_t input, uint32_t dim) {
    if (!bad.empty())
      return;
    if (input >= entry.inputs.size())
      bad = "reads input " + std::to_string(input) + ", but the entry has " +
            std::to_string(entry.inputs.size());
    else if (dim >= entry.inputs[input].shape.size())
      bad = "reads dimension " + std::to_string(dim) + " of input '" +
            entry.inputs[input].name + "', which has rank " +
            std::to_string(entry.inputs[input].shape.size());
  });
  if (!bad.empty())
    return fail(problem, where, bad);
  return true;
}

/// A buffer shape's expressions may read only the entry's inputs.
bool parseBufferShape(const json &v, const EntrySpec &entry,
                      const std::string &where, BufferSpec &buffer,
                      std::string &problem) {
  const json *shape;
  if (!getArrayField(v, "shape", where, shape, problem))
    return false;
  if (!checkRank(shape->size(), where + ".shape", problem))
    return false;
  for (size_t i = 0; i < shape->size(); ++i) {
    std::string at = indexed(where + ".shape", i);
    ShapeExpr e;
    if (!parseInputExpr((*shape)[i], entry, at, e, problem))
      return false;
    if (e.isConstant() && e.constantValue() < 0)
      return fail(problem, at, "a negative size");
    buffer.shape.push_back(std::move(e));
  }
  return true;
}

/// True when `shape` is all constants equal to `expected`.
bool shapeIs(const std::vector<ShapeExpr> &shape, const Shape &expected) {
  if (shape.size() != expected.size())
    return false;
  for (size_t i = 0; i < shape.size(); ++i)
    if (!shape[i].isConstant() || shape[i].constantValue() != expected[i])
      return false;
  return true;
}

bool parseBuffer(const json &v, const ModelSpec &model, const EntrySpec &entry,
                 const std::string &where, BufferSpec &buffer,
                 std::string &problem) {
  std::string source;
  if (!requireObject(v, where, problem) ||
      !getStringField(v, "source", where, source, problem) ||
      !getElementField(v, where, buffer.element, problem) ||
      !parseBufferShape(v, entry, where, buffer, problem))
    return false;
  auto index = [&](size_t count, const char *what) {
    uint64_t i;
    if (!getUnsignedField(v, "index", where, kMaxIndex, i, problem))
      return false;
    if (i >= count)
      return fail(problem, where + ".index",
                  std::string(what) + " " + std::to_string(i) +
                      " does not exist (" + std::to_string(count) + ")");
    buffer.index = static_cast<uint32_t>(i);
    return true;
  };
  auto sameAs = [&](ElementType element, const std::string &what) {
    if (buffer.element != element)
      return fail(problem, where + ".element",
                  std::string(elementTypeName(buffer.element)) +
                      " differs from " + what + "'s " +
                      elementTypeName(element));
    return true;
  };
  if (source == bufferSourceName(BufferSpec::Source::Input)) {
    buffer.source = BufferSpec::Source::Input;
    if (!index(entry.inputs.size(), "input"))
      return false;
    const EntryInputSpec &input = entry.inputs[buffer.index];
    if (buffer.shape.size() != input.shape.size())
      return fail(problem, where + ".shape",
                  "rank differs from input '" + input.name + "'");
    return sameAs(input.element, "input '" + input.name + "'");
  }
  if (source == bufferSourceName(BufferSpec::Source::Weight) ||
      source == bufferSourceName(BufferSpec::Source::Derived)) {
    bool weight = source == bufferSourceName(BufferSpec::Source::Weight);
    buffer.source =
        weight ? BufferSpec::Source::Weight : BufferSpec::Source::Derived;
    if (!index(weight ? model.weights.size() : model.derived.size(),
               source.c_str()))
      return false;
    const Shape &shape = weight ? model.weights[buffer.index].shape
                                : model.derived[buffer.index].shape;
    std::string what = weight
                           ? "weight '" + model.weights[buffer.index].name + "'"
                           : "derived weight " + std::to_string(buffer.index);
    if (!shapeIs(buffer.shape, shape))
      return fail(problem, where + ".shape", "differs from " + what);
    return sameAs(weight ? model.weights[buffer.index].element
                         : model.derived[buffer.index].element,
                  what);
  }
  if (source == bufferSourceName(BufferSpec::Source::View)) {
    buffer.source = BufferSpec::Source::View;
    uint64_t of;
    const json *offset;
    if (!getUnsignedField(v, "of", where, kMaxIndex, of, problem) ||
        !requireField(v, "offset", where, offset, problem))
      return false;
    if (of >= entry.buffers.size())
      return fail(problem, where + ".of",
                  "a view must be of an earlier buffer (this is buffer " +
                      std::to_string(entry.buffers.size()) + ")");
    if (!getInt64(*offset, buffer.offset) || buffer.offset < 0)
      return fail(problem, where + ".offset",
                  "expected a non-negative element offset");
    buffer.of = static_cast<uint32_t>(of);
    // Its extent inside `of` depends on the input shapes: checked per call.
    return sameAs(entry.buffers[of].element, "buffer " + std::to_string(of));
  }
  if (source == bufferSourceName(BufferSpec::Source::Temp)) {
    buffer.source = BufferSpec::Source::Temp;
    return true;
  }
  return fail(problem, where + ".source",
              "unknown source '" + source +
                  "' (expected input, weight, derived, view or temp)");
}

/// The buffer a view finally refers to.
uint32_t rootOf(const EntrySpec &entry, uint32_t buffer) {
  while (entry.buffers[buffer].source == BufferSpec::Source::View)
    buffer = entry.buffers[buffer].of;
  return buffer;
}

/// Tracks which buffers hold data as the steps run in order.
class DataFlow {
public:
  explicit DataFlow(const EntrySpec &entry) : entry_(entry) {}

  bool read(uint32_t buffer, const std::string &where, std::string &problem) {
    uint32_t root = rootOf(entry_, buffer);
    if (entry_.buffers[root].source == BufferSpec::Source::Temp &&
        !written_.count(root))
      return fail(problem, where,
                  "reads buffer " + std::to_string(buffer) +
                      " before any step writes it");
    return true;
  }

  bool write(uint32_t buffer, const std::string &where, std::string &problem) {
    uint32_t root = rootOf(entry_, buffer);
    if (entry_.buffers[root].source != BufferSpec::Source::Temp)
      return fail(problem, where,
                  "writes buffer " + std::to_string(buffer) +
                      ", which is an input or a weight, not an activation");
    written_.insert(root);
    return true;
  }

private:
  const EntrySpec &entry_;
  std::set<uint32_t> written_;
};

bool getBufferRef(const json &v, const char *name, const EntrySpec &entry,
                  const std::string &where, uint32_t &out,
                  std::string &problem) {
  uint64_t i;
  if (!getUnsignedField(v, name, where, kMaxIndex, i, problem))
    return false;
  if (i >= entry.buffers.size())
    return fail(problem, where + "." + name,
                "buffer " + std::to_string(i) + " does not exist (" +
                    std::to_string(entry.buffers.size()) + " buffers)");
  out = static_cast<uint32_t>(i);
  return true;
}

bool parseGemm(const json &v, const EntrySpec &entry, const std::string &where,
               DataFlow &flow, StepSpec &step, std::string &problem) {
  step.kind = StepSpec::Kind::Gemm;
  if (!getBufferRef(v, "x", entry, where, step.x, problem) ||
      !getBufferRef(v, "w", entry, where, step.w, problem) ||
      !getBufferRef(v, "y", entry, where, step.y, problem) ||
      !getBoolField(v, "x_features_major", where, step.xFeaturesMajor,
                    problem) ||
      !getBoolField(v, "y_features_major", where, step.yFeaturesMajor, problem))
    return false;
  if (findField(v, "bias")) {
    step.hasBias = true;
    if (!getBufferRef(v, "bias", entry, where, step.bias, problem))
      return false;
  }
  const BufferSpec &x = entry.buffers[step.x], &w = entry.buffers[step.w],
                   &y = entry.buffers[step.y];
  // x [..., K] or [b, K, L]; w [M, K]; y like x with M for K.
  size_t xRank = x.shape.size();
  if (w.shape.size() != 2)
    return fail(problem, where + ".w", "the weight of a GEMM has rank 2");
  if (xRank < 2 || (step.xFeaturesMajor && xRank != 3))
    return fail(problem, where + ".x",
                step.xFeaturesMajor ? "a features-major x is [b, K, L]"
                                    : "x is [..., K] with at least rank 2");
  if (step.yFeaturesMajor && y.shape.size() != 3)
    return fail(problem, where + ".y", "a features-major y is [b, M, L]");
  if (!step.yFeaturesMajor && y.shape.size() < 2)
    return fail(problem, where + ".y", "y is [..., M] with at least rank 2");
  if (x.element != w.element || y.element != w.element)
    return fail(problem, where,
                "x, w and y of a GEMM have one element type (accumulation is "
                "f32 inside)");
  if (step.hasBias) {
    const BufferSpec &bias = entry.buffers[step.bias];
    if (bias.shape.size() != 1 || bias.element != w.element)
      return fail(problem, where + ".bias",
                  "the bias is [M] of the weight's element type");
    if (!flow.read(step.bias, where + ".bias", problem))
      return false;
  }
  return flow.read(step.x, where + ".x", problem) &&
         flow.read(step.w, where + ".w", problem) &&
         flow.write(step.y, where + ".y", problem);
}

bool parseKernelStep(const json &v, const EntrySpec &entry,
                     const std::vector<FunctionSpec> &functions,
                     const std::string &where, DataFlow &flow, StepSpec &step,
                     std::string &problem) {
  step.kind = StepSpec::Kind::Kernel;
  if (!getStringField(v, "function", where, step.function, problem))
    return false;
  auto findFunction = [&](const std::string &name) -> const FunctionSpec * {
    for (const FunctionSpec &f : functions)
      if (f.name == name)
        return &f;
    return nullptr;
  };
  const FunctionSpec *fn = findFunction(step.function);
  if (!fn)
    return fail(problem, where + ".function",
                "the module has no function '" + step.function + "'");
  auto refs = [&](const char *name, size_t expected,
                  std::vector<uint32_t> &out) {
    const json *list;
    if (!getArrayField(v, name, where, list, problem))
      return false;
    if (list->size() != expected)
      return fail(problem, where + "." + name,
                  "'" + step.function + "' takes " + std::to_string(expected) +
                      " " + name + ", the step gives " +
                      std::to_string(list->size()));
    for (size_t i = 0; i < list->size(); ++i) {
      const json &r = (*list)[i];
      if (!r.is_number_unsigned() || r.get<uint64_t>() >= entry.buffers.size())
        return fail(problem, indexed(where + "." + name, i),
                    "expected a buffer index below " +
                        std::to_string(entry.buffers.size()));
      out.push_back(static_cast<uint32_t>(r.get<uint64_t>()));
    }
    return true;
  };
  if (!refs("args", fn->args.size(), step.args) ||
      !refs("results", fn->results.size(), step.results))
    return false;
  auto matches = [&](uint32_t buffer, ElementType element, size_t rank,
                     const std::string &at) {
    const BufferSpec &b = entry.buffers[buffer];
    if (b.element != element || b.shape.size() != rank)
      return fail(problem, at,
                  "buffer " + std::to_string(buffer) + " is " +
                      elementTypeName(b.element) + " of rank " +
                      std::to_string(b.shape.size()) + ", '" + step.function +
                      "' expects " + elementTypeName(element) + " of rank " +
                      std::to_string(rank));
    return true;
  };
  for (size_t i = 0; i < step.args.size(); ++i) {
    std::string at = indexed(where + ".args", i);
    if (!matches(step.args[i], fn->args[i].element, fn->args[i].shape.size(),
                 at) ||
        !flow.read(step.args[i], at, problem))
      return false;
  }
  for (size_t i = 0; i < step.results.size(); ++i) {
    std::string at = indexed(where + ".results", i);
    if (!matches(step.results[i], fn->results[i].element,
                 fn->results[i].shape.size(), at) ||
        !flow.write(step.results[i], at, problem))
      return false;
  }

  const json *variants = findField(v, "variants");
  if (!variants)
    return true;
  if (!variants->is_array())
    return fail(problem, where + ".variants",
                "expected an array, got " + describe(*variants));
  for (size_t i = 0; i < variants->size(); ++i) {
    std::string at = indexed(where + ".variants", i);
    const json &vv = (*variants)[i];
    KernelVariant variant;
    const json *when;
    if (!requireObject(vv, at, problem) ||
        !getStringField(vv, "function", at, variant.function, problem) ||
        !requireField(vv, "when_blocks_below_sms", at, when, problem) ||
        !parseInputExpr(*when, entry, at + ".when_blocks_below_sms",
                        variant.whenBlocksBelowSms, problem))
      return false;
    // The variant takes the step's buffers as they are.
    const FunctionSpec *alt = findFunction(variant.function);
    if (!alt)
      return fail(problem, at + ".function",
                  "the module has no function '" + variant.function + "'");
    if (alt->args.size() != fn->args.size() ||
        alt->results.size() != fn->results.size())
      return fail(problem, at + ".function",
                  "'" + variant.function +
                      "' does not take the arguments "
                      "and results of '" +
                      step.function + "'");
    for (size_t a = 0; a < step.args.size(); ++a)
      if (!matches(step.args[a], alt->args[a].element,
                   alt->args[a].shape.size(), indexed(at + ".args", a)))
        return false;
    for (size_t r = 0; r < step.results.size(); ++r)
      if (!matches(step.results[r], alt->results[r].element,
                   alt->results[r].shape.size(), indexed(at + ".results", r)))
        return false;
    step.variants.push_back(std::move(variant));
  }
  return true;
}

bool parseEntry(const json &v, const ModelSpec &model,
                const std::vector<FunctionSpec> &functions,
                const std::string &where, EntrySpec &entry,
                std::string &problem) {
  const json *buffers, *steps, *outputs;
  if (!requireObject(v, where, problem) ||
      !getStringField(v, "name", where, entry.name, problem) ||
      !parseInputs(v, where, entry, problem) ||
      !getArrayField(v, "buffers", where, buffers, problem) ||
      !getArrayField(v, "steps", where, steps, problem) ||
      !getArrayField(v, "outputs", where, outputs, problem))
    return false;
  for (size_t i = 0; i < buffers->size(); ++i) {
    BufferSpec buffer;
    if (!parseBuffer((*buffers)[i], model, entry,
                     indexed(where + ".buffers", i), buffer, problem))
      return false;
    entry.buffers.push_back(std::move(buffer));
  }
  DataFlow flow(entry);
  for (size_t i = 0; i < steps->size(); ++i) {
    std::string at = indexed(where + ".steps", i);
    const json &s = (*steps)[i];
    std::string kind;
    StepSpec step;
    if (!requireObject(s, at, problem) ||
        !getStringField(s, "kind", at, kind, problem))
      return false;
    if (kind == "gemm") {
      if (!parseGemm(s, entry, at, flow, step, problem))
        return false;
    } else if (kind == "kernel") {
      if (!parseKernelStep(s, entry, functions, at, flow, step, problem))
        return false;
    } else {
      return fail(problem, at + ".kind",
                  "unknown step kind '" + kind + "' (expected gemm or kernel)");
    }
    entry.steps.push_back(std::move(step));
  }
  std::set<std::string> names;
  for (size_t i = 0; i < outputs->size(); ++i) {
    std::string at = indexed(where + ".outputs", i);
    const json &o = (*outputs)[i];
    EntryOutputSpec output;
    if (!requireObject(o, at, problem) ||
        !getStringField(o, "name", at, output.name, problem) ||
        !getBufferRef(o, "buffer", entry, at, output.buffer, problem) ||
        !getBoolField(o, "state", at, output.state, problem) ||
        !flow.read(output.buffer, at, problem))
      return false;
    if (!names.insert(output.name).second)
      return fail(problem, at + ".name",
                  "a second output named '" + output.name + "'");
    entry.outputs.push_back(std::move(output));
  }
  return true;
}

} // namespace

bool parseModelSection(const json &v,
                       const std::vector<FunctionSpec> &functions,
                       ModelSpec &out, std::string &problem) {
  if (!requireObject(v, "model", problem))
    return false;
  uint64_t shards;
  if (!getUnsignedField(v, "shards", "model", kMaxIndex, shards, problem))
    return false;
  if (shards != 1)
    return fail(problem, "model.shards",
                std::to_string(shards) +
                    " shards: this runtime runs a model on one GPU");
  out.shards = 1;
  if (const json *config = findField(v, "config"))
    if (!parseConfig(*config, out, problem))
      return false;
  if (!parseWeights(v, out, problem) || !parseDerived(v, out, problem))
    return false;
  const json *entries;
  if (!getArrayField(v, "entries", "model", entries, problem))
    return false;
  for (size_t i = 0; i < entries->size(); ++i) {
    EntrySpec entry;
    std::string where = indexed("model.entries", i);
    if (!parseEntry((*entries)[i], out, functions, where, entry, problem))
      return false;
    if (out.findEntry(entry.name))
      return fail(problem, where + ".name",
                  "a second entry named '" + entry.name + "'");
    out.entries.push_back(std::move(entry));
  }
  return true;
}

} // namespace mamba::format
