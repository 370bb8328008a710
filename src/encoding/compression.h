// Block compression of encoded column payloads (the second half of DESIGN.md
// idea 2): zstd for size, lz4 for speed, none for incompressible data. The
// codec id is stored by the format layer next to the compressed bytes, so the
// numbers below are part of the file format (doc/encodings.md, "Codecs").
//
// Thread-safety: a Compressor owns a ZSTD_CCtx and is used by one thread at a
// time (make one per worker). Decompress is safe from any thread.
//
//   outcore::Compressor zstd(outcore::Codec::kZstd, 3);
//   OC_RETURN_IF_ERROR(zstd.Compress(payload.view(), &compressed));
//   OC_RETURN_IF_ERROR(outcore::Decompress(outcore::Codec::kZstd, compressed.view(),
//                                          payload.size(), &payload));
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

// Stored as one byte per column chunk: never renumber.
enum class Codec : uint8_t { kNone = 0, kZstd = 1, kLz4 = 2 };

// "none", "zstd", "lz4".
std::string_view CodecName(Codec codec);
// The names above (case-insensitive); InvalidArgument naming the choices otherwise.
//   auto codec = CodecFromName("zstd");   // *codec == Codec::kZstd
Result<Codec> CodecFromName(std::string_view name);
// True for a codec id this version can decompress (used to validate files).
bool IsKnownCodec(uint8_t raw);

// The level ingest compresses at unless told otherwise
// (IngestOptions::compression_level; ingest's options_test holds them equal);
// rewrites of a file whose footer records no level use it too.
inline constexpr int kDefaultCompressionLevel = 1;

class Compressor {
 public:
  // `level`: zstd 1..22 (3 is a good default; negative = faster), lz4
  // acceleration when > 1 (1 = default), ignored for kNone.
  Compressor(Codec codec, int level);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  Codec codec() const { return codec_; }
  // Replaces out's contents with the compressed form of `in` (out keeps its
  // capacity between calls, so one buffer serves every chunk).
  //   Buffer out(&budget);
  //   OC_RETURN_IF_ERROR(compressor.Compress(payload.view(), &out));
  Status Compress(std::string_view in, Buffer* out);

 private:
  Codec codec_;
  int level_;
  struct ZstdContext;
  std::unique_ptr<ZstdContext> zstd_;
};

// Replaces out's contents with exactly `decoded_size` bytes decompressed from
// `in`. Corruption when the frame is damaged or decodes to any other size;
// never allocates more than decoded_size whatever the frame claims.
//   OC_RETURN_IF_ERROR(Decompress(Codec::kLz4, stored, chunk.decoded_size, &payload));
Status Decompress(Codec codec, std::string_view in, uint64_t decoded_size, Buffer* out);

}  // namespace outcore
