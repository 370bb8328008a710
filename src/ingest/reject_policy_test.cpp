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

}  // namespace
}  // namespace outcore
