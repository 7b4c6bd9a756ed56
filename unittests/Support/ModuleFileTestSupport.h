//===- ModuleFileTestSupport.h - Loader test files --------------*- C++ -*-===//
//
// A small, valid module file as a JSON header plus data section, so that each
// test breaks exactly one thing and checks the error that names it.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_UNITTESTS_SUPPORT_MODULEFILETESTSUPPORT_H
#define MAMBA_UNITTESTS_SUPPORT_MODULEFILETESTSUPPORT_H

#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"
#include "mamba/Format/SafeTensors.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mamba::format::testing {

/// Fake cubin bytes then PTX text, and a header describing them: one
/// function "scan" with args u [-1, 64, -1] bf16 and A [64, 16] f32, one
/// result of u's shape, one launch of grid [ceildiv(d, 32), b, 1].
struct ModuleFixture {
  nlohmann::json header;
  std::vector<uint8_t> data;

  ModuleFixture();
  std::vector<uint8_t> bytes() const;
  /// Loads bytes(); returns the error, or "" on success.
  std::string loadError(ModuleFile *out = nullptr) const;

  nlohmann::json &function() { return header["functions"][0]; }
  nlohmann::json &launch() { return function()["launches"][0]; }
};

/// For EXPECT_CONTAINS: error messages are checked by the words that matter,
/// not in full.
::testing::AssertionResult assertContains(const char *haystackExpr,
                                          const char *needleExpr,
                                          const std::string &haystack,
                                          const std::string &needle);

} // namespace mamba::format::testing

#define EXPECT_CONTAINS(haystack, needle)                                      \
  EXPECT_PRED_FORMAT2(::mamba::format::testing::assertContains, haystack,      \
                      needle)

#endif // MAMBA_UNITTESTS_SUPPORT_MODULEFILETESTSUPPORT_H
