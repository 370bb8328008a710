#include "ingest/memory_plan.h"

#include <algorithm>
#include <thread>

#include "csv/tokenizer.h"
#include "outcore/memory.h"

namespace outcore {

namespace {

constexpr uint64_t kMinBlockBytes = 256 << 10;
// Once the columns are known, blocks may be this small where their state
// leaves no more (a wide file: a few rows per chunk) before ingest refuses.
constexpr uint64_t kMinBlockBytesWithColumns = 64 << 10;
constexpr uint64_t kMaxPlannedBlockBytes = 64ull << 20;
// Blocks given explicitly (tests) are kept at least this large.
constexpr uint64_t kMinGivenBlockBytes = 1024;
// Fewer threads when a block would be smaller than this.
constexpr uint64_t kMinBlockBytesPerThread = 1ull << 20;
// Budget bytes a block costs while in flight, per byte of CSV: the raw bytes,
// field spans, typed columns, encoded payloads and compressed blocks.
constexpr uint64_t kInFlightBytesPerBlockByte = 6;
// Once the sample says how long fields are: a raw block costs its bytes, and
// each worker's parsed block this much per field — its span (12 bytes, up to
// twice that while the array grows), its typed value (8), its encoded and
// compressed forms (8 each, plain at worst) — and at least kParsedBytesPerBlockByte.
constexpr uint64_t kParsedBytesPerField = 48;
constexpr uint64_t kParsedBytesPerBlockByte = kInFlightBytesPerBlockByte - 1;
// ... and per token-indexed column, for the chunk's tokens grouped by word
// (TokenChunk: each occurrence's row, plus the distinct words).
constexpr uint64_t kTokenBytesPerBlockByte = 6;
// A worker's lossy trial (ingest/lossy_stage.cpp), one column at a time: the
// lossy payload, its compressed block and the decoded values, 8 bytes a row
// each at most; the row's fields share it.
constexpr double kLossyTrialBytesPerRow = 24;
// Share of the engine's bytes that dictionaries of all string columns may hold.
constexpr double kDictionaryShare = 0.2;
// Share that the value and token indexes being built may hold (taken from the
// blocks' share, only when indexes are asked for).
constexpr double kIndexShare = 0.25;
// Share that the exact set of --dedupe keys may hold (taken from the blocks'
// share, only when --dedupe is asked for).
constexpr double kDedupeShare = 0.25;
// A string column's dictionary may always hold this much.
constexpr uint64_t kMinDictionaryBytes = 1ull << 20;
// Blocks in flight beyond one per worker: the one being read and the one being written.
constexpr int kExtraBlocksInFlight = 2;

}  // namespace

double BudgetBytesPerBlockByte(int threads, double bytes_per_field, size_t token_index_columns,
                               double extra_bytes_per_field) {
  const double tokens = double(kTokenBytesPerBlockByte * uint64_t(token_index_columns));
  const double blocks = double(threads + kExtraBlocksInFlight);
  if (bytes_per_field <= 0) return blocks * (double(kInFlightBytesPerBlockByte) + tokens);
  const double parsed =
      std::max(double(kParsedBytesPerBlockByte), double(kParsedBytesPerField) / bytes_per_field) + tokens +
      extra_bytes_per_field / bytes_per_field;
  return blocks + double(threads) * parsed;
}

namespace {

// The largest block a plan gives `threads` workers for `input_bytes` of input.
uint64_t MaxPlannedBlock(uint64_t input_bytes, int threads) {
  if (input_bytes <= kSplitInputBytes) return kSweetSpotBlockBytes;
  return std::min(kSweetSpotBlockBytes, input_bytes / (2 * uint64_t(std::max(1, threads))));
}

// The plan for `inputs` with `engine` bytes for the engine. `fits` is false
// when the columns' state leaves one thread less than 64 KiB blocks (the plan
// is then not to be used).
MemoryPlan PlanWithin(const MemoryPlanInputs& inputs, uint64_t engine, bool* fits) {
  MemoryPlan plan;
  plan.memory_limit = inputs.memory_limit;
  plan.baseline_reserve = MemoryBudget::kBaselineReserve;
  plan.columns = inputs.columns;
  plan.bytes_per_field = inputs.bytes_per_field;
  const bool indexes = inputs.value_index_columns + inputs.token_index_columns > 0;
  // Once the schema is known, a file without string columns keeps no dictionaries.
  const bool dictionaries = inputs.columns == 0 || inputs.string_columns > 0;
  const double dictionary_share = dictionaries ? kDictionaryShare : 0.0;
  plan.dictionary_bytes = uint64_t(double(engine) * dictionary_share);
  plan.index_pool_bytes = indexes ? uint64_t(double(engine) * kIndexShare) : 0;
  plan.dedupe_bytes = inputs.dedupe ? uint64_t(double(engine) * kDedupeShare) : 0;
  const uint64_t blocks_and_columns =
      uint64_t(double(engine) * (1.0 - dictionary_share - (indexes ? kIndexShare : 0.0) -
                                 (inputs.dedupe ? kDedupeShare : 0.0)));

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  plan.threads = inputs.threads > 0 ? inputs.threads : int(cores);
  auto column_state = [&](int threads) {
    return uint64_t(inputs.columns) *
           (inputs.shared_bytes_per_column + uint64_t(threads) * inputs.worker_bytes_per_column);
  };
  auto block_for = [&](int threads) -> uint64_t {
    const uint64_t state = column_state(threads);
    if (state >= blocks_and_columns) return 0;
    const double rule_bytes_per_field =
        inputs.columns ? double(inputs.rule_bytes_per_row) / double(inputs.columns) : 0.0;
    const double lossy_trial =
        inputs.lossy_columns && inputs.columns ? kLossyTrialBytesPerRow / double(inputs.columns) : 0.0;
    return uint64_t(double(blocks_and_columns - state) /
                    BudgetBytesPerBlockByte(threads, inputs.bytes_per_field, inputs.token_index_columns,
                                            rule_bytes_per_field + lossy_trial));
  };
  // Fewer threads when the budget cannot feed them a sensible block each
  // (a wide file: each worker keeps state for every column).
  while (plan.threads > 1 && block_for(plan.threads) < kMinBlockBytesPerThread) --plan.threads;
  plan.blocks_in_flight = plan.threads + kExtraBlocksInFlight;
  plan.column_state_bytes = column_state(plan.threads);
  plan.block_share_bytes = blocks_and_columns - std::min(blocks_and_columns, plan.column_state_bytes);
  const uint64_t min_block = inputs.columns ? kMinBlockBytesWithColumns : kMinBlockBytes;
  *fits = inputs.columns == 0 || block_for(plan.threads) >= min_block;
  plan.block_bytes =
      inputs.block_bytes
          ? std::clamp<uint64_t>(inputs.block_bytes, kMinGivenBlockBytes, kMaxPlannedBlockBytes)
          : std::clamp(std::min(block_for(plan.threads), MaxPlannedBlock(inputs.input_bytes, plan.threads)),
                       std::min(min_block, kMinBlockBytes), kMaxPlannedBlockBytes);
  // Tokenizer offsets are 32-bit: a block never passes kMaxBlockBytes.
  plan.max_record_bytes =
      std::min<uint64_t>(std::max<uint64_t>(inputs.memory_limit / 8, kMinBlockBytes), kMaxBlockBytes);
  return plan;
}

// The smallest limit (to 1 MiB) at which `inputs` fit, above inputs.memory_limit.
// The smallest limit, in whole MiB, at which the plan for `inputs` is `good(plan, fits)`,
// searched upwards from inputs.memory_limit (where it is not). Whole MiB, so that the answer
// does not depend on where the search starts. `good` must hold at every larger limit too.
template <typename Good>
uint64_t SmallestLimitWhere(MemoryPlanInputs inputs, Good good) {
  constexpr uint64_t kMiB = 1ull << 20;
  auto good_at = [&](uint64_t mib) {
    inputs.memory_limit = mib * kMiB;
    auto engine = EngineShareOfLimit(inputs.memory_limit);
    if (!engine.ok()) return false;
    bool fits = false;
    const MemoryPlan plan = PlanWithin(inputs, *engine, &fits);
    return good(plan, fits);
  };
  uint64_t low = inputs.memory_limit / kMiB, high = std::max<uint64_t>(low, kMinIngestMemoryLimit / kMiB) * 2;
  while (!good_at(high) && high < (1ull << 30)) high *= 2;
  while (high - low > 1) {
    const uint64_t mid = low + (high - low) / 2;
    (good_at(mid) ? high : low) = mid;
  }
  return high * kMiB;
}

uint64_t SmallestLimitThatFits(const MemoryPlanInputs& inputs) {
  return SmallestLimitWhere(inputs, [](const MemoryPlan&, bool fits) { return fits; });
}

}  // namespace

uint64_t DefaultIngestMemoryLimit(const MemoryPlanInputs& inputs, uint64_t ceiling) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const int threads = inputs.threads > 0 ? inputs.threads : int(cores);
  const uint64_t block = MaxPlannedBlock(inputs.input_bytes, threads);
  MemoryPlanInputs from = inputs;
  from.memory_limit = 0;
  from.block_bytes = 0;  // a --block-size given for a test does not change what the work needs
  // Full speed: every thread, each with the largest block a plan gives it ...
  const uint64_t full_speed = SmallestLimitWhere(from, [&](const MemoryPlan& plan, bool fits) {
    return fits && plan.threads == threads && plan.block_bytes >= block;
  });
  // ... capped, unless the columns alone need more, or the dedupe set does.
  uint64_t limit = std::max(std::min(full_speed, kMaxDefaultIngestLimit), SmallestLimitThatFits(from));
  if (inputs.dedupe && inputs.dedupe_bytes_wanted) {
    limit = std::max(limit, MemoryLimitForDedupe(from, inputs.dedupe_bytes_wanted));
  }
  return std::min(limit, std::max(ceiling, kMinIngestMemoryLimit));
}

uint64_t DedupeBytesWanted(uint64_t rows, double key_bytes) {
  // A slot is 16 bytes; at most 0.6 of them are taken, and while the table
  // doubles the old one (C slots) and the new one (2C) are both held: 3C
  // slots for 0.6 C keys, 80 bytes a key at worst.
  constexpr double kTableBytesPerKey = 3 * 16 / 0.6;
  return uint64_t(double(rows) * (kTableBytesPerKey + 4 + key_bytes));
}

Result<MemoryPlan> PlanIngestMemory(const MemoryPlanInputs& inputs) {
  // The engine's share: what is left after code, libraries and stacks.
  OC_ASSIGN_OR_RETURN(const uint64_t engine, EngineShareOfLimit(inputs.memory_limit));
  bool fits = false;
  MemoryPlan plan = PlanWithin(inputs, engine, &fits);
  if (fits) return plan;
  const MemoryPlan one_thread = [&] {
    MemoryPlanInputs single = inputs;
    single.threads = 1;
    bool ignored = false;
    return PlanWithin(single, engine, &ignored);
  }();
  return Status::InvalidArgument(
      std::to_string(inputs.columns) + " columns need " + FormatSize(one_thread.column_state_bytes) +
      " of per-column state and then blocks of at least " + FormatSize(kMinBlockBytesWithColumns) +
      "; --memory-limit " + FormatSize(inputs.memory_limit) + " leaves the engine " + FormatSize(engine) +
      ", too little: use --memory-limit " + std::to_string(SmallestLimitThatFits(inputs) >> 20) +
      "MiB or more");
}

uint64_t MemoryLimitForDedupe(const MemoryPlanInputs& inputs, uint64_t dedupe_bytes) {
  return SmallestLimitWhere(
      inputs, [&](const MemoryPlan& plan, bool fits) { return fits && plan.dedupe_bytes >= dedupe_bytes; });
}

uint64_t DictionaryBytesPerColumn(const MemoryPlan& plan, size_t string_columns) {
  const uint64_t even = plan.dictionary_bytes / std::max<uint64_t>(1, string_columns);
  // The floor only where the share holds it for every column: past that, a
  // floor would let dictionaries take the blocks' room.
  return even * 2 >= kMinDictionaryBytes ? std::max(even, kMinDictionaryBytes) : even;
}

}  // namespace outcore
