#include "csv/source.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "csv/decompress.h"
#include "csv/format_sniff.h"
#include "csv/raw_file.h"

namespace outcore {

namespace {

class PlainSource final : public ByteSource {
 public:
  PlainSource(std::unique_ptr<RawFile> file, std::string_view prefix)
      : file_(std::move(file)), prefix_(prefix) {}

  Result<size_t> Read(char* dst, size_t n) override {
    size_t from_prefix = std::min(n, prefix_.size());
    std::memcpy(dst, prefix_.data(), from_prefix);
    prefix_.erase(0, from_prefix);
    OC_ASSIGN_OR_RETURN(size_t got, file_->ReadFull(dst + from_prefix, n - from_prefix));
    return from_prefix + got;
  }
  uint64_t raw_bytes_read() const override { return file_->consumed() - prefix_.size(); }
  uint64_t file_size() const override { return file_->size(); }
  const std::string& path() const override { return file_->path(); }

 private:
  std::unique_ptr<RawFile> file_;
  std::string prefix_;  // the magic bytes read for detection, not yet handed out
};

// Hands out the head that was read to check the input is CSV, then the rest.
class SniffedSource final : public ByteSource {
 public:
  SniffedSource(std::unique_ptr<ByteSource> inner, Buffer head, bool plain)
      : inner_(std::move(inner)), head_(std::move(head)), plain_(plain) {}

  Result<size_t> Read(char* dst, size_t n) override {
    const size_t from_head = std::min(n, head_.size() - head_served_);
    if (from_head > 0)
      std::memcpy(dst, head_.data() + head_served_, from_head);  // an empty head has no data()
    head_served_ += from_head;
    if (head_served_ == head_.size() && head_served_ > 0) {
      head_.Free();  // the head is no longer needed: give its memory back
      head_served_ = 0;
    }
    if (from_head == n) return n;
    OC_ASSIGN_OR_RETURN(size_t got, inner_->Read(dst + from_head, n - from_head));
    return from_head + got;
  }
  // A plain file's progress counts only what was handed out.
  uint64_t raw_bytes_read() const override {
    return inner_->raw_bytes_read() - (plain_ ? head_.size() - head_served_ : 0);
  }
  uint64_t file_size() const override { return inner_->file_size(); }
  const std::string& path() const override { return inner_->path(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  Buffer head_;
  size_t head_served_ = 0;
  bool plain_;
};

Result<std::unique_ptr<RawFile>> OpenRawFile(const std::string& path) {
  int fd = 0;
  bool owned = false;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
    owned = true;
  }
  uint64_t size = 0;
  struct stat info;
  const bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  if (regular) size = uint64_t(info.st_size);
  // stdin redirected from a file (< data.zip) is seekable too.
  return std::make_unique<RawFile>(fd, owned, path == "-" ? std::string("<stdin>") : path, size, regular);
}

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path, MemoryBudget* budget) {
  OC_ASSIGN_OR_RETURN(std::unique_ptr<RawFile> file, OpenRawFile(path));
  char magic[kMagicBytes];
  OC_ASSIGN_OR_RETURN(size_t got, file->ReadFull(magic, sizeof magic));
  const std::string_view prefix(magic, got);

  // 1. Decompress, by the magic bytes.
  const Compression compression = CompressionFromMagic(prefix);
  std::unique_ptr<ByteSource> source;
  if (compression == Compression::kNone) {
    source = std::make_unique<PlainSource>(std::move(file), prefix);
  } else {
    OC_ASSIGN_OR_RETURN(source, OpenDecompressingSource(compression, std::move(file), prefix, budget));
  }

  // 2. Refuse what is not CSV text (Parquet, Arrow, .xls, JSON, ...).
  Buffer head(budget);
  head.Resize(kSniffBytes);
  OC_ASSIGN_OR_RETURN(size_t head_size, source->Read(reinterpret_cast<char*>(head.data()), head.size()));
  head.Resize(head_size);
  OC_RETURN_IF_ERROR(CheckLooksLikeCsv(head.view(), source->path(), CompressionName(compression)));
  return std::unique_ptr<ByteSource>(
      std::make_unique<SniffedSource>(std::move(source), std::move(head), compression == Compression::kNone));
}

}  // namespace outcore
