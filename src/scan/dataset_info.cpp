// DescribeDataset (include/outcore/dataset_info.h): the footer and every
// chunk's metadata block summed up per column — sizes, the decoded-size
// model, the chunks' zone maps merged into one range — for `outcore info` and
// the Python package. One pass over the chunks: a wide file's metadata is
// never held whole.
#include "outcore/dataset_info.h"

#include <algorithm>
#include <set>
#include <string>

#include "base/reject_reason.h"
#include "base/rule_kind.h"
#include "csv/value_parser.h"
#include "encoding/column_encoder.h"
#include "format/zone_map.h"
#include "scan/dataset_internal.h"
#include "scan/part_set.h"

namespace outcore {

namespace {

// A zone map's min or max as text that parses back to the same value.
std::string BoundText(TypeId type, const format::ZoneMap& zone, bool max) {
  if (type == TypeId::kString) return max ? zone.max_string : zone.min_string;
  char buf[kFormatBufferSize];
  char* end = type == TypeId::kFloat64 ? FormatFloat64(max ? zone.max_float : zone.min_float, buf)
                                       : FormatIntegerAs(type, max ? zone.max_int : zone.min_int, buf);
  return std::string(buf, size_t(end - buf));
}

// One column's figures, summed chunk by chunk (Add), then finished (Finish).
struct ColumnTotals {
  ColumnInfo info;
  std::set<uint8_t> encodings;
  format::ZoneMap range;  // min over the chunks' mins, max over their maxes

  void Add(TypeId type, uint64_t rows, const format::ColumnChunkMeta& cc) {
    info.stored_bytes += cc.block.stored_size;
    info.encoded_bytes += cc.block.decoded_size;
    info.decoded_bytes += DecodedChunkBytes(type, rows, cc);
    encodings.insert(cc.encoding);
    format::MergeZoneMap(type, cc.zone, &range);
    info.has_range = range.has_min_max;
  }

  ColumnInfo Finish(const format::ColumnMeta& meta) {
    info.name = meta.name;
    info.type = meta.type;
    info.dictionary = meta.has_dictionary;
    info.dictionary_complete = meta.dictionary_complete;
    info.dictionary_entries = meta.dictionary_entries;
    info.null_count = meta.null_count;
    info.distinct = meta.distinct_estimate;
    if (meta.has_dictionary) {
      info.stored_bytes += meta.dictionary.stored_size;
      info.encoded_bytes += meta.dictionary.decoded_size;
      info.decoded_bytes += meta.dictionary.decoded_size;
    }
    for (uint8_t e : encodings) {
      if (!info.encodings.empty()) info.encodings += '+';
      info.encodings += EncodingName(Encoding(e));
    }
    if (info.has_range) {
      info.min = BoundText(meta.type, range, false);
      info.max = BoundText(meta.type, range, true);
    }
    return std::move(info);
  }
};

std::vector<IndexInfo> IndexesOf(const format::FileMetadata& m, uint64_t file_size) {
  std::vector<IndexInfo> out;
  for (const format::IndexMeta& index : m.indexes) {
    IndexInfo info;
    info.column = m.columns[index.column].name;
    info.kind = IndexKindName(index.kind);
    info.keys = index.key_count;
    info.stored_bytes = index.block.stored_size;
    info.share_of_file = double(index.block.stored_size) / double(file_size);
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace

uint64_t DecodedChunkBytes(TypeId type, uint64_t rows, const format::ColumnChunkMeta& chunk) {
  const uint64_t validity = chunk.zone.null_count ? (rows + 7) / 8 : 0;
  switch (type) {
    case TypeId::kBool:
      return (rows + 7) / 8 + validity;
    case TypeId::kDate:
      return rows * 4 + validity;
    case TypeId::kString:
      // codes, or offsets + bytes (the payload holds the bytes plus packed lengths)
      return chunk.encoding == uint8_t(Encoding::kDictCodes)
                 ? rows * 4 + validity
                 : (rows + 1) * 4 + chunk.block.decoded_size + validity;
    default:
      return rows * 8 + validity;
  }
}

Result<DatasetInfo> DescribeMetadata(const std::string& path, uint64_t file_size,
                                     const format::FileMetadata& m, const format::ChunkSource& chunks,
                                     MemoryBudget* budget) {
  DatasetInfo info;
  info.path = path;
  info.file_bytes = file_size;
  info.rows = m.num_rows;
  info.chunks = m.chunks.size();
  // One pass over the chunks, one chunk's metadata held at a time.
  std::vector<ColumnTotals> totals(m.columns.size());
  format::ChunkMeta chunk;
  Buffer scratch(budget);
  for (size_t c = 0; c < m.chunks.size(); ++c) {
    OC_RETURN_IF_ERROR(chunks.ReadChunk(c, &chunk, &scratch));
    for (size_t column = 0; column < m.columns.size(); ++column)
      totals[column].Add(m.columns[column].type, chunk.row_count, chunk.columns[column]);
  }
  for (size_t column = 0; column < m.columns.size(); ++column) {
    info.columns.push_back(totals[column].Finish(m.columns[column]));
    info.decoded_bytes += info.columns.back().decoded_bytes;
  }
  const format::IngestReport& ir = m.ingest;
  info.ingest.rows_read = ir.rows_read;
  info.ingest.rows_kept = ir.rows_kept;
  info.ingest.rows_rejected = ir.rows_rejected;
  for (int reason = 0; reason < kRejectReasonCount; ++reason) {
    const uint64_t count = ir.rejected_by_reason[size_t(reason)];
    if (count) info.ingest.rejected_by_reason.emplace_back(RejectReasonName(RejectReason(reason)), count);
  }
  info.ingest.input_bytes = ir.input_bytes;
  info.ingest.sources = ir.sources;
  info.ingest.created_by = ir.created_by;
  for (const format::RuleMeta& rule : m.rules) {
    info.ingest.rules.push_back(
        {std::string(RuleKindName(RuleKind(rule.kind))), rule.text, rule.rows_rejected});
  }
  info.indexes = IndexesOf(m, file_size);
  for (const format::LossyColumnMeta& lossy : m.lossy) {
    info.lossy.push_back(format::SummarizeLossy(lossy, m.columns[lossy.column].name));
  }
  return info;
}

namespace {

// `into` widened by one part's figures (DatasetInfo::parts says how).
void AddPartInfo(const DatasetInfo& part, DatasetInfo* into) {
  into->file_bytes += part.file_bytes;
  into->rows += part.rows;
  into->chunks += part.chunks;
  into->decoded_bytes += part.decoded_bytes;
  IngestInfo& ingest = into->ingest;
  ingest.rows_read += part.ingest.rows_read;
  ingest.rows_kept += part.ingest.rows_kept;
  ingest.rows_rejected += part.ingest.rows_rejected;
  AddRejectCounts(part.ingest.rejected_by_reason, &ingest.rejected_by_reason);
  ingest.input_bytes += part.ingest.input_bytes;
  ingest.sources.insert(ingest.sources.end(), part.ingest.sources.begin(), part.ingest.sources.end());
  if (ingest.created_by.empty()) ingest.created_by = part.ingest.created_by;
  for (size_t column = 0; column < part.columns.size(); ++column) {
    const ColumnInfo& have = part.columns[column];
    ColumnInfo& c = into->columns[column];
    for (size_t at = 0; at <= have.encodings.size();) {
      size_t end = have.encodings.find('+', at);
      if (end == std::string::npos) end = have.encodings.size();
      const std::string name = have.encodings.substr(at, end - at);
      const std::string joined = "+" + c.encodings + "+";
      if (!name.empty() && joined.find("+" + name + "+") == std::string::npos)
        c.encodings += (c.encodings.empty() ? "" : "+") + name;
      at = end + 1;
    }
    c.dictionary = c.dictionary && have.dictionary;
    c.dictionary_complete = c.dictionary_complete && have.dictionary_complete;
    c.dictionary_entries += have.dictionary_entries;
    c.stored_bytes += have.stored_bytes;
    c.encoded_bytes += have.encoded_bytes;
    c.decoded_bytes += have.decoded_bytes;
    c.null_count += have.null_count;
    c.distinct = std::max(c.distinct, have.distinct);
  }
  for (const IndexInfo& index : part.indexes) {
    auto it = std::find_if(into->indexes.begin(), into->indexes.end(), [&](const IndexInfo& entry) {
      return entry.column == index.column && entry.kind == index.kind;
    });
    if (it == into->indexes.end()) {
      into->indexes.push_back(index);
    } else {
      it->keys += index.keys;
      it->stored_bytes += index.stored_bytes;
    }
  }
}

Result<DatasetInfo> DescribePartSet(const Dataset& dataset, PartSet& set, MemoryBudget* budget) {
  DatasetInfo info;
  info.path = dataset.path();
  info.is_part_set = true;
  info.parts = set.infos;
  for (const ColumnSchema& schema : set.schema) {
    ColumnInfo column;
    column.name = schema.name;
    column.type = schema.type;
    column.dictionary = column.dictionary_complete = !set.parts.empty();
    info.columns.push_back(std::move(column));
  }
  for (const auto& part : set.parts) {
    OC_ASSIGN_OR_RETURN(const DatasetInfo part_info, DescribeDataset(*part, budget));
    AddPartInfo(part_info, &info);
  }
  for (size_t column = 0; column < info.columns.size(); ++column) {
    ColumnInfo& c = info.columns[column];
    format::ZoneMap range;
    for (const format::ManifestPart& part : set.manifest.parts)
      format::MergeZoneMap(c.type, part.columns[column], &range);
    c.has_range = range.has_min_max;
    if (c.has_range) {
      c.min = BoundText(c.type, range, false);
      c.max = BoundText(c.type, range, true);
    }
    if (c.dictionary_complete && set.schema[column].dictionary) {
      OC_ASSIGN_OR_RETURN(auto unified, UnifiedDictionaryOf(set, int(column)));
      c.dictionary_entries = c.distinct = uint64_t(unified->dictionary->size);
    }
  }
  for (IndexInfo& index : info.indexes)
    index.share_of_file = info.file_bytes ? double(index.stored_bytes) / double(info.file_bytes) : 0.0;
  return info;
}

}  // namespace

Result<DatasetInfo> DescribeDataset(const Dataset& dataset, MemoryBudget* budget) {
  if (PartSet* set = DatasetPartSet(dataset)) return DescribePartSet(dataset, *set, budget);
  return DescribeMetadata(dataset.path(), dataset.file_size(), DatasetMetadata(dataset),
                          DatasetReader(dataset), budget);
}

Result<std::vector<ChunkRange>> DescribeChunks(const Dataset& dataset, int column, MemoryBudget* budget) {
  const format::FileMetadata& meta = DatasetMetadata(dataset);
  if (column >= int(meta.columns.size()))
    return Status::InvalidArgument("column " + std::to_string(column) + " is not in " + dataset.path());
  std::vector<ChunkRange> out(meta.chunks.size());
  for (size_t c = 0; c < meta.chunks.size(); ++c) {
    out[c].first_row = meta.chunks[c].first_row;
    out[c].rows = meta.chunks[c].row_count;
  }
  if (column < 0) return out;
  const TypeId type = meta.columns[size_t(column)].type;
  Buffer scratch(budget);
  format::ChunkMeta chunk;
  for (size_t c = 0; c < meta.chunks.size(); ++c) {
    OC_RETURN_IF_ERROR(DatasetReader(dataset).ReadChunk(c, &chunk, &scratch));
    const format::ZoneMap& zone = chunk.columns[size_t(column)].zone;
    out[c].null_count = zone.null_count;
    out[c].has_range = zone.has_min_max;
    out[c].max_exact = !zone.string_bounds_inexact;
    if (!zone.has_min_max) continue;
    out[c].min = BoundText(type, zone, false);
    out[c].max = BoundText(type, zone, true);
  }
  return out;
}

std::vector<IndexInfo> DescribeIndexes(const Dataset& dataset) {
  if (PartSet* set = DatasetPartSet(dataset)) {
    DatasetInfo info;
    info.columns.resize(set->schema.size());
    for (const auto& part : set->parts) {
      DatasetInfo part_info;
      part_info.file_bytes = part->file_size();
      part_info.indexes = DescribeIndexes(*part);
      part_info.columns.resize(set->schema.size());
      AddPartInfo(part_info, &info);
    }
    for (IndexInfo& index : info.indexes)
      index.share_of_file = info.file_bytes ? double(index.stored_bytes) / double(info.file_bytes) : 0.0;
    return info.indexes;
  }
  return IndexesOf(DatasetMetadata(dataset), dataset.file_size());
}

}  // namespace outcore
