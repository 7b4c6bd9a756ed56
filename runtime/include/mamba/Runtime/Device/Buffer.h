//===- Buffer.h - Memory a backend's steps read and write -------*- C++ -*-===//
//
// Part of the device interface (Backend.h): one allocation of a backend's
// memory. Its address is what kernel parameters and GEMM problems carry
// (a CUdeviceptr on CUDA, a host pointer on the CPU); the host core only
// adds offsets to it and never dereferences it.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_DEVICE_BUFFER_H
#define MAMBA_RUNTIME_DEVICE_BUFFER_H

#include <cstdint>
#include <string>

namespace mamba::runtime {

/// Freed when destroyed; the backend that made it must outlive it.
class Buffer {
public:
  virtual ~Buffer() = default;

  /// 0 for an empty buffer.
  virtual uint64_t address() const = 0;
  virtual uint64_t size() const = 0;
  /// Synchronous copies of `bytes` bytes from byte `offset` of the buffer;
  /// a range outside it is an error, not a write past its end.
  virtual bool copyFromHost(const void *source, uint64_t bytes, uint64_t offset,
                            std::string &error) = 0;
  virtual bool copyToHost(void *destination, uint64_t bytes, uint64_t offset,
                          std::string &error) const = 0;
};

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_DEVICE_BUFFER_H
