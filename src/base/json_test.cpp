#include "base/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace outcore {
namespace {

std::string Json(std::string_view value) {
  std::string out;
  AppendJsonString(&out, value);
  return out;
}

TEST(AppendJsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Json(std::string("a\"b\\c\nd\te\x01\x1f", 12)),
            "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u0000\"");  // the NUL too
  EXPECT_EQ(Json("\r\b\f"), "\"\\r\\b\\f\"");
}

TEST(AppendJsonString, KeepsValidUtf8) {
  EXPECT_EQ(Json("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  EXPECT_EQ(Json(""), "\"\"");
}

// The text \xNN, as Python's bytes.decode("utf-8", "backslashreplace") gives:
// b"bad\xff".decode(..) == "bad\\xff", which JSON spells "bad\\\\xff".
TEST(AppendJsonString, WritesAStrayByteAsBackslashXLikePython) {
  EXPECT_EQ(Json("bad\xFF"), "\"bad\\\\xff\"");
  // Only the stray bytes: the valid é around them stays a character.
  EXPECT_EQ(Json("\xC3\xA9\xE9z\xC3\xA9"), "\"\xC3\xA9\\\\xe9z\xC3\xA9\"");
  // A truncated sequence: each of its bytes (b"\xe2\x82a" -> "\\xe2\\x82a").
  EXPECT_EQ(Json("\xE2\x82"
                 "a"),
            "\"\\\\xe2\\\\x82a\"");
  // An overlong form and a surrogate are not characters either.
  EXPECT_EQ(Json("\xC0\xAF"), "\"\\\\xc0\\\\xaf\"");
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"\\\\xed\\\\xa0\\\\x80\"");
  // A stray byte next to a control and a quote: both escapes, in order.
  EXPECT_EQ(Json("\x80\n\"\xFE"), "\"\\\\x80\\n\\\"\\\\xfe\"");
}

TEST(JsonWriter, PlacesCommasInNestedObjectsAndArrays) {
  JsonWriter j;
  j.BeginObject();
  j.Key("a").UInt(1);
  j.Key("b").BeginArray().Int(-2).BeginObject().Key("c").Bool(true).Key("d").Null().EndObject().EndArray();
  j.Key("e").BeginObject().EndObject();
  j.Key("f").BeginArray().EndArray();
  j.Key("g").String("x");
  j.EndObject();
  EXPECT_EQ(j.str(), R"({"a":1,"b":[-2,{"c":true,"d":null}],"e":{},"f":[],"g":"x"})");
}

TEST(JsonWriter, EscapesKeysAsStrings) {
  JsonWriter j;
  j.BeginObject().Key("a\"b\xFF").UInt(0).EndObject();
  EXPECT_EQ(j.str(), "{\"a\\\"b\\\\xff\":0}");
}

TEST(JsonWriter, NumbersReadBackAsTheSameFloat) {
  JsonWriter j;
  j.BeginArray().Number(0).Number(2).Number(0.1).Number(-1.5).Number(1.0 / 3).Number(0.0006);
  j.Number(1e15).Number(1e16).Number(1e-5).Number(-2.5e-300).EndArray();
  // As Python's repr: [0.0, 2.0, 0.1, -1.5, 1/3, 0.0006, 1e15, 1e16, 1e-05, -2.5e-300]
  EXPECT_EQ(j.str(), "[0.0,2.0,0.1,-1.5,0.3333333333333333,0.0006,1000000000000000.0,1e+16,1e-05,-2.5e-300]");
}

TEST(JsonWriter, NonFiniteNumbersAreNull) {
  JsonWriter j;
  j.BeginArray().Number(std::nan("")).Number(std::numeric_limits<double>::infinity()).Number(1).EndArray();
  EXPECT_EQ(j.str(), "[null,null,1.0]");
}

TEST(JsonWriter, IntegersKeepEveryDigit) {
  JsonWriter j;
  j.BeginArray()
      .UInt(std::numeric_limits<uint64_t>::max())
      .Int(std::numeric_limits<int64_t>::min())
      .EndArray();
  EXPECT_EQ(j.str(), "[18446744073709551615,-9223372036854775808]");
}

TEST(JsonWriter, StringOrNullWritesNullForEmpty) {
  JsonWriter j;
  j.BeginArray().StringOrNull("").StringOrNull("r.csv").EndArray();
  EXPECT_EQ(j.str(), R"([null,"r.csv"])");
}

}  // namespace
}  // namespace outcore
