// The predicate language's expression tree: the one small language of
// `outcore cat --where` and Python's scan(where=...) (grammar, null and NaN
// rules: doc/query.md). This file lexes, parses and type-checks an expression
// against a schema, prints it back, and lists the columns it reads. Answering
// it is the other rooms' job: evaluate.h on decoded rows, zone_prune.h on a
// chunk's statistics, query_plan.h with indexes.
//
// Logic is three-valued (SQL): a comparison on a null row is unknown, `not`
// of unknown is unknown, and only rows that are true are selected.
//
// Thread-safety: an Expr is immutable after parsing and may be shared by
// threads; everything that answers it only reads it.
//
//   OC_ASSIGN_OR_RETURN(auto where, ParsePredicate("topic == 'food' and price > 100", dataset->schema()));
//   where->ToString(dataset->schema());  // "((topic == 'food') and (price > 100))"
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

enum class ExprKind : uint8_t { kAnd, kOr, kNot, kCompare, kIn, kBetween, kIsNull, kContains };
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// A literal converted to its column's type (the field that type uses).
struct Literal {
  int64_t int_value = 0;     // bool (0/1), int64, date (days), timestamp (microseconds)
  double float_value = 0;    // float64
  std::string string_value;  // string; contains: the words as written
};

struct Expr {
  ExprKind kind = ExprKind::kAnd;
  size_t position = 0;                          // byte offset where the node starts in the text
  std::vector<std::unique_ptr<Expr>> children;  // and/or: 2 or more (flattened); not: 1
  int column = -1;                              // leaves: schema index
  TypeId type = TypeId::kInt64;                 // leaves: the column's type
  CompareOp op = CompareOp::kEq;                // kCompare: column op values[0]
  bool negated = false;                         // kIsNull: `is not null`
  std::vector<Literal> values;      // compare 1; in: sorted, distinct; between: low, high; contains 1
  std::vector<std::string> tokens;  // kContains: distinct tokens of the word(s), sorted

  // Schema indexes the expression reads, ascending and distinct.
  std::vector<int> Columns() const;
  // Text that parses back to the same expression, fully parenthesized:
  //   "((topic == 'food') and (price > 100))"
  std::string ToString(const std::vector<ColumnSchema>& schema) const;
};

// Where a parse or type error is, for callers that point at it themselves
// (Python); the Status message already carries a caret line.
struct PredicateError {
  size_t position = 0;  // byte offset into the text
  std::string message;  // "expected a number for float64 column 'price'"
};

// Parses and type-checks `text` against `schema`. Errors are InvalidArgument:
//   "price > 'abc'\n        ^ expected a number for float64 column 'price'"
//   auto where = ParsePredicate("d between '2024-01-01' and '2024-06-30'", schema);
Result<std::unique_ptr<Expr>> ParsePredicate(std::string_view text, const std::vector<ColumnSchema>& schema,
                                             PredicateError* error = nullptr);

}  // namespace outcore
