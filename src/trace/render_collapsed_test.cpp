#include "trace/render_collapsed.h"

#include <gtest/gtest.h>

#include "trace/render_test_util.h"

namespace outcore::trace {

TEST(Collapsed, OneSortedLinePerStackUnderAProcessRoot) {
  // Every process, minor ones too: a flamegraph shows small things small.
  EXPECT_EQ(RenderCollapsed(SampleTraceReport()),
            "python3 job.py [100];helper job.py:30 100\n"
            "python3 job.py [100];main job.py:12;ones numeric.py:204 900\n"
            "sh -c true [101];run sh.c:7 5\n");
}

TEST(Collapsed, SumsTheSameStackAndKeepsTheRootOneFrame) {
  TraceReport report;
  ProcessReport p;
  p.pid = 9;
  p.command = "sh -c 'a; b' " + std::string(60, 'x');
  p.collapsed = {{"f a.c:1", 10}, {"f a.c:1", 5}};
  report.processes = {p};
  std::string root = "sh -c 'a, b' " + std::string(47, 'x') + " [9]";  // 60 characters of the command, no ';'
  EXPECT_EQ(RenderCollapsed(report), root + ";f a.c:1 15\n");
}

TEST(Collapsed, IsEmptyWithoutProcesses) { EXPECT_EQ(RenderCollapsed(TraceReport{}), ""); }

}  // namespace outcore::trace
