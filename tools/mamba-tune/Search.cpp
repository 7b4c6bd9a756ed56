//===- Search.cpp - Where mamba-tune's searches go next -------------------===//

#include "Search.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <tuple>

namespace mamba::tune {

std::vector<size_t> neighbours(const std::vector<Candidate> &candidates,
                               size_t at) {
  auto axes = [](const Candidate &c) {
    return std::vector<int64_t>{c.channelsPerBlock, c.statesPerThread,
                                c.chunkLength, c.sequenceSplits};
  };
  std::vector<std::vector<int64_t>> values(4);
  for (const Candidate &c : candidates)
    for (int a = 0; a < 4; ++a)
      values[a].push_back(axes(c)[a]);
  for (auto &v : values) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  const std::vector<int64_t> here = axes(candidates[at]);
  std::vector<size_t> out;
  for (size_t j = 0; j < candidates.size(); ++j) {
    const std::vector<int64_t> there = axes(candidates[j]);
    int differ = 0, axis = -1;
    for (int a = 0; a < 4; ++a)
      if (there[a] != here[a])
        ++differ, axis = a;
    if (differ != 1)
      continue;
    auto rank = [&](int64_t v) {
      return std::lower_bound(values[axis].begin(), values[axis].end(), v) -
             values[axis].begin();
    };
    if (std::abs(rank(there[axis]) - rank(here[axis])) == 1)
      out.push_back(j);
  }
  return out;
}

std::vector<size_t> seedCandidates(
    const std::vector<Candidate> &candidates,
    const std::vector<tuning::Entry> &entries, const std::string &target,
    const std::map<std::string, int64_t> &signature, const std::string &dtype,
    const tuning::Bucket &bucket, size_t limit) {
  // Nearest first: another signature after this one's, then by the
  // distance of the buckets (tokens, then batch; log scale), as
  // Database::select measures it.
  auto distance = [&](const tuning::Entry &e) {
    const bool other = e.dtype != dtype || e.signature != signature;
    const double tokens =
        std::fabs(std::log2(double(e.bucket.batch * e.bucket.length) /
                            double(bucket.batch * bucket.length)));
    const double batch =
        std::fabs(std::log2(double(e.bucket.batch) / double(bucket.batch)));
    return std::make_tuple(other, tokens, batch);
  };
  std::vector<const tuning::Entry *> order;
  for (const tuning::Entry &e : entries)
    if (e.target == target && e.op == "selective_scan")
      order.push_back(&e);
  std::stable_sort(order.begin(), order.end(),
                   [&](const tuning::Entry *a, const tuning::Entry *b) {
                     return distance(*a) < distance(*b);
                   });
  std::vector<size_t> seeds;
  for (const tuning::Entry *e : order) {
    if (seeds.size() >= limit)
      break;
    for (size_t i = 1; i < candidates.size(); ++i)
      if (candidates[i].config() == e->config &&
          std::find(seeds.begin(), seeds.end(), i) == seeds.end())
        seeds.push_back(i);
  }
  return seeds;
}

} // namespace mamba::tune
