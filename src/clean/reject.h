// The rejects sink: writes each rejected row — line number, column, reason,
// raw row — to the rejects file and counts them per reason. The rows come
// from the csv parser (csv/row_reject.h) and from the declared row rules.
//
// Thread-safety: RejectSink is driven by one thread (the ingest pipeline's
// ordered commit stage).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/output_file.h"
#include "base/reject_reason.h"
#include "csv/row_reject.h"
#include "outcore/status.h"

namespace outcore {

// Writes rejects as CSV: file,line,column,reason,detail,raw — to a temporary
// file (base/output_file.h) renamed over `path` only on Commit(), so a failed
// ingest leaves no half-written rejects file. Ingest seals it and commits it
// together with the .oc (CommitTogether): both or neither. A sink opened with
// an empty path only counts.
class RejectSink {
 public:
  // `column_names` turn column indexes into names in the file.
  static Result<std::unique_ptr<RejectSink>> Open(const std::string& path,
                                                  std::vector<std::string> column_names);
  ~RejectSink();

  // The rejects of one column (-1: the whole row) for one reason: a count,
  // and the line and detail of the first, kept once (no string per row).
  struct Group {
    uint64_t count = 0;
    uint64_t first_line = 0;
    std::string first_detail;
  };
  using GroupKey = std::pair<int32_t, RejectReason>;  // (column, reason)

  Status Add(std::string_view source_file, const RowReject& reject);
  const RejectCounts& counts() const { return counts_; }
  const std::map<GroupKey, Group>& groups() const { return groups_; }
  uint64_t total() const;
  // fsync + rename into place. Without Commit, the destructor removes the temp file.
  Status Commit();
  // Writes what is pending and fsyncs, no rename: the caller commits output().
  Status Seal();
  // The rejects file being written; null for a sink that only counts.
  OutputFile* output() { return file_.get(); }

 private:
  RejectSink() = default;
  std::unique_ptr<OutputFile> file_;
  std::string pending_;
  std::vector<std::string> column_names_;
  RejectCounts counts_{};
  std::map<GroupKey, Group> groups_;  // only the (column, reason) pairs that occurred
  Status Flush();
};

}  // namespace outcore
