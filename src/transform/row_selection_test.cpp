// --where / --nulls across the transforms (RowSelection, outcore/transform.h):
// each null policy changes the result the way it says — kDrop counts fewer
// rows, kMean puts the column mean in a null's place, kFail names the options.
#include "transform/row_selection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "ingest/scan_test_util.h"
#include "outcore/transform.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;

// x: 1, 2, null, 5, 7; y: 10, null, 30, 40, 50; topic: food, art, null, food, sport.
class RowSelectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_row_selection_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string csv = (dir_ / "in.csv").string();
    std::ofstream(csv) << "x,y,topic\n1,10,food\n2,,art\n,30,\n5,40,food\n7,50,sport\n";
    auto dataset = IngestAndOpen(csv, (dir_ / "in.oc").string());
    ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
    dataset_ = *dataset;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::shared_ptr<Dataset> dataset_;
};

TEST(PredicateColumn, QuotesNamesThatAreNoBareWordOrAKeyword) {
  EXPECT_EQ(transform::PredicateColumn("price"), "price");
  EXPECT_EQ(transform::PredicateColumn("unit price"), "\"unit price\"");
  EXPECT_EQ(transform::PredicateColumn("In"), "\"In\"");
  EXPECT_EQ(transform::PredicateColumn("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(transform::PredicateColumn("2x"), "\"2x\"");
}

TEST(ParseNullPolicy, NamesTheValuesAndTheOption) {
  EXPECT_EQ(*ParseNullPolicy("mean", "--nulls"), NullPolicy::kMean);
  auto bad = ParseNullPolicy("zero", "--nulls");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--nulls is 'drop', 'mean', 'fail' or 'keep', not 'zero'"),
            std::string::npos);
}

TEST_F(RowSelectionTest, SelectionWhereAddsNotNullForDropAndKeepsTheUsersErrorsTheirOwn) {
  auto where =
      transform::SelectionWhere(*dataset_, {"x", "y"}, {.where = "x > 1", .nulls = NullPolicy::kDrop});
  ASSERT_TRUE(where.ok()) << where.status().ToString();
  EXPECT_EQ(*where, "(x > 1) and x is not null and y is not null");
  EXPECT_EQ(*transform::SelectionWhere(*dataset_, {"x"}, {.where = "x > 1"}), "x > 1");
  auto bad = transform::SelectionWhere(*dataset_, {"x"}, {.where = "x >", .nulls = NullPolicy::kDrop});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("is not null"), std::string::npos) << bad.status().message();
}

TEST_F(RowSelectionTest, StatsDropCountsFewerRowsMeanImputesFailNamesTheOptions) {
  auto keep = ComputeColumnStats(dataset_, {"x", "y"});
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ((*keep)[0].count, 4);
  EXPECT_EQ((*keep)[0].nulls, 1);

  auto drop = ComputeColumnStats(dataset_, {"x", "y"}, 0, nullptr, {.where = "", .nulls = NullPolicy::kDrop});
  ASSERT_TRUE(drop.ok()) << drop.status().ToString();
  EXPECT_EQ((*drop)[0].count, 3);  // rows 0, 3, 4: x 1, 5, 7
  EXPECT_EQ((*drop)[0].nulls, 0);
  EXPECT_DOUBLE_EQ((*drop)[0].mean, 13.0 / 3);
  EXPECT_DOUBLE_EQ((*drop)[1].mean, 100.0 / 3);  // y 10, 40, 50

  auto mean = ComputeColumnStats(dataset_, {"x"}, 0, nullptr, {.where = "", .nulls = NullPolicy::kMean});
  ASSERT_TRUE(mean.ok()) << mean.status().ToString();
  // x imputed: 1, 2, 3.75, 5, 7 — the mean stays, the variance is the imputed column's.
  const double m = 15.0 / 4;
  const double var = ((1 - m) * (1 - m) + (2 - m) * (2 - m) + 0 + (5 - m) * (5 - m) + (7 - m) * (7 - m)) / 5;
  EXPECT_EQ((*mean)[0].count, 5);
  EXPECT_EQ((*mean)[0].nulls, 0);
  EXPECT_DOUBLE_EQ((*mean)[0].mean, m);
  EXPECT_NEAR((*mean)[0].variance, var, 1e-12);

  auto where = ComputeColumnStats(dataset_, {"x"}, 0, nullptr, {.where = "topic == 'food'"});
  ASSERT_TRUE(where.ok());
  EXPECT_EQ((*where)[0].count, 2);
  EXPECT_DOUBLE_EQ((*where)[0].mean, 3);

  auto fail = ComputeColumnStats(dataset_, {"x"}, 0, nullptr, {.where = "", .nulls = NullPolicy::kFail});
  ASSERT_FALSE(fail.ok());
  const std::string& message = fail.status().message();
  EXPECT_NE(message.find("column 'x' is null in row 2"), std::string::npos) << message;
  EXPECT_NE(message.find("--nulls drop"), std::string::npos) << message;
  EXPECT_NE(message.find("--nulls mean"), std::string::npos) << message;
  EXPECT_NE(message.find("--where \"x is not null\""), std::string::npos) << message;
  auto py = ComputeColumnStats(dataset_, {"x"}, 0, nullptr,
                               {.where = "", .nulls = NullPolicy::kFail, .python_names = true});
  EXPECT_NE(py.status().message().find("nulls=\"drop\""), std::string::npos) << py.status().message();

  auto strings =
      ComputeColumnStats(dataset_, {"topic"}, 0, nullptr, {.where = "", .nulls = NullPolicy::kMean});
  ASSERT_FALSE(strings.ok());
  EXPECT_NE(strings.status().message().find("numeric columns only"), std::string::npos);
}

TEST_F(RowSelectionTest, HashingMeanPutsTheColumnMeanInANullsPlace) {
  HashOptions options;
  options.columns = {"x"};
  options.n_features = 16;
  options.alternate_sign = false;
  options.rows.nulls = NullPolicy::kMean;
  auto x = HashColumns(dataset_, options);
  ASSERT_TRUE(x.ok()) << x.status().ToString();
  ASSERT_EQ(x->rows, 5);
  const int64_t* indptr = x->indptr.as<int64_t>();
  ASSERT_EQ(indptr[3] - indptr[2], 1);  // row 2 was null: now the feature "x" with the mean
  EXPECT_DOUBLE_EQ(x->data.as<double>()[indptr[2]], 15.0 / 4);

  options.rows.nulls = NullPolicy::kDrop;
  options.columns = {"x", "topic"};
  auto dropped = HashColumns(dataset_, options);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->rows, 4);
  options.rows.nulls = NullPolicy::kMean;  // topic is a string: no mean
  EXPECT_FALSE(HashColumns(dataset_, options).ok());
  options.rows.nulls = NullPolicy::kFail;
  auto fail = HashColumns(dataset_, options);
  ASSERT_FALSE(fail.ok());
  EXPECT_NE(fail.status().message().find("column 'x' is null in row 2"), std::string::npos);
}

TEST_F(RowSelectionTest, OneHotDropsRowsAndFailsOnANull) {
  auto keep = OneHotEncode(dataset_, {"topic"}, *FitOneHot(dataset_, {"topic"}));
  ASSERT_TRUE(keep.ok());
  EXPECT_EQ(keep->rows, 5);
  EXPECT_EQ(keep->nnz, 4);  // the null row is all-zero
  const RowSelection drop{.where = "x > 1", .nulls = NullPolicy::kDrop};
  auto categories = FitOneHot(dataset_, {"topic"}, nullptr, drop);
  ASSERT_TRUE(categories.ok());
  EXPECT_EQ((*categories)[0], (std::vector<std::string>{"art", "food", "sport"}));
  auto dropped = OneHotEncode(dataset_, {"topic"}, *categories, false, nullptr, drop);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->rows, 3);  // x > 1 and topic not null: rows 1, 3, 4
  EXPECT_EQ(dropped->nnz, 3);
  auto fail = OneHotEncode(dataset_, {"topic"}, *categories, false, nullptr,
                           {.where = "", .nulls = NullPolicy::kFail});
  ASSERT_FALSE(fail.ok());
  EXPECT_NE(fail.status().message().find("column 'topic' is null in row 2"), std::string::npos);
  EXPECT_EQ(fail.status().message().find("--nulls mean"), std::string::npos);  // not for strings
  EXPECT_FALSE(FitOneHot(dataset_, {"topic"}, nullptr, {.where = "", .nulls = NullPolicy::kMean}).ok());
}

TEST_F(RowSelectionTest, PcaDropIsTheWhereNotNullAndMeanIsTheImputedMatrix) {
  IncrementalPcaModel dropped({.n_components = 1});
  Status status =
      FitPcaOnDataset(dataset_, {"x", "y"}, &dropped, nullptr, {.where = "", .nulls = NullPolicy::kDrop});
  ASSERT_TRUE(status.ok()) << status.ToString();
  IncrementalPcaModel filtered({.n_components = 1});
  ASSERT_TRUE(
      FitPcaOnDataset(dataset_, {"x", "y"}, &filtered, nullptr, {.where = "x is not null and y is not null"})
          .ok());
  EXPECT_EQ(dropped.n_samples_seen(), 3);
  EXPECT_EQ(dropped.components(), filtered.components());

  IncrementalPcaModel imputed({.n_components = 1});
  status =
      FitPcaOnDataset(dataset_, {"x", "y"}, &imputed, nullptr, {.where = "", .nulls = NullPolicy::kMean});
  ASSERT_TRUE(status.ok()) << status.ToString();
  const double mx = 15.0 / 4, my = 130.0 / 4;
  std::vector<double> matrix = {1, 10, 2, my, mx, 30, 5, 40, 7, 50};
  IncrementalPcaModel reference({.n_components = 1});
  ASSERT_TRUE(reference.Fit(matrix.data(), 5, 2).ok());
  EXPECT_EQ(imputed.n_samples_seen(), 5);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(imputed.mean()[i], reference.mean()[i], 1e-12);
    EXPECT_NEAR(imputed.components()[i], reference.components()[i], 1e-12);
  }
  // Projecting under kMean: a null is the model's mean, so it adds nothing.
  std::vector<double> projected;
  ASSERT_TRUE(TransformDatasetRows(dataset_, {"x", "y"}, imputed, {.where = "", .nulls = NullPolicy::kMean},
                                   nullptr,
                                   [&](const double* values, int64_t count) {
                                     projected.insert(projected.end(), values, values + count);
                                     return Status::OK();
                                   })
                  .ok());
  ASSERT_EQ(projected.size(), 5u);
  std::vector<double> want(5);
  ASSERT_TRUE(imputed.Transform(matrix.data(), 5, 2, want.data()).ok());
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(projected[i], want[i], 1e-9);

  IncrementalPcaModel failing({.n_components = 1});
  for (NullPolicy policy : {NullPolicy::kFail, NullPolicy::kKeep}) {
    status = FitPcaOnDataset(dataset_, {"x", "y"}, &failing, nullptr, {.where = "", .nulls = policy});
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("is null in row"), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("--nulls drop"), std::string::npos) << status.message();
  }
}

TEST_F(RowSelectionTest, NormalizeMeanWritesTheScaledMeanAndRefusesDrop) {
  NormalizeColumnsOptions options;
  options.columns = {"x"};
  options.method = ScaleMethod::kZScore;
  options.output = (dir_ / "scaled.oc").string();
  options.rows.nulls = NullPolicy::kMean;
  auto fit = NormalizeColumns(dataset_->path(), options);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_DOUBLE_EQ(fit->mean[0], 15.0 / 4);
  auto scaled = Dataset::Open(options.output);
  ASSERT_TRUE(scaled.ok());
  auto stats = ComputeColumnStats(*scaled, {"x"});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ((*stats)[0].nulls, 0);
  EXPECT_NEAR((*stats)[0].mean, 0, 1e-12);      // the imputed column, z-scored
  EXPECT_NEAR((*stats)[0].variance, 1, 1e-12);  // fitted on the imputed column

  options.rows.nulls = NullPolicy::kDrop;
  auto drop = NormalizeColumns(dataset_->path(), options);
  ASSERT_FALSE(drop.ok());
  EXPECT_NE(drop.status().message().find("--nulls keep"), std::string::npos);

  options.rows = {.where = "x < 6"};  // fitted on 1, 2, 5; every row scaled, the null stays
  options.method = ScaleMethod::kMinMax;
  ASSERT_TRUE(NormalizeColumns(dataset_->path(), options).ok());
  auto minmax = ComputeColumnStats(*Dataset::Open(options.output), {"x"});
  EXPECT_EQ((*minmax)[0].nulls, 1);
  EXPECT_DOUBLE_EQ((*minmax)[0].max, 1.5);  // 7 on the 1..5 scale
}

}  // namespace
}  // namespace outcore
