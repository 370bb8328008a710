// Deterministic synthetic CSV for demos, tests and benchmarks: a realistic
// export (ids, booleans, categories, Zipf words, free text, numbers, dates,
// timestamps) with missing cells and a controlled share of dirty rows whose
// kinds are counted, so that ingest's reject accounting can be checked.
//
// Output is cut into blocks of a fixed number of rows; each block's randomness
// is seeded from (seed, block index), so the bytes depend on the options and
// never on the thread count. Blocks are formatted in parallel and written in
// order, with at most 2 blocks per thread in flight (bounded memory).
// Thread-safety: GenerateCsv* are reentrant; the sink is called from the
// calling thread only, in order.
//
//   outcore::gen::GeneratorOptions options;
//   options.rows = 1'000'000;
//   auto stats = outcore::gen::GenerateCsvToFile(options, "sample.csv");
//   if (!stats.ok()) return stats.status();
//   stats->rejectable_rows();   // rows a strict ingest must reject
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "outcore/memory.h"
#include "outcore/status.h"

namespace outcore::gen {

// The columns, in file order (the header line is these names).
inline constexpr std::string_view kColumnNames[] = {"id",       "active", "topic", "word", "passage",
                                                    "quantity", "score",  "price", "day",  "created"};
inline constexpr int kColumnCount = 10;
// The values of `topic`, most frequent first.
inline constexpr std::string_view kTopics[] = {"fashion", "real estate", "food",    "travel",
                                               "sports",  "technology",  "health",  "finance",
                                               "music",   "politics",    "science", "gaming"};
inline constexpr int kTopicCount = 12;

// Each dirty row has exactly one of these defects.
enum class DirtKind : uint8_t {
  kNone = 0,
  kExtraField,     // 11 fields: rejected (wrong field count)
  kMissingField,   // 9 fields: rejected (wrong field count)
  kTextInNumeric,  // quantity = many / price = "12,50": rejected (not a number)
  kInvalidUtf8,    // \xff\xfe inside word or passage: rejected (bad encoding)
  kTrickyQuoted,   // VALID: passage with embedded comma, "" and newline; kept
};
inline constexpr int kDirtKindCount = 6;
// "extra_field", "missing_field", "text_in_numeric", "invalid_utf8", "tricky_quoted".
std::string_view DirtKindName(DirtKind kind);

struct GeneratorOptions {
  // Exactly one of rows / size_bytes is non-zero: an exact data-row count, or
  // stop at the first row at which the output (header included) reaches size_bytes.
  uint64_t rows = 0;
  uint64_t size_bytes = 0;
  uint64_t seed = 42;
  int threads = 0;                 // 0: one per hardware thread
  double missing_rate = 0.02;      // share of non-id cells left empty
  double dirty_rate = 0.005;       // share of rows with one DirtKind (spread evenly)
  uint32_t rows_per_block = 4096;  // part of the output's identity: changing it changes the bytes
  MemoryBudget* budget = nullptr;  // block buffers are charged here when set
  // Polled between blocks; when it turns true generation stops with kCancelled.
  const std::atomic<bool>* cancel = nullptr;
  // Called after each block is written, from the calling thread.
  std::function<void(uint64_t rows_written, uint64_t bytes_written)> progress;
};

// What was written: counts that tests and benchmarks compare ingest against.
struct GeneratorStats {
  uint64_t rows = 0;                   // data rows (records), not counting the header
  uint64_t bytes = 0;                  // all bytes, header included
  uint64_t lines = 0;                  // physical lines (tricky rows span two), header included
  uint64_t missing_cells = 0;          // empty non-id cells in valid rows (what ingest keeps as nulls)
  uint64_t dirt[kDirtKindCount] = {};  // rows per DirtKind (index 0 = clean rows)

  uint64_t count(DirtKind kind) const { return dirt[int(kind)]; }
  // Rows a strict reader must reject: wrong field count, non-numeric number, bad UTF-8.
  uint64_t rejectable_rows() const;
  // Rows that must be kept: clean rows plus the tricky-but-valid ones.
  uint64_t valid_rows() const { return rows - rejectable_rows(); }
  // {"rows":..,"bytes":..,"lines":..,"missing_cells":..,"clean_rows":..,"extra_field":..,
  //  ...,"rejectable_rows":..,"valid_rows":..}
  std::string ToJson() const;
  // A few human lines for stderr.
  std::string ToText() const;
};

// Receives the output in order, one block (or the header) at a time.
using ChunkSink = std::function<Status(std::string_view bytes)>;

// Generates into `sink`. Errors: kInvalidArgument for bad options, the sink's
// own status, kCancelled when options.cancel is set.
//   GenerateCsv(options, [&](std::string_view b) { out.append(b); return Status::OK(); });
Result<GeneratorStats> GenerateCsv(const GeneratorOptions& options, const ChunkSink& sink);

// Generates into an open file descriptor (a pipe or stdout is fine).
//   GenerateCsvToFd(options, STDOUT_FILENO);
Result<GeneratorStats> GenerateCsvToFd(const GeneratorOptions& options, int fd);

// Generates into `path` atomically (base/output_file.h): writes a hidden
// temporary beside it and renames it over `path` only on success; on error or
// cancel the temporary is removed.
//   GenerateCsvToFile(options, "sample.csv");
Result<GeneratorStats> GenerateCsvToFile(const GeneratorOptions& options, const std::string& path);

// "10M" -> 10'000'000, "1.5k" -> 1500, "2G" / "2B" -> 2e9, "123" -> 123: counts
// use powers of 1000 (unlike sizes).
Result<uint64_t> ParseCount(std::string_view text);

}  // namespace outcore::gen
