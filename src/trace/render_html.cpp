// The HTML form of the trace report; see render_html.h.
#include "trace/render_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "outcore/memory.h"
#include "trace/render_common.h"
#include "trace/render_html_script.h"

namespace outcore::trace {

namespace {

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The timeline chart's geometry, shared with the page's script (which maps
// a click back to a time).
constexpr double kChartWidth = 900, kChartHeight = 260, kChartLeft = 70, kChartRight = 20, kChartTop = 20,
                 kChartBottom = 30;

double TimelineEnd(const std::vector<TimelineSample>& timeline) {
  double t_max = 0;
  for (const auto& s : timeline) t_max = std::max(t_max, s.seconds);
  return t_max > 0 ? t_max : 1;
}

struct Series {
  uint64_t TimelineSample::*field;
  const char* color;
  const char* label;
  const char* meaning;
};

// What each line of the chart is, in one line each (the page prints these
// beside the chart, and each polyline carries its label as a tooltip).
constexpr Series kSeries[] = {
    {&TimelineSample::heap, "#d62728", "heap (traced)",
     "bytes the program asked for (malloc, new, anonymous mmap) and still holds, touched or not"},
    {&TimelineSample::rss, "#1f77b4", "RSS",
     "pages of the process tree resident in RAM now: what the OOM killer and cgroup limits count"},
    {&TimelineSample::rss_file, "#9ecae1", "RSS file-backed",
     "the part of RSS that maps files (the program, its libraries, mmapped inputs): page cache the kernel "
     "can drop and read again"},
    {&TimelineSample::swap, "#8c564b", "swap", "pages pushed out to swap: the working set did not fit"},
};

std::string TimelineSvg(const std::vector<TimelineSample>& timeline, double peak_seconds, bool with_heap,
                        bool with_swap) {
  const double width = kChartWidth, height = kChartHeight, left = kChartLeft, right = kChartRight,
               top = kChartTop, bottom = kChartBottom;
  double t_max = TimelineEnd(timeline);
  uint64_t y_max = 1;
  for (const auto& s : timeline) y_max = std::max({y_max, s.rss, with_heap ? s.heap : 0, s.swap});
  auto x = [&](double t) { return left + (width - left - right) * t / t_max; };
  auto y = [&](uint64_t v) { return top + (height - top - bottom) * (1.0 - double(v) / double(y_max)); };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" "
      "stroke=\"#ccc\"/>\n",
      width, height, left, top, width - left - right, height - top - bottom);
  for (int tick = 0; tick <= 4; ++tick) {
    uint64_t v = y_max / 4 * uint64_t(tick);
    svg += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 4, y(v) + 4,
                       FormatSize(v));
    double t = t_max / 4 * tick;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:.2f}s</text>\n", x(t),
                       height - 10, t);
  }
  double label_x = left + 4;
  for (const auto& series : kSeries) {
    if (series.field == &TimelineSample::heap && !with_heap) continue;
    if (series.field == &TimelineSample::swap && !with_swap) continue;
    std::string points;
    for (const auto& s : timeline) points += fmt::format("{:.1f},{:.1f} ", x(s.seconds), y(s.*series.field));
    svg += fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"><title>{}</title>"
        "</polyline>\n",
        series.color, points, series.label);
    svg +=
        fmt::format("<text x=\"{:.0f}\" y=\"14\" fill=\"{}\">{}</text>", label_x, series.color, series.label);
    label_x += 8 + 6.2 * double(std::string(series.label).size());
  }
  if (peak_seconds >= 0) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#d62728\" "
        "stroke-dasharray=\"4 3\"/><text x=\"{0:.1f}\" y=\"{3}\" fill=\"#d62728\">peak</text>\n",
        x(std::min(peak_seconds, t_max)), top + 12, height - bottom, top + 10);
  }
  // The cursor the script moves to a clicked point.
  svg += fmt::format(
      "<line id=\"oc-cursor\" x1=\"0\" x2=\"0\" y1=\"{}\" y2=\"{}\" stroke=\"#333\" "
      "visibility=\"hidden\"/>\n",
      top, height - bottom);
  return svg + "</svg>\n";
}

// The legend under the chart: each series with its colour and meaning, and
// why the heap line can sit above RSS.
std::string TimelineLegend(bool with_heap, bool with_swap) {
  std::string out = "<ul class=\"legend\">\n";
  for (const auto& series : kSeries) {
    if (series.field == &TimelineSample::heap && !with_heap) continue;
    if (series.field == &TimelineSample::swap && !with_swap) continue;
    out += fmt::format("<li><span class=\"sw\" style=\"background:{}\"></span><b>{}</b>: {}</li>\n",
                       series.color, series.label, series.meaning);
  }
  out += "</ul>\n";
  if (with_heap) {
    out +=
        "<p class=\"note\">The heap line can sit <i>above</i> RSS: memory that was asked for but never "
        "touched takes no RAM (OpenBLAS reserves large per-thread buffers this way, and "
        "<code>np.empty</code> or <code>calloc</code> of a big block is mapped lazily). It sits below RSS "
        "by the program's code, stacks and the allocator's free lists.</p>\n";
  }
  return out;
}

// The flame graph of folded stacks as a tree for the page's script: nodes
// [name index, bytes, [children]] (children biggest first), frame names in a
// shared table. Nodes under kFlameMinShare of the whole are dropped (their
// bytes stay in their parent), so the page stays small for any run.
constexpr double kFlameMinShare = 0.001;

struct FlameNode {
  uint64_t bytes = 0;
  std::map<std::string, FlameNode> children;
};

class NameTable {
 public:
  size_t Index(const std::string& name) {
    auto [it, inserted] = index_.emplace(name, names_.size());
    if (inserted) names_.push_back(name);
    return it->second;
  }
  std::string Json() const {
    std::string out = "[";
    for (size_t i = 0; i < names_.size(); ++i) {
      if (i) out += ',';
      out += JsonEscape(names_[i], true);
    }
    return out + "]";
  }

 private:
  std::map<std::string, size_t> index_;
  std::vector<std::string> names_;
};

void FlameJson(const FlameNode& node, size_t name, uint64_t min_bytes, NameTable& names, std::string& out) {
  out += fmt::format("[{},{}", name, node.bytes);
  std::vector<std::pair<const std::string*, const FlameNode*>> kids;
  for (const auto& [child_name, child] : node.children) {
    if (child.bytes >= min_bytes && child.bytes > 0) kids.emplace_back(&child_name, &child);
  }
  std::stable_sort(kids.begin(), kids.end(),
                   [](const auto& a, const auto& b) { return a.second->bytes > b.second->bytes; });
  if (!kids.empty()) {
    out += ",[";
    for (size_t i = 0; i < kids.size(); ++i) {
      if (i) out += ",";
      FlameJson(*kids[i].second, names.Index(*kids[i].first), min_bytes, names, out);
    }
    out += "]";
  }
  out += "]";
}

std::string FlameTreeJson(const std::vector<std::pair<std::string, uint64_t>>& folded, NameTable& names) {
  FlameNode root;
  for (const auto& [stack, bytes] : folded) {
    root.bytes += bytes;
    FlameNode* node = &root;
    size_t begin = 0;
    for (;;) {
      size_t end = stack.find(';', begin);
      node = &node->children[stack.substr(begin, end == std::string::npos ? std::string::npos : end - begin)];
      node->bytes += bytes;
      if (end == std::string::npos) break;
      begin = end + 1;
    }
  }
  std::string out;
  FlameJson(root, names.Index("all"), std::max<uint64_t>(1, uint64_t(double(root.bytes) * kFlameMinShare)),
            names, out);
  return out;
}

std::string SiteJson(const ReportSite& site) {
  return fmt::format("[{},{},{},{:.4f}]", JsonEscape(site.location, true), JsonEscape(site.function, true),
                     site.bytes, site.share);
}

// Everything the script draws, as one JSON object (see render_html_script.h).
std::string PageData(const TraceReport& report) {
  NameTable names;
  std::string out = "{\"processes\":[";
  bool first = true;
  for (size_t process_idx = 0; process_idx < report.processes.size(); ++process_idx) {
    if (IsMinorProcess(report, process_idx)) continue;
    const auto& p = report.processes[process_idx];
    out += fmt::format("{}{{\"pid\":{},\"command\":{},\"peak\":{},\"allocated\":{},\"snapshots\":[",
                       first ? "" : ",", p.pid, JsonEscape(p.command.substr(0, 200), true),
                       FlameTreeJson(p.collapsed, names), FlameTreeJson(p.collapsed_allocated, names));
    first = false;
    for (size_t i = 0; i < p.snapshots.size(); ++i) {
      const auto& snap = p.snapshots[i];
      out += fmt::format("{}[{:.4f},{},[", i ? "," : "", snap.seconds, snap.total);
      for (size_t j = 0; j < snap.sites.size(); ++j) {
        if (j) out += ',';
        out += SiteJson(snap.sites[j]);
      }
      out += "]]";
    }
    out += "]}";
  }
  out += "],\"timeline\":[";
  for (size_t i = 0; i < report.timeline.size(); ++i) {
    const auto& s = report.timeline[i];
    out += fmt::format("{}[{:.4f},{},{},{},{}]", i ? "," : "", s.seconds, s.heap, s.rss, s.rss_file, s.swap);
  }
  out += fmt::format(
      "],\"chart\":{{\"left\":{},\"width\":{},\"svgWidth\":{},\"tmax\":{:.4f}}},\"sources\":{{", kChartLeft,
      kChartWidth - kChartLeft - kChartRight, kChartWidth, TimelineEnd(report.timeline));
  for (size_t i = 0; i < report.sources.size(); ++i) {
    const auto& snippet = report.sources[i];
    out += fmt::format("{}{}:[{},{},[", i ? "," : "", JsonEscape(snippet.location, true), snippet.first_line,
                       snippet.line);
    for (size_t j = 0; j < snippet.lines.size(); ++j) {
      if (j) out += ',';
      out += JsonEscape(snippet.lines[j], true);
    }
    out += "]]";
  }
  return out + "},\"names\":" + names.Json() + "}";
}

// The source text of a location as a <pre>, the named line marked; "" when unknown.
std::string SourceHtml(const std::map<std::string, const SourceSnippet*>& sources,
                       const std::string& location) {
  auto it = sources.find(location);
  if (it == sources.end()) return "";
  const SourceSnippet& snippet = *it->second;
  std::string out = "<pre class=\"src\">";
  for (size_t i = 0; i < snippet.lines.size(); ++i) {
    uint32_t number = snippet.first_line + uint32_t(i);
    std::string text = fmt::format("{:>5}  {}\n", number, HtmlEscape(snippet.lines[i]));
    if (number == snippet.line) out += "<b>";
    out += text;
    if (number == snippet.line) out += "</b>";
  }
  return out + "</pre>";
}

}  // namespace

std::string RenderTraceHtml(const TraceReport& report) {
  double peak_seconds = report.processes.empty() ? -1 : report.processes.front().peak_seconds;
  std::map<std::string, const SourceSnippet*> sources;
  for (const auto& snippet : report.sources) sources[snippet.location] = &snippet;
  bool with_swap = false;
  for (const auto& s : report.timeline) with_swap = with_swap || s.swap > 0;
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>outcore trace</title>\n<style>";
  out += kReportStyle;
  out += "</style></head><body>\n";
  out +=
      fmt::format("<h1>outcore trace</h1>\n<p><code>{}</code> — {} in {:.2f} s</p>\n",
                  HtmlEscape(report.command), HtmlEscape(DescribeEnding(report)), report.exit.wall_seconds);
  out += fmt::format("<p>Peak heap <b>{}</b>; summed over processes {}; peak RSS {}.</p>\n",
                     FormatSize(report.peak_heap), FormatSize(report.peak_heap_sum),
                     FormatSize(report.peak_rss_sum));
  if (report.python_hint) {
    out +=
        "<p class=\"hint\">A Python program was traced without <code>--python</code>: its sites are the "
        "interpreter's and NumPy's C code. Run <code>outcore trace --python ...</code> to attribute memory "
        "to your Python source lines.</p>\n";
  }
  out += "<h2>Memory over time</h2>\n<div id=\"oc-timeline\">\n";
  out += TimelineSvg(report.timeline, peak_seconds, true, with_swap);
  out += "</div>\n";
  out += TimelineLegend(true, with_swap);
  out +=
      "<div id=\"oc-at-time\" class=\"panel\">Click a point of the chart to see what was live then.</div>\n";
  out +=
      "<h2>Flame graph</h2>\n<p class=\"note\">Each bar is a frame; its width is the bytes allocated through "
      "it, callers above callees. Click a frame to zoom in (click <i>all</i> to zoom out); hover to see its "
      "bytes and source line. Python lines are orange, native frames red.</p>\n"
      "<div class=\"tabs\"><select id=\"oc-process\"></select> <button data-mode=\"peak\" class=\"on\">live "
      "at "
      "the peak</button><button data-mode=\"allocated\">allocated over the run</button></div>\n"
      "<div id=\"oc-flame\" class=\"flame\"></div>\n"
      "<div id=\"oc-flame-detail\" class=\"panel\">Hover over a frame.</div>\n";
  size_t minor = 0;
  for (size_t process_idx = 0; process_idx < report.processes.size(); ++process_idx) {
    if (IsMinorProcess(report, process_idx)) {
      ++minor;
      continue;
    }
    const auto& p = report.processes[process_idx];
    out += fmt::format("<h2>process {} <small>(parent {})</small></h2>\n<p><code>{}</code></p>\n", p.pid,
                       p.ppid, HtmlEscape(p.command));
    out +=
        fmt::format("<p>peak heap {} at {:.3f} s; peak RSS {}; allocated {} in {} calls{}</p>\n",
                    FormatSize(p.peak_heap), p.peak_seconds, FormatSize(p.peak_rss),
                    FormatSize(p.alloc_bytes), p.alloc_count, p.exited ? "" : "; <b>did not reach exit</b>");
    auto table = [&](const std::vector<ReportSite>& sites, const std::string& title) {
      if (sites.empty()) return;
      out += fmt::format(
          "<h3>{}</h3>\n<table><tr><th>bytes</th><th>share</th><th>blocks</th><th class=l>kind</th>"
          "<th class=l>site</th></tr>\n",
          title);
      for (const auto& s : sites) {
        std::string stack;
        for (const auto& frame : s.stack) stack += HtmlEscape(frame) + "<br>";
        out += fmt::format(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=l>{}</td><td class=l><details><summary>"
            "<code>{}</code> {}</summary><code>{}</code>{}</details></td></tr>\n",
            FormatSize(s.bytes), FormatShare(s.share), s.count, s.kind, HtmlEscape(s.location),
            HtmlEscape(s.function), stack, SourceHtml(sources, s.location));
      }
      out += "</table>\n";
    };
    table(p.top_at_peak, "Live at the peak");
    table(p.leaks, std::string("Still allocated at ") + EndName(report));
  }
  if (minor) out += fmt::format("<p class=\"note\">{}</p>\n", HtmlEscape(MinorProcessesSummary(report)));
  if (!report.sources.empty())
    out +=
        "<p class=\"note\">Source text is read when the report is written: a file edited since the run shows "
        "its new lines.</p>\n";
  for (const auto& w : report.warnings)
    out += fmt::format("<p class=\"note\">warning: {}</p>\n", HtmlEscape(w));
  // The data, then the script that draws from it (the page works offline).
  out += "<script type=\"application/json\" id=\"oc-data\">";
  out += PageData(report);
  out += "</script>\n<script>";
  out += kReportScript;
  return out + "</script>\n</body></html>\n";
}

}  // namespace outcore::trace
