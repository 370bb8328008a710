#include "transform/murmur_hash3.h"

#include <gtest/gtest.h>

#include <string>

namespace outcore::transform {
namespace {

uint32_t Hash(const std::string& s, uint32_t seed) { return MurmurHash3X86_32(s, seed); }

// The vectors published with SMHasher's verification and widely reproduced
// (e.g. the table in "MurmurHash3 test vectors", Ian Boyd).
TEST(MurmurHash3, MatchesPublishedVectorsForEmptyAndZeroInputs) {
  EXPECT_EQ(Hash("", 0), 0u);
  EXPECT_EQ(Hash("", 1), 0x514E28B7u);
  EXPECT_EQ(Hash("", 0xffffffff), 0x81F16F39u);
  EXPECT_EQ(Hash(std::string(4, '\0'), 0), 0x2362F9DEu);
  EXPECT_EQ(Hash(std::string(3, '\0'), 0), 0x85F0B427u);
  EXPECT_EQ(Hash(std::string(2, '\0'), 0), 0x30F4C306u);
  EXPECT_EQ(Hash(std::string(1, '\0'), 0), 0x514E28B7u);
  EXPECT_EQ(Hash("\xff\xff\xff\xff", 0), 0x76293B50u);
}

TEST(MurmurHash3, MatchesPublishedVectorsForEveryTailLength) {
  EXPECT_EQ(Hash("\x21\x43\x65\x87", 0), 0xF55B516Bu);
  EXPECT_EQ(Hash("\x21\x43\x65\x87", 0x5082EDEE), 0x2362F9DEu);
  EXPECT_EQ(Hash("\x21\x43\x65", 0), 0x7E4A8634u);
  EXPECT_EQ(Hash("\x21\x43", 0), 0xA0F7B07Au);
  EXPECT_EQ(Hash("\x21", 0), 0x72661CF4u);
  EXPECT_EQ(Hash("aaaa", 0x9747b28c), 0x5A97808Au);
  EXPECT_EQ(Hash("aaa", 0x9747b28c), 0x283E0130u);
  EXPECT_EQ(Hash("aa", 0x9747b28c), 0x5D211726u);
  EXPECT_EQ(Hash("a", 0x9747b28c), 0x7FA09EA6u);
  EXPECT_EQ(Hash("abcd", 0x9747b28c), 0xF0478627u);
  EXPECT_EQ(Hash("abc", 0x9747b28c), 0xC84A62DDu);
  EXPECT_EQ(Hash("ab", 0x9747b28c), 0x74875592u);
  EXPECT_EQ(Hash("Hello, world!", 0x9747b28c), 0x24884CBAu);
  EXPECT_EQ(Hash("The quick brown fox jumps over the lazy dog", 0x9747b28c), 0x2FA826CDu);
}

// scikit-learn's own test values for sklearn.utils.murmurhash3_32.
TEST(MurmurHash3, ReadAsSignedMatchesScikitLearn) {
  EXPECT_EQ(int32_t(Hash("foo", 0)), -156908512);
  EXPECT_EQ(Hash("foo", 0), 4138058784u);
}

}  // namespace
}  // namespace outcore::transform
