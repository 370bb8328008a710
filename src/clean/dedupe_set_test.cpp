#include "clean/dedupe_set.h"

#include <gtest/gtest.h>

#include <string>

namespace outcore {
namespace {

TEST(DedupeSet, KeysWithTheSameHashStayDistinct) {
  // Every key is offered with one hash: only the bytes can tell them apart,
  // and an approximate set would call the second key a duplicate.
  MemoryBudget budget(64 << 20);
  DedupeSet seen(&budget, 8 << 20);
  for (int i = 0; i < 200; ++i) {
    auto inserted = seen.Insert("key-" + std::to_string(i), 42);
    ASSERT_TRUE(inserted.ok());
    EXPECT_TRUE(*inserted) << i;
  }
  for (int i = 0; i < 200; ++i) {
    auto again = seen.Insert("key-" + std::to_string(i), 42);
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again) << i;
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(DedupeSet, GrowsThroughManyKeysAndChargesTheBudget) {
  MemoryBudget budget(256 << 20);
  DedupeSet seen(&budget, 64 << 20);
  for (uint64_t i = 0; i < 100000; ++i) {
    const std::string key = std::to_string(i * 7919);
    auto inserted = seen.Insert(key, HashKey(key));
    ASSERT_TRUE(inserted.ok());
    ASSERT_TRUE(*inserted);
  }
  for (uint64_t i = 0; i < 100000; i += 997) {
    const std::string key = std::to_string(i * 7919);
    EXPECT_FALSE(*seen.Insert(key, HashKey(key)));
  }
  EXPECT_EQ(seen.size(), 100000u);
  EXPECT_GE(budget.used(), seen.bytes());
  EXPECT_LE(seen.bytes(), seen.share());
}

TEST(DedupeSet, RefusesPastItsShareAndKeepsWhatItHeld) {
  MemoryBudget budget(256 << 20);
  const uint64_t share = 2 << 20;
  DedupeSet seen(&budget, share);
  uint64_t accepted = 0;
  Status refused;
  for (uint64_t i = 0;; ++i) {
    const std::string key = "a fairly long key so that pages fill up " + std::to_string(i);
    auto inserted = seen.Insert(key, HashKey(key));
    if (!inserted.ok()) {
      refused = inserted.status();
      break;
    }
    ++accepted;
  }
  EXPECT_EQ(refused.code(), StatusCode::kOutOfMemory);
  EXPECT_EQ(seen.size(), accepted);
  EXPECT_GT(accepted, 1000u);
  EXPECT_LE(seen.bytes(), share);
  EXPECT_LE(budget.used(), share);
  // What it held is still there.
  const std::string first = "a fairly long key so that pages fill up 0";
  EXPECT_FALSE(*seen.Insert(first, HashKey(first)));
}

TEST(DedupeSet, HashDependsOnEveryByte) {
  EXPECT_NE(HashKey("abcdefgh1"), HashKey("abcdefgh2"));
  EXPECT_NE(HashKey("abcdefgh"), HashKey("abcdefgi"));
  EXPECT_NE(HashKey(std::string("\0", 1)), HashKey(std::string("\0\0", 2)));
}

}  // namespace
}  // namespace outcore
