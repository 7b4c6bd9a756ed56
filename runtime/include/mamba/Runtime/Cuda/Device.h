//===- Device.h - A GPU and its primary context -----------------*- C++ -*-===//
//
// The driver opened, a device's primary context retained, its properties
// and limits read; the device's memory as the driver reports it.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_DEVICE_H
#define MAMBA_RUNTIME_CUDA_DEVICE_H

#include "mamba/Runtime/LaunchPlan.h"

#include <cuda.h>

#include <cstdint>
#include <string>
#include <utility>

namespace mamba::runtime::cuda {

/// Opens the driver library, initializes it and counts the devices. False,
/// with the reason, when there is no usable driver: callers treat that as
/// "no GPU on this machine". A count of 0 is a success.
bool countDevices(int &count, std::string &error);

/// One GPU, used through its primary context (the one the CUDA runtime and
/// other libraries in the process share).
class Device {
public:
  Device() = default;
  ~Device() { close(); }
  Device(Device &&other) noexcept { *this = std::move(other); }
  Device &operator=(Device &&other) noexcept;
  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;

  /// Retains the primary context of device `ordinal` and reads its
  /// properties and limits.
  bool open(int ordinal, std::string &error);
  void close();
  bool isOpen() const { return context_ != nullptr; }

  int ordinal() const { return ordinal_; }
  CUdevice handle() const { return device_; }
  CUcontext context() const { return context_; }
  const std::string &name() const { return name_; }
  unsigned computeMajor() const { return major_; }
  unsigned computeMinor() const { return minor_; }
  /// "sm_90" for compute capability 9.0.
  std::string chipName() const;
  const DeviceLimits &limits() const { return limits_; }
  int multiprocessors() const { return multiprocessors_; }
  /// The peak SM clock, in kHz, as the driver reports it.
  int clockKHz() const { return clockKHz_; }
  int64_t l2Bytes() const { return l2Bytes_; }
  /// "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs)", for logs.
  std::string describe() const;

private:
  int ordinal_ = -1;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
  std::string name_;
  unsigned major_ = 0, minor_ = 0;
  int multiprocessors_ = 0;
  int clockKHz_ = 0;
  int64_t l2Bytes_ = 0;
  DeviceLimits limits_;
};

/// The device's free and total memory, as the driver reports them.
bool memoryInfo(const Device &device, uint64_t &freeBytes, uint64_t &totalBytes,
                std::string &error);

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_DEVICE_H
