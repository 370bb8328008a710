// The .oc file's metadata — schema, chunk directory, column dictionaries,
// ingest report, indexes — and its serialized forms: the footer, and one
// chunk metadata block per chunk (each column chunk's block, encoding and
// zone map), which a writer appends after the chunk's blocks so that neither
// writer nor reader holds every chunk's metadata at once (format version 2).
// The byte layout is specified in doc/format.md; every constant here cites
// it. ParseFooter and ParseChunkMeta treat their input as hostile: every
// count, length and offset is checked before use, and a bad one is a
// Corruption status, never a crash.
//
// Thread-safety: plain values; a FileMetadata is immutable once a reader has
// parsed it and may be shared between threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_io.h"
#include "base/reject_reason.h"
#include "format/index_kind.h"
#include "outcore/lossy.h"
#include "outcore/memory.h"
#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore::format {

// doc/format.md, "Header" and "Trailer".
inline constexpr char kMagic[8] = {'O', 'U', 'T', 'C', 'O', 'R', 'E', '\0'};
// Version 2 moved the per-chunk column metadata out of the footer into chunk
// metadata blocks; readers refuse version 1 files with what to do. Version 3
// adds the lossy forms (encodings 8 and 9, the lossy section). Version 4 adds
// the step encoding (10), which a writer may choose for any chunk of
// integers, dates or timestamps: every file is written as version 4, and
// readers read versions 2 to 4 (FormatVersionFor: what a footer needs).
// Version 5 adds the delta encoding (12), chosen the same way, and the zone
// map's core range and outliers (ZoneMap::has_core), which any chunk of
// numbers may carry: every file is written as version 5, and readers read
// versions 2 to 5.
inline constexpr uint32_t kFormatVersion = 5;
inline constexpr uint32_t kCoreFormatVersion = 5;  // the first whose zone maps may hold a core
inline constexpr uint32_t kMinFormatVersion = 2;
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
  kRowRules = 5,
  kLossy = 6,  // version 3
};

// doc/format.md, "Row rules section": its layout version (a reader skips a
// version it does not know, as it skips an unknown tag), and the longest rule
// text a reader accepts (RowRuleSet refuses longer rules before writing).
inline constexpr uint32_t kRowRulesVersion = 1;
inline constexpr uint32_t kMaxRuleTextBytes = 1u << 24;

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
  // Version 5, int64/date/timestamp/float64 only (ColumnStats::has_core):
  // every valid non-NaN value lies in [core_min, core_max] or is one of the
  // outliers (distinct, ascending; those below the core, then those above).
  bool has_core = false;
  int64_t core_min_int = 0, core_max_int = 0;
  double core_min_float = 0, core_max_float = 0;
  std::vector<int64_t> outliers_int;
  std::vector<double> outliers_float;
};

// The most outliers a zone map holds on each side of its core (doc/format.md,
// "Chunk metadata block").
inline constexpr size_t kMaxZoneOutliers = 8;

// A zone map's bytes (doc/format.md, "Chunk metadata block", ZoneMap): the
// chunk metadata blocks and the part manifest store it the same way.
// ReadZoneMap is false when the bytes run out or a string bound is longer
// than the format allows (4 KiB), or a core holds more outliers than
// kMaxZoneOutliers a side. CoreProblem says what is wrong with a zone map's
// core as read (empty when nothing is): outliers out of order or inside the
// core, a NaN, bounds that disagree with min/max, or a core on a type that
// has none — a reader refuses such a zone map as corrupt.
// `with_core` = false leaves a core out (a file of an older version).
void WriteZoneMap(ByteWriter<Buffer>& w, TypeId type, const ZoneMap& zone, bool with_core = true);
[[nodiscard]] bool ReadZoneMap(ByteReader& r, TypeId type, ZoneMap* zone);
std::string CoreProblem(TypeId type, const ZoneMap& zone);

struct ColumnChunkMeta {
  BlockRef block;
  uint8_t encoding = 0;  // the payload's encoding id (doc/encodings.md), for reports
  ZoneMap zone;
};

// One chunk's metadata in full: what its chunk metadata block holds
// (doc/format.md, "Chunk metadata block"). Read one chunk at a time
// (ChunkSource), never all at once.
struct ChunkMeta {
  uint64_t first_row = 0;  // derived: sum of earlier row_counts
  uint64_t row_count = 0;
  std::vector<ColumnChunkMeta> columns;  // one per schema column
};

// One chunk's entry in the footer's chunk directory (doc/format.md, "Chunks
// section"): its rows and where its chunk metadata block is. 56 bytes in
// memory per chunk, whatever the column count.
struct ChunkRef {
  uint64_t first_row = 0;  // derived when parsing: sum of earlier row_counts
  uint64_t row_count = 0;
  BlockRef metadata;  // the chunk metadata block
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

// A declared row rule and the rows it rejected (doc/format.md, "Row rules
// section"); `kind` is clean's RuleKind id (0 require, 1 range, 2 allowed,
// 3 drop-where, 4 dedupe).
struct RuleMeta {
  uint8_t kind = 0;
  std::string text;  // "range price=0..10000"
  uint64_t rows_rejected = 0;
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

// doc/format.md, "Lossy section": what a column asked to be lossy got, chunk
// by chunk (the chunk's own encoding byte says which stored form it has).
enum class LossyOutcome : uint8_t {
  kLossy = 0,                 // stored in the lossy form
  kExactUnrepresentable = 1,  // kept exact: a value the form cannot hold
  kExactNotSmaller = 2,       // kept exact: the lossy form was not smaller
};
struct LossyChunk {
  LossyOutcome outcome = LossyOutcome::kLossy;
  double max_abs_error = 0;  // 0 for an exact chunk
  double max_rel_error = 0;
  uint64_t exact_bytes = 0;   // the exact form's stored size, measured
  uint64_t stored_bytes = 0;  // the chunk's block as written
};
struct LossyColumnMeta {
  uint32_t column = 0;  // schema index
  LossyForm form;
  std::vector<LossyChunk> chunks;  // one per chunk of the file, in order
};
// The per-column totals of `meta`, named `column` (ingest report, info).
LossyColumnReport SummarizeLossy(const LossyColumnMeta& meta, std::string column);

struct FileMetadata {
  std::vector<ColumnMeta> columns;
  std::vector<ChunkRef> chunks;  // the directory; each chunk's columns: ChunkSource::ReadChunk
  uint64_t num_rows = 0;
  IngestReport ingest;
  std::vector<IndexMeta> indexes;      // at most one per (column, kind); absent in older files
  std::vector<RuleMeta> rules;         // the row rules ingest applied, in order; absent in older files
  bool has_ingest_report = false;      // the footer had an ingest report section
  std::vector<LossyColumnMeta> lossy;  // columns asked to be lossy (version 3); empty otherwise

  // The index of `kind` on `column`, or null.
  const IndexMeta* FindIndex(int column, uint8_t kind) const;

  // Index of the column called `name`, or -1.
  int FindColumn(std::string_view name) const;
};

// The oldest version whose footer can hold `metadata`: 3 with a lossy
// section, else 2. A reader refuses a header older than that as corrupt;
// writers write kFormatVersion (the payloads may need it).
uint32_t FormatVersionFor(const FileMetadata& metadata);

// Appends the footer sections for `metadata` to `out` (doc/format.md, "Footer").
void SerializeFooter(const FileMetadata& metadata, Buffer* out);
// Parses a footer; `data_end` is the first byte after the block region, which
// every BlockRef must lie inside. Fills first_row and num_rows.
Status ParseFooter(std::string_view footer, uint64_t data_end, FileMetadata* out);

// A chunk metadata block's payload for `chunk` (doc/format.md, "Chunk
// metadata block"); `types` are the schema's column types, one per column.
// `version`: the file's; below kCoreFormatVersion, zone maps keep no core.
// REQUIRES: chunk.columns.size() == types.size().
void SerializeChunkMeta(const ChunkMeta& chunk, std::span<const TypeId> types, Buffer* out,
                        uint32_t version = kFormatVersion);
// Parses the payload of `ref`'s metadata block (the `index`-th chunk) against
// `metadata`'s schema: its row count must be the directory's, every block
// inside the data region that ends at `data_end`.
Status ParseChunkMeta(std::string_view payload, const FileMetadata& metadata, size_t index, uint64_t data_end,
                      ChunkMeta* out);

// Where each chunk's metadata comes from: the file (FileReader reads its
// chunk metadata block, checksum and layout verified), or memory (tests,
// footers built by hand). Thread-safe for concurrent ReadChunk calls.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // Fills `out` with chunk `chunk` (< the directory's size). `scratch` holds
  // the stored block; the caller charges it to its budget.
  virtual Status ReadChunk(size_t chunk, ChunkMeta* out, Buffer* scratch) const = 0;
};

// Chunk metadata held in memory, with the directory it implies.
class InMemoryChunks final : public ChunkSource {
 public:
  InMemoryChunks() = default;
  explicit InMemoryChunks(std::vector<ChunkMeta> chunks) : chunks_(std::move(chunks)) {}
  std::vector<ChunkMeta>& chunks() { return chunks_; }
  const std::vector<ChunkMeta>& chunks() const { return chunks_; }
  // Sets first_row of every chunk, and `metadata`'s directory and num_rows to match.
  void FillDirectory(FileMetadata* metadata);
  Status ReadChunk(size_t chunk, ChunkMeta* out, Buffer* scratch) const override;

 private:
  std::vector<ChunkMeta> chunks_;
};

// doc/format.md, "Cross-checks": what a parsed footer must agree with beyond
// its own checksum, since a rewritten footer with a recomputed checksum could
// re-point or drop blocks. At open (Check): the chunks' row counts sum to the
// ingest report's kept rows (and read = kept + rejected); chunk metadata
// blocks lie in chunk order; no two of the blocks the footer names (chunk
// metadata, dictionaries, indexes) share a byte. Per chunk, when its metadata
// block is read (CheckChunk): its column blocks lie, in column order, between
// the previous chunk's metadata block and its own, and share no byte with
// each other nor with a dictionary or index. Together: no two blocks of the
// file share a byte. A mismatch is a Corruption status naming the parts.
class BlockLayout {
 public:
  // The scratch of the sort (dictionaries and indexes: a few per column) is charged to `budget`.
  static Result<BlockLayout> Check(const FileMetadata& metadata, MemoryBudget* budget = nullptr);
  Status CheckChunk(const FileMetadata& metadata, size_t index, const ChunkMeta& chunk) const;

  // One block's byte range and which part of the file it is.
  struct Span {
    uint64_t begin, end;
    uint32_t kind;  // 0 dictionary, 1 column chunk, 2 index, 3 chunk metadata
    uint32_t column;
    uint64_t chunk;  // column chunks and chunk metadata; for indexes, the index's position
  };

 private:
  std::vector<Span> others_;  // dictionaries and indexes, by offset, empty blocks left out
};

// BlockLayout::Check, and CheckChunk on every chunk of `chunks` (tests).
Status ValidateFooterLayout(const FileMetadata& metadata, const ChunkSource* chunks = nullptr,
                            MemoryBudget* budget = nullptr);

}  // namespace outcore::format
