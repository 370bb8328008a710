#include "csv/dialect.h"

#include <gtest/gtest.h>

namespace outcore {
namespace {

TEST(Dialect, SkipBomSkipsOnlyTheUtf8Bom) {
  EXPECT_EQ(SkipBom("\xEF\xBB\xBF"
                    "a,b"),
            3u);
  EXPECT_EQ(SkipBom("a,b"), 0u);
  EXPECT_EQ(SkipBom("\xEF\xBB"), 0u);
  EXPECT_EQ(SkipBom(""), 0u);
}

TEST(Dialect, SniffsEachCandidate) {
  EXPECT_EQ(SniffDelimiter("a,b,c\n1,2,3\n", '"'), ',');
  EXPECT_EQ(SniffDelimiter("a\tb\tc\n1\t2\t3\n", '"'), '\t');
  EXPECT_EQ(SniffDelimiter("a;b;c\n1,5;2,5;3\n", '"'), ';');  // decimal commas
  EXPECT_EQ(SniffDelimiter("a|b\n1|2\n", '"'), '|');
}

TEST(Dialect, DelimitersInsideQuotesDoNotVote) {
  EXPECT_EQ(SniffDelimiter("name;text\nx;\"a,b,c\"\ny;\"d,e\"\n", '"'), ';');
}

TEST(Dialect, FallsBackToCommaWhenUnsure) {
  EXPECT_EQ(SniffDelimiter("justonecolumn\nvalue\n", '"'), ',');
  EXPECT_EQ(SniffDelimiter("", '"'), ',');
}

TEST(Dialect, PrefersTheConsistentCandidate) {
  // Commas appear in some lines only; tabs split every line the same way.
  EXPECT_EQ(SniffDelimiter("a\tb\n1,5\t2\n3\t4\n5\t6,7,8\n", '"'), '\t');
}

// Issue 10, item 3.
TEST(Dialect, Issue10DetectsCrOnlyLineEndings) {
  EXPECT_EQ(DetectNewline("a,b\r1,x\r2,y\r"), '\r');
  EXPECT_EQ(DetectNewline("a,b\n1,x\n"), '\n');
  EXPECT_EQ(DetectNewline("a,b\r\n1,x\r\n"), '\n');
  EXPECT_EQ(DetectNewline("a,b\r\n1,\"x\ry\"\r\n2,z\r\n"), '\n');  // a stray CR in a CRLF file
  EXPECT_EQ(DetectNewline("a,b\r1,\"x\ny\"\r2,z\r"), '\r');        // a quoted LF in a CR file
  EXPECT_EQ(DetectNewline("no line end at all"), '\n');
  EXPECT_EQ(DetectNewline(""), '\n');
}

TEST(Dialect, SniffsTheDelimiterOfCrOnlyFiles) {
  // Read as one line, the sample has more commas than semicolons.
  EXPECT_EQ(SniffDelimiter("a;b\r1,2,3,4;5\r6,7,8;9\r", '"', '\r'), ';');
}

TEST(Dialect, ValidateRefusesDialectsTheTokenizerCannotSplit) {
  EXPECT_TRUE(ValidateDialect(Dialect{}).ok());
  Dialect same;
  same.quote = ',';
  EXPECT_EQ(ValidateDialect(same).code(), StatusCode::kInvalidArgument);
  Dialect newline;
  newline.delimiter = '\n';
  EXPECT_FALSE(ValidateDialect(newline).ok());
  Dialect tab;
  tab.delimiter = '\t';
  tab.quote = '\'';
  EXPECT_TRUE(ValidateDialect(tab).ok());
}

}  // namespace
}  // namespace outcore
