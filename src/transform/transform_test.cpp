// The public transform entry points (include/outcore/transform.h) on a file
// ingest wrote: each gives what the layer underneath computes, as plain values.
#include "outcore/transform.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "ingest/scan_test_util.h"
#include "outcore/ingest.h"
#include "transform/incremental_pca.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;

class TransformApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_transform_api_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string csv = (dir_ / "in.csv").string();
    path_ = (dir_ / "in.oc").string();
    std::ofstream(csv) << "x,topic\n1,food\n2,art\n,food\n5,sport\n";
    auto dataset = IngestAndOpen(csv, path_);
    ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
    dataset_ = *dataset;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
  std::shared_ptr<Dataset> dataset_;
};

TEST_F(TransformApiTest, ColumnStatsGiveMeanAndPopulationVariance) {
  auto stats = ComputeColumnStats(dataset_, {"x", "topic"});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(stats->size(), 2u);
  const ColumnSummary& x = (*stats)[0];
  EXPECT_EQ(x.count, 3);
  EXPECT_EQ(x.nulls, 1);
  EXPECT_TRUE(x.has_range);
  EXPECT_EQ(x.min, 1);
  EXPECT_EQ(x.max, 5);
  EXPECT_DOUBLE_EQ(x.mean, 8.0 / 3);
  EXPECT_DOUBLE_EQ(
      x.variance,
      ((1 - 8.0 / 3) * (1 - 8.0 / 3) + (2 - 8.0 / 3) * (2 - 8.0 / 3) + (5 - 8.0 / 3) * (5 - 8.0 / 3)) / 3);
  EXPECT_FALSE((*stats)[1].numeric());
  EXPECT_EQ((*stats)[1].distinct, dataset_->schema()[1].dictionary ? 3 : -1);  // exact only for codes
}

// Issue 9, item 1/2: an export over its own input destroyed it.
TEST_F(TransformApiTest, Issue9AnExportOverItsInputIsRefused) {
  HashOptions options;
  options.columns = {"topic"};
  const auto before = std::filesystem::file_size(dataset_->path());
  auto written = HashColumnsToNpz(dataset_, options, dataset_->path());
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.status().message().find("is also the input"), std::string::npos)
      << written.status().message();
  auto categories = FitOneHot(dataset_, {"topic"});
  ASSERT_TRUE(categories.ok());
  EXPECT_FALSE(OneHotEncodeToNpz(dataset_, {"topic"}, *categories, false, dataset_->path()).ok());
  EXPECT_EQ(std::filesystem::file_size(dataset_->path()), before);
  EXPECT_TRUE(Dataset::Open(dataset_->path()).ok());
}

TEST_F(TransformApiTest, HashColumnsInMemoryAndToNpzAgree) {
  HashOptions options;
  options.columns = {"topic"};
  options.n_features = 16;
  auto csr = HashColumns(dataset_, options);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_EQ(csr->rows, 4);
  EXPECT_EQ(csr->cols, 16);
  EXPECT_EQ(csr->nnz, 4);  // one "topic=..." feature per row
  EXPECT_EQ(csr->indptr.as<int64_t>()[4], 4);
  auto written = HashColumnsToNpz(dataset_, options, (dir_ / "X.npz").string());
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->rows, 4);
  EXPECT_EQ(written->nnz, 4);
  EXPECT_TRUE(fs::exists(dir_ / "X.npz"));
  std::atomic<bool> cancel{true};
  options.cancel = &cancel;
  EXPECT_EQ(HashColumns(dataset_, options).status().code(), StatusCode::kCancelled);
}

TEST_F(TransformApiTest, OneHotCategoriesAreSortedAndEachRowHasOneEntry) {
  auto categories = FitOneHot(dataset_, {"topic"});
  ASSERT_TRUE(categories.ok()) << categories.status().ToString();
  EXPECT_EQ(*categories, (OneHotCategories{{"art", "food", "sport"}}));
  EXPECT_EQ(OneHotFeatureNamesOf({"topic"}, *categories),
            (std::vector<std::string>{"topic_art", "topic_food", "topic_sport"}));
  auto csr = OneHotEncode(dataset_, {"topic"}, *categories);
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  EXPECT_EQ(csr->cols, 3);
  ASSERT_EQ(csr->nnz, 4);
  const int32_t* indices = csr->indices.as<int32_t>();
  EXPECT_EQ((std::vector<int32_t>(indices, indices + 4)), (std::vector<int32_t>{1, 0, 1, 2}));
  auto written = OneHotEncodeToNpz(dataset_, {"topic"}, *categories, false, (dir_ / "Y.npz").string());
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->cols, 3);
}

TEST_F(TransformApiTest, NormalizeColumnsReportsTheParametersItUsed) {
  EXPECT_EQ(*ParseScaleMethod("zscore", "--method"), ScaleMethod::kZScore);
  EXPECT_EQ(ParseScaleMethod("max", "--method").status().message(),
            "--method is 'minmax' or 'zscore', not 'max'");
  NormalizeColumnsOptions o;
  o.columns = {"x"};
  o.output = (dir_ / "scaled.oc").string();
  auto fit = NormalizeColumns(path_, o);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->method, ScaleMethod::kMinMax);
  EXPECT_EQ(fit->data_min, std::vector<double>{1});
  EXPECT_EQ(fit->data_max, std::vector<double>{5});
  EXPECT_DOUBLE_EQ(fit->scale[0], 0.25);
  EXPECT_DOUBLE_EQ(fit->min_offset[0], -0.25);
  auto stats = ComputeColumnStats(*Dataset::Open(o.output), {"x"});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ((*stats)[0].max, 1.0);
}

TEST_F(TransformApiTest, ScaleMatrixInPlaceScalesStridedColumnsAsNormalizeDoes) {
  // A column-major 3 x 2 matrix: columns {1, 3, 5} and {10, NaN, 30}.
  double x[] = {1, 3, 5, 10, NAN, 30};
  ScalerFit fit = ScaleMatrixInPlace(StridedMatrix<double>{x, 3, 2, 1, 3}, ScaleMethod::kMinMax);
  EXPECT_EQ(fit.method, ScaleMethod::kMinMax);
  EXPECT_EQ(fit.data_min, (std::vector<double>{1, 10}));
  EXPECT_EQ(fit.data_max, (std::vector<double>{5, 30}));
  EXPECT_EQ(x[0], 0);
  EXPECT_EQ(x[1], 0.5);
  EXPECT_EQ(x[2], 1);
  EXPECT_EQ(x[3], 0);
  EXPECT_TRUE(std::isnan(x[4]));
  EXPECT_EQ(x[5], 1);
  float y[] = {2, 4, 6};
  ScalerFit z = ScaleMatrixInPlace(StridedMatrix<float>{y, 3, 1, 1, 1}, ScaleMethod::kZScore);
  EXPECT_DOUBLE_EQ(z.mean[0], 4);
  EXPECT_DOUBLE_EQ(z.var[0], 8.0 / 3);
  EXPECT_FLOAT_EQ(y[0], float(-2 / std::sqrt(8.0 / 3)));
  EXPECT_FLOAT_EQ(y[1], 0);
}

TEST_F(TransformApiTest, RowHasherPlacesFeaturesAsHashColumnsDoes) {
  EXPECT_EQ(int32_t(MurmurHash3("foo")), -156908512);  // sklearn's murmurhash3_32("foo")
  EXPECT_FALSE(RowHasher::Make(0).ok());
  auto hasher = RowHasher::Make(16);
  ASSERT_TRUE(hasher.ok()) << hasher.status().ToString();
  for (const char* topic : {"food", "art", "food", "sport"}) {
    hasher->AddPair("topic", topic);
    hasher->FinishRow();
  }
  EXPECT_EQ(hasher->rows(), 4);
  auto rows = hasher->Release();
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  HashOptions options;
  options.columns = {"topic"};
  options.n_features = 16;
  auto columns = HashColumns(dataset_, options);
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  ASSERT_EQ(rows->nnz, columns->nnz);
  EXPECT_EQ(rows->cols, 16);
  for (int64_t entry = 0; entry < rows->nnz; ++entry) {
    EXPECT_EQ(rows->indices.as<int32_t>()[entry], columns->indices.as<int32_t>()[entry]);
    EXPECT_EQ(rows->data.as<double>()[entry], columns->data.as<double>()[entry]);
  }
  EXPECT_EQ(hasher->rows(), 0);  // released: empty again
  hasher->Add("dog", 0.0);       // zero values are skipped
  hasher->AddCharacters("ab");
  hasher->FinishRow();
  EXPECT_EQ(hasher->nnz(), 2);
}

// Incremental PCA through the public model and its data set entry points.
class PcaApiTest : public ::testing::Test {
 protected:
  static constexpr int64_t kRows = 103, kCols = 3;
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_pca_api_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string csv = (dir_ / "in.csv").string();
    path_ = (dir_ / "in.oc").string();
    // Small integers are exact as text and as doubles, so the matrix below is
    // exactly what the scan reads.
    std::mt19937 rng(7);
    std::ofstream out(csv);
    out << "a,b,c\n";
    for (int64_t row = 0; row < kRows; ++row) {
      int64_t a = int64_t(rng() % 100), b = a * 2 + int64_t(rng() % 7), c = int64_t(rng() % 50) - a;
      x_.insert(x_.end(), {double(a), double(b), double(c)});
      out << a << "," << b << "," << c << "\n";
    }
    out.close();
    auto dataset = IngestAndOpen(csv, path_);
    ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
    dataset_ = *dataset;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
  std::shared_ptr<Dataset> dataset_;
  std::vector<double> x_;  // kRows x kCols, row-major
};

TEST_F(PcaApiTest, ModelGivesTheNumbersOfTheLayersIncrementalPca) {
  IncrementalPcaModel model({.n_components = 2, .batch_size = 10});
  transform::IncrementalPca reference({.n_components = 2, .batch_size = 10});
  ASSERT_TRUE(model.Fit(x_.data(), kRows, kCols).ok());
  ASSERT_TRUE(reference.Fit(x_.data(), kRows, kCols).ok());
  ASSERT_TRUE(model.PartialFit(x_.data(), 20, kCols).ok());
  ASSERT_TRUE(reference.PartialFit(x_.data(), 20, kCols).ok());
  EXPECT_TRUE(model.fitted());
  EXPECT_EQ(model.n_components(), 2);
  EXPECT_EQ(model.n_features(), kCols);
  EXPECT_EQ(model.n_samples_seen(), kRows + 20);
  EXPECT_EQ(model.options().batch_size, 10);
  EXPECT_EQ(model.EffectiveBatchSize(kCols), reference.EffectiveBatchSize(kCols));
  EXPECT_EQ(model.components(), reference.components());
  EXPECT_EQ(model.singular_values(), reference.singular_values());
  EXPECT_EQ(model.mean(), reference.mean());
  EXPECT_EQ(model.var(), reference.var());
  EXPECT_EQ(model.explained_variance(), reference.explained_variance());
  EXPECT_EQ(model.explained_variance_ratio(), reference.explained_variance_ratio());
  EXPECT_EQ(model.noise_variance(), reference.noise_variance());
  std::vector<double> got(size_t(kRows * 2)), want(size_t(kRows * 2));
  ASSERT_TRUE(model.Transform(x_.data(), kRows, kCols, got.data()).ok());
  ASSERT_TRUE(reference.Transform(x_.data(), kRows, kCols, want.data()).ok());
  EXPECT_EQ(got, want);
  std::vector<double> back(size_t(kRows * kCols)), back_want(size_t(kRows * kCols));
  ASSERT_TRUE(model.InverseTransform(got.data(), kRows, back.data()).ok());
  ASSERT_TRUE(reference.InverseTransform(want.data(), kRows, back_want.data()).ok());
  EXPECT_EQ(back, back_want);
  model.Reset();
  EXPECT_FALSE(model.fitted());
  EXPECT_FALSE(model.PartialFit(std::vector<double>{NAN, 1, 2}.data(), 1, kCols).ok());  // non-finite
}

TEST_F(PcaApiTest, FittingTheDatasetGivesWhatFittingItsMatrixGives) {
  // batch_size 10 over 103 rows: gen_batches merges the short last batch.
  IncrementalPcaModel streamed({.n_components = 2, .batch_size = 10});
  IncrementalPcaModel in_memory({.n_components = 2, .batch_size = 10});
  Status status = FitPcaOnDataset(dataset_, {"a", "b", "c"}, &streamed);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_TRUE(in_memory.Fit(x_.data(), kRows, kCols).ok());
  EXPECT_EQ(streamed.n_samples_seen(), kRows);
  EXPECT_EQ(streamed.components(), in_memory.components());
  EXPECT_EQ(streamed.singular_values(), in_memory.singular_values());
  EXPECT_EQ(streamed.mean(), in_memory.mean());
  EXPECT_EQ(streamed.var(), in_memory.var());
  EXPECT_EQ(streamed.explained_variance(), in_memory.explained_variance());
  // Empty columns: every numeric column, here the same three.
  IncrementalPcaModel all({.n_components = 2, .batch_size = 10});
  ASSERT_TRUE(FitPcaOnDataset(dataset_, {}, &all).ok());
  EXPECT_EQ(all.components(), in_memory.components());
  EXPECT_FALSE(FitPcaOnDataset(dataset_, {"nope"}, &all).ok());
}

// README's `outcore pca ... --where "... is not null"`: fitting through a where
// is fitting the matrix of the matching rows, batches cut from their count.
TEST_F(PcaApiTest, FittingWithWhereGivesWhatFittingTheMatchingRowsGives) {
  std::vector<double> kept;
  for (int64_t row = 0; row < kRows; ++row) {
    if (x_[size_t(row * kCols)] >= 50)
      kept.insert(kept.end(), x_.begin() + row * kCols, x_.begin() + (row + 1) * kCols);
  }
  const int64_t kept_rows = int64_t(kept.size()) / kCols;
  ASSERT_GT(kept_rows, 20);
  ASSERT_LT(kept_rows, kRows);
  IncrementalPcaModel streamed({.n_components = 2, .batch_size = 10});
  IncrementalPcaModel in_memory({.n_components = 2, .batch_size = 10});
  Status status = FitPcaOnDataset(dataset_, {"a", "b", "c"}, &streamed, nullptr, {.where = "a >= 50"});
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_TRUE(in_memory.Fit(kept.data(), kept_rows, kCols).ok());
  EXPECT_EQ(streamed.n_samples_seen(), kept_rows);
  EXPECT_EQ(streamed.components(), in_memory.components());
  EXPECT_EQ(streamed.singular_values(), in_memory.singular_values());
  EXPECT_EQ(streamed.mean(), in_memory.mean());
  EXPECT_EQ(streamed.explained_variance(), in_memory.explained_variance());

  const std::string npy = (dir_ / "kept.npy").string();
  auto rows =
      TransformDatasetToNpy(dataset_, {"a", "b", "c"}, streamed, npy, nullptr, nullptr, {.where = "a >= 50"});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, kept_rows);
  std::vector<double> want(size_t(kept_rows * 2));
  ASSERT_TRUE(streamed.Transform(kept.data(), kept_rows, kCols, want.data()).ok());
  std::ifstream in(npy, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_EQ(bytes.size(), 128 + want.size() * 8);
  EXPECT_EQ(std::memcmp(bytes.data() + 128, want.data(), want.size() * 8), 0);

  IncrementalPcaModel none({.n_components = 2, .batch_size = 10});
  Status empty = FitPcaOnDataset(dataset_, {"a", "b", "c"}, &none, nullptr, {.where = "a > 1000"});
  EXPECT_EQ(empty.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.message().find("no rows matching the where"), std::string::npos) << empty.message();
}

TEST_F(PcaApiTest, ModelNpzAndTransformedNpyHoldTheModelsNumbers) {
  IncrementalPcaModel model({.n_components = 2});
  ASSERT_TRUE(FitPcaOnDataset(dataset_, {"a", "b", "c"}, &model).ok());
  const std::string npz = (dir_ / "model.npz").string(), npy = (dir_ / "X.npy").string();
  Status status = WritePcaModelNpz(npz, model, {"a", "b", "c"});
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(fs::exists(npz));
  std::ifstream npz_in(npz, std::ios::binary);
  const std::string archive((std::istreambuf_iterator<char>(npz_in)), std::istreambuf_iterator<char>());
  for (const char* entry : {"components.npy", "explained_variance_ratio.npy", "noise_variance.npy",
                            "batch_size.npy", "whiten.npy", "columns.npy"}) {
    EXPECT_NE(archive.find(entry), std::string::npos) << entry;
  }
  auto rows = TransformDatasetToNpy(dataset_, {"a", "b", "c"}, model, npy);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, kRows);
  std::vector<double> want(size_t(kRows * 2));
  ASSERT_TRUE(model.Transform(x_.data(), kRows, kCols, want.data()).ok());
  std::ifstream in(npy, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 128 + want.size() * sizeof(double));  // one padded header, then the rows
  EXPECT_NE(bytes.find("'shape': (103, 2)"), std::string::npos);
  std::vector<double> got(want.size());
  std::memcpy(got.data(), bytes.data() + 128, got.size() * sizeof(double));
  EXPECT_EQ(got, want);
  std::atomic<bool> cancel{true};
  const std::string cancelled = (dir_ / "cancelled.npy").string();
  EXPECT_EQ(
      TransformDatasetToNpy(dataset_, {"a", "b", "c"}, model, cancelled, nullptr, &cancel).status().code(),
      StatusCode::kCancelled);
  EXPECT_FALSE(fs::exists(cancelled));
}

TEST(OneHotFromCodes, PlacesEachCodeInItsColumnsBlockAndSkipsMinusOne) {
  const int32_t codes[] = {0, 1, 2, -1, 1, 0};  // 3 rows x 2 columns, 3 and 2 categories
  auto x = OneHotFromCodes(codes, 3, 2, {3, 2});
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  EXPECT_EQ(x->rows, 3);
  EXPECT_EQ(x->cols, 5);
  ASSERT_EQ(x->nnz, 5);
  const int32_t* indices = x->indices.as<int32_t>();
  const int64_t* indptr = x->indptr.as<int64_t>();
  EXPECT_EQ(std::vector<int32_t>(indices, indices + 5), (std::vector<int32_t>{0, 4, 2, 1, 3}));
  EXPECT_EQ(std::vector<int64_t>(indptr, indptr + 4), (std::vector<int64_t>{0, 2, 3, 5}));
  const int32_t bad[] = {3, 0};
  EXPECT_FALSE(OneHotFromCodes(bad, 1, 2, {3, 2}).ok());
}

}  // namespace
}  // namespace outcore
