#include "csv/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace outcore {
namespace {

using Records = std::vector<std::vector<std::string>>;

// Tokenizes `text` and returns every record's unescaped field values.
Records Split(std::string_view text, const Dialect& dialect = Dialect{}) {
  TokenizedBlock tokens;
  Tokenize(text, dialect, &tokens);
  Records records;
  std::string scratch;
  for (size_t record = 0; record < tokens.num_records(); ++record) {
    std::vector<std::string> fields;
    for (size_t field = 0; field < tokens.num_fields(record); ++field) {
      fields.emplace_back(FieldValue(text, tokens.field(record, field), dialect, &scratch));
    }
    records.push_back(std::move(fields));
  }
  return records;
}

TEST(Tokenizer, SplitsSimpleRecordsOnLf) {
  EXPECT_EQ(Split("a,b,c\n1,2,3\n"), (Records{{"a", "b", "c"}, {"1", "2", "3"}}));
}

TEST(Tokenizer, StripsCrOfCrlfButKeepsCrInsideFields) {
  EXPECT_EQ(Split("a,b\r\n1,x\ry\r\n"), (Records{{"a", "b"}, {"1", "x\ry"}}));
}

TEST(Tokenizer, TakesFinalRecordWithoutNewline) {
  EXPECT_EQ(Split("a,b\n1,2"), (Records{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(Split("a,b\r\n1,2\r"), (Records{{"a", "b"}, {"1", "2"}}));
}

TEST(Tokenizer, QuotedFieldsKeepDelimitersNewlinesAndDoubledQuotes) {
  EXPECT_EQ(Split("\"a,b\",\"line1\nline2\",\"say \"\"hi\"\"\"\n"),
            (Records{{"a,b", "line1\nline2", "say \"hi\""}}));
}

TEST(Tokenizer, EmptyFieldsAndEmptyQuotedFields) {
  EXPECT_EQ(Split(",,\n\"\",x,\n"), (Records{{"", "", ""}, {"", "x", ""}}));
  EXPECT_EQ(Split("a,b,"), (Records{{"a", "b", ""}}));
}

TEST(Tokenizer, EmptyInputAndHeaderOnly) {
  EXPECT_TRUE(Split("").empty());
  EXPECT_EQ(Split("x,y\n"), (Records{{"x", "y"}}));
}

TEST(Tokenizer, BlankLinesProduceNoRecord) {
  EXPECT_EQ(Split("\n\na\n\r\n\nb\n\n"), (Records{{"a"}, {"b"}}));
  EXPECT_EQ(Split("a\n\r"), (Records{{"a"}}));
}

TEST(Tokenizer, QuoteInsideUnquotedFieldIsLiteral) {
  EXPECT_EQ(Split("5'11\",ab\"c\"\n"), (Records{{"5'11\"", "ab\"c\""}}));
}

TEST(Tokenizer, RaggedRowsKeepTheirFieldCounts) {
  TokenizedBlock tokens;
  Tokenize("a,b,c\n1,2\n1,2,3,4\n", Dialect{}, &tokens);
  ASSERT_EQ(tokens.num_records(), 3u);
  EXPECT_EQ(tokens.num_fields(0), 3u);
  EXPECT_EQ(tokens.num_fields(1), 2u);
  EXPECT_EQ(tokens.num_fields(2), 4u);
}

TEST(Tokenizer, MarksCharactersAfterClosingQuoteAsMalformed) {
  std::string text = "\"ab\"c,d\nok,1\n";
  TokenizedBlock tokens;
  Tokenize(text, Dialect{}, &tokens);
  ASSERT_EQ(tokens.num_records(), 2u);
  EXPECT_EQ(tokens.record_status[0], RecordStatus::kMalformedQuote);
  EXPECT_TRUE(tokens.field(0, 0).flags & FieldSpan::kMalformed);
  EXPECT_EQ(tokens.num_fields(0), 2u);  // the scan recovers at the delimiter
  EXPECT_EQ(tokens.record_status[1], RecordStatus::kOk);
}

TEST(Tokenizer, MarksQuoteOpenAtEndAsUnterminated) {
  std::string text = "a,b\n1,\"open\nstill open\n";
  TokenizedBlock tokens;
  Tokenize(text, Dialect{}, &tokens);
  ASSERT_EQ(tokens.num_records(), 2u);
  EXPECT_EQ(tokens.record_status[1], RecordStatus::kUnterminatedQuote);
  EXPECT_TRUE(tokens.field(1, 1).flags & FieldSpan::kUnterminated);
  EXPECT_EQ(tokens.record_end[1], text.size());
}

TEST(Tokenizer, RecordLinesCountNewlinesInsideQuotesAndBlankLines) {
  std::string text = "h\n\"a\nb\nc\"\n\nx\r\ny\n";
  TokenizedBlock tokens;
  Tokenize(text, Dialect{}, &tokens);
  ASSERT_EQ(tokens.num_records(), 4u);
  EXPECT_EQ(tokens.record_line[0], 0u);
  EXPECT_EQ(tokens.record_line[1], 1u);
  EXPECT_EQ(tokens.record_line[2], 5u);  // after the 3-line record and a blank line
  EXPECT_EQ(tokens.record_line[3], 6u);
}

TEST(Tokenizer, RecordBytesExcludeTheTerminator) {
  std::string text = "a,b\r\n\"x\ny\",2\n";
  TokenizedBlock tokens;
  Tokenize(text, Dialect{}, &tokens);
  ASSERT_EQ(tokens.num_records(), 2u);
  auto raw = [&](size_t r) {
    return text.substr(tokens.record_begin[r], tokens.record_end[r] - tokens.record_begin[r]);
  };
  EXPECT_EQ(raw(0), "a,b");
  EXPECT_EQ(raw(1), "\"x\ny\",2");
}

TEST(Tokenizer, HonoursOtherDelimitersAndQuotes) {
  Dialect dialect;
  dialect.delimiter = '\t';
  dialect.quote = '\'';
  EXPECT_EQ(Split("a\t'b\tc'\t'it''s'\n", dialect), (Records{{"a", "b\tc", "it's"}}));
}

TEST(Tokenizer, LongFieldsCrossTheSimdStride) {
  std::string long_value(100, 'x');
  std::string text = long_value + "," + long_value + "y\n" + long_value;
  EXPECT_EQ(Split(text), (Records{{long_value, long_value + "y"}, {long_value}}));
}

TEST(Tokenizer, ReusesArraysAcrossBlocks) {
  MemoryBudget budget(1 << 30);
  TokenizedBlock tokens(&budget);
  Tokenize("a,b\n1,2\n3,4\n", Dialect{}, &tokens);
  EXPECT_GT(budget.used(), 0u);  // the index arrays are charged
  const uint64_t charged = budget.used();
  Tokenize("c\n", Dialect{}, &tokens);
  EXPECT_EQ(tokens.num_records(), 1u);
  EXPECT_EQ(tokens.num_fields(0), 1u);
  EXPECT_EQ(budget.used(), charged);
}

// Every prefix of tricky input must tokenize without reading past its end.
TEST(Tokenizer, EveryPrefixOfHostileInputIsSafe) {
  std::string text = "\"a\"\"\",\"\r\n\"\r\n,\"\"\"\",x\"y\r\"\"\n\"";
  for (size_t length = 0; length <= text.size(); ++length) {
    std::string prefix = text.substr(0, length);  // own allocation: ASan sees overreads
    TokenizedBlock tokens;
    Tokenize(prefix, Dialect{}, &tokens);
    for (size_t field = 0; field < tokens.fields.size(); ++field) {
      EXPECT_LE(tokens.fields[field].begin, tokens.fields[field].end);
      EXPECT_LE(tokens.fields[field].end, prefix.size());
    }
  }
}

// Issue 10, item 3: CR-only files (old Mac and Excel exports) were one record.
TEST(Tokenizer, Issue10CrOnlyLineEndingsEndRecords) {
  Dialect cr;
  cr.newline = '\r';
  EXPECT_EQ(Split("a,b\r1,x\r2,y\r", cr), (Records{{"a", "b"}, {"1", "x"}, {"2", "y"}}));
  // A blank line is skipped, a quoted CR stays in its value, a LF is an ordinary byte.
  EXPECT_EQ(Split("a,b\r\r1,\"x\ry\"\r2,z\nw", cr), (Records{{"a", "b"}, {"1", "x\ry"}, {"2", "z\nw"}}));
  EXPECT_EQ(Split("\"q\"\rlong unquoted field past sixteen bytes,x\r", cr),
            (Records{{"q"}, {"long unquoted field past sixteen bytes", "x"}}));
}

TEST(Tokenizer, CrOnlyRecordLinesCountCrs) {
  Dialect cr;
  cr.newline = '\r';
  const std::string text = "h\r\"a\rb\"\r\rx\r";
  TokenizedBlock tokens;
  Tokenize(text, cr, &tokens);
  ASSERT_EQ(tokens.num_records(), 3u);
  EXPECT_EQ(tokens.record_line[0], 0u);
  EXPECT_EQ(tokens.record_line[1], 1u);
  EXPECT_EQ(tokens.record_line[2], 4u);  // after the 2-line record and a blank line
  EXPECT_EQ(text.substr(tokens.record_begin[1], tokens.record_end[1] - tokens.record_begin[1]), "\"a\rb\"");
}

// Issue 10, item 8: comment lines are no records, and line numbers count them.
TEST(Tokenizer, Issue10CommentLinesAreSkippedAndCounted) {
  Dialect dialect;
  dialect.comment = '#';
  const std::string text = "# exported 2024\na,b\n#,\"x\n1,#2\n  # not at the start\n# last";
  EXPECT_EQ(Split(text, dialect), (Records{{"a", "b"}, {"1", "#2"}, {"  # not at the start"}}));
  TokenizedBlock tokens;
  Tokenize(text, dialect, &tokens);
  EXPECT_EQ(tokens.comment_lines, 3u);
  ASSERT_EQ(tokens.num_records(), 3u);
  EXPECT_EQ(tokens.record_line[0], 1u);
  EXPECT_EQ(tokens.record_line[1], 3u);
  EXPECT_EQ(tokens.record_line[2], 4u);
  // Without --comment they are records.
  EXPECT_EQ(Split("# x\na\n").size(), 2u);
}

TEST(Tokenizer, Issue10CommentCharacterInsideAQuotedFieldIsData) {
  Dialect dialect;
  dialect.comment = '#';
  EXPECT_EQ(Split("a,\"x\n# y\"\n", dialect), (Records{{"a", "x\n# y"}}));
}

Dialect SpaceAligned(int mode) {
  Dialect dialect;
  dialect.delimiter = ' ';
  dialect.space_aligned = mode;
  return dialect;
}

// Issue 10, item 12: space-aligned columns.
TEST(Tokenizer, Issue10SpaceAlignedSplitsAtRunsAndIgnoresPadding) {
  EXPECT_EQ(Split("  id   name\r\n   1   ann  \n\n  22\tbo\n", SpaceAligned(1)),
            (Records{{"id", "name"}, {"1", "ann"}, {"22", "bo"}}));
  EXPECT_EQ(Split("city      pop\nNew York  8336817\nSt. Paul \t 311527 \n", SpaceAligned(2)),
            (Records{{"city", "pop"}, {"New York", "8336817"}, {"St. Paul", "311527"}}));
  // With runs of one, a single space separates too.
  EXPECT_EQ(Split("New York  8336817\n", SpaceAligned(1)), (Records{{"New", "York", "8336817"}}));
}

TEST(Tokenizer, Issue10SpaceAlignedQuotedFieldsKeepSpaces) {
  EXPECT_EQ(Split("\"New York\"  \"a \"\"b\"\"\"\n\"x\ny\" 2\n", SpaceAligned(1)),
            (Records{{"New York", "a \"b\""}, {"x\ny", "2"}}));
  TokenizedBlock tokens;
  Tokenize("\"a\"b  c\n", SpaceAligned(2), &tokens);
  ASSERT_EQ(tokens.num_records(), 1u);
  EXPECT_EQ(tokens.record_status[0], RecordStatus::kMalformedQuote);
}

}  // namespace
}  // namespace outcore

namespace outcore {
namespace {

// Issue 10: backslash-escaped quotes (--escape '\\'), read as Python's csv
// module reads them with escapechar='\\'.
TEST(Tokenizer, Issue10EscapeMakesTheNextByteLiteral) {
  Dialect dialect;
  dialect.delimiter = ';';
  dialect.escape = '\\';
  EXPECT_EQ(Split("\"\\\"Hacksaw\\\" Jim Duggan\";1987\n", dialect),
            (Records{{"\"Hacksaw\" Jim Duggan", "1987"}}));
  EXPECT_EQ(Split("a\\;b;c\\\\;d\n", dialect), (Records{{"a;b", "c\\", "d"}}));  // outside quotes too
  EXPECT_EQ(Split("a\\\nb;c\n", dialect), (Records{{"a\nb", "c"}}));             // an escaped line break
  EXPECT_EQ(Split("\\\"x;\"y\"\"z\"\n", dialect), (Records{{"\"x", "y\"z"}}));   // "" still works in quotes
  EXPECT_EQ(Split("a;b\\", dialect), (Records{{"a", "b\\"}}));  // nothing left to escape: kept
  EXPECT_EQ(Split("\"a\\\"", dialect), (Records{{"a\""}}));     // unterminated: the quote was escaped
  // Without --escape a backslash is an ordinary byte (the quote closes).
  dialect.escape = '\0';
  TokenizedBlock tokens;
  Tokenize("\"\\\"H\\\" J\";1\n", dialect, &tokens);
  EXPECT_EQ(tokens.record_status[0], RecordStatus::kMalformedQuote);
}

TEST(Tokenizer, Issue10EscapesKeepLineNumbersAndCrlf) {
  Dialect dialect;
  dialect.escape = '\\';
  TokenizedBlock tokens;
  const std::string text = "a\\\nb,c\r\n\"x\\\ny\",z\r\nlast,1\r\n";
  Tokenize(text, dialect, &tokens);
  ASSERT_EQ(tokens.num_records(), 3u);
  EXPECT_EQ(tokens.record_line[1], 2u);  // lines 0-1 are the first record
  EXPECT_EQ(tokens.record_line[2], 4u);
  EXPECT_EQ(Split(text, dialect), (Records{{"a\nb", "c"}, {"x\ny", "z"}, {"last", "1"}}));
  EXPECT_EQ(Split("a,b\\\r\n", dialect), (Records{{"a", "b\r"}}));  // an escaped CR stays
  Dialect cr = dialect;
  cr.newline = '\r';
  EXPECT_EQ(Split("a\\\rb,c\r\"\\\"\",d\r", cr), (Records{{"a\rb", "c"}, {"\"", "d"}}));
}

}  // namespace
}  // namespace outcore
