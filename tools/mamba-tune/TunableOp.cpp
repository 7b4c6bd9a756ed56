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

Candidate TunableOp::candidate(const std::vector<int64_t> &values) const {
  Candidate c;
  const std::vector<Parameter> keys = parameters();
  for (size_t i = 0; i < keys.size() && i < values.size(); ++i)
    c.settings.push_back({keys[i].first, keys[i].second, values[i]});
  return c;
}

bool TunableOp::fromConfig(const std::map<std::string, int64_t> &config,
                           Candidate &out, std::string &error) const {
  out.settings.clear();
  for (const auto &[key, tag] : parameters()) {
    auto it = config.find(key);
    if (it == config.end()) {
      error = "config has no '" + key + "'";
      return false;
    }
    out.settings.push_back({key, tag, it->second});
  }
  return true;
}

bool TunableOp::signatureOf(const std::map<std::string, int64_t> &sizes,
                            const std::string &type, Signature &out,
                            std::string &error) const {
  out = Signature{name(), {}, type};
  for (const std::string &key : signatureKeys()) {
    auto it = sizes.find(key);
    if (it == sizes.end()) {
      error = std::string(name()) + " signature has no '" + key + "'";
      return false;
    }
    out.sizes.push_back({key, it->second});
  }
  return true;
}

} // namespace mamba::tune
