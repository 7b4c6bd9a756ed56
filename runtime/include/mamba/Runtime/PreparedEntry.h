//===- PreparedEntry.h - An entry bound for fixed input shapes --*- C++ -*-===//
//
// One entry of a model's plan (prefill, decode_step) prepared for fixed
// input shapes: its activations placed in one arena, its steps bound
// (EntryBinding.h) and prepared by the model's backend. enqueue() then
// only enqueues those steps.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_PREPAREDENTRY_H
#define MAMBA_RUNTIME_PREPAREDENTRY_H

#include "mamba/Runtime/EntryPlan.h"
#include "mamba/Runtime/LaunchPlan.h"
#include "mamba/Runtime/Model.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mamba::runtime {

class PreparedEntry {
public:
  /// `inputs` are the caller's tensors on the model's backend, in the
  /// entry's input order and element types; their contents are read at
  /// each enqueue. An output named in `outputsTo` is written to the
  /// caller's tensor (of exactly its shape) instead of the arena: how a
  /// decode step writes its new states where the next step reads them. The
  /// model and all these buffers must outlive this object.
  bool prepare(const Model &model, const std::string &entryName,
               const std::vector<TensorRef> &inputs, std::string &error,
               const std::map<std::string, TensorRef> &outputsTo = {});
  bool enqueue(Queue &queue, std::string &error) const;
  /// Runs the steps once with an event between every two and waits: each
  /// step's time in milliseconds, to see where an entry's time goes.
  bool profile(Queue &queue, std::vector<double> &stepMs,
               std::string &error) const;
  /// What step `i` runs: its kernel function, or its GEMM's description.
  std::string stepName(size_t i) const;
  size_t stepCount() const { return steps_.size(); }

  const EntrySpec &entry() const { return *entry_; }
  /// Output `name`'s tensor (in the arena or the caller's); nullptr if the
  /// entry has no such output.
  const TensorRef *output(const std::string &name) const;
  const std::vector<TensorRef> &outputs() const { return outputs_; }
  const EntryLayout &layout() const { return layout_; }
  /// "prefill: 47 steps (12 kernel calls, 35 GEMMs), arena 3.1 MiB", for
  /// logs.
  std::string describe() const;

private:
  bool isPrepared() const;

  const EntrySpec *entry_ = nullptr;
  Backend *backend_ = nullptr;
  EntryLayout layout_;
  std::unique_ptr<Buffer> arena_;
  std::vector<std::unique_ptr<Step>> steps_;
  std::vector<bool> isGemm_;
  std::vector<TensorRef> outputs_;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_PREPAREDENTRY_H
