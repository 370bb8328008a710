// The flamegraph form of the trace report; see render_collapsed.h.
#include "trace/render_collapsed.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace outcore::trace {

std::string RenderCollapsed(const TraceReport& report) {
  std::map<std::string, uint64_t> folded;
  for (const auto& p : report.processes) {
    std::string root = fmt::format("{} [{}]", p.command.substr(0, 60), p.pid);
    std::replace(root.begin(), root.end(), ';', ',');
    for (const auto& [stack, bytes] : p.collapsed) folded[root + ";" + stack] += bytes;
  }
  std::string out;
  for (const auto& [stack, bytes] : folded) out += fmt::format("{} {}\n", stack, bytes);
  return out;
}

}  // namespace outcore::trace
