// Bounded timeline; see timeline.h.
#include "trace/timeline.h"

#include <algorithm>
#include <cstdint>

namespace outcore::trace {

namespace {
void MergeInto(TimelineSample& into, const TimelineSample& from) {
  into.heap = std::max(into.heap, from.heap);
  into.file_mapped = std::max(into.file_mapped, from.file_mapped);
  into.rss = std::max(into.rss, from.rss);
  into.rss_anon = std::max(into.rss_anon, from.rss_anon);
  into.rss_file = std::max(into.rss_file, from.rss_file);
  into.rss_shmem = std::max(into.rss_shmem, from.rss_shmem);
  into.swap = std::max(into.swap, from.swap);
  into.minor_faults = std::max(into.minor_faults, from.minor_faults);  // cumulative: the later one
  into.major_faults = std::max(into.major_faults, from.major_faults);
  into.pressure_some_us = std::max(into.pressure_some_us, from.pressure_some_us);
  into.pressure_full_us = std::max(into.pressure_full_us, from.pressure_full_us);
  into.cgroup_refaults = std::max(into.cgroup_refaults, from.cgroup_refaults);
  into.processes = std::max(into.processes, from.processes);
}
}  // namespace

Timeline::Timeline(size_t max_samples) : max_samples_(std::max<size_t>(max_samples, 4)) {
  samples_.reserve(max_samples_);
}

void Timeline::Add(const TimelineSample& sample) {
  if (!samples_.empty() && pending_ < stride_) {
    MergeInto(samples_.back(), sample);
    ++pending_;
    return;
  }
  if (samples_.size() == max_samples_) Halve();
  samples_.push_back(sample);
  pending_ = 1;
}

void Timeline::Halve() {
  size_t kept = 0;
  for (size_t i = 0; i < samples_.size(); i += 2) {
    TimelineSample merged = samples_[i];
    if (i + 1 < samples_.size()) MergeInto(merged, samples_[i + 1]);
    samples_[kept++] = merged;
  }
  samples_.resize(kept);
  stride_ *= 2;
  pending_ = stride_;  // the last kept sample is complete
}

std::vector<TimelineSample> Timeline::Resampled(size_t buckets) const {
  if (samples_.size() <= buckets || buckets == 0) return samples_;
  double begin = samples_.front().seconds, span = samples_.back().seconds - begin;
  std::vector<TimelineSample> out;
  out.reserve(buckets);
  size_t open_bucket = SIZE_MAX;
  for (const auto& s : samples_) {
    size_t bucket =
        span > 0 ? std::min(buckets - 1, size_t((s.seconds - begin) / span * double(buckets))) : 0;
    if (bucket != open_bucket) {
      out.push_back(s);
      open_bucket = bucket;
    } else {
      MergeInto(out.back(), s);
    }
  }
  return out;
}

const TimelineSample* Timeline::MaxBy(uint64_t TimelineSample::*field) const {
  const TimelineSample* best = nullptr;
  for (const auto& s : samples_) {
    if (!best || s.*field > best->*field) best = &s;
  }
  return best;
}

}  // namespace outcore::trace
