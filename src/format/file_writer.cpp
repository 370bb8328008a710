#include "format/file_writer.h"

#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>
#include <xxhash.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "format/file_reader.h"

namespace outcore::format {

namespace {

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<int> CreateTempBeside(const std::string& target, std::string* temp_path) {
  static std::atomic<int> counter{0};
  std::string dir = DirName(target);
  for (int attempt = 0; attempt < 100; ++attempt) {
    *temp_path = dir + "/." + BaseName(target) + ".tmp-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter.fetch_add(1));
    int fd = ::open(temp_path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return fd;
    if (errno != EEXIST) return Errno("cannot create a temporary file beside", target);
  }
  return Status::IOError("cannot create a temporary file beside " + target + ": too many attempts");
}

Status CommitTemp(int fd, const std::string& temp_path, const std::string& target) {
  if (::fsync(fd) != 0) return Errno("cannot sync", temp_path);
  if (::close(fd) != 0) return Errno("cannot close", temp_path);
  if (::rename(temp_path.c_str(), target.c_str()) != 0) return Errno("cannot rename into place:", target);
  int dir_fd = ::open(DirName(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);  // best effort: makes the rename itself durable
    ::close(dir_fd);
  }
  return Status::OK();
}

Result<std::unique_ptr<FileWriter>> FileWriter::Create(const std::string& path) {
  std::unique_ptr<FileWriter> w(new FileWriter());
  w->path_ = path;
  OC_ASSIGN_OR_RETURN(w->fd_, CreateTempBeside(path, &w->temp_path_));
  char header[kHeaderSize];
  std::memcpy(header, kMagic, 8);
  uint32_t version = kFormatVersion, flags = 0;
  std::memcpy(header + 8, &version, 4);
  std::memcpy(header + 12, &flags, 4);
  OC_RETURN_IF_ERROR(w->WriteAll(header, sizeof header));
  return w;
}

FileWriter::~FileWriter() {
  if (!finished_) Abort();
}

void FileWriter::Abort() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!temp_path_.empty() && !finished_) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

Status FileWriter::WriteAll(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t written = ::write(fd_, p, n);
    if (written < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path_);  // ENOSPC says "No space left on device"
    }
    p += written;
    n -= size_t(written);
    offset_ += uint64_t(written);
  }
  return Status::OK();
}

Result<BlockRef> FileWriter::AppendBlock(std::string_view stored, uint64_t decoded_size, uint8_t codec) {
  if (fd_ < 0) return Status::InvalidArgument("FileWriter used after Finish or Abort");
  BlockRef ref;
  ref.offset = offset_;
  ref.stored_size = stored.size();
  ref.decoded_size = decoded_size;
  ref.codec = codec;
  ref.checksum = XXH3_64bits(stored.data(), stored.size());
  OC_RETURN_IF_ERROR(WriteAll(stored.data(), stored.size()));
  return ref;
}

Status FileWriter::Finish(const FileMetadata& metadata) {
  if (fd_ < 0) return Status::InvalidArgument("FileWriter used after Finish or Abort");
  Buffer footer;
  SerializeFooter(metadata, &footer);
  uint64_t footer_offset = offset_;
  OC_RETURN_IF_ERROR(WriteAll(footer.data(), footer.size()));
  char trailer[kTrailerSize];
  uint64_t length = footer.size(), checksum = XXH3_64bits(footer.data(), footer.size());
  std::memcpy(trailer, &footer_offset, 8);
  std::memcpy(trailer + 8, &length, 8);
  std::memcpy(trailer + 16, &checksum, 8);
  std::memcpy(trailer + 24, kMagic, 8);
  OC_RETURN_IF_ERROR(WriteAll(trailer, sizeof trailer));
  int fd = fd_;
  fd_ = -1;
  Status status = CommitTemp(fd, temp_path_, path_);
  if (!status.ok()) {
    ::unlink(temp_path_.c_str());
    return status;
  }
  finished_ = true;
  return Status::OK();
}

Status CopyBlock(const FileReader& reader, BlockRef* block, FileWriter* writer, Buffer* scratch,
                 const std::string& what) {
  OC_RETURN_IF_ERROR(reader.ReadBlock(*block, scratch, what));
  OC_ASSIGN_OR_RETURN(*block, writer->AppendBlock(scratch->view(), block->decoded_size, block->codec));
  return Status::OK();
}

}  // namespace outcore::format
