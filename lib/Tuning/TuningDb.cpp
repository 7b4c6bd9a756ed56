//===- TuningDb.cpp - mamba-tune's database of measured tilings -----------===//

#include "mamba/Tuning/TuningDb.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>
#include <unistd.h>

namespace mamba::tuning {

namespace {

using nlohmann::json;

constexpr const char *kFormatName = "mamba-mlir tuning database";

json toJson(const Entry &e) {
  return json{
      {"target", e.target},
      {"device", e.device},
      {"op", e.op},
      {"signature", e.signature},
      {"dtype", e.dtype},
      {"bucket", {{"batch", e.bucket.batch}, {"length", e.bucket.length}}},
      {"config", e.config},
      {"ms", e.ms},
      {"default_ms", e.defaultMs},
      {"candidates", e.candidates},
      {"codegen", e.codegen},
      {"made", e.made}};
}

Entry fromJson(const json &j) {
  Entry e;
  e.target = j.at("target").get<std::string>();
  e.device = j.value("device", "");
  e.op = j.at("op").get<std::string>();
  e.signature = j.at("signature").get<std::map<std::string, int64_t>>();
  e.dtype = j.at("dtype").get<std::string>();
  e.bucket.batch = j.at("bucket").at("batch").get<int64_t>();
  e.bucket.length = j.at("bucket").at("length").get<int64_t>();
  e.config = j.at("config").get<std::map<std::string, int64_t>>();
  e.ms = j.value("ms", 0.0);
  e.defaultMs = j.value("default_ms", 0.0);
  e.candidates = j.value("candidates", int64_t(0));
  e.codegen = j.at("codegen").get<int>();
  e.made = j.value("made", "");
  if (e.bucket.batch < 1 || e.bucket.length < 1)
    throw std::invalid_argument("a bucket needs a batch and a length of at "
                                "least 1");
  return e;
}

/// Same target, op, signature, dtype: entries that compete for one choice.
auto choiceKey(const Entry &e) {
  return std::tie(e.target, e.op, e.signature, e.dtype);
}

/// m[key], or `fallback` where an entry leaves the field out.
int64_t valueOr(const std::map<std::string, int64_t> &m, const char *key,
                int64_t fallback) {
  auto found = m.find(key);
  return found == m.end() ? fallback : found->second;
}

double distance(const Bucket &a, const Bucket &b) {
  double tokens = std::fabs(std::log2(double(a.batch) * a.length) -
                            std::log2(double(b.batch) * b.length));
  double batch =
      std::fabs(std::log2(double(a.batch)) - std::log2(double(b.batch)));
  return tokens * 1000 + batch;
}

} // namespace

bool parseBucket(const std::string &text, Bucket &out) {
  long long batch = 0, length = 0;
  char x = 0, tail = 0;
  if (std::sscanf(text.c_str(), "%lld%c%lld%c", &batch, &x, &length, &tail) !=
          3 ||
      x != 'x' || batch < 1 || length < 1)
    return false;
  out = {batch, length};
  return true;
}

bool parseBuckets(const std::string &text, std::vector<Bucket> &out,
                  std::string &error) {
  out.clear();
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    Bucket b;
    if (!parseBucket(item, b)) {
      error = "'" + item + "' is not BATCHxLENGTH, like 1x2048";
      return false;
    }
    out.push_back(b);
  }
  if (out.empty()) {
    error = "no shape";
    return false;
  }
  return true;
}

bool Database::read(const std::string &path, std::string &error) {
  entries_.clear();
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot open the tuning database";
    return false;
  }
  try {
    json j = json::parse(in);
    if (j.value("format", "") != kFormatName)
      throw std::invalid_argument(std::string("not a tuning database (no "
                                              "\"format\": \"") +
                                  kFormatName + "\")");
    if (j.at("version").get<int>() != kFormatVersion)
      throw std::invalid_argument(
          "format version " + std::to_string(j.at("version").get<int>()) +
          ", this build reads " + std::to_string(kFormatVersion));
    const json &list = j.at("entries");
    for (size_t i = 0; i < list.size(); ++i) {
      try {
        entries_.push_back(fromJson(list[i]));
      } catch (const std::exception &e) {
        throw std::invalid_argument("entry " + std::to_string(i) + ": " +
                                    e.what());
      }
    }
  } catch (const std::exception &e) {
    entries_.clear();
    error = path + ": " + e.what();
    return false;
  }
  return true;
}

bool Database::write(const std::string &path, std::string &error) const {
  json list = json::array();
  for (const Entry &e : entries_)
    list.push_back(toJson(e));
  json j{
      {"format", kFormatName}, {"version", kFormatVersion}, {"entries", list}};
  const std::string partial =
      path + "." + std::to_string(getpid()) + ".partial";
  {
    std::ofstream out(partial);
    out << j.dump(1) << "\n";
    if (!out) {
      error = path + ": cannot write the tuning database (" + partial + ": " +
              std::strerror(errno) + ")";
      std::remove(partial.c_str());
      return false;
    }
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    error = path + ": cannot rename " + partial +
            " into place: " + std::strerror(errno);
    std::remove(partial.c_str());
    return false;
  }
  return true;
}

ScanFields scanFields(const Entry &e) {
  ScanFields f;
  f.d = valueOr(e.signature, "d", 0);
  f.N = valueOr(e.signature, "N", 0);
  f.G = valueOr(e.signature, "G", 1);
  f.channelsPerBlock = valueOr(e.config, "channels_per_block", 0);
  f.statesPerThread = valueOr(e.config, "states_per_thread", 0);
  f.chunkLength = valueOr(e.config, "chunk_length", 0);
  f.sequenceSplits = valueOr(e.config, "sequence_splits", 1);
  return f;
}

SsdFields ssdFields(const Entry &e) {
  SsdFields f;
  f.H = valueOr(e.signature, "H", 0);
  f.P = valueOr(e.signature, "P", 0);
  f.N = valueOr(e.signature, "N", 0);
  f.G = valueOr(e.signature, "G", 1);
  f.tensorCores = valueOr(e.config, "tensor_cores", 0);
  f.chunk = valueOr(e.config, "chunk", 0);
  f.channelBlock = valueOr(e.config, "channel_block", 0);
  return f;
}

int codegenVersion(const std::string &target) {
  return target.rfind("sm_", 0) == 0 ? 2 : 1;
}

void Database::put(const Entry &entry) {
  for (Entry &e : entries_)
    if (choiceKey(e) == choiceKey(entry) &&
        e.bucket.batch == entry.bucket.batch &&
        e.bucket.length == entry.bucket.length) {
      e = entry;
      return;
    }
  entries_.push_back(entry);
}

std::vector<Entry> Database::select(const std::string &target,
                                    const std::string &op, const Bucket &want,
                                    std::vector<std::string> &notes) const {
  std::vector<Entry> chosen;
  for (const Entry &e : entries_) {
    if (e.target != target || e.op != op)
      continue;
    if (e.codegen != codegenVersion(e.target)) {
      notes.push_back("ignored a " + e.op + " entry for " + e.target +
                      " measured with code generation version " +
                      std::to_string(e.codegen) + " (this compiler: " +
                      std::to_string(codegenVersion(e.target)) + ")");
      continue;
    }
    bool placed = false;
    for (Entry &c : chosen)
      if (choiceKey(c) == choiceKey(e)) {
        if (distance(e.bucket, want) < distance(c.bucket, want))
          c = e;
        placed = true;
      }
    if (!placed)
      chosen.push_back(e);
  }
  return chosen;
}

} // namespace mamba::tuning
