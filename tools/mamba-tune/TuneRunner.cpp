//===- TuneRunner.cpp - mamba-tune's measuring half -----------------------===//

#include "TuneRunner.h"

#include "Search.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

namespace mamba::tune {

/// What one candidate gave on one bucket.
struct Trial {
  bool ok = false;
  double ms = 0, relError = 0;
  int runs = 0;
  std::string why; ///< when not ok
};

/// DB.trials: one line per trial, "key ok ms relError runs why", so that a
/// run cut short resumes without measuring again.
class TrialLog {
public:
  explicit TrialLog(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string key;
      Trial t;
      if (fields >> key >> t.ok >> t.ms >> t.relError >> t.runs) {
        std::getline(fields >> std::ws, t.why);
        trials_[key] = t;
      }
    }
  }
  size_t size() const { return trials_.size(); }
  const Trial *find(const std::string &key) const {
    auto it = trials_.find(key);
    return it == trials_.end() ? nullptr : &it->second;
  }
  void add(const std::string &key, const Trial &t) {
    trials_[key] = t;
    std::ofstream out(path_, std::ios::app);
    // NaN does not read back through >>: a wrong result's error as -1.
    const double relError = std::isfinite(t.relError) ? t.relError : -1;
    out << key << " " << t.ok << " " << t.ms << " " << relError << " " << t.runs
        << " " << t.why << "\n";
  }

private:
  std::string path_;
  std::map<std::string, Trial> trials_;
};

/// A trial's bucket in DB.trials: the target with its code generation
/// version (trials measured on other code are not resumed), the scan and
/// the shape.
std::string bucketKey(const std::string &target, const std::string &scan,
                      const tuning::Bucket &b) {
  return target + ".g" + std::to_string(tuning::codegenVersion(target)) + "/" +
         scan + "/" + std::to_string(b.batch) + "x" + std::to_string(b.length);
}

std::string today() {
  std::time_t now = std::time(nullptr);
  char text[16];
  std::strftime(text, sizeof(text), "%Y-%m-%d", std::gmtime(&now));
  return text;
}

bool checkSearch(const std::string &search, std::string &error) {
  if (search == "auto" || search == "exhaustive" || search == "halving" ||
      search == "neighbors" || search == "guided")
    return true;
  error = "--search: expected auto, exhaustive, halving, neighbors or "
          "guided, got '" +
          search + "'";
  return false;
}

TuneRunner::TuneRunner() : start_(std::chrono::steady_clock::now()) {}
TuneRunner::~TuneRunner() = default;

namespace {
double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}
} // namespace

bool TuneRunner::outOfBudget() const {
  return s_.budgetSeconds > 0 && since(start_) > s_.budgetSeconds;
}

bool TuneRunner::open(const RunSettings &settings, std::string &error) {
  s_ = settings;
  std::ifstream exists(s_.dbPath);
  if (exists && !db_.read(s_.dbPath, error))
    return false;
  for (const std::string &path : s_.seedDbs) {
    tuning::Database seeds;
    if (!seeds.read(path, error))
      return false;
    seedEntries_.insert(seedEntries_.end(), seeds.entries().begin(),
                        seeds.entries().end());
  }
  // Written now, as read (or empty), so that a path that cannot be written
  // fails before anything is measured, not after the first bucket.
  if (!db_.write(s_.dbPath, error))
    return false;
  log_ = std::make_unique<TrialLog>(s_.dbPath + ".trials");
  if (log_->size())
    std::fprintf(stderr, "mamba-tune: resuming: %zu trials in %s.trials\n",
                 log_->size(), s_.dbPath.c_str());
  std::printf("| op:signature,type | bucket | default ms | tuned ms | speedup "
              "| tuned config | candidates | seconds |\n|---|---|---|---|---|"
              "---|---|---|\n");
  return true;
}

bool TuneRunner::needed(const PlannedScan &scan, size_t i) const {
  for (const tuning::Bucket &b : s_.buckets) {
    const Trial *t = log_->find(bucketKey(s_.target, scan.key(), b) + "/" +
                                scan.candidates[i].name());
    // A short trial (halving's first round) may be run again in full.
    if (!t || (t->ok && t->runs < s_.runs))
      return true;
  }
  return false;
}

bool TuneRunner::run(const PlannedScan &scan, std::string &error) {
  if (scan.candidates.empty() || !scan.compiled[0]) {
    error = "the default tiling of " + scan.key() +
            " does not compile: " + (scan.errors.empty() ? "" : scan.errors[0]);
    return false;
  }
  if (!opened_.isOpen()) {
    runtime::ModuleFile file;
    if (!file.load(scan.paths[0], error) ||
        !runtime::openDevice(file, scan.paths[0],
                             runtime::DeviceRequest{s_.device, 0}, opened_,
                             error) ||
        !(queue_ = opened_.backend().createQueue(error)))
      return false;
  }
  auto elapsed = [&] { return since(start_); };
  auto outOfBudget = [&] { return this->outOfBudget(); };
  runtime::Backend &backend = opened_.backend();
  const std::string &chip = s_.target;
  const std::vector<Candidate> &candidates = scan.candidates;
  const std::vector<std::string> &paths = scan.paths;
  const std::vector<char> &compiled = scan.compiled;
  const std::vector<std::string> &errors = scan.errors;
  const PlannedScan &sig = scan;
  const int runs = s_.runs;
  TrialLog &log = *log_;
  const double tolerance = sig.signature.type == "f32" ? 1e-4 : 2e-2;

  // Each candidate's module, loaded once for every bucket and round (a
  // program refers to its file).
  struct Loaded {
    std::unique_ptr<runtime::ModuleFile> file;
    std::unique_ptr<runtime::Program> program;
  };
  std::map<size_t, Loaded> programs;
  for (const tuning::Bucket &bucket : s_.buckets) {
    const double bucketStart = elapsed();
    std::unique_ptr<Problem> made = sig.op->makeProblem();
    Problem &problem = *made;
    if (!problem.prepare(backend, *queue_, sig.signature, bucket.batch,
                         bucket.length, error)) {
      error = sig.key() + ": " + error;
      return false;
    }
    const std::string bucketName = bucketKey(chip, sig.key(), bucket);
    std::map<size_t, Trial> results;
    auto runTrial = [&](size_t i, int count) -> bool {
      const std::string key = bucketName + "/" + candidates[i].name();
      const Trial *seen = log.find(key);
      if (seen && seen->runs >= count) {
        results[i] = *seen;
        return true;
      }
      if (!compiled[i] && errors[i].empty())
        return false; // not compiled (out of budget): not a result
      Trial t;
      t.runs = count;
      // A candidate checked in an earlier round is only timed again: the
      // check reads back the whole output, which costs more than the runs.
      const bool check = !(seen && seen->ok);
      if (!check)
        t.relError = seen->relError;
      if (!compiled[i]) {
        t.why = "does not compile: " + errors[i].substr(0, 200);
      } else {
        Loaded &loaded = programs[i];
        if (!loaded.program) {
          loaded.file = std::make_unique<runtime::ModuleFile>();
          if (loaded.file->load(paths[i], error))
            loaded.program = backend.load(*loaded.file, error);
        }
        if (!loaded.program ||
            !problem.measure(*loaded.program, count, tolerance, check,
                             t.relError, t.ms, error)) {
          t.why = "does not run: " + error.substr(0, 200);
        } else if (!(t.relError <= tolerance)) {
          t.why = "wrong result: rel L2 " + std::to_string(t.relError);
        } else {
          t.ok = true;
        }
      }
      for (char &ch : t.why)
        if (ch == '\n')
          ch = ' ';
      log.add(key, t);
      results[i] = t;
      return true;
    };
    auto best = [&](std::vector<size_t> among) {
      std::sort(among.begin(), among.end(), [&](size_t a, size_t b) {
        return results[a].ms < results[b].ms;
      });
      return among;
    };
    auto progress = [&](size_t done, size_t total) {
      if (!isatty(2))
        return; // a log gets the table only
      size_t lead = SIZE_MAX;
      for (auto &[i, t] : results)
        if (t.ok && (lead == SIZE_MAX || t.ms < results[lead].ms))
          lead = i;
      double spent = elapsed() - bucketStart;
      std::fprintf(stderr,
                   "\rmamba-tune: %s [%zu/%zu] best %s %.4g ms, %.0f s, "
                   "about %.0f s left   ",
                   bucketName.c_str(), done, total,
                   lead == SIZE_MAX ? "-" : candidates[lead].name().c_str(),
                   lead == SIZE_MAX ? 0.0 : results[lead].ms, spent,
                   done ? spent / done * (total - done) : 0.0);
    };

    // Exhaustive for small spaces; successive halving for large ones:
    // everything on a few runs, then the best quarter on all of them. Or a
    // hill-climb (Search.h): neighbours from the default; guided from the
    // best of the default and the tilings that won elsewhere (this run's
    // database and the seed databases), capped at a fifth of the space.
    std::vector<size_t> all(candidates.size());
    for (size_t i = 0; i < all.size(); ++i)
      all[i] = i;
    std::vector<tuning::Entry> known = db_.entries();
    known.insert(known.end(), seedEntries_.begin(), seedEntries_.end());
    const size_t cap = std::max<size_t>(4, candidates.size() / 5);
    std::vector<size_t> seeds =
        seedCandidates(candidates, known, chip, sig.signature, bucket, cap / 2);
    std::string search = s_.search;
    if (search == "guided" && seeds.empty()) {
      std::fprintf(stderr,
                   "mamba-tune: %s: no database entry to start the guided "
                   "search from: successive halving\n",
                   bucketName.c_str());
      search = "halving";
    }
    if (search == "auto")
      search = candidates.size() > 32 ? "halving" : "exhaustive";
    const bool halving = search == "halving";
    std::vector<size_t> finalists;
    size_t done = 0, total = candidates.size();
    if (search == "neighbors" || search == "guided") {
      all.clear();
      const size_t limit = search == "guided" ? cap : candidates.size();
      if (search == "guided")
        total = limit;
      seeds.insert(seeds.begin(), 0);
      if (search == "neighbors")
        seeds.resize(1);
      size_t at = 0;
      for (size_t i : seeds) {
        if (results.size() >= limit || (i > 0 && outOfBudget()))
          break;
        if (!runTrial(i, runs))
          continue;
        progress(++done, total);
        if (results[i].ok &&
            (!results[at].ok || results[i].ms < results[at].ms))
          at = i;
      }
      for (bool moved = true; moved && !outOfBudget();) {
        moved = false;
        for (size_t j : neighbours(candidates, at)) {
          if (outOfBudget() || results.size() >= limit)
            break;
          if (!results.count(j)) {
            if (!runTrial(j, runs))
              continue;
            progress(++done, total);
          }
          if (results[j].ok && results[at].ok &&
              results[j].ms < results[at].ms) {
            at = j;
            moved = true;
          }
        }
      }
      for (auto &[i, t] : results)
        if (t.ok)
          finalists.push_back(i);
    }
    for (size_t i : all) {
      if (i > 0 && outOfBudget())
        break;
      if (!runTrial(i, halving ? std::min(3, int(runs)) : int(runs)))
        continue;
      progress(++done, total);
      if (results[i].ok)
        finalists.push_back(i);
    }
    if (halving) {
      finalists = best(finalists);
      finalists.resize(std::min(finalists.size(),
                                std::max<size_t>(8, finalists.size() / 4)));
      // The default first, so that a budget cuts the others, not it.
      finalists.erase(std::remove(finalists.begin(), finalists.end(), 0),
                      finalists.end());
      if (results[0].ok)
        finalists.insert(finalists.begin(), 0);
      total += finalists.size();
      for (size_t i : finalists) {
        if (outOfBudget())
          break;
        if (runTrial(i, runs))
          progress(++done, total);
      }
      std::vector<size_t> measured;
      for (size_t i : finalists)
        if (results.count(i) && results[i].ok && results[i].runs >= runs)
          measured.push_back(i);
      finalists = measured;
    }
    // The default again, now that everything is warm: the better of its two
    // times is what the tuned one must beat.
    if (results[0].ok && !outOfBudget()) {
      const Trial first = results[0];
      const std::string key = bucketName + "/" + candidates[0].name();
      Trial again;
      if (programs[0].program &&
          problem.measure(*programs[0].program, runs, tolerance,
                          /*check=*/false, again.relError, again.ms, error) &&
          again.ms < first.ms) {
        results[0].ms = again.ms;
        log.add(key, results[0]);
      }
    }
    if (isatty(2))
      std::fprintf(stderr, "\n");
    if (!results[0].ok) {
      error = "the default tiling of " + sig.key() + " on " + bucketName +
              " failed: " + results[0].why;
      return false;
    }
    std::vector<size_t> ranked = best(finalists);
    size_t winner = ranked.empty() ? 0 : ranked.front();
    // Never an entry slower than the default (a short round's time, say).
    if (!(results[winner].ms < results[0].ms))
      winner = 0;
    size_t tried = 0;
    for (auto &[i, t] : results)
      tried += t.ok ? 1 : 0;

    tuning::Entry e;
    e.target = chip;
    e.device = backend.describe();
    e.op = sig.signature.op;
    e.signature = sig.signature.map();
    e.dtype = sig.signature.type;
    e.bucket = bucket;
    e.config = candidates[winner].config();
    e.ms = results[winner].ms;
    e.defaultMs = results[0].ms;
    e.candidates = static_cast<int64_t>(results.size());
    e.codegen = tuning::codegenVersion(chip);
    e.made = today();
    db_.put(e);
    if (!db_.write(s_.dbPath, error))
      return false;
    std::printf("| %s | %ldx%ld | %.4g | %.4g | %.2fx | %s | %zu of %zu "
                "(%zu correct) | %.0f |\n",
                sig.key().c_str(), bucket.batch, bucket.length, e.defaultMs,
                e.ms, e.defaultMs / e.ms, candidates[winner].name().c_str(),
                results.size(), candidates.size(), tried,
                elapsed() - bucketStart);
    std::fflush(stdout);
  }
  return true;
}

bool writePlan(const std::string &dir, const std::string &target,
               const std::vector<PlannedScan> &scans, std::string &error) {
  nlohmann::json list = nlohmann::json::array();
  for (const PlannedScan &s : scans) {
    nlohmann::json candidates = nlohmann::json::array();
    for (size_t i = 0; i < s.candidates.size(); ++i) {
      std::string file = s.paths[i];
      if (file.rfind(dir + "/", 0) == 0)
        file = file.substr(dir.size() + 1);
      candidates.push_back({{"config", s.candidates[i].config()},
                            {"file", s.compiled[i] ? file : ""},
                            {"error", s.errors[i]}});
    }
    list.push_back({{"op", s.signature.op},
                    {"signature", s.signature.map()},
                    {"type", s.signature.type},
                    {"candidates", candidates}});
  }
  std::ofstream out(dir + "/plan.json");
  out << nlohmann::json{{"target", target}, {"scans", list}}.dump(1) << "\n";
  if (!out) {
    error = dir + "/plan.json: cannot write";
    return false;
  }
  return true;
}

bool readPlan(const std::string &dir, std::string &target,
              std::vector<PlannedScan> &scans, std::string &error) {
  std::ifstream in(dir + "/plan.json");
  if (!in) {
    error = dir + "/plan.json: cannot open (make it with mamba-tune --prepare)";
    return false;
  }
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    target = j.at("target").get<std::string>();
    scans.clear();
    for (const nlohmann::json &s : j.at("scans")) {
      PlannedScan p;
      // Plans of the Mamba-1-only tuner name no op and give d, N and G at
      // the top level.
      const std::string op = s.value("op", "selective_scan");
      p.op = findTunableOp(op);
      if (!p.op) {
        error = dir + "/plan.json: mamba-tune-run cannot tune '" + op + "'";
        return false;
      }
      std::map<std::string, int64_t> sizes;
      if (s.contains("signature"))
        sizes = s.at("signature").get<std::map<std::string, int64_t>>();
      else
        sizes = {{"d", s.at("d").get<int64_t>()},
                 {"N", s.at("N").get<int64_t>()},
                 {"G", s.at("G").get<int64_t>()}};
      if (!p.op->signatureOf(sizes, s.at("type").get<std::string>(),
                             p.signature, error)) {
        error = dir + "/plan.json: " + error;
        return false;
      }
      for (const nlohmann::json &c : s.at("candidates")) {
        auto config = c.at("config").get<std::map<std::string, int64_t>>();
        Candidate k;
        if (!p.op->fromConfig(config, k, error)) {
          error = dir + "/plan.json: " + op + " candidate: " + error;
          return false;
        }
        std::string file = c.at("file").get<std::string>();
        p.candidates.push_back(k);
        p.compiled.push_back(!file.empty());
        p.paths.push_back(file.empty() ? "" : dir + "/" + file);
        p.errors.push_back(c.value("error", ""));
      }
      scans.push_back(std::move(p));
    }
  } catch (const std::exception &e) {
    error = dir + "/plan.json: " + e.what();
    return false;
  }
  return true;
}

} // namespace mamba::tune
