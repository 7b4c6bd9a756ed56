//===- PythonJson.cpp - JSON as Python's json module writes it ------------===//

#include "mamba/Format/PythonJson.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace mamba::format {

namespace {

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

} // namespace

std::string quotePythonFloatWords(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < text.size())
        out += text[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
      out += c;
      continue;
    }
    // A word starts here when the previous character cannot be part of it.
    bool wordStart = i == 0 || !isWordChar(text[i - 1]);
    for (std::string_view word : {"-Infinity", "Infinity", "NaN"}) {
      if (!wordStart || text.substr(i, word.size()) != word)
        continue;
      size_t end = i + word.size();
      if (end < text.size() && isWordChar(text[end]))
        continue;
      out += '"';
      out += word;
      out += '"';
      i = end - 1;
      c = 0;
      break;
    }
    if (c)
      out += c;
  }
  return out;
}

std::optional<double> parseFloatWord(std::string_view word) {
  std::string lower;
  for (char c : word)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const double inf = std::numeric_limits<double>::infinity();
  if (lower == "infinity" || lower == "inf" || lower == "+infinity" ||
      lower == "+inf")
    return inf;
  if (lower == "-infinity" || lower == "-inf")
    return -inf;
  if (lower == "nan")
    return std::numeric_limits<double>::quiet_NaN();
  // strtod would skip leading space; a field value has none.
  if (lower.empty() || std::isspace(static_cast<unsigned char>(lower[0])))
    return std::nullopt;
  errno = 0;
  char *end = nullptr;
  double value = std::strtod(lower.c_str(), &end);
  if (errno != 0 || end != lower.c_str() + lower.size() || std::isnan(value) ||
      std::isinf(value))
    return std::nullopt;
  return value;
}

} // namespace mamba::format
