//===- HostCoreTest.cpp - Model, entries and generation without a GPU -----===//
//
// The host core (Model, PreparedEntry, Generator) runs on any backend; here
// on a recording one that keeps memory on the host and logs what would run
// instead of running kernels. With the golden tiny model that mamba-compile
// made for the tests, this checks on every machine what used to be seen only
// on a GPU: weights land where the plan's addresses say, every step's
// operands lie inside memory the backend handed out, decode steps alternate
// between their two recorded variants, and failures (no memory, bad
// options, a module without a model) come back as messages.
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/ModuleWriter.h"
#include "mamba/Runtime/Generator.h"
#include "mamba/Runtime/WeightFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>

namespace mamba::runtime {
namespace {

/// What the recording backend saw, shared by everything it made.
struct Log {
  /// Live allocations: address -> size.
  std::map<uint64_t, uint64_t> allocations;
  uint64_t allocated = 0;
  uint64_t memoryLimit = UINT64_MAX;
  /// Enqueued steps and replays, by description, in order.
  std::vector<std::string> ran;
  int captures = 0;
  /// Every kernel call's and GEMM's operand addresses, as prepared.
  std::vector<uint64_t> operands;
  std::vector<std::string> functions;

  /// Whether [address, address + 1) lies in a live allocation.
  bool inside(uint64_t address) const {
    auto it = allocations.upper_bound(address);
    if (it == allocations.begin())
      return false;
    --it;
    return address < it->first + it->second;
  }
};

class HostBuffer final : public Buffer {
public:
  HostBuffer(Log &log, uint64_t bytes) : log_(log), size_(bytes) {
    if (bytes) {
      // Zeroed, so that logits nobody computed read as zeros.
      const uint64_t rounded = (bytes + 255) / 256 * 256;
      data_ = static_cast<uint8_t *>(std::aligned_alloc(256, rounded));
      std::memset(data_, 0, rounded);
      log_.allocations[address()] = bytes;
      log_.allocated += bytes;
    }
  }
  ~HostBuffer() override {
    if (data_) {
      log_.allocations.erase(address());
      log_.allocated -= size_;
      std::free(data_);
    }
  }
  uint64_t address() const override {
    return reinterpret_cast<uintptr_t>(data_);
  }
  uint64_t size() const override { return size_; }
  bool copyFromHost(const void *source, uint64_t bytes, uint64_t offset,
                    std::string &error) override {
    if (offset > size_ || bytes > size_ - offset) {
      error = "copy outside the buffer";
      return false;
    }
    std::memcpy(data_ + offset, source, bytes);
    return true;
  }
  bool copyToHost(void *destination, uint64_t bytes, uint64_t offset,
                  std::string &error) const override {
    if (offset > size_ || bytes > size_ - offset) {
      error = "copy outside the buffer";
      return false;
    }
    std::memcpy(destination, data_ + offset, bytes);
    return true;
  }

private:
  Log &log_;
  uint8_t *data_ = nullptr;
  uint64_t size_;
};

class RecordingQueue final : public Queue {
public:
  RecordingQueue(const Backend &backend, Log &log)
      : backend_(backend), log_(log) {}
  const Backend &backend() const override { return backend_; }
  bool copyFromHost(const void *source, uint64_t destination, uint64_t bytes,
                    std::string &error) override {
    if (!log_.inside(destination) || !log_.inside(destination + bytes - 1)) {
      error = "copy to memory the backend did not allocate";
      return false;
    }
    std::memcpy(reinterpret_cast<void *>(destination), source, bytes);
    return true;
  }
  bool copyToHost(uint64_t source, void *destination, uint64_t bytes,
                  std::string &error) override {
    if (!log_.inside(source) || !log_.inside(source + bytes - 1)) {
      error = "copy from memory the backend did not allocate";
      return false;
    }
    std::memcpy(destination, reinterpret_cast<const void *>(source), bytes);
    return true;
  }
  bool synchronize(std::string &) override { return true; }

private:
  const Backend &backend_;
  Log &log_;
};

class HostEvent final : public Event {
public:
  bool record(Queue &, std::string &) override {
    at_ = std::chrono::steady_clock::now();
    return true;
  }
  bool synchronize(std::string &) override { return true; }
  bool elapsedSince(const Event &start, float &ms,
                    std::string &) const override {
    ms = std::chrono::duration<float, std::milli>(
             at_ - static_cast<const HostEvent &>(start).at_)
             .count();
    return true;
  }

private:
  std::chrono::steady_clock::time_point at_;
};

class LoggedStep final : public Step {
public:
  LoggedStep(Log &log, std::string name) : log_(log), name_(std::move(name)) {}
  bool enqueue(Queue &, std::string &) const override {
    log_.ran.push_back(name_);
    return true;
  }
  std::string describe() const override { return name_; }

private:
  Log &log_;
  std::string name_;
};

class RecordingProgram final : public Program {
public:
  RecordingProgram(const ModuleFile &file, Log &log) : file_(file), log_(log) {}
  std::unique_ptr<Step> prepareCall(const std::string &function,
                                    const std::vector<TensorRef> &args,
                                    const std::vector<TensorRef> &results,
                                    std::string &error) override {
    if (!file_.findFunction(function)) {
      error = "no function '" + function + "'";
      return nullptr;
    }
    for (const auto *list : {&args, &results})
      for (const TensorRef &t : *list)
        log_.operands.push_back(t.address);
    log_.functions.push_back(function);
    return std::make_unique<LoggedStep>(log_, function);
  }
  std::unique_ptr<Step> prepareGemm(const GemmProblem &p,
                                    std::string &) override {
    for (uint64_t a : {p.x, p.w, p.y})
      log_.operands.push_back(a);
    if (p.bias)
      log_.operands.push_back(p.bias);
    return std::make_unique<LoggedStep>(log_, "gemm M=" + std::to_string(p.m) +
                                                  " K=" + std::to_string(p.k));
  }
  void setGemmTuning(bool) override {}
  void endPreparation() override {}
  std::string describe() const override { return "recorded"; }

private:
  const ModuleFile &file_;
  Log &log_;
};

class LoggedReplay final : public Replay {
public:
  LoggedReplay(Log &log, int index) : log_(log), index_(index) {}
  bool launch(Queue &, std::string &) const override {
    log_.ran.push_back("replay " + std::to_string(index_));
    return true;
  }

private:
  Log &log_;
  int index_;
};

class RecordingBackend final : public Backend {
public:
  Log log;
  bool replay = true;

  std::string kind() const override { return "recording"; }
  std::string describe() const override { return "a recording backend"; }
  int64_t parallelism() const override { return 4; }
  std::unique_ptr<Buffer> allocate(uint64_t bytes,
                                   std::string &error) override {
    if (log.allocated + bytes > log.memoryLimit) {
      error = "out of memory";
      return nullptr;
    }
    return std::make_unique<HostBuffer>(log, bytes);
  }
  std::unique_ptr<Queue> createQueue(std::string &) override {
    return std::make_unique<RecordingQueue>(*this, log);
  }
  std::unique_ptr<Queue> borrowQueue(uint64_t, std::string &error) override {
    error = "the recording backend borrows nothing";
    return nullptr;
  }
  std::unique_ptr<Event> createEvent(std::string &) override {
    return std::make_unique<HostEvent>();
  }
  std::unique_ptr<Program> load(const ModuleFile &file,
                                std::string &) override {
    return std::make_unique<RecordingProgram>(file, log);
  }
  bool canReplay() const override { return replay; }
  std::unique_ptr<Replay> capture(Queue &, const EnqueueFn &,
                                  std::string &) override {
    return std::make_unique<LoggedReplay>(log, log.captures++);
  }
  bool measureCopyBandwidth(Queue &, double &bytesPerSecond,
                            std::string &) override {
    bytesPerSecond = 1e9;
    return true;
  }
  bool memoryInfo(uint64_t &freeBytes, uint64_t &totalBytes,
                  std::string &) const override {
    totalBytes = log.memoryLimit;
    freeBytes = log.memoryLimit - log.allocated;
    return true;
  }
};

std::string tinyDir() {
  std::string dir = std::string(MAMBA_TEST_MODULES_DIR) + "/model-tiny";
  struct stat info;
  return ::stat((dir + "/f32.mmod").c_str(), &info) == 0 ? dir : "";
}

class HostCoreTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = tinyDir();
    if (dir.empty())
      GTEST_SKIP() << "no model-tiny/f32.mmod in " << MAMBA_TEST_MODULES_DIR
                   << " (the test modules need ptxas to build)";
  }
  std::string dir;
};

TEST_F(HostCoreTest, WeightsLandAtTheirAddresses) {
  RecordingBackend backend;
  Model model;
  std::string error;
  uint64_t done = 0, total = 0;
  LoadOptions options;
  options.progress = [&](uint64_t d, uint64_t t) { done = d, total = t; };
  ASSERT_TRUE(model.load(dir + "/f32.mmod", dir, backend, error, options))
      << error;
  EXPECT_EQ(done, total);
  EXPECT_GT(total, 0u);
  ASSERT_FALSE(model.spec().weights.empty());
  WeightFiles files;
  ASSERT_TRUE(files.open(dir, model.spec(), error)) << error;
  for (uint32_t i = 0; i < model.spec().weights.size(); ++i) {
    SCOPED_TRACE(model.spec().weights[i].name);
    uint64_t address = model.weightAddress(i);
    EXPECT_EQ(address % kArenaAlignment, 0u);
    ASSERT_TRUE(backend.log.inside(address));
    std::vector<uint8_t> expected(files.weightBytes(i));
    ASSERT_TRUE(files.convertWeight(i, expected.data(), error)) << error;
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(address),
                          expected.data(), expected.size()),
              0);
  }
  for (uint32_t i = 0; i < model.spec().derived.size(); ++i) {
    std::vector<uint8_t> expected(files.derivedBytes(i));
    ASSERT_TRUE(files.convertDerived(i, expected.data(), error)) << error;
    EXPECT_EQ(
        std::memcmp(reinterpret_cast<const void *>(model.derivedAddress(i)),
                    expected.data(), expected.size()),
        0);
  }
}

TEST_F(HostCoreTest, EveryOperandLiesInTheBackendsMemory) {
  RecordingBackend backend;
  Model model;
  Generator gen;
  std::string error;
  ASSERT_TRUE(model.load(dir + "/bf16.mmod", dir, backend, error)) << error;
  GeneratorOptions options;
  options.batch = 3;
  options.promptLength = 7;
  ASSERT_TRUE(gen.prepare(model, options, error)) << error;
  // One prefill and two decode variants, every step prepared.
  const EntrySpec *prefill = model.spec().findEntry("prefill");
  const EntrySpec *decode = model.spec().findEntry("decode_step");
  ASSERT_TRUE(prefill && decode);
  EXPECT_EQ(gen.prefillEntry().stepCount(), prefill->steps.size());
  EXPECT_EQ(gen.decodeEntry().stepCount(), decode->steps.size());
  ASSERT_FALSE(backend.log.operands.empty());
  for (uint64_t address : backend.log.operands)
    EXPECT_TRUE(backend.log.inside(address)) << std::hex << address;
  for (const std::string &fn : backend.log.functions)
    EXPECT_NE(model.file().findFunction(fn), nullptr) << fn;
  EXPECT_NE(gen.describe().find("replayed as one launch"), std::string::npos)
      << gen.describe();
  const TensorRef *logits = gen.prefillEntry().output("logits");
  ASSERT_NE(logits, nullptr);
  EXPECT_EQ(logits->shape, (Shape{3, gen.vocab()}));
}

TEST_F(HostCoreTest, DecodeStepsAlternateBetweenTheirReplays) {
  for (bool replay : {true, false}) {
    SCOPED_TRACE(replay ? "replayed" : "enqueued step by step");
    RecordingBackend backend;
    backend.replay = replay;
    Model model;
    Generator gen;
    std::string error;
    ASSERT_TRUE(model.load(dir + "/f32.mmod", dir, backend, error)) << error;
    GeneratorOptions options;
    options.batch = 2;
    options.promptLength = 4;
    ASSERT_TRUE(gen.prepare(model, options, error)) << error;
    EXPECT_EQ(backend.log.captures, replay ? 2 : 0);

    backend.log.ran.clear();
    SamplingOptions sampling;
    std::vector<std::vector<int32_t>> tokens;
    GenerationTimes times;
    ASSERT_TRUE(gen.generate({1, 2, 3, 4, 5, 6, 7, 8}, 4, sampling, tokens,
                             error, &times))
        << error;
    ASSERT_EQ(tokens.size(), 2u);
    // Nothing computed the logits: zeros everywhere, and argmax takes the
    // first of equal values, as torch.argmax does.
    for (const std::vector<int32_t> &row : tokens)
      EXPECT_EQ(row, (std::vector<int32_t>{0, 0, 0, 0}));
    EXPECT_EQ(times.decodeMs.size(), 3u);
    const size_t prefillSteps = gen.prefillEntry().stepCount();
    const size_t decodeSteps = gen.decodeEntry().stepCount();
    if (replay) {
      ASSERT_EQ(backend.log.ran.size(), prefillSteps + 3);
      EXPECT_EQ(backend.log.ran[prefillSteps], "replay 0");
      EXPECT_EQ(backend.log.ran[prefillSteps + 1], "replay 1");
      EXPECT_EQ(backend.log.ran[prefillSteps + 2], "replay 0");
    } else {
      EXPECT_EQ(backend.log.ran.size(), prefillSteps + 3 * decodeSteps);
    }
  }
}

TEST_F(HostCoreTest, FailuresComeBackAsMessages) {
  std::string error;
  RecordingBackend backend;
  Model model;
  ASSERT_TRUE(model.load(dir + "/f32.mmod", dir, backend, error)) << error;

  GeneratorOptions options;
  options.batch = 0;
  EXPECT_FALSE(Generator().prepare(model, options, error));
  EXPECT_NE(error.find("a batch of at least 1"), std::string::npos) << error;

  PreparedEntry entry;
  EXPECT_FALSE(entry.prepare(model, "train", {}, error));
  EXPECT_NE(error.find("no entry 'train' (it has: prefill, decode_step"),
            std::string::npos)
      << error;
  EXPECT_FALSE(entry.enqueue(*backend.createQueue(error), error));
  EXPECT_NE(error.find("not prepared"), std::string::npos) << error;

  // Out of memory: each allocation fails by name. The generator allocates
  // the ids and states, then prefill's arena, then the two decode arenas;
  // a limit one byte short of prefill's arena fails there.
  options.batch = 64;
  options.promptLength = 4096;
  const uint64_t base = backend.log.allocated;
  uint64_t all = 0, decodeArena = 0;
  {
    Generator gen;
    ASSERT_TRUE(gen.prepare(model, options, error)) << error;
    all = backend.log.allocated - base;
    decodeArena = gen.decodeEntry().layout().arenaBytes;
  }
  backend.log.memoryLimit = base + all - 2 * decodeArena - 1;
  EXPECT_FALSE(Generator().prepare(model, options, error));
  EXPECT_NE(error.find("entry 'prefill': allocating its"), std::string::npos)
      << error;
  EXPECT_NE(error.find("activation arena: out of memory"), std::string::npos)
      << error;
  backend.log.memoryLimit = base + 1024;
  EXPECT_FALSE(Generator().prepare(model, options, error));
  EXPECT_NE(error.find("the token ids of a 64 x 4096 prompt batch: out of "
                       "memory"),
            std::string::npos)
      << error;
  backend.log.memoryLimit = UINT64_MAX;

  Model kernelsOnly;
  EXPECT_FALSE(kernelsOnly.load(dir + "/../ops.mmod", dir, backend, error));
  EXPECT_NE(error.find("not a compiled model"), std::string::npos) << error;
  Model tooSmall;
  RecordingBackend small;
  small.log.memoryLimit = 1024;
  EXPECT_FALSE(tooSmall.load(dir + "/f32.mmod", dir, small, error));
  EXPECT_NE(error.find("for the weights of"), std::string::npos) << error;
}

/// The tiny model's module written again with `edit` applied to its JSON
/// header (checksums recomputed), as a file in the test's temporary
/// directory; "" when the module cannot be read.
std::string editedModule(const std::string &dir, const std::string &name,
                         const std::function<void(nlohmann::json &)> &edit) {
  format::ModuleFile file;
  std::string error;
  if (!file.load(dir + "/f32.mmod", error))
    return "";
  nlohmann::json header =
      nlohmann::json::parse(format::encodeHeader(file.spec()));
  edit(header);
  std::vector<uint8_t> data(file.data(), file.data() + file.dataSize());
  std::vector<uint8_t> bytes = format::assembleModuleFile(header.dump(), data);
  std::string path = ::testing::TempDir() + "/" + name + ".mmod";
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  return out ? path : "";
}

nlohmann::json &entryNamed(nlohmann::json &header, const std::string &name) {
  for (nlohmann::json &entry : header["model"]["entries"])
    if (entry["name"] == name)
      return entry;
  static nlohmann::json none;
  ADD_FAILURE() << "the tiny model has no entry " << name;
  return none;
}

/// Makes the buffers `pick` selects i32, with the weight or derived table
/// entries behind them and the kernel arguments they bind (of every
/// function and variant that layers share): a module consistent in itself
/// that computes those weights in an integer type.
void makeInt32(nlohmann::json &h,
               const std::function<bool(const nlohmann::json &buffer)> &pick) {
  std::map<std::string, nlohmann::json *> functions;
  for (nlohmann::json &f : h["functions"])
    functions[f["name"].get<std::string>()] = &f;
  auto retype = [&](const nlohmann::json &function, size_t arg) {
    (*functions.at(function.get<std::string>()))["args"][arg]["element"] =
        "i32";
  };
  for (nlohmann::json &entry : h["model"]["entries"]) {
    nlohmann::json &buffers = entry["buffers"];
    for (size_t i = 0; i < buffers.size(); ++i) {
      if (!pick(buffers[i]))
        continue;
      buffers[i]["element"] = "i32";
      const char *table =
          buffers[i]["source"] == "derived" ? "derived" : "weights";
      h["model"][table][buffers[i]["index"].get<size_t>()]["element"] = "i32";
      for (const nlohmann::json &step : entry["steps"]) {
        if (step["kind"] != "kernel")
          continue;
        for (size_t a = 0; a < step["args"].size(); ++a) {
          if (step["args"][a] != i)
            continue;
          retype(step["function"], a);
          for (const nlohmann::json &v :
               step.value("variants", nlohmann::json::array()))
            retype(v["function"], a);
        }
      }
    }
  }
}

// Modules that an older mamba-compile wrote, or that were edited: loading
// or the generator names what is wrong instead of running a model it
// cannot.
TEST_F(HostCoreTest, EditedModelModulesAreErrors) {
  RecordingBackend backend;
  std::string error;
  struct Case {
    const char *name;
    std::function<void(nlohmann::json &)> edit;
    bool failsToLoad;
    const char *expected;
  } cases[] = {
      {"no-decode-step",
       [](nlohmann::json &h) { entryNamed(h, "decode_step")["name"] = "step"; },
       false,
       "no-decode-step.mmod: the model has no 'decode_step' entry (compiled "
       "from a model directory by an older mamba-compile?)"},
      {"no-prefill",
       [](nlohmann::json &h) { entryNamed(h, "prefill")["name"] = "encode"; },
       false, "no-prefill.mmod: the model has no 'prefill' entry"},
      {"no-logit-rows",
       [](nlohmann::json &h) {
         entryNamed(h, "prefill")["inputs"][1]["name"] = "rows";
       },
       false,
       "no-logit-rows.mmod: prefill takes no 'logit_rows' input (compiled by "
       "an older mamba-compile? compile the model again)"},
      {"int-weight",
       [](nlohmann::json &h) {
         const nlohmann::json weights = h["model"]["weights"];
         makeInt32(h, [&](const nlohmann::json &b) {
           if (b["source"] != "weight")
             return false;
           std::string name = weights[b["index"].get<size_t>()]["name"];
           return name.size() > 11 &&
                  name.compare(name.size() - 11, 11, "norm.weight") == 0;
         });
       },
       true,
       "weight 'backbone.layers.0.norm.weight': the module computes it in "
       "i32, which is not a float type"},
      {"int-derived",
       [](nlohmann::json &h) {
         makeInt32(h, [](const nlohmann::json &b) {
           return b["source"] == "derived";
         });
       },
       true, "a derived weight is computed in i32, which is not a float type"},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    std::string path = editedModule(dir, c.name, c.edit);
    ASSERT_FALSE(path.empty());
    Model model;
    bool loaded = model.load(path, dir, backend, error);
    if (c.failsToLoad) {
      EXPECT_FALSE(loaded);
    } else {
      ASSERT_TRUE(loaded) << error;
      EXPECT_FALSE(Generator().prepare(model, GeneratorOptions(), error));
    }
    EXPECT_NE(error.find(c.expected), std::string::npos) << error;
  }
}

} // namespace
} // namespace mamba::runtime
