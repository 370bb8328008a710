#include "format/manifest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace outcore::format {
namespace {

Manifest TwoParts() {
  Manifest m;
  m.schema = {{"id", TypeId::kInt64}, {"price", TypeId::kFloat64}, {"topic", TypeId::kString}};
  for (int p = 0; p < 2; ++p) {
    ManifestPart part;
    part.file = "part-0000" + std::to_string(p) + ".oc";
    part.rows = 100 + uint64_t(p);
    part.chunks = 2;
    part.file_size = 4096;
    part.columns.resize(3);
    part.columns[0].has_min_max = true;
    part.columns[0].min_int = p * 100;
    part.columns[0].max_int = p * 100 + 99;
    part.columns[1].null_count = 7;
    part.columns[2].has_min_max = true;
    part.columns[2].min_string = "apple";
    part.columns[2].max_string = p ? "zebra" : "pear";
    m.parts.push_back(part);
  }
  return m;
}

std::string Bytes(const Manifest& m) {
  Buffer out;
  SerializeManifest(m, &out);
  return std::string(out.view());
}

TEST(Manifest, RoundTripsSchemaPartsAndStatistics) {
  Manifest back;
  ASSERT_TRUE(ParseManifest(Bytes(TwoParts()), "m", &back).ok());
  ASSERT_EQ(back.schema.size(), 3u);
  EXPECT_EQ(back.schema[2].name, "topic");
  EXPECT_EQ(back.schema[2].type, TypeId::kString);
  ASSERT_EQ(back.parts.size(), 2u);
  EXPECT_EQ(back.parts[1].file, "part-00001.oc");
  EXPECT_EQ(back.parts[1].rows, 101u);
  EXPECT_EQ(back.num_rows(), 201u);
  EXPECT_EQ(back.parts[1].columns[0].min_int, 100);
  EXPECT_EQ(back.parts[1].columns[0].max_int, 199);
  EXPECT_EQ(back.parts[0].columns[1].null_count, 7u);
  EXPECT_FALSE(back.parts[0].columns[1].has_min_max);
  EXPECT_EQ(back.parts[1].columns[2].max_string, "zebra");
  // What a reader charges for it grows with the parts and their statistics.
  Manifest one = back;
  one.parts.resize(1);
  one.parts.shrink_to_fit();
  EXPECT_GT(back.MemoryBytes(), one.MemoryBytes() + 3 * sizeof(ZoneMap));
}

TEST(Manifest, EveryTruncationIsACorruptionNamingTheManifest) {
  const std::string bytes = Bytes(TwoParts());
  for (size_t size = 0; size < bytes.size(); ++size) {
    Manifest back;
    Status s = ParseManifest(std::string_view(bytes).substr(0, size), "logs.ocd/_manifest.ocm", &back);
    ASSERT_FALSE(s.ok()) << size;
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << size;
    EXPECT_NE(s.message().find("logs.ocd/_manifest.ocm"), std::string::npos) << s.message();
  }
}

TEST(Manifest, AFlippedByteFailsTheChecksum) {
  std::string bytes = Bytes(TwoParts());
  bytes[40] ^= 1;
  Manifest back;
  Status s = ParseManifest(bytes, "m", &back);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.message();
}

TEST(Manifest, ForeignBytesAndNewerVersionsAreRefusedSayingWhat) {
  Manifest back;
  std::string bytes = Bytes(TwoParts());
  std::string foreign = bytes;
  foreign[0] = 'X';
  EXPECT_NE(ParseManifest(foreign, "m", &back).message().find("not an outcore part manifest"),
            std::string::npos);
  std::string newer = bytes;
  newer[8] = 9;
  EXPECT_NE(ParseManifest(newer, "m", &back).message().find("version 9"), std::string::npos);
}

TEST(Manifest, HostileCountsAndNamesAreRefusedBeforeTheyAreUsed) {
  Manifest m = TwoParts();
  m.parts[1].file = "../escape.oc";
  Manifest back;
  Status s = ParseManifest(Bytes(m), "m", &back);
  EXPECT_NE(s.message().find("not a file inside the folder"), std::string::npos) << s.message();
  m = TwoParts();
  m.parts[1].file = m.parts[0].file;
  EXPECT_NE(ParseManifest(Bytes(m), "m", &back).message().find("named twice"), std::string::npos);
  m = TwoParts();
  m.parts[0].columns[1].null_count = 1000;
  EXPECT_NE(ParseManifest(Bytes(m), "m", &back).message().find("more nulls"), std::string::npos);
  m = TwoParts();
  m.parts[0].chunks = 0;
  EXPECT_NE(ParseManifest(Bytes(m), "m", &back).message().find("claims 100 rows in 0 chunks"),
            std::string::npos);
}

TEST(Manifest, WritesAtomicallyAndReadsBack) {
  const std::string folder =
      (std::filesystem::temp_directory_path() / ("manifest_test_" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(folder);
  auto missing = ReadManifest(folder);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("without a part manifest"), std::string::npos);
  ASSERT_TRUE(WriteManifest(folder, TwoParts()).ok());
  auto read = ReadManifest(folder);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->parts.size(), 2u);
  // Only the manifest is left: no temporary beside it.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
  std::filesystem::resize_file(ManifestPath(folder), 20);
  auto truncated = ReadManifest(folder);
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos)
      << truncated.status().message();
  std::filesystem::remove_all(folder);
}

TEST(CheckPartSchema, NamesThePartTheColumnAndBothTypes) {
  Manifest m = TwoParts();
  FileMetadata part;
  part.columns.resize(3);
  part.columns[0].name = "id";
  part.columns[0].type = TypeId::kInt64;
  part.columns[1].name = "price";
  part.columns[1].type = TypeId::kString;
  part.columns[2].name = "topic";
  part.columns[2].type = TypeId::kString;
  Status s = CheckPartSchema(m, part, "part-00002.oc");
  ASSERT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      s.message().find("part-00002.oc: column 'price' is string, the data set's parts have it as float64"),
      std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("first part: part-00000.oc"), std::string::npos);
  part.columns[1].type = TypeId::kFloat64;
  EXPECT_TRUE(CheckPartSchema(m, part, "p").ok());
  std::swap(part.columns[1], part.columns[2]);
  EXPECT_NE(CheckPartSchema(m, part, "p").message().find("a different order"), std::string::npos);
  std::swap(part.columns[1], part.columns[2]);
  part.columns.pop_back();
  EXPECT_NE(CheckPartSchema(m, part, "p").message().find("column 'topic' is missing"), std::string::npos);
}

}  // namespace
}  // namespace outcore::format
