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
  // Its script is inline and loads nothing: the page opens offline.
  EXPECT_EQ(Count(html, "<script"), 2u);
  EXPECT_EQ(Count(html, "<script>"), 1u);
  EXPECT_EQ(Count(html, "<script type=\"application/json\" id=\"oc-data\">"), 1u);
  for (const char* fetching : {"src=", "href=", "fetch(", "XMLHttpRequest", "import(", "https:"})
    EXPECT_FALSE(Has(html, fetching)) << fetching;
  // The only "http:" is the SVG namespace, which is a name, not a download.
  EXPECT_EQ(Count(html, "http:"), Count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

TEST(TraceHtml, CarriesTheFlameGraphsAsTreesForItsScript) {
  std::string html = RenderTraceHtml(SampleTraceReport());
  EXPECT_TRUE(Has(html, "<div id=\"oc-flame\" class=\"flame\"></div>"));
  // [name, bytes, children]: all 1000 = main 900 (> ones 900) + helper 100.
  EXPECT_TRUE(
      Has(html, "{\"pid\":100,\"command\":\"python3 job.py\",\"peak\":[0,1000,[[1,900,[[2,900]]],[3,100]]]"))
      << html;
  EXPECT_TRUE(
      Has(html, "\"names\":[\"all\",\"main job.py:12\",\"ones numeric.py:204\",\"helper job.py:30\"]"));
  EXPECT_TRUE(Has(html, "\"allocated\":[0,0]"));  // the sample has no totals
  // The minor helper process gets no flame graph.
  EXPECT_FALSE(Has(html, "\"pid\":101"));
}

TEST(TraceHtml, FlameGraphLeavesOutFramesTooThinToSee) {
  TraceReport report = SampleTraceReport();
  // 0.1% of the whole is 1002 bytes: 1100 is drawn, 999 is not.
  report.processes[0].collapsed = {{"big", 1000000}, {"tiny", 999}, {"just", 1100}};
  std::string html = RenderTraceHtml(report);
  EXPECT_TRUE(Has(html, "\"peak\":[0,1002099,[[1,1000000],[2,1100]]]")) << html;
  EXPECT_FALSE(Has(html, "\"tiny\""));
}

TEST(TraceHtml, LabelsEverySeriesAndSaysWhyHeapCanExceedRss) {
  std::string html = RenderTraceHtml(SampleTraceReport());
  EXPECT_TRUE(Has(html, "<b>heap (traced)</b>: bytes the program asked for"));
  EXPECT_TRUE(Has(html, "<b>RSS</b>: pages of the process tree resident in RAM"));
  EXPECT_TRUE(Has(html, "<b>RSS file-backed</b>: the part of RSS that maps files"));
  EXPECT_TRUE(
      Has(html, "can sit <i>above</i> RSS: memory that was asked for but never touched takes no RAM"));
  EXPECT_FALSE(Has(html, "<b>swap</b>"));  // no swap in this run: no line, no legend
  TraceReport swapped = SampleTraceReport();
  swapped.timeline[1].swap = 1024;
  std::string with_swap = RenderTraceHtml(swapped);
  EXPECT_TRUE(Has(with_swap, "<b>swap</b>: pages pushed out to swap"));
  EXPECT_EQ(Count(with_swap, "<polyline "), 4u);
}

TEST(TraceHtml, ShowsTheSourceTextOfASiteAndGivesItToTheScript) {
  TraceReport report = SampleTraceReport();
  report.sources = {
      {"job.py:12", 12, 11, {"def main():", "    data = np.ones(10)  # <big>", "    return data"}}};
  std::string html = RenderTraceHtml(report);
  EXPECT_TRUE(Has(
      html,
      "</code><pre class=\"src\">   11  def main():\n<b>   12      data = np.ones(10)  # &lt;big&gt;\n</b>"
      "   13      return data\n</pre></details>"))
      << html;
  EXPECT_TRUE(Has(
      html,
      "\"sources\":{\"job.py:12\":[11,12,[\"def main():\",\"    data = np.ones(10)  # \\u003cbig\\u003e\","));
}

TEST(TraceHtml, GivesTheScriptThePeakSnapshotsAndTheTimeline) {
  TraceReport report = SampleTraceReport();
  report.processes[0].snapshots = {{0.125, 500, {{"job.py:12", "main", "heap", 450, 1, 0.9, {}}}}};
  std::string html = RenderTraceHtml(report);
  EXPECT_TRUE(Has(html, "\"snapshots\":[[0.1250,500,[[\"job.py:12\",\"main\",450,0.9000]]]]")) << html;
  EXPECT_TRUE(Has(html, "\"timeline\":[[0.1000,500,2048,0,0],[0.2500,1000,4096,0,0],[0.5000,64,3072,0,0]]"));
  EXPECT_TRUE(Has(html, "<line id=\"oc-cursor\""));
  EXPECT_TRUE(Has(html, "<div id=\"oc-at-time\" class=\"panel\">"));
}

TEST(TraceHtml, DataCannotCloseItsScriptElement) {
  TraceReport report = SampleTraceReport();
  report.processes[0].collapsed = {{"</script><img>", 10}};
  report.processes[0].command = "run </script>";
  std::string html = RenderTraceHtml(report);
  EXPECT_EQ(Count(html, "</script>"), 2u);  // the two elements' own
  EXPECT_TRUE(Has(html, "\\u003c/script\\u003e\\u003cimg\\u003e"));
}

TEST(TraceHtml, HintsAtPythonMode) {
  TraceReport report = SampleTraceReport();
  EXPECT_FALSE(Has(RenderTraceHtml(report), "class=\"hint\""));
  report.python_hint = true;
  EXPECT_TRUE(
      Has(RenderTraceHtml(report), "Run <code>outcore trace --python ...</code> to attribute memory"));
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
  // The 5-byte helper is below 1% of the peak: one summary line, no table.
  EXPECT_FALSE(Has(html, "process 101"));
  EXPECT_TRUE(
      Has(html, "<p class=\"note\">1 smaller process (below 1% of the peak, at most 5 B each): sh x1</p>"));
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
