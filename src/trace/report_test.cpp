#include "trace/report.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace outcore::trace {

namespace {
ProcessTrace PythonProcess() {
  ProcessTrace p;
  p.header.pid = 42;
  p.header.peak_total = 1000;
  p.header.flags = kLivePython | kLiveExited;
  SiteStack big;
  big.kind = kSiteHeap;
  // Innermost first: numpy's own Python code, then the user's line.
  big.python = {{"/usr/lib/python3/site-packages/numpy/core/numeric.py", "ones", 204},
                {"/home/me/job.py", "main", 12}};
  p.sites[1] = big;
  SiteStack small;
  small.python = {{"/home/me/job.py", "helper", 30}};
  p.sites[2] = small;
  p.peak.present = true;
  p.peak.heap_live = 1000;
  p.peak.entries = {TableEntry{1, 0, 900, 1, 900, 1}, TableEntry{2, 0, 100, 4, 100, 4}};
  p.final_table.present = true;
  p.final_table.entries = {TableEntry{1, 0, 0, 0, 900, 1}, TableEntry{2, 0, 64, 1, 100, 4}};
  return p;
}
}  // namespace

TEST(TraceReport, AttributesPythonAllocationsToTheUsersLine) {
  Symbolizer symbolizer;
  TraceInput input;
  TraceReport report = BuildTraceReport({PythonProcess()}, symbolizer, input);
  ASSERT_EQ(report.processes.size(), 1u);
  const auto& top = report.processes[0].top_at_peak;
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].location, "/home/me/job.py:12");
  EXPECT_EQ(top[0].bytes, 900u);
  EXPECT_DOUBLE_EQ(top[0].share, 0.9);
  EXPECT_EQ(top[1].count, 4u);
}

TEST(TraceReport, ReportsWhatWasLeftAtExit) {
  Symbolizer symbolizer;
  TraceInput input;
  TraceReport report = BuildTraceReport({PythonProcess()}, symbolizer, input);
  const auto& p = report.processes[0];
  EXPECT_EQ(p.leaked_bytes, 64u);
  ASSERT_EQ(p.leaks.size(), 1u);
  EXPECT_EQ(p.leaks[0].location, "/home/me/job.py:30");
}

TEST(TraceReport, RendersEveryFormat) {
  Symbolizer symbolizer;
  Timeline timeline(10);
  timeline.Add({.seconds = 0.1, .heap = 500, .rss = 2000});
  timeline.Add({.seconds = 0.2, .heap = 1000, .rss = 3000});
  TraceInput input;
  input.command = "python3 job.py";
  input.timeline = &timeline;
  TraceReport report = BuildTraceReport({PythonProcess()}, symbolizer, input);
  EXPECT_NE(RenderTraceText(report).find("/home/me/job.py:12"), std::string::npos);
  std::string json = RenderTraceJson(report);
  EXPECT_NE(json.find("\"peak_heap\": 1000"), std::string::npos);
  EXPECT_NE(json.find("\"location\": \"/home/me/job.py:12\""), std::string::npos);
  std::string html = RenderTraceHtml(report);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("peak</text>"), std::string::npos);
  std::string collapsed = RenderCollapsed(report);
  // Root first: the user's frame comes before numpy's.
  EXPECT_NE(collapsed.find("main /home/me/job.py:12;ones "), std::string::npos);
  EXPECT_NE(collapsed.find(" 900\n"), std::string::npos);
}

TEST(TraceReport, ProcessesComeBiggestPeakFirstAndTheSmallOnesAreMinor) {
  Symbolizer symbolizer;
  TraceInput input;
  ProcessTrace helper;
  helper.header.pid = 43;
  helper.header.peak_total = 9;  // under 1% of 1000
  ProcessTrace sibling;
  sibling.header.pid = 44;
  sibling.header.peak_total = 10;  // exactly 1%: not minor
  TraceReport report = BuildTraceReport({helper, PythonProcess(), sibling}, symbolizer, input);
  ASSERT_EQ(report.processes.size(), 3u);
  EXPECT_EQ(report.processes[0].pid, 42);
  EXPECT_EQ(report.peak_heap, 1000u);
  EXPECT_EQ(report.peak_heap_sum, 1000u);  // no timeline: at least the biggest process
  EXPECT_FALSE(IsMinorProcess(report, 0));
  EXPECT_FALSE(IsMinorProcess(report, 1));
  EXPECT_TRUE(IsMinorProcess(report, 2));
  // The first process is never minor, even when nothing was allocated.
  TraceReport empty = BuildTraceReport({helper}, symbolizer, input);
  empty.peak_heap = 0;
  EXPECT_FALSE(IsMinorProcess(empty, 0));
}

TEST(TraceReport, ListsEverySiteAboveTheShareAsWellAsTheTopN) {
  Symbolizer symbolizer;
  TraceInput input;
  input.top_sites = 1;
  input.list_share = 0.05;  // the 10% site is listed past --top 1
  EXPECT_EQ(BuildTraceReport({PythonProcess()}, symbolizer, input).processes[0].top_at_peak.size(), 2u);
  input.list_share = 0.2;
  EXPECT_EQ(BuildTraceReport({PythonProcess()}, symbolizer, input).processes[0].top_at_peak.size(), 1u);
}

TEST(TraceReport, HintsAtPythonOnlyForAnInterpreterTracedWithoutIt) {
  Symbolizer symbolizer;
  TraceInput input;
  ProcessTrace python = PythonProcess();
  std::strcpy(python.header.exe, "/usr/local/bin/python3.11");
  ProcessTrace shim = PythonProcess();
  std::strcpy(shim.header.exe, "/usr/bin/bash");  // a pyenv shim: no Python in it
  EXPECT_TRUE(BuildTraceReport({shim, python}, symbolizer, input).python_hint);
  EXPECT_FALSE(BuildTraceReport({shim}, symbolizer, input).python_hint);
  input.python_requested = true;  // the shell had no interpreter to hook, but --python was given
  EXPECT_FALSE(BuildTraceReport({shim, python}, symbolizer, input).python_hint);
}

TEST(TraceReport, KeepsTheEarlierPeakSnapshotsForTheTimeline) {
  Symbolizer symbolizer;
  ProcessTrace process = PythonProcess();
  process.stem = "/tmp/x/42.0";
  process.peak.time_ns = 3000000000;
  SiteTableData earlier;
  earlier.present = true;
  earlier.time_ns = 2000000000;
  earlier.heap_live = 100;
  earlier.entries = {TableEntry{2, 0, 100, 4, 100, 4}};
  SiteTableData stale = earlier;
  stale.time_ns = 3000000000;  // the peak's own table, read during the run: not twice
  std::map<std::string, std::vector<SiteTableData>> snapshots{{process.stem, {earlier, stale}}};
  TraceInput input;
  input.launch_ns = 1000000000;
  input.snapshots = &snapshots;
  TraceReport report = BuildTraceReport({process}, symbolizer, input);
  const auto& p = report.processes[0];
  ASSERT_EQ(p.snapshots.size(), 2u);
  EXPECT_DOUBLE_EQ(p.snapshots[0].seconds, 1.0);
  EXPECT_EQ(p.snapshots[0].total, 100u);
  ASSERT_EQ(p.snapshots[0].sites.size(), 1u);
  EXPECT_EQ(p.snapshots[0].sites[0].location, "/home/me/job.py:30");
  EXPECT_TRUE(p.snapshots[0].sites[0].stack.empty());
  EXPECT_DOUBLE_EQ(p.snapshots[1].seconds, 2.0);
  EXPECT_EQ(p.snapshots[1].sites[0].location, "/home/me/job.py:12");
}

TEST(TraceReport, FoldsTheStacksOfTotalAllocationsForTheSecondFlameGraph) {
  Symbolizer symbolizer;
  TraceInput input;
  TraceReport report = BuildTraceReport({PythonProcess()}, symbolizer, input);
  const auto& p = report.processes[0];
  std::map<std::string, uint64_t> allocated(p.collapsed_allocated.begin(), p.collapsed_allocated.end());
  EXPECT_EQ(
      allocated.at("main /home/me/job.py:12;ones /usr/lib/python3/site-packages/numpy/core/numeric.py:204"),
      900u);
  EXPECT_EQ(allocated.at("helper /home/me/job.py:30"), 100u);
}

TEST(TraceReport, CarriesTheSourceTextOfTheLinesItNames) {
  char dir_template[] = "/tmp/outcore-report-test-XXXXXX";
  std::string dir = ::mkdtemp(dir_template);
  {
    std::ofstream job(dir + "/job.py");
    for (int line = 1; line <= 40; ++line) job << "line_" << line << " = " << line << "\n";
  }
  ProcessTrace process = PythonProcess();
  process.sites[1].python = {{dir + "/job.py", "main", 12}};
  process.sites[2].python = {{dir + "/job.py", "helper", 30}};
  Symbolizer symbolizer;
  TraceInput input;
  input.cwd = dir;  // shown as "job.py:12", read from dir/job.py
  TraceReport report = BuildTraceReport({process}, symbolizer, input);
  ASSERT_GE(report.sources.size(), 2u);
  EXPECT_EQ(report.sources[0].location, "job.py:12");
  EXPECT_EQ(report.sources[0].first_line, 10u);
  EXPECT_EQ(report.sources[0].lines, (std::vector<std::string>{"line_10 = 10", "line_11 = 11", "line_12 = 12",
                                                               "line_13 = 13", "line_14 = 14"}));
  input.source_bytes = 0;
  EXPECT_TRUE(BuildTraceReport({process}, symbolizer, input).sources.empty());
  std::filesystem::remove_all(dir);
}

TEST(Symbolizer, ParsesInlinedFramesFromAddr2line) {
  auto parsed = Symbolizer::ParseAddr2lineOutput(
      "0x0000000000001139\nallocate\n/usr/include/c++/12/bits/new_allocator.h:137\nmain\n/src/x.cpp:20 "
      "(discriminator 1)\n0x0000000000001200\n??\n??:0\n");
  ASSERT_EQ(parsed[0x1139].size(), 2u);
  EXPECT_EQ(parsed[0x1139][1].file, "/src/x.cpp");
  EXPECT_EQ(parsed[0x1139][1].line, 20u);
  ASSERT_EQ(parsed[0x1200].size(), 1u);
  EXPECT_TRUE(parsed[0x1200][0].file.empty());
}

}  // namespace outcore::trace

namespace outcore::trace {
namespace {

TimelineSample At(double seconds, uint64_t rss_mib, uint64_t major_faults, uint64_t swap_mib = 0) {
  TimelineSample s;
  s.seconds = seconds;
  s.rss = rss_mib << 20;
  s.major_faults = major_faults;
  s.swap = swap_mib << 20;
  return s;
}

TEST(MemPressure, MajorFaultsBelowTheRssHighAreASqueeze) {
  MemReport report;
  // Grows to 40 MiB reading a file for the first time (faults at new highs),
  // then reads it back under a cap at 32 MiB: evicted pages faulted in again.
  report.timeline = {At(0, 4, 0),      At(0.1, 20, 100), At(0.2, 40, 200), At(0.3, 32, 400),
                     At(0.4, 33, 600), At(0.5, 32, 800), At(0.6, 32, 800), At(0.7, 32, 800)};
  FindSqueezes(&report);
  ASSERT_EQ(report.squeezed.size(), 1u);
  EXPECT_DOUBLE_EQ(report.squeezed[0].begin_seconds, 0.2);
  EXPECT_DOUBLE_EQ(report.squeezed[0].end_seconds, 0.5);
  EXPECT_EQ(report.squeezed[0].major_faults, 600u);
  EXPECT_EQ(report.squeezed[0].rss_high, uint64_t(40) << 20);
  EXPECT_EQ(report.major_faults, 800u);
}

TEST(MemPressure, FaultsAtNewHighsOrFewFaultsAreNot) {
  MemReport first_read;  // a file read once: RSS reaches a new high with every fault
  first_read.timeline = {At(0, 4, 0), At(0.1, 20, 100), At(0.2, 40, 300), At(0.3, 60, 500)};
  FindSqueezes(&first_read);
  EXPECT_TRUE(first_read.squeezed.empty());
  MemReport noise;  // a late page of a library
  noise.timeline = {At(0, 40, 0), At(0.1, 30, 3), At(0.2, 30, 3)};
  FindSqueezes(&noise);
  EXPECT_TRUE(noise.squeezed.empty());
}

TEST(MemPressure, SwapGrowthIsASqueeze) {
  MemReport report;
  report.timeline = {At(0, 100, 0), At(0.1, 90, 0, 10), At(0.2, 90, 0, 10)};
  FindSqueezes(&report);
  ASSERT_EQ(report.squeezed.size(), 1u);
  EXPECT_EQ(report.squeezed[0].swap_growth, uint64_t(10) << 20);
  std::string text = RenderMemText(report);
  EXPECT_NE(text.find("working set SQUEEZED from 0.00 s to 0.10 s: 10.0 MiB pushed out to swap"),
            std::string::npos)
      << text;
}

TEST(MemPressure, ReadsTheStallTotalsOfProcPressure) {
  std::string path = ::testing::TempDir() + "/pressure_memory";
  std::ofstream(path) << "some avg10=0.00 avg60=0.00 avg300=0.00 total=169104\n"
                         "full avg10=0.00 avg60=0.00 avg300=0.00 total=139101\n";
  uint64_t some = 0, full = 0;
  ASSERT_TRUE(ReadMemoryPressure(&some, &full, path.c_str()));
  EXPECT_EQ(some, 169104u);
  EXPECT_EQ(full, 139101u);
  EXPECT_FALSE(ReadMemoryPressure(&some, &full, "/nonexistent/pressure"));
  MemReport report;
  report.pressure_available = false;
  EXPECT_NE(RenderMemText(report).find("not measured (this kernel has no /proc/pressure/memory)"),
            std::string::npos);
}

}  // namespace
}  // namespace outcore::trace
