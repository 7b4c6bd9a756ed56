//===- WeightFilesTest.cpp - Matching a model directory to a plan ---------===//

#include "mamba/Runtime/WeightFiles.h"
#include "ModuleFileTestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace mamba::runtime {
namespace {

namespace fs = std::filesystem;

struct StoredTensor {
  std::string name, dtype;
  Shape shape;
  std::string bytes;
};

template <typename T> std::string bytesOf(const std::vector<T> &values) {
  std::string s(values.size() * sizeof(T), '\0');
  std::memcpy(s.data(), values.data(), s.size());
  return s;
}

void writeSafeTensors(const fs::path &path,
                      const std::vector<StoredTensor> &tensors,
                      size_t truncateBy = 0) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const StoredTensor &t : tensors) {
    header[t.name] = {
        {"dtype", t.dtype},
        {"shape", t.shape},
        {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  std::string text = header.dump();
  uint64_t length = text.size();
  std::string file(8, '\0');
  std::memcpy(file.data(), &length, 8);
  file += text + data;
  file.resize(file.size() - truncateBy);
  std::ofstream(path, std::ios::binary) << file;
}

/// A plan of three weights: a [2, 3] bf16 projection, an f32 [2] A_log
/// (and A = -exp(A_log) derived from it), an f16 [3] vector.
ModelSpec smallModel() {
  ModelSpec m;
  m.weights = {{"proj", ElementType::BF16, {2, 3}},
               {"A_log", ElementType::F32, {2}},
               {"norm", ElementType::F16, {3}}};
  m.derived = {{DerivedSpec::Transform::NegExp, 1, ElementType::F32, {2}}};
  return m;
}

std::vector<StoredTensor> goodTensors() {
  return {{"proj",
           "F32",
           {2, 3},
           bytesOf<float>({1, -2, 0.5f, 3, 1.00390625f, -1})},
          {"A_log", "F64", {2}, bytesOf<double>({0.0, std::log(2.0)})},
          {"norm", "BF16", {3}, bytesOf<uint16_t>({0x3f80, 0x4000, 0xbf80})}};
}

class WeightFilesTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mamba-weights-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string openError(const ModelSpec &model, WeightFiles *out = nullptr) {
    WeightFiles local;
    std::string error;
    return (out ? *out : local).open(dir_.string(), model, error) ? "" : error;
  }

  fs::path dir_;
};

TEST_F(WeightFilesTest, ConvertsToTheComputeTypes) {
  writeSafeTensors(dir_ / "model.safetensors", goodTensors());
  ModelSpec model = smallModel();
  WeightFiles files;
  ASSERT_EQ(openError(model, &files), "");
  EXPECT_EQ(files.weightBytes(0), 12u);
  EXPECT_EQ(files.storedBytes(), 24u + 16u + 6u);

  std::string error;
  std::vector<uint16_t> proj(6);
  ASSERT_TRUE(
      files.convertWeight(0, reinterpret_cast<uint8_t *>(proj.data()), error))
      << error;
  // 1.00390625 = 1 + 2^-8 is a tie between two bfloat16s: even wins (1.0).
  EXPECT_EQ(proj, (std::vector<uint16_t>{0x3f80, 0xc000, 0x3f00, 0x4040, 0x3f80,
                                         0xbf80}));
  std::vector<float> aLog(2);
  ASSERT_TRUE(
      files.convertWeight(1, reinterpret_cast<uint8_t *>(aLog.data()), error));
  EXPECT_EQ(aLog[0], 0.0f);
  EXPECT_FLOAT_EQ(aLog[1], std::log(2.0f));
  std::vector<uint16_t> norm(3);
  ASSERT_TRUE(
      files.convertWeight(2, reinterpret_cast<uint8_t *>(norm.data()), error));
  EXPECT_EQ(norm, (std::vector<uint16_t>{0x3c00, 0x4000, 0xbc00}));
  std::vector<float> a(2);
  ASSERT_TRUE(
      files.convertDerived(0, reinterpret_cast<uint8_t *>(a.data()), error));
  EXPECT_EQ(a[0], -1.0f);
  EXPECT_EQ(a[1], -2.0f);
}

TEST_F(WeightFilesTest, ReadsShardedCheckpoints) {
  std::vector<StoredTensor> t = goodTensors();
  writeSafeTensors(dir_ / "model-00001-of-00002.safetensors", {t[0], t[2]});
  writeSafeTensors(dir_ / "model-00002-of-00002.safetensors", {t[1]});
  WeightFiles files;
  ASSERT_EQ(openError(smallModel(), &files), "");
  EXPECT_CONTAINS(files.describe(),
                  "model-00002-of-00002.safetensors (1 tensors)");
}

TEST_F(WeightFilesTest, NamesWhatIsWrong) {
  ModelSpec model = smallModel();
  EXPECT_CONTAINS(openError(model), "no *.safetensors files");
  {
    std::vector<StoredTensor> t = goodTensors();
    t.pop_back();
    writeSafeTensors(dir_ / "model.safetensors", t);
    EXPECT_CONTAINS(openError(model),
                    "weight 'norm' is in none of the *.safetensors files");
  }
  {
    std::vector<StoredTensor> t = goodTensors();
    t.push_back({"extra.bias", "F32", {1}, bytesOf<float>({1})});
    writeSafeTensors(dir_ / "model.safetensors", t);
    EXPECT_CONTAINS(openError(model), "unexpected weight 'extra.bias'");
  }
  {
    std::vector<StoredTensor> t = goodTensors();
    t[0].shape = {3, 2};
    writeSafeTensors(dir_ / "model.safetensors", t);
    EXPECT_CONTAINS(openError(model), "weight 'proj' in ");
    EXPECT_CONTAINS(openError(model),
                    "has shape [3,2], the compiled model expects [2,3]");
  }
  {
    std::vector<StoredTensor> t = goodTensors();
    t[1] = {"A_log", "I64", {2}, bytesOf<int64_t>({0, 1})};
    writeSafeTensors(dir_ / "model.safetensors", t);
    EXPECT_CONTAINS(openError(model), "weight 'A_log' in ");
    EXPECT_CONTAINS(openError(model), "has dtype I64, expected a float");
  }
  {
    writeSafeTensors(dir_ / "model.safetensors", goodTensors(), 3);
    EXPECT_CONTAINS(openError(model), "model.safetensors");
  }
  {
    std::vector<StoredTensor> t = goodTensors();
    writeSafeTensors(dir_ / "model.safetensors", t);
    writeSafeTensors(dir_ / "more.safetensors", {t[2]});
    EXPECT_CONTAINS(openError(model), "weight 'norm' is in both ");
    fs::remove(dir_ / "more.safetensors");
  }
  std::string error;
  EXPECT_FALSE(WeightFiles().open((dir_ / "nope").string(), model, error));
  EXPECT_CONTAINS(error, "nope: not a directory");
}

TEST_F(WeightFilesTest, TiedEmbeddingsIgnoreAStoredHead) {
  std::vector<StoredTensor> t = goodTensors();
  t.push_back(
      {"lm_head.weight", "F32", {2, 3}, bytesOf<float>({0, 0, 0, 0, 0, 0})});
  writeSafeTensors(dir_ / "model.safetensors", t);
  ModelSpec model = smallModel();
  EXPECT_CONTAINS(openError(model), "unexpected weight 'lm_head.weight'");
  model.config["tie_word_embeddings"] = format::ConfigValue::ofBool(true);
  EXPECT_EQ(openError(model), "");
}

} // namespace
} // namespace mamba::runtime
