// Test fixture for `where` end to end: a generated CSV of 6000 rows (ints,
// floats with NaN, words, short texts, clustered days, bools, with nulls),
// ingested with or without value and token indexes, and scans of it that
// return row ids. Each row is kept, so a test can compute what a predicate
// must match. Shared by the scanner's tests (src/scan/scanner_test.cpp) and
// ingest's (src/ingest/where_test.cpp). Not part of the library.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "outcore/dataset.h"
#include "outcore/ingest.h"

namespace outcore::testutil {

namespace fs = std::filesystem;

// One generated row, kept so the test can answer predicates itself.
struct Row {
  int64_t id = 0;
  std::optional<int64_t> n;      // 0..49
  std::optional<double> x;       // -10..10, some NaN
  std::optional<std::string> s;  // one of kWords
  std::optional<std::string> t;  // two or three words
  int day = 0;                   // 0..: 50 rows per day, in file order
  std::optional<bool> b;
};

inline constexpr const char* kWords[] = {"apple", "banana", "cherry", "date", "elder", "fig", "grape"};

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
      char day[32];  // 16 holds any date here, but not every int GCC allows for
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
  static int64_t Count(const std::string& path, const std::string& where, bool use_indexes,
                       ChunkSpan chunks = {}) {
    auto dataset = Dataset::Open(path);
    EXPECT_TRUE(dataset.ok());
    ScanOptions options;
    options.columns = {"id"};
    options.where = where;
    options.chunks = chunks;
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
                                  bool use_zone_maps, ScanCounters* counters = nullptr,
                                  uint64_t memory_limit = 0, ChunkSpan chunks = {}) {
    auto dataset = Dataset::Open(path);
    EXPECT_TRUE(dataset.ok()) << dataset.status().ToString();
    ScanOptions options;
    options.columns = {"id"};
    options.where = where;
    options.chunks = chunks;
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

}  // namespace outcore::testutil
