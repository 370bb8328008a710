// RawFile: the file descriptor under every ByteSource. It counts the bytes it
// hands out (the progress numerator) and can be narrowed to one byte range of
// a regular file (a zip member), so a decoder sees the end of its input where
// the member ends.
//
// Thread-safety: one thread (the ingest reader thread).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "outcore/status.h"

namespace outcore {

class RawFile {
 public:
  // `seekable`: a regular file (pread and lseek work), not a pipe or terminal.
  RawFile(int fd, bool owned, std::string path, uint64_t size, bool seekable)
      : fd_(fd), owned_(owned), seekable_(seekable), path_(std::move(path)), size_(size) {}
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  ~RawFile() {
    if (owned_) ::close(fd_);
  }

  // One read(2): up to n bytes, 0 at end of file (or of the range Narrow set).
  Result<size_t> ReadSome(char* dst, size_t n) {
    if (end_ - consumed_ < n) n = size_t(end_ - consumed_);
    if (n == 0) return size_t(0);
    while (true) {
      ssize_t got = ::read(fd_, dst, n);
      if (got >= 0) {
        consumed_ += uint64_t(got);
        return size_t(got);
      }
      if (errno != EINTR) return Status::IOError("cannot read " + path_ + ": " + std::strerror(errno));
    }
  }
  // Reads until n bytes or end of file.
  Result<size_t> ReadFull(char* dst, size_t n) {
    size_t total = 0;
    while (total < n) {
      OC_ASSIGN_OR_RETURN(size_t got, ReadSome(dst + total, n - total));
      if (got == 0) break;
      total += got;
    }
    return total;
  }
  // Reads exactly n bytes at `offset` without moving the read position.
  // REQUIRES: seekable().
  Status ReadAt(uint64_t offset, char* dst, size_t n) {
    size_t total = 0;
    while (total < n) {
      ssize_t got = ::pread(fd_, dst + total, n - total, off_t(offset + total));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Status::IOError("cannot read " + path_ + ": " + std::strerror(errno));
      if (got == 0) {
        return Status::Corruption(path_ + ": the file ends at byte " + std::to_string(offset + total) +
                                  ", inside a structure that needs " + std::to_string(n) + " bytes at byte " +
                                  std::to_string(offset) + " (the file is truncated)");
      }
      total += size_t(got);
    }
    return Status::OK();
  }
  // From now on reads start at `begin` and end at `end`. REQUIRES: seekable().
  Status Narrow(uint64_t begin, uint64_t end) {
    if (::lseek(fd_, off_t(begin), SEEK_SET) < 0) {
      return Status::IOError("cannot seek in " + path_ + ": " + std::strerror(errno));
    }
    consumed_ = begin;
    end_ = end;
    return Status::OK();
  }

  const std::string& path() const { return path_; }
  bool seekable() const { return seekable_; }
  // The offset of the next byte read(2) returns: bytes consumed so far.
  uint64_t consumed() const { return consumed_; }
  uint64_t size() const { return size_; }

 private:
  int fd_;
  bool owned_;
  bool seekable_;
  std::string path_;
  uint64_t size_;
  uint64_t consumed_ = 0;
  uint64_t end_ = std::numeric_limits<uint64_t>::max();
};

}  // namespace outcore
