// The members of IngestReportJson's object (outcore/ingest.h, parts.h),
// written into an object the caller has begun, so that `outcore ingest
// --json` can put its own context (inputs, output, reject_file, error) beside
// them and still key the report as oc.ingest() does.
#pragma once

#include "base/json.h"
#include "outcore/ingest.h"
#include "outcore/parts.h"

namespace outcore {

// The report's keys, in IngestReportJson's order (REQUIRES: j is inside an object).
void WriteIngestReportMembers(JsonWriter* j, const IngestReport& report);
// The total's keys, then parts_before and parts.
void WriteIngestReportMembers(JsonWriter* j, const PartsIngestReport& report);

}  // namespace outcore
