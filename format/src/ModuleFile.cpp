//===- ModuleFile.cpp - Validating reader for compiled modules (.mmod) ----===//

#include "mamba/Format/ModuleFile.h"

#include "HeaderJson.h"

#include "mamba/Format/Checksum.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <tuple>

namespace mamba::format {

namespace {

/// Thrown from the JSON parser's callback to stop at a nesting depth that
/// could exhaust the stack of code that walks the document recursively.
struct JsonTooDeep {};

} // namespace

// Shared with the model section's reader (HeaderJson.h).
namespace header {

/// Each check below reports `where` (a path into the header such as
/// "functions[0].launches[1].grid[2]") and what is wrong there.
bool fail(std::string &problem, const std::string &where,
          const std::string &what) {
  problem = where + ": " + what;
  return false;
}

std::string indexed(const std::string &where, size_t i) {
  return where + "[" + std::to_string(i) + "]";
}

/// Never dumps the value: a hostile value could be huge or deeply nested.
std::string describe(const json &v) { return std::string(v.type_name()); }

bool getInt64(const json &v, int64_t &out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return false;
    out = static_cast<int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    out = v.get<int64_t>();
    return true;
  }
  return false;
}

const json *findField(const json &object, const char *name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

bool requireObject(const json &v, const std::string &where,
                   std::string &problem) {
  if (!v.is_object())
    return fail(problem, where, "expected an object, got " + describe(v));
  return true;
}

bool requireField(const json &object, const char *name,
                  const std::string &where, const json *&out,
                  std::string &problem) {
  out = findField(object, name);
  if (!out)
    return fail(problem, where, std::string("missing field '") + name + "'");
  return true;
}

bool getStringField(const json &object, const char *name,
                    const std::string &where, std::string &out,
                    std::string &problem) {
  const json *v;
  if (!requireField(object, name, where, v, problem))
    return false;
  if (!v->is_string() || v->get_ref<const std::string &>().empty())
    return fail(problem, where + "." + name,
                "expected a non-empty string, got " + describe(*v));
  out = v->get<std::string>();
  return true;
}

bool getArrayField(const json &object, const char *name,
                   const std::string &where, const json *&out,
                   std::string &problem) {
  if (!requireField(object, name, where, out, problem))
    return false;
  if (!out->is_array())
    return fail(problem, where + "." + name,
                "expected an array, got " + describe(*out));
  return true;
}

bool getUnsignedField(const json &object, const char *name,
                      const std::string &where, uint64_t max, uint64_t &out,
                      std::string &problem) {
  const json *v;
  if (!requireField(object, name, where, v, problem))
    return false;
  if (!v->is_number_unsigned() || v->get<uint64_t>() > max)
    return fail(problem, where + "." + name,
                "expected an integer in [0, " + std::to_string(max) + "]");
  out = v->get<uint64_t>();
  return true;
}

bool checkRank(size_t rank, const std::string &where, std::string &problem) {
  if (rank > kMaxRank)
    return fail(problem, where,
                "rank " + std::to_string(rank) + " is over the limit of " +
                    std::to_string(kMaxRank));
  return true;
}

bool getElementField(const json &object, const std::string &where,
                     ElementType &out, std::string &problem) {
  std::string name;
  if (!getStringField(object, "element", where, name, problem))
    return false;
  if (!parseElementType(name, out))
    return fail(problem, where + ".element",
                "unknown element type '" + name + "'");
  return true;
}

bool parseExpr(const json &v, unsigned depth, const std::string &where,
               ShapeExpr &out, std::string &problem) {
  static const char *const kExpected =
      "expected an integer, {\"dim\": [ARG, DIM]} or "
      "{\"op\": OP, \"args\": [EXPR, EXPR]}";
  if (depth > ShapeExpr::kMaxDepth)
    return fail(problem, where,
                "expression is nested deeper than " +
                    std::to_string(ShapeExpr::kMaxDepth) + " levels");
  if (v.is_number()) {
    int64_t value;
    if (!getInt64(v, value))
      return fail(problem, where, "expected a 64-bit signed integer");
    out = ShapeExpr::constant(value);
    return true;
  }
  if (!v.is_object())
    return fail(problem, where,
                std::string(kExpected) + ", got " + describe(v));

  if (const json *dim = findField(v, "dim")) {
    uint64_t max = std::numeric_limits<uint32_t>::max();
    if (v.size() != 1 || !dim->is_array() || dim->size() != 2 ||
        !(*dim)[0].is_number_unsigned() || !(*dim)[1].is_number_unsigned() ||
        (*dim)[0].get<uint64_t>() > max || (*dim)[1].get<uint64_t>() > max)
      return fail(problem, where,
                  "a dim expression is {\"dim\": [ARG, DIM]} with two "
                  "non-negative integers");
    out = ShapeExpr::dim(static_cast<uint32_t>((*dim)[0].get<uint64_t>()),
                         static_cast<uint32_t>((*dim)[1].get<uint64_t>()));
    return true;
  }

  const json *op = findField(v, "op");
  const json *args = findField(v, "args");
  if (!op || !args || v.size() != 2)
    return fail(problem, where, kExpected);
  ShapeExpr::Kind kind;
  if (!op->is_string() || !ShapeExpr::parseOpName(op->get<std::string>(), kind))
    return fail(problem, where + ".op",
                "unknown operation (expected add, sub, mul, div, ceildiv, "
                "rem, min or max)");
  if (!args->is_array() || args->size() != 2)
    return fail(problem, where + ".args",
                std::string("'") + op->get<std::string>() +
                    "' takes an array of exactly two expressions");
  ShapeExpr lhs, rhs;
  if (!parseExpr((*args)[0], depth + 1, indexed(where + ".args", 0), lhs,
                 problem) ||
      !parseExpr((*args)[1], depth + 1, indexed(where + ".args", 1), rhs,
                 problem))
    return false;
  std::string error;
  if (!ShapeExpr::binary(kind, lhs, rhs, out, error))
    return fail(problem, where, error);
  return true;
}

} // namespace header

namespace {

using namespace header;

/// Every dim(A, D) must name an argument A of the function and one of its
/// dimensions.
bool checkDimReferences(const ShapeExpr &expr, const FunctionSpec &fn,
                        const std::string &where, std::string &problem) {
  std::string bad;
  expr.forEachDim([&](uint32_t arg, uint32_t dim) {
    if (!bad.empty())
      return;
    if (arg >= fn.args.size())
      bad = "dim(" + std::to_string(arg) + "," + std::to_string(dim) +
            ") names argument " + std::to_string(arg) +
            ", but the function "
            "has " +
            std::to_string(fn.args.size());
    else if (dim >= fn.args[arg].shape.size())
      bad = "dim(" + std::to_string(arg) + "," + std::to_string(dim) +
            ") names dimension " + std::to_string(dim) + " of argument " +
            std::to_string(arg) + ", which has rank " +
            std::to_string(fn.args[arg].shape.size());
  });
  if (!bad.empty())
    return fail(problem, where, bad);
  return true;
}

/// A function-level expression: parsed, references checked, and when it is
/// a constant, at least `min` (sizes and launch dimensions cannot be
/// negative, and grid and block dimensions cannot be zero).
bool parseFunctionExpr(const json &v, const FunctionSpec &fn, int64_t min,
                       const std::string &where, ShapeExpr &out,
                       std::string &problem) {
  if (!parseExpr(v, 1, where, out, problem) ||
      !checkDimReferences(out, fn, where, problem))
    return false;
  if (out.isConstant() && out.constantValue() < min)
    return fail(problem, where,
                "constant " + std::to_string(out.constantValue()) +
                    " is below the minimum of " + std::to_string(min));
  return true;
}

bool parseImage(const json &v, const std::string &where, uint64_t dataSize,
                const uint8_t *data, KernelImage &image, std::string &problem) {
  if (!requireObject(v, where, problem) ||
      !getStringField(v, "module", where, image.module, problem) ||
      !getStringField(v, "chip", where, image.chipName, problem))
    return false;
  if (!parseChip(image.chipName, image.chip))
    return fail(problem, where + ".chip",
                "'" + image.chipName +
                    "' is not a chip name like sm_90, sm_90a or x86-64-v3");
  std::string kind;
  if (!getStringField(v, "kind", where, kind, problem))
    return false;
  if (!parseImageKind(kind, image.kind))
    return fail(problem, where + ".kind",
                "unknown image kind '" + kind +
                    "' (expected cubin, ptx or so)");
  if (!imageKindRunsOn(image.kind, image.chip.family))
    return fail(problem, where + ".kind",
                "a " + kind + " image cannot be for " + image.chipName +
                    " (cubin and ptx are for NVIDIA chips, so for host "
                    "CPU levels)");
  uint64_t max = std::numeric_limits<uint64_t>::max();
  if (!getUnsignedField(v, "offset", where, max, image.offset, problem) ||
      !getUnsignedField(v, "size", where, max, image.size, problem))
    return false;
  if (image.size == 0)
    return fail(problem, where + ".size", "an image cannot be empty");
  if (image.offset > dataSize || image.size > dataSize - image.offset)
    return fail(problem, where,
                "bytes [" + std::to_string(image.offset) + ", " +
                    std::to_string(image.offset) + " + " +
                    std::to_string(image.size) +
                    ") run past the data section of " +
                    std::to_string(dataSize) + " bytes");
  if (image.kind == ImageKind::Ptx) {
    // The loader appends the NUL the driver needs; an embedded one would
    // make the JIT silently compile a truncated module. Trailing NULs are
    // harmless.
    const uint8_t *begin = data + image.offset;
    const uint8_t *end = begin + image.size;
    const uint8_t *nul = std::find(begin, end, 0);
    if (std::find_if(nul, end, [](uint8_t c) { return c != 0; }) != end)
      return fail(problem, where,
                  "PTX has a NUL byte at offset " +
                      std::to_string(nul - begin) + " followed by more text");
  }
  return true;
}

bool parseArg(const json &v, const std::string &where, ArgSpec &arg,
              std::string &problem) {
  const json *shape;
  if (!requireObject(v, where, problem) ||
      !getElementField(v, where, arg.element, problem) ||
      !getArrayField(v, "shape", where, shape, problem))
    return false;
  if (!checkRank(shape->size(), where + ".shape", problem))
    return false;
  for (size_t i = 0; i < shape->size(); ++i) {
    int64_t d;
    if (!getInt64((*shape)[i], d) || d < -1)
      return fail(problem, indexed(where + ".shape", i),
                  "expected a size of at least 0, or -1 for a dynamic one");
    arg.shape.push_back(d);
  }
  return true;
}

bool parseResult(const json &v, const FunctionSpec &fn,
                 const std::string &where, ResultSpec &result,
                 std::string &problem) {
  const json *shape;
  if (!requireObject(v, where, problem) ||
      !getElementField(v, where, result.element, problem) ||
      !getArrayField(v, "shape", where, shape, problem))
    return false;
  if (!checkRank(shape->size(), where + ".shape", problem))
    return false;
  for (size_t i = 0; i < shape->size(); ++i) {
    ShapeExpr e;
    if (!parseFunctionExpr((*shape)[i], fn, 0, indexed(where + ".shape", i), e,
                           problem))
      return false;
    result.shape.push_back(std::move(e));
  }
  return true;
}

bool parseParam(const json &v, const FunctionSpec &fn, const std::string &where,
                KernelParamSpec &param, std::string &problem) {
  std::string kind, source;
  if (!requireObject(v, where, problem) ||
      !getStringField(v, "kind", where, kind, problem))
    return false;
  if (kind != "memref")
    return fail(problem, where + ".kind",
                "unknown parameter kind '" + kind + "' (expected memref)");
  if (!getStringField(v, "source", where, source, problem))
    return false;
  size_t count;
  if (source == paramSourceName(ParamSource::Arg)) {
    param.source = ParamSource::Arg;
    count = fn.args.size();
  } else if (source == paramSourceName(ParamSource::Result)) {
    param.source = ParamSource::Result;
    count = fn.results.size();
  } else if (source == paramSourceName(ParamSource::Scratch)) {
    param.source = ParamSource::Scratch;
    count = fn.scratch.size();
  } else {
    return fail(problem, where + ".source",
                "unknown source '" + source +
                    "' (expected arg, result or scratch)");
  }
  uint64_t index, rank;
  if (!getUnsignedField(v, "index", where, std::numeric_limits<uint32_t>::max(),
                        index, problem) ||
      !getUnsignedField(v, "rank", where, kMaxRank, rank, problem))
    return false;
  if (index >= count)
    return fail(problem, where + ".index",
                source + " " + std::to_string(index) +
                    " does not exist: the function has " +
                    std::to_string(count) + " " + source + "s");
  size_t actualRank =
      param.source == ParamSource::Arg      ? fn.args[index].shape.size()
      : param.source == ParamSource::Result ? fn.results[index].shape.size()
                                            : fn.scratch[index].shape.size();
  if (rank != actualRank)
    return fail(problem, where + ".rank",
                "rank " + std::to_string(rank) + " does not match " + source +
                    " " + std::to_string(index) + ", which has rank " +
                    std::to_string(actualRank));
  param.index = static_cast<uint32_t>(index);
  param.rank = static_cast<uint32_t>(rank);
  return true;
}

bool parseDims(const json &launch, const char *name, const FunctionSpec &fn,
               const std::string &where, std::array<ShapeExpr, 3> &out,
               std::string &problem) {
  const json *dims;
  if (!getArrayField(launch, name, where, dims, problem))
    return false;
  std::string dimsWhere = where + "." + name;
  if (dims->size() != 3)
    return fail(problem, dimsWhere,
                "expected 3 expressions (x, y, z), got " +
                    std::to_string(dims->size()));
  for (size_t i = 0; i < 3; ++i)
    if (!parseFunctionExpr((*dims)[i], fn, 1, indexed(dimsWhere, i), out[i],
                           problem))
      return false;
  return true;
}

bool parseLaunch(const json &v, const FunctionSpec &fn,
                 const std::set<std::string> &modules, const std::string &where,
                 LaunchSpec &launch, std::string &problem) {
  const json *shared, *params;
  if (!requireObject(v, where, problem) ||
      !getStringField(v, "module", where, launch.module, problem))
    return false;
  if (!modules.count(launch.module))
    return fail(problem, where + ".module",
                "no image holds gpu module '" + launch.module + "'");
  if (!getStringField(v, "kernel", where, launch.kernel, problem) ||
      !parseDims(v, "grid", fn, where, launch.grid, problem) ||
      !parseDims(v, "block", fn, where, launch.block, problem) ||
      !requireField(v, "shared_bytes", where, shared, problem) ||
      !parseFunctionExpr(*shared, fn, 0, where + ".shared_bytes",
                         launch.sharedBytes, problem) ||
      !getArrayField(v, "params", where, params, problem))
    return false;
  for (size_t i = 0; i < params->size(); ++i) {
    KernelParamSpec param;
    if (!parseParam((*params)[i], fn, indexed(where + ".params", i), param,
                    problem))
      return false;
    launch.params.push_back(param);
  }
  return true;
}

bool parseFunction(const json &v, const std::set<std::string> &modules,
                   const std::string &where, FunctionSpec &fn,
                   std::string &problem) {
  const json *args, *results, *launches;
  if (!requireObject(v, where, problem) ||
      !getStringField(v, "name", where, fn.name, problem) ||
      !getArrayField(v, "args", where, args, problem) ||
      !getArrayField(v, "results", where, results, problem) ||
      !getArrayField(v, "launches", where, launches, problem))
    return false;
  // Arguments first: result shapes and launches refer to them.
  for (size_t i = 0; i < args->size(); ++i) {
    ArgSpec arg;
    if (!parseArg((*args)[i], indexed(where + ".args", i), arg, problem))
      return false;
    fn.args.push_back(std::move(arg));
  }
  for (size_t i = 0; i < results->size(); ++i) {
    ResultSpec result;
    if (!parseResult((*results)[i], fn, indexed(where + ".results", i), result,
                     problem))
      return false;
    fn.results.push_back(std::move(result));
  }
  // Optional: most functions need no scratch.
  if (findField(v, "scratch")) {
    const json *scratch;
    if (!getArrayField(v, "scratch", where, scratch, problem))
      return false;
    for (size_t i = 0; i < scratch->size(); ++i) {
      ResultSpec buffer;
      if (!parseResult((*scratch)[i], fn, indexed(where + ".scratch", i),
                       buffer, problem))
        return false;
      fn.scratch.push_back(std::move(buffer));
    }
  }
  for (size_t i = 0; i < launches->size(); ++i) {
    LaunchSpec launch;
    if (!parseLaunch((*launches)[i], fn, modules,
                     indexed(where + ".launches", i), launch, problem))
      return false;
    fn.launches.push_back(std::move(launch));
  }
  // A result no kernel receives would be returned uninitialized.
  for (size_t r = 0; r < fn.results.size(); ++r) {
    bool written = false;
    for (const LaunchSpec &launch : fn.launches)
      for (const KernelParamSpec &p : launch.params)
        written |= p.source == ParamSource::Result && p.index == r;
    if (!written)
      return fail(problem, indexed(where + ".results", r),
                  "no launch receives this result, so nothing would write it");
  }
  return true;
}

/// The `bytes`-byte little-endian integer at `p`.
uint64_t readLittleEndian(const uint8_t *p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i)
    v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

/// The magic as printable text, for the error that quotes it.
std::string printable(const uint8_t *p, size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
      s += static_cast<char>(p[i]);
    } else {
      static const char kHex[] = "0123456789abcdef";
      s += "\\x";
      s += kHex[p[i] >> 4];
      s += kHex[p[i] & 15];
    }
  }
  return s;
}

} // namespace

bool ModuleFile::load(const std::string &path, std::string &error) {
  reset();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  // A directory opens for reading; its first read fails.
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    error = path + ": is a directory, not a module file";
    return false;
  }
  std::vector<uint8_t> bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in),
                 std::istreambuf_iterator<char>());
  } catch (const std::exception &e) {
    error = path + ": cannot read: " + e.what();
    return false;
  }
  if (in.bad()) {
    error = path + ": read error";
    return false;
  }
  sourceName_ = path;
  bytes_ = std::move(bytes);
  if (!parse(error)) {
    reset();
    return false;
  }
  return true;
}

bool ModuleFile::loadFromMemory(const void *data, size_t size,
                                const std::string &sourceName,
                                std::string &error) {
  reset();
  sourceName_ = sourceName;
  if (data && size) {
    try {
      const uint8_t *p = static_cast<const uint8_t *>(data);
      bytes_.assign(p, p + size);
    } catch (const std::exception &) {
      error = sourceName + ": cannot copy " + std::to_string(size) + " bytes";
      reset();
      return false;
    }
  }
  if (!parse(error)) {
    reset();
    return false;
  }
  return true;
}

void ModuleFile::reset() {
  loaded_ = false;
  sourceName_.clear();
  bytes_.clear();
  dataOffset_ = 0;
  spec_ = ModuleSpec();
}

bool ModuleFile::parse(std::string &error) {
  auto fail = [&](const std::string &problem) {
    error = sourceName_ + ": " + problem;
    return false;
  };
  const size_t preamble = kModulePreambleBytes;
  if (bytes_.size() >= 8 && std::memcmp(bytes_.data(), kModuleMagic, 8) != 0)
    return fail("bad magic \"" + printable(bytes_.data(), 8) +
                "\" (expected \"" + kModuleMagic +
                "\"): not a mamba module file");
  // Version 1 had no checksums: its header starts right after the length.
  if (bytes_.size() > 16 && bytes_[16] == '{' &&
      (bytes_.size() <= preamble || bytes_[preamble] != '{'))
    return fail("written in version 1 of the module format, which this "
                "runtime does not read (version " +
                std::to_string(kModuleVersion) +
                " adds checksums): compile the model again");
  if (bytes_.size() < preamble)
    return fail("file is " + std::to_string(bytes_.size()) +
                " bytes, shorter "
                "than the " +
                std::to_string(preamble) +
                "-byte magic, header length and checksums");
  uint64_t headerSize = readLittleEndian(bytes_.data() + 8, 8);
  if (headerSize > bytes_.size() - preamble)
    return fail("header length " + std::to_string(headerSize) +
                " runs past the end of the file (" +
                std::to_string(bytes_.size()) + " bytes)");
  if (headerSize > kMaxHeaderBytes)
    return fail("header length " + std::to_string(headerSize) +
                " is over the limit of " + std::to_string(kMaxHeaderBytes));
  const uint8_t *headerBegin = bytes_.data() + preamble;
  dataOffset_ = preamble + headerSize;
  uint64_t dataSize = bytes_.size() - dataOffset_;
  const uint8_t *data = bytes_.data() + dataOffset_;
  // Checked before anything in them is believed: a flipped bit in a grid
  // expression or a cubin would otherwise load and run.
  auto checksum = [&](const char *section, size_t at, const uint8_t *begin,
                      uint64_t size) {
    const uint32_t stored =
        static_cast<uint32_t>(readLittleEndian(bytes_.data() + at, 4));
    const uint32_t computed = crc32(begin, size);
    if (stored == computed)
      return true;
    char text[160];
    std::snprintf(text, sizeof(text),
                  "%s checksum mismatch (stored %08x, computed %08x): the "
                  "file is corrupted or was changed after it was written",
                  section, stored, computed);
    fail(text);
    return false;
  };
  if (!checksum("header", 16, headerBegin, headerSize) ||
      !checksum("data section (kernel images)", 20, data, dataSize))
    return false;

  // The JSON library reports through exceptions, even from accessors; none
  // may leave this function.
  try {
    json header;
    try {
      header = json::parse(headerBegin, headerBegin + headerSize,
                           [](int depth, json::parse_event_t, json &) {
                             if (depth > static_cast<int>(kMaxJsonDepth))
                               throw JsonTooDeep();
                             return true;
                           });
    } catch (const JsonTooDeep &) {
      return fail("header nests deeper than " + std::to_string(kMaxJsonDepth) +
                  " levels");
    } catch (const json::parse_error &e) {
      return fail(std::string("header is not valid JSON: ") + e.what());
    }

    std::string problem;
    if (!requireObject(header, "header", problem))
      return fail(problem);
    std::string format;
    if (!getStringField(header, "format", "header", format, problem))
      return fail(problem);
    if (format != kModuleFormatName)
      return fail("header.format is '" + format + "', expected '" +
                  kModuleFormatName + "'");
    const json *version;
    int64_t versionValue;
    if (!requireField(header, "version", "header", version, problem))
      return fail(problem);
    if (!getInt64(*version, versionValue) || versionValue != kModuleVersion)
      return fail("unsupported header.version (this runtime reads version " +
                  std::to_string(kModuleVersion) + ")");

    const json *images, *functions;
    if (!getArrayField(header, "images", "header", images, problem) ||
        !getArrayField(header, "functions", "header", functions, problem))
      return fail(problem);

    std::set<std::tuple<std::string, std::string, ImageKind>> seenImages;
    std::set<std::string> modules;
    for (size_t i = 0; i < images->size(); ++i) {
      KernelImage image;
      std::string where = indexed("images", i);
      if (!parseImage((*images)[i], where, dataSize, data, image, problem))
        return fail(problem);
      if (!seenImages.emplace(image.module, image.chipName, image.kind).second)
        return fail(where + ": a second " + imageKindName(image.kind) +
                    " image of module '" + image.module + "' for " +
                    image.chipName);
      modules.insert(image.module);
      spec_.images.push_back(std::move(image));
    }

    std::set<std::string> names;
    for (size_t i = 0; i < functions->size(); ++i) {
      FunctionSpec fn;
      std::string where = indexed("functions", i);
      if (!parseFunction((*functions)[i], modules, where, fn, problem))
        return fail(problem);
      if (!names.insert(fn.name).second)
        return fail(where + ".name: a second function named '" + fn.name + "'");
      spec_.functions.push_back(std::move(fn));
    }
    if (const json *model = findField(header, "model")) {
      ModelSpec spec;
      if (!parseModelSection(*model, spec_.functions, spec, problem))
        return fail(problem);
      spec_.model = std::move(spec);
    }
  } catch (const std::exception &e) {
    return fail(std::string("cannot read header: ") + e.what());
  }
  loaded_ = true;
  return true;
}

const FunctionSpec *ModuleSpec::findFunction(const std::string &name) const {
  for (const FunctionSpec &fn : functions)
    if (fn.name == name)
      return &fn;
  return nullptr;
}

std::vector<std::string> ModuleFile::launchedModules() const {
  std::vector<std::string> names;
  for (const FunctionSpec &fn : spec_.functions)
    for (const LaunchSpec &launch : fn.launches)
      if (std::find(names.begin(), names.end(), launch.module) == names.end())
        names.push_back(launch.module);
  return names;
}

const KernelImage *ModuleFile::selectImage(const std::string &module,
                                           unsigned major,
                                           unsigned minor) const {
  // Larger is better. A cubin runs only on its own major version, from its
  // minor version up ("a" code only on exactly its chip); PTX JITs on any
  // later chip ("a" PTX only on its chip, "f" PTX within its family). Any
  // cubin that runs beats PTX: it needs no JIT.
  auto rank = [&](const KernelImage &image) -> long {
    const Chip &c = image.chip;
    if (c.family != Chip::Family::Nvidia)
      return -1;
    bool sameMajor = c.major == major;
    bool exact = sameMajor && c.minor == minor;
    bool runs;
    if (c.suffix == 'a')
      runs = exact;
    else if (image.kind == ImageKind::Cubin || c.suffix == 'f')
      runs = sameMajor && c.minor <= minor;
    else
      runs = c.major < major || (sameMajor && c.minor <= minor);
    if (!runs)
      return -1;
    long score = image.kind == ImageKind::Cubin ? 1'000'000 : 0;
    if (exact)
      score += c.suffix == 'a' ? 200'000 : 100'000;
    return score + static_cast<long>(c.major * 10 + c.minor);
  };
  const KernelImage *best = nullptr;
  long bestRank = -1;
  for (const KernelImage &image : spec_.images) {
    if (image.module != module)
      continue;
    long r = rank(image);
    if (r > bestRank) {
      best = &image;
      bestRank = r;
    }
  }
  return best;
}

const KernelImage *ModuleFile::selectHostImage(const std::string &module,
                                               unsigned level) const {
  const KernelImage *best = nullptr;
  for (const KernelImage &image : spec_.images)
    if (image.module == module && image.chip.family == Chip::Family::X86_64 &&
        image.chip.major <= level &&
        (!best || image.chip.major > best->chip.major))
      best = &image;
  return best;
}

} // namespace mamba::format
