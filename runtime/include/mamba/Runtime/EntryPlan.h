//===- EntryPlan.h - Placing a model entry's buffers ------------*- C++ -*-===//
//
// Everything about running a plan's entry (prefill, decode_step) that needs
// no GPU: checking the caller's input shapes, evaluating every buffer's
// shape, checking that views stay inside what they view, and placing the
// activations in one arena. Activations whose lifetimes (first write to
// last read, in step order) do not overlap share memory, so a 24-layer
// model needs about two layers' worth of activations, not 24.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_ENTRYPLAN_H
#define MAMBA_RUNTIME_ENTRYPLAN_H

#include "mamba/Runtime/Format.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace mamba::runtime {

struct EntryLayout {
  /// Per buffer: its shape and size in bytes.
  std::vector<Shape> shapes;
  std::vector<uint64_t> bytes;
  /// Per buffer: the input, weight, derived or temp buffer it lies in (itself
  /// unless it is a view), and its byte offset there.
  std::vector<uint32_t> root;
  std::vector<uint64_t> rootOffset;
  /// Per buffer: its byte offset in the arena for an arena temp, else -1
  /// (inputs, weights, derived, caller-bound and unused temps).
  std::vector<int64_t> arenaOffset;
  uint64_t arenaBytes = 0;
  /// The arena bytes without sharing (the sum of all placed temps).
  uint64_t unsharedBytes = 0;
};

/// Alignment of every arena buffer: what cuBLASLt's fastest kernels want.
constexpr uint64_t kArenaAlignment = 256;

/// Checks `inputShapes` against the entry (count, ranks, static dimensions,
/// one batch size: dimension 0 of every input) and places its buffers.
/// Temps in `external` are bound by the caller (not placed).
bool planEntry(const EntrySpec &entry, const std::vector<Shape> &inputShapes,
               const std::set<uint32_t> &external, EntryLayout &layout,
               std::string &error);

/// The memory traffic and arithmetic of one step at a placed layout, the
/// floor its time is measured against: every operand read once and every
/// result written once (a gather such as the embedding reads less than its
/// whole table, so its figure is an upper bound), and for a GEMM its
/// 2 * M * N * K operations.
struct StepCost {
  uint64_t bytes = 0;
  uint64_t flops = 0;
};
StepCost stepCost(const EntrySpec &entry, const EntryLayout &layout,
                  size_t step);

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_ENTRYPLAN_H
