#include "clean/reject.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "csv/writer.h"

namespace outcore {

namespace {

constexpr size_t kFlushBytes = 1 << 20;

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot write rejects file " + path + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(size_t(wrote));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<RejectSink>> RejectSink::Open(const std::string& path,
                                                     std::vector<std::string> column_names) {
  std::unique_ptr<RejectSink> sink(new RejectSink());
  sink->column_names_ = std::move(column_names);
  if (path.empty()) return sink;
  sink->path_ = path;
  // Same folder as the target, so that Commit's rename is atomic.
  std::string pattern = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) {
    return Status::IOError("cannot create rejects file in " + DirectoryOf(path) + ": " +
                           std::strerror(errno));
  }
  ::fchmod(fd, 0644);  // mkstemp makes 0600; a rejects file is a normal output
  sink->fd_ = fd;
  sink->temp_path_ = std::move(pattern);
  sink->pending_ = "file,line,column,reason,detail,raw\n";
  return sink;
}

RejectSink::~RejectSink() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

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
  if (fd_ < 0) return Status::OK();
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
  if (fd_ < 0 || pending_.empty()) return Status::OK();
  Status status = WriteAll(fd_, pending_, path_);
  pending_.clear();
  return status;
}

Status RejectSink::Commit() {
  if (fd_ < 0) return Status::OK();
  OC_RETURN_IF_ERROR(Flush());
  if (::fsync(fd_) != 0)
    return Status::IOError("cannot sync rejects file " + path_ + ": " + std::strerror(errno));
  if (::close(fd_) != 0) {
    fd_ = -1;
    ::unlink(temp_path_.c_str());
    return Status::IOError("cannot close rejects file " + path_ + ": " + std::strerror(errno));
  }
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_path_.c_str());
    return Status::IOError("cannot move rejects file into place at " + path_ + ": " + std::strerror(error));
  }
  // The rename itself is durable only once the folder is synced.
  int dir = ::open(DirectoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::OK();
}

}  // namespace outcore
