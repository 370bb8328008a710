#include "ingest/memory_plan.h"

#include <algorithm>
#include <thread>

#include "csv/tokenizer.h"
#include "outcore/memory.h"

namespace outcore {

namespace {

constexpr uint64_t kMinBlockBytes = 256 << 10;
constexpr uint64_t kMaxPlannedBlockBytes = 64ull << 20;
// Blocks given explicitly (tests) are kept at least this large.
constexpr uint64_t kMinGivenBlockBytes = 1024;
// Fewer threads when a block would be smaller than this.
constexpr uint64_t kMinBlockBytesPerThread = 1ull << 20;
// Budget bytes a block costs while in flight, per byte of CSV: the raw bytes,
// field spans, typed columns, encoded payloads and compressed blocks.
constexpr uint64_t kInFlightBytesPerBlockByte = 6;
// ... and per token-indexed column, for the chunk's tokens grouped by word
// (TokenChunk: each occurrence's row, plus the distinct words).
constexpr uint64_t kTokenBytesPerBlockByte = 6;
// Share of the engine's bytes that dictionaries of all string columns may hold.
constexpr double kDictionaryShare = 0.2;
// Share that the value and token indexes being built may hold (taken from the
// blocks' share, only when indexes are asked for).
constexpr double kIndexShare = 0.25;
// A string column's dictionary may always hold this much.
constexpr uint64_t kMinDictionaryBytes = 1ull << 20;
// Blocks in flight beyond one per worker: the one being read and the one being written.
constexpr int kExtraBlocksInFlight = 2;

}  // namespace

Result<MemoryPlan> PlanIngestMemory(const MemoryPlanInputs& inputs) {
  MemoryPlan plan;
  plan.memory_limit = inputs.memory_limit;
  plan.baseline_reserve = MemoryBudget::kBaselineReserve;
  // The engine's share: what is left after code, libraries and stacks.
  OC_ASSIGN_OR_RETURN(const uint64_t engine, EngineShareOfLimit(inputs.memory_limit));
  const bool indexes = inputs.value_index_columns + inputs.token_index_columns > 0;
  plan.dictionary_bytes = uint64_t(double(engine) * kDictionaryShare);
  plan.index_pool_bytes = indexes ? uint64_t(double(engine) * kIndexShare) : 0;
  plan.block_share_bytes =
      uint64_t(double(engine) * (1.0 - kDictionaryShare - (indexes ? kIndexShare : 0.0)));

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  plan.threads = inputs.threads > 0 ? inputs.threads : int(cores);
  const uint64_t per_block_byte =
      kInFlightBytesPerBlockByte + kTokenBytesPerBlockByte * uint64_t(inputs.token_index_columns);
  auto block_for = [&](int threads) {
    return plan.block_share_bytes / (uint64_t(threads + kExtraBlocksInFlight) * per_block_byte);
  };
  // Fewer threads when the budget cannot feed them a sensible block each.
  while (plan.threads > 1 && block_for(plan.threads) < kMinBlockBytesPerThread) --plan.threads;
  plan.blocks_in_flight = plan.threads + kExtraBlocksInFlight;
  plan.block_bytes =
      inputs.block_bytes
          ? std::clamp<uint64_t>(inputs.block_bytes, kMinGivenBlockBytes, kMaxPlannedBlockBytes)
          : std::clamp(block_for(plan.threads), kMinBlockBytes, kMaxPlannedBlockBytes);
  // Tokenizer offsets are 32-bit: a block never passes kMaxBlockBytes.
  plan.max_record_bytes =
      std::min<uint64_t>(std::max<uint64_t>(inputs.memory_limit / 8, kMinBlockBytes), kMaxBlockBytes);
  return plan;
}

uint64_t DictionaryBytesPerColumn(const MemoryPlan& plan, size_t string_columns) {
  return std::max<uint64_t>(kMinDictionaryBytes,
                            plan.dictionary_bytes / std::max<uint64_t>(1, string_columns));
}

}  // namespace outcore
