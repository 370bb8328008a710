#include "encoding/dictionary.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "encoding/column_encoder.h"
#include "encoding/encoding_test_util.h"

namespace outcore {
namespace {

using testing_util::MakeStringColumn;

std::vector<std::string_view> Views(const std::vector<std::string>& strings) {
  return {strings.begin(), strings.end()};
}

std::vector<std::string> Contents(const GlobalDictionary& dictionary) {
  std::vector<std::string> entries;
  for (int64_t code = 0; code < dictionary.size(); ++code) entries.emplace_back(dictionary.Get(code));
  return entries;
}

TEST(LocalDictionaryBuilder, CodesFollowFirstAppearanceAndNullsGetZero) {
  ColumnVector column = MakeStringColumn({"b", "a", std::nullopt, "b", "", "a", "c"});
  LocalDictionaryBuilder builder;
  Buffer codes;
  std::vector<std::string_view> uniques;
  builder.Build(column, &codes, &uniques);
  EXPECT_EQ(uniques, (std::vector<std::string_view>{"b", "a", "", "c"}));
  std::vector<int32_t> got(codes.as<int32_t>(), codes.as<int32_t>() + 7);
  EXPECT_EQ(got, (std::vector<int32_t>{0, 1, 0, 0, 2, 1, 3}));
}

TEST(LocalDictionaryBuilder, IsReusableAcrossChunksAndGrowsItsTable) {
  LocalDictionaryBuilder builder;
  Buffer codes;
  std::vector<std::string_view> uniques;
  for (int chunk = 0; chunk < 3; ++chunk) {
    std::vector<std::optional<std::string>> values;
    for (int row = 0; row < 5000; ++row) {
      values.push_back(std::string("v").append(std::to_string((row * 7 + chunk) % (1000 * (chunk + 1)))));
    }
    ColumnVector column = MakeStringColumn(values);
    builder.Build(column, &codes, &uniques);
    ASSERT_EQ(uniques.size(), std::min<size_t>(5000, 1000 * (chunk + 1)));
    for (int64_t row = 0; row < column.length; ++row) {
      ASSERT_EQ(uniques[size_t(codes.as<int32_t>()[row])], column.GetString(row));
    }
  }
}

TEST(GlobalDictionary, CodesAreDeterministicAcrossMerges) {
  MemoryBudget budget(1 << 20);
  std::vector<std::string> chunk1 = {"red", "green", "blue"};
  std::vector<std::string> chunk2 = {"blue", "cyan", "red", "magenta"};
  std::vector<int32_t> first_remap, second_remap;
  std::vector<std::vector<std::string>> contents;
  for (int attempt = 0; attempt < 2; ++attempt) {
    GlobalDictionary dictionary(&budget, 1 << 20);
    std::vector<int32_t> remap;
    ASSERT_TRUE(dictionary.Merge(Views(chunk1), &remap));
    EXPECT_EQ(remap, (std::vector<int32_t>{0, 1, 2}));
    ASSERT_TRUE(dictionary.Merge(Views(chunk2), &remap));
    EXPECT_EQ(remap, (std::vector<int32_t>{2, 3, 0, 4}));
    contents.push_back(Contents(dictionary));
  }
  EXPECT_EQ(contents[0], contents[1]);
  EXPECT_EQ(contents[0], (std::vector<std::string>{"red", "green", "blue", "cyan", "magenta"}));
  EXPECT_EQ(budget.used(), 0u);
}

TEST(GlobalDictionary, ChargesItsMemoryAndReleasesItOnDestruction) {
  MemoryBudget budget(64 << 20);
  {
    GlobalDictionary dictionary(&budget, 64 << 20);
    std::vector<std::string> values;
    for (int idx = 0; idx < 20000; ++idx) values.push_back("value-" + std::to_string(idx));
    std::vector<int32_t> remap;
    for (size_t start = 0; start < values.size(); start += 1000) {
      std::vector<std::string> chunk(values.begin() + start, values.begin() + start + 1000);
      ASSERT_TRUE(dictionary.Merge(Views(chunk), &remap));
      EXPECT_EQ(budget.used(), dictionary.memory_bytes());
    }
    EXPECT_EQ(dictionary.size(), 20000);
    EXPECT_GT(dictionary.memory_bytes(), 20000u * (12 + 8));  // strings + hashes at least
    EXPECT_EQ(dictionary.Get(12345), "value-12345");
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(GlobalDictionary, FallsBackUnchangedWhenMaxBytesWouldBePassed) {
  MemoryBudget budget(64 << 20);
  GlobalDictionary dictionary(&budget, 16 << 10);
  std::vector<std::string> small = {"a", "b", "c"};
  std::vector<int32_t> remap;
  ASSERT_TRUE(dictionary.Merge(Views(small), &remap));
  uint64_t memory = dictionary.memory_bytes();
  std::vector<std::string> big;
  for (int idx = 0; idx < 5000; ++idx) big.push_back("long-enough-value-" + std::to_string(idx));
  big.push_back("a");
  EXPECT_FALSE(dictionary.Merge(Views(big), &remap));
  EXPECT_EQ(dictionary.size(), 3);
  EXPECT_EQ(dictionary.memory_bytes(), memory);
  EXPECT_EQ(budget.used(), memory);
  EXPECT_EQ(Contents(dictionary), small);
  // Still usable afterwards for values it already has.
  std::vector<std::string> known = {"c", "a"};
  ASSERT_TRUE(dictionary.Merge(Views(known), &remap));
  EXPECT_EQ(remap, (std::vector<int32_t>{2, 0}));
}

TEST(GlobalDictionary, FallsBackUnchangedWhenTheBudgetRefuses) {
  MemoryBudget budget(64 << 10);
  Buffer hog(&budget);
  hog.Resize(40 << 10);  // someone else holds most of the budget
  const uint64_t before = budget.used();
  {
    GlobalDictionary dictionary(&budget, 1 << 30);
    std::vector<std::string> values;
    for (int idx = 0; idx < 3000; ++idx) values.push_back("budget-" + std::to_string(idx));
    std::vector<int32_t> remap;
    EXPECT_FALSE(dictionary.Merge(Views(values), &remap));
    EXPECT_EQ(dictionary.size(), 0);
    EXPECT_EQ(dictionary.memory_bytes(), 0u);
    EXPECT_EQ(budget.used(), before);
    EXPECT_EQ(budget.overshoot(), 0u);
  }
  EXPECT_EQ(budget.used(), before);
}

TEST(GlobalDictionary, SerializesAndDecodesBackToTheSameEntries) {
  MemoryBudget budget(1 << 20);
  GlobalDictionary dictionary(&budget, 1 << 20);
  std::vector<std::string> values = {"", "héllo", "日本", std::string(1000, 'q'), "x"};
  std::vector<int32_t> remap;
  ASSERT_TRUE(dictionary.Merge(Views(values), &remap));
  Buffer payload;
  ASSERT_TRUE(dictionary.Encode(&payload).ok());
  Dictionary decoded;
  ASSERT_TRUE(DecodeDictionary(payload.view(), &budget, &decoded).ok());
  ASSERT_EQ(decoded.size, 5);
  for (int64_t code = 0; code < 5; ++code) EXPECT_EQ(decoded.Get(code), values[size_t(code)]);
  auto copy = dictionary.ToDictionary(&budget);
  ASSERT_EQ(copy->size, 5);
  EXPECT_EQ(copy->Get(3), values[3]);

  GlobalDictionary empty(&budget, 1 << 20);
  ASSERT_TRUE(empty.Encode(&payload).ok());
  ASSERT_TRUE(DecodeDictionary(payload.view(), &budget, &decoded).ok());
  EXPECT_EQ(decoded.size, 0);
  EXPECT_EQ(empty.ToDictionary(nullptr)->size, 0);
}

TEST(DecodeDictionary, RejectsTruncatedAndLyingPayloadsWithoutCrashing) {
  GlobalDictionary dictionary(nullptr, 1 << 20);
  std::vector<std::string> values;
  for (int idx = 0; idx < 300; ++idx) values.push_back("entry" + std::to_string(idx * 37));
  std::vector<int32_t> remap;
  ASSERT_TRUE(dictionary.Merge(Views(values), &remap));
  Buffer payload;
  ASSERT_TRUE(dictionary.Encode(&payload).ok());
  const std::string good(payload.view());
  Dictionary out;
  for (size_t cut = 0; cut < good.size(); ++cut) {
    std::vector<char> truncated(good.begin(), good.begin() + cut);
    ASSERT_EQ(DecodeDictionary({truncated.data(), cut}, nullptr, &out).code(), StatusCode::kCorruption)
        << cut;
  }
  // A count of 2^31-2 empty strings in a 13-byte payload must not allocate 8 GiB.
  std::string lying(13, '\0');
  uint32_t count = 0x7FFFFFFE;
  std::memcpy(lying.data(), &count, 4);
  EXPECT_EQ(DecodeDictionary(lying, nullptr, &out).code(), StatusCode::kCorruption);
  std::mt19937 rng(9);
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<char> bad(good.begin(), good.end());
    bad[rng() % bad.size()] ^= char(1u << (rng() % 8));
    Status status = DecodeDictionary({bad.data(), bad.size()}, nullptr, &out);
    if (!status.ok()) {
      ASSERT_EQ(status.code(), StatusCode::kCorruption);
    }
  }
}

TEST(DictionaryEncoding, ChunksThroughLocalGlobalAndRemapDecodeToTheOriginalStrings) {
  MemoryBudget budget(8 << 20);
  LocalDictionaryBuilder local(&budget);
  GlobalDictionary global(&budget, 4 << 20);
  std::mt19937 rng(10);
  const char* topics[] = {"food", "sport", "politics", "tech", "art", "ünïcode"};
  std::vector<ColumnVector> chunks;
  std::vector<Buffer> payloads;
  for (int chunk = 0; chunk < 4; ++chunk) {
    std::vector<std::optional<std::string>> values;
    for (int row = 0; row < 777; ++row) {
      if (rng() % 10 == 0)
        values.push_back(std::nullopt);
      else
        values.push_back(topics[rng() % (2 + chunk)]);
    }
    chunks.push_back(MakeStringColumn(values, &budget));
    const ColumnVector& plain = chunks.back();
    ColumnVector coded(TypeId::kString, &budget);
    std::vector<std::string_view> uniques;
    std::vector<int32_t> remap;
    local.Build(plain, &coded.values, &uniques);
    ASSERT_TRUE(global.Merge(uniques, &remap));
    RemapCodes(coded.values.as<int32_t>(), plain.length, remap);
    coded.length = plain.length;
    coded.null_count = plain.null_count;
    coded.validity.Append(plain.validity.data(), plain.validity.size());
    EncodeOptions options;
    options.dictionary_codes = true;
    payloads.emplace_back(&budget);
    ASSERT_TRUE(EncodeColumn(coded, options, &payloads.back()).ok());
  }
  auto dictionary = global.ToDictionary(&budget);
  ColumnVector decoded(TypeId::kString, &budget);
  for (size_t chunk = 0; chunk < chunks.size(); ++chunk) {
    ASSERT_TRUE(
        DecodeColumn(TypeId::kString, chunks[chunk].length, payloads[chunk].view(), dictionary, &decoded)
            .ok());
    testing_util::ExpectSameColumn(chunks[chunk], decoded);
  }
}

}  // namespace
}  // namespace outcore
