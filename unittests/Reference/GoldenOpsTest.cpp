//===- GoldenOpsTest.cpp - Reference ops against the golden op cases ------===//
//
// Each file in golden/ops was computed in float64 by an implementation
// independent of this project. Both sides are float64, so the only tolerance
// needed is for a different order of floating-point operations.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>

namespace mamba::reference {
namespace {

using nlohmann::json;
using testing::allClose;
using testing::goldenDir;
using testing::readJsonFile;
using testing::relativeL2Error;
using testing::tensorFromJson;

constexpr double kRelTol = 1e-10;
constexpr double kRelL2Tol = 1e-12;

/// The case's dt_softplus and dt_limit (its "inf" spelled as a string).
DtOptions dtOptions(const json &attrs) {
  DtOptions o;
  o.softplus = attrs.at("dt_softplus").get<bool>();
  if (attrs.contains("dt_limit")) {
    auto bound = [](const json &v) {
      return v.is_string() && v.get<std::string>() == "inf"
                 ? std::numeric_limits<double>::infinity()
                 : v.get<double>();
    };
    o.low = bound(attrs.at("dt_limit").at(0));
    o.high = bound(attrs.at("dt_limit").at(1));
  }
  return o;
}

std::vector<std::string> goldenOpFiles() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto &entry :
       std::filesystem::directory_iterator(goldenDir() + "/ops", ec))
    if (entry.path().extension() == ".json")
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

/// Hands out a case's inputs and remembers which were used, so that a golden
/// input the dispatcher does not understand fails the test instead of being
/// silently ignored.
class CaseInputs {
public:
  explicit CaseInputs(const json &inputs) : inputs_(inputs) {}

  const Tensor *optional(const std::string &name) {
    if (!inputs_.contains(name))
      return nullptr;
    used_.insert(name);
    return &tensors_.emplace(name, tensorFromJson(inputs_.at(name)))
                .first->second;
  }
  const Tensor &required(const std::string &name) {
    const Tensor *t = optional(name);
    if (!t)
      throw std::runtime_error("golden case lacks input '" + name + "'");
    return *t;
  }
  std::vector<std::string> unused() const {
    std::vector<std::string> names;
    for (const auto &[name, value] : inputs_.items())
      if (!used_.count(name))
        names.push_back(name);
    return names;
  }

private:
  const json &inputs_;
  std::map<std::string, Tensor> tensors_;
  std::set<std::string> used_;
};

/// Runs the case's op and returns its outputs by their golden names.
std::map<std::string, Tensor> runCase(const json &c, CaseInputs &in) {
  const std::string op = c.at("op");
  const json &attrs = c.at("attrs");
  if (op == "selective_scan") {
    auto r = selectiveScan(
        in.required("u"), in.required("delta"), in.required("A"),
        in.required("B"), in.required("C"), in.optional("D"), in.optional("z"),
        in.optional("delta_bias"), in.optional("initial_state"),
        attrs.at("delta_softplus").get<bool>());
    return {{"y", r.y}, {"final_state", r.finalState}};
  }
  if (op == "selective_state_update") {
    auto r = selectiveStateUpdate(
        in.required("state"), in.required("x"), in.required("dt"),
        in.required("A"), in.required("B"), in.required("C"), in.optional("D"),
        in.optional("z"), in.optional("dt_bias"),
        attrs.at("delta_softplus").get<bool>());
    return {{"y", r.y}, {"state", r.newState}};
  }
  if (op == "causal_conv1d") {
    Tensor y = causalConv1d(in.required("x"), in.required("weight"),
                            in.optional("bias"),
                            parseActivation(attrs.at("activation")));
    return {{"y", y}};
  }
  if (op == "conv_state_update") {
    auto r = convStateUpdate(in.required("conv_state"), in.required("x"),
                             in.required("weight"), in.optional("bias"),
                             parseActivation(attrs.at("activation")));
    return {{"y", r.y}, {"conv_state", r.newConvState}};
  }
  if (op == "rms_norm") {
    auto r = rmsNorm(in.required("x"), in.required("weight"),
                     in.optional("residual"), attrs.at("eps").get<double>());
    return {{"y", r.y}, {"residual_out", r.residualOut}};
  }
  if (op == "ssd_scan") {
    auto r = ssdScan(in.required("x"), in.required("dt"), in.required("A"),
                     in.required("B"), in.required("C"), in.optional("D"),
                     in.optional("z"), in.optional("dt_bias"),
                     in.optional("initial_states"), in.optional("seq_idx"),
                     dtOptions(attrs));
    return {{"y", r.y}, {"final_states", r.finalStates}};
  }
  if (op == "selective_state_update_heads") {
    auto r = ssdStep(in.required("state"), in.required("x"), in.required("dt"),
                     in.required("A"), in.required("B"), in.required("C"),
                     in.optional("D"), in.optional("z"), in.optional("dt_bias"),
                     dtOptions(attrs));
    return {{"y", r.y}, {"state", r.newState}};
  }
  if (op == "rms_norm_gated") {
    Tensor y = gatedRmsNorm(
        in.required("x"), in.optional("z"), in.required("weight"),
        attrs.at("group_size").get<int64_t>(), attrs.at("eps").get<double>());
    return {{"y", y}};
  }
  throw std::runtime_error("unknown golden op '" + op + "'");
}

/// The chunked SSD of an ssd_scan case, at the case's chunk size.
std::map<std::string, Tensor> runChunked(const json &c, CaseInputs &in) {
  auto r = ssdScanChunked(in.required("x"), in.required("dt"), in.required("A"),
                          in.required("B"), in.required("C"),
                          c.at("attrs").at("chunk_size").get<int64_t>(),
                          in.optional("D"), in.optional("z"),
                          in.optional("dt_bias"), in.optional("initial_states"),
                          in.optional("seq_idx"), dtOptions(c.at("attrs")));
  return {{"y", r.y}, {"final_states", r.finalStates}};
}

/// Every golden output of `c` against `actual`, by name.
void expectOutputs(const json &c, const std::map<std::string, Tensor> &actual) {
  ASSERT_FALSE(c.at("outputs").empty());
  for (const auto &[name, value] : c.at("outputs").items()) {
    SCOPED_TRACE("output " + name);
    auto it = actual.find(name);
    ASSERT_NE(it, actual.end()) << "the op has no output named " << name;
    Tensor expected = tensorFromJson(value);
    // An absolute floor of kRelTol times the largest magnitude keeps values
    // that cancel to near zero from demanding more than float64 can give.
    double scale = 0.0;
    for (double v : expected.values())
      scale = std::max(scale, std::fabs(v));
    EXPECT_TRUE(allClose(it->second, expected, kRelTol, kRelTol * scale));
    EXPECT_LE(relativeL2Error(it->second, expected), kRelL2Tol);
  }
}

class GoldenOpTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenOpTest, ReproducesOutputs) {
  json c = readJsonFile(GetParam());
  CaseInputs inputs(c.at("inputs"));
  std::map<std::string, Tensor> actual = runCase(c, inputs);
  EXPECT_TRUE(inputs.unused().empty())
      << "inputs not consumed: " << ::testing::PrintToString(inputs.unused());
  expectOutputs(c, actual);
  // The golden SSD is the per-step recurrence; the chunked algorithm at the
  // case's chunk size (which divides L in some cases, not in others) must
  // give the same.
  if (c.at("op") == "ssd_scan") {
    SCOPED_TRACE("chunked, chunk_size " +
                 c.at("attrs").at("chunk_size").dump());
    CaseInputs again(c.at("inputs"));
    expectOutputs(c, runChunked(c, again));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Golden, GoldenOpTest, ::testing::ValuesIn(goldenOpFiles()),
    [](const ::testing::TestParamInfo<std::string> &info) {
      return std::filesystem::path(info.param).stem().string();
    });

// Guards against the parametrized suite quietly running zero cases.
TEST(GoldenOpFiles, CoverEveryOp) {
  std::set<std::string> ops;
  for (const std::string &file : goldenOpFiles())
    ops.insert(readJsonFile(file).at("op").get<std::string>());
  EXPECT_EQ(
      ops, (std::set<std::string>{"causal_conv1d", "conv_state_update",
                                  "rms_norm", "rms_norm_gated",
                                  "selective_scan", "selective_state_update",
                                  "selective_state_update_heads", "ssd_scan"}));
}

} // namespace
} // namespace mamba::reference
