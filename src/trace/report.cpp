// Trace and mem reports; see report.h.
#include "trace/report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "outcore/memory.h"

namespace outcore::trace {

namespace {

// Points of the timeline in a report, whatever the run length.
constexpr size_t kReportTimelinePoints = 250;

const char* KindName(uint8_t kind) {
  switch (kind) {
    case kSiteAnonMap: return "mmap";
    case kSiteFileMap: return "file mmap";
    default: return "heap";
  }
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Allocator plumbing and the C/C++ runtimes: the memory was asked for by
// whoever called into them, so they are skipped when choosing a site.
bool IsRuntimeModule(const std::string& module) {
  std::string base = BaseName(module);
  for (const char* prefix : {"libc.so", "libc-", "libstdc++", "libgcc_s", "ld-linux", "libouttrace",
                             "liboutcore_trace", "libm.so", "libpthread"}) {
    if (base.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

bool IsSystemHeader(const std::string& file) {
  return file.rfind("/usr/include/", 0) == 0 || file.rfind("/usr/lib/gcc/", 0) == 0 ||
         file.find("/bits/") != std::string::npos || file.find("/c++/") != std::string::npos;
}

// Library code of the interpreter: the line in the user's program is the one
// that matters (np.ones -> numeric.py is not where the array was created).
bool IsPythonLibrary(const std::string& file) {
  return file.empty() || file[0] == '<' || file.find("/site-packages/") != std::string::npos ||
         file.find("/dist-packages/") != std::string::npos || file.find("/lib/python3") != std::string::npos;
}

std::string Shorten(const std::string& path, const std::string& cwd) {
  if (!cwd.empty() && path.size() > cwd.size() + 1 && path.compare(0, cwd.size(), cwd) == 0 &&
      path[cwd.size()] == '/') {
    return path.substr(cwd.size() + 1);
  }
  return path;
}

std::string FrameText(const SourceFrame& frame, const std::string& cwd) {
  std::string text = frame.function.empty() ? fmt::format("{:#x}", frame.address) : frame.function;
  if (!frame.file.empty()) text += fmt::format(" {}:{}", Shorten(frame.file, cwd), frame.line);
  return text;
}

// A site's description: where it is attributed, and its whole stack.
struct Described {
  std::string location;
  std::string function;
  std::vector<std::string> stack;  // innermost first
};

Described Describe(const SiteStack& stack, const std::vector<LoadedModule>& modules, Symbolizer& symbolizer,
                   const std::string& cwd) {
  Described d;
  if (!stack.python.empty()) {
    const PySourceFrame* chosen = nullptr;
    for (const auto& frame : stack.python) {
      d.stack.push_back(fmt::format("{} {}:{}", frame.function, Shorten(frame.file, cwd), frame.line));
      if (!chosen && !IsPythonLibrary(frame.file)) chosen = &frame;
    }
    if (!chosen) chosen = &stack.python.front();
    d.location = fmt::format("{}:{}", Shorten(chosen->file, cwd), chosen->line);
    d.function = chosen->function;
    return d;
  }
  std::vector<SourceFrame> frames;
  for (uint64_t address : stack.native) {
    for (auto& frame : symbolizer.Lookup(modules, address)) frames.push_back(std::move(frame));
  }
  const SourceFrame* chosen = nullptr;
  const SourceFrame* first_outside_runtime = nullptr;
  for (const auto& frame : frames) {
    d.stack.push_back(FrameText(frame, cwd));
    if (IsRuntimeModule(frame.module)) continue;
    if (!first_outside_runtime) first_outside_runtime = &frame;
    if (!chosen && !frame.file.empty() && !IsSystemHeader(frame.file)) chosen = &frame;
  }
  if (!chosen) chosen = first_outside_runtime;
  if (!chosen && !frames.empty()) chosen = &frames.front();
  if (!chosen) {
    d.location = "(unknown)";
    return d;
  }
  // Without line information the object is the honest location; the function
  // is only the nearest exported symbol then.
  if (!chosen->file.empty()) d.location = fmt::format("{}:{}", Shorten(chosen->file, cwd), chosen->line);
  else d.location = chosen->module.empty() ? chosen->function : BaseName(chosen->module);
  d.function = chosen->function;
  return d;
}

// Sums entries by attributed location (different stacks, same line).
std::vector<ReportSite> Aggregate(const std::vector<TableEntry>& entries, const ProcessTrace& process,
                                  std::map<uint32_t, Described>& described, bool by_live, size_t top,
                                  uint64_t share_base) {
  std::map<std::pair<std::string, std::string>, ReportSite> by_location;
  std::map<std::pair<std::string, std::string>, uint64_t> biggest;
  for (const auto& entry : entries) {
    uint64_t bytes = by_live ? entry.live_bytes : entry.alloc_bytes;
    if (bytes == 0) continue;
    auto site_it = process.sites.find(entry.site_id);
    uint8_t kind = site_it == process.sites.end() ? uint8_t(kSiteHeap) : site_it->second.kind;
    const Described& d = described[entry.site_id];
    auto key = std::make_pair(d.location + "\x1f" + d.function, std::string(KindName(kind)));
    ReportSite& site = by_location[key];
    site.location = d.location;
    site.function = d.function;
    site.kind = KindName(kind);
    site.bytes += bytes;
    site.count += by_live ? entry.live_count : entry.alloc_count;
    if (bytes > biggest[key]) {
      biggest[key] = bytes;
      site.stack = d.stack;
    }
  }
  std::vector<ReportSite> sites;
  for (auto& [key, site] : by_location) sites.push_back(std::move(site));
  std::sort(sites.begin(), sites.end(), [](const ReportSite& a, const ReportSite& b) { return a.bytes > b.bytes; });
  if (sites.size() > top) sites.resize(top);
  for (auto& site : sites) site.share = share_base ? double(site.bytes) / double(share_base) : 0;
  return sites;
}

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

ProcessReport BuildProcess(const ProcessTrace& process, Symbolizer& symbolizer, const TraceInput& input) {
  ProcessReport r;
  const LiveHeader& h = process.header;
  r.pid = pid_t(h.pid);
  r.ppid = pid_t(h.ppid);
  r.command = JoinArgv(process.argv);
  r.python = h.flags & kLivePython;
  r.exited = h.flags & kLiveExited;
  r.alloc_failed = h.flags & kLiveAllocFailed;
  r.failed_allocs = h.failed_allocs;
  r.peak_heap = h.peak_total;
  r.alloc_count = h.alloc_count;
  r.alloc_bytes = h.alloc_bytes;
  r.tracer_overhead = h.overhead_bytes;
  if (process.peak.present) {
    r.snapshot_heap = process.peak.heap_live + process.peak.anon_live;
    r.file_mapped_at_peak = process.peak.file_live;
    r.peak_seconds = double(process.peak.time_ns - input.launch_ns) * 1e-9;
  }
  if (input.rss) {
    auto it = input.rss->find(r.pid);
    if (it != input.rss->end()) r.peak_rss = it->second.peak_hwm;
  }
  // Symbolizing is the slow part of a report (addr2line over big objects), so
  // only the sites that can reach a list are: the biggest raw stacks of each
  // ranking. The rest are summed as one "(smaller sites)" row if they matter.
  std::set<uint32_t> wanted;
  auto take_top = [&](const std::vector<TableEntry>& entries, uint64_t TableEntry::*field) {
    std::vector<const TableEntry*> ranked;
    for (const auto& e : entries) {
      if (e.*field) ranked.push_back(&e);
    }
    size_t keep = input.full_stacks ? ranked.size() : std::min(ranked.size(), input.symbolize_top);
    std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                      [&](const TableEntry* a, const TableEntry* b) { return a->*field > b->*field; });
    for (size_t i = 0; i < keep; ++i) wanted.insert(ranked[i]->site_id);
  };
  take_top(process.peak.entries, &TableEntry::live_bytes);
  take_top(process.final_table.entries, &TableEntry::live_bytes);
  take_top(process.final_table.entries, &TableEntry::alloc_bytes);
  std::vector<uint64_t> addresses;
  for (uint32_t id : wanted) {
    auto it = process.sites.find(id);
    if (it != process.sites.end()) addresses.insert(addresses.end(), it->second.native.begin(), it->second.native.end());
  }
  symbolizer.Prepare(process.modules, addresses);
  std::map<uint32_t, Described> described;
  auto describe_all = [&](const std::vector<TableEntry>& entries) {
    for (const auto& e : entries) {
      if (described.count(e.site_id)) continue;
      auto it = process.sites.find(e.site_id);
      if (!wanted.count(e.site_id)) described[e.site_id] = Described{"(smaller sites)", "", {}};
      else if (it == process.sites.end()) described[e.site_id] = Described{"(unrecorded stack)", "", {}};
      else described[e.site_id] = Describe(it->second, process.modules, symbolizer, input.cwd);
    }
  };
  describe_all(process.peak.entries);
  describe_all(process.final_table.entries);
  // Heap/anonymous and file-backed figures are ranked apart: a mapped input
  // file is page cache, not something the program holds.
  std::vector<TableEntry> held, file_backed;
  for (const auto& e : process.peak.entries) {
    auto it = process.sites.find(e.site_id);
    bool file = it != process.sites.end() && it->second.kind == kSiteFileMap;
    (file ? file_backed : held).push_back(e);
  }
  r.top_at_peak = Aggregate(held, process, described, true, input.top_sites, r.snapshot_heap);
  for (auto& site : Aggregate(file_backed, process, described, true, input.top_sites, process.peak.file_live)) {
    r.top_at_peak.push_back(std::move(site));
  }
  if (process.final_table.present) {
    std::vector<TableEntry> leaked;
    for (const auto& e : process.final_table.entries) {
      auto it = process.sites.find(e.site_id);
      if (it != process.sites.end() && it->second.kind != kSiteHeap) continue;  // mappings die with the process
      if (e.live_bytes) {
        leaked.push_back(e);
        r.leaked_bytes += e.live_bytes;
      }
    }
    r.leaks = Aggregate(leaked, process, described, true, input.top_sites, r.leaked_bytes);
    r.top_allocators = Aggregate(process.final_table.entries, process, described, false, input.top_sites,
                                 r.alloc_bytes);
  }
  for (const auto& e : held) {
    const auto& stack = described[e.site_id].stack;
    std::string folded;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      std::string frame = *it;
      std::replace(frame.begin(), frame.end(), ';', ',');
      folded += (folded.empty() ? "" : ";") + frame;
    }
    if (folded.empty()) folded = "(unknown)";
    r.collapsed.emplace_back(std::move(folded), e.live_bytes);
  }
  return r;
}

std::string Percent(double share) { return fmt::format("{:5.1f}%", share * 100); }

std::string JsonEscape(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += char(c);
    }
  }
  return out + "\"";
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string SitesJson(const std::vector<ReportSite>& sites) {
  std::string out = "[";
  for (size_t i = 0; i < sites.size(); ++i) {
    const auto& s = sites[i];
    out += fmt::format("{}{{\"location\": {}, \"function\": {}, \"kind\": {}, \"bytes\": {}, \"count\": {}, "
                       "\"share\": {:.6f}, \"stack\": [",
                       i ? ", " : "", JsonEscape(s.location), JsonEscape(s.function), JsonEscape(s.kind), s.bytes,
                       s.count, s.share);
    for (size_t j = 0; j < s.stack.size(); ++j) out += (j ? ", " : "") + JsonEscape(s.stack[j]);
    out += "]}";
  }
  return out + "]";
}

std::string TimelineJson(const std::vector<TimelineSample>& timeline) {
  std::string out = "[";
  for (size_t i = 0; i < timeline.size(); ++i) {
    const auto& s = timeline[i];
    out += fmt::format("{}{{\"seconds\": {:.4f}, \"heap\": {}, \"file_mapped\": {}, \"rss\": {}, \"rss_anon\": {}, "
                       "\"rss_file\": {}, \"swap\": {}, \"processes\": {}}}",
                       i ? ", " : "", s.seconds, s.heap, s.file_mapped, s.rss, s.rss_anon, s.rss_file, s.swap,
                       s.processes);
  }
  return out + "]";
}

std::string ExitJson(const ExitInfo& exit) {
  return fmt::format("{{\"signaled\": {}, \"exit_code\": {}, \"signal\": {}, \"status\": {}, \"description\": {}}}",
                     exit.signaled ? "true" : "false", exit.exit_code, exit.signal, exit.ShellStatus(),
                     JsonEscape(exit.Describe()));
}

void AppendSitesText(std::string& out, const std::vector<ReportSite>& sites, const char* title) {
  if (sites.empty()) return;
  out += fmt::format("  {}\n", title);
  out += fmt::format("    {:>10}  {:>6}  {:>8}  {:<9}  {}\n", "bytes", "share", "blocks", "kind", "site");
  for (const auto& s : sites) {
    out += fmt::format("    {:>10}  {}  {:>8}  {:<9}  {}{}\n", FormatSize(s.bytes), Percent(s.share), s.count,
                       s.kind, s.location, s.function.empty() ? "" : "  (" + s.function + ")");
  }
}

// A polyline chart of the timeline with the heap peak marked; fixed size
// whatever the run length (the timeline itself is bounded).
std::string TimelineSvg(const std::vector<TimelineSample>& timeline, double peak_seconds, bool with_heap) {
  const double width = 900, height = 260, left = 70, right = 20, top = 20, bottom = 30;
  double t_max = 0;
  uint64_t y_max = 1;
  for (const auto& s : timeline) {
    t_max = std::max(t_max, s.seconds);
    y_max = std::max({y_max, s.rss, with_heap ? s.heap : 0});
  }
  if (t_max <= 0) t_max = 1;
  auto x = [&](double t) { return left + (width - left - right) * t / t_max; };
  auto y = [&](uint64_t v) { return top + (height - top - bottom) * (1.0 - double(v) / double(y_max)); };
  auto line = [&](uint64_t TimelineSample::*field, const char* color, const char* label) {
    std::string points;
    for (const auto& s : timeline) points += fmt::format("{:.1f},{:.1f} ", x(s.seconds), y(s.*field));
    return fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"><title>{}</title>"
                       "</polyline>\n",
                       color, points, label);
  };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
      width, height, left, top, width - left - right, height - top - bottom);
  for (int tick = 0; tick <= 4; ++tick) {
    uint64_t v = y_max / 4 * uint64_t(tick);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 4, y(v) + 4,
                       FormatSize(v));
    double t = t_max / 4 * tick;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:.2f}s</text>\n", x(t), height - 10, t);
  }
  svg += line(&TimelineSample::rss, "#1f77b4", "RSS");
  svg += line(&TimelineSample::rss_file, "#9ecae1", "RSS file-backed");
  if (with_heap) svg += line(&TimelineSample::heap, "#d62728", "heap (traced)");
  if (peak_seconds >= 0) {
    svg += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#d62728\" "
                       "stroke-dasharray=\"4 3\"/><text x=\"{0:.1f}\" y=\"{3}\" fill=\"#d62728\">peak</text>\n",
                       x(std::min(peak_seconds, t_max)), top, height - bottom, top - 6);
  }
  svg += fmt::format("<text x=\"{}\" y=\"14\" fill=\"#1f77b4\">RSS</text>", left + 4);
  if (with_heap) svg += fmt::format("<text x=\"{}\" y=\"14\" fill=\"#d62728\">heap</text>", left + 40);
  return svg + "</svg>\n";
}

}  // namespace

TraceReport BuildTraceReport(const std::vector<ProcessTrace>& processes, Symbolizer& symbolizer,
                             const TraceInput& input) {
  TraceReport report;
  report.command = input.command;
  report.exit = input.exit;
  report.warnings = input.warnings;
  for (const auto& process : processes) {
    report.processes.push_back(BuildProcess(process, symbolizer, input));
    report.peak_heap = std::max(report.peak_heap, report.processes.back().peak_heap);
  }
  std::stable_sort(report.processes.begin(), report.processes.end(),
                   [](const ProcessReport& a, const ProcessReport& b) { return a.peak_heap > b.peak_heap; });
  if (input.timeline) {
    report.timeline = input.timeline->Resampled(kReportTimelinePoints);
    for (const auto& s : report.timeline) {
      report.peak_heap_sum = std::max(report.peak_heap_sum, s.heap);
      report.peak_rss_sum = std::max(report.peak_rss_sum, s.rss);
    }
  }
  report.peak_heap_sum = std::max(report.peak_heap_sum, report.peak_heap);
  return report;
}

std::string RenderTraceText(const TraceReport& report) {
  std::string out = fmt::format("outcore trace: {}\n  {}", report.command, report.exit.Describe());
  out += fmt::format(", {:.2f} s\n", report.exit.wall_seconds);
  out += fmt::format("  peak heap {} (one process), {} summed over processes; peak RSS {}\n",
                     FormatSize(report.peak_heap), FormatSize(report.peak_heap_sum), FormatSize(report.peak_rss_sum));
  size_t shown = 0;
  for (const auto& p : report.processes) {
    bool minor = report.peak_heap && p.peak_heap * 100 < report.peak_heap && shown > 0;
    if (minor) {
      out += fmt::format("\nprocess {} (parent {}): peak heap {} — {}\n", p.pid, p.ppid, FormatSize(p.peak_heap),
                         p.command);
      continue;
    }
    ++shown;
    out += fmt::format("\nprocess {} (parent {}): {}\n", p.pid, p.ppid, p.command);
    out += fmt::format("  peak heap {}", FormatSize(p.peak_heap));
    if (p.peak_seconds >= 0) out += fmt::format(" at {:.3f} s", p.peak_seconds);
    out += fmt::format("; peak RSS {}; allocated {} in {} calls\n", FormatSize(p.peak_rss), FormatSize(p.alloc_bytes),
                       p.alloc_count);
    if (p.file_mapped_at_peak) out += fmt::format("  file-backed mappings at peak: {}\n", FormatSize(p.file_mapped_at_peak));
    if (p.alloc_failed) out += fmt::format("  {} allocation(s) FAILED (out of memory)\n", p.failed_allocs);
    if (!p.exited) out += "  did not reach exit (killed, crashed or exec'd): figures are from the last peak snapshot\n";
    AppendSitesText(out, p.top_at_peak, "live at the peak:");
    if (p.exited) {
      if (p.leaked_bytes) AppendSitesText(out, p.leaks, fmt::format("still allocated at exit ({}):", FormatSize(p.leaked_bytes)).c_str());
      else out += "  nothing left allocated at exit\n";
    }
    if (!p.top_at_peak.empty() && !p.top_at_peak.front().stack.empty()) {
      out += "  stack of the top site:\n";
      size_t n = std::min<size_t>(p.top_at_peak.front().stack.size(), 8);
      for (size_t i = 0; i < n; ++i) out += "    " + p.top_at_peak.front().stack[i] + "\n";
    }
  }
  for (const auto& p : report.processes) {
    if (!p.python && p.command.find("python") != std::string::npos) {
      out += "\nhint: add --python to attribute memory to Python source lines\n";
      break;
    }
  }
  for (const auto& w : report.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string RenderTraceJson(const TraceReport& report) {
  std::string out = fmt::format("{{\"command\": {}, \"exit\": {}, \"wall_seconds\": {:.4f}, \"peak_heap\": {}, "
                                "\"peak_heap_sum\": {}, \"peak_rss\": {}, \"processes\": [",
                                JsonEscape(report.command), ExitJson(report.exit), report.exit.wall_seconds,
                                report.peak_heap, report.peak_heap_sum, report.peak_rss_sum);
  for (size_t i = 0; i < report.processes.size(); ++i) {
    const auto& p = report.processes[i];
    out += fmt::format(
        "{}{{\"pid\": {}, \"ppid\": {}, \"command\": {}, \"python\": {}, \"exited\": {}, \"alloc_failed\": {}, "
        "\"failed_allocs\": {}, \"peak_heap\": {}, \"snapshot_heap\": {}, \"peak_seconds\": {:.4f}, "
        "\"file_mapped_at_peak\": {}, \"alloc_count\": {}, \"alloc_bytes\": {}, \"peak_rss\": {}, "
        "\"tracer_overhead\": {}, \"leaked_bytes\": {}, \"top_at_peak\": {}, \"leaks\": {}, \"top_allocators\": {}}}",
        i ? ", " : "", p.pid, p.ppid, JsonEscape(p.command), p.python ? "true" : "false", p.exited ? "true" : "false",
        p.alloc_failed ? "true" : "false", p.failed_allocs, p.peak_heap, p.snapshot_heap, p.peak_seconds,
        p.file_mapped_at_peak, p.alloc_count, p.alloc_bytes, p.peak_rss, p.tracer_overhead, p.leaked_bytes,
        SitesJson(p.top_at_peak), SitesJson(p.leaks), SitesJson(p.top_allocators));
  }
  out += "], \"timeline\": " + TimelineJson(report.timeline) + ", \"warnings\": [";
  for (size_t i = 0; i < report.warnings.size(); ++i) out += (i ? ", " : "") + JsonEscape(report.warnings[i]);
  return out + "]}\n";
}

std::string RenderTraceHtml(const TraceReport& report) {
  double peak_seconds = report.processes.empty() ? -1 : report.processes.front().peak_seconds;
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>outcore trace</title>\n"
      "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
      "td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}td.l,th.l{text-align:left}"
      "code{font-size:90%}details{margin:4px 0}</style></head><body>\n";
  out += fmt::format("<h1>outcore trace</h1>\n<p><code>{}</code> — {} in {:.2f} s</p>\n", HtmlEscape(report.command),
                     HtmlEscape(report.exit.Describe()), report.exit.wall_seconds);
  out += fmt::format("<p>Peak heap <b>{}</b>; summed over processes {}; peak RSS {}.</p>\n",
                     FormatSize(report.peak_heap), FormatSize(report.peak_heap_sum), FormatSize(report.peak_rss_sum));
  out += TimelineSvg(report.timeline, peak_seconds, true);
  for (const auto& p : report.processes) {
    if (report.peak_heap && p.peak_heap * 100 < report.peak_heap && &p != &report.processes.front()) continue;
    out += fmt::format("<h2>process {} <small>(parent {})</small></h2>\n<p><code>{}</code></p>\n", p.pid, p.ppid,
                       HtmlEscape(p.command));
    out += fmt::format("<p>peak heap {} at {:.3f} s; peak RSS {}; allocated {} in {} calls{}</p>\n",
                       FormatSize(p.peak_heap), p.peak_seconds, FormatSize(p.peak_rss), FormatSize(p.alloc_bytes),
                       p.alloc_count, p.exited ? "" : "; <b>did not reach exit</b>");
    auto table = [&](const std::vector<ReportSite>& sites, const char* title) {
      if (sites.empty()) return;
      out += fmt::format("<h3>{}</h3>\n<table><tr><th>bytes</th><th>share</th><th>blocks</th><th class=l>kind</th>"
                         "<th class=l>site</th></tr>\n",
                         title);
      for (const auto& s : sites) {
        std::string stack;
        for (const auto& frame : s.stack) stack += HtmlEscape(frame) + "<br>";
        out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=l>{}</td><td class=l><details><summary>"
                           "<code>{}</code> {}</summary><code>{}</code></details></td></tr>\n",
                           FormatSize(s.bytes), Percent(s.share), s.count, s.kind, HtmlEscape(s.location),
                           HtmlEscape(s.function), stack);
      }
      out += "</table>\n";
    };
    table(p.top_at_peak, "Live at the peak");
    table(p.leaks, "Still allocated at exit");
  }
  return out + "</body></html>\n";
}

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

std::string RenderMemText(const MemReport& report) {
  std::string out = fmt::format("outcore mem: {}\n  {}, {:.2f} s wall, {:.2f} s user, {:.2f} s system\n",
                                report.command, report.exit.Describe(), report.exit.wall_seconds,
                                double(report.exit.usage.ru_utime.tv_sec) + report.exit.usage.ru_utime.tv_usec * 1e-6,
                                double(report.exit.usage.ru_stime.tv_sec) + report.exit.usage.ru_stime.tv_usec * 1e-6);
  out += fmt::format("  peak RSS {} (largest single process), {} summed over the process tree\n",
                     FormatSize(report.peak_rss), FormatSize(report.peak_rss_sum));
  if (report.peak_swap) out += fmt::format("  peak swap {}\n", FormatSize(report.peak_swap));
  out += fmt::format("  {} process(es):\n", report.processes.size());
  for (const auto& p : report.processes) {
    out += fmt::format("    pid {:>7}  peak RSS {:>10}  {}\n", p.pid, FormatSize(p.peak_hwm), p.command.substr(0, 100));
  }
  if (!report.timeline.empty()) {
    out += "  timeline (RSS of the tree):\n";
    size_t step = std::max<size_t>(1, report.timeline.size() / 10);
    for (size_t i = 0; i < report.timeline.size(); i += step) {
      const auto& s = report.timeline[i];
      out += fmt::format("    {:8.2f} s  {:>10}  (anon {}, file {})\n", s.seconds, FormatSize(s.rss),
                         FormatSize(s.rss_anon), FormatSize(s.rss_file));
    }
  }
  return out;
}

std::string RenderMemJson(const MemReport& report) {
  std::string out = fmt::format("{{\"command\": {}, \"exit\": {}, \"wall_seconds\": {:.4f}, \"peak_rss\": {}, "
                                "\"peak_rss_sum\": {}, \"peak_swap\": {}, \"processes\": [",
                                JsonEscape(report.command), ExitJson(report.exit), report.exit.wall_seconds,
                                report.peak_rss, report.peak_rss_sum, report.peak_swap);
  for (size_t i = 0; i < report.processes.size(); ++i) {
    const auto& p = report.processes[i];
    out += fmt::format("{}{{\"pid\": {}, \"ppid\": {}, \"command\": {}, \"peak_rss\": {}, \"peak_swap\": {}, "
                       "\"first_seen\": {:.4f}, \"last_seen\": {:.4f}}}",
                       i ? ", " : "", p.pid, p.ppid, JsonEscape(p.command), p.peak_hwm, p.peak_swap, p.first_seen,
                       p.last_seen);
  }
  return out + "], \"timeline\": " + TimelineJson(report.timeline) + "}\n";
}

Status WriteTextFile(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return Status::OK();
  }
  FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  ok = std::fclose(file) == 0 && ok;
  if (!ok) return Status::IOError("cannot write " + path + ": " + std::strerror(errno) + " (disk full?)");
  return Status::OK();
}

}  // namespace outcore::trace
