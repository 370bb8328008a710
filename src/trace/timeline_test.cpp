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
  for (int i = 0; i < 1000; ++i) timeline.Add({.seconds = double(i), .heap = i == 537 ? 1000000u : 10u, .rss = 5});
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

}  // namespace outcore::trace
