#include "clean/reject.h"

#include "csv/writer.h"

namespace outcore {

namespace {

constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

Result<std::unique_ptr<RejectSink>> RejectSink::Open(const std::string& path,
                                                     std::vector<std::string> column_names) {
  std::unique_ptr<RejectSink> sink(new RejectSink());
  sink->column_names_ = std::move(column_names);
  if (path.empty()) return sink;
  OC_ASSIGN_OR_RETURN(sink->file_, OutputFile::Create(path, "the rejects file"));
  sink->pending_ = "file,line,column,reason,detail,raw\n";
  return sink;
}

RejectSink::~RejectSink() = default;  // the OutputFile removes an uncommitted temporary

uint64_t RejectSink::total() const {
  uint64_t sum = 0;
  for (uint64_t count : counts_) sum += count;
  return sum;
}

Status RejectSink::Add(std::string_view source_file, const RowReject& reject) {
  const size_t reason = size_t(reject.reason);
  if (reason < counts_.size()) ++counts_[reason];
  Group& group = groups_[GroupKey(reject.column, reject.reason)];
  if (group.count++ == 0) {
    group.first_line = reject.line;
    group.first_detail = reject.detail;
  }
  if (!file_) return Status::OK();
  AppendCsvField(&pending_, source_file);
  pending_ += ',';
  pending_ += std::to_string(reject.line);
  pending_ += ',';
  if (reject.column >= 0) {
    const size_t column = size_t(reject.column);
    AppendCsvField(&pending_, column < column_names_.size() ? column_names_[column] : std::to_string(column));
  }
  pending_ += ',';
  pending_ += RejectReasonName(reject.reason);
  pending_ += ',';
  AppendCsvField(&pending_, reject.detail);
  pending_ += ',';
  AppendCsvField(&pending_, std::string_view(reject.raw).substr(0, RowReject::kMaxRawBytes));
  pending_ += '\n';
  if (pending_.size() >= kFlushBytes) return Flush();
  return Status::OK();
}

Status RejectSink::Flush() {
  if (!file_ || pending_.empty()) return Status::OK();
  Status status = file_->Write(pending_.data(), pending_.size());
  pending_.clear();
  return status;
}

Status RejectSink::Seal() {
  if (!file_) return Status::OK();
  OC_RETURN_IF_ERROR(Flush());
  return file_->Sync();
}

Status RejectSink::Commit() {
  if (!file_) return Status::OK();
  OC_RETURN_IF_ERROR(Seal());
  return file_->Commit();
}

}  // namespace outcore
