//===- HostKernels.cpp - gpu.module kernels as host shared objects -------===//

#include "mamba/Codegen/CPU/HostKernels.h"
#include "mamba/Codegen/CPU/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace {

/// The prefix of the internal function holding a kernel's body; the
/// kernel's own name is the exported entry.
constexpr llvm::StringLiteral kBodyPrefix = "__mamba_body_";
/// A body's trailing arguments: block index x, y, z, grid size x, y, z.
constexpr unsigned kLaunchArgs = 6;

/// Copies kernel `kernel` into `out` as a func.func of its buffers and the
/// block index and grid size, with the gpu ops a block of one thread needs
/// answered from those.
LogicalResult addBody(gpu::GPUFuncOp kernel, ModuleOp out) {
  OpBuilder b = OpBuilder::atBlockEnd(out.getBody());
  SmallVector<Type> inputs(kernel.getFunctionType().getInputs());
  inputs.append(kLaunchArgs, b.getIndexType());
  auto body = func::FuncOp::create(b, kernel.getLoc(),
                                   (kBodyPrefix + kernel.getName()).str(),
                                   b.getFunctionType(inputs, {}));
  body.setPrivate();
  IRMapping mapping;
  kernel.getBody().cloneInto(&body.getBody(), mapping);
  Block &entry = body.getBody().front();
  SmallVector<Value> launch;
  for (unsigned i = 0; i < kLaunchArgs; ++i)
    launch.push_back(entry.addArgument(b.getIndexType(), kernel.getLoc()));

  SmallVector<Operation *> gpuOps;
  body.walk([&](Operation *op) {
    if (isa<gpu::GPUDialect>(op->getDialect()))
      gpuOps.push_back(op);
  });
  for (Operation *op : gpuOps) {
    OpBuilder at(op);
    auto dimIndex = [](gpu::Dimension d) { return static_cast<unsigned>(d); };
    Value replacement;
    if (auto id = dyn_cast<gpu::BlockIdOp>(op))
      replacement = launch[dimIndex(id.getDimension())];
    else if (auto grid = dyn_cast<gpu::GridDimOp>(op))
      replacement = launch[3 + dimIndex(grid.getDimension())];
    else if (isa<gpu::ThreadIdOp>(op))
      replacement = arith::ConstantIndexOp::create(at, op->getLoc(), 0);
    else if (isa<gpu::BlockDimOp>(op))
      replacement = arith::ConstantIndexOp::create(at, op->getLoc(), 1);
    if (replacement) {
      op->getResult(0).replaceAllUsesWith(replacement);
      op->erase();
      continue;
    }
    if (isa<gpu::BarrierOp>(op)) { // one thread: nothing to wait for
      op->erase();
      continue;
    }
    if (isa<gpu::ReturnOp>(op)) {
      func::ReturnOp::create(at, op->getLoc());
      op->erase();
      continue;
    }
    return op->emitOpError()
           << "has no host form: kernel '" << kernel.getName()
           << "' was tiled for a GPU (the CPU target runs one thread per "
              "block)";
  }
  WalkResult shared = body.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto memref = dyn_cast<MemRefType>(t))
        if (memref.getMemorySpace())
          return op->emitOpError()
                     << "uses GPU memory (" << memref.getMemorySpace()
                     << ") that the CPU target has no form of",
                 WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(shared.wasInterrupted());
}

/// Adds the exported entry of every body: it reads the buffers' descriptor
/// fields from the parameter slots (one 8-byte slot per field, in the order
/// the lowered body takes them) and the block index and grid size from
/// their arrays, and calls the body.
void addEntries(ModuleOp out) {
  MLIRContext *ctx = out.getContext();
  OpBuilder b = OpBuilder::atBlockEnd(out.getBody());
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = b.getI64Type(), i32 = b.getI32Type();
  SmallVector<LLVM::LLVMFuncOp> bodies;
  for (auto fn : out.getOps<LLVM::LLVMFuncOp>())
    if (fn.getName().starts_with(kBodyPrefix))
      bodies.push_back(fn);
  for (LLVM::LLVMFuncOp body : bodies) {
    Location loc = body.getLoc();
    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, body.getName().drop_front(kBodyPrefix.size()),
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                    {ptr, ptr, ptr}));
    Block *block = entry.addEntryBlock(b);
    OpBuilder in = OpBuilder::atBlockEnd(block);
    ArrayRef<Type> params = body.getFunctionType().getParams();
    const unsigned slots = params.size() - kLaunchArgs;
    SmallVector<Value> args;
    for (unsigned i = 0; i < slots; ++i) {
      Value at = LLVM::GEPOp::create(in, loc, ptr, i64, block->getArgument(0),
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
      args.push_back(LLVM::LoadOp::create(in, loc, params[i], at));
    }
    for (unsigned i = 0; i < kLaunchArgs; ++i) {
      Value at =
          LLVM::GEPOp::create(in, loc, ptr, i32, block->getArgument(1 + i / 3),
                              ArrayRef<LLVM::GEPArg>{int32_t(i % 3)});
      Value v = LLVM::LoadOp::create(in, loc, i32, at);
      args.push_back(LLVM::ZExtOp::create(in, loc, params[slots + i], v));
    }
    LLVM::CallOp::create(in, loc, body, args);
    LLVM::ReturnOp::create(in, loc, ValueRange{});
    body.setLinkage(LLVM::Linkage::Internal);
  }
}

/// The LLVM dialect form of the bodies: the lowering every host function
/// of MLIR goes through.
LogicalResult lowerToLLVM(ModuleOp out) {
  PassManager pm(out.getContext());
  // Transcendentals as vector polynomials, not libm calls per lane.
  pm.addPass(mamba::createMambaApproximateMath());
  // Transfers along a non-contiguous dimension (a chunk's column of B or
  // C) become scalar loads first; the contiguous ones become vector loads
  // in the LLVM lowering.
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // bf16 conversions as integer arithmetic (round to nearest even): LLVM
  // would call __truncsfbf2, which Debian 12's libgcc does not have. Ours
  // first for f32 to bf16, whose vectors arith-expand's form scalarizes.
  pm.addPass(mamba::createMambaTruncateToBf16());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
  return pm.run(out);
}

/// LLVM's target machine for the host's triple at x86-64 level `level`.
std::unique_ptr<llvm::TargetMachine> hostMachine(StringRef level,
                                                 std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, level, "", options, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
}

/// Defines the bf16 conversions that LLVM's x86 backend calls when it
/// legalizes bf16 values (compiler-rt's __truncsfbf2 and __extendbfsf2;
/// Debian 12's libgcc has neither), so the shared object needs no runtime
/// library for them. Weak, hidden: kept through optimization, never
/// exported.
void addBfloat16Builtins(llvm::Module &module) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *f32 = llvm::Type::getFloatTy(ctx),
             *bf16 = llvm::Type::getBFloatTy(ctx),
             *i16 = llvm::Type::getInt16Ty(ctx),
             *i32 = llvm::Type::getInt32Ty(ctx);
  auto define = [&](const char *name, llvm::Type *result, llvm::Type *arg) {
    auto *fn =
        llvm::Function::Create(llvm::FunctionType::get(result, {arg}, false),
                               llvm::GlobalValue::WeakAnyLinkage, name, module);
    fn->setVisibility(llvm::GlobalValue::HiddenVisibility);
    return fn;
  };
  if (!module.getFunction("__truncsfbf2")) {
    // Round to nearest even; NaN stays a quiet NaN.
    llvm::Function *fn = define("__truncsfbf2", bf16, f32);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "", fn));
    llvm::Value *bits = b.CreateBitCast(fn->getArg(0), i32);
    llvm::Value *lsb = b.CreateAnd(b.CreateLShr(bits, 16), 1);
    llvm::Value *rounded =
        b.CreateAdd(bits, b.CreateAdd(b.getInt32(0x7fff), lsb));
    llvm::Value *isNan = b.CreateFCmpUNO(fn->getArg(0), fn->getArg(0));
    llvm::Value *quiet = b.CreateOr(bits, 0x00400000);
    llvm::Value *chosen = b.CreateSelect(isNan, quiet, rounded);
    b.CreateRet(
        b.CreateBitCast(b.CreateTrunc(b.CreateLShr(chosen, 16), i16), bf16));
  }
  if (!module.getFunction("__extendbfsf2")) {
    llvm::Function *fn = define("__extendbfsf2", f32, bf16);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "", fn));
    llvm::Value *bits = b.CreateZExt(b.CreateBitCast(fn->getArg(0), i16), i32);
    b.CreateRet(b.CreateBitCast(b.CreateShl(bits, 16), f32));
  }
}

/// Optimizes `module` at O3 for `machine` and returns its object code.
void emitObject(llvm::Module &module, llvm::TargetMachine &machine,
                SmallVectorImpl<char> &object) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3)
      .run(module, mam);
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  machine.addPassesToEmitFile(codegen, os, nullptr,
                              llvm::CodeGenFileType::ObjectFile);
  codegen.run(module);
}

/// Links `object` into a shared object through the system's C compiler
/// driver (which knows where libc and libm are; the C++ build that made
/// this compiler had one), with libm for the math the kernels call.
bool linkSharedObject(ArrayRef<char> object, std::vector<char> &library,
                      std::string &error) {
  std::string linker;
  for (const char *name : {"cc", "gcc", "clang-22", "clang"})
    if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name)) {
      linker = *path;
      break;
    }
  if (linker.empty()) {
    error = "no C compiler driver (cc, gcc or clang) on the PATH to link "
            "host code";
    return false;
  }
  SmallString<128> objectPath, libraryPath, logPath;
  if (llvm::sys::fs::createTemporaryFile("mamba-kernels", "o", objectPath) ||
      llvm::sys::fs::createTemporaryFile("mamba-kernels", "so", libraryPath) ||
      llvm::sys::fs::createTemporaryFile("mamba-kernels", "log", logPath)) {
    error = "cannot create temporary files for the linker";
    return false;
  }
  llvm::scope_exit cleanup([&] {
    llvm::sys::fs::remove(objectPath);
    llvm::sys::fs::remove(libraryPath);
    llvm::sys::fs::remove(logPath);
  });
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(objectPath, ec);
    if (ec) {
      error = "writing " + objectPath.str().str() + ": " + ec.message();
      return false;
    }
    os.write(object.data(), object.size());
  }
  SmallVector<StringRef> args = {
      linker,      "-shared",  "-nostartfiles",   "-o",
      libraryPath, objectPath, "-Wl,--as-needed", "-lm"};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, redirects,
                                         0, 0, &message);
  if (status != 0) {
    auto log = llvm::MemoryBuffer::getFile(logPath);
    error = linker + " failed (" +
            (message.empty() ? "exit " + std::to_string(status) : message) +
            ")" + (log ? ": " + (*log)->getBuffer().str() : "");
    return false;
  }
  auto bytes = llvm::MemoryBuffer::getFile(libraryPath, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!bytes) {
    error = "reading the linked host code: " + bytes.getError().message();
    return false;
  }
  library.assign((*bytes)->getBufferStart(), (*bytes)->getBufferEnd());
  return true;
}

} // namespace

std::string mlir::mamba::hostCpuLevel() {
  llvm::StringMap<bool> f = llvm::sys::getHostCPUFeatures();
  auto all = [&](std::initializer_list<const char *> names) {
    for (const char *n : names)
      if (!f.lookup(n))
        return false;
    return true;
  };
  bool v2 = all({"cx16", "popcnt", "sse3", "sse4.1", "sse4.2", "ssse3"});
  bool v3 = v2 && all({"avx", "avx2", "bmi", "bmi2", "f16c", "fma", "lzcnt",
                       "movbe"});
  bool v4 =
      v3 && all({"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"});
  return v4 ? "x86-64-v4" : v3 ? "x86-64-v3" : v2 ? "x86-64-v2" : "x86-64";
}

FailureOr<std::vector<mlir::mamba::HostImage>>
mlir::mamba::compileHostKernels(ModuleOp module, StringRef level) {
  std::vector<HostImage> images;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = hostMachine(level, error);
  if (!machine)
    return module.emitError()
           << "no LLVM target for host code at " << level << ": " << error;
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
    OwningOpRef<ModuleOp> host = ModuleOp::create(gpuModule.getLoc());
    for (auto kernel : gpuModule.getOps<gpu::GPUFuncOp>())
      if (kernel.isKernel() && failed(addBody(kernel, *host)))
        return failure();
    if (failed(lowerToLLVM(*host)))
      return gpuModule.emitError() << "lowering its kernels to LLVM for the "
                                      "host failed";
    addEntries(*host);
    llvm::LLVMContext context;
    std::unique_ptr<llvm::Module> ir =
        translateModuleToLLVMIR(*host, context, gpuModule.getName());
    if (!ir)
      return gpuModule.emitError() << "translating its host code to LLVM IR "
                                      "failed";
    ir->setTargetTriple(machine->getTargetTriple());
    ir->setDataLayout(machine->createDataLayout());
    addBfloat16Builtins(*ir);
    SmallVector<char> object;
    emitObject(*ir, *machine, object);
    HostImage image;
    image.module = gpuModule.getName().str();
    image.level = level.str();
    if (!linkSharedObject(object, image.bytes, error))
      return gpuModule.emitError()
             << "making its host code a shared object: " << error;
    images.push_back(std::move(image));
  }
  return images;
}
