// DatasetInfoJson: `outcore info --json` and Python's Dataset.info().
#include "scan/dataset_info_json.h"

#include "base/lossy_json.h"

namespace outcore {

namespace {

void WriteIngestInfo(JsonWriter* j, const IngestInfo& ir) {
  j->BeginObject();
  j->Key("rows_read").UInt(ir.rows_read);
  j->Key("rows_kept").UInt(ir.rows_kept);
  j->Key("rows_rejected").UInt(ir.rows_rejected);
  j->Key("rejected_by_reason").BeginObject();
  for (const auto& [reason, count] : ir.rejected_by_reason) j->Key(reason).UInt(count);
  j->EndObject();
  j->Key("input_bytes").UInt(ir.input_bytes);
  j->Key("sources").BeginArray();
  for (const std::string& source : ir.sources) j->String(source);
  j->EndArray();
  j->Key("created_by").String(ir.created_by);
  j->Key("rules");  // the row rules the file was cleaned with
  WriteRulesJson(j, ir.rules);
  j->EndObject();
}

void WriteColumnInfo(JsonWriter* j, const ColumnInfo& c) {
  j->BeginObject();
  j->Key("name").String(c.name);
  j->Key("type").String(TypeName(c.type));
  j->Key("encoding").String(c.encodings);
  j->Key("dictionary").Bool(c.dictionary);
  j->Key("dictionary_complete").Bool(c.dictionary_complete);
  j->Key("dictionary_entries").UInt(c.dictionary_entries);
  j->Key("stored_bytes").UInt(c.stored_bytes);
  j->Key("encoded_bytes").UInt(c.encoded_bytes);
  j->Key("decoded_bytes").UInt(c.decoded_bytes);
  j->Key("null_count").UInt(c.null_count);
  j->Key("distinct").UInt(c.distinct);
  j->Key("distinct_exact").Bool(c.dictionary_complete);
  // A string bound is cut at 64 bytes, possibly inside a character.
  j->Key("min");
  c.has_range ? j->String(c.min) : j->Null();
  j->Key("max");
  c.has_range ? j->String(c.max) : j->Null();
  j->EndObject();
}

}  // namespace

void WriteRulesJson(JsonWriter* j, const std::vector<RuleInfo>& rules) {
  j->BeginArray();
  for (const RuleInfo& rule : rules) {
    j->BeginObject();
    j->Key("kind").String(rule.kind);
    j->Key("rule").String(rule.rule);
    j->Key("rows_rejected").UInt(rule.rows_rejected);
    j->EndObject();
  }
  j->EndArray();
}

std::string DatasetInfoJson(const DatasetInfo& info) {
  JsonWriter j;
  j.BeginObject();
  j.Key("path").String(info.path);
  j.Key("file_bytes").UInt(info.file_bytes);
  j.Key("rows").UInt(info.rows);
  j.Key("chunks").UInt(info.chunks);
  j.Key("decoded_bytes").UInt(info.decoded_bytes);
  if (info.is_part_set) {
    j.Key("parts").BeginArray();
    for (const PartInfo& part : info.parts) {
      j.BeginObject();
      j.Key("path").String(part.path);
      j.Key("rows").Int(part.rows);
      j.Key("chunks").Int(part.chunks);
      j.Key("bytes").UInt(part.bytes);
      j.EndObject();
    }
    j.EndArray();
  }
  j.Key("ingest");
  WriteIngestInfo(&j, info.ingest);
  j.Key("columns").BeginArray();
  for (const ColumnInfo& c : info.columns) WriteColumnInfo(&j, c);
  j.EndArray();
  j.Key("indexes").BeginArray();
  for (const IndexInfo& index : info.indexes) {
    j.BeginObject();
    j.Key("column").String(index.column);
    j.Key("kind").String(index.kind);
    j.Key("keys").UInt(index.keys);
    j.Key("stored_bytes").UInt(index.stored_bytes);
    j.Key("share_of_file").Number(index.share_of_file);
    j.EndObject();
  }
  j.EndArray();
  j.Key("lossy");
  WriteLossyJson(&j, info.lossy);
  j.EndObject();
  return j.str();
}

}  // namespace outcore
