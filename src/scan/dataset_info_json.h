// The parts of DatasetInfoJson (outcore/dataset_info.h) that ingest's report
// writes too, so both key them alike.
#pragma once

#include <vector>

#include "base/json.h"
#include "outcore/dataset_info.h"

namespace outcore {

// An array under j's current key: [{"kind", "rule", "rows_rejected"}, ...],
// in the order the rules were checked.
void WriteRulesJson(JsonWriter* j, const std::vector<RuleInfo>& rules);

}  // namespace outcore
