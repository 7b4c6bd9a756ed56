//===- CudaDevice.cpp - A GPU and its primary context ---------------------===//

#include "CudaDriver.h"
#include "mamba/Runtime/Cuda/Device.h"

namespace mamba::runtime::cuda {

bool countDevices(int &count, std::string &error) {
  count = 0;
  const DriverApi *d = driver(error);
  if (!d)
    return false;
  return check(d->cuDeviceGetCount(&count), "cuDeviceGetCount",
               "counting the GPUs", error);
}

Device &Device::operator=(Device &&other) noexcept {
  if (this == &other)
    return *this;
  close();
  ordinal_ = std::exchange(other.ordinal_, -1);
  device_ = other.device_;
  context_ = std::exchange(other.context_, nullptr);
  name_ = std::move(other.name_);
  major_ = other.major_;
  minor_ = other.minor_;
  multiprocessors_ = other.multiprocessors_;
  clockKHz_ = other.clockKHz_;
  l2Bytes_ = other.l2Bytes_;
  limits_ = other.limits_;
  return *this;
}

bool Device::open(int ordinal, std::string &error) {
  close();
  const DriverApi *d = driver(error);
  if (!d)
    return false;
  std::string which = "device " + std::to_string(ordinal);
  int count = 0;
  if (!check(d->cuDeviceGetCount(&count), "cuDeviceGetCount",
             "counting the GPUs", error))
    return false;
  if (ordinal < 0 || ordinal >= count) {
    error = "there is no GPU " + std::to_string(ordinal) + " (found " +
            std::to_string(count) + ")";
    return false;
  }
  CUdevice device;
  if (!check(d->cuDeviceGet(&device, ordinal), "cuDeviceGet",
             "getting " + which, error))
    return false;

  char name[256] = {};
  if (!check(d->cuDeviceGetName(name, sizeof(name) - 1, device),
             "cuDeviceGetName", "reading the name of " + which, error))
    return false;

  // Every property the launcher checks launches against.
  struct Query {
    CUdevice_attribute attribute;
    const char *what;
    int value = 0;
  } queries[] = {
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, "compute capability"},
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, "compute capability"},
      {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, "multiprocessor count"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, "grid limit"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, "grid limit"},
      {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, "grid limit"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, "block limit"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, "block limit"},
      {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, "block limit"},
      {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, "threads per block"},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
       "shared memory per block"},
      {CU_DEVICE_ATTRIBUTE_CLOCK_RATE, "peak clock rate"},
      {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, "L2 cache size"},
  };
  for (Query &q : queries)
    if (!check(d->cuDeviceGetAttribute(&q.value, q.attribute, device),
               "cuDeviceGetAttribute",
               std::string("reading the ") + q.what + " of " + which, error))
      return false;

  CUcontext context;
  if (!check(d->cuDevicePrimaryCtxRetain(&context, device),
             "cuDevicePrimaryCtxRetain",
             "retaining the primary context of " + which, error))
    return false;

  ordinal_ = ordinal;
  device_ = device;
  context_ = context;
  name_ = name;
  major_ = static_cast<unsigned>(queries[0].value);
  minor_ = static_cast<unsigned>(queries[1].value);
  multiprocessors_ = queries[2].value;
  for (int i = 0; i < 3; ++i) {
    limits_.maxGrid[i] = queries[3 + i].value;
    limits_.maxBlock[i] = queries[6 + i].value;
  }
  limits_.maxThreadsPerBlock = queries[9].value;
  limits_.maxSharedBytesPerBlock = queries[10].value;
  clockKHz_ = queries[11].value;
  l2Bytes_ = queries[12].value;
  return true;
}

void Device::close() {
  if (context_) {
    // Nothing to report to: a failed release only leaks the context.
    api().cuDevicePrimaryCtxRelease(device_);
  }
  context_ = nullptr;
  ordinal_ = -1;
  device_ = 0;
  name_.clear();
  major_ = minor_ = 0;
  multiprocessors_ = 0;
  clockKHz_ = 0;
  l2Bytes_ = 0;
  limits_ = DeviceLimits();
}

std::string Device::chipName() const {
  return "sm_" + std::to_string(major_) + std::to_string(minor_);
}

std::string Device::describe() const {
  return name_ + " (" + chipName() + ", " + std::to_string(multiprocessors_) +
         " SMs)";
}

bool memoryInfo(const Device &device, uint64_t &freeBytes, uint64_t &totalBytes,
                std::string &error) {
  ScopedContext scope(device.context(), error);
  size_t free = 0, total = 0;
  if (!scope.ok() || !check(api().cuMemGetInfo(&free, &total), "cuMemGetInfo",
                            "reading the device's memory", error))
    return false;
  freeBytes = free;
  totalBytes = total;
  return true;
}

} // namespace mamba::runtime::cuda
