#include "base/byte_io.h"

#include <gtest/gtest.h>

#include <string>

namespace outcore {
namespace {

// The smallest sink ByteWriter accepts; base cannot use memory's Buffer.
struct StringSink {
  std::string bytes;
  void Append(const void* data, size_t n) { bytes.append(static_cast<const char*>(data), n); }
  void Resize(size_t n) { bytes.resize(n); }
  uint8_t* data() { return reinterpret_cast<uint8_t*>(bytes.data()); }
  size_t size() const { return bytes.size(); }
};

TEST(ByteWriter, AppendsLittleEndianFieldsAfterPriorContents) {
  StringSink sink{"ab"};
  ByteWriter writer(&sink);
  writer.U8(0x01);
  writer.U32(0x05040302);
  writer.U64(0x0d0c0b0a09080706);
  writer.Str("xy");
  EXPECT_EQ(sink.bytes, std::string("ab\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"
                                    "\x02\x00\x00\x00xy",
                                    2 + 1 + 4 + 8 + 4 + 2));
  EXPECT_EQ(writer.size(), sink.bytes.size());
}

TEST(ByteWriter, PatchesAPlaceholderAndExtendsInPlace) {
  StringSink sink;
  ByteWriter writer(&sink);
  const size_t at = writer.PlaceholderU64();
  uint8_t* grown = writer.Extend(3);
  grown[0] = 'a', grown[1] = 'b', grown[2] = 'c';
  writer.PatchU64(at, 3);
  ASSERT_EQ(sink.size(), 11u);
  EXPECT_EQ(LoadLE<uint64_t>(sink.data()), 3u);
  EXPECT_EQ(sink.bytes.substr(8), "abc");
}

TEST(ByteReader, ReadsBackWhatTheWriterWrote) {
  StringSink sink;
  ByteWriter writer(&sink);
  writer.U8(7);
  writer.U32(70000);
  writer.U64(uint64_t(1) << 40);
  writer.I64(-5);
  writer.F64(2.5);
  writer.Str("name");
  ByteReader reader(sink.bytes);
  uint8_t u8;
  uint32_t u32;
  uint64_t u64;
  int64_t i64;
  double f64;
  std::string s;
  ASSERT_TRUE(reader.U8(&u8) && reader.U32(&u32) && reader.U64(&u64) && reader.I64(&i64) &&
              reader.F64(&f64) && reader.Str(&s, 16));
  EXPECT_EQ(u8, 7);
  EXPECT_EQ(u32, 70000u);
  EXPECT_EQ(u64, uint64_t(1) << 40);
  EXPECT_EQ(i64, -5);
  EXPECT_EQ(f64, 2.5);
  EXPECT_EQ(s, "name");
  EXPECT_EQ(reader.remaining(), 0u);
  EXPECT_TRUE(reader.ExpectEnd().ok());
}

TEST(ByteReader, AShortReadFailsWithoutMoving) {
  ByteReader reader(std::string_view("\x01\x02\x03", 3));
  uint32_t u32;
  EXPECT_FALSE(reader.U32(&u32));
  EXPECT_EQ(reader.offset(), 0u);
  std::string_view bytes;
  EXPECT_FALSE(reader.Bytes(&bytes, 4));
  ASSERT_TRUE(reader.Bytes(&bytes, 3));
  EXPECT_EQ(bytes, std::string_view("\x01\x02\x03", 3));
}

TEST(ByteReader, AStringLongerThanItsLimitOrTheBytesIsRefused) {
  StringSink sink;
  ByteWriter writer(&sink);
  writer.Str("abcdef");
  std::string s;
  EXPECT_FALSE(ByteReader(sink.bytes).Str(&s, 5));
  EXPECT_FALSE(ByteReader(std::string_view(sink.bytes).substr(0, 8)).Str(&s, 16));
  EXPECT_TRUE(s.empty());
}

TEST(ByteReader, TheStatusFormNamesTheFieldTheOffsetAndThePayload) {
  ByteReader reader(std::string_view("\x01\x02\x03", 3), "column payload");
  uint8_t u8;
  uint32_t u32;
  ASSERT_TRUE(reader.U8("encoding", &u8).ok());
  Status short_read = reader.U32("entry count", &u32);
  ASSERT_FALSE(short_read.ok());
  EXPECT_EQ(short_read.code(), StatusCode::kCorruption);
  EXPECT_NE(
      short_read.message().find("column payload truncated: field 'entry count' needs 4 bytes at offset 1 "
                                "but only 2 remain"),
      std::string::npos)
      << short_read.message();
  const uint8_t* bytes = nullptr;
  EXPECT_FALSE(reader.Bytes("entry bytes", 3, &bytes).ok());
  EXPECT_NE(reader.ExpectEnd().message().find("2 unexpected trailing bytes after offset 1"),
            std::string::npos);
  ASSERT_TRUE(reader.Bytes("entry bytes", 2, &bytes).ok());
  EXPECT_EQ(bytes[1], 0x03);
  EXPECT_TRUE(reader.ExpectEnd().ok());
}

TEST(LoadLE, ReadsAnUnalignedField) {
  const uint8_t bytes[] = {0xff, 0x01, 0x00, 0x00, 0x80};
  EXPECT_EQ(LoadLE<uint32_t>(bytes + 1), 0x80000001u);
}

}  // namespace
}  // namespace outcore
