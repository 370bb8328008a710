// Ingest: CSV files (plain, .gz or .zst) become one compressed, chunked .oc
// file, inside a memory budget. Rows that do not fit the schema are rejected
// with their line number and reason, never dropped silently: rows read =
// kept + rejected. The output is written atomically.
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

#include "outcore/status.h"
#include "outcore/types.h"

namespace outcore {

enum class OnError { kReject, kFail };

struct IngestProgress {
  uint64_t input_bytes_done = 0;   // bytes consumed from the input files (compressed bytes for .gz/.zst)
  uint64_t input_bytes_total = 0;  // sum of the input file sizes (0 when unknown, e.g. stdin)
  uint64_t rows_read = 0;
  uint64_t rows_rejected = 0;
  double seconds = 0;
  uint64_t rss = 0;
};

struct IngestOptions {
  std::vector<std::string> inputs;  // same columns in each; "-" is standard input
  std::string output;
  uint64_t memory_limit = 0;      // bytes; 0 = DefaultMemoryLimit()
  int threads = 0;                // 0 = every core
  std::optional<char> delimiter;  // unset: detected from the first file
  char quote = '"';
  bool header = true;
  // Spellings of a missing value. Empty: in typed columns "", NA, N/A, NULL,
  // null, NaN, nan, None; in string columns only an empty unquoted field (so
  // "NA", Namibia's code, stays text). Given: the list applies to every
  // column (in string columns to unquoted fields only).
  std::vector<std::string> na_values;
  std::vector<std::string> true_values;                // empty: true, True, TRUE
  std::vector<std::string> false_values;               // empty: false, False, FALSE
  std::vector<std::pair<std::string, TypeId>> schema;  // overrides inferred types by column name
  std::string reject_path;                             // empty: rejects are counted, not written
  OnError on_error = OnError::kReject;
  std::string compression = "zstd";              // zstd, lz4 or none
  int compression_level = 1;                     // zstd 1: a third less CPU than 3 for ~4% larger files
  uint64_t block_bytes = 0;                      // 0: derived from the budget (tests set it small)
  std::vector<std::string> index_columns;        // value index per column: value -> rows (doc/query.md)
  std::vector<std::string> token_index_columns;  // token index per string column: word -> rows
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
  uint64_t baseline_reserve = 0;   // code, libraries, stacks, allocator slack: not the engine's
  uint64_t dictionary_bytes = 0;   // dictionaries of all string columns, split evenly between them
  uint64_t index_pool_bytes = 0;   // the indexes being built share it; 0 without indexes
  uint64_t block_share_bytes = 0;  // what the blocks in flight may hold together
  uint64_t block_bytes = 0;        // CSV bytes per block (a chunk's rows come from one block)
  uint64_t max_record_bytes = 0;   // a block grows to this for one long record, no further
  int blocks_in_flight = 0;        // threads + 2: one reading, one queued per worker, one writing
  int threads = 0;                 // workers (fewer than asked when the budget cannot feed them)
};

struct IngestReport {
  uint64_t rows_read = 0;
  uint64_t rows_kept = 0;
  uint64_t rows_rejected = 0;
  std::vector<std::pair<std::string, uint64_t>> rejected_by_reason;  // only reasons that occurred
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  uint64_t chunks = 0;
  double seconds = 0;
  uint64_t peak_rss = 0;  // VmHWM of this process at the end
  uint64_t memory_limit = 0;
  uint64_t budget_peak = 0;  // most bytes charged to the budget at once
  uint64_t block_bytes = 0;
  int threads = 0;
  char delimiter = ',';
  std::vector<IngestColumnReport> columns;
  std::vector<IngestIndexReport> indexes;
  MemoryPlan memory_plan;
};

Result<IngestReport> Ingest(const IngestOptions& options);

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
struct AddIndexOptions {
  std::vector<std::string> columns;        // value indexes
  std::vector<std::string> token_columns;  // token indexes (string columns)
  std::string output;                      // empty: replace the input file
  uint64_t memory_limit = 0;               // 0: DefaultMemoryLimit()
  const std::atomic<bool>* cancel = nullptr;
};

// One report per requested index; one that did not fit has built = false and
// a note, and the others are still written.
Result<std::vector<IngestIndexReport>> AddIndexes(const std::string& path, const AddIndexOptions& options);

}  // namespace outcore
