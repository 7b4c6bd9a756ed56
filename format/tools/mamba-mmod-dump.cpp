//===- mamba-mmod-dump.cpp - print a compiled module file -----------------===//
//
// mamba-mmod-dump model.mmod                  everything, one line per item
// mamba-mmod-dump --plan model.mmod           only the model's plan
// mamba-mmod-dump --header model.mmod         the header as JSON
// mamba-mmod-dump --extract-images DIR k.mmod one file per kernel image
//
// The file is read with the runtime's own reader, so what this prints is
// what the runtime would run, and a file the runtime rejects is an error
// here with the same message. Output is stable, for people and FileCheck.
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

using namespace mamba::format;

namespace {

const char *kUsage =
    "usage: mamba-mmod-dump [--plan | --header | --extract-images DIR] "
    "FILE.mmod\n"
    "  (no option)            images, functions and the model's plan\n"
    "  --plan                 only the model's plan (buffers and steps)\n"
    "  --header               the header as JSON\n"
    "  --extract-images DIR   write each image to DIR/STEM.MODULE.CHIP.KIND\n";

/// `in0.1` (dimension 1 of input 0) or `arg0.1`, and `op(a, b)`.
std::string exprText(const ShapeExpr &e, const char *leaf) {
  return e.fold<std::string>(
      [](int64_t v) { return std::to_string(v); },
      [&](uint32_t arg, uint32_t dim) {
        return leaf + std::to_string(arg) + "." + std::to_string(dim);
      },
      [](ShapeExpr::Kind kind, const std::string &a, const std::string &b) {
        return std::string(ShapeExpr::opName(kind)) + "(" + a + ", " + b + ")";
      });
}

std::string shapeText(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") +
         (shape[i] == -1 ? std::string("?") : std::to_string(shape[i]));
  return s + "]";
}

std::string shapeText(const std::vector<ShapeExpr> &shape, const char *leaf) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + exprText(shape[i], leaf);
  return s + "]";
}

void printImages(const ModuleFile &file) {
  const std::vector<KernelImage> &images = file.images();
  for (size_t i = 0; i < images.size(); ++i)
    std::cout << "image " << i << " " << images[i].module << " "
              << images[i].chipName << " " << imageKindName(images[i].kind)
              << " " << images[i].size << " bytes at " << images[i].offset
              << "\n";
}

void printFunctions(const ModuleFile &file) {
  for (const FunctionSpec &fn : file.functions()) {
    std::cout << "function " << fn.name << "(";
    for (size_t i = 0; i < fn.args.size(); ++i)
      std::cout << (i ? ", " : "") << elementTypeName(fn.args[i].element)
                << shapeText(fn.args[i].shape);
    std::cout << ") -> (";
    for (size_t i = 0; i < fn.results.size(); ++i)
      std::cout << (i ? ", " : "") << elementTypeName(fn.results[i].element)
                << shapeText(fn.results[i].shape, "arg");
    std::cout << ")\n";
    for (size_t i = 0; i < fn.scratch.size(); ++i)
      std::cout << "  scratch " << i << " "
                << elementTypeName(fn.scratch[i].element)
                << shapeText(fn.scratch[i].shape, "arg") << "\n";
    for (const LaunchSpec &l : fn.launches) {
      std::cout << "  launch " << l.module << "::" << l.kernel << " grid "
                << shapeText({l.grid.begin(), l.grid.end()}, "arg") << " block "
                << shapeText({l.block.begin(), l.block.end()}, "arg")
                << " shared " << exprText(l.sharedBytes, "arg") << " (";
      for (size_t i = 0; i < l.params.size(); ++i)
        std::cout << (i ? ", " : "") << paramSourceName(l.params[i].source)
                  << " " << l.params[i].index;
      std::cout << ")\n";
    }
  }
}

std::string bufferText(const BufferSpec &b) {
  std::string name = bufferSourceName(b.source);
  switch (b.source) {
  case BufferSpec::Source::Temp:
    return name;
  case BufferSpec::Source::View:
    return name + " of b" + std::to_string(b.of) + " + " +
           std::to_string(b.offset);
  default:
    return name + " " + std::to_string(b.index);
  }
}

void printStep(const StepSpec &s) {
  if (s.kind == StepSpec::Kind::Gemm) {
    std::cout << "  gemm b" << s.y << " = b" << s.x << " * b" << s.w << "^T";
    if (s.hasBias)
      std::cout << " + b" << s.bias;
    if (s.xFeaturesMajor || s.yFeaturesMajor) {
      std::cout << " [";
      if (s.xFeaturesMajor)
        std::cout << "x features-major" << (s.yFeaturesMajor ? ", " : "");
      if (s.yFeaturesMajor)
        std::cout << "y features-major";
      std::cout << "]";
    }
    std::cout << "\n";
    return;
  }
  std::cout << "  kernel " << s.function << "(";
  for (size_t i = 0; i < s.args.size(); ++i)
    std::cout << (i ? ", " : "") << "b" << s.args[i];
  std::cout << ") -> ";
  for (size_t i = 0; i < s.results.size(); ++i)
    std::cout << (i ? ", " : "") << "b" << s.results[i];
  std::cout << "\n";
  for (const KernelVariant &v : s.variants)
    std::cout << "    or " << v.function << " when "
              << exprText(v.whenBlocksBelowSms, "in") << " < SMs\n";
}

void printPlan(const ModuleFile &file) {
  const ModelSpec &model = *file.model();
  std::cout << "kernels:";
  for (const FunctionSpec &fn : file.functions())
    std::cout << " " << fn.name;
  std::cout << "\n";
  for (const auto &[name, value] : model.config) {
    std::cout << "config " << name << " = ";
    switch (value.kind) {
    case ConfigValue::Kind::Int:
      std::cout << value.intValue;
      break;
    case ConfigValue::Kind::Bool:
      std::cout << (value.boolValue ? "true" : "false");
      break;
    case ConfigValue::Kind::Float:
      std::cout << value.floatValue;
      break;
    case ConfigValue::Kind::String:
      std::cout << value.stringValue;
      break;
    }
    std::cout << "\n";
  }
  for (size_t i = 0; i < model.weights.size(); ++i)
    std::cout << "weight " << i << " " << model.weights[i].name << " "
              << elementTypeName(model.weights[i].element)
              << shapeText(model.weights[i].shape) << "\n";
  for (size_t i = 0; i < model.derived.size(); ++i)
    std::cout << "derived " << i << " = "
              << derivedTransformName(model.derived[i].transform) << "(weight "
              << model.derived[i].weight << ") "
              << elementTypeName(model.derived[i].element)
              << shapeText(model.derived[i].shape) << "\n";
  for (const EntrySpec &entry : model.entries) {
    std::cout << "entry " << entry.name << "\n";
    for (size_t i = 0; i < entry.inputs.size(); ++i)
      std::cout << "  input " << i << " " << entry.inputs[i].name << " "
                << elementTypeName(entry.inputs[i].element)
                << shapeText(entry.inputs[i].shape)
                << (entry.inputs[i].state ? " state" : "") << "\n";
    for (size_t i = 0; i < entry.buffers.size(); ++i)
      std::cout << "  b" << i << " = " << bufferText(entry.buffers[i]) << " "
                << elementTypeName(entry.buffers[i].element)
                << shapeText(entry.buffers[i].shape, "in") << "\n";
    for (const StepSpec &s : entry.steps)
      printStep(s);
    for (const EntryOutputSpec &o : entry.outputs)
      std::cout << "  output " << o.name << " = b" << o.buffer << "\n";
  }
}

bool extractImages(const ModuleFile &file, const std::string &path,
                   const std::string &dir) {
  std::string stem = path.substr(path.find_last_of('/') + 1);
  stem = stem.substr(0, stem.rfind('.'));
  for (const KernelImage &image : file.images()) {
    std::string out = dir + "/" + stem + "." + image.module + "." +
                      image.chipName + "." + imageKindName(image.kind);
    std::ofstream f(out, std::ios::binary);
    f.write(reinterpret_cast<const char *>(file.imageBytes(image)),
            static_cast<std::streamsize>(image.size));
    if (!f) {
      std::cerr << "mamba-mmod-dump: cannot write " << out << ": "
                << std::strerror(errno) << "\n";
      return false;
    }
    std::cout << out << "\n";
  }
  return true;
}

} // namespace

int main(int argc, char **argv) {
  std::string mode = "all", dir, path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--plan" || arg == "--header") {
      mode = arg.substr(2);
    } else if (arg == "--extract-images" && i + 1 < argc) {
      mode = "extract";
      dir = argv[++i];
    } else if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg.rfind("-", 0) == 0 || !path.empty()) {
      std::cerr << "mamba-mmod-dump: unexpected argument '" << arg << "'\n"
                << kUsage;
      return 2;
    } else {
      path = arg;
    }
  }
  if (path.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  ModuleFile file;
  std::string error;
  if (!file.load(path, error)) {
    std::cerr << "mamba-mmod-dump: " << error << "\n";
    return 1;
  }
  if (mode == "header") {
    std::cout << encodeHeader(file.spec()) << "\n";
    return 0;
  }
  if (mode == "extract")
    return extractImages(file, path, dir) ? 0 : 1;
  if (mode == "plan" && !file.model()) {
    std::cerr << "mamba-mmod-dump: " << path
              << ": not a compiled model (no model section)\n";
    return 1;
  }
  if (mode == "all") {
    printImages(file);
    printFunctions(file);
  }
  if (file.model())
    printPlan(file);
  return 0;
}
