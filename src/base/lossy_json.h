// The lossy columns of a report (LossyColumnReport, outcore/lossy.h) as JSON,
// keyed alike wherever they appear: `outcore ingest --json` and oc.ingest()'s
// report, `outcore info --json` and Dataset.info().
#pragma once

#include <vector>

#include "base/json.h"
#include "outcore/lossy.h"

namespace outcore {

// An array under j's current key: [{"column", "form", "max_abs_error", ...}].
void WriteLossyJson(JsonWriter* j, const std::vector<LossyColumnReport>& lossy);

}  // namespace outcore
