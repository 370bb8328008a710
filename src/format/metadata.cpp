#include "format/metadata.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "base/byte_io.h"

namespace outcore::format {

namespace {

constexpr uint32_t kMaxNameBytes = 64 * 1024;
constexpr uint32_t kMaxStatBytes = 4 * 1024;
constexpr uint32_t kMaxColumns = 100000;
constexpr uint32_t kMaxSources = 1000000;
constexpr uint64_t kMaxDecodedBlockBytes = uint64_t(1) << 40;
// doc/format.md, "Chunk metadata block": row count u64, column count u32.
constexpr uint64_t kChunkMetaHeaderBytes = 8 + 4;

// The fewest bytes one entry of a footer list takes (doc/format.md, "Footer"):
// a count its section cannot hold is hostile, and is refused before it sizes a
// vector — a few bytes claiming a million sources made the reader allocate
// 32 MB, a schema claiming 100000 columns 12 MB (doc/fuzzing.md, "Findings").
constexpr size_t kMinColumnEntryBytes = 4 + 1 + 1 + 8 + 8;  // empty name, type, flags, two counts
constexpr size_t kMinChunkColumnBytes = 33 + 1 + 8 + 1;     // BlockRef, encoding, zone without min/max
constexpr size_t kMaxChunkColumnBytes = kMinChunkColumnBytes + 2 * (4 + kMaxStatBytes);  // + string bounds
// A number column's zone map with min/max and a full core: core bounds, the
// two outlier counts, the outliers (doc/format.md, "Chunk metadata block").
constexpr size_t kMaxCoreColumnBytes = kMinChunkColumnBytes + 16 + 16 + 2 + 2 * kMaxZoneOutliers * 8;
static_assert(kMaxCoreColumnBytes <= kMaxChunkColumnBytes);
constexpr size_t kChunkRefBytes = 8 + 33;  // row count, metadata BlockRef
constexpr size_t kMinSourceBytes = 4;      // an empty path

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

// Zone map flags (doc/format.md, "Chunk metadata block").
constexpr uint8_t kZoneHasMinMax = 1;
constexpr uint8_t kZoneInexact = 2;
constexpr uint8_t kZoneHasCore = 4;  // version 5

namespace {

bool HasCoreForm(TypeId type) {
  return type == TypeId::kInt64 || type == TypeId::kDate || type == TypeId::kTimestamp ||
         type == TypeId::kFloat64;
}

// The core's bounds and outliers, as one type's values.
template <typename T>
void WriteCore(ByteWriter<Buffer>& w, T core_min, T core_max, const std::vector<T>& outliers) {
  const auto below = std::count_if(outliers.begin(), outliers.end(), [&](T v) { return v < core_min; });
  auto put = [&](T v) {
    if constexpr (std::is_same_v<T, double>) {
      w.F64(v);
    } else {
      w.I64(v);
    }
  };
  put(core_min);
  put(core_max);
  w.U8(uint8_t(below));
  w.U8(uint8_t(outliers.size() - size_t(below)));
  for (T v : outliers) put(v);
}

template <typename T>
bool ReadCore(ByteReader& r, T* core_min, T* core_max, std::vector<T>* outliers) {
  auto get = [&](T* v) {
    if constexpr (std::is_same_v<T, double>) {
      return r.F64(v);
    } else {
      return r.I64(v);
    }
  };
  uint8_t below, above;
  if (!get(core_min) || !get(core_max) || !r.U8(&below) || !r.U8(&above)) return false;
  // More than kMaxZoneOutliers a side is read, for CoreProblem to name.
  if (size_t(below) + above > r.remaining() / sizeof(T)) return false;
  outliers->resize(size_t(below) + above);
  for (T& v : *outliers) {
    if (!get(&v)) return false;
  }
  return true;
}

// Empty when the outliers ascend strictly around [core_min, core_max] inside [min, max], at least one.
template <typename T>
std::string CheckCore(T min, T max, T core_min, T core_max, const std::vector<T>& outliers) {
  auto bad_number = [](T v) {
    if constexpr (std::is_same_v<T, double>) {
      return std::isnan(v);
    } else {
      return false;
    }
  };
  if (bad_number(core_min) || bad_number(core_max) ||
      !(min <= core_min && core_min <= core_max && core_max <= max))
    return "its core range does not lie inside its min/max";
  if (outliers.empty()) return "its core range leaves no outlier out";
  const auto below =
      size_t(std::count_if(outliers.begin(), outliers.end(), [&](T v) { return v < core_min; }));
  if (below > kMaxZoneOutliers || outliers.size() - below > kMaxZoneOutliers)
    return "it has more than " + std::to_string(kMaxZoneOutliers) + " outliers on a side of its core range";
  for (size_t i = 0; i < outliers.size(); ++i) {
    const T v = outliers[i];
    if (bad_number(v) || (i > 0 && !(outliers[i - 1] < v)))
      return "its outliers are not distinct numbers in ascending order";
    if (!(v < core_min || v > core_max)) return "an outlier lies inside its core range";
  }
  if (!(outliers.front() == min || core_min == min) || !(outliers.back() == max || core_max == max))
    return "its outliers and core range do not reach its min and max";
  return "";
}

}  // namespace

void WriteZoneMap(ByteWriter<Buffer>& w, TypeId type, const ZoneMap& z, bool with_core) {
  const bool core = with_core && z.has_min_max && z.has_core && HasCoreForm(type);
  w.U64(z.null_count);
  w.U8(uint8_t((z.has_min_max ? kZoneHasMinMax : 0) | (z.string_bounds_inexact ? kZoneInexact : 0) |
               (core ? kZoneHasCore : 0)));
  if (!z.has_min_max) return;
  if (type == TypeId::kFloat64) {
    w.F64(z.min_float);
    w.F64(z.max_float);
    if (core) WriteCore(w, z.core_min_float, z.core_max_float, z.outliers_float);
  } else if (type == TypeId::kString) {
    w.Str(z.min_string);
    w.Str(z.max_string);
  } else {
    w.I64(z.min_int);
    w.I64(z.max_int);
    if (core) WriteCore(w, z.core_min_int, z.core_max_int, z.outliers_int);
  }
}

bool ReadZoneMap(ByteReader& r, TypeId type, ZoneMap* z) {
  uint8_t flags;
  if (!r.U64(&z->null_count) || !r.U8(&flags)) return false;
  z->has_min_max = flags & kZoneHasMinMax;
  z->string_bounds_inexact = flags & kZoneInexact;
  z->has_core = flags & kZoneHasCore;
  if (!z->has_min_max) return true;
  if (type == TypeId::kString)
    return r.Str(&z->min_string, kMaxStatBytes) && r.Str(&z->max_string, kMaxStatBytes);
  // A core flag on a type without one is left for CoreProblem to name.
  const bool core = z->has_core && HasCoreForm(type);
  if (type == TypeId::kFloat64) {
    return r.F64(&z->min_float) && r.F64(&z->max_float) &&
           (!core || ReadCore(r, &z->core_min_float, &z->core_max_float, &z->outliers_float));
  }
  return r.I64(&z->min_int) && r.I64(&z->max_int) &&
         (!core || ReadCore(r, &z->core_min_int, &z->core_max_int, &z->outliers_int));
}

std::string CoreProblem(TypeId type, const ZoneMap& z) {
  if (!z.has_core) return "";
  if (!z.has_min_max) return "it has a core range but no min/max";
  if (!HasCoreForm(type))
    return "it has a core range, which " + std::string(TypeName(type)) + " zone maps do not";
  if (type == TypeId::kFloat64)
    return CheckCore(z.min_float, z.max_float, z.core_min_float, z.core_max_float, z.outliers_float);
  return CheckCore(z.min_int, z.max_int, z.core_min_int, z.core_max_int, z.outliers_int);
}

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
  for (const ChunkRef& chunk : m.chunks) {
    w.U64(chunk.row_count);
    WriteBlockRef(w, chunk.metadata);
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

  if (!m.rules.empty()) {
    at = begin_section(SectionTag::kRowRules);
    w.U32(kRowRulesVersion);
    w.U32(uint32_t(m.rules.size()));
    for (const RuleMeta& rule : m.rules) {
      w.U8(rule.kind);
      w.Str(rule.text);
      w.U64(rule.rows_rejected);
    }
    end_section(at);
  }

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

  if (!m.lossy.empty()) {
    at = begin_section(SectionTag::kLossy);
    w.U32(uint32_t(m.lossy.size()));
    for (const LossyColumnMeta& column : m.lossy) {
      w.U32(column.column);
      w.U8(uint8_t(column.form.kind));
      w.F64(column.form.step);
      w.U64(column.chunks.size());
      for (const LossyChunk& chunk : column.chunks) {
        w.U8(uint8_t(chunk.outcome));
        w.F64(chunk.max_abs_error);
        w.F64(chunk.max_rel_error);
        w.U64(chunk.exact_bytes);
        w.U64(chunk.stored_bytes);
      }
    }
    end_section(at);
  }
}

uint32_t FormatVersionFor(const FileMetadata& metadata) { return metadata.lossy.empty() ? 2 : 3; }

LossyColumnReport SummarizeLossy(const LossyColumnMeta& meta, std::string column) {
  LossyColumnReport report;
  report.column = std::move(column);
  report.form = LossyFormName(meta.form);
  for (const LossyChunk& chunk : meta.chunks) {
    report.chunks_lossy += chunk.outcome == LossyOutcome::kLossy;
    report.chunks_exact_unrepresentable += chunk.outcome == LossyOutcome::kExactUnrepresentable;
    report.chunks_exact_not_smaller += chunk.outcome == LossyOutcome::kExactNotSmaller;
    report.max_abs_error = std::max(report.max_abs_error, chunk.max_abs_error);
    report.max_rel_error = std::max(report.max_rel_error, chunk.max_rel_error);
    report.exact_bytes += chunk.exact_bytes;
    report.stored_bytes += chunk.stored_bytes;
  }
  return report;
}

namespace {

// doc/format.md, "Lossy section": u8 outcome, f64 max abs, f64 max rel, u64
// exact bytes, u64 stored bytes per chunk.
constexpr size_t kLossyChunkBytes = 1 + 8 + 8 + 8 + 8;
constexpr size_t kLossyColumnHeaderBytes = 4 + 1 + 8 + 8;

Status ParseLossySection(ByteReader& s, FileMetadata* out) {
  uint32_t count;
  if (!s.U32(&count)) return Bad("truncated lossy section", s);
  if (count > out->columns.size() || count > s.remaining() / kLossyColumnHeaderBytes)
    return Bad("implausible lossy column count " + std::to_string(count), s);
  out->lossy.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    LossyColumnMeta& column = out->lossy[i];
    uint8_t kind;
    uint64_t chunks;
    if (!s.U32(&column.column) || !s.U8(&kind) || !s.F64(&column.form.step) || !s.U64(&chunks))
      return Bad("truncated lossy column", s);
    if (column.column >= out->columns.size())
      return Bad("lossy entry names column " + std::to_string(column.column), s);
    const ColumnMeta& meta = out->columns[column.column];
    for (uint32_t j = 0; j < i; ++j) {
      if (out->lossy[j].column == column.column)
        return Bad("two lossy entries for column '" + meta.name + "'", s);
    }
    if (kind < uint8_t(LossyKind::kFloat32) || kind > uint8_t(LossyKind::kQuantize))
      return Bad("column '" + meta.name + "' has unknown lossy form " + std::to_string(kind), s);
    column.form.kind = LossyKind(kind);
    const bool quantize = column.form.kind == LossyKind::kQuantize;
    if (quantize && !(column.form.step > 0 && std::isfinite(column.form.step)))
      return Bad("column '" + meta.name + "' has a quantize step that is not a positive number", s);
    if (meta.type != TypeId::kFloat64 && !(quantize && meta.type == TypeId::kInt64))
      return Bad("lossy form on " + std::string(TypeName(meta.type)) + " column '" + meta.name + "'", s);
    if (chunks != out->chunks.size() || chunks > s.remaining() / kLossyChunkBytes) {
      return Bad("lossy column '" + meta.name + "' lists " + std::to_string(chunks) +
                     " chunks, the file has " + std::to_string(out->chunks.size()),
                 s);
    }
    column.chunks.resize(chunks);
    for (LossyChunk& chunk : column.chunks) {
      uint8_t outcome;
      if (!s.U8(&outcome) || !s.F64(&chunk.max_abs_error) || !s.F64(&chunk.max_rel_error) ||
          !s.U64(&chunk.exact_bytes) || !s.U64(&chunk.stored_bytes))
        return Bad("truncated lossy chunk", s);
      if (outcome > uint8_t(LossyOutcome::kExactNotSmaller))
        return Bad("lossy chunk of column '" + meta.name + "' has unknown outcome " + std::to_string(outcome),
                   s);
      chunk.outcome = LossyOutcome(outcome);
      if (!(chunk.max_abs_error >= 0) || !(chunk.max_rel_error >= 0))
        return Bad("lossy chunk of column '" + meta.name + "' has a negative or NaN error", s);
    }
  }
  if (s.remaining() != 0) return Bad("bytes after the lossy section's last column", s);
  return Status::OK();
}

}  // namespace

Status ParseFooter(std::string_view footer, uint64_t data_end, FileMetadata* out) {
  *out = FileMetadata();
  ByteReader r(footer);
  bool saw_schema = false, saw_chunks = false, saw_indexes = false, saw_rules = false, saw_lossy = false;
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
      if (count > s.remaining() / kChunkRefBytes)
        return Bad("implausible chunk count " + std::to_string(count), s);
      out->chunks.resize(count);
      // The smallest and largest chunk metadata block the schema allows.
      const uint64_t columns = out->columns.size();
      const uint64_t min_block = kChunkMetaHeaderBytes + columns * kMinChunkColumnBytes;
      const uint64_t max_block = kChunkMetaHeaderBytes + columns * kMaxChunkColumnBytes;
      uint64_t next_row = 0;
      for (uint64_t ci = 0; ci < count; ++ci) {
        ChunkRef& chunk = out->chunks[ci];
        if (!s.U64(&chunk.row_count) || !ReadBlockRef(s, &chunk.metadata)) return Bad("truncated chunk", s);
        if (chunk.row_count == 0 || chunk.row_count > kMaxChunkRows ||
            next_row + chunk.row_count < next_row) {
          return Bad("chunk " + std::to_string(ci) + " has implausible row count", s);
        }
        const std::string what = "metadata block of chunk " + std::to_string(ci);
        OC_RETURN_IF_ERROR(CheckBlock(chunk.metadata, data_end, what));
        if (chunk.metadata.codec != kCodecNone) return Bad(what + " is compressed (it must not be)", s);
        if (chunk.metadata.stored_size < min_block || chunk.metadata.stored_size > max_block) {
          return Bad(what + " has " + std::to_string(chunk.metadata.stored_size) + " bytes; " +
                         std::to_string(columns) + " columns take " + std::to_string(min_block) + ".." +
                         std::to_string(max_block),
                     s);
        }
        chunk.first_row = next_row;
        next_row += chunk.row_count;
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
    } else if (tag == uint32_t(SectionTag::kRowRules)) {
      if (saw_rules) return Bad("a second row rules section", r);
      saw_rules = true;
      uint32_t version, count;
      if (!s.U32(&version)) return Bad("truncated row rules section", s);
      if (version != kRowRulesVersion) continue;  // a newer layout: skipped, as an unknown tag is
      // Each entry takes at least 13 bytes (kind, text length, count).
      if (!s.U32(&count) || count > s.remaining() / 13)
        return Bad("implausible row rule count in the row rules section", s);
      out->rules.resize(count);
      for (RuleMeta& rule : out->rules) {
        if (!s.U8(&rule.kind) || !s.Str(&rule.text, kMaxRuleTextBytes) || !s.U64(&rule.rows_rejected))
          return Bad("truncated row rule", s);
      }
    } else if (tag == uint32_t(SectionTag::kLossy)) {
      if (!saw_chunks) return Bad("lossy section before the chunks section", r);
      if (saw_lossy) return Bad("a second lossy section", r);
      saw_lossy = true;
      OC_RETURN_IF_ERROR(ParseLossySection(s, out));
    }
    // Unknown tags: skipped, so newer writers' sections do not break older readers.
  }
  if (!out->rules.empty() && out->has_ingest_report) {
    // Each rule-rejected row is counted once, by the first rule it failed.
    uint64_t sum = 0;
    for (const RuleMeta& rule : out->rules) sum += rule.rows_rejected;
    const uint64_t by_reason = out->ingest.rejected_by_reason[size_t(RejectReason::kRule)];
    if (sum != by_reason) {
      return Status::Corruption("footer: the row rules rejected " + std::to_string(sum) +
                                " rows, but the ingest report counts " + std::to_string(by_reason) +
                                " rejected by a rule");
    }
  }
  if (!saw_schema) return Status::Corruption("footer: no schema section");
  if (!saw_chunks) return Status::Corruption("footer: no chunks section");
  return Status::OK();
}

}  // namespace outcore::format

namespace outcore::format {

void SerializeChunkMeta(const ChunkMeta& chunk, std::span<const TypeId> types, Buffer* out,
                        uint32_t version) {
  ByteWriter w(out);
  w.U64(chunk.row_count);
  w.U32(uint32_t(types.size()));
  for (size_t col = 0; col < types.size(); ++col) {
    const ColumnChunkMeta& cc = chunk.columns[col];
    WriteBlockRef(w, cc.block);
    w.U8(cc.encoding);
    WriteZoneMap(w, types[col], cc.zone, version >= kCoreFormatVersion);
  }
}

Status ParseChunkMeta(std::string_view payload, const FileMetadata& m, size_t index, uint64_t data_end,
                      ChunkMeta* out) {
  const std::string chunk_name = "chunk " + std::to_string(index);
  auto bad = [&](const std::string& what, const ByteReader& r) {
    return Status::Corruption("metadata block of " + chunk_name + ": " + what + " (at its byte " +
                              std::to_string(r.offset()) + ")");
  };
  if (index >= m.chunks.size()) {
    return Status::InvalidArgument(chunk_name + " asked of a file with " + std::to_string(m.chunks.size()) +
                                   " chunks");
  }
  const ChunkRef& ref = m.chunks[index];
  ByteReader r(payload);
  uint32_t columns;
  if (!r.U64(&out->row_count) || !r.U32(&columns)) return bad("truncated", r);
  if (out->row_count != ref.row_count) {
    return bad("it holds " + std::to_string(out->row_count) + " rows, the footer's directory " +
                   std::to_string(ref.row_count),
               r);
  }
  if (columns != m.columns.size()) {
    return bad("it describes " + std::to_string(columns) + " columns, the schema has " +
                   std::to_string(m.columns.size()),
               r);
  }
  out->first_row = ref.first_row;
  out->columns.resize(columns);
  for (size_t col = 0; col < columns; ++col) {
    ColumnChunkMeta& cc = out->columns[col];
    cc.zone = ZoneMap();
    if (!ReadBlockRef(r, &cc.block) || !r.U8(&cc.encoding) || !ReadZoneMap(r, m.columns[col].type, &cc.zone))
      return bad("truncated", r);
    OC_RETURN_IF_ERROR(
        CheckBlock(cc.block, data_end, chunk_name + " of column '" + m.columns[col].name + "'"));
    if (cc.zone.null_count > out->row_count) return bad("null count above row count", r);
    if (std::string problem = CoreProblem(m.columns[col].type, cc.zone); !problem.empty())
      return bad("the zone map of column '" + m.columns[col].name + "' is damaged: " + problem, r);
  }
  if (r.remaining() != 0) return bad(std::to_string(r.remaining()) + " bytes after the last column", r);
  return Status::OK();
}

void InMemoryChunks::FillDirectory(FileMetadata* metadata) {
  metadata->chunks.clear();
  uint64_t next_row = 0;
  for (ChunkMeta& chunk : chunks_) {
    chunk.first_row = next_row;
    ChunkRef ref;
    ref.first_row = next_row;
    ref.row_count = chunk.row_count;
    metadata->chunks.push_back(ref);
    next_row += chunk.row_count;
  }
  metadata->num_rows = next_row;
}

Status InMemoryChunks::ReadChunk(size_t chunk, ChunkMeta* out, Buffer* /*scratch*/) const {
  if (chunk >= chunks_.size()) return Status::InvalidArgument("no chunk " + std::to_string(chunk));
  *out = chunks_[chunk];
  return Status::OK();
}

namespace {

using Span = BlockLayout::Span;

std::string SpanName(const FileMetadata& m, const Span& span) {
  const std::string column = span.kind == 3 ? "" : "column '" + m.columns[span.column].name + "'";
  std::string name;
  if (span.kind == 0) name = "dictionary of " + column;
  if (span.kind == 1) name = "chunk " + std::to_string(span.chunk) + " of " + column;
  if (span.kind == 2) name = std::string(IndexKindName(m.indexes[span.chunk].kind)) + " index of " + column;
  if (span.kind == 3) name = "metadata block of chunk " + std::to_string(span.chunk);
  return name + " (bytes " + std::to_string(span.begin) + ".." + std::to_string(span.end) + ")";
}

Status Overlap(const FileMetadata& m, const Span& a, const Span& b) {
  return Status::Corruption("footer: blocks overlap: " + SpanName(m, a) + " and " + SpanName(m, b));
}

// The first span of `sorted` (by begin, disjoint) that a non-empty [begin, end) shares a byte with, or null.
const Span* FirstOverlapping(const std::vector<Span>& sorted, uint64_t begin, uint64_t end) {
  // Disjoint and sorted by begin, so sorted by end too: the first ending after `begin`.
  auto it = std::upper_bound(sorted.begin(), sorted.end(), begin,
                             [](uint64_t at, const Span& span) { return at < span.end; });
  return it != sorted.end() && it->begin < end ? &*it : nullptr;
}

}  // namespace

Result<BlockLayout> BlockLayout::Check(const FileMetadata& m, MemoryBudget* budget) {
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
  BlockLayout layout;
  // Charged while the layout is held; a few entries per column.
  const size_t count = m.indexes.size() + m.columns.size();
  if (budget) budget->Reserve(count * sizeof(Span));
  layout.others_.reserve(count);
  for (size_t col = 0; col < m.columns.size(); ++col) {
    const BlockRef& b = m.columns[col].dictionary;
    if (m.columns[col].has_dictionary && b.stored_size > 0)
      layout.others_.push_back(Span{b.offset, b.offset + b.stored_size, 0, uint32_t(col), 0});
  }
  for (size_t i = 0; i < m.indexes.size(); ++i) {
    const BlockRef& b = m.indexes[i].block;
    if (b.stored_size > 0)
      layout.others_.push_back(Span{b.offset, b.offset + b.stored_size, 2, m.indexes[i].column, i});
  }
  std::sort(layout.others_.begin(), layout.others_.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  Status status;
  for (size_t i = 1; i < layout.others_.size() && status.ok(); ++i) {
    if (layout.others_[i].begin < layout.others_[i - 1].end)
      status = Overlap(m, layout.others_[i - 1], layout.others_[i]);
  }
  // Chunk metadata blocks: in chunk order, disjoint, and apart from the dictionaries and indexes.
  uint64_t previous_end = kHeaderSize;
  for (size_t ci = 0; ci < m.chunks.size() && status.ok(); ++ci) {
    const BlockRef& b = m.chunks[ci].metadata;
    const Span span{b.offset, b.offset + b.stored_size, 3, 0, ci};
    if (span.begin < previous_end) {
      status =
          Status::Corruption("footer: " + SpanName(m, span) +
                             " does not follow the previous chunk's (chunks lie in order, ending at byte " +
                             std::to_string(previous_end) + ")");
    } else if (const Span* other = FirstOverlapping(layout.others_, span.begin, span.end)) {
      status = Overlap(m, *other, span);
    }
    previous_end = span.end;
  }
  if (budget) budget->Release(count * sizeof(Span));
  if (!status.ok()) return status;
  return layout;
}

Status BlockLayout::CheckChunk(const FileMetadata& m, size_t index, const ChunkMeta& chunk) const {
  const ChunkRef& ref = m.chunks[index];
  // The chunk's blocks lie between the previous chunk's metadata block and its own.
  uint64_t next = index == 0 ? kHeaderSize
                             : m.chunks[index - 1].metadata.offset + m.chunks[index - 1].metadata.stored_size;
  const uint64_t limit = ref.metadata.offset;
  for (size_t col = 0; col < chunk.columns.size(); ++col) {
    const BlockRef& b = chunk.columns[col].block;
    const Span span{b.offset, b.offset + b.stored_size, 1, uint32_t(col), index};
    if (span.begin == span.end) continue;  // an empty block holds no byte
    if (span.begin < next || span.end > limit) {
      return Status::Corruption("footer: " + SpanName(m, span) + " lies outside bytes " +
                                std::to_string(next) + ".." + std::to_string(limit) +
                                " (after the previous column's block, before the chunk's metadata block)");
    }
    if (const Span* other = FirstOverlapping(others_, span.begin, span.end)) return Overlap(m, *other, span);
    next = span.end;
  }
  return Status::OK();
}

Status ValidateFooterLayout(const FileMetadata& m, const ChunkSource* chunks, MemoryBudget* budget) {
  OC_ASSIGN_OR_RETURN(BlockLayout layout, BlockLayout::Check(m, budget));
  if (!chunks) return Status::OK();
  ChunkMeta chunk;
  Buffer scratch(budget);
  for (size_t ci = 0; ci < m.chunks.size(); ++ci) {
    OC_RETURN_IF_ERROR(chunks->ReadChunk(ci, &chunk, &scratch));
    OC_RETURN_IF_ERROR(layout.CheckChunk(m, ci, chunk));
  }
  return Status::OK();
}

}  // namespace outcore::format
