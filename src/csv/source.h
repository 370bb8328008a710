// ByteSource: the bytes of one input file, decompressed on the fly. gzip
// (multi-member), zstd (multi-frame), bzip2 (multi-stream), xz and a zip
// archive holding one file are recognised by their magic bytes, not by the
// file name (decompress.h, zip_archive.h); anything else is read as is; "-"
// is stdin. Inputs that are not CSV text (Parquet, Arrow, Feather, .oc, .xls,
// .xlsx, tar, JSON) are refused when opened (format_sniff.h). Memory is
// bounded: a fixed input buffer charged to the budget, zstd windows capped at
// 128 MiB (windowLog 27), xz decoders at 128 MiB (and half the budget), and every decoder's memory
// charged to the budget.
//
// Thread-safety: a source is driven by one thread (the ingest reader thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `n` decompressed bytes into `dst`. Returns fewer than `n` only
  // at end of input, and 0 once the input is exhausted. Errors name the path
  // and, for compressed input, the compressed byte offset.
  virtual Result<size_t> Read(char* dst, size_t n) = 0;
  // Bytes consumed from the file itself (compressed bytes for compressed input): the
  // numerator of a progress bar whose denominator is file_size().
  virtual uint64_t raw_bytes_read() const = 0;
  // Size of the file in bytes; 0 when unknown (stdin, pipes).
  virtual uint64_t file_size() const = 0;
  virtual const std::string& path() const = 0;
};

// Zstd frames wanting a larger window than 2^kMaxZstdWindowLog are refused
// (the window is memory the decoder must hold).
inline constexpr int kMaxZstdWindowLog = 27;
// An xz file whose decoder needs more memory than this, or than half the
// budget's limit, is refused (xz -9 needs 65 MiB, xz -6 9 MiB).
inline constexpr uint64_t kMaxXzDecoderBytes = 128ull << 20;

// Opens `path` ("-" for stdin), picks the decoder from its first bytes and
// reads the first kSniffBytes to refuse what is not CSV; errors name the path
// (and, for compressed input, the compressed byte offset).
//   OC_ASSIGN_OR_RETURN(auto source, OpenByteSource("data.csv.gz", &budget));
//   char block[1 << 16];
//   OC_ASSIGN_OR_RETURN(size_t got, source->Read(block, sizeof block));
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path, MemoryBudget* budget);

}  // namespace outcore
