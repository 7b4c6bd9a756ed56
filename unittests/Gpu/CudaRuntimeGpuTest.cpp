//===- CudaRuntimeGpuTest.cpp - The CUDA runtime on a real GPU ------------===//
//
// Device, buffers, module loading and launching, with a tiny hand-written PTX
// kernel, so that these tests need neither the compiler nor nvcc.
//
//===----------------------------------------------------------------------===//

#include "GpuTestSupport.h"

#include <algorithm>
#include <cstring>

namespace mamba::gpu_test {
namespace {

namespace cuda = runtime::cuda;
using runtime::ModuleFile;
using runtime::TensorRef;

/// y[i] = i for i < size, with y a rank-1 f32 memref descriptor (allocated,
/// aligned, offset, size, stride); reads the aligned pointer and the size.
const char *kIotaPtx = R"(.version 7.0
.target sm_80
.address_size 64

.visible .entry iota(.param .u64 y_allocated, .param .u64 y_aligned,
                     .param .u64 y_offset, .param .u64 y_size,
                     .param .u64 y_stride)
{
  .reg .pred %p<2>;
  .reg .b32 %r<5>;
  .reg .b64 %rd<8>;
  .reg .f32 %f<2>;
  ld.param.u64 %rd1, [y_aligned];
  ld.param.u64 %rd2, [y_size];
  mov.u32 %r1, %ctaid.x;
  mov.u32 %r2, %ntid.x;
  mov.u32 %r3, %tid.x;
  mad.lo.s32 %r4, %r1, %r2, %r3;
  cvt.s64.s32 %rd3, %r4;
  setp.ge.s64 %p1, %rd3, %rd2;
  @%p1 bra DONE;
  cvt.rn.f32.s64 %f1, %rd3;
  cvta.to.global.u64 %rd4, %rd1;
  shl.b64 %rd5, %rd3, 2;
  add.s64 %rd6, %rd4, %rd5;
  st.global.f32 [%rd6], %f1;
DONE:
  ret;
}
)";

struct IotaOptions {
  std::string kernel = "iota";
  std::string chip = "sm_80";
  std::string params =
      R"([{"kind": "memref", "source": "result", "index": 0, "rank": 1}])";
};

/// A module with one function "iota": argument x [-1] f32 (only its size is
/// used), result y of x's shape, one launch of a kernel of `ptx`.
std::vector<uint8_t> iotaModule(const std::string &ptx,
                                const IotaOptions &options = {}) {
  std::string header = R"({
    "format": "mamba-module", "version": 2,
    "images": [{"module": "m", "chip": ")" +
                       options.chip +
                       R"(", "kind": "ptx", "offset": 0, "size": )" +
                       std::to_string(ptx.size()) + R"(}],
    "functions": [{
      "name": "iota",
      "args": [{"element": "f32", "shape": [-1]}],
      "results": [{"element": "f32", "shape": [{"dim": [0, 0]}]}],
      "launches": [{
        "module": "m", "kernel": ")" +
                       options.kernel + R"(",
        "grid": [{"op": "ceildiv", "args": [{"dim": [0, 0]}, 128]}, 1, 1],
        "block": [128, 1, 1], "shared_bytes": 0,
        "params": )" + options.params +
                       R"(
      }]
    }]
  })";
  return format::assembleModuleFile(
      header, std::vector<uint8_t>(ptx.begin(), ptx.end()));
}

bool loadFile(ModuleFile &file, const std::vector<uint8_t> &bytes,
              std::string &error) {
  return file.loadFromMemory(bytes.data(), bytes.size(), "iota.mmod", error);
}

TEST(CudaRuntimeGpuTest, OpensTheDevice) {
  MAMBA_REQUIRE_GPU();
  const cuda::Device &device = gpuState().device;
  EXPECT_TRUE(device.isOpen());
  EXPECT_FALSE(device.name().empty());
  EXPECT_GE(device.computeMajor(), 7u);
  EXPECT_EQ(device.chipName().rfind("sm_", 0), 0u);
  EXPECT_GE(device.limits().maxThreadsPerBlock, 1024);
  EXPECT_GE(device.limits().maxGrid[0], 65535);
  EXPECT_GE(device.limits().maxSharedBytesPerBlock, 48 * 1024);

  cuda::Device missing;
  std::string error;
  EXPECT_FALSE(missing.open(1000, error));
  EXPECT_NE(error.find("there is no GPU 1000"), std::string::npos) << error;
}

TEST(CudaRuntimeGpuTest, BuffersCopyAndFill) {
  MAMBA_REQUIRE_GPU();
  const cuda::Device &device = gpuState().device;
  std::string error;
  cuda::DeviceBuffer buffer;
  ASSERT_TRUE(buffer.allocate(device, 4000, error)) << error;
  EXPECT_NE(buffer.address(), 0u);
  EXPECT_EQ(buffer.size(), 4000u);

  std::vector<uint32_t> in(1000), out(1000);
  for (uint32_t i = 0; i < 1000; ++i)
    in[i] = i * 2654435761u;
  ASSERT_TRUE(buffer.copyFromHost(in.data(), 4000, error)) << error;
  ASSERT_TRUE(buffer.copyToHost(out.data(), 4000, error)) << error;
  EXPECT_EQ(in, out);

  ASSERT_TRUE(buffer.fill32(0x7fc00000u, error)) << error;
  ASSERT_TRUE(buffer.copyToHost(out.data(), 4000, error)) << error;
  EXPECT_EQ(out, std::vector<uint32_t>(1000, 0x7fc00000u));
  ASSERT_TRUE(buffer.fill16(0x7fc0u, error)) << error;
  ASSERT_TRUE(buffer.copyToHost(out.data(), 4000, error)) << error;
  EXPECT_EQ(out, std::vector<uint32_t>(1000, 0x7fc07fc0u));

  EXPECT_FALSE(buffer.copyFromHost(in.data(), 4004, error));
  EXPECT_NE(
      error.find("cannot copy 4004 bytes to offset 0 of a buffer of 4000"),
      std::string::npos)
      << error;

  // Copies at an offset touch only their bytes; past the end they fail,
  // also when offset + bytes would wrap around.
  ASSERT_TRUE(buffer.copyFromHost(in.data(), 4000, error)) << error;
  std::vector<uint32_t> part = {1, 2, 3};
  ASSERT_TRUE(buffer.copyFromHost(part.data(), 12, error, 400)) << error;
  ASSERT_TRUE(buffer.copyToHost(out.data(), 4000, error)) << error;
  std::vector<uint32_t> expected = in;
  std::copy(part.begin(), part.end(), expected.begin() + 100);
  EXPECT_EQ(out, expected);
  std::vector<uint32_t> back(3);
  ASSERT_TRUE(buffer.copyToHost(back.data(), 12, error, 400)) << error;
  EXPECT_EQ(back, part);
  EXPECT_FALSE(buffer.copyFromHost(part.data(), 12, error, 3992));
  EXPECT_NE(error.find("cannot copy 12 bytes to offset 3992"),
            std::string::npos)
      << error;
  EXPECT_FALSE(buffer.copyToHost(back.data(), 12, error, ~uint64_t(0) - 4));
  EXPECT_NE(error.find("cannot copy 12 bytes from offset"), std::string::npos)
      << error;

  cuda::DeviceBuffer moved = std::move(buffer);
  EXPECT_EQ(buffer.address(), 0u);
  EXPECT_EQ(moved.size(), 4000u);
  ASSERT_TRUE(moved.allocate(device, 0, error)) << error;
  EXPECT_EQ(moved.address(), 0u);

  // The driver's own error comes back with the call and the request.
  cuda::DeviceBuffer huge;
  EXPECT_FALSE(huge.allocate(device, uint64_t(1) << 50, error));
  EXPECT_NE(error.find("cuMemAlloc failed with CUDA_ERROR_OUT_OF_MEMORY"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("allocating 1125899906842624 bytes"), std::string::npos)
      << error;
}

TEST(CudaRuntimeGpuTest, RunsAPtxKernel) {
  MAMBA_REQUIRE_GPU();
  const cuda::Device &device = gpuState().device;
  std::string error;
  ModuleFile file;
  ASSERT_TRUE(loadFile(file, iotaModule(kIotaPtx), error)) << error;
  cuda::LoadedModule module;
  ASSERT_TRUE(module.load(file, device, error)) << error;
  EXPECT_EQ(module.describeImages(), "m: ptx sm_80\n");

  for (int64_t n : {1, 127, 128, 1000, 100000}) {
    std::vector<cuda::DeviceTensor> results;
    // x's contents are never read; only its shape matters.
    cuda::DeviceBuffer x;
    ASSERT_TRUE(x.allocate(device, n * 4, error)) << error;
    ASSERT_TRUE(cuda::runFunction(module, "iota", {TensorRef{x.address(), {n}}},
                                  results, error))
        << error;
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].shape, runtime::Shape{n});
    std::vector<float> y(n);
    ASSERT_TRUE(results[0].buffer.copyToHost(y.data(), n * 4, error)) << error;
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; ++i)
      wrong += y[i] != static_cast<float>(i);
    EXPECT_EQ(wrong, 0) << "n = " << n;
  }
}

TEST(CudaRuntimeGpuTest, RejectsBadCallsBeforeLaunching) {
  MAMBA_REQUIRE_GPU();
  const cuda::Device &device = gpuState().device;
  std::string error;
  ModuleFile file;
  ASSERT_TRUE(loadFile(file, iotaModule(kIotaPtx), error)) << error;
  cuda::LoadedModule module;
  ASSERT_TRUE(module.load(file, device, error)) << error;
  cuda::DeviceBuffer x;
  ASSERT_TRUE(x.allocate(device, 64, error)) << error;
  std::vector<cuda::DeviceTensor> results;

  EXPECT_FALSE(cuda::runFunction(module, "nope", {}, results, error));
  EXPECT_NE(error.find("no function 'nope' (it has: iota)"), std::string::npos)
      << error;
  EXPECT_FALSE(cuda::runFunction(module, "iota", {}, results, error));
  EXPECT_NE(error.find("takes 1 arguments, got 0"), std::string::npos) << error;
  EXPECT_FALSE(
      cuda::runFunction(module, "iota", {TensorRef{0, {16}}}, results, error));
  EXPECT_NE(error.find("argument 0 of shape [16] has no memory"),
            std::string::npos)
      << error;
  // 2^40 elements need 2^33 blocks: over the grid limit, caught before
  // anything is allocated or launched.
  EXPECT_FALSE(cuda::runFunction(module, "iota",
                                 {TensorRef{x.address(), {int64_t(1) << 40}}},
                                 results, error));
  EXPECT_NE(error.find("grid.x = ceildiv(dim(0,0), 128) = 8589934592 is "
                       "outside the device's range"),
            std::string::npos)
      << error;

  // launchFunction checks the result buffers it is given.
  std::vector<TensorRef> args = {{x.address(), {16}}};
  EXPECT_FALSE(cuda::launchFunction(module, "iota", args,
                                    {TensorRef{x.address(), {15}}}, error));
  EXPECT_NE(error.find("result 0 has shape [15], expected [16]"),
            std::string::npos)
      << error;
}

TEST(CudaRuntimeGpuTest, ReportsJitErrorsWithTheLog) {
  MAMBA_REQUIRE_GPU();
  std::string error;
  ModuleFile file;
  std::string broken = std::string(kIotaPtx);
  broken.replace(broken.find("st.global.f32"), 13, "st.global.f99");
  ASSERT_TRUE(loadFile(file, iotaModule(broken), error)) << error;
  cuda::LoadedModule module;
  EXPECT_FALSE(module.load(file, gpuState().device, error));
  EXPECT_NE(error.find("iota.mmod: cuModuleLoadDataEx failed with "
                       "CUDA_ERROR_INVALID_PTX"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("loading the ptx sm_80 image of gpu module 'm'"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("JIT error log:"), std::string::npos) << error;
  EXPECT_FALSE(module.isLoaded());
}

TEST(CudaRuntimeGpuTest, ReportsMissingKernelsAndParameterMismatches) {
  MAMBA_REQUIRE_GPU();
  std::string error;
  ModuleFile file;
  cuda::LoadedModule module;
  IotaOptions renamed;
  renamed.kernel = "iota_v2";
  ASSERT_TRUE(loadFile(file, iotaModule(kIotaPtx, renamed), error)) << error;
  EXPECT_FALSE(module.load(file, gpuState().device, error));
  EXPECT_NE(error.find("cuModuleGetFunction failed with CUDA_ERROR_NOT_FOUND"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("kernel 'iota_v2' of gpu module 'm'"), std::string::npos)
      << error;

  // The module file says the kernel takes x and y (10 slots); it takes 5.
  IotaOptions twoParams;
  twoParams.params = R"([{"kind": "memref", "source": "arg", "index": 0,
                          "rank": 1},
                         {"kind": "memref", "source": "result", "index": 0,
                          "rank": 1}])";
  ASSERT_TRUE(loadFile(file, iotaModule(kIotaPtx, twoParams), error)) << error;
  bool loaded = module.load(file, gpuState().device, error);
  if (loaded)
    GTEST_SKIP() << "this driver cannot list kernel parameters "
                    "(cuFuncGetParamInfo needs 12.4 or newer)";
  EXPECT_NE(error.find("takes 5 parameters, but the module file describes 10"),
            std::string::npos)
      << error;
}

TEST(CudaRuntimeGpuTest, ReportsModulesWithNoImageForTheDevice) {
  MAMBA_REQUIRE_GPU();
  IotaOptions future;
  future.chip = "sm_99a"; // No device has it.
  std::string error;
  ModuleFile file;
  ASSERT_TRUE(loadFile(file, iotaModule(kIotaPtx, future), error)) << error;
  cuda::LoadedModule module;
  EXPECT_FALSE(module.load(file, gpuState().device, error));
  EXPECT_NE(error.find("no image of gpu module 'm' runs on " +
                       gpuState().device.chipName() +
                       " (the file has: ptx sm_99a)"),
            std::string::npos)
      << error;
}

} // namespace
} // namespace mamba::gpu_test
