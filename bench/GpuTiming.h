//===- GpuTiming.h - How the GPU benchmarks time a compiled call -*- C++
//-*-===//
//
// What METHOD.md asks of every GPU timing, shared by the benchmarks: CUDA
// events around each launch, warm-up first, all launches enqueued back to
// back, the median of many runs; and the device-to-device copy bandwidth,
// measured in the same run, that memory floors are stated against.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_BENCH_GPUTIMING_H
#define MAMBA_BENCH_GPUTIMING_H

#include "mamba/Runtime/Cuda.h"

#include <string>
#include <vector>

namespace mamba::bench {

struct Timing {
  double medianMs = 0, minMs = 0;
};

/// Median and minimum of `runs` launches of `calls` in turn (several sets
/// of inputs, so that each launch finds its inputs out of the L2), each
/// between its own two events, after five untimed ones.
bool timeCalls(const std::vector<runtime::cuda::PreparedCall *> &calls,
               const runtime::cuda::Device &device, int runs, Timing &timing,
               std::string &error);

/// Device-to-device copy of 1 GiB: bytes read plus written over the median
/// time, in bytes per second.
bool measureCopyBandwidth(const runtime::cuda::Device &device,
                          double &bytesPerSecond, std::string &error);

/// Opens GPU 0 and measures its copy bandwidth; false with `error` when
/// there is no GPU or it cannot be used.
bool openBenchGpu(runtime::cuda::Device &device, double &copyBandwidth,
                  std::string &error);

/// Allocates `function`'s results for `args`, fills them with NaN (an
/// element the kernel does not write cannot pass a check) and prepares
/// `call` on them.
bool prepareCall(const runtime::cuda::LoadedModule &module,
                 const std::string &function,
                 const std::vector<runtime::TensorRef> &args,
                 std::vector<runtime::cuda::DeviceTensor> &results,
                 runtime::cuda::PreparedCall &call, std::string &error);

} // namespace mamba::bench

#endif // MAMBA_BENCH_GPUTIMING_H
