//===- OpenDevice.cpp - The backend a module runs on ----------------------===//

#include "mamba/Runtime/OpenDevice.h"

#ifdef MAMBA_HAVE_CUDA
#include "mamba/Runtime/Cuda/Backend.h"
#endif
#ifdef MAMBA_HAVE_CPU
#include "mamba/Runtime/Cpu/Backend.h"
#include "mamba/Runtime/Cpu/ThreadPool.h"
#endif

#include <cstdlib>

namespace mamba::runtime {

namespace {

/// Whether the module has code for `family` (GPU or host CPU images).
bool hasCodeFor(const ModuleFile &file, Chip::Family family) {
  for (const KernelImage &image : file.images())
    if (image.chip.family == family)
      return true;
  return false;
}

/// "cuda:N" -> N; false for anything but digits after the colon.
bool parseOrdinal(const std::string &text, int &ordinal) {
  if (text.empty() || text.size() > 4)
    return false;
  ordinal = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    ordinal = ordinal * 10 + (c - '0');
  }
  return true;
}

} // namespace

bool openDevice(const ModuleFile &file, const std::string &modulePath,
                const DeviceRequest &request, OpenedDevice &out,
                std::string &error) {
  const bool gpuCode = hasCodeFor(file, Chip::Family::Nvidia),
             cpuCode = hasCodeFor(file, Chip::Family::X86_64);
  std::string kind = request.device;
  int ordinal = 0;
  if (kind.rfind("cuda:", 0) == 0) {
    if (!parseOrdinal(kind.substr(5), ordinal)) {
      error = "device '" + kind + "': expected cuda:N with N a GPU number";
      return false;
    }
    kind = "cuda";
  } else if (kind != "auto" && kind != "cpu" && kind != "cuda") {
    error = "device expects auto, cpu, cuda or cuda:N, got '" + kind + "'";
    return false;
  }
  std::string whyNoGpu;
#ifdef MAMBA_HAVE_CUDA
  int count = 0;
  if (!cuda::countDevices(count, whyNoGpu))
    count = 0;
  else if (count == 0)
    whyNoGpu = "the driver sees no GPU";
#else
  const int count = 0;
  whyNoGpu = "this build has no CUDA backend";
#endif
  if (kind == "auto")
    kind = gpuCode && count > 0 ? "cuda" : "cpu";
  if (kind == "cuda") {
    if (!gpuCode) {
      error = modulePath + " has no GPU code (compiled with --target cpu?): "
                           "run it with --device cpu";
      return false;
    }
    if (count == 0) {
      error = "--device cuda: no usable GPU: " + whyNoGpu;
      return false;
    }
#ifdef MAMBA_HAVE_CUDA
    if (ordinal >= count) {
      error =
          "--device cuda:" + std::to_string(ordinal) +
          ": no such GPU: the driver sees " + std::to_string(count) +
          (count == 1 ? " (cuda:0)"
                      : " (cuda:0 to cuda:" + std::to_string(count - 1) + ")");
      return false;
    }
    auto gpu = std::make_shared<cuda::Device>();
    if (!gpu->open(ordinal, error))
      return false;
    out.backend_ = std::make_unique<cuda::CudaBackend>(*gpu);
    out.context_ = gpu;
#endif
    return true;
  }
  if (!cpuCode) {
    error = modulePath +
            " has no CPU code (compiled for GPUs only): compile it with "
            "--target cpu, or run it with --device cuda" +
            (count == 0 ? " on a machine with a GPU (" + whyNoGpu + ")"
                        : std::string());
    return false;
  }
#ifdef MAMBA_HAVE_CPU
  int threads = request.threads;
  if (threads < 0) {
    error = "threads must be positive (0 picks MAMBA_THREADS or the cores), "
            "got " +
            std::to_string(threads);
    return false;
  }
  if (threads == 0 && !cpu::defaultThreadCount(threads, error))
    return false;
  out.backend_ = std::make_unique<cpu::CpuBackend>(threads);
  return true;
#else
  error = "this build has no CPU backend (OpenBLAS's headers were not found)";
  return false;
#endif
}

} // namespace mamba::runtime
