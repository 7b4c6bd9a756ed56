//===- Candidate.cpp - What mamba-tune tunes and what it tries ------------===//

#include "Candidate.h"

namespace mamba::tune {

std::string Candidate::name() const {
  std::string out;
  for (const Setting &s : settings)
    out += (out.empty() ? "" : "_") + s.tag + std::to_string(s.value);
  return out;
}

std::map<std::string, int64_t> Candidate::config() const {
  std::map<std::string, int64_t> out;
  for (const Setting &s : settings)
    out[s.key] = s.value;
  return out;
}

int64_t Candidate::get(const std::string &key) const {
  for (const Setting &s : settings)
    if (s.key == key)
      return s.value;
  return 0;
}

std::string Signature::key() const {
  std::string out = op + ":";
  for (const auto &[name, size] : sizes)
    out += std::to_string(size) + ",";
  return out + type;
}

std::map<std::string, int64_t> Signature::map() const {
  return {sizes.begin(), sizes.end()};
}

int64_t Signature::size(const std::string &name) const {
  for (const auto &[key, value] : sizes)
    if (key == name)
      return value;
  return 0;
}

} // namespace mamba::tune
