// A small trace report built by hand, for the renderers' tests: they read
// only the model, so they are tested on a model, without trace files.
#pragma once

#include "trace/report_model.h"

namespace outcore::trace {

// One Python job (pid 100) that peaked at 1000 bytes, 900 of them on
// job.py:12, and left 64 bytes allocated at exit; and a tiny helper process
// (pid 101, 5 bytes) that did not reach exit.
inline TraceReport SampleTraceReport() {
  TraceReport report;
  report.command = "python3 job.py";
  report.exit.wall_seconds = 1.5;
  report.peak_heap = 1000;
  report.peak_heap_sum = 1005;
  report.peak_rss_sum = 4096;
  ProcessReport job;
  job.pid = 100;
  job.ppid = 1;
  job.command = "python3 job.py";
  job.python = true;
  job.exited = true;
  job.peak_heap = 1000;
  job.snapshot_heap = 1000;
  job.peak_seconds = 0.25;
  job.alloc_count = 7;
  job.alloc_bytes = 2000;
  job.peak_rss = 4096;
  job.leaked_bytes = 64;
  job.top_at_peak = {{"job.py:12", "main", "heap", 900, 1, 0.9, {"ones numeric.py:204", "main job.py:12"}},
                     {"job.py:30", "helper", "heap", 100, 4, 0.1, {"helper job.py:30"}}};
  job.leaks = {{"job.py:30", "helper", "heap", 64, 1, 1.0, {"helper job.py:30"}}};
  job.top_allocators = {{"job.py:12", "main", "heap", 1800, 2, 0.9, {"main job.py:12"}}};
  job.collapsed = {{"main job.py:12;ones numeric.py:204", 900}, {"helper job.py:30", 100}};
  ProcessReport helper;
  helper.pid = 101;
  helper.ppid = 100;
  helper.command = "sh -c true";
  helper.peak_heap = 5;
  helper.top_at_peak = {{"sh.c:7", "run", "heap", 5, 1, 1.0, {"run sh.c:7"}}};
  helper.collapsed = {{"run sh.c:7", 5}};
  report.processes = {job, helper};
  report.timeline = {{.seconds = 0.1, .heap = 500, .rss = 2048},
                     {.seconds = 0.25, .heap = 1000, .rss = 4096},
                     {.seconds = 0.5, .heap = 64, .rss = 3072}};
  return report;
}

}  // namespace outcore::trace
