#include "outcore/memory.h"

#include <gtest/gtest.h>

#include <vector>

namespace outcore {

TEST(ParseSize, AcceptsBinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseSize("512MiB"), 512ull << 20);
  EXPECT_EQ(*ParseSize("2G"), 2ull << 30);
  EXPECT_EQ(*ParseSize("1.5GB"), 1500000000ull);
  EXPECT_EQ(*ParseSize("65536"), 65536ull);
  EXPECT_EQ(*ParseSize(" 256 mib "), 256ull << 20);
  EXPECT_EQ(*ParseSize("10k"), 10240ull);
}

TEST(ParseSize, RejectsGarbageWithAnExample) {
  auto r = ParseSize("lots");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("512MiB"), std::string::npos);
  EXPECT_FALSE(ParseSize("12XB").ok());
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("1e30").ok());
}

TEST(FormatSize, UsesBinaryUnits) {
  EXPECT_EQ(FormatSize(256ull << 20), "256.0 MiB");
  EXPECT_EQ(FormatSize(12), "12 B");
}

TEST(MemoryBudget, TryReserveRefusesPastTheLimit) {
  MemoryBudget budget(1000);
  EXPECT_TRUE(budget.TryReserve(600));
  EXPECT_FALSE(budget.TryReserve(500));
  EXPECT_EQ(budget.used(), 600u);
  budget.Release(600);
  EXPECT_TRUE(budget.TryReserve(1000));
  EXPECT_EQ(budget.peak(), 1000u);
  EXPECT_EQ(budget.overshoot(), 0u);
}

TEST(MemoryBudget, ForcedReserveRecordsOvershoot) {
  MemoryBudget budget(100);
  budget.Reserve(150);
  EXPECT_EQ(budget.overshoot(), 50u);
  EXPECT_EQ(budget.available(), 0u);
}

TEST(Buffer, ChargesItsCapacityAndGivesItBack) {
  MemoryBudget budget(1 << 30);
  {
    Buffer buffer(&budget);
    buffer.Resize(1 << 20);
    EXPECT_GE(budget.used(), 1u << 20);
    EXPECT_EQ(budget.used(), buffer.capacity());
    Buffer moved = std::move(buffer);
    EXPECT_EQ(budget.used(), moved.capacity());
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(Buffer, SmallBuffersCostWhatTheyHoldNotAPage) {
  // A wide file has a few buffers per column per worker: 20,000 columns with a
  // 4 KiB floor each cost hundreds of MiB before a byte was parsed.
  MemoryBudget budget(1 << 20);
  std::vector<Buffer> buffers;
  for (int i = 0; i < 1000; ++i) {
    buffers.emplace_back(&budget);
    buffers.back().Resize(8 * 19);  // 19 int64 values: one column of a chunk of a wide file
  }
  EXPECT_LE(budget.used(), 1000u * 192);
  buffers[0].Resize(100000);  // and growth still works
  EXPECT_GE(buffers[0].capacity(), 100000u);
}

TEST(Buffer, AppendKeepsBytesAcrossGrowth) {
  Buffer buffer;
  for (int i = 0; i < 10000; ++i) buffer.Push<int32_t>(i);
  ASSERT_EQ(buffer.size(), 40000u);
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(buffer.as<int32_t>()[i], i);
}

TEST(ReadProcessMemory, SeesAnAllocationBecomeResident) {
  auto before = ReadProcessMemory();
  ASSERT_TRUE(before.ok());
  EXPECT_GT(before->rss, 0u);
  std::vector<char> block(64 << 20, 1);  // touched, so resident
  auto after = ReadProcessMemory();
  ASSERT_TRUE(after.ok());
  EXPECT_GE(after->rss_anon + (8 << 20), before->rss_anon + (64 << 20));
  EXPECT_GE(after->peak_rss, after->rss);
  EXPECT_EQ(block[12345], 1);
}

TEST(ResetPeakRss, StartsANewHighWaterMark) {
  {
    std::vector<char> block(96 << 20, 1);
    EXPECT_EQ(block[77], 1);
  }
  uint64_t high = PeakRss();
  ASSERT_TRUE(ResetPeakRss());
  EXPECT_LT(PeakRss() + (48 << 20), high);
}

TEST(ReadProcessMemory, NamesTheMissingProcess) {
  auto r = ReadProcessMemory(999999999);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/proc/999999999/status"), std::string::npos);
}

TEST(DefaultMemoryLimit, IsBoundedByMachineNotInput) {
  uint64_t limit = DefaultMemoryLimit();
  EXPECT_GE(limit, 256ull << 20);
  EXPECT_LE(limit, 8ull << 30);
}

}  // namespace outcore
