#include "base/reject_reason.h"

#include <algorithm>

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

void AddRejectCounts(const NamedRejectCounts& from, NamedRejectCounts* into) {
  for (const auto& counted : from) {
    const std::string& name = counted.first;  // clang will not capture a structured binding
    auto it =
        std::find_if(into->begin(), into->end(), [&](const auto& entry) { return entry.first == name; });
    if (it == into->end()) {
      into->emplace_back(name, counted.second);
    } else {
      it->second += counted.second;
    }
  }
}

}  // namespace outcore
