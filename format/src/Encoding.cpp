//===- Encoding.cpp - The module file's names -----------------------------===//

#include "mamba/Format/Encoding.h"

namespace mamba::format {

namespace {

struct ElementEntry {
  const char *name;
  ElementType type;
  size_t size;
};

constexpr ElementEntry kElements[] = {
    {"i8", ElementType::I8, 1},   {"i16", ElementType::I16, 2},
    {"i32", ElementType::I32, 4}, {"i64", ElementType::I64, 8},
    {"f16", ElementType::F16, 2}, {"bf16", ElementType::BF16, 2},
    {"f32", ElementType::F32, 4}, {"f64", ElementType::F64, 8},
};

const ElementEntry &entryFor(ElementType type) {
  for (const ElementEntry &e : kElements)
    if (e.type == type)
      return e;
  return kElements[0]; // Unreachable: every enumerator has an entry.
}

} // namespace

const char *elementTypeName(ElementType type) { return entryFor(type).name; }

size_t elementTypeSize(ElementType type) { return entryFor(type).size; }

bool parseElementType(const std::string &name, ElementType &type) {
  for (const ElementEntry &e : kElements) {
    if (name == e.name) {
      type = e.type;
      return true;
    }
  }
  return false;
}

bool parseChip(const std::string &name, Chip &chip) {
  if (name.compare(0, 6, "x86-64") == 0) {
    unsigned level = 0;
    if (name.size() == 6)
      level = 1;
    else if (name.size() == 9 && name.compare(6, 2, "-v") == 0 &&
             name[8] >= '2' && name[8] <= '4')
      level = static_cast<unsigned>(name[8] - '0');
    if (level == 0)
      return false;
    chip = Chip{Chip::Family::X86_64, level, 0, '\0'};
    return true;
  }
  if (name.compare(0, 3, "sm_") != 0)
    return false;
  size_t end = name.size();
  char suffix = '\0';
  if (end > 3 && (name[end - 1] == 'a' || name[end - 1] == 'f'))
    suffix = name[--end];
  size_t digits = end - 3;
  if (digits < 2 || digits > 4)
    return false;
  unsigned major = 0;
  for (size_t i = 3; i < end; ++i) {
    if (name[i] < '0' || name[i] > '9')
      return false;
    if (i + 1 < end)
      major = major * 10 + static_cast<unsigned>(name[i] - '0');
  }
  if (major == 0)
    return false;
  chip.family = Chip::Family::Nvidia;
  chip.major = major;
  chip.minor = static_cast<unsigned>(name[end - 1] - '0');
  chip.suffix = suffix;
  return true;
}

const char *imageKindName(ImageKind kind) {
  switch (kind) {
  case ImageKind::Cubin:
    return "cubin";
  case ImageKind::Ptx:
    return "ptx";
  case ImageKind::SharedObject:
    return "so";
  }
  return "?";
}

bool imageKindRunsOn(ImageKind kind, Chip::Family family) {
  return (kind == ImageKind::SharedObject) == (family == Chip::Family::X86_64);
}

bool parseImageKind(const std::string &name, ImageKind &kind) {
  for (ImageKind k :
       {ImageKind::Cubin, ImageKind::Ptx, ImageKind::SharedObject}) {
    if (name == imageKindName(k)) {
      kind = k;
      return true;
    }
  }
  return false;
}

} // namespace mamba::format
