// The flamegraph form of the trace report (`--collapsed`): Brendan Gregg's
// folded format, one "frame;frame;frame bytes" line per stack live at the
// peak, root first, each process under a "command [pid]" root frame.
//
// Thread-safety: pure function.
//
//   WriteTextFile("peak.folded", RenderCollapsed(report));  // then flamegraph.pl
#pragma once

#include <string>

#include "trace/report_model.h"

namespace outcore::trace {

std::string RenderCollapsed(const TraceReport& report);

}  // namespace outcore::trace
