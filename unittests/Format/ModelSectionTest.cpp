//===- ModelSectionTest.cpp - A module file's model section ---------------===//
//
// The fixture's kernel function "scan" (u [-1, 64, -1] bf16, A [64, 16] f32
// -> u's shape) with a small valid plan around it; each test breaks one
// thing and checks the error that names it.
//
//===----------------------------------------------------------------------===//

#include "ModuleFileTestSupport.h"
#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"

#include <gtest/gtest.h>

namespace mamba::format {
namespace {

using json = nlohmann::json;
using testing::ModuleFixture;

struct ModelFixture : ModuleFixture {
  ModelFixture() {
    header["model"] = json::parse(R"({
      "shards": 1,
      "config": {"num_layers": 1, "tie_word_embeddings": true,
                 "layer_norm_epsilon": 1e-5, "dtype": "bf16"},
      "weights": [{"name": "A_log", "element": "f32", "shape": [64, 16]},
                  {"name": "proj", "element": "bf16", "shape": [64, 64]}],
      "derived": [{"transform": "neg_exp", "weight": 0, "element": "f32",
                   "shape": [64, 16]}],
      "entries": [{
        "name": "prefill",
        "inputs": [{"name": "u", "element": "bf16", "shape": [-1, 64, -1]}],
        "buffers": [
          {"source": "input", "index": 0, "element": "bf16",
           "shape": [{"dim": [0, 0]}, 64, {"dim": [0, 2]}]},
          {"source": "weight", "index": 0, "element": "f32", "shape": [64, 16]},
          {"source": "derived", "index": 0, "element": "f32", "shape": [64, 16]},
          {"source": "temp", "element": "bf16",
           "shape": [{"dim": [0, 0]}, 64, {"dim": [0, 2]}]},
          {"source": "weight", "index": 1, "element": "bf16", "shape": [64, 64]},
          {"source": "view", "of": 4, "offset": 2048, "element": "bf16",
           "shape": [32, 64]},
          {"source": "temp", "element": "bf16",
           "shape": [{"dim": [0, 0]}, 32, {"dim": [0, 2]}]}
        ],
        "steps": [
          {"kind": "kernel", "function": "scan", "args": [0, 2],
           "results": [3]},
          {"kind": "gemm", "x": 3, "w": 5, "y": 6,
           "x_features_major": true, "y_features_major": true}
        ],
        "outputs": [{"name": "y", "buffer": 6}]
      }]
    })");
  }
  json &model() { return header["model"]; }
  json &entry() { return model()["entries"][0]; }
  json &buffer(size_t i) { return entry()["buffers"][i]; }
  json &step(size_t i) { return entry()["steps"][i]; }
};

#define EXPECT_MODEL_ERROR(fixture, text)                                      \
  EXPECT_CONTAINS((fixture).loadError(), text)

// The writer is the reader's inverse: what was read encodes to the very
// header it was read from (keys in byte order, compact), every optional field
// (bias, variants, state, scratch, views, derived weights) included.
TEST(ModelSectionTest, WriterReproducesTheHeaderItRead) {
  ModelFixture f;
  f.model()["weights"].push_back(
      json::parse(R"({"name": "bias", "element": "bf16", "shape": [32]})"));
  f.entry()["buffers"].push_back(json::parse(
      R"({"source": "weight", "index": 2, "element": "bf16", "shape": [32]})"));
  f.step(1)["bias"] = 7;
  f.step(0)["variants"] = json::parse(R"([{"function": "scan",
      "when_blocks_below_sms": {"op": "ceildiv",
                                "args": [{"dim": [0, 0]}, 2]}}])");
  f.entry()["inputs"][0]["state"] = true;
  f.entry()["outputs"][0]["state"] = true;
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_EQ(encodeHeader(file.spec()), f.header.dump());
}

TEST(ModelSectionTest, ReadsThePlan) {
  ModelFixture f;
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  const ModelSpec *model = file.model();
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->shards, 1);
  EXPECT_EQ(model->config.at("dtype").stringValue, "bf16");
  EXPECT_EQ(model->configInt("num_layers"), 1);
  EXPECT_EQ(model->configInt("tie_word_embeddings"), 1);
  EXPECT_EQ(model->config.at("tie_word_embeddings").kind,
            ConfigValue::Kind::Bool);
  EXPECT_DOUBLE_EQ(model->config.at("layer_norm_epsilon").floatValue, 1e-5);
  EXPECT_EQ(model->configInt("dtype"), std::nullopt);
  EXPECT_EQ(model->configInt("absent"), std::nullopt);
  ASSERT_EQ(model->weights.size(), 2u);
  EXPECT_EQ(model->weights[1].name, "proj");
  EXPECT_EQ(model->weights[1].element, ElementType::BF16);
  ASSERT_EQ(model->derived.size(), 1u);
  EXPECT_EQ(model->derived[0].weight, 0u);

  const EntrySpec *entry = model->findEntry("prefill");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(model->findEntry("decode_step"), nullptr);
  ASSERT_EQ(entry->inputs.size(), 1u);
  EXPECT_EQ(entry->inputs[0].shape, (Shape{-1, 64, -1}));
  EXPECT_FALSE(entry->inputs[0].state);
  ASSERT_EQ(entry->buffers.size(), 7u);
  EXPECT_EQ(entry->buffers[2].source, BufferSpec::Source::Derived);
  EXPECT_EQ(entry->buffers[5].source, BufferSpec::Source::View);
  EXPECT_EQ(entry->buffers[5].of, 4u);
  EXPECT_EQ(entry->buffers[5].offset, 2048);
  EXPECT_EQ(entry->buffers[6].shape[0].toString(), "dim(0,0)");
  ASSERT_EQ(entry->steps.size(), 2u);
  EXPECT_EQ(entry->steps[0].kind, StepSpec::Kind::Kernel);
  EXPECT_EQ(entry->steps[0].function, "scan");
  EXPECT_EQ(entry->steps[0].args, (std::vector<uint32_t>{0, 2}));
  const StepSpec &gemm = entry->steps[1];
  EXPECT_EQ(gemm.kind, StepSpec::Kind::Gemm);
  EXPECT_EQ(gemm.w, 5u);
  EXPECT_FALSE(gemm.hasBias);
  EXPECT_TRUE(gemm.xFeaturesMajor);
  ASSERT_EQ(entry->outputs.size(), 1u);
  EXPECT_EQ(entry->outputs[0].buffer, 6u);
}

TEST(ModelSectionTest, AModuleWithoutOneHasNoModel) {
  ModuleFixture f;
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_EQ(file.model(), nullptr);
}

TEST(ModelSectionTest, RejectsBadTables) {
  {
    ModelFixture f;
    f.model()["shards"] = 2;
    EXPECT_MODEL_ERROR(f, "model.shards: 2 shards: this runtime runs a model "
                          "on one GPU");
  }
  {
    ModelFixture f;
    f.model()["weights"][1]["element"] = "f8";
    EXPECT_MODEL_ERROR(f, "model.weights[1].element: unknown element type");
  }
  {
    ModelFixture f;
    f.model()["weights"][1]["name"] = "A_log";
    EXPECT_MODEL_ERROR(f, "a second weight named 'A_log'");
  }
  {
    ModelFixture f;
    f.model()["weights"][0]["shape"][0] = -1;
    EXPECT_MODEL_ERROR(f, "model.weights[0].shape[0]: expected a size of at "
                          "least 0");
  }
  {
    ModelFixture f;
    f.model()["derived"][0]["weight"] = 7;
    EXPECT_MODEL_ERROR(f, "model.derived[0].weight: weight 7 does not exist");
  }
  {
    ModelFixture f;
    f.model()["derived"][0]["transform"] = "exp";
    EXPECT_MODEL_ERROR(f, "unknown transform 'exp'");
  }
  {
    ModelFixture f;
    f.model()["derived"][0]["shape"] = json::array({16, 64});
    EXPECT_MODEL_ERROR(f, "differs from the shape of weight 'A_log'");
  }
  {
    ModelFixture f;
    f.model()["entries"].push_back(f.entry());
    EXPECT_MODEL_ERROR(f, "model.entries[1].name: a second entry named "
                          "'prefill'");
  }
  {
    ModelFixture f;
    f.model().erase("entries");
    EXPECT_MODEL_ERROR(f, "model: missing field 'entries'");
  }
}

TEST(ModelSectionTest, RejectsBadBuffers) {
  const std::string at = "model.entries[0].buffers";
  {
    ModelFixture f;
    f.buffer(1)["index"] = 2;
    EXPECT_MODEL_ERROR(f, at + "[1].index: weight 2 does not exist");
  }
  {
    ModelFixture f;
    f.buffer(1)["shape"][1] = 17;
    EXPECT_MODEL_ERROR(f, at + "[1].shape: differs from weight 'A_log'");
  }
  {
    ModelFixture f;
    f.buffer(1)["element"] = "bf16";
    EXPECT_MODEL_ERROR(f, at + "[1].element: bf16 differs from weight "
                               "'A_log''s f32");
  }
  {
    ModelFixture f;
    f.buffer(5)["of"] = 5;
    EXPECT_MODEL_ERROR(f, at + "[5].of: a view must be of an earlier buffer");
  }
  {
    ModelFixture f;
    f.buffer(5)["offset"] = -1;
    EXPECT_MODEL_ERROR(f, at + "[5].offset: expected a non-negative element "
                               "offset");
  }
  {
    ModelFixture f;
    f.buffer(3)["shape"][0] = json::parse(R"({"dim": [1, 0]})");
    EXPECT_MODEL_ERROR(f, at + "[3].shape[0]: reads input 1, but the entry "
                               "has 1");
  }
  {
    ModelFixture f;
    f.buffer(3)["shape"][2] = json::parse(R"({"dim": [0, 3]})");
    EXPECT_MODEL_ERROR(f, "reads dimension 3 of input 'u', which has rank 3");
  }
  {
    ModelFixture f;
    f.buffer(3)["source"] = "scratch";
    EXPECT_MODEL_ERROR(f, at + "[3].source: unknown source 'scratch'");
  }
  {
    ModelFixture f;
    f.buffer(0)["shape"] = json::array({1, 2});
    EXPECT_MODEL_ERROR(f, at + "[0].shape: rank differs from input 'u'");
  }
}

TEST(ModelSectionTest, RejectsBadSteps) {
  const std::string at = "model.entries[0].steps";
  {
    ModelFixture f;
    f.step(0)["function"] = "nope";
    EXPECT_MODEL_ERROR(f, at + "[0].function: the module has no function "
                               "'nope'");
  }
  {
    ModelFixture f;
    f.step(0)["args"] = json::array({0});
    EXPECT_MODEL_ERROR(f, at + "[0].args: 'scan' takes 2 args, the step "
                               "gives 1");
  }
  {
    ModelFixture f;
    f.step(0)["args"] = json::array({0, 4});
    EXPECT_MODEL_ERROR(f, at + "[0].args[1]: buffer 4 is bf16 of rank 2, "
                               "'scan' expects f32 of rank 2");
  }
  {
    ModelFixture f;
    f.step(0)["args"][1] = 99;
    EXPECT_MODEL_ERROR(f, at + "[0].args[1]: expected a buffer index below 7");
  }
  {
    ModelFixture f;
    f.step(0)["results"] = json::array({0});
    EXPECT_MODEL_ERROR(f, at + "[0].results[0]: writes buffer 0, which is an "
                               "input or a weight");
  }
  {
    ModelFixture f;
    std::swap(f.step(0), f.step(1));
    EXPECT_MODEL_ERROR(f, at + "[0].x: reads buffer 3 before any step "
                               "writes it");
  }
  {
    ModelFixture f;
    f.step(1)["w"] = 1;
    EXPECT_MODEL_ERROR(f, "x, w and y of a GEMM have one element type");
  }
  {
    ModelFixture f;
    f.step(1)["w"] = 3;
    EXPECT_MODEL_ERROR(f, at + "[1].w: the weight of a GEMM has rank 2");
  }
  {
    ModelFixture f;
    f.step(1)["x_features_major"] = 1;
    EXPECT_MODEL_ERROR(f, at + "[1].x_features_major: expected true or false");
  }
  {
    ModelFixture f;
    f.step(1)["kind"] = "conv";
    EXPECT_MODEL_ERROR(f, at + "[1].kind: unknown step kind 'conv'");
  }
  {
    ModelFixture f;
    f.entry()["outputs"][0]["buffer"] = 7;
    EXPECT_MODEL_ERROR(f, "model.entries[0].outputs[0].buffer: buffer 7 does "
                          "not exist");
  }
  {
    ModelFixture f;
    f.entry()["steps"].erase(1);
    EXPECT_MODEL_ERROR(f, "model.entries[0].outputs[0]: reads buffer 6 before "
                          "any step writes it");
  }
}

TEST(ModelSectionTest, ReadsKernelVariants) {
  const std::string at = "model.entries[0].steps[0].variants[0]";
  json variant = json::parse(R"({"function": "scan",
      "when_blocks_below_sms": {"op": "ceildiv",
                                "args": [{"dim": [0, 0]}, 2]}})");
  {
    ModelFixture f;
    f.step(0)["variants"] = json::array({variant});
    ModuleFile file;
    ASSERT_EQ(f.loadError(&file), "");
    const StepSpec &step = file.model()->entries[0].steps[0];
    ASSERT_EQ(step.variants.size(), 1u);
    EXPECT_EQ(step.variants[0].function, "scan");
    EXPECT_EQ(step.variants[0].whenBlocksBelowSms.toString(),
              "ceildiv(dim(0,0), 2)");
  }
  {
    ModelFixture f;
    variant["function"] = "scan_split";
    f.step(0)["variants"] = json::array({variant});
    EXPECT_MODEL_ERROR(f, at + ".function: the module has no function "
                               "'scan_split'");
  }
  {
    ModelFixture f;
    variant["function"] = "scan";
    variant["when_blocks_below_sms"] = json::parse(R"({"dim": [2, 0]})");
    f.step(0)["variants"] = json::array({variant});
    EXPECT_MODEL_ERROR(f, at + ".when_blocks_below_sms: reads input 2");
  }
  {
    ModelFixture f;
    f.step(0)["variants"] = json::array({json::object()});
    EXPECT_MODEL_ERROR(f, at + ": missing field 'function'");
  }
}

} // namespace
} // namespace mamba::format
