//===- TestSupport.cpp - Shared helpers of the reference unit tests -------===//

#include "TestSupport.h"

#include "mamba/Format/PythonJson.h"
#include "mamba/Format/SafeTensors.h"

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace mamba::reference::testing {

std::string goldenDir() { return MAMBA_GOLDEN_DIR; }

Tensor randomTensor(const Shape &shape, std::mt19937 &rng, double lo,
                    double hi) {
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t = Tensor::zeros(shape);
  for (int64_t i = 0; i < t.numel(); ++i)
    t[i] = dist(rng);
  return t;
}

double relativeL2Error(const Tensor &actual, const Tensor &expected) {
  double diff = 0.0, norm = 0.0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double d = actual[i] - expected[i];
    diff += d * d;
    norm += expected[i] * expected[i];
  }
  return norm > 0.0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

::testing::AssertionResult allClose(const Tensor &actual,
                                    const Tensor &expected, double rtol,
                                    double atol) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure()
           << "shape " << formatShape(actual.shape()) << ", expected "
           << formatShape(expected.shape());
  int64_t worst = -1;
  double worstExcess = 0.0;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double bound = rtol * std::fabs(expected[i]) + atol;
    double err = std::fabs(actual[i] - expected[i]);
    // Written so that a NaN on either side counts as a mismatch.
    if (!(err <= bound) && (worst < 0 || !(err - bound <= worstExcess))) {
      worst = i;
      worstExcess = err - bound;
    }
  }
  if (worst < 0)
    return ::testing::AssertionSuccess();
  std::ostringstream os;
  os.precision(17);
  os << "element " << worst << " is " << actual[worst] << ", expected "
     << expected[worst] << " (rtol " << rtol << ", atol " << atol
     << "); relative L2 error " << relativeL2Error(actual, expected);
  return ::testing::AssertionFailure() << os.str();
}

::testing::AssertionResult
throwsInvalidArgument(const std::function<void()> &fn,
                      const std::vector<std::string> &fragments) {
  try {
    fn();
  } catch (const std::invalid_argument &e) {
    std::string message = e.what();
    for (const std::string &f : fragments)
      if (message.find(f) == std::string::npos)
        return ::testing::AssertionFailure()
               << "message \"" << message << "\" lacks \"" << f << "\"";
    return ::testing::AssertionSuccess() << message;
  } catch (const std::exception &e) {
    return ::testing::AssertionFailure()
           << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

Tensor tensorFromJson(const nlohmann::json &j) {
  return Tensor(j.at("shape").get<Shape>(),
                j.at("data").get<std::vector<double>>());
}

nlohmann::json readJsonFile(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  // config.json files may hold Python's bare Infinity.
  return nlohmann::json::parse(format::quotePythonFloatWords(text.str()));
}

ModelConfig configFromHuggingFace(const nlohmann::json &j) {
  ModelConfig c;
  c.hidden = j.value("hidden_size", int64_t{768});
  c.layers = j.value("num_hidden_layers", int64_t{32});
  c.vocab = j.value("vocab_size", int64_t{50280});
  c.stateSize = j.value("state_size", int64_t{16});
  c.convKernel = j.value("conv_kernel", int64_t{4});
  c.expand = j.value("expand", int64_t{2});
  c.intermediate = j.value("intermediate_size", c.expand * c.hidden);
  // time_step_rank may be the string "auto", meaning ceil(hidden / 16).
  auto rank = j.find("time_step_rank");
  c.dtRank =
      rank != j.end() && rank->is_number_integer() ? rank->get<int64_t>() : 0;
  c.eps = j.value("layer_norm_epsilon", 1e-5);
  c.useBias = j.value("use_bias", false);
  c.useConvBias = j.value("use_conv_bias", true);
  c.tieEmbeddings = j.value("tie_word_embeddings", true);
  return c;
}

namespace {

/// A float config value: a number, a string ("Infinity"), or transformers
/// 5's {"__float__": "Infinity"}.
double configFloat(const nlohmann::json &v) {
  if (v.is_number())
    return v.get<double>();
  const nlohmann::json &word =
      v.is_object() && v.contains("__float__") ? v.at("__float__") : v;
  if (word.is_string())
    if (std::optional<double> value =
            format::parseFloatWord(word.get<std::string>()))
      return *value;
  throw std::runtime_error("not a float: " + v.dump());
}

} // namespace

Mamba2Config mamba2ConfigFromHuggingFace(const nlohmann::json &j) {
  Mamba2Config c;
  c.hidden = j.value("hidden_size", int64_t{2560});
  c.layers = j.value("num_hidden_layers", int64_t{64});
  c.vocab = j.value("vocab_size", int64_t{32768});
  c.stateSize = j.value("state_size", int64_t{128});
  c.convKernel = j.value("conv_kernel", int64_t{4});
  c.expand = j.value("expand", int64_t{2});
  c.headDim = j.value("head_dim", int64_t{64});
  c.heads = j.value("num_heads", int64_t{128});
  c.groups = j.value("n_groups", int64_t{8});
  c.chunkSize = j.value("chunk_size", int64_t{256});
  c.eps = j.value("layer_norm_epsilon", 1e-5);
  c.useBias = j.value("use_bias", false);
  c.useConvBias = j.value("use_conv_bias", true);
  c.tieEmbeddings = j.value("tie_word_embeddings", true);
  if (j.contains("time_step_limit")) {
    c.dt.low = configFloat(j.at("time_step_limit").at(0));
    c.dt.high = configFloat(j.at("time_step_limit").at(1));
  }
  return c;
}

bool loadWeights(const std::string &path, Weights &weights,
                 std::string &error) {
  format::SafeTensorsFile file;
  if (!file.load(path, error))
    return false;
  for (const format::TensorInfo &info : file.tensors()) {
    std::vector<double> values;
    if (!file.toDoubles(info, values, error))
      return false;
    weights[info.name] = Tensor(info.shape, std::move(values));
  }
  return true;
}

GoldenLm readGoldenLm(const std::string &name) {
  GoldenLm lm;
  const std::string dir = goldenDir() + "/" + name;
  try {
    lm.config = readJsonFile(dir + "/config.json");
    if (!loadWeights(dir + "/model.safetensors", lm.weights, lm.error))
      return lm;
    nlohmann::json expected = readJsonFile(dir + "/expected.json");
    lm.prompt = expected.at("prompt").get<std::vector<int64_t>>();
    lm.logits = tensorFromJson(expected.at("logits"));
    lm.tokens = expected.at("greedy_new_tokens").get<std::vector<int64_t>>();
  } catch (const std::exception &e) {
    lm.error = dir + ": " + e.what();
  }
  return lm;
}

Tensor logitsAt(const Tensor &logits, int64_t t) {
  int64_t b = logits.dim(0), L = logits.dim(1), V = logits.dim(2);
  Tensor out = Tensor::zeros({b, V});
  for (int64_t i = 0; i < b; ++i)
    for (int64_t v = 0; v < V; ++v)
      out[i * V + v] = logits[(i * L + t) * V + v];
  return out;
}

} // namespace mamba::reference::testing
