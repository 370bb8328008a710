// The text forms of the reports; see render_text.h.
#include "trace/render_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "outcore/memory.h"
#include "trace/render_common.h"

namespace outcore::trace {

namespace {

void AppendSitesText(std::string& out, const std::vector<ReportSite>& sites, const char* title) {
  if (sites.empty()) return;
  out += fmt::format("  {}\n", title);
  out += fmt::format("    {:>10}  {:>6}  {:>8}  {:<9}  {}\n", "bytes", "share", "blocks", "kind", "site");
  for (const auto& s : sites) {
    out += fmt::format("    {:>10}  {}  {:>8}  {:<9}  {}{}\n", FormatSize(s.bytes), FormatShare(s.share),
                       s.count, s.kind, s.location, s.function.empty() ? "" : "  (" + s.function + ")");
  }
}

}  // namespace

std::string RenderTraceText(const TraceReport& report) {
  std::string out = fmt::format("outcore trace: {}\n  {}", report.command, DescribeEnding(report));
  out += fmt::format(", {:.2f} s\n", report.exit.wall_seconds);
  out += fmt::format("  peak heap {} (one process), {} summed over processes; peak RSS {}\n",
                     FormatSize(report.peak_heap), FormatSize(report.peak_heap_sum),
                     FormatSize(report.peak_rss_sum));
  for (size_t process_idx = 0; process_idx < report.processes.size(); ++process_idx) {
    const auto& p = report.processes[process_idx];
    if (IsMinorProcess(report, process_idx)) continue;
    out += fmt::format("\nprocess {} (parent {}): {}\n", p.pid, p.ppid, p.command);
    out += fmt::format("  peak heap {}", FormatSize(p.peak_heap));
    if (p.peak_seconds >= 0) out += fmt::format(" at {:.3f} s", p.peak_seconds);
    out += fmt::format("; peak RSS {}; allocated {} in {} calls\n", FormatSize(p.peak_rss),
                       FormatSize(p.alloc_bytes), p.alloc_count);
    if (p.file_mapped_at_peak)
      out += fmt::format("  file-backed mappings at peak: {}\n", FormatSize(p.file_mapped_at_peak));
    if (p.alloc_failed) out += fmt::format("  {} allocation(s) FAILED (out of memory)\n", p.failed_allocs);
    if (!p.exited) {
      out += "  did not reach exit (killed, crashed or exec'd): figures are from the last peak snapshot";
      if (p.last_seen >= 0)
        out += fmt::format("; last seen at {:.2f} s with RSS {}", p.last_seen, FormatSize(p.last_rss));
      out += "\n";
    }
    AppendSitesText(out, p.top_at_peak, "live at the peak:");
    if (p.exited) {
      if (p.leaked_bytes)
        AppendSitesText(
            out, p.leaks,
            fmt::format("still allocated at {} ({}):", EndName(report), FormatSize(p.leaked_bytes)).c_str());
      else
        out += fmt::format("  nothing left allocated at {}\n", EndName(report));
    }
    if (!p.top_at_peak.empty() && !p.top_at_peak.front().stack.empty()) {
      out += "  stack of the top site:\n";
      size_t n = std::min<size_t>(p.top_at_peak.front().stack.size(), 8);
      for (size_t i = 0; i < n; ++i) out += "    " + p.top_at_peak.front().stack[i] + "\n";
    }
  }
  if (std::string minor = MinorProcessesSummary(report); !minor.empty()) out += "\n" + minor + "\n";
  if (report.python_hint) {
    out +=
        "\nhint: a Python program was traced without --python, so its sites are the interpreter's and "
        "NumPy's C code; add --python to attribute memory to your Python source lines\n";
  }
  for (const auto& w : report.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string RenderTraceLog(const TraceReport& report) {
  std::string out = fmt::format("outcore trace --log {}: {} allocation{} at or above it, in order\n",
                                FormatSize(report.log_min_bytes), report.log.size() + report.log_not_shown,
                                report.log.size() + report.log_not_shown == 1 ? "" : "s");
  for (const auto& line : report.log) {
    std::string call = fmt::format("{}->{}({}) = {:#x}", line.library.empty() ? "?" : line.library, line.call,
                                   line.size, line.address);
    out +=
        fmt::format("  {:9.3f} s  [{}] {}  {}  {}{}\n", line.seconds, line.pid, call, FormatSize(line.size),
                    line.location, line.function.empty() ? "" : "  (" + line.function + ")");
  }
  if (report.log_not_shown) {
    out += fmt::format("  ... {} more ({}) not shown: past --log-limit\n", report.log_not_shown,
                       FormatSize(report.log_not_shown_bytes));
  }
  return out;
}

std::string RenderMemText(const MemReport& report) {
  std::string out = fmt::format(
      "outcore mem: {}\n  {}, {:.2f} s wall, {:.2f} s user, {:.2f} s system\n", report.command,
      report.exit.Describe(), report.exit.wall_seconds,
      double(report.exit.usage.ru_utime.tv_sec) + double(report.exit.usage.ru_utime.tv_usec) * 1e-6,
      double(report.exit.usage.ru_stime.tv_sec) + double(report.exit.usage.ru_stime.tv_usec) * 1e-6);
  out += fmt::format("  peak RSS {} (largest single process), {} summed over the process tree\n",
                     FormatSize(report.peak_rss), FormatSize(report.peak_rss_sum));
  if (report.peak_swap) out += fmt::format("  peak swap {}\n", FormatSize(report.peak_swap));
  out += fmt::format("  {} process(es):\n", report.processes.size());
  for (const auto& p : report.processes) {
    out += fmt::format("    pid {:>7}  peak RSS {:>10}  {}\n", p.pid, FormatSize(p.peak_hwm),
                       p.command.substr(0, 100));
  }
  out += fmt::format("  page faults: {} minor (pages mapped in memory), {} major (read from disk or swap)\n",
                     FormatCount(report.minor_faults), FormatCount(report.major_faults));
  if (report.pressure_available) {
    out += fmt::format(
        "  memory pressure of the machine (/proc/pressure/memory) during the run: some tasks stalled "
        "{:.1f} ms, all {:.1f} ms\n",
        double(report.pressure_some_us) / 1000, double(report.pressure_full_us) / 1000);
  } else {
    out += "  memory pressure: not measured (this kernel has no /proc/pressure/memory)\n";
  }
  if (!report.cgroup.empty()) {
    out += fmt::format("  memory cgroup {}: {}\n", report.cgroup,
                       !report.cgroup_own ? "shared with other processes, its refaults not counted"
                       : report.cgroup_refaults_known ? "the command's own, its refaults counted"
                                                      : "the command's own, but it counts no refaults");
  }
  for (const auto& span : report.squeezed) {
    out += fmt::format("  working set SQUEEZED from {:.2f} s to {:.2f} s:", span.begin_seconds,
                       span.end_seconds);
    if (span.major_faults)
      out += fmt::format(" {} pages read back from disk while RSS stayed below its high of {}",
                         FormatCount(span.major_faults), FormatSize(span.rss_high));
    if (span.refaults)
      out += fmt::format("{} {} pages evicted from its memory cgroup and faulted back in",
                         span.major_faults ? ";" : "", FormatCount(span.refaults));
    if (span.swap_growth)
      out += fmt::format("{} {} pushed out to swap", span.major_faults || span.refaults ? ";" : "",
                         FormatSize(span.swap_growth));
    out += "\n";
  }
  if (report.squeezed.empty())
    out += "  working set not squeezed: no swap growth, no pages read back below the RSS high\n";
  if (!report.timeline.empty()) {
    out += fmt::format(
        "  timeline (the tree):\n    {:>8}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>8}\n",
        "seconds", "RSS", "anon", "file", "shmem", "swap", "minor flt", "major");
    size_t step = std::max<size_t>(1, report.timeline.size() / 10);
    for (size_t i = 0; i < report.timeline.size(); i += step) {
      const auto& s = report.timeline[i];
      out += fmt::format("    {:8.2f}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>8}\n", s.seconds,
                         FormatSize(s.rss), FormatSize(s.rss_anon), FormatSize(s.rss_file),
                         FormatSize(s.rss_shmem), FormatSize(s.swap), FormatCount(s.minor_faults),
                         FormatCount(s.major_faults));
    }
  }
  return out;
}

}  // namespace outcore::trace
