#include "csv/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <cerrno>
#include <cstring>

namespace outcore {

namespace {

constexpr size_t kCompressedBufferBytes = 256 << 10;
// What inflate allocates for its state and 32 KiB window (zlib's zconf.h formula, rounded up).
constexpr uint64_t kInflateStateBytes = 48 << 10;
constexpr unsigned char kGzipMagic[2] = {0x1f, 0x8b};
constexpr unsigned char kZstdMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};

// The file descriptor under every source: counts the bytes it hands out.
class RawFile {
 public:
  RawFile(int fd, bool owned, std::string path, uint64_t size)
      : fd_(fd), owned_(owned), path_(std::move(path)), size_(size) {}
  RawFile(const RawFile&) = delete;
  RawFile& operator=(const RawFile&) = delete;
  ~RawFile() {
    if (owned_) ::close(fd_);
  }

  // One read(2): up to n bytes, 0 at end of file.
  Result<size_t> ReadSome(char* dst, size_t n) {
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

  const std::string& path() const { return path_; }
  uint64_t consumed() const { return consumed_; }
  uint64_t size() const { return size_; }

 private:
  int fd_;
  bool owned_;
  std::string path_;
  uint64_t size_;
  uint64_t consumed_ = 0;
};

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

// Shared by the decompressing sources: a budget-charged buffer of compressed
// bytes and where in the file it starts (for error offsets).
class CompressedInput {
 public:
  CompressedInput(std::unique_ptr<RawFile> file, std::string_view prefix, MemoryBudget* budget)
      : file_(std::move(file)), buffer_(budget) {
    buffer_.Resize(kCompressedBufferBytes);
    std::memcpy(buffer_.data(), prefix.data(), prefix.size());
    filled_ = prefix.size();
  }

  // Replaces the buffer's content with the next bytes of the file.
  Status Refill() {
    buffer_start_ = file_->consumed();
    OC_ASSIGN_OR_RETURN(size_t got, file_->ReadSome(reinterpret_cast<char*>(buffer_.data()), buffer_.size()));
    filled_ = got;
    eof_ = got == 0;
    return Status::OK();
  }

  uint8_t* data() { return buffer_.data(); }
  size_t filled() const { return filled_; }
  bool eof() const { return eof_; }
  uint64_t OffsetOf(size_t position_in_buffer) const { return buffer_start_ + position_in_buffer; }
  RawFile& file() { return *file_; }
  const RawFile& file() const { return *file_; }

 private:
  std::unique_ptr<RawFile> file_;
  Buffer buffer_;
  size_t filled_ = 0;
  uint64_t buffer_start_ = 0;
  bool eof_ = false;
};

class GzipSource final : public ByteSource {
 public:
  GzipSource(std::unique_ptr<RawFile> file, std::string_view prefix, MemoryBudget* budget)
      : input_(std::move(file), prefix, budget), budget_(budget) {
    if (budget_) budget_->Reserve(kInflateStateBytes);
  }
  ~GzipSource() override {
    if (initialized_) inflateEnd(&stream_);
    if (budget_) budget_->Release(kInflateStateBytes);
  }

  Status Init() {
    stream_.next_in = input_.data();
    stream_.avail_in = uInt(input_.filled());
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) {
      return Status::OutOfMemory(path() + ": cannot start a gzip decoder");
    }
    initialized_ = true;
    return Status::OK();
  }

  Result<size_t> Read(char* dst, size_t n) override {
    stream_.next_out = reinterpret_cast<Bytef*>(dst);
    // avail_out is 32-bit: large reads are served in pieces.
    size_t remaining = n;
    while (remaining > 0) {
      stream_.avail_out = uInt(std::min<size_t>(remaining, 1u << 30));
      const uInt asked = stream_.avail_out;
      Status status = Pump();
      remaining -= asked - stream_.avail_out;
      OC_RETURN_IF_ERROR(status);
      if (stream_.avail_out > 0) break;  // end of input
    }
    return n - remaining;
  }
  uint64_t raw_bytes_read() const override { return input_.file().consumed(); }
  uint64_t file_size() const override { return input_.file().size(); }
  const std::string& path() const override { return input_.file().path(); }

 private:
  // Inflates until avail_out is 0 or the input ends.
  Status Pump() {
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0 && !input_.eof()) {
        OC_RETURN_IF_ERROR(input_.Refill());
        stream_.next_in = input_.data();
        stream_.avail_in = uInt(input_.filled());
      }
      if (!in_member_) {
        if (stream_.avail_in == 0) return Status::OK();  // clean end after the last member
        inflateReset(&stream_);                          // concatenated members (gzip a b > ab.gz)
        in_member_ = true;
      }
      int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc == Z_BUF_ERROR) {
        if (stream_.avail_in == 0 && input_.eof()) {
          return Status::Corruption(
              path() + ": truncated gzip stream: input ends inside a member at compressed byte " +
              std::to_string(input_.file().consumed()) + "; the file is incomplete");
        }
      } else if (rc != Z_OK) {
        const uint64_t at = input_.OffsetOf(size_t(stream_.next_in - input_.data()));
        return Status::Corruption(path() + ": corrupt gzip stream at compressed byte " + std::to_string(at) +
                                  (stream_.msg ? std::string(" (") + stream_.msg + ")" : std::string()));
      }
    }
    return Status::OK();
  }

  CompressedInput input_;
  MemoryBudget* budget_;
  z_stream stream_{};
  bool initialized_ = false;
  bool in_member_ = true;
};

class ZstdSource final : public ByteSource {
 public:
  ZstdSource(std::unique_ptr<RawFile> file, std::string_view prefix, MemoryBudget* budget)
      : input_(std::move(file), prefix, budget), budget_(budget), context_(ZSTD_createDCtx()) {
    in_ = {input_.data(), input_.filled(), 0};
  }
  ~ZstdSource() override {
    ZSTD_freeDCtx(context_);
    if (budget_) budget_->Release(charged_);
  }

  Status Init() {
    if (!context_) return Status::OutOfMemory(path() + ": cannot start a zstd decoder");
    ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax, kMaxZstdWindowLog);
    ChargeContext();
    return Status::OK();
  }

  Result<size_t> Read(char* dst, size_t n) override {
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos < out.size) {
      if (in_.pos == in_.size && !input_.eof()) {
        OC_RETURN_IF_ERROR(input_.Refill());
        in_ = {input_.data(), input_.filled(), 0};
      }
      const bool input_done = in_.pos == in_.size && input_.eof();
      if (input_done && !frame_open_) break;
      const size_t out_before = out.pos;
      const size_t in_before = in_.pos;
      const size_t rc = ZSTD_decompressStream(context_, &out, &in_);
      ChargeContext();
      if (ZSTD_isError(rc)) {
        const std::string at = std::to_string(input_.OffsetOf(in_before));
        if (ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge) {
          return Status::InvalidArgument(path() + ": zstd frame at compressed byte " + at +
                                         " needs a window over 128 MiB (windowLog > " +
                                         std::to_string(kMaxZstdWindowLog) +
                                         "); recompress without --long or with --long=27");
        }
        return Status::Corruption(path() + ": corrupt zstd stream at compressed byte " + at + " (" +
                                  ZSTD_getErrorName(rc) + ")");
      }
      frame_open_ = rc != 0;  // 0: a frame ended and all its output was flushed
      if (input_done && frame_open_ && out.pos == out_before) {
        return Status::Corruption(path() +
                                  ": truncated zstd stream: input ends inside a frame at compressed byte " +
                                  std::to_string(input_.file().consumed()) + "; the file is incomplete");
      }
    }
    return out.pos;
  }
  uint64_t raw_bytes_read() const override { return input_.file().consumed(); }
  uint64_t file_size() const override { return input_.file().size(); }
  const std::string& path() const override { return input_.file().path(); }

 private:
  // The decoder's window grows with the frame: keep the budget in step.
  void ChargeContext() {
    if (!budget_) return;
    const uint64_t now = ZSTD_sizeof_DCtx(context_);
    if (now > charged_) budget_->Reserve(now - charged_);
    if (now < charged_) budget_->Release(charged_ - now);
    charged_ = now;
  }

  CompressedInput input_;
  MemoryBudget* budget_;
  ZSTD_DCtx* context_;
  ZSTD_inBuffer in_{};
  uint64_t charged_ = 0;
  bool frame_open_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path, MemoryBudget* budget) {
  int fd = 0;
  bool owned = false;
  if (path != "-") {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
    owned = true;
  }
  uint64_t size = 0;
  struct stat info;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) size = uint64_t(info.st_size);
  auto file = std::make_unique<RawFile>(fd, owned, path == "-" ? std::string("<stdin>") : path, size);

  char magic[4];
  OC_ASSIGN_OR_RETURN(size_t got, file->ReadFull(magic, sizeof magic));
  std::string_view prefix(magic, got);
  if (got >= 2 && std::memcmp(magic, kGzipMagic, 2) == 0) {
    auto source = std::make_unique<GzipSource>(std::move(file), prefix, budget);
    OC_RETURN_IF_ERROR(source->Init());
    return std::unique_ptr<ByteSource>(std::move(source));
  }
  if (got == 4 && std::memcmp(magic, kZstdMagic, 4) == 0) {
    auto source = std::make_unique<ZstdSource>(std::move(file), prefix, budget);
    OC_RETURN_IF_ERROR(source->Init());
    return std::unique_ptr<ByteSource>(std::move(source));
  }
  return std::unique_ptr<ByteSource>(std::make_unique<PlainSource>(std::move(file), prefix));
}

}  // namespace outcore
