//===- Compile.cpp - The compile driver, as a library call ----------------===//

#include "mamba/Driver/Compile.h"

#include "mamba/Codegen/CPU/HostKernels.h"
#include "mamba/Conversion/MambaToKernels/TunedTilings.h"
#include "mamba/Dialect/Mamba/IR/Mamba2Ops.h"
#include "mamba/Dialect/Mamba/IR/MambaOps.h"
#include "mamba/Dialect/Mamba/Pipelines/Pipelines.h"
#include "mamba/Dialect/Mamba/Transforms/Passes.h"
#include "mamba/Import/ModelImporter.h"
#include "mamba/Target/ModelPlan.h"
#include "mamba/Target/ModuleFile.h"
#include "mamba/Tuning/TuningDb.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace mlir::mamba {

namespace {

/// The scan tiles' channels when the caller chose none: the target's
/// default, halved until it divides the channels per group d / G of every
/// grouped scan in `module` (a block reads one group's B and C), so that a
/// shape like d / G = 12 compiles without tiling options. A value the
/// caller chose is used as given, and refused where it does not fit.
int64_t fitChannelsPerBlock(ModuleOp module, int64_t preferred) {
  int64_t fit = preferred;
  module.walk([&](SelectiveScanOp op) {
    auto u = cast<ShapedType>(op.getU().getType());
    auto bType = cast<ShapedType>(op.getB().getType());
    if (bType.getRank() != 4 || u.isDynamicDim(1) || bType.isDynamicDim(1) ||
        bType.getDimSize(1) < 1)
      return;
    const int64_t perGroup = u.getDimSize(1) / bType.getDimSize(1);
    while (fit > 1 && perGroup % fit != 0)
      fit /= 2;
  });
  return fit;
}

/// A database entry as the scan passes' tuned tiling.
TunedTiling tunedTilingOf(const ::mamba::tuning::Entry &e) {
  ::mamba::tuning::ScanFields f = ::mamba::tuning::scanFields(e);
  TunedTiling t;
  t.signature = {f.d, f.N, f.G, e.dtype};
  t.channelsPerBlock = f.channelsPerBlock;
  t.statesPerThread = f.statesPerThread;
  t.chunkLength = f.chunkLength;
  t.sequenceSplits = f.sequenceSplits;
  return t;
}

/// A database entry as mamba-tile-ssd-chunked's tuned kernel.
TunedSsd tunedSsdOf(const ::mamba::tuning::Entry &e) {
  ::mamba::tuning::SsdFields f = ::mamba::tuning::ssdFields(e);
  TunedSsd t;
  t.signature = {f.H, f.P, f.N, f.G, e.dtype};
  t.tensorCores = f.tensorCores != 0;
  t.chunk = f.chunk;
  t.channelBlock = f.channelBlock;
  return t;
}

/// What the tuning databases chose for a module on one target, as the
/// passes' options.
struct TunedChoices {
  /// The scan tiling passes' `tuned` and `tuned-split`.
  llvm::SmallVector<std::string> scans, splitScans;
  /// The GPU pipeline's `ssd-tuned`.
  llvm::SmallVector<std::string> ssds;
  /// The databases whose entries were taken (empty when none was), for the
  /// error when an entry does not fit its op.
  std::string from;
};

/// The tuned choices for `module`'s scans on `target` from the compile
/// options' database: selective_scan tilings unless a tiling option is set
/// (the caller's choice wins), and on a GPU ssd_scan kernels unless an SSD
/// option is set (the CPU has one SSD kernel: nothing to choose). With
/// `split` (a GPU model, whose scans have a split-sequence variant the
/// runtime picks for batches too small to fill the GPU), each scan variant
/// gets its own: `scans` the entry nearest batch 16 and `splitScans` the one
/// nearest batch 1, both at --tuning-bucket's length. The SSD has no split
/// variant: its entry is the one nearest --tuning-bucket, models included.
LogicalResult tunedChoicesFor(const CompileOptions &compile, ModuleOp module,
                              const std::string &target, bool gpu, bool split,
                              TunedChoices &out, std::string &error) {
  out = TunedChoices();
  auto note = [&](const std::string &text) {
    if (compile.tuningNotes)
      compile.tuningNotes->push_back(text);
  };
  // Only the module's ops' entries: the notes then say what was used. A
  // model's Mamba-2 mixers are ssd_scan ops by now (compileToModuleFile runs
  // the frontend before planning); kernel-only input cannot hold a
  // mamba.mixer2, whose GEMMs the kernel check refuses. So the ssd_scan ops
  // are all there is to look at.
  std::vector<ScanSignature> scans;
  module.walk([&](SelectiveScanOp scan) {
    std::optional<ScanSignature> signature = scanSignature(scan);
    if (signature && llvm::find(scans, *signature) == scans.end())
      scans.push_back(*signature);
  });
  std::vector<SsdSignature> ssds;
  module.walk([&](SsdScanOp scan) {
    std::optional<SsdSignature> signature = ssdSignature(scan);
    if (signature && llvm::find(ssds, *signature) == ssds.end())
      ssds.push_back(*signature);
  });
  const bool tilingGiven = compile.channelsPerBlock ||
                           compile.statesPerThread || compile.chunkLength ||
                           compile.sequenceSplits;
  const bool ssdGiven =
      compile.ssdTensorCores || compile.ssdChunk || compile.ssdChannelBlock;
  const bool ssdTunable = gpu && !ssds.empty();
  const bool useScans = !tilingGiven && !scans.empty(),
             useSsds = ssdTunable && !ssdGiven;
  // The databases to read: the one asked for (unless options set all of
  // it aside; with nothing to use it says so), else the shipped ones.
  std::vector<std::string> paths;
  if (!compile.tuningDb.empty()) {
    if (tilingGiven)
      note("tiling options given: the tuning database is not used for "
           "selective_scan");
    if (ssdTunable && ssdGiven)
      note("SSD options given: the tuning database is not used for ssd_scan");
    if (useScans || useSsds || !(tilingGiven || (ssdTunable && ssdGiven)))
      paths.push_back(compile.tuningDb);
  } else if (compile.shippedTuning && (useScans || useSsds)) {
    // GPU targets too: on an H100 the sm_90a database's tilings made the
    // 130m, 1.4b and 2.8b models' bf16 prefill up to 26% faster than the
    // defaults (bench/RESULTS.md, "Shipped tuning inside whole models").
    std::error_code code;
    for (llvm::sys::fs::directory_iterator it(shippedTuningDir(), code), end;
         it != end && !code; it.increment(code))
      if (llvm::StringRef(it->path()).ends_with(".json"))
        paths.push_back(it->path());
    std::sort(paths.begin(), paths.end());
  }
  // "selective_scan 24:16:2:f32=12:8:16:1 for sm_90a (bucket 1x1024: ...)".
  auto chosen = [&](const ::mamba::tuning::Entry &e, const std::string &choice,
                    const char *role) {
    char times[96];
    std::snprintf(times, sizeof(times), "%.4g ms against %.4g ms by default",
                  e.ms, e.defaultMs);
    return e.op + " " + choice + role + " for " + target + " (bucket " +
           std::to_string(e.bucket.batch) + "x" +
           std::to_string(e.bucket.length) + ": " + times + ")";
  };
  for (const std::string &path : paths) {
    ::mamba::tuning::Database db;
    if (!db.read(path, error))
      return failure();
    std::vector<std::string> notes;
    bool any = false;
    std::string device; // the machine the entries were measured on
    auto taken = [&](const std::vector<::mamba::tuning::Entry> &entries) {
      any |= !entries.empty();
      if (device.empty() && !entries.empty())
        device = entries.front().device;
    };
    if (useScans) {
      // What each list is chosen for: one bucket, or a model's two regimes.
      std::vector<
          std::pair<::mamba::tuning::Bucket, llvm::SmallVector<std::string> *>>
          lists;
      if (split) {
        lists = {{{16, compile.tuningLength}, &out.scans},
                 {{1, compile.tuningLength}, &out.splitScans}};
      } else {
        lists = {{{compile.tuningBatch, compile.tuningLength}, &out.scans}};
      }
      for (auto &[bucket, list] : lists) {
        // A model's second look-up would repeat the first's notes on
        // ignored entries.
        std::vector<std::string> ignored;
        std::vector<::mamba::tuning::Entry> entries =
            db.select(target, "selective_scan", bucket,
                      list == &out.scans ? notes : ignored);
        llvm::erase_if(entries, [&](const ::mamba::tuning::Entry &e) {
          return llvm::find(scans, tunedTilingOf(e).signature) == scans.end();
        });
        taken(entries);
        const char *role = !split                    ? ""
                           : list == &out.splitScans ? " (split variant)"
                                                     : " (large batches)";
        for (const ::mamba::tuning::Entry &e : entries) {
          list->push_back(formatTunedTiling(tunedTilingOf(e)));
          notes.push_back(chosen(e, list->back(), role));
        }
      }
    }
    if (useSsds) {
      std::vector<::mamba::tuning::Entry> entries =
          db.select(target, "ssd_scan",
                    {compile.tuningBatch, compile.tuningLength}, notes);
      llvm::erase_if(entries, [&](const ::mamba::tuning::Entry &e) {
        return llvm::find(ssds, tunedSsdOf(e).signature) == ssds.end();
      });
      taken(entries);
      for (const ::mamba::tuning::Entry &e : entries) {
        out.ssds.push_back(formatTunedSsd(tunedSsdOf(e)));
        notes.push_back(chosen(e, out.ssds.back(), ""));
      }
    }
    if (!any && compile.tuningDb.empty())
      continue; // a shipped database for other machines or scans
    if (!any)
      note("the tuning database " + path +
           " has no entry for this module's "
           "scans on " +
           target + ": default tilings");
    out.from += (out.from.empty() ? "" : ", ") + path;
    if (compile.tuningDb.empty())
      note("the shipped database " + path + " has entries for " + target +
           " (measured on " + device + ")");
    for (const std::string &n : notes)
      note(n);
  }
  return success();
}

/// What a failed lowering adds when a tuning database chose tilings (of
/// selective_scan or ssd_scan): a database written by hand or for another
/// compiler may hold a tiling that does not fit the scan, and the pass's
/// error does not name the database.
std::string untunableNote(const std::string &from) {
  return "scan tilings came from the tuning database " + from +
         "; if the error above is about a tiling, that database's entry does "
         "not fit this scan (fix or remove it, or compile with "
         "--no-tuning-db; in Python, tuning_db=False)";
}

/// Lowers `input` for `chip` once and serializes the lowered kernels in each
/// of `formats`: the lowering (tiling to NVVM) is the same for a cubin and
/// PTX, only the last step differs.
LogicalResult compileForChip(ModuleOp input, const CompileOptions &compile,
                             StringRef chip, ArrayRef<StringRef> formats,
                             SmallVectorImpl<OwningOpRef<ModuleOp>> &out) {
  MambaGpuPipelineOptions options;
  options.channelsPerBlock = compile.channelsPerBlock.value_or(
      fitChannelsPerBlock(input, tiling::kScanChannelsPerBlock));
  options.statesPerThread =
      compile.statesPerThread.value_or(tiling::kScanStatesPerThread);
  options.chunkLength = compile.chunkLength.value_or(tiling::kScanChunkLength);
  options.sequenceSplits =
      compile.sequenceSplits.value_or(tiling::kScanSequenceSplits);
  options.ssdTensorCores = compile.ssdTensorCores;
  options.ssdChunk = compile.ssdChunk;
  options.ssdChannelBlock = compile.ssdChannelBlock;
  options.promote = compile.promote;
  options.doubleBuffer = compile.doubleBuffer;
  options.maxRegisters = compile.maxRegisters;
  options.flushDenormals = compile.flushDenormals;
  options.chip = chip.str();
  options.toolkit = compile.toolkit;
  // A model's scans have split-sequence variants: each variant its tiling.
  bool model = false;
  input.walk([&](SelectiveScanOp scan) {
    model |= scan->hasAttr(kSplitVariantScanAttr);
  });
  TunedChoices tuned;
  std::string error;
  if (failed(tunedChoicesFor(compile, input, chip.str(), /*gpu=*/true, model,
                             tuned, error)))
    return input.emitError() << error;
  options.tunedTilings = tuned.scans;
  options.tunedSplitTilings = tuned.splitScans;
  options.ssdTuned = tuned.ssds;
  OwningOpRef<ModuleOp> lowered = input.clone();
  PassManager lowering(input.getContext());
  buildMambaGpuLowering(lowering, options);
  if (failed(lowering.run(*lowered))) {
    if (!tuned.from.empty())
      return input.emitError() << untunableNote(tuned.from);
    return failure();
  }
  for (StringRef format : formats) {
    OwningOpRef<ModuleOp> module = lowered->clone();
    options.format = format.str();
    PassManager serialization(input.getContext());
    buildMambaGpuSerialization(serialization, options);
    if (failed(serialization.run(*module)))
      return failure();
    out.push_back(std::move(module));
  }
  return success();
}

bool isModel(ModuleOp module) {
  bool model = false;
  module->walk([&](func::FuncOp func) {
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      model |= bool(func.getArgAttr(i, "mamba.input"));
  });
  return model;
}

} // namespace

OwningOpRef<ModuleOp> loadCompileInput(MLIRContext *context,
                                       const std::string &path,
                                       const std::string &dtype,
                                       llvm::SourceMgr &sourceMgr,
                                       std::string &error) {
  error.clear();
  if (llvm::sys::fs::is_directory(path)) {
    ModelImportOptions importOptions;
    importOptions.dtype = dtype;
    return importModel(context, path, importOptions, error);
  }
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(path, &error);
  if (!input)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, context);
}

const char *shippedTuningDir() { return MAMBA_SHIPPED_TUNING_DIR; }

LogicalResult compileToModuleFile(ModuleOp module,
                                  const CompileOptions &options,
                                  llvm::raw_ostream &os, std::string &error) {
  // Host CPU levels and GPU chips; "cpu" is this machine's level.
  std::vector<std::string> gpuChips, cpuLevels;
  for (const std::string &chip : options.chips) {
    ::mamba::format::Chip parsed;
    if (chip == "cpu")
      cpuLevels.push_back(hostCpuLevel());
    else if (::mamba::format::parseChip(chip, parsed) &&
             parsed.family == ::mamba::format::Chip::Family::X86_64)
      cpuLevels.push_back(chip);
    else
      gpuChips.push_back(chip);
  }
  // "cpu" may name a level also given by name: each level once.
  std::sort(cpuLevels.begin(), cpuLevels.end());
  cpuLevels.erase(std::unique(cpuLevels.begin(), cpuLevels.end()),
                  cpuLevels.end());
  if (!cpuLevels.empty() && !gpuChips.empty()) {
    error = "a module holds code for GPUs or for CPUs, not both yet (their "
            "launches differ): compile --target " +
            gpuChips.front() + " and --target " + cpuLevels.front() +
            " into two modules";
    return failure();
  }
  // The kernels use cp.async and CUDA 13's ptxas accepts nothing older:
  // refuse other chips here rather than let the NVPTX backend abort.
  for (const std::string &chip : gpuChips) {
    std::optional<unsigned> capability = chipComputeCapability(chip);
    if (!capability || *capability < 80) {
      error = "unsupported chip '" + chip +
              "': expected sm_80 or newer, like sm_80, sm_86, sm_89, sm_90, "
              "sm_90a, sm_100a or sm_120, or a CPU: cpu (this machine's "
              "level), x86-64, x86-64-v2, x86-64-v3 or x86-64-v4";
      return failure();
    }
  }
  if (options.chips.empty()) {
    error = "no chip to compile for";
    return failure();
  }

  // A model (functions with mamba.input arguments) is planned first: its
  // kernel ops are outlined into kernel functions, compiled like any other
  // input; its GEMMs, views and kernel calls go to the plan.
  OwningOpRef<ModuleOp> planned;
  std::optional<format::ModelSpec> model;
  if (isModel(module)) {
    // The CPU target has no split-sequence scan variant.
    const bool cpu = !cpuLevels.empty();
    PassManager frontend(module.getContext());
    MambaPipelineOptions pipeline;
    buildMambaPipeline(frontend, pipeline);
    MambaOutlineKernelsOptions outline;
    outline.splitVariants = !cpu;
    frontend.addPass(createMambaOutlineKernels(outline));
    if (failed(frontend.run(module))) {
      error = "the model's frontend passes failed";
      return failure();
    }
    FailureOr<ModelPlan> plan = planModel(module);
    if (failed(plan)) {
      error = "planning the model failed";
      return failure();
    }
    model = std::move(plan->model);
    planned = std::move(plan->kernels);
    module = *planned;
  }

  if (!cpuLevels.empty()) {
    // One lowering for every level: only the machine code differs.
    OwningOpRef<ModuleOp> lowered = module.clone();
    if (options.statesPerThread || options.sequenceSplits) {
      error = std::string(options.statesPerThread ? "states-per-thread"
                                                  : "sequence-splits") +
              " is a GPU tiling option: the CPU target keeps every state of "
              "a channel in one block and does not split the sequence";
      return failure();
    }
    MambaCpuPipelineOptions cpuOptions;
    cpuOptions.channelsPerBlock = options.channelsPerBlock.value_or(
        fitChannelsPerBlock(module, tiling::kCpuScanChannelsPerBlock));
    cpuOptions.chunkLength =
        options.chunkLength.value_or(tiling::kCpuScanChunkLength);
    // The levels share one lowering: the database's entries for the
    // highest level asked for.
    TunedChoices tuned;
    if (failed(tunedChoicesFor(options, module, cpuLevels.back(),
                               /*gpu=*/false, /*split=*/false, tuned, error)))
      return failure();
    cpuOptions.tunedTilings = tuned.scans;
    PassManager lowering(module.getContext());
    buildMambaCpuLowering(lowering, cpuOptions);
    if (failed(lowering.run(*lowered))) {
      error = "tiling for the CPU failed";
      if (!tuned.from.empty())
        error += ": " + untunableNote(tuned.from);
      return failure();
    }
    std::vector<HostImage> images;
    for (const std::string &level : cpuLevels) {
      FailureOr<std::vector<HostImage>> compiled =
          compileHostKernels(*lowered, level);
      if (failed(compiled)) {
        error = "compiling host code for " + level + " failed";
        return failure();
      }
      for (HostImage &image : *compiled)
        images.push_back(std::move(image));
    }
    if (failed(writeModuleFile(*lowered, {}, os, model ? &*model : nullptr,
                               images))) {
      error = "writing the module file failed";
      return failure();
    }
    return success();
  }

  // The first compilation provides the host functions; every compilation
  // its images (a cubin and PTX per chip).
  SmallVector<OwningOpRef<ModuleOp>> compiled;
  for (const std::string &chip : gpuChips) {
    if (failed(
            compileForChip(module, options, chip, {"bin", "isa"}, compiled))) {
      error = "compiling for " + chip + " failed";
      return failure();
    }
  }
  SmallVector<ModuleOp> extra;
  for (size_t i = 1; i < compiled.size(); ++i)
    extra.push_back(*compiled[i]);
  if (failed(writeModuleFile(*compiled.front(), extra, os,
                             model ? &*model : nullptr))) {
    error = "writing the module file failed";
    return failure();
  }
  return success();
}

} // namespace mlir::mamba
