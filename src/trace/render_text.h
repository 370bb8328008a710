// The text forms of the reports: what `outcore trace` and `outcore mem` print
// on stderr. Made for a terminal: sizes in KiB/MiB/GiB, the sites of each
// process as a table, minor processes on one line.
//
// Thread-safety: pure functions.
//
//   std::fputs(RenderTraceText(report).c_str(), stderr);
#pragma once

#include <string>

#include "trace/report_model.h"

namespace outcore::trace {

std::string RenderTraceText(const TraceReport& report);
std::string RenderMemText(const MemReport& report);
// --log: one line per logged allocation, as `ltrace -e malloc` prints them
// ("libfoo.so->malloc(800000) = 0x7f..."), followed by size and caller.
std::string RenderTraceLog(const TraceReport& report);

}  // namespace outcore::trace
