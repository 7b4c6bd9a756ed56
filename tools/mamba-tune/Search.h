//===- Search.h - Where mamba-tune's searches go next ----------*- C++ -*-===//
//
// The pieces of the searches that only look at the candidates, not at
// times: the neighbours of a candidate (one parameter one step away) for
// the hill-climbing searches, and the guided search's starting points, the
// tilings that won elsewhere (other buckets and signatures of a database),
// because the best tilings of a target cluster: on an H100 the 11 benchmark
// buckets' 72-candidate spaces have 5 distinct winners, and climbing from
// the winners of the other signatures found each bucket's best within 20%
// of its candidates (bench/replay-search.py on the recorded landscapes).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_TOOLS_SEARCH_H
#define MAMBA_TOOLS_SEARCH_H

#include "Candidate.h"

#include "mamba/Tuning/TuningDb.h"

#include <cstddef>
#include <string>
#include <vector>

namespace mamba::tune {

/// The candidates one step from candidate `at` along one parameter: the
/// next smaller or larger value that some candidate has, the others equal.
/// Where there is none (`at` differs from every other candidate in more
/// than one parameter), those differing from it in the fewest.
std::vector<size_t> neighbours(const std::vector<Candidate> &candidates,
                               size_t at);

/// The candidates (indices, the default excluded) whose tilings are the
/// configs of `entries` for `target` and the signature's op, each once:
/// first those of `signature` (sizes and type), then the others; within
/// each, the entry whose bucket is nearest `bucket` first. At most `limit`.
std::vector<size_t> seedCandidates(const std::vector<Candidate> &candidates,
                                   const std::vector<tuning::Entry> &entries,
                                   const std::string &target,
                                   const Signature &signature,
                                   const tuning::Bucket &bucket, size_t limit);

} // namespace mamba::tune

#endif // MAMBA_TOOLS_SEARCH_H
