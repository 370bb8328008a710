#include "csv/record_boundary.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "csv/tokenizer.h"

// The parity overload is deprecated for callers, still tested here.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace outcore {
namespace {

TEST(RecordBoundary, CutsAfterTheLastNewline) {
  EXPECT_EQ(FindLastRecordEnd("a,b\n1,2\n3,", Dialect{}), 8u);
  EXPECT_EQ(FindLastRecordEnd("a,b\n1,2\n", Dialect{}), 8u);
  EXPECT_EQ(FindLastRecordEnd("a,b", Dialect{}), 0u);
  EXPECT_EQ(FindLastRecordEnd("", Dialect{}), 0u);
}

TEST(RecordBoundary, IgnoresNewlinesInsideQuotes) {
  // The block ends inside a quoted field that holds newlines.
  std::string block = "a,b\n1,\"x\ny\nz";
  EXPECT_EQ(FindLastRecordEnd(block, Dialect{}), 4u);
  EXPECT_EQ(FindLastRecordEnd(block, '"'), 4u);
  std::string closed = "a,b\n1,\"x\ny\"\n2,";
  EXPECT_EQ(FindLastRecordEnd(closed, Dialect{}), 12u);
  EXPECT_EQ(FindLastRecordEnd(closed, '"'), 12u);
}

TEST(RecordBoundary, DoubledQuotesDoNotCloseAField) {
  std::string block = "1,\"a\"\"\nb\"\n2,\"\"\"\n";
  EXPECT_EQ(FindLastRecordEnd(block, Dialect{}), 10u);
  EXPECT_EQ(FindLastRecordEnd(block, '"'), 10u);
}

TEST(RecordBoundary, LiteralQuoteInUnquotedFieldDoesNotOpenAField) {
  std::string block = "5'11\",x\n6'0\",y\n";
  EXPECT_EQ(FindLastRecordEnd(block, Dialect{}), block.size());
}

// The property the pipeline relies on: cutting anywhere and carrying the tail
// yields exactly the records of tokenizing the whole input at once.
// Random texts over `alphabet`, cut into blocks of every size at
// FindLastRecordEnd: the records are those of the whole text, byte for byte.
void ExpectSplittingAtEveryPositionPreservesRecords(const Dialect& dialect, std::string_view alphabet) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::string text;
    const int length = 1 + int(rng() % 40);
    for (int i = 0; i < length; ++i) text += alphabet[rng() % alphabet.size()];
    text += dialect.newline;
    TokenizedBlock whole;
    Tokenize(text, dialect, &whole);
    for (size_t block_size = 1; block_size <= text.size(); ++block_size) {
      std::string carry;
      std::vector<std::string> records;
      size_t pos = 0;
      while (pos < text.size() || !carry.empty()) {
        std::string block = carry + text.substr(pos, block_size);
        pos = std::min(text.size(), pos + block_size);
        const bool last = pos >= text.size();
        const size_t cut = last ? block.size() : FindLastRecordEnd(block, dialect);
        TokenizedBlock tokens;
        Tokenize(std::string_view(block).substr(0, cut), dialect, &tokens);
        for (size_t r = 0; r < tokens.num_records(); ++r) {
          records.push_back(
              block.substr(tokens.record_begin[r], tokens.record_end[r] - tokens.record_begin[r]));
        }
        carry = block.substr(cut);
        if (last) break;
      }
      ASSERT_EQ(records.size(), whole.num_records())
          << "text=" << testing::PrintToString(text) << " block_size=" << block_size;
      for (size_t r = 0; r < records.size(); ++r) {
        EXPECT_EQ(records[r],
                  text.substr(whole.record_begin[r], whole.record_end[r] - whole.record_begin[r]));
      }
    }
  }
}

// Both line endings: LF (CRLF) and CR-only.
TEST(RecordBoundary, SplittingAtEveryPositionPreservesRecords) {
  ExpectSplittingAtEveryPositionPreservesRecords(Dialect{}, "a,\"\n\rb");
  Dialect cr;
  cr.newline = '\r';
  ExpectSplittingAtEveryPositionPreservesRecords(cr, "a,\"\n\rb");
}

TEST(RecordBoundary, CrOnlyBlocksAreCutAtTheLastCr) {
  Dialect cr;
  cr.newline = '\r';
  EXPECT_EQ(FindLastRecordEnd("a,b\r1,2\r3,", cr), 8u);
  EXPECT_EQ(FindLastRecordEnd("a,b\r1,\"x\ry", cr), 4u);    // inside a quoted field
  EXPECT_EQ(FindLastRecordEnd("a,b\n1,2\n", cr), 0u);       // LF ends no record in a CR file
  EXPECT_EQ(FindLastRecordEnd("a,b\r\"q\",1\r", cr), 10u);  // a quote after a CR opens a field
  EXPECT_EQ(CountNewlines("a\rb\r\nc", '\r'), 2u);
}

// Issue 10: a quote in a comment line opens nothing, in the cut as in Tokenize.
TEST(RecordBoundary, Issue10QuotesInCommentLinesOpenNothing) {
  Dialect dialect;
  dialect.comment = '#';
  EXPECT_EQ(FindLastRecordEnd("a,b\n#,\"x\n1,2\n3", dialect), 13u);
  EXPECT_EQ(FindLastRecordEnd("#\"\n1,2\n", dialect), 7u);
  EXPECT_EQ(FindLastRecordEnd("a,\"x\n#,\"\n", Dialect{}), 9u);  // "x\n#," is one field
  ExpectSplittingAtEveryPositionPreservesRecords(dialect, "a,\"\n#b");
}

TEST(RecordBoundary, Issue10SpaceAlignedCutsMatchTheTokenizer) {
  for (int aligned : {1, 2}) {
    Dialect dialect;
    dialect.delimiter = ' ';
    dialect.space_aligned = aligned;
    ExpectSplittingAtEveryPositionPreservesRecords(dialect, "a \"\n\t b");
  }
}

// Issue 10: with an escape character an escaped quote opens or closes
// nothing and an escaped newline ends no record, in the cut as in Tokenize.
TEST(RecordBoundary, Issue10EscapedBytesAreLiteralInTheCut) {
  Dialect dialect;
  dialect.escape = '\\';
  EXPECT_EQ(FindLastRecordEnd("\"a\\\"b\n\",1\n2", dialect), 10u);  // "a\"b<nl>" is one field
  EXPECT_EQ(FindLastRecordEnd("\"a\\\"b\",1\n2", dialect), 9u);
  EXPECT_EQ(FindLastRecordEnd("a\\\n b,1\n2", dialect), 8u);  // a\<nl> b: one field
  EXPECT_EQ(FindLastRecordEnd("a\\,\"x\ny\n", dialect), 8u);  // \, then a literal quote
  EXPECT_EQ(FindLastRecordEnd("a,b\\", dialect), 0u);         // the escaped byte is to come
  EXPECT_EQ(FindLastRecordEnd("1\na,b\\", dialect), 2u);
  EXPECT_EQ(FindLastRecordEnd("\\\\,\"x\ny\"\n", dialect), 9u);  // \\ is one backslash: the quote opens
  ExpectSplittingAtEveryPositionPreservesRecords(dialect, "a,\"\n\\b");
  dialect.comment = '#';
  ExpectSplittingAtEveryPositionPreservesRecords(dialect, "a,\"\n\\#");
  dialect.newline = '\r';
  ExpectSplittingAtEveryPositionPreservesRecords(dialect, "a,\"\r\\#");
}

TEST(CountNewlines, CountsAcrossSimdStrideAndTail) {
  std::string text;
  uint64_t expected = 0;
  for (int i = 0; i < 10000; ++i) {
    const bool newline = (i * 7919) % 13 == 0;
    text += newline ? '\n' : 'x';
    expected += newline;
  }
  EXPECT_EQ(CountNewlines(text), expected);
  EXPECT_EQ(CountNewlines(std::string_view(text).substr(3, 17)), CountNewlines(text.substr(3, 17)));
  EXPECT_EQ(CountByte("a,b,c", ','), 2u);
  EXPECT_EQ(CountNewlines(""), 0u);
}

}  // namespace
}  // namespace outcore
