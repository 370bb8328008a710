// A rejected row as the csv parser reports it: where it starts, which column,
// why (base/reject_reason.h) and the raw record. Nothing is lost silently:
// every record the tokenizer produces is either kept or becomes a RowReject,
// so rows read = kept + rejected. The rejects sink (clean/reject.h) writes
// them out.
//
// Thread-safety: a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/reject_reason.h"

namespace outcore {

struct RowReject {
  uint64_t line = 0;    // 1-based physical line where the record starts
  int32_t column = -1;  // 0-based column index, -1 for the whole row
  RejectReason reason = RejectReason::kUnparsable;
  std::string detail;  // e.g. "expected 11 fields, found 12" or "'abc' is not an int64"
  std::string raw;     // the record as it stood in the file, capped at kMaxRawBytes
  static constexpr size_t kMaxRawBytes = 64 * 1024;
};

}  // namespace outcore
