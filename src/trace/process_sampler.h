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
  uint64_t last_rss = 0;                        // VmRSS at the last sample that found it alive
  uint64_t minor_faults = 0, major_faults = 0;  // at the last sample that found it alive
  double first_seen = 0, last_seen = 0;         // seconds
};

struct TreeReading {
  uint64_t rss = 0, rss_anon = 0, rss_file = 0, rss_shmem = 0, swap = 0;
  // Over every process seen so far, alive or not (each as last read).
  uint64_t minor_faults = 0, major_faults = 0;
  uint32_t processes = 0;
};

// Page faults of one process from /proc/<pid>/stat (minflt, majflt); false when gone.
bool ReadFaults(pid_t pid, uint64_t* minor, uint64_t* major);

// The machine's memory pressure (PSI, Linux 4.20+): cumulative microseconds
// from the "some" and "full" lines of /proc/pressure/memory. False where the
// kernel has none (built without PSI, or booted with psi=0).
bool ReadMemoryPressure(uint64_t* some_us, uint64_t* full_us, const char* path = "/proc/pressure/memory");

// The memory cgroup a process is in (v1 memory controller or v2), and the
// pages evicted from it and faulted back in (workingset_refault_* of its
// memory.stat): the kernel's own count of a working set that did not fit.
// `own` when every process in the cgroup belongs to `tree`: only then are its
// refaults the traced program's.
struct CgroupReading {
  std::string path;  // "" when unknown (or the process is gone)
  bool own = false;
  bool has_refaults = false;  // memory.stat counts refaults (Linux 4.15+)
  uint64_t refaults = 0;      // pages, cumulative
};
CgroupReading ReadMemoryCgroup(pid_t pid, const std::vector<pid_t>& tree);

class ProcessTreeSampler {
 public:
  explicit ProcessTreeSampler(pid_t root) : root_(root) {}
  // Reads every process of the tree now; `seconds` stamps first/last seen.
  // The whole of /proc is scanned for new descendants every few samples only
  // (it costs milliseconds); the known ones are read every time.
  TreeReading Sample(double seconds);
  const std::map<pid_t, ProcessPeak>& processes() const { return processes_; }
  // The live processes of the tree at the last sample.
  const std::vector<pid_t>& tree() const { return tree_; }

 private:
  pid_t root_;
  std::map<pid_t, ProcessPeak> processes_;
  std::vector<pid_t> tree_;  // from the last full /proc scan
  uint64_t samples_ = 0;
};

}  // namespace outcore::trace
