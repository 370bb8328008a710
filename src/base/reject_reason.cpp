#include "base/reject_reason.h"

namespace outcore {

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kFieldCount:
      return "field_count";
    case RejectReason::kUnparsable:
      return "unparsable";
    case RejectReason::kOutOfRange:
      return "out_of_range";
    case RejectReason::kInvalidUtf8:
      return "invalid_utf8";
    case RejectReason::kUnterminatedQuote:
      return "unterminated_quote";
    case RejectReason::kMalformedQuote:
      return "malformed_quote";
    case RejectReason::kRule:
      return "rule";
    case RejectReason::kRowTooLong:
      return "row_too_long";
  }
  return "unknown";
}

}  // namespace outcore
