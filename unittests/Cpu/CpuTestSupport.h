//===- CpuTestSupport.h - Compiled modules on the CPU backend ---*- C++ -*-===//
//
// What the CPU kernel tests share: the modules mamba-compile made for them
// (a test skips, saying why, when there are none), random host tensors in
// the kernels' element types, a call of a compiled function through the
// CPU backend, values as doubles for the reference library, and random
// prompts and their prefill logits for the whole-model tests.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_UNITTESTS_CPU_CPUTESTSUPPORT_H
#define MAMBA_UNITTESTS_CPU_CPUTESTSUPPORT_H

#include "HostTensor.h"
#include "mamba/Format/SafeTensors.h"
#include "mamba/Reference/Greedy.h"
#include "mamba/Reference/Tensor.h"
#include "mamba/Reference/Weights.h"
#include "mamba/Runtime/Cpu/Backend.h"
#include "mamba/Runtime/Generator.h"

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

/// `b` prompts of `L` seeded random ids below `vocab`: flattened row by row
/// for the runtime, and as the reference library's batch.
struct RandomPrompts {
  std::vector<int32_t> flat;
  reference::TokenBatch batch;
};

inline RandomPrompts randomPrompts(int64_t b, int64_t L, int64_t vocab,
                                   unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> token(0,
                                               static_cast<int32_t>(vocab - 1));
  RandomPrompts out;
  out.batch.resize(b);
  for (int64_t r = 0; r < b; ++r)
    for (int64_t t = 0; t < L; ++t) {
      out.flat.push_back(token(rng));
      out.batch[r].push_back(out.flat.back());
    }
  return out;
}

/// Prepares `gen` for `b` rows of `L`-token prompts with every position's
/// logits kept and prefills `prompt`; `all` gets them, [b, L, V]. False
/// (with the failure recorded) when a step fails.
inline bool prefillEveryPosition(const Model &model, int64_t b, int64_t L,
                                 const std::vector<int32_t> &prompt,
                                 Generator &gen, std::vector<float> &all) {
  GeneratorOptions options;
  options.batch = b;
  options.promptLength = L;
  options.allLogits = true;
  std::string error;
  std::vector<float> last;
  bool ok = gen.prepare(model, options, error) &&
            gen.prefill(prompt, last, error) && gen.prefillLogits(all, error);
  EXPECT_TRUE(ok) << error;
  return ok;
}

/// The weights of `dir`/model.safetensors as the reference library's.
inline reference::Weights readReferenceWeights(const std::string &dir) {
  format::SafeTensorsFile file;
  std::string error;
  EXPECT_TRUE(file.load(dir + "/model.safetensors", error)) << error;
  reference::Weights weights;
  for (const format::TensorInfo &info : file.tensors()) {
    std::vector<double> values;
    EXPECT_TRUE(file.toDoubles(info, values, error)) << error;
    weights.emplace(info.name,
                    reference::Tensor(info.shape, std::move(values)));
  }
  return weights;
}

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
