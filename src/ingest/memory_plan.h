// PlanIngestMemory: the one place where ingest's memory limit is divided
// (doc/architecture.md, "Memory planning") into the baseline reserve, the
// dictionaries' share, the index pool and the blocks in flight — and where
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
};

// InvalidArgument below kMinIngestMemoryLimit, naming the limit and the minimum.
Result<MemoryPlan> PlanIngestMemory(const MemoryPlanInputs& inputs);

// What each string column's dictionary may hold: an even split of the
// dictionaries' share, at least 1 MiB.
uint64_t DictionaryBytesPerColumn(const MemoryPlan& plan, size_t string_columns);

}  // namespace outcore
