// Formatting one value of a decoded column as text, shared by `cat` (CSV and
// JSON lines) and `info` (min/max). Thin switch over the csv layer's exact
// formatters, so that what is printed parses back to the same value.
#pragma once

#include <string>

#include "format/metadata.h"
#include "outcore/column.h"

namespace outcore::cli {

// Appends row `row` of `column` as plain text (no quoting); nothing for null.
void AppendValueText(const ColumnVector& column, int64_t row, std::string* out);
// Appends a zone map's min or max as text ("" when it has none).
std::string ZoneBoundText(TypeId type, const format::ZoneMap& zone, bool max);

}  // namespace outcore::cli
