//===- ResolveShapeQueries.cpp - tensor.dim in terms of the inputs -------===//
//
// A model is a chain of ops whose sizes follow from their operands'. Each
// tensor.dim of an op result is answered by the op's reified shape, whose
// own tensor.dim queries of the operands are answered the same way; the
// answers are kept per (value, dimension), so every size of every value is
// worked out once and the pass is linear in the model's size.
//
//===----------------------------------------------------------------------===//

#include "mamba/Dialect/Mamba/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::mamba {
#define GEN_PASS_DEF_MAMBARESOLVESHAPEQUERIES
#include "mamba/Dialect/Mamba/Transforms/Passes.h.inc"
} // namespace mlir::mamba

using namespace mlir;

namespace {

/// Records the ops a builder creates (those of one reification).
struct CreatedOps : OpBuilder::Listener {
  SmallVector<Operation *> ops;
  void notifyOperationInserted(Operation *op, OpBuilder::InsertPoint) override {
    ops.push_back(op);
  }
};

class Resolver {
public:
  explicit Resolver(MLIRContext *context) : builder(context) {}

  /// Dimension `dim` of `source`, as a value that dominates every use of
  /// `source`: a constant, a reified expression placed before the
  /// defining op, or a tensor.dim of an argument or of an op that cannot
  /// reify.
  FailureOr<Value> resolve(Value source, int64_t dim, Location loc) {
    auto key = std::make_pair(source, dim);
    if (auto it = answers.find(key); it != answers.end())
      return it->second;
    auto type = cast<RankedTensorType>(source.getType());
    if (dim < 0 || dim >= type.getRank())
      return failure();
    Value answer;
    Operation *def = source.getDefiningOp();
    auto reify = dyn_cast_or_null<ReifyRankedShapedTypeOpInterface>(def);
    if (!type.isDynamicDim(dim)) {
      builder.setInsertionPointAfterValue(source);
      answer =
          arith::ConstantIndexOp::create(builder, loc, type.getDimSize(dim));
    } else if (reify) {
      FailureOr<Value> reified = reifyDim(reify, source, dim, loc);
      if (failed(reified))
        return failure();
      answer = *reified;
    }
    if (!answer) {
      builder.setInsertionPointAfterValue(source);
      answer = tensor::DimOp::create(builder, loc, source, dim);
    }
    answers[key] = answer;
    return answer;
  }

  /// `query` is about to be replaced by `answer`: answers that were the
  /// query itself (a reified size may be an existing tensor.dim) follow.
  void forward(Value query, Value answer) {
    for (auto &entry : answers)
      if (entry.second == query)
        entry.second = answer;
  }

private:
  FailureOr<Value> reifyDim(ReifyRankedShapedTypeOpInterface op, Value result,
                            int64_t dim, Location loc) {
    CreatedOps created;
    builder.setInsertionPoint(op);
    builder.setListener(&created);
    ReifiedRankedShapedTypeDims shapes;
    LogicalResult reified = op.reifyResultShapes(builder, shapes);
    builder.setListener(nullptr);
    if (failed(reified))
      return Value();
    // The reification asks the operands for their sizes: answer those
    // queries too, from the memo where it already knows them.
    DenseMap<Value, Value> answered;
    for (Operation *createdOp : created.ops) {
      auto query = dyn_cast<tensor::DimOp>(createdOp);
      if (!query)
        continue;
      std::optional<int64_t> index = query.getConstantIndex();
      if (!index)
        continue;
      FailureOr<Value> answer =
          resolve(query.getSource(), *index, query.getLoc());
      if (failed(answer))
        return failure();
      answered[query.getResult()] = *answer;
      query.getResult().replaceAllUsesWith(*answer);
      query.erase();
    }
    OpFoldResult size = shapes[cast<OpResult>(result).getResultNumber()][dim];
    // The size may be one of the queries just answered and erased (an
    // elementwise op's size is its operand's): look it up before touching it.
    if (auto value = dyn_cast<Value>(size)) {
      if (auto it = answered.find(value); it != answered.end())
        return it->second;
      return value;
    }
    builder.setInsertionPoint(op);
    return Value(arith::ConstantIndexOp::create(builder, loc,
                                                *getConstantIntValue(size)));
  }

  OpBuilder builder;
  DenseMap<std::pair<Value, int64_t>, Value> answers;
};

struct MambaResolveShapeQueriesPass
    : mamba::impl::MambaResolveShapeQueriesBase<MambaResolveShapeQueriesPass> {
  void runOnOperation() override {
    SmallVector<tensor::DimOp> queries;
    getOperation()->walk([&](tensor::DimOp op) {
      if (op.getConstantIndex())
        queries.push_back(op);
    });
    Resolver resolver(&getContext());
    for (tensor::DimOp query : queries) {
      FailureOr<Value> answer = resolver.resolve(
          query.getSource(), *query.getConstantIndex(), query.getLoc());
      if (failed(answer)) {
        query.emitOpError() << "asks for a dimension its source does not have";
        return signalPassFailure();
      }
      if (*answer == query.getResult())
        continue;
      resolver.forward(query.getResult(), *answer);
      query.getResult().replaceAllUsesWith(*answer);
      query.erase();
    }
  }
};

} // namespace
