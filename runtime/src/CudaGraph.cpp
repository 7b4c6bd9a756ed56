//===- CudaGraph.cpp - Captured and replayed work -------------------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda/Graph.h"

namespace mamba::runtime::cuda {

Graph &Graph::operator=(Graph &&other) noexcept {
  if (this == &other)
    return *this;
  destroy();
  context_ = std::exchange(other.context_, nullptr);
  graph_ = std::exchange(other.graph_, nullptr);
  exec_ = std::exchange(other.exec_, nullptr);
  return *this;
}

bool Graph::capture(const Stream &stream, const Device &device,
                    const std::function<bool(CUstream, std::string &)> &enqueue,
                    std::string &error) {
  destroy();
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;
  const DriverApi &d = api();
  // Thread-local: another thread's unrelated CUDA calls neither break the
  // capture nor get captured.
  if (!check(d.cuStreamBeginCapture(stream.handle(),
                                    CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
             "cuStreamBeginCapture", "starting a graph capture", error))
    return false;
  std::string enqueueError;
  bool enqueued = enqueue(stream.handle(), enqueueError);
  CUgraph graph = nullptr;
  CUresult ended = d.cuStreamEndCapture(stream.handle(), &graph);
  if (!enqueued) {
    if (graph)
      d.cuGraphDestroy(graph);
    error = "while capturing a graph: " + enqueueError;
    return false;
  }
  if (!check(ended, "cuStreamEndCapture", "ending a graph capture", error))
    return false;
  CUgraphExec exec = nullptr;
  if (!check(d.cuGraphInstantiate(&exec, graph, 0), "cuGraphInstantiate",
             "instantiating a captured graph", error)) {
    d.cuGraphDestroy(graph);
    return false;
  }
  context_ = device.context();
  graph_ = graph;
  exec_ = exec;
  return true;
}

void Graph::destroy() {
  if (exec_ || graph_) {
    std::string ignored;
    ScopedContext scope(context_, ignored);
    if (scope.ok()) {
      if (exec_)
        api().cuGraphExecDestroy(exec_);
      if (graph_)
        api().cuGraphDestroy(graph_);
    }
  }
  context_ = nullptr;
  graph_ = nullptr;
  exec_ = nullptr;
}

bool Graph::launch(CUstream stream, std::string &error) const {
  if (!exec_) {
    error = "launching a graph that was not captured";
    return false;
  }
  ScopedContext scope(context_, error);
  return scope.ok() && check(api().cuGraphLaunch(exec_, stream),
                             "cuGraphLaunch", "replaying a graph", error);
}

} // namespace mamba::runtime::cuda
