#include "format/metadata.h"

#include <algorithm>
#include <cmath>

#include "base/byte_io.h"

namespace outcore::format {

namespace {

constexpr uint32_t kMaxNameBytes = 64 * 1024;
constexpr uint32_t kMaxStatBytes = 4 * 1024;
constexpr uint32_t kMaxColumns = 100000;
constexpr uint32_t kMaxSources = 1000000;
constexpr uint64_t kMaxDecodedBlockBytes = uint64_t(1) << 40;

// The fewest bytes one entry of a footer list takes (doc/format.md, "Footer"):
// a count its section cannot hold is hostile, and is refused before it sizes a
// vector — a few bytes claiming a million sources made the reader allocate
// 32 MB, a schema claiming 100000 columns 12 MB (doc/fuzzing.md, "Findings").
constexpr size_t kMinColumnEntryBytes = 4 + 1 + 1 + 8 + 8;  // empty name, type, flags, two counts
constexpr size_t kMinChunkColumnBytes = 33 + 1 + 8 + 1;     // BlockRef, encoding, zone without min/max
constexpr size_t kMinSourceBytes = 4;                       // an empty path

void WriteBlockRef(ByteWriter<Buffer>& w, const BlockRef& b) {
  w.U64(b.offset);
  w.U64(b.stored_size);
  w.U64(b.decoded_size);
  w.U8(b.codec);
  w.U64(b.checksum);
}

bool ReadBlockRef(ByteReader& r, BlockRef* b) {
  return r.U64(&b->offset) && r.U64(&b->stored_size) && r.U64(&b->decoded_size) && r.U8(&b->codec) &&
         r.U64(&b->checksum);
}

// Zone map flags (doc/format.md, "Chunks section").
constexpr uint8_t kZoneHasMinMax = 1;
constexpr uint8_t kZoneInexact = 2;

void WriteZone(ByteWriter<Buffer>& w, TypeId type, const ZoneMap& z) {
  w.U64(z.null_count);
  w.U8(uint8_t((z.has_min_max ? kZoneHasMinMax : 0) | (z.string_bounds_inexact ? kZoneInexact : 0)));
  if (!z.has_min_max) return;
  if (type == TypeId::kFloat64) {
    w.F64(z.min_float);
    w.F64(z.max_float);
  } else if (type == TypeId::kString) {
    w.Str(z.min_string);
    w.Str(z.max_string);
  } else {
    w.I64(z.min_int);
    w.I64(z.max_int);
  }
}

bool ReadZone(ByteReader& r, TypeId type, ZoneMap* z) {
  uint8_t flags;
  if (!r.U64(&z->null_count) || !r.U8(&flags)) return false;
  z->has_min_max = flags & kZoneHasMinMax;
  z->string_bounds_inexact = flags & kZoneInexact;
  if (!z->has_min_max) return true;
  if (type == TypeId::kFloat64) return r.F64(&z->min_float) && r.F64(&z->max_float);
  if (type == TypeId::kString)
    return r.Str(&z->min_string, kMaxStatBytes) && r.Str(&z->max_string, kMaxStatBytes);
  return r.I64(&z->min_int) && r.I64(&z->max_int);
}

// Column flags (doc/format.md, "Schema section").
constexpr uint8_t kColumnHasDictionary = 1;
constexpr uint8_t kColumnDictionaryComplete = 2;

Status Bad(const std::string& what, const ByteReader& r) {
  return Status::Corruption("footer: " + what + " (at footer byte " + std::to_string(r.offset()) + ")");
}

Status CheckBlock(const BlockRef& b, uint64_t data_end, const std::string& what) {
  if (b.offset < kHeaderSize || b.offset > data_end || b.stored_size > data_end - b.offset) {
    return Status::Corruption("footer: " + what + " points outside the data region (offset " +
                              std::to_string(b.offset) + ", size " + std::to_string(b.stored_size) + ")");
  }
  if (b.codec > kCodecLz4)
    return Status::Corruption("footer: " + what + " has unknown codec " + std::to_string(b.codec));
  // No block of ours decodes past 1 TiB (column chunks hold at most 2^26 rows);
  // a larger size is hostile and must not reach an allocation.
  if (b.decoded_size > kMaxDecodedBlockBytes) {
    return Status::Corruption("footer: " + what + " claims " + std::to_string(b.decoded_size) +
                              " decoded bytes, more than any block can hold");
  }
  if (b.codec == kCodecNone && b.decoded_size != b.stored_size) {
    return Status::Corruption("footer: " + what + " is uncompressed but its sizes differ");
  }
  return Status::OK();
}

}  // namespace

int FileMetadata::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return int(i);
  }
  return -1;
}

const IndexMeta* FileMetadata::FindIndex(int column, uint8_t kind) const {
  for (const IndexMeta& index : indexes) {
    if (int(index.column) == column && index.kind == kind) return &index;
  }
  return nullptr;
}

void SerializeFooter(const FileMetadata& m, Buffer* out) {
  ByteWriter w(out);
  auto begin_section = [&](SectionTag tag) {
    w.U32(uint32_t(tag));
    return w.PlaceholderU64();
  };
  auto end_section = [&](size_t at) { w.PatchU64(at, w.size() - at - 8); };

  size_t at = begin_section(SectionTag::kSchema);
  w.U32(uint32_t(m.columns.size()));
  for (const ColumnMeta& c : m.columns) {
    w.Str(c.name);
    w.U8(uint8_t(c.type));
    w.U8(uint8_t((c.has_dictionary ? kColumnHasDictionary : 0) |
                 (c.dictionary_complete ? kColumnDictionaryComplete : 0)));
    if (c.has_dictionary) {
      WriteBlockRef(w, c.dictionary);
      w.U64(c.dictionary_entries);
    }
    w.U64(c.null_count);
    w.U64(c.distinct_estimate);
  }
  end_section(at);

  at = begin_section(SectionTag::kChunks);
  w.U64(m.chunks.size());
  for (const ChunkMeta& chunk : m.chunks) {
    w.U64(chunk.row_count);
    for (size_t col = 0; col < m.columns.size(); ++col) {
      const ColumnChunkMeta& cc = chunk.columns[col];
      WriteBlockRef(w, cc.block);
      w.U8(cc.encoding);
      WriteZone(w, m.columns[col].type, cc.zone);
    }
  }
  end_section(at);

  at = begin_section(SectionTag::kIngestReport);
  const IngestReport& ir = m.ingest;
  w.U64(ir.rows_read);
  w.U64(ir.rows_kept);
  w.U64(ir.rows_rejected);
  w.U32(uint32_t(ir.rejected_by_reason.size()));
  for (uint64_t n : ir.rejected_by_reason) w.U64(n);
  w.U64(ir.input_bytes);
  w.U32(uint32_t(ir.sources.size()));
  for (const std::string& s : ir.sources) w.Str(s);
  w.Str(ir.created_by);
  end_section(at);

  if (!m.indexes.empty()) {
    at = begin_section(SectionTag::kIndexes);
    w.U32(uint32_t(m.indexes.size()));
    for (const IndexMeta& index : m.indexes) {
      w.U32(index.column);
      w.U8(index.kind);
      WriteBlockRef(w, index.block);
      w.U64(index.key_count);
    }
    end_section(at);
  }
}

Status ParseFooter(std::string_view footer, uint64_t data_end, FileMetadata* out) {
  *out = FileMetadata();
  ByteReader r(footer);
  bool saw_schema = false, saw_chunks = false, saw_indexes = false;
  while (r.remaining() > 0) {
    uint32_t tag;
    uint64_t length;
    std::string_view body;
    if (!r.U32(&tag) || !r.U64(&length) || !r.Bytes(&body, length)) return Bad("truncated section header", r);
    ByteReader s(body);
    if (tag == uint32_t(SectionTag::kSchema)) {
      // A second schema would leave chunks and indexes sized for the first.
      if (saw_schema) return Bad("a second schema section", r);
      uint32_t count;
      if (!s.U32(&count)) return Bad("truncated schema", s);
      if (count == 0 || count > kMaxColumns || count > s.remaining() / kMinColumnEntryBytes)
        return Bad("implausible column count " + std::to_string(count), s);
      out->columns.resize(count);
      for (uint32_t i = 0; i < count; ++i) {
        ColumnMeta& c = out->columns[i];
        uint8_t type, flags;
        if (!s.Str(&c.name, kMaxNameBytes) || !s.U8(&type) || !s.U8(&flags))
          return Bad("truncated column entry", s);
        if (!IsKnownType(type))
          return Bad("column '" + c.name + "' has unknown type id " + std::to_string(type), s);
        c.type = TypeId(type);
        c.has_dictionary = flags & kColumnHasDictionary;
        c.dictionary_complete = flags & kColumnDictionaryComplete;
        if (c.has_dictionary) {
          if (c.type != TypeId::kString) return Bad("dictionary on non-string column '" + c.name + "'", s);
          if (!ReadBlockRef(s, &c.dictionary) || !s.U64(&c.dictionary_entries))
            return Bad("truncated dictionary ref", s);
          OC_RETURN_IF_ERROR(CheckBlock(c.dictionary, data_end, "dictionary of column '" + c.name + "'"));
          if (c.dictionary_entries > c.dictionary.decoded_size) return Bad("implausible dictionary size", s);
        }
        if (!s.U64(&c.null_count) || !s.U64(&c.distinct_estimate)) return Bad("truncated column entry", s);
      }
      saw_schema = true;
    } else if (tag == uint32_t(SectionTag::kChunks)) {
      if (!saw_schema) return Bad("chunks section before schema", r);
      if (saw_chunks) return Bad("a second chunks section", r);
      uint64_t count;
      if (!s.U64(&count)) return Bad("truncated chunk count", s);
      // Each chunk entry takes its row count and at least kMinChunkColumnBytes per column.
      if (count > s.remaining() / (8 + kMinChunkColumnBytes * out->columns.size()))
        return Bad("implausible chunk count " + std::to_string(count), s);
      out->chunks.resize(count);
      uint64_t next_row = 0;
      for (uint64_t ci = 0; ci < count; ++ci) {
        ChunkMeta& chunk = out->chunks[ci];
        if (!s.U64(&chunk.row_count)) return Bad("truncated chunk", s);
        if (chunk.row_count == 0 || chunk.row_count > kMaxChunkRows ||
            next_row + chunk.row_count < next_row) {
          return Bad("chunk " + std::to_string(ci) + " has implausible row count", s);
        }
        chunk.first_row = next_row;
        next_row += chunk.row_count;
        chunk.columns.resize(out->columns.size());
        for (size_t col = 0; col < out->columns.size(); ++col) {
          ColumnChunkMeta& cc = chunk.columns[col];
          if (!ReadBlockRef(s, &cc.block) || !s.U8(&cc.encoding) ||
              !ReadZone(s, out->columns[col].type, &cc.zone)) {
            return Bad("truncated chunk " + std::to_string(ci), s);
          }
          OC_RETURN_IF_ERROR(
              CheckBlock(cc.block, data_end,
                         "chunk " + std::to_string(ci) + " of column '" + out->columns[col].name + "'"));
          if (cc.zone.null_count > chunk.row_count) return Bad("null count above row count", s);
        }
      }
      out->num_rows = next_row;
      saw_chunks = true;
    } else if (tag == uint32_t(SectionTag::kIngestReport)) {
      IngestReport& ir = out->ingest;
      uint32_t reasons;
      if (!s.U64(&ir.rows_read) || !s.U64(&ir.rows_kept) || !s.U64(&ir.rows_rejected) || !s.U32(&reasons)) {
        return Bad("truncated ingest report", s);
      }
      for (uint32_t i = 0; i < reasons; ++i) {
        uint64_t n;
        if (!s.U64(&n)) return Bad("truncated ingest report", s);
        if (i < ir.rejected_by_reason.size()) ir.rejected_by_reason[i] = n;
      }
      uint32_t sources;
      if (!s.U64(&ir.input_bytes) || !s.U32(&sources)) return Bad("truncated ingest report", s);
      if (sources > kMaxSources || sources > s.remaining() / kMinSourceBytes)
        return Bad("implausible source count " + std::to_string(sources), s);
      ir.sources.resize(sources);
      for (auto& src : ir.sources) {
        if (!s.Str(&src, kMaxNameBytes)) return Bad("truncated ingest report", s);
      }
      if (!s.Str(&ir.created_by, kMaxNameBytes)) return Bad("truncated ingest report", s);
      out->has_ingest_report = true;
    } else if (tag == uint32_t(SectionTag::kIndexes)) {
      if (!saw_schema) return Bad("indexes section before schema", r);
      if (saw_indexes) return Bad("a second indexes section", r);
      saw_indexes = true;
      uint32_t count;
      if (!s.U32(&count)) return Bad("truncated indexes section", s);
      // Each entry takes 46 bytes; a count the body cannot hold is hostile.
      if (count > s.remaining() / 46) return Bad("implausible index count " + std::to_string(count), s);
      out->indexes.resize(count);
      for (uint32_t i = 0; i < count; ++i) {
        IndexMeta& index = out->indexes[i];
        if (!s.U32(&index.column) || !s.U8(&index.kind) || !ReadBlockRef(s, &index.block) ||
            !s.U64(&index.key_count)) {
          return Bad("truncated index entry", s);
        }
        if (index.column >= out->columns.size()) {
          return Bad("index " + std::to_string(i) + " names column " + std::to_string(index.column) + " of " +
                         std::to_string(out->columns.size()),
                     s);
        }
        const ColumnMeta& column = out->columns[index.column];
        if (index.kind != kIndexKindValue && index.kind != kIndexKindToken) {
          return Bad("index on column '" + column.name + "' has unknown kind " + std::to_string(index.kind),
                     s);
        }
        if (index.kind == kIndexKindToken && column.type != TypeId::kString) {
          return Bad("token index on non-string column '" + column.name + "'", s);
        }
        for (uint32_t j = 0; j < i; ++j) {
          if (out->indexes[j].column == index.column && out->indexes[j].kind == index.kind) {
            return Bad("two indexes of one kind on column '" + column.name + "'", s);
          }
        }
        OC_RETURN_IF_ERROR(
            CheckBlock(index.block, data_end,
                       std::string(IndexKindName(index.kind)) + " index of column '" + column.name + "'"));
      }
    }
    // Unknown tags: skipped, so newer writers' sections do not break older readers.
  }
  if (!saw_schema) return Status::Corruption("footer: no schema section");
  if (!saw_chunks) return Status::Corruption("footer: no chunks section");
  return Status::OK();
}

}  // namespace outcore::format

namespace outcore::format {

namespace {

// One block's byte range and which part of the file it is, for the overlap check.
struct BlockSpan {
  uint64_t begin, end;
  uint32_t kind;  // 0 dictionary, 1 column chunk, 2 index
  uint32_t column;
  uint64_t chunk;  // column chunks; for indexes, the index's position
};

std::string SpanName(const FileMetadata& m, const BlockSpan& span) {
  const std::string column = "column '" + m.columns[span.column].name + "'";
  std::string name;
  if (span.kind == 0) name = "dictionary of " + column;
  if (span.kind == 1) name = "chunk " + std::to_string(span.chunk) + " of " + column;
  if (span.kind == 2) name = std::string(IndexKindName(m.indexes[span.chunk].kind)) + " index of " + column;
  return name + " (bytes " + std::to_string(span.begin) + ".." + std::to_string(span.end) + ")";
}

}  // namespace

Status ValidateFooterLayout(const FileMetadata& m, MemoryBudget* budget) {
  if (m.has_ingest_report) {
    const IngestReport& ir = m.ingest;
    if (ir.rows_kept != m.num_rows) {
      return Status::Corruption("footer: the chunks hold " + std::to_string(m.num_rows) +
                                " rows but the ingest report kept " + std::to_string(ir.rows_kept) +
                                " (a chunk was dropped or its row count changed)");
    }
    if (ir.rows_rejected > ir.rows_read || ir.rows_read - ir.rows_rejected != ir.rows_kept) {
      return Status::Corruption("footer: the ingest report's rows read (" + std::to_string(ir.rows_read) +
                                ") are not kept (" + std::to_string(ir.rows_kept) + ") + rejected (" +
                                std::to_string(ir.rows_rejected) + ")");
    }
  }
  size_t count = m.indexes.size();
  for (const ColumnMeta& c : m.columns) count += c.has_dictionary ? 1 : 0;
  for (const ChunkMeta& chunk : m.chunks) count += chunk.columns.size();
  Buffer scratch(budget);
  scratch.Resize(count * sizeof(BlockSpan));
  BlockSpan* spans = scratch.as<BlockSpan>();
  size_t at = 0;
  auto add = [&](const BlockRef& b, uint32_t kind, size_t column, uint64_t chunk) {
    spans[at++] = BlockSpan{b.offset, b.offset + b.stored_size, kind, uint32_t(column), chunk};
  };
  for (size_t col = 0; col < m.columns.size(); ++col) {
    if (m.columns[col].has_dictionary) add(m.columns[col].dictionary, 0, col, 0);
  }
  for (size_t ci = 0; ci < m.chunks.size(); ++ci) {
    for (size_t col = 0; col < m.chunks[ci].columns.size(); ++col)
      add(m.chunks[ci].columns[col].block, 1, col, ci);
  }
  for (size_t i = 0; i < m.indexes.size(); ++i) add(m.indexes[i].block, 2, m.indexes[i].column, i);
  std::sort(spans, spans + count, [](const BlockSpan& a, const BlockSpan& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  // The span reaching furthest so far: a block that starts before its end shares a byte with it.
  size_t furthest = 0;
  for (size_t i = 1; i < count; ++i) {
    if (spans[i].begin == spans[i].end) continue;  // an empty block holds no byte
    if (spans[i].begin < spans[furthest].end) {
      return Status::Corruption("footer: blocks overlap: " + SpanName(m, spans[furthest]) + " and " +
                                SpanName(m, spans[i]));
    }
    furthest = i;
  }
  return Status::OK();
}

}  // namespace outcore::format
