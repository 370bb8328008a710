// The public transform entry points (include/outcore/transform.h) on a file
// ingest wrote: each gives what the layer underneath computes, as plain values.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "outcore/ingest.h"
#include "outcore/transform.h"

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
    IngestOptions o;
    o.inputs = {csv};
    o.output = path_;
    ASSERT_TRUE(Ingest(o).ok());
    auto dataset = Dataset::Open(path_);
    ASSERT_TRUE(dataset.ok());
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
  const ColumnStats& x = (*stats)[0];
  EXPECT_EQ(x.count, 3);
  EXPECT_EQ(x.nulls, 1);
  EXPECT_TRUE(x.has_range);
  EXPECT_EQ(x.min, 1);
  EXPECT_EQ(x.max, 5);
  EXPECT_DOUBLE_EQ(x.mean, 8.0 / 3);
  EXPECT_DOUBLE_EQ(x.variance, ((1 - 8.0 / 3) * (1 - 8.0 / 3) + (2 - 8.0 / 3) * (2 - 8.0 / 3) + (5 - 8.0 / 3) * (5 - 8.0 / 3)) / 3);
  EXPECT_FALSE((*stats)[1].numeric());
  EXPECT_EQ((*stats)[1].distinct, dataset_->schema()[1].dictionary ? 3 : -1);  // exact only for codes
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
  EXPECT_EQ(ParseScaleMethod("max", "--method").status().message(), "--method is 'minmax' or 'zscore', not 'max'");
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

}  // namespace
}  // namespace outcore
