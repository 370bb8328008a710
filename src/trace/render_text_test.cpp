#include "trace/render_text.h"

#include <gtest/gtest.h>

#include "trace/render_test_util.h"

namespace outcore::trace {

namespace {
bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST(TraceText, OpensWithTheCommandItsExitAndThePeaks) {
  std::string text = RenderTraceText(SampleTraceReport());
  EXPECT_EQ(text.rfind("outcore trace: python3 job.py\n  exited with status 0, 1.50 s\n", 0), 0u) << text;
  EXPECT_TRUE(
      Has(text, "  peak heap 1000 B (one process), 1005 B summed over processes; peak RSS 4.0 KiB\n"));
}

TEST(TraceText, ListsTheSitesLiveAtThePeakAsAlignedColumns) {
  std::string text = RenderTraceText(SampleTraceReport());
  EXPECT_TRUE(Has(text,
                  "\nprocess 100 (parent 1): python3 job.py\n"
                  "  peak heap 1000 B at 0.250 s; peak RSS 4.0 KiB; allocated 2.0 KiB in 7 calls\n"
                  "  live at the peak:\n"
                  "         bytes   share    blocks  kind       site\n"
                  "         900 B   90.0%         1  heap       job.py:12  (main)\n"
                  "         100 B   10.0%         4  heap       job.py:30  (helper)\n"))
      << text;
}

TEST(TraceText, ShowsLeaksAtExitAndTheTopSitesStack) {
  std::string text = RenderTraceText(SampleTraceReport());
  EXPECT_TRUE(Has(text, "  still allocated at exit (64 B):\n")) << text;
  EXPECT_TRUE(Has(text, "  stack of the top site:\n    ones numeric.py:204\n    main job.py:12\n")) << text;
  TraceReport clean = SampleTraceReport();
  clean.processes[0].leaked_bytes = 0;
  clean.processes[0].leaks.clear();
  EXPECT_TRUE(Has(RenderTraceText(clean), "  nothing left allocated at exit\n"));
}

TEST(TraceText, MinorProcessesAreSummedInOneLineByProgram) {
  std::string text = RenderTraceText(SampleTraceReport());
  EXPECT_TRUE(Has(text, "\n1 smaller process (below 1% of the peak, at most 5 B each): sh x1\n")) << text;
  EXPECT_FALSE(Has(text, "process 101"));
  EXPECT_FALSE(Has(text, "sh.c:7"));
  // A pyenv shim's dozens of shells: one line, not dozens.
  TraceReport shims = SampleTraceReport();
  for (int i = 0; i < 30; ++i) {
    ProcessReport shell = shims.processes[1];
    shell.pid = 200 + i;
    shell.command = i < 25 ? "/usr/bin/bash /root/.pyenv/libexec/pyenv-exec python3" : "pyenv version-name";
    shims.processes.push_back(shell);
  }
  text = RenderTraceText(shims);
  EXPECT_TRUE(Has(
      text, "\n31 smaller processes (below 1% of the peak, at most 5 B each): bash x25, pyenv x5, sh x1\n"))
      << text;
  EXPECT_FALSE(Has(text, "pyenv-exec"));
}

TEST(TraceText, SaysWhenAProcessDidNotReachExitOrRanOutOfMemory) {
  TraceReport report = SampleTraceReport();
  report.processes[0].exited = false;
  report.processes[0].alloc_failed = true;
  report.processes[0].failed_allocs = 3;
  std::string text = RenderTraceText(report);
  EXPECT_TRUE(Has(text, "  3 allocation(s) FAILED (out of memory)\n"));
  EXPECT_TRUE(Has(text, "  did not reach exit (killed, crashed or exec'd)"));
  EXPECT_FALSE(Has(text, "last seen"));  // never sampled alive
  report.processes[0].last_seen = 0.75;
  report.processes[0].last_rss = 3 << 20;
  EXPECT_TRUE(Has(RenderTraceText(report),
                  "figures are from the last peak snapshot; last seen at 0.75 s with RSS 3.0 MiB\n"));
  EXPECT_FALSE(Has(text, "still allocated at exit"));  // unknown without the exit table
}

TEST(TraceText, SaysHowTheProgramEndedAndAtWhatRss) {
  TraceReport report = SampleTraceReport();
  report.exit.signaled = true;
  report.exit.signal = 9;
  report.end_rss = 812 << 20;
  report.end_seconds = 3.41;
  EXPECT_TRUE(Has(RenderTraceText(report),
                  "\n  killed by signal 9 (Killed) at RSS 812.0 MiB (last sample 3.41 s), 1.50 s\n"))
      << RenderTraceText(report);
}

TEST(TraceText, HintsAtPythonModeAndEndsWithTheWarnings) {
  TraceReport report = SampleTraceReport();
  report.python_hint = true;
  report.warnings = {"one damaged file"};
  std::string text = RenderTraceText(report);
  EXPECT_TRUE(Has(text, "add --python to attribute memory to your Python source lines\n"));
  EXPECT_TRUE(text.size() >= 26 && text.compare(text.size() - 26, 26, "warning: one damaged file\n") == 0)
      << text;
  EXPECT_FALSE(Has(RenderTraceText(SampleTraceReport()), "hint:"));
}

TEST(MemText, ListsPeakRssProcessesAndTheTimeline) {
  MemReport report;
  report.command = "./job";
  report.peak_rss = 2048;
  report.peak_rss_sum = 3072;
  report.processes = {ProcessPeak{.pid = 7, .ppid = 1, .command = "./job", .peak_hwm = 2048}};
  report.timeline = {{.seconds = 0.5,
                      .rss = 3072,
                      .rss_anon = 2048,
                      .rss_file = 1024,
                      .rss_shmem = 512,
                      .minor_faults = 1234,
                      .major_faults = 5}};
  report.minor_faults = 1234;
  report.major_faults = 5;
  std::string text = RenderMemText(report);
  EXPECT_EQ(text.rfind("outcore mem: ./job\n  exited with status 0, 0.00 s wall", 0), 0u) << text;
  EXPECT_TRUE(
      Has(text, "  peak RSS 2.0 KiB (largest single process), 3.0 KiB summed over the process tree\n"));
  EXPECT_FALSE(Has(text, "peak swap"));
  EXPECT_TRUE(Has(text, "  1 process(es):\n    pid       7  peak RSS    2.0 KiB  ./job\n")) << text;
  EXPECT_TRUE(
      Has(text, "  page faults: 1,234 minor (pages mapped in memory), 5 major (read from disk or swap)\n"))
      << text;
  EXPECT_TRUE(Has(text, "  working set not squeezed")) << text;
  EXPECT_TRUE(Has(
      text,
      "        0.50     3.0 KiB     2.0 KiB     1.0 KiB       512 B         0 B         1,234         5\n"))
      << text;
}

}  // namespace outcore::trace
