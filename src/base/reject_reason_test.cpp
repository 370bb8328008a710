#include "base/reject_reason.h"

#include <gtest/gtest.h>

namespace outcore {
namespace {

TEST(RejectReasonName, NamesEveryReason) {
  EXPECT_EQ(RejectReasonName(RejectReason::kFieldCount), "field_count");
  EXPECT_EQ(RejectReasonName(RejectReason::kUnterminatedQuote), "unterminated_quote");
  EXPECT_EQ(RejectReasonName(RejectReason::kRowTooLong), "row_too_long");
  for (int reason = 0; reason < kRejectReasonCount; ++reason) {
    EXPECT_NE(RejectReasonName(RejectReason(reason)), "unknown");
  }
}

}  // namespace
}  // namespace outcore
