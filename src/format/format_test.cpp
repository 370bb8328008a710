#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "base/byte_io.h"
#include "format/file_reader.h"
#include "format/file_writer.h"

namespace outcore::format {
namespace {

namespace fs = std::filesystem;

// A file's metadata as a forger sees it: the footer and every chunk's metadata block.
struct Forged {
  FileMetadata footer;
  std::vector<ChunkMeta> chunks;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Rewrites `path`'s footer and chunk metadata blocks as `change` left them,
// every checksum recomputed, as a tool rewriting footers would. Chunk
// metadata blocks are rewritten in place (`change` keeps their sizes), for
// the chunks the directory still names.
void Forge(const std::string& path, const std::function<void(Forged*)>& change) {
  std::string bytes = ReadAll(path);
  uint64_t footer_offset, footer_length;
  std::memcpy(&footer_offset, bytes.data() + bytes.size() - kTrailerSize, 8);
  std::memcpy(&footer_length, bytes.data() + bytes.size() - kTrailerSize + 8, 8);
  Forged f;
  ASSERT_TRUE(
      ParseFooter(std::string_view(bytes).substr(footer_offset, footer_length), footer_offset, &f.footer)
          .ok());
  f.chunks.resize(f.footer.chunks.size());
  for (size_t c = 0; c < f.chunks.size(); ++c) {
    const BlockRef& b = f.footer.chunks[c].metadata;
    ASSERT_TRUE(ParseChunkMeta(std::string_view(bytes).substr(b.offset, b.stored_size), f.footer, c,
                               footer_offset, &f.chunks[c])
                    .ok());
  }
  change(&f);
  std::vector<TypeId> types;
  for (const ColumnMeta& column : f.footer.columns) types.push_back(column.type);
  for (size_t c = 0; c < f.footer.chunks.size() && c < f.chunks.size(); ++c) {
    BlockRef& b = f.footer.chunks[c].metadata;
    Buffer block;
    SerializeChunkMeta(f.chunks[c], types, &block);
    ASSERT_EQ(block.size(), b.stored_size) << "a forged chunk metadata block must keep its size";
    std::memcpy(bytes.data() + b.offset, block.data(), block.size());
    b.checksum = XXH3_64bits(block.data(), block.size());
  }
  Buffer footer;
  SerializeFooter(f.footer, &footer);
  bytes.resize(footer_offset);
  bytes.append(footer.view());
  const uint64_t trailer[3] = {footer_offset, footer.size(), XXH3_64bits(footer.data(), footer.size())};
  bytes.append(reinterpret_cast<const char*>(trailer), sizeof trailer);
  bytes.append(kMagic, sizeof kMagic);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

class FormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_format_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  size_t FilesIn() { return size_t(std::distance(fs::directory_iterator(dir_), fs::directory_iterator())); }

  // Writes a small file with two columns and two chunks; returns its metadata.
  Forged WriteSample(const std::string& path) {
    auto writer = FileWriter::Create(path);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    FileMetadata m;
    std::vector<ChunkMeta> chunks;
    m.columns.resize(2);
    m.columns[0].name = "id";
    m.columns[0].type = TypeId::kInt64;
    m.columns[1].name = "topic";
    m.columns[1].type = TypeId::kString;
    m.columns[1].has_dictionary = true;
    m.columns[1].dictionary_complete = true;
    m.columns[1].dictionary_entries = 2;
    for (int c = 0; c < 2; ++c) {
      ChunkMeta chunk;
      chunk.row_count = 10 + c;
      for (int col = 0; col < 2; ++col) {
        std::string bytes = "chunk" + std::to_string(c) + "col" + std::to_string(col);
        auto ref = (*writer)->AppendBlock(bytes, bytes.size(), kCodecNone);
        EXPECT_TRUE(ref.ok());
        ColumnChunkMeta cc;
        cc.block = *ref;
        cc.encoding = 3;
        cc.zone.has_min_max = true;
        cc.zone.min_int = -5 - c;
        cc.zone.max_int = 99;
        cc.zone.min_string = "food";
        cc.zone.max_string = "travel";
        cc.zone.null_count = uint64_t(col);
        chunk.columns.push_back(cc);
      }
      EXPECT_TRUE((*writer)->AppendChunk(chunk, std::vector<TypeId>{TypeId::kInt64, TypeId::kString}).ok());
      chunk.first_row = c == 0 ? 0 : 10;
      chunks.push_back(chunk);
    }
    auto dict = (*writer)->AppendBlock("foodtravel", 10, kCodecNone);
    m.columns[1].dictionary = *dict;
    m.ingest.rows_read = 25;
    m.ingest.rows_kept = 21;
    m.ingest.rows_rejected = 4;
    m.ingest.rejected_by_reason[0] = 3;
    m.ingest.rejected_by_reason[3] = 1;
    m.ingest.sources = {"a.csv", "b.csv.gz"};
    m.ingest.created_by = "outcore test";
    m.has_ingest_report = true;
    EXPECT_TRUE((*writer)->Finish(m).ok());
    m.chunks = (*writer)->chunks();
    m.num_rows = 21;
    return Forged{m, chunks};
  }

  fs::path dir_;
};

TEST_F(FormatTest, MetadataRoundTrips) {
  std::string path = Path("a.oc");
  WriteSample(path);
  auto reader = FileReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const FileMetadata& m = (*reader)->metadata();
  ASSERT_EQ(m.columns.size(), 2u);
  EXPECT_EQ(m.columns[1].name, "topic");
  EXPECT_TRUE(m.columns[1].dictionary_complete);
  EXPECT_EQ(m.num_rows, 21u);
  ASSERT_EQ(m.chunks.size(), 2u);
  EXPECT_EQ(m.chunks[1].first_row, 10u);
  EXPECT_EQ(m.chunks[1].row_count, 11u);
  ChunkMeta chunk;
  Buffer block;
  ASSERT_TRUE((*reader)->ReadChunk(1, &chunk, &block).ok());
  EXPECT_EQ(chunk.first_row, 10u);
  EXPECT_EQ(chunk.row_count, 11u);
  EXPECT_EQ(chunk.columns[0].zone.min_int, -6);
  EXPECT_EQ(chunk.columns[1].zone.max_string, "travel");
  EXPECT_EQ(chunk.columns[1].zone.null_count, 1u);
  EXPECT_EQ(m.ingest.rejected_by_reason[3], 1u);
  EXPECT_EQ(m.ingest.sources[1], "b.csv.gz");
  ASSERT_TRUE((*reader)->ReadBlock(chunk.columns[1].block, &block, "test").ok());
  EXPECT_EQ(block.view(), "chunk1col1");
  EXPECT_EQ(FilesIn(), 1u);  // no temporary left behind
}

TEST_F(FormatTest, UnfinishedWriterLeavesNothingAndKeepsTheOldFile) {
  std::string path = Path("keep.oc");
  WriteSample(path);
  auto before = fs::file_size(path);
  {
    auto writer = FileWriter::Create(path);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->AppendBlock("half", 4, kCodecNone).ok());
    EXPECT_EQ(FilesIn(), 2u);  // the temporary exists while writing
  }                            // destroyed without Finish: as after an error or Ctrl-C
  EXPECT_EQ(FilesIn(), 1u);
  EXPECT_EQ(fs::file_size(path), before);
  EXPECT_TRUE(FileReader::Open(path).ok());
}

// Issue 9, item 3: a sealed file is complete and synced but replaces nothing
// until the caller commits it (with the rejects file, in ingest).
TEST_F(FormatTest, Issue9ASealedWriterReplacesNothingUntilCommitted) {
  std::string path = Path("keep.oc");
  WriteSample(path);
  auto before = fs::file_size(path);
  auto writer = FileWriter::Create(path);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->AppendBlock("data", 4, kCodecNone).ok());
  ASSERT_TRUE((*writer)->Seal(FileMetadata{}).ok());
  EXPECT_EQ(fs::file_size(path), before);
  EXPECT_FALSE((*writer)->AppendBlock("late", 4, kCodecNone).ok());
  ASSERT_TRUE((*writer)->output()->Commit().ok());
  EXPECT_EQ(fs::file_size(path), (*writer)->bytes_written());  // the sealed file, whole
  EXPECT_EQ(FilesIn(), 1u);
}

// Issue 9, item 2: `-o /dev/null` replaced the device node with a regular file.
TEST_F(FormatTest, Issue9AWriterRefusesADevice) {
  auto writer = FileWriter::Create("/dev/null");
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.status().message().find("/dev/null is a character device"), std::string::npos)
      << writer.status().message();
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(FormatTest, CreateInAMissingFolderNamesIt) {
  auto writer = FileWriter::Create(Path("no/such/dir/x.oc"));
  ASSERT_FALSE(writer.ok());
  EXPECT_NE(writer.status().message().find("no/such/dir/x.oc"), std::string::npos);
}

TEST_F(FormatTest, EveryTruncationIsACleanError) {
  std::string path = Path("t.oc");
  WriteSample(path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::string cut = Path("cut.oc");
    std::ofstream(cut, std::ios::binary).write(bytes.data(), std::streamsize(len));
    auto reader = FileReader::Open(cut);
    ASSERT_FALSE(reader.ok()) << "truncated to " << len;
    EXPECT_NE(reader.status().message().find("cut.oc"), std::string::npos) << reader.status().ToString();
  }
}

TEST_F(FormatTest, FlippedBytesNeverCrashAndAreCaughtByChecksums) {
  std::string path = Path("f.oc");
  WriteSample(path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::mt19937 rng(7);
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    std::string bad = bytes;
    bad[pos] = char(bad[pos] ^ (1 + rng() % 255));
    std::string p = Path("bad.oc");
    std::ofstream(p, std::ios::binary).write(bad.data(), std::streamsize(bad.size()));
    auto reader = FileReader::Open(p);
    if (!reader.ok()) continue;  // header, footer or trailer damage: refused at open
    // Damage in a data block: open succeeds, the block read must fail its checksum.
    bool caught = false;
    for (size_t c = 0; c < (*reader)->metadata().chunks.size(); ++c) {
      ChunkMeta chunk;
      Buffer out;
      if (!(*reader)->ReadChunk(c, &chunk, &out).ok()) {
        caught = true;  // damage in a chunk metadata block
        continue;
      }
      for (const auto& cc : chunk.columns) {
        if (!(*reader)->ReadBlock(cc.block, &out, "chunk").ok()) caught = true;
      }
    }
    Buffer dict;
    if (!(*reader)->ReadBlock((*reader)->metadata().columns[1].dictionary, &dict, "dictionary").ok())
      caught = true;
    EXPECT_TRUE(caught) << "flip at byte " << pos << " went unnoticed";
  }
}

// Issue 9: a footer rewritten with a recomputed checksum passed every check
// though it dropped a chunk or pointed two parts at one block. Since format
// version 2 the column chunks' blocks are named in the chunk metadata blocks,
// checked when each is read.
class FooterLayoutTest : public FormatTest {
 protected:
  // The error opening a sample that `change` forged, then reading each
  // chunk's metadata; "read" when neither fails.
  std::string ReadError(const std::function<void(Forged*)>& change) {
    const std::string path = Path("rewritten.oc");
    WriteSample(path);
    Forge(path, change);
    auto reader = FileReader::Open(path);
    Status status = reader.status();
    for (size_t c = 0; status.ok() && c < (*reader)->metadata().chunks.size(); ++c) {
      ChunkMeta chunk;
      Buffer scratch;
      status = (*reader)->ReadChunk(c, &chunk, &scratch);
    }
    if (status.ok()) return "read";
    EXPECT_EQ(status.code(), StatusCode::kCorruption);
    EXPECT_NE(status.message().find(path), std::string::npos) << status.ToString();
    return status.message();
  }
};

TEST_F(FooterLayoutTest, AnUnchangedSampleReads) {
  EXPECT_EQ(ReadError([](Forged*) {}), "read");
}

TEST_F(FooterLayoutTest, Issue9ADroppedChunkIsRefused) {
  const std::string error = ReadError([](Forged* f) { f->footer.chunks.pop_back(); });
  EXPECT_NE(error.find("the chunks hold 10 rows but the ingest report kept 21"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, Issue9AChangedRowCountIsRefused) {
  const std::string error = ReadError([](Forged* f) { f->footer.chunks[0].row_count = 12; });
  EXPECT_NE(error.find("the chunks hold 23 rows"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, ARowCountTheChunkMetadataDisagreesWithIsRefused) {
  // The directory and the report agree (10 + 11 = 21 moved to 11 + 10), the chunks' own blocks do not.
  const std::string error = ReadError([](Forged* f) {
    f->footer.chunks[0].row_count = 11;
    f->footer.chunks[1].row_count = 10;
  });
  EXPECT_NE(error.find("metadata block of chunk 0: it holds 10 rows, the footer's directory 11"),
            std::string::npos)
      << error;
}

TEST_F(FooterLayoutTest, Issue9ReadRowsThatAreNotKeptPlusRejectedAreRefused) {
  const std::string error = ReadError([](Forged* f) { f->footer.ingest.rows_read = 30; });
  EXPECT_NE(error.find("rows read (30) are not kept (21) + rejected (4)"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, Issue9TwoChunksPointingAtOneBlockAreRefused) {
  const std::string error =
      ReadError([](Forged* f) { f->chunks[1].columns[0].block = f->chunks[0].columns[0].block; });
  EXPECT_NE(error.find("chunk 1 of column 'id'"), std::string::npos) << error;
  EXPECT_NE(error.find("lies outside bytes"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, TwoColumnsOfAChunkSharingABlockAreRefused) {
  const std::string error =
      ReadError([](Forged* f) { f->chunks[0].columns[1].block = f->chunks[0].columns[0].block; });
  EXPECT_NE(error.find("chunk 0 of column 'topic'"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, ChunkMetadataBlocksOutOfOrderAreRefused) {
  const std::string error =
      ReadError([](Forged* f) { std::swap(f->footer.chunks[0].metadata, f->footer.chunks[1].metadata); });
  EXPECT_NE(error.find("metadata block of chunk 1"), std::string::npos) << error;
  EXPECT_NE(error.find("does not follow the previous chunk's"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, Issue9AnIndexOverlappingAChunkIsRefused) {
  const std::string error = ReadError([](Forged* f) {
    IndexMeta index;
    index.column = 1;
    index.block = f->chunks[0].columns[1].block;
    index.block.offset += 2;  // inside chunk 0's block of 'topic'
    index.block.stored_size = index.block.decoded_size = 4;
    f->footer.indexes.push_back(index);
  });
  EXPECT_NE(error.find("blocks overlap: value index of column 'topic'"), std::string::npos) << error;
  EXPECT_NE(error.find("chunk 0 of column 'topic'"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, AnIndexOverlappingAChunkMetadataBlockIsRefused) {
  const std::string error = ReadError([](Forged* f) {
    IndexMeta index;
    index.column = 1;
    index.block = f->footer.chunks[1].metadata;
    index.block.offset += 1;
    index.block.stored_size = index.block.decoded_size = 4;
    f->footer.indexes.push_back(index);
  });
  EXPECT_NE(error.find("blocks overlap: value index of column 'topic'"), std::string::npos) << error;
  EXPECT_NE(error.find("metadata block of chunk 1"), std::string::npos) << error;
}

TEST_F(FooterLayoutTest, Issue9ADictionaryInsideAChunkBlockIsRefused) {
  const std::string error = ReadError([](Forged* f) {
    f->footer.columns[1].dictionary.offset = f->chunks[1].columns[1].block.offset + 1;
    f->footer.columns[1].dictionary.stored_size = f->footer.columns[1].dictionary.decoded_size = 3;
  });
  EXPECT_NE(error.find("dictionary of column 'topic'"), std::string::npos) << error;
  EXPECT_NE(error.find("chunk 1 of column 'topic'"), std::string::npos) << error;
}

TEST_F(FormatTest, AVersion1FileIsRefusedWithWhatToDo) {
  const std::string path = Path("old.oc");
  WriteSample(path);
  std::string bytes = ReadAll(path);
  const uint32_t version = 1;
  std::memcpy(bytes.data() + 8, &version, 4);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
  auto reader = FileReader::Open(path);
  ASSERT_FALSE(reader.ok());
  // Not "corrupt file": the file is sound, only older.
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument) << reader.status().ToString();
  EXPECT_NE(reader.status().message().find("format version 1 (written by an older outcore)"),
            std::string::npos)
      << reader.status().ToString();
  EXPECT_NE(reader.status().message().find("ingest the source data again"), std::string::npos);
}

// The writer holds a directory entry per chunk, not the chunk's column metadata.
TEST_F(FormatTest, TheWriterKeepsOnlyTheChunkDirectory) {
  const std::string path = Path("dir.oc");
  Forged sample = WriteSample(path);
  ASSERT_EQ(sample.footer.chunks.size(), 2u);
  // Chunk c's metadata block follows its column blocks.
  EXPECT_EQ(sample.footer.chunks[0].metadata.offset,
            sample.chunks[0].columns[1].block.offset + sample.chunks[0].columns[1].block.stored_size);
  EXPECT_EQ(sample.footer.chunks[1].first_row, 10u);
}

TEST(ParseFooter, RefusesHostileCounts) {
  Buffer footer;
  // A schema section claiming 4 billion columns in 8 bytes.
  uint32_t tag = 1;
  uint64_t len = 4;
  uint32_t count = 0xFFFFFFFF;
  footer.Push(tag);
  footer.Push(len);
  footer.Push(count);
  FileMetadata m;
  Status s = ParseFooter(footer.view(), 1000, &m);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("column count"), std::string::npos);
}

TEST(ParseFooter, SkipsUnknownSections) {
  FileMetadata m;
  m.columns.resize(1);
  m.columns[0].name = "x";
  m.columns[0].type = TypeId::kInt64;
  Buffer footer;
  uint32_t tag = 99;
  uint64_t len = 3;
  footer.Push(tag);
  footer.Push(len);
  footer.Append("xyz", 3);
  SerializeFooter(m, &footer);
  FileMetadata parsed;
  ASSERT_TRUE(ParseFooter(footer.view(), 1000, &parsed).ok());
  EXPECT_EQ(parsed.columns[0].name, "x");
}

// A footer with one chunk of `rows` rows of an int64 and a string column and
// the given indexes, serialized.
Buffer FooterWithIndexes(const std::vector<IndexMeta>& indexes) {
  FileMetadata m;
  m.columns.resize(2);
  m.columns[0].name = "n";
  m.columns[0].type = TypeId::kInt64;
  m.columns[1].name = "text";
  m.columns[1].type = TypeId::kString;
  ChunkRef chunk;
  chunk.row_count = 5;
  chunk.metadata = BlockRef{16, 12 + 2 * 43, 12 + 2 * 43, kCodecNone, 0};  // two columns' smallest
  m.chunks.push_back(chunk);
  m.indexes = indexes;
  Buffer footer;
  SerializeFooter(m, &footer);
  return footer;
}

// Footer counts are checked against the bytes their section holds before they
// size anything (doc/fuzzing.md, "Findings"): before, a 4-byte source count of
// a million made the reader allocate 32 MB of strings, then fail as truncated.
TEST(ParseFooter, RefusesASourceCountItsSectionCannotHold) {
  Buffer footer = FooterWithIndexes({});
  const uint32_t tag = uint32_t(SectionTag::kIngestReport);
  const uint64_t length = 3 * 8 + 4 + 8 + 4;  // three row counts, no reasons, input bytes, source count
  footer.Push(tag);
  footer.Push(length);
  for (uint64_t count : {uint64_t(5), uint64_t(5), uint64_t(0)}) footer.Push(count);
  footer.Push(uint32_t(0));
  footer.Push(uint64_t(100));
  footer.Push(uint32_t(1000000));
  FileMetadata parsed;
  Status s = ParseFooter(footer.view(), 200, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("implausible source count 1000000"), std::string::npos) << s.ToString();
}

TEST(ParseFooter, RefusesColumnAndChunkCountsTheirSectionsCannotHold) {
  // 1000 columns in a schema body of 4 + 100 bytes (each entry takes 22 or more).
  Buffer schema;
  schema.Push(uint32_t(SectionTag::kSchema));
  schema.Push(uint64_t(4 + 100));
  schema.Push(uint32_t(1000));
  schema.ResizeZeroed(schema.size() + 100);
  FileMetadata parsed;
  Status s = ParseFooter(schema.view(), 100, &parsed);
  EXPECT_NE(s.message().find("implausible column count 1000"), std::string::npos) << s.ToString();

  // 10 chunks in 80 bytes (each directory entry takes 8 + 33).
  Buffer footer = FooterWithIndexes({});
  FileMetadata two_columns;
  ASSERT_TRUE(ParseFooter(footer.view(), 200, &two_columns).ok());
  Buffer schema_only;
  {
    FileMetadata m = two_columns;
    m.chunks.clear();
    SerializeFooter(m, &schema_only);
  }
  // SerializeFooter always writes a chunks section; cut the footer after the schema.
  ByteReader sections(schema_only.view());
  uint32_t first_tag = 0;
  uint64_t first_length = 0;
  ASSERT_TRUE(sections.U32(&first_tag) && sections.U64(&first_length));
  Buffer hostile;
  hostile.Append(schema_only.data(), size_t(12 + first_length));
  hostile.Push(uint32_t(SectionTag::kChunks));
  hostile.Push(uint64_t(8 + 80));
  hostile.Push(uint64_t(10));
  hostile.ResizeZeroed(hostile.size() + 80);
  s = ParseFooter(hostile.view(), 200, &parsed);
  EXPECT_NE(s.message().find("implausible chunk count 10"), std::string::npos) << s.ToString();
}

TEST(ParseFooter, IndexesRoundTrip) {
  Buffer footer = FooterWithIndexes({IndexMeta{0, kIndexKindValue, BlockRef{20, 10, 30, kCodecZstd, 7}, 3},
                                     IndexMeta{1, kIndexKindToken, BlockRef{30, 5, 5, kCodecNone, 8}, 9}});
  FileMetadata parsed;
  ASSERT_TRUE(ParseFooter(footer.view(), 200, &parsed).ok());
  ASSERT_EQ(parsed.indexes.size(), 2u);
  EXPECT_EQ(parsed.indexes[0].block.decoded_size, 30u);
  EXPECT_EQ(parsed.indexes[1].key_count, 9u);
  ASSERT_NE(parsed.FindIndex(1, kIndexKindToken), nullptr);
  EXPECT_EQ(parsed.FindIndex(1, kIndexKindToken)->block.offset, 30u);
  EXPECT_EQ(parsed.FindIndex(0, kIndexKindToken), nullptr);
}

TEST(ParseFooter, FilesWithoutIndexesHaveNone) {
  Buffer footer = FooterWithIndexes({});
  FileMetadata parsed;
  ASSERT_TRUE(ParseFooter(footer.view(), 200, &parsed).ok());
  EXPECT_TRUE(parsed.indexes.empty());
}

TEST(ParseFooter, RefusesASecondSchemaOrChunksSection) {
  // A later, smaller schema would leave the chunks' and indexes' column
  // numbers pointing past it.
  Buffer footer = FooterWithIndexes({IndexMeta{1, kIndexKindToken, BlockRef{20, 10, 10, kCodecNone, 0}, 1}});
  Buffer twice;
  twice.Append(footer.data(), footer.size());
  twice.Append(footer.data(), footer.size());
  FileMetadata parsed;
  Status s = ParseFooter(twice.view(), 200, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("a second schema section"), std::string::npos) << s.ToString();
}

TEST(ParseFooter, RefusesADecodedSizeNoBlockCanHave) {
  Buffer footer = FooterWithIndexes({});
  FileMetadata m;
  ASSERT_TRUE(ParseFooter(footer.view(), 200, &m).ok());
  ChunkMeta chunk;
  chunk.row_count = 5;
  chunk.columns.resize(2);
  chunk.columns[0].block = BlockRef{16, 4, ~uint64_t(0) - 31, kCodecZstd, 0};  // would wrap a size sum
  Buffer block;
  SerializeChunkMeta(chunk, std::vector<TypeId>{TypeId::kInt64, TypeId::kString}, &block);
  ChunkMeta parsed;
  Status s = ParseChunkMeta(block.view(), m, 0, 200, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("decoded bytes"), std::string::npos) << s.ToString();
}

TEST(ParseFooter, RefusesAChunkMetadataBlockTheSchemaCannotFill) {
  FileMetadata m;
  ASSERT_TRUE(ParseFooter(FooterWithIndexes({}).view(), 200, &m).ok());
  m.chunks[0].metadata.stored_size = m.chunks[0].metadata.decoded_size = 50;  // two columns take 98 or more
  Buffer footer;
  SerializeFooter(m, &footer);
  FileMetadata parsed;
  Status s = ParseFooter(footer.view(), 200, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("metadata block of chunk 0 has 50 bytes; 2 columns take 98.."),
            std::string::npos)
      << s.ToString();
}

TEST(ParseChunkMeta, RefusesTrailingBytesAndAnotherColumnCount) {
  FileMetadata m;
  ASSERT_TRUE(ParseFooter(FooterWithIndexes({}).view(), 200, &m).ok());
  ChunkMeta chunk;
  chunk.row_count = 5;
  chunk.columns.resize(2);
  for (auto& cc : chunk.columns) cc.block = BlockRef{16, 4, 4, kCodecNone, 0};
  Buffer block;
  SerializeChunkMeta(chunk, std::vector<TypeId>{TypeId::kInt64, TypeId::kString}, &block);
  ChunkMeta parsed;
  ASSERT_TRUE(ParseChunkMeta(block.view(), m, 0, 200, &parsed).ok());
  block.Push(uint8_t(0));
  EXPECT_NE(ParseChunkMeta(block.view(), m, 0, 200, &parsed).message().find("1 bytes after the last column"),
            std::string::npos);
  Buffer one;
  chunk.columns.resize(1);
  SerializeChunkMeta(chunk, std::vector<TypeId>{TypeId::kInt64}, &one);
  EXPECT_NE(
      ParseChunkMeta(one.view(), m, 0, 200, &parsed).message().find("describes 1 columns, the schema has 2"),
      std::string::npos);
}

// Version 5: a zone map's core range and outliers (ZoneMap::has_core).
ChunkMeta ChunkWithCores() {
  ChunkMeta chunk;
  chunk.row_count = 5;
  chunk.columns.resize(2);
  for (auto& cc : chunk.columns) cc.block = BlockRef{16, 4, 4, kCodecNone, 0};
  ZoneMap& n = chunk.columns[0].zone;
  n.has_min_max = true;
  n.min_int = -900;
  n.max_int = 70000;
  n.has_core = true;
  n.core_min_int = 10;
  n.core_max_int = 20;
  n.outliers_int = {-900, -5, 70000};
  ZoneMap& text = chunk.columns[1].zone;
  text.has_min_max = true;
  text.min_string = "a";
  text.max_string = "b";
  return chunk;
}

TEST(ParseChunkMeta, ACoreRoundTripsAndAnOlderVersionLeavesItOut) {
  FileMetadata m;
  ASSERT_TRUE(ParseFooter(FooterWithIndexes({}).view(), 200, &m).ok());
  const ChunkMeta chunk = ChunkWithCores();
  const std::vector<TypeId> types{TypeId::kInt64, TypeId::kString};
  Buffer block;
  SerializeChunkMeta(chunk, types, &block);
  ChunkMeta parsed;
  ASSERT_TRUE(ParseChunkMeta(block.view(), m, 0, 200, &parsed).ok());
  const ZoneMap& n = parsed.columns[0].zone;
  ASSERT_TRUE(n.has_core);
  EXPECT_EQ(n.core_min_int, 10);
  EXPECT_EQ(n.core_max_int, 20);
  EXPECT_EQ(n.outliers_int, (std::vector<int64_t>{-900, -5, 70000}));
  EXPECT_FALSE(parsed.columns[1].zone.has_core);
  // Core bounds, two counts, three outliers.
  Buffer plain;
  ChunkMeta without = chunk;
  without.columns[0].zone.has_core = false;
  SerializeChunkMeta(without, types, &plain);
  EXPECT_EQ(block.size(), plain.size() + 16 + 2 + 3 * 8);
  // A version 4 file keeps min/max only, byte for byte what a version 4 writer wrote.
  Buffer v4;
  SerializeChunkMeta(chunk, types, &v4, 4);
  EXPECT_EQ(v4.view(), plain.view());
  ASSERT_TRUE(ParseChunkMeta(v4.view(), m, 0, 200, &parsed).ok());
  EXPECT_FALSE(parsed.columns[0].zone.has_core);
  EXPECT_EQ(parsed.columns[0].zone.min_int, -900);
}

TEST(ParseChunkMeta, ADamagedCoreIsCorruptionNamingTheColumn) {
  FileMetadata m;
  ASSERT_TRUE(ParseFooter(FooterWithIndexes({}).view(), 200, &m).ok());
  const std::vector<TypeId> types{TypeId::kInt64, TypeId::kString};
  struct Case {
    std::function<void(ChunkMeta*)> damage;
    const char* error;
  };
  const std::vector<Case> cases = {
      {[](ChunkMeta* c) {
         c->columns[0].zone.outliers_int = {-5, -900, 70000};
       },
       "not distinct numbers in ascending"},
      {[](ChunkMeta* c) {
         c->columns[0].zone.outliers_int = {-900, -900, 70000};
       },
       "not distinct numbers in ascending"},
      {[](ChunkMeta* c) {
         c->columns[0].zone.outliers_int = {-900, 15, 70000};
       },
       "an outlier lies inside its core"},
      {[](ChunkMeta* c) { c->columns[0].zone.core_max_int = 80000; }, "does not lie inside its min/max"},
      {[](ChunkMeta* c) { c->columns[0].zone.core_min_int = 30; }, "does not lie inside its min/max"},
      {[](ChunkMeta* c) {
         c->columns[0].zone.outliers_int = {-5, 70000};
       },
       "do not reach its min and max"},
      {[](ChunkMeta* c) { c->columns[0].zone.outliers_int.clear(); }, "leaves no outlier out"},
      {[](ChunkMeta* c) {
         auto& o = c->columns[0].zone.outliers_int;
         o.clear();
         for (int64_t v = -909; v <= -900; ++v) o.push_back(v);  // ten below
         c->columns[0].zone.min_int = -909;
       },
       "more than 8 outliers on a side"},
  };
  for (const Case& c : cases) {
    ChunkMeta chunk = ChunkWithCores();
    c.damage(&chunk);
    Buffer block;
    SerializeChunkMeta(chunk, types, &block);
    ChunkMeta parsed;
    Status s = ParseChunkMeta(block.view(), m, 0, 200, &parsed);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.error;
    EXPECT_NE(s.message().find("zone map of column 'n' is damaged"), std::string::npos) << s.ToString();
    EXPECT_NE(s.message().find(c.error), std::string::npos) << s.ToString();
  }
  // A core flag on a string column, and outlier counts the block cannot hold.
  ChunkMeta chunk = ChunkWithCores();
  Buffer block;
  SerializeChunkMeta(chunk, types, &block);
  // The string column's flags byte: after the header, column 0 (BlockRef, encoding,
  // null count, flags, min, max, core bounds, counts, outliers) and column 1's BlockRef, encoding, null
  // count.
  const size_t column1 = 12 + 33 + 1 + 8 + 1 + 16 + 16 + 2 + 3 * 8;
  std::string bytes(block.view());
  bytes[column1 + 33 + 1 + 8] |= 4;
  ChunkMeta parsed;
  Status s = ParseChunkMeta(bytes, m, 0, 200, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("which string zone maps do not"), std::string::npos) << s.ToString();
  bytes = std::string(block.view());
  bytes[12 + 33 + 1 + 8 + 1 + 16 + 16] = char(200);  // 200 outliers below: more than the block holds
  s = ParseChunkMeta(bytes, m, 0, 200, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.ToString();
}

TEST(ParseChunkMeta, EveryTruncationOfACoreIsACleanError) {
  FileMetadata m;
  ASSERT_TRUE(ParseFooter(FooterWithIndexes({}).view(), 200, &m).ok());
  Buffer block;
  SerializeChunkMeta(ChunkWithCores(), std::vector<TypeId>{TypeId::kInt64, TypeId::kString}, &block);
  for (size_t size = 0; size < block.size(); ++size) {
    ChunkMeta parsed;
    EXPECT_EQ(ParseChunkMeta(block.view().substr(0, size), m, 0, 200, &parsed).code(),
              StatusCode::kCorruption)
        << size;
  }
}

TEST(ParseFooter, RefusesHostileIndexEntries) {
  struct Case {
    IndexMeta index;
    const char* error;
  };
  const Case cases[] = {
      {IndexMeta{2, kIndexKindValue, BlockRef{20, 10, 10, kCodecNone, 0}, 1}, "names column 2 of 2"},
      {IndexMeta{0, 9, BlockRef{20, 10, 10, kCodecNone, 0}, 1}, "unknown kind 9"},
      {IndexMeta{0, kIndexKindToken, BlockRef{20, 10, 10, kCodecNone, 0}, 1},
       "token index on non-string column 'n'"},
      {IndexMeta{0, kIndexKindValue, BlockRef{195, 10, 10, kCodecNone, 0}, 1}, "outside the data region"},
  };
  for (const Case& c : cases) {
    Buffer footer = FooterWithIndexes({c.index});
    FileMetadata parsed;
    Status s = ParseFooter(footer.view(), 200, &parsed);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.error;
    EXPECT_NE(s.message().find(c.error), std::string::npos) << s.ToString();
  }
  IndexMeta twice{0, kIndexKindValue, BlockRef{20, 10, 10, kCodecNone, 0}, 1};
  Buffer footer = FooterWithIndexes({twice, twice});
  FileMetadata parsed;
  EXPECT_NE(ParseFooter(footer.view(), 200, &parsed).message().find("two indexes"), std::string::npos);
}

// doc/format.md, "Lossy section": a float64 column and an int64 one, two chunks.
FileMetadata LossyMetadata() {
  FileMetadata m;
  m.columns.resize(3);
  const std::pair<const char*, TypeId> schema[] = {
      {"price", TypeId::kFloat64}, {"qty", TypeId::kInt64}, {"name", TypeId::kString}};
  for (size_t c = 0; c < 3; ++c) {
    m.columns[c].name = schema[c].first;
    m.columns[c].type = schema[c].second;
  }
  for (uint64_t offset : {16u, 200u}) {
    ChunkRef chunk;
    chunk.row_count = 5;
    chunk.metadata = BlockRef{offset, 12 + 3 * 43, 12 + 3 * 43, kCodecNone, 0};
    m.chunks.push_back(chunk);
  }
  LossyColumnMeta price;
  price.form.kind = LossyKind::kFloat16;
  price.chunks = {LossyChunk{LossyOutcome::kLossy, 0.004, 0.0002, 900, 400},
                  LossyChunk{LossyOutcome::kExactUnrepresentable, 0, 0, 800, 800}};
  LossyColumnMeta qty;
  qty.column = 1;
  qty.form = {LossyKind::kQuantize, 10};
  qty.chunks = {LossyChunk{LossyOutcome::kExactNotSmaller, 0, 0, 50, 50},
                LossyChunk{LossyOutcome::kLossy, 5, 0.5, 60, 40}};
  m.lossy = {price, qty};
  return m;
}

TEST(ParseFooter, TheLossySectionRoundTripsAndSumsUp) {
  FileMetadata m = LossyMetadata();
  EXPECT_EQ(FormatVersionFor(m), 3u);
  Buffer footer;
  SerializeFooter(m, &footer);
  FileMetadata parsed;
  ASSERT_TRUE(ParseFooter(footer.view(), 1000, &parsed).ok());
  ASSERT_EQ(parsed.lossy.size(), 2u);
  EXPECT_EQ(parsed.lossy[1].form.step, 10.0);
  EXPECT_EQ(parsed.lossy[0].chunks[1].outcome, LossyOutcome::kExactUnrepresentable);
  LossyColumnReport price = SummarizeLossy(parsed.lossy[0], "price");
  EXPECT_EQ(price.form, "float16");
  EXPECT_EQ(price.chunks_lossy, 1u);
  EXPECT_EQ(price.chunks_exact_unrepresentable, 1u);
  EXPECT_EQ(price.max_abs_error, 0.004);
  EXPECT_EQ(price.bytes_saved(), 500);
  LossyColumnReport qty = SummarizeLossy(parsed.lossy[1], "qty");
  EXPECT_EQ(qty.form, "quantize:10");
  EXPECT_EQ(qty.chunks_exact_not_smaller, 1u);
  EXPECT_EQ(qty.max_rel_error, 0.5);
  m.lossy.clear();
  EXPECT_EQ(FormatVersionFor(m), 2u);
}

TEST(ParseFooter, RefusesLossyEntriesThatDoNotFitTheFile) {
  struct Case {
    const char* message;
    std::function<void(FileMetadata*)> change;
  };
  const std::vector<Case> cases = {
      {"lists 1 chunks, the file has 2", [](FileMetadata* m) { m->lossy[0].chunks.pop_back(); }},
      {"lossy form on string column 'name'", [](FileMetadata* m) { m->lossy[1].column = 2; }},
      {"lossy form on int64 column 'qty'",
       [](FileMetadata* m) { m->lossy[1].form.kind = LossyKind::kFloat32; }},
      {"unknown lossy form 7", [](FileMetadata* m) { m->lossy[0].form.kind = LossyKind(7); }},
      {"quantize step that is not a positive number", [](FileMetadata* m) { m->lossy[1].form.step = -1; }},
      {"unknown outcome 9", [](FileMetadata* m) { m->lossy[0].chunks[0].outcome = LossyOutcome(9); }},
      {"negative or NaN error", [](FileMetadata* m) { m->lossy[0].chunks[0].max_rel_error = NAN; }},
      {"two lossy entries for column 'price'", [](FileMetadata* m) { m->lossy[1] = m->lossy[0]; }},
      {"lossy entry names column 5", [](FileMetadata* m) { m->lossy[0].column = 5; }},
  };
  for (const Case& c : cases) {
    FileMetadata m = LossyMetadata();
    c.change(&m);
    Buffer footer;
    SerializeFooter(m, &footer);
    FileMetadata parsed;
    Status s = ParseFooter(footer.view(), 1000, &parsed);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.message;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
}

TEST_F(FormatTest, AWriterRefusesLossyMetadataUnderAVersion2Header) {
  auto writer = FileWriter::Create(Path("v2.oc"), nullptr, nullptr, /*version=*/2);
  ASSERT_TRUE(writer.ok());
  FileMetadata m = LossyMetadata();
  m.chunks.clear();
  for (LossyColumnMeta& column : m.lossy) column.chunks.clear();
  Status s = (*writer)->Finish(m);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("version 2 header"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace outcore::format

namespace outcore::format {
namespace {

// A footer with rules and an ingest report whose rule count is `by_reason`.
FileMetadata MetadataWithRules(uint64_t by_reason) {
  FileMetadata m;
  m.columns.resize(1);
  m.columns[0].name = "price";
  m.columns[0].type = TypeId::kFloat64;
  m.has_ingest_report = true;
  m.ingest.rows_read = 10;
  m.ingest.rows_rejected = 10;
  m.ingest.rejected_by_reason[size_t(RejectReason::kRule)] = by_reason;
  m.rules = {{0, "require price", 3}, {1, "range price=0..10000", 7}};
  return m;
}

TEST(ParseFooter, RowRulesRoundTrip) {
  Buffer footer;
  SerializeFooter(MetadataWithRules(10), &footer);
  FileMetadata parsed;
  ASSERT_TRUE(ParseFooter(footer.view(), 1000, &parsed).ok());
  ASSERT_EQ(parsed.rules.size(), 2u);
  EXPECT_EQ(parsed.rules[1].kind, 1);
  EXPECT_EQ(parsed.rules[1].text, "range price=0..10000");
  EXPECT_EQ(parsed.rules[1].rows_rejected, 7u);
}

TEST(ParseFooter, RuleCountsThatDisagreeWithTheIngestReportAreRefused) {
  Buffer footer;
  SerializeFooter(MetadataWithRules(9), &footer);
  FileMetadata parsed;
  Status s = ParseFooter(footer.view(), 1000, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("row rules rejected 10"), std::string::npos) << s.ToString();
}

// A footer without rules, then a row rules section of `version` claiming
// `count` rules in `body`.
Buffer FooterWithRulesSection(uint32_t version, uint32_t count, std::string_view body) {
  FileMetadata m = MetadataWithRules(0);
  m.rules.clear();
  Buffer footer;
  SerializeFooter(m, &footer);
  footer.Push(uint32_t(SectionTag::kRowRules));
  footer.Push(uint64_t(8 + body.size()));
  footer.Push(version);
  footer.Push(count);
  footer.Append(body.data(), body.size());
  return footer;
}

TEST(ParseFooter, ARowRulesSectionOfALaterVersionIsSkipped) {
  // Whatever a later layout holds, this reader does not read it.
  Buffer footer = FooterWithRulesSection(kRowRulesVersion + 1, 0xFFFFFFFF, "");
  FileMetadata parsed;
  ASSERT_TRUE(ParseFooter(footer.view(), 1000, &parsed).ok());
  EXPECT_TRUE(parsed.rules.empty());
}

TEST(ParseFooter, RefusesARuleCountItsSectionCannotHold) {
  // Two rules in the 13 bytes of one.
  Buffer footer =
      FooterWithRulesSection(kRowRulesVersion, 2, std::string_view("\0\0\0\0\0\0\0\0\0\0\0\0\0", 13));
  FileMetadata parsed;
  Status s = ParseFooter(footer.view(), 1000, &parsed);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("implausible row rule count"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace outcore::format
