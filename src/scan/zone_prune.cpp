#include "scan/zone_prune.h"

#include <cstdint>
#include <string_view>

#include "format/metadata.h"

namespace outcore {

// For each node: may some row of the chunk be true? may some be false?
// (Unknown rows are neither.) `not` swaps the two; and/or combine them like
// Evaluate's truth bitmaps (evaluate.cpp), so pruning stays sound under
// negation.

namespace {

struct Possible {
  bool may_true = true;
  bool may_false = true;
};

// Whether some value v in the zone [min, max] can satisfy `v op c`. Strings
// get the same treatment: min_string is <= every value and, unless flagged
// inexact, max_string >= every value; "min == max" proves nothing for them,
// which is why `!=` is only decided for exact integer zones.
template <typename T>
bool RangeMayHold(CompareOp op, const T& min, const T& max, bool max_exact, const T& c) {
  switch (op) {
    case CompareOp::kEq:
      return min <= c && (!max_exact || c <= max);
    case CompareOp::kNe:
      return true;
    case CompareOp::kLt:
      return min < c;
    case CompareOp::kLe:
      return min <= c;
    case CompareOp::kGt:
      return !max_exact || max > c;
    case CompareOp::kGe:
      return !max_exact || max >= c;
  }
  return true;
}

CompareOp Negated(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return CompareOp::kNe;
    case CompareOp::kNe:
      return CompareOp::kEq;
    case CompareOp::kLt:
      return CompareOp::kGe;
    case CompareOp::kLe:
      return CompareOp::kGt;
    case CompareOp::kGt:
      return CompareOp::kLe;
    case CompareOp::kGe:
      return CompareOp::kLt;
  }
  return op;
}

template <typename T>
Possible ValueLeaf(const Expr& leaf, bool has_range, const T& min, const T& max, bool max_exact,
                   bool nan_possible, bool equal_bounds_exact, auto literal) {
  // "some value satisfies op c" over the zone; without a range (all NaN), only != can hold.
  auto holds = [&](CompareOp op, const T& c) {
    if (!has_range) return op == CompareOp::kNe && nan_possible;
    if (op == CompareOp::kNe) {
      if (nan_possible) return true;
      return !(equal_bounds_exact && min == max && max == c);
    }
    return RangeMayHold(op, min, max, max_exact, c);
  };
  Possible p;
  switch (leaf.kind) {
    case ExprKind::kCompare:
      p.may_true = holds(leaf.op, literal(0));
      // A row is false when it satisfies the opposite comparison, or is NaN
      // (false for every operator but !=).
      p.may_false = holds(Negated(leaf.op), literal(0)) || (nan_possible && leaf.op != CompareOp::kNe);
      return p;
    case ExprKind::kBetween:
      p.may_true = has_range && !(literal(1) < literal(0)) && holds(CompareOp::kGe, literal(0)) &&
                   holds(CompareOp::kLe, literal(1));
      p.may_false = nan_possible || holds(CompareOp::kLt, literal(0)) || holds(CompareOp::kGt, literal(1)) ||
                    literal(1) < literal(0);
      return p;
    case ExprKind::kIn: {
      p.may_true = false;
      for (size_t i = 0; i < leaf.values.size() && !p.may_true; ++i)
        p.may_true = holds(CompareOp::kEq, literal(i));
      // False rows exist unless every row provably equals one listed value.
      p.may_false = nan_possible || !has_range || !(equal_bounds_exact && min == max) || !p.may_true;
      if (!nan_possible && has_range && equal_bounds_exact && min == max) {
        bool listed = false;
        for (size_t i = 0; i < leaf.values.size(); ++i) listed = listed || literal(i) == min;
        p.may_false = !listed;
      }
      return p;
    }
    default:
      return p;
  }
}

Possible ZonePossible(const Expr& expr, const format::ChunkMeta& chunk) {
  switch (expr.kind) {
    case ExprKind::kNot: {
      Possible child = ZonePossible(*expr.children[0], chunk);
      return {child.may_false, child.may_true};
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      const bool is_and = expr.kind == ExprKind::kAnd;
      Possible result{is_and, !is_and};
      for (const auto& child_expr : expr.children) {
        Possible child = ZonePossible(*child_expr, chunk);
        if (is_and) {
          result.may_true = result.may_true && child.may_true;
          result.may_false = result.may_false || child.may_false;
        } else {
          result.may_true = result.may_true || child.may_true;
          result.may_false = result.may_false && child.may_false;
        }
      }
      return result;
    }
    default:
      break;
  }
  if (expr.column < 0 || size_t(expr.column) >= chunk.columns.size()) return {};
  const format::ZoneMap& zone = chunk.columns[size_t(expr.column)].zone;
  if (zone.null_count > chunk.row_count) return {};  // inconsistent metadata: decide nothing
  const uint64_t valid = chunk.row_count - zone.null_count;
  if (expr.kind == ExprKind::kIsNull) {
    const bool has_null = zone.null_count > 0, has_valid = valid > 0;
    return expr.negated ? Possible{has_valid, has_null} : Possible{has_null, has_valid};
  }
  if (valid == 0) return {false, false};  // every row is null: the leaf is unknown everywhere
  if (expr.kind == ExprKind::kContains) return {};
  switch (expr.type) {
    case TypeId::kFloat64:
      // Zone maps leave NaN out of min/max and do not count it: assume it may be there.
      return ValueLeaf<double>(expr, zone.has_min_max, zone.min_float, zone.max_float, true, true, true,
                               [&](size_t i) { return expr.values[i].float_value; });
    case TypeId::kString:
      if (!zone.has_min_max) return {};
      return ValueLeaf<std::string_view>(
          expr, true, zone.min_string, zone.max_string, !zone.string_bounds_inexact, false, false,
          [&](size_t i) { return std::string_view(expr.values[i].string_value); });
    default:
      if (!zone.has_min_max) return {};
      return ValueLeaf<int64_t>(expr, true, zone.min_int, zone.max_int, true, false, true,
                                [&](size_t i) { return expr.values[i].int_value; });
  }
}

}  // namespace

bool MayMatch(const Expr& expr, const format::ChunkMeta& chunk) { return ZonePossible(expr, chunk).may_true; }

}  // namespace outcore
