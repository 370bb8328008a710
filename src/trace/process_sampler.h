// Reading the memory of a process tree from /proc: which processes descend
// from a pid, and their resident memory (via outcore::ReadProcessMemory).
// Used by `outcore mem` and `outcore trace` to sample RSS on a timer.
//
// Thread-safety: free functions; ProcessTreeSampler is one thread's value.
//
//   ProcessTreeSampler sampler(child_pid);
//   auto now = sampler.Sample();        // sums over the live tree
//   sampler.peak_hwm(child_pid);        // highest VmHWM seen for that pid
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "outcore/memory.h"

namespace outcore::trace {

// Every live process whose parent chain reaches `root` (root included when alive).
std::vector<pid_t> DescendantsOf(pid_t root);

// argv of a live process joined by spaces ("" when gone).
std::string CommandLineOf(pid_t pid);

struct ProcessPeak {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string command;
  uint64_t peak_hwm = 0;  // highest VmHWM seen
  uint64_t peak_rss = 0;  // highest VmRSS seen
  uint64_t peak_swap = 0;
  uint64_t last_rss = 0;                 // VmRSS at the last sample that found it alive
  double first_seen = 0, last_seen = 0;  // seconds
};

struct TreeReading {
  uint64_t rss = 0, rss_anon = 0, rss_file = 0, swap = 0;
  uint32_t processes = 0;
};

class ProcessTreeSampler {
 public:
  explicit ProcessTreeSampler(pid_t root) : root_(root) {}
  // Reads every process of the tree now; `seconds` stamps first/last seen.
  // The whole of /proc is scanned for new descendants every few samples only
  // (it costs milliseconds); the known ones are read every time.
  TreeReading Sample(double seconds);
  const std::map<pid_t, ProcessPeak>& processes() const { return processes_; }

 private:
  pid_t root_;
  std::map<pid_t, ProcessPeak> processes_;
  std::vector<pid_t> tree_;  // from the last full /proc scan
  uint64_t samples_ = 0;
};

}  // namespace outcore::trace
