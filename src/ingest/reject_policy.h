// The rejection policy (`--max-rejects`, include/outcore/ingest.h RejectLimit):
// when rejected rows make the ingest fail, when they are worth a warning, and
// the per-column summary both name (DescribeRejects).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clean/reject.h"
#include "outcore/ingest.h"
#include "outcore/status.h"

namespace outcore {

// More than this share of the rows read rejected earns a warning.
inline constexpr double kRejectWarnPercent = 1.0;

// Whether `rejected` of `read` rows passes `limit`. Before the input is read
// (`input_done` false) only a count can be judged.
bool RejectLimitPassed(const RejectLimit& limit, uint64_t read, uint64_t rejected, bool input_done);

// "--max-rejects 1000", "--max-rejects 1%" or "the default limit (every row rejected)".
std::string RejectLimitName(const RejectLimit& limit);

// Fills report->rejects_by_column (the sink's groups, most rows first) and,
// when rows that did not parse (rule rejects left out) pass kRejectWarnPercent,
// report->reject_warning; needs the report's counts.
void SummarizeRejects(const RejectSink& sink, const std::vector<std::string>& names,
                      const std::vector<TypeId>& types, IngestReport* report);

// The DataError for a tripped limit: how many rows, which limit, that
// nothing was written to `output`, where the rejects are, then the summary.
Status RejectLimitError(const IngestReport& report, const RejectLimit& limit, const std::string& output,
                        const std::string& reject_path, bool input_done);

}  // namespace outcore
