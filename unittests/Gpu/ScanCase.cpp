//===- ScanCase.cpp - What a compiled test kernel computes, and where -----===//

#include "ScanCase.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace mamba::gpu_test {

using json = nlohmann::json;

namespace {

bool endsWith(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isFile(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> listDirectory(const std::string &dir) {
  std::vector<std::string> names;
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return names;
  while (dirent *entry = ::readdir(d))
    names.push_back(entry->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

bool getBool(const json &j, const char *key, bool &out, std::string &error) {
  auto it = j.find(key);
  if (it == j.end()) {
    out = false;
    return true;
  }
  if (!it->is_boolean()) {
    error = std::string("'") + key + "' must be true or false";
    return false;
  }
  out = it->get<bool>();
  return true;
}

bool parseShapes(const json &j, std::vector<ScanShape> &shapes,
                 std::string &error) {
  auto it = j.find("shapes");
  if (it == j.end() || !it->is_array() || it->empty()) {
    error = "'shapes' must be a non-empty array of [b, d, L, N, G]";
    return false;
  }
  for (const json &s : *it) {
    if (!s.is_array() || s.size() != 5 ||
        !std::all_of(s.begin(), s.end(),
                     [](const json &v) { return v.is_number_integer(); })) {
      error = "each shape must be [b, d, L, N, G] (five integers)";
      return false;
    }
    ScanShape shape{s[0].get<int64_t>(), s[1].get<int64_t>(),
                    s[2].get<int64_t>(), s[3].get<int64_t>(),
                    s[4].get<int64_t>()};
    if (shape.b < 1 || shape.d < 1 || shape.L < 1 || shape.N < 1 ||
        shape.G < 1 || shape.d % shape.G != 0) {
      error =
          "shape " + s.dump() + " needs every size at least 1 and G dividing d";
      return false;
    }
    shapes.push_back(shape);
  }
  return true;
}

} // namespace

std::string ScanShape::name() const {
  return "b" + std::to_string(b) + "_d" + std::to_string(d) + "_L" +
         std::to_string(L) + "_N" + std::to_string(N) + "_G" +
         std::to_string(G);
}

bool parseScanCase(const std::string &casePath, ScanCase &out,
                   std::string &error) {
  out = ScanCase();
  out.casePath = casePath;
  std::string stem = casePath.substr(0, casePath.size() - 10); // .case.json
  out.modulePath = stem + ".mmod";
  size_t slash = stem.find_last_of('/');
  out.name = slash == std::string::npos ? stem : stem.substr(slash + 1);

  std::ifstream in(casePath);
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  auto fail = [&](const std::string &why) {
    error = casePath + ": " + why;
    return false;
  };
  if (!in || j.is_discarded() || !j.is_object())
    return fail("not a readable JSON object");
  auto op = j.find("op");
  if (op == j.end() || !op->is_string())
    return fail("missing string 'op'");
  out.op = op->get<std::string>();
  auto fn = j.find("function");
  if (fn != j.end()) {
    if (!fn->is_string())
      return fail("'function' must be a string");
    out.function = fn->get<std::string>();
  }
  if (out.op != "selective_scan")
    return true; // Other ops are listed, and skipped until they have checks.

  auto element = j.find("element");
  if (element == j.end() || !element->is_string() ||
      !runtime::parseElementType(element->get<std::string>(), out.element) ||
      (out.element != runtime::ElementType::F32 &&
       out.element != runtime::ElementType::F16 &&
       out.element != runtime::ElementType::BF16))
    return fail("'element' must be \"f32\", \"f16\" or \"bf16\"");
  auto options = j.find("options");
  if (options != j.end()) {
    if (!options->is_array())
      return fail("'options' must be an array");
    for (const json &o : *options) {
      std::string name = o.is_string() ? o.get<std::string>() : "";
      if (name == "D")
        out.hasD = true;
      else if (name == "z")
        out.hasZ = true;
      else if (name == "delta_bias")
        out.hasDeltaBias = true;
      else if (name == "initial_state")
        out.hasInitialState = true;
      else
        return fail("unknown option " + o.dump() +
                    " (expected D, z, delta_bias or initial_state)");
    }
  }
  std::string why;
  if (!getBool(j, "delta_softplus", out.deltaSoftplus, why) ||
      !getBool(j, "final_state", out.finalState, why) ||
      !parseShapes(j, out.shapes, why))
    return fail(why);
  auto checked = j.find("checked_channels");
  if (checked != j.end()) {
    if (!checked->is_array() || checked->empty())
      return fail("'checked_channels' must be a non-empty array of channels");
    for (const json &c : *checked) {
      if (!c.is_number_integer() || c.get<int64_t>() < 0)
        return fail("'checked_channels' holds a non-channel " + c.dump());
      out.checkedChannels.push_back(c.get<int64_t>());
    }
    for (const ScanShape &shape : out.shapes)
      for (int64_t c : out.checkedChannels)
        if (c >= shape.d || shape.G != 1)
          return fail("checked channel " + std::to_string(c) +
                      " needs a shape with d > " + std::to_string(c) +
                      " and G = 1, got " + shape.name());
  }
  return true;
}

std::vector<std::string> kernelDirectories() {
  const char *env = std::getenv("MAMBA_GPU_KERNELS");
  std::string list = env && *env ? env : MAMBA_GPU_KERNELS_DEFAULT;
  std::vector<std::string> dirs;
  std::stringstream ss(list);
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (!dir.empty())
      dirs.push_back(dir);
  return dirs;
}

KernelDiscovery discoverKernels(const std::vector<std::string> &directories) {
  KernelDiscovery found;
  found.directories = directories;
  for (const std::string &dir : directories) {
    for (const std::string &name : listDirectory(dir)) {
      std::string path = dir + "/" + name;
      if (endsWith(name, ".mmod") && isFile(path))
        found.moduleFiles.push_back(path);
      if (!endsWith(name, ".case.json") || !isFile(path))
        continue;
      ScanCase c;
      std::string error;
      if (!parseScanCase(path, c, error))
        found.problems.emplace_back(path, error);
      else if (!isFile(c.modulePath))
        found.problems.emplace_back(path, path + ": there is no " +
                                              c.modulePath + " beside it");
      else
        found.cases.push_back(std::move(c));
    }
  }
  return found;
}

} // namespace mamba::gpu_test
