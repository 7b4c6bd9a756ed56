//===- Model.h - A compiled model on a backend ------------------*- C++ -*-===//
//
// A module file with a model section (mamba-compile MODEL_DIR), its code
// loaded on a backend and its weights converted and copied there once.
// Entries of its plan are then prepared (PreparedEntry.h) and run as
// nothing but the backend's steps.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_MODEL_H
#define MAMBA_RUNTIME_MODEL_H

#include "mamba/Runtime/Device/Backend.h"
#include "mamba/Runtime/Format.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mamba::runtime {

/// Called as weights upload: bytes of the stored tensors done, of total.
using LoadProgress = std::function<void(uint64_t done, uint64_t total)>;

struct LoadOptions {
  LoadProgress progress;
  /// Refuse a weight (or a derived one, -exp(A_log)) with a NaN or an
  /// infinity in its compute type, naming it: one more pass over the
  /// converted weights on the host, off by default.
  bool checkWeights = false;
};

class Model {
public:
  Model() = default;
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  /// Reads the module file, checks it holds a model, loads its code on
  /// `backend`, matches the weights in `weightsDir` against the plan and
  /// copies them to the backend. `backend` must outlive the model.
  bool load(const std::string &modulePath, const std::string &weightsDir,
            Backend &backend, std::string &error,
            const LoadOptions &options = {});

  const ModuleFile &file() const { return file_; }
  const ModelSpec &spec() const { return *file_.model(); }
  Backend &backend() const { return *backend_; }
  Program &program() const { return *program_; }
  /// The backend address of weight `i` / derived weight `i`.
  uint64_t weightAddress(uint32_t i) const;
  uint64_t derivedAddress(uint32_t i) const;
  uint64_t weightBytes() const { return weights_ ? weights_->size() : 0; }

private:
  Backend *backend_ = nullptr;
  ModuleFile file_;
  std::unique_ptr<Program> program_;
  std::unique_ptr<Buffer> weights_;
  std::vector<uint64_t> weightOffsets_, derivedOffsets_;
};

/// "3.1 MiB", for logs.
std::string formatMiB(uint64_t bytes);

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_MODEL_H
