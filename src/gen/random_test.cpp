#include "gen/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace outcore::gen {
namespace {

TEST(Xoshiro256, MatchesTheReferenceOutputForAKnownState) {
  // First outputs of the reference xoshiro256** C code from state {1, 2, 3, 4}.
  Xoshiro256 rng = Xoshiro256::FromState(1, 2, 3, 4);
  EXPECT_EQ(rng.Next(), 11520u);
  EXPECT_EQ(rng.Next(), 0u);
  EXPECT_EQ(rng.Next(), 1509978240u);
  EXPECT_EQ(rng.Next(), 1215971899390074240u);
}

TEST(Xoshiro256, SameSeedGivesSameStreamAndOtherSeedsDiffer) {
  Xoshiro256 a(7), b(7), c(8);
  int differing = 0;
  for (int draw = 0; draw < 100; ++draw) {
    uint64_t value = a.Next();
    EXPECT_EQ(value, b.Next());
    differing += value != c.Next();
  }
  EXPECT_GT(differing, 95);
}

TEST(BlockSeed, GivesDistinctSeedsPerBlockAndPerSeed) {
  std::set<uint64_t> seeds;
  for (uint64_t seed = 0; seed < 10; ++seed) {
    for (uint64_t block = 0; block < 1000; ++block) seeds.insert(BlockSeed(seed, block));
  }
  EXPECT_EQ(seeds.size(), 10000u);
}

TEST(Xoshiro256, BelowStaysInRangeAndIsRoughlyUniform) {
  Xoshiro256 rng(1);
  int counts[10] = {};
  for (int draw = 0; draw < 100000; ++draw) {
    uint64_t value = rng.Below(10);
    ASSERT_LT(value, 10u);
    ++counts[value];
  }
  for (int count : counts) EXPECT_NEAR(count, 10000, 500);
  for (int draw = 0; draw < 1000; ++draw) {
    int64_t value = rng.Between(5, 25);
    ASSERT_GE(value, 5);
    ASSERT_LE(value, 25);
  }
}

TEST(Xoshiro256, NormalHasMeanZeroAndUnitVariance) {
  Xoshiro256 rng(3);
  double sum = 0, sum_squares = 0;
  const int draws = 200000;
  for (int draw = 0; draw < draws; ++draw) {
    double value = rng.NextNormal();
    ASSERT_TRUE(std::isfinite(value));
    sum += value;
    sum_squares += value * value;
  }
  double mean = sum / draws;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(sum_squares / draws - mean * mean, 1.0, 0.02);
}

TEST(AliasSampler, DrawsEachIndexInProportionToItsWeight) {
  std::vector<double> weights = {5, 0, 1, 3, 1};
  AliasSampler sampler(weights);
  Xoshiro256 rng(11);
  std::vector<int> counts(weights.size());
  const int draws = 200000;
  for (int draw = 0; draw < draws; ++draw) ++counts[sampler.Sample(rng)];
  EXPECT_EQ(counts[1], 0) << "a zero weight must never be drawn";
  for (size_t index = 0; index < weights.size(); ++index) {
    EXPECT_NEAR(double(counts[index]) / draws, weights[index] / 10.0, 0.005) << "index " << index;
  }
}

TEST(AliasSampler, FollowsZipfOverManyRanks) {
  auto weights = ZipfWeights(65536, 1.1);
  EXPECT_DOUBLE_EQ(weights[0] / weights[1], std::pow(2.0, 1.1));
  AliasSampler sampler(weights);
  Xoshiro256 rng(5);
  int rank0 = 0, rank1 = 0;
  const int draws = 400000;
  for (int draw = 0; draw < draws; ++draw) {
    size_t rank = sampler.Sample(rng);
    ASSERT_LT(rank, 65536u);
    rank0 += rank == 0;
    rank1 += rank == 1;
  }
  double total = 0;
  for (double weight : weights) total += weight;
  EXPECT_NEAR(double(rank0) / draws, 1.0 / total, 0.003);
  EXPECT_NEAR(double(rank0) / rank1, std::pow(2.0, 1.1), 0.1);
}

}  // namespace
}  // namespace outcore::gen
