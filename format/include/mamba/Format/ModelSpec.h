//===- ModelSpec.h - A compiled model's plan --------------------*- C++ -*-===//
//
// The "model" section of a module file (docs/ModuleFormat.md): the weights
// to load, the weights derived from them at load time, and per entry
// (prefill, decode_step) its inputs, buffers, steps and outputs. Filled by
// the compiler's planner, written by ModuleWriter, read and checked by
// ModuleFile: every index in it is in range once loaded.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_MODELSPEC_H
#define MAMBA_FORMAT_MODELSPEC_H

#include "mamba/Format/Encoding.h"
#include "mamba/Format/ShapeExpr.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mamba::format {

/// A scalar of the model's configuration (config.json's fields that the
/// importer keeps: sizes, flags, epsilons, the compute type's name).
struct ConfigValue {
  enum class Kind { Int, Bool, Float, String };
  Kind kind = Kind::Int;
  int64_t intValue = 0;
  bool boolValue = false;
  double floatValue = 0;
  std::string stringValue;

  static ConfigValue ofInt(int64_t v);
  static ConfigValue ofBool(bool v);
  static ConfigValue ofFloat(double v);
  static ConfigValue ofString(std::string v);
};

struct WeightSpec {
  std::string name;
  ElementType element = ElementType::F32; ///< the compute type to convert to
  Shape shape;                            ///< as stored
};

/// A weight computed once at load time from weight `weight`.
struct DerivedSpec {
  enum class Transform { NegExp }; ///< -exp(x)
  Transform transform = Transform::NegExp;
  uint32_t weight = 0;
  ElementType element = ElementType::F32;
  Shape shape;
};

/// The file's spellings: "neg_exp"; "input", "weight", "derived", "temp",
/// "view".
const char *derivedTransformName(DerivedSpec::Transform transform);

struct BufferSpec {
  enum class Source { Input, Weight, Derived, Temp, View };
  Source source = Source::Temp;
  uint32_t index = 0; ///< Input, Weight, Derived
  uint32_t of = 0;    ///< View: an earlier buffer
  int64_t offset = 0; ///< View: elements into `of`
  ElementType element = ElementType::F32;
  /// Over the entry's inputs: dim(I, D) is dimension D of input I.
  std::vector<ShapeExpr> shape;
};
const char *bufferSourceName(BufferSpec::Source source);

struct EntryInputSpec {
  std::string name;
  ElementType element = ElementType::F32;
  Shape shape; ///< -1: given by the caller
  bool state = false;
};

/// Another kernel function computing the same step, better for some
/// shapes: used when `whenBlocksBelowSms` (over the entry's inputs: the
/// default function's block count) is below the device's multiprocessor
/// count.
struct KernelVariant {
  std::string function;
  ShapeExpr whenBlocksBelowSms;
};

struct StepSpec {
  enum class Kind { Gemm, Kernel };
  Kind kind = Kind::Gemm;
  // Gemm: y = x * w^T (+ bias).
  uint32_t x = 0, w = 0, y = 0;
  bool hasBias = false;
  uint32_t bias = 0;
  bool xFeaturesMajor = false, yFeaturesMajor = false;
  // Kernel: a function of the module.
  std::string function;
  std::vector<uint32_t> args, results;
  std::vector<KernelVariant> variants;
};

struct EntryOutputSpec {
  std::string name;
  uint32_t buffer = 0;
  bool state = false;
};

struct EntrySpec {
  std::string name;
  std::vector<EntryInputSpec> inputs;
  std::vector<BufferSpec> buffers;
  std::vector<StepSpec> steps;
  std::vector<EntryOutputSpec> outputs;
};

struct ModelSpec {
  int64_t shards = 1;
  /// "config": vocab_size, num_layers, layer_norm_epsilon, dtype, ...
  std::map<std::string, ConfigValue> config;
  std::vector<WeightSpec> weights;
  std::vector<DerivedSpec> derived;
  std::vector<EntrySpec> entries;

  /// nullptr when there is no entry of that name.
  const EntrySpec *findEntry(const std::string &name) const;
  /// An integer or boolean (as 0 or 1) field of the config; nullopt when it
  /// is absent or of another kind.
  std::optional<int64_t> configInt(const std::string &name) const;
};

} // namespace mamba::format

#endif // MAMBA_FORMAT_MODELSPEC_H
