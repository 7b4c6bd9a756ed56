//===- Reference.h - All of the reference library ---------------*- C++ -*-===//
//
// The plain C++ oracle for every Mamba op and for the whole model. Everything
// is computed in double; bad arguments throw std::invalid_argument.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_REFERENCE_REFERENCE_H
#define MAMBA_REFERENCE_REFERENCE_H

#include "mamba/Reference/Activation.h"
#include "mamba/Reference/CausalConv1d.h"
#include "mamba/Reference/GatedRmsNorm.h"
#include "mamba/Reference/Greedy.h"
#include "mamba/Reference/Linear.h"
#include "mamba/Reference/Mamba2Model.h"
#include "mamba/Reference/Mixer.h"
#include "mamba/Reference/Model.h"
#include "mamba/Reference/RmsNorm.h"
#include "mamba/Reference/SelectiveScan.h"
#include "mamba/Reference/SsdScan.h"
#include "mamba/Reference/Tensor.h"
#include "mamba/Reference/Weights.h"

#endif // MAMBA_REFERENCE_REFERENCE_H
