//===- SafeTensors.h - Validating reader for .safetensors files -*- C++ -*-===//
//
// The file is an 8-byte little-endian header length, a JSON header
//   {NAME: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
//   {}}
// and then the raw little-endian tensor data, offsets relative to its start.
//
// Files come from outside the project (downloaded checkpoints) and the reader
// is fuzzed, so everything in the header is validated before it is trusted,
// and no exception ever leaves this API: every failure is a false return
// with a message that names the file and the problem.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_FORMAT_SAFETENSORS_H
#define MAMBA_FORMAT_SAFETENSORS_H

#include "mamba/Format/Float16.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mamba::format {

/// Every dtype of the safetensors format with a whole-byte element size.
/// All of them load; toDoubles() converts only F64, F32, F16, BF16, I64, I32.
enum class DType {
  Bool,
  U8,
  I8,
  F8_E5M2,
  F8_E4M3,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  I64,
  U64,
  F64,
};

/// The header spelling, e.g. "BF16".
const char *dtypeName(DType dtype);
size_t dtypeSize(DType dtype);
bool isConvertibleToDouble(DType dtype);

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t numElements = 0;
  /// Byte range inside the data section (after the header).
  uint64_t dataBegin = 0;
  uint64_t dataEnd = 0;

  uint64_t byteSize() const { return dataEnd - dataBegin; }
};

/// A loaded file: owns its read-only mapping (unmapped in the destructor) and
/// the parsed, validated header. Move-only.
class SafeTensorsFile {
public:
  SafeTensorsFile() = default;
  ~SafeTensorsFile();
  SafeTensorsFile(SafeTensorsFile &&other) noexcept;
  SafeTensorsFile &operator=(SafeTensorsFile &&other) noexcept;
  SafeTensorsFile(const SafeTensorsFile &) = delete;
  SafeTensorsFile &operator=(const SafeTensorsFile &) = delete;

  /// Maps and validates `path`. On failure returns false, sets `error` to a
  /// message that starts with the path, and leaves this object empty.
  bool load(const std::string &path, std::string &error);

  /// Validates an in-memory image without copying it (for fuzzers and
  /// tests). `data` must outlive this object; `sourceName` names it in errors.
  bool loadFromMemory(const void *data, size_t size,
                      const std::string &sourceName, std::string &error);

  /// Unmaps and forgets everything.
  void reset();

  bool isLoaded() const { return base_ != nullptr; }
  const std::string &sourceName() const { return sourceName_; }

  /// Sorted by data offset, then by name.
  const std::vector<TensorInfo> &tensors() const { return tensors_; }
  /// nullptr when there is no tensor of that name.
  const TensorInfo *find(const std::string &name) const;
  /// The "__metadata__" string map; empty when the file has none.
  const std::map<std::string, std::string> &metadata() const {
    return metadata_;
  }

  /// The tensor's byteSize() raw little-endian bytes, with no alignment
  /// guarantee (the header length is arbitrary).
  const uint8_t *bytes(const TensorInfo &info) const {
    return data_ + info.dataBegin;
  }

  /// Converts one tensor to doubles in row-major order. False, with an error
  /// naming the file and the tensor, for a dtype that is not convertible.
  bool toDoubles(const TensorInfo &info, std::vector<double> &out,
                 std::string &error) const;
  bool toDoubles(const std::string &name, std::vector<double> &out,
                 std::string &error) const;

private:
  bool parse(std::string &error);

  std::string sourceName_;
  const uint8_t *base_ = nullptr; ///< whole file
  size_t size_ = 0;
  bool ownsMapping_ = false;
  const uint8_t *data_ = nullptr; ///< data section
  uint64_t dataSize_ = 0;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

} // namespace mamba::format

#endif // MAMBA_FORMAT_SAFETENSORS_H
