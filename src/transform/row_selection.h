// The rows a transform reads and its nulls (RowSelection, outcore/transform.h),
// turned into what the scan and the transforms' loops need: one predicate for
// the scan (the user's `where`, and with NullPolicy::kDrop "c is not null" for
// every column), the check that kMean applies, and the error a null raises
// under kFail — which names the column, the file row and the options that get
// past it, spelled as the caller (the command or Python) spells them.
// Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/status.h"
#include "outcore/transform.h"

namespace outcore::transform {

// The scan's predicate: `selection.where` (checked on its own first, so a
// mistake is shown in what the user typed), and with kDrop every column of
// `columns` "is not null". Empty: every row.
//   OC_ASSIGN_OR_RETURN(options.where, SelectionWhere(*dataset, {"x", "y"}, {.where = "", .nulls =
//   NullPolicy::kDrop}));
//   // options.where == "x is not null and y is not null"
Result<std::string> SelectionWhere(const Dataset& dataset, const std::vector<std::string>& columns,
                                   const RowSelection& selection);

// Points `options` at the rows `selection` picks: SelectionWhere's predicate
// and the selection's chunk span. A span other than the whole file with kMean
// is an InvalidArgument error (a partition's means are not the file's).
//   OC_RETURN_IF_ERROR(ScanRowsOf(*dataset, options.columns, selection, &options));
Status ScanRowsOf(const Dataset& dataset, const std::vector<std::string>& columns,
                  const RowSelection& selection, ScanOptions* options);

// Whether `selection` reads the whole file (its chunk span is the default).
inline bool WholeFile(const RowSelection& selection) {
  return selection.chunks.begin == 0 && selection.chunks.end < 0;
}

// InvalidArgument when `selection` is kMean and one of `columns` is not
// int64, float64 or bool (a mean needs numbers).
Status CheckMeanApplies(const Dataset& dataset, const std::vector<std::string>& columns,
                        const RowSelection& selection);

// The DataError for a null under kFail in `column` at file row `row`.
Status NullFound(const std::string& column, bool numeric, int64_t row, const RowSelection& selection);

// The row of `column`'s first null at or after `from` (and before `to`), or -1.
int64_t FirstNull(const ColumnVector& column, int64_t from, int64_t to);

// `name` as a column of the predicate language: bare when it is a bare word
// and no keyword, else in double quotes.
std::string PredicateColumn(const std::string& name);

bool IsNumericType(TypeId type);

}  // namespace outcore::transform
