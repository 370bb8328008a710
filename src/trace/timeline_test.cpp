#include "trace/timeline.h"

#include <gtest/gtest.h>

namespace outcore::trace {

TEST(Timeline, StaysBoundedHoweverLongTheRun) {
  Timeline timeline(100);
  for (int i = 0; i < 100000; ++i) timeline.Add({.seconds = i * 0.01, .heap = uint64_t(i % 977)});
  EXPECT_LE(timeline.samples().size(), 100u);
  EXPECT_GE(timeline.samples().size(), 50u);
}

TEST(Timeline, KeepsThePeakWhenMergingSamples) {
  Timeline timeline(16);
  for (int i = 0; i < 1000; ++i)
    timeline.Add({.seconds = double(i), .heap = i == 537 ? 1000000u : 10u, .rss = 5});
  const TimelineSample* peak = timeline.MaxBy(&TimelineSample::heap);
  ASSERT_NE(peak, nullptr);
  EXPECT_EQ(peak->heap, 1000000u);
  EXPECT_LE(peak->seconds, 537.0);
}

TEST(Timeline, KeepsTimesInOrder) {
  Timeline timeline(10);
  for (int i = 0; i < 333; ++i) timeline.Add({.seconds = double(i)});
  for (size_t i = 1; i < timeline.samples().size(); ++i) {
    EXPECT_LT(timeline.samples()[i - 1].seconds, timeline.samples()[i].seconds);
  }
}

TEST(Timeline, ResampledHasTheSameSizeForShortAndLongRuns) {
  Timeline short_run(500), long_run(500);
  for (int i = 0; i < 600; ++i) short_run.Add({.seconds = i * 0.02, .heap = uint64_t(i)});
  for (int i = 0; i < 30000; ++i) long_run.Add({.seconds = i * 0.02, .heap = i == 20000 ? 999999u : 1u});
  EXPECT_EQ(short_run.Resampled(250).size(), 250u);
  auto resampled = long_run.Resampled(250);
  EXPECT_EQ(resampled.size(), 250u);
  uint64_t peak = 0;
  for (const auto& s : resampled) peak = std::max(peak, s.heap);
  EXPECT_EQ(peak, 999999u);
}

}  // namespace outcore::trace
