#include "index/token_index.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <random>

#include "index/column_test_util.h"

namespace outcore {
namespace {

ColumnVector Strings(const std::vector<std::optional<std::string>>& values) {
  return testutil::StringColumn(values, false);
}

TEST(Tokenize, SplitsOnNonAlphanumericAsciiAndLowercasesAscii) {
  EXPECT_EQ(Tokenize("Ice-cream, 2 SCOOPS!"), (std::vector<std::string>{"2", "cream", "ice", "scoops"}));
  EXPECT_EQ(Tokenize("The cat, the hat"), (std::vector<std::string>{"cat", "hat", "the"}));
  // Non-ASCII bytes belong to words and are not case-folded.
  EXPECT_EQ(Tokenize("Caf\xc3\xa9 \xc3\x89t\xc3\xa9"),
            (std::vector<std::string>{"caf\xc3\xa9", "\xc3\x89t\xc3\xa9"}));
  EXPECT_TRUE(Tokenize(" ,;-- ").empty());
  EXPECT_EQ(Tokenize("a_b"), (std::vector<std::string>{"a", "b"}));
}

TEST(TokenIndex, LookupsMatchBruteForceOverTokenizedRows) {
  const std::vector<std::string> vocabulary = {"food", "Food", "cheap", "ice", "cream", "2024", "x"};
  std::mt19937 rng(17);
  std::vector<std::optional<std::string>> values(2000);
  for (auto& v : values) {
    if (rng() % 9 == 0) continue;
    std::string text;
    for (int w = int(rng() % 5); w > 0; --w)
      text += vocabulary[rng() % vocabulary.size()] + (rng() % 2 ? " " : ", ");
    v = text;
  }
  MemoryBudget budget(1 << 30);
  TokenIndexBuilder builder(&budget, 1 << 30);
  for (size_t first = 0; first < values.size(); first += 512) {
    const size_t end = std::min(values.size(), first + 512);
    ASSERT_TRUE(builder.AddChunk(Strings({values.begin() + first, values.begin() + end}), first).ok());
  }
  Buffer block;
  ASSERT_TRUE(builder.Serialize(&block).ok());
  auto index = TokenIndex::Deserialize(block.view());
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  EXPECT_EQ(index->token_count(), 6u);  // food and Food are one token
  for (std::string query : {"food", "FOOD", "ice cream", "cheap, food", "2024", "absent", "x"}) {
    std::vector<uint32_t> expected;
    const std::vector<std::string> wanted = Tokenize(query);
    for (size_t row = 0; row < values.size(); ++row) {
      if (!values[row]) continue;
      const std::vector<std::string> have = Tokenize(*values[row]);
      if (std::includes(have.begin(), have.end(), wanted.begin(), wanted.end()))
        expected.push_back(uint32_t(row));
    }
    auto rows = index->Lookup(query);
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->ToVector(), expected) << query;
  }
  std::vector<uint32_t> nulls;
  for (size_t row = 0; row < values.size(); ++row)
    if (!values[row]) nulls.push_back(uint32_t(row));
  EXPECT_EQ(index->Nulls()->ToVector(), nulls);
  EXPECT_EQ(index->Lookup(" -- ").status().code(), StatusCode::kInvalidArgument);
}

TEST(TokenIndex, CollectedChunksBuildTheSameIndex) {
  std::mt19937 rng(29);
  const std::vector<std::string> vocabulary = {"Food", "cheap", "ice", "cream", "2024", "caf\xc3\xa9"};
  std::vector<std::vector<std::optional<std::string>>> chunks(5);
  for (auto& chunk : chunks) {
    for (int row = 0; row < 700; ++row) {
      if (rng() % 11 == 0) {
        chunk.push_back(std::nullopt);
        continue;
      }
      std::string text;
      for (int w = int(rng() % 6); w > 0; --w) text += vocabulary[rng() % vocabulary.size()] + " ";
      chunk.push_back(text);
    }
  }
  MemoryBudget budget(1 << 30);
  TokenIndexBuilder direct(&budget, 1 << 30), collected(&budget, 1 << 30);
  TokenChunk tokens(&budget);
  uint64_t first_row = 0;
  for (const auto& chunk : chunks) {
    ColumnVector column = Strings(chunk);
    ASSERT_TRUE(direct.AddChunk(column, first_row).ok());
    ASSERT_TRUE(tokens.Collect(column).ok());
    EXPECT_GT(budget.used(),
              direct.charged_bytes() + collected.charged_bytes());  // the chunk's groups are charged
    ASSERT_TRUE(collected.AddCollected(tokens, first_row).ok());
    first_row += chunk.size();
  }
  Buffer a, b;
  ASSERT_TRUE(direct.Serialize(&a).ok());
  ASSERT_TRUE(collected.Serialize(&b).ok());
  EXPECT_EQ(a.view(), b.view());
  EXPECT_EQ(direct.charged_bytes(), collected.charged_bytes());
}

TEST(TokenChunk, ChargeCoversTheHeapItHolds) {
  for (int vocabulary : {20, 3000}) {
    std::mt19937 rng(31);
    std::vector<std::optional<std::string>> values(20000);
    for (auto& v : values) {
      std::string text;
      for (int w = 0; w < 8; ++w) text += std::string("w").append(std::to_string(rng() % vocabulary)) + " ";
      v = text;
    }
    ColumnVector column = Strings(values);
    MemoryBudget budget(uint64_t(1) << 40);
    const size_t before = mallinfo2().uordblks;
    TokenChunk chunk(&budget);
    ASSERT_TRUE(chunk.Collect(column).ok());
    const size_t after = mallinfo2().uordblks;
    if (after <= before)
      GTEST_SKIP() << "this allocator does not report heap use through mallinfo2 (sanitizers)";
    EXPECT_GE(double(budget.used()), double(after - before) * 0.9) << vocabulary;
    EXPECT_LE(double(budget.used()), double(after - before) * 1.5) << vocabulary;
  }
}

TEST(TokenIndex, AValueIndexBlockIsNotATokenIndex) {
  ValueIndexBuilder builder(TypeId::kString, nullptr, 1 << 20);
  ASSERT_TRUE(builder.AddChunk(Strings({"a"}), 0).ok());
  Buffer block;
  ASSERT_TRUE(builder.Serialize(&block).ok());
  EXPECT_EQ(TokenIndex::Deserialize(block.view()).status().code(), StatusCode::kInvalidArgument);
}

TEST(TokenIndex, OverflowIsReportedNotFatal) {
  MemoryBudget budget(1 << 30);
  TokenIndexBuilder builder(&budget, 16 << 10);
  std::vector<std::optional<std::string>> values;
  for (int i = 0; i < 5000; ++i)
    values.push_back("word" + std::to_string(i) + " other" + std::to_string(i * 7));
  ASSERT_TRUE(builder.AddChunk(Strings(values), 0).ok());
  EXPECT_TRUE(builder.overflowed());
  EXPECT_FALSE(builder.overflow_reason().empty());
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace outcore
