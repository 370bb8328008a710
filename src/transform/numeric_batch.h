// Reading numeric columns of a .oc file as rows of doubles: the projection
// that PCA, statistics and normalization share. Int64, float64 and bool
// columns convert to double; other types are refused with a message naming
// the column. A null becomes the column's fill value when one is given
// (NullPolicy::kMean), else it is refused: the message names the column, the
// file row and the options that get past it (row_selection.h).
// Thread-safety: a value owned by one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/status.h"
#include "outcore/transform.h"

namespace outcore::transform {

// The scan options for `columns` (empty: every int64/float64/bool column),
// checked to be numeric.
//   OC_ASSIGN_OR_RETURN(auto options, NumericScanOptions(*dataset, {"x", "y"}));
Result<ScanOptions> NumericScanOptions(const Dataset& dataset, std::vector<std::string> columns);

// Copies rows [offset, offset + rows) of `batch` into `out` (row-major,
// rows x batch.columns.size()); a null is `fill[column]` when `fill` is
// given, else the DataError of NullFound (spelled for `selection`).
Status CopyRowsAsDoubles(const Batch& batch, const std::vector<ColumnSchema>& schema, int64_t offset,
                         int64_t rows, double* out, const double* fill = nullptr,
                         const RowSelection& selection = {});

}  // namespace outcore::transform
