#include "csv/block_parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <string>

#include "csv/record_boundary.h"
#include "csv/source.h"
#include "csv/value_parser.h"

namespace outcore {
namespace {

struct Parsed {
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  size_t records = 0;
};

Parsed ParseCsv(const std::string& csv, std::vector<TypeId> schema, MemoryBudget* budget = nullptr,
                uint64_t first_line = 1) {
  TokenizedBlock tokens(budget);
  Tokenize(csv, Dialect{}, &tokens);
  BlockParser parser(std::move(schema), ParseOptions{}, budget);
  Parsed parsed;
  parsed.records = tokens.num_records() - 1;
  Status status = parser.Parse(csv, tokens, 1, first_line, &parsed.columns, &parsed.rejects);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return parsed;
}

TEST(BlockParser, ParsesEveryTypeIntoArrowLayout) {
  auto parsed = ParseCsv(
      "b,i,f,d,t,s\n"
      "true,-5,1.5,1970-01-02,1970-01-01 00:00:01,\"a,\"\"b\"\"\"\n"
      "false,7,-0.25,1969-12-31,1970-01-01T00:00:00.000002,plain\n",
      {TypeId::kBool, TypeId::kInt64, TypeId::kFloat64, TypeId::kDate, TypeId::kTimestamp, TypeId::kString});
  ASSERT_TRUE(parsed.rejects.empty());
  auto& c = parsed.columns;
  for (auto& column : c) {
    EXPECT_EQ(column.length, 2);
    EXPECT_EQ(column.null_count, 0);
    EXPECT_TRUE(column.validity.empty());
  }
  EXPECT_TRUE(c[0].GetBool(0));
  EXPECT_FALSE(c[0].GetBool(1));
  EXPECT_EQ(c[1].GetInt64(0), -5);
  EXPECT_EQ(c[1].GetInt64(1), 7);
  EXPECT_EQ(c[2].GetFloat64(1), -0.25);
  EXPECT_EQ(c[3].GetDate(0), 1);
  EXPECT_EQ(c[3].GetDate(1), -1);
  EXPECT_EQ(c[4].GetInt64(0), 1000000);
  EXPECT_EQ(c[4].GetInt64(1), 2);
  EXPECT_EQ(c[5].GetString(0), "a,\"b\"");
  EXPECT_EQ(c[5].GetString(1), "plain");
}

TEST(BlockParser, NullsGetAValidityBitmapAndZeroSlots) {
  auto parsed = ParseCsv("i,s\n1,x\nNA,\n3,\"\"\n,NULL\n", {TypeId::kInt64, TypeId::kString});
  ASSERT_TRUE(parsed.rejects.empty());
  const ColumnVector& ints = parsed.columns[0];
  EXPECT_EQ(ints.length, 4);
  EXPECT_EQ(ints.null_count, 2);
  EXPECT_TRUE(ints.IsValid(0));
  EXPECT_FALSE(ints.IsValid(1));
  EXPECT_EQ(ints.GetInt64(1), 0);
  EXPECT_FALSE(ints.IsValid(3));
  const ColumnVector& strings = parsed.columns[1];
  EXPECT_EQ(strings.null_count, 1);  // the empty field; NULL is text in a string column
  EXPECT_TRUE(strings.IsValid(2));   // "" in quotes is an empty string
  EXPECT_EQ(strings.GetString(2), "");
  EXPECT_FALSE(strings.IsValid(1));
  EXPECT_EQ(strings.GetString(1), "");
  EXPECT_EQ(strings.GetString(3), "NULL");
}

TEST(BlockParser, Issue10NaSpellingsAreTextInStringColumnsUnlessAskedFor) {
  const std::string csv = "c,iso2,n\nNamibia,NA,NA\nBrazil,None,nan\nX,,\nY,\"\",None\nZ,NULL,1\n";
  const std::vector<TypeId> schema = {TypeId::kString, TypeId::kString, TypeId::kFloat64};
  auto parsed = ParseCsv(csv, schema);
  ASSERT_TRUE(parsed.rejects.empty());
  const ColumnVector& iso2 = parsed.columns[1];
  EXPECT_EQ(iso2.GetString(0), "NA");  // Namibia
  EXPECT_EQ(iso2.GetString(1), "None");
  EXPECT_FALSE(iso2.IsValid(2));  // only the empty unquoted field is missing
  EXPECT_TRUE(iso2.IsValid(3));
  EXPECT_EQ(iso2.null_count, 1);
  EXPECT_EQ(iso2.GetString(4), "NULL");
  EXPECT_EQ(parsed.columns[2].null_count, 4);  // in a typed column the NA list applies
  // An explicit list (--na) applies to string columns too, quoted fields aside.
  ParseOptions options;
  options.spellings.na = SpellingSet{"NA", ""};
  options.spellings.string_na = options.spellings.na;
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  BlockParser parser(schema, options, nullptr);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  ASSERT_TRUE(parser.Parse(csv, tokens, 1, 1, &columns, &rejects).ok());
  ASSERT_EQ(rejects.size(), 1u);  // Y: "None" is no float with this list ("nan" is a NaN)
  EXPECT_FALSE(columns[1].IsValid(0));
  EXPECT_EQ(columns[1].GetString(1), "None");
  EXPECT_FALSE(columns[1].IsValid(2));
  EXPECT_EQ(columns[1].GetString(3), "NULL");
}

TEST(BlockParser, Issue10LosslessColumnsRejectAndReportWhatWouldBeLost) {
  const std::string csv =
      "zip,n,q\n"
      "10001,1,1\n"
      "02134,2,2\n"       // line 3: a ZIP code
      "300389460z,3,3\n"  // line 4: the second one in the column is not reported again
      "1,2.5,4\n"         // line 5: a float in an int64 column
      "2,4,many\n";       // line 6: dirt, just a reject
  const std::vector<TypeId> schema = {TypeId::kInt64, TypeId::kInt64, TypeId::kInt64};
  ParseOptions options;
  options.lossless_columns = {1, 1, 1};
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  BlockParser parser(schema, options, nullptr);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  ASSERT_TRUE(parser.Parse(csv, tokens, 1, 1, &columns, &rejects).ok());
  ASSERT_EQ(rejects.size(), 4u);
  EXPECT_EQ(rejects[0].line, 3u);
  EXPECT_NE(rejects[0].detail.find("'02134' would lose its leading zero as int64"), std::string::npos);
  EXPECT_EQ(columns[0].length, 1);
  const std::vector<Widening>& widenings = parser.widenings();
  ASSERT_EQ(widenings.size(), 2u);
  EXPECT_EQ(widenings[0].column, 0u);
  EXPECT_EQ(widenings[0].type, TypeId::kString);
  EXPECT_EQ(widenings[0].line, 3u);
  EXPECT_EQ(widenings[1].column, 1u);
  EXPECT_EQ(widenings[1].type, TypeId::kFloat64);
  EXPECT_EQ(widenings[1].line, 5u);
  // A declared int64 column reads "02134" as 2134, as asked; nothing to widen.
  auto declared = ParseCsv(csv, schema);
  EXPECT_EQ(declared.rejects.size(), 3u);
  EXPECT_EQ(declared.columns[0].GetInt64(1), 2134);
}

TEST(BlockParser, EveryRecordIsKeptOrRejectedOnceWithReasonAndLine) {
  const std::string csv =
      "a,b,c\n"                      // line 1: header
      "1,x,1.5\n"                    // 2 kept
      "2,y\n"                        // 3 field count
      "abc,z,2\n"                    // 4 unparsable a
      "99999999999999999999,w,zz\n"  // 5 out of range a (first failing column wins)
      "\"4\"x,v,1\n"                 // 6 malformed quote
      "\n"                           // 7 blank: no record
      "5,\"multi\nline\",2.5\n"      // 8-9 kept
      "6,u,oops\n"                   // 10 unparsable c
      "7,\"open,1\n";                // 11 unterminated
  auto parsed = ParseCsv(csv, {TypeId::kInt64, TypeId::kString, TypeId::kFloat64});
  EXPECT_EQ(parsed.records, 8u);
  EXPECT_EQ(size_t(parsed.columns[0].length) + parsed.rejects.size(), parsed.records);
  ASSERT_EQ(parsed.rejects.size(), 6u);
  struct Expect {
    uint64_t line;
    int32_t column;
    RejectReason reason;
    const char* detail;
  };
  const Expect expected[] = {
      {3, -1, RejectReason::kFieldCount, "expected 3 fields, found 2"},
      {4, 0, RejectReason::kUnparsable, "'abc' is not an int64"},
      {5, 0, RejectReason::kOutOfRange, "'99999999999999999999' is out of range for int64"},
      {6, 0, RejectReason::kMalformedQuote, nullptr},
      {10, 2, RejectReason::kUnparsable, "'oops' is not a float64"},
      {11, 1, RejectReason::kUnterminatedQuote, nullptr},
  };
  for (size_t i = 0; i < parsed.rejects.size(); ++i) {
    const RowReject& reject = parsed.rejects[i];
    EXPECT_EQ(reject.line, expected[i].line) << i;
    EXPECT_EQ(reject.column, expected[i].column) << i;
    EXPECT_EQ(reject.reason, expected[i].reason) << i;
    if (expected[i].detail) {
      EXPECT_EQ(reject.detail, expected[i].detail) << i;
    }
  }
  EXPECT_EQ(parsed.rejects[1].raw, "abc,z,2");
  // The kept rows, compacted in order.
  ASSERT_EQ(parsed.columns[0].length, 2);
  EXPECT_EQ(parsed.columns[0].GetInt64(0), 1);
  EXPECT_EQ(parsed.columns[0].GetInt64(1), 5);
  EXPECT_EQ(parsed.columns[1].GetString(0), "x");
  EXPECT_EQ(parsed.columns[1].GetString(1), "multi\nline");
  EXPECT_EQ(parsed.columns[2].GetFloat64(1), 2.5);
}

TEST(BlockParser, CompactionKeepsBitsAndValidityAligned) {
  std::string csv = "b,i\n";
  std::vector<std::pair<int, bool>> kept;  // (value, bit) of the rows that survive
  for (int row = 0; row < 100; ++row) {
    const bool bit = row % 3 == 0;
    if (row % 7 == 0) {
      csv += std::string(bit ? "true" : "false") + ",bad\n";
    } else if (row % 5 == 0) {
      csv += std::string(bit ? "true" : "false") + ",\n";  // null int
      kept.push_back({-1, bit});
    } else {
      csv += std::string(bit ? "true" : "false") + "," + std::to_string(row) + "\n";
      kept.push_back({row, bit});
    }
  }
  auto parsed = ParseCsv(csv, {TypeId::kBool, TypeId::kInt64});
  ASSERT_EQ(size_t(parsed.columns[0].length), kept.size());
  int64_t nulls = 0;
  for (size_t row = 0; row < kept.size(); ++row) {
    EXPECT_EQ(parsed.columns[0].GetBool(int64_t(row)), kept[row].second) << row;
    const bool is_null = kept[row].first < 0;
    nulls += is_null;
    EXPECT_EQ(parsed.columns[1].IsValid(int64_t(row)), !is_null) << row;
    if (!is_null) {
      EXPECT_EQ(parsed.columns[1].GetInt64(int64_t(row)), kept[row].first);
    }
  }
  EXPECT_EQ(parsed.columns[1].null_count, nulls);
}

TEST(BlockParser, BadQuotesPastTheLastColumnRejectTheWholeRow) {
  auto parsed = ParseCsv("a,b\n1,2,\"x\"y\n", {TypeId::kInt64, TypeId::kInt64});
  ASSERT_EQ(parsed.rejects.size(), 1u);
  EXPECT_EQ(parsed.rejects[0].reason, RejectReason::kMalformedQuote);
  EXPECT_EQ(parsed.rejects[0].column, -1);
  EXPECT_EQ(parsed.rejects[0].detail, "text after the closing quote of field 3");
}

TEST(BlockParser, NullsOnlyInRejectedRowsLeaveValidityEmpty) {
  auto parsed = ParseCsv("i,j\n1,2\n,bad\n3,4\n", {TypeId::kInt64, TypeId::kInt64});
  ASSERT_EQ(parsed.rejects.size(), 1u);
  EXPECT_EQ(parsed.columns[0].null_count, 0);
  EXPECT_TRUE(parsed.columns[0].validity.empty());
}

TEST(BlockParser, RejectsInvalidUtf8InStringColumns) {
  auto parsed = ParseCsv("s,i\nok,1\nbad\xC3,2\n\xE2\x82\xAC,3\n", {TypeId::kString, TypeId::kInt64});
  ASSERT_EQ(parsed.rejects.size(), 1u);
  EXPECT_EQ(parsed.rejects[0].reason, RejectReason::kInvalidUtf8);
  EXPECT_EQ(parsed.rejects[0].line, 3u);
  ASSERT_EQ(parsed.columns[0].length, 2);
  EXPECT_EQ(parsed.columns[0].GetString(1), "\xE2\x82\xAC");
}

TEST(BlockParser, CompactionMovesRunsOfKeptRowsOfEveryTypeAfterEarlierBlocks) {
  // A second block appended after a first: kept rows before its first
  // reject, runs of kept rows between rejects (one row, several, at the end),
  // nulls in every column, strings of different lengths.
  MemoryBudget budget(1 << 30);
  const std::vector<TypeId> schema = {TypeId::kBool, TypeId::kInt64, TypeId::kDate, TypeId::kString};
  BlockParser parser(schema, ParseOptions{}, &budget);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  TokenizedBlock tokens(&budget);
  const std::string first = "b,i,d,s\ntrue,1,2020-01-01,first\n";
  Tokenize(first, Dialect{}, &tokens);
  ASSERT_TRUE(parser.Parse(first, tokens, 1, 1, &columns, &rejects).ok());
  struct Row {
    std::string b, i, d, s;
    bool bad;
  };
  std::vector<Row> rows;
  std::mt19937 rng(5);
  for (int row = 0; row < 300; ++row) {
    const bool bad = row >= 4 && (row % 11 == 0 || row % 13 == 0 || row % 17 == 0 || row > 290);
    rows.push_back({row % 6 == 1 ? "" : (row % 2 ? "true" : "false"),
                    bad ? "x" : (row % 5 == 2 ? "" : std::to_string(row)),
                    row % 7 == 3 ? "" : "2021-03-" + std::to_string(10 + row % 18),
                    row % 9 == 4 ? "" : std::string(size_t(rng() % 12), char('a' + row % 26)), bad});
  }
  rows.push_back({"true", "1", "2021-01-01", "last", false});  // a kept row after the last run of rejects
  std::string second;
  for (const Row& r : rows) second += r.b + "," + r.i + "," + r.d + "," + r.s + "\n";
  Tokenize(second, Dialect{}, &tokens);
  ASSERT_TRUE(parser.Parse(second, tokens, 0, 3, &columns, &rejects).ok());
  int64_t kept = 1;
  for (const Row& r : rows) {
    if (r.bad) continue;
    const int64_t at = kept++;
    EXPECT_EQ(columns[0].IsValid(at), !r.b.empty()) << at;
    if (!r.b.empty()) {
      EXPECT_EQ(columns[0].GetBool(at), r.b == "true") << at;
    }
    EXPECT_EQ(columns[1].IsValid(at), !r.i.empty()) << at;
    if (!r.i.empty()) {
      EXPECT_EQ(columns[1].GetInt64(at), std::stoll(r.i)) << at;
    }
    EXPECT_EQ(columns[2].IsValid(at), !r.d.empty()) << at;
    if (!r.d.empty()) {
      int32_t days;
      ASSERT_EQ(ParseDate(r.d, &days), ParseOutcome::kOk);
      EXPECT_EQ(columns[2].GetDate(at), days) << at;
    }
    // An empty unquoted field is a null string.
    EXPECT_EQ(columns[3].IsValid(at), !r.s.empty()) << at;
    if (!r.s.empty()) {
      EXPECT_EQ(columns[3].GetString(at), r.s) << at;
    }
  }
  EXPECT_EQ(columns[0].length, kept);
  EXPECT_EQ(columns[3].length, kept);
  EXPECT_EQ(columns[3].GetString(0), "first");
  EXPECT_EQ(columns[3].GetString(kept - 1), "last");
  EXPECT_EQ(rejects.size(), rows.size() + 1 - size_t(kept));
}

TEST(BlockParser, AppendsAcrossBlocksAndCountsLinesFromFirstLine) {
  MemoryBudget budget(1 << 30);
  BlockParser parser({TypeId::kInt64, TypeId::kString}, ParseOptions{}, &budget);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  TokenizedBlock tokens(&budget);
  const std::string first = "n,s\n1,a\n,b\n";
  Tokenize(first, Dialect{}, &tokens);
  ASSERT_TRUE(parser.Parse(first, tokens, 1, 1, &columns, &rejects).ok());
  const std::string second = "3,c\nx,d\n4,\"e\"\n";
  Tokenize(second, Dialect{}, &tokens);
  ASSERT_TRUE(parser.Parse(second, tokens, 0, 1 + CountNewlines(first), &columns, &rejects).ok());
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].line, 5u);
  ASSERT_EQ(columns[0].length, 4);
  EXPECT_EQ(columns[0].null_count, 1);
  EXPECT_FALSE(columns[0].IsValid(1));
  EXPECT_TRUE(columns[0].IsValid(3));
  EXPECT_EQ(columns[0].GetInt64(3), 4);
  EXPECT_EQ(columns[1].GetString(0), "a");
  EXPECT_EQ(columns[1].GetString(3), "e");
  EXPECT_GT(budget.used(), 0u);
}

TEST(BlockParser, CapsRawBytesOfHugeRecords) {
  std::string huge(RowReject::kMaxRawBytes + 100, 'x');
  auto parsed = ParseCsv("i\n" + huge + "\n", {TypeId::kInt64});
  ASSERT_EQ(parsed.rejects.size(), 1u);
  EXPECT_EQ(parsed.rejects[0].raw.size(), RowReject::kMaxRawBytes);
  EXPECT_LT(parsed.rejects[0].detail.size(), 200u);
}

// Random bytes from a CSV-ish alphabet under random schemas: never a crash,
// and the accounting holds whatever the input.
TEST(BlockParser, HostileInputKeepsKeptPlusRejectedEqualToRecords) {
  std::mt19937 rng(9);
  const std::string alphabet[] = {",",    "\"",         "\n",        "\r",   "1",    "-", ".",    "e", "NA",
                                  "true", "2024-01-01", " 12:00:00", "\xC3", "\xA9", "x", "\"\"", ""};
  const TypeId types[] = {TypeId::kBool,   TypeId::kInt64, TypeId::kFloat64,
                          TypeId::kString, TypeId::kDate,  TypeId::kTimestamp};
  for (int trial = 0; trial < 2000; ++trial) {
    std::string csv;
    for (int piece = int(rng() % 60); piece > 0; --piece) csv += alphabet[rng() % std::size(alphabet)];
    std::vector<TypeId> schema(1 + rng() % 3);
    for (TypeId& type : schema) type = types[rng() % std::size(types)];
    TokenizedBlock tokens;
    Tokenize(csv, Dialect{}, &tokens);
    BlockParser parser(schema, ParseOptions{}, nullptr);
    std::vector<ColumnVector> columns;
    std::vector<RowReject> rejects;
    ASSERT_TRUE(parser.Parse(csv, tokens, 0, 1, &columns, &rejects).ok());
    for (const ColumnVector& column : columns) {
      ASSERT_EQ(size_t(column.length) + rejects.size(), tokens.num_records()) << testing::PrintToString(csv);
      EXPECT_EQ(column.validity.empty(), column.null_count == 0);
      if (column.type == TypeId::kString) {
        const int32_t* offsets = column.values.as<int32_t>();
        for (int64_t row = 0; row < column.length; ++row) ASSERT_LE(offsets[row], offsets[row + 1]);
        EXPECT_EQ(size_t(offsets[column.length]), column.data.size());
      }
    }
    for (size_t i = 1; i < rejects.size(); ++i) EXPECT_LT(rejects[i - 1].line, rejects[i].line);
  }
}

// The pipeline's use of this layer, end to end on dirty data: a ByteSource
// read in small blocks cut at FindLastRecordEnd, tails carried, lines counted,
// must give exactly what parsing the whole file as one block gives.
TEST(BlockParser, SmallBlocksFromASourceMatchOneWholeBlock) {
  std::mt19937 rng(21);
  std::string csv = "id,height,when,note\n";
  for (int row = 0; row < 3000; ++row) {
    // Appends rather than "literal" + string: GCC 12 warns falsely (-Wrestrict) on the latter.
    if (rng() % 50 == 0) csv += 'x';  // unparsable id
    csv += std::to_string(row);
    csv += ',';
    if (rng() % 40 == 0) {
      csv += "5'11\"";  // a literal quote in an unquoted field
    } else {
      csv += std::to_string(rng() % 200);
      csv += '.';
      csv += std::to_string(rng() % 10);
    }
    csv += ",2024-0";
    csv += std::to_string(1 + rng() % 9);
    csv += '-';
    csv += std::to_string(10 + rng() % 19);
    csv += rng() % 10 == 0 ? ",\"multi\nline, \"\"quoted\"\"\"" : ",plain";
    csv += rng() % 60 == 0 ? ",extra\n" : "\n";
    if (rng() % 100 == 0) csv += "\r\n";  // blank line
  }
  char dir_pattern[] = "/tmp/outcore_pipeline_test.XXXXXX";
  ASSERT_NE(mkdtemp(dir_pattern), nullptr);
  const std::string path = std::string(dir_pattern) + "/data.csv";
  std::ofstream(path, std::ios::binary) << csv;

  const std::vector<TypeId> schema = {TypeId::kInt64, TypeId::kFloat64, TypeId::kDate, TypeId::kString};
  auto whole = ParseCsv(csv, schema);

  auto source = OpenByteSource(path, nullptr);
  ASSERT_TRUE(source.ok());
  BlockParser parser(schema, ParseOptions{}, nullptr);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  TokenizedBlock tokens;
  std::string carry;
  uint64_t first_line = 1;
  size_t first_record = 1;  // the header
  bool eof = false;
  while (!eof) {
    std::string block = carry + std::string(1000, '\0');
    auto got = (*source)->Read(block.data() + carry.size(), 1000);
    ASSERT_TRUE(got.ok());
    block.resize(carry.size() + *got);
    eof = *got == 0;
    const size_t cut = eof ? block.size() : FindLastRecordEnd(block, Dialect{});
    carry = block.substr(cut);
    block.resize(cut);
    Tokenize(block, Dialect{}, &tokens);
    ASSERT_TRUE(parser
                    .Parse(block, tokens, std::min(first_record, tokens.num_records()), first_line, &columns,
                           &rejects)
                    .ok());
    if (tokens.num_records() > 0) first_record = 0;
    first_line += CountNewlines(block);
  }
  std::system(("rm -rf " + std::string(dir_pattern)).c_str());

  ASSERT_EQ(rejects.size(), whole.rejects.size());
  EXPECT_GT(rejects.size(), 50u);
  for (size_t i = 0; i < rejects.size(); ++i) {
    EXPECT_EQ(rejects[i].line, whole.rejects[i].line) << i;
    EXPECT_EQ(rejects[i].reason, whole.rejects[i].reason) << i;
    EXPECT_EQ(rejects[i].column, whole.rejects[i].column) << i;
    EXPECT_EQ(rejects[i].raw, whole.rejects[i].raw) << i;
  }
  ASSERT_EQ(columns[0].length, whole.columns[0].length);
  for (int64_t row = 0; row < columns[0].length; ++row) {
    ASSERT_EQ(columns[0].GetInt64(row), whole.columns[0].GetInt64(row));
    ASSERT_EQ(columns[1].GetFloat64(row), whole.columns[1].GetFloat64(row));
    ASSERT_EQ(columns[2].GetDate(row), whole.columns[2].GetDate(row));
    ASSERT_EQ(columns[3].GetString(row), whole.columns[3].GetString(row));
  }
}

// Issue 10, item 7: Debian's distro-info CSVs leave off empty trailing fields.
TEST(BlockParser, Issue10PadShortRowsMakesMissingTrailingFieldsNull) {
  const std::string csv = "v,name,eol\n1.1,Buzz,1997\n2.0,Hamm\n3.0\n4.0,x,5,extra\n";
  TokenizedBlock tokens;
  Tokenize(csv, Dialect{}, &tokens);
  ParseOptions options;
  options.pad_short_rows = true;
  BlockParser parser({TypeId::kFloat64, TypeId::kString, TypeId::kInt64}, options, nullptr);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  ASSERT_TRUE(parser.Parse(csv, tokens, 1, 1, &columns, &rejects).ok());
  ASSERT_EQ(rejects.size(), 1u);  // a longer row is still a reject
  EXPECT_EQ(rejects[0].reason, RejectReason::kFieldCount);
  EXPECT_EQ(rejects[0].line, 5u);
  EXPECT_EQ(parser.padded_rows(), 2u);
  ASSERT_EQ(columns[0].length, 3);
  EXPECT_EQ(columns[0].GetFloat64(2), 3.0);
  EXPECT_EQ(columns[1].GetString(1), "Hamm");
  EXPECT_FALSE(columns[1].IsValid(2));
  EXPECT_EQ(columns[1].null_count, 1);
  EXPECT_EQ(columns[2].GetInt64(0), 1997);
  EXPECT_FALSE(columns[2].IsValid(1));
  EXPECT_FALSE(columns[2].IsValid(2));
  EXPECT_EQ(columns[2].null_count, 2);
  // Without the option the short rows are rejects, and nothing is padded.
  BlockParser strict({TypeId::kFloat64, TypeId::kString, TypeId::kInt64}, ParseOptions{}, nullptr);
  columns.clear();
  rejects.clear();
  ASSERT_TRUE(strict.Parse(csv, tokens, 1, 1, &columns, &rejects).ok());
  EXPECT_EQ(rejects.size(), 3u);
  EXPECT_EQ(strict.padded_rows(), 0u);
}

TEST(BlockParser, Issue10DecimalCommaParsesFloats) {
  const std::string csv = "a;b\n1,5;x\n1.5;y\n";
  Dialect dialect;
  dialect.delimiter = ';';
  TokenizedBlock tokens;
  Tokenize(csv, dialect, &tokens);
  ParseOptions options;
  options.dialect = dialect;
  options.spellings.decimal_point = ',';
  BlockParser parser({TypeId::kFloat64, TypeId::kString}, options, nullptr);
  std::vector<ColumnVector> columns;
  std::vector<RowReject> rejects;
  ASSERT_TRUE(parser.Parse(csv, tokens, 1, 1, &columns, &rejects).ok());
  ASSERT_EQ(columns[0].length, 1);
  EXPECT_EQ(columns[0].GetFloat64(0), 1.5);
  ASSERT_EQ(rejects.size(), 1u);  // 1.5 is not a number with a decimal comma
  EXPECT_EQ(rejects[0].line, 3u);
  EXPECT_EQ(rejects[0].reason, RejectReason::kUnparsable);
}

}  // namespace
}  // namespace outcore
