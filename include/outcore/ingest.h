// Ingest: CSV files (plain, .gz or .zst; UTF-8, UTF-16/32 by their byte order
// mark, or the `encoding` named; LF, CRLF or CR line endings) become one
// compressed, chunked .oc file, inside a memory budget. Rows that do not fit the schema, and
// rows that fail a declared rule (RowRules), are rejected with their line number and reason,
// never dropped silently: rows read = kept + rejected. The output is written atomically.
//
// Start here for the C++ API:
//
//   outcore::IngestOptions options;
//   options.inputs = {"sample.csv"};
//   options.output = "sample.oc";
//   options.memory_limit = *outcore::ParseSize("256MiB");
//   options.reject_path = "rejects.csv";
//   auto report = outcore::Ingest(options);
//   if (!report.ok()) { std::cerr << report.status().ToString(); }
//
// Thread-safety: Ingest() runs its own threads; concurrent calls on different
// outputs are independent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "outcore/dataset_info.h"  // RuleInfo
#include "outcore/lossy.h"
#include "outcore/status.h"
#include "outcore/types.h"

struct ArrowArrayStream;  // outcore/arrow_abi.h

namespace outcore {

enum class OnError { kReject, kFail };

// When rejected rows make the whole ingest fail (`--max-rejects`). Checked in
// block order: a count trips as soon as it is passed; a share of the rows
// read, and the default, once the input is read. When it trips, Ingest
// returns a DataError, nothing is written to (or replaced at) the output, and
// the rejects file is still written, with the rows rejected so far.
struct RejectLimit {
  enum class Kind {
    kEveryRow,  // default: fail only when every row read was rejected (and there was one)
    kCount,     // fail when more than `count` rows are rejected ("--max-rejects 1000")
    kShare,     // fail when more than `percent` % of the rows read are rejected ("1%")
  };
  Kind kind = Kind::kEveryRow;
  uint64_t count = 0;
  double percent = 0;
};

struct IngestProgress {
  uint64_t input_bytes_done = 0;   // bytes consumed from the input files (compressed bytes for .gz/.zst)
  uint64_t input_bytes_total = 0;  // sum of the input file sizes (0 when unknown, e.g. stdin)
  uint64_t rows_read = 0;
  uint64_t rows_rejected = 0;
  double seconds = 0;
  uint64_t rss = 0;
};

// Declared row rules (README, "Rules"; doc/architecture.md, "Row rules"):
// checked by the workers on every row that parsed, in this order — require,
// range, allowed, drop-where, then dedupe on the rows left. A row that fails
// one is rejected with reason "rule" and the rule's text as the detail
// ("range price=0..10000"), counted per rule in the report and the file's
// footer. A rule naming a column the input lacks, a range on a string
// column, or a bound or value that is not of the column's type is refused
// before anything is written.
struct RowRules {
  std::vector<std::string> require;  // null or empty (a string "") at any of these: rejected
  // column -> "low..high", inclusive, either end open ("..0", "1.."), in the
  // column's own text form ("2020-01-01..2020-12-31"); int64, float64, date
  // and timestamp columns. A null passes (require is for nulls).
  std::vector<std::pair<std::string, std::string>> ranges;
  // column -> the values it may hold (a null passes); not bool columns.
  std::vector<std::pair<std::string, std::vector<std::string>>> allowed;
  std::string drop_where;  // a predicate (doc/query.md): rows where it is true are rejected
  // Key columns: a row whose key (nulls equal) an earlier row had is
  // rejected; the first in input order is kept. The exact set of keys seen
  // must fit its share of the budget (MemoryPlan::dedupe_bytes), else the
  // ingest fails, naming the --memory-limit to try.
  std::vector<std::string> dedupe;
  bool empty() const {
    return require.empty() && ranges.empty() && allowed.empty() && drop_where.empty() && dedupe.empty();
  }
};

struct IngestOptions {
  std::vector<std::string> inputs;  // same columns in each; "-" is standard input
  std::string output;
  uint64_t memory_limit = 0;      // bytes; 0 = planned from the work (doc/architecture.md)
  int threads = 0;                // 0 = every core
  std::optional<char> delimiter;  // unset: detected from the first file
  char quote = '"';
  bool header = true;
  // Text encoding: "" detects (a byte order mark: UTF-8, UTF-16LE/BE, UTF-32;
  // else UTF-8); or latin-1, cp1252, utf-16, utf-16le, ... (any iconv name),
  // transcoded to UTF-8 while streaming. A BOM always wins.
  std::string encoding;
  // Spellings of a missing value. Empty: in typed columns "", NA, N/A, NULL,
  // null, NaN, nan, None; in string columns only an empty unquoted field (so
  // "NA", Namibia's code, stays text). Given: the list applies to every
  // column (in string columns to unquoted fields only).
  std::vector<std::string> na_values;
  std::vector<std::string> true_values;                // empty: true, True, TRUE
  std::vector<std::string> false_values;               // empty: false, False, FALSE
  std::vector<std::pair<std::string, TypeId>> schema;  // overrides inferred types by column name
  std::string reject_path;                             // empty: rejects are counted, not written
  OnError on_error = OnError::kReject;                 // kFail: stop at the first bad row (no rejects file)
  RejectLimit max_rejects;                             // see RejectLimit; not with on_error = kFail
  std::string compression = "zstd";                    // zstd, lz4 or none
  int compression_level = 1;                           // zstd 1: a third less CPU than 3 for ~4% larger files
  uint64_t block_bytes = 0;                            // 0: derived from the budget (tests set it small)
  std::vector<std::string> index_columns;              // value index per column: value -> rows (doc/query.md)
  std::vector<std::string> token_index_columns;        // token index per string column: word -> rows
  RowRules rules;                                      // declared row rules (see RowRules)
  // How a file spells its header and values, past the delimiter and quote (README, "Ingest"):
  uint64_t skip_rows = 0;       // physical lines dropped before the header (title lines), in every file
  std::optional<char> comment;  // lines starting with it are skipped (not rows) and counted
  bool pad_short_rows = false;  // a row missing trailing fields gets nulls there instead of a reject
  char decimal = '.';           // ',' reads 1,5 as 1.5 (the delimiter then cannot be ',')
  // Makes the next byte literal, in quotes or not (\" \, \\), as Python's csv
  // escapechar (Dialect::escape); unset: quotes inside quotes are doubled.
  std::optional<char> escape;
  char thousands = '\0';  // ',' reads "1,338" as 1338 (groups of three digits); '\0': none
  int space_aligned = 0;  // 1: fields split at runs of spaces; 2: at runs of 2+ spaces
  // Lossy stored forms by column (outcore/lossy.h, ParseLossyForms); empty:
  // every column exact. A named column the input lacks, or a form its type
  // cannot take, is refused before anything is written.
  LossyForms lossy;
  std::function<void(const IngestProgress&)> progress;  // called from the pipeline, at most ~4 times a second
  const std::atomic<bool>* cancel = nullptr;            // set to stop (Ctrl-C): nothing is left behind
};

struct IngestColumnReport {
  std::string name;
  TypeId type = TypeId::kString;
  bool inferred = true;   // false when --schema set it
  std::string encodings;  // e.g. "dictionary", "for-bitpack", "decimal", "plain+dictionary"
  uint64_t stored_bytes = 0;
  uint64_t null_count = 0;
  uint64_t sample_mismatches = 0;  // values in the inference sample that did not parse as `type`
  std::string mismatch_example;
  // Why an inferred type is not the obvious one (doc/inference.md), e.g.
  // "kept as string: '02134' would lose its leading zero as int64", or
  // "widened from int64 to string after the sample: line 81234 of a.csv:
  // '300389460z' is a code (letters and digits), not a number; the input was
  // read again". Empty otherwise.
  std::string type_note;
};

// Rejected rows of one column (empty: the whole row, e.g. a wrong field count)
// for one reason, with the first one's detail ("'12,50' is not a float64").
struct IngestRejectGroup {
  std::string column;
  TypeId type = TypeId::kString;  // the column's type (when `column` is set)
  std::string reason;             // RejectReasonName: "unparsable", "field_count", ...
  uint64_t count = 0;
  uint64_t first_line = 0;
  std::string example;
};

// A header name ingest had to change to make the names unique and non-empty.
struct IngestRename {
  uint64_t position = 0;  // 1-based column position
  std::string from;       // as the header spells it ("" for an empty name)
  std::string to;         // the column's name in the file: "a.1", "column_3"
};

struct IngestIndexReport {
  std::string column;
  std::string kind;    // "value" or "token"
  bool built = false;  // false: it did not fit; `note` says why, the file has no such index
  uint64_t keys = 0;   // distinct values or tokens
  uint64_t stored_bytes = 0;
  std::string note;
};

// How ingest divides its memory limit (doc/architecture.md, "Memory
// planning"): planned once, before the first byte is read, from the limit, the
// thread count and the indexes asked for — never from the input.
struct MemoryPlan {
  uint64_t memory_limit = 0;
  uint64_t baseline_reserve = 0;    // code, libraries, stacks, allocator slack: not the engine's
  uint64_t dictionary_bytes = 0;    // dictionaries of all string columns, split evenly between them
  uint64_t index_pool_bytes = 0;    // the indexes being built share it; 0 without indexes
  uint64_t dedupe_bytes = 0;        // the exact set of --dedupe keys may hold this; 0 without
  uint64_t column_state_bytes = 0;  // what every column's state takes, once and per worker
  uint64_t block_share_bytes = 0;   // what the blocks in flight may hold together
  uint64_t block_bytes = 0;         // CSV bytes per block (a chunk's rows come from one block)
  uint64_t max_record_bytes = 0;    // a block grows to this for one long record, no further
  int blocks_in_flight = 0;         // threads + 2: one reading, one queued per worker, one writing
  int threads = 0;                  // workers (fewer than asked when the budget cannot feed them)
  size_t columns = 0;               // the columns it was planned for (0: before the header)
  double bytes_per_field = 0;       // the sample's input bytes per field it was planned with (0: unknown)
};

struct IngestReport {
  uint64_t rows_read = 0;
  uint64_t rows_kept = 0;
  uint64_t rows_rejected = 0;
  std::vector<std::pair<std::string, uint64_t>> rejected_by_reason;  // only reasons that occurred
  std::vector<IngestRejectGroup> rejects_by_column;                  // most rows first
  // Set when more than 1% of the rows were rejected (or the limit tripped):
  // which columns, why, and the --schema override to try (DescribeRejects).
  std::string reject_warning;
  bool reject_limit_exceeded = false;  // Ingest failed because of max_rejects
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  uint64_t chunks = 0;
  double seconds = 0;
  uint64_t peak_rss = 0;  // VmHWM of this process at the end
  uint64_t memory_limit = 0;
  bool memory_limit_planned = false;  // no limit was given: this one was planned from the work
  uint64_t budget_peak = 0;           // most bytes charged to the budget at once
  uint64_t block_bytes = 0;
  int threads = 0;
  std::string source = "csv";  // what was read: "csv", or "arrow" (IngestArrowStream)
  // CSV only (their defaults for an Arrow stream):
  char delimiter = ',';
  std::string encoding;     // of the first input, e.g. "utf-8", "utf-16le (byte order mark)", "cp1252"
  std::string line_ending;  // of the first input: "LF", "CRLF" or "CR" (by its first line end)
  int space_aligned = 0;    // as IngestOptions::space_aligned, detected or given
  char escape = '\0';       // IngestOptions::escape, '\0' when none
  char thousands = '\0';    // IngestOptions::thousands, '\0' when none
  std::vector<IngestRename> renamed_columns;  // header names made unique or non-empty
  uint64_t lines_skipped = 0;                 // --skip-rows lines dropped, all files
  uint64_t comment_lines = 0;                 // --comment lines skipped, all files
  uint64_t rows_padded = 0;                   // kept rows that --pad-short-rows completed with nulls
  std::vector<IngestColumnReport> columns;
  std::vector<IngestIndexReport> indexes;
  std::vector<RuleInfo> rules;           // each declared rule and its rows, in the order they are checked
  uint64_t dedupe_keys = 0;              // distinct keys the --dedupe set held at the end
  std::vector<LossyColumnReport> lossy;  // one per IngestOptions::lossy column, in that order
  MemoryPlan memory_plan;
};

Result<IngestReport> Ingest(const IngestOptions& options);
// The same, with the report filled in also when the reject limit stops the
// ingest (then `report->reject_limit_exceeded` and a DataError): the counts
// and rejects_by_column of the rows read until it stopped.
Status Ingest(const IngestOptions& options, IngestReport* report);

// Arrow in: the rows of an Arrow C stream (outcore/arrow_abi.h) — from
// pyarrow, Polars, DuckDB, a Parquet or Arrow IPC reader — become one .oc
// file through the same encoders, indexes, rejects, report and atomic commit
// as a CSV ingest. The stream is taken (moved from; released when done). The
// column types map as doc/arrow.md ("Arrow in") says; a type with no exact
// outcore form is refused before anything is written, naming the column.
// A value with no exact form (a uint64 past int64's range) rejects its row,
// with the row number (1-based, in stream order) as its "line". `options`
// as for Ingest, less the CSV ones (inputs, delimiter, quote, header,
// encoding, na/true/false values, skip_rows, comment, pad_short_rows,
// decimal, space_aligned: refused with a message); `schema` changes a
// column's type where the cast is exact (doc/arrow.md), rejecting the rows
// whose value has no exact form.
//
//   ArrowArrayStream stream;            // filled by the producer
//   outcore::IngestOptions options;
//   options.output = "out.oc";
//   options.memory_limit = 256 << 20;
//   auto report = outcore::IngestArrowStream(&stream, options);   // report->source == "arrow"
Result<IngestReport> IngestArrowStream(struct ::ArrowArrayStream* stream, const IngestOptions& options);
// The same, with the report filled in also when the reject limit stops it.
Status IngestArrowStream(struct ::ArrowArrayStream* stream, const IngestOptions& options,
                         IngestReport* report);

// "price: 9,812 rows unparsable, e.g. line 7: '12,50' is not a float64 — try
// --schema price:string", one line per group (most rows first, at most
// `max_lines`, then "... and N more").
std::string DescribeRejects(const IngestReport& report, size_t max_lines = 5);

// `report` as one JSON object: what `outcore ingest --json` prints, less
// the command's own context (inputs, output, reject_file, error), and what
// oc.ingest() returns (json.loads of it). Keys: rows_read, rows_kept,
// rows_rejected, rejected_by_reason, rejects_by_column (column, null for a
// row-level reason; reason, rows, first_line, example), warning (null when
// none), rules, dedupe_keys, input_bytes, output_bytes, ratio (input /
// output bytes), seconds, mb_per_s, peak_rss, memory_limit,
// memory_limit_planned, budget_peak, block_bytes, threads, memory_plan (the
// MemoryPlan's fields), chunks, source, delimiter, encoding, line_ending,
// escape, thousands ("" for none), lines_skipped, comment_lines,
// rows_padded, renamed_columns (position, from, to), columns (name, type,
// inferred, encodings, stored_bytes, null_count, sample_mismatches,
// type_note), indexes (as IndexReportsJson) and lossy. Bytes that are not
// UTF-8 (a header, a reject's example) come out as the text \xNN, as
// Python's "backslashreplace" decodes them.
//   std::printf("%s\n", outcore::IngestReportJson(*report).c_str());
std::string IngestReportJson(const IngestReport& report);
// Index reports (IngestReport::indexes, AddIndexes) as a JSON array:
// [{"column", "kind", "built", "keys", "stored_bytes", "note"}, ...]. oc.index()
// returns json.loads of it.
std::string IndexReportsJson(const std::vector<IngestIndexReport>& reports);

// Adding indexes to an existing .oc file (`outcore index`): the named columns
// are scanned, their indexes built inside the budget, and the file rewritten
// atomically with every block copied byte for byte plus the new index blocks
// (an index of the same kind on the same column is replaced). A failure or
// Ctrl-C leaves the file as it was.
//
//   outcore::AddIndexOptions options;
//   options.columns = {"topic"};
//   options.token_columns = {"passage"};
//   auto built = outcore::AddIndexes("sample.oc", options);
// How far AddIndexes has come, for a progress line: first the scan of the
// indexed columns builds the indexes (stage "indexing", a chunk at a time),
// then every chunk of the file is copied to the new file (stage "writing").
struct AddIndexProgress {
  const char* stage = "indexing";  // "indexing", then "writing"
  uint64_t chunks_done = 0;        // of this stage
  uint64_t chunks_total = 0;
  uint64_t rows_done = 0;  // rows indexed so far (all of them while writing)
  uint64_t rows_total = 0;
  double seconds = 0;  // since AddIndexes began
  uint64_t rss = 0;
};

struct AddIndexOptions {
  std::vector<std::string> columns;        // value indexes
  std::vector<std::string> token_columns;  // token indexes (string columns)
  std::string output;                      // empty: replace the input file
  uint64_t memory_limit = 0;               // 0: DefaultMemoryLimit()
  const std::atomic<bool>* cancel = nullptr;
  // In place, the file is locked (flock) from the first read until the new
  // file replaces it. While another process holds the lock: wait, telling
  // `lock_waiting` once; with no_wait, fail at once.
  bool no_wait = false;
  std::function<void(const std::string& message)> lock_waiting;
  // Called on the calling thread at most ~4 times a second, and once at the
  // end of each stage.
  std::function<void(const AddIndexProgress&)> progress;
};

// One report per requested index; one that did not fit has built = false and
// a note, and the others are still written.
Result<std::vector<IngestIndexReport>> AddIndexes(const std::string& path, const AddIndexOptions& options);

}  // namespace outcore
