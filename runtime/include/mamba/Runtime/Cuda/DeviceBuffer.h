//===- DeviceBuffer.h - Device memory ---------------------------*- C++ -*-===//
//
// Buffers from cuMemAlloc, and copies between the host and device
// addresses.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_CUDA_DEVICEBUFFER_H
#define MAMBA_RUNTIME_CUDA_DEVICEBUFFER_H

#include "mamba/Runtime/Cuda/Device.h"

#include <cuda.h>

#include <cstdint>
#include <string>
#include <utility>

namespace mamba::runtime::cuda {

/// Device memory from cuMemAlloc, freed on destruction. Move-only.
class DeviceBuffer {
public:
  DeviceBuffer() = default;
  ~DeviceBuffer() { release(); }
  DeviceBuffer(DeviceBuffer &&other) noexcept { *this = std::move(other); }
  DeviceBuffer &operator=(DeviceBuffer &&other) noexcept;
  DeviceBuffer(const DeviceBuffer &) = delete;
  DeviceBuffer &operator=(const DeviceBuffer &) = delete;

  /// Frees what was held, then allocates `bytes` on `device`. Zero bytes
  /// allocate nothing and leave address() 0 (the driver refuses them).
  bool allocate(const Device &device, uint64_t bytes, std::string &error);
  /// Frees the memory; a failure here cannot be reported and is ignored.
  void release();

  CUdeviceptr address() const { return address_; }
  uint64_t size() const { return size_; }

  /// Synchronous copies of `bytes` bytes of the buffer, from byte `offset`.
  bool copyFromHost(const void *source, uint64_t bytes, std::string &error,
                    uint64_t offset = 0);
  bool copyToHost(void *destination, uint64_t bytes, std::string &error,
                  uint64_t offset = 0) const;
  /// Fills the buffer with a 16- or 32-bit pattern (e.g. a NaN, to find
  /// elements a kernel failed to write); the size must be a multiple of it.
  bool fill16(uint16_t pattern, std::string &error);
  bool fill32(uint32_t pattern, std::string &error);
  /// Enqueues a copy of the first `bytes` bytes of `source` into this
  /// buffer on `stream` (device to device; both on this buffer's device).
  bool copyFromDevice(const DeviceBuffer &source, uint64_t bytes,
                      CUstream stream, std::string &error);

private:
  CUcontext context_ = nullptr;
  CUdeviceptr address_ = 0;
  uint64_t size_ = 0;
};

/// Asynchronous copies between host memory and a device address (for
/// buffers that are views into larger ones); `stream`'s context must be
/// `device`'s.
bool copyToHostAsync(const Device &device, CUdeviceptr source,
                     void *destination, uint64_t bytes, CUstream stream,
                     std::string &error);
bool copyFromHostAsync(const Device &device, const void *source,
                       CUdeviceptr destination, uint64_t bytes, CUstream stream,
                       std::string &error);

} // namespace mamba::runtime::cuda

#endif // MAMBA_RUNTIME_CUDA_DEVICEBUFFER_H
