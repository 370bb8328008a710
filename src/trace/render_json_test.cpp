#include "trace/render_json.h"

#include <gtest/gtest.h>

#include "trace/render_test_util.h"

namespace outcore::trace {

namespace {
bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST(TraceJson, HasTheRunsTotalsAndExitAsOneObjectPerLine) {
  std::string json = RenderTraceJson(SampleTraceReport());
  EXPECT_EQ(json.rfind(
                "{\"command\": \"python3 job.py\", \"exit\": {\"signaled\": false, \"exit_code\": 0, "
                "\"signal\": 0, \"status\": 0, \"description\": \"exited with status 0\"}, "
                "\"wall_seconds\": 1.5000, \"peak_heap\": 1000, \"peak_heap_sum\": 1005, \"peak_rss\": 4096, "
                "\"processes\": [",
                0),
            0u)
      << json;
  EXPECT_EQ(json.substr(json.size() - 3), "]}\n");
}

TEST(TraceJson, HasEveryFigureOfEveryProcessInBytes) {
  std::string json = RenderTraceJson(SampleTraceReport());
  EXPECT_TRUE(Has(json,
                  "{\"pid\": 100, \"ppid\": 1, \"command\": \"python3 job.py\", \"python\": true, "
                  "\"exited\": true, \"alloc_failed\": false, \"failed_allocs\": 0, \"peak_heap\": 1000, "
                  "\"snapshot_heap\": 1000, \"peak_seconds\": 0.2500, \"file_mapped_at_peak\": 0, "
                  "\"alloc_count\": 7, \"alloc_bytes\": 2000, \"peak_rss\": 4096, \"tracer_overhead\": 0, "
                  "\"leaked_bytes\": 64, \"top_at_peak\": ["))
      << json;
  // Minor processes are kept whole: the JSON is for tools, which choose.
  EXPECT_TRUE(Has(json, "{\"pid\": 101, \"ppid\": 100,"));
  EXPECT_TRUE(Has(json, "\"peak_seconds\": -1.0000"));  // no snapshot
  EXPECT_TRUE(
      Has(json,
          "{\"location\": \"job.py:12\", \"function\": \"main\", \"kind\": \"heap\", \"bytes\": 900, "
          "\"count\": 1, \"share\": 0.900000, \"stack\": [\"ones numeric.py:204\", \"main job.py:12\"]}"));
  EXPECT_TRUE(Has(json, "\"leaks\": [{\"location\": \"job.py:30\""));
  EXPECT_TRUE(Has(json,
                  "\"top_allocators\": [{\"location\": \"job.py:12\", \"function\": \"main\", \"kind\": "
                  "\"heap\", \"bytes\": 1800"));
}

TEST(TraceJson, HasTheWholeTimelineAndTheWarnings) {
  TraceReport report = SampleTraceReport();
  report.warnings = {"w1"};
  std::string json = RenderTraceJson(report);
  EXPECT_TRUE(
      Has(json,
          "\"timeline\": [{\"seconds\": 0.1000, \"heap\": 500, \"file_mapped\": 0, \"rss\": 2048, "
          "\"rss_anon\": 0, \"rss_file\": 0, \"rss_shmem\": 0, \"swap\": 0, \"minor_faults\": 0, "
          "\"major_faults\": 0, \"pressure_some_us\": 0, \"pressure_full_us\": 0, \"cgroup_refaults\": 0, "
          "\"processes\": 0}, {\"seconds\": 0.2500,"));
  EXPECT_TRUE(Has(json, "\"seconds\": 0.5000"));
  EXPECT_TRUE(Has(json, "], \"warnings\": [\"w1\"]}\n"));
}

TEST(TraceJson, EscapesQuotesBackslashesAndControlCharacters) {
  TraceReport report = SampleTraceReport();
  report.command = "say \"hi\"\\\n\t\x01";
  std::string json = RenderTraceJson(report);
  EXPECT_TRUE(Has(json, "{\"command\": \"say \\\"hi\\\"\\\\\\n\\t\\u0001\", ")) << json;
}

TEST(MemJson, HasTheExitPeaksProcessesAndTimeline) {
  MemReport report;
  report.command = "./job";
  report.exit.signaled = true;
  report.exit.signal = 9;
  report.peak_rss = 2048;
  report.peak_rss_sum = 3072;
  report.peak_swap = 10;
  report.processes = {ProcessPeak{.pid = 7,
                                  .ppid = 1,
                                  .command = "./job",
                                  .peak_hwm = 2048,
                                  .peak_swap = 10,
                                  .first_seen = 0.02,
                                  .last_seen = 0.5}};
  report.timeline = {{.seconds = 0.5, .rss = 3072, .minor_faults = 40, .major_faults = 3}};
  report.minor_faults = 40;
  report.major_faults = 3;
  report.pressure_available = true;
  report.pressure_some_us = 1500;
  report.squeezed = {
      SqueezeSpan{.begin_seconds = 0.1, .end_seconds = 0.4, .major_faults = 64, .rss_high = 4096}};
  std::string json = RenderMemJson(report);
  EXPECT_TRUE(Has(json, "\"exit\": {\"signaled\": true, \"exit_code\": 0, \"signal\": 9, \"status\": 137, "));
  EXPECT_TRUE(Has(
      json,
      "\"peak_rss\": 2048, \"peak_rss_sum\": 3072, \"peak_swap\": 10, \"processes\": [{\"pid\": 7, "
      "\"ppid\": 1, \"command\": \"./job\", \"peak_rss\": 2048, \"peak_swap\": 10, \"minor_faults\": 0, "
      "\"major_faults\": 0, \"first_seen\": 0.0200, \"last_seen\": 0.5000}], \"minor_faults\": 40, "
      "\"major_faults\": 3, "
      "\"pressure\": {\"available\": true, \"some_us\": 1500, \"full_us\": 0}, \"cgroup\": {\"path\": \"\", "
      "\"own\": false}, \"squeezed\": [{\"begin_seconds\": 0.1000, \"end_seconds\": 0.4000, "
      "\"major_faults\": 64, \"refaults\": 0, \"swap_growth\": 0, \"rss_high\": 4096}], "
      "\"timeline\": [{\"seconds\": 0.5000, "))
      << json;
  EXPECT_TRUE(Has(json, "\"minor_faults\": 40, \"major_faults\": 3, \"pressure_some_us\": 0")) << json;
  EXPECT_EQ(json.substr(json.size() - 3), "]}\n");
  EXPECT_FALSE(Has(json, "warnings"));
}

}  // namespace outcore::trace
