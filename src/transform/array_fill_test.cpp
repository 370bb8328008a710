// FillColumns, ExportArrays, PlanFrame and the value profiles
// (outcore/export.h) on a file ingest wrote in several chunks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "ingest/scan_test_util.h"
#include "outcore/export.h"
#include "outcore/ingest.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;
constexpr int kRows = 3000;

class ArrayFillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_array_fill_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string csv = (dir_ / "in.csv").string();
    path_ = (dir_ / "in.oc").string();
    std::ofstream out(csv);
    out << "small,big,price,flag,topic,day\n";
    for (int r = 0; r < kRows; ++r) {
      out << (r % 200) - 100 << ',';                                          // int8 range
      out << (r % 7 == 3 ? std::string() : std::to_string(r * 1000)) << ',';  // nulls, int32 range
      out << (r % 11 == 5 ? std::string() : std::to_string(r) + ".25") << ',';
      out << (r % 3 == 0 ? "true" : "false") << ',';
      out << (r % 4 == 0 ? "food" : r % 4 == 1 ? "art" : "sport") << ',';
      out << "2024-01-" << (r % 28 < 9 ? "0" : "") << (r % 28) + 1 << '\n';
    }
    out.close();
    IngestOptions options;
    options.inputs = {csv};
    options.output = path_;
    options.block_bytes = 16 << 10;  // several chunks
    auto report = Ingest(options);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    auto dataset = Dataset::Open(path_);
    ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
    dataset_ = *dataset;
    ASSERT_GT(dataset_->num_chunks(), 2);
    ASSERT_EQ(dataset_->num_rows(), kRows);
  }
  void TearDown() override { fs::remove_all(dir_); }
  ColumnTarget Target(const std::string& column, ElementType type, void* data, int64_t stride = 0) {
    ColumnTarget t;
    t.column = column;
    t.type = type;
    t.data = static_cast<uint8_t*>(data);
    t.stride = stride;
    return t;
  }
  fs::path dir_;
  std::string path_;
  std::shared_ptr<Dataset> dataset_;
};

TEST_F(ArrayFillTest, FillsAFortranAndACOrderedMatrixWithNaNForNulls) {
  std::vector<double> c_order(kRows * 2), f_order(kRows * 2);
  std::vector<ColumnTarget> targets = {Target("big", ElementType::kFloat64, c_order.data(), 16),
                                       Target("small", ElementType::kFloat64, c_order.data() + 1, 16),
                                       Target("big", ElementType::kFloat64, f_order.data()),
                                       Target("small", ElementType::kFloat64, f_order.data() + kRows)};
  auto filled = FillColumns(dataset_, targets, kRows);
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  EXPECT_EQ(*filled, kRows);
  for (int r = 0; r < kRows; ++r) {
    if (r % 7 == 3) {
      EXPECT_TRUE(std::isnan(c_order[r * 2])) << r;
      EXPECT_TRUE(std::isnan(f_order[r])) << r;
    } else {
      EXPECT_EQ(c_order[r * 2], r * 1000.0) << r;
      EXPECT_EQ(f_order[r], r * 1000.0) << r;
    }
    EXPECT_EQ(c_order[r * 2 + 1], (r % 200) - 100) << r;
    EXPECT_EQ(f_order[kRows + r], (r % 200) - 100) << r;
  }
}

TEST_F(ArrayFillTest, AnIntegerTargetRefusesANullNamingColumnRowAndWhatToDo) {
  std::vector<int64_t> out(kRows);
  auto filled = FillColumns(dataset_, {Target("big", ElementType::kInt64, out.data())}, kRows);
  ASSERT_FALSE(filled.ok());
  EXPECT_NE(filled.status().message().find("column 'big' is null in row 3"), std::string::npos)
      << filled.status().message();
  EXPECT_NE(filled.status().message().find("where \"big is not null\""), std::string::npos);
}

TEST_F(ArrayFillTest, AMaskRecordsNullsAndNarrowingChecksTheRange) {
  std::vector<int32_t> values(kRows);
  std::vector<uint8_t> mask(kRows, 7);
  ColumnTarget big = Target("big", ElementType::kInt32, values.data());
  big.nulls = NullPolicy::kMask;
  big.mask = mask.data();
  std::vector<int8_t> small(kRows);
  auto filled = FillColumns(dataset_, {big, Target("small", ElementType::kInt8, small.data())}, kRows);
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  for (int r = 0; r < kRows; ++r) {
    EXPECT_EQ(mask[r], r % 7 == 3 ? 1 : 0) << r;
    EXPECT_EQ(values[r], r % 7 == 3 ? 0 : r * 1000) << r;
    EXPECT_EQ(small[r], (r % 200) - 100) << r;
  }
  std::vector<int16_t> too_narrow(kRows);
  ColumnTarget narrow = Target("big", ElementType::kInt16, too_narrow.data());
  narrow.nulls = NullPolicy::kMask;
  narrow.mask = mask.data();
  auto refused = FillColumns(dataset_, {narrow}, kRows);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("outside int16"), std::string::npos)
      << refused.status().message();
}

TEST_F(ArrayFillTest, WhereFillsOnlyMatchingRowsAndTooSmallAnArrayIsAnError) {
  auto count = CountMatching(dataset_, "small < 0");
  ASSERT_TRUE(count.ok());
  std::vector<double> out(static_cast<size_t>(*count));
  auto filled = FillColumns(dataset_, {Target("small", ElementType::kFloat64, out.data())}, *count,
                            {.where = "small < 0"});
  ASSERT_TRUE(filled.ok()) << filled.status().ToString();
  EXPECT_EQ(*filled, *count);
  for (double v : out) EXPECT_LT(v, 0);
  auto refused = FillColumns(dataset_, {Target("small", ElementType::kFloat64, out.data())}, *count);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("allocate one of count() rows"), std::string::npos);
}

TEST_F(ArrayFillTest, StringsAndDatesGoOnlyWhereTheyFit) {
  std::vector<double> out(kRows);
  auto refused = FillColumns(dataset_, {Target("topic", ElementType::kFloat64, out.data())}, kRows);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("cannot be written as float64"), std::string::npos);
  std::vector<int64_t> seconds(kRows);
  auto days = FillColumns(dataset_, {Target("day", ElementType::kDatetimeS, seconds.data())}, kRows);
  ASSERT_TRUE(days.ok()) << days.status().ToString();
  EXPECT_EQ(seconds[0], 1704067200);  // 2024-01-01
  EXPECT_EQ(seconds[1], 1704067200 + 86400);
}

TEST_F(ArrayFillTest, ExportWritesTheBytesFillColumnsGivesUnderACountedShape) {
  const std::string npy = (dir_ / "X.npy").string();
  ExportOptions options;
  options.columns = {"small", "price", "flag"};
  options.where = "flag == true";
  auto report = ExportArrays(dataset_, options, npy);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const int64_t rows = kRows / 3;
  EXPECT_EQ(report->rows, rows);
  ASSERT_EQ(report->types.size(), 1u);
  EXPECT_EQ(report->types[0], ElementType::kFloat64);
  std::vector<double> expected(size_t(rows) * 3);
  std::vector<ColumnTarget> targets;
  for (int c = 0; c < 3; ++c)
    targets.push_back(Target(options.columns[size_t(c)], ElementType::kFloat64, expected.data() + c, 24));
  ASSERT_TRUE(FillColumns(dataset_, targets, rows, {.where = "flag == true"}).ok());
  std::ifstream in(npy, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 128 + expected.size() * 8);
  EXPECT_NE(bytes.find("'shape': (1000, 3)"), std::string::npos) << bytes.substr(0, 128);
  EXPECT_NE(bytes.find("'descr': '<f8'"), std::string::npos);
  EXPECT_EQ(std::memcmp(bytes.data() + 128, expected.data(), expected.size() * 8), 0);
}

TEST_F(ArrayFillTest, ExportOfAnIntegerColumnWithNullsLeavesNoFile) {
  const std::string npy = (dir_ / "bad.npy").string();
  ExportOptions options;
  options.columns = {"big"};
  auto report = ExportArrays(dataset_, options, npy);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("is null in row 3"), std::string::npos);
  EXPECT_FALSE(fs::exists(npy));
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find(".bad.npy.tmp"), std::string::npos);
}

TEST_F(ArrayFillTest, CompactPlanNarrowsFromTheStoredRanges) {
  auto plans = PlanFrame(*dataset_, {"small", "big", "price", "flag", "topic"}, FrameDtypes::kCompact, kRows);
  ASSERT_TRUE(plans.ok()) << plans.status().ToString();
  EXPECT_EQ((*plans)[0].dtype, "int8");
  EXPECT_EQ((*plans)[1].dtype, "Int32");  // 0 .. 2999000 with nulls
  EXPECT_EQ((*plans)[1].kind, FrameKind::kMasked);
  EXPECT_EQ((*plans)[2].dtype, "float64");
  EXPECT_EQ((*plans)[3].dtype, "bool");
  EXPECT_EQ((*plans)[4].dtype, dataset_->schema()[4].dictionary ? "category" : "object");
  EXPECT_EQ((*plans)[0].bytes, uint64_t(kRows));
  EXPECT_EQ((*plans)[1].bytes, uint64_t(kRows) * 5);
  auto usual = PlanFrame(*dataset_, {"small", "big"}, FrameDtypes::kPandas, kRows);
  ASSERT_TRUE(usual.ok());
  EXPECT_EQ((*usual)[0].dtype, "int64");
  EXPECT_EQ((*usual)[1].dtype, "float64");
}

TEST(ValueProfile, FloatsAreIntegralOnlyWhenEveryValueIsAnExactInt) {
  const double whole[] = {1, -5, 1e15, std::numeric_limits<double>::quiet_NaN()};
  ValueProfile p = ProfileFloats(whole, 4, 8, 8);
  EXPECT_TRUE(p.integral);
  EXPECT_EQ(p.nans, 1);
  EXPECT_EQ(p.min, -5);
  EXPECT_EQ(p.max, int64_t(1e15));
  EXPECT_FALSE(p.float32_exact);  // 1e15 + nothing: float32 has 24 bits
  const double negative_zero[] = {1, -0.0};
  EXPECT_FALSE(ProfileFloats(negative_zero, 2, 8, 8).integral);
  const double tenth[] = {0.5, 0.1};
  ValueProfile t = ProfileFloats(tenth, 2, 8, 8);
  EXPECT_FALSE(t.integral);
  EXPECT_FALSE(t.float32_exact);
  const double halves[] = {0.5, 0.25, 3};
  EXPECT_TRUE(ProfileFloats(halves, 3, 8, 8).float32_exact);
  const uint64_t huge[] = {1, uint64_t(1) << 63};
  EXPECT_FALSE(ProfileInts(huge, 2, 8, 8, false).fits_int64);
  const int16_t strided[] = {5, 999, -3, 999};
  ValueProfile s = ProfileInts(strided, 2, 4, 2, true);  // every other value
  EXPECT_EQ(s.min, -3);
  EXPECT_EQ(s.max, 5);
  EXPECT_EQ(NarrowestInt(-129, 0), ElementType::kInt16);
  EXPECT_EQ(NarrowestInt(-1, 127), ElementType::kInt8);
}

}  // namespace
}  // namespace outcore
