// End-to-end: CSV -> Ingest -> .oc -> Scanner -> the same values.
#include "outcore/ingest.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "format/file_reader.h"
#include "ingest/scan_test_util.h"
#include "outcore/dataset.h"

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
  // With an index, blocks get 55% of what the baseline reserve leaves.
  EXPECT_EQ(plan.block_share_bytes, uint64_t(double(plan.memory_limit - plan.baseline_reserve) * 0.55));
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
  EXPECT_NE(report.status().message().find("also an input"), std::string::npos);
  std::ifstream f(in);
  std::string first;
  std::getline(f, first);
  EXPECT_EQ(first, "a");  // untouched
}

TEST_F(IngestTest, UnknownSchemaColumnListsTheRealOnes) {
  IngestOptions o = Options({Write("in.csv", "alpha,beta\n1,2\n")}, Path("out.oc"));
  o.schema = {{"gamma", TypeId::kInt64}};
  auto report = Ingest(o);
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("alpha, beta"), std::string::npos);
}

}  // namespace
}  // namespace outcore
