//===- ModuleWriter.cpp - Writer of compiled modules (.mmod) --------------===//
//
// nlohmann::json objects keep their keys in a std::map, so the header comes
// out with every object's keys in byte order: the same spec always gives
// the same bytes, whatever order the compiler filled it in.
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/ModuleWriter.h"

#include "mamba/Format/Checksum.h"
#include "mamba/Format/ModuleFile.h"

#include <nlohmann/json.hpp>

namespace mamba::format {

namespace {

using json = nlohmann::json;

json exprJson(const ShapeExpr &expr) {
  return expr.fold<json>(
      [](int64_t value) { return json(value); },
      [](uint32_t arg, uint32_t dim) {
        return json{{"dim", json::array({arg, dim})}};
      },
      [](ShapeExpr::Kind kind, const json &lhs, const json &rhs) {
        return json{{"op", ShapeExpr::opName(kind)},
                    {"args", json::array({lhs, rhs})}};
      });
}

json exprsJson(const std::vector<ShapeExpr> &exprs) {
  json out = json::array();
  for (const ShapeExpr &e : exprs)
    out.push_back(exprJson(e));
  return out;
}

json shapeJson(const Shape &shape) {
  json out = json::array();
  for (int64_t d : shape)
    out.push_back(d);
  return out;
}

json indicesJson(const std::vector<uint32_t> &indices) {
  json out = json::array();
  for (uint32_t i : indices)
    out.push_back(i);
  return out;
}

/// {"element": ..., "shape": ...}, the form of every typed tensor entry.
json typed(ElementType element, json shape) {
  return json{{"element", elementTypeName(element)},
              {"shape", std::move(shape)}};
}

json launchJson(const LaunchSpec &launch) {
  json grid = json::array(), block = json::array(), params = json::array();
  for (const ShapeExpr &e : launch.grid)
    grid.push_back(exprJson(e));
  for (const ShapeExpr &e : launch.block)
    block.push_back(exprJson(e));
  for (const KernelParamSpec &p : launch.params)
    params.push_back(json{{"kind", "memref"},
                          {"source", paramSourceName(p.source)},
                          {"index", p.index},
                          {"rank", p.rank}});
  return json{{"module", launch.module},
              {"kernel", launch.kernel},
              {"grid", std::move(grid)},
              {"block", std::move(block)},
              {"shared_bytes", exprJson(launch.sharedBytes)},
              {"params", std::move(params)}};
}

json functionJson(const FunctionSpec &fn) {
  json args = json::array(), results = json::array(), launches = json::array();
  for (const ArgSpec &a : fn.args)
    args.push_back(typed(a.element, shapeJson(a.shape)));
  for (const ResultSpec &r : fn.results)
    results.push_back(typed(r.element, exprsJson(r.shape)));
  for (const LaunchSpec &l : fn.launches)
    launches.push_back(launchJson(l));
  json out{{"name", fn.name},
           {"args", std::move(args)},
           {"results", std::move(results)},
           {"launches", std::move(launches)}};
  // Optional: most functions need no scratch.
  if (!fn.scratch.empty()) {
    json scratch = json::array();
    for (const ResultSpec &r : fn.scratch)
      scratch.push_back(typed(r.element, exprsJson(r.shape)));
    out["scratch"] = std::move(scratch);
  }
  return out;
}

json configValueJson(const ConfigValue &v) {
  switch (v.kind) {
  case ConfigValue::Kind::Int:
    return v.intValue;
  case ConfigValue::Kind::Bool:
    return v.boolValue;
  case ConfigValue::Kind::Float:
    return v.floatValue;
  case ConfigValue::Kind::String:
    return v.stringValue;
  }
  return nullptr;
}

json bufferJson(const BufferSpec &b) {
  json out = typed(b.element, exprsJson(b.shape));
  out["source"] = bufferSourceName(b.source);
  switch (b.source) {
  case BufferSpec::Source::Input:
  case BufferSpec::Source::Weight:
  case BufferSpec::Source::Derived:
    out["index"] = b.index;
    break;
  case BufferSpec::Source::View:
    out["of"] = b.of;
    out["offset"] = b.offset;
    break;
  case BufferSpec::Source::Temp:
    break;
  }
  return out;
}

json stepJson(const StepSpec &s) {
  if (s.kind == StepSpec::Kind::Gemm) {
    json out{{"kind", "gemm"},
             {"x", s.x},
             {"w", s.w},
             {"y", s.y},
             {"x_features_major", s.xFeaturesMajor},
             {"y_features_major", s.yFeaturesMajor}};
    if (s.hasBias)
      out["bias"] = s.bias;
    return out;
  }
  json out{{"kind", "kernel"},
           {"function", s.function},
           {"args", indicesJson(s.args)},
           {"results", indicesJson(s.results)}};
  if (!s.variants.empty()) {
    json variants = json::array();
    for (const KernelVariant &v : s.variants)
      variants.push_back(
          json{{"function", v.function},
               {"when_blocks_below_sms", exprJson(v.whenBlocksBelowSms)}});
    out["variants"] = std::move(variants);
  }
  return out;
}

json entryJson(const EntrySpec &entry) {
  json inputs = json::array(), buffers = json::array(), steps = json::array(),
       outputs = json::array();
  for (const EntryInputSpec &in : entry.inputs) {
    json input = typed(in.element, shapeJson(in.shape));
    input["name"] = in.name;
    if (in.state)
      input["state"] = true;
    inputs.push_back(std::move(input));
  }
  for (const BufferSpec &b : entry.buffers)
    buffers.push_back(bufferJson(b));
  for (const StepSpec &s : entry.steps)
    steps.push_back(stepJson(s));
  for (const EntryOutputSpec &o : entry.outputs) {
    json output{{"name", o.name}, {"buffer", o.buffer}};
    if (o.state)
      output["state"] = true;
    outputs.push_back(std::move(output));
  }
  return json{{"name", entry.name},
              {"inputs", std::move(inputs)},
              {"buffers", std::move(buffers)},
              {"steps", std::move(steps)},
              {"outputs", std::move(outputs)}};
}

json modelJson(const ModelSpec &model) {
  json weights = json::array(), derived = json::array(),
       entries = json::array();
  for (const WeightSpec &w : model.weights) {
    json weight = typed(w.element, shapeJson(w.shape));
    weight["name"] = w.name;
    weights.push_back(std::move(weight));
  }
  for (const DerivedSpec &d : model.derived) {
    json spec = typed(d.element, shapeJson(d.shape));
    spec["transform"] = derivedTransformName(d.transform);
    spec["weight"] = d.weight;
    derived.push_back(std::move(spec));
  }
  for (const EntrySpec &e : model.entries)
    entries.push_back(entryJson(e));
  json out{{"shards", model.shards},
           {"weights", std::move(weights)},
           {"derived", std::move(derived)},
           {"entries", std::move(entries)}};
  if (!model.config.empty()) {
    json config = json::object();
    for (const auto &[name, value] : model.config)
      config[name] = configValueJson(value);
    out["config"] = std::move(config);
  }
  return out;
}

} // namespace

std::string encodeHeader(const ModuleSpec &spec) {
  json images = json::array(), functions = json::array();
  for (const KernelImage &image : spec.images)
    images.push_back(json{{"module", image.module},
                          {"chip", image.chipName},
                          {"kind", imageKindName(image.kind)},
                          {"offset", image.offset},
                          {"size", image.size}});
  for (const FunctionSpec &fn : spec.functions)
    functions.push_back(functionJson(fn));
  json header{{"format", kModuleFormatName},
              {"version", kModuleVersion},
              {"images", std::move(images)},
              {"functions", std::move(functions)}};
  if (spec.model)
    header["model"] = modelJson(*spec.model);
  // Names come from the compiler's IR and should be UTF-8; replace rather
  // than throw if one is not.
  return header.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::vector<uint8_t> assembleModuleFile(const std::string &headerJson,
                                        const std::vector<uint8_t> &data) {
  std::vector<uint8_t> bytes(kModuleMagic, kModuleMagic + 8);
  auto put = [&](uint64_t value, int count) {
    for (int i = 0; i < count; ++i)
      bytes.push_back(static_cast<uint8_t>(value >> (8 * i)));
  };
  put(headerJson.size(), 8);
  put(crc32(reinterpret_cast<const uint8_t *>(headerJson.data()),
            headerJson.size()),
      4);
  put(crc32(data.data(), data.size()), 4);
  bytes.insert(bytes.end(), headerJson.begin(), headerJson.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

bool ModuleWriter::addImage(const std::string &module,
                            const std::string &chipName, ImageKind kind,
                            std::string_view bytes, std::string &error) {
  KernelImage image;
  if (!parseChip(chipName, image.chip)) {
    error =
        "'" + chipName + "' is not a chip name like sm_90, sm_90a or x86-64-v3";
    return false;
  }
  if (!imageKindRunsOn(kind, image.chip.family)) {
    error = "a " + std::string(imageKindName(kind)) + " image cannot be for " +
            chipName +
            " (cubin and ptx are for NVIDIA chips, so for host CPU levels)";
    return false;
  }
  if (bytes.empty()) {
    error = "the " + std::string(imageKindName(kind)) + " image of '" + module +
            "' for " + chipName + " is empty";
    return false;
  }
  image.module = module;
  image.chipName = chipName;
  image.kind = kind;
  image.offset = data_.size();
  image.size = bytes.size();
  data_.insert(data_.end(), bytes.begin(), bytes.end());
  spec_.images.push_back(std::move(image));
  return true;
}

bool ModuleWriter::encode(std::vector<uint8_t> &out, std::string &error) const {
  out.clear();
  std::vector<uint8_t> bytes;
  try {
    bytes = assembleModuleFile(encodeHeader(spec_), data_);
  } catch (const std::exception &e) {
    error = std::string("cannot encode the module: ") + e.what();
    return false;
  }
  ModuleFile check;
  if (!check.loadFromMemory(bytes.data(), bytes.size(), "the module written",
                            error))
    return false;
  out = std::move(bytes);
  return true;
}

} // namespace mamba::format
