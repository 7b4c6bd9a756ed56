//===- EntryBinding.h - An entry's operands, resolved -----------*- C++ -*-===//
//
// The host core's last step before a backend runs an entry: with the arena
// placed (EntryPlan.h) and the backend's addresses of the inputs, weights
// and arena known, every buffer gets its address and every step its
// operands: a kernel call's argument and result tensors (and the variant of
// its function fit for the device), a GEMM's problem. Addresses are the
// backend's (device pointers for CUDA), opaque here. No backend code, so
// it is unit-tested everywhere and shared by every backend.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_ENTRYBINDING_H
#define MAMBA_RUNTIME_ENTRYBINDING_H

#include "mamba/Runtime/EntryPlan.h"
#include "mamba/Runtime/LaunchPlan.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mamba::runtime {

/// One GEMM step with its buffers bound. `batch` is 1 unless one side is
/// features-major; then x is [batch, K, tokens] or [batch, tokens, K] and
/// y [batch, M, tokens] or [batch, tokens, M]. Otherwise `tokens` counts
/// all rows of x (its leading dimensions flattened).
struct GemmProblem {
  ElementType element = ElementType::F32;
  int64_t batch = 1, tokens = 0, m = 0, k = 0;
  bool xFeaturesMajor = false, yFeaturesMajor = false;
  uint64_t x = 0, w = 0, y = 0;
  uint64_t bias = 0; ///< [m]; 0 for none
};

/// Checks that the shapes of a gemm step's buffers agree (x [..., K] or
/// [b, K, L], w [M, K], y [..., M] or [b, M, L], bias [M]) and fills the
/// sizes of `problem`. `biasShape` is nullptr without a bias.
bool describeGemm(const Shape &x, const Shape &w, const Shape &y,
                  const Shape *biasShape, bool xFeaturesMajor,
                  bool yFeaturesMajor, GemmProblem &problem,
                  std::string &error);

/// Where the backend put what an entry reads and writes.
struct EntryAddresses {
  /// The caller's inputs, in the entry's input order.
  std::vector<TensorRef> inputs;
  /// Per weight and derived weight of the model.
  std::vector<uint64_t> weights, derived;
  /// The activation arena (EntryLayout::arenaBytes).
  uint64_t arena = 0;
  /// Outputs written to the caller's tensors instead of the arena.
  std::map<std::string, TensorRef> outputsTo;
};

/// One step with its operands resolved.
struct BoundStep {
  bool gemm = false;
  /// Kernel: the function chosen (the step's, or a variant's).
  std::string function;
  std::vector<TensorRef> args, results;
  /// GEMM.
  GemmProblem problem;
};

/// The buffers of the outputs named in `outputsTo`: each must exist and be
/// an activation, so that the arena leaves them out (planEntry's
/// `external`).
bool externalOutputs(const EntrySpec &entry,
                     const std::map<std::string, TensorRef> &outputsTo,
                     std::set<uint32_t> &external, std::string &error);

/// Resolves every step of `entry` at `layout` (planned for `inputShapes`
/// with externalOutputs' buffers left out). A kernel step runs the first
/// variant whose block count is below `multiprocessors`, else its own
/// function. `outputs` gets the entry's outputs in order.
bool bindEntry(const EntrySpec &entry, const std::vector<Shape> &inputShapes,
               const EntryLayout &layout, const EntryAddresses &addresses,
               int64_t multiprocessors, std::vector<BoundStep> &steps,
               std::vector<TensorRef> &outputs, std::string &error);

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_ENTRYBINDING_H
