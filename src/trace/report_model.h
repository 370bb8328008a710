// The reports of `outcore trace` and `outcore mem` as values: what every
// output form shows, computed once. A TraceReport is built from what the trace
// reader read (ProcessTrace) and what the parent sampled (timeline, RSS): peak
// heap and when, the call sites live at the peak (bytes, share, count), totals,
// leaks at exit, peak RSS, a bounded timeline and the stacks of the peak for a
// flamegraph. The renderers (render_text.h, render_json.h, render_html.h,
// render_collapsed.h) read only these values.
//
// Thread-safety: values and pure functions (the Symbolizer is one thread's).
//
//   TraceReport report = BuildTraceReport(processes, symbolizer, input);
//   for (auto& site : report.processes[0].top_at_peak) print(site.location, site.bytes);
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "trace/launcher.h"
#include "trace/process_sampler.h"
#include "trace/source_snippets.h"
#include "trace/symbolizer.h"
#include "trace/timeline.h"
#include "trace/trace_reader.h"

namespace outcore::trace {

struct ReportSite {
  std::string location;  // "file:line" where the memory was asked for
  std::string function;
  std::string kind;  // "heap", "mmap", "file mmap"
  uint64_t bytes = 0;
  uint64_t count = 0;              // live blocks (or allocations, for totals)
  double share = 0;                // of the process's total at that moment
  std::vector<std::string> stack;  // "function file:line", innermost first
};

// The sites live at one of the peak snapshots the tracer took while the
// program ran (each at a new high of its heap): what the HTML page shows for
// a point of the timeline. Sites carry no stacks, to keep pages small.
struct ReportSnapshot {
  double seconds = 0;  // since launch
  uint64_t total = 0;  // heap + anonymous mmap in the snapshot
  std::vector<ReportSite> sites;
};

// One allocation of the --log: what `ltrace -e malloc` prints, with the caller.
struct LogLine {
  double seconds = 0;  // since launch
  pid_t pid = 0;
  std::string call;      // "malloc", "operator new", "mmap", ...
  uint64_t size = 0;     // bytes asked for
  uint64_t address = 0;  // returned
  std::string library;   // the object that called the allocator ("" when unknown)
  std::string location;  // the call site, as in the report ("job.py:12" with --python)
  std::string function;
};

struct ProcessReport {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string command;
  bool python = false;
  bool exited = false;  // reached its exit handler (so leaks are known)
  bool alloc_failed = false;
  uint64_t failed_allocs = 0;
  uint64_t peak_heap = 0;      // malloc family + anonymous mmap, exact
  uint64_t snapshot_heap = 0;  // the total in the snapshot the sites come from
  double peak_seconds = -1;    // when the snapshot was taken, since launch
  uint64_t file_mapped_at_peak = 0;
  uint64_t alloc_count = 0;
  uint64_t alloc_bytes = 0;
  uint64_t peak_rss = 0;         // VmHWM sampled from /proc
  uint64_t tracer_overhead = 0;  // the tracer's own tables in this process
  uint64_t leaked_bytes = 0;     // live at exit
  std::vector<ReportSite> top_at_peak;
  std::vector<ReportSite> leaks;
  std::vector<ReportSite> top_allocators;                   // by total bytes allocated
  std::vector<std::pair<std::string, uint64_t>> collapsed;  // root;...;leaf -> bytes at peak
  // root;...;leaf -> bytes allocated over the run (from the exit table, or
  // the last snapshot's totals when the process did not reach exit)
  std::vector<std::pair<std::string, uint64_t>> collapsed_allocated;
  std::vector<ReportSnapshot> snapshots;  // oldest first; the last is the peak's
  uint64_t last_rss = 0;                  // VmRSS at the last sample that saw it alive
  double last_seen = -1;                  // seconds, that sample's time
};

struct TraceInput {
  std::string command;
  ExitInfo exit;
  int64_t launch_ns = 0;  // CLOCK_MONOTONIC at launch
  const Timeline* timeline = nullptr;
  const std::map<pid_t, ProcessPeak>* rss = nullptr;
  size_t top_sites = 10;
  double list_share = 0.01;    // sites at or above this share are listed beyond top_sites
  size_t symbolize_top = 256;  // raw stacks symbolized per ranking
  bool full_stacks = false;    // symbolize every stack (for --collapsed)
  std::string cwd;             // paths below it are shown relative
  std::vector<std::string> warnings;
  bool python_requested = false;  // --python was given
  // Peak tables read while the program ran, by trace stem ("<dir>/<pid>.<n>").
  const std::map<std::string, std::vector<SiteTableData>>* snapshots = nullptr;
  size_t source_bytes = 160 << 10;  // cap on the source text read for the report (0: none)
  uint64_t log_min_bytes = 0;       // --log SIZE (0: no log)
  size_t log_limit = 1000;          // lines of the log, over all processes
};

struct TraceReport {
  std::string command;
  ExitInfo exit;
  uint64_t peak_heap = 0;                // highest single-process peak heap
  uint64_t peak_heap_sum = 0;            // highest sampled sum over processes
  uint64_t peak_rss_sum = 0;             // highest sampled RSS of the process tree
  uint64_t end_rss = 0;                  // RSS of the tree at the last sample that saw it alive
  double end_seconds = -1;               // that sample's time
  std::vector<ProcessReport> processes;  // biggest peak first
  std::vector<TimelineSample> timeline;
  std::vector<std::string> warnings;
  // A Python interpreter ran without --python: its sites are the interpreter's
  // and NumPy's C code, and --python would name the program's lines.
  bool python_hint = false;
  std::vector<SourceSnippet> sources;  // text of the lines the stacks name
  // --log: the first log_limit allocations of at least log_min_bytes, in time
  // order over all processes; the rest are counted.
  uint64_t log_min_bytes = 0;
  std::vector<LogLine> log;
  uint64_t log_not_shown = 0, log_not_shown_bytes = 0;
};

TraceReport BuildTraceReport(const std::vector<ProcessTrace>& processes, Symbolizer& symbolizer,
                             const TraceInput& input);

// A process below 1% of the biggest peak, other than the first: the text and
// HTML forms give it no sites, and sum such processes in one line by program
// name, so that a job that ran a thousand small helpers (or a pyenv shim's
// dozens of shells) still has a readable report.
bool IsMinorProcess(const TraceReport& report, size_t process_idx);
// "37 smaller processes (below 1% of the peak): bash x30, pyenv x5, ..." or ""
// when there are none.
std::string MinorProcessesSummary(const TraceReport& report);
// How the program ended, for a report's first lines: "killed by signal 9
// (Killed) at RSS 812.0 MiB (last sample 3.41 s)", "exited with status 0".
std::string DescribeEnding(const TraceReport& report);
// What the leak lists are "still allocated at": "exit", or "the end of the
// traced block" for a block traced in process (oc.trace()).
const char* EndName(const TraceReport& report);

// A stretch of a run in which the working set was squeezed: the kernel took
// pages from the program (and it read them back) instead of letting it grow.
struct SqueezeSpan {
  double begin_seconds = 0, end_seconds = 0;
  uint64_t major_faults = 0;  // pages read back from disk or swap meanwhile, RSS below its high
  uint64_t refaults = 0;      // pages its own memory cgroup evicted and faulted back in meanwhile
  uint64_t swap_growth = 0;   // bytes pushed out to swap meanwhile
  uint64_t rss_high = 0;      // the RSS high it stayed under
};

struct MemReport {
  std::string command;
  ExitInfo exit;
  uint64_t peak_rss = 0;      // the child's own high-water mark (see ExitInfo)
  uint64_t peak_rss_sum = 0;  // highest sampled RSS of the whole tree
  uint64_t peak_swap = 0;
  std::vector<ProcessPeak> processes;
  std::vector<TimelineSample> timeline;
  uint64_t minor_faults = 0, major_faults = 0;          // of the tree over the run
  bool pressure_available = false;                      // /proc/pressure/memory exists
  uint64_t pressure_some_us = 0, pressure_full_us = 0;  // machine-wide stalls during the run
  std::vector<SqueezeSpan> squeezed;
  std::string cgroup;       // the memory cgroup of the command ("" when unknown)
  bool cgroup_own = false;  // no process outside the command's tree in it (its refaults are counted)
  bool cgroup_refaults_known = false;
};

// Finds, in the timeline, where the working set was squeezed: swap growing,
// refaults in the program's own memory cgroup (pages it evicted and read
// back), or major faults while RSS stayed below its earlier high (a first
// read of a file raises RSS to new highs instead). Fills report->squeezed and
// the fault and pressure totals.
void FindSqueezes(MemReport* report);

}  // namespace outcore::trace
