// `outcore info`: what a .oc file holds — schema, encodings, sizes, ratios,
// value ranges, distinct counts, and the ingest report stored in its footer.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/value_text.h"
#include "encoding/column_encoder.h"
#include "format/file_reader.h"
#include "outcore/dataset.h"

namespace outcore::cli {
namespace {

struct InfoArgs {
  std::string input;
  bool json = false;
};

struct ColumnSummary {
  std::string encodings;
  uint64_t stored = 0;     // bytes on disk
  uint64_t encoded = 0;    // payload bytes before block compression
  uint64_t memory = 0;     // bytes once decoded (Arrow layout)
  bool has_min_max = false;
  format::ZoneMap range;   // min over chunks' mins, max over maxes
};

bool Less(TypeId type, const format::ZoneMap& a, const format::ZoneMap& b, bool max) {
  // Is a's bound more extreme than b's? (max: larger; min: smaller)
  if (type == TypeId::kString) return max ? a.max_string > b.max_string : a.min_string < b.min_string;
  if (type == TypeId::kFloat64) return max ? a.max_float > b.max_float : a.min_float < b.min_float;
  return max ? a.max_int > b.max_int : a.min_int < b.min_int;
}

ColumnSummary Summarize(const format::FileMetadata& m, size_t column) {
  ColumnSummary s;
  const format::ColumnMeta& meta = m.columns[column];
  std::set<uint8_t> encodings;
  for (const format::ChunkMeta& chunk : m.chunks) {
    const format::ColumnChunkMeta& cc = chunk.columns[column];
    s.stored += cc.block.stored_size;
    s.encoded += cc.block.decoded_size;
    encodings.insert(cc.encoding);
    uint64_t rows = chunk.row_count;
    uint64_t validity = cc.zone.null_count ? (rows + 7) / 8 : 0;
    switch (meta.type) {
      case TypeId::kBool: s.memory += (rows + 7) / 8 + validity; break;
      case TypeId::kDate: s.memory += rows * 4 + validity; break;
      case TypeId::kString:
        // codes, or offsets + bytes (the payload holds the bytes plus packed lengths)
        s.memory += cc.encoding == uint8_t(Encoding::kDictCodes) ? rows * 4 + validity
                                                                 : (rows + 1) * 4 + cc.block.decoded_size + validity;
        break;
      default: s.memory += rows * 8 + validity; break;
    }
    if (cc.zone.has_min_max) {
      if (!s.has_min_max) {
        s.range = cc.zone;
        s.has_min_max = true;
      } else {
        if (Less(meta.type, cc.zone, s.range, false)) {
          s.range.min_int = cc.zone.min_int;
          s.range.min_float = cc.zone.min_float;
          s.range.min_string = cc.zone.min_string;
        }
        if (Less(meta.type, cc.zone, s.range, true)) {
          s.range.max_int = cc.zone.max_int;
          s.range.max_float = cc.zone.max_float;
          s.range.max_string = cc.zone.max_string;
        }
      }
    }
  }
  if (meta.has_dictionary) {
    s.stored += meta.dictionary.stored_size;
    s.encoded += meta.dictionary.decoded_size;
    s.memory += meta.dictionary.decoded_size;
  }
  for (uint8_t e : encodings) s.encodings += (s.encodings.empty() ? "" : "+") + std::string(EncodingName(Encoding(e)));
  s.range.has_min_max = s.has_min_max;
  return s;
}

const char* IndexKindName(uint8_t kind) { return kind == format::kIndexKindToken ? "token" : "value"; }

std::string Ratio(uint64_t a, uint64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fx", b ? double(a) / double(b) : 0.0);
  return buf;
}

std::string Clip(std::string text, size_t width) {
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
  }
  return text;
}

Status RunInfo(const InfoArgs& a) {
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  const format::FileMetadata& m = dataset->metadata();
  std::vector<ColumnSummary> summaries;
  uint64_t total_memory = 0;
  for (size_t c = 0; c < m.columns.size(); ++c) {
    summaries.push_back(Summarize(m, c));
    total_memory += summaries.back().memory;
  }
  const format::IngestReport& ir = m.ingest;
  if (a.json) {
    JsonWriter j;
    j.BeginObject();
    j.Key("path").String(a.input);
    j.Key("file_bytes").UInt(dataset->file_size());
    j.Key("rows").UInt(m.num_rows);
    j.Key("chunks").UInt(m.chunks.size());
    j.Key("decoded_bytes").UInt(total_memory);
    j.Key("ingest").BeginObject();
    j.Key("rows_read").UInt(ir.rows_read);
    j.Key("rows_kept").UInt(ir.rows_kept);
    j.Key("rows_rejected").UInt(ir.rows_rejected);
    j.Key("rejected_by_reason").BeginObject();
    for (int r = 0; r < kRejectReasonCount; ++r) {
      if (ir.rejected_by_reason[size_t(r)]) j.Key(RejectReasonName(RejectReason(r))).UInt(ir.rejected_by_reason[size_t(r)]);
    }
    j.EndObject();
    j.Key("input_bytes").UInt(ir.input_bytes);
    j.Key("sources").BeginArray();
    for (const auto& src : ir.sources) j.String(src);
    j.EndArray();
    j.Key("created_by").String(ir.created_by);
    j.EndObject();
    j.Key("columns").BeginArray();
    for (size_t c = 0; c < m.columns.size(); ++c) {
      const auto& meta = m.columns[c];
      const auto& s = summaries[c];
      j.BeginObject();
      j.Key("name").String(meta.name);
      j.Key("type").String(TypeName(meta.type));
      j.Key("encoding").String(s.encodings);
      j.Key("dictionary").Bool(meta.has_dictionary);
      j.Key("dictionary_complete").Bool(meta.dictionary_complete);
      j.Key("dictionary_entries").UInt(meta.dictionary_entries);
      j.Key("stored_bytes").UInt(s.stored);
      j.Key("encoded_bytes").UInt(s.encoded);
      j.Key("decoded_bytes").UInt(s.memory);
      j.Key("null_count").UInt(meta.null_count);
      j.Key("distinct").UInt(meta.distinct_estimate);
      j.Key("distinct_exact").Bool(meta.dictionary_complete);
      j.Key("min");
      if (s.has_min_max) j.String(ZoneBoundText(meta.type, s.range, false)); else j.Null();
      j.Key("max");
      if (s.has_min_max) j.String(ZoneBoundText(meta.type, s.range, true)); else j.Null();
      j.EndObject();
    }
    j.EndArray();
    j.Key("indexes").BeginArray();
    for (const format::IndexMeta& index : m.indexes) {
      j.BeginObject();
      j.Key("column").String(m.columns[index.column].name);
      j.Key("kind").String(IndexKindName(index.kind));
      j.Key("keys").UInt(index.key_count);
      j.Key("stored_bytes").UInt(index.block.stored_size);
      j.Key("share_of_file").Number(double(index.block.stored_size) / double(dataset->file_size()));
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
    std::printf("%s\n", j.str().c_str());
    return Status::OK();
  }
  std::printf("%s: %s rows, %zu columns, %s chunks, %s on disk (%s decoded, %s)\n", a.input.c_str(),
              Thousands(m.num_rows).c_str(), m.columns.size(), Thousands(m.chunks.size()).c_str(),
              FormatSize(dataset->file_size()).c_str(), FormatSize(total_memory).c_str(),
              Ratio(total_memory, dataset->file_size()).c_str());
  if (ir.rows_read) {
    std::string sources;
    for (const auto& src : ir.sources) sources += (sources.empty() ? "" : ", ") + src;
    std::printf("ingested from %s: %s, ratio %s; rows read %s = kept %s + rejected %s", sources.c_str(),
                FormatSize(ir.input_bytes).c_str(), Ratio(ir.input_bytes, dataset->file_size()).c_str(),
                Thousands(ir.rows_read).c_str(), Thousands(ir.rows_kept).c_str(), Thousands(ir.rows_rejected).c_str());
    std::string reasons;
    for (int r = 0; r < kRejectReasonCount; ++r) {
      if (ir.rejected_by_reason[size_t(r)]) {
        reasons += (reasons.empty() ? "" : ", ") + std::string(RejectReasonName(RejectReason(r))) + " " +
                   Thousands(ir.rejected_by_reason[size_t(r)]);
      }
    }
    if (!reasons.empty()) std::printf(" (%s)", reasons.c_str());
    std::printf("\n");
  }
  std::printf("\n%-16s %-9s %-14s %10s %10s %6s %12s %-20s %-20s %s\n", "column", "type", "encoding", "stored",
              "decoded", "ratio", "nulls", "min", "max", "distinct");
  for (size_t c = 0; c < m.columns.size(); ++c) {
    const auto& meta = m.columns[c];
    const auto& s = summaries[c];
    std::string distinct = meta.dictionary_complete ? Thousands(meta.distinct_estimate) + " (dictionary)"
                                                    : "~" + Thousands(meta.distinct_estimate);
    std::printf("%-16s %-9s %-14s %10s %10s %6s %12s %-20s %-20s %s\n", Clip(meta.name, 16).c_str(),
                std::string(TypeName(meta.type)).c_str(), s.encodings.c_str(), FormatSize(s.stored).c_str(),
                FormatSize(s.memory).c_str(), Ratio(s.memory, s.stored).c_str(), Thousands(meta.null_count).c_str(),
                Clip(ZoneBoundText(meta.type, s.range, false), 20).c_str(),
                Clip(ZoneBoundText(meta.type, s.range, true), 20).c_str(), distinct.c_str());
  }
  if (!m.indexes.empty()) {
    std::printf("\n%-16s %-6s %12s %10s %8s\n", "index on", "kind", "keys", "stored", "of file");
    for (const format::IndexMeta& index : m.indexes) {
      char share[32];
      std::snprintf(share, sizeof share, "%.2f%%", 100.0 * double(index.block.stored_size) / double(dataset->file_size()));
      std::printf("%-16s %-6s %12s %10s %8s\n", Clip(m.columns[index.column].name, 16).c_str(),
                  IndexKindName(index.kind), Thousands(index.key_count).c_str(),
                  FormatSize(index.block.stored_size).c_str(), share);
    }
  } else {
    std::printf("\nno indexes (add them with: outcore index %s --columns COL[,COL...] [--tokens TEXTCOL])\n",
                a.input.c_str());
  }
  return Status::OK();
}

void SetupInfo(CLI::App& app) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand("info", "schema, encodings, sizes, ratios, value ranges and the ingest report of a .oc file");
  cmd->footer("Example:\n  outcore info sample.oc\n  outcore info sample.oc --json | jq .columns\n");
  cmd->add_option("file", args->input, "the .oc file")->required();
  cmd->add_flag("--json", args->json, "print as JSON");
  cmd->callback([args] {
    Status status = RunInfo(*args);
    if (!status.ok()) ReportError("info", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(30, outcore::cli::SetupInfo);
