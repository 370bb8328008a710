// `outcore ingest`: CSV files -> one .oc file, inside a memory budget.
#include "outcore/ingest.h"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "base/json.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "ingest/report_json.h"
#include "outcore/memory.h"
#include "outcore/options.h"
#include "outcore/parts.h"

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
  std::string encoding;
  std::string na;
  bool na_given = false;
  std::string true_values, false_values;
  std::string schema;
  std::string reject;
  std::string on_error = "reject";
  std::string max_rejects;
  std::string compression = "zstd";
  int level = 1;
  std::string block_size;
  std::string index, index_tokens;
  bool json = false;
  bool quiet = false;
  bool progress = false;
  uint64_t skip_rows = 0;
  std::string comment;
  bool pad_short_rows = false;
  std::string decimal = ".";
  std::string escape;
  std::string thousands;
  // Row rules (RowRules).
  std::vector<std::string> require, ranges, allowed;
  std::string drop_where, dedupe;
  std::string lossy;
  bool parts = false;   // one part per input into the folder -o, then its manifest
  bool append = false;  // add parts to the data set of parts at -o
};

Status BuildOptions(const IngestArgs& a, IngestOptions* o) {
  o->inputs = a.inputs;
  o->output = a.output;
  if (!a.memory_limit.empty()) {
    OC_ASSIGN_OR_RETURN(o->memory_limit, ParseSize(a.memory_limit));
  }
  o->threads = a.threads;
  if (!a.delimiter.empty()) OC_RETURN_IF_ERROR(ParseIngestDelimiter(a.delimiter, "--delimiter", o));
  if (a.quote.size() != 1)
    return Status::InvalidArgument("--quote takes one character, not '" + a.quote + "'");
  o->quote = a.quote[0];
  o->header = !a.no_header;
  o->encoding = a.encoding;
  if (a.na_given) o->na_values = SplitList(a.na);
  if (!a.true_values.empty()) o->true_values = SplitList(a.true_values);
  if (!a.false_values.empty()) o->false_values = SplitList(a.false_values);
  if (!a.schema.empty()) {
    OC_ASSIGN_OR_RETURN(o->schema, ParseSchema(a.schema, "--schema"));
  }
  o->reject_path = a.reject;
  OC_ASSIGN_OR_RETURN(o->on_error, ParseOnError(a.on_error, "--on-error"));
  if (!a.max_rejects.empty()) {
    OC_ASSIGN_OR_RETURN(o->max_rejects, ParseRejectLimit(a.max_rejects, "--max-rejects"));
  }
  o->compression = a.compression;
  o->compression_level = a.level;
  if (!a.block_size.empty()) {
    OC_ASSIGN_OR_RETURN(o->block_bytes, ParseSize(a.block_size));
  }
  if (!a.index.empty()) o->index_columns = SplitList(a.index);
  if (!a.index_tokens.empty()) o->token_index_columns = SplitList(a.index_tokens);
  o->skip_rows = a.skip_rows;
  if (!a.comment.empty()) {
    OC_ASSIGN_OR_RETURN(o->comment, ParseOneChar(a.comment, "--comment"));
  }
  o->pad_short_rows = a.pad_short_rows;
  OC_ASSIGN_OR_RETURN(o->decimal, ParseOneChar(a.decimal, "--decimal"));
  if (!a.escape.empty()) {
    OC_ASSIGN_OR_RETURN(o->escape, ParseOneChar(a.escape, "--escape"));
  }
  if (!a.thousands.empty()) {
    OC_ASSIGN_OR_RETURN(o->thousands, ParseOneChar(a.thousands, "--thousands"));
  }
  for (const std::string& text : a.require)
    OC_RETURN_IF_ERROR(ParseRequireRule(text, "--require", &o->rules));
  for (const std::string& text : a.ranges) OC_RETURN_IF_ERROR(ParseRangeRule(text, "--range", &o->rules));
  for (const std::string& text : a.allowed)
    OC_RETURN_IF_ERROR(ParseAllowedRule(text, "--allowed", &o->rules));
  o->rules.drop_where = a.drop_where;
  if (!a.dedupe.empty()) OC_RETURN_IF_ERROR(ParseDedupeRule(a.dedupe, "--dedupe", &o->rules));
  if (!a.lossy.empty()) {
    OC_ASSIGN_OR_RETURN(o->lossy, ParseLossyForms(a.lossy, "--lossy"));
  }
  return Status::OK();
}

std::string DescribeProgress(const IngestProgress& p) {
  char line[200];
  double rate = p.seconds > 0 ? double(p.input_bytes_done) / p.seconds / 1e6 : 0;
  if (p.input_bytes_total > 0) {
    double pct = 100.0 * double(p.input_bytes_done) / double(p.input_bytes_total);
    std::snprintf(line, sizeof line, "  %s / %s (%3.0f%%)  %s rows  %.0f MB/s  RSS %s",
                  FormatSize(p.input_bytes_done).c_str(), FormatSize(p.input_bytes_total).c_str(),
                  pct > 100 ? 100 : pct, Thousands(p.rows_read).c_str(), rate, FormatSize(p.rss).c_str());
  } else {
    std::snprintf(line, sizeof line, "  %s  %s rows  %.0f MB/s  RSS %s",
                  FormatSize(p.input_bytes_done).c_str(), Thousands(p.rows_read).c_str(), rate,
                  FormatSize(p.rss).c_str());
  }
  return line;
}

std::string DelimiterName(const IngestReport& r) { return IngestDelimiterName(r.delimiter, r.space_aligned); }

// What ingest changed or left out of the file's own spelling: renamed
// header names, --skip-rows / --comment lines, padded rows.
void PrintDialectNotes(const IngestReport& r) {
  if (r.rows_padded) {
    std::printf("  rows padded    %15s   (missing trailing fields set to null: --pad-short-rows)\n",
                Thousands(r.rows_padded).c_str());
  }
  if (r.lines_skipped) {
    std::printf("  lines skipped  %15s   (--skip-rows)\n", Thousands(r.lines_skipped).c_str());
  }
  if (r.comment_lines) {
    std::printf("  comment lines  %15s   (--comment)\n", Thousands(r.comment_lines).c_str());
  }
  if (r.space_aligned)
    std::printf("  delimiter      %15s   (space-aligned columns)\n", DelimiterName(r).c_str());
  if (r.escape) std::printf("  escape         %15c   (--escape: the next character is literal)\n", r.escape);
  if (r.thousands) std::printf("  thousands      %15c   (--thousands)\n", r.thousands);
  if (!r.renamed_columns.empty()) {
    std::string renames;
    for (const IngestRename& rename : r.renamed_columns) {
      renames += (renames.empty() ? "" : ", ") + std::string("'") + rename.from + "' -> " + rename.to +
                 " (column " + std::to_string(rename.position) + ")";
    }
    std::printf("  renamed        %s\n", renames.c_str());
  }
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
  PrintRules(r.rules);
  if (r.dedupe_keys) {
    std::printf("  dedupe keys    %15s   (distinct keys, held exactly in a share of %s)\n",
                Thousands(r.dedupe_keys).c_str(), FormatSize(r.memory_plan.dedupe_bytes).c_str());
  }
  PrintDialectNotes(r);
  double ratio = r.output_bytes ? double(r.input_bytes) / double(r.output_bytes) : 0;
  std::printf("  input          %15s   output %s   ratio %.2fx\n", FormatSize(r.input_bytes).c_str(),
              FormatSize(r.output_bytes).c_str(), ratio);
  std::printf("  time           %13.2f s   %s   %d threads, %s chunks\n", r.seconds,
              Rate(double(r.input_bytes), r.seconds).c_str(), r.threads, Thousands(r.chunks).c_str());
  std::printf("  text           %15s   %s line endings\n", r.encoding.c_str(), r.line_ending.c_str());
  std::printf("  peak RSS       %15s   of %s budget (%s)%s\n", FormatSize(r.peak_rss).c_str(),
              FormatSize(r.memory_limit).c_str(), r.peak_rss <= r.memory_limit ? "within" : "OVER",
              r.memory_limit_planned ? ", planned from the work (--memory-limit sets it)" : "");
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
  PrintLossy(r.lossy, "  ");
}

// The report as oc.ingest() keys it (ingest/report_json.h), with the
// command's context first: "error" when the reject limit stopped the ingest
// (nothing was written), the inputs, the output and the rejects file (null
// without --reject).
template <typename Report>
void PrintJson(const IngestArgs& a, const Report& report, const Status& error) {
  JsonWriter j;
  j.BeginObject();
  if (!error.ok()) j.Key("error").String(error.message());
  j.Key("inputs").BeginArray();
  for (const auto& in : a.inputs) j.String(in);
  j.EndArray();
  j.Key("output").String(a.output);
  j.Key("reject_file").StringOrNull(a.reject);
  WriteIngestReportMembers(&j, report);
  j.EndObject();
  std::printf("%s\n", j.str().c_str());
}

// The parts an ingest with --parts or --append wrote, a line each, after the merged report.
void PrintParts(const PartsIngestReport& r) {
  std::printf("  parts          %15s   written (%s before)\n", Thousands(r.parts.size()).c_str(),
              Thousands(r.parts_before).c_str());
  for (const PartIngestLine& part : r.parts) {
    std::printf("    %-16s %s: read %s, kept %s, rejected %s",
                part.part.empty() ? "(no part)" : part.part.c_str(), part.input.c_str(),
                Thousands(part.rows_read).c_str(), Thousands(part.rows_kept).c_str(),
                Thousands(part.rows_rejected).c_str());
    if (part.rows_rejected && !part.reject_path.empty()) std::printf(" -> %s", part.reject_path.c_str());
    std::printf("\n");
  }
}

// `outcore ingest ... --parts / --append`: one part per input (IngestParts).
void RunIngestParts(const IngestArgs& args, const IngestOptions& options, ProgressLine* line) {
  PartsIngestReport report;
  Status status = IngestParts(options, args.append, &report);
  line->Clear();
  if (!status.ok()) {
    std::fprintf(stderr, "outcore ingest: %s\n", status.ToString().c_str());
    SetExitCode(ExitCodeFor(status));
    return;
  }
  if (!report.total.reject_warning.empty())
    std::fprintf(stderr, "outcore ingest: warning: %s", report.total.reject_warning.c_str());
  if (args.json) {
    PrintJson(args, report, Status::OK());
  } else {
    PrintText(args, report.total);
    PrintParts(report);
  }
}

void SetupIngest(CLI::App& app) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "CSV files (plain, .gz, .zst, .bz2, .xz, .zip) -> one compressed, chunked .oc file");
  cmd->footer(
      "Rows that do not fit the schema (wrong field count, unparsable value, invalid UTF-8,\n"
      "broken quotes) are rejected, never dropped silently: rows read = kept + rejected.\n"
      "The output is written atomically; Ctrl-C or an error leaves no file behind.\n"
      "Inferred types lose nothing: leading zeros (02134), codes (300389460z) and ids past\n"
      "int64 keep a column text, and NA/None in a text column are text (doc/inference.md).\n"
      "\n"
      "Text: a byte order mark picks UTF-8, UTF-16 or UTF-32; other files are UTF-8 unless\n"
      "--encoding names theirs (transcoded to UTF-8 while reading). Line endings LF, CRLF\n"
      "and CR (old Mac/Excel) are detected per file.\n"
      "\n"
      "Compression is recognised by the first bytes, not the name: gzip, zstd, bzip2, xz,\n"
      "and a zip holding one file. Parquet, Arrow/Feather, .oc, Excel (.xls, .xlsx), tar\n"
      "and JSON inputs are refused with a hint on converting them to CSV.\n"
      "\n"
      "When rejects pass --max-rejects (by default: when every row is rejected) ingest fails:\n"
      "no output is written (an existing one is kept) and --reject still gets the rejected rows.\n"
      "More than 1% rejected earns a warning naming the columns, the reasons and what to try:\n"
      "  warning: 9,812 rows of 10,000 (98.1%) were rejected:\n"
      "    price: 9,812 rows unparsable, e.g. line 2: '12,50' is not a float64 \u2014 try --schema "
      "price:string\n"
      "\n"
      "Examples:\n"
      "  outcore ingest sample.csv -o sample.oc --memory-limit 256MiB --reject rejects.csv\n"
      "  outcore ingest part-*.csv.gz -o all.oc --schema id:int64,zip:string\n"
      "  outcore ingest export.zip -o export.oc          # a zip holding one CSV file\n"
      "  outcore ingest data.tsv -o data.oc --delimiter tab --na NA,-,'' --on-error fail\n"
      "  outcore ingest sample.csv -o sample.oc --index topic,day --index-tokens passage\n"
      "  outcore ingest old-excel-export.csv -o export.oc --encoding cp1252\n"
      "  outcore ingest export.csv -o export.oc --max-rejects 1% --reject rejects.csv\n"
      "  outcore ingest destatis.csv -o d.oc --skip-rows 6 --delimiter ';' --decimal ,\n"
      "  outcore ingest debian.csv -o debian.oc --pad-short-rows --comment '#'\n"
      "  outcore ingest mysql-dump.csv -o dump.oc --escape '\\'      # \\\" inside quotes is a quote\n"
      "  outcore ingest counts.csv -o counts.oc --thousands ,       # \"1,338\" is 1338\n"
      "  outcore ingest sample.csv -o sample.oc --lossy score=float32,price=quantize:0.01\n"
      "  outcore ingest 'logs/*.csv.gz' -o logs.ocd/ --parts     # a folder: one part per input\n"
      "  outcore ingest logs/2024-03.csv.gz -o logs.ocd/ --append  # one more part\n"
      "\n"
      "A data set of parts (--parts) is a folder of .oc files with a manifest, read by every\n"
      "command and oc.open() as one table. Each input becomes a part, written atomically, and\n"
      "the manifest is written last: a failure leaves the folder as it was. Every part must\n"
      "have the same columns, order and types (--schema makes them agree). With --reject each\n"
      "part has its own rejects file (rejects.csv -> rejects.part-00003.csv); --max-rejects\n"
      "applies to each part.\n"
      "\n"
      "Header names are made unique as pandas does (a, a.1, a.2; an empty third name becomes\n"
      "column_3) and every rename is reported.\n"
      "\n"
      "Row rules throw out garbage that parses: each row that parsed is checked, in this order,\n"
      "against --require, --range, --allowed, --drop-where, then --dedupe; a row failing one is\n"
      "rejected with reason 'rule' and the rule as its detail (in --reject's file), counted per\n"
      "rule in the report and kept in the file's footer (outcore info shows them). Rows read =\n"
      "kept + rejected, always. A rule on an unknown column, a range on a text column or a bound\n"
      "that is not of the column's type stops ingest before anything is written.\n"
      "  outcore ingest sales.csv -o sales.oc --require price,topic --range price=0..10000 \\\n"
      "      --range day=2020-01-01..2020-12-31 --allowed topic=food,fashion,travel \\\n"
      "      --drop-where \"source == 'scraper-7'\" --dedupe id --reject rejects.csv\n");
  cmd->add_option("inputs", args->inputs, "CSV files with the same columns ('-' = standard input)")
      ->required();
  cmd->add_option("-o,--output", args->output, "the .oc file to write")->required();
  cmd->add_option(
      "--memory-limit", args->memory_limit,
      "bound on the whole process, e.g. 256MiB, 2G (default: planned from the work — 4 MiB blocks "
      "for every thread and each column's state, 64MiB..1GiB, more only if the columns need it)");
  cmd->add_option("--threads", args->threads, "worker threads (default: every core)")
      ->check(CLI::Range(0, 1024));
  cmd->add_option("--delimiter", args->delimiter,
                  "field delimiter: one character, 'tab', or 'spaces' / '2spaces' for space-aligned columns "
                  "(any run of blanks / runs of 2+ separate). Default: detected among , tab ; | : and "
                  "space-aligned columns, e.g. --delimiter ';'");
  cmd->add_option("--quote", args->quote, "quote character")->capture_default_str();
  cmd->add_option("--encoding", args->encoding,
                  "text encoding of files without a byte order mark: latin-1, cp1252, utf-16le, "
                  "utf-16be, ... (any iconv name; default UTF-8)");
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
                  "reject: keep going and count (up to --max-rejects); fail: stop at the first bad row, "
                  "naming it (no rejects file)")
      ->capture_default_str();
  cmd->add_option("--max-rejects", args->max_rejects,
                  "fail when more rows are rejected: a count (1000) or a share of the rows read (1%, 0.5%); "
                  "100% never fails (default: fail only when every row is rejected)");
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
  cmd->add_option("--skip-rows", args->skip_rows,
                  "drop this many physical lines before the header (title lines), counted by newline with "
                  "quotes not interpreted; line numbers still count them, e.g. --skip-rows 3");
  cmd->add_option("--comment", args->comment,
                  "skip lines whose first character is this (not rows; counted in the report); inside a "
                  "line it is data, e.g. --comment '#'");
  cmd->add_flag("--pad-short-rows", args->pad_short_rows,
                "a row with fewer fields than the header is kept, its missing trailing fields null "
                "(counted), instead of rejected, e.g. 1,Buzz for a,b,c");
  cmd->add_option("--decimal", args->decimal,
                  "decimal point of float values: '.' or ',' (then 1,5 is 1.5 and the delimiter cannot be "
                  "','), e.g. --decimal ,")
      ->capture_default_str();
  cmd->add_option("--escape", args->escape,
                  "escape character, as Python's csv escapechar: it makes the next character literal, "
                  "inside quotes or not (\\\" a quote, \\, a comma, \\\\ a backslash); default none (a "
                  "quote inside quotes is doubled), e.g. --escape '\\'");
  cmd->add_option(
      "--thousands", args->thousands,
      "thousands separator of int64 and float64 values: \"1,338\" is 1338, \"-1,250.5\" is "
      "-1250.5 (groups of exactly three digits: a row with \"1,23,4\" is rejected, not read as "
      "1234); it may be the delimiter if such numbers are quoted; not the --decimal point; without "
      "it a column of such numbers stays text, e.g. --thousands ,");
  // Repeatable, one value each (so that they never swallow an input path).
  auto repeatable = [cmd](const char* name, std::vector<std::string>* values, const char* help) {
    cmd->add_option(name, *values, help)->allow_extra_args(false);
  };
  repeatable(
      "--require", &args->require,
      "row rule: reject rows that are null or empty at any of these columns, e.g. --require price,topic "
      "(repeatable)");
  repeatable(
      "--range", &args->ranges,
      "row rule: reject rows whose value is outside low..high (inclusive; an end may be open: ..0, 1..), "
      "for int64, float64, date and timestamp columns, bounds written as the column's values are; a "
      "null passes (use --require). One per column, repeatable: --range price=0..10000 --range "
      "day=2020-01-01..2020-12-31");
  repeatable("--allowed", &args->allowed,
             "row rule: reject rows whose value is not one of these (a null passes), e.g. --allowed "
             "topic=food,fashion,travel (repeatable, one per column)");
  cmd->add_option("--drop-where", args->drop_where,
                  "row rule: reject rows where this predicate (the --where language of `outcore cat`, "
                  "doc/query.md) is true, e.g. --drop-where \"source == 'scraper-7' or price < 0\"");
  cmd->add_option("--dedupe", args->dedupe,
                  "row rule: reject a row whose key (these columns; nulls equal) an earlier row had; the "
                  "first in input order is kept. The exact set of keys takes a quarter of the engine's "
                  "budget; when it does not fit, ingest fails naming the --memory-limit to try, e.g. "
                  "--dedupe id or --dedupe user,day");
  cmd->add_option(
      "--lossy", args->lossy,
      "store these columns in a lossy form, as column=form,... (column:form works too): float32 or "
      "float16 (float64 columns), "
      "quantize:STEP (round(x / STEP) kept, read as k * STEP; float64, and int64 with a whole STEP). "
      "A chunk keeps its exact form where a value has no lossy one (float16 past 65504, NaN or inf "
      "for quantize) or the lossy form is not smaller; the report gives each column's max absolute "
      "and relative error and the bytes saved, e.g. --lossy score=float32,price=quantize:0.01");
  cmd->add_flag("--parts", args->parts,
                "-o names a folder: each input becomes a part of its own (a .oc file) in it, plus a "
                "manifest, e.g. -o logs.ocd/ --parts");
  cmd->add_flag(
      "--append", args->append,
      "add the inputs as new parts to the data set of parts at -o (only the manifest is rewritten)");
  cmd->add_flag("--json", args->json, "print the report as JSON");
  cmd->add_flag("-q,--quiet", args->quiet, "no progress line");
  cmd->add_flag("--progress", args->progress,
                "a progress line on stderr even when it is not a terminal (one line per update)");
  cmd->callback([args] {
    IngestOptions options;
    Status status = BuildOptions(*args, &options);
    if (!status.ok()) {
      std::fprintf(stderr, "outcore ingest: %s\n", status.message().c_str());
      SetExitCode(ExitCodeFor(status));
      return;
    }
    options.cancel = &InstallInterruptFlag();
    ProgressLine line(args->quiet, args->progress);
    if (line.enabled())
      options.progress = [&line](const IngestProgress& p) { line.Show(DescribeProgress(p)); };
    if (args->parts || args->append) {
      RunIngestParts(*args, options, &line);
      return;
    }
    IngestReport report;
    status = Ingest(options, &report);
    line.Clear();
    if (!status.ok()) {
      std::fprintf(stderr, "outcore ingest: %s\n", status.ToString().c_str());
      SetExitCode(ExitCodeFor(status));
      if (report.reject_limit_exceeded && args->json) PrintJson(*args, report, status);
      return;
    }
    if (!report.reject_warning.empty())
      std::fprintf(stderr, "outcore ingest: warning: %s", report.reject_warning.c_str());
    if (args->json)
      PrintJson(*args, report, Status::OK());
    else
      PrintText(*args, report);
    if (report.peak_rss > report.memory_limit && kPeakRssIsTheEngines) {
      // The output is whole and correct, but the promise did not hold: say so, and not with exit 0.
      std::fprintf(stderr,
                   "outcore ingest: peak RSS %s passed the %s limit: the output is complete, but this is a "
                   "bug in the memory plan; please report it with the input's shape (columns, rows, bytes)\n",
                   FormatSize(report.peak_rss).c_str(), FormatSize(report.memory_limit).c_str());
      SetExitCode(kExitOverBudget);
    }
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(20, outcore::cli::SetupIngest);
