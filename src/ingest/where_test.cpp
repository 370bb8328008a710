// End-to-end `where` from ingest's side: AddIndexes on an existing file
// gives the plan ingest's indexes give, bad index columns are refused before
// anything is written, and an index too big for the build budget is reported,
// not fatal. The scanner's own `where` tests are in src/scan/scanner_test.cpp;
// both use the fixture in src/scan/where_test_fixture.h.
#include <gtest/gtest.h>
#include <stdio.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "base/output_file.h"
#include "format/metadata.h"
#include "ingest/scan_test_util.h"
#include "outcore/dataset.h"
#include "outcore/ingest.h"
#include "scan/dataset_internal.h"
#include "scan/where_test_fixture.h"

namespace outcore {
namespace {

using testutil::kWords;
using testutil::Row;
using testutil::WhereTest;
namespace fs = std::filesystem;

TEST_F(WhereTest, AddIndexesToAnExistingFileGivesTheSamePlanAsIngest) {
  const std::string indexed = Path("indexed.oc"), later = Path("later.oc");
  ASSERT_TRUE(Ingest(Options(indexed, true)).ok());
  ASSERT_TRUE(Ingest(Options(later, false)).ok());
  AddIndexOptions options;
  options.columns = {"n", "x", "s", "day", "b"};
  options.token_columns = {"t"};
  auto reports = AddIndexes(later, options);
  ASSERT_TRUE(reports.ok()) << reports.status().ToString();
  ASSERT_EQ(reports->size(), 6u);
  for (const auto& r : *reports) EXPECT_TRUE(r.built) << r.column << ": " << r.note;
  auto a = Dataset::Open(indexed);
  auto b = Dataset::Open(later);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(DatasetMetadata(**b).indexes.size(), 6u);
  for (const std::string where : {"s == 'fig' and n > 20", "t contains 'apple' or day == '2024-01-05'"}) {
    ScanOptions scan;
    scan.where = where;
    auto sa = Scanner::Make(*a, scan);
    auto sb = Scanner::Make(*b, scan);
    ASSERT_TRUE(sa.ok() && sb.ok());
    EXPECT_EQ((*sa)->Explain(), (*sb)->Explain()) << where;
    EXPECT_EQ(Ids(later, where, true, true), Ids(later, where, false, false)) << where;
  }
  // The data is untouched: every row reads back as before.
  EXPECT_EQ(Ids(later, "id >= 0", false, false).size(), size_t(kRows));
  // Indexing again replaces the index instead of adding a second one.
  options.columns = {"n"};
  options.token_columns.clear();
  ASSERT_TRUE(AddIndexes(later, options).ok());
  auto c = Dataset::Open(later);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(DatasetMetadata(**c).indexes.size(), 6u);
}

TEST_F(WhereTest, AddIndexesRefusesBadColumnsAndLeavesTheFileAlone) {
  const std::string plain = Path("plain.oc");
  ASSERT_TRUE(Ingest(Options(plain, false)).ok());
  const auto before = fs::file_size(plain);
  AddIndexOptions options;
  options.columns = {"nope"};
  auto r = AddIndexes(plain, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no column 'nope'"), std::string::npos);
  options.columns.clear();
  options.token_columns = {"n"};
  r = AddIndexes(plain, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("needs a string column"), std::string::npos);
  EXPECT_EQ(fs::file_size(plain), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 2);  // in.csv, plain.oc
}

// Issue 9, item 8: `index` and `normalize` on one file both exited 0 and the
// first one's update was lost. An in-place AddIndexes waits for the file's
// lock, then works on the file the other writer put in place.
TEST_F(WhereTest, Issue9AnInPlaceIndexWaitsForAnotherWriterAndKeepsItsUpdate) {
  const std::string path = Path("shared.oc"), side = Path("side.oc");
  ASSERT_TRUE(Ingest(Options(path, false)).ok());
  AddIndexOptions other;
  other.columns = {"day"};
  other.output = side;
  ASSERT_TRUE(AddIndexes(path, other).ok());  // what the other writer will commit
  auto held = FileLock::Acquire(path);        // the other writer, busy
  ASSERT_TRUE(held.ok());

  AddIndexOptions quick;
  quick.columns = {"n"};
  quick.no_wait = true;
  auto refused = AddIndexes(path, quick);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(path + " is being written by another process"), std::string::npos)
      << refused.status().message();

  std::atomic<bool> waiting{false};
  AddIndexOptions mine;
  mine.columns = {"n"};
  mine.lock_waiting = [&](const std::string&) { waiting = true; };
  Result<std::vector<IngestIndexReport>> result = Status::Cancelled("not run");
  std::thread writer([&] { result = AddIndexes(path, mine); });
  while (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(::rename(side.c_str(), path.c_str()), 0);  // the other writer commits
  *held = FileLock();                                  // and lets go
  writer.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto dataset = Dataset::Open(path);
  ASSERT_TRUE(dataset.ok());
  std::vector<std::string> indexed;
  for (const auto& index : DatasetMetadata(**dataset).indexes) {
    indexed.push_back((*dataset)->schema()[index.column].name);
  }
  std::sort(indexed.begin(), indexed.end());
  EXPECT_EQ(indexed, (std::vector<std::string>{"day", "n"}));  // both updates
}

TEST_F(WhereTest, IngestRefusesAnIndexOnAnUnknownColumn) {
  IngestOptions o = Options(Path("x.oc"), false);
  o.index_columns = {"day", "dya"};
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("--index names column 'dya'"), std::string::npos);
  EXPECT_FALSE(fs::exists(Path("x.oc")));
}

TEST_F(WhereTest, AnIndexTooBigForTheBuildBudgetIsReportedNotFatal) {
  // 200,000 distinct strings: ~30 MiB of index estimate against a 64 MiB limit's ~6 MiB index share.
  std::ostringstream csv;
  csv << "key,n\n";
  for (int i = 0; i < 200000; ++i) csv << "key-" << i * 7919 << ',' << i % 10 << '\n';
  const std::string in = Path("keys.csv"), out = Path("keys.oc");
  std::ofstream(in, std::ios::binary) << csv.str();
  IngestOptions o;
  o.inputs = {in};
  o.output = out;
  o.memory_limit = 64ull << 20;
  o.index_columns = {"key", "n"};
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->indexes.size(), 2u);
  EXPECT_EQ(report->indexes[0].column, "key");
  EXPECT_FALSE(report->indexes[0].built);
  EXPECT_NE(report->indexes[0].note.find("cap"), std::string::npos) << report->indexes[0].note;
  EXPECT_TRUE(report->indexes[1].built);
  EXPECT_EQ(report->rows_kept, 200000u);
  auto dataset = Dataset::Open(out);
  ASSERT_TRUE(dataset.ok());
  ASSERT_EQ(DatasetMetadata(**dataset).indexes.size(), 1u);
  EXPECT_EQ(DatasetMetadata(**dataset).indexes[0].column, 1u);
  ScanOptions options;
  options.where = "key == 'key-79190' or n == 3 and key < 'key-2'";
  options.columns = {"n"};
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  const int64_t rows = DrainRows(scanner->get());
  int64_t expected = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::string key = "key-" + std::to_string(i * 7919);
    expected += key == "key-79190" || (i % 10 == 3 && key < "key-2");
  }
  EXPECT_GT(expected, 100);
  EXPECT_EQ(rows, expected);
}

}  // namespace
}  // namespace outcore
