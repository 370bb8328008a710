// `outcore ingest`: CSV files -> one .oc file, inside a memory budget.
#include "outcore/ingest.h"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "outcore/memory.h"
#include "outcore/options.h"

namespace outcore::cli {
namespace {

struct IngestArgs {
  std::vector<std::string> inputs;
  std::string output;
  std::string memory_limit;
  int threads = 0;
  std::string delimiter;
  std::string quote = "\"";
  bool no_header = false;
  std::string na;
  bool na_given = false;
  std::string true_values, false_values;
  std::string schema;
  std::string reject;
  std::string on_error = "reject";
  std::string compression = "zstd";
  int level = 1;
  std::string block_size;
  std::string index, index_tokens;
  bool json = false;
  bool quiet = false;
};

Status BuildOptions(const IngestArgs& a, IngestOptions* o) {
  o->inputs = a.inputs;
  o->output = a.output;
  if (!a.memory_limit.empty()) {
    OC_ASSIGN_OR_RETURN(o->memory_limit, ParseSize(a.memory_limit));
  }
  o->threads = a.threads;
  if (!a.delimiter.empty()) {
    OC_ASSIGN_OR_RETURN(o->delimiter, ParseDelimiter(a.delimiter, "--delimiter"));
  }
  if (a.quote.size() != 1)
    return Status::InvalidArgument("--quote takes one character, not '" + a.quote + "'");
  o->quote = a.quote[0];
  o->header = !a.no_header;
  if (a.na_given) o->na_values = SplitList(a.na);
  if (!a.true_values.empty()) o->true_values = SplitList(a.true_values);
  if (!a.false_values.empty()) o->false_values = SplitList(a.false_values);
  if (!a.schema.empty()) {
    OC_ASSIGN_OR_RETURN(o->schema, ParseSchema(a.schema, "--schema"));
  }
  o->reject_path = a.reject;
  OC_ASSIGN_OR_RETURN(o->on_error, ParseOnError(a.on_error, "--on-error"));
  o->compression = a.compression;
  o->compression_level = a.level;
  if (!a.block_size.empty()) {
    OC_ASSIGN_OR_RETURN(o->block_bytes, ParseSize(a.block_size));
  }
  if (!a.index.empty()) o->index_columns = SplitList(a.index);
  if (!a.index_tokens.empty()) o->token_index_columns = SplitList(a.index_tokens);
  return Status::OK();
}

void PrintProgress(const IngestProgress& p) {
  char line[200];
  double rate = p.seconds > 0 ? double(p.input_bytes_done) / p.seconds / 1e6 : 0;
  if (p.input_bytes_total > 0) {
    double pct = 100.0 * double(p.input_bytes_done) / double(p.input_bytes_total);
    std::snprintf(line, sizeof line, "\r  %s / %s (%3.0f%%)  %s rows  %.0f MB/s  RSS %s   ",
                  FormatSize(p.input_bytes_done).c_str(), FormatSize(p.input_bytes_total).c_str(),
                  pct > 100 ? 100 : pct, Thousands(p.rows_read).c_str(), rate, FormatSize(p.rss).c_str());
  } else {
    std::snprintf(line, sizeof line, "\r  %s  %s rows  %.0f MB/s  RSS %s   ",
                  FormatSize(p.input_bytes_done).c_str(), Thousands(p.rows_read).c_str(), rate,
                  FormatSize(p.rss).c_str());
  }
  std::fputs(line, stderr);
  std::fflush(stderr);
}

void PrintText(const IngestArgs& a, const IngestReport& r) {
  std::string sources;
  for (const auto& in : a.inputs) sources += (sources.empty() ? "" : " ") + in;
  std::printf("outcore ingest: %s -> %s\n", sources.c_str(), a.output.c_str());
  std::printf("  rows read      %15s\n", Thousands(r.rows_read).c_str());
  std::printf("  rows kept      %15s\n", Thousands(r.rows_kept).c_str());
  std::printf("  rows rejected  %15s", Thousands(r.rows_rejected).c_str());
  if (!r.rejected_by_reason.empty()) {
    std::string reasons;
    for (const auto& [reason, count] : r.rejected_by_reason) {
      reasons += (reasons.empty() ? "" : ", ") + reason + " " + Thousands(count);
    }
    std::printf("  (%s)", reasons.c_str());
    std::printf(a.reject.empty() ? "  [not written: pass --reject FILE to keep them]" : "  -> %s",
                a.reject.c_str());
  }
  std::printf("\n");
  double ratio = r.output_bytes ? double(r.input_bytes) / double(r.output_bytes) : 0;
  std::printf("  input          %15s   output %s   ratio %.2fx\n", FormatSize(r.input_bytes).c_str(),
              FormatSize(r.output_bytes).c_str(), ratio);
  std::printf("  time           %13.2f s   %s   %d threads, %s chunks\n", r.seconds,
              Rate(double(r.input_bytes), r.seconds).c_str(), r.threads, Thousands(r.chunks).c_str());
  std::printf("  peak RSS       %15s   of %s budget (%s)\n", FormatSize(r.peak_rss).c_str(),
              FormatSize(r.memory_limit).c_str(), r.peak_rss <= r.memory_limit ? "within" : "OVER");
  std::printf("  columns:\n");
  for (const auto& c : r.columns) {
    std::printf("    %-16s %-9s %-22s %12s  nulls %s", c.name.c_str(), std::string(TypeName(c.type)).c_str(),
                c.encodings.c_str(), FormatSize(c.stored_bytes).c_str(), Thousands(c.null_count).c_str());
    if (!c.inferred) std::printf("  (from --schema)");
    if (c.sample_mismatches) {
      std::printf("  (%s sampled values were not %s, e.g. '%s')", Thousands(c.sample_mismatches).c_str(),
                  std::string(TypeName(c.type)).c_str(), c.mismatch_example.c_str());
    }
    if (!c.type_note.empty()) std::printf("  (%s)", c.type_note.c_str());
    std::printf("\n");
  }
  if (!r.indexes.empty()) std::printf("  indexes:\n");
  for (const auto& index : r.indexes) {
    if (index.built) {
      std::printf("    %-16s %-6s %12s keys %12s\n", index.column.c_str(), index.kind.c_str(),
                  Thousands(index.keys).c_str(), FormatSize(index.stored_bytes).c_str());
    } else {
      std::printf("    %-16s %-6s not built: %s\n", index.column.c_str(), index.kind.c_str(),
                  index.note.c_str());
    }
  }
}

void PrintJson(const IngestArgs& a, const IngestReport& r) {
  JsonWriter j;
  j.BeginObject();
  j.Key("inputs").BeginArray();
  for (const auto& in : a.inputs) j.String(in);
  j.EndArray();
  j.Key("output").String(a.output);
  j.Key("rows_read").UInt(r.rows_read);
  j.Key("rows_kept").UInt(r.rows_kept);
  j.Key("rows_rejected").UInt(r.rows_rejected);
  j.Key("rejected_by_reason").BeginObject();
  for (const auto& [reason, count] : r.rejected_by_reason) j.Key(reason).UInt(count);
  j.EndObject();
  j.Key("reject_file");
  if (a.reject.empty())
    j.Null();
  else
    j.String(a.reject);
  j.Key("input_bytes").UInt(r.input_bytes);
  j.Key("output_bytes").UInt(r.output_bytes);
  j.Key("ratio").Number(r.output_bytes ? double(r.input_bytes) / double(r.output_bytes) : 0);
  j.Key("seconds").Number(r.seconds);
  j.Key("mb_per_s").Number(r.seconds > 0 ? double(r.input_bytes) / r.seconds / 1e6 : 0);
  j.Key("peak_rss").UInt(r.peak_rss);
  j.Key("memory_limit").UInt(r.memory_limit);
  j.Key("budget_peak").UInt(r.budget_peak);
  j.Key("block_bytes").UInt(r.block_bytes);
  j.Key("threads").Int(r.threads);
  const MemoryPlan& plan = r.memory_plan;  // doc/architecture.md, "Memory planning"
  j.Key("memory_plan").BeginObject();
  j.Key("memory_limit").UInt(plan.memory_limit);
  j.Key("baseline_reserve").UInt(plan.baseline_reserve);
  j.Key("dictionary_bytes").UInt(plan.dictionary_bytes);
  j.Key("index_pool_bytes").UInt(plan.index_pool_bytes);
  j.Key("block_share_bytes").UInt(plan.block_share_bytes);
  j.Key("block_bytes").UInt(plan.block_bytes);
  j.Key("max_record_bytes").UInt(plan.max_record_bytes);
  j.Key("blocks_in_flight").Int(plan.blocks_in_flight);
  j.Key("threads").Int(plan.threads);
  j.EndObject();
  j.Key("chunks").UInt(r.chunks);
  j.Key("delimiter").String(std::string(1, r.delimiter));
  j.Key("columns").BeginArray();
  for (const auto& c : r.columns) {
    j.BeginObject();
    j.Key("name").String(c.name);
    j.Key("type").String(TypeName(c.type));
    j.Key("inferred").Bool(c.inferred);
    j.Key("encodings").String(c.encodings);
    j.Key("stored_bytes").UInt(c.stored_bytes);
    j.Key("null_count").UInt(c.null_count);
    j.Key("sample_mismatches").UInt(c.sample_mismatches);
    j.Key("type_note").String(c.type_note);
    j.EndObject();
  }
  j.EndArray();
  j.Key("indexes").BeginArray();
  for (const auto& index : r.indexes) {
    j.BeginObject();
    j.Key("column").String(index.column);
    j.Key("kind").String(index.kind);
    j.Key("built").Bool(index.built);
    j.Key("keys").UInt(index.keys);
    j.Key("stored_bytes").UInt(index.stored_bytes);
    j.Key("note").String(index.note);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  std::printf("%s\n", j.str().c_str());
}

void SetupIngest(CLI::App& app) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd =
      app.add_subcommand("ingest", "CSV files (plain, .gz, .zst) -> one compressed, chunked .oc file");
  cmd->footer(
      "Rows that do not fit the schema (wrong field count, unparsable value, invalid UTF-8,\n"
      "broken quotes) are rejected, never dropped silently: rows read = kept + rejected.\n"
      "The output is written atomically; Ctrl-C or an error leaves no file behind.\n"
      "Inferred types lose nothing: leading zeros (02134), codes (300389460z) and ids past\n"
      "int64 keep a column text, and NA/None in a text column are text (doc/inference.md).\n"
      "\n"
      "Examples:\n"
      "  outcore ingest sample.csv -o sample.oc --memory-limit 256MiB --reject rejects.csv\n"
      "  outcore ingest part-*.csv.gz -o all.oc --schema id:int64,zip:string\n"
      "  outcore ingest data.tsv -o data.oc --delimiter tab --na NA,-,'' --on-error fail\n"
      "  outcore ingest sample.csv -o sample.oc --index topic,day --index-tokens passage\n");
  cmd->add_option("inputs", args->inputs, "CSV files with the same columns ('-' = standard input)")
      ->required();
  cmd->add_option("-o,--output", args->output, "the .oc file to write")->required();
  cmd->add_option(
      "--memory-limit", args->memory_limit,
      "bound on the whole process, e.g. 256MiB, 2G (default: a quarter of available memory, 256MiB..8GiB)");
  cmd->add_option("--threads", args->threads, "worker threads (default: every core)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--delimiter", args->delimiter,
                  "field delimiter: one character or 'tab' (default: detected)");
  cmd->add_option("--quote", args->quote, "quote character")->capture_default_str();
  cmd->add_flag("--no-header", args->no_header,
                "the first line is data; columns are named column_1, column_2, ...");
  cmd->add_option("--na", args->na,
                  "comma-separated spellings of a missing value, for every column (default: in typed columns "
                  "'',NA,N/A,NULL,null,NaN,nan,None; in text columns only an empty unquoted field)")
      ->each([args](const std::string&) { args->na_given = true; });
  cmd->add_option("--true-values", args->true_values,
                  "comma-separated spellings of true (default: true,True,TRUE)");
  cmd->add_option("--false-values", args->false_values,
                  "comma-separated spellings of false (default: false,False,FALSE)");
  cmd->add_option(
      "--schema", args->schema,
      "override inferred types: name:type,... with bool, int64, float64, string, date, timestamp");
  cmd->add_option("--reject", args->reject,
                  "write rejected rows (file, line, column, reason, detail, raw row) to this CSV");
  cmd->add_option("--on-error", args->on_error,
                  "reject: keep going and count; fail: stop at the first bad row")
      ->capture_default_str();
  cmd->add_option("--compression", args->compression, "zstd, lz4 or none")->capture_default_str();
  cmd->add_option("--level", args->level, "compression level (zstd 1..19; higher is smaller and slower)")
      ->capture_default_str();
  cmd->add_option("--block-size", args->block_size,
                  "bytes of CSV per chunk (default: derived from --memory-limit)");
  cmd->add_option("--index", args->index,
                  "value indexes (value -> rows) on these columns, e.g. topic,day; cat --where uses them");
  cmd->add_option("--index-tokens", args->index_tokens,
                  "token indexes (lowercase word -> rows) on these text columns, for --where \"passage "
                  "contains 'food'\"");
  cmd->add_flag("--json", args->json, "print the report as JSON");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->callback([args] {
    IngestOptions options;
    Status status = BuildOptions(*args, &options);
    if (!status.ok()) {
      std::fprintf(stderr, "outcore ingest: %s\n", status.message().c_str());
      SetExitCode(ExitCodeFor(status));
      return;
    }
    options.cancel = &InstallInterruptFlag();
    bool show_progress = !args->quiet && StderrIsTerminal();
    if (show_progress) options.progress = PrintProgress;
    auto report = Ingest(options);
    if (show_progress) std::fputs("\r\033[K", stderr);
    if (!report.ok()) {
      std::fprintf(stderr, "outcore ingest: %s\n", report.status().ToString().c_str());
      SetExitCode(ExitCodeFor(report.status()));
      return;
    }
    if (args->json)
      PrintJson(*args, *report);
    else
      PrintText(*args, *report);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(20, outcore::cli::SetupIngest);
