//===- CudaBuffer.cpp - Device memory -------------------------------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda/DeviceBuffer.h"

namespace mamba::runtime::cuda {

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&other) noexcept {
  if (this == &other)
    return *this;
  release();
  context_ = std::exchange(other.context_, nullptr);
  address_ = std::exchange(other.address_, 0);
  size_ = std::exchange(other.size_, 0);
  return *this;
}

bool DeviceBuffer::allocate(const Device &device, uint64_t bytes,
                            std::string &error) {
  release();
  if (bytes == 0)
    return true;
  ScopedContext scope(device.context(), error);
  if (!scope.ok())
    return false;
  CUdeviceptr address;
  if (!check(api().cuMemAlloc(&address, bytes), "cuMemAlloc",
             "allocating " + std::to_string(bytes) + " bytes on " +
                 device.chipName() + " device " +
                 std::to_string(device.ordinal()),
             error))
    return false;
  context_ = device.context();
  address_ = address;
  size_ = bytes;
  return true;
}

void DeviceBuffer::release() {
  if (address_) {
    std::string ignored;
    ScopedContext scope(context_, ignored);
    if (scope.ok())
      api().cuMemFree(address_);
  }
  context_ = nullptr;
  address_ = 0;
  size_ = 0;
}

bool DeviceBuffer::copyFromHost(const void *source, uint64_t bytes,
                                std::string &error, uint64_t offset) {
  if (offset > size_ || bytes > size_ - offset) {
    error = "cannot copy " + std::to_string(bytes) + " bytes to offset " +
            std::to_string(offset) + " of a buffer of " + std::to_string(size_);
    return false;
  }
  if (bytes == 0)
    return true;
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(api().cuMemcpyHtoD(address_ + offset, source, bytes),
               "cuMemcpyHtoD",
               "copying " + std::to_string(bytes) + " bytes to the device",
               error);
}

bool DeviceBuffer::copyToHost(void *destination, uint64_t bytes,
                              std::string &error, uint64_t offset) const {
  if (offset > size_ || bytes > size_ - offset) {
    error = "cannot copy " + std::to_string(bytes) + " bytes from offset " +
            std::to_string(offset) + " of a buffer of " + std::to_string(size_);
    return false;
  }
  if (bytes == 0)
    return true;
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(api().cuMemcpyDtoH(destination, address_ + offset, bytes),
               "cuMemcpyDtoH",
               "copying " + std::to_string(bytes) + " bytes from the device",
               error);
}

bool DeviceBuffer::fill16(uint16_t pattern, std::string &error) {
  if (size_ % 2) {
    error = "cannot fill a buffer of " + std::to_string(size_) +
            " bytes with 16-bit values";
    return false;
  }
  if (size_ == 0)
    return true;
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(api().cuMemsetD16(address_, pattern, size_ / 2), "cuMemsetD16",
               "filling " + std::to_string(size_) + " bytes", error);
}

bool DeviceBuffer::fill32(uint32_t pattern, std::string &error) {
  if (size_ % 4) {
    error = "cannot fill a buffer of " + std::to_string(size_) +
            " bytes with 32-bit values";
    return false;
  }
  if (size_ == 0)
    return true;
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(api().cuMemsetD32(address_, pattern, size_ / 4), "cuMemsetD32",
               "filling " + std::to_string(size_) + " bytes", error);
}

bool copyToHostAsync(const Device &device, CUdeviceptr source,
                     void *destination, uint64_t bytes, CUstream stream,
                     std::string &error) {
  if (bytes == 0)
    return true;
  ScopedContext scope(device.context(), error);
  return scope.ok() &&
         check(api().cuMemcpyDtoHAsync(destination, source, bytes, stream),
               "cuMemcpyDtoHAsync",
               "copying " + std::to_string(bytes) + " bytes to the host",
               error);
}

bool copyFromHostAsync(const Device &device, const void *source,
                       CUdeviceptr destination, uint64_t bytes, CUstream stream,
                       std::string &error) {
  if (bytes == 0)
    return true;
  ScopedContext scope(device.context(), error);
  return scope.ok() &&
         check(api().cuMemcpyHtoDAsync(destination, source, bytes, stream),
               "cuMemcpyHtoDAsync",
               "copying " + std::to_string(bytes) + " bytes to the device",
               error);
}

bool DeviceBuffer::copyFromDevice(const DeviceBuffer &source, uint64_t bytes,
                                  CUstream stream, std::string &error) {
  if (bytes > size_ || bytes > source.size_) {
    error = "cannot copy " + std::to_string(bytes) +
            " bytes from a buffer of " + std::to_string(source.size_) +
            " into one of " + std::to_string(size_);
    return false;
  }
  if (bytes == 0)
    return true;
  ScopedContext scope(context_, error);
  return scope.ok() &&
         check(
             api().cuMemcpyDtoDAsync(address_, source.address_, bytes, stream),
             "cuMemcpyDtoDAsync",
             "copying " + std::to_string(bytes) + " bytes on the device",
             error);
}

} // namespace mamba::runtime::cuda
