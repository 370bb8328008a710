#include "transform/pca.h"

#include <gtest/gtest.h>
#include <lapacke.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace outcore::transform {
namespace {

// rows x cols, row-major: correlated columns of very different scales around
// a large offset (a naive sum of squares would cancel there).
std::vector<double> MixedScales(int64_t rows, int64_t cols, uint32_t seed, double offset = 1e6) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> mix(size_t(cols * cols));
  for (auto& v : mix) v = normal(rng);
  std::vector<double> x(size_t(rows * cols)), z(static_cast<size_t>(cols));
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t c = 0; c < cols; ++c) z[c] = normal(rng) * std::pow(10.0, double(c % 4) - 1.0);
    for (int64_t c = 0; c < cols; ++c) {
      double v = offset * double(c + 1);
      for (int64_t e = 0; e < cols; ++e) v += z[e] * mix[e * cols + c];
      x[row * cols + c] = v;
    }
  }
  return x;
}

// The singular values of the centred matrix (the "full" solver's route), by
// LAPACK's SVD, in long-double-centred form.
std::vector<double> CentredSingularValues(const std::vector<double>& x, int64_t rows, int64_t cols) {
  std::vector<long double> mean(static_cast<size_t>(cols), 0.0L);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) mean[c] += x[r * cols + c];
  for (auto& m : mean) m /= rows;
  std::vector<double> a(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) a[r * cols + c] = double((long double)x[r * cols + c] - mean[c]);
  std::vector<double> s(static_cast<size_t>(cols)), superb(static_cast<size_t>(cols));
  EXPECT_EQ(LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', lapack_int(rows), lapack_int(cols), a.data(),
                           lapack_int(cols), s.data(), nullptr, 1, nullptr, 1, superb.data()),
            0);
  return s;
}

// How far an eigenvalue of the covariance may be from the exact one: relative
// rounding of its own size, plus LAPACK's absolute bound, a small multiple of
// eps * (the largest eigenvalue): the covariance solver squares the condition
// number (doc/transforms.md, "Exact PCA").
double EigenTolerance(double value, double largest, int64_t cols) {
  return 1e-12 * value + 16.0 * double(cols) * std::numeric_limits<double>::epsilon() * largest;
}

TEST(Pca, ExplainedVarianceEqualsTheSvdOfTheCentredDataDespiteALargeOffset) {
  const int64_t rows = 5000, cols = 7;
  auto x = MixedScales(rows, cols, 1);
  Pca pca({});
  ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
  auto s = CentredSingularValues(x, rows, cols);
  ASSERT_EQ(pca.n_components(), cols);
  const double largest = s[0] * s[0] / (rows - 1);
  for (int64_t i = 0; i < cols; ++i) {
    const double expected = s[i] * s[i] / (rows - 1);
    EXPECT_NEAR(pca.explained_variance()[i], expected, EigenTolerance(expected, largest, cols)) << i;
    EXPECT_NEAR(pca.singular_values()[i], s[i], EigenTolerance(expected, largest, cols) / s[i] * (rows - 1))
        << i;
  }
  // The data is one that a sum of squares about zero could not fit: its
  // offsets (up to 7e6) squared times eps are ~1e-2, above its smallest
  // variance, which the centred chunks still get to the bound above.
  const double naive_error = 7e6 * 7e6 * std::numeric_limits<double>::epsilon();
  EXPECT_LT(pca.explained_variance()[cols - 1], naive_error);
  double ratio_sum = 0;
  for (double r : pca.explained_variance_ratio()) ratio_sum += r;
  EXPECT_NEAR(ratio_sum, 1.0, 1e-12);
  EXPECT_EQ(pca.noise_variance(), 0.0);  // every component kept
}

TEST(Pca, ComponentsAreOrthonormalWithTheLargestEntryPositive) {
  const int64_t rows = 3000, cols = 6;
  auto x = MixedScales(rows, cols, 2, 0.0);
  Pca pca({.n_components = 4});
  ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
  const auto& v = pca.components();
  for (int64_t i = 0; i < 4; ++i) {
    int64_t arg = 0;
    for (int64_t c = 1; c < cols; ++c)
      if (std::fabs(v[i * cols + c]) > std::fabs(v[i * cols + arg])) arg = c;
    EXPECT_GT(v[i * cols + arg], 0) << "svd_flip sign of component " << i;
    for (int64_t j = 0; j < 4; ++j) {
      double dot = 0;
      for (int64_t c = 0; c < cols; ++c) dot += v[i * cols + c] * v[j * cols + c];
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-12);
    }
  }
  // noise_variance_: the mean of the variances left out, as sklearn's PCA.
  Pca all({});
  ASSERT_TRUE(all.Fit(x.data(), rows, cols).ok());
  EXPECT_NEAR(pca.noise_variance(), (all.explained_variance()[4] + all.explained_variance()[5]) / 2, 1e-12);
}

TEST(Pca, MergedStatesOfTwoPartsEqualTheStateOfTheWhole) {
  const int64_t rows = 4001, cols = 5, split = 1234;
  auto x = MixedScales(rows, cols, 3);
  Pca whole({}), left({}), right({});
  ASSERT_TRUE(whole.Update(x.data(), rows, cols).ok());
  ASSERT_TRUE(left.Update(x.data(), split, cols).ok());
  ASSERT_TRUE(right.Update(x.data() + split * cols, rows - split, cols).ok());
  ASSERT_TRUE(left.Merge(right.moments()).ok());
  PcaMoments a = whole.moments(), b = left.moments();
  ASSERT_EQ(a.n_samples, rows);
  ASSERT_EQ(b.n_samples, rows);
  for (int64_t c = 0; c < cols; ++c) EXPECT_NEAR(a.mean[c], b.mean[c], 1e-15 * std::fabs(a.mean[c]));
  for (int64_t i = 0; i < cols * cols; ++i) {
    const double scale = std::sqrt(a.comoment[(i / cols) * (cols + 1)] * a.comoment[(i % cols) * (cols + 1)]);
    EXPECT_NEAR(a.comoment[i], b.comoment[i], 1e-12 * scale) << i;
  }
  // The public value type merges the same way.
  PcaMoments parts = Pca({}).moments();
  Pca first({});
  ASSERT_TRUE(first.Update(x.data(), split, cols).ok());
  parts = first.moments();
  ASSERT_TRUE(parts.Merge(right.moments()).ok());
  for (int64_t i = 0; i < cols * cols; ++i) EXPECT_EQ(parts.comoment[i], b.comoment[i]);
  ASSERT_TRUE(left.Finish().ok());
  ASSERT_TRUE(whole.Finish().ok());
  for (int64_t i = 0; i < cols; ++i)
    EXPECT_NEAR(left.explained_variance()[i], whole.explained_variance()[i],
                1e-12 * whole.explained_variance()[0]);
}

TEST(Pca, ChunkBoundariesDoNotChangeTheResult) {
  const int64_t cols = 3, rows = 3 * Pca::ChunkRows(cols) + 17;
  auto x = MixedScales(rows, cols, 4);
  Pca at_once({}), row_by_row({});
  ASSERT_TRUE(at_once.Fit(x.data(), rows, cols).ok());
  for (int64_t r = 0; r < rows; r += 1000) {
    ASSERT_TRUE(row_by_row.Update(x.data() + r * cols, std::min<int64_t>(1000, rows - r), cols).ok());
  }
  ASSERT_TRUE(row_by_row.Finish().ok());
  const double largest = at_once.explained_variance()[0];
  for (int64_t i = 0; i < cols; ++i) {
    EXPECT_NEAR(at_once.explained_variance()[i], row_by_row.explained_variance()[i],
                EigenTolerance(at_once.explained_variance()[i], largest, cols));
    EXPECT_NEAR(at_once.mean()[i], row_by_row.mean()[i], 1e-15 * std::fabs(at_once.mean()[i]));
  }
}

TEST(Pca, SlicesOnThreadsAgreeWithOneThreadAndNameTheRowOfABadValue) {
  const int64_t cols = 6, rows = 40 * Pca::ChunkRows(cols) + 5;
  auto x = MixedScales(rows, cols, 9);
  Pca one({.threads = 1}), three({.threads = 3});
  ASSERT_TRUE(one.Fit(x.data(), rows, cols).ok());
  ASSERT_TRUE(three.Fit(x.data(), rows, cols).ok());
  const double largest = one.explained_variance()[0];
  for (int64_t i = 0; i < cols; ++i) {
    EXPECT_NEAR(three.explained_variance()[i], one.explained_variance()[i],
                EigenTolerance(one.explained_variance()[i], largest, cols));
    EXPECT_NEAR(three.mean()[i], one.mean()[i], 1e-15 * std::fabs(one.mean()[i]));
  }
  const int64_t bad_row = rows - 3;  // in the last thread's slice
  x[bad_row * cols + 4] = std::numeric_limits<double>::infinity();
  Status status = three.Fit(x.data(), rows, cols);
  EXPECT_NE(status.message().find("row " + std::to_string(bad_row) + ", column 4"), std::string::npos)
      << status.message();
  EXPECT_EQ(three.moments().n_samples, 0);
}

TEST(Pca, TransformThenInverseIsIdentityAtFullRankAlsoWhitened) {
  const int64_t rows = 500, cols = 4;
  auto x = MixedScales(rows, cols, 5, 3.0);
  for (bool whiten : {false, true}) {
    Pca pca({.n_components = -1, .whiten = whiten});
    ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
    std::vector<double> y(size_t(rows * cols)), back(size_t(rows * cols));
    ASSERT_TRUE(pca.Transform(x.data(), rows, cols, y.data()).ok());
    ASSERT_TRUE(pca.InverseTransform(y.data(), rows, back.data()).ok());
    for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(back[i], x[i], 1e-8 * (1 + std::fabs(x[i])));
    if (whiten) {  // unit variance per component
      double sq = 0;
      for (int64_t r = 0; r < rows; ++r) sq += y[r * cols] * y[r * cols];
      EXPECT_NEAR(sq / (rows - 1), 1.0, 1e-9);
    }
  }
}

TEST(Pca, NonFiniteValuesAreRefusedNamingTheRowAndTheStateIsKept) {
  const int64_t rows = 100, cols = 3;
  auto x = MixedScales(rows, cols, 6, 0.0);
  Pca pca({});
  ASSERT_TRUE(pca.Update(x.data(), 50, cols).ok());
  const PcaMoments before = pca.moments();
  x[70 * cols + 2] = std::numeric_limits<double>::quiet_NaN();
  Status status = pca.Update(x.data() + 50 * cols, 50, cols);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("row 20, column 2"), std::string::npos) << status.message();
  EXPECT_EQ(pca.moments().n_samples, 50);
  EXPECT_EQ(pca.moments().comoment, before.comoment);
  x[70 * cols + 2] = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(pca.Update(x.data() + 50 * cols, 50, cols).ok());
}

TEST(Pca, TooFewRowsTooManyComponentsAndWrongWidthsAreErrors) {
  auto x = MixedScales(10, 4, 7, 0.0);
  Pca one({});
  ASSERT_TRUE(one.Update(x.data(), 1, 4).ok());
  Status status = one.Finish();
  EXPECT_NE(status.message().find("at least 2 rows"), std::string::npos) << status.message();
  Pca wide({.n_components = 5});
  ASSERT_TRUE(wide.Update(x.data(), 10, 4).ok());
  status = wide.Finish();
  EXPECT_NE(status.message().find("n_components=5 must be between 1 and min(n_samples, n_features)=4"),
            std::string::npos)
      << status.message();
  Pca short_data({.n_components = 3});
  ASSERT_TRUE(short_data.Update(x.data(), 2, 4).ok());
  EXPECT_FALSE(short_data.Finish().ok());  // min(2, 4) = 2 < 3
  Pca pca({});
  ASSERT_TRUE(pca.Fit(x.data(), 10, 4).ok());
  std::vector<double> out(30);
  EXPECT_FALSE(pca.Transform(x.data(), 10, 3, out.data()).ok());
  EXPECT_FALSE(pca.Update(x.data(), 10, 3).ok());
  PcaMoments bad;
  bad.n_samples = 3;
  bad.mean = {1, 2};
  bad.comoment = {1, 2, 3};
  EXPECT_FALSE(pca.Merge(bad).ok());
}

TEST(Pca, ConstantColumnsGiveZeroVarianceWithoutFailing) {
  const int64_t rows = 200, cols = 3;
  auto x = MixedScales(rows, cols, 8, 0.0);
  for (int64_t r = 0; r < rows; ++r) x[r * cols + 1] = 2.5;
  Pca pca({});
  ASSERT_TRUE(pca.Fit(x.data(), rows, cols).ok());
  EXPECT_GE(pca.explained_variance()[2], 0.0);
  EXPECT_LT(pca.explained_variance()[2], 1e-12 * pca.explained_variance()[0]);
  EXPECT_EQ(pca.mean()[1], 2.5);
}

}  // namespace
}  // namespace outcore::transform
