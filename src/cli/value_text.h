// Formatting one value of a decoded column as text, for `cat` (CSV and JSON
// lines). Thin switch over the csv layer's exact formatters, so that what is
// printed parses back to the same value. (`info`'s min/max come as text from
// DescribeDataset, formatted the same way.)
#pragma once

#include <string>

#include "outcore/column.h"

namespace outcore::cli {

// Appends row `row` of `column` as plain text (no quoting); nothing for null.
void AppendValueText(const ColumnVector& column, int64_t row, std::string* out);

}  // namespace outcore::cli
