#include "scan/evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "index/token_index.h"

namespace outcore {

// Every node yields two bitmaps over the rows — where it is true
// and where it is false; rows in neither are unknown (null). and/or/not
// combine them by Kleene's rules, so `not` of unknown stays unknown.

namespace {

struct Truth {
  Buffer t, f;  // uint64 words, LSB-first (the byte order of Arrow bitmaps on little-endian)
};

struct EvalContext {
  std::span<const ColumnVector* const> columns;
  int64_t num_rows;
  size_t words;
  MemoryBudget* budget;
};

void InitTruth(const EvalContext& ctx, Truth* truth) {
  truth->t = Buffer(ctx.budget);
  truth->f = Buffer(ctx.budget);
  truth->t.ResizeZeroed(ctx.words * 8);
  truth->f.ResizeZeroed(ctx.words * 8);
}

// Visits valid rows: test(get(row)) decides true or false; null rows stay unknown.
template <typename Get, typename Test>
void FillLeaf(const ColumnVector& column, int64_t num_rows, Get get, Test test, uint64_t* t, uint64_t* f) {
  const bool has_nulls = column.null_count > 0;
  const uint8_t* validity = column.validity.data();
  for (int64_t row = 0; row < num_rows; ++row) {
    if (has_nulls && !GetBit(validity, row)) continue;
    const uint64_t bit = uint64_t(1) << (row & 63);
    if (test(get(row))) {
      t[row >> 6] |= bit;
    } else {
      f[row >> 6] |= bit;
    }
  }
}

// Calls fill(test) with the test of a leaf over values of type T (int64_t,
// double or std::string_view), so the operator is chosen once per batch.
template <typename T, typename Fill>
void WithLeafTest(const Expr& leaf, Fill&& fill) {
  auto literal = [&](size_t i) -> T {
    if constexpr (std::is_same_v<T, int64_t>)
      return leaf.values[i].int_value;
    else if constexpr (std::is_same_v<T, double>)
      return leaf.values[i].float_value;
    else
      return std::string_view(leaf.values[i].string_value);
  };
  switch (leaf.kind) {
    case ExprKind::kCompare: {
      const T c = literal(0);
      switch (leaf.op) {
        case CompareOp::kEq:
          fill([c](T v) { return v == c; });
          return;
        case CompareOp::kNe:
          fill([c](T v) { return v != c; });
          return;
        case CompareOp::kLt:
          fill([c](T v) { return v < c; });
          return;
        case CompareOp::kLe:
          fill([c](T v) { return v <= c; });
          return;
        case CompareOp::kGt:
          fill([c](T v) { return v > c; });
          return;
        case CompareOp::kGe:
          fill([c](T v) { return v >= c; });
          return;
      }
      return;
    }
    case ExprKind::kBetween: {
      const T low = literal(0), high = literal(1);
      fill([low, high](T v) { return low <= v && v <= high; });
      return;
    }
    case ExprKind::kIn: {
      std::vector<T> set;
      for (size_t i = 0; i < leaf.values.size(); ++i) set.push_back(literal(i));
      fill([&set](T v) {
        if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(v)) return false;  // NaN is in no list (IEEE: NaN == x is false)
        }
        return std::binary_search(set.begin(), set.end(), v);
      });
      return;
    }
    case ExprKind::kContains:
      if constexpr (std::is_same_v<T, std::string_view>) {
        // True when every token of the word(s) is among the value's tokens.
        const std::vector<std::string>& wanted = leaf.tokens;
        std::vector<uint8_t> seen(wanted.size());
        std::string scratch;
        fill([&](std::string_view v) {
          std::fill(seen.begin(), seen.end(), 0);
          size_t found = 0;
          ForEachToken(v, &scratch, [&](std::string_view token) {
            auto it = std::lower_bound(wanted.begin(), wanted.end(), token);
            if (it != wanted.end() && *it == token && !seen[size_t(it - wanted.begin())]) {
              seen[size_t(it - wanted.begin())] = 1;
              ++found;
            }
          });
          return found == wanted.size();
        });
      }
      return;
    default:
      return;
  }
}

Status CheckColumn(const Expr& leaf, const EvalContext& ctx, const ColumnVector** out) {
  const auto column = size_t(leaf.column);
  if (column >= ctx.columns.size() || ctx.columns[column] == nullptr) {
    return Status::InvalidArgument("predicate needs schema column " + std::to_string(column) +
                                   ", which was not provided");
  }
  const ColumnVector& vector = *ctx.columns[column];
  if (vector.type != leaf.type) {
    return Status::InvalidArgument("predicate column " + std::to_string(column) + " is " +
                                   std::string(TypeName(vector.type)) + ", the expression expects " +
                                   std::string(TypeName(leaf.type)));
  }
  if (vector.length < ctx.num_rows) {
    return Status::InvalidArgument("predicate column " + std::to_string(column) + " has " +
                                   std::to_string(vector.length) + " rows, fewer than the " +
                                   std::to_string(ctx.num_rows) + " to evaluate");
  }
  if (vector.null_count > 0 && vector.validity.size() < size_t(BitmapBytes(ctx.num_rows))) {
    return Status::InvalidArgument("predicate column " + std::to_string(column) +
                                   " has nulls but no validity bitmap");
  }
  *out = &vector;
  return Status::OK();
}

Status EvalLeaf(const Expr& leaf, const EvalContext& ctx, Truth* out) {
  InitTruth(ctx, out);
  const ColumnVector* column = nullptr;
  OC_RETURN_IF_ERROR(CheckColumn(leaf, ctx, &column));
  uint64_t* t = out->t.as<uint64_t>();
  uint64_t* f = out->f.as<uint64_t>();
  const int64_t n = ctx.num_rows;
  if (leaf.kind == ExprKind::kIsNull) {
    for (int64_t row = 0; row < n; ++row) {
      const bool valid = column->IsValid(row);
      const uint64_t bit = uint64_t(1) << (row & 63);
      if (valid == leaf.negated) {
        t[row >> 6] |= bit;
      } else {
        f[row >> 6] |= bit;
      }
    }
    return Status::OK();
  }
  switch (leaf.type) {
    case TypeId::kBool:
      WithLeafTest<int64_t>(leaf, [&](auto test) {
        FillLeaf(
            *column, n, [&](int64_t row) { return int64_t(column->GetBool(row)); }, test, t, f);
      });
      break;
    case TypeId::kDate: {
      const int32_t* values = column->values.as<int32_t>();
      WithLeafTest<int64_t>(leaf, [&](auto test) {
        FillLeaf(
            *column, n, [values](int64_t row) { return int64_t(values[row]); }, test, t, f);
      });
      break;
    }
    case TypeId::kInt64:
    case TypeId::kTimestamp: {
      const int64_t* values = column->values.as<int64_t>();
      WithLeafTest<int64_t>(leaf, [&](auto test) {
        FillLeaf(
            *column, n, [values](int64_t row) { return values[row]; }, test, t, f);
      });
      break;
    }
    case TypeId::kFloat64: {
      const double* values = column->values.as<double>();
      WithLeafTest<double>(leaf, [&](auto test) {
        FillLeaf(
            *column, n, [values](int64_t row) { return values[row]; }, test, t, f);
      });
      break;
    }
    case TypeId::kString:
      if (column->is_dictionary()) {
        // Decide each dictionary entry once per batch, on first sight.
        const Dictionary& dictionary = *column->dictionary;
        const int32_t* codes = column->values.as<int32_t>();
        for (int64_t row = 0; row < n; ++row) {
          if (codes[row] < 0 || codes[row] >= dictionary.size) {
            return Status::Corruption("predicate: dictionary code " + std::to_string(codes[row]) +
                                      " out of range");
          }
        }
        Buffer memo(ctx.budget);
        memo.Resize(size_t(dictionary.size));
        std::memset(memo.data(), 0xFF, memo.size());
        int8_t* decided = reinterpret_cast<int8_t*>(memo.data());
        WithLeafTest<std::string_view>(leaf, [&](auto test) {
          FillLeaf(
              *column, n, [codes](int64_t row) { return codes[row]; },
              [&](int32_t code) {
                int8_t& known = decided[code];
                if (known < 0) known = test(dictionary.Get(code)) ? 1 : 0;
                return known == 1;
              },
              t, f);
        });
      } else {
        WithLeafTest<std::string_view>(leaf, [&](auto test) {
          FillLeaf(
              *column, n, [column](int64_t row) { return column->GetString(row); }, test, t, f);
        });
      }
      break;
  }
  return Status::OK();
}

Status Eval(const Expr& expr, const EvalContext& ctx, Truth* out) {
  switch (expr.kind) {
    case ExprKind::kNot:
      OC_RETURN_IF_ERROR(Eval(*expr.children[0], ctx, out));
      std::swap(out->t, out->f);
      return Status::OK();
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      OC_RETURN_IF_ERROR(Eval(*expr.children[0], ctx, out));
      Truth other;
      const bool is_and = expr.kind == ExprKind::kAnd;
      for (size_t i = 1; i < expr.children.size(); ++i) {
        OC_RETURN_IF_ERROR(Eval(*expr.children[i], ctx, &other));
        uint64_t* t = out->t.as<uint64_t>();
        uint64_t* f = out->f.as<uint64_t>();
        const uint64_t* t2 = other.t.as<uint64_t>();
        const uint64_t* f2 = other.f.as<uint64_t>();
        for (size_t w = 0; w < ctx.words; ++w) {
          if (is_and) {
            t[w] &= t2[w];  // true only when both are
            f[w] |= f2[w];  // false when either is
          } else {
            t[w] |= t2[w];
            f[w] &= f2[w];
          }
        }
      }
      return Status::OK();
    }
    default:
      return EvalLeaf(expr, ctx, out);
  }
}

}  // namespace

Status Evaluate(const Expr& expr, std::span<const ColumnVector* const> columns, int64_t num_rows,
                Buffer* selection) {
  if (num_rows < 0) return Status::InvalidArgument("predicate: negative row count");
  EvalContext ctx{columns, num_rows, size_t((num_rows + 63) / 64), selection->budget()};
  Truth truth;
  OC_RETURN_IF_ERROR(Eval(expr, ctx, &truth));
  // Bits past num_rows stay clear: leaves only set bits of rows they visited.
  selection->Resize(size_t(BitmapBytes(num_rows)));
  if (num_rows > 0) std::memcpy(selection->data(), truth.t.data(), selection->size());
  return Status::OK();
}

Status EvaluateBatch(const Expr& expr, const Batch& batch, std::span<const int> batch_columns,
                     Buffer* selection) {
  std::vector<const ColumnVector*> by_schema;
  for (size_t i = 0; i < batch_columns.size() && i < batch.columns.size(); ++i) {
    if (batch_columns[i] < 0) continue;
    if (by_schema.size() <= size_t(batch_columns[i])) by_schema.resize(size_t(batch_columns[i]) + 1, nullptr);
    by_schema[size_t(batch_columns[i])] = &batch.columns[i];
  }
  return Evaluate(expr, by_schema, batch.num_rows, selection);
}

}  // namespace outcore
