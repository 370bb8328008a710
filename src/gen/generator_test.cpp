#include "gen/generator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace outcore::gen {
namespace {

using Record = std::vector<std::string>;

// A strict RFC 4180 reader written for these tests (the csv layer is not a
// dependency): a quoted field ends at a quote not followed by another quote
// and must then be followed by ',' or '\n'; an unquoted field must not hold a
// quote. Returns false on any violation.
bool ParseCsv(std::string_view text, std::vector<Record>* records) {
  size_t at = 0;
  Record record;
  while (at < text.size()) {
    std::string field;
    if (text[at] == '"') {
      ++at;
      while (true) {
        if (at >= text.size()) return false;  // unterminated quote
        if (text[at] == '"') {
          if (at + 1 < text.size() && text[at + 1] == '"') {
            field += '"';
            at += 2;
            continue;
          }
          ++at;
          break;
        }
        field += text[at++];
      }
      if (at < text.size() && text[at] != ',' && text[at] != '\n') return false;
    } else {
      while (at < text.size() && text[at] != ',' && text[at] != '\n') {
        if (text[at] == '"') return false;
        field += text[at++];
      }
    }
    record.push_back(std::move(field));
    if (at >= text.size()) return false;  // every record ends with '\n'
    if (text[at++] == '\n') {
      records->push_back(std::move(record));
      record.clear();
    }
  }
  return record.empty();
}

std::string Generate(const GeneratorOptions& options, GeneratorStats* stats = nullptr) {
  std::string out;
  auto result = GenerateCsv(options, [&](std::string_view bytes) {
    out.append(bytes);
    return Status::OK();
  });
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (stats && result.ok()) *stats = *result;
  return out;
}

GeneratorOptions Rows(uint64_t rows, uint32_t rows_per_block = 1000) {
  GeneratorOptions options;
  options.rows = rows;
  options.rows_per_block = rows_per_block;
  options.threads = 2;
  return options;
}

bool IsInteger(std::string_view text, int64_t* value) {
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), *value);
  return !text.empty() && parsed.ec == std::errc() && parsed.ptr == text.data() + text.size();
}

// "-?digits.digits" with exactly `decimals` digits after the point.
bool IsFixed(std::string_view text, int decimals, double* value) {
  size_t point = text.find('.');
  if (point == std::string_view::npos || text.size() - point - 1 != size_t(decimals)) return false;
  for (size_t at = 0; at < text.size(); ++at) {
    if (at == point || (at == 0 && text[0] == '-')) continue;
    if (!std::isdigit((unsigned char)text[at])) return false;
  }
  auto parsed = std::from_chars(text.data(), text.data() + text.size(), *value);
  return parsed.ec == std::errc() && parsed.ptr == text.data() + text.size();
}

bool IsDate(std::string_view text) {
  int64_t year, month, day;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  if (!IsInteger(text.substr(0, 4), &year) || !IsInteger(text.substr(5, 2), &month) ||
      !IsInteger(text.substr(8, 2), &day)) {
    return false;
  }
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  if (year < 2015 || year > 2025 || month < 1 || month > 12) return false;
  return day >= 1 && day <= kDaysInMonth[month - 1] + (month == 2 && leap);
}

bool IsTimestamp(std::string_view text) {
  int64_t hour, minute, second;
  if (text.size() != 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':') return false;
  return IsDate(text.substr(0, 10)) && IsInteger(text.substr(11, 2), &hour) && hour < 24 &&
         IsInteger(text.substr(14, 2), &minute) && minute < 60 && IsInteger(text.substr(17, 2), &second) &&
         second < 60;
}

bool HasInvalidUtf8Marker(const Record& record) {
  return std::any_of(record.begin(), record.end(),
                     [](const std::string& field) { return field.find("\xff\xfe") != std::string::npos; });
}

// What a reader can tell about a parsed record, independently of the generator.
DirtKind Classify(const Record& record) {
  if (record.size() == kColumnCount + 1) return DirtKind::kExtraField;
  if (record.size() == kColumnCount - 1) return DirtKind::kMissingField;
  if (HasInvalidUtf8Marker(record)) return DirtKind::kInvalidUtf8;
  int64_t quantity;
  if (!record[5].empty() && !IsInteger(record[5], &quantity)) return DirtKind::kTextInNumeric;
  if (record[7].find(',') != std::string::npos) return DirtKind::kTextInNumeric;
  if (record[4].find('\n') != std::string::npos) return DirtKind::kTrickyQuoted;
  return DirtKind::kNone;
}

TEST(Generator, SameBytesWhateverTheThreadCount) {
  GeneratorOptions options = Rows(20000, 700);
  options.threads = 1;
  std::string one_thread = Generate(options);
  for (int threads : {2, 3, 8}) {
    options.threads = threads;
    EXPECT_TRUE(Generate(options) == one_thread) << threads << " threads";
  }
  GeneratorOptions by_size;
  by_size.size_bytes = 1500000;
  by_size.rows_per_block = 500;
  by_size.threads = 1;
  std::string sized = Generate(by_size);
  by_size.threads = 4;
  EXPECT_TRUE(Generate(by_size) == sized);
}

TEST(Generator, SeedChangesTheDataButNotTheShape) {
  GeneratorOptions options = Rows(3000);
  std::string first = Generate(options);
  options.seed = 43;
  std::string second = Generate(options);
  EXPECT_NE(first, second);
  EXPECT_EQ(first.substr(0, first.find('\n')), second.substr(0, second.find('\n')));
}

TEST(Generator, RowsOptionGivesExactlyThatManyRecordsWithSequentialIds) {
  GeneratorStats stats;
  std::string csv = Generate(Rows(12345), &stats);
  std::vector<Record> records;
  ASSERT_TRUE(ParseCsv(csv, &records));
  ASSERT_EQ(records.size(), 12346u);
  EXPECT_EQ(records[0], Record(std::begin(kColumnNames), std::end(kColumnNames)));
  EXPECT_EQ(stats.rows, 12345u);
  EXPECT_EQ(stats.bytes, csv.size());
  for (size_t row = 1; row < records.size(); ++row) {
    ASSERT_EQ(records[row][0], std::to_string(row)) << "ids run 1, 2, 3, ... even in dirty rows";
  }
}

TEST(Generator, SizeOptionStopsAtTheFirstRowThatReachesTheSize) {
  for (uint64_t size : {uint64_t(100), uint64_t(300000), uint64_t(2000000)}) {
    GeneratorOptions options;
    options.size_bytes = size;
    options.threads = 2;
    GeneratorStats stats;
    std::string csv = Generate(options, &stats);
    std::vector<Record> records;
    ASSERT_TRUE(ParseCsv(csv, &records));
    EXPECT_GE(csv.size(), size);
    EXPECT_EQ(stats.bytes, csv.size());
    EXPECT_EQ(stats.rows + 1, records.size());
    // Without its last record the output is still short of the size.
    std::string_view without_last(csv.data(), csv.size() - 1);
    size_t previous_end = without_last.rfind('\n');
    if (records.back()[4].find('\n') != std::string::npos)
      previous_end = without_last.rfind('\n', previous_end - 1);
    EXPECT_LT(previous_end + 1, size);
  }
}

TEST(Generator, DirtCountsMatchTheRowsAndTheRequestedRates) {
  GeneratorOptions options = Rows(200000, 4096);
  options.dirty_rate = 0.02;
  options.missing_rate = 0.05;
  GeneratorStats stats;
  std::string csv = Generate(options, &stats);
  std::vector<Record> records;
  ASSERT_TRUE(ParseCsv(csv, &records)) << "dirty rows must still be valid CSV quoting";
  uint64_t counted[kDirtKindCount] = {}, missing = 0, valid = 0;
  for (size_t row = 1; row < records.size(); ++row) {
    DirtKind kind = Classify(records[row]);
    ++counted[int(kind)];
    if (kind == DirtKind::kNone || kind == DirtKind::kTrickyQuoted) {
      ++valid;
      missing += std::count(records[row].begin() + 1, records[row].end(), "");
    }
  }
  const double per_kind = 200000 * 0.02 / 5;
  for (int kind = 0; kind < kDirtKindCount; ++kind) {
    EXPECT_EQ(counted[kind], stats.dirt[kind]) << DirtKindName(DirtKind(kind));
    if (kind) {
      EXPECT_NEAR(double(stats.dirt[kind]), per_kind, per_kind * 0.15) << DirtKindName(DirtKind(kind));
    }
  }
  EXPECT_EQ(stats.valid_rows(), valid);
  EXPECT_EQ(stats.rejectable_rows() + stats.valid_rows(), stats.rows);
  EXPECT_EQ(stats.missing_cells, missing);
  EXPECT_NEAR(double(missing) / double(valid * (kColumnCount - 1)), 0.05, 0.003);
  EXPECT_EQ(stats.lines, uint64_t(std::count(csv.begin(), csv.end(), '\n')));
}

TEST(Generator, DefaultRatesGiveAboutHalfAPercentDirtyRowsAndTwoPercentMissing) {
  GeneratorStats stats;
  Generate(Rows(200000, 4096), &stats);
  uint64_t dirty = stats.rows - stats.count(DirtKind::kNone);
  EXPECT_NEAR(double(dirty) / double(stats.rows), 0.005, 0.0008);
  EXPECT_NEAR(double(stats.missing_cells) / double(stats.valid_rows() * (kColumnCount - 1)), 0.02, 0.002);
}

TEST(Generator, CleanRowsParseAsTheirColumnTypes) {
  std::string csv = Generate(Rows(30000));
  std::vector<Record> records;
  ASSERT_TRUE(ParseCsv(csv, &records));
  std::vector<int> topic_counts(kTopicCount);
  int price_decimals_seen = 0, passages_with_comma = 0;
  for (size_t row = 1; row < records.size(); ++row) {
    const Record& record = records[row];
    DirtKind kind = Classify(record);
    if (kind != DirtKind::kNone && kind != DirtKind::kTrickyQuoted) continue;
    ASSERT_EQ(record.size(), size_t(kColumnCount));
    int64_t integer;
    double real;
    ASSERT_TRUE(IsInteger(record[0], &integer));
    if (!record[1].empty()) {
      ASSERT_TRUE(record[1] == "True" || record[1] == "False") << record[1];
    }
    if (!record[2].empty()) {
      auto topic = std::find(std::begin(kTopics), std::end(kTopics), record[2]);
      ASSERT_NE(topic, std::end(kTopics)) << record[2];
      ++topic_counts[topic - std::begin(kTopics)];
    }
    for (char letter : record[3]) ASSERT_TRUE(letter >= 'a' && letter <= 'z') << record[3];
    for (char byte : record[4]) ASSERT_LT((unsigned char)byte, 0x80) << "clean text is ASCII (valid UTF-8)";
    passages_with_comma += record[4].find(',') != std::string::npos;
    if (!record[5].empty()) {
      ASSERT_TRUE(IsInteger(record[5], &integer)) << record[5];
      ASSERT_TRUE(integer >= 0 && integer <= 500) << integer;
    }
    if (!record[6].empty()) {
      ASSERT_TRUE(IsFixed(record[6], 6, &real)) << record[6];
      ASSERT_LT(std::fabs(real), 8.0);
    }
    if (!record[7].empty()) {
      ASSERT_TRUE(IsFixed(record[7], 2, &real)) << record[7];
      ASSERT_TRUE(real >= 0.5 && real <= 5000.0) << real;
      price_decimals_seen += record[7].back() != '0';
    }
    if (!record[8].empty()) {
      ASSERT_TRUE(IsDate(record[8])) << record[8];
    }
    if (!record[9].empty()) {
      ASSERT_TRUE(IsTimestamp(record[9])) << record[9];
    }
  }
  // Frequencies are skewed: the first topic is the most common, all appear.
  for (int topic = 0; topic < kTopicCount; ++topic) EXPECT_GT(topic_counts[topic], 0) << kTopics[topic];
  EXPECT_GT(topic_counts[0], 5 * topic_counts[kTopicCount - 1]);
  EXPECT_GT(price_decimals_seen, 1000);
  EXPECT_GT(passages_with_comma, 3000) << "some passages carry commas and so are quoted";
}

TEST(Generator, TrickyPassagesAreValidQuotedFieldsWithCommaQuoteAndNewline) {
  GeneratorOptions options = Rows(20000);
  options.dirty_rate = 0.05;
  GeneratorStats stats;
  std::string csv = Generate(options, &stats);
  ASSERT_GT(stats.count(DirtKind::kTrickyQuoted), 50u);
  std::vector<Record> records;
  ASSERT_TRUE(ParseCsv(csv, &records));
  uint64_t tricky = 0;
  for (size_t row = 1; row < records.size(); ++row) {
    if (Classify(records[row]) != DirtKind::kTrickyQuoted) continue;
    ++tricky;
    const std::string& passage = records[row][4];
    EXPECT_NE(passage.find('"'), std::string::npos) << "a doubled quote decodes to one quote";
    EXPECT_NE(passage.find(",\n"), std::string::npos);
    EXPECT_EQ(passage.find("\"\""), std::string::npos);
  }
  EXPECT_EQ(tricky, stats.count(DirtKind::kTrickyQuoted));
  // The raw text really doubles the quote inside a quoted field.
  EXPECT_NE(csv.find(" said \"\""), std::string::npos);
}

TEST(Generator, ZeroRatesGiveOnlyCompleteCleanRows) {
  GeneratorOptions options = Rows(10000);
  options.dirty_rate = 0;
  options.missing_rate = 0;
  GeneratorStats stats;
  std::string csv = Generate(options, &stats);
  std::vector<Record> records;
  ASSERT_TRUE(ParseCsv(csv, &records));
  EXPECT_EQ(stats.count(DirtKind::kNone), 10000u);
  EXPECT_EQ(stats.missing_cells, 0u);
  for (const Record& record : records) {
    ASSERT_EQ(record.size(), size_t(kColumnCount));
    ASSERT_EQ(std::count(record.begin(), record.end(), ""), 0);
  }
}

TEST(Generator, RejectsContradictoryOrOutOfRangeOptions) {
  auto run = [](GeneratorOptions options) {
    return GenerateCsv(options, [](std::string_view) { return Status::OK(); }).status().code();
  };
  GeneratorOptions neither;
  EXPECT_EQ(run(neither), StatusCode::kInvalidArgument);
  GeneratorOptions both = Rows(10);
  both.size_bytes = 100;
  EXPECT_EQ(run(both), StatusCode::kInvalidArgument);
  GeneratorOptions bad_rate = Rows(10);
  bad_rate.dirty_rate = 1.5;
  EXPECT_EQ(run(bad_rate), StatusCode::kInvalidArgument);
  bad_rate = Rows(10);
  bad_rate.missing_rate = -0.1;
  EXPECT_EQ(run(bad_rate), StatusCode::kInvalidArgument);
  GeneratorOptions no_block = Rows(10, 0);
  EXPECT_EQ(run(no_block), StatusCode::kInvalidArgument);
}

TEST(Generator, SinkErrorStopsGenerationAndIsReturned) {
  int calls = 0;
  auto result = GenerateCsv(Rows(50000), [&](std::string_view) {
    return ++calls == 3 ? Status::IOError("disk full") : Status::OK();
  });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kIOError);
  EXPECT_EQ(calls, 3);
}

TEST(Generator, ChargesBlockBuffersToTheBudgetAndReleasesThem) {
  MemoryBudget budget(64 << 20);
  GeneratorOptions options = Rows(40000);
  options.budget = &budget;
  uint64_t used_while_writing = 0;
  auto result = GenerateCsv(options, [&](std::string_view) {
    used_while_writing = std::max(used_while_writing, budget.used());
    return Status::OK();
  });
  ASSERT_TRUE(result.ok());
  EXPECT_GT(used_while_writing, 100000u) << "block buffers are charged";
  EXPECT_LT(budget.peak(), uint64_t(16) << 20) << "a few blocks in flight, not the whole output";
  EXPECT_EQ(budget.used(), 0u);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

TEST(Generator, FileOutputAppearsWholeOrNotAtAll) {
  auto dir = std::filesystem::temp_directory_path() / ("gen_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "sample.csv").string();
  GeneratorOptions options = Rows(5000);
  auto stats = GenerateCsvToFile(options, path);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(ReadFile(path), Generate(options));

  std::string cancelled_path = (dir / "cancelled.csv").string();
  std::atomic<bool> cancel{true};
  options.cancel = &cancel;
  auto cancelled = GenerateCsvToFile(options, cancelled_path);
  EXPECT_EQ(cancelled.status().code(), StatusCode::kCancelled);
  EXPECT_FALSE(std::filesystem::exists(cancelled_path));
  size_t files =
      std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator());
  EXPECT_EQ(files, 1u) << "no temp file is left behind";

  auto unwritable = GenerateCsvToFile(Rows(10), (dir / "missing" / "x.csv").string());
  EXPECT_EQ(unwritable.status().code(), StatusCode::kIOError);
  EXPECT_NE(unwritable.status().message().find("missing"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Generator, StatsJsonCarriesEveryCount) {
  GeneratorOptions options = Rows(20000);
  options.dirty_rate = 0.05;
  GeneratorStats stats;
  Generate(options, &stats);
  std::string json = stats.ToJson();
  EXPECT_NE(json.find("\"rows\":20000"), std::string::npos) << json;
  for (int kind = 1; kind < kDirtKindCount; ++kind) {
    std::string field(1, '"');
    field.append(DirtKindName(DirtKind(kind))).append("\":").append(std::to_string(stats.dirt[kind]));
    EXPECT_NE(json.find(field), std::string::npos) << field;
  }
  EXPECT_NE(json.find(std::string("\"rejectable_rows\":").append(std::to_string(stats.rejectable_rows()))),
            std::string::npos);
}

TEST(ParseCount, AcceptsSuffixesInPowersOfAThousand) {
  EXPECT_EQ(*ParseCount("123"), 123u);
  EXPECT_EQ(*ParseCount("1.5k"), 1500u);
  EXPECT_EQ(*ParseCount("10M"), 10000000u);
  EXPECT_EQ(*ParseCount("2B"), 2000000000u);
  for (const char* bad : {"", "abc", "-1", "10X", "1.5", "1e3", "k"}) {
    EXPECT_FALSE(ParseCount(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace outcore::gen
