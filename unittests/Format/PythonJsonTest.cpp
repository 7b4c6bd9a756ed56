//===- PythonJsonTest.cpp - JSON as Python's json module writes it --------===//

#include "mamba/Format/PythonJson.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace mamba::format {
namespace {

TEST(PythonJson, QuotesTheBareFloatWordsOnly) {
  EXPECT_EQ(quotePythonFloatWords(R"({"time_step_limit": [0.0, Infinity]})"),
            R"({"time_step_limit": [0.0, "Infinity"]})");
  EXPECT_EQ(quotePythonFloatWords("[-Infinity,NaN,Infinity]"),
            R"(["-Infinity","NaN","Infinity"])");
  // Inside strings, escaped quotes included, nothing changes; nor in words
  // that only contain them.
  const char *kept[] = {R"({"a": "Infinity", "b": "say \"NaN\" Infinity"})",
                        R"({"NaNs": 1, "xInfinity": 2})", R"([InfinityX])", "",
                        R"({"unterminated": "Infinity)"};
  for (const char *text : kept)
    EXPECT_EQ(quotePythonFloatWords(text), text);
}

TEST(PythonJson, TheGoldenMamba2ConfigParsesOnceQuoted) {
  const std::string text =
      R"({"model_type": "mamba2", "time_step_limit": [0.0, Infinity]})";
  EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_discarded());
  nlohmann::json j = nlohmann::json::parse(quotePythonFloatWords(text));
  EXPECT_EQ(j["time_step_limit"][1], "Infinity");
}

TEST(PythonJson, ReadsTheSpellingsOfAFloat) {
  const double inf = std::numeric_limits<double>::infinity();
  for (const char *word : {"Infinity", "inf", "INF", "+inf"})
    EXPECT_EQ(parseFloatWord(word), inf) << word;
  for (const char *word : {"-Infinity", "-inf"})
    EXPECT_EQ(parseFloatWord(word), -inf) << word;
  EXPECT_TRUE(std::isnan(*parseFloatWord("NaN")));
  EXPECT_EQ(parseFloatWord("0.125"), 0.125);
  EXPECT_EQ(parseFloatWord("1e-3"), 1e-3);
  for (const char *word : {"", "big", "1.0x", "1e999", " 1"})
    EXPECT_FALSE(parseFloatWord(word).has_value()) << "'" << word << "'";
}

} // namespace
} // namespace mamba::format
