#include "ingest/memory_plan.h"

#include <gtest/gtest.h>

#include "outcore/memory.h"

namespace outcore {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

MemoryPlan Plan(uint64_t limit, int threads, size_t value_indexes = 0, size_t token_indexes = 0,
                uint64_t block_bytes = 0) {
  MemoryPlanInputs in;
  in.memory_limit = limit;
  in.threads = threads;
  in.value_index_columns = value_indexes;
  in.token_index_columns = token_indexes;
  in.block_bytes = block_bytes;
  auto plan = PlanIngestMemory(in);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : MemoryPlan{};
}

// doc/architecture.md, "Memory planning": before the sample, 6 budget bytes per byte of each
// of threads + 2 blocks; 128 MiB and 2 threads give blocks of about 2.9 MiB.
TEST(MemoryPlan, OneHundredTwentyEightMiBAndTwoThreadsGiveBlocksOfAboutThreeMiB) {
  MemoryPlan plan = Plan(128 * kMiB, 2);
  EXPECT_EQ(plan.memory_limit, 128 * kMiB);
  EXPECT_EQ(plan.baseline_reserve, MemoryBudget::kBaselineReserve);
  EXPECT_EQ(plan.threads, 2);
  EXPECT_EQ(plan.blocks_in_flight, 4);
  const uint64_t engine = 128 * kMiB - MemoryBudget::kBaselineReserve;
  EXPECT_EQ(plan.dictionary_bytes, uint64_t(double(engine) * 0.2));
  EXPECT_EQ(plan.index_pool_bytes, 0u);  // no indexes asked for
  EXPECT_EQ(plan.block_share_bytes, uint64_t(double(engine) * 0.8));
  // The blocks' share over (threads + 2) blocks costing 6x their bytes each.
  EXPECT_EQ(plan.block_bytes, plan.block_share_bytes / (4 * 6));
  EXPECT_GT(plan.block_bytes, 2 * kMiB);
  EXPECT_LT(plan.block_bytes, 3 * kMiB);
  EXPECT_EQ(plan.max_record_bytes, 16 * kMiB);  // an eighth of the limit
}

TEST(MemoryPlan, BlocksStopGrowingAtTheSweetSpot) {
  // bench/RESULTS.md, "Block size": past 4 MiB blocks cost memory and CPU and are no faster.
  EXPECT_EQ(Plan(256 * kMiB, 2).block_bytes, kSweetSpotBlockBytes);
  EXPECT_EQ(Plan(64ull << 30, 1).block_bytes, kSweetSpotBlockBytes);
}

TEST(MemoryPlan, AnInputOfMoreThanAFewMiBGivesEachThreadTwoBlocks) {
  MemoryPlanInputs in;
  in.memory_limit = 1024 * kMiB;
  in.threads = 2;
  in.input_bytes = 10 * kMiB;  // the 30 MB flights table was one chunk: one thread worked
  auto plan = PlanIngestMemory(in);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->block_bytes, in.input_bytes / 4);
  in.input_bytes = kSplitInputBytes;  // a small file is not cut up
  EXPECT_EQ(PlanIngestMemory(in)->block_bytes, kSweetSpotBlockBytes);
  in.input_bytes = 1ull << 40;
  EXPECT_EQ(PlanIngestMemory(in)->block_bytes, kSweetSpotBlockBytes);
}

TEST(MemoryPlan, TheDefaultLimitIsWhatTheWorkNeeds) {
  MemoryPlanInputs in;
  in.threads = 2;
  const uint64_t ceiling = 6ull << 30;  // a quarter of a 24 GiB machine
  const uint64_t limit = DefaultIngestMemoryLimit(in, ceiling);
  // Enough for sweet-spot blocks on both threads, far below the ceiling ...
  in.memory_limit = limit;
  auto plan = PlanIngestMemory(in);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->block_bytes, kSweetSpotBlockBytes);
  EXPECT_LT(limit, 256 * kMiB);
  // ... and no more: a tenth less would give smaller blocks.
  in.memory_limit = limit - limit / 10;
  EXPECT_LT(PlanIngestMemory(in)->block_bytes, kSweetSpotBlockBytes);
  // 64 threads want more, but never more than 1 GiB for blocks ...
  in.threads = 64;
  EXPECT_EQ(DefaultIngestMemoryLimit(in, ceiling), kMaxDefaultIngestLimit);
  // ... nor than the ceiling.
  EXPECT_EQ(DefaultIngestMemoryLimit(in, 300 * kMiB), 300 * kMiB);
}

TEST(MemoryPlan, TheDefaultLimitHoldsAWideFilesColumns) {
  MemoryPlanInputs in;
  in.threads = 2;
  in.columns = 300000;  // 300,000 columns x 5 KiB, even with one thread: more than the 1 GiB cap
  in.shared_bytes_per_column = 4096;
  in.worker_bytes_per_column = 1024;
  in.bytes_per_field = 3;
  const uint64_t limit = DefaultIngestMemoryLimit(in, 64ull << 30);
  EXPECT_GT(limit, kMaxDefaultIngestLimit);
  in.memory_limit = limit;
  EXPECT_TRUE(PlanIngestMemory(in).ok());
}

TEST(MemoryPlan, TheDefaultLimitHoldsTheDedupeSetOfEveryRow) {
  MemoryPlanInputs in;
  in.threads = 2;
  in.dedupe = true;
  const uint64_t ceiling = 6ull << 30;
  const uint64_t without = DefaultIngestMemoryLimit(in, ceiling);
  // 8M rows whose 12-byte keys are all new: ~770 MiB of set, a quarter of the engine.
  in.dedupe_bytes_wanted = DedupeBytesWanted(8'000'000, 12);
  EXPECT_GT(in.dedupe_bytes_wanted, 8'000'000ull * 90);
  const uint64_t limit = DefaultIngestMemoryLimit(in, ceiling);
  EXPECT_GT(limit, kMaxDefaultIngestLimit);  // above the blocks' cap: the set needs it
  in.memory_limit = limit;
  ASSERT_TRUE(PlanIngestMemory(in).ok());
  EXPECT_GE(PlanIngestMemory(in)->dedupe_bytes, in.dedupe_bytes_wanted);
  in.memory_limit = limit - kMiB;
  EXPECT_LT(PlanIngestMemory(in)->dedupe_bytes, in.dedupe_bytes_wanted);
  // Never past the ceiling; and a small set changes nothing.
  in.memory_limit = 0;
  EXPECT_EQ(DefaultIngestMemoryLimit(in, 2ull << 30), 2ull << 30);
  in.dedupe_bytes_wanted = DedupeBytesWanted(1000, 12);
  EXPECT_EQ(DefaultIngestMemoryLimit(in, ceiling), without);
}

TEST(MemoryPlan, IndexesTakeAQuarterOfTheEngineFromTheBlocks) {
  MemoryPlan plain = Plan(128 * kMiB, 2);
  MemoryPlan indexed = Plan(128 * kMiB, 2, 1);
  const uint64_t engine = 128 * kMiB - MemoryBudget::kBaselineReserve;
  EXPECT_EQ(indexed.index_pool_bytes, uint64_t(double(engine) * 0.25));
  EXPECT_EQ(indexed.dictionary_bytes, plain.dictionary_bytes);
  EXPECT_EQ(indexed.block_share_bytes, uint64_t(double(engine) * 0.55));
  EXPECT_LT(indexed.block_bytes, plain.block_bytes);
  EXPECT_EQ(Plan(128 * kMiB, 2, 0, 1).index_pool_bytes, indexed.index_pool_bytes);  // a token index alike
}

TEST(MemoryPlan, DedupeTakesAQuarterOfTheEngineFromTheBlocks) {
  MemoryPlanInputs in;
  in.memory_limit = 128 * kMiB;
  in.threads = 2;
  in.dedupe = true;
  auto deduped = PlanIngestMemory(in);
  ASSERT_TRUE(deduped.ok());
  const MemoryPlan plain = Plan(128 * kMiB, 2);
  const uint64_t engine = 128 * kMiB - MemoryBudget::kBaselineReserve;
  EXPECT_EQ(plain.dedupe_bytes, 0u);
  EXPECT_EQ(deduped->dedupe_bytes, uint64_t(double(engine) * 0.25));
  EXPECT_EQ(deduped->block_share_bytes, uint64_t(double(engine) * 0.55));
  // The limit a refusal names is the smallest whole MiB whose plan holds the set.
  const uint64_t wanted = 100 * kMiB;
  const uint64_t limit = MemoryLimitForDedupe(in, wanted);
  EXPECT_EQ(limit % kMiB, 0u);
  in.memory_limit = limit;
  EXPECT_GE(PlanIngestMemory(in)->dedupe_bytes, wanted);
  in.memory_limit = limit - kMiB;
  EXPECT_LT(PlanIngestMemory(in)->dedupe_bytes, wanted);
}

TEST(MemoryPlan, RowRulesScratchMakesBlocksSmaller) {
  MemoryPlanInputs in;
  in.memory_limit = 64 * kMiB;  // blocks below the sweet spot, so that the cost shows
  in.threads = 2;
  in.columns = 4;
  in.bytes_per_field = 4;
  auto plain = PlanIngestMemory(in);
  in.rule_bytes_per_row = 6 + 20 + 9;  // a rule on every row, and a dedupe key of one column
  auto ruled = PlanIngestMemory(in);
  ASSERT_TRUE(plain.ok() && ruled.ok());
  // Per block byte: 35 bytes a row over 4 fields of 4 bytes, on each of the 2 workers.
  EXPECT_DOUBLE_EQ(BudgetBytesPerBlockByte(2, 4, 0, 35.0 / 4),
                   BudgetBytesPerBlockByte(2, 4, 0) + 2 * 35.0 / 16);
  EXPECT_LT(ruled->block_bytes, plain->block_bytes);
}

TEST(MemoryPlan, EachTokenIndexAddsSixBytesPerBlockByte) {
  MemoryPlan plan = Plan(256 * kMiB, 2, 0, 2);
  EXPECT_EQ(plan.block_bytes, plan.block_share_bytes / (4 * (6 + 2 * 6)));
}

TEST(MemoryPlan, FewerThanAMiBPerBlockLowersTheThreadCount) {
  // 64 MiB: 24 MiB for the engine, 19.2 MiB for blocks; 16 threads would get
  // ~0.2 MiB each. One thread: 19.2 / (3 x 6) ~ 1.07 MiB.
  MemoryPlan plan = Plan(64 * kMiB, 16);
  EXPECT_EQ(plan.threads, 1);
  EXPECT_EQ(plan.blocks_in_flight, 3);
  EXPECT_GE(plan.block_bytes, kMiB);
  // Where the budget feeds every thread a MiB, none is taken away.
  MemoryPlan roomy = Plan(4096 * kMiB, 16);
  EXPECT_EQ(roomy.threads, 16);
  // The thread count kept is the largest whose blocks reach a MiB.
  for (uint64_t limit : {100 * kMiB, 200 * kMiB, 300 * kMiB, 500 * kMiB}) {
    MemoryPlan p = Plan(limit, 64);
    EXPECT_GE(p.block_bytes, kMiB) << limit;
    EXPECT_LT(p.block_share_bytes / (uint64_t(p.threads + 3) * 6), kMiB) << limit;
  }
}

TEST(MemoryPlan, BlocksPlannedBeforeTheHeaderAreAtLeastAQuarterMiB) {
  EXPECT_EQ(Plan(64 * kMiB, 1, 0, 8).block_bytes, 256u << 10);  // eight token indexes: floored
}

TEST(MemoryPlan, AGivenBlockSizeIsKeptWithinBounds) {
  EXPECT_EQ(Plan(256 * kMiB, 2, 0, 0, 4096).block_bytes, 4096u);
  EXPECT_EQ(Plan(256 * kMiB, 2, 0, 0, 10).block_bytes, 1024u);
  EXPECT_EQ(Plan(256 * kMiB, 2, 0, 0, 1ull << 30).block_bytes, 64 * kMiB);
}

TEST(MemoryPlan, NoThreadsAskedForMeansEveryCore) { EXPECT_GE(Plan(64ull << 30, 0).threads, 1); }

TEST(MemoryPlan, LessThanSixtyFourMiBIsRefused) {
  MemoryPlanInputs in;
  in.memory_limit = 64 * kMiB - 1;
  auto plan = PlanIngestMemory(in);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(plan.status().message().find("at least 64MiB"), std::string::npos) << plan.status().ToString();
  in.memory_limit = 64 * kMiB;
  EXPECT_TRUE(PlanIngestMemory(in).ok());
}

TEST(MemoryPlan, DictionariesSplitTheirShareEvenlyAndKeepAMiBEachOnlyWhereItNearlyHolds) {
  MemoryPlan plan = Plan(256 * kMiB, 2);  // 43.2 MiB for dictionaries
  EXPECT_EQ(DictionaryBytesPerColumn(plan, 0), plan.dictionary_bytes);
  EXPECT_EQ(DictionaryBytesPerColumn(plan, 1), plan.dictionary_bytes);
  EXPECT_EQ(DictionaryBytesPerColumn(plan, 4), plan.dictionary_bytes / 4);
  EXPECT_EQ(DictionaryBytesPerColumn(plan, 60), kMiB);  // 737 KiB each, raised to a MiB
  // 10,000 string columns split the share: a MiB each would be 10 GiB.
  EXPECT_EQ(DictionaryBytesPerColumn(plan, 10000), plan.dictionary_bytes / 10000);
}

MemoryPlanInputs Wide(uint64_t limit, size_t columns, double bytes_per_field) {
  MemoryPlanInputs in;
  in.memory_limit = limit;
  in.threads = 2;
  in.columns = columns;
  in.shared_bytes_per_column = 4096;
  in.worker_bytes_per_column = 1024;
  in.bytes_per_field = bytes_per_field;
  return in;
}

TEST(MemoryPlan, ColumnStateComesOffTheBlocksShareFirst) {
  auto narrow = PlanIngestMemory(Wide(96 * kMiB, 10, 8));
  auto wide = PlanIngestMemory(Wide(96 * kMiB, 2000, 8));
  ASSERT_TRUE(narrow.ok() && wide.ok());
  EXPECT_EQ(wide->column_state_bytes, 2000u * (4096 + uint64_t(wide->threads) * 1024));
  EXPECT_EQ(wide->block_share_bytes + wide->column_state_bytes,
            narrow->block_share_bytes + narrow->column_state_bytes);
  EXPECT_LT(wide->block_bytes, narrow->block_bytes);
  EXPECT_EQ(wide->block_bytes,
            uint64_t(double(wide->block_share_bytes) / BudgetBytesPerBlockByte(wide->threads, 8, 0)));
}

TEST(MemoryPlan, AFileWithoutStringColumnsGivesTheDictionaryShareToTheBlocks) {
  MemoryPlanInputs in = Wide(96 * kMiB, 10, 8);
  auto numeric = PlanIngestMemory(in);
  in.string_columns = 1;
  auto with_text = PlanIngestMemory(in);
  ASSERT_TRUE(numeric.ok() && with_text.ok());
  EXPECT_EQ(numeric->dictionary_bytes, 0u);
  EXPECT_GT(with_text->dictionary_bytes, 0u);
  EXPECT_GT(numeric->block_bytes, with_text->block_bytes);
}

TEST(MemoryPlan, ShortFieldsCostMorePerBlockByte) {
  EXPECT_EQ(BudgetBytesPerBlockByte(2, 0, 0), 4 * 6.0);  // unknown: 6 per byte of each of 4 blocks
  EXPECT_EQ(BudgetBytesPerBlockByte(2, 0, 1), 4 * 12.0);
  EXPECT_EQ(BudgetBytesPerBlockByte(2, 20, 0), 4 + 2 * 5.0);  // long fields: raw blocks, parsed at the floor
  EXPECT_EQ(BudgetBytesPerBlockByte(1, 3, 0), 3 + 48 / 3.0);  // "42,": spans and values outweigh the bytes
  auto short_fields = PlanIngestMemory(Wide(80 * kMiB, 10, 3));
  auto long_fields = PlanIngestMemory(Wide(80 * kMiB, 10, 20));
  ASSERT_TRUE(short_fields.ok() && long_fields.ok());
  EXPECT_LT(short_fields->block_bytes, long_fields->block_bytes / 2);
}

TEST(MemoryPlan, EachWorkerKeepingStateForEveryColumnLowersTheThreadCount) {
  // 20,000 columns x 1 KiB per worker: a second worker would leave less than a MiB per block.
  auto plan = PlanIngestMemory(Wide(160 * kMiB, 20000, 3));
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->threads, 1);
  EXPECT_EQ(plan->column_state_bytes, 20000u * (4096 + 1024));
}

TEST(MemoryPlan, TooManyColumnsForTheLimitAreRefusedNamingTheLimitThatHolds) {
  auto plan = PlanIngestMemory(Wide(64 * kMiB, 20000, 3));
  ASSERT_EQ(plan.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = plan.status().message();
  EXPECT_NE(message.find("20000 columns need"), std::string::npos) << message;
  const size_t at = message.find("use --memory-limit ");
  ASSERT_NE(at, std::string::npos) << message;
  const uint64_t named = std::stoull(message.substr(at + 19)) * kMiB;
  // The limit named holds them; a MiB less does not.
  EXPECT_TRUE(PlanIngestMemory(Wide(named, 20000, 3)).ok()) << message;
  EXPECT_FALSE(PlanIngestMemory(Wide(named - kMiB, 20000, 3)).ok()) << message;
  // Whatever limit it was refused at, the limit named is the same.
  for (uint64_t limit : {100 * kMiB, named - kMiB, 64 * kMiB + 12345}) {
    auto again = PlanIngestMemory(Wide(limit, 20000, 3));
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.status().message().find("use --memory-limit " + std::to_string(named / kMiB) + "MiB"),
              std::string::npos)
        << again.status().message();
  }
}

}  // namespace
}  // namespace outcore
