// The HTML form of the trace report; see render_html.h.
#include "trace/render_html.h"

#include <fmt/format.h>

#include <algorithm>

#include "outcore/memory.h"
#include "trace/render_common.h"

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
    return fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"><title>{}</title>"
        "</polyline>\n",
        color, points, label);
  };
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
  svg += line(&TimelineSample::rss, "#1f77b4", "RSS");
  svg += line(&TimelineSample::rss_file, "#9ecae1", "RSS file-backed");
  if (with_heap) svg += line(&TimelineSample::heap, "#d62728", "heap (traced)");
  if (peak_seconds >= 0) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#d62728\" "
        "stroke-dasharray=\"4 3\"/><text x=\"{0:.1f}\" y=\"{3}\" fill=\"#d62728\">peak</text>\n",
        x(std::min(peak_seconds, t_max)), top, height - bottom, top - 6);
  }
  svg += fmt::format("<text x=\"{}\" y=\"14\" fill=\"#1f77b4\">RSS</text>", left + 4);
  if (with_heap) svg += fmt::format("<text x=\"{}\" y=\"14\" fill=\"#d62728\">heap</text>", left + 40);
  return svg + "</svg>\n";
}

}  // namespace

std::string RenderTraceHtml(const TraceReport& report) {
  double peak_seconds = report.processes.empty() ? -1 : report.processes.front().peak_seconds;
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>outcore trace</title>\n"
      "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
      "td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}td.l,th.l{text-align:left}"
      "code{font-size:90%}details{margin:4px 0}</style></head><body>\n";
  out +=
      fmt::format("<h1>outcore trace</h1>\n<p><code>{}</code> — {} in {:.2f} s</p>\n",
                  HtmlEscape(report.command), HtmlEscape(report.exit.Describe()), report.exit.wall_seconds);
  out += fmt::format("<p>Peak heap <b>{}</b>; summed over processes {}; peak RSS {}.</p>\n",
                     FormatSize(report.peak_heap), FormatSize(report.peak_heap_sum),
                     FormatSize(report.peak_rss_sum));
  out += TimelineSvg(report.timeline, peak_seconds, true);
  for (size_t process_idx = 0; process_idx < report.processes.size(); ++process_idx) {
    if (IsMinorProcess(report, process_idx)) continue;
    const auto& p = report.processes[process_idx];
    out += fmt::format("<h2>process {} <small>(parent {})</small></h2>\n<p><code>{}</code></p>\n", p.pid,
                       p.ppid, HtmlEscape(p.command));
    out +=
        fmt::format("<p>peak heap {} at {:.3f} s; peak RSS {}; allocated {} in {} calls{}</p>\n",
                    FormatSize(p.peak_heap), p.peak_seconds, FormatSize(p.peak_rss),
                    FormatSize(p.alloc_bytes), p.alloc_count, p.exited ? "" : "; <b>did not reach exit</b>");
    auto table = [&](const std::vector<ReportSite>& sites, const char* title) {
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
            "<code>{}</code> {}</summary><code>{}</code></details></td></tr>\n",
            FormatSize(s.bytes), FormatShare(s.share), s.count, s.kind, HtmlEscape(s.location),
            HtmlEscape(s.function), stack);
      }
      out += "</table>\n";
    };
    table(p.top_at_peak, "Live at the peak");
    table(p.leaks, "Still allocated at exit");
  }
  return out + "</body></html>\n";
}

}  // namespace outcore::trace
