// The .oc file's metadata — schema, chunk directory with zone maps, column
// dictionaries, ingest report — and its serialized form (the footer). The
// byte layout is specified in doc/format.md; every constant here cites it.
// ParseFooter treats its input as hostile: every count, length and offset is
// checked before use, and a bad one is a Corruption status, never a crash.
//
// Thread-safety: plain values; a FileMetadata is immutable once a reader has
// parsed it and may be shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/reject_reason.h"
#include "format/index_kind.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore::format {

// doc/format.md, "Header" and "Trailer".
inline constexpr char kMagic[8] = {'O', 'U', 'T', 'C', 'O', 'R', 'E', '\0'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr size_t kHeaderSize = 16;   // magic, version u32, flags u32
inline constexpr size_t kTrailerSize = 32;  // footer offset u64, footer length u64, footer xxh3 u64, magic

// doc/format.md, "Chunks section": no writer makes a larger chunk (ingest
// blocks are at most 64 MiB of CSV, and a record takes at least 2 bytes), so a
// footer claiming more is hostile — decoders size buffers from row counts.
inline constexpr uint64_t kMaxChunkRows = uint64_t(1) << 26;

// doc/format.md, "Footer sections": tag values. Readers skip tags they do not know.
enum class SectionTag : uint32_t {
  kSchema = 1,
  kChunks = 2,
  kIngestReport = 3,
  kIndexes = 4,
};

// Codec ids stored in BlockRef::codec (doc/format.md, "Codecs").
inline constexpr uint8_t kCodecNone = 0;
inline constexpr uint8_t kCodecZstd = 1;
inline constexpr uint8_t kCodecLz4 = 2;

// Where one stored block lives and how to check it.
struct BlockRef {
  uint64_t offset = 0;        // from the start of the file
  uint64_t stored_size = 0;   // bytes on disk (compressed)
  uint64_t decoded_size = 0;  // bytes after decompression (the encoded payload)
  uint8_t codec = kCodecNone;
  uint64_t checksum = 0;  // XXH3-64 of the stored bytes
};

// Per chunk and column: the zone map that lets a scan skip the chunk.
struct ZoneMap {
  uint64_t null_count = 0;
  bool has_min_max = false;             // false when every value is null
  bool string_bounds_inexact = false;   // max_string is not an upper bound: do not prune on it
  int64_t min_int = 0, max_int = 0;     // bool, int64, date, timestamp
  double min_float = 0, max_float = 0;  // float64 (NaN excluded)
  std::string min_string, max_string;   // string (at most 64 bytes each)
};

struct ColumnChunkMeta {
  BlockRef block;
  uint8_t encoding = 0;  // the payload's encoding id (doc/encodings.md), for reports
  ZoneMap zone;
};

struct ChunkMeta {
  uint64_t first_row = 0;  // derived when parsing: sum of earlier row_counts
  uint64_t row_count = 0;
  std::vector<ColumnChunkMeta> columns;  // one per schema column
};

struct ColumnMeta {
  std::string name;
  TypeId type = TypeId::kString;
  bool has_dictionary = false;       // a file-wide dictionary block exists
  bool dictionary_complete = false;  // every chunk of the column is dictionary-coded
  BlockRef dictionary;
  uint64_t dictionary_entries = 0;
  uint64_t null_count = 0;
  uint64_t distinct_estimate = 0;  // HyperLogLog estimate, or exact for a complete dictionary
};

struct IngestReport {
  uint64_t rows_read = 0;
  uint64_t rows_kept = 0;
  uint64_t rows_rejected = 0;
  RejectCounts rejected_by_reason{};
  uint64_t input_bytes = 0;
  std::vector<std::string> sources;
  std::string created_by;
};

// doc/format.md, "Indexes section": one value or token index block of a
// column (its layout: doc/query.md, "Index blocks"). The kind ids and their
// names are in format/index_kind.h.
using outcore::kIndexKindToken;
using outcore::kIndexKindValue;

struct IndexMeta {
  uint32_t column = 0;  // schema index
  uint8_t kind = kIndexKindValue;
  BlockRef block;
  uint64_t key_count = 0;  // distinct values or tokens
};

struct FileMetadata {
  std::vector<ColumnMeta> columns;
  std::vector<ChunkMeta> chunks;
  uint64_t num_rows = 0;
  IngestReport ingest;
  std::vector<IndexMeta> indexes;  // at most one per (column, kind); absent in older files
  bool has_ingest_report = false;  // the footer had an ingest report section

  // The index of `kind` on `column`, or null.
  const IndexMeta* FindIndex(int column, uint8_t kind) const;

  // Index of the column called `name`, or -1.
  int FindColumn(std::string_view name) const;
};

// Appends the footer sections for `metadata` to `out` (doc/format.md, "Footer").
void SerializeFooter(const FileMetadata& metadata, Buffer* out);
// Parses a footer; `data_end` is the first byte after the block region, which
// every BlockRef must lie inside. Fills first_row and num_rows.
Status ParseFooter(std::string_view footer, uint64_t data_end, FileMetadata* out);

// doc/format.md, "Cross-checks": what a parsed footer must agree with beyond
// its own checksum, since a rewritten footer with a recomputed checksum could
// re-point or drop blocks. The chunks' row counts sum to the ingest report's
// kept rows (and read = kept + rejected); no two blocks (column chunks,
// dictionaries, indexes) share a byte. The sort's scratch is charged to
// `budget`. A mismatch is a Corruption status naming the parts.
Status ValidateFooterLayout(const FileMetadata& metadata, MemoryBudget* budget = nullptr);

}  // namespace outcore::format
