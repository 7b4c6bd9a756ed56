//===- SpecNames.cpp - How the file spells the specs' enumerations --------===//
//
// The one spelling of each, for the writer, the reader and mamba-mmod-dump.
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/ModuleSpec.h"

namespace mamba::format {

const char *paramSourceName(ParamSource source) {
  switch (source) {
  case ParamSource::Arg:
    return "arg";
  case ParamSource::Result:
    return "result";
  case ParamSource::Scratch:
    return "scratch";
  }
  return "?";
}

const char *derivedTransformName(DerivedSpec::Transform transform) {
  switch (transform) {
  case DerivedSpec::Transform::NegExp:
    return "neg_exp";
  }
  return "?";
}

const char *bufferSourceName(BufferSpec::Source source) {
  switch (source) {
  case BufferSpec::Source::Input:
    return "input";
  case BufferSpec::Source::Weight:
    return "weight";
  case BufferSpec::Source::Derived:
    return "derived";
  case BufferSpec::Source::Temp:
    return "temp";
  case BufferSpec::Source::View:
    return "view";
  }
  return "?";
}

} // namespace mamba::format
