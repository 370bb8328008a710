// The HTML form of the trace report (`--html`): one self-contained page (no
// script, no external file) with the timeline drawn as an SVG chart, the
// heap peak marked, and a table of sites per process whose stacks unfold.
// Its size is bounded whatever the run length (the timeline is resampled).
//
// Thread-safety: pure function.
//
//   WriteTextFile("trace.html", RenderTraceHtml(report));
#pragma once

#include <string>

#include "trace/report_model.h"

namespace outcore::trace {

std::string RenderTraceHtml(const TraceReport& report);

}  // namespace outcore::trace
