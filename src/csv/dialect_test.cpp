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

char Sniff(std::string_view sample, char excluded = '\0') {
  return SniffDelimiter(sample, Dialect{}, excluded).delimiter;
}

TEST(Dialect, SniffsEachCandidate) {
  EXPECT_EQ(Sniff("a,b,c\n1,2,3\n"), ',');
  EXPECT_EQ(Sniff("a\tb\tc\n1\t2\t3\n"), '\t');
  EXPECT_EQ(Sniff("a;b;c\n1,5;2,5;3\n"), ';');  // decimal commas
  EXPECT_EQ(Sniff("a|b\n1|2\n"), '|');
}

TEST(Dialect, DelimitersInsideQuotesDoNotVote) {
  EXPECT_EQ(Sniff("name;text\nx;\"a,b,c\"\ny;\"d,e\"\n"), ';');
}

TEST(Dialect, FallsBackToCommaWhenUnsure) {
  EXPECT_EQ(Sniff("justonecolumn\nvalue\n"), ',');
  EXPECT_EQ(Sniff(""), ',');
}

TEST(Dialect, PrefersTheConsistentCandidate) {
  // Commas appear in some lines only; tabs split every line the same way.
  EXPECT_EQ(Sniff("a\tb\n1,5\t2\n3\t4\n5\t6,7,8\n"), '\t');
}

// Issue 10, item 12: "city:region:country:population" was read as one column.
TEST(Dialect, Issue10SniffsColon) {
  EXPECT_EQ(Sniff("city:region:pop\nSouthborough:MA:9686\nNorthbridge:MA:14061\n"), ':');
}

TEST(Dialect, Issue10ColonNeverWinsATie) {
  // Times split as many lines by ':' as ',' splits: the comma is the delimiter.
  EXPECT_EQ(Sniff("1,12:30:00\n2,13:45:10\n"), ',');
  EXPECT_EQ(Sniff("id,at\n1,12:30:00\n2,13:45:10\n"), ',');
}

TEST(Dialect, Issue10ExcludedDelimiterIsNeverChosen) {
  // With a decimal comma, "1,5;2,5" splits at ';' even where ',' looks consistent.
  EXPECT_EQ(Sniff("a;b\n1,5;2,5\n3,5;4,5\n", ','), ';');
  EXPECT_EQ(Sniff("x\n1,5\n2,5\n", ','), ';');  // nothing detected: the fallback is not ','
}

TEST(Dialect, Issue10CommentLinesDoNotVote) {
  Dialect dialect;
  dialect.comment = '#';
  const std::string sample = "# a;b;c\n# d;e;f\n# g;h;i\nx,y\n1,2\n";
  EXPECT_EQ(SniffDelimiter(sample, dialect).delimiter, ',');
  EXPECT_EQ(Sniff(sample), ';');  // without --comment the comment lines are the most consistent
}

TEST(Dialect, Issue10SniffsSpaceAlignedColumns) {
  // Runs of 2+ spaces separate; "New York" keeps its single space.
  const Dialect wide = SniffDelimiter("city      pop\nNew York  8336817\nParis     2148000\n", Dialect{});
  EXPECT_EQ(wide.delimiter, ' ');
  EXPECT_EQ(wide.space_aligned, 2);
  // Single-space gaps somewhere: any run of blanks separates.
  const Dialect any = SniffDelimiter("x    y\n1 2\n10   20\n", Dialect{});
  EXPECT_EQ(any.delimiter, ' ');
  EXPECT_EQ(any.space_aligned, 1);
}

TEST(Dialect, Issue10SpacesInOneColumnAreNotAlignment) {
  // No padding run anywhere: names with a space, not a table.
  EXPECT_EQ(SniffDelimiter("full name\nJohn Smith\nJane Doe\n", Dialect{}).space_aligned, 0);
  // Lines that split differently: prose.
  EXPECT_EQ(SniffDelimiter("text\nhello   world\na  b  c\n", Dialect{}).space_aligned, 0);
  // A consistent real delimiter wins over spaces.
  const Dialect comma = SniffDelimiter("a,b\n1,  2\n3,  4\n", Dialect{});
  EXPECT_EQ(comma.delimiter, ',');
  EXPECT_EQ(comma.space_aligned, 0);
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
  Dialect cr;
  cr.newline = '\r';
  EXPECT_EQ(SniffDelimiter("a;b\r1,2,3,4;5\r6,7,8;9\r", cr).delimiter, ';');
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
  Dialect comment;
  comment.comment = ',';
  EXPECT_EQ(ValidateDialect(comment).code(), StatusCode::kInvalidArgument);
  comment.comment = '#';
  EXPECT_TRUE(ValidateDialect(comment).ok());
}

}  // namespace
// Issue 10: escaped quotes and delimiters do not vote; an escape that is
// the quote, the delimiter or a line break is refused.
TEST(Dialect, Issue10EscapedBytesDoNotVote) {
  Dialect dialect;
  dialect.escape = '\\';
  EXPECT_EQ(SniffDelimiter("\"\\\"a;b\\\" c\";1\n\"d;\\\"e\";2\nx\\;y;3\n", dialect).delimiter, ';');
  EXPECT_TRUE(ValidateDialect(dialect).ok());
  dialect.escape = '"';
  EXPECT_FALSE(ValidateDialect(dialect).ok());
  dialect.escape = ',';
  EXPECT_FALSE(ValidateDialect(dialect).ok());
  dialect.escape = '\n';
  EXPECT_FALSE(ValidateDialect(dialect).ok());
  dialect.escape = '\\';
  dialect.delimiter = ' ';
  dialect.space_aligned = 2;
  EXPECT_FALSE(ValidateDialect(dialect).ok());
}

}  // namespace outcore
