// The scanner with `where`, end to end: the index path, the zone-map path and
// the plain filtering path give the same rows, and those rows are the ones
// the test knows match (computed while it wrote the CSV); which chunks and
// indexes a plan reads and what Explain says about it; the ways an index can
// fail to help (too costly, too big for the scan's budget, corrupt) without
// changing the answer or crashing; two decoding lanes. The input files are
// made by ingest (where_test_fixture.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "format/file_reader.h"
#include "format/file_writer.h"
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
      {"s in ('apple', 'grape') and b == true",
       [](const Row& r) { return (r.s == "apple" || r.s == "grape") && r.b == true; }},
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
      case 0:
        return "n " + std::string(rng() % 2 ? "<" : ">=") + " " + std::to_string(rng() % 50);
      case 1:
        return "x between " + std::to_string(int(rng() % 20) - 10) + " and " +
               std::to_string(int(rng() % 20) - 5);
      case 2:
        return "s == '" + std::string(kWords[rng() % 7]) + "'";
      case 3:
        return "t contains '" + std::string(kWords[rng() % 7]) + "'";
      case 4:
        return "day <= '2024-0" + std::to_string(1 + rng() % 4) + "-1" + std::to_string(rng() % 9) + "'";
      case 5:
        return std::string(rng() % 2 ? "b" : "n") + " is " + (rng() % 2 ? "not " : "") + "null";
      default:
        return "b == " + std::string(rng() % 2 ? "true" : "false");
    }
  };
  std::function<std::string(int)> expr = [&](int depth) -> std::string {
    if (depth == 0 || rng() % 3 == 0) return leaf();
    switch (rng() % 3) {
      case 0:
        return "(" + expr(depth - 1) + " and " + expr(depth - 1) + ")";
      case 1:
        return "(" + expr(depth - 1) + " or " + expr(depth - 1) + ")";
      default:
        return "not " + expr(depth - 1);
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
  char literal[32];  // 16 holds any date here, but not every int GCC allows for
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
}

// Late materialization: a filtered scan decodes the predicate's columns of
// each chunk first and the other projected columns only where a row matched,
// so with zone maps and indexes off, a predicate that one chunk pair answers
// reads little more than the predicate's column of every chunk.
TEST_F(WhereTest, AFilteredScanDecodesTheOtherColumnsOnlyWhereRowsMatch) {
  const std::string plain = Path("plain.oc");
  ASSERT_TRUE(Ingest(Options(plain, false)).ok());
  auto dataset = Dataset::Open(plain);
  ASSERT_TRUE(dataset.ok());
  const auto read = [&](const std::string& where, std::vector<std::string> columns, ScanCounters* counters) {
    // Only a projection that starts with the int64 id column gives ids.
    const bool has_ids = !columns.empty() && columns.front() == "id";
    ScanOptions options;
    options.where = where;
    options.columns = std::move(columns);
    options.use_zone_maps = false;
    auto scanner = Scanner::Make(*dataset, options);
    EXPECT_TRUE(scanner.ok()) << scanner.status().ToString();
    std::vector<int64_t> ids;
    Batch batch;
    while (*(*scanner)->Next(&batch)) {
      if (!has_ids) continue;
      for (int64_t r = 0; r < batch.num_rows; ++r) ids.push_back(batch.columns[0].GetInt64(r));
    }
    *counters = (*scanner)->counters();
    return ids;
  };
  const std::vector<std::string> all = {"id", "n", "x", "s", "t", "day", "b"};
  ScanCounters everything, day_only, filtered;
  read("", all, &everything);
  read("day == '2024-01-01'", {"day"}, &day_only);
  const std::vector<int64_t> ids = read("day == '2024-01-01'", all, &filtered);
  std::vector<int64_t> expected;
  for (const Row& row : rows_)
    if (row.day == 0) expected.push_back(row.id);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(filtered.chunks_read, everything.chunks_read);
  // Every chunk's day column, and the rest of the one chunk that matches.
  EXPECT_LT(filtered.bytes_read, day_only.bytes_read + everything.bytes_read / 4);
  EXPECT_LT(filtered.bytes_read * 3, everything.bytes_read);
}

// A chunk span (ScanOptions::chunks, the partitions of outcore.dask): the
// spans of a file, scanned apart, give its rows in order once each; counts
// add up on every path (the indexes' exact answer included); a span past the
// file is refused.
TEST_F(WhereTest, ChunkSpansPartitionTheRowsOnEveryPath) {
  const std::string indexed = Path("indexed.oc");
  ASSERT_TRUE(Ingest(Options(indexed, true)).ok());
  auto dataset = Dataset::Open(indexed);
  ASSERT_TRUE(dataset.ok());
  const int64_t chunks = (*dataset)->num_chunks();
  ASSERT_GT(chunks, 6);
  for (const std::string where : {"", "n < 3 or s == 'fig'", "s == 'fig'"}) {
    for (bool use_indexes : {true, false}) {
      const int64_t whole_count = Count(indexed, where, use_indexes);
      const std::vector<int64_t> whole = Ids(indexed, where, use_indexes, true);
      EXPECT_EQ(whole_count, int64_t(whole.size()));
      std::vector<int64_t> joined;
      int64_t counted = 0;
      for (const ChunkSpan span : {ChunkSpan{0, 2}, ChunkSpan{2, 3}, ChunkSpan{3, 3}, ChunkSpan{3, -1}}) {
        const int64_t count = Count(indexed, where, use_indexes, span);
        const std::vector<int64_t> part = Ids(indexed, where, use_indexes, true, nullptr, 0, span);
        EXPECT_EQ(count, int64_t(part.size())) << where << " " << span.begin;
        counted += count;
        joined.insert(joined.end(), part.begin(), part.end());
      }
      EXPECT_EQ(joined, whole) << where << " use_indexes " << use_indexes;
      EXPECT_EQ(counted, whole_count);
    }
  }
  {
    // Without a predicate a span's count comes from the chunk directory: nothing is decoded.
    ScanOptions count;
    count.chunks = {1, 4};
    auto counter = Scanner::Make(*dataset, count);
    ASSERT_TRUE(counter.ok());
    const auto& directory = DatasetMetadata(**dataset).chunks;
    EXPECT_EQ(*(*counter)->CountRows(),
              int64_t(directory[1].row_count + directory[2].row_count + directory[3].row_count));
    EXPECT_EQ((*counter)->counters().chunks_read, 0);
    EXPECT_EQ((*counter)->counters().bytes_read, 0u);
  }
  ScanOptions options;
  options.chunks = {2, 4};
  options.where = "n < 3";
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  for (int64_t c : (*scanner)->ChunksToRead()) EXPECT_TRUE(c >= 2 && c < 4) << c;
  EXPECT_NE((*scanner)->Explain().find("chunks 2 to 3 of " + std::to_string(chunks) + " (a partition)"),
            std::string::npos);
  for (const ChunkSpan bad : {ChunkSpan{0, chunks + 1}, ChunkSpan{3, 2}, ChunkSpan{-1, 2}}) {
    options.chunks = bad;
    auto refused = Scanner::Make(*dataset, options);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("not within the " + std::to_string(chunks) + " chunks"),
              std::string::npos)
        << refused.status().message();
  }
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

// Issue 12: a few stray stamps years away made every chunk's min/max span
// 2009-2020, so zone maps skipped nothing. Stamps in time order, with stray
// ones both sides in every chunk: the cores skip every chunk but the ones the
// predicate's hours fall in, and the rows are those of a full filter.
TEST_F(WhereTest, Issue12StrayTimestampsNoLongerDefeatZoneMaps) {
  constexpr int kStampRows = 8000;
  const int64_t start = 1420070400;  // 2015-01-01 00:00:00 UTC, seconds
  std::vector<int64_t> stamps;       // seconds
  std::ostringstream csv;
  csv << "id,ts,fare\n";
  for (int i = 0; i < kStampRows; ++i) {
    int64_t ts = start + int64_t(i) * 60;
    if (i % 131 == 7) ts = 1230768000 + int64_t(i) * 7;   // 2009
    if (i % 197 == 11) ts = 1609372800 + int64_t(i) * 3;  // 2020-12-31
    stamps.push_back(ts);
    char text[32];
    const std::time_t t = std::time_t(ts);
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
    csv << i << ',' << text << ',' << (i % 89 == 3 ? "-999.5" : std::to_string(5 + i % 40) + ".25") << '\n';
  }
  const std::string input = Path("stamps.csv"), output = Path("stamps.oc");
  std::ofstream(input, std::ios::binary) << csv.str();
  IngestOptions options = Options(output, false);  // small blocks: many chunks
  options.inputs = {input};
  ASSERT_TRUE(Ingest(options).ok());
  auto dataset = Dataset::Open(output);
  ASSERT_TRUE(dataset.ok());
  const size_t chunks = DatasetMetadata(**dataset).chunks.size();
  ASSERT_GT(chunks, 10u);

  auto expect = [&](const std::string& where, int64_t low, int64_t high, int64_t most_chunks) {
    std::vector<int64_t> expected;
    for (int i = 0; i < kStampRows; ++i) {
      if (stamps[size_t(i)] >= low && stamps[size_t(i)] <= high) expected.push_back(i);
    }
    ScanCounters counters, full;
    EXPECT_EQ(Ids(output, where, false, true, &counters), expected) << where;
    EXPECT_EQ(Ids(output, where, false, false, &full), expected) << where;
    EXPECT_LE(counters.chunks_read, most_chunks) << where;
    EXPECT_EQ(full.chunks_read, int64_t(chunks)) << where;
    return expected.size();
  };
  // Six hours of the third day: 360 rows in time order, in one or two chunks.
  const int64_t day3 = start + 2 * 86400;
  EXPECT_GT(
      expect("ts between '2015-01-03 00:00:00' and '2015-01-03 05:59:59'", day3, day3 + 6 * 3600 - 1, 2),
      300u);
  // A stray stamp, asked exactly: its one chunk (and no other) is read.
  const int64_t stray = stamps[7];
  const std::time_t t = std::time_t(stray);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
  EXPECT_EQ(expect("ts == '" + std::string(text) + "'", stray, stray, 1), 1u);
  // Between the strays and the core, no row: nothing is read.
  EXPECT_EQ(expect("ts between '2012-01-01 00:00:00' and '2014-12-31 23:59:59'", 1325376000, 1420070399, 0),
            0u);

  // What the plan says: the chunks the min/max alone would read were skipped by the cores.
  ScanOptions scan;
  scan.where = "ts between '2015-01-03 00:00:00' and '2015-01-03 05:59:59'";
  auto scanner = Scanner::Make(*dataset, scan);
  ASSERT_TRUE(scanner.ok());
  const std::string explain = (*scanner)->Explain();
  EXPECT_NE(explain.find("by the core range and its outliers"), std::string::npos) << explain;
  EXPECT_NE(explain.find("chunks skipped only by core ranges"), std::string::npos) << explain;
  // Floats too: fares of 5.25..44.25 with stray -999.5.
  std::vector<int64_t> fares;
  for (int i = 0; i < kStampRows; ++i) {
    if (i % 89 == 3) fares.push_back(i);
  }
  ScanCounters counters;
  EXPECT_EQ(Ids(output, "fare == -999.5", false, true, &counters), fares);
  EXPECT_EQ(Ids(output, "fare between -999 and 5", false, true, &counters), std::vector<int64_t>{});
  EXPECT_EQ(counters.chunks_read, 0);
}

// Issue 9: a scan ran through every chunk after Ctrl-C; ScanOptions::cancel
// now stops Next and CountRows before the next chunk, and the scan can go on
// from there once the flag is cleared.
TEST_F(WhereTest, Issue9ACancelledScanStopsBeforeTheNextChunk) {
  const std::string plain = Path("plain.oc");
  ASSERT_TRUE(Ingest(Options(plain, false)).ok());
  auto dataset = Dataset::Open(plain);
  ASSERT_TRUE(dataset.ok());
  ASSERT_GT((*dataset)->num_chunks(), 2);
  std::atomic<bool> cancel{false};
  ScanOptions options;
  options.columns = {"id"};
  options.cancel = &cancel;
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok());
  Batch batch;
  ASSERT_TRUE(*(*scanner)->Next(&batch));
  cancel = true;
  Result<bool> more = (*scanner)->Next(&batch);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(more.status().code(), StatusCode::kCancelled);
  EXPECT_NE(more.status().message().find(plain), std::string::npos) << more.status().ToString();
  EXPECT_EQ((*scanner)->counters().chunks_read, 1);
  Result<int64_t> counted = (*scanner)->CountRows();
  EXPECT_EQ(counted.status().code(), StatusCode::kCancelled);
  cancel = false;
  counted = (*scanner)->CountRows();
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_EQ(*counted + batch.num_rows, (*dataset)->num_rows());
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
  EXPECT_NE(scanner.status().message().find("n > 'abc'\n    ^ expected a number for int64 column 'n'"),
            std::string::npos)
      << scanner.status().message();
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
  // A budget that holds decoding any one chunk (every column, two lanes) but
  // not the index (its block, a decompressed copy and the index's own copy).
  const auto& meta = DatasetMetadata(**dataset);
  ASSERT_EQ(meta.indexes.size(), 1u);
  std::vector<int> every_column;
  for (size_t c = 0; c < meta.columns.size(); ++c) every_column.push_back(int(c));
  uint64_t largest_chunk = 0;
  for (size_t c = 0; c < meta.chunks.size(); ++c) {
    format::ChunkMeta chunk;
    Buffer scratch;
    ASSERT_TRUE(DatasetReader(**dataset).ReadChunk(c, &chunk, &scratch).ok());
    largest_chunk = std::max(largest_chunk, ChunkDecodeBytes(meta, chunk, every_column, true, 2));
  }
  const uint64_t limit = largest_chunk + 4096;
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
    csv << i << ',' << (rng() % 10 ? hex : "") << ',' << rng() % 1000 << ',' << double(rng() % 100000) / 7
        << ',' << kWords[rng() % 7] << '\n';
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
  format::ChunkMeta first_chunk;
  Buffer scratch;
  ASSERT_TRUE(DatasetReader(**dataset).ReadChunk(0, &first_chunk, &scratch).ok());
  for (const auto& column : first_chunk.columns) first_chunk_bytes += column.block.stored_size;
  ASSERT_GE(first_chunk_bytes, uint64_t(256) << 10)
      << "the test needs chunks the scanner splits across threads";
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
  EXPECT_NE(scanner.status().message().find("value index of column 's'"), std::string::npos)
      << scanner.status().ToString();
  // Without the index the data is still readable.
  EXPECT_EQ(Ids(indexed, "s == 'fig'", false, true), Expected([](const Row& r) { return r.s == "fig"; }));
}

TEST_F(WhereTest, AChunkLargerThanTheScanBudgetIsRefusedBeforeItIsRead) {
  // One big chunk (as a file written with a larger budget has) and a scan
  // budget that cannot hold it decoded: refused up front, naming the chunk and
  // what it needs; a budget that holds it reads every row.
  IngestOptions o = Options(Path("big_chunks.oc"), false);
  o.block_bytes = 64ull << 20;
  ASSERT_TRUE(Ingest(o).ok());
  auto dataset = Dataset::Open(Path("big_chunks.oc"));
  ASSERT_TRUE(dataset.ok());
  const auto& meta = DatasetMetadata(**dataset);
  ASSERT_EQ(meta.chunks.size(), 1u);
  std::vector<int> every_column;
  for (size_t c = 0; c < meta.columns.size(); ++c) every_column.push_back(int(c));
  format::ChunkMeta chunk0;
  Buffer scratch;
  ASSERT_TRUE(DatasetReader(**dataset).ReadChunk(0, &chunk0, &scratch).ok());
  const uint64_t need = ChunkDecodeBytes(meta, chunk0, every_column, false, 1);
  ScanOptions options;
  options.memory_limit = need - 1;
  options.threads = 1;
  auto refused = Scanner::Make(*dataset, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kOutOfMemory);
  EXPECT_NE(refused.status().message().find("big_chunks.oc: chunk 0"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find(FormatSize(need)), std::string::npos)
      << refused.status().ToString();
  options.memory_limit = need;
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_TRUE(scanner.ok()) << scanner.status().ToString();
  int64_t rows = 0;
  Batch batch;
  while (true) {
    auto more = (*scanner)->Next(&batch);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    rows += batch.num_rows;
  }
  EXPECT_EQ(rows, (*dataset)->num_rows());
  EXPECT_LE((*scanner)->budget().peak(), need);
}

TEST_F(WhereTest, AHostileDecodedSizeInTheFooterIsRefusedNotAllocated) {
  // A footer (valid checksums) claiming a 4 GiB payload for a tiny block: the
  // scan must refuse before allocating it, not try.
  IngestOptions o = Options(Path("honest.oc"), false);
  ASSERT_TRUE(Ingest(o).ok());
  const std::string hostile = Path("hostile.oc");
  {
    auto reader = format::FileReader::Open(Path("honest.oc"));
    ASSERT_TRUE(reader.ok());
    format::FileMetadata meta = (*reader)->metadata();
    auto writer = format::FileWriter::Create(hostile);
    ASSERT_TRUE(writer.ok());
    Buffer scratch;
    std::vector<TypeId> types;
    for (const auto& column : meta.columns) types.push_back(column.type);
    for (size_t c = 0; c < meta.chunks.size(); ++c) {
      format::ChunkMeta chunk;
      ASSERT_TRUE((*reader)->ReadChunk(c, &chunk, &scratch).ok());
      for (auto& column : chunk.columns) {
        ASSERT_TRUE(format::CopyBlock(**reader, &column.block, writer->get(), &scratch, "block").ok());
      }
      if (c == 0) chunk.columns[0].block.decoded_size = 4ull << 30;
      ASSERT_TRUE((*writer)->AppendChunk(chunk, types).ok());
    }
    meta.chunks.clear();
    for (auto& column : meta.columns) {
      if (!column.has_dictionary) continue;
      ASSERT_TRUE(format::CopyBlock(**reader, &column.dictionary, writer->get(), &scratch, "dict").ok());
    }
    ASSERT_TRUE(meta.indexes.empty());
    ASSERT_TRUE((*writer)->Finish(meta).ok());
  }
  auto dataset = Dataset::Open(hostile);
  if (!dataset.ok()) {  // a reader that already rejects the size at open is as good
    EXPECT_NE(dataset.status().message().find("hostile.oc"), std::string::npos);
    return;
  }
  ScanOptions options;
  options.memory_limit = 64ull << 20;
  auto scanner = Scanner::Make(*dataset, options);
  ASSERT_FALSE(scanner.ok());
  // Damage (a fixed-width column cannot decode to that much) or past the budget.
  EXPECT_TRUE(scanner.status().code() == StatusCode::kCorruption ||
              scanner.status().code() == StatusCode::kOutOfMemory)
      << scanner.status().ToString();
  EXPECT_NE(scanner.status().message().find("hostile.oc: chunk 0"), std::string::npos)
      << scanner.status().ToString();
}

}  // namespace
}  // namespace outcore
