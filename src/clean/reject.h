// Rejected rows: why a row was dropped, and the sink that writes each one —
// line number, column, reason, raw row — to the rejects file. Nothing is lost
// silently: every record the tokenizer produces is either kept or becomes a
// RowReject, so rows read = kept + rejected.
//
// Thread-safety: RowReject is a value. RejectSink is driven by one thread (the
// ingest pipeline's ordered commit stage).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "outcore/status.h"

namespace outcore {

// The ids are stored in the .oc footer's ingest report: never renumber.
enum class RejectReason : uint8_t {
  kFieldCount = 0,        // record has more or fewer fields than the header
  kUnparsable = 1,        // value is not of the column's type ("abc" in an int64 column)
  kOutOfRange = 2,        // numeric value does not fit the type (int64 overflow, bad date)
  kInvalidUtf8 = 3,       // string value is not valid UTF-8
  kUnterminatedQuote = 4, // a quoted field is still open at end of input
  kMalformedQuote = 5,    // characters after a closing quote ("ab"c)
  kRule = 6,              // a declared rule (required, range, allowed values) failed
  kRowTooLong = 7,        // record longer than the largest block the budget allows
};
inline constexpr int kRejectReasonCount = 8;

// "field_count", "unparsable", "out_of_range", "invalid_utf8",
// "unterminated_quote", "malformed_quote", "rule", "row_too_long".
std::string_view RejectReasonName(RejectReason reason);

struct RowReject {
  uint64_t line = 0;          // 1-based physical line where the record starts
  int32_t column = -1;        // 0-based column index, -1 for the whole row
  RejectReason reason = RejectReason::kUnparsable;
  std::string detail;         // e.g. "expected 11 fields, found 12" or "'abc' is not an int64"
  std::string raw;            // the record as it stood in the file, capped at kMaxRawBytes
  static constexpr size_t kMaxRawBytes = 64 * 1024;
};

using RejectCounts = std::array<uint64_t, kRejectReasonCount>;

// Writes rejects as CSV: file,line,column,reason,detail,raw — to a temporary
// file renamed over `path` only on Commit(), so a failed ingest leaves no
// half-written rejects file. A sink opened with an empty path only counts.
class RejectSink {
 public:
  // `column_names` turn column indexes into names in the file.
  static Result<std::unique_ptr<RejectSink>> Open(const std::string& path,
                                                  std::vector<std::string> column_names);
  ~RejectSink();

  Status Add(std::string_view source_file, const RowReject& reject);
  const RejectCounts& counts() const { return counts_; }
  uint64_t total() const;
  // fsync + rename into place. Without Commit, the destructor removes the temp file.
  Status Commit();

 private:
  RejectSink() = default;
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  std::string pending_;
  std::vector<std::string> column_names_;
  RejectCounts counts_{};
  Status Flush();
};

}  // namespace outcore
