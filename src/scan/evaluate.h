// Answering a parsed expression (expression.h) on decoded rows: a selection
// bitmap with a bit set for every row where the expression is true. Every
// node yields where it is true and where it is false; rows in neither are
// unknown (null), and and/or/not combine them by Kleene's rules, so `not` of
// unknown stays unknown (doc/query.md).
//
// Thread-safety: only reads the Expr and the columns; scratch is charged to
// the selection's budget, so concurrent calls need their own selections.
//
//   Buffer selection(&budget);
//   OC_RETURN_IF_ERROR(EvaluateBatch(*where, batch, projection, &selection));
//   for (int64_t row = 0; row < batch.num_rows; ++row)
//     if (GetBit(selection.data(), row)) emit(row);
#pragma once

#include <cstdint>
#include <span>

#include "outcore/column.h"
#include "outcore/dataset.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "scan/expression.h"

namespace outcore {

// Evaluates `expr` on rows [0, num_rows) of decoded columns: `columns[i]` is
// schema column i (only the columns expr.Columns() names are read; others may
// be null). `selection` becomes BitmapBytes(num_rows) bytes, bit r set when
// row r is true. Scratch is charged to selection->budget().
//   OC_RETURN_IF_ERROR(Evaluate(*where, by_schema_index, num_rows, &selection));
Status Evaluate(const Expr& expr, std::span<const ColumnVector* const> columns, int64_t num_rows,
                Buffer* selection);
// The same on a scanner's batch: `batch_columns[i]` is the schema index of
// batch.columns[i] (the scan's projection, which must include expr.Columns()).
Status EvaluateBatch(const Expr& expr, const Batch& batch, std::span<const int> batch_columns,
                     Buffer* selection);

}  // namespace outcore
