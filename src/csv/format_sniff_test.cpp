#include "csv/format_sniff.h"

#include <gtest/gtest.h>

#include <string>

namespace outcore {
namespace {

std::string Message(std::string_view head, std::string_view compression = "") {
  return CheckLooksLikeCsv(head, "in.dat", compression).message();
}

TEST(LooksLikeJson, RecognisesDocumentsAndLines) {
  EXPECT_EQ(LooksLikeJson(R"([{"a": 1, "b": "x"}, {"a": 2, "b": null}])"), JsonShape::kDocument);
  EXPECT_EQ(LooksLikeJson("{\n  \"rows\": [1, 2.5e3, -4, true, false, null]\n}\n"), JsonShape::kDocument);
  EXPECT_EQ(LooksLikeJson("\xEF\xBB\xBF  [\n  [1, 2],\n  [3, 4]\n]"), JsonShape::kDocument);
  EXPECT_EQ(LooksLikeJson("{\"a\":1,\"s\":\"q\\\"uote\"}\n{\"a\":2,\"s\":\"\\u00e9\"}\n"), JsonShape::kLines);
  EXPECT_EQ(LooksLikeJson("[1,2]\n[3,4]\n"), JsonShape::kLines);
  EXPECT_EQ(LooksLikeJson("{\"x\": NaN, \"y\": -Infinity}\n"), JsonShape::kDocument);  // Python's json.dumps
}

TEST(LooksLikeJson, AcceptsAValueCutWhereTheHeadEnds) {
  const std::string lines = "{\"id\": 1, \"name\": \"alpha\"}\n{\"id\": 2, \"name\": \"be";
  EXPECT_EQ(LooksLikeJson(lines), JsonShape::kLines);
  EXPECT_EQ(LooksLikeJson("[{\"id\": 12"), JsonShape::kDocument);
  EXPECT_EQ(LooksLikeJson("[{\"flag\": tr"), JsonShape::kDocument);
}

TEST(LooksLikeJson, NeverRefusesACsvThatStartsWithABracket) {
  EXPECT_EQ(LooksLikeJson("[id],name\n1,a\n"), JsonShape::kNotJson);
  EXPECT_EQ(LooksLikeJson("{id},{name}\n1,2\n"), JsonShape::kNotJson);
  EXPECT_EQ(LooksLikeJson("{\"a\":1},2\n{\"a\":2},3\n"), JsonShape::kNotJson);  // a JSON first column
  EXPECT_EQ(LooksLikeJson("[1]\n5,6\n"), JsonShape::kNotJson);
  EXPECT_EQ(LooksLikeJson("[a\tb]\tc\n"), JsonShape::kNotJson);
  EXPECT_EQ(LooksLikeJson("[\"a\",\"b\"];x\n1;2\n"), JsonShape::kNotJson);
  EXPECT_EQ(LooksLikeJson("{\"a\n\":1}"), JsonShape::kNotJson);  // a raw newline inside a string
  EXPECT_EQ(LooksLikeJson("["), JsonShape::kNotJson);            // nothing inside the bracket
  EXPECT_EQ(LooksLikeJson("id,value\n1,[2]\n"), JsonShape::kNotJson);
  EXPECT_EQ(LooksLikeJson(""), JsonShape::kNotJson);
}

TEST(CheckLooksLikeCsv, AcceptsCsv) {
  EXPECT_TRUE(CheckLooksLikeCsv("a,b\n1,2\n", "x.csv", "").ok());
  EXPECT_TRUE(CheckLooksLikeCsv("", "x.csv", "").ok());
  EXPECT_TRUE(CheckLooksLikeCsv("PAR,value\n1,2\n", "x.csv", "").ok());  // not the whole magic
  EXPECT_TRUE(CheckLooksLikeCsv("PAR1,PAR2\n1,2\n", "x.csv", "").ok());  // the magic, then text
  EXPECT_TRUE(CheckLooksLikeCsv("FEA1;ARROW1\n1;2\n", "x.csv", "").ok());
  std::string spanish(400, 'a');
  spanish.replace(256 - 6, 7, "gustar ");  // after "frase\n": "ustar " at byte 257, in text
  EXPECT_TRUE(CheckLooksLikeCsv("frase\n" + spanish + "\n", "x.csv", "").ok());
  EXPECT_TRUE(CheckLooksLikeCsv("[id],name\n1,a\n", "x.csv", "").ok());
}

TEST(CheckLooksLikeCsv, RefusesColumnarAndOfficeFormatsByMagic) {
  struct Case {
    std::string head, says;
  };
  const Case cases[] = {
      {std::string("PAR1\x15\x04\x15", 7), "in.dat is a Parquet file, not CSV: convert it"},
      {std::string("ARROW1\0\0\xff\xff", 10), "in.dat is an Arrow IPC / Feather file, not CSV"},
      {std::string("FEA1\0\0\0\0", 8), "in.dat is an Arrow IPC / Feather file, not CSV"},
      {std::string("\xff\xff\xff\xff\x78\0\0\0\x10\0", 10), "in.dat is an Arrow IPC stream, not CSV"},
      {std::string("OUTCORE\0\1\0\0\0", 12), "in.dat is an outcore .oc file already, not CSV"},
      {std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0", 10), "in.dat is an Excel .xls workbook"},
  };
  for (const Case& c : cases) {
    Status status = CheckLooksLikeCsv(c.head, "in.dat", "");
    ASSERT_FALSE(status.ok()) << c.says;
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(c.says), std::string::npos) << status.message();
  }
  EXPECT_NE(Message(cases[0].head).find("pl.read_parquet('in.dat')"), std::string::npos);
}

TEST(CheckLooksLikeCsv, RefusesATarArchiveAndSaysWhatItWasCompressedWith) {
  std::string tar(512, '\0');
  tar.replace(0, 8, "data.csv");
  tar.replace(257, 6, std::string("ustar\0", 6));
  EXPECT_NE(
      Message(tar, "gzip").find("in.dat, once decompressed (gzip), is a tar archive, not CSV: extract it"),
      std::string::npos)
      << Message(tar, "gzip");
}

TEST(CheckLooksLikeCsv, RefusesJsonWithAConversionHint) {
  EXPECT_NE(Message("{\"a\":1}\n{\"a\":2}\n").find("in.dat is JSON lines (one JSON value per line), not CSV"),
            std::string::npos);
  EXPECT_NE(Message("{\"a\":1}\n{\"a\":2}\n").find("pl.read_ndjson('in.dat')"), std::string::npos);
  EXPECT_NE(
      Message("[{\"a\":1}]", "zstd").find("in.dat, once decompressed (zstd), is a JSON document, not CSV"),
      std::string::npos);
}

}  // namespace
}  // namespace outcore
