// CheckWhere and PrepareCount: what the command line and the Python package
// both decide about a user's `where` and a count, decided here once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ingest/scan_test_util.h"
#include "outcore/dataset.h"
#include "outcore/ingest.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;

TEST(CheckWhere, BlankIsAnErrorNotEveryRow) {
  for (const char* blank : {"", " ", "\t\n", "  \r\n  ", "\f\v"}) {
    Status s = CheckWhere(blank, "--where");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "'" << blank << "'";
    EXPECT_EQ(s.message().rfind("--where is empty; ", 0), 0u) << s.message();
  }
  EXPECT_EQ(CheckWhere("", "where").message().rfind("where is empty; ", 0), 0u);
  EXPECT_TRUE(CheckWhere("price > 1", "where").ok());
  EXPECT_TRUE(CheckWhere("  x == 1  ", "where").ok());
}

class PrepareCountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_scan_options_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string csv = (dir_ / "in.csv").string();
    path_ = (dir_ / "out.oc").string();
    std::ofstream(csv) << "id,topic,price\n1,food,3\n2,art,4\n3,food,5\n";
    auto dataset = IngestAndOpen(csv, path_);
    ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
    dataset_ = *dataset;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
  std::shared_ptr<Dataset> dataset_;
};

TEST_F(PrepareCountTest, WithWhereAndNoColumnsProjectsTheFirstColumnAlone) {
  ScanOptions options;
  options.where = "topic == 'food'";
  PrepareCount(*dataset_, &options);
  EXPECT_TRUE(options.count_only);
  EXPECT_EQ(options.columns, std::vector<std::string>{"id"});
  auto scanner = Scanner::Make(dataset_, options);
  ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
  auto rows = (*scanner)->CountRows();
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 2);
}

TEST_F(PrepareCountTest, KeepsNamedColumnsAndLeavesAScanWithoutWhereAlone) {
  ScanOptions named;
  named.where = "price > 3";
  named.columns = {"price"};
  PrepareCount(*dataset_, &named);
  EXPECT_EQ(named.columns, std::vector<std::string>{"price"});
  ScanOptions all;
  PrepareCount(*dataset_, &all);
  EXPECT_TRUE(all.count_only);
  EXPECT_TRUE(all.columns.empty());
}

}  // namespace
}  // namespace outcore
