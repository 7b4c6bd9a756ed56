//===- TunableOp.cpp - The ops mamba-tune tunes ---------------------------===//

#include "TunableOp.h"

namespace mamba::tune {

std::vector<const TunableOp *> tunableOps() {
  return {&selectiveScanOp(), &ssdScanOp()};
}

const TunableOp *findTunableOp(const std::string &name) {
  for (const TunableOp *op : tunableOps())
    if (name == op->name())
      return op;
  return nullptr;
}

bool orderedSettings(
    const std::vector<std::pair<std::string, std::string>> &keysAndTags,
    const std::map<std::string, int64_t> &values, Candidate &out,
    std::string &error) {
  out.settings.clear();
  for (const auto &[key, tag] : keysAndTags) {
    auto it = values.find(key);
    if (it == values.end()) {
      error = "config has no '" + key + "'";
      return false;
    }
    out.settings.push_back({key, tag, it->second});
  }
  return true;
}

bool orderedSizes(const char *op, const std::vector<std::string> &keys,
                  const std::map<std::string, int64_t> &values,
                  const std::string &type, Signature &out, std::string &error) {
  out = Signature{op, {}, type};
  for (const std::string &key : keys) {
    auto it = values.find(key);
    if (it == values.end()) {
      error = std::string(op) + " signature has no '" + key + "'";
      return false;
    }
    out.sizes.push_back({key, it->second});
  }
  return true;
}

} // namespace mamba::tune
