#include "index/value_index.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "index/column_test_util.h"

namespace outcore {
namespace {

using testutil::FloatColumn;
using testutil::IntColumn;
using testutil::StringColumn;

template <typename T>
std::vector<uint32_t> RowsWhere(const std::vector<std::optional<T>>& values, auto test) {
  std::vector<uint32_t> rows;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] && test(*values[i])) rows.push_back(uint32_t(i));
  }
  return rows;
}

// Builds the index chunk by chunk (as ingest does) and reads it back.
template <typename MakeChunk>
ValueIndex BuildAndLoad(TypeId type, size_t rows, size_t chunk_rows, MakeChunk make_chunk) {
  MemoryBudget budget(1 << 30);
  ValueIndexBuilder builder(type, &budget, 1 << 30);
  for (size_t first = 0; first < rows; first += chunk_rows) {
    ColumnVector chunk = make_chunk(first, std::min(rows, first + chunk_rows));
    EXPECT_TRUE(builder.AddChunk(chunk, first).ok());
  }
  EXPECT_FALSE(builder.overflowed());
  EXPECT_GT(budget.used(), 0u);
  Buffer block(&budget);
  EXPECT_TRUE(builder.Serialize(&block).ok());
  auto index = ValueIndex::Deserialize(block.view());
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return std::move(*index);
}

TEST(ValueIndex, IntegerLookupsMatchBruteForce) {
  for (TypeId type : {TypeId::kInt64, TypeId::kDate, TypeId::kTimestamp, TypeId::kBool}) {
    std::mt19937 rng(3);
    std::vector<std::optional<int64_t>> values(5000);
    for (auto& v : values) {
      if (rng() % 10 == 0) continue;
      v = type == TypeId::kBool ? int64_t(rng() % 2) : int64_t(rng() % 300) - 150;
    }
    ValueIndex index = BuildAndLoad(type, values.size(), 1000, [&](size_t begin, size_t end) {
      return IntColumn(type, {values.begin() + begin, values.begin() + end});
    });
    EXPECT_EQ(index.row_count(), values.size());
    std::vector<uint32_t> nulls;
    for (size_t i = 0; i < values.size(); ++i)
      if (!values[i]) nulls.push_back(uint32_t(i));
    EXPECT_EQ(index.Nulls()->ToVector(), nulls);
    for (int64_t key : {-150, -3, 0, 1, 7, 149, 500}) {
      EXPECT_EQ(index.LookupIntRange(KeyRange<int64_t>::Equal(key))->ToVector(),
                RowsWhere(values, [&](int64_t v) { return v == key; }));
      EXPECT_EQ(index.LookupIntRange({key, std::nullopt, false, true})->ToVector(),
                RowsWhere(values, [&](int64_t v) { return v > key; }));
      EXPECT_EQ(index.LookupIntRange({std::nullopt, key, true, true})->ToVector(),
                RowsWhere(values, [&](int64_t v) { return v <= key; }));
      EXPECT_EQ(index.LookupIntRange({key - 20, key + 20, true, false})->ToVector(),
                RowsWhere(values, [&](int64_t v) { return v >= key - 20 && v < key + 20; }));
    }
  }
}

TEST(ValueIndex, FloatKeysFoldNegativeZeroAndKeepNaNApart) {
  std::vector<std::optional<double>> values = {0.0, -0.0, 1.5, NAN, std::nullopt, -2.0, 1.5, INFINITY, NAN};
  ValueIndex index = BuildAndLoad(TypeId::kFloat64, values.size(), 4, [&](size_t begin, size_t end) {
    return FloatColumn({values.begin() + begin, values.begin() + end});
  });
  EXPECT_EQ(index.key_count(), 4u);  // -2, 0, 1.5, inf
  EXPECT_EQ(index.LookupFloatRange(KeyRange<double>::Equal(0.0))->ToVector(), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(index.LookupFloatRange(KeyRange<double>::Equal(-0.0))->ToVector(), (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(index.NaNs()->ToVector(), (std::vector<uint32_t>{3, 8}));
  EXPECT_EQ(index.Nulls()->ToVector(), (std::vector<uint32_t>{4}));
  EXPECT_EQ(index.LookupFloatRange({1.0, std::nullopt})->ToVector(), (std::vector<uint32_t>{2, 6, 7}));
  EXPECT_TRUE(index.LookupFloatRange(KeyRange<double>::Equal(NAN))->IsEmpty());
}

TEST(ValueIndex, StringLookupsMatchBruteForcePlainAndDictionary) {
  for (bool dictionary : {false, true}) {
    std::mt19937 rng(5);
    const std::vector<std::string> words = {"", "apple", "apples", "banana", "food", "Food", "z\xc3\xa9"};
    std::vector<std::optional<std::string>> values(3000);
    for (auto& v : values)
      if (rng() % 8) v = words[rng() % words.size()];
    ValueIndex index = BuildAndLoad(TypeId::kString, values.size(), 700, [&](size_t begin, size_t end) {
      return StringColumn({values.begin() + begin, values.begin() + end}, dictionary);
    });
    EXPECT_EQ(index.key_count(), words.size());
    for (const std::string& word : words) {
      EXPECT_EQ(index.LookupStringRange(KeyRange<std::string_view>::Equal(word))->ToVector(),
                RowsWhere(values, [&](const std::string& v) { return v == word; }));
      EXPECT_EQ(index.LookupStringRange({word, std::nullopt, false, true})->ToVector(),
                RowsWhere(values, [&](const std::string& v) { return v > word; }));
    }
    EXPECT_TRUE(index.LookupStringRange(KeyRange<std::string_view>::Equal("pear"))->IsEmpty());
  }
}

TEST(ValueIndex, SmallChunkOfAHugeDictionaryIndexesByContent) {
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 5000; ++i) values.push_back(std::string("v").append(std::to_string(i % 4999)));
  ColumnVector column = StringColumn(values, true);
  column.length = 10;  // a short chunk whose codes point into a large shared dictionary
  ValueIndexBuilder builder(TypeId::kString, nullptr, 1 << 30);
  ASSERT_TRUE(builder.AddChunk(column, 100).ok());
  EXPECT_EQ(builder.key_count(), 10u);
  Buffer block;
  ASSERT_TRUE(builder.Serialize(&block).ok());
  auto index = ValueIndex::Deserialize(block.view());
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->row_count(), 110u);
  EXPECT_EQ(index->LookupStringRange(KeyRange<std::string_view>::Equal("v3"))->ToVector(),
            std::vector<uint32_t>({103}));
  EXPECT_TRUE(index->LookupStringRange(KeyRange<std::string_view>::Equal("v10"))->IsEmpty());
}

TEST(ValueIndex, OverflowsItsCapInsteadOfGrowing) {
  MemoryBudget budget(1 << 30);
  ValueIndexBuilder builder(TypeId::kInt64, &budget, 64 << 10);
  std::vector<std::optional<int64_t>> values(10000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = int64_t(i);  // every value distinct
  ASSERT_TRUE(builder.AddChunk(IntColumn(TypeId::kInt64, values), 0).ok());
  EXPECT_TRUE(builder.overflowed());
  EXPECT_NE(builder.overflow_reason().find("cap"), std::string::npos) << builder.overflow_reason();
  EXPECT_EQ(budget.used(), 0u);  // everything it held was given back
  EXPECT_TRUE(builder.AddChunk(IntColumn(TypeId::kInt64, values), 10000).ok());
  Buffer out;
  EXPECT_FALSE(builder.Serialize(&out).ok());
}

TEST(ValueIndex, OverflowsWhenTheBudgetIsFull) {
  MemoryBudget budget(32 << 10);
  ValueIndexBuilder builder(TypeId::kInt64, &budget, 1 << 30);
  std::vector<std::optional<int64_t>> values(10000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = int64_t(i);
  ASSERT_TRUE(builder.AddChunk(IntColumn(TypeId::kInt64, values), 0).ok());
  EXPECT_TRUE(builder.overflowed());
  EXPECT_NE(builder.overflow_reason().find("budget"), std::string::npos) << builder.overflow_reason();
  EXPECT_EQ(budget.used(), 0u);
}

TEST(ValueIndex, ChargeFollowsTheIndexAndIsReleased) {
  MemoryBudget budget(1 << 30);
  {
    ValueIndexBuilder builder(TypeId::kString, &budget, 1 << 30);
    ASSERT_TRUE(builder.AddChunk(StringColumn({"a", "b", "a"}, false), 0).ok());
    const uint64_t small = budget.used();
    EXPECT_EQ(small, builder.charged_bytes());
    std::vector<std::optional<std::string>> many;
    for (int i = 0; i < 2000; ++i) many.push_back("key" + std::to_string(i));
    ASSERT_TRUE(builder.AddChunk(StringColumn(many, false), 3).ok());
    EXPECT_GT(budget.used(), small + 2000 * 8);
  }
  EXPECT_EQ(budget.used(), 0u);
}

// The charge is what the budget believes the index holds: it must not be
// below what the heap really gives it (glibc's own count, mallinfo2).
TEST(ValueIndex, ChargeCoversTheHeapTheIndexHolds) {
  for (int rows_per_key : {1, 10, 100, 5000}) {
    std::vector<std::optional<int64_t>> values(1 << 14);
    for (size_t i = 0; i < values.size(); ++i) values[i] = int64_t(i) / rows_per_key;
    ColumnVector chunk = IntColumn(TypeId::kInt64, values);
    const size_t before = mallinfo2().uordblks;
    ValueIndexBuilder builder(TypeId::kInt64, nullptr, uint64_t(1) << 40);
    for (uint64_t c = 0; c < 8; ++c) ASSERT_TRUE(builder.AddChunk(chunk, c * values.size() * 5).ok());
    const size_t after = mallinfo2().uordblks;
    if (after <= before)
      GTEST_SKIP() << "this allocator does not report heap use through mallinfo2 (sanitizers)";
    const double heap = double(after - before);
    EXPECT_GE(double(builder.charged_bytes()), heap * 0.95) << rows_per_key;
    EXPECT_LE(double(builder.charged_bytes()), heap * 2.0) << rows_per_key;
  }
}

TEST(ValueIndex, WrongChunkTypeIsInvalidArgument) {
  ValueIndexBuilder builder(TypeId::kInt64, nullptr, 1 << 20);
  auto status = builder.AddChunk(FloatColumn({1.0}), 0);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
}

TEST(ValueIndex, HostileBlocksAreCorruptionNotACrash) {
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 300; ++i)
    values.push_back(i % 7 ? std::optional<std::string>(std::string("w").append(std::to_string(i % 13)))
                           : std::nullopt);
  ValueIndexBuilder builder(TypeId::kString, nullptr, 1 << 30);
  ASSERT_TRUE(builder.AddChunk(StringColumn(values, true), 0).ok());
  Buffer block;
  ASSERT_TRUE(builder.Serialize(&block).ok());
  const std::string original(block.view());
  std::mt19937 rng(13);
  int rejected = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    std::string bytes = original;
    if (trial % 2) {
      bytes.resize(rng() % bytes.size());
    } else {
      for (int flips = 1 + int(rng() % 3); flips > 0; --flips)
        bytes[rng() % bytes.size()] ^= char(1 << (rng() % 8));
    }
    auto index = ValueIndex::Deserialize(bytes);
    if (!index.ok()) {
      EXPECT_EQ(index.status().code(), StatusCode::kCorruption) << index.status().ToString();
      ++rejected;
      continue;
    }
    // Accepted headers still guard every bitmap read.
    for (uint64_t key = 0; key < index->key_count(); ++key) {
      auto rows = index->LookupStringRange(KeyRange<std::string_view>::Equal(index->StringKey(key)));
      if (rows.ok()) {
        EXPECT_LE(rows->Cardinality(), index->row_count());
      } else {
        EXPECT_EQ(rows.status().code(), StatusCode::kCorruption);
      }
    }
    (void)index->Nulls();
  }
  EXPECT_GT(rejected, 1000);
}

}  // namespace
}  // namespace outcore
