//===- SafeTensorsTest.cpp - The safetensors reader on good and bad files -===//

#include "mamba/Format/SafeTensors.h"
#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/ModuleWriter.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>

namespace mamba::format {
namespace {

/// A file image: little-endian header length, header, data.
std::string makeImage(const std::string &header, const std::string &data) {
  std::string image(8, '\0');
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    image[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return image + header + data;
}

std::string writeTempFile(const std::string &name, const std::string &bytes) {
  std::string path = ::testing::TempDir() + "safetensors_test_" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

template <typename T> std::string bytesOf(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T)); // The test host is little-endian.
    s.append(buf, sizeof(T));
  }
  return s;
}

/// One tensor of each convertible dtype, one U8, and metadata. The header is
/// deliberately not in data order and is padded with spaces like the Python
/// writer pads it.
std::string goodImage() {
  std::string data =
      bytesOf<float>({1.5f, -2.0f, 0.25f, 3.0f, 4.0f, -5.5f}) +
      bytesOf<double>({1e300, -0.125}) + bytesOf<int32_t>({-7, 2147483647, 0}) +
      bytesOf<int64_t>({-(int64_t(1) << 40), 5}) +
      bytesOf<uint16_t>({0x3F80, 0xC040}) +                 // bf16
      bytesOf<uint16_t>({0x3C00, 0xB800, 0x7BFF, 0x0001}) + // f16
      std::string("\x01\x02\x03", 3);
  std::string header =
      R"({"__metadata__": {"format": "pt"},)"
      R"( "u8": {"dtype": "U8", "shape": [3], "data_offsets": [84, 87]},)"
      R"( "f32": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},)"
      R"( "f64": {"dtype": "F64", "shape": [2], "data_offsets": [24, 40]},)"
      R"( "i32": {"dtype": "I32", "shape": [3], "data_offsets": [40, 52]},)"
      R"( "i64": {"dtype": "I64", "shape": [2], "data_offsets": [52, 68]},)"
      R"( "bf16": {"dtype": "BF16", "shape": [2], "data_offsets": [68, 72]},)"
      R"( "f16": {"dtype": "F16", "shape": [2, 2], "data_offsets": [72, 80]},)"
      R"( "scalar": {"dtype": "F32", "shape": [], "data_offsets": [80, 84]},)"
      R"( "empty": {"dtype": "F32", "shape": [0, 4], "data_offsets": [84, 84]}})";
  data.insert(80, bytesOf<float>({42.0f}));
  return makeImage(header + "    ", data);
}

std::vector<double> convert(const SafeTensorsFile &file,
                            const std::string &name) {
  std::vector<double> values;
  std::string error;
  EXPECT_TRUE(file.toDoubles(name, values, error)) << error;
  return values;
}

TEST(SafeTensors, RoundTrip) {
  std::string path = writeTempFile("good", goodImage());
  SafeTensorsFile file;
  std::string error;
  ASSERT_TRUE(file.load(path, error)) << error;
  EXPECT_TRUE(file.isLoaded());
  EXPECT_EQ(file.tensors().size(), 9u);
  EXPECT_EQ(file.metadata().at("format"), "pt");

  // Sorted by offset; the empty tensor and u8 share offset 84.
  std::vector<std::string> order;
  for (const TensorInfo &t : file.tensors())
    order.push_back(t.name);
  EXPECT_EQ(order, (std::vector<std::string>{"f32", "f64", "i32", "i64", "bf16",
                                             "f16", "scalar", "empty", "u8"}));

  const TensorInfo *f32 = file.find("f32");
  ASSERT_NE(f32, nullptr);
  EXPECT_EQ(f32->dtype, DType::F32);
  EXPECT_EQ(f32->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f32->numElements, 6u);
  EXPECT_EQ(f32->byteSize(), 24u);
  EXPECT_EQ(file.find("missing"), nullptr);

  EXPECT_EQ(convert(file, "f32"),
            (std::vector<double>{1.5, -2.0, 0.25, 3.0, 4.0, -5.5}));
  EXPECT_EQ(convert(file, "f64"), (std::vector<double>{1e300, -0.125}));
  EXPECT_EQ(convert(file, "i32"), (std::vector<double>{-7, 2147483647, 0}));
  EXPECT_EQ(convert(file, "i64"), (std::vector<double>{-1099511627776.0, 5}));
  EXPECT_EQ(convert(file, "bf16"), (std::vector<double>{1.0, -3.0}));
  EXPECT_EQ(convert(file, "f16"),
            (std::vector<double>{1.0, -0.5, 65504.0, std::ldexp(1.0, -24)}));
  EXPECT_EQ(convert(file, "scalar"), (std::vector<double>{42.0}));
  EXPECT_TRUE(convert(file, "empty").empty());
  EXPECT_EQ(file.find("scalar")->shape, std::vector<int64_t>{});

  const TensorInfo *u8 = file.find("u8");
  ASSERT_NE(u8, nullptr);
  EXPECT_EQ(file.bytes(*u8)[2], 3);
  std::vector<double> values;
  EXPECT_FALSE(file.toDoubles(*u8, values, error));
  EXPECT_NE(error.find("'u8' has dtype U8, which is unsupported"),
            std::string::npos)
      << error;
  EXPECT_FALSE(file.toDoubles("nope", values, error));
  EXPECT_NE(error.find("no tensor named 'nope'"), std::string::npos);
}

TEST(SafeTensors, LoadFromMemoryAndMove) {
  std::string image = goodImage();
  SafeTensorsFile file;
  std::string error;
  ASSERT_TRUE(file.loadFromMemory(image.data(), image.size(), "mem", error))
      << error;
  SafeTensorsFile moved(std::move(file));
  EXPECT_FALSE(file.isLoaded());
  EXPECT_TRUE(file.tensors().empty());
  ASSERT_TRUE(moved.isLoaded());
  EXPECT_EQ(convert(moved, "f64")[1], -0.125);

  SafeTensorsFile assigned;
  std::string path = writeTempFile("move", image);
  ASSERT_TRUE(assigned.load(path, error)) << error;
  assigned = std::move(moved); // Unmaps the file it held.
  EXPECT_EQ(assigned.sourceName(), "mem");
  EXPECT_EQ(convert(assigned, "i32")[0], -7);
}

TEST(SafeTensors, GoldenModelFileLoads) {
  SafeTensorsFile file;
  std::string error;
  ASSERT_TRUE(
      file.load(MAMBA_GOLDEN_DIR "/model-tiny/model.safetensors", error))
      << error;
  EXPECT_EQ(file.tensors().size(), 23u);
  for (const TensorInfo &t : file.tensors())
    EXPECT_EQ(t.dtype, DType::F32) << t.name;
  const TensorInfo *conv = file.find("backbone.layers.0.mixer.conv1d.weight");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->shape, (std::vector<int64_t>{128, 1, 4}));
}

TEST(SafeTensors, HalfBitPatterns) {
  EXPECT_EQ(halfBitsToDouble(0x3C00), 1.0);
  EXPECT_EQ(halfBitsToDouble(0xC000), -2.0);
  EXPECT_EQ(halfBitsToDouble(0x3555), 0.333251953125);
  EXPECT_EQ(halfBitsToDouble(0x7BFF), 65504.0);
  EXPECT_EQ(halfBitsToDouble(0x0400), std::ldexp(1.0, -14)); // Min normal.
  EXPECT_EQ(halfBitsToDouble(0x03FF), 1023 * std::ldexp(1.0, -24));
  EXPECT_EQ(halfBitsToDouble(0x0001), std::ldexp(1.0, -24));
  EXPECT_EQ(halfBitsToDouble(0x0000), 0.0);
  EXPECT_TRUE(std::signbit(halfBitsToDouble(0x8000)));
  EXPECT_EQ(halfBitsToDouble(0x7C00), std::numeric_limits<double>::infinity());
  EXPECT_EQ(halfBitsToDouble(0xFC00), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(halfBitsToDouble(0x7E00)));
  EXPECT_TRUE(std::isnan(halfBitsToDouble(0x7C01)));
}

TEST(SafeTensors, BFloat16BitPatterns) {
  EXPECT_EQ(bfloat16BitsToDouble(0x3F80), 1.0);
  EXPECT_EQ(bfloat16BitsToDouble(0xC000), -2.0);
  EXPECT_EQ(bfloat16BitsToDouble(0x4049), 3.140625);
  EXPECT_EQ(bfloat16BitsToDouble(0x3EAB), 0.333984375);
  EXPECT_EQ(bfloat16BitsToDouble(0x7F7F), 0xFFp+120); // Largest finite.
  EXPECT_EQ(bfloat16BitsToDouble(0x0001), std::ldexp(1.0, -133));
  EXPECT_TRUE(std::signbit(bfloat16BitsToDouble(0x8000)));
  EXPECT_EQ(bfloat16BitsToDouble(0xFF80),
            -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(bfloat16BitsToDouble(0x7FC0)));
}

struct CorruptCase {
  const char *name;
  std::string image;
  const char *expectedError;
};

// Keeps gtest from printing the case as raw bytes in test names and logs.
void PrintTo(const CorruptCase &c, std::ostream *os) { *os << c.name; }

std::string header(const std::string &entry) {
  return R"({"t": )" + entry + "}";
}

std::vector<CorruptCase> corruptCases() {
  std::string eightFloats(32, '\0');
  std::string good =
      R"({"dtype": "F32", "shape": [2, 4], "data_offsets": [0, 32]})";
  std::string goodImg = makeImage(header(good), eightFloats);
  return {
      {"Empty", "", "shorter than the 8-byte header length"},
      {"Truncated", goodImg.substr(0, 5), "shorter than the 8-byte header"},
      {"HeaderLengthTooBig", goodImg.substr(0, goodImg.size() - 40),
       "runs past the end of the file"},
      {"HeaderLengthHuge", std::string(8, '\xff') + "{}",
       "runs past the end of the file"},
      {"TruncatedData", goodImg.substr(0, goodImg.size() - 1),
       "outside the data section"},
      {"BadJson", makeImage(R"({"t": {"dtype": "F32",)", eightFloats),
       "not valid JSON"},
      {"EmptyHeader", makeImage("", eightFloats), "not valid JSON"},
      {"NotAnObject", makeImage("[1, 2]", eightFloats), "not a JSON object"},
      {"EntryNotObject", makeImage(header("3"), eightFloats),
       "tensor 't': entry is not a JSON object"},
      {"MissingDtype",
       makeImage(header(R"({"shape": [2], "data_offsets": [0, 8]})"),
                 eightFloats),
       "missing string field 'dtype'"},
      {"UnknownDtype",
       makeImage(
           header(R"({"dtype": "F12", "shape": [8], "data_offsets": [0, 32]})"),
           eightFloats),
       "unknown dtype 'F12'"},
      {"MissingShape",
       makeImage(header(R"({"dtype": "F32", "data_offsets": [0, 32]})"),
                 eightFloats),
       "missing array field 'shape'"},
      {"NegativeDim",
       makeImage(
           header(
               R"({"dtype": "F32", "shape": [-2, -4], "data_offsets": [0, 32]})"),
           eightFloats),
       "not a non-negative 64-bit integer"},
      {"FractionalDim",
       makeImage(
           header(
               R"({"dtype": "F32", "shape": [2.5], "data_offsets": [0, 32]})"),
           eightFloats),
       "not a non-negative 64-bit integer"},
      {"ShapeOverflow",
       makeImage(
           header(
               R"({"dtype": "U8", "shape": [4294967296, 4294967296], "data_offsets": [0, 32]})"),
           eightFloats),
       "overflows 64 bits"},
      {"ByteSizeOverflow",
       makeImage(
           header(
               R"({"dtype": "F64", "shape": [4611686018427387904], "data_offsets": [0, 32]})"),
           eightFloats),
       "overflows 64 bits in bytes"},
      {"MissingOffsets",
       makeImage(header(R"({"dtype": "F32", "shape": [8]})"), eightFloats),
       "missing field 'data_offsets'"},
      {"OneOffset",
       makeImage(
           header(R"({"dtype": "F32", "shape": [8], "data_offsets": [0]})"),
           eightFloats),
       "missing field 'data_offsets'"},
      {"OffsetsOutOfRange",
       makeImage(
           header(R"({"dtype": "F32", "shape": [8], "data_offsets": [8, 40]})"),
           eightFloats),
       "data_offsets [8,40] are outside the data section of 32 bytes"},
      {"OffsetsReversed",
       makeImage(
           header(R"({"dtype": "F32", "shape": [0], "data_offsets": [8, 0]})"),
           eightFloats),
       "outside the data section"},
      {"ShapeOffsetMismatch",
       makeImage(
           header(
               R"({"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 32]})"),
           eightFloats),
       "span 32 bytes, but shape [2,3] of F32 needs 24"},
      {"MetadataNotStrings", makeImage(R"({"__metadata__": {"epoch": 3}})", ""),
       "'__metadata__' value of 'epoch' is not a string"},
      {"MetadataNotObject", makeImage(R"({"__metadata__": [1]})", ""),
       "'__metadata__' is not a JSON object"},
      {"InvalidUtf8", makeImage("{\"\xff\": 1}", ""), "not valid JSON"},
  };
}

class SafeTensorsCorruptTest : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(SafeTensorsCorruptTest, ReportsErrorNamingFile) {
  const CorruptCase &c = GetParam();
  std::string path = writeTempFile(c.name, c.image);
  SafeTensorsFile file;
  std::string error;
  EXPECT_FALSE(file.load(path, error));
  EXPECT_FALSE(file.isLoaded());
  EXPECT_TRUE(file.tensors().empty());
  EXPECT_EQ(error.rfind(path + ": ", 0), 0u) << error;
  EXPECT_NE(error.find(c.expectedError), std::string::npos) << error;

  // The in-memory path must agree.
  std::string memError;
  EXPECT_FALSE(
      file.loadFromMemory(c.image.data(), c.image.size(), "mem", memError));
  EXPECT_NE(memError.find(c.expectedError), std::string::npos) << memError;
}

INSTANTIATE_TEST_SUITE_P(Corrupt, SafeTensorsCorruptTest,
                         ::testing::ValuesIn(corruptCases()),
                         [](const ::testing::TestParamInfo<CorruptCase> &info) {
                           return std::string(info.param.name);
                         });

TEST(SafeTensors, MissingFileAndDirectory) {
  SafeTensorsFile file;
  std::string error;
  EXPECT_FALSE(
      file.load(::testing::TempDir() + "no_such_file.safetensors", error));
  EXPECT_NE(error.find("cannot open"), std::string::npos) << error;
  EXPECT_FALSE(file.load(::testing::TempDir(), error));
  EXPECT_NE(error.find("not a readable regular file"), std::string::npos)
      << error;
}

// A header length over the 100 MB limit in a file that long: refused
// before the header is parsed. The file is sparse (its length only), so
// the test writes 8 bytes.
TEST(SafeTensors, RefusesAHeaderOverTheLimit) {
  const uint64_t headerBytes = 100'000'001;
  std::string path = ::testing::TempDir() + "safetensors_test_huge_header";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 8; ++i)
      out.put(static_cast<char>(headerBytes >> (8 * i)));
  }
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(headerBytes + 8)), 0);
  SafeTensorsFile file;
  std::string error;
  EXPECT_FALSE(file.load(path, error));
  EXPECT_EQ(error, path + ": header length 100000001 is over the limit of "
                          "100000000");
  std::remove(path.c_str());
}

// Out of address space, as under `ulimit -v`: a file too large to map and a
// tensor too large to convert to doubles are errors naming the file and
// tensor. Each runs in a child process (a death test) whose address space
// is limited; not under ASan or TSan, which reserve terabytes of it at
// start. The 32 GiB file is sparse: the test writes its header only.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MAMBA_RESERVES_ADDRESS_SPACE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MAMBA_RESERVES_ADDRESS_SPACE 1
#endif
#endif

TEST(SafeTensorsDeathTest, OutOfAddressSpaceIsAnError) {
#ifdef MAMBA_RESERVES_ADDRESS_SPACE
  GTEST_SKIP() << "the sanitizer's shadow memory needs the address space";
#else
  const uint64_t elements = uint64_t(1) << 33, bytes = elements * 4;
  const std::string header =
      "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + std::to_string(elements) +
      "],\"data_offsets\":[0," + std::to_string(bytes) + "]}}";
  std::string path = ::testing::TempDir() + "safetensors_test_32gib";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (int i = 0; i < 8; ++i)
      out.put(static_cast<char>(header.size() >> (8 * i)));
    out << header;
  }
  ASSERT_EQ(
      ::truncate(path.c_str(), static_cast<off_t>(8 + header.size() + bytes)),
      0);
  auto limitAddressSpace = [](uint64_t gib) {
    struct rlimit limit = {gib << 30, gib << 30};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) {
      std::fprintf(stderr, "setrlimit failed\n");
      std::_Exit(2);
    }
  };
  // 16 GiB of address space: the file cannot be mapped.
  EXPECT_EXIT(
      {
        limitAddressSpace(16);
        SafeTensorsFile file;
        std::string error;
        bool loaded = file.load(path, error);
        std::fprintf(stderr, "%s\n", error.c_str());
        std::_Exit(loaded ? 1 : 0);
      },
      ::testing::ExitedWithCode(0),
      "safetensors_test_32gib: cannot map: Cannot allocate memory");
  // 48 GiB: it maps, but its 2^33 values as doubles (64 GiB) do not fit.
  EXPECT_EXIT(
      {
        limitAddressSpace(48);
        SafeTensorsFile file;
        std::string error;
        if (!file.load(path, error)) {
          std::fprintf(stderr, "load: %s\n", error.c_str());
          std::_Exit(1);
        }
        std::vector<double> values;
        bool converted = file.toDoubles(file.tensors()[0], values, error);
        std::fprintf(stderr, "%s\n", error.c_str());
        std::_Exit(converted ? 1 : 0);
      },
      ::testing::ExitedWithCode(0),
      "safetensors_test_32gib: tensor 'w': cannot allocate 8589934592 "
      "doubles");
  std::remove(path.c_str());
#endif
}

// Every prefix of a valid file and random byte corruptions: the reader may
// accept or reject, but must never crash, and what it accepts must convert.
TEST(SafeTensors, SurvivesTruncationAndCorruption) {
  std::string image = goodImage();
  std::string error;
  for (size_t n = 0; n < image.size(); ++n) {
    SafeTensorsFile file;
    EXPECT_FALSE(file.loadFromMemory(image.data(), n, "prefix", error))
        << "prefix of " << n << " bytes loaded";
  }
  std::mt19937 rng(51);
  std::uniform_int_distribution<size_t> pos(0, image.size() - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  int loaded = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string mutated = image;
    for (int k = 0; k < 3; ++k)
      mutated[pos(rng)] = static_cast<char>(byte(rng));
    SafeTensorsFile file;
    if (!file.loadFromMemory(mutated.data(), mutated.size(), "fuzz", error))
      continue;
    ++loaded;
    for (const TensorInfo &t : file.tensors()) {
      std::vector<double> values;
      if (file.toDoubles(t, values, error)) {
        EXPECT_EQ(values.size(), t.numElements);
      }
    }
  }
  EXPECT_GT(loaded, 0); // Mutations in the data section must still load.
}

} // namespace
} // namespace mamba::format
