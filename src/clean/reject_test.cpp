#include "clean/reject.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace outcore {
namespace {

class RejectSinkTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/outcore_reject_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  size_t FilesInDir() const {
    size_t count = 0;
    for (auto& entry : std::filesystem::directory_iterator(dir_)) count += entry.is_regular_file();
    return count;
  }

  std::string dir_;
};

RowReject MakeReject(uint64_t line, int32_t column, RejectReason reason, std::string detail,
                     std::string raw) {
  RowReject reject;
  reject.line = line;
  reject.column = column;
  reject.reason = reason;
  reject.detail = std::move(detail);
  reject.raw = std::move(raw);
  return reject;
}

TEST_F(RejectSinkTest, CommitWritesQuotedCsvWithColumnNames) {
  const std::string path = dir_ + "/rejects.csv";
  auto sink = RejectSink::Open(path, {"id", "price"});
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE(
      (*sink)
          ->Add("data.csv", MakeReject(4, 1, RejectReason::kUnparsable, "'abc' is not a float64", "7,abc"))
          .ok());
  ASSERT_TRUE((*sink)
                  ->Add("data.csv",
                        MakeReject(9, -1, RejectReason::kFieldCount, "expected 2 fields, found 1", "x\"y"))
                  .ok());
  EXPECT_EQ((*sink)->total(), 2u);
  EXPECT_EQ((*sink)->counts()[size_t(RejectReason::kUnparsable)], 1u);
  ASSERT_TRUE((*sink)->Commit().ok());
  std::stringstream content;
  content << std::ifstream(path).rdbuf();
  EXPECT_EQ(content.str(),
            "file,line,column,reason,detail,raw\n"
            "data.csv,4,price,unparsable,'abc' is not a float64,\"7,abc\"\n"
            "data.csv,9,,field_count,\"expected 2 fields, found 1\",\"x\"\"y\"\n");
  EXPECT_EQ(FilesInDir(), 1u);  // no temp file left
}

TEST_F(RejectSinkTest, FlushesLargeVolumesCompletely) {
  const std::string path = dir_ + "/many.csv";
  auto sink = RejectSink::Open(path, {"a"});
  ASSERT_TRUE(sink.ok());
  const std::string raw(200, 'r');  // 20000 rows of ~250 bytes: several 1 MiB flushes
  for (uint64_t line = 1; line <= 20000; ++line) {
    ASSERT_TRUE((*sink)->Add("f.csv", MakeReject(line, 0, RejectReason::kUnparsable, "d", raw)).ok());
  }
  ASSERT_TRUE((*sink)->Commit().ok());
  std::ifstream in(path);
  std::string text;
  size_t lines = 0;
  std::string last;
  while (std::getline(in, text)) {
    ++lines;
    last = text;
  }
  EXPECT_EQ(lines, 20001u);  // header + every reject
  EXPECT_EQ(last, "f.csv,20000,a,unparsable,d," + raw);
}

TEST_F(RejectSinkTest, LeavesNoFileWithoutCommit) {
  {
    auto sink = RejectSink::Open(dir_ + "/rejects.csv", {"a"});
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->Add("f.csv", MakeReject(2, 0, RejectReason::kOutOfRange, "d", "r")).ok());
    EXPECT_EQ(FilesInDir(), 1u);  // the temp file while open
  }
  EXPECT_EQ(FilesInDir(), 0u);
}

TEST_F(RejectSinkTest, EmptyPathOnlyCounts) {
  auto sink = RejectSink::Open("", {});
  ASSERT_TRUE(sink.ok());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE((*sink)->Add("f", MakeReject(1, -1, RejectReason::kRowTooLong, "", "")).ok());
  EXPECT_EQ((*sink)->counts()[size_t(RejectReason::kRowTooLong)], 3u);
  EXPECT_TRUE((*sink)->Commit().ok());
  EXPECT_EQ(FilesInDir(), 0u);
}

TEST_F(RejectSinkTest, GroupsByColumnAndReasonKeepingTheFirstDetail) {
  auto sink = RejectSink::Open("", {"id", "price"});
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE(
      (*sink)->Add("f", MakeReject(3, 1, RejectReason::kUnparsable, "'12,50' is not a float64", "")).ok());
  ASSERT_TRUE(
      (*sink)->Add("f", MakeReject(5, 1, RejectReason::kUnparsable, "'x' is not a float64", "")).ok());
  ASSERT_TRUE(
      (*sink)->Add("f", MakeReject(6, 1, RejectReason::kOutOfRange, "'1e999' is out of range", "")).ok());
  ASSERT_TRUE((*sink)->Add("f", MakeReject(8, -1, RejectReason::kFieldCount, "expected 2 fields", "")).ok());
  const auto& groups = (*sink)->groups();
  ASSERT_EQ(groups.size(), 3u);
  const RejectSink::Group& price = groups.at({1, RejectReason::kUnparsable});
  EXPECT_EQ(price.count, 2u);
  EXPECT_EQ(price.first_line, 3u);
  EXPECT_EQ(price.first_detail, "'12,50' is not a float64");
  EXPECT_EQ(groups.at({1, RejectReason::kOutOfRange}).count, 1u);
  EXPECT_EQ(groups.at({-1, RejectReason::kFieldCount}).first_line, 8u);
}

TEST_F(RejectSinkTest, NamesTheFolderItCannotWriteTo) {
  auto sink = RejectSink::Open(dir_ + "/missing/rejects.csv", {});
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find(dir_ + "/missing"), std::string::npos);
}

}  // namespace
}  // namespace outcore
