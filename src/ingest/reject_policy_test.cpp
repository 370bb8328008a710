#include "ingest/reject_policy.h"

#include <gtest/gtest.h>

#include "outcore/options.h"

namespace outcore {
namespace {

RejectLimit Limit(const char* text) { return *ParseRejectLimit(text, "--max-rejects"); }

TEST(RejectLimitPassed, TheDefaultTripsOnlyWhenEveryRowOfAtLeastOneWasRejected) {
  const RejectLimit every_row;
  EXPECT_TRUE(RejectLimitPassed(every_row, 3, 3, true));
  EXPECT_FALSE(RejectLimitPassed(every_row, 3, 2, true));
  EXPECT_FALSE(RejectLimitPassed(every_row, 0, 0, true));   // a header and no rows
  EXPECT_FALSE(RejectLimitPassed(every_row, 3, 3, false));  // more rows may come
}

TEST(RejectLimitPassed, ACountTripsAsSoonAsItIsPassed) {
  EXPECT_FALSE(RejectLimitPassed(Limit("2"), 10, 2, false));
  EXPECT_TRUE(RejectLimitPassed(Limit("2"), 10, 3, false));
  EXPECT_TRUE(RejectLimitPassed(Limit("0"), 1, 1, false));
}

TEST(RejectLimitPassed, AShareIsJudgedOnceTheInputIsRead) {
  EXPECT_FALSE(RejectLimitPassed(Limit("1%"), 100, 1, true));  // exactly 1%: allowed
  EXPECT_TRUE(RejectLimitPassed(Limit("1%"), 100, 2, true));
  EXPECT_FALSE(RejectLimitPassed(Limit("1%"), 100, 50, false));
  EXPECT_FALSE(RejectLimitPassed(Limit("100%"), 7, 7, true));  // never fails
  EXPECT_TRUE(RejectLimitPassed(Limit("0%"), 1000000, 1, true));
}

TEST(RejectLimitName, SaysWhichLimitTripped) {
  EXPECT_EQ(RejectLimitName(Limit("1000")), "--max-rejects 1000");
  EXPECT_EQ(RejectLimitName(Limit("0.5%")), "--max-rejects 0.5%");
  EXPECT_EQ(RejectLimitName(RejectLimit()), "the default limit (fail when every row is rejected)");
}

TEST(DescribeRejects, HintsPerReasonAndCapsTheLines) {
  IngestReport report;
  report.delimiter = ';';
  IngestRejectGroup whole;
  whole.reason = "field_count";
  whole.count = 7;
  whole.first_line = 4;
  whole.example = "expected 3 fields, found 1";
  IngestRejectGroup text;
  text.column = "name";
  text.reason = "invalid_utf8";
  text.count = 1;
  text.first_line = 9;
  IngestRejectGroup comma;
  comma.column = "a,b";
  comma.type = TypeId::kInt64;
  comma.reason = "unparsable";
  comma.count = 2;
  report.rejects_by_column = {whole, comma, text};
  EXPECT_EQ(DescribeRejects(report, 2),
            "  (whole row): 7 rows field_count, e.g. line 4: expected 3 fields, found 1 \xE2\x80\x94 check "
            "--delimiter (it was ';') and --quote\n"
            "  a,b: 2 rows unparsable\n"  // a name with a comma cannot go in --schema: no hint
            "  ... and 1 more (1 row)\n");
}

// Issue 10: the field-count hint names the fix for what the rows look like:
// a first line shorter than the rows (metadata, --skip-rows 1), and unquoted
// grouped numbers when --thousands is the delimiter.
TEST(DescribeRejects, Issue10FieldCountHintsNameSkipRowsAndQuotedThousands) {
  IngestReport report;
  IngestRejectGroup wide;
  wide.reason = "field_count";
  wide.count = 3;
  wide.first_line = 2;
  wide.example = "expected 3 fields, found 31";
  report.rejects_by_column = {wide};
  const std::string metadata = DescribeRejects(report);
  EXPECT_NE(metadata.find("pass --skip-rows 1 (and --no-header if the file has no header)"),
            std::string::npos)
      << metadata;
  EXPECT_EQ(metadata.find("thousands"), std::string::npos) << metadata;
  report.rejects_by_column[0].example = "expected 3 fields, found 2";  // narrower rows: not a title line
  EXPECT_EQ(DescribeRejects(report).find("--skip-rows"), std::string::npos);
  report.thousands = ',';
  report.rejects_by_column[0].example = "expected 2 fields, found 3";
  EXPECT_NE(DescribeRejects(report).find("the thousands separator is the delimiter, so a grouped number must "
                                         "be quoted (\"1,338\")"),
            std::string::npos)
      << DescribeRejects(report);
  report.delimiter = ';';
  EXPECT_EQ(DescribeRejects(report).find("thousands"), std::string::npos);
}

// Issue 10: a value with no letter or digit ("****", "-") is a publisher's
// missing-value marker more often than a typo: the hint names --na.
TEST(DescribeRejects, Issue10AMarkerValueNamesNa) {
  IngestReport report;
  IngestRejectGroup marker;
  marker.column = "anomaly";
  marker.type = TypeId::kInt64;
  marker.reason = "unparsable";
  marker.count = 2;
  marker.first_line = 99;
  marker.example = "'****' is not an int64";
  report.rejects_by_column = {marker};
  EXPECT_NE(DescribeRejects(report).find(
                "try --schema anomaly:string, or --na ',****' if '****' marks a missing value"),
            std::string::npos)
      << DescribeRejects(report);
  report.rejects_by_column[0].example = "'many' is not an int64";  // a word: no --na
  EXPECT_EQ(DescribeRejects(report).find("--na"), std::string::npos);
}

}  // namespace
}  // namespace outcore
