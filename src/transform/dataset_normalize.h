// Normalizing columns of a .oc file: min-max or z-score (the numbers
// MinMaxScaler / StandardScaler give), written chunk by chunk into a new file
// that atomically replaces the original (or goes to `output`) through
// format::FileRewriter: untouched columns' blocks are copied byte for byte,
// normalized columns are decoded, scaled, re-encoded (float64 forms) and
// recompressed with the file's codec, by one compressor at ingest's default
// level (the footer records codecs, not levels); their zone maps come from
// format::ZoneMapFromStats, as ingest's do, and their indexes are dropped. A
// failure or Ctrl-C leaves the original as it was — never half-normalized.
// Statistics come from one streaming pass first (column_stats.h); NaN stays
// NaN and nulls stay null. Memory: one column chunk at a time.
// Thread-safety: one call per file at a time.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "outcore/status.h"
#include "outcore/transform.h"
#include "transform/scaler.h"

namespace outcore::transform {

struct NormalizeOptions {
  std::vector<std::string> columns;  // int64 or float64; they become float64
  ScaleMethod method = ScaleMethod::kMinMax;
  double range_min = 0, range_max = 1;  // minmax's feature_range
  std::string output;                   // empty: replace the input file
  uint64_t memory_limit = 0;
  const std::atomic<bool>* cancel = nullptr;
  bool no_wait = false;  // for the in-place lock, as in NormalizeColumnsOptions
  std::function<void(const std::string& message)> lock_waiting;
  // The rows the statistics are taken from (every row is scaled) and the
  // nulls: kKeep leaves them null and out of the fit, kFail stops at one in
  // the fitted rows, kMean fits on and writes the column's mean in their
  // place; kDrop is refused (normalizing keeps every row).
  RowSelection selection;
};

// The parameters used, per column (sklearn's attribute meanings).
//   NormalizeOptions o;
//   o.columns = {"price"};
//   o.method = ScaleMethod::kZScore;
//   OC_ASSIGN_OR_RETURN(ScalerParams params, NormalizeDataset("sample.oc", o));
Result<ScalerParams> NormalizeDataset(const std::string& path, const NormalizeOptions& options);

}  // namespace outcore::transform
