// `outcore cat`: decode a .oc file back to CSV or JSON lines, through the scan layer.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "base/json.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/value_text.h"
#include "csv/writer.h"
#include "outcore/dataset.h"
#include "outcore/options.h"

namespace outcore::cli {
namespace {

struct CatArgs {
  std::string input;
  std::string columns;
  int64_t limit = -1;
  std::string format = "csv";
  bool no_header = false;
  std::string delimiter = ",";
  int64_t batch_rows = 65536;
  std::string where;
  bool where_given = false;
  bool explain = false;
  bool count = false;
  bool no_index = false;
  bool force_index = false;
  bool no_zone_maps = false;
  std::string memory_limit;
};

constexpr size_t kFlushBytes = 1 << 20;

Status Flush(std::string* out) {
  if (!out->empty() && std::fwrite(out->data(), 1, out->size(), stdout) != out->size()) {
    return Status::IOError("cannot write to standard output");
  }
  out->clear();
  return Status::OK();
}

Status RunCat(const CatArgs& a) {
  if (a.where_given) OC_RETURN_IF_ERROR(CheckWhere(a.where, "--where"));
  if (a.format != "csv" && a.format != "jsonl") {
    return Status::InvalidArgument("--format is csv or jsonl, not '" + a.format + "'");
  }
  char delimiter = ',';
  if (!a.delimiter.empty()) {
    OC_ASSIGN_OR_RETURN(delimiter, ParseDelimiter(a.delimiter, "--delimiter"));
  }
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  ScanOptions options;
  if (!a.columns.empty()) options.columns = SplitList(a.columns);
  options.limit = a.limit;
  options.batch_rows = a.batch_rows;
  options.where = a.where;
  options.use_indexes = !a.no_index;
  options.force_indexes = a.force_index;
  options.use_zone_maps = !a.no_zone_maps;
  if (!a.memory_limit.empty()) {
    // The limit is the whole process's: the scan gets what code and libraries leave.
    OC_ASSIGN_OR_RETURN(uint64_t limit, ParseSize(a.memory_limit));
    OC_ASSIGN_OR_RETURN(options.memory_limit, EngineShareOfLimit(limit));
  }
  if (a.count) PrepareCount(*dataset, &options);
  auto made = Scanner::Make(dataset, options);
  if (!made.ok() && made.status().code() == StatusCode::kOutOfMemory && !a.memory_limit.empty()) {
    return Status(StatusCode::kOutOfMemory, made.status().message() + " (--memory-limit " + a.memory_limit +
                                                " leaves the scan " + FormatSize(options.memory_limit) +
                                                " after " + FormatSize(MemoryBudget::kBaselineReserve) +
                                                " for code and libraries)");
  }
  OC_ASSIGN_OR_RETURN(auto scanner, std::move(made));
  if (a.explain) {
    std::fputs(scanner->Explain().c_str(), stdout);
    return Status::OK();
  }
  if (a.count) {
    OC_ASSIGN_OR_RETURN(int64_t rows, scanner->CountRows());
    std::printf("%lld\n", static_cast<long long>(rows));
    return Status::OK();
  }
  const auto& columns = scanner->columns();
  const bool csv = a.format == "csv";
  std::string out, value;
  // Keys of JSON lines are escaped once, not per row.
  std::vector<std::string> json_keys;
  for (size_t c = 0; c < columns.size(); ++c) {
    std::string key = c == 0 ? "{" : ",";
    AppendJsonString(&key, columns[c].name);
    key += ':';
    json_keys.push_back(std::move(key));
  }
  if (csv && !a.no_header) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c) out += delimiter;
      AppendCsvField(&out, columns[c].name, delimiter);
    }
    out += '\n';
  }
  // A string that reads as a missing value ("NA") is quoted, so it stays a string.
  const ValueSpellings spellings;
  const std::atomic<bool>& interrupted = InstallInterruptFlag();
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, scanner->Next(&batch));
    if (!more) break;
    if (interrupted) return Status::Cancelled("interrupted");
    for (int64_t row = 0; row < batch.num_rows; ++row) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const ColumnVector& column = batch.columns[c];
        if (csv) {
          if (c) out += delimiter;
          if (!column.IsValid(row)) continue;
          if (column.type == TypeId::kString) {
            AppendCsvField(&out, column.GetString(row), delimiter, '"', &spellings.na);
          } else {
            AppendValueText(column, row, &out);
          }
        } else {
          out += json_keys[c];
          if (!column.IsValid(row)) {
            out += "null";
          } else if (column.type == TypeId::kString || column.type == TypeId::kDate ||
                     column.type == TypeId::kTimestamp) {
            value.clear();
            AppendValueText(column, row, &value);
            AppendJsonString(&out, value);
          } else if (column.type == TypeId::kFloat64 && !std::isfinite(column.GetFloat64(row))) {
            out += "null";  // JSON has no inf/nan
          } else {
            AppendValueText(column, row, &out);
          }
        }
      }
      out += csv ? "\n" : "}\n";
      if (out.size() >= kFlushBytes) OC_RETURN_IF_ERROR(Flush(&out));
    }
  }
  OC_RETURN_IF_ERROR(Flush(&out));
  std::fflush(stdout);
  return Status::OK();
}

void SetupCat(CLI::App& app) {
  auto args = std::make_shared<CatArgs>();
  CLI::App* cmd = app.add_subcommand(
      "cat",
      "decode a .oc file (all rows, or those matching --where) to CSV or JSON lines on standard output");
  cmd->footer(
      "Values come out as they went in: strings byte for byte, integers exactly, floats bit\n"
      "for bit (shortest round-trip form). Nulls are empty fields (CSV) or null (JSON).\n"
      "\n"
      "Examples:\n"
      "  outcore cat sample.oc --limit 5\n"
      "  outcore cat sample.oc --columns id,topic,price --format jsonl > rows.jsonl\n"
      "  outcore cat sample.oc --where \"topic == 'food' and price > 100\" --columns id,price\n"
      "  outcore cat sample.oc --where \"passage contains 'ice cream'\" --count\n"
      "  outcore cat sample.oc --where \"day between '2020-01-01' and '2020-01-31'\" --explain\n"
      "\n"
      "--where takes ==, !=, <, <=, >, >=, in (...), between .. and .., is [not] null,\n"
      "contains 'words', joined by and, or, not and parentheses (doc/query.md). Indexes\n"
      "built with `ingest --index` / `outcore index` and per-chunk min/max are used when\n"
      "they help (a value index larger than a quarter of what it could save is not read;\n"
      "--explain says so); the rows are the same either way.\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts (read as one table)")->required();
  cmd->add_option("--columns", args->columns, "comma-separated columns to print (default: all)");
  cmd->add_option("--limit", args->limit, "print at most N rows")->check(CLI::Range(int64_t(0), INT64_MAX));
  cmd->add_option("--format", args->format, "csv or jsonl")->capture_default_str();
  cmd->add_flag("--no-header", args->no_header, "CSV without the header line");
  cmd->add_option("--delimiter", args->delimiter, "CSV delimiter (one character or 'tab')")
      ->capture_default_str();
  cmd->add_option("--where", args->where,
                  "only rows for which this predicate is true, e.g. \"topic == 'food'\"")
      ->each([args](const std::string&) { args->where_given = true; });
  cmd->add_flag("--explain", args->explain, "print which chunks --where reads and why, instead of the rows");
  cmd->add_flag("--count", args->count, "print the number of matching rows instead of the rows");
  cmd->add_flag("--no-index", args->no_index, "answer --where without value/token indexes");
  cmd->add_flag("--force-index", args->force_index,
                "read every index --where can use, even one that costs more to read than it saves");
  cmd->add_flag("--no-zone-maps", args->no_zone_maps,
                "answer --where without skipping chunks by their min/max");
  cmd->add_option("--memory-limit", args->memory_limit,
                  "peak memory of the whole command, e.g. 256MiB (at least 64MiB); a file whose chunks need "
                  "more is refused up front");
  cmd->add_option("--batch-rows", args->batch_rows, "rows decoded at a time")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 30));
  cmd->callback([args] {
    Status status = RunCat(*args);
    if (!status.ok()) ReportError("cat", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(40, outcore::cli::SetupCat);
