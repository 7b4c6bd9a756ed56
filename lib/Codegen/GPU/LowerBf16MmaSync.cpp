//===- LowerBf16MmaSync.cpp - bf16 nvgpu.mma.sync to nvvm.mma.sync --------===//
//
// Upstream's nvgpu-to-nvvm conversion lowers mma.sync for f16, tf32, f64
// and integers but cannot name bf16's PTX types; nvvm.mma.sync has them. A
// bf16 m16n8k16 product becomes nvvm.mma.sync on the registers PTX wants:
// each pair of bf16 packed into an i32, the four f32 sums unpacked from its
// result struct.
//
//===----------------------------------------------------------------------===//

#include "mamba/Codegen/GPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBALOWERBF16MMASYNC
#include "mamba/Codegen/GPU/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

/// The rows of a [rows][2] bf16 vector, each packed into an i32.
SmallVector<Value> packPairs(ImplicitLocOpBuilder &b, Value v) {
  auto type = cast<VectorType>(v.getType());
  auto i32x1 = VectorType::get({1}, b.getI32Type());
  SmallVector<Value> words;
  for (int64_t r = 0; r < type.getDimSize(0); ++r) {
    Value pair = vector::ExtractOp::create(b, v, ArrayRef<int64_t>{r});
    Value word = vector::BitCastOp::create(b, i32x1, pair);
    words.push_back(vector::ExtractOp::create(b, word, ArrayRef<int64_t>{0}));
  }
  return words;
}

LogicalResult lower(nvgpu::MmaSyncOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  auto aType = cast<VectorType>(op.getMatrixA().getType());
  auto cType = cast<VectorType>(op.getMatrixC().getType());
  if (op.getMmaShapeAsArray() != std::array<int64_t, 3>{16, 8, 16} ||
      aType.getShape() != ArrayRef<int64_t>{4, 2} ||
      cType.getShape() != ArrayRef<int64_t>{2, 2} ||
      !cType.getElementType().isF32())
    return op.emitOpError()
           << "with bf16 operands is lowered for m16n8k16 with f32 sums "
              "only";
  Type f32 = b.getF32Type();
  SmallVector<Value> sums;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j)
      sums.push_back(vector::ExtractOp::create(b, op.getMatrixC(),
                                               ArrayRef<int64_t>{i, j}));
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  auto mma = NVVM::MmaOp::create(
      b, resultType, packPairs(b, op.getMatrixA()),
      packPairs(b, op.getMatrixB()), sums, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> out;
  for (int64_t k = 0; k < 4; ++k)
    out.push_back(LLVM::ExtractValueOp::create(b, mma, k));
  op.replaceAllUsesWith(
      vector::FromElementsOp::create(b, cType, out).getResult());
  op.erase();
  return success();
}

struct MambaLowerBf16MmaSyncPass
    : mamba::impl::MambaLowerBf16MmaSyncBase<MambaLowerBf16MmaSyncPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<nvgpu::MmaSyncOp> ops;
    getOperation()->walk([&](nvgpu::MmaSyncOp op) {
      auto a = cast<VectorType>(op.getMatrixA().getType());
      if (a.getElementType().isBF16())
        ops.push_back(op);
    });
    for (nvgpu::MmaSyncOp op : ops)
      if (failed(lower(op)))
        return signalPassFailure();
  }
};

} // namespace
