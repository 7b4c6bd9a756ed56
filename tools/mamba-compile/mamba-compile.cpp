//===- mamba-compile.cpp - compile mamba IR into a module file ------------===//
//
// mamba-compile scan.mlir -o scan.mmod --chip=sm_90a,sm_80
// mamba-compile MODEL_DIR -o model.mlir --emit=mlir
//
// The input is mamba IR (.mlir) or a model directory (config.json and
// *.safetensors), which is imported first. The compile itself is the
// driver library's (mamba/Driver/Compile.h); this is its command line.
// --emit=mlir stops after the import instead.
//
//===----------------------------------------------------------------------===//

#include "mamba/Driver/Compile.h"
#include "mamba/Registration/RegisterMamba.h"
#include "mamba/Tuning/TuningDb.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;
namespace tiling = mlir::mamba::tiling;

// Only these options are listed by --help; LLVM's own stay usable but
// hidden.
static cl::OptionCategory compileCategory("mamba-compile options");

static cl::opt<std::string>
    inputFilename(cl::cat(compileCategory), cl::Positional,
                  cl::desc("<input .mlir or model directory>"), cl::Required);
static cl::opt<std::string> outputFilename(cl::cat(compileCategory), "o",
                                           cl::desc("Output .mmod file"),
                                           cl::value_desc("file"),
                                           cl::Required);
static cl::list<std::string> chips(cl::cat(compileCategory), "chip",
                                   cl::desc("Targets to compile for: GPU "
                                            "architectures (sm_90a, sm_80) "
                                            "or CPU levels (cpu: this "
                                            "machine's, x86-64-v3, ...)"),
                                   cl::CommaSeparated,
                                   cl::list_init<std::string>({"sm_90a"}));
static cl::alias targetAlias("target", cl::desc("Alias for --chip"),
                             cl::CommaSeparated, cl::aliasopt(chips),
                             cl::cat(compileCategory));
static cl::opt<std::string>
    emit(cl::cat(compileCategory), "emit",
         cl::desc("What to write: mmod (the compiled module) or mlir (the "
                  "input as mamba IR, after importing a model directory)"),
         cl::init("mmod"));
static cl::opt<std::string>
    dtype(cl::cat(compileCategory), "dtype",
          cl::desc("Compute type of an imported model: auto (the config's "
                   "torch_dtype, else the weights'), f32, bf16 or f16"),
          cl::init("auto"));
// The scan's tiles; unset, the target's default (TilingDefaults.h).
static cl::opt<int64_t>
    channelsPerBlock(cl::cat(compileCategory), "channels-per-block",
                     cl::desc("Scan channels per block (default: the "
                              "target's: 8 on a CPU, the vector lanes)"));
static cl::opt<int64_t>
    statesPerThread(cl::cat(compileCategory), "states-per-thread",
                    cl::desc("Scan states per GPU thread (0: all N)"));
static cl::opt<int64_t>
    chunkLength(cl::cat(compileCategory), "chunk-length",
                cl::desc("Scan timesteps per chunk (default: the target's)"));
static cl::opt<int64_t>
    sequenceSplits(cl::cat(compileCategory), "sequence-splits",
                   cl::desc("Scan sequence segments run by different GPU "
                            "blocks (1: none)"));
static cl::opt<bool> ssdTensorCores(
    cl::cat(compileCategory), "ssd-tensor-cores",
    cl::desc("Mamba-2's 16-bit SSD scans as chunked tensor-core products "
             "(sm_80 on; opt-in until it has run on a GPU); false: the "
             "per-step recurrence"),
    cl::init(false));
static cl::opt<int64_t>
    ssdChunk(cl::cat(compileCategory), "ssd-chunk",
             cl::desc("SSD positions per chunk, a multiple of 16 (0: the "
                      "largest of 64, 32, 16 that fits shared memory)"),
             cl::init(0));
static cl::opt<int64_t> ssdChannelBlock(
    cl::cat(compileCategory), "ssd-channel-block",
    cl::desc("SSD channels of a head per GPU block, a multiple of 16 "
             "dividing the head dimension (0: up to 64)"),
    cl::init(0));
static cl::opt<bool> promote(cl::cat(compileCategory), "promote",
                             cl::desc("Stage B/C chunks in shared memory"),
                             cl::init(true));
static cl::opt<bool>
    doubleBuffer(cl::cat(compileCategory), "double-buffer",
                 cl::desc("Load each scan chunk while the previous one is "
                          "computed (two shared buffers per staged tile)"),
                 cl::init(true));
static cl::opt<int64_t>
    maxRegisters(cl::cat(compileCategory), "max-registers",
                 cl::desc("Registers per thread of each kernel (0: ptxas "
                          "decides)"),
                 cl::init(0));
static cl::opt<bool>
    flushDenormals(cl::cat(compileCategory), "ftz",
                   cl::desc("Flush f32 denormals to zero in kernels (one "
                            "instruction per exp2, as nvcc --use_fast_math)"),
                   cl::init(true));
static cl::opt<std::string> toolkit(cl::cat(compileCategory), "toolkit",
                                    cl::desc("CUDA toolkit (libdevice, ptxas)"),
                                    cl::init("/usr/local/cuda"));

static cl::opt<std::string> tuningDb(
    cl::cat(compileCategory), "tuning-db",
    cl::desc("mamba-tune's database: scans of a signature it has an entry "
             "for (for the target) get its tiling unless tiling options "
             "are given"),
    cl::value_desc("file"));
static cl::opt<bool>
    noTuningDb(cl::cat(compileCategory), "no-tuning-db",
               cl::desc("Without --tuning-db, do not use the shipped databases "
                        "(tuning/): the targets' default tilings"),
               cl::init(false));
static cl::opt<std::string> tuningBucket(
    cl::cat(compileCategory), "tuning-bucket",
    cl::desc("The shape to choose database entries for, BATCHxLENGTH: the "
             "entry of the nearest bucket (default 1x2048)"),
    cl::init("1x2048"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(compileCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "mamba-compile: mamba IR to a module file\n");
  if (emit != "mmod" && emit != "mlir") {
    llvm::errs() << "mamba-compile: unknown --emit=" << emit
                 << ": expected mmod or mlir\n";
    return 1;
  }

  DialectRegistry registry;
  mlir::mamba::registerAllMambaDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  OwningOpRef<ModuleOp> module = mlir::mamba::loadCompileInput(
      &context, inputFilename, dtype, sourceMgr, error);
  if (!module) {
    if (!error.empty())
      llvm::errs() << "mamba-compile: " << error << "\n";
    return 1;
  }

  // The output is opened only once there is something to write, so a
  // failed compile leaves no file behind.
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  if (emit == "mlir") {
    module->print(os);
    os << "\n";
  } else {
    mlir::mamba::CompileOptions options;
    options.chips.assign(chips.begin(), chips.end());
    auto given = [](const cl::opt<int64_t> &option) {
      return option.getNumOccurrences() ? std::optional<int64_t>(option)
                                        : std::nullopt;
    };
    options.channelsPerBlock = given(channelsPerBlock);
    options.statesPerThread = given(statesPerThread);
    options.chunkLength = given(chunkLength);
    options.sequenceSplits = given(sequenceSplits);
    options.ssdTensorCores = ssdTensorCores;
    options.ssdChunk = ssdChunk;
    options.ssdChannelBlock = ssdChannelBlock;
    options.promote = promote;
    options.doubleBuffer = doubleBuffer;
    options.maxRegisters = maxRegisters;
    options.flushDenormals = flushDenormals;
    options.toolkit = toolkit;
    options.tuningDb = tuningDb;
    options.shippedTuning = !noTuningDb;
    ::mamba::tuning::Bucket bucket;
    if (!::mamba::tuning::parseBucket(tuningBucket, bucket)) {
      llvm::errs() << "mamba-compile: --tuning-bucket=" << tuningBucket
                   << ": expected BATCHxLENGTH, like 1x2048\n";
      return 1;
    }
    options.tuningBatch = bucket.batch;
    options.tuningLength = bucket.length;
    std::vector<std::string> notes;
    options.tuningNotes = &notes;
    LogicalResult compiled =
        mlir::mamba::compileToModuleFile(*module, options, os, error);
    for (const std::string &note : notes)
      llvm::errs() << "mamba-compile: tuning: " << note << "\n";
    if (failed(compiled)) {
      llvm::errs() << "mamba-compile: " << error << "\n";
      return 1;
    }
  }
  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "mamba-compile: " << error << "\n";
    return 1;
  }
  output->os() << bytes;
  output->keep();
  return 0;
}
