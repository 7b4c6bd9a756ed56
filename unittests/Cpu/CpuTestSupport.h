//===- CpuTestSupport.h - Compiled modules run on the CPU backend -*- C++
//-*-===//
//
// What the CPU kernel tests share: the modules mamba-compile made for them
// (a test skips, saying why, when there are none), random host tensors in
// the kernels' element types, a call of a compiled function through the
// CPU backend, and values as doubles for the reference library.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_UNITTESTS_CPU_CPUTESTSUPPORT_H
#define MAMBA_UNITTESTS_CPU_CPUTESTSUPPORT_H

#include "HostTensor.h"
#include "mamba/Reference/Tensor.h"
#include "mamba/Runtime/Cpu/Backend.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <random>
#include <string>
#include <vector>

namespace mamba::runtime::cpu {

using gpu_test::HostTensor;

/// Loads `name`.mmod of the compiled CPU test kernels into `file`; false
/// with `skip` set when the build has none (no compiler).
inline bool loadCompiled(const std::string &name, ModuleFile &file,
                         std::string &skip) {
  std::string path = std::string(MAMBA_CPU_COMPILED_DIR) + "/" + name;
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    skip = "no " + path + " (the compiled CPU test kernels need the compiler)";
    return false;
  }
  std::string error;
  EXPECT_TRUE(file.load(path, error)) << error;
  return true;
}

#define MAMBA_LOAD_COMPILED(name, file)                                        \
  do {                                                                         \
    std::string skip;                                                          \
    if (!::mamba::runtime::cpu::loadCompiled(name, file, skip)) {              \
      GTEST_SKIP() << skip;                                                    \
    }                                                                          \
  } while (0)

/// The golden tiny model's directory (its weights are read in place).
inline const std::string kGolden =
    std::string(MAMBA_GOLDEN_DIR) + "/model-tiny";

/// The golden model directory `name` (model-tiny, model-tiny-mamba2)
/// compiled for the CPU in `dtype`, or "" when the build has no compiler to
/// make it.
inline std::string compiledGolden(const std::string &name,
                                  const std::string &dtype) {
  std::string path =
      std::string(MAMBA_CPU_COMPILED_DIR) + "/" + name + "/" + dtype + ".mmod";
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 ? path : std::string();
}

/// Loads the golden model directory `name` compiled in `dtype` on `backend`
/// into `model`, or skips the test when it was not compiled.
#define MAMBA_LOAD_GOLDEN(name, dtype, backend, model)                         \
  do {                                                                         \
    const std::string goldenPath =                                             \
        ::mamba::runtime::cpu::compiledGolden(name, dtype);                    \
    if (goldenPath.empty()) {                                                  \
      GTEST_SKIP() << "no compiled " << (name)                                 \
                   << " model (CPU models need the compiler)";                 \
    }                                                                          \
    std::string goldenError;                                                   \
    ASSERT_TRUE((model).load(goldenPath,                                       \
                             std::string(MAMBA_GOLDEN_DIR) + "/" + (name),     \
                             backend, goldenError))                            \
        << goldenError;                                                        \
  } while (0)

/// The golden Mamba-1 tiny model (model-tiny).
#define MAMBA_LOAD_TINY(dtype, backend, model)                                 \
  MAMBA_LOAD_GOLDEN(std::string("model-tiny"), dtype, backend, model)

inline std::vector<double> values(const HostTensor &t) {
  std::vector<double> v(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i)
    v[i] = t.get(i);
  return v;
}

inline std::vector<double> values(const reference::Tensor &t) {
  return std::vector<double>(t.data(), t.data() + t.numel());
}

inline HostTensor randomTensor(ElementType element, Shape shape,
                               std::mt19937 &rng, double lo = -2,
                               double hi = 2) {
  HostTensor t(element, std::move(shape));
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, dist(rng));
  return t;
}

/// Runs `function` on `args` and fills `results` (shapes and types set).
inline void run(CpuBackend &backend, const ModuleFile &file,
                const std::string &function,
                const std::vector<HostTensor *> &args,
                const std::vector<HostTensor *> &results) {
  std::string error;
  std::unique_ptr<Program> program = backend.load(file, error);
  ASSERT_TRUE(program) << error;
  std::vector<std::unique_ptr<Buffer>> buffers;
  auto bind = [&](HostTensor *t, bool upload) {
    buffers.push_back(backend.allocate(t->bytes().size(), error));
    EXPECT_TRUE(buffers.back()) << error;
    if (upload) {
      EXPECT_TRUE(buffers.back()->copyFromHost(t->bytes().data(),
                                               t->bytes().size(), 0, error));
    }
    return TensorRef{buffers.back()->address(), t->shape()};
  };
  std::vector<TensorRef> argRefs, resultRefs;
  for (HostTensor *t : args)
    argRefs.push_back(bind(t, true));
  for (HostTensor *t : results)
    resultRefs.push_back(bind(t, false));
  std::unique_ptr<Step> step =
      program->prepareCall(function, argRefs, resultRefs, error);
  ASSERT_TRUE(step) << error;
  std::unique_ptr<Queue> queue = backend.createQueue(error);
  ASSERT_TRUE(step->enqueue(*queue, error)) << error;
  for (size_t i = 0; i < results.size(); ++i)
    ASSERT_TRUE(buffers[args.size() + i]->copyToHost(
        results[i]->bytes().data(), results[i]->bytes().size(), 0, error));
}

} // namespace mamba::runtime::cpu

#endif // MAMBA_UNITTESTS_CPU_CPUTESTSUPPORT_H
