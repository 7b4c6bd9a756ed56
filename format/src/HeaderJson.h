//===- HeaderJson.h - Checked reads of a module file's header ---*- C++ -*-===//
//
// Internal to the format library: the field readers that the module file's
// header and its model section share. Each reports `where` (a path into the
// header such as "functions[0].launches[1].grid[2]") and what is wrong
// there; none dumps a value (a hostile one could be huge).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_SRC_HEADERJSON_H
#define MAMBA_FORMAT_SRC_HEADERJSON_H

#include "mamba/Format/ModuleFile.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace mamba::format {

using json = nlohmann::json;

namespace header {

bool fail(std::string &problem, const std::string &where,
          const std::string &what);
std::string indexed(const std::string &where, size_t i);
std::string describe(const json &v);
bool getInt64(const json &v, int64_t &out);
const json *findField(const json &object, const char *name);
bool requireObject(const json &v, const std::string &where,
                   std::string &problem);
bool requireField(const json &object, const char *name,
                  const std::string &where, const json *&out,
                  std::string &problem);
bool getStringField(const json &object, const char *name,
                    const std::string &where, std::string &out,
                    std::string &problem);
bool getArrayField(const json &object, const char *name,
                   const std::string &where, const json *&out,
                   std::string &problem);
bool getUnsignedField(const json &object, const char *name,
                      const std::string &where, uint64_t max, uint64_t &out,
                      std::string &problem);
/// A shape's rank must not exceed kMaxRank.
bool checkRank(size_t rank, const std::string &where, std::string &problem);
bool getElementField(const json &object, const std::string &where,
                     ElementType &out, std::string &problem);
/// An integer, {"dim": [A, D]} or {"op": OP, "args": [EXPR, EXPR]}.
bool parseExpr(const json &v, unsigned depth, const std::string &where,
               ShapeExpr &out, std::string &problem);

} // namespace header

/// Reads and checks the "model" section against the module's functions
/// (ModelSection.cpp).
bool parseModelSection(const json &v,
                       const std::vector<FunctionSpec> &functions,
                       ModelSpec &out, std::string &problem);

} // namespace mamba::format

#endif // MAMBA_FORMAT_SRC_HEADERJSON_H
