// Decompressing byte sources. OpenByteSource recognises a compressed input by
// its magic bytes (not its name) and reads it through one of these: gzip
// (every member), zstd (every frame), bzip2 (every stream), xz (concatenated
// streams) or the one file of a zip archive (zip_archive.h). One loop,
// DecompressingSource, drives every format: it refills a budget-charged input
// buffer, starts the next member, and names the compressed byte offset of a
// corrupt or truncated stream. A decoder's own memory is bounded (zstd window,
// xz memlimit, bzip2's small mode when the budget is short) and charged to
// the budget as it changes.
//
// Thread-safety: a source is driven by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "csv/raw_file.h"
#include "csv/source.h"
#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

enum class Compression { kNone, kGzip, kZstd, kBzip2, kXz, kZip };

// Bytes of a file's start that CompressionFromMagic looks at (bzip2's "BZh"
// + level + the 6-byte magic of its first block).
inline constexpr size_t kMagicBytes = 10;

// The compression `magic` (the file's first bytes, fewer for a short file)
// announces; kNone for anything else.
Compression CompressionFromMagic(std::string_view magic);
// "gzip", "zstd", "bzip2", "xz", "zip"; "" for kNone.
std::string_view CompressionName(Compression compression);

// How far one call of a decoder got.
struct DecodeStep {
  size_t consumed = 0;      // input bytes used
  size_t produced = 0;      // output bytes written
  bool stream_end = false;  // a member / frame / stream ended and all its output is out
};

// One compression format's decoder, driven by DecompressingSource.
class Decoder {
 public:
  virtual ~Decoder() = default;
  // Names in messages: "gzip" and "member" make "input ends inside a gzip member".
  virtual std::string_view name() const = 0;
  virtual std::string unit() const = 0;
  // Decodes from in[0, in_size) into out[0, out_size); `input_ends`: no bytes
  // follow `in`. Fills *step even on error (consumed says where it failed).
  // Errors carry a bare detail ("invalid block type"); a Corruption is
  // reported as a corrupt stream, any other code as a limit of the unit.
  virtual Status Step(const uint8_t* in, size_t in_size, char* out, size_t out_size, bool input_ends,
                      DecodeStep* step) = 0;
  // Whether bytes after a stream's end start another one (gzip a b > ab.gz).
  virtual bool concatenates() const { return true; }
  // Prepares for the next concatenated stream.
  virtual Status Restart() { return Status::OK(); }
  // What the decoder holds in memory now, to be charged to the budget.
  virtual uint64_t memory_bytes() const = 0;
};

// A ByteSource over `file` through `decoder`; `prefix` holds bytes already
// read from the file (the magic), decoded first.
std::unique_ptr<ByteSource> MakeDecompressingSource(std::unique_ptr<RawFile> file, std::string_view prefix,
                                                    std::unique_ptr<Decoder> decoder, MemoryBudget* budget);

// zlib's inflate: gzip members (concatenating), or a raw deflate stream (one,
// as in a zip member).
enum class DeflateWrapper { kGzip, kRaw };
Result<std::unique_ptr<Decoder>> MakeInflateDecoder(DeflateWrapper wrapper);

// The source for a compressed file. REQUIRES: compression != kNone; `magic`
// is what was read from the file's start.
Result<std::unique_ptr<ByteSource>> OpenDecompressingSource(Compression compression,
                                                            std::unique_ptr<RawFile> file,
                                                            std::string_view magic, MemoryBudget* budget);

}  // namespace outcore
