#include "trace/render_html.h"

#include <gtest/gtest.h>

#include "trace/render_test_util.h"

namespace outcore::trace {

namespace {
bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}
}  // namespace

TEST(TraceHtml, IsOneSelfContainedPage) {
  std::string html = RenderTraceHtml(SampleTraceReport());
  EXPECT_EQ(
      html.rfind("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>outcore trace</title>", 0), 0u);
  EXPECT_EQ(html.substr(html.size() - 15), "</body></html>\n");
  EXPECT_FALSE(Has(html, "<script"));
  EXPECT_FALSE(Has(html, "src="));
  EXPECT_FALSE(Has(html, "href="));
}

TEST(TraceHtml, DrawsTheTimelineWithThePeakMarked) {
  std::string html = RenderTraceHtml(SampleTraceReport());
  EXPECT_EQ(Count(html, "<svg "), 1u);
  // RSS, its file-backed part and the traced heap, one point per sample.
  EXPECT_EQ(Count(html, "<polyline "), 3u);
  EXPECT_TRUE(Has(html, "<title>heap (traced)</title>"));
  EXPECT_TRUE(Has(html, "peak</text>"));
  TraceReport unknown_peak = SampleTraceReport();
  unknown_peak.processes[0].peak_seconds = -1;
  EXPECT_FALSE(Has(RenderTraceHtml(unknown_peak), "peak</text>"));
}

TEST(TraceHtml, TablesTheSitesOfEachProcessWithTheirStacks) {
  std::string html = RenderTraceHtml(SampleTraceReport());
  EXPECT_TRUE(Has(html, "<h2>process 100 <small>(parent 1)</small></h2>"));
  EXPECT_TRUE(
      Has(html, "<p>peak heap 1000 B at 0.250 s; peak RSS 4.0 KiB; allocated 2.0 KiB in 7 calls</p>"));
  EXPECT_TRUE(Has(html, "<h3>Live at the peak</h3>"));
  EXPECT_TRUE(Has(html, "<h3>Still allocated at exit</h3>"));
  EXPECT_TRUE(
      Has(html,
          "<tr><td>900 B</td><td> 90.0%</td><td>1</td><td class=l>heap</td><td class=l><details>"
          "<summary><code>job.py:12</code> main</summary><code>ones numeric.py:204<br>main job.py:12<br>"
          "</code></details></td></tr>"))
      << html;
  // The 5-byte helper is below 1% of the peak: left out of the page.
  EXPECT_FALSE(Has(html, "process 101"));
}

TEST(TraceHtml, EscapesWhatTheProgramNamed) {
  TraceReport report = SampleTraceReport();
  report.command = "run <x> & \"y\"";
  report.processes[0].top_at_peak[0].location = "<lambda>.py:1";
  std::string html = RenderTraceHtml(report);
  EXPECT_TRUE(Has(html, "<code>run &lt;x&gt; &amp; &quot;y&quot;</code>"));
  EXPECT_TRUE(Has(html, "<code>&lt;lambda&gt;.py:1</code>"));
  EXPECT_FALSE(Has(html, "<x>"));
}

TEST(TraceHtml, SaysWhenAProcessDidNotReachExit) {
  TraceReport report = SampleTraceReport();
  report.processes[0].exited = false;
  EXPECT_TRUE(Has(RenderTraceHtml(report), " calls; <b>did not reach exit</b></p>"));
}

}  // namespace outcore::trace
