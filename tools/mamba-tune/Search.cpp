//===- Search.cpp - Where mamba-tune's searches go next -------------------===//

#include "Search.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <tuple>

namespace mamba::tune {

std::vector<size_t> neighbours(const std::vector<Candidate> &candidates,
                               size_t at) {
  // The axes are the op's parameters, in its order (every candidate of a
  // space has the same ones).
  const size_t axesCount = candidates[at].settings.size();
  auto axes = [&](const Candidate &c) {
    std::vector<int64_t> out;
    for (const Setting &s : c.settings)
      out.push_back(s.value);
    out.resize(axesCount, 0);
    return out;
  };
  std::vector<std::vector<int64_t>> values(axesCount);
  for (const Candidate &c : candidates)
    for (size_t a = 0; a < axesCount; ++a)
      values[a].push_back(axes(c)[a]);
  for (auto &v : values) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  const std::vector<int64_t> here = axes(candidates[at]);
  std::vector<size_t> out;
  // Parameters differing from `at`, per candidate: for the fallback below.
  std::vector<int> differing(candidates.size(), 0);
  for (size_t j = 0; j < candidates.size(); ++j) {
    const std::vector<int64_t> there = axes(candidates[j]);
    int differ = 0, axis = -1;
    for (size_t a = 0; a < axesCount; ++a)
      if (there[a] != here[a])
        ++differ, axis = int(a);
    differing[j] = differ;
    if (differ != 1)
      continue;
    auto rank = [&](int64_t v) {
      return std::lower_bound(values[axis].begin(), values[axis].end(), v) -
             values[axis].begin();
    };
    if (std::abs(rank(there[axis]) - rank(here[axis])) == 1)
      out.push_back(j);
  }
  if (!out.empty())
    return out;
  // A candidate of another family (the SSD's per-step default beside the
  // chunked kernels, which differ from it in every parameter) has no
  // neighbour one step away: the nearest candidates are its neighbours, or
  // a climb from it would end where it starts.
  int nearest = 0;
  for (size_t j = 0; j < candidates.size(); ++j)
    if (differing[j] > 0 && (nearest == 0 || differing[j] < nearest))
      nearest = differing[j];
  for (size_t j = 0; j < candidates.size(); ++j)
    if (nearest > 0 && differing[j] == nearest)
      out.push_back(j);
  return out;
}

std::vector<size_t> seedCandidates(const std::vector<Candidate> &candidates,
                                   const std::vector<tuning::Entry> &entries,
                                   const std::string &target,
                                   const Signature &signature,
                                   const tuning::Bucket &bucket, size_t limit) {
  // Nearest first: another signature after this one's, then by the
  // distance of the buckets (tokens, then batch; log scale), as
  // Database::select measures it.
  auto distance = [&](const tuning::Entry &e) {
    const bool other =
        e.dtype != signature.type || e.signature != signature.map();
    const double tokens =
        std::fabs(std::log2(double(e.bucket.batch * e.bucket.length) /
                            double(bucket.batch * bucket.length)));
    const double batch =
        std::fabs(std::log2(double(e.bucket.batch) / double(bucket.batch)));
    return std::make_tuple(other, tokens, batch);
  };
  std::vector<const tuning::Entry *> order;
  for (const tuning::Entry &e : entries)
    if (e.target == target && e.op == signature.op)
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
