//===- WeightFiles.cpp - A model directory's weights, matched to a plan
//----===//

#include "mamba/Runtime/WeightFiles.h"

#include "mamba/Runtime/Format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

namespace mamba::runtime {

namespace {

bool isFloat(DType dtype) {
  return dtype == DType::F32 || dtype == DType::BF16 || dtype == DType::F16 ||
         dtype == DType::F64;
}

uint64_t numElements(const Shape &shape) {
  uint64_t n = 1;
  for (int64_t d : shape)
    n *= static_cast<uint64_t>(d);
  return n;
}

/// Element `i` of a stored float tensor, as a float (f64 rounds once).
float loadFloat(const uint8_t *data, DType dtype, uint64_t i) {
  switch (dtype) {
  case DType::F32: {
    float f;
    std::memcpy(&f, data + 4 * i, 4);
    return f;
  }
  case DType::F64: {
    double d;
    std::memcpy(&d, data + 8 * i, 8);
    return static_cast<float>(d);
  }
  default: {
    uint16_t bits;
    std::memcpy(&bits, data + 2 * i, 2);
    return static_cast<float>(dtype == DType::BF16 ? bfloat16BitsToDouble(bits)
                                                   : halfBitsToDouble(bits));
  }
  }
}

/// Element `i` of a converted weight, as a float.
float convertedFloat(const uint8_t *data, ElementType element, uint64_t i) {
  if (element == ElementType::F32) {
    float f;
    std::memcpy(&f, data + 4 * i, 4);
    return f;
  }
  uint16_t bits;
  std::memcpy(&bits, data + 2 * i, 2);
  return static_cast<float>(element == ElementType::BF16
                                ? bfloat16BitsToDouble(bits)
                                : halfBitsToDouble(bits));
}

/// The check of `--check-weights`: false, with `error`, when a converted
/// weight holds a NaN or an infinity; `stored(k)` is element k as stored,
/// to tell an overflow in the conversion from a value stored so.
template <typename Stored>
bool checkFiniteValues(const uint8_t *converted, ElementType element,
                       uint64_t count, const std::string &what, Stored stored,
                       std::string &error) {
  uint64_t bad = 0, first = 0;
  for (uint64_t k = 0; k < count; ++k)
    if (!std::isfinite(convertedFloat(converted, element, k)) && bad++ == 0)
      first = k;
  if (bad == 0)
    return true;
  char text[160];
  std::snprintf(text, sizeof(text),
                " has %llu NaN or infinite value%s in %s (the first at element "
                "%llu, stored as %g)",
                static_cast<unsigned long long>(bad), bad == 1 ? "" : "s",
                elementTypeName(element),
                static_cast<unsigned long long>(first), stored(first));
  error = what + text;
  return false;
}

void storeFloat(uint8_t *out, ElementType element, uint64_t i, float value) {
  if (element == ElementType::F32) {
    std::memcpy(out + 4 * i, &value, 4);
    return;
  }
  uint16_t bits = element == ElementType::BF16 ? floatToBfloat16Bits(value)
                                               : floatToHalfBits(value);
  std::memcpy(out + 2 * i, &bits, 2);
}

/// The safetensors dtype that has exactly the bytes of `element`.
bool sameBytes(DType dtype, ElementType element) {
  return (dtype == DType::F32 && element == ElementType::F32) ||
         (dtype == DType::BF16 && element == ElementType::BF16) ||
         (dtype == DType::F16 && element == ElementType::F16);
}

bool isComputeFloat(ElementType element) {
  return element == ElementType::F32 || element == ElementType::BF16 ||
         element == ElementType::F16;
}

} // namespace

bool WeightFiles::open(const std::string &directory, const ModelSpec &model,
                       std::string &error) {
  model_ = &model;
  directory_ = directory;
  files_.clear();
  sources_.clear();
  storedBytes_ = 0;

  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    error = directory + ": not a directory (expected a model directory with "
                        "*.safetensors files)";
    return false;
  }
  std::vector<std::string> paths;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end;
       it.increment(ec))
    if (it->path().extension() == ".safetensors")
      paths.push_back(it->path().string());
  if (ec) {
    error = directory + ": cannot list the directory: " + ec.message();
    return false;
  }
  if (paths.empty()) {
    error = directory + ": no *.safetensors files";
    return false;
  }
  std::sort(paths.begin(), paths.end());

  std::map<std::string, std::pair<size_t, const TensorInfo *>> stored;
  files_.resize(paths.size());
  for (size_t f = 0; f < paths.size(); ++f) {
    if (!files_[f].load(paths[f], error))
      return false;
    for (const TensorInfo &t : files_[f].tensors()) {
      auto [it, inserted] = stored.emplace(t.name, std::make_pair(f, &t));
      if (!inserted) {
        error = "weight '" + t.name + "' is in both " +
                files_[it->second.first].sourceName() + " and " + paths[f];
        return false;
      }
    }
  }

  for (const WeightSpec &w : model.weights) {
    auto it = stored.find(w.name);
    if (it == stored.end()) {
      error = "weight '" + w.name +
              "' is in none of the *.safetensors files "
              "of " +
              directory;
      return false;
    }
    const auto [file, tensor] = it->second;
    const std::string &where = files_[file].sourceName();
    if (!isFloat(tensor->dtype)) {
      error = "weight '" + w.name + "' in " + where + " has dtype " +
              dtypeName(tensor->dtype) +
              ", expected a float (F32, BF16, F16 or F64)";
      return false;
    }
    if (tensor->shape != w.shape) {
      error = "weight '" + w.name + "' in " + where + " has shape " +
              formatShape(tensor->shape) + ", the compiled model expects " +
              formatShape(w.shape);
      return false;
    }
    if (!isComputeFloat(w.element)) {
      error = std::string("weight '") + w.name +
              "': the module computes it in " + elementTypeName(w.element) +
              ", which is not a float type";
      return false;
    }
    sources_.push_back(it->second);
    storedBytes_ += tensor->byteSize();
    stored.erase(it);
  }
  for (const DerivedSpec &d : model.derived)
    if (!isComputeFloat(d.element)) {
      error = std::string("a derived weight is computed in ") +
              elementTypeName(d.element) + ", which is not a float type";
      return false;
    }

  if (model.configInt("tie_word_embeddings").value_or(0))
    stored.erase("lm_head.weight");
  if (!stored.empty()) {
    const auto &[name, source] = *stored.begin();
    error = "unexpected weight '" + name + "' in " +
            files_[source.first].sourceName() +
            ": the compiled model does not use it (compiled for another "
            "model, or another config?)";
    return false;
  }
  return true;
}

uint64_t WeightFiles::weightBytes(uint32_t i) const {
  const WeightSpec &w = model_->weights[i];
  return numElements(w.shape) * elementTypeSize(w.element);
}

uint64_t WeightFiles::derivedBytes(uint32_t i) const {
  const DerivedSpec &d = model_->derived[i];
  return numElements(d.shape) * elementTypeSize(d.element);
}

bool WeightFiles::convertWeight(uint32_t i, uint8_t *out, std::string &error,
                                bool checkFinite) const {
  if (i >= sources_.size()) {
    error = "no weight " + std::to_string(i);
    return false;
  }
  const WeightSpec &w = model_->weights[i];
  const auto [file, tensor] = sources_[i];
  const uint8_t *data = files_[file].bytes(*tensor);
  if (sameBytes(tensor->dtype, w.element)) {
    std::memcpy(out, data, tensor->byteSize());
  } else {
    for (uint64_t k = 0; k < tensor->numElements; ++k)
      storeFloat(out, w.element, k, loadFloat(data, tensor->dtype, k));
  }
  if (!checkFinite)
    return true;
  const DType stored = tensor->dtype;
  return checkFiniteValues(
      out, w.element, tensor->numElements,
      files_[file].sourceName() + ": weight '" + w.name + "'",
      [&](uint64_t k) -> double {
        if (stored == DType::F64) {
          double d;
          std::memcpy(&d, data + 8 * k, 8);
          return d;
        }
        return loadFloat(data, stored, k);
      },
      error);
}

bool WeightFiles::convertDerived(uint32_t i, uint8_t *out, std::string &error,
                                 bool checkFinite) const {
  if (i >= model_->derived.size()) {
    error = "no derived weight " + std::to_string(i);
    return false;
  }
  const DerivedSpec &d = model_->derived[i];
  const auto [file, tensor] = sources_[d.weight];
  std::vector<double> values;
  if (!files_[file].toDoubles(*tensor, values, error))
    return false;
  // The only transform so far: A = -exp(A_log), in double, rounded once.
  for (uint64_t k = 0; k < values.size(); ++k)
    storeFloat(out, d.element, k, static_cast<float>(-std::exp(values[k])));
  if (!checkFinite)
    return true;
  return checkFiniteValues(
      out, d.element, values.size(),
      files_[file].sourceName() + ": -exp(" + model_->weights[d.weight].name +
          ")",
      [&](uint64_t k) { return values[k]; }, error);
}

std::string WeightFiles::describe() const {
  std::string s;
  for (const SafeTensorsFile &f : files_)
    s += (s.empty() ? "" : ", ") + f.sourceName() + " (" +
         std::to_string(f.tensors().size()) + " tensors)";
  return s;
}

} // namespace mamba::runtime
