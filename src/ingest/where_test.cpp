// End-to-end `where`: CSV -> Ingest with value and token indexes -> Scanner
// with a predicate. The index path, the zone-map path and the plain filtering
// path must give the same rows, and those rows must be the ones the test
// knows match (computed while it wrote the CSV). Also AddIndexes on an
// existing file, and the ways an index can fail to help (too big for the
// scan's budget, corrupt) without changing the answer or crashing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>
#include <sstream>

#include "format/file_reader.h"
#include "outcore/dataset.h"
#include "scan/dataset_internal.h"
#include "outcore/ingest.h"
#include "ingest/scan_test_util.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;

// One generated row, kept so the test can answer predicates itself.
struct Row {
  int64_t id = 0;
  std::optional<int64_t> n;     // 0..49
  std::optional<double> x;      // -10..10, some NaN
  std::optional<std::string> s; // one of kWords
  std::optional<std::string> t; // two or three words
  int day = 0;                  // 0..: 50 rows per day, in file order
  std::optional<bool> b;
};

const char* const kWords[] = {"apple", "banana", "cherry", "date", "elder", "fig", "grape"};

class WhereTest : public ::testing::Test {
 protected:
  static constexpr int kRows = 6000;

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_where_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::mt19937_64 rng(2024);
    std::ostringstream csv;
    csv << "id,n,x,s,t,day,b\n";
    for (int i = 0; i < kRows; ++i) {
      Row r;
      r.id = i;
      auto missing = [&] { return rng() % 20 == 0; };
      if (!missing()) r.n = int64_t(rng() % 50);
      if (!missing()) r.x = rng() % 50 == 0 ? std::nan("") : double(int64_t(rng() % 2001) - 1000) / 100.0;
      if (!missing()) r.s = kWords[rng() % 7];
      if (!missing()) {
        r.t = std::string(kWords[rng() % 7]) + " " + kWords[rng() % 7];
        if (rng() % 2) r.t = *r.t + ", " + kWords[rng() % 7];
      }
      r.day = i / 50;
      if (!missing()) r.b = rng() % 3 == 0;
      csv << r.id << ',' << (r.n ? std::to_string(*r.n) : "") << ',';
      if (r.x) {
        if (std::isnan(*r.x)) {
          csv << "nan";
        } else {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%.2f", *r.x);
          csv << buf;
        }
      }
      csv << ',' << (r.s ? *r.s : "") << ',' << (r.t ? "\"" + *r.t + "\"" : "") << ',';
      char day[16];
      std::snprintf(day, sizeof day, "2024-%02d-%02d", 1 + r.day / 28, 1 + r.day % 28);
      csv << day << ',' << (r.b ? (*r.b ? "True" : "False") : "") << '\n';
      rows_.push_back(std::move(r));
    }
    csv_ = Path("in.csv");
    std::ofstream(csv_, std::ios::binary) << csv.str();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) { return (dir_ / name).string(); }

  IngestOptions Options(const std::string& output, bool indexes) {
    IngestOptions o;
    o.inputs = {csv_};
    o.output = output;
    o.memory_limit = 128ull << 20;
    o.threads = 2;
    o.block_bytes = 16 << 10;  // ~40 chunks
    o.na_values = {""};        // so "nan" is a NaN, not a null
    if (indexes) {
      o.index_columns = {"n", "x", "s", "day", "b"};
      o.token_index_columns = {"t"};
    }
    return o;
  }

  // The ids of the rows matching `where`, in scan order.
  static int64_t Count(const std::string& path, const std::string& where, bool use_indexes) {
    auto dataset = Dataset::Open(path);
    EXPECT_TRUE(dataset.ok());
    ScanOptions options;
    options.columns = {"id"};
    options.where = where;
    options.use_indexes = use_indexes;
    options.force_indexes = use_indexes;
    auto scanner = Scanner::Make(*dataset, options);
    EXPECT_TRUE(scanner.ok()) << scanner.status().ToString();
    if (!scanner.ok()) return -1;
    auto rows = (*scanner)->CountRows();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    // The scanner is exhausted afterwards, whichever way it counted.
    Batch batch;
    auto more = (*scanner)->Next(&batch);
    EXPECT_TRUE(more.ok() && !*more) << where;
    return rows.ok() ? *rows : -1;
  }

  static std::vector<int64_t> Ids(const std::string& path, const std::string& where, bool use_indexes,
                                  bool use_zone_maps, ScanCounters* counters = nullptr, uint64_t memory_limit = 0) {
    auto dataset = Dataset::Open(path);
    EXPECT_TRUE(dataset.ok()) << dataset.status().ToString();
    ScanOptions options;
    options.columns = {"id"};
    options.where = where;
    options.use_indexes = use_indexes;
    options.force_indexes = use_indexes;  // the index path, even where the planner would skip it
    options.use_zone_maps = use_zone_maps;
    options.batch_rows = 37;  // batches cut inside chunks and inside selections
    options.memory_limit = memory_limit;
    auto scanner = Scanner::Make(*dataset, options);
    EXPECT_TRUE(scanner.ok()) << where << ": " << scanner.status().ToString();
    std::vector<int64_t> ids;
    if (!scanner.ok()) return ids;
    Batch batch;
    for (;;) {
      auto more = (*scanner)->Next(&batch);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      for (int64_t r = 0; r < batch.num_rows; ++r) ids.push_back(batch.columns[0].GetInt64(r));
    }
    if (counters) *counters = (*scanner)->counters();
    return ids;
  }

  std::vector<int64_t> Expected(const std::function<bool(const Row&)>& match) const {
    std::vector<int64_t> ids;
    for (const Row& r : rows_) {
      if (match(r)) ids.push_back(r.id);
    }
    return ids;
  }

  static bool HasWord(const std::optional<std::string>& text, const std::string& word) {
    if (!text) return false;
    std::string padded = " " + *text + " ";
    for (char& c : padded) {
      if (c == ',') c = ' ';
    }
    return padded.find(" " + word + " ") != std::string::npos;
  }

  fs::path dir_;
  std::string csv_;
  std::vector<Row> rows_;
};

TEST_F(WhereTest, EveryPathGivesTheRowsThatMatch) {
  const std::string indexed = Path("indexed.oc"), plain = Path("plain.oc");
  auto report = Ingest(Options(indexed, true));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->indexes.size(), 6u);
  for (const auto& index : report->indexes) EXPECT_TRUE(index.built) << index.column << ": " << index.note;
  ASSERT_TRUE(Ingest(Options(plain, false)).ok());

  struct Case {
    std::string where;
    std::function<bool(const Row&)> match;
  };
  const std::vector<Case> cases = {
      {"n == 7", [](const Row& r) { return r.n == 7; }},
      {"n != 7", [](const Row& r) { return r.n && *r.n != 7; }},
      {"n < 3 or n >= 48", [](const Row& r) { return r.n && (*r.n < 3 || *r.n >= 48); }},
      {"n between 10 and 12", [](const Row& r) { return r.n && *r.n >= 10 && *r.n <= 12; }},
      {"n in (1, 5, 49)", [](const Row& r) { return r.n == 1 || r.n == 5 || r.n == 49; }},
      {"n is null", [](const Row& r) { return !r.n; }},
      {"not (n == 7)", [](const Row& r) { return r.n && *r.n != 7; }},
      {"x > 9.5", [](const Row& r) { return r.x && *r.x > 9.5; }},
      {"x != 0", [](const Row& r) { return r.x && !(*r.x == 0); }},  // NaN != 0 is true
      {"x <= -9.99 or x is null", [](const Row& r) { return !r.x || *r.x <= -9.99; }},
      {"s == 'fig'", [](const Row& r) { return r.s == "fig"; }},
      {"s > 'date'", [](const Row& r) { return r.s && *r.s > "date"; }},
      {"s in ('apple', 'grape') and b == true", [](const Row& r) { return (r.s == "apple" || r.s == "grape") && r.b == true; }},
      {"t contains 'cherry'", [](const Row& r) { return HasWord(r.t, "cherry"); }},
      {"t contains 'Fig apple'", [](const Row& r) { return HasWord(r.t, "fig") && HasWord(r.t, "apple"); }},
      {"t contains 'kiwi'", [](const Row&) { return false; }},
      {"day == '2024-02-03'", [](const Row& r) { return r.day == 28 + 2; }},
      {"day between '2024-01-27' and '2024-02-02' and n < 25",
       [](const Row& r) { return r.day >= 26 && r.day <= 29 && r.n && *r.n < 25; }},
      {"(s == 'apple' or t contains 'date') and not (b is null)",
       [](const Row& r) { return (r.s == "apple" || HasWord(r.t, "date")) && r.b.has_value(); }},
      {"b == false and x < 0 and day > '2024-04-01'",
       [](const Row& r) { return r.b == false && r.x && *r.x < 0 && r.day > 3 * 28; }},
  };
  for (const Case& c : cases) {
    const std::vector<int64_t> expected = Expected(c.match);
    for (const std::string& path : {indexed, plain}) {
      for (bool use_indexes : {true, false}) {
        for (bool use_zone_maps : {true, false}) {
          EXPECT_EQ(Ids(path, c.where, use_indexes, use_zone_maps), expected)
              << c.where << " on " << fs::path(path).filename() << " indexes " << use_indexes << " zone maps "
              << use_zone_maps;
        }
        EXPECT_EQ(Count(path, c.where, use_indexes), int64_t(expected.size())) << c.where;
      }
    }
  }
}

TEST_F(WhereTest, RandomPredicatesAgreeAcrossPaths) {
  const std::string indexed = Path("indexed.oc");
  ASSERT_TRUE(Ingest(Options(indexed, true)).ok());
  std::mt19937 rng(99);
  auto leaf = [&]() -> std::string {
    switch (rng() % 7) {
      case 0: return "n " + std::string(rng() % 2 ? "<" : ">=") + " " + std::to_string(rng() % 50);
      case 1: return "x between " + std::to_string(int(rng() % 20) - 10) + " and " + std::to_string(int(rng() % 20) - 5);
      case 2: return "s == '" + std::string(kWords[rng() % 7]) + "'";
      case 3: return "t contains '" + std::string(kWords[rng() % 7]) + "'";
      case 4: return "day <= '2024-0" + std::to_string(1 + rng() % 4) + "-1" + std::to_string(rng() % 9) + "'";
      case 5: return std::string(rng() % 2 ? "b" : "n") + " is " + (rng() % 2 ? "not " : "") + "null";
      default: return "b == " + std::string(rng() % 2 ? "true" : "false");
    }
  };
  std::function<std::string(int)> expr = [&](int depth) -> std::string {
    if (depth == 0 || rng() % 3 == 0) return leaf();
    switch (rng() % 3) {
      case 0: return "(" + expr(depth - 1) + " and " + expr(depth - 1) + ")";
      case 1: return "(" + expr(depth - 1) + " or " + expr(depth - 1) + ")";
      default: return "not " + expr(depth - 1);
    }
  };
  for (int i = 0; i < 60; ++i) {
    const std::string where = expr(3);
    const std::vector<int64_t> filtered = Ids(indexed, where, false, false);
    EXPECT_EQ(Ids(indexed, where, true, true), filtered) << where;
    EXPECT_EQ(Ids(indexed, where, false, true), filtered) << where;
  }
}

TEST_F(WhereTest, ClusteredValuesReadOnlyTheirChunksAndSpanChunkBoundaries) {
  const std::string indexed = Path("indexed.oc");
  ASSERT_TRUE(Ingest(Options(indexed, true)).ok());
  auto dataset = Dataset::Open(indexed);
  ASSERT_TRUE(dataset.ok());
  const auto& chunks = DatasetMetadata(**dataset).chunks;
  ASSERT_GT(chunks.size(), 10u);
  // The day of the first row of chunk 5 also covers the end of chunk 4,
  // unless the chunk starts a new day; pick a day that straddles.
  int64_t boundary = -1;
  for (size_t c = 1; c < chunks.size() && boundary < 0; ++c) {
    if (chunks[c].first_row % 50 != 0) boundary = int64_t(chunks[c].first_row);
  }
  ASSERT_GE(boundary, 0);
  const int day = rows_[size_t(boundary)].day;
  char literal[16];
  std::snprintf(literal, sizeof literal, "2024-%02d-%02d", 1 + day / 28, 1 + day % 28);
  const std::string where = "day == '" + std::string(literal) + "'";
  ScanCounters counters;
  std::vector<int64_t> ids = Ids(indexed, where, true, true, &counters);
  std::vector<int64_t> expected;
  for (int64_t id = day * 50; id < day * 50 + 50; ++id) expected.push_back(id);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(counters.chunks_read, 2);  // both sides of the boundary, nothing else
  EXPECT_EQ(counters.rows_matched, 50);
  ScanCounters scanned;
  EXPECT_EQ(Ids(indexed, where, false, false, &scanned), expected);
  EXPECT_EQ(scanned.chunks_read, int64_t(chunks.size()));
  EXPECT_GT(scanned.bytes_read, counters.bytes_read * 5);
}

TEST_F(WhereTest, ExplainSaysWhichChunksAreReadAndWhy) {
  const std::string indexed = Path("indexed.oc");
  ASSERT_TRUE(Ingest(Options(indexed, true)).ok());
  auto dataset = Dataset::Open(indexed);
  ASSERT_TRUE(dataset.ok());
  ScanOptions options;
  options.where = "day < '2024-01-03' and s == 'fig'";
  options.force_indexes = true;  // on its own the planner would skip the s index for one chunk
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  const std::string explain = (*scanner)->Explain();
  EXPECT_NE(explain.find("where ((day < '2024-01-03') and (s == 'fig'))"), std::string::npos) << explain;
  EXPECT_NE(explain.find("chunk 0 (rows 0.."), std::string::npos) << explain;
  EXPECT_NE(explain.find("skipped"), std::string::npos) << explain;
  EXPECT_NE(explain.find("read 1 of"), std::string::npos) << explain;
  EXPECT_NE(explain.find("the indexes answer the predicate exactly"), std::string::npos) << explain;
}

TEST_F(WhereTest, AValueIndexThatCostsMoreThanItSavesIsNotRead) {
  const std::string indexed = Path("indexed.oc");
  ASSERT_TRUE(Ingest(Options(indexed, true)).ok());
  auto dataset = Dataset::Open(indexed);
  ASSERT_TRUE(dataset.ok());
  // `s` has 7 values spread over every chunk: its index is larger than a
  // quarter of the id and s blocks, and cannot skip a chunk.
  ScanOptions options;
  options.columns = {"id"};
  options.where = "s == 'fig'";
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  const std::string explain = (*scanner)->Explain();
  EXPECT_NE(explain.find("value index of 's'"), std::string::npos) << explain;
  EXPECT_NE(explain.find("not used: reading it costs more than it can save"), std::string::npos) << explain;
  EXPECT_EQ(explain.find("indexes answer"), std::string::npos) << explain;
  EXPECT_EQ(DrainRows(scanner->get()), int64_t(Expected([](const Row& r) { return r.s == "fig"; }).size()));
  // Reading every column, the same index is cheap against what it may save.
  options.columns.clear();
  scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  EXPECT_NE((*scanner)->Explain().find("the indexes answer the predicate exactly"), std::string::npos)
      << (*scanner)->Explain();
  // A token index is read whatever its size: `contains` has no cheaper path.
  options.columns = {"id"};
  options.where = "t contains 'fig'";
  scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  EXPECT_NE((*scanner)->Explain().find("the indexes answer the predicate exactly"), std::string::npos)
      << (*scanner)->Explain();
}

TEST_F(WhereTest, BadExpressionsArePositionedErrors) {
  const std::string plain = Path("plain.oc");
  ASSERT_TRUE(Ingest(Options(plain, false)).ok());
  auto dataset = Dataset::Open(plain);
  ASSERT_TRUE(dataset.ok());
  ScanOptions options;
  options.where = "n > 'abc'";
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(scanner.status().message().find("n > 'abc'\n    ^ expected a number for int64 column 'n'"), std::string::npos)
      << scanner.status().message();
}

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

TEST_F(WhereTest, AnIndexTooBigForTheScanBudgetIsLeftOutWithTheSameRows) {
  IngestOptions o = Options(Path("small.oc"), false);
  o.token_index_columns = {"t"};
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const auto& index : report->indexes) EXPECT_TRUE(index.built);
  // The scan's own budget: an index that does not fit it is left out, same rows.
  const std::string where = "t contains 'grape'";
  const std::vector<int64_t> expected = Expected([](const Row& r) { return HasWord(r.t, "grape"); });
  auto dataset = Dataset::Open(Path("small.oc"));
  ASSERT_TRUE(dataset.ok());
  // A budget that holds any one data block but not the index (its block, a
  // decompressed copy and the index's own copy).
  const auto& meta = DatasetMetadata(**dataset);
  ASSERT_EQ(meta.indexes.size(), 1u);
  uint64_t largest_block = 0;
  for (const auto& chunk : meta.chunks) {
    for (const auto& column : chunk.columns) largest_block = std::max(largest_block, column.block.decoded_size);
  }
  const uint64_t limit = 2 * largest_block + 4096;
  ASSERT_GT(meta.indexes[0].block.stored_size + 2 * meta.indexes[0].block.decoded_size, limit);
  ScanOptions options;
  options.where = where;
  options.memory_limit = limit;
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  EXPECT_NE((*scanner)->Explain().find("token index of 't'"), std::string::npos) << (*scanner)->Explain();
  EXPECT_NE((*scanner)->Explain().find("not used"), std::string::npos);
  EXPECT_EQ(Ids(Path("small.oc"), where, true, true, nullptr, limit), expected);
  EXPECT_EQ(Ids(Path("small.oc"), where, true, true), expected);
}

TEST_F(WhereTest, TwoDecodingLanesGiveTheSameBatchesAsOne) {
  // Chunks large enough (>= 256 KiB stored) that the scanner decodes their
  // columns on two threads; the batches must equal a one-thread scan's.
  std::mt19937_64 rng(5);
  std::ostringstream csv;
  csv << "id,hex,n,x,word\n";
  for (int i = 0; i < 40000; ++i) {
    char hex[41];
    for (int k = 0; k < 40; ++k) hex[k] = "0123456789abcdef"[rng() % 16];
    hex[40] = '\0';
    csv << i << ',' << (rng() % 10 ? hex : "") << ',' << rng() % 1000 << ',' << double(rng() % 100000) / 7 << ','
        << kWords[rng() % 7] << '\n';
  }
  const std::string in = Path("wide.csv"), out = Path("wide.oc");
  std::ofstream(in, std::ios::binary) << csv.str();
  IngestOptions o;
  o.inputs = {in};
  o.output = out;
  o.memory_limit = 128ull << 20;
  o.block_bytes = 1 << 20;
  ASSERT_TRUE(Ingest(o).ok());
  auto dataset = Dataset::Open(out);
  ASSERT_TRUE(dataset.ok());
  uint64_t first_chunk_bytes = 0;
  for (const auto& column : DatasetMetadata(**dataset).chunks[0].columns) first_chunk_bytes += column.block.stored_size;
  ASSERT_GE(first_chunk_bytes, uint64_t(256) << 10) << "the test needs chunks the scanner splits across threads";
  auto scan = [&](int threads, const std::string& where) {
    ScanOptions options;
    options.threads = threads;
    options.where = where;
    options.batch_rows = 1000;
    return ScanAllText(*dataset, options);
  };
  const auto one = scan(1, "");
  EXPECT_EQ(one.size(), 40000u);
  EXPECT_EQ(scan(2, ""), one);
  EXPECT_EQ(scan(2, "word == 'fig' and n < 500"), scan(1, "word == 'fig' and n < 500"));
  EXPECT_EQ(scan(2, "hex is null"), scan(1, "hex is null"));
}

TEST_F(WhereTest, ACorruptIndexBlockIsAnErrorNamingTheFileAndIndex) {
  const std::string indexed = Path("indexed.oc");
  IngestOptions o = Options(indexed, false);
  o.index_columns = {"s"};
  ASSERT_TRUE(Ingest(o).ok());
  uint64_t offset = 0;
  {
    auto reader = format::FileReader::Open(indexed);
    ASSERT_TRUE(reader.ok());
    ASSERT_EQ((*reader)->metadata().indexes.size(), 1u);
    offset = (*reader)->metadata().indexes[0].block.offset;
  }
  {
    std::fstream f(indexed, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(offset + 3));
    f.put('\x5a');
  }
  auto dataset = Dataset::Open(indexed);
  ASSERT_TRUE(dataset.ok());  // index blocks are checked when a query reads them
  ScanOptions options;
  options.where = "s == 'fig'";
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_FALSE(scanner.ok());
  EXPECT_EQ(scanner.status().code(), StatusCode::kCorruption);
  EXPECT_NE(scanner.status().message().find("indexed.oc"), std::string::npos) << scanner.status().ToString();
  EXPECT_NE(scanner.status().message().find("value index of column 's'"), std::string::npos) << scanner.status().ToString();
  // Without the index the data is still readable.
  EXPECT_EQ(Ids(indexed, "s == 'fig'", false, true), Expected([](const Row& r) { return r.s == "fig"; }));
}

}  // namespace
}  // namespace outcore
