#include "trace/preload/tables.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>
#include <vector>

namespace outcore::trace {

TEST(PtrMap, FindsWhatWasInsertedAndForgetsWhatWasRemoved) {
  static PtrMap map;
  std::map<uint64_t, std::pair<uint64_t, uint32_t>> expected;
  std::mt19937_64 rng(7);
  // Enough entries to grow every stripe several times, with removals mixed in
  // so that backward-shift deletion is exercised across wrap-arounds.
  for (int i = 0; i < 200000; ++i) {
    uint64_t key = (rng() & 0xFFFFFFFFF0ull) | 0x10;
    if (!expected.empty() && rng() % 3 == 0) {
      auto it = expected.lower_bound(rng() & 0xFFFFFFFFF0ull);
      if (it == expected.end()) it = expected.begin();
      PtrMap::Entry entry;
      ASSERT_TRUE(map.Remove(reinterpret_cast<void*>(it->first), &entry));
      EXPECT_EQ(entry.size, it->second.first);
      EXPECT_EQ(entry.site, it->second.second);
      expected.erase(it);
      continue;
    }
    uint64_t size = rng() % (1ull << 33);
    uint32_t site = uint32_t(rng() % 100000);
    map.Insert(reinterpret_cast<void*>(key), size, site);
    expected[key] = {size, site};
  }
  EXPECT_EQ(map.Size(), expected.size());
  for (auto& [key, value] : expected) {
    PtrMap::Entry entry;
    ASSERT_TRUE(map.Remove(reinterpret_cast<void*>(key), &entry));
    EXPECT_EQ(entry.size, value.first);
  }
  PtrMap::Entry entry;
  EXPECT_FALSE(map.Remove(reinterpret_cast<void*>(0x1230), &entry));
  EXPECT_EQ(map.Size(), 0u);
}

TEST(PtrMap, IsSafeUnderConcurrentThreads) {
  static PtrMap map;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (uint64_t i = 1; i <= 50000; ++i) {
        uint64_t key = (uint64_t(t + 1) << 40) | (i << 4);
        map.Insert(reinterpret_cast<void*>(key), i, uint32_t(t));
        if (i % 2 == 0) {
          PtrMap::Entry entry;
          EXPECT_TRUE(map.Remove(reinterpret_cast<void*>(key), &entry));
          EXPECT_EQ(entry.size, i);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(map.Size(), 4u * 25000u);
}

TEST(SiteTable, GivesOneIdPerHashAndDescribesEachOnce) {
  static SiteTable sites;
  int described = 0;
  std::map<uint64_t, uint32_t> ids;
  for (uint64_t hash = 2; hash < 20000; hash += 2) {
    ids[hash] = sites.FindOrInsert(hash, 0, [&](uint32_t) { ++described; });
  }
  for (auto& [hash, id] : ids) EXPECT_EQ(sites.FindOrInsert(hash, 0, [&](uint32_t) { ++described; }), id);
  EXPECT_EQ(described, int(ids.size()));
  EXPECT_EQ(sites.Count(), ids.size());
  EXPECT_EQ(sites.Get(ids[4])->hash, 4u);
}

struct Removed {
  std::map<uint32_t, uint64_t> bytes;
};
void Collect(uint32_t site, uint8_t, uint64_t bytes, void* ctx) {
  static_cast<Removed*>(ctx)->bytes[site] += bytes;
}

TEST(RegionMap, PartialUnmapSplitsAndCountsOnlyTheRemovedBytes) {
  static RegionMap regions;
  Removed removed;
  regions.Add(0x10000, 0x20000, 1, 1, Collect, &removed);
  regions.Add(0x30000, 0x34000, 2, 2, Collect, &removed);
  // Punch a hole in the middle of the first region.
  regions.Remove(0x14000, 0x15000, Collect, &removed);
  EXPECT_EQ(removed.bytes[1], 0x1000u);
  EXPECT_EQ(regions.Count(), 3u);
  RegionMap::Region found;
  ASSERT_TRUE(regions.Find(0x16000, &found));
  EXPECT_EQ(found.begin, 0x15000u);
  EXPECT_EQ(found.end, 0x20000u);
  EXPECT_FALSE(regions.Find(0x14800, &found));
  // One unmap across everything removes exactly what is left.
  regions.Remove(0x0, 0x40000, Collect, &removed);
  EXPECT_EQ(removed.bytes[1], 0x10000u);
  EXPECT_EQ(removed.bytes[2], 0x4000u);
  EXPECT_EQ(regions.Count(), 0u);
}

TEST(RegionMap, FixedMappingReplacesWhatItOverlaps) {
  static RegionMap regions;
  Removed removed;
  regions.Add(0x100000, 0x200000, 5, 1, Collect, &removed);
  regions.Add(0x180000, 0x280000, 6, 1, Collect, &removed);
  EXPECT_EQ(removed.bytes[5], 0x80000u);
  RegionMap::Region found;
  ASSERT_TRUE(regions.Find(0x190000, &found));
  EXPECT_EQ(found.site, 6u);
}

}  // namespace outcore::trace
