//===- Gemm.cpp - A plan's GEMMs through cuBLASLt -------------------------===//

#include "mamba/Runtime/Cuda/Gemm.h"

#include "CublasLt.h"
#include "CudaDriver.h"
#include "GemmTuner.h"

#include <cstdio>
#include <vector>

namespace mamba::runtime::cuda {

namespace {

/// Hopper's GEMMs want up to 32 MiB of workspace for their best kernels.
constexpr uint64_t kWorkspaceBytes = 32u << 20;

bool dataTypeFor(ElementType element, cudaDataType &type, std::string &error) {
  switch (element) {
  case ElementType::F32:
    type = CUDA_R_32F;
    return true;
  case ElementType::BF16:
    type = CUDA_R_16BF;
    return true;
  case ElementType::F16:
    type = CUDA_R_16F;
    return true;
  default:
    error = std::string("GEMMs of ") + elementTypeName(element) +
            " are not supported (f32, bf16 and f16 are)";
    return false;
  }
}

/// The largest power of two up to 256 that divides `address`: what the
/// heuristic may assume about an operand.
uint32_t alignmentOf(CUdeviceptr address) {
  if (address == 0)
    return 256;
  uint64_t a = address & (~address + 1);
  return a > 256 ? 256 : static_cast<uint32_t>(a);
}

/// One column-major operand of a cuBLASLt call.
struct Matrix {
  uint64_t rows = 0, cols = 0;
  int64_t ld = 0;
  int64_t batchStride = 0;
};

} // namespace

//===----------------------------------------------------------------------===//
// Blas
//===----------------------------------------------------------------------===//

struct Blas::State {
  const CublasLtApi *api = nullptr;
  const Device *device = nullptr;
  cublasLtHandle_t handle = nullptr;
  DeviceBuffer workspace;
  /// Chooses among the heuristic's candidates while GEMMs are prepared.
  mutable GemmTuner tuner;

  ~State() {
    if (handle)
      api->cublasLtDestroy(handle);
  }
};

Blas::Blas() = default;
Blas::~Blas() = default;
Blas::Blas(Blas &&other) noexcept = default;
Blas &Blas::operator=(Blas &&other) noexcept = default;

bool Blas::open(const Device &device, std::string &error) {
  close();
  auto state = std::make_unique<State>();
  state->api = cublasLt(error);
  if (!state->api)
    return false;
  state->device = &device;
  {
    ScopedContext scope(device.context(), error);
    if (!scope.ok())
      return false;
    if (!checkBlas(state->api->cublasLtCreate(&state->handle), "cublasLtCreate",
                   "creating a cuBLASLt handle", error))
      return false;
  }
  if (!state->workspace.allocate(device, kWorkspaceBytes, error)) {
    error = "allocating the GEMM workspace: " + error;
    return false;
  }
  state_ = std::move(state);
  return true;
}

void Blas::close() { state_.reset(); }

bool Blas::isOpen() const { return state_ != nullptr; }

std::string Blas::describe() const {
  if (!state_)
    return "cuBLASLt (not open)";
  std::string text = "cuBLASLt " +
                     std::to_string(state_->api->cublasLtGetVersion()) + " (" +
                     state_->api->library + ")";
  const GemmTuner &t = state_->tuner;
  if (!t.enabled())
    return text + ", heuristic algorithms";
  return text + ", algorithms timed for " + std::to_string(t.timed()) +
         " GEMM shapes (" + std::to_string(t.changed()) +
         " not the heuristic's first)";
}

void Blas::setAlgorithmTuning(bool enabled) const {
  if (state_)
    state_->tuner.setEnabled(enabled);
}

void Blas::releaseTuningBuffers() const {
  if (state_)
    state_->tuner.release();
}

//===----------------------------------------------------------------------===//
// PreparedGemm
//===----------------------------------------------------------------------===//

namespace {

/// One cublasLtMatmul call: D = op(A) op(B) + beta D.
struct Matmul {
  const CublasLtApi *api = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};
  CUdeviceptr aPtr = 0, bPtr = 0, dPtr = 0;
  float beta = 0.0f;

  Matmul() = default;
  Matmul(const Matmul &) = delete;
  Matmul &operator=(const Matmul &) = delete;
  ~Matmul() {
    if (!api)
      return;
    if (desc)
      api->cublasLtMatmulDescDestroy(desc);
    for (cublasLtMatrixLayout_t layout : {a, b, d})
      if (layout)
        api->cublasLtMatrixLayoutDestroy(layout);
  }
};

bool makeLayout(const CublasLtApi &api, cudaDataType type, const Matrix &m,
                int64_t batch, cublasLtMatrixLayout_t &out,
                std::string &error) {
  if (!checkBlas(
          api.cublasLtMatrixLayoutCreate(&out, type, m.rows, m.cols, m.ld),
          "cublasLtMatrixLayoutCreate", "describing a GEMM operand", error))
    return false;
  if (batch > 1) {
    int32_t count = static_cast<int32_t>(batch);
    int64_t stride = m.batchStride;
    if (!checkBlas(
            api.cublasLtMatrixLayoutSetAttribute(
                out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
            "cublasLtMatrixLayoutSetAttribute", "setting a batch count",
            error) ||
        !checkBlas(api.cublasLtMatrixLayoutSetAttribute(
                       out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                       &stride, sizeof(stride)),
                   "cublasLtMatrixLayoutSetAttribute", "setting a batch stride",
                   error))
      return false;
  }
  return true;
}

template <typename T>
bool setDesc(const CublasLtApi &api, cublasLtMatmulDesc_t desc,
             cublasLtMatmulDescAttributes_t attribute, const T &value,
             const char *doing, std::string &error) {
  return checkBlas(
      api.cublasLtMatmulDescSetAttribute(desc, attribute, &value, sizeof(T)),
      "cublasLtMatmulDescSetAttribute", doing, error);
}

template <typename T>
bool setPreference(const CublasLtApi &api, cublasLtMatmulPreference_t pref,
                   cublasLtMatmulPreferenceAttributes_t attribute,
                   const T &value, std::string &error) {
  return checkBlas(api.cublasLtMatmulPreferenceSetAttribute(pref, attribute,
                                                            &value, sizeof(T)),
                   "cublasLtMatmulPreferenceSetAttribute",
                   "setting a heuristic preference", error);
}

/// The operands of one call, before they are described to cuBLASLt.
struct MatmulSpec {
  Matrix a, b, d;
  cublasOperation_t transA = CUBLAS_OP_N, transB = CUBLAS_OP_N;
  CUdeviceptr aPtr = 0, bPtr = 0, dPtr = 0;
  CUdeviceptr bias = 0; ///< the bias epilogue (along D's rows), or 0
  float beta = 0.0f;
};

/// Candidates asked of the heuristic when the tuner times them.
constexpr int kCandidates = 8;

/// What makes two matmuls the same problem for the tuner: types, sizes,
/// layouts, epilogue, beta and the operands' alignment.
std::string problemKey(cudaDataType type, int64_t batch, const MatmulSpec &s) {
  std::string key = std::to_string(type) + ":" + std::to_string(batch) + ":" +
                    std::to_string(s.transA) + std::to_string(s.transB);
  for (const Matrix *m : {&s.a, &s.b, &s.d})
    key += ":" + std::to_string(m->rows) + "x" + std::to_string(m->cols) + "/" +
           std::to_string(m->ld) + "/" + std::to_string(m->batchStride);
  for (CUdeviceptr p : {s.aPtr, s.bPtr, s.dPtr})
    key += ":a" + std::to_string(alignmentOf(p));
  return key + (s.bias ? ":bias" : "") + ":beta" + std::to_string(s.beta);
}

/// Describes `spec` and picks its algorithm for the operands' actual
/// alignment: the heuristic's first, or the fastest of its candidates when
/// the tuner is on.
bool prepareMatmul(const Blas::State &blas, cudaDataType type, int64_t batch,
                   const MatmulSpec &spec, const std::string &what, Matmul &out,
                   std::string &error) {
  const CublasLtApi &api = *blas.api;
  cublasLtHandle_t handle = blas.handle;
  out.api = &api;
  out.aPtr = spec.aPtr;
  out.bPtr = spec.bPtr;
  out.dPtr = spec.dPtr;
  out.beta = spec.beta;
  if (!checkBlas(api.cublasLtMatmulDescCreate(&out.desc, CUBLAS_COMPUTE_32F,
                                              CUDA_R_32F),
                 "cublasLtMatmulDescCreate", "describing " + what, error))
    return false;
  if (!setDesc(api, out.desc, CUBLASLT_MATMUL_DESC_TRANSA, spec.transA,
               "setting op(A)", error) ||
      !setDesc(api, out.desc, CUBLASLT_MATMUL_DESC_TRANSB, spec.transB,
               "setting op(B)", error))
    return false;
  if (spec.bias) {
    cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
    const void *bias = reinterpret_cast<const void *>(spec.bias);
    if (!setDesc(api, out.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, epilogue,
                 "setting the bias epilogue", error) ||
        !setDesc(api, out.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias,
                 "setting the bias", error))
      return false;
  }
  if (!makeLayout(api, type, spec.a, batch, out.a, error) ||
      !makeLayout(api, type, spec.b, batch, out.b, error) ||
      !makeLayout(api, type, spec.d, batch, out.d, error))
    return false;

  cublasLtMatmulPreference_t pref = nullptr;
  if (!checkBlas(api.cublasLtMatmulPreferenceCreate(&pref),
                 "cublasLtMatmulPreferenceCreate", "choosing an algorithm",
                 error))
    return false;
  uint64_t workspace = kWorkspaceBytes;
  bool ok = setPreference(api, pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                          workspace, error) &&
            setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES,
                          alignmentOf(spec.aPtr), error) &&
            setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                          alignmentOf(spec.bPtr), error) &&
            setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES,
                          alignmentOf(spec.dPtr), error) &&
            setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES,
                          alignmentOf(spec.dPtr), error);
  const int wanted = blas.tuner.enabled() ? kCandidates : 1;
  cublasLtMatmulHeuristicResult_t results[kCandidates] = {};
  int found = 0;
  if (ok)
    ok = checkBlas(api.cublasLtMatmulAlgoGetHeuristic(handle, out.desc, out.a,
                                                      out.b, out.d, out.d, pref,
                                                      wanted, results, &found),
                   "cublasLtMatmulAlgoGetHeuristic",
                   "choosing an algorithm for " + what, error);
  api.cublasLtMatmulPreferenceDestroy(pref);
  if (!ok)
    return false;
  if (found == 0) {
    error = "cuBLASLt has no algorithm for " + what;
    return false;
  }
  std::vector<cublasLtMatmulAlgo_t> candidates;
  for (int i = 0; i < found; ++i)
    candidates.push_back(results[i].algo);
  auto run = [&](const cublasLtMatmulAlgo_t &algo, CUstream stream,
                 std::string &runError) {
    const float alpha = 1.0f;
    void *d = reinterpret_cast<void *>(out.dPtr);
    return checkBlas(
        api.cublasLtMatmul(handle, out.desc, &alpha,
                           reinterpret_cast<const void *>(out.aPtr), out.a,
                           reinterpret_cast<const void *>(out.bPtr), out.b,
                           &out.beta, d, out.d, d, out.d, &algo,
                           reinterpret_cast<void *>(blas.workspace.address()),
                           blas.workspace.size(), stream),
        "cublasLtMatmul", "timing " + what, runError);
  };
  size_t chosen = 0;
  if (!blas.tuner.choose(*blas.device, problemKey(type, batch, spec),
                         candidates, run, chosen, error)) {
    error = what + ": " + error;
    return false;
  }
  out.algo = candidates[chosen];
  return true;
}

/// 1.0 as a 16- or 32-bit pattern of `element`.
bool fillOnes(DeviceBuffer &buffer, ElementType element, std::string &error) {
  switch (element) {
  case ElementType::F32:
    return buffer.fill32(0x3f800000u, error);
  case ElementType::BF16:
    return buffer.fill16(0x3f80u, error);
  default:
    return buffer.fill16(0x3c00u, error); // f16
  }
}

} // namespace

struct PreparedGemm::State {
  const Blas::State *blas = nullptr;
  std::vector<std::unique_ptr<Matmul>> calls; ///< in order; none when empty
  /// A features-major y with a bias: a column of ones that spreads the bias
  /// over the tokens.
  DeviceBuffer ones;
  std::string what;
};

PreparedGemm::PreparedGemm() = default;
PreparedGemm::~PreparedGemm() = default;
PreparedGemm::PreparedGemm(PreparedGemm &&other) noexcept = default;
PreparedGemm &PreparedGemm::operator=(PreparedGemm &&other) noexcept = default;

bool PreparedGemm::prepare(const Blas &blas, const GemmProblem &p,
                           std::string &error) {
  state_.reset();
  if (!blas.isOpen()) {
    error = "preparing a GEMM: cuBLASLt is not open";
    return false;
  }
  auto s = std::make_unique<State>();
  s->blas = blas.state_.get();
  char what[160];
  std::snprintf(
      what, sizeof(what), "gemm %s M=%lld K=%lld tokens=%lld batch %lld%s%s%s",
      elementTypeName(p.element), static_cast<long long>(p.m),
      static_cast<long long>(p.k), static_cast<long long>(p.tokens),
      static_cast<long long>(p.batch),
      p.xFeaturesMajor ? " x-features-major" : "",
      p.yFeaturesMajor ? " y-features-major" : "", p.bias ? " +bias" : "");
  s->what = what;
  if (p.batch < 0 || p.tokens < 0 || p.m < 0 || p.k < 0) {
    error = s->what + ": negative size";
    return false;
  }
  if (p.m > INT32_MAX || p.k > INT32_MAX || p.tokens > INT32_MAX ||
      p.batch > INT32_MAX) {
    error = s->what + ": a dimension is over cuBLASLt's 32-bit limit";
    return false;
  }
  if (p.batch == 0 || p.tokens == 0 || p.m == 0) {
    state_ = std::move(s); // nothing to compute
    return true;
  }
  if (p.k == 0) {
    error = s->what + ": K is 0";
    return false;
  }
  cudaDataType type;
  if (!dataTypeFor(p.element, type, error))
    return false;

  // Column-major operands. Row-major x [.., L, K] is a K x L matrix;
  // features-major x [b, K, L] is L x K per batch item; w [M, K] is K x M
  // and shared by the items (batch stride 0).
  const int64_t M = p.m, K = p.k, L = p.tokens;
  const uint64_t uM = M, uK = K, uL = L;
  Matrix w{uK, uM, K, 0};
  Matrix x =
      p.xFeaturesMajor ? Matrix{uL, uK, L, K * L} : Matrix{uK, uL, K, K * L};
  std::vector<MatmulSpec> specs;
  if (!p.yFeaturesMajor) {
    // y [.., L, M] is M x L: D = w x, and the bias epilogue runs along M.
    MatmulSpec main;
    main.a = w;
    main.transA = CUBLAS_OP_T;
    main.b = x;
    main.transB = p.xFeaturesMajor ? CUBLAS_OP_T : CUBLAS_OP_N;
    main.d = Matrix{uM, uL, M, M * L};
    main.aPtr = p.w;
    main.bPtr = p.x;
    main.bias = p.bias;
    specs.push_back(main);
  } else {
    // y [b, M, L] is L x M per item: D = x^T w^T. cuBLASLt's bias runs only
    // along D's rows (here L), so a bias is first written as the rank-1
    // product ones(L) bias^T, and the main product accumulates onto it.
    Matrix d{uL, uM, L, M * L};
    if (p.bias) {
      uint64_t bytes = static_cast<uint64_t>(L) * elementTypeSize(p.element);
      if (!s->ones.allocate(*s->blas->device, bytes, error) ||
          !fillOnes(s->ones, p.element, error)) {
        error = "preparing " + s->what + ": " + error;
        return false;
      }
      MatmulSpec spread;
      spread.a = Matrix{uL, 1, L, 0};
      spread.b = Matrix{1, uM, 1, 0};
      spread.d = d;
      spread.aPtr = s->ones.address();
      spread.bPtr = p.bias;
      specs.push_back(spread);
    }
    MatmulSpec main;
    main.a = x;
    main.transA = p.xFeaturesMajor ? CUBLAS_OP_N : CUBLAS_OP_T;
    main.b = w;
    main.d = d;
    main.aPtr = p.x;
    main.bPtr = p.w;
    main.beta = p.bias ? 1.0f : 0.0f;
    specs.push_back(main);
  }

  ScopedContext scope(s->blas->device->context(), error);
  if (!scope.ok())
    return false;
  for (MatmulSpec &spec : specs) {
    spec.dPtr = p.y;
    auto call = std::make_unique<Matmul>();
    if (!prepareMatmul(*s->blas, type, p.batch, spec, s->what, *call, error))
      return false;
    s->calls.push_back(std::move(call));
  }
  state_ = std::move(s);
  return true;
}

bool PreparedGemm::enqueue(CUstream stream, std::string &error) const {
  if (!state_) {
    error = "enqueueing a GEMM that is not prepared";
    return false;
  }
  const State &s = *state_;
  if (s.calls.empty())
    return true;
  const CublasLtApi &api = *s.blas->api;
  ScopedContext scope(s.blas->device->context(), error);
  if (!scope.ok())
    return false;
  const float alpha = 1.0f;
  for (const std::unique_ptr<Matmul> &call : s.calls) {
    void *d = reinterpret_cast<void *>(call->dPtr);
    if (!checkBlas(api.cublasLtMatmul(
                       s.blas->handle, call->desc, &alpha,
                       reinterpret_cast<const void *>(call->aPtr), call->a,
                       reinterpret_cast<const void *>(call->bPtr), call->b,
                       &call->beta, d, call->d, d, call->d, &call->algo,
                       reinterpret_cast<void *>(s.blas->workspace.address()),
                       s.blas->workspace.size(), stream),
                   "cublasLtMatmul", "running " + s.what, error))
      return false;
  }
  return true;
}

std::string PreparedGemm::describe() const {
  return state_ ? state_->what : "gemm (not prepared)";
}

} // namespace mamba::runtime::cuda
