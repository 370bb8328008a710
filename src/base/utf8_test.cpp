#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace outcore {
namespace {

// Encodes a code point the plain way, without validation, to build test cases.
std::string Encode(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
  return out;
}

TEST(Utf8, AcceptsAsciiAndWellFormedSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii text that is longer than eight bytes"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
}

TEST(Utf8, AcceptsEveryScalarValueAndRejectsSurrogates) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x20000 ? 1 : 97)) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(IsValidUtf8("ab" + Encode(cp) + "cdefghij"), !surrogate) << std::hex << cp;
  }
  EXPECT_TRUE(IsValidUtf8(Encode(0x10FFFF)));
  EXPECT_FALSE(IsValidUtf8(Encode(0x110000)));
}

TEST(Utf8, RejectsOverlongsStraysAndTruncation) {
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));  // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xC1\xBF"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\xAF"));  // overlong 4-byte
  EXPECT_FALSE(IsValidUtf8("\x80"));              // stray continuation
  EXPECT_FALSE(IsValidUtf8("abc\xC3"));           // truncated at the end
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x9F\x98"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));  // bad continuation
  EXPECT_FALSE(IsValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("12345678\xFE"));  // after the 8-byte fast path
}

TEST(Utf8, InvalidOffsetPointsAtTheFirstBadByte) {
  EXPECT_EQ(InvalidUtf8Offset(""), 0u);
  EXPECT_EQ(InvalidUtf8Offset("abc"), 3u);
  EXPECT_EQ(InvalidUtf8Offset("ab\xE9z"), 2u);  // latin-1 e-acute
  EXPECT_EQ(InvalidUtf8Offset("caf\xC3\xA9 and then J\xE9r"),
            16u);                                   // after a valid sequence and the fast path
  EXPECT_EQ(InvalidUtf8Offset("abc\xE2\x82"), 3u);  // truncated: where the sequence starts
}

}  // namespace
}  // namespace outcore
