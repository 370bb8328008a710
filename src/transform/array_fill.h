// The pieces of FillColumns (outcore/export.h) that the .npy/.npz export
// shares: checking a target against the file's schema, the scan projection
// of a set of targets, and one batch column converted into a target.
// Thread-safety: plain functions over the caller's values.
#pragma once

#include <string>
#include <vector>

#include "outcore/export.h"

namespace outcore::transform {

// The target's (source type, element) pair is one FillColumns converts; the
// column exists. InvalidArgument naming the column otherwise.
Status CheckTarget(const Dataset& dataset, const ColumnTarget& target);

// Checks every target and sets options->columns to the distinct columns
// they read; returns, per target, its column's position in the batch.
Result<std::vector<int>> ProjectTargets(const Dataset& dataset, const std::vector<ColumnTarget>& targets,
                                        ScanOptions* options);

// Converts `column` (one batch's, its first row being `first_file_row` of
// the file at `path`) into `target` from output row `out_row` on.
Status ConvertColumn(const ColumnVector& column, const ColumnTarget& target, int64_t out_row,
                     int64_t first_file_row, const std::string& path);

}  // namespace outcore::transform
