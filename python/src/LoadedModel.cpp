//===- LoadedModel.cpp - A compiled model as Python holds it --------------===//

#include "LoadedModel.h"

namespace mamba::python {

bool LoadedModel::load(const std::string &modulePath,
                       const std::string &weightsDir,
                       const runtime::DeviceRequest &request, bool checkWeights,
                       std::string &error) {
  std::lock_guard<std::mutex> lock(mutex_);
  runtime::ModuleFile file;
  if (!file.load(modulePath, error) ||
      !runtime::openDevice(file, modulePath, request, device_, error))
    return false;
  runtime::LoadOptions options;
  options.checkWeights = checkWeights;
  return model_.load(modulePath, weightsDir, device_.backend(), error, options);
}

std::string LoadedModel::deviceKind() const {
  return device_.isOpen() ? device_.backend().kind() : "";
}

std::string LoadedModel::describe() const {
  return device_.isOpen() ? device_.backend().describe() : "not loaded";
}

bool LoadedModel::vocab(int64_t &vocab, std::string &error) {
  std::lock_guard<std::mutex> lock(mutex_);
  runtime::Generator *gen = generatorFor(1, 1, false, error);
  if (!gen)
    return false;
  vocab = gen->vocab();
  return true;
}

runtime::Generator *LoadedModel::generatorFor(int64_t batch, int64_t length,
                                              bool allLogits,
                                              std::string &error) {
  if (!device_.isOpen()) {
    error = "the model is not loaded";
    return nullptr;
  }
  for (auto it = prepared_.begin(); it != prepared_.end(); ++it)
    if (it->batch == batch && it->length == length &&
        it->allLogits == allLogits) {
      prepared_.splice(prepared_.begin(), prepared_, it);
      return prepared_.front().generator.get();
    }
  auto generator = std::make_unique<runtime::Generator>();
  runtime::GeneratorOptions options;
  options.batch = batch;
  options.promptLength = length;
  options.allLogits = allLogits;
  if (!generator->prepare(model_, options, error))
    return nullptr;
  prepared_.push_front(
      Prepared{batch, length, allLogits, std::move(generator)});
  if (prepared_.size() > kKeep)
    prepared_.pop_back();
  return prepared_.front().generator.get();
}

bool LoadedModel::prefill(const std::vector<int32_t> &ids, int64_t batch,
                          int64_t length, bool allPositions,
                          std::vector<float> &logits, std::string &error) {
  std::lock_guard<std::mutex> lock(mutex_);
  runtime::Generator *gen = generatorFor(batch, length, allPositions, error);
  if (!gen)
    return false;
  std::vector<float> last;
  if (!gen->prefill(ids, last, error))
    return false;
  if (!allPositions) {
    logits = std::move(last);
    return true;
  }
  return gen->prefillLogits(logits, error);
}

bool LoadedModel::generate(
    const std::vector<int32_t> &ids, int64_t batch, int64_t length,
    int64_t maxNewTokens, const runtime::SamplingOptions &sampling,
    const std::function<bool(const std::vector<int32_t> &)> &onToken,
    std::vector<std::vector<int32_t>> &tokens, std::string &error) {
  std::lock_guard<std::mutex> lock(mutex_);
  runtime::Generator *gen = generatorFor(batch, length, false, error);
  return gen && gen->generate(ids, maxNewTokens, sampling, tokens, error,
                              nullptr, onToken);
}

} // namespace mamba::python
