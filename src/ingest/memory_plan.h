// PlanIngestMemory: the one place where ingest's memory limit is divided
// (doc/architecture.md, "Memory planning") into the baseline reserve, the
// dictionaries' share, the index pool, the dedupe set and the blocks in flight — and where
// the block size and thread count follow from them. The pipeline asks once,
// before reading, and sizes everything from the MemoryPlan it gets back
// (include/outcore/ingest.h, also in the IngestReport).
//
// Thread-safety: pure functions.
//
//   MemoryPlanInputs in;
//   in.memory_limit = 256ull << 20;
//   in.threads = 2;
//   OC_ASSIGN_OR_RETURN(MemoryPlan plan, PlanIngestMemory(in));   // plan.block_bytes ~ 7 MiB
#pragma once

#include <cstddef>
#include <cstdint>

#include "outcore/ingest.h"
#include "outcore/memory.h"

namespace outcore {

// The smallest limit ingest accepts (code and libraries alone take ~40 MiB).
inline constexpr uint64_t kMinIngestMemoryLimit = kMinMemoryLimit;

struct MemoryPlanInputs {
  uint64_t memory_limit = 0;       // bytes, resolved (not 0)
  int threads = 0;                 // asked for; 0 = every core
  uint64_t block_bytes = 0;        // 0: derived from the budget; else clamped to [1 KiB, 64 MiB] (tests)
  size_t value_index_columns = 0;  // --index
  size_t token_index_columns = 0;  // --index-tokens: each adds to what a block costs in flight
  bool dedupe = false;             // --dedupe: the set of keys seen gets a share
  // With --dedupe, what the set would hold if every row's key were new
  // (DedupeBytesWanted): the default limit gives the set that much. 0: unknown.
  uint64_t dedupe_bytes_wanted = 0;
  // Known once the header is read: EncodeStages::Start plans again with them,
  // and the per-column state comes off the blocks' share first. 0 before.
  size_t columns = 0;
  size_t string_columns = 0;
  uint64_t shared_bytes_per_column = 0;  // kept once per column (its state, sketch, names)
  uint64_t worker_bytes_per_column = 0;  // kept per column by each worker
  double bytes_per_field = 0;            // the sample's input bytes per field; 0: unknown
  uint64_t rule_bytes_per_row = 0;       // row rules' scratch per row of a worker's chunk (0: no rules)
  bool lossy_columns = false;            // --lossy: each worker tries one column's chunk both ways
  uint64_t input_bytes = 0;              // the inputs' size where known (0: unknown, e.g. stdin)
};

// Planned blocks hold at most this much CSV: the measured sweet spot
// (bench/RESULTS.md, "Block size"): larger blocks cost memory and CPU and are
// no faster. And an input of more than kSplitInputBytes is cut into at least
// two blocks per thread, so that every thread works and zone maps prune.
inline constexpr uint64_t kSweetSpotBlockBytes = 4ull << 20;
inline constexpr uint64_t kSplitInputBytes = 8ull << 20;
// The default limit is never more than this (nor than DefaultMemoryLimit()).
inline constexpr uint64_t kMaxDefaultIngestLimit = 1ull << 30;

// InvalidArgument below kMinIngestMemoryLimit, naming the limit and the
// minimum; and when the columns' state leaves too little for one thread's
// blocks of 64 KiB, naming what it needs and the smallest limit that
// holds it (found by planning again at larger limits).
Result<MemoryPlan> PlanIngestMemory(const MemoryPlanInputs& inputs);

// The limit ingest takes when none is given: what the work needs for blocks
// of kSweetSpotBlockBytes on every thread (fewer when the input is small),
// the dictionaries' and indexes' shares, the columns' state once known, and
// with --dedupe a set of dedupe_bytes_wanted — at least
// kMinIngestMemoryLimit, at most kMaxDefaultIngestLimit unless the columns or
// the dedupe set need more, never more than `ceiling` (DefaultMemoryLimit()).
uint64_t DefaultIngestMemoryLimit(const MemoryPlanInputs& inputs, uint64_t ceiling);

// What the --dedupe set holds at its largest when each of `rows` rows brings
// a new key of `key_bytes`: the key with its length word in a page, and the
// table's slots at their maximum load while it doubles (old and new table
// both held; src/clean/dedupe_set.h).
uint64_t DedupeBytesWanted(uint64_t rows, double key_bytes);

// Budget bytes all blocks in flight cost together per byte of a block:
// threads + 2 raw blocks, and each worker's parsed one — its field spans,
// typed values, encoded and compressed payloads (and tokens per token-indexed
// column). Short fields cost more per byte (a span and a value each). While
// field lengths are unknown (bytes_per_field 0): 6 per byte for each block.
// `extra_bytes_per_field`: what a worker holds beyond that per field — the
// row rules' scratch per row and the lossy trial's, spread over the row's
// fields.
double BudgetBytesPerBlockByte(int threads, double bytes_per_field, size_t token_index_columns,
                               double extra_bytes_per_field = 0);

// The smallest limit (whole MiB, at least inputs.memory_limit) at which the
// plan gives the --dedupe set at least `dedupe_bytes`: what its refusal names.
uint64_t MemoryLimitForDedupe(const MemoryPlanInputs& inputs, uint64_t dedupe_bytes);

// What each string column's dictionary may hold: an even split of the
// dictionaries' share (at least 1 MiB where the share holds that much each).
uint64_t DictionaryBytesPerColumn(const MemoryPlan& plan, size_t string_columns);

}  // namespace outcore
