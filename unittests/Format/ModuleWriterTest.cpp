//===- ModuleWriterTest.cpp - The one writer of module files --------------===//
//
// The writer and the reader are each other's inverse, and the writer refuses
// what the reader would refuse, with the reader's message: the compiler
// cannot write a file the runtime rejects.
//
//===----------------------------------------------------------------------===//

#include "mamba/Format/ModuleWriter.h"
#include "ModuleFileTestSupport.h"
#include "mamba/Format/ModuleFile.h"

#include <gtest/gtest.h>

namespace mamba::format {
namespace {

using testing::ModuleFixture;

/// A writer holding the fixture's images and functions, filled the way the
/// compiler fills one.
ModuleWriter writerFor(const ModuleFile &file) {
  ModuleWriter writer;
  std::string error;
  for (const KernelImage &image : file.images()) {
    const char *bytes = reinterpret_cast<const char *>(file.imageBytes(image));
    EXPECT_TRUE(writer.addImage(image.module, image.chipName, image.kind,
                                std::string_view(bytes, image.size), error))
        << error;
  }
  writer.spec().functions = file.functions();
  writer.spec().model = file.spec().model;
  return writer;
}

TEST(ModuleWriterTest, RoundTripsByteForByte) {
  ModuleFixture f;
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_EQ(encodeHeader(file.spec()), f.header.dump());

  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(writerFor(file).encode(bytes, error)) << error;
  EXPECT_EQ(bytes, f.bytes());
}

TEST(ModuleWriterTest, LaysOutMagicLengthChecksumsHeaderAndData) {
  std::vector<uint8_t> bytes = assembleModuleFile("{}", {1, 2});
  ASSERT_EQ(bytes.size(), 8u + 8u + 4u + 4u + 2u + 2u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), kModuleMagic);
  EXPECT_EQ(bytes[8], 2u);
  for (int i = 9; i < 16; ++i)
    EXPECT_EQ(bytes[i], 0u);
  EXPECT_EQ(std::string(bytes.begin() + 24, bytes.begin() + 26), "{}");
  EXPECT_EQ(bytes[26], 1u);
  EXPECT_EQ(bytes[27], 2u);
}

TEST(ModuleWriterTest, RefusesWhatTheReaderRefuses) {
  ModuleFixture f;
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  std::vector<uint8_t> bytes;
  std::string error;
  {
    ModuleWriter writer = writerFor(file);
    writer.spec().functions[0].launches[0].module = "other";
    EXPECT_FALSE(writer.encode(bytes, error));
    EXPECT_CONTAINS(error, "functions[0].launches[0].module: no image holds "
                           "gpu module 'other'");
    EXPECT_TRUE(bytes.empty());
  }
  {
    ModuleWriter writer = writerFor(file);
    writer.spec().functions[0].results[0].shape[0] = ShapeExpr::dim(5, 0);
    EXPECT_FALSE(writer.encode(bytes, error));
    EXPECT_CONTAINS(error, "names argument 5, but the function has 2");
  }
  {
    ModuleWriter writer = writerFor(file);
    writer.spec().functions.push_back(writer.spec().functions[0]);
    EXPECT_FALSE(writer.encode(bytes, error));
    EXPECT_CONTAINS(error, "a second function named 'scan'");
  }
}

TEST(ModuleWriterTest, ChecksImages) {
  ModuleWriter writer;
  std::string error;
  EXPECT_FALSE(writer.addImage("k", "gfx90a", ImageKind::Cubin, "x", error));
  EXPECT_CONTAINS(error, "'gfx90a' is not a chip name");
  EXPECT_FALSE(writer.addImage("k", "x86-64-v4", ImageKind::Ptx, "x", error));
  EXPECT_CONTAINS(error, "a ptx image cannot be for x86-64-v4");
  EXPECT_FALSE(writer.addImage("k", "sm_90", ImageKind::Ptx, "", error));
  EXPECT_CONTAINS(error, "the ptx image of 'k' for sm_90 is empty");
  ASSERT_TRUE(writer.addImage("k", "sm_90", ImageKind::Ptx, "abc", error));
  ASSERT_TRUE(writer.addImage("k", "sm_80", ImageKind::Ptx, "de", error));
  EXPECT_EQ(writer.spec().images[1].offset, 3u);
  EXPECT_EQ(writer.spec().images[1].size, 2u);
  {
    ModuleWriter twice = writer;
    ASSERT_TRUE(twice.addImage("k", "sm_90", ImageKind::Ptx, "f", error));
    std::vector<uint8_t> bytes;
    EXPECT_FALSE(twice.encode(bytes, error));
    EXPECT_CONTAINS(error, "a second ptx image of module 'k' for sm_90");
  }
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(writer.encode(bytes, error)) << error;
  ModuleFile file;
  ASSERT_TRUE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error))
      << error;
  EXPECT_EQ(
      std::string(
          reinterpret_cast<const char *>(file.imageBytes(file.images()[1])), 2),
      "de");
}

} // namespace
} // namespace mamba::format
