#include "scan/zone_prune.h"

#include <cstdint>
#include <span>
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

// What a zone map's core (ZoneMap::has_core) knows of a chunk: every value
// lies in [min, max] or is one of `outliers`.
template <typename T>
struct Core {
  T min, max;
  std::span<const T> outliers;
};

// Whether some value v of the core or an outlier can satisfy `v op c`.
template <typename T>
bool CoreMayHold(CompareOp op, const Core<T>& core, const T& c) {
  if (RangeMayHold(op, core.min, core.max, true, c)) return true;
  for (const T& v : core.outliers) {
    if (RangeMayHold(op, v, v, true, c)) return true;  // one value: a range of one
  }
  return false;
}

// Whether some value of the core or an outlier can lie in [low, high]: the
// two ends asked apart would let an outlier below and one above pass.
template <typename T>
bool CoreMayHoldBetween(const Core<T>& core, const T& low, const T& high) {
  if (core.min <= high && low <= core.max) return true;
  for (const T& v : core.outliers) {
    if (low <= v && v <= high) return true;
  }
  return false;
}

// The values comparisons and `between`s on one column allow together: a
// lower and an upper bound, each maybe strict.
template <typename T>
struct Bounds {
  bool has_low = false, low_strict = false, has_high = false, high_strict = false;
  T low{}, high{};

  void Low(T v, bool strict) {
    if (!has_low || v > low || (v == low && strict)) low = v, low_strict = strict, has_low = true;
  }
  void High(T v, bool strict) {
    if (!has_high || v < high || (v == high && strict)) high = v, high_strict = strict, has_high = true;
  }
  // REQUIRES: `leaf` is a comparison other than != or a between, on T's column.
  void Add(const Expr& leaf, auto literal) {
    if (leaf.kind == ExprKind::kBetween) {
      Low(literal(0), false);
      High(literal(1), false);
      return;
    }
    const T c = literal(0);
    if (leaf.op == CompareOp::kEq || leaf.op == CompareOp::kGe || leaf.op == CompareOp::kGt)
      Low(c, leaf.op == CompareOp::kGt);
    if (leaf.op == CompareOp::kEq || leaf.op == CompareOp::kLe || leaf.op == CompareOp::kLt)
      High(c, leaf.op == CompareOp::kLt);
  }
  bool Holds(T v) const {
    return (!has_low || (low_strict ? v > low : v >= low)) &&
           (!has_high || (high_strict ? v < high : v <= high));
  }
  // Whether some point of [from, to] lies inside (the core taken as every value between its ends).
  bool Meets(T from, T to) const {
    T lo = from, hi = to;
    bool lo_strict = false, hi_strict = false;
    if (has_low && (low > from || (low == from && low_strict))) lo = low, lo_strict = low_strict;
    if (has_high && (high < to || (high == to && high_strict))) hi = high, hi_strict = high_strict;
    return lo < hi || (lo == hi && !lo_strict && !hi_strict);
  }
  bool MayHold(const Core<T>& core) const {
    if (Meets(core.min, core.max)) return true;
    for (const T& v : core.outliers) {
      if (Holds(v)) return true;
    }
    return false;
  }
};

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

// `core`, when not null, narrows [min, max] (it holds only when has_range).
template <typename T>
Possible ValueLeaf(const Expr& leaf, bool has_range, const T& min, const T& max, bool max_exact,
                   bool nan_possible, bool equal_bounds_exact, const Core<T>* core, auto literal) {
  // "some value satisfies op c" over the zone; without a range (all NaN), only != can hold.
  auto holds = [&](CompareOp op, const T& c) {
    if (!has_range) return op == CompareOp::kNe && nan_possible;
    if (op == CompareOp::kNe) {
      if (nan_possible) return true;
      return !(equal_bounds_exact && min == max && max == c);
    }
    return core ? CoreMayHold(op, *core, c) : RangeMayHold(op, min, max, max_exact, c);
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
      p.may_true = has_range && !(literal(1) < literal(0)) &&
                   (core ? CoreMayHoldBetween(*core, literal(0), literal(1))
                         : holds(CompareOp::kGe, literal(0)) && holds(CompareOp::kLe, literal(1)));
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

// The zone map of `column` in `chunk` when it has a core pruning may use.
const format::ZoneMap* CoreZone(const format::ChunkMeta& chunk, int column) {
  if (column < 0 || size_t(column) >= chunk.columns.size()) return nullptr;
  const format::ZoneMap& zone = chunk.columns[size_t(column)].zone;
  if (!zone.has_core || !zone.has_min_max || zone.null_count >= chunk.row_count) return nullptr;
  return &zone;
}

// Whether the comparisons and betweens directly under the `and` node `expr`
// that share a column leave no value of that column's core and outliers:
// asked apart, `t >= a and t < b` would let an outlier below a and one above
// b through, though no row lies between.
bool ConjunctionExcluded(const Expr& expr, const format::ChunkMeta& chunk) {
  auto ranged = [](const Expr& leaf) {
    const bool kind =
        leaf.kind == ExprKind::kBetween || (leaf.kind == ExprKind::kCompare && leaf.op != CompareOp::kNe);
    return kind && leaf.type != TypeId::kString && leaf.type != TypeId::kBool;
  };
  for (size_t first = 0; first < expr.children.size(); ++first) {
    const Expr& leaf = *expr.children[first];
    if (!ranged(leaf)) continue;
    const format::ZoneMap* zone = CoreZone(chunk, leaf.column);
    if (!zone) continue;
    bool seen_before = false;  // the column's leaves were asked from an earlier one
    for (size_t before = 0; before < first && !seen_before; ++before)
      seen_before = ranged(*expr.children[before]) && expr.children[before]->column == leaf.column;
    if (seen_before) continue;
    auto excluded = [&](auto bounds, const auto& core, auto literal_of) {
      for (size_t i = first; i < expr.children.size(); ++i) {
        const Expr& other = *expr.children[i];
        if (ranged(other) && other.column == leaf.column)
          bounds.Add(other, [&](size_t k) { return literal_of(other, k); });
      }
      return !bounds.MayHold(core);
    };
    const bool none =
        leaf.type == TypeId::kFloat64
            ? excluded(Bounds<double>(),
                       Core<double>{zone->core_min_float, zone->core_max_float, zone->outliers_float},
                       [](const Expr& e, size_t k) { return e.values[k].float_value; })
            : excluded(Bounds<int64_t>(),
                       Core<int64_t>{zone->core_min_int, zone->core_max_int, zone->outliers_int},
                       [](const Expr& e, size_t k) { return e.values[k].int_value; });
    if (none) return true;
  }
  return false;
}

Possible ZonePossible(const Expr& expr, const format::ChunkMeta& chunk, bool use_cores) {
  switch (expr.kind) {
    case ExprKind::kNot: {
      Possible child = ZonePossible(*expr.children[0], chunk, use_cores);
      return {child.may_false, child.may_true};
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      const bool is_and = expr.kind == ExprKind::kAnd;
      Possible result{is_and, !is_and};
      for (const auto& child_expr : expr.children) {
        Possible child = ZonePossible(*child_expr, chunk, use_cores);
        if (is_and) {
          result.may_true = result.may_true && child.may_true;
          result.may_false = result.may_false || child.may_false;
        } else {
          result.may_true = result.may_true || child.may_true;
          result.may_false = result.may_false && child.may_false;
        }
      }
      if (is_and && result.may_true && use_cores && ConjunctionExcluded(expr, chunk)) result.may_true = false;
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
  const bool core = use_cores && zone.has_core && zone.has_min_max;
  switch (expr.type) {
    case TypeId::kFloat64: {
      // Zone maps leave NaN out of min/max and do not count it: assume it may be there.
      const Core<double> values{zone.core_min_float, zone.core_max_float, zone.outliers_float};
      return ValueLeaf<double>(expr, zone.has_min_max, zone.min_float, zone.max_float, true, true, true,
                               core ? &values : nullptr,
                               [&](size_t i) { return expr.values[i].float_value; });
    }
    case TypeId::kString:
      if (!zone.has_min_max) return {};
      return ValueLeaf<std::string_view>(
          expr, true, zone.min_string, zone.max_string, !zone.string_bounds_inexact, false, false, nullptr,
          [&](size_t i) { return std::string_view(expr.values[i].string_value); });
    case TypeId::kBool:
      if (!zone.has_min_max) return {};
      return ValueLeaf<int64_t>(expr, true, zone.min_int, zone.max_int, true, false, true, nullptr,
                                [&](size_t i) { return expr.values[i].int_value; });
    default: {
      if (!zone.has_min_max) return {};
      const Core<int64_t> values{zone.core_min_int, zone.core_max_int, zone.outliers_int};
      return ValueLeaf<int64_t>(expr, true, zone.min_int, zone.max_int, true, false, true,
                                core ? &values : nullptr, [&](size_t i) { return expr.values[i].int_value; });
    }
  }
}

}  // namespace

bool MayMatch(const Expr& expr, const format::ChunkMeta& chunk, bool use_cores) {
  return ZonePossible(expr, chunk, use_cores).may_true;
}

}  // namespace outcore
