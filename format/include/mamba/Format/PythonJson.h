//===- PythonJson.h - JSON as Python's json module writes it ----*- C++ -*-===//
//
// Python's json.dump writes infinities and NaN as the bare words Infinity,
// -Infinity and NaN, which strict JSON (and so LLVM's and nlohmann's
// parsers) rejects. Real config.json files have them: Mamba-2 configs
// written by older transformers spell an unbounded time_step_limit as
// [0.0, Infinity]. This turns such text into strict JSON by quoting those
// words; configNumber then reads a number given as a number or in any of
// the spellings models use.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_PYTHONJSON_H
#define MAMBA_FORMAT_PYTHONJSON_H

#include <optional>
#include <string>
#include <string_view>

namespace mamba::format {

/// `text` with every bare Infinity, -Infinity and NaN outside strings
/// replaced by the strings "Infinity", "-Infinity" and "NaN". Everything
/// else, strings included, is left as it is; text that is not JSON stays
/// not JSON.
std::string quotePythonFloatWords(std::string_view text);

/// The value of a number field written as a string: "Infinity", "inf",
/// "-Infinity", "-inf", "NaN", "nan" (any case), or a decimal number.
/// nullopt for anything else.
std::optional<double> parseFloatWord(std::string_view word);

} // namespace mamba::format

#endif // MAMBA_FORMAT_PYTHONJSON_H
