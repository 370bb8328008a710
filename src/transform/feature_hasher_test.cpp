#include "transform/feature_hasher.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace outcore::transform {
namespace {

std::vector<int32_t> Indices(const CsrBuilder& csr) {
  const auto* p = csr.indices().as<int32_t>();
  return {p, p + csr.indices().size() / 4};
}
std::vector<double> Data(const CsrBuilder& csr) {
  const auto* p = csr.data().as<double>();
  return {p, p + csr.data().size() / 8};
}
std::vector<int64_t> Indptr(const CsrBuilder& csr) {
  const auto* p = csr.indptr().as<int64_t>();
  return {p, p + csr.indptr().size() / 8};
}

TEST(FeatureHasher, RejectsFeatureCountsOutsideInt32) {
  EXPECT_FALSE(FeatureHasher::Make({.n_features = 0}).ok());
  EXPECT_FALSE(FeatureHasher::Make({.n_features = int64_t(1) << 31}).ok());
  EXPECT_TRUE(FeatureHasher::Make({.n_features = 1}).ok());
}

TEST(FeatureHasher, ColumnIsAbsOfSignedHashModuloFeatures) {
  auto hasher = *FeatureHasher::Make({.n_features = 1000});
  // "foo" hashes to -156908512 (sklearn's murmurhash3_32 test value).
  HashedFeature foo = hasher.Hash("foo");
  EXPECT_EQ(foo.column, 156908512 % 1000);
  EXPECT_TRUE(foo.negative);
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) {
    auto h = int32_t(rng());
    if (h == INT32_MIN) continue;
    HashedFeature f = hasher.FromHash(h);
    EXPECT_EQ(f.column, std::llabs(int64_t(h)) % 1000);
    EXPECT_EQ(f.negative, h < 0);
  }
}

TEST(FeatureHasher, ColumnWithoutADivisionMatchesTheRemainderForEveryDivisorShape) {
  // The column comes from a multiply-shift remainder; check it against % for
  // divisors of every shape (1, powers of two and their neighbours, primes,
  // the largest) and hashes at the edges of the int32 range.
  std::vector<int64_t> divisors = {1,
                                   2,
                                   3,
                                   5,
                                   7,
                                   1000,
                                   65535,
                                   65536,
                                   65537,
                                   1 << 20,
                                   (1 << 20) + 1,
                                   1000003,
                                   (int64_t(1) << 30) + 3,
                                   INT32_MAX - 1,
                                   INT32_MAX};
  std::vector<int32_t> hashes = {0,         1,         -1, 2, -2, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1,
                                 156908512, -156908512};
  std::mt19937 rng(11);
  for (int i = 0; i < 2000; ++i) hashes.push_back(int32_t(rng()));
  for (int64_t n : divisors) {
    auto hasher = *FeatureHasher::Make({.n_features = n});
    for (int32_t h : hashes) {
      if (h == INT32_MIN) continue;
      ASSERT_EQ(hasher.FromHash(h).column, std::llabs(int64_t(h)) % n) << "h " << h << " n_features " << n;
    }
  }
}

TEST(FeatureHasher, MinimumHashMapsLikeAbsOfTwoToThe31) {
  for (int64_t n : {1, 2, 3, 10, 1000, 1 << 20, INT32_MAX}) {
    auto hasher = *FeatureHasher::Make({.n_features = n});
    HashedFeature f = hasher.FromHash(INT32_MIN);
    EXPECT_EQ(f.column, (int64_t(1) << 31) % n) << "n_features " << n;
    EXPECT_TRUE(f.negative);
  }
}

TEST(FeatureHasher, WithoutAlternateSignValuesKeepTheirSign) {
  auto hasher = *FeatureHasher::Make({.n_features = 16, .alternate_sign = false});
  EXPECT_FALSE(hasher.Hash("foo").negative);
  CsrBuilder csr;
  hasher.Add("foo", 2.5, &csr);
  csr.FinishRow();
  EXPECT_EQ(Data(csr), std::vector<double>{2.5});
}

TEST(FeatureHasher, RowsAreSortedWithDuplicatesSummedAndZerosSkipped) {
  auto hasher = *FeatureHasher::Make({.n_features = 4, .alternate_sign = false});
  CsrBuilder csr;
  std::vector<std::string> words = {"a", "b", "c", "d", "e", "f", "a", "b"};
  std::vector<double> expected(4, 0.0);
  std::vector<bool> present(4, false);
  for (const auto& w : words) {
    hasher.Add(w, 1.0, &csr);
    expected[hasher.Hash(w).column] += 1.0;
    present[hasher.Hash(w).column] = true;
  }
  hasher.Add("zero", 0.0, &csr);
  csr.FinishRow();
  csr.FinishRow();  // an empty sample
  std::vector<int32_t> want_indices;
  std::vector<double> want_data;
  for (int c = 0; c < 4; ++c) {
    if (present[c]) want_indices.push_back(c), want_data.push_back(expected[c]);
  }
  EXPECT_EQ(Indices(csr), want_indices);
  EXPECT_EQ(Data(csr), want_data);
  int64_t n = int64_t(want_indices.size());
  EXPECT_EQ(Indptr(csr), (std::vector<int64_t>{0, n, n}));
  EXPECT_EQ(csr.rows(), 2);
}

TEST(CsrBuilder, LongRowsAreSortedAndCancellingSumsStayExplicit) {
  CsrBuilder csr;
  for (int i = 40; i > 0; --i) csr.Add(i % 5, i % 2 ? 1.0 : -1.0);
  csr.Add(7, 1.0);
  csr.Add(7, -1.0);
  csr.FinishRow();
  std::vector<double> sums(5, 0.0);
  for (int i = 40; i > 0; --i) sums[i % 5] += i % 2 ? 1.0 : -1.0;
  EXPECT_EQ(Indices(csr), (std::vector<int32_t>{0, 1, 2, 3, 4, 7}));
  std::vector<double> want = sums;
  want.push_back(0.0);
  EXPECT_EQ(Data(csr), want);
}

TEST(CsrBuilder, TakeFinishedKeepsAbsoluteRowEnds) {
  CsrBuilder csr;
  csr.Add(1, 1.0);
  csr.FinishRow();
  csr.TakeFinished();
  csr.Add(2, 1.0);
  csr.Add(3, 1.0);
  csr.FinishRow();
  EXPECT_EQ(Indptr(csr), std::vector<int64_t>{3});
  EXPECT_EQ(Indices(csr), (std::vector<int32_t>{2, 3}));
}

TEST(CsrBuilder, ChargesItsBuffersToTheBudget) {
  MemoryBudget budget(1 << 30);
  {
    CsrBuilder csr(&budget);
    for (int i = 0; i < 10000; ++i) csr.Add(i, 1.0);
    csr.FinishRow();
    EXPECT_GE(budget.used(), 10000u * 12);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(FeatureHasher, PairHashesNameEqualsValue) {
  auto hasher = *FeatureHasher::Make({.n_features = 1 << 20});
  std::string scratch;
  HashedFeature pair = hasher.HashPair("color", "red", &scratch);
  HashedFeature joined = hasher.Hash("color=red");
  EXPECT_EQ(pair.column, joined.column);
  EXPECT_EQ(pair.negative, joined.negative);
}

TEST(FeatureHasher, CharacterModeSplitsUtf8Characters) {
  auto hasher = *FeatureHasher::Make({.n_features = 1 << 20, .alternate_sign = false});
  CsrBuilder by_chars, by_hand;
  hasher.AddCharacters("h\xc3\xa9\xe2\x82\xac\xff", &by_chars);  // h, é, €, a stray byte
  by_chars.FinishRow();
  for (std::string_view c : {"h", "\xc3\xa9", "\xe2\x82\xac", "\xff"}) hasher.Add(c, 1.0, &by_hand);
  by_hand.FinishRow();
  EXPECT_EQ(Indices(by_chars), Indices(by_hand));
  EXPECT_EQ(Data(by_chars), Data(by_hand));
  EXPECT_EQ(Utf8CharLength("\xe2\x82"), 1);  // truncated sequence
}

}  // namespace
}  // namespace outcore::transform
