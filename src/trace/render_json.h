// The JSON forms of the reports (`--json`): every figure of the model, sizes
// in bytes, one object per process and per timeline point; for scripts and
// tests, which read its field names: renaming one breaks them.
//
// Thread-safety: pure functions.
//
//   WriteTextFile("trace.json", RenderTraceJson(report));
#pragma once

#include <string>

#include "trace/report_model.h"

namespace outcore::trace {

std::string RenderTraceJson(const TraceReport& report);
std::string RenderMemJson(const MemReport& report);

}  // namespace outcore::trace
