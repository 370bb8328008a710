#include "encoding/string_column_encoder.h"

#include <gtest/gtest.h>

#include <random>

#include "encoding/encoding_test_util.h"

namespace outcore {
namespace {

using testing_util::ExpectSameColumn;
using testing_util::MakeStringColumn;

ColumnVector Chunk(std::mt19937* rng, int rows, int distinct, const std::string& prefix) {
  std::vector<std::optional<std::string>> values;
  for (int row = 0; row < rows; ++row) {
    if ((*rng)() % 8 == 0) values.push_back(std::nullopt);
    else values.push_back(prefix + std::to_string((*rng)() % distinct));
  }
  return MakeStringColumn(values);
}

void ExpectDecodes(const ColumnVector& chunk, const Buffer& payload,
                   std::shared_ptr<const Dictionary> dictionary, Encoding expected) {
  ASSERT_EQ(EncodingName(*PayloadEncoding(payload.view())), EncodingName(expected));
  ColumnVector decoded;
  Status status = DecodeColumn(TypeId::kString, chunk.length, payload.view(), dictionary, &decoded);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ExpectSameColumn(chunk, decoded);
}

TEST(StringColumnEncoder, LowCardinalityChunksShareOneDictionary) {
  MemoryBudget budget(16 << 20);
  {
    StringColumnEncoder encoder(&budget, 1 << 20);
    std::mt19937 rng(1);
    std::vector<ColumnVector> chunks;
    std::vector<Buffer> payloads;
    for (int idx = 0; idx < 5; ++idx) {
      chunks.push_back(Chunk(&rng, 3000, 20 + idx, "topic-"));
      payloads.emplace_back(&budget);
      ASSERT_TRUE(encoder.EncodeChunk(chunks.back(), {}, &payloads.back()).ok());
      // Codes take a few bits per row, far below the strings themselves.
      EXPECT_LT(payloads.back().size(), 3000u);
    }
    EXPECT_TRUE(encoder.dictionary_active());
    EXPECT_TRUE(encoder.dictionary_used());
    EXPECT_EQ(encoder.dictionary().size(), 24);
    auto dictionary = encoder.dictionary().ToDictionary(&budget);
    for (size_t idx = 0; idx < chunks.size(); ++idx) {
      ExpectDecodes(chunks[idx], payloads[idx], dictionary, Encoding::kDictCodes);
    }
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(StringColumnEncoder, FallsBackToPlainForThisAndLaterChunksWhenTheDictionaryIsFull) {
  MemoryBudget budget(16 << 20);
  StringColumnEncoder encoder(&budget, 32 << 10);
  std::mt19937 rng(2);
  ColumnVector small = Chunk(&rng, 2000, 50, "a");
  ColumnVector large = Chunk(&rng, 2000, 900, "a-much-longer-value-that-fills-memory-");
  ColumnVector small_again = Chunk(&rng, 2000, 50, "a");
  Buffer first, second, third;
  ASSERT_TRUE(encoder.EncodeChunk(small, {}, &first).ok());
  const int64_t size_before = encoder.dictionary().size();
  ASSERT_TRUE(encoder.EncodeChunk(large, {}, &second).ok());
  EXPECT_FALSE(encoder.dictionary_active());
  EXPECT_EQ(encoder.dictionary().size(), size_before);
  ASSERT_TRUE(encoder.EncodeChunk(small_again, {}, &third).ok());
  auto dictionary = encoder.dictionary().ToDictionary(nullptr);
  ExpectDecodes(small, first, dictionary, Encoding::kDictCodes);
  ExpectDecodes(large, second, nullptr, Encoding::kPlainString);
  ExpectDecodes(small_again, third, nullptr, Encoding::kPlainString);
}

TEST(StringColumnEncoder, UniqueIdsGoPlainFromTheFirstChunk) {
  StringColumnEncoder encoder(nullptr, 1 << 30);
  std::vector<std::optional<std::string>> ids;
  for (int row = 0; row < 5000; ++row) ids.push_back("id-" + std::to_string(row * 7919));
  ColumnVector chunk = MakeStringColumn(ids);
  Buffer payload;
  ASSERT_TRUE(encoder.EncodeChunk(chunk, {}, &payload).ok());
  EXPECT_FALSE(encoder.dictionary_used());
  EXPECT_EQ(encoder.dictionary().memory_bytes(), 0u);
  ExpectDecodes(chunk, payload, nullptr, Encoding::kPlainString);
}

}  // namespace
}  // namespace outcore
