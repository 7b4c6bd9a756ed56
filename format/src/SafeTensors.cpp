//===- SafeTensors.cpp - Validating reader for .safetensors files ---------===//

#include "mamba/Format/SafeTensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace mamba::format {

using json = nlohmann::json;

namespace {

/// The upstream safetensors library refuses larger headers too; a bigger one
/// is corruption or an attempt to make the JSON parser eat memory.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DTypeEntry {
  const char *name;
  DType dtype;
  size_t size;
};

constexpr DTypeEntry kDTypes[] = {
    {"BOOL", DType::Bool, 1},       {"U8", DType::U8, 1},
    {"I8", DType::I8, 1},           {"F8_E5M2", DType::F8_E5M2, 1},
    {"F8_E4M3", DType::F8_E4M3, 1}, {"I16", DType::I16, 2},
    {"U16", DType::U16, 2},         {"F16", DType::F16, 2},
    {"BF16", DType::BF16, 2},       {"I32", DType::I32, 4},
    {"U32", DType::U32, 4},         {"F32", DType::F32, 4},
    {"I64", DType::I64, 8},         {"U64", DType::U64, 8},
    {"F64", DType::F64, 8},
};

const DTypeEntry *lookupDType(const std::string &name) {
  for (const DTypeEntry &e : kDTypes)
    if (name == e.name)
      return &e;
  return nullptr;
}

const DTypeEntry &entryFor(DType dtype) {
  for (const DTypeEntry &e : kDTypes)
    if (e.dtype == dtype)
      return e;
  return kDTypes[0]; // Unreachable: every enumerator has an entry.
}

/// Byte-wise so that neither host endianness nor alignment matters.
template <typename UInt> UInt readLittleEndian(const uint8_t *p) {
  UInt v = 0;
  for (size_t i = 0; i < sizeof(UInt); ++i)
    v |= static_cast<UInt>(p[i]) << (8 * i);
  return v;
}

template <typename To, typename From> To bitCast(From from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}

std::string tooShortMessage(size_t size) {
  return "file is " + std::to_string(size) +
         " bytes, shorter than the 8-byte header length";
}

/// A JSON value as a non-negative integer that fits in `max`.
bool getUnsigned(const json &v, uint64_t max, uint64_t &out) {
  if (!v.is_number_unsigned())
    return false;
  out = v.get<uint64_t>();
  return out <= max;
}

bool parseTensorEntry(const std::string &name, const json &entry,
                      uint64_t dataSize, TensorInfo &info,
                      std::string &problem) {
  info.name = name;
  if (!entry.is_object()) {
    problem = "entry is not a JSON object";
    return false;
  }

  auto dtypeIt = entry.find("dtype");
  if (dtypeIt == entry.end() || !dtypeIt->is_string()) {
    problem = "missing string field 'dtype'";
    return false;
  }
  const DTypeEntry *dtype = lookupDType(dtypeIt->get<std::string>());
  if (!dtype) {
    problem = "unknown dtype '" + dtypeIt->get<std::string>() + "'";
    return false;
  }
  info.dtype = dtype->dtype;

  auto shapeIt = entry.find("shape");
  if (shapeIt == entry.end() || !shapeIt->is_array()) {
    problem = "missing array field 'shape'";
    return false;
  }
  uint64_t numElements = 1;
  for (const json &dim : *shapeIt) {
    uint64_t d;
    if (!getUnsigned(dim, std::numeric_limits<int64_t>::max(), d)) {
      problem = "shape " + shapeIt->dump() +
                " has an entry that is not a non-negative 64-bit integer";
      return false;
    }
    if (__builtin_mul_overflow(numElements, d, &numElements)) {
      problem = "shape " + shapeIt->dump() + " overflows 64 bits";
      return false;
    }
    info.shape.push_back(static_cast<int64_t>(d));
  }
  info.numElements = numElements;
  uint64_t byteSize;
  if (__builtin_mul_overflow(numElements, dtype->size, &byteSize)) {
    problem = "shape " + shapeIt->dump() + " of " + dtype->name +
              " overflows 64 bits in bytes";
    return false;
  }

  auto offsetsIt = entry.find("data_offsets");
  uint64_t begin, end;
  uint64_t max = std::numeric_limits<uint64_t>::max();
  if (offsetsIt == entry.end() || !offsetsIt->is_array() ||
      offsetsIt->size() != 2 || !getUnsigned((*offsetsIt)[0], max, begin) ||
      !getUnsigned((*offsetsIt)[1], max, end)) {
    problem = "missing field 'data_offsets' of two non-negative integers";
    return false;
  }
  if (end < begin || end > dataSize) {
    problem = "data_offsets [" + std::to_string(begin) + "," +
              std::to_string(end) + "] are outside the data section of " +
              std::to_string(dataSize) + " bytes";
    return false;
  }
  if (end - begin != byteSize) {
    problem = "data_offsets [" + std::to_string(begin) + "," +
              std::to_string(end) + "] span " + std::to_string(end - begin) +
              " bytes, but shape " + shapeIt->dump() + " of " + dtype->name +
              " needs " + std::to_string(byteSize);
    return false;
  }
  info.dataBegin = begin;
  info.dataEnd = end;
  return true;
}

bool parseMetadata(const json &value, std::map<std::string, std::string> &out,
                   std::string &problem) {
  if (!value.is_object()) {
    problem = "'__metadata__' is not a JSON object";
    return false;
  }
  for (const auto &[key, v] : value.items()) {
    if (!v.is_string()) {
      problem = "'__metadata__' value of '" + key + "' is not a string";
      return false;
    }
    out[key] = v.get<std::string>();
  }
  return true;
}

} // namespace

const char *dtypeName(DType dtype) { return entryFor(dtype).name; }

size_t dtypeSize(DType dtype) { return entryFor(dtype).size; }

bool isConvertibleToDouble(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::F32:
  case DType::F16:
  case DType::BF16:
  case DType::I64:
  case DType::I32:
    return true;
  default:
    return false;
  }
}

SafeTensorsFile::~SafeTensorsFile() { reset(); }

SafeTensorsFile::SafeTensorsFile(SafeTensorsFile &&other) noexcept {
  *this = std::move(other);
}

SafeTensorsFile &SafeTensorsFile::operator=(SafeTensorsFile &&other) noexcept {
  if (this == &other)
    return *this;
  reset();
  sourceName_ = std::move(other.sourceName_);
  base_ = std::exchange(other.base_, nullptr);
  size_ = std::exchange(other.size_, 0);
  ownsMapping_ = std::exchange(other.ownsMapping_, false);
  data_ = std::exchange(other.data_, nullptr);
  dataSize_ = std::exchange(other.dataSize_, 0);
  tensors_ = std::move(other.tensors_);
  index_ = std::move(other.index_);
  metadata_ = std::move(other.metadata_);
  other.reset();
  return *this;
}

void SafeTensorsFile::reset() {
  if (ownsMapping_ && base_)
    ::munmap(const_cast<uint8_t *>(base_), size_);
  sourceName_.clear();
  base_ = nullptr;
  size_ = 0;
  ownsMapping_ = false;
  data_ = nullptr;
  dataSize_ = 0;
  tensors_.clear();
  index_.clear();
  metadata_.clear();
}

bool SafeTensorsFile::load(const std::string &path, std::string &error) {
  reset();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": not a readable regular file";
    ::close(fd);
    return false;
  }
  size_t size = static_cast<size_t>(st.st_size);
  // mmap rejects an empty mapping, so a too-short file is reported here.
  if (size < 8) {
    error = path + ": " + tooShortMessage(size);
    ::close(fd);
    return false;
  }
  void *mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int mmapErrno = errno;
  ::close(fd);
  if (mapping == MAP_FAILED) {
    error = path + ": cannot map: " + std::strerror(mmapErrno);
    return false;
  }
  sourceName_ = path;
  base_ = static_cast<const uint8_t *>(mapping);
  size_ = size;
  ownsMapping_ = true;
  if (!parse(error)) {
    reset();
    return false;
  }
  return true;
}

bool SafeTensorsFile::loadFromMemory(const void *data, size_t size,
                                     const std::string &sourceName,
                                     std::string &error) {
  reset();
  if (size < 8 || !data) {
    error = sourceName + ": " + tooShortMessage(data ? size : 0);
    return false;
  }
  sourceName_ = sourceName;
  base_ = static_cast<const uint8_t *>(data);
  size_ = size;
  if (!parse(error)) {
    reset();
    return false;
  }
  return true;
}

bool SafeTensorsFile::parse(std::string &error) {
  auto fail = [&](const std::string &problem) {
    error = sourceName_ + ": " + problem;
    return false;
  };
  uint64_t headerSize = readLittleEndian<uint64_t>(base_);
  if (headerSize > size_ - 8)
    return fail("header length " + std::to_string(headerSize) +
                " runs past the end of the file (" + std::to_string(size_) +
                " bytes)");
  if (headerSize > kMaxHeaderBytes)
    return fail("header length " + std::to_string(headerSize) +
                " is over the limit of " + std::to_string(kMaxHeaderBytes));
  const uint8_t *headerBegin = base_ + 8;
  data_ = headerBegin + headerSize;
  dataSize_ = size_ - 8 - headerSize;

  // The JSON library signals errors by exceptions even in accessors; none of
  // them may leave this function.
  try {
    json header = json::parse(headerBegin, data_, /*cb=*/nullptr,
                              /*allow_exceptions=*/false);
    if (header.is_discarded())
      return fail("header is not valid JSON");
    if (!header.is_object())
      return fail("header is not a JSON object");
    for (const auto &[name, value] : header.items()) {
      std::string problem;
      if (name == "__metadata__") {
        if (!parseMetadata(value, metadata_, problem))
          return fail(problem);
        continue;
      }
      TensorInfo info;
      if (!parseTensorEntry(name, value, dataSize_, info, problem))
        return fail("tensor '" + name + "': " + problem);
      tensors_.push_back(std::move(info));
    }
  } catch (const std::exception &e) {
    return fail(std::string("cannot read header: ") + e.what());
  }

  std::sort(tensors_.begin(), tensors_.end(),
            [](const TensorInfo &a, const TensorInfo &b) {
              return a.dataBegin != b.dataBegin ? a.dataBegin < b.dataBegin
                                                : a.name < b.name;
            });
  for (size_t i = 0; i < tensors_.size(); ++i)
    index_[tensors_[i].name] = i;
  return true;
}

const TensorInfo *SafeTensorsFile::find(const std::string &name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

bool SafeTensorsFile::toDoubles(const TensorInfo &info,
                                std::vector<double> &out,
                                std::string &error) const {
  if (!isConvertibleToDouble(info.dtype)) {
    error = sourceName_ + ": tensor '" + info.name + "' has dtype " +
            dtypeName(info.dtype) +
            ", which is unsupported (expected F64, F32, F16, BF16, I64 or "
            "I32)";
    return false;
  }
  try {
    out.resize(info.numElements);
  } catch (const std::exception &) {
    error = sourceName_ + ": tensor '" + info.name + "': cannot allocate " +
            std::to_string(info.numElements) + " doubles";
    return false;
  }
  const uint8_t *p = bytes(info);
  size_t step = dtypeSize(info.dtype);
  for (uint64_t i = 0; i < info.numElements; ++i, p += step) {
    switch (info.dtype) {
    case DType::F64:
      out[i] = bitCast<double>(readLittleEndian<uint64_t>(p));
      break;
    case DType::F32:
      out[i] = bitCast<float>(readLittleEndian<uint32_t>(p));
      break;
    case DType::F16:
      out[i] = halfBitsToDouble(readLittleEndian<uint16_t>(p));
      break;
    case DType::BF16:
      out[i] = bfloat16BitsToDouble(readLittleEndian<uint16_t>(p));
      break;
    case DType::I64:
      out[i] = static_cast<double>(
          static_cast<int64_t>(readLittleEndian<uint64_t>(p)));
      break;
    case DType::I32:
      out[i] = static_cast<int32_t>(readLittleEndian<uint32_t>(p));
      break;
    default:
      break; // Rejected above.
    }
  }
  return true;
}

bool SafeTensorsFile::toDoubles(const std::string &name,
                                std::vector<double> &out,
                                std::string &error) const {
  const TensorInfo *info = find(name);
  if (!info) {
    error = sourceName_ + ": no tensor named '" + name + "'";
    return false;
  }
  return toDoubles(*info, out, error);
}

} // namespace mamba::format
