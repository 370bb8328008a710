#include "encoding/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace outcore {
namespace {

std::string CompressibleText(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  const char* words[] = {"apple ", "banana ", "cherry ", "date ", "elder "};
  std::string text;
  while (text.size() < n) text += words[rng() % 5];
  text.resize(n);
  return text;
}

class CodecTest : public ::testing::TestWithParam<Codec> {};

TEST_P(CodecTest, RoundTripsEmptySmallAndLargeBlocks) {
  MemoryBudget budget(64 << 20);
  Compressor compressor(GetParam(), GetParam() == Codec::kZstd ? 3 : 1);
  Buffer compressed(&budget), decoded(&budget);
  for (size_t n : {size_t(0), size_t(1), size_t(1000), size_t(1) << 20}) {
    std::string text = CompressibleText(n, uint32_t(n));
    ASSERT_TRUE(compressor.Compress(text, &compressed).ok());
    if (GetParam() != Codec::kNone && n >= 1000) {
      EXPECT_LT(compressed.size(), n / 2);
    }
    Status status = Decompress(GetParam(), compressed.view(), n, &decoded);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(decoded.view(), text);
  }
}

TEST_P(CodecTest, WrongDecodedSizeIsCorruption) {
  Compressor compressor(GetParam(), 1);
  Buffer compressed, decoded;
  std::string text = CompressibleText(5000, 7);
  ASSERT_TRUE(compressor.Compress(text, &compressed).ok());
  for (uint64_t wrong : {uint64_t(0), uint64_t(4999), uint64_t(5001), uint64_t(1) << 20}) {
    Status status = Decompress(GetParam(), compressed.view(), wrong, &decoded);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << wrong;
  }
}

TEST_P(CodecTest, ADecodedSizeTheBlockCannotHoldIsRefusedBeforeAllocating) {
  if (GetParam() == Codec::kNone) GTEST_SKIP() << "stored blocks must match their size exactly";
  MemoryBudget budget(64 << 20);
  Compressor compressor(GetParam(), 1);
  Buffer compressed(&budget), decoded(&budget), unbudgeted;
  ASSERT_TRUE(compressor.Compress(CompressibleText(1000, 3), &compressed).ok());
  // A gigabyte for a kilobyte block is more than it can hold: Corruption, nothing allocated.
  Status s = Decompress(GetParam(), compressed.view(), uint64_t(1) << 30, &unbudgeted);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("cannot decode to"), std::string::npos) << s.ToString();
  EXPECT_EQ(unbudgeted.capacity(), 0u);
  EXPECT_LT(budget.peak(), uint64_t(1) << 20);
}

// Issue 9: a footer claiming a petabyte for a kilobyte block raised MemoryError
// ("raise --memory-limit") in Python; it is damage. Only a block that really
// decodes to more than the budget is a budget error.
TEST_P(CodecTest, Issue9AHostileSizeIsDamageNotABudgetError) {
  if (GetParam() == Codec::kNone) GTEST_SKIP() << "stored blocks must match their size exactly";
  Compressor compressor(GetParam(), 1);
  Buffer compressed;
  const std::string text = CompressibleText(200000, 3);
  ASSERT_TRUE(compressor.Compress(text, &compressed).ok());
  MemoryBudget small(64 << 10);
  Buffer decoded(&small);
  Status s = Decompress(GetParam(), compressed.view(), uint64_t(1) << 50, &decoded);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_EQ(decoded.capacity(), 0u);
  s = Decompress(GetParam(), compressed.view(), text.size(), &decoded);
  EXPECT_EQ(s.code(), StatusCode::kOutOfMemory) << s.ToString();
  EXPECT_NE(s.message().find("does not fit the memory limit"), std::string::npos) << s.ToString();
  EXPECT_EQ(decoded.capacity(), 0u);
}

TEST_P(CodecTest, DamagedBlocksNeverCrash) {
  Compressor compressor(GetParam(), 1);
  Buffer compressed, decoded;
  std::string text = CompressibleText(20000, 9);
  ASSERT_TRUE(compressor.Compress(text, &compressed).ok());
  std::string good(compressed.view());
  std::mt19937 rng(11);
  int rejected = 0;
  for (int trial = 0; trial < 500; ++trial) {
    std::string bad = good;
    if (trial % 2) {
      bad.resize(rng() % bad.size());
    } else {
      bad[rng() % bad.size()] ^= char(1u << (rng() % 8));
    }
    Status status = Decompress(GetParam(), bad, text.size(), &decoded);
    if (!status.ok()) {
      EXPECT_EQ(status.code(), StatusCode::kCorruption);
      ++rejected;
    } else {
      EXPECT_EQ(decoded.size(), text.size());  // a flip in a literal can still decode
    }
  }
  if (GetParam() != Codec::kNone) {
    EXPECT_GT(rejected, 200);
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest, ::testing::Values(Codec::kNone, Codec::kZstd, Codec::kLz4),
                         [](const auto& codec_param) { return std::string(CodecName(codec_param.param)); });

TEST(CodecFromName, AcceptsTheThreeNamesAndNamesTheChoicesOtherwise) {
  EXPECT_EQ(*CodecFromName("zstd"), Codec::kZstd);
  EXPECT_EQ(*CodecFromName("LZ4"), Codec::kLz4);
  EXPECT_EQ(*CodecFromName("none"), Codec::kNone);
  auto bad = CodecFromName("gzip");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("zstd"), std::string::npos);
  EXPECT_TRUE(IsKnownCodec(2));
  EXPECT_FALSE(IsKnownCodec(3));
}

}  // namespace
}  // namespace outcore
