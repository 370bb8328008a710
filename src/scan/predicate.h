// Predicates: the one small expression language of `outcore cat --where` and
// Python's scan(where=...) (grammar, null and NaN rules: doc/query.md). This
// file parses and type-checks an expression against a schema, evaluates it
// on decoded columns (-> selection bitmap), decides from zone maps whether a
// chunk may hold a match, and plans a query from zone maps plus value/token
// indexes — the index path and the scan path give the same rows.
//
// Logic is three-valued (SQL): a comparison on a null row is unknown, `not`
// of unknown is unknown, and only rows that are true are selected.
//
// Thread-safety: an Expr is immutable after parsing and may be shared by
// threads; Evaluate, MayMatch and PlanQuery only read it.
//
//   OC_ASSIGN_OR_RETURN(auto where, ParsePredicate("topic == 'food' and price > 100", dataset->schema()));
//   Buffer selection(&budget);
//   OC_RETURN_IF_ERROR(EvaluateBatch(*where, batch, projection, &selection));
//   for (int64_t row = 0; row < batch.num_rows; ++row)
//     if (GetBit(selection.data(), row)) emit(row);
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/row_bitmap.h"
#include "outcore/column.h"
#include "outcore/dataset.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

namespace format {
struct ChunkMeta;
struct FileMetadata;
}  // namespace format
class ValueIndex;
class TokenIndex;

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
  std::vector<Literal> values;                  // compare 1; in: sorted, distinct; between: low, high; contains 1
  std::vector<std::string> tokens;              // kContains: distinct tokens of the word(s), sorted

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

// Evaluates `expr` on rows [0, num_rows) of decoded columns: `columns[i]` is
// schema column i (only the columns expr.Columns() names are read; others may
// be null). `selection` becomes BitmapBytes(num_rows) bytes, bit r set when
// row r is true. Scratch is charged to selection->budget().
//   OC_RETURN_IF_ERROR(Evaluate(*where, by_schema_index, num_rows, &selection));
Status Evaluate(const Expr& expr, std::span<const ColumnVector* const> columns, int64_t num_rows, Buffer* selection);
// The same on a scanner's batch: `batch_columns[i]` is the schema index of
// batch.columns[i] (the scan's projection, which must include expr.Columns()).
Status EvaluateBatch(const Expr& expr, const Batch& batch, std::span<const int> batch_columns, Buffer* selection);

// False only when the chunk certainly holds no row for which `expr` is true,
// judged by its zone maps (null counts, min/max). Never false for a chunk
// that holds a match.
//   if (!MayMatch(*where, metadata.chunks[c])) continue;  // skip the chunk
bool MayMatch(const Expr& expr, const format::ChunkMeta& chunk);

// The indexes a plan may use, by schema index (null or absent: none).
struct IndexSet {
  std::vector<const ValueIndex*> value;
  std::vector<const TokenIndex*> token;
};

struct ChunkChoice {
  bool read = true;
  uint64_t candidate_rows = 0;  // rows of the chunk that may match
  std::string reason;           // for --explain: "skipped: zone maps exclude it", ...
};

struct QueryPlan {
  std::vector<ChunkChoice> chunks;  // one per chunk of the file
  // Set when an index narrowed the rows: `rows` holds every matching row of
  // the chunks to read (a superset of the matches unless rows_exact).
  bool used_index = false;
  bool rows_exact = false;  // `rows` are exactly the matches: no filtering needed
  RowBitmap rows;

  int64_t chunks_to_read() const;
  // One line per chunk and a summary, for `outcore cat --explain`.
  std::string Explain(const format::FileMetadata& metadata) const;
};

// Decides which chunks a scan must read and, where indexes answer parts of
// the expression, which rows may match. A chunk is skipped when MayMatch is
// false or the index leaves it no candidate row. Corruption when an index
// block is malformed or does not cover the file's rows.
//   OC_ASSIGN_OR_RETURN(QueryPlan plan, PlanQuery(*where, dataset->metadata(), indexes));
//   for (chunk c with plan.chunks[c].read) { decode; if (!plan.rows_exact) Evaluate(...); }
// `use_zone_maps` = false reads every chunk the indexes do not exclude.
Result<QueryPlan> PlanQuery(const Expr& expr, const format::FileMetadata& metadata, const IndexSet& indexes,
                            bool use_zone_maps = true);

}  // namespace outcore
