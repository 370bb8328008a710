// The JSON forms of the reports; see render_json.h.
#include "trace/render_json.h"

#include <fmt/format.h>

#include "trace/render_common.h"

namespace outcore::trace {

namespace {

std::string SitesJson(const std::vector<ReportSite>& sites) {
  std::string out = "[";
  for (size_t i = 0; i < sites.size(); ++i) {
    const auto& s = sites[i];
    out += fmt::format(
        "{}{{\"location\": {}, \"function\": {}, \"kind\": {}, \"bytes\": {}, \"count\": {}, "
        "\"share\": {:.6f}, \"stack\": [",
        i ? ", " : "", JsonEscape(s.location), JsonEscape(s.function), JsonEscape(s.kind), s.bytes, s.count,
        s.share);
    for (size_t j = 0; j < s.stack.size(); ++j) out += (j ? ", " : "") + JsonEscape(s.stack[j]);
    out += "]}";
  }
  return out + "]";
}

std::string TimelineJson(const std::vector<TimelineSample>& timeline) {
  std::string out = "[";
  for (size_t i = 0; i < timeline.size(); ++i) {
    const auto& s = timeline[i];
    out += fmt::format(
        "{}{{\"seconds\": {:.4f}, \"heap\": {}, \"file_mapped\": {}, \"rss\": {}, \"rss_anon\": {}, "
        "\"rss_file\": {}, \"rss_shmem\": {}, \"swap\": {}, \"minor_faults\": {}, \"major_faults\": {}, "
        "\"pressure_some_us\": {}, \"pressure_full_us\": {}, \"cgroup_refaults\": {}, \"processes\": {}}}",
        i ? ", " : "", s.seconds, s.heap, s.file_mapped, s.rss, s.rss_anon, s.rss_file, s.rss_shmem, s.swap,
        s.minor_faults, s.major_faults, s.pressure_some_us, s.pressure_full_us, s.cgroup_refaults,
        s.processes);
  }
  return out + "]";
}

std::string ExitJson(const ExitInfo& exit) {
  return fmt::format(
      "{{\"signaled\": {}, \"exit_code\": {}, \"signal\": {}, \"status\": {}, \"description\": {}}}",
      exit.signaled ? "true" : "false", exit.exit_code, exit.signal, exit.ShellStatus(),
      JsonEscape(exit.Describe()));
}

}  // namespace

std::string RenderTraceJson(const TraceReport& report) {
  std::string out = fmt::format(
      "{{\"command\": {}, \"exit\": {}, \"wall_seconds\": {:.4f}, \"peak_heap\": {}, "
      "\"peak_heap_sum\": {}, \"peak_rss\": {}, \"processes\": [",
      JsonEscape(report.command), ExitJson(report.exit), report.exit.wall_seconds, report.peak_heap,
      report.peak_heap_sum, report.peak_rss_sum);
  for (size_t i = 0; i < report.processes.size(); ++i) {
    const auto& p = report.processes[i];
    out += fmt::format(
        "{}{{\"pid\": {}, \"ppid\": {}, \"command\": {}, \"python\": {}, \"exited\": {}, \"alloc_failed\": "
        "{}, "
        "\"failed_allocs\": {}, \"peak_heap\": {}, \"snapshot_heap\": {}, \"peak_seconds\": {:.4f}, "
        "\"file_mapped_at_peak\": {}, \"alloc_count\": {}, \"alloc_bytes\": {}, \"peak_rss\": {}, "
        "\"tracer_overhead\": {}, \"leaked_bytes\": {}, \"top_at_peak\": {}, \"leaks\": {}, "
        "\"top_allocators\": {}}}",
        i ? ", " : "", p.pid, p.ppid, JsonEscape(p.command), p.python ? "true" : "false",
        p.exited ? "true" : "false", p.alloc_failed ? "true" : "false", p.failed_allocs, p.peak_heap,
        p.snapshot_heap, p.peak_seconds, p.file_mapped_at_peak, p.alloc_count, p.alloc_bytes, p.peak_rss,
        p.tracer_overhead, p.leaked_bytes, SitesJson(p.top_at_peak), SitesJson(p.leaks),
        SitesJson(p.top_allocators));
  }
  out += "], \"timeline\": " + TimelineJson(report.timeline);
  if (report.log_min_bytes) {
    out += fmt::format(
        ", \"log\": {{\"min_bytes\": {}, \"not_shown\": {}, \"not_shown_bytes\": {}, \"lines\": [",
        report.log_min_bytes, report.log_not_shown, report.log_not_shown_bytes);
    for (size_t i = 0; i < report.log.size(); ++i) {
      const auto& line = report.log[i];
      out += fmt::format(
          "{}{{\"seconds\": {:.4f}, \"pid\": {}, \"call\": {}, \"size\": {}, \"address\": {}, "
          "\"library\": {}, \"location\": {}, \"function\": {}}}",
          i ? ", " : "", line.seconds, line.pid, JsonEscape(line.call), line.size, line.address,
          JsonEscape(line.library), JsonEscape(line.location), JsonEscape(line.function));
    }
    out += "]}";
  }
  out += ", \"warnings\": [";
  for (size_t i = 0; i < report.warnings.size(); ++i) out += (i ? ", " : "") + JsonEscape(report.warnings[i]);
  return out + "]}\n";
}

std::string RenderMemJson(const MemReport& report) {
  std::string out = fmt::format(
      "{{\"command\": {}, \"exit\": {}, \"wall_seconds\": {:.4f}, \"peak_rss\": {}, "
      "\"peak_rss_sum\": {}, \"peak_swap\": {}, \"processes\": [",
      JsonEscape(report.command), ExitJson(report.exit), report.exit.wall_seconds, report.peak_rss,
      report.peak_rss_sum, report.peak_swap);
  for (size_t i = 0; i < report.processes.size(); ++i) {
    const auto& p = report.processes[i];
    out += fmt::format(
        "{}{{\"pid\": {}, \"ppid\": {}, \"command\": {}, \"peak_rss\": {}, \"peak_swap\": {}, "
        "\"minor_faults\": {}, \"major_faults\": {}, \"first_seen\": {:.4f}, \"last_seen\": {:.4f}}}",
        i ? ", " : "", p.pid, p.ppid, JsonEscape(p.command), p.peak_hwm, p.peak_swap, p.minor_faults,
        p.major_faults, p.first_seen, p.last_seen);
  }
  out += fmt::format(
      "], \"minor_faults\": {}, \"major_faults\": {}, \"pressure\": {{\"available\": {}, \"some_us\": {}, "
      "\"full_us\": {}}}, \"cgroup\": {{\"path\": {}, \"own\": {}}}, \"squeezed\": [",
      report.minor_faults, report.major_faults, report.pressure_available ? "true" : "false",
      report.pressure_some_us, report.pressure_full_us, JsonEscape(report.cgroup),
      report.cgroup_own ? "true" : "false");
  for (size_t i = 0; i < report.squeezed.size(); ++i) {
    const auto& span = report.squeezed[i];
    out += fmt::format(
        "{}{{\"begin_seconds\": {:.4f}, \"end_seconds\": {:.4f}, \"major_faults\": {}, \"refaults\": {}, "
        "\"swap_growth\": {}, \"rss_high\": {}}}",
        i ? ", " : "", span.begin_seconds, span.end_seconds, span.major_faults, span.refaults,
        span.swap_growth, span.rss_high);
  }
  return out + "], \"timeline\": " + TimelineJson(report.timeline) + "}\n";
}

}  // namespace outcore::trace
