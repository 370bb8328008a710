// A column chunk's zone map (the footer's min/max/null count that lets a scan
// skip the chunk, doc/format.md "Chunks section") made from the statistics of
// its values (encoding/stats.h). Every writer of chunks — ingest, and
// rewrites that re-encode a column such as normalize — makes it here, so a
// chunk's zone map means the same whoever wrote it.
//
// Thread-safety: a pure function.
//
//   ColumnStats stats = ComputeStats(chunk_column);
//   chunk.columns[c].zone = format::ZoneMapFromStats(stats);
#pragma once

#include "encoding/stats.h"
#include "format/metadata.h"

namespace outcore::format {

// Null count, and min/max when some value is valid, with the core range and
// its outliers when the statistics have one. A string maximum that is not an
// upper bound (ColumnStats::max_string_bounded) is flagged inexact.
ZoneMap ZoneMapFromStats(const ColumnStats& stats);

// Widens `into` to cover `from` as well: null counts add up, the range is the
// smaller min and the larger max, and an inexact string maximum on either side
// stays inexact; the result has no core range. What a part's statistics in the part manifest are (its
// chunks' zone maps merged, doc/format.md "The part manifest") and what
// `info` shows as a column's range.
//   ZoneMap part;  // empty: no nulls, no range
//   for (each chunk) MergeZoneMap(type, chunk.columns[c].zone, &part);
void MergeZoneMap(TypeId type, const ZoneMap& from, ZoneMap* into);

}  // namespace outcore::format
