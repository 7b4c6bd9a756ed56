//===- WeightFiles.h - A model directory's weights, matched to a plan
//------===//
//
// The host half of loading weights: the *.safetensors files of a model
// directory (mapped, not read), each tensor matched by name against the
// weights a compiled model's plan lists, and converted on request to the
// element type the plan computes in. Every mismatch is found before anything
// is converted or uploaded: a missing, extra or mis-shaped weight, a dtype
// that is not a float, a name in two files, a truncated or corrupt file.
// No GPU is needed, so all of this is unit-tested anywhere.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_WEIGHTFILES_H
#define MAMBA_RUNTIME_WEIGHTFILES_H

#include "mamba/Runtime/Format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mamba::runtime {

class WeightFiles {
public:
  /// Maps every *.safetensors file of `directory` and checks them against
  /// `model` (which must outlive this object). With tie_word_embeddings a
  /// stored lm_head.weight is ignored, as transformers ignores it.
  bool open(const std::string &directory, const ModelSpec &model,
            std::string &error);

  /// Bytes of weight `i` (or derived weight `i`) in its compute type.
  uint64_t weightBytes(uint32_t i) const;
  uint64_t derivedBytes(uint32_t i) const;
  /// Bytes the stored tensors of all weights take, for progress reports.
  uint64_t storedBytes() const { return storedBytes_; }

  /// Writes weight `i` converted to its compute type into `out`
  /// (weightBytes(i) bytes): a copy when the stored dtype is that type,
  /// else a conversion rounded to nearest even. With `checkFinite`, a
  /// weight with a NaN or an infinity in its compute type (stored so, or a
  /// finite value past the type's range) is an error naming the file, the
  /// weight, how many and the first.
  bool convertWeight(uint32_t i, uint8_t *out, std::string &error,
                     bool checkFinite = false) const;
  /// Computes derived weight `i` from its source in double precision (and
  /// checks it as convertWeight does).
  bool convertDerived(uint32_t i, uint8_t *out, std::string &error,
                      bool checkFinite = false) const;

  /// "model.safetensors (23 tensors)" per file, for logs.
  std::string describe() const;

private:
  const ModelSpec *model_ = nullptr;
  std::string directory_;
  std::vector<SafeTensorsFile> files_;
  /// Per plan weight: its file and tensor.
  std::vector<std::pair<size_t, const TensorInfo *>> sources_;
  uint64_t storedBytes_ = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_WEIGHTFILES_H
