//===- GemmGpuTest.cpp - The plan's GEMMs through cuBLASLt, on a GPU ------===//
//
// Every operand layout a gemm step can have (x and y token-major or
// features-major), with and without a bias, in f32, bf16 and f16, against
// the reference library's linear in double precision.
//
//===----------------------------------------------------------------------===//

#include "GpuTestSupport.h"
#include "HostTensor.h"

#include "mamba/Reference/Linear.h"
#include "mamba/Runtime/Cuda/Gemm.h"

#include <cstdio>
#include <random>

namespace mamba::gpu_test {
namespace {

namespace cuda = runtime::cuda;

struct GemmCase {
  ElementType element;
  int64_t b, L, M, K;
  bool xFeaturesMajor, yFeaturesMajor, bias;
};

std::string caseName(const GemmCase &c) {
  char name[128];
  std::snprintf(name, sizeof(name), "%s b%lld L%lld M%lld K%lld%s%s%s",
                runtime::elementTypeName(c.element),
                static_cast<long long>(c.b), static_cast<long long>(c.L),
                static_cast<long long>(c.M), static_cast<long long>(c.K),
                c.xFeaturesMajor ? " xFM" : "", c.yFeaturesMajor ? " yFM" : "",
                c.bias ? " bias" : "");
  return name;
}

HostTensor randomTensor(ElementType element, Shape shape,
                        std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  HostTensor t(element, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, u(rng));
  return t;
}

bool upload(const HostTensor &host, cuda::DeviceBuffer &buffer,
            std::string &error) {
  return buffer.allocate(gpuState().device, host.bytes().size(), error) &&
         buffer.copyFromHost(host.bytes().data(), host.bytes().size(), error);
}

void runCase(const GemmCase &c) {
  std::string error;
  cuda::Blas *blas = testBlas(error);
  ASSERT_NE(blas, nullptr) << error;

  std::mt19937_64 rng(caseSeed(caseName(c), 0));
  Shape xShape = c.xFeaturesMajor ? Shape{c.b, c.K, c.L} : Shape{c.b, c.L, c.K};
  Shape yShape = c.yFeaturesMajor ? Shape{c.b, c.M, c.L} : Shape{c.b, c.L, c.M};
  HostTensor x = randomTensor(c.element, xShape, rng);
  HostTensor w = randomTensor(c.element, {c.M, c.K}, rng);
  HostTensor bias = randomTensor(c.element, {c.M}, rng);

  cuda::DeviceBuffer dx, dw, dbias;
  ASSERT_TRUE(upload(x, dx, error) && upload(w, dw, error) &&
              upload(bias, dbias, error))
      << error;
  cuda::DeviceTensor y{c.element, yShape, {}};
  ASSERT_TRUE(y.buffer.allocate(gpuState().device,
                                HostTensor(c.element, yShape).bytes().size(),
                                error) &&
              poison(y, error))
      << error;

  Shape biasShape{c.M};
  runtime::GemmProblem problem;
  problem.element = c.element;
  ASSERT_TRUE(runtime::describeGemm(
      xShape, {c.M, c.K}, yShape, c.bias ? &biasShape : nullptr,
      c.xFeaturesMajor, c.yFeaturesMajor, problem, error))
      << error;
  problem.x = dx.address();
  problem.w = dw.address();
  problem.y = y.buffer.address();
  problem.bias = c.bias ? dbias.address() : 0;
  cuda::PreparedGemm gemm;
  ASSERT_TRUE(gemm.prepare(*blas, problem, error)) << error;
  cuda::Stream stream;
  ASSERT_TRUE(stream.create(gpuState().device, error)) << error;
  ASSERT_TRUE(gemm.enqueue(stream.handle(), error)) << error;
  ASSERT_TRUE(stream.synchronize(error)) << error;

  HostTensor out(c.element, yShape);
  ASSERT_TRUE(
      y.buffer.copyToHost(out.bytes().data(), out.bytes().size(), error))
      << error;
  reference::Tensor rx = x.toReference();
  if (c.xFeaturesMajor)
    rx = reference::swapLastTwoDims(rx);
  reference::Tensor rbias = bias.toReference();
  reference::Tensor expected =
      reference::linear(rx, w.toReference(), c.bias ? &rbias : nullptr);
  if (c.yFeaturesMajor)
    expected = reference::swapLastTwoDims(expected);
  std::vector<double> actual(static_cast<size_t>(out.numel()));
  for (int64_t i = 0; i < out.numel(); ++i)
    actual[i] = out.get(i);
  double err =
      compareToReference(caseName(c), actual, expected.values(), c.element);
  std::printf("  %s (%s): rel L2 %.3g\n", caseName(c).c_str(),
              gemm.describe().c_str(), err);
}

TEST(GemmGpu, EveryLayoutF32) {
  MAMBA_REQUIRE_GPU();
  for (bool xFM : {false, true})
    for (bool yFM : {false, true})
      for (bool bias : {false, true})
        runCase({ElementType::F32, 2, 37, 48, 40, xFM, yFM, bias});
}

TEST(GemmGpu, EveryLayoutBf16) {
  MAMBA_REQUIRE_GPU();
  for (bool xFM : {false, true})
    for (bool yFM : {false, true})
      for (bool bias : {false, true})
        runCase({ElementType::BF16, 3, 64, 96, 128, xFM, yFM, bias});
}

TEST(GemmGpu, ModelShapes) {
  MAMBA_REQUIRE_GPU();
  // 130m's in_proj half, x_proj's dt slice, out_proj and a decode-step
  // lm_head row block, with odd lengths.
  runCase({ElementType::BF16, 1, 129, 1536, 768, false, true, false});
  runCase({ElementType::BF16, 2, 77, 48, 1536, true, false, false});
  runCase({ElementType::F16, 2, 77, 768, 1536, true, false, true});
  runCase({ElementType::F32, 1, 1, 1000, 768, false, false, false});
}

TEST(GemmGpu, EmptyProblemRunsNothing) {
  MAMBA_REQUIRE_GPU();
  std::string error;
  cuda::Blas *blas = testBlas(error);
  ASSERT_NE(blas, nullptr) << error;
  runtime::GemmProblem problem;
  ASSERT_TRUE(runtime::describeGemm({1, 0, 64}, {32, 64}, {1, 0, 32}, nullptr,
                                    false, false, problem, error))
      << error;
  EXPECT_EQ(problem.tokens, 0);
  cuda::PreparedGemm gemm;
  ASSERT_TRUE(gemm.prepare(*blas, problem, error)) << error;
  EXPECT_TRUE(gemm.enqueue(nullptr, error)) << error;
}

} // namespace
} // namespace mamba::gpu_test
