// End-to-end: CSV -> Ingest -> .oc -> Scanner -> the same values.
#include "outcore/ingest.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "format/file_reader.h"
#include "ingest/scan_test_util.h"
#include "outcore/dataset.h"
#include "outcore/options.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_ingest_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  size_t FilesIn() { return size_t(std::distance(fs::directory_iterator(dir_), fs::directory_iterator())); }

  IngestOptions Options(std::vector<std::string> inputs, const std::string& output) {
    IngestOptions o;
    o.inputs = std::move(inputs);
    o.output = output;
    o.memory_limit = 128ull << 20;
    o.threads = 2;
    return o;
  }

  // Every value of every column as text ("<null>" for nulls), row by row.
  std::vector<std::vector<std::string>> ReadAll(const std::string& path, int64_t batch_rows = 1000) {
    auto dataset = Dataset::Open(path);
    EXPECT_TRUE(dataset.ok()) << dataset.status().ToString();
    if (!dataset.ok()) return {};
    ScanOptions options;
    options.batch_rows = batch_rows;
    return ScanAllText(*dataset, options);
  }

  fs::path dir_;
};

std::string Bits(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return std::to_string(bits);
}

TEST_F(IngestTest, ValuesComeBackExactlyThroughQuotesNullsAndCrlf) {
  std::string csv =
      "\xEF\xBB\xBF"  // BOM
      "id,flag,name,price,day,at\r\n"
      "1,True,plain,19.99,2024-03-05,2024-03-05 12:34:56\r\n"
      "2,False,\"with, comma\",0.1,1970-01-01,1970-01-01 00:00:00.5\r\n"
      "3,,\"say \"\"hi\"\"\nthen go\",,2000-02-29,\r\n"
      "-9223372036854775808,True,\"\",-0.0,1999-12-31,2038-01-19 03:14:08\r\n"
      "9223372036854775807,False,ünïcödé,1e308,,1900-01-01 00:00:00\r\n";
  std::string in = Write("in.csv", csv), out = Path("out.oc");
  auto report = Ingest(Options({in}, out));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_read, 5u);
  EXPECT_EQ(report->rows_rejected, 0u);
  ASSERT_EQ(report->columns.size(), 6u);
  EXPECT_EQ(report->columns[0].type, TypeId::kInt64);
  EXPECT_EQ(report->columns[1].type, TypeId::kBool);
  EXPECT_EQ(report->columns[2].type, TypeId::kString);
  EXPECT_EQ(report->columns[3].type, TypeId::kFloat64);
  EXPECT_EQ(report->columns[4].type, TypeId::kDate);
  EXPECT_EQ(report->columns[5].type, TypeId::kTimestamp);
  auto rows = ReadAll(out);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"1", "true", "plain", Bits(19.99), "19787", "1709642096000000"}));
  EXPECT_EQ(rows[1][2], "with, comma");
  EXPECT_EQ(rows[1][3], Bits(0.1));
  EXPECT_EQ(rows[1][5], "500000");
  EXPECT_EQ(rows[2][1], "<null>");
  EXPECT_EQ(rows[2][2], "say \"hi\"\nthen go");
  EXPECT_EQ(rows[2][3], "<null>");
  EXPECT_EQ(rows[2][4], "11016");
  EXPECT_EQ(rows[2][5], "<null>");
  EXPECT_EQ(rows[3][0], "-9223372036854775808");
  EXPECT_EQ(rows[3][2], "");  // a quoted empty string is a value, not a null
  EXPECT_EQ(rows[3][3], Bits(-0.0));
  EXPECT_EQ(rows[4][0], "9223372036854775807");
  EXPECT_EQ(rows[4][2], "ünïcödé");
  EXPECT_EQ(rows[4][3], Bits(1e308));
  EXPECT_EQ(rows[4][4], "<null>");
}

TEST_F(IngestTest, RejectsAreCountedByReasonAndWrittenWithLineNumbers) {
  std::string csv =
      "id,qty,word\n"
      "1,10,a\n"
      "2,many,b\n"    // line 3: unparsable int
      "3,30\n"        // line 4: field count
      "4,40,c\xff\n"  // line 5: invalid UTF-8
      "5,50,\"multi\nline\"\n"
      "6,99999999999999999999,d\n"  // line 8: out of range
      "7,70,e\n";
  std::string in = Write("in.csv", csv), out = Path("out.oc"), rejects = Path("rejects.csv");
  IngestOptions o = Options({in}, out);
  o.reject_path = rejects;
  o.schema = {{"qty", TypeId::kInt64}};
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_read, 7u);
  EXPECT_EQ(report->rows_kept, 3u);
  EXPECT_EQ(report->rows_rejected, 4u);
  EXPECT_EQ(report->rows_read, report->rows_kept + report->rows_rejected);
  std::map<std::string, uint64_t> reasons(report->rejected_by_reason.begin(),
                                          report->rejected_by_reason.end());
  EXPECT_EQ(reasons["unparsable"], 1u);
  EXPECT_EQ(reasons["field_count"], 1u);
  EXPECT_EQ(reasons["invalid_utf8"], 1u);
  EXPECT_EQ(reasons["out_of_range"], 1u);
  std::ifstream f(rejects);
  std::stringstream text;
  text << f.rdbuf();
  std::string body = text.str();
  EXPECT_NE(body.find(",3,qty,unparsable,"), std::string::npos) << body;
  EXPECT_NE(body.find(",4,,field_count,"), std::string::npos) << body;
  EXPECT_NE(body.find(",5,word,invalid_utf8,"), std::string::npos) << body;
  EXPECT_NE(body.find(",8,qty,out_of_range,"), std::string::npos) << body;
  auto rows = ReadAll(out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][2], "multi\nline");
  // The footer keeps the same accounting for `outcore info`.
  auto reader = format::FileReader::Open(out);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->metadata().ingest.rows_rejected, 4u);
}

TEST_F(IngestTest, OnErrorFailStopsAtTheFirstBadRowAndLeavesNothing) {
  std::string in = Write("in.csv", "a,b\n1,2\n3,x\n5,6\n"), out = Path("out.oc");
  IngestOptions o = Options({in}, out);
  o.on_error = OnError::kFail;
  o.schema = {{"b", TypeId::kInt64}};
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kDataError);
  EXPECT_NE(report.status().message().find("line 3"), std::string::npos) << report.status().message();
  EXPECT_NE(report.status().message().find("'b'"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(FilesIn(), 1u);  // only the input: no temporary left behind
}

std::string ReadText(const std::string& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

// Issue 10, item 11: a wrong --schema rejected every row and ingest exited 0.
TEST_F(IngestTest, EveryRowRejectedFailsByDefaultKeepsTheOldOutputAndWritesTheRejects) {
  std::string good = Write("good.csv", "id,price\n1,2\n"), out = Path("out.oc");
  ASSERT_TRUE(Ingest(Options({good}, out)).ok());
  const auto before = fs::file_size(out);
  std::string in = Write("in.csv", "id,price\n1,\"12,50\"\n2,\"3,10\"\n3,\"7,00\"\n");
  IngestOptions o = Options({in}, out);
  o.schema = {{"price", TypeId::kFloat64}};
  o.reject_path = Path("rejects.csv");
  IngestReport report;
  Status status = Ingest(o, &report);
  ASSERT_EQ(status.code(), StatusCode::kDataError) << status.ToString();
  EXPECT_NE(status.message().find("every row was rejected (3 of 3)"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("nothing was written to " + out), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("price: 3 rows unparsable, e.g. line 2: '12,50' is not a float64"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("try --schema price:string"), std::string::npos) << status.message();
  EXPECT_TRUE(report.reject_limit_exceeded);
  EXPECT_EQ(report.rows_read, 3u);
  EXPECT_EQ(report.rows_rejected, 3u);
  EXPECT_EQ(report.rows_kept, 0u);
  ASSERT_EQ(report.rejects_by_column.size(), 1u);
  EXPECT_EQ(report.rejects_by_column[0].column, "price");
  EXPECT_EQ(report.rejects_by_column[0].count, 3u);
  EXPECT_EQ(fs::file_size(out), before);  // the good file is not replaced
  EXPECT_EQ(ReadAll(out).size(), 1u);
  const std::string rejects = ReadText(o.reject_path);
  EXPECT_NE(rejects.find(",2,price,unparsable,"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find(",4,price,unparsable,"), std::string::npos) << rejects;
  // Without an existing output, none is left behind (nor a temporary).
  o.output = Path("new.oc");
  EXPECT_FALSE(Ingest(o).ok());
  EXPECT_FALSE(fs::exists(o.output));
  EXPECT_EQ(FilesIn(), 4u);  // good.csv, out.oc, in.csv, rejects.csv
}

TEST_F(IngestTest, AHeaderWithoutRowsIsNotEveryRowRejected) {
  std::string in = Write("in.csv", "id,price\n"), out = Path("out.oc");
  auto report = Ingest(Options({in}, out));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_read, 0u);
  EXPECT_TRUE(report->reject_warning.empty());
}

std::string CsvWithBadRows(int rows, int bad_every) {
  std::string csv = "id,qty\n";
  for (int i = 0; i < rows; ++i) csv += std::to_string(i) + "," + (i % bad_every == 0 ? "x" : "1") + "\n";
  return csv;
}

TEST_F(IngestTest, MaxRejectsShareTripsOnlyAboveIt) {
  // 200 rows, 1 in 20 bad: 5% rejected.
  std::string in = Write("in.csv", CsvWithBadRows(200, 20));
  IngestOptions o = Options({in}, Path("a.oc"));
  o.schema = {{"qty", TypeId::kInt64}};
  o.max_rejects = *ParseRejectLimit("5%", "--max-rejects");
  auto kept = Ingest(o);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();  // exactly 5% is allowed
  EXPECT_EQ(kept->rows_rejected, 10u);
  EXPECT_NE(kept->reject_warning.find("10 rows of 200 (5%) were rejected"), std::string::npos)
      << kept->reject_warning;
  EXPECT_NE(kept->reject_warning.find("qty: 10 rows unparsable, e.g. line 2: 'x' is not an int64"),
            std::string::npos)
      << kept->reject_warning;
  o.output = Path("b.oc");
  o.max_rejects = *ParseRejectLimit("4.9%", "--max-rejects");
  IngestReport report;
  Status status = Ingest(o, &report);
  ASSERT_EQ(status.code(), StatusCode::kDataError);
  EXPECT_NE(status.message().find("10 rows of 200 were rejected (5%), more than --max-rejects 4.9% allows"),
            std::string::npos)
      << status.message();
  EXPECT_EQ(report.rows_read, 200u);
  EXPECT_FALSE(fs::exists(o.output));
}

TEST_F(IngestTest, MaxRejectsCountStopsEarlyAndKeepsTheRejectsSoFar) {
  // Many small blocks; every row bad: a count of 3 stops long before the end.
  std::string in = Write("in.csv", CsvWithBadRows(5000, 1));
  IngestOptions o = Options({in}, Path("out.oc"));
  o.schema = {{"qty", TypeId::kInt64}};
  o.block_bytes = 256;
  o.reject_path = Path("rejects.csv");
  o.max_rejects = *ParseRejectLimit("3", "--max-rejects");
  IngestReport report;
  Status status = Ingest(o, &report);
  ASSERT_EQ(status.code(), StatusCode::kDataError);
  EXPECT_NE(status.message().find("more than --max-rejects 3 allows"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("read so far"), std::string::npos) << status.message();
  EXPECT_GT(report.rows_rejected, 3u);
  EXPECT_LT(report.rows_read, 5000u);
  EXPECT_EQ(report.rows_read, report.rows_kept + report.rows_rejected);
  const std::string rejects = ReadText(o.reject_path);
  EXPECT_EQ(size_t(std::count(rejects.begin(), rejects.end(), '\n')), report.rows_rejected + 1);
  EXPECT_FALSE(fs::exists(o.output));
  // A limit that holds keeps every good row.
  o.max_rejects = *ParseRejectLimit("5000", "--max-rejects");
  EXPECT_TRUE(Ingest(o).ok());
}

TEST_F(IngestTest, FewRejectsGiveNoWarningAndOnErrorFailExcludesAMaxRejects) {
  std::string in = Write("in.csv", CsvWithBadRows(1000, 500));  // 2 of 1000: 0.2%
  IngestOptions o = Options({in}, Path("out.oc"));
  o.schema = {{"qty", TypeId::kInt64}};
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_rejected, 2u);
  EXPECT_TRUE(report->reject_warning.empty()) << report->reject_warning;
  EXPECT_EQ(report->rejects_by_column.size(), 1u);
  o.on_error = OnError::kFail;
  o.max_rejects = *ParseRejectLimit("10", "--max-rejects");
  auto both = Ingest(o);
  ASSERT_EQ(both.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(both.status().message().find("cannot be combined with --max-rejects 10"), std::string::npos);
}

TEST_F(IngestTest, AFailureNeverReplacesAnExistingOutput) {
  std::string good = Write("good.csv", "a\n1\n2\n"), out = Path("out.oc");
  ASSERT_TRUE(Ingest(Options({good}, out)).ok());
  auto before = fs::file_size(out);
  std::string second = Write("second.csv", "zzz\n1\n");  // header differs: fails after the first file
  auto report = Ingest(Options({good, second}, out));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("second.csv"), std::string::npos);
  EXPECT_NE(report.status().message().find("'zzz'"), std::string::npos);
  EXPECT_EQ(fs::file_size(out), before);
  EXPECT_EQ(ReadAll(out).size(), 2u);
}

TEST_F(IngestTest, SeveralFilesBecomeOneInOrder) {
  std::string a = Write("a.csv", "k,v\n1,x\n2,y\n"), b = Write("b.csv", "k,v\n3,z\n"), out = Path("out.oc");
  auto report = Ingest(Options({a, b}, out));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto rows = ReadAll(out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2], (std::vector<std::string>{"3", "z"}));
}

std::string SyntheticCsv(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  const char* topics[] = {"food", "fashion", "real estate", "travel", "music"};
  std::string csv = "id,topic,note,score,flag\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(i) + ",";
    if (rng() % 50 != 0) csv += topics[rng() % 5];
    csv += ",";
    if (rng() % 7 == 0)
      csv += std::string("\"note ").append(std::to_string(rng())) + ",\nwrapped\"";
    else
      csv += std::string("n").append(std::to_string(rng() % 100000));
    csv += ',';
    csv += std::to_string(double(int(rng() % 200000) - 100000) / 1000.0);
    csv += ',';
    csv += (rng() % 2 ? "True" : "False");
    csv += (i % 3 == 0 ? "\r\n" : "\n");
  }
  return csv;
}

TEST_F(IngestTest, BlockSizeAndThreadsDoNotChangeTheResult) {
  std::string in = Write("in.csv", SyntheticCsv(20000, 1));
  IngestOptions big = Options({in}, Path("big.oc"));
  big.threads = 1;
  IngestOptions small = Options({in}, Path("small.oc"));
  small.block_bytes = 4096;  // many chunks; records cut at block edges, quoted newlines among them
  small.threads = 2;
  auto r1 = Ingest(big);
  auto r2 = Ingest(small);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_GT(r2->chunks, 50u);
  EXPECT_EQ(r1->rows_kept, 20000u);
  auto rows1 = ReadAll(Path("big.oc"), 777);
  auto rows2 = ReadAll(Path("small.oc"), 100000);
  ASSERT_EQ(rows1.size(), 20000u);
  EXPECT_EQ(rows1, rows2);
  // Deterministic: same input, same options, same bytes.
  IngestOptions again = small;
  again.output = Path("again.oc");
  ASSERT_TRUE(Ingest(again).ok());
  std::ifstream s1(Path("small.oc"), std::ios::binary), s2(Path("again.oc"), std::ios::binary);
  std::string b1((std::istreambuf_iterator<char>(s1)), {}), b2((std::istreambuf_iterator<char>(s2)), {});
  EXPECT_EQ(b1, b2);
}

TEST_F(IngestTest, TheReportCarriesTheMemoryPlanItRanWith) {
  std::string in = Write("in.csv", SyntheticCsv(2000, 3));
  IngestOptions options = Options({in}, Path("out.oc"));
  options.index_columns = {"topic"};
  auto report = Ingest(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const MemoryPlan& plan = report->memory_plan;
  EXPECT_EQ(plan.memory_limit, 128ull << 20);
  EXPECT_EQ(plan.threads, report->threads);
  EXPECT_EQ(plan.blocks_in_flight, report->threads + 2);
  EXPECT_EQ(plan.block_bytes, report->block_bytes);
  EXPECT_GT(plan.index_pool_bytes, 0u);  // an index was asked for
  EXPECT_GT(plan.dictionary_bytes, 0u);
  // With an index, blocks and the columns' state get 55% of what the baseline
  // reserve leaves; the columns' state comes first.
  EXPECT_GT(plan.column_state_bytes, 0u);
  EXPECT_EQ(plan.block_share_bytes + plan.column_state_bytes,
            uint64_t(double(plan.memory_limit - plan.baseline_reserve) * 0.55));
}

TEST_F(IngestTest, AWideFilesFirstBlockIsCutToTheBlocksPlannedForItsColumns) {
  // Planned before the header, the first block is ~1 MiB at 64 MiB; 3,000
  // columns of short fields want smaller ones, so the first is cut again and
  // its rest read first: every row must come back, in order, once.
  constexpr int kColumns = 3000, kRows = 300;
  std::string csv;
  for (int c = 0; c < kColumns; ++c) {
    csv += c ? ",c" : "c";
    csv += std::to_string(c);
  }
  csv += "\n";
  for (int r = 0; r < kRows; ++r) {
    for (int c = 0; c < kColumns; ++c) {
      if (c) csv += ',';
      csv += std::to_string((r * 7 + c) % 100);
    }
    csv += "\n";
  }
  std::string in = Write("wide.csv", csv), out = Path("wide.oc");
  IngestOptions options = Options({in}, out);
  options.memory_limit = 64ull << 20;
  auto report = Ingest(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const MemoryPlan& plan = report->memory_plan;
  EXPECT_EQ(plan.columns, size_t(kColumns));
  EXPECT_LT(plan.block_bytes, csv.size() / 2);  // smaller than the first block was read
  EXPECT_GT(report->chunks, 2u);
  EXPECT_EQ(report->rows_read, uint64_t(kRows));
  EXPECT_EQ(report->rows_kept, uint64_t(kRows));
  // No chunk, the first included, holds more rows than a planned block.
  auto dataset = Dataset::Open(out);
  ASSERT_TRUE(dataset.ok());
  const uint64_t row_bytes = csv.size() / (kRows + 1);
  for (int64_t chunk = 0; chunk < (*dataset)->num_chunks(); ++chunk) {
    ColumnVector column(TypeId::kInt64, nullptr);
    Buffer stored, payload;
    ASSERT_TRUE((*dataset)->ReadColumnChunk(chunk, 0, &column, &stored, &payload).ok());
    EXPECT_LE(uint64_t(column.length), plan.block_bytes / row_bytes + 1) << "chunk " << chunk;
  }
  auto rows = ReadAll(out);
  ASSERT_EQ(rows.size(), size_t(kRows));
  for (int r : {0, 1, kRows / 2, kRows - 1}) {
    for (int c : {0, 1, kColumns - 1})
      EXPECT_EQ(rows[size_t(r)][size_t(c)], std::to_string((r * 7 + c) % 100));
  }
}

TEST_F(IngestTest, TabSeparatedStrayQuotesAreCutRightAcrossBlocks) {
  // A literal quote inside an unquoted field (5'11") must not flip the quote
  // state: records stay whole however the blocks fall.
  std::string tsv = "height\tnote\n";
  for (int i = 0; i < 3000; ++i) {
    tsv += std::to_string(i) + "'11\"\t" + (i % 5 == 0 ? "\"quoted\ttab\nand newline\"" : "plain") + "\n";
  }
  std::string in = Write("in.tsv", tsv);
  IngestOptions o = Options({in}, Path("out.oc"));
  o.block_bytes = 1024;
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->delimiter, '\t');
  EXPECT_EQ(report->rows_rejected, 0u);
  auto rows = ReadAll(Path("out.oc"));
  ASSERT_EQ(rows.size(), 3000u);
  EXPECT_EQ(rows[2999][0], "2999'11\"");
  EXPECT_EQ(rows[2995][1], "quoted\ttab\nand newline");
}

TEST_F(IngestTest, LowCardinalityStringsGetADictionaryAndFreeTextDoesNot) {
  std::string in = Write("in.csv", SyntheticCsv(5000, 2)), out = Path("out.oc");
  ASSERT_TRUE(Ingest(Options({in}, out)).ok());
  auto dataset = Dataset::Open(out);
  ASSERT_TRUE(dataset.ok());
  EXPECT_TRUE((*dataset)->schema()[1].dictionary);   // topic
  EXPECT_FALSE((*dataset)->schema()[2].dictionary);  // note: nearly all distinct
}

TEST_F(IngestTest, DictionaryFallsBackToPlainWhenItsBudgetRunsOut) {
  // Few distinct values first (a dictionary is chosen), then megabytes of
  // distinct strings that the minimum budget's dictionary share cannot hold.
  std::string csv = "id,s\n";
  for (int i = 0; i < 4000; ++i) csv += std::to_string(i) + "," + (i % 2 ? "odd" : "even") + "\n";
  std::string filler(200, 'x');
  for (int i = 4000; i < 80000; ++i) csv += std::to_string(i) + ",v" + std::to_string(i) + filler + "\n";
  std::string in = Write("in.csv", csv), out = Path("out.oc");
  IngestOptions o = Options({in}, out);
  o.memory_limit = 64ull << 20;
  o.block_bytes = 64 << 10;
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_NE(report->columns[1].encodings.find("dict"), std::string::npos);
  EXPECT_NE(report->columns[1].encodings.find("plain"), std::string::npos);
  auto reader = format::FileReader::Open(out);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE((*reader)->metadata().columns[1].has_dictionary);
  EXPECT_FALSE((*reader)->metadata().columns[1].dictionary_complete);
  auto rows = ReadAll(out);
  ASSERT_EQ(rows.size(), 80000u);
  EXPECT_EQ(rows[3][1], "odd");
  EXPECT_EQ(rows[79999][1], "v79999" + filler);
}

TEST_F(IngestTest, GzipInputReadsLikePlain) {
  std::string csv = SyntheticCsv(3000, 3);
  std::string plain = Write("in.csv", csv), gz = Path("in.csv.gz");
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, csv.data(), unsigned(csv.size()));
  gzclose(f);
  ASSERT_TRUE(Ingest(Options({plain}, Path("a.oc"))).ok());
  auto report = Ingest(Options({gz}, Path("b.oc")));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(ReadAll(Path("a.oc")), ReadAll(Path("b.oc")));
}

// Issue 10: a column with ZIP codes, a count that turns decimal, and dirt. The
// telling values sit in the last rows only.
std::string LateSurprisesCsv(int rows) {
  std::string csv = "id,zip,x,qty\n";
  for (int i = 0; i < rows; ++i) {
    const bool last = i == rows - 1;
    csv += std::to_string(i) + "," + (last ? "02134" : std::to_string(10000 + i % 89999)) + "," +
           (last ? "2.5" : std::to_string(i % 1000)) + "," +
           (i == rows / 2 ? "many" : std::to_string(i % 7)) + "\n";
  }
  return csv;
}

TEST_F(IngestTest, Issue10AColumnWidensWhenALaterBlockHoldsWhatItsTypeWouldLose) {
  // gzip: only the first block is sampled, so the surprises come after it.
  const int rows = 200000;
  const std::string csv = LateSurprisesCsv(rows);
  std::string gz = Path("in.csv.gz");
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, csv.data(), unsigned(csv.size()));
  gzclose(f);
  IngestOptions o = Options({gz}, Path("out.oc"));
  o.block_bytes = 64 << 10;
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_read, uint64_t(rows));
  EXPECT_EQ(report->rows_rejected, 1u);  // "many": dirt stays a reject
  EXPECT_EQ(report->columns[1].type, TypeId::kString);
  EXPECT_EQ(report->columns[1].type_note,
            "widened from int64 to string after the sample: line " + std::to_string(rows + 1) + " of " + gz +
                ": '02134' would lose its leading zero as int64; the input was read again");
  EXPECT_EQ(report->columns[2].type, TypeId::kFloat64);
  EXPECT_NE(report->columns[2].type_note.find("'2.5' is a float64"), std::string::npos);
  EXPECT_EQ(report->columns[3].type, TypeId::kInt64);
  EXPECT_TRUE(report->columns[3].type_note.empty());
  auto values = ReadAll(Path("out.oc"));
  ASSERT_EQ(values.size(), size_t(rows - 1));
  EXPECT_EQ(values[0][1], "10000");  // the integers written before the surprise read back as their text
  EXPECT_EQ(values[12345][1], std::to_string(10000 + 12345));
  EXPECT_EQ(values.back()[1], "02134");
  EXPECT_EQ(values.back()[2], Bits(2.5));
  EXPECT_EQ(values[7][2], Bits(7.0));
}

TEST_F(IngestTest, Issue10TheSampleReachesTheEndOfAPlainFile) {
  const std::string csv = LateSurprisesCsv(200000);
  IngestOptions o = Options({Write("in.csv", csv)}, Path("out.oc"));
  o.block_bytes = 64 << 10;
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_rejected, 1u);
  EXPECT_EQ(report->columns[1].type, TypeId::kString);
  // Seen by inference (a window at the end of the file), not by a second read.
  EXPECT_EQ(report->columns[1].type_note, "kept as string: '02134' would lose its leading zero as int64");
  EXPECT_EQ(report->columns[2].type, TypeId::kFloat64);
  EXPECT_TRUE(report->columns[2].type_note.empty());
}

TEST_F(IngestTest, Issue10NaSpellingsAreTextInStringColumns) {
  std::string in = Write("in.csv", "c,iso2,n\nNamibia,NA,NA\nTown,None,1\nX,,nan\nY,\"\",2\n");
  IngestOptions o = Options({in}, Path("out.oc"));
  o.schema = {{"c", TypeId::kString}, {"iso2", TypeId::kString}};
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->columns[2].type, TypeId::kInt64);
  auto rows = ReadAll(Path("out.oc"));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"Namibia", "NA", "<null>"}));
  EXPECT_EQ(rows[1][1], "None");
  EXPECT_EQ(rows[2][1], "<null>");  // an empty unquoted field
  EXPECT_EQ(rows[2][2], "<null>");
  EXPECT_EQ(rows[3][1], "");  // a quoted empty string
  // Asked for, the list applies to string columns as well.
  o.na_values = {"", "NA"};
  o.output = Path("asked.oc");
  ASSERT_TRUE(Ingest(o).ok());
  EXPECT_EQ(ReadAll(Path("asked.oc"))[0][1], "<null>");
}

TEST_F(IngestTest, EmptyAndHeaderOnlyInputs) {
  auto empty = Ingest(Options({Write("empty.csv", "")}, Path("e.oc")));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty.csv is empty"), std::string::npos);
  EXPECT_FALSE(fs::exists(Path("e.oc")));
  auto header_only = Ingest(Options({Write("h.csv", "a,b\n")}, Path("h.oc")));
  ASSERT_TRUE(header_only.ok()) << header_only.status().ToString();
  EXPECT_EQ(header_only->rows_read, 0u);
  auto dataset = Dataset::Open(Path("h.oc"));
  ASSERT_TRUE(dataset.ok());
  EXPECT_EQ((*dataset)->num_rows(), 0);
  EXPECT_EQ((*dataset)->schema().size(), 2u);
}

TEST_F(IngestTest, CancelLeavesNothingBehind) {
  std::string in = Write("in.csv", SyntheticCsv(20000, 4));
  std::atomic<bool> cancel{true};
  IngestOptions o = Options({in}, Path("out.oc"));
  o.block_bytes = 4096;
  o.cancel = &cancel;
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(FilesIn(), 1u);
}

TEST_F(IngestTest, RefusesToWriteOverItsOwnInput) {
  std::string in = Write("in.csv", "a\n1\n");
  auto report = Ingest(Options({in}, in));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("is also the input"), std::string::npos);
  std::ifstream f(in);
  std::string first;
  std::getline(f, first);
  EXPECT_EQ(first, "a");  // untouched
}

// Issue 9, item 1: `--reject in.csv` overwrote the input with the rejects.
TEST_F(IngestTest, Issue9RejectsPathThatIsTheInputIsRefused) {
  const std::string bytes = "a\n1\nx\n";
  std::string in = Write("in.csv", bytes);
  IngestOptions o = Options({in}, Path("out.oc"));
  o.reject_path = (dir_ / "." / "in.csv").string();  // the same file by another spelling
  o.schema = {{"a", TypeId::kInt64}};
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(report.status().message().find("the rejects file " + o.reject_path + " is also the input"),
            std::string::npos)
      << report.status().message();
  std::stringstream content;
  content << std::ifstream(in).rdbuf();
  EXPECT_EQ(content.str(), bytes);
  EXPECT_EQ(FilesIn(), 1u);
}

// Issue 9, item 1: `--reject same.oc -o same.oc` left a CSV where the .oc was.
TEST_F(IngestTest, Issue9RejectsPathThatIsTheOutputIsRefused) {
  std::string in = Write("in.csv", "a\n1\n"), out = Path("same.oc");
  ASSERT_TRUE(Ingest(Options({in}, out)).ok());
  IngestOptions o = Options({in}, out);
  o.reject_path = out;
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("is also the output"), std::string::npos);
  EXPECT_EQ(ReadAll(out).size(), 1u);  // still the .oc
}

// Issue 9, item 3: a rejects file that cannot be written must not let the .oc commit.
TEST_F(IngestTest, Issue9ARejectsFileThatCannotBeWrittenLeavesTheOldOutput) {
  std::string in = Write("in.csv", "a\n1\n2\n"), out = Path("out.oc");
  ASSERT_TRUE(Ingest(Options({in}, out)).ok());
  const auto before = fs::file_size(out);
  fs::create_directory(Path("rejects"));
  std::string bad = Write("bad.csv", "a\n1\nx\n");
  IngestOptions o = Options({bad}, out);
  o.schema = {{"a", TypeId::kInt64}};
  o.reject_path = Path("rejects");
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("is a folder"), std::string::npos) << report.status().message();
  EXPECT_EQ(fs::file_size(out), before);
  EXPECT_EQ(ReadAll(out).size(), 2u);
  EXPECT_EQ(FilesIn(), 4u);  // in, bad, out, the folder: no temporary
}

TEST_F(IngestTest, Issue9OutputAndRejectsAreCommittedTogether) {
  std::string in = Write("in.csv", "a\n1\nx\n3\n"), out = Path("out.oc");
  IngestOptions o = Options({in}, out);
  o.schema = {{"a", TypeId::kInt64}};
  o.reject_path = Path("rejects.csv");
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_rejected, 1u);
  EXPECT_EQ(ReadAll(out).size(), 2u);
  std::stringstream rejects;
  rejects << std::ifstream(Path("rejects.csv")).rdbuf();
  EXPECT_NE(rejects.str().find(",3,a,"), std::string::npos) << rejects.str();
  EXPECT_EQ(FilesIn(), 3u);
}

TEST_F(IngestTest, UnknownSchemaColumnListsTheRealOnes) {
  IngestOptions o = Options({Write("in.csv", "alpha,beta\n1,2\n")}, Path("out.oc"));
  o.schema = {{"gamma", TypeId::kInt64}};
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("alpha, beta"), std::string::npos);
}

// Issue 10: line endings and text encodings.

// Item 3: a CR-only file was one header record: 0 rows, exit 0.
TEST_F(IngestTest, Issue10CrOnlyFilesKeepEveryRowAndTheirLineNumbers) {
  std::string csv = "id,word\r1,a\r2,\"two\rlines\"\r\r3,b,extra\r4,d\r";
  std::string in = Write("cr.csv", csv), out = Path("out.oc"), rejects = Path("rejects.csv");
  IngestOptions o = Options({in}, out);
  o.reject_path = rejects;
  o.block_bytes = 8;  // many blocks: each cut at a CR
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->line_ending, "CR");
  EXPECT_EQ(report->rows_read, 4u);
  EXPECT_EQ(report->rows_kept, 3u);
  EXPECT_EQ(report->rows_rejected, 1u);
  EXPECT_EQ(ReadAll(out),
            (std::vector<std::vector<std::string>>{{"1", "a"}, {"2", "two\rlines"}, {"4", "d"}}));
  std::ifstream f(rejects);
  std::stringstream text;
  text << f.rdbuf();
  // "3,b,extra" starts on physical line 6: the quoted CR and the blank line count.
  EXPECT_NE(text.str().find("cr.csv,6,,field_count,"), std::string::npos) << text.str();
}

TEST_F(IngestTest, FilesWithDifferentLineEndingsIngestTogether) {
  std::string lf = Write("lf.csv", "id,word\n1,a\n2,b\n");
  std::string cr = Write("cr.csv", "id,word\r3,c\r4,d\r");
  std::string crlf = Write("crlf.csv", "id,word\r\n5,e\r\n");
  std::string out = Path("out.oc");
  auto report = Ingest(Options({lf, cr, crlf}, out));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(ReadAll(out), (std::vector<std::vector<std::string>>{
                              {"1", "a"}, {"2", "b"}, {"3", "c"}, {"4", "d"}, {"5", "e"}}));
}

std::string Utf16Le(std::string_view ascii_or_latin1) {
  std::string out = "\xFF\xFE";
  for (char c : ascii_or_latin1) {
    out += c;
    out += '\0';
  }
  return out;
}

// Item 4: UTF-16 came in as NUL-riddled garbage.
TEST_F(IngestTest, Issue10Utf16WithBomIsTranscoded) {
  // "Jos\xE9" as UTF-16 code units: e-acute is U+00E9.
  std::string in = Write("u16.csv", Utf16Le("name,n\r\nJos\xE9,1\r\nAna,2\r\n")), out = Path("out.oc");
  auto report = Ingest(Options({in}, out));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->encoding, "utf-16le (byte order mark)");
  EXPECT_EQ(report->line_ending, "CRLF");
  ASSERT_EQ(report->columns.size(), 2u);
  EXPECT_EQ(report->columns[0].name, "name");
  EXPECT_EQ(report->columns[1].type, TypeId::kInt64);
  EXPECT_EQ(ReadAll(out), (std::vector<std::vector<std::string>>{{"Jos\xC3\xA9", "1"}, {"Ana", "2"}}));
}

TEST_F(IngestTest, Utf16WithoutBomIsAClearErrorUnlessTheEncodingIsGiven) {
  std::string bytes = Utf16Le("a,b\n1,2\n").substr(2);
  std::string in = Write("nobom.csv", bytes), out = Path("out.oc");
  auto report = Ingest(Options({in}, out));
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("--encoding utf-16le"), std::string::npos)
      << report.status().message();
  IngestOptions o = Options({in}, out);
  o.encoding = "utf-16le";
  report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(ReadAll(out), (std::vector<std::vector<std::string>>{{"1", "2"}}));
}

// Item 5: latin-1 rows were all rejected; a latin-1 header made a file Python cannot open.
TEST_F(IngestTest, Issue10Latin1NeedsItsEncodingAndThenComesInWhole) {
  std::string in = Write("l1.csv",
                         "Stra\xDF"
                         "e,Ort\nHauptstra\xDF"
                         "e,M\xFCnchen\nRing,K\xF6ln\n");
  std::string out = Path("out.oc");
  auto refused = Ingest(Options({in}, out));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("l1.csv, line 1: the header is not valid UTF-8: column 1 has "
                                            "byte 0xDF at byte offset 4"),
            std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(fs::exists(out));

  IngestOptions o = Options({in}, out);
  o.encoding = "latin-1";
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_kept, 2u);
  EXPECT_EQ(report->columns[0].name,
            "Stra\xC3\x9F"
            "e");
  EXPECT_EQ(ReadAll(out), (std::vector<std::vector<std::string>>{{"Hauptstra\xC3\x9F"
                                                                  "e",
                                                                  "M\xC3\xBCnchen"},
                                                                 {"Ring", "K\xC3\xB6ln"}}));
}

TEST_F(IngestTest, AnUnknownEncodingIsRefusedBeforeAnythingIsRead) {
  IngestOptions o = Options({Write("in.csv", "a\n1\n")}, Path("out.oc"));
  o.encoding = "klingon-8";
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("unknown encoding 'klingon-8'"), std::string::npos);
}

TEST_F(IngestTest, AnInvalidByteForTheEncodingNamesFileAndOffset) {
  IngestOptions o = Options({Write("in.csv", "a,b\n1,\x81\n")}, Path("out.oc"));
  o.encoding = "cp1252";
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("in.csv: byte offset 6 (0x81) is not valid cp1252"),
            std::string::npos)
      << report.status().message();
}

// A date as ScanAllText prints it: days since 1970-01-01.
std::string Day(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  return std::to_string(sys_days(std::chrono::year(year) / month / day).time_since_epoch().count());
}

// Issue 10, item 6: "a,a" refused the whole file.
TEST_F(IngestTest, Issue10DuplicateAndEmptyHeaderNamesAreRenamedAndReported) {
  std::string in = Write("in.csv", "a,a,,a.1\n1,2,3,4\n"), out = Path("out.oc");
  auto report = Ingest(Options({in}, out));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  std::vector<std::string> names;
  for (const auto& column : report->columns) names.push_back(column.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "a.2", "column_3", "a.1"}));
  ASSERT_EQ(report->renamed_columns.size(), 2u);
  EXPECT_EQ(report->renamed_columns[0].position, 2u);
  EXPECT_EQ(report->renamed_columns[0].from, "a");
  EXPECT_EQ(report->renamed_columns[0].to, "a.2");
  EXPECT_EQ(report->renamed_columns[1].position, 3u);
  EXPECT_EQ(report->renamed_columns[1].from, "");
  EXPECT_EQ(report->renamed_columns[1].to, "column_3");
  EXPECT_EQ(ReadAll(out), (std::vector<std::vector<std::string>>{{"1", "2", "3", "4"}}));
}

TEST_F(IngestTest, Issue10SchemaForARepeatedNameTypesItsCopies) {
  std::string in = Write("in.csv", "a,a,a\n01,02,03\n"), out = Path("out.oc");
  IngestOptions o = Options({in}, out);
  o.schema = {{"a", TypeId::kString}, {"a.2", TypeId::kFloat64}};
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->columns[0].type, TypeId::kString);
  EXPECT_EQ(report->columns[1].type, TypeId::kString);   // a copy of 'a'
  EXPECT_EQ(report->columns[2].type, TypeId::kFloat64);  // its own entry wins
  EXPECT_EQ(ReadAll(out), (std::vector<std::vector<std::string>>{{"01", "02", Bits(3.0)}}));
}

TEST_F(IngestTest, Issue10EveryFileMustSpellTheHeaderTheSameWay) {
  std::string a = Write("a.csv", "k,k\n1,2\n"), b = Write("b.csv", "k,k\n3,4\n"),
              c = Write("c.csv", "k,k.1\n5,6\n");
  auto report = Ingest(Options({a, b}, Path("ab.oc")));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_kept, 2u);
  auto mismatch = Ingest(Options({a, c}, Path("ac.oc")));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("column 2 is 'k.1', expected 'k'"), std::string::npos)
      << mismatch.status().ToString();
}

// Issue 10, item 7: Debian's distro-info CSVs lose most rows without it.
TEST_F(IngestTest, Issue10PadShortRowsKeepsRowsAndCountsThem) {
  std::string csv =
      "version,codename,created,eol,eol-lts\n"
      "1.1,Buzz,1993-08-16\n"
      "10,Buster,2017-06-17,2022-09-10,2024-06-30\n"
      "11,Bullseye,2019-07-06,2024-08-14\n"
      "12,Bookworm,2021-08-14,2026-06-10,2028-06-30,extra\n";  // line 5: too long, still a reject
  std::string in = Write("in.csv", csv), out = Path("out.oc"), rejects = Path("rejects.csv");
  IngestOptions o = Options({in}, out);
  o.reject_path = rejects;
  o.pad_short_rows = true;
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_read, 4u);
  EXPECT_EQ(report->rows_kept, 3u);
  EXPECT_EQ(report->rows_rejected, 1u);
  EXPECT_EQ(report->rows_padded, 2u);
  EXPECT_EQ(report->columns[3].type, TypeId::kDate);
  auto rows = ReadAll(out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{Bits(1.1), "Buzz", Day(1993, 8, 16), "<null>", "<null>"}));
  EXPECT_EQ(rows[2][3], Day(2024, 8, 14));
  EXPECT_EQ(rows[2][4], "<null>");
  EXPECT_NE(ReadText(rejects).find(",5,,field_count,"), std::string::npos) << ReadText(rejects);
  o.pad_short_rows = false;
  o.output = Path("strict.oc");
  auto strict = Ingest(o);
  ASSERT_TRUE(strict.ok()) << strict.status().ToString();
  EXPECT_EQ(strict->rows_rejected, 3u);
  EXPECT_EQ(strict->rows_padded, 0u);
}

// Issue 10, item 8: title lines above the header, comment lines; rejects keep
// the physical line numbers of the input.
TEST_F(IngestTest, Issue10SkipRowsAndCommentsKeepPhysicalLineNumbers) {
  std::string csv =
      "Statistics office \"export\n"  // a stray quote in a title opens nothing
      "Table 1; persons\n"
      "id;n\n"
      "# note\n"
      "1;10\n"
      "2;x\n"  // line 6
      "# \"another\n"
      "3;30\n"
      "4;y\n";  // line 9
  std::string in = Write("in.csv", csv), out = Path("out.oc"), rejects = Path("rejects.csv");
  IngestOptions o = Options({in}, out);
  o.reject_path = rejects;
  o.skip_rows = 2;
  o.comment = '#';
  o.schema = {{"n", TypeId::kInt64}};
  o.block_bytes = 16;  // several blocks: the counts add up across them
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->delimiter, ';');
  EXPECT_EQ(report->lines_skipped, 2u);
  EXPECT_EQ(report->comment_lines, 2u);
  EXPECT_EQ(report->rows_read, 4u);
  EXPECT_EQ(report->rows_read, report->rows_kept + report->rows_rejected);
  const std::string body = ReadText(rejects);
  EXPECT_NE(body.find(",6,n,unparsable,"), std::string::npos) << body;
  EXPECT_NE(body.find(",9,n,unparsable,"), std::string::npos) << body;
  EXPECT_EQ(ReadAll(out), (std::vector<std::vector<std::string>>{{"1", "10"}, {"3", "30"}}));
}

TEST_F(IngestTest, Issue10SkipRowsPastTheEndSaysSo) {
  std::string in = Write("in.csv", "title\n"), out = Path("out.oc");
  IngestOptions o = Options({in}, out);
  o.skip_rows = 5;
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("--skip-rows"), std::string::npos) << report.status().ToString();
}

// Issue 10, item 12: decimal commas, and ':' as the delimiter.
TEST_F(IngestTest, Issue10DecimalCommaReadsFloats) {
  std::string in = Write("in.csv", "x;y\n1,5;a\n-0,25;b\n3;c\n"), out = Path("out.oc");
  IngestOptions o = Options({in}, out);
  o.decimal = ',';
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->delimiter, ';');
  EXPECT_EQ(report->columns[0].type, TypeId::kFloat64);
  EXPECT_EQ(ReadAll(out),
            (std::vector<std::vector<std::string>>{{Bits(1.5), "a"}, {Bits(-0.25), "b"}, {Bits(3.0), "c"}}));
  o.delimiter = ',';
  o.output = Path("clash.oc");
  auto clash = Ingest(o);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(clash.status().message().find("--decimal ','"), std::string::npos) << clash.status().ToString();
}

TEST_F(IngestTest, Issue10ColonAndSpaceAlignedFilesAreDetected) {
  std::string colon = Write("colon.csv", "city:pop\nSouthborough:9686\nNorthbridge:14061\n");
  auto report = Ingest(Options({colon}, Path("colon.oc")));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->delimiter, ':');
  EXPECT_EQ(report->columns.size(), 2u);
  std::string aligned = Write("aligned.txt",
                              "city        pop    since\n"
                              "New York    8336817  1624\n"
                              "Paris       2148000  -52\n");
  report = Ingest(Options({aligned}, Path("aligned.oc")));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->space_aligned, 2);
  EXPECT_EQ(report->columns[1].type, TypeId::kInt64);
  EXPECT_EQ(ReadAll(Path("aligned.oc")), (std::vector<std::vector<std::string>>{
                                             {"New York", "8336817", "1624"}, {"Paris", "2148000", "-52"}}));
}

// Issue 10, --escape: values holding quotes, delimiters, newlines and
// backslashes, written with backslash escapes in quoted and unquoted fields,
// come back exactly, however the blocks cut the file (the cut must never
// fall after an escape, nor inside a quoted field an escaped quote seems to
// close); an escape as the file's very last byte has nothing to escape and
// is kept.
TEST_F(IngestTest, Issue10EscapedValuesComeBackAtEveryBlockSize) {
  std::mt19937 random(10);
  const std::string alphabet = "ab,\"\n\\;x";
  std::string csv = "id,text\n";
  std::vector<std::vector<std::string>> expected;
  for (int row = 0; row < 3000; ++row) {
    std::string value = "v";
    for (size_t length = random() % 12; length > 0; --length) value += alphabet[random() % alphabet.size()];
    const bool quoted = random() % 2 == 0;
    std::string written = quoted ? "\"" : "";
    for (char c : value) {
      if (c == '\\' || (c == '"' && (!quoted || random() % 2)) || (!quoted && (c == ',' || c == '\n'))) {
        written += '\\';
      } else if (c == '"') {
        written += '"';  // a doubled quote still works inside quotes
      }
      written += c;
    }
    if (quoted) written += '"';
    csv += std::to_string(row) + "," + written + "\n";
    expected.push_back({std::to_string(row), value});
  }
  csv += "3000,end\\";  // no newline: the last byte is an escape
  expected.push_back({"3000", "end\\"});
  const std::string in = Write("in.csv", csv);
  for (uint64_t block_bytes : {uint64_t(256), uint64_t(1000), uint64_t(4096), uint64_t(0)}) {
    IngestOptions o = Options({in}, Path("out" + std::to_string(block_bytes) + ".oc"));
    o.escape = '\\';
    o.delimiter = ',';
    o.block_bytes = block_bytes;
    auto report = Ingest(o);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->rows_rejected, 0u) << block_bytes;
    EXPECT_EQ(report->escape, '\\');
    EXPECT_EQ(ReadAll(o.output), expected) << block_bytes;
  }
  // Without --escape the same file is not silently misread: rows are rejected.
  IngestOptions plain = Options({in}, Path("plain.oc"));
  plain.delimiter = ',';
  auto report = Ingest(plain);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_GT(report->rows_rejected, 0u);
}

// Issue 10, --thousands: grouped negative numbers and floats are read,
// values without a separator too; a separator that does not group the
// integer part in threes ("1,23,4", "12,50") is never read as a number, in
// an inferred or a declared column: the row is rejected, saying why.
TEST_F(IngestTest, Issue10ThousandsReadsGroupedNumbersAndRejectsWrongGrouping) {
  std::string csv = "id;n;x\n";
  for (int i = 0; i < 300; ++i)
    csv += std::to_string(i) + ";" + std::to_string(i * 1001) + ";" + std::to_string(i) + ".5\n";
  csv += "300;-1,338;-1,250.75\n301;12,345,678;1,000,000.125\n302;1,23,4;1.5\n303;7;12,50\n304;1,2345;2\n";
  const std::string in = Write("in.csv", csv);
  IngestOptions o = Options({in}, Path("out.oc"));
  o.thousands = ',';
  o.reject_path = Path("rejects.csv");
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->delimiter, ';');
  EXPECT_EQ(report->thousands, ',');
  EXPECT_EQ(report->columns[1].type, TypeId::kInt64);
  EXPECT_EQ(report->columns[2].type, TypeId::kFloat64);
  EXPECT_EQ(report->rows_rejected, 3u);
  const auto rows = ReadAll(o.output);
  ASSERT_EQ(rows.size(), 302u);
  EXPECT_EQ(rows[300], (std::vector<std::string>{"300", "-1338", Bits(-1250.75)}));
  EXPECT_EQ(rows[301], (std::vector<std::string>{"301", "12345678", Bits(1000000.125)}));
  const std::string rejects = ReadText(o.reject_path);
  EXPECT_NE(rejects.find("'1,23,4' is not an int64: --thousands , reads groups of exactly three digits"),
            std::string::npos)
      << rejects;
  EXPECT_NE(rejects.find("'12,50' is not a float64"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("'1,2345' is not an int64"), std::string::npos) << rejects;
  // Declared types: the same rule.
  o.output = Path("declared.oc");
  o.schema = {{"n", TypeId::kInt64}, {"x", TypeId::kFloat64}};
  auto declared = Ingest(o);
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  EXPECT_EQ(declared->rows_rejected, 3u);
  EXPECT_EQ(ReadAll(o.output), rows);
}

// Issue 10: --thousands '.' with --decimal ',' (1.338,5), and a separator
// that is the decimal point is refused before anything is written.
TEST_F(IngestTest, Issue10ThousandsWithADecimalCommaAndTheClashRefused) {
  const std::string in = Write("in.csv", "a;b\n1.338,5;2.000.000\n-7,25;12\n");
  IngestOptions o = Options({in}, Path("out.oc"));
  o.decimal = ',';
  o.thousands = '.';
  auto report = Ingest(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows_rejected, 0u);
  EXPECT_EQ(ReadAll(o.output),
            (std::vector<std::vector<std::string>>{{Bits(1338.5), "2000000"}, {Bits(-7.25), "12"}}));
  o.output = Path("clash.oc");
  o.thousands = ',';
  auto clash = Ingest(o);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(clash.status().message().find("--thousands ',' is also the decimal point"), std::string::npos)
      << clash.status().ToString();
  EXPECT_FALSE(fs::exists(o.output));
}

// Issue 10: --thousands ',' in a comma-separated file (an Excel export that
// quotes its formatted numbers, as pandas reads with thousands=','): quoted
// "1,644" is 1644; an unquoted 1,644 is two fields, so the row is a
// field-count reject (never a silent merge) and the hint says to quote.
TEST_F(IngestTest, Issue10ThousandsThatIsTheDelimiterReadsQuotedNumbers) {
  std::string csv = "code,admissions\n";
  for (int i = 0; i < 50; ++i) {
    const std::string number = std::to_string(i);
    csv.append("R").append(number).append(",").append(number).append("\n");
  }
  csv += "RAT,\"1,296\"\nRDY,\"2,115\"\nRXX,1,644\n";
  const std::string in = Write("in.csv", csv);
  IngestOptions o = Options({in}, Path("out.oc"));
  o.thousands = ',';
  IngestReport report;
  const Status status = Ingest(o, &report);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(report.columns[1].type, TypeId::kInt64);
  EXPECT_EQ(report.rows_rejected, 1u);
  const auto rows = ReadAll(o.output);
  ASSERT_EQ(rows.size(), 52u);
  EXPECT_EQ(rows[50], (std::vector<std::string>{"RAT", "1296"}));
  EXPECT_EQ(rows[51], (std::vector<std::string>{"RDY", "2115"}));
  EXPECT_NE(DescribeRejects(report).find("a grouped number must be quoted"), std::string::npos)
      << DescribeRejects(report);
}

// The reject hints name the delimiter the file was read with, also when
// --max-rejects trips (the shared stages summarize after the CSV front has
// filled its part of the report).
TEST_F(IngestTest, RejectHintsNameTheDetectedDelimiter) {
  const std::string in = Write("in.csv", "a;b\n1;2\n3;4;5\n6;7\n");
  IngestOptions o = Options({in}, Path("out.oc"));
  o.max_rejects = *ParseRejectLimit("0", "--max-rejects");
  IngestReport report;
  const Status status = Ingest(o, &report);
  ASSERT_EQ(status.code(), StatusCode::kDataError);
  EXPECT_NE(status.message().find("check --delimiter (it was ';')"), std::string::npos) << status.ToString();
  EXPECT_EQ(report.delimiter, ';');
}

}  // namespace
}  // namespace outcore
