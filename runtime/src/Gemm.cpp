//===- Gemm.cpp - A plan's GEMMs through cuBLASLt -------------------------===//

#include "mamba/Runtime/Gemm.h"

#include "CublasLt.h"
#include "CudaDriver.h"

#include <cstdio>

namespace mamba::runtime::cuda {

namespace {

/// Hopper's GEMMs want up to 32 MiB of workspace for their best kernels.
constexpr uint64_t kWorkspaceBytes = 32u << 20;

std::string shapeString(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

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

/// One column-major operand of the cuBLASLt problem.
struct Matrix {
  uint64_t rows = 0, cols = 0;
  int64_t ld = 0;
  int64_t batchStride = 0;
  bool rowOrder = false;
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
    if (!checkBlas(state->api->cublasLtCreate(&state->handle),
                   "cublasLtCreate", "creating a cuBLASLt handle", error))
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
  return "cuBLASLt " + std::to_string(state_->api->cublasLtGetVersion()) +
         " (" + state_->api->library + ")";
}

//===----------------------------------------------------------------------===//
// Shapes
//===----------------------------------------------------------------------===//

bool describeGemm(const Shape &x, const Shape &w, const Shape &y,
                  const Shape *biasShape, bool xFeaturesMajor,
                  bool yFeaturesMajor, GemmProblem &problem,
                  std::string &error) {
  auto bad = [&](const std::string &what) {
    error = "gemm x " + shapeString(x) + (xFeaturesMajor ? " (features-major)" : "") +
            ", w " + shapeString(w) + ", y " + shapeString(y) +
            (yFeaturesMajor ? " (features-major)" : "") + ": " + what;
    return false;
  };
  if (w.size() != 2)
    return bad("w must be [M, K]");
  int64_t m = w[0], k = w[1];
  bool batched = xFeaturesMajor || yFeaturesMajor;
  if (batched && (x.size() != 3 || y.size() != 3))
    return bad("a features-major operand needs x and y of rank 3");
  if (x.size() < 2 || y.size() != x.size())
    return bad("x and y must have one rank, at least 2");
  int64_t xK = xFeaturesMajor ? x[1] : x.back();
  int64_t yM = yFeaturesMajor ? y[1] : y.back();
  if (xK != k)
    return bad("x has " + std::to_string(xK) + " features, w " +
               std::to_string(k));
  if (yM != m)
    return bad("y has " + std::to_string(yM) + " features, w " +
               std::to_string(m));
  if (biasShape && (biasShape->size() != 1 || (*biasShape)[0] != m))
    return bad("the bias is " + shapeString(*biasShape) + ", expected [" +
               std::to_string(m) + "]");
  if (batched) {
    int64_t xL = xFeaturesMajor ? x[2] : x[1];
    int64_t yL = yFeaturesMajor ? y[2] : y[1];
    if (x[0] != y[0] || xL != yL)
      return bad("x and y differ in batch or length");
    problem.batch = x[0];
    problem.tokens = xL;
  } else {
    int64_t rows = 1;
    for (size_t i = 0; i + 1 < x.size(); ++i) {
      if (x[i] != y[i])
        return bad("x and y differ in dimension " + std::to_string(i));
      if (x[i] != 0 && rows > INT64_MAX / x[i])
        return bad("too many rows");
      rows *= x[i];
    }
    problem.batch = 1;
    problem.tokens = rows;
  }
  problem.m = m;
  problem.k = k;
  problem.xFeaturesMajor = xFeaturesMajor;
  problem.yFeaturesMajor = yFeaturesMajor;
  return true;
}

//===----------------------------------------------------------------------===//
// PreparedGemm
//===----------------------------------------------------------------------===//

struct PreparedGemm::State {
  const Blas::State *blas = nullptr;
  GemmProblem problem;
  bool empty = false; ///< nothing to compute
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};
  CUdeviceptr aPtr = 0, bPtr = 0;
  std::string what;

  ~State() {
    const CublasLtApi *api = blas ? blas->api : nullptr;
    if (!api)
      return;
    if (desc)
      api->cublasLtMatmulDescDestroy(desc);
    for (cublasLtMatrixLayout_t layout : {a, b, d})
      if (layout)
        api->cublasLtMatrixLayoutDestroy(layout);
  }
};

PreparedGemm::PreparedGemm() = default;
PreparedGemm::~PreparedGemm() = default;
PreparedGemm::PreparedGemm(PreparedGemm &&other) noexcept = default;
PreparedGemm &PreparedGemm::operator=(PreparedGemm &&other) noexcept = default;

namespace {

bool makeLayout(const CublasLtApi &api, cudaDataType type, const Matrix &m,
                int64_t batch, cublasLtMatrixLayout_t &out,
                std::string &error) {
  if (!checkBlas(api.cublasLtMatrixLayoutCreate(&out, type, m.rows, m.cols,
                                                m.ld),
                 "cublasLtMatrixLayoutCreate", "describing a GEMM operand",
                 error))
    return false;
  if (m.rowOrder) {
    int32_t order = CUBLASLT_ORDER_ROW;
    if (!checkBlas(api.cublasLtMatrixLayoutSetAttribute(
                       out, CUBLASLT_MATRIX_LAYOUT_ORDER, &order,
                       sizeof(order)),
                   "cublasLtMatrixLayoutSetAttribute", "setting row order",
                   error))
      return false;
  }
  if (batch > 1) {
    int32_t count = static_cast<int32_t>(batch);
    int64_t stride = m.batchStride;
    if (!checkBlas(api.cublasLtMatrixLayoutSetAttribute(
                       out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count,
                       sizeof(count)),
                   "cublasLtMatrixLayoutSetAttribute", "setting a batch count",
                   error) ||
        !checkBlas(api.cublasLtMatrixLayoutSetAttribute(
                       out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                       &stride, sizeof(stride)),
                   "cublasLtMatrixLayoutSetAttribute",
                   "setting a batch stride", error))
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
  return checkBlas(api.cublasLtMatmulPreferenceSetAttribute(
                       pref, attribute, &value, sizeof(T)),
                   "cublasLtMatmulPreferenceSetAttribute",
                   "setting a heuristic preference", error);
}

} // namespace

bool PreparedGemm::prepare(const Blas &blas, const GemmProblem &p,
                           std::string &error) {
  state_.reset();
  if (!blas.isOpen()) {
    error = "preparing a GEMM: cuBLASLt is not open";
    return false;
  }
  auto s = std::make_unique<State>();
  s->blas = blas.state_.get();
  s->problem = p;
  const CublasLtApi &api = *s->blas->api;
  char what[160];
  std::snprintf(what, sizeof(what),
                "gemm %s M=%lld K=%lld tokens=%lld batch %lld%s%s%s",
                elementTypeName(p.element), static_cast<long long>(p.m),
                static_cast<long long>(p.k), static_cast<long long>(p.tokens),
                static_cast<long long>(p.batch),
                p.xFeaturesMajor ? " x-features-major" : "",
                p.yFeaturesMajor ? " y-features-major" : "",
                p.bias ? " +bias" : "");
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
    s->empty = true;
    state_ = std::move(s);
    return true;
  }
  if (p.k == 0) {
    error = s->what + ": K is 0";
    return false;
  }
  cudaDataType type;
  if (!dataTypeFor(p.element, type, error))
    return false;

  // The problem D = op(A) op(B), column-major. Row-major x [.., L, K] is a
  // column-major K x L matrix; features-major x [b, K, L] is L x K per item.
  const int64_t M = p.m, K = p.k, L = p.tokens;
  Matrix w{static_cast<uint64_t>(K), static_cast<uint64_t>(M), K, 0, false};
  Matrix x = p.xFeaturesMajor
                 ? Matrix{uint64_t(L), uint64_t(K), L, K * L, false}
                 : Matrix{uint64_t(K), uint64_t(L), K, K * L, false};
  Matrix a, b, d;
  cublasOperation_t transA, transB;
  if (!p.yFeaturesMajor || p.bias) {
    // D rows are the M features: y non-features-major is column-major M x L;
    // a features-major y [M, L] per item is row-major M x L, which keeps the
    // bias (broadcast along D's rows) applicable.
    a = w;
    transA = CUBLAS_OP_T;
    b = x;
    transB = p.xFeaturesMajor ? CUBLAS_OP_T : CUBLAS_OP_N;
    d = p.yFeaturesMajor
            ? Matrix{uint64_t(M), uint64_t(L), L, M * L, true}
            : Matrix{uint64_t(M), uint64_t(L), M, M * L, false};
    s->aPtr = p.w;
    s->bPtr = p.x;
  } else {
    // y [M, L] per item is column-major L x M: D = x^T w^T.
    a = x;
    transA = p.xFeaturesMajor ? CUBLAS_OP_N : CUBLAS_OP_T;
    b = w;
    transB = CUBLAS_OP_N;
    d = Matrix{uint64_t(L), uint64_t(M), L, M * L, false};
    s->aPtr = p.x;
    s->bPtr = p.w;
  }

  {
    ScopedContext scope(s->blas->device->context(), error);
    if (!scope.ok())
      return false;
    if (!checkBlas(api.cublasLtMatmulDescCreate(&s->desc, CUBLAS_COMPUTE_32F,
                                                CUDA_R_32F),
                   "cublasLtMatmulDescCreate", "describing " + s->what, error))
      return false;
    if (!setDesc(api, s->desc, CUBLASLT_MATMUL_DESC_TRANSA, transA,
                 "setting op(A)", error) ||
        !setDesc(api, s->desc, CUBLASLT_MATMUL_DESC_TRANSB, transB,
                 "setting op(B)", error))
      return false;
    if (p.bias) {
      cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
      const void *bias = reinterpret_cast<const void *>(p.bias);
      if (!setDesc(api, s->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, epilogue,
                   "setting the bias epilogue", error) ||
          !setDesc(api, s->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, bias,
                   "setting the bias", error))
        return false;
    }
    if (!makeLayout(api, type, a, p.batch, s->a, error) ||
        !makeLayout(api, type, b, p.batch, s->b, error) ||
        !makeLayout(api, type, d, p.batch, s->d, error))
      return false;

    cublasLtMatmulPreference_t pref = nullptr;
    if (!checkBlas(api.cublasLtMatmulPreferenceCreate(&pref),
                   "cublasLtMatmulPreferenceCreate", "choosing an algorithm",
                   error))
      return false;
    uint64_t workspace = kWorkspaceBytes;
    bool ok =
        setPreference(api, pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                      workspace, error) &&
        setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES,
                      alignmentOf(s->aPtr), error) &&
        setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                      alignmentOf(s->bPtr), error) &&
        setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES,
                      alignmentOf(p.y), error) &&
        setPreference(api, pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES,
                      alignmentOf(p.y), error);
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    if (ok)
      ok = checkBlas(api.cublasLtMatmulAlgoGetHeuristic(
                         s->blas->handle, s->desc, s->a, s->b, s->d, s->d,
                         pref, 1, &result, &found),
                     "cublasLtMatmulAlgoGetHeuristic",
                     "choosing an algorithm for " + s->what, error);
    api.cublasLtMatmulPreferenceDestroy(pref);
    if (!ok)
      return false;
    if (found == 0) {
      error = "cuBLASLt has no algorithm for " + s->what;
      return false;
    }
    s->algo = result.algo;
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
  if (s.empty)
    return true;
  const CublasLtApi &api = *s.blas->api;
  ScopedContext scope(s.blas->device->context(), error);
  if (!scope.ok())
    return false;
  const float alpha = 1.0f, beta = 0.0f;
  void *y = reinterpret_cast<void *>(s.problem.y);
  return checkBlas(
      api.cublasLtMatmul(s.blas->handle, s.desc, &alpha,
                         reinterpret_cast<const void *>(s.aPtr), s.a,
                         reinterpret_cast<const void *>(s.bPtr), s.b, &beta, y,
                         s.d, y, s.d, &s.algo,
                         reinterpret_cast<void *>(s.blas->workspace.address()),
                         s.blas->workspace.size(), stream),
      "cublasLtMatmul", "running " + s.what, error);
}

std::string PreparedGemm::describe() const {
  return state_ ? state_->what : "gemm (not prepared)";
}

} // namespace mamba::runtime::cuda
