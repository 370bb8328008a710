// The HTML form of the trace report (`--html`): one self-contained page (its
// script inline, no external file, opens offline) with the timeline drawn as
// an SVG chart with each series labelled and explained, the heap peak marked,
// and what was live at a clicked point (from the peak snapshots); flame
// graphs of the stacks live at the peak and of all allocations; a table of
// sites per process whose stacks unfold, with the source text of each line.
// Its size is bounded whatever the run length (the timeline is resampled,
// flame frames under 0.1% are dropped, source text is capped).
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
