// IngestReportJson and IndexReportsJson: `outcore ingest --json`,
// oc.ingest()'s report and oc.index()'s list, from one writer.
#include "ingest/report_json.h"

#include "base/lossy_json.h"
#include "outcore/options.h"
#include "scan/dataset_info_json.h"

namespace outcore {

namespace {

void WriteIndexReports(JsonWriter* j, const std::vector<IngestIndexReport>& reports) {
  j->BeginArray();
  for (const IngestIndexReport& index : reports) {
    j->BeginObject();
    j->Key("column").String(index.column);
    j->Key("kind").String(index.kind);
    j->Key("built").Bool(index.built);
    j->Key("keys").UInt(index.keys);
    j->Key("stored_bytes").UInt(index.stored_bytes);
    j->Key("note").String(index.note);
    j->EndObject();
  }
  j->EndArray();
}

// doc/architecture.md, "Memory planning".
void WriteMemoryPlan(JsonWriter* j, const MemoryPlan& plan) {
  j->BeginObject();
  j->Key("memory_limit").UInt(plan.memory_limit);
  j->Key("baseline_reserve").UInt(plan.baseline_reserve);
  j->Key("dictionary_bytes").UInt(plan.dictionary_bytes);
  j->Key("index_pool_bytes").UInt(plan.index_pool_bytes);
  j->Key("dedupe_bytes").UInt(plan.dedupe_bytes);
  j->Key("column_state_bytes").UInt(plan.column_state_bytes);
  j->Key("block_share_bytes").UInt(plan.block_share_bytes);
  j->Key("block_bytes").UInt(plan.block_bytes);
  j->Key("max_record_bytes").UInt(plan.max_record_bytes);
  j->Key("blocks_in_flight").Int(plan.blocks_in_flight);
  j->Key("threads").Int(plan.threads);
  j->Key("columns").UInt(plan.columns);
  j->Key("bytes_per_field").Number(plan.bytes_per_field);
  j->EndObject();
}

void WriteRejectGroups(JsonWriter* j, const std::vector<IngestRejectGroup>& groups) {
  j->BeginArray();
  for (const IngestRejectGroup& g : groups) {
    j->BeginObject();
    j->Key("column").StringOrNull(g.column);  // null: a reason of the whole row (field_count, ...)
    j->Key("reason").String(g.reason);
    j->Key("rows").UInt(g.count);
    j->Key("first_line").UInt(g.first_line);
    j->Key("example").String(g.example);
    j->EndObject();
  }
  j->EndArray();
}

void WriteColumns(JsonWriter* j, const std::vector<IngestColumnReport>& columns) {
  j->BeginArray();
  for (const IngestColumnReport& c : columns) {
    j->BeginObject();
    j->Key("name").String(c.name);
    j->Key("type").String(TypeName(c.type));
    j->Key("inferred").Bool(c.inferred);
    j->Key("encodings").String(c.encodings);
    j->Key("stored_bytes").UInt(c.stored_bytes);
    j->Key("null_count").UInt(c.null_count);
    j->Key("sample_mismatches").UInt(c.sample_mismatches);
    j->Key("type_note")
        .String(c.type_note);  // why an inferred type is text or was widened (doc/inference.md)
    j->EndObject();
  }
  j->EndArray();
}

std::string OneChar(char c) { return c ? std::string(1, c) : std::string(); }

}  // namespace

void WriteIngestReportMembers(JsonWriter* j, const IngestReport& r) {
  j->Key("rows_read").UInt(r.rows_read);
  j->Key("rows_kept").UInt(r.rows_kept);
  j->Key("rows_rejected").UInt(r.rows_rejected);
  j->Key("rejected_by_reason").BeginObject();
  for (const auto& [reason, count] : r.rejected_by_reason) j->Key(reason).UInt(count);
  j->EndObject();
  j->Key("rejects_by_column");
  WriteRejectGroups(j, r.rejects_by_column);
  j->Key("warning").StringOrNull(r.reject_warning);
  j->Key("rules");
  WriteRulesJson(j, r.rules);
  j->Key("dedupe_keys").UInt(r.dedupe_keys);
  j->Key("input_bytes").UInt(r.input_bytes);
  j->Key("output_bytes").UInt(r.output_bytes);
  j->Key("ratio").Number(r.output_bytes ? double(r.input_bytes) / double(r.output_bytes) : 0);
  j->Key("seconds").Number(r.seconds);
  j->Key("mb_per_s").Number(r.seconds > 0 ? double(r.input_bytes) / r.seconds / 1e6 : 0);
  j->Key("peak_rss").UInt(r.peak_rss);
  j->Key("memory_limit").UInt(r.memory_limit);
  j->Key("memory_limit_planned").Bool(r.memory_limit_planned);
  j->Key("budget_peak").UInt(r.budget_peak);
  j->Key("block_bytes").UInt(r.block_bytes);
  j->Key("threads").Int(r.threads);
  j->Key("memory_plan");
  WriteMemoryPlan(j, r.memory_plan);
  j->Key("chunks").UInt(r.chunks);
  j->Key("source").String(r.source);
  j->Key("delimiter").String(IngestDelimiterName(r.delimiter, r.space_aligned));
  j->Key("encoding").String(r.encoding);
  j->Key("line_ending").String(r.line_ending);
  j->Key("escape").String(OneChar(r.escape));
  j->Key("thousands").String(OneChar(r.thousands));
  j->Key("lines_skipped").UInt(r.lines_skipped);
  j->Key("comment_lines").UInt(r.comment_lines);
  j->Key("rows_padded").UInt(r.rows_padded);
  j->Key("renamed_columns").BeginArray();
  for (const IngestRename& rename : r.renamed_columns) {
    j->BeginObject();
    j->Key("position").UInt(rename.position);
    j->Key("from").String(rename.from);
    j->Key("to").String(rename.to);
    j->EndObject();
  }
  j->EndArray();
  j->Key("columns");
  WriteColumns(j, r.columns);
  j->Key("indexes");
  WriteIndexReports(j, r.indexes);
  j->Key("lossy");
  WriteLossyJson(j, r.lossy);
}

void WriteIngestReportMembers(JsonWriter* j, const PartsIngestReport& r) {
  WriteIngestReportMembers(j, r.total);
  j->Key("parts_before").UInt(r.parts_before);
  j->Key("parts").BeginArray();
  for (const PartIngestLine& part : r.parts) {
    j->BeginObject();
    j->Key("input").String(part.input);
    j->Key("part").String(part.part);
    j->Key("rows_read").UInt(part.rows_read);
    j->Key("rows_kept").UInt(part.rows_kept);
    j->Key("rows_rejected").UInt(part.rows_rejected);
    j->Key("output_bytes").UInt(part.output_bytes);
    j->Key("reject_file").StringOrNull(part.reject_path);
    j->EndObject();
  }
  j->EndArray();
}

namespace {
// The members of `report` (either kind) in an object of their own.
template <typename Report>
std::string ReportObject(const Report& report) {
  JsonWriter j;
  j.BeginObject();
  WriteIngestReportMembers(&j, report);
  j.EndObject();
  return j.str();
}
}  // namespace

std::string IngestReportJson(const IngestReport& report) { return ReportObject(report); }

std::string IngestReportJson(const PartsIngestReport& report) { return ReportObject(report); }

std::string IndexReportsJson(const std::vector<IngestIndexReport>& reports) {
  JsonWriter j;
  WriteIndexReports(&j, reports);
  return j.str();
}

}  // namespace outcore
