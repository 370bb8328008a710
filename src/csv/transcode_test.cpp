#include "csv/transcode.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "csv/temp_dir_test_util.h"

namespace outcore {
namespace {

// Encoders written here from the Unicode definitions, independent of iconv,
// so a test would catch iconv being driven wrongly.
std::string Utf8(const std::u32string& text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out += char(c);
    } else if (c < 0x800) {
      out += char(0xC0 | (c >> 6));
      out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += char(0xE0 | (c >> 12));
      out += char(0x80 | ((c >> 6) & 0x3F));
      out += char(0x80 | (c & 0x3F));
    } else {
      out += char(0xF0 | (c >> 18));
      out += char(0x80 | ((c >> 12) & 0x3F));
      out += char(0x80 | ((c >> 6) & 0x3F));
      out += char(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::string Utf16(const std::u32string& text, bool big_endian) {
  std::string out;
  auto unit = [&](uint32_t u) {
    const char high = char(u >> 8), low = char(u & 0xFF);
    out += big_endian ? high : low;
    out += big_endian ? low : high;
  };
  for (char32_t c : text) {
    if (c < 0x10000) {
      unit(uint32_t(c));
    } else {
      const uint32_t v = uint32_t(c) - 0x10000;
      unit(0xD800 + (v >> 10));
      unit(0xDC00 + (v & 0x3FF));
    }
  }
  return out;
}

// Letters from one, two, three and four byte UTF-8 (a surrogate pair in UTF-16).
std::u32string SampleText(size_t rows) {
  std::u32string text = U"name,city\n";
  for (size_t row = 0; row < rows; ++row) {
    text += U"Jos\u00E9 " + std::u32string(1, char32_t('a' + row % 26)) + U",\u5317\u4EAC \U0001F600\n";
  }
  return text;
}

class TranscodeTest : public testutil::TempDirTest {
 protected:
  // Opens `bytes` as a file and decodes it; *description gets what was chosen.
  Result<std::unique_ptr<ByteSource>> Decode(const std::string& bytes, std::string_view encoding,
                                             std::string* description = nullptr) {
    OC_ASSIGN_OR_RETURN(auto raw, OpenByteSource(Write("in.csv", bytes), &budget_));
    return DecodeToUtf8(std::move(raw), encoding, &budget_, description);
  }

  // Everything, in reads of `chunk` bytes; every read but the last must be full.
  static Result<std::string> ReadAll(ByteSource* source, size_t chunk) {
    std::string all, buf(chunk, '\0');
    while (true) {
      OC_ASSIGN_OR_RETURN(size_t got, source->Read(buf.data(), chunk));
      all.append(buf.data(), got);
      if (got < chunk) {
        OC_ASSIGN_OR_RETURN(size_t after, source->Read(buf.data(), chunk));
        if (after != 0) return Status::Corruption("a short read before the end");
        return all;
      }
    }
  }

  MemoryBudget budget_{1 << 30};
};

TEST(SniffEncoding, ReadsEachByteOrderMark) {
  EXPECT_EQ(SniffEncoding("\xEF\xBB\xBF"
                          "a,b")
                .bom_encoding,
            "utf-8");
  EXPECT_EQ(SniffEncoding(std::string("\xFF\xFE"
                                      "a\0",
                                      4))
                .bom_encoding,
            "utf-16le");
  EXPECT_EQ(SniffEncoding(std::string("\xFE\xFF\0a", 4)).bom_encoding, "utf-16be");
  EXPECT_EQ(SniffEncoding(std::string("\xFF\xFE\0\0a\0\0\0", 8)).bom_encoding, "utf-32le");
  EXPECT_EQ(SniffEncoding(std::string("\0\0\xFE\xFF", 4)).bom_encoding, "utf-32be");
  EXPECT_EQ(SniffEncoding(std::string("\xFF\xFE"
                                      "a\0",
                                      4))
                .bom_bytes,
            2u);
  EXPECT_EQ(SniffEncoding("a,b\n1,2\n").bom_encoding, "");
}

TEST(SniffEncoding, SpotsUtf16WithoutABomByItsNuls) {
  const std::u32string text = U"id,name\n1,x\n";
  EXPECT_EQ(SniffEncoding(Utf16(text, false)).nul_pattern, "utf-16le");
  EXPECT_EQ(SniffEncoding(Utf16(text, true)).nul_pattern, "utf-16be");
  EXPECT_EQ(SniffEncoding("id,name\n1,x\n").nul_pattern, "");
  EXPECT_EQ(SniffEncoding("Jos\xE9,M\xFCnchen\n").nul_pattern, "");  // latin-1 has no NULs
}

TEST(NormalizeEncodingName, TakesPythonSpellingsAndNamesTheUnknownOne) {
  EXPECT_EQ(*NormalizeEncodingName("", "--encoding"), "");
  EXPECT_EQ(*NormalizeEncodingName("utf-8-sig", "--encoding"), "UTF-8");
  EXPECT_TRUE(NormalizeEncodingName("latin-1", "--encoding").ok());
  EXPECT_TRUE(NormalizeEncodingName("utf_16_le", "--encoding").ok());
  EXPECT_TRUE(NormalizeEncodingName("CP1252", "--encoding").ok());
  EXPECT_EQ(*NormalizeEncodingName("mac_roman", "--encoding"), "MACINTOSH");
  auto bad = NormalizeEncodingName("klingon-8", "encoding");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("encoding: unknown encoding 'klingon-8'"), std::string::npos)
      << bad.status().message();
}

// Issue 10, item 4: UTF-16 files (Excel "Unicode text") came in as NUL-riddled
// garbage; the BOM was not looked at.
TEST_F(TranscodeTest, Issue10Utf16WithBomBecomesUtf8) {
  const std::u32string text = SampleText(20000);  // past one input buffer: refills split characters
  for (bool big_endian : {false, true}) {
    const std::string bom = big_endian ? "\xFE\xFF" : "\xFF\xFE";
    std::string description;
    auto source = Decode(bom + Utf16(text, big_endian), "", &description);
    ASSERT_TRUE(source.ok()) << source.status().message();
    EXPECT_EQ(description, big_endian ? "utf-16be (byte order mark)" : "utf-16le (byte order mark)");
    auto all = ReadAll(source->get(), 1 << 16);
    ASSERT_TRUE(all.ok()) << all.status().message();
    EXPECT_EQ(*all, Utf8(text));
  }
}

TEST_F(TranscodeTest, ReadsSplitInsideACharacterStillFillTheBuffer) {
  const std::u32string text = SampleText(50);
  for (size_t chunk : {1, 2, 3, 5, 7}) {
    auto source = Decode("\xFF\xFE" + Utf16(text, false), "");
    ASSERT_TRUE(source.ok()) << source.status().message();
    auto all = ReadAll(source->get(), chunk);
    ASSERT_TRUE(all.ok()) << all.status().message();
    EXPECT_EQ(*all, Utf8(text)) << "reads of " << chunk;
  }
}

TEST_F(TranscodeTest, Utf16WithoutBomIsAnErrorThatSuggestsTheEncoding) {
  const std::u32string text = U"id,name\n1,x\n";
  auto source = Decode(Utf16(text, false), "");
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.status().message().find("in.csv looks like utf-16le"), std::string::npos);
  EXPECT_NE(source.status().message().find("--encoding utf-16le"), std::string::npos);

  for (std::string_view asked : {"utf-16le", "utf-16"}) {
    source = Decode(Utf16(text, false), asked);
    ASSERT_TRUE(source.ok()) << source.status().message();
    EXPECT_EQ(*ReadAll(source->get(), 4096), Utf8(text)) << asked;
  }
  source = Decode(Utf16(text, true), "utf-16");  // byte order from the NULs
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(*ReadAll(source->get(), 4096), Utf8(text));
}

// Issue 10, item 5: latin-1 / cp1252 files had no --encoding.
TEST_F(TranscodeTest, Issue10Latin1AndCp1252AreTranscoded) {
  const std::string bytes =
      "name,price\nJos\xE9,\x80 5\n";  // 0x80: U+0080 in latin-1, the euro sign in cp1252
  std::string description;
  auto latin1 = Decode(bytes, "latin-1", &description);
  ASSERT_TRUE(latin1.ok()) << latin1.status().message();
  EXPECT_EQ(description, "latin-1");
  EXPECT_EQ(*ReadAll(latin1->get(), 4096), Utf8(U"name,price\nJos\u00E9,\u0080 5\n"));
  auto cp1252 = Decode(bytes, "cp1252");
  ASSERT_TRUE(cp1252.ok()) << cp1252.status().message();
  EXPECT_EQ(*ReadAll(cp1252->get(), 4096), Utf8(U"name,price\nJos\u00E9,\u20AC 5\n"));
}

TEST_F(TranscodeTest, InvalidSequenceNamesThePathAndByteOffset) {
  // 0x81 is not a cp1252 character.
  auto source = Decode("a,b\n1,x\x81y\n", "cp1252");
  ASSERT_TRUE(source.ok());
  auto all = ReadAll(source->get(), 4096);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.status().message().find("in.csv: byte offset 7 (0x81)"), std::string::npos)
      << all.status().message();
  EXPECT_NE(all.status().message().find("not valid cp1252"), std::string::npos);

  // A lone low surrogate in UTF-16LE, after the BOM and "a,b\n" (2 + 8 bytes).
  source = Decode(std::string("\xFF\xFE") + Utf16(U"a,b\n", false) + std::string("\x00\xDC", 2), "");
  ASSERT_TRUE(source.ok());
  all = ReadAll(source->get(), 4096);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.status().message().find("byte offset 10"), std::string::npos) << all.status().message();
}

TEST_F(TranscodeTest, TextEndingInsideACharacterIsAnError) {
  auto source = Decode("\xFF\xFE" + Utf16(U"a,b\n", false) + "x", "");  // an odd byte count
  ASSERT_TRUE(source.ok());
  auto all = ReadAll(source->get(), 4096);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.status().message().find("ends inside a utf-16le character at byte offset 10"),
            std::string::npos)
      << all.status().message();
}

TEST_F(TranscodeTest, Utf8PassesThroughUntouchedBomIncluded) {
  const std::string bytes = "\xEF\xBB\xBF" + Utf8(SampleText(3000));
  std::string description;
  auto source = Decode(bytes, "", &description);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(description, "utf-8 (byte order mark)");
  EXPECT_EQ(*ReadAll(source->get(), 1000), bytes);  // SkipBom drops the BOM later, as before
  source = Decode("Jos\xE9\n", "utf-8");            // asked for: passed through, invalid or not
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(*ReadAll(source->get(), 3), "Jos\xE9\n");
}

TEST_F(TranscodeTest, AByteOrderMarkWinsOverTheAskedEncoding) {
  std::string description;
  auto source = Decode("\xFF\xFE" + Utf16(U"a,\u00E9\n", false), "cp1252", &description);
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(description, "utf-16le (byte order mark)");
  EXPECT_EQ(*ReadAll(source->get(), 64), Utf8(U"a,\u00E9\n"));
}

TEST_F(TranscodeTest, TheInputBufferIsChargedToTheBudget) {
  const uint64_t before = budget_.used();
  {
    auto source = Decode("a,b\n1,x\n", "latin-1");
    ASSERT_TRUE(source.ok());
    EXPECT_GE(budget_.used() - before, uint64_t(256 << 10));
  }
  EXPECT_EQ(budget_.used(), before);
}

}  // namespace
}  // namespace outcore
