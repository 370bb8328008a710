// A bounded memory timeline: samples taken on a timer, kept to at most
// max_samples by merging neighbours (keeping each field's maximum, so a peak
// is never averaged away). A 10-minute run's timeline is as small as a
// 10-second run's.
//
// Thread-safety: a value; one thread at a time.
//
//   Timeline timeline(1000);
//   timeline.Add({.seconds = 0.01, .heap = 1 << 20});
//   for (auto& s : timeline.samples()) plot(s.seconds, s.heap);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace outcore::trace {

struct TimelineSample {
  double seconds = 0;        // since the traced command started
  uint64_t heap = 0;         // malloc-family + anonymous mmap bytes (traced processes)
  uint64_t file_mapped = 0;  // file-backed mmap bytes
  uint64_t rss = 0;          // resident, summed over the processes
  uint64_t rss_anon = 0;
  uint64_t rss_file = 0;
  uint64_t rss_shmem = 0;  // shared memory (tmpfs, shm_open, MAP_SHARED|MAP_ANONYMOUS)
  uint64_t swap = 0;
  // Page faults of the tree so far (cumulative, /proc/<pid>/stat): minor ones
  // map a page already in memory (a first touch), major ones read it from disk
  // or swap.
  uint64_t minor_faults = 0;
  uint64_t major_faults = 0;
  // /proc/pressure/memory so far (cumulative microseconds in which some / all
  // runnable tasks of the machine stalled on memory); 0 without PSI.
  uint64_t pressure_some_us = 0;
  uint64_t pressure_full_us = 0;
  // Pages evicted from the program's own memory cgroup and faulted back in
  // (cumulative; 0 when its cgroup is shared with other processes).
  uint64_t cgroup_refaults = 0;
  uint32_t processes = 0;  // how many were alive
};

class Timeline {
 public:
  explicit Timeline(size_t max_samples = 1000);

  // Appends a sample; when full, halves the resolution first.
  void Add(const TimelineSample& sample);
  const std::vector<TimelineSample>& samples() const { return samples_; }
  // The timeline in at most `buckets` equal time slices (each field's maximum
  // per slice): what reports print, so that every run longer than a few
  // seconds gives a report of the same size.
  std::vector<TimelineSample> Resampled(size_t buckets) const;
  // The sample with the highest value of `field` (nullptr when empty).
  const TimelineSample* MaxBy(uint64_t TimelineSample::*field) const;

 private:
  void Halve();

  size_t max_samples_;
  size_t stride_ = 1;   // raw samples merged into each kept one
  size_t pending_ = 0;  // raw samples merged into the open last one
  std::vector<TimelineSample> samples_;
};

}  // namespace outcore::trace
