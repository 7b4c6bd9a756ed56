//===- ModuleFileTest.cpp - The .mmod reader on good and bad files --------===//

#include "mamba/Format/ModuleFile.h"
#include "ModuleFileTestSupport.h"
#include "mamba/Format/Checksum.h"
#include "mamba/Format/ModuleWriter.h"
#include "mamba/Format/SafeTensors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace mamba::format {
namespace {

using json = nlohmann::json;
using testing::ModuleFixture;

#define EXPECT_LOAD_ERROR(fixture, text)                                       \
  EXPECT_CONTAINS((fixture).loadError(), text)

TEST(ModuleFileTest, LoadsTheFixture) {
  ModuleFixture f;
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_TRUE(file.isLoaded());
  EXPECT_EQ(file.sourceName(), "test.mmod");

  ASSERT_EQ(file.images().size(), 2u);
  const KernelImage &cubin = file.images()[0];
  EXPECT_EQ(cubin.module, "scan_kernel");
  EXPECT_EQ(cubin.chipName, "sm_90a");
  EXPECT_EQ(cubin.chip.major, 9u);
  EXPECT_EQ(cubin.chip.minor, 0u);
  EXPECT_EQ(cubin.chip.suffix, 'a');
  EXPECT_EQ(cubin.kind, ImageKind::Cubin);
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(file.imageBytes(cubin)),
                        cubin.size),
            "\x7f"
            "ELFcubin");
  const KernelImage &ptx = file.images()[1];
  EXPECT_EQ(ptx.kind, ImageKind::Ptx);
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(file.imageBytes(ptx)),
                        ptx.size),
            ".version 8.0\n.target sm_80\n");

  ASSERT_EQ(file.functions().size(), 1u);
  const FunctionSpec *fn = file.findFunction("scan");
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(file.findFunction("nope"), nullptr);
  ASSERT_EQ(fn->args.size(), 2u);
  EXPECT_EQ(fn->args[0].element, ElementType::BF16);
  EXPECT_EQ(fn->args[0].shape, (Shape{-1, 64, -1}));
  EXPECT_EQ(fn->args[1].shape, (Shape{64, 16}));
  ASSERT_EQ(fn->results.size(), 1u);
  ASSERT_EQ(fn->results[0].shape.size(), 3u);
  EXPECT_EQ(fn->results[0].shape[0].toString(), "dim(0,0)");
  EXPECT_EQ(fn->results[0].shape[1].toString(), "64");
  ASSERT_EQ(fn->launches.size(), 1u);
  const LaunchSpec &launch = fn->launches[0];
  EXPECT_EQ(launch.module, "scan_kernel");
  EXPECT_EQ(launch.kernel, "scan_kernel");
  EXPECT_EQ(launch.grid[0].toString(), "ceildiv(dim(0,1), 32)");
  EXPECT_EQ(launch.block[0].toString(), "128");
  ASSERT_EQ(launch.params.size(), 3u);
  EXPECT_EQ(launch.params[2].source, ParamSource::Result);
  EXPECT_EQ(launch.params[2].rank, 3u);
  EXPECT_EQ(file.launchedModules(), std::vector<std::string>{"scan_kernel"});
}

TEST(ModuleFileTest, LoadsFromDiskAndNamesAMissingFile) {
  ModuleFixture f;
  std::vector<uint8_t> bytes = f.bytes();
  std::string path = ::testing::TempDir() + "module_file_test.mmod";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char *>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  ModuleFile file;
  std::string error;
  ASSERT_TRUE(file.load(path, error)) << error;
  EXPECT_EQ(file.sourceName(), path);
  EXPECT_EQ(file.functions().size(), 1u);

  std::string missing = ::testing::TempDir() + "no_such_module.mmod";
  EXPECT_FALSE(file.load(missing, error));
  EXPECT_CONTAINS(error, missing);
  EXPECT_CONTAINS(error, "cannot open");
  EXPECT_FALSE(file.isLoaded());
  EXPECT_TRUE(file.functions().empty());
}

TEST(ModuleFileTest, RejectsShortFilesAndBadMagic) {
  ModuleFile file;
  std::string error;
  EXPECT_FALSE(file.loadFromMemory(nullptr, 0, "empty", error));
  EXPECT_CONTAINS(error, "empty: file is 0 bytes");
  std::vector<uint8_t> bytes = ModuleFixture().bytes();
  EXPECT_FALSE(file.loadFromMemory(bytes.data(), 15, "short", error));
  EXPECT_CONTAINS(error, "15 bytes, shorter than the 24-byte magic");

  bytes[0] = 'X';
  bytes[7] = 0x01;
  EXPECT_FALSE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error));
  EXPECT_CONTAINS(error, "bad magic \"XAMBAMO\\x01\"");
}

TEST(ModuleFileTest, RejectsBadHeaderLengths) {
  std::vector<uint8_t> good = ModuleFixture().bytes();
  ModuleFile file;
  std::string error;

  std::vector<uint8_t> bytes = good;
  for (int i = 8; i < 16; ++i)
    bytes[i] = 0xff;
  EXPECT_FALSE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error));
  EXPECT_CONTAINS(error, "header length 18446744073709551615 runs past");

  // A header length that fits the file but leaves bytes of JSON outside:
  // neither section is what was written.
  bytes = good;
  bytes[8] -= 1;
  EXPECT_FALSE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error));
  EXPECT_CONTAINS(error, "header checksum mismatch");

  // A header length over the 16 MiB limit, in a buffer that long: refused
  // before anything is parsed or checksummed.
  bytes = good;
  const uint64_t huge = (16u << 20) + 1;
  bytes.resize(24 + huge, ' ');
  for (int i = 0; i < 8; ++i)
    bytes[8 + i] = static_cast<uint8_t>(huge >> (8 * i));
  EXPECT_FALSE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error));
  EXPECT_CONTAINS(error, "m: header length 16777217 is over the limit of "
                         "16777216");
}

TEST(ModuleFileTest, ChecksumsCatchEveryChangedByte) {
  ModuleFixture f;
  std::vector<uint8_t> good = f.bytes();
  const size_t dataStart = good.size() - f.data.size();
  // Each byte of the header and of the data section, changed alone: a
  // digit of a grid expression or a bit of a cubin would otherwise load.
  for (size_t at = kModulePreambleBytes; at < good.size(); ++at) {
    std::vector<uint8_t> bytes = good;
    bytes[at] ^= 0x04;
    ModuleFile file;
    std::string error;
    EXPECT_FALSE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error))
        << at;
    EXPECT_CONTAINS(error, at < dataStart
                               ? "m: header checksum mismatch"
                               : "m: data section (kernel images) checksum "
                                 "mismatch");
    EXPECT_CONTAINS(error, "the file is corrupted or was changed");
  }
  // A stored checksum changed: the same errors.
  for (size_t at : {16, 20}) {
    std::vector<uint8_t> bytes = good;
    bytes[at] ^= 0x80;
    ModuleFile file;
    std::string error;
    EXPECT_FALSE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error));
    EXPECT_CONTAINS(error, "checksum mismatch (stored");
  }
}

TEST(ModuleFileTest, NamesAVersionOneFile) {
  // Version 1: magic, length, then the header (no checksums).
  ModuleFixture f;
  std::string header = f.header.dump();
  std::vector<uint8_t> bytes(kModuleMagic, kModuleMagic + 8);
  for (int i = 0; i < 8; ++i)
    bytes.push_back(static_cast<uint8_t>(uint64_t(header.size()) >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), f.data.begin(), f.data.end());
  ModuleFile file;
  std::string error;
  EXPECT_FALSE(
      file.loadFromMemory(bytes.data(), bytes.size(), "old.mmod", error));
  EXPECT_CONTAINS(error, "old.mmod: written in version 1 of the module "
                         "format");
  EXPECT_CONTAINS(error, "compile the model again");
}

TEST(ModuleFileTest, EveryTruncationFailsCleanly) {
  std::vector<uint8_t> bytes = ModuleFixture().bytes();
  for (size_t n = 0; n < bytes.size(); ++n) {
    ModuleFile file;
    std::string error;
    EXPECT_FALSE(file.loadFromMemory(bytes.data(), n, "m", error)) << n;
    EXPECT_FALSE(error.empty()) << n;
    EXPECT_FALSE(file.isLoaded());
  }
}

TEST(ModuleFileTest, RandomCorruptionNeverCrashes) {
  std::vector<uint8_t> good = ModuleFixture().bytes();
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint8_t> bytes = good;
    int flips = 1 + trial % 4;
    for (int i = 0; i < flips; ++i)
      bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    ModuleFile file;
    std::string error;
    if (!file.loadFromMemory(bytes.data(), bytes.size(), "m", error)) {
      EXPECT_FALSE(error.empty());
    }
  }
}

TEST(ModuleFileTest, RejectsBadJson) {
  auto load = [](const std::string &header) {
    std::vector<uint8_t> bytes = assembleModuleFile(header, {});
    ModuleFile file;
    std::string error;
    EXPECT_FALSE(file.loadFromMemory(bytes.data(), bytes.size(), "m", error));
    return error;
  };
  EXPECT_CONTAINS(load("{"), "header is not valid JSON");
  EXPECT_CONTAINS(load(""), "header is not valid JSON");
  EXPECT_CONTAINS(load("[]"), "header: expected an object, got array");
  EXPECT_CONTAINS(load(std::string(100000, '[') + std::string(100000, ']')),
                  "header nests deeper than 256 levels");
  EXPECT_CONTAINS(load("{}"), "missing field 'format'");
  EXPECT_CONTAINS(load(R"({"format": "safetensors", "version": 1})"),
                  "expected 'mamba-module'");
  EXPECT_CONTAINS(load(R"({"format": "mamba-module", "version": 3})"),
                  "unsupported header.version");
  EXPECT_CONTAINS(load(R"({"format": "mamba-module", "version": 2})"),
                  "header: missing field 'images'");
  EXPECT_CONTAINS(
      load(R"({"format": "mamba-module", "version": 2, "images": {}})"),
      "header.images: expected an array, got object");
}

TEST(ModuleFileTest, AcceptsAModuleWithoutFunctions) {
  ModuleFixture f;
  f.header["functions"] = json::array();
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_TRUE(file.launchedModules().empty());
}

TEST(ModuleFileTest, RejectsBadImages) {
  {
    ModuleFixture f;
    f.header["images"][1]["size"] = 28;
    EXPECT_LOAD_ERROR(f, "images[1]: bytes [9, 9 + 28) run past the data "
                         "section of 36 bytes");
  }
  {
    ModuleFixture f;
    f.header["images"][1]["offset"] = 37;
    f.header["images"][1]["size"] = 1;
    EXPECT_LOAD_ERROR(f, "run past the data section");
  }
  {
    ModuleFixture f; // offset + size wraps around 2^64
    f.header["images"][1]["offset"] = 18446744073709551615ull;
    f.header["images"][1]["size"] = 2;
    EXPECT_LOAD_ERROR(f, "run past the data section");
  }
  {
    ModuleFixture f;
    f.header["images"][0]["offset"] = -1;
    EXPECT_LOAD_ERROR(f, "images[0].offset: expected an integer in [0, ");
  }
  {
    ModuleFixture f;
    f.header["images"][0]["size"] = 0;
    EXPECT_LOAD_ERROR(f, "images[0].size: an image cannot be empty");
  }
  {
    ModuleFixture f;
    f.header["images"][0]["kind"] = "fatbin";
    EXPECT_LOAD_ERROR(f, "unknown image kind 'fatbin'");
  }
  {
    ModuleFixture f;
    f.header["images"][0]["chip"] = "gfx90a";
    EXPECT_LOAD_ERROR(f, "images[0].chip: 'gfx90a' is not a chip name");
  }
  {
    ModuleFixture f;
    f.header["images"][0]["chip"] = "x86-64-v3";
    EXPECT_LOAD_ERROR(f, "images[0].kind: a cubin image cannot be for "
                         "x86-64-v3");
  }
  {
    ModuleFixture f;
    f.header["images"][0]["kind"] = "so";
    EXPECT_LOAD_ERROR(f, "images[0].kind: a so image cannot be for sm_90a");
  }
  {
    ModuleFixture f;
    f.header["images"][0].erase("module");
    EXPECT_LOAD_ERROR(f, "images[0]: missing field 'module'");
  }
  {
    ModuleFixture f;
    f.header["images"][1]["kind"] = "cubin";
    f.header["images"][1]["chip"] = "sm_90a";
    EXPECT_LOAD_ERROR(f, "images[1]: a second cubin image of module "
                         "'scan_kernel' for sm_90a");
  }
  {
    ModuleFixture f; // A NUL inside the PTX text would truncate it.
    f.data[12] = 0;
    EXPECT_LOAD_ERROR(f, "images[1]: PTX has a NUL byte at offset 3");
  }
  {
    ModuleFixture f; // Trailing NULs are harmless.
    f.data.push_back(0);
    f.data.push_back(0);
    f.header["images"][1]["size"] = 29;
    EXPECT_EQ(f.loadError(), "");
  }
}

TEST(ModuleFileTest, RejectsBadArguments) {
  {
    ModuleFixture f;
    f.function()["args"][1]["element"] = "f8";
    EXPECT_LOAD_ERROR(f, "functions[0].args[1].element: unknown element type "
                         "'f8'");
  }
  {
    ModuleFixture f;
    f.function()["args"][0]["shape"][1] = -2;
    EXPECT_LOAD_ERROR(f, "functions[0].args[0].shape[1]: expected a size of "
                         "at least 0, or -1");
  }
  {
    ModuleFixture f;
    f.function()["args"][0]["shape"][1] = 1.5;
    EXPECT_LOAD_ERROR(f, "args[0].shape[1]");
  }
  {
    ModuleFixture f;
    f.function()["args"][0]["shape"] = json(std::vector<int>(17, 1));
    EXPECT_LOAD_ERROR(f, "rank 17 is over the limit of 16");
  }
  {
    ModuleFixture f;
    f.function()["name"] = "";
    EXPECT_LOAD_ERROR(f, "functions[0].name: expected a non-empty string");
  }
  {
    ModuleFixture f;
    f.header["functions"].push_back(f.function());
    EXPECT_LOAD_ERROR(f, "functions[1].name: a second function named 'scan'");
  }
}

TEST(ModuleFileTest, RejectsBadExpressions) {
  auto withResultDim = [](const json &expr) {
    ModuleFixture f;
    f.function()["results"][0]["shape"][1] = expr;
    return f.loadError();
  };
  const std::string where = "functions[0].results[0].shape[1]";
  EXPECT_CONTAINS(withResultDim("64"), where + ": expected an integer");
  EXPECT_CONTAINS(withResultDim(-1), where + ": constant -1 is below "
                                             "the minimum of 0");
  EXPECT_CONTAINS(withResultDim(18446744073709551615ull),
                  "expected a 64-bit signed integer");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"dim": [2, 0]})")),
                  where + ": dim(2,0) names argument 2, but the "
                          "function has 2");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"dim": [1, 2]})")),
                  "dim(1,2) names dimension 2 of argument 1, which has "
                  "rank 2");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"dim": [0]})")),
                  "a dim expression is");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"dim": [0, -1]})")),
                  "a dim expression is");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"dim": [0, 1], "op": "add"})")),
                  "a dim expression is");
  EXPECT_CONTAINS(
      withResultDim(json::parse(R"({"op": "pow", "args": [1, 2]})")),
      where + ".op: unknown operation");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"op": "add", "args": [1]})")),
                  where + ".args: 'add' takes an array of exactly two");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"op": "add"})")),
                  "expected an integer, {\"dim\"");
  EXPECT_CONTAINS(
      withResultDim(json::parse(R"({"op": "add", "args": [1, "x"]})")),
      where + ".args[1]: expected an integer");
  EXPECT_CONTAINS(withResultDim(json::parse(R"({"size": 3})")),
                  "expected an integer, {\"dim\"");

  json deep = 1;
  for (int i = 0; i < 70; ++i)
    deep = json{{"op", "add"}, {"args", json::array({deep, 1})}};
  EXPECT_CONTAINS(withResultDim(deep), "nested deeper than 64 levels");
  json ok = 1;
  for (int i = 0; i < 60; ++i)
    ok = json{{"op", "add"}, {"args", json::array({ok, 1})}};
  EXPECT_EQ(withResultDim(ok), "");
}

TEST(ModuleFileTest, RejectsBadLaunches) {
  {
    ModuleFixture f;
    f.launch()["module"] = "other";
    EXPECT_LOAD_ERROR(f, "launches[0].module: no image holds gpu module "
                         "'other'");
  }
  {
    ModuleFixture f;
    f.launch()["grid"] = json::array({1, 1});
    EXPECT_LOAD_ERROR(f, "launches[0].grid: expected 3 expressions");
  }
  {
    ModuleFixture f;
    f.launch()["block"][0] = 0;
    EXPECT_LOAD_ERROR(f, "launches[0].block[0]: constant 0 is below the "
                         "minimum of 1");
  }
  {
    ModuleFixture f;
    f.launch().erase("shared_bytes");
    EXPECT_LOAD_ERROR(f, "launches[0]: missing field 'shared_bytes'");
  }
  {
    ModuleFixture f;
    f.launch()["kernel"] = 7;
    EXPECT_LOAD_ERROR(f, "launches[0].kernel: expected a non-empty string, "
                         "got number");
  }
  {
    ModuleFixture f;
    f.launch()["params"][0]["kind"] = "scalar";
    EXPECT_LOAD_ERROR(f, "params[0].kind: unknown parameter kind 'scalar'");
  }
  {
    ModuleFixture f;
    f.launch()["params"][0]["source"] = "constant";
    EXPECT_LOAD_ERROR(f, "params[0].source: unknown source 'constant'");
  }
  {
    ModuleFixture f;
    f.launch()["params"][1]["index"] = 2;
    EXPECT_LOAD_ERROR(f, "params[1].index: arg 2 does not exist: the "
                         "function has 2 args");
  }
  {
    ModuleFixture f;
    f.launch()["params"][2]["index"] = 1;
    EXPECT_LOAD_ERROR(f, "result 1 does not exist");
  }
  {
    ModuleFixture f;
    f.launch()["params"][1]["rank"] = 3;
    EXPECT_LOAD_ERROR(f, "params[1].rank: rank 3 does not match arg 1, which "
                         "has rank 2");
  }
  {
    ModuleFixture f;
    f.launch()["params"].erase(2);
    EXPECT_LOAD_ERROR(f, "functions[0].results[0]: no launch receives this "
                         "result");
  }
}

TEST(ModuleFileTest, ParsesChipNames) {
  Chip chip;
  ASSERT_TRUE(parseChip("sm_90a", chip));
  EXPECT_EQ(chip.major, 9u);
  EXPECT_EQ(chip.minor, 0u);
  EXPECT_EQ(chip.suffix, 'a');
  ASSERT_TRUE(parseChip("sm_86", chip));
  EXPECT_EQ(chip.major, 8u);
  EXPECT_EQ(chip.minor, 6u);
  EXPECT_EQ(chip.suffix, '\0');
  ASSERT_TRUE(parseChip("sm_120f", chip));
  EXPECT_EQ(chip.major, 12u);
  EXPECT_EQ(chip.minor, 0u);
  EXPECT_EQ(chip.suffix, 'f');
  EXPECT_EQ(chip.family, Chip::Family::Nvidia);
  ASSERT_TRUE(parseChip("x86-64", chip));
  EXPECT_EQ(chip.family, Chip::Family::X86_64);
  EXPECT_EQ(chip.major, 1u);
  ASSERT_TRUE(parseChip("x86-64-v4", chip));
  EXPECT_EQ(chip.family, Chip::Family::X86_64);
  EXPECT_EQ(chip.major, 4u);
  for (const char *bad :
       {"", "sm_", "sm_9", "sm_9a", "sm_09", "sm_90b", "sm_x0", "compute_90",
        "sm_12345", "sm_90aa", "x86-64-v1", "x86-64-v5", "x86-64-", "x86",
        "x86-64v3", "x86-64-v33"})
    EXPECT_FALSE(parseChip(bad, chip)) << bad;
}

TEST(ModuleFileTest, SelectsTheHighestHostLevelThatRuns) {
  ModuleFixture f;
  auto image = [](const char *module, const char *chip, const char *kind) {
    return json{{"module", module},
                {"chip", chip},
                {"kind", kind},
                {"offset", 0},
                {"size", 1}};
  };
  f.data = {'x'};
  f.header["images"] = json::array(
      {image("m", "x86-64-v3", "so"), image("m", "x86-64", "so"),
       image("m", "sm_90a", "cubin"), image("gpu", "sm_90a", "cubin"),
       image("m", "x86-64-v4", "so")});
  f.launch()["module"] = "m";
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  auto pick = [&](const char *module, unsigned level) -> std::string {
    const KernelImage *i = file.selectHostImage(module, level);
    return i ? i->chipName : "none";
  };
  EXPECT_EQ(pick("m", 4), "x86-64-v4");
  EXPECT_EQ(pick("m", 3), "x86-64-v3");
  EXPECT_EQ(pick("m", 2), "x86-64");
  EXPECT_EQ(pick("m", 1), "x86-64");
  EXPECT_EQ(pick("gpu", 4), "none"); // cubins are not host code
  // And host code is not GPU code.
  EXPECT_EQ(std::string(imageKindName(file.selectImage("m", 9, 0)->kind)),
            "cubin");
  f.header["images"] = json::array({image("m", "x86-64-v3", "so")});
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_EQ(file.selectImage("m", 9, 0), nullptr);
}

TEST(ModuleFileTest, SelectsTheBestImageForADevice) {
  ModuleFixture f;
  auto image = [](const char *chip, const char *kind) {
    return json{{"module", "m"},
                {"chip", chip},
                {"kind", kind},
                {"offset", 0},
                {"size", 1}};
  };
  f.data = {'x'};
  f.header["images"] =
      json::array({image("sm_90a", "cubin"), image("sm_90", "cubin"),
                   image("sm_80", "cubin"), image("sm_80", "ptx"),
                   image("sm_90a", "ptx"), image("sm_100f", "ptx")});
  f.launch()["module"] = "m";
  ModuleFile file;
  ASSERT_EQ(f.loadError(&file), "");
  auto pick = [&](unsigned major, unsigned minor) -> std::string {
    const KernelImage *i = file.selectImage("m", major, minor);
    return i ? std::string(imageKindName(i->kind)) + " " + i->chipName : "none";
  };
  EXPECT_EQ(pick(9, 0), "cubin sm_90a"); // arch-specific first
  EXPECT_EQ(pick(8, 6), "cubin sm_80");  // same major, lower minor
  EXPECT_EQ(pick(8, 0), "cubin sm_80");
  EXPECT_EQ(pick(10, 0), "ptx sm_100f"); // newest PTX that JITs
  EXPECT_EQ(pick(10, 3), "ptx sm_100f");
  EXPECT_EQ(pick(12, 0), "ptx sm_80"); // sm_90a and sm_100f PTX do not
  EXPECT_EQ(pick(7, 5), "none");
  EXPECT_EQ(file.selectImage("other", 9, 0), nullptr);

  // Without the arch-specific cubin, the plain one; without cubins for 9.x,
  // the arch-specific PTX, which is newer than sm_80's.
  f.header["images"].erase(0);
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_EQ(pick(9, 0), "cubin sm_90");
  f.header["images"].erase(0);
  ASSERT_EQ(f.loadError(&file), "");
  EXPECT_EQ(pick(9, 0), "ptx sm_90a");
}

TEST(ModuleFileTest, NamesElementTypes) {
  for (const char *name :
       {"i8", "i16", "i32", "i64", "f16", "bf16", "f32", "f64"}) {
    ElementType type;
    ASSERT_TRUE(parseElementType(name, type)) << name;
    EXPECT_STREQ(elementTypeName(type), name);
  }
  ElementType type;
  EXPECT_FALSE(parseElementType("BF16", type));
  EXPECT_EQ(elementTypeSize(ElementType::BF16), 2u);
  EXPECT_EQ(elementTypeSize(ElementType::F32), 4u);
  EXPECT_EQ(elementTypeSize(ElementType::I64), 8u);
}

TEST(ModuleFileTest, EncodesTheLayout) {
  std::vector<uint8_t> bytes = assembleModuleFile("{}", {1, 2});
  ASSERT_EQ(bytes.size(), 28u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "MAMBAMOD");
  EXPECT_EQ(bytes[8], 2);
  for (int i = 9; i < 16; ++i)
    EXPECT_EQ(bytes[i], 0);
  auto u32 = [&](size_t at) {
    return uint32_t(bytes[at]) | uint32_t(bytes[at + 1]) << 8 |
           uint32_t(bytes[at + 2]) << 16 | uint32_t(bytes[at + 3]) << 24;
  };
  const uint8_t header[] = {'{', '}'}, data[] = {1, 2};
  EXPECT_EQ(u32(16), crc32(header, 2));
  EXPECT_EQ(u32(20), crc32(data, 2));
  EXPECT_EQ(bytes[24], '{');
  EXPECT_EQ(bytes[27], 2);
}

TEST(ModuleFileTest, Crc32IsZlibs) {
  // The check value of CRC-32/ISO-HDLC (zlib's crc32), and in two parts.
  const std::string text = "123456789";
  const uint8_t *p = reinterpret_cast<const uint8_t *>(text.data());
  EXPECT_EQ(crc32(p, 9), 0xCBF43926u);
  EXPECT_EQ(crc32(p + 4, 5, crc32(p, 4)), 0xCBF43926u);
  EXPECT_EQ(crc32(p, 0), 0u);
}

} // namespace
} // namespace mamba::format
