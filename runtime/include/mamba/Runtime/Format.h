//===- Format.h - The module format's names, in the runtime -----*- C++ -*-===//
//
// The runtime reads what the format library (format/) defines: module files,
// their specs and shape expressions, safetensors files and 16-bit floats.
// These declarations let runtime code name them unqualified, the way MLIR's
// Support/LLVM.h brings LLVM's types into the mlir namespace.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_RUNTIME_FORMAT_H
#define MAMBA_RUNTIME_FORMAT_H

#include "mamba/Format/Float16.h"
#include "mamba/Format/ModuleFile.h"
#include "mamba/Format/SafeTensors.h"

namespace mamba::runtime {

// Encoding.h
using format::Chip;
using format::ElementType;
using format::elementTypeName;
using format::elementTypeSize;
using format::ImageKind;
using format::kMaxRank;
using format::parseChip;
using format::parseElementType;
// ShapeExpr.h
using format::formatShape;
using format::Shape;
using format::ShapeExpr;
// ModuleSpec.h, ModelSpec.h, ModuleFile.h
using format::ArgSpec;
using format::BufferSpec;
using format::DerivedSpec;
using format::EntryInputSpec;
using format::EntryOutputSpec;
using format::EntrySpec;
using format::FunctionSpec;
using format::KernelImage;
using format::KernelParamSpec;
using format::KernelVariant;
using format::LaunchSpec;
using format::ModelSpec;
using format::ModuleFile;
using format::ModuleSpec;
using format::ParamSource;
using format::ResultSpec;
using format::StepSpec;
using format::WeightSpec;
// SafeTensors.h, Float16.h
using format::bfloat16BitsToDouble;
using format::DType;
using format::dtypeName;
using format::dtypeSize;
using format::floatToBfloat16Bits;
using format::floatToHalfBits;
using format::halfBitsToDouble;
using format::isConvertibleToDouble;
using format::SafeTensorsFile;
using format::TensorInfo;

} // namespace mamba::runtime

#endif // MAMBA_RUNTIME_FORMAT_H
