#include "encoding/compression.h"

#include <lz4.h>
#include <zstd.h>

#include <cctype>
#include <climits>
#include <string>

namespace outcore {

struct Compressor::ZstdContext {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~ZstdContext() { ZSTD_freeCCtx(cctx); }
};

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kZstd:
      return "zstd";
    case Codec::kLz4:
      return "lz4";
  }
  return "unknown";
}

Result<Codec> CodecFromName(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
  for (Codec codec : {Codec::kNone, Codec::kZstd, Codec::kLz4}) {
    if (lower == CodecName(codec)) return codec;
  }
  return Status::InvalidArgument("unknown compression codec '" + std::string(name) +
                                 "': use one of none, zstd, lz4");
}

bool IsKnownCodec(uint8_t raw) { return raw <= uint8_t(Codec::kLz4); }

Compressor::Compressor(Codec codec, int level) : codec_(codec), level_(level) {
  if (codec_ == Codec::kZstd) zstd_ = std::make_unique<ZstdContext>();
}

Compressor::~Compressor() = default;

Status Compressor::Compress(std::string_view in, Buffer* out) {
  out->Clear();
  switch (codec_) {
    case Codec::kNone:
      out->Append(in.data(), in.size());
      return Status::OK();
    case Codec::kZstd: {
      if (!zstd_->cctx) return Status::OutOfMemory("zstd: could not create a compression context");
      out->Resize(ZSTD_compressBound(in.size()));
      size_t written = ZSTD_compressCCtx(zstd_->cctx, out->data(), out->size(), in.data(), in.size(), level_);
      if (ZSTD_isError(written)) {
        return Status::IOError(std::string("zstd compression failed: ") + ZSTD_getErrorName(written));
      }
      out->Resize(written);
      return Status::OK();
    }
    case Codec::kLz4: {
      if (in.size() > size_t(LZ4_MAX_INPUT_SIZE)) {
        return Status::InvalidArgument("lz4 cannot compress a block of " + std::to_string(in.size()) +
                                       " bytes (limit ~2 GB): use zstd or smaller chunks");
      }
      out->Resize(size_t(LZ4_compressBound(int(in.size()))));
      int written = LZ4_compress_fast(in.data(), reinterpret_cast<char*>(out->data()), int(in.size()),
                                      int(out->size()), level_ > 1 ? level_ : 1);
      if (written <= 0) return Status::IOError("lz4 compression failed");
      out->Resize(size_t(written));
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown codec id " + std::to_string(int(codec_)));
}

namespace {

Status SizeMismatch(Codec codec, uint64_t got, uint64_t want) {
  return Status::Corruption(std::string(CodecName(codec)) + " block decoded to " + std::to_string(got) +
                            " bytes but the chunk header says " + std::to_string(want) +
                            " (the file is damaged)");
}

ZSTD_DCtx* ThreadDecompressionContext() {
  struct Holder {
    ZSTD_DCtx* dctx = ZSTD_createDCtx();
    ~Holder() { ZSTD_freeDCtx(dctx); }
  };
  thread_local Holder holder;
  return holder.dctx;
}

}  // namespace

Status Decompress(Codec codec, std::string_view in, uint64_t decoded_size, Buffer* out) {
  out->Clear();
  // A block larger than the whole memory budget cannot be decoded inside it.
  // Asked after the codec's own checks: a size the stored bytes cannot decode
  // to is damage (Corruption), not a budget to raise.
  auto fits_budget = [&]() -> Status {
    if (out->budget() == nullptr || decoded_size <= out->budget()->limit()) return Status::OK();
    return Status::OutOfMemory("a block of " + FormatSize(decoded_size) +
                               " (decoded) does not fit the memory limit of " +
                               FormatSize(out->budget()->limit()) + "; raise --memory-limit");
  };
  switch (codec) {
    case Codec::kNone:
      if (in.size() != decoded_size) return SizeMismatch(codec, in.size(), decoded_size);
      OC_RETURN_IF_ERROR(fits_budget());
      out->Append(in.data(), in.size());
      return Status::OK();
    case Codec::kZstd: {
      // The footer's size is hostile until checked: never allocate more than
      // these compressed bytes can decode to. A zstd block holds at most
      // 128 KiB behind a header of at least 3 bytes; the frame also records
      // its content size, which must agree.
      const unsigned long long content = ZSTD_getFrameContentSize(in.data(), in.size());
      if (decoded_size > (uint64_t(in.size()) / 3 + 1) * (128 << 10) ||
          (content != ZSTD_CONTENTSIZE_UNKNOWN && content != decoded_size)) {
        return Status::Corruption("zstd block of " + std::to_string(in.size()) +
                                  " bytes cannot decode to the " + std::to_string(decoded_size) +
                                  " bytes recorded for it (the file is damaged)");
      }
      OC_RETURN_IF_ERROR(fits_budget());
      ZSTD_DCtx* dctx = ThreadDecompressionContext();
      if (!dctx) return Status::OutOfMemory("zstd: could not create a decompression context");
      out->Resize(decoded_size);
      // One-shot decoding into a buffer of exactly decoded_size: the frame's
      // own content-size field is never used to allocate.
      size_t got = ZSTD_decompressDCtx(dctx, out->data(), decoded_size, in.data(), in.size());
      if (ZSTD_isError(got)) {
        out->Clear();
        return Status::Corruption(std::string("zstd block cannot be decoded into ") +
                                  std::to_string(decoded_size) + " bytes: " + ZSTD_getErrorName(got) +
                                  " (the file is damaged)");
      }
      if (got != decoded_size) {
        out->Clear();
        return SizeMismatch(codec, got, decoded_size);
      }
      return Status::OK();
    }
    case Codec::kLz4: {
      if (in.size() > size_t(INT_MAX) || decoded_size > uint64_t(INT_MAX)) {
        return Status::Corruption("lz4 block of " + std::to_string(in.size()) + " -> " +
                                  std::to_string(decoded_size) +
                                  " bytes exceeds lz4's 2 GB limit (the file is damaged)");
      }
      // An LZ4 block expands at most ~255x (one token byte per 255 literal-copy bytes).
      if (decoded_size > 255 * uint64_t(in.size()) + 64) {
        return Status::Corruption("lz4 block of " + std::to_string(in.size()) +
                                  " bytes cannot decode to the " + std::to_string(decoded_size) +
                                  " bytes recorded for it (the file is damaged)");
      }
      OC_RETURN_IF_ERROR(fits_budget());
      out->Resize(decoded_size);
      int got = LZ4_decompress_safe(in.data(), reinterpret_cast<char*>(out->data()), int(in.size()),
                                    int(decoded_size));
      if (got < 0) {
        out->Clear();
        return Status::Corruption("lz4 block is malformed (the file is damaged)");
      }
      if (uint64_t(got) != decoded_size) {
        out->Clear();
        return SizeMismatch(codec, uint64_t(got), decoded_size);
      }
      return Status::OK();
    }
  }
  return Status::Corruption("unknown codec id " + std::to_string(int(codec)) +
                            " (the file is damaged or needs a newer outcore)");
}

}  // namespace outcore
