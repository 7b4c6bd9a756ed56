//===- mamba-compile.cpp - compile mamba IR into a module file ------------===//
//
// mamba-compile scan.mlir -o scan.mmod --chip=sm_90a,sm_80
// mamba-compile MODEL_DIR -o model.mlir --emit=mlir
//
// The input is mamba IR (.mlir) or a model directory (config.json and
// *.safetensors), which is imported first. Runs mamba-gpu-pipeline once per
// chip and image kind (cubin, PTX) and writes the host replay plan and every
// image into one .mmod file; --emit=mlir stops after the import instead.
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"
#include "mamba/Import/ModelImporter.h"
#include "mamba/Registration/RegisterMamba.h"
#include "mamba/Target/ModelPlan.h"
#include "mamba/Target/ModuleFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
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
                                   cl::desc("GPU architectures to compile for"),
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
static cl::opt<int64_t> channelsPerBlock(cl::cat(compileCategory),
                                         "channels-per-block",
                                         cl::desc("Scan channels per block"),
                                         cl::init(tiling::kScanChannelsPerBlock));
static cl::opt<int64_t>
    statesPerThread(cl::cat(compileCategory), "states-per-thread",
                    cl::desc("Scan states per thread (0: all N)"),
                    cl::init(tiling::kScanStatesPerThread));
static cl::opt<int64_t> chunkLength(cl::cat(compileCategory), "chunk-length",
                                    cl::desc("Scan timesteps per chunk"),
                                    cl::init(tiling::kScanChunkLength));
static cl::opt<int64_t>
    sequenceSplits(cl::cat(compileCategory), "sequence-splits",
                   cl::desc("Scan sequence segments run by different blocks "
                            "(1: none)"),
                   cl::init(tiling::kScanSequenceSplits));
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

/// Compiles `input` for `chip` once and serializes the lowered kernels in
/// each of `formats`: the lowering (tiling to NVVM) is the same for a cubin
/// and PTX, only the last step differs.
static LogicalResult compile(ModuleOp input, StringRef chip,
                             ArrayRef<StringRef> formats,
                             SmallVectorImpl<OwningOpRef<ModuleOp>> &out) {
  mlir::mamba::MambaGpuPipelineOptions options;
  options.channelsPerBlock = channelsPerBlock;
  options.statesPerThread = statesPerThread;
  options.chunkLength = chunkLength;
  options.sequenceSplits = sequenceSplits;
  options.promote = promote;
  options.doubleBuffer = doubleBuffer;
  options.maxRegisters = maxRegisters;
  options.flushDenormals = flushDenormals;
  options.chip = chip.str();
  options.toolkit = toolkit;
  OwningOpRef<ModuleOp> lowered = input.clone();
  PassManager lowering(input.getContext());
  mlir::mamba::buildMambaGpuLowering(lowering, options);
  if (failed(lowering.run(*lowered)))
    return failure();
  for (StringRef format : formats) {
    OwningOpRef<ModuleOp> module = lowered->clone();
    options.format = format.str();
    PassManager serialization(input.getContext());
    mlir::mamba::buildMambaGpuSerialization(serialization, options);
    if (failed(serialization.run(*module)))
      return failure();
    out.push_back(std::move(module));
  }
  return success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(compileCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "mamba-compile: mamba IR to a module file\n");

  DialectRegistry registry;
  mlir::mamba::registerAllMambaDialects(registry);
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  std::string error;
  if (emit != "mmod" && emit != "mlir") {
    llvm::errs() << "mamba-compile: unknown --emit=" << emit
                 << ": expected mmod or mlir\n";
    return 1;
  }
  OwningOpRef<ModuleOp> module;
  if (llvm::sys::fs::is_directory(inputFilename)) {
    mlir::mamba::ModelImportOptions importOptions;
    importOptions.dtype = dtype;
    module = mlir::mamba::importModel(&context, inputFilename, importOptions, error);
    if (!module) {
      llvm::errs() << "mamba-compile: " << error << "\n";
      return 1;
    }
  } else {
    std::unique_ptr<llvm::MemoryBuffer> input =
        openInputFile(inputFilename, &error);
    if (!input) {
      llvm::errs() << "mamba-compile: " << error << "\n";
      return 1;
    }
    sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (!module)
      return 1;
  }

  if (emit == "mlir") {
    auto output = openOutputFile(outputFilename, &error);
    if (!output) {
      llvm::errs() << "mamba-compile: " << error << "\n";
      return 1;
    }
    module->print(output->os());
    output->os() << "\n";
    output->keep();
    return 0;
  }

  // The kernels use cp.async and CUDA 13's ptxas accepts nothing older:
  // refuse other chips here rather than let the NVPTX backend abort.
  for (const std::string &chip : chips) {
    std::optional<unsigned> capability = mlir::mamba::chipComputeCapability(chip);
    if (!capability || *capability < 80) {
      llvm::errs() << "mamba-compile: unsupported chip '" << chip
                   << "': expected sm_80 or newer, like sm_80, sm_86, sm_89, "
                      "sm_90, sm_90a, sm_100a or sm_120\n";
      return 1;
    }
  }

  // A model (functions with mamba.input arguments) is planned first: its
  // GEMMs and views go to the plan, its kernel ops to kernel functions that
  // are compiled like any other input.
  std::optional<mlir::mamba::ModelPlan> plan;
  bool isModel = false;
  module->walk([&](func::FuncOp func) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      isModel |= bool(func.getArgAttr(i, "mamba.input"));
  });
  if (isModel) {
    PassManager frontend(&context);
    mlir::mamba::buildMambaPipeline(frontend, mlir::mamba::MambaPipelineOptions());
    if (failed(frontend.run(*module))) {
      llvm::errs() << "mamba-compile: the model's frontend passes failed\n";
      return 1;
    }
    FailureOr<mlir::mamba::ModelPlan> planned = mlir::mamba::planModel(*module);
    if (failed(planned)) {
      llvm::errs() << "mamba-compile: planning the model failed\n";
      return 1;
    }
    plan = std::move(*planned);
    module = std::move(plan->kernels);
  }

  // The first compilation provides the host plan; every compilation its
  // images (a cubin and PTX per chip).
  SmallVector<OwningOpRef<ModuleOp>> compiled;
  for (const std::string &chip : chips) {
    if (failed(compile(*module, chip, {"bin", "isa"}, compiled))) {
      llvm::errs() << "mamba-compile: compiling for " << chip << " failed\n";
      return 1;
    }
  }
  SmallVector<ModuleOp> extra;
  for (size_t i = 1; i < compiled.size(); ++i)
    extra.push_back(*compiled[i]);

  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "mamba-compile: " << error << "\n";
    return 1;
  }
  if (failed(mlir::mamba::writeModuleFile(*compiled.front(), extra, output->os(),
                                    plan ? &plan->model : nullptr)))
    return 1;
  output->keep();
  return 0;
}
