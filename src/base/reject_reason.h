// Why a row was rejected: the reason ids that the csv parser and the row rules
// produce, the rejects file names and the .oc footer's ingest report counts
// (doc/format.md). The ids are stored: never renumber.
//
// Thread-safety: values and a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outcore {

enum class RejectReason : uint8_t {
  kFieldCount = 0,         // record has more or fewer fields than the header
  kUnparsable = 1,         // value is not of the column's type ("abc" in an int64 column)
  kOutOfRange = 2,         // numeric value does not fit the type (int64 overflow, bad date)
  kInvalidUtf8 = 3,        // string value is not valid UTF-8
  kUnterminatedQuote = 4,  // a quoted field is still open at end of input
  kMalformedQuote = 5,     // characters after a closing quote ("ab"c)
  kRule = 6,               // a declared rule (required, range, allowed values) failed
  kRowTooLong = 7,         // record longer than the largest block the budget allows
};
inline constexpr int kRejectReasonCount = 8;

// "field_count", "unparsable", "out_of_range", "invalid_utf8",
// "unterminated_quote", "malformed_quote", "rule", "row_too_long".
std::string_view RejectReasonName(RejectReason reason);

// Rejected rows per reason, indexed by the reason's id.
using RejectCounts = std::array<uint64_t, kRejectReasonCount>;

// Rejected rows per reason name, as reports list them ({"field_count", 3}, ...).
using NamedRejectCounts = std::vector<std::pair<std::string, uint64_t>>;
// Adds `from`'s counts into `into` (the parts of a folder summed): a name
// `into` has gains the count, a new one is appended, in `from`'s order.
void AddRejectCounts(const NamedRejectCounts& from, NamedRejectCounts* into);

}  // namespace outcore
