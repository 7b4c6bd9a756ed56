//===- LoadedModel.h - A compiled model as Python holds it ------*- C++ -*-===//
//
// The runtime objects behind mamba_mlir.Model: the backend, the model (its
// weights uploaded once) and a few prepared generators, one per (batch,
// prompt length, every position's logits or the last's) asked for, kept
// for the next call of the same shape. No pybind11 here: the bindings
// convert arrays and errors around these calls.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_PYTHON_LOADEDMODEL_H
#define MAMBA_PYTHON_LOADEDMODEL_H

#include "mamba/Runtime/Generator.h"
#include "mamba/Runtime/Model.h"
#include "mamba/Runtime/OpenDevice.h"
#include "mamba/Runtime/Sampling.h"

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mamba::python {

class LoadedModel {
public:
  /// checkWeights: refuse NaN or infinite weights (LoadOptions).
  bool load(const std::string &modulePath, const std::string &weightsDir,
            const runtime::DeviceRequest &request, bool checkWeights,
            std::string &error);

  /// "cpu" or "cuda".
  std::string deviceKind() const;
  /// The backend in words ("x86-64-v3 CPU, 2 threads", the GPU's name).
  std::string describe() const;
  /// The width of a row of logits (the vocabulary, padded as compiled).
  bool vocab(int64_t &vocab, std::string &error);

  /// Runs prefill on `ids` (batch x length, row-major): `logits` gets each
  /// row's last position ([batch, vocab]) or, with `allPositions`, every
  /// position's ([batch, length, vocab]).
  bool prefill(const std::vector<int32_t> &ids, int64_t batch, int64_t length,
               bool allPositions, std::vector<float> &logits,
               std::string &error);
  /// Prefill, then up to `maxNewTokens` sampled tokens per row (the
  /// runtime's Generator::generate): `onToken` sees each step's tokens and
  /// stops the generation by returning false.
  bool
  generate(const std::vector<int32_t> &ids, int64_t batch, int64_t length,
           int64_t maxNewTokens, const runtime::SamplingOptions &sampling,
           const std::function<bool(const std::vector<int32_t> &)> &onToken,
           std::vector<std::vector<int32_t>> &tokens, std::string &error);

private:
  struct Prepared {
    int64_t batch, length;
    bool allLogits;
    std::unique_ptr<runtime::Generator> generator;
  };
  /// The generator of that shape, prepared now if it is not kept; the
  /// least recently used is dropped beyond kKeep.
  runtime::Generator *generatorFor(int64_t batch, int64_t length,
                                   bool allLogits, std::string &error);
  static constexpr size_t kKeep = 4;

  // Destroyed in reverse: the generators, then the model, then the device.
  runtime::OpenedDevice device_;
  runtime::Model model_;
  std::list<Prepared> prepared_; ///< most recently used first
  /// One call at a time: a generator's states are the model's.
  std::mutex mutex_;
};

} // namespace mamba::python

#endif // MAMBA_PYTHON_LOADEDMODEL_H
