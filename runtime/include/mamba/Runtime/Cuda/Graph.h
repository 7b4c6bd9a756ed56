//===- Graph.h - Captured and replayed work ---------------------*- C++ -*-===//
//
// A CUDA graph captured from a stream: the decode step's launches replayed
// with one.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_GRAPH_H
#define MAMBA_RUNTIME_CUDA_GRAPH_H

#include "mamba/Runtime/Cuda/Stream.h"

#include <cuda.h>

#include <functional>
#include <string>
#include <utility>

namespace mamba::runtime::cuda {

/// Work captured from a stream once and replayed with one launch: a decode
/// step's dozens of kernels and GEMMs cost one launch's CPU time. The
/// captured work keeps its buffer addresses. Move-only.
class Graph {
public:
  Graph() = default;
  ~Graph() { destroy(); }
  Graph(Graph &&other) noexcept { *this = std::move(other); }
  Graph &operator=(Graph &&other) noexcept;
  Graph(const Graph &) = delete;
  Graph &operator=(const Graph &) = delete;

  /// Captures what `enqueue` puts on `stream` (nothing runs) and
  /// instantiates it. An error from `enqueue` ends the capture and is
  /// returned.
  bool capture(const Stream &stream, const Device &device,
               const std::function<bool(CUstream, std::string &)> &enqueue,
               std::string &error);
  void destroy();
  bool isCaptured() const { return exec_ != nullptr; }
  bool launch(CUstream stream, std::string &error) const;

private:
  CUcontext context_ = nullptr;
  CUgraph graph_ = nullptr;
  CUgraphExec exec_ = nullptr;
};

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_GRAPH_H
