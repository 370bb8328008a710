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

// rows = 2^p rows x cols whose covariance is known exactly: column j of the
// unrotated matrix is scale[j] times a Walsh function (entries +-1, mean 0,
// orthogonal to the others), so the covariance is diag(scale^2 n / (n - 1));
// the columns are then mixed by an orthogonal `rotation` (row j: the
// eigenvector of eigenvalue j) and offset by 7. Only the rounding of the
// entries separates the data from its exact eigenvalues.
struct KnownSpectrum {
  std::vector<double> x, eigenvalues, rotation;
};
KnownSpectrum WalshMatrix(int64_t rows, const std::vector<double>& scale, uint32_t seed) {
  const auto cols = int64_t(scale.size());
  KnownSpectrum k;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<double> q(size_t(cols * cols)), tau(static_cast<size_t>(cols));
  for (auto& v : q) v = normal(rng);
  EXPECT_EQ(LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, lapack_int(cols), lapack_int(cols), q.data(), lapack_int(cols),
                           tau.data()),
            0);
  EXPECT_EQ(LAPACKE_dorgqr(LAPACK_ROW_MAJOR, lapack_int(cols), lapack_int(cols), lapack_int(cols), q.data(),
                           lapack_int(cols), tau.data()),
            0);
  // Rows of the orthogonal Q^T: the eigenvectors.
  k.rotation.resize(q.size());
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = 0; j < cols; ++j) k.rotation[i * cols + j] = q[j * cols + i];
  k.x.resize(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      double v = 7.0;
      for (int64_t j = 0; j < cols; ++j) {
        const double walsh = (__builtin_popcountll(uint64_t(r) & uint64_t(j + 1)) & 1) ? -1.0 : 1.0;
        v += scale[j] * walsh * k.rotation[j * cols + c];
      }
      k.x[r * cols + c] = v;
    }
  }
  for (double s : scale) k.eigenvalues.push_back(s * s * double(rows) / double(rows - 1));
  return k;
}

double AbsCosine(const double* a, const double* b, int64_t n) {
  double dot = 0;
  for (int64_t i = 0; i < n; ++i) dot += a[i] * b[i];
  return std::fabs(dot);
}

// Eigenvalues 12 orders of magnitude apart: one pass knows the small ones to
// eps * largest (a few digits), the second pass to their own precision.
TEST(Pca, TheSecondPassTakesEigenvaluesFarBelowTheLargestToTheirOwnPrecision) {
  const int64_t rows = int64_t(1) << 12, cols = 8;
  std::vector<double> scale;
  for (int64_t j = 0; j < cols; ++j) scale.push_back(std::pow(10.0, -6.0 * double(j) / double(cols - 1)));
  const KnownSpectrum k = WalshMatrix(rows, scale, 21);
  Pca one({.second_pass = PcaSecondPass::kNever}), two({});
  ASSERT_TRUE(one.Fit(k.x.data(), rows, cols).ok());
  ASSERT_TRUE(two.Fit(k.x.data(), rows, cols).ok());
  EXPECT_FALSE(one.refined());
  EXPECT_TRUE(two.refined());
  double worst_one = 0;
  for (int64_t j = 0; j < cols; ++j) {
    const double exact = k.eigenvalues[j];
    worst_one = std::max(worst_one, std::fabs(one.explained_variance()[j] - exact) / exact);
    EXPECT_NEAR(two.explained_variance()[j], exact, 1e-9 * exact) << "eigenvalue " << j;
    EXPECT_GE(AbsCosine(two.components().data() + j * cols, k.rotation.data() + j * cols, cols), 1 - 1e-9)
        << "component " << j;
  }
  EXPECT_GT(worst_one, 1e-7) << "the data should be beyond one pass's precision";
  // The leading eigenvalue is as good either way.
  EXPECT_NEAR(one.explained_variance()[0], k.eigenvalues[0], 1e-13 * k.eigenvalues[0]);
}

TEST(Pca, AutoTakesASecondPassOnlyWhenAnEigenvalueIsFarBelowTheLargest) {
  const int64_t rows = 1024, cols = 4;
  const KnownSpectrum close = WalshMatrix(rows, {4, 3, 2, 1}, 3);
  const KnownSpectrum far = WalshMatrix(rows, {1, 1e-2, 1e-3, 1e-4}, 3);  // 1e-8 of the largest
  Pca pca({});
  ASSERT_TRUE(pca.Fit(close.x.data(), rows, cols).ok());
  EXPECT_FALSE(pca.refined());
  ASSERT_TRUE(pca.Fit(far.x.data(), rows, cols).ok());
  EXPECT_TRUE(pca.refined());
  Pca always({.second_pass = PcaSecondPass::kAlways});
  ASSERT_TRUE(always.Fit(close.x.data(), rows, cols).ok());
  EXPECT_TRUE(always.refined());
  for (int64_t j = 0; j < cols; ++j)
    EXPECT_NEAR(always.explained_variance()[j], close.eigenvalues[j], 1e-13 * close.eigenvalues[j]);
}

TEST(Pca, TheSecondPassTakesBlocksAndThreadsAndItsStateRestores) {
  const int64_t rows = int64_t(1) << 18, cols = 6;
  const KnownSpectrum k = WalshMatrix(rows, {1, 0.3, 1e-2, 1e-3, 1e-5, 1e-6}, 5);
  Pca threads({.threads = 2});
  ASSERT_TRUE(threads.Fit(k.x.data(), rows, cols).ok());
  ASSERT_TRUE(threads.refined());
  // Blocks of any size, by hand, as a scan hands them over.
  Pca blocks({.threads = 1});
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      ASSERT_TRUE(blocks.wants_second_pass());
      ASSERT_TRUE(blocks.BeginSecondPass().ok());
    }
    for (int64_t r = 0; r < rows; r += 10007) {
      ASSERT_TRUE(blocks.Update(k.x.data() + r * cols, std::min<int64_t>(10007, rows - r), cols).ok());
    }
    ASSERT_TRUE(blocks.Finish().ok());
  }
  ASSERT_TRUE(blocks.refined());
  for (int64_t j = 0; j < cols; ++j) {
    EXPECT_NEAR(threads.explained_variance()[j], k.eigenvalues[j], 1e-9 * k.eigenvalues[j]);
    EXPECT_NEAR(blocks.explained_variance()[j], k.eigenvalues[j], 1e-9 * k.eigenvalues[j]);
  }
  // A pickle's way back: the moments, then the second pass's state.
  Pca back({});
  ASSERT_TRUE(back.Restore(blocks.moments()).ok());
  ASSERT_TRUE(back.Finish().ok());
  ASSERT_TRUE(back.RestoreRefinement(blocks.refinement()).ok());
  ASSERT_TRUE(back.Finish().ok());
  EXPECT_TRUE(back.refined());
  EXPECT_EQ(back.explained_variance(), blocks.explained_variance());
  EXPECT_EQ(back.components(), blocks.components());
}

TEST(Pca, ASecondPassOverOtherRowsOrOutOfTurnIsAnError) {
  const int64_t rows = 1024, cols = 4;
  const KnownSpectrum k = WalshMatrix(rows, {1, 1e-2, 1e-3, 1e-4}, 3);
  Pca pca({.second_pass = PcaSecondPass::kNever});
  EXPECT_FALSE(pca.BeginSecondPass().ok());  // nothing fitted yet
  ASSERT_TRUE(pca.Fit(k.x.data(), rows, cols).ok());
  EXPECT_FALSE(pca.wants_second_pass());
  ASSERT_TRUE(pca.BeginSecondPass().ok());
  EXPECT_FALSE(pca.BeginSecondPass().ok());  // one at a time
  ASSERT_TRUE(pca.Update(k.x.data(), rows - 1, cols).ok());
  Status status = pca.Finish();
  EXPECT_NE(status.message().find("read 1023 rows, the first 1024"), std::string::npos) << status.message();
  EXPECT_FALSE(pca.fitted());
  // Merging ends a second pass: the moments stay the first pass's.
  PcaMoments moments = pca.moments();
  ASSERT_TRUE(pca.Merge(moments).ok());
  EXPECT_EQ(pca.n_samples(), 2 * rows);
  ASSERT_TRUE(pca.Finish().ok());
  EXPECT_FALSE(pca.refined());
}

}  // namespace
}  // namespace outcore::transform
