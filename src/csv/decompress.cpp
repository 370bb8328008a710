#include "csv/decompress.h"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstring>

#include "csv/zip_archive.h"

namespace outcore {

namespace {

constexpr size_t kCompressedBufferBytes = 256 << 10;
// zlib, bzip2 and liblzma count in 32-bit unsigned ints: larger spans go in pieces.
constexpr size_t kMaxStepBytes = size_t(1) << 30;
// What inflate allocates for its state and 32 KiB window (zlib's zconf.h formula, rounded up).
constexpr uint64_t kInflateStateBytes = 48 << 10;
// bzip2's decoder at the largest block size (900k), from bzlib's manual
// ("Memory management"): 100k + 4 x block size, or 100k + 2.5 x block size
// in small mode (about half as fast).
constexpr uint64_t kBzip2Bytes = 100'000 + 4 * 900'000;
constexpr uint64_t kBzip2SmallBytes = 100'000 + 5 * 900'000 / 2;

constexpr unsigned char kGzipMagic[2] = {0x1f, 0x8b};
constexpr unsigned char kZstdMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
constexpr unsigned char kXzMagic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
constexpr unsigned char kZipLocalHeaderMagic[4] = {'P', 'K', 0x03, 0x04};
constexpr unsigned char kZipEmptyArchiveMagic[4] = {'P', 'K', 0x05, 0x06};
// After "BZh" and the level digit, a bzip2 stream starts with a block (the
// digits of pi) or, when empty, with its end-of-stream marker (sqrt(pi)).
constexpr unsigned char kBzip2BlockMagic[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
constexpr unsigned char kBzip2EndMagic[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};

bool StartsWith(std::string_view bytes, const unsigned char* magic, size_t size, size_t at = 0) {
  return bytes.size() >= at + size && std::memcmp(bytes.data() + at, magic, size) == 0;
}

std::string Mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

// A budget-charged buffer of compressed bytes and where in the file it starts
// (for error offsets).
class CompressedInput {
 public:
  CompressedInput(std::unique_ptr<RawFile> file, std::string_view prefix, MemoryBudget* budget)
      : file_(std::move(file)), buffer_(budget) {
    buffer_.Resize(std::max(kCompressedBufferBytes, prefix.size()));
    std::memcpy(buffer_.data(), prefix.data(), prefix.size());
    filled_ = prefix.size();
    buffer_start_ = file_->consumed() - prefix.size();
  }

  // Replaces the buffer's content with the next bytes of the file.
  Status Refill() {
    buffer_start_ = file_->consumed();
    OC_ASSIGN_OR_RETURN(size_t got, file_->ReadSome(reinterpret_cast<char*>(buffer_.data()), buffer_.size()));
    filled_ = got;
    eof_ = got == 0;
    return Status::OK();
  }

  const uint8_t* data() const { return buffer_.data(); }
  size_t filled() const { return filled_; }
  bool eof() const { return eof_; }
  uint64_t OffsetOf(size_t position_in_buffer) const { return buffer_start_ + position_in_buffer; }
  const RawFile& file() const { return *file_; }

 private:
  std::unique_ptr<RawFile> file_;
  Buffer buffer_;
  size_t filled_ = 0;
  uint64_t buffer_start_ = 0;
  bool eof_ = false;
};

// Keeps a budget charge equal to what a decoder holds.
class DecoderCharge {
 public:
  explicit DecoderCharge(MemoryBudget* budget) : budget_(budget) {}
  DecoderCharge(const DecoderCharge&) = delete;
  DecoderCharge& operator=(const DecoderCharge&) = delete;
  ~DecoderCharge() { Set(0); }

  void Set(uint64_t now) {
    if (!budget_) return;
    if (now > charged_) budget_->Reserve(now - charged_);
    if (now < charged_) budget_->Release(charged_ - now);
    charged_ = now;
  }

 private:
  MemoryBudget* budget_;
  uint64_t charged_ = 0;
};

class DecompressingSource final : public ByteSource {
 public:
  DecompressingSource(std::unique_ptr<RawFile> file, std::string_view prefix,
                      std::unique_ptr<Decoder> decoder, MemoryBudget* budget)
      : input_(std::move(file), prefix, budget), decoder_(std::move(decoder)), charge_(budget) {
    charge_.Set(decoder_->memory_bytes());
  }

  Result<size_t> Read(char* dst, size_t n) override {
    size_t produced = 0;
    while (produced < n && !finished_) {
      if (position_ == input_.filled() && !input_.eof()) {
        OC_RETURN_IF_ERROR(input_.Refill());
        position_ = 0;
      }
      const bool input_ends = position_ == input_.filled() && input_.eof();
      if (!in_stream_) {
        if (input_ends || !decoder_->concatenates()) {
          finished_ = true;
          break;
        }
        if (Status status = decoder_->Restart(); !status.ok()) return Named(status);
        in_stream_ = true;
      }
      DecodeStep step;
      Status status = decoder_->Step(input_.data() + position_, input_.filled() - position_, dst + produced,
                                     n - produced, input_ends, &step);
      charge_.Set(decoder_->memory_bytes());
      position_ += step.consumed;
      produced += step.produced;
      if (!status.ok()) return Named(status);
      if (step.stream_end) {
        in_stream_ = false;
      } else if (input_ends && step.consumed == 0 && step.produced == 0) {
        return Status::Corruption(path() + ": truncated " + std::string(decoder_->name()) +
                                  " stream: input ends inside a " + decoder_->unit() +
                                  " at compressed byte " + std::to_string(input_.file().consumed()) +
                                  "; the file is incomplete");
      }
    }
    return produced;
  }
  // Once the last byte is out, the whole file counts as read (a zip's
  // central directory is never read through this source).
  uint64_t raw_bytes_read() const override {
    const RawFile& file = input_.file();
    return finished_ ? std::max(file.consumed(), file.size()) : file.consumed();
  }
  uint64_t file_size() const override { return input_.file().size(); }
  const std::string& path() const override { return input_.file().path(); }

 private:
  Status Named(const Status& status) const {
    const std::string at = std::to_string(input_.OffsetOf(position_));
    if (status.code() == StatusCode::kCorruption) {
      return Status::Corruption(path() + ": corrupt " + std::string(decoder_->name()) +
                                " stream at compressed byte " + at + " (" + status.message() + ")");
    }
    return Status(status.code(), path() + ": " + std::string(decoder_->name()) + " " + decoder_->unit() +
                                     " at compressed byte " + at + " " + status.message());
  }

  CompressedInput input_;
  std::unique_ptr<Decoder> decoder_;
  DecoderCharge charge_;
  size_t position_ = 0;  // in input_'s buffer
  bool in_stream_ = true;
  bool finished_ = false;
};

class InflateDecoder final : public Decoder {
 public:
  explicit InflateDecoder(DeflateWrapper wrapper) : wrapper_(wrapper) {}
  ~InflateDecoder() override {
    if (initialized_) inflateEnd(&stream_);
  }

  Status Init() {
    if (inflateInit2(&stream_, wrapper_ == DeflateWrapper::kGzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK) {
      return Status::OutOfMemory("cannot start a deflate decoder");
    }
    initialized_ = true;
    return Status::OK();
  }

  std::string_view name() const override { return wrapper_ == DeflateWrapper::kGzip ? "gzip" : "deflate"; }
  std::string unit() const override { return "member"; }
  bool concatenates() const override { return wrapper_ == DeflateWrapper::kGzip; }
  Status Restart() override {
    inflateReset(&stream_);
    return Status::OK();
  }
  uint64_t memory_bytes() const override { return kInflateStateBytes; }

  Status Step(const uint8_t* in, size_t in_size, char* out, size_t out_size, bool /*input_ends*/,
              DecodeStep* step) override {
    const uInt in_avail = uInt(std::min(in_size, kMaxStepBytes));
    const uInt out_avail = uInt(std::min(out_size, kMaxStepBytes));
    stream_.next_in = const_cast<Bytef*>(in);
    stream_.avail_in = in_avail;
    stream_.next_out = reinterpret_cast<Bytef*>(out);
    stream_.avail_out = out_avail;
    const int rc = inflate(&stream_, Z_NO_FLUSH);
    step->consumed = in_avail - stream_.avail_in;
    step->produced = out_avail - stream_.avail_out;
    step->stream_end = rc == Z_STREAM_END;
    if (rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR) return Status::OK();  // BUF: no progress
    if (rc == Z_MEM_ERROR) return Status::OutOfMemory("cannot allocate memory to inflate");
    return Status::Corruption(stream_.msg         ? stream_.msg
                              : rc == Z_NEED_DICT ? "needs a preset dictionary"
                                                  : "inflate error");
  }

 private:
  DeflateWrapper wrapper_;
  z_stream stream_{};
  bool initialized_ = false;
};

class ZstdDecoder final : public Decoder {
 public:
  ZstdDecoder() : context_(ZSTD_createDCtx()) {}
  ~ZstdDecoder() override { ZSTD_freeDCtx(context_); }

  Status Init() {
    if (!context_) return Status::OutOfMemory("cannot start a zstd decoder");
    ZSTD_DCtx_setParameter(context_, ZSTD_d_windowLogMax, kMaxZstdWindowLog);
    return Status::OK();
  }

  std::string_view name() const override { return "zstd"; }
  std::string unit() const override { return "frame"; }
  // The window grows with the frame being decoded.
  uint64_t memory_bytes() const override { return ZSTD_sizeof_DCtx(context_); }

  Status Step(const uint8_t* in, size_t in_size, char* out, size_t out_size, bool /*input_ends*/,
              DecodeStep* step) override {
    ZSTD_inBuffer input{in, in_size, 0};
    ZSTD_outBuffer output{out, out_size, 0};
    const size_t rc = ZSTD_decompressStream(context_, &output, &input);
    step->consumed = input.pos;
    step->produced = output.pos;
    if (ZSTD_isError(rc)) {
      step->consumed = 0;  // the offset names where the failing call started
      if (ZSTD_getErrorCode(rc) == ZSTD_error_frameParameter_windowTooLarge) {
        return Status::InvalidArgument("needs a window over 128 MiB (windowLog > " +
                                       std::to_string(kMaxZstdWindowLog) +
                                       "); recompress without --long or with --long=27");
      }
      return Status::Corruption(ZSTD_getErrorName(rc));
    }
    step->stream_end = rc == 0;  // a frame ended and all its output was flushed
    return Status::OK();
  }

 private:
  ZSTD_DCtx* context_;
};

class Bzip2Decoder final : public Decoder {
 public:
  explicit Bzip2Decoder(bool small) : small_(small) {}
  ~Bzip2Decoder() override { End(); }

  Status Init() {
    if (BZ2_bzDecompressInit(&stream_, 0, small_ ? 1 : 0) != BZ_OK) {
      return Status::OutOfMemory("cannot start a bzip2 decoder");
    }
    initialized_ = true;
    return Status::OK();
  }

  std::string_view name() const override { return "bzip2"; }
  std::string unit() const override { return "stream"; }
  // Streams concatenate (pbzip2 writes one per chunk; cat a.bz2 b.bz2).
  Status Restart() override {
    End();
    return Init();
  }
  uint64_t memory_bytes() const override { return small_ ? kBzip2SmallBytes : kBzip2Bytes; }

  Status Step(const uint8_t* in, size_t in_size, char* out, size_t out_size, bool /*input_ends*/,
              DecodeStep* step) override {
    const unsigned in_avail = unsigned(std::min(in_size, kMaxStepBytes));
    const unsigned out_avail = unsigned(std::min(out_size, kMaxStepBytes));
    stream_.next_in = const_cast<char*>(reinterpret_cast<const char*>(in));
    stream_.avail_in = in_avail;
    stream_.next_out = out;
    stream_.avail_out = out_avail;
    const int rc = BZ2_bzDecompress(&stream_);
    step->consumed = in_avail - stream_.avail_in;
    step->produced = out_avail - stream_.avail_out;
    step->stream_end = rc == BZ_STREAM_END;
    switch (rc) {
      case BZ_OK:
      case BZ_STREAM_END:
        return Status::OK();
      case BZ_DATA_ERROR:
        return Status::Corruption("a block fails its integrity check");
      case BZ_DATA_ERROR_MAGIC:
        return Status::Corruption("bytes that are not a bzip2 stream");
      case BZ_MEM_ERROR:
        return Status::OutOfMemory("cannot allocate memory to decompress");
      default:
        return Status::Corruption("bzip2 error " + std::to_string(rc));
    }
  }

 private:
  void End() {
    if (initialized_) BZ2_bzDecompressEnd(&stream_);
    initialized_ = false;
    stream_ = bz_stream{};
  }

  bool small_;
  bz_stream stream_{};
  bool initialized_ = false;
};

class XzDecoder final : public Decoder {
 public:
  explicit XzDecoder(uint64_t memory_limit) : memory_limit_(memory_limit) {}
  ~XzDecoder() override { lzma_end(&stream_); }

  Status Init() {
    // LZMA_CONCATENATED: `xz a; xz b; cat a.xz b.xz` and stream padding decode
    // as one; the end is known only once LZMA_FINISH says the input ended.
    if (lzma_stream_decoder(&stream_, memory_limit_, LZMA_CONCATENATED) != LZMA_OK) {
      return Status::OutOfMemory("cannot start an xz decoder");
    }
    return Status::OK();
  }

  std::string_view name() const override { return "xz"; }
  std::string unit() const override { return "stream"; }
  uint64_t memory_bytes() const override { return lzma_memusage(&stream_); }

  Status Step(const uint8_t* in, size_t in_size, char* out, size_t out_size, bool input_ends,
              DecodeStep* step) override {
    stream_.next_in = in;
    stream_.avail_in = in_size;
    stream_.next_out = reinterpret_cast<uint8_t*>(out);
    stream_.avail_out = out_size;
    const lzma_ret rc = lzma_code(&stream_, input_ends ? LZMA_FINISH : LZMA_RUN);
    step->consumed = in_size - stream_.avail_in;
    step->produced = out_size - stream_.avail_out;
    step->stream_end = rc == LZMA_STREAM_END;
    switch (rc) {
      case LZMA_OK:
      case LZMA_STREAM_END:
      case LZMA_BUF_ERROR:  // no progress; at the input's end: truncated
        return Status::OK();
      case LZMA_MEMLIMIT_ERROR:
        return Status::InvalidArgument(
            "needs " + Mib(lzma_memusage(&stream_)) + " to decompress, more than the " + Mib(memory_limit_) +
            " an xz decoder may use (half the memory limit, at most " + Mib(kMaxXzDecoderBytes) +
            "); raise --memory-limit, recompress with a smaller dictionary (xz -6 or lower), or decompress "
            "it "
            "first (xz -dc FILE | outcore ingest - ...)");
      case LZMA_MEM_ERROR:
        return Status::OutOfMemory("cannot allocate memory to decompress");
      case LZMA_FORMAT_ERROR:
        return Status::Corruption("bytes that are not an xz stream");
      case LZMA_OPTIONS_ERROR:
        return Status::Corruption("options this liblzma does not support");
      case LZMA_DATA_ERROR:
        return Status::Corruption("the compressed data is damaged");
      default:
        return Status::Corruption("xz error " + std::to_string(int(rc)));
    }
  }

 private:
  uint64_t memory_limit_;
  lzma_stream stream_ = LZMA_STREAM_INIT;
};

template <typename DecoderType, typename... Args>
Result<std::unique_ptr<ByteSource>> Open(std::unique_ptr<RawFile> file, std::string_view magic,
                                         MemoryBudget* budget, Args... args) {
  auto decoder = std::make_unique<DecoderType>(args...);
  if (Status status = decoder->Init(); !status.ok()) {
    return Status(status.code(), file->path() + ": " + status.message());
  }
  return MakeDecompressingSource(std::move(file), magic, std::move(decoder), budget);
}

}  // namespace

Compression CompressionFromMagic(std::string_view magic) {
  if (StartsWith(magic, kGzipMagic, sizeof kGzipMagic)) return Compression::kGzip;
  if (StartsWith(magic, kZstdMagic, sizeof kZstdMagic)) return Compression::kZstd;
  if (StartsWith(magic, kXzMagic, sizeof kXzMagic)) return Compression::kXz;
  if (StartsWith(magic, kZipLocalHeaderMagic, 4) || StartsWith(magic, kZipEmptyArchiveMagic, 4)) {
    return Compression::kZip;
  }
  if (magic.size() >= 4 && magic.substr(0, 3) == "BZh" && magic[3] >= '1' && magic[3] <= '9' &&
      (StartsWith(magic, kBzip2BlockMagic, 6, 4) || StartsWith(magic, kBzip2EndMagic, 6, 4))) {
    return Compression::kBzip2;
  }
  return Compression::kNone;
}

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "";
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kBzip2:
      return "bzip2";
    case Compression::kXz:
      return "xz";
    case Compression::kZip:
      return "zip";
  }
  return "";
}

std::unique_ptr<ByteSource> MakeDecompressingSource(std::unique_ptr<RawFile> file, std::string_view prefix,
                                                    std::unique_ptr<Decoder> decoder, MemoryBudget* budget) {
  return std::make_unique<DecompressingSource>(std::move(file), prefix, std::move(decoder), budget);
}

Result<std::unique_ptr<Decoder>> MakeInflateDecoder(DeflateWrapper wrapper) {
  auto decoder = std::make_unique<InflateDecoder>(wrapper);
  OC_RETURN_IF_ERROR(decoder->Init());
  return std::unique_ptr<Decoder>(std::move(decoder));
}

Result<std::unique_ptr<ByteSource>> OpenDecompressingSource(Compression compression,
                                                            std::unique_ptr<RawFile> file,
                                                            std::string_view magic, MemoryBudget* budget) {
  switch (compression) {
    case Compression::kGzip:
      return Open<InflateDecoder>(std::move(file), magic, budget, DeflateWrapper::kGzip);
    case Compression::kZstd:
      return Open<ZstdDecoder>(std::move(file), magic, budget);
    case Compression::kBzip2: {
      // Small mode when the budget cannot spare the fast decoder's blocks.
      const bool small = budget && budget->available() < kBzip2Bytes;
      return Open<Bzip2Decoder>(std::move(file), magic, budget, small);
    }
    case Compression::kXz: {
      const uint64_t limit = budget ? std::min(kMaxXzDecoderBytes, budget->limit() / 2) : kMaxXzDecoderBytes;
      return Open<XzDecoder>(std::move(file), magic, budget, limit);
    }
    case Compression::kZip:
      return OpenZipMember(std::move(file), budget);
    case Compression::kNone:
      break;
  }
  return Status::InvalidArgument(file->path() + ": not a compressed file");
}

}  // namespace outcore
