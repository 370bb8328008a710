// The report of `outcore trace` and `outcore mem`: start here. The model
// (report_model.h) is built once from the trace files and the sampled
// timeline; each output form has its renderer, which reads only the model:
//   render_text.h       what is printed on stderr (trace and mem)
//   render_json.h       --json (trace and mem)
//   render_html.h       --html, a self-contained page with an SVG timeline
//   render_collapsed.h  --collapsed, flamegraph folded stacks
//
// Thread-safety: values and pure functions.
//
//   TraceReport report = BuildTraceReport(processes, symbolizer, input);
//   std::fputs(RenderTraceText(report).c_str(), stderr);
//   OC_RETURN_IF_ERROR(WriteTextFile("trace.html", RenderTraceHtml(report)));
#pragma once

#include <string>

#include "outcore/status.h"
#include "trace/render_collapsed.h"
#include "trace/render_html.h"
#include "trace/render_json.h"
#include "trace/render_text.h"
#include "trace/report_model.h"

namespace outcore::trace {

// Writes text to path ("-" = stdout).
Status WriteTextFile(const std::string& path, const std::string& text);

}  // namespace outcore::trace
