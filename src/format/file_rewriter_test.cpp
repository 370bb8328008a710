#include "format/file_rewriter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace outcore::format {
namespace {

namespace fs = std::filesystem;

class FileRewriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_rewriter_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  size_t FilesIn() { return size_t(std::distance(fs::directory_iterator(dir_), fs::directory_iterator())); }

  static std::string Bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Two columns ("id" int64, "topic" a dictionary-coded string), two chunks and
  // a value index on "topic", with the blocks in the order a rewrite writes
  // them: dictionary, chunk by chunk, index.
  void WriteSample(const std::string& path) {
    auto writer = FileWriter::Create(path);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    FileMetadata m;
    m.columns.resize(2);
    m.columns[0].name = "id";
    m.columns[0].type = TypeId::kInt64;
    m.columns[1].name = "topic";
    m.columns[1].type = TypeId::kString;
    m.columns[1].has_dictionary = true;
    m.columns[1].dictionary_complete = true;
    m.columns[1].dictionary_entries = 2;
    auto dict = (*writer)->AppendBlock("foodtravel", 10, kCodecNone);
    ASSERT_TRUE(dict.ok());
    m.columns[1].dictionary = *dict;
    for (int c = 0; c < 2; ++c) {
      ChunkMeta chunk;
      chunk.row_count = 10 + c;
      for (int col = 0; col < 2; ++col) {
        std::string bytes = "chunk" + std::to_string(c) + "col" + std::to_string(col);
        auto ref = (*writer)->AppendBlock(bytes, bytes.size(), kCodecNone);
        ASSERT_TRUE(ref.ok());
        ColumnChunkMeta cc;
        cc.block = *ref;
        cc.encoding = 3;
        cc.zone.has_min_max = true;
        cc.zone.min_int = -5 - c;
        cc.zone.max_int = 99;
        cc.zone.min_string = "food";
        cc.zone.max_string = "travel";
        chunk.columns.push_back(cc);
      }
      ASSERT_TRUE((*writer)->AppendChunk(chunk, std::vector<TypeId>{TypeId::kInt64, TypeId::kString}).ok());
    }
    IndexMeta index;
    index.column = 1;
    index.kind = kIndexKindValue;
    index.key_count = 2;
    auto block = (*writer)->AppendBlock("topic-index", 11, kCodecNone);
    ASSERT_TRUE(block.ok());
    index.block = *block;
    m.indexes.push_back(index);
    m.ingest.rows_read = m.ingest.rows_kept = 21;
    m.ingest.created_by = "outcore test";
    ASSERT_TRUE((*writer)->Finish(m).ok());
  }

  std::unique_ptr<FileReader> Open(const std::string& path) {
    auto reader = FileReader::Open(path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    return reader.ok() ? std::move(*reader) : nullptr;
  }

  std::string Block(const FileReader& reader, const BlockRef& block) {
    Buffer out;
    Status status = reader.ReadBlock(block, &out, "test");
    EXPECT_TRUE(status.ok()) << status.ToString();
    return std::string(out.view());
  }

  fs::path dir_;
};

TEST_F(FileRewriterTest, CopiesEveryBlockByteForByte) {
  WriteSample(Path("a.oc"));
  auto source = Open(Path("a.oc"));
  ASSERT_TRUE(source);
  MemoryBudget budget(1 << 20);
  auto rewriter = FileRewriter::Create(*source, Path("b.oc"), RewriteOptions{}, &budget);
  ASSERT_TRUE(rewriter.ok()) << rewriter.status().ToString();
  ASSERT_TRUE((*rewriter)->CopyBlocks().ok());
  ASSERT_TRUE((*rewriter)->Finish().ok());
  // The sample's blocks are already in the rewrite's order: the copy is the same file.
  EXPECT_EQ(Bytes(Path("b.oc")), Bytes(Path("a.oc")));
  EXPECT_EQ(FilesIn(), 2u);  // no temporary left
  EXPECT_EQ(budget.used(), 0u);
}

TEST_F(FileRewriterTest, RefusesToCopyABlockThatFailsItsChecksum) {
  WriteSample(Path("a.oc"));
  const std::string good = Bytes(Path("a.oc"));
  std::string bad = good;
  const size_t at = bad.find("chunk1col0");
  ASSERT_NE(at, std::string::npos);
  bad[at] = 'X';
  std::ofstream(Path("a.oc"), std::ios::binary).write(bad.data(), std::streamsize(bad.size()));
  auto source = Open(Path("a.oc"));  // the footer is intact: it opens
  ASSERT_TRUE(source);
  auto rewriter = FileRewriter::Create(*source, Path("b.oc"), RewriteOptions{}, nullptr);
  ASSERT_TRUE(rewriter.ok());
  Status status = (*rewriter)->CopyBlocks();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("chunk 1 of column 'id'"), std::string::npos) << status.ToString();
  rewriter->reset();
  EXPECT_FALSE(fs::exists(Path("b.oc")));
  EXPECT_EQ(FilesIn(), 1u);
}

TEST_F(FileRewriterTest, CancelLeavesTheOldFileAndNoTemporary) {
  WriteSample(Path("a.oc"));
  const std::string before = Bytes(Path("a.oc"));
  auto source = Open(Path("a.oc"));
  ASSERT_TRUE(source);
  int asked = 0;
  RewriteOptions options;
  options.interrupted = [&] { return ++asked == 2 ? Status::Cancelled("interrupted") : Status::OK(); };
  auto rewriter = FileRewriter::Create(*source, Path("a.oc"), std::move(options), nullptr);  // in place
  ASSERT_TRUE(rewriter.ok());
  EXPECT_EQ(FilesIn(), 2u);  // the temporary, while copying
  Status status = (*rewriter)->CopyBlocks();
  EXPECT_EQ(status.code(), StatusCode::kCancelled) << status.ToString();
  rewriter->reset();
  EXPECT_EQ(Bytes(Path("a.oc")), before);
  EXPECT_EQ(FilesIn(), 1u);
}

TEST_F(FileRewriterTest, AFailedReplacementLeavesTheOldFileAndNoTemporary) {
  WriteSample(Path("a.oc"));
  const std::string before = Bytes(Path("a.oc"));
  auto source = Open(Path("a.oc"));
  ASSERT_TRUE(source);
  RewriteOptions options;
  options.replace_columns = {true, false};
  options.replace = [](size_t, size_t, const ChunkMeta&) -> Result<ReplacementBlock> {
    return Status::IOError("disk full");
  };
  auto rewriter = FileRewriter::Create(*source, Path("a.oc"), std::move(options), nullptr);
  ASSERT_TRUE(rewriter.ok());
  EXPECT_FALSE((*rewriter)->CopyBlocks().ok());
  rewriter->reset();
  EXPECT_EQ(Bytes(Path("a.oc")), before);
  EXPECT_EQ(FilesIn(), 1u);
}

TEST_F(FileRewriterTest, AReplacedBlockIsWhatTheFooterPointsAt) {
  WriteSample(Path("a.oc"));
  auto source = Open(Path("a.oc"));
  ASSERT_TRUE(source);
  std::vector<size_t> asked;
  std::string replacement;
  RewriteOptions options;
  options.replace_columns = {true, false};
  options.replace = [&](size_t chunk, size_t column,
                        const ChunkMeta& source_chunk) -> Result<ReplacementBlock> {
    asked.push_back(chunk * 10 + column);
    EXPECT_EQ(source_chunk.columns[column].zone.min_int, -5 - int64_t(chunk));  // the source's, unchanged
    replacement = "new" + std::string(chunk + 1, '!');
    ReplacementBlock block;
    block.stored = replacement;
    block.decoded_size = replacement.size();  // stored as is
    block.encoding = 7;
    block.zone.has_min_max = true;
    block.zone.min_float = -1;
    block.zone.max_float = double(chunk);
    block.zone.null_count = 2;
    return block;
  };
  options.drop_index = [](const IndexMeta& index) { return index.column == 1; };
  auto rewriter = FileRewriter::Create(*source, Path("b.oc"), std::move(options), nullptr);
  ASSERT_TRUE(rewriter.ok());
  // Callers may change the type of a replaced column, before the copy (the
  // chunks' zone maps are written by the new types).
  (*rewriter)->metadata().columns[0].type = TypeId::kFloat64;
  ASSERT_TRUE((*rewriter)->CopyBlocks().ok());
  ASSERT_TRUE((*rewriter)->Finish().ok());
  EXPECT_EQ(asked, (std::vector<size_t>{0, 10}));

  auto out = Open(Path("b.oc"));
  ASSERT_TRUE(out);
  const FileMetadata& m = out->metadata();
  EXPECT_EQ(m.columns[0].type, TypeId::kFloat64);
  ASSERT_EQ(m.chunks.size(), 2u);
  for (size_t chunk = 0; chunk < 2; ++chunk) {
    ChunkMeta meta;
    Buffer scratch;
    ASSERT_TRUE(out->ReadChunk(chunk, &meta, &scratch).ok());
    const ColumnChunkMeta& replaced = meta.columns[0];
    EXPECT_EQ(Block(*out, replaced.block), "new" + std::string(chunk + 1, '!'));
    EXPECT_EQ(replaced.block.decoded_size, 4 + chunk);
    EXPECT_EQ(replaced.encoding, 7);
    EXPECT_EQ(replaced.zone.null_count, 2u);
    EXPECT_EQ(replaced.zone.max_float, double(chunk));
    const ColumnChunkMeta& copied = meta.columns[1];
    EXPECT_EQ(Block(*out, copied.block), "chunk" + std::to_string(chunk) + "col1");
    EXPECT_EQ(copied.encoding, 3);
    EXPECT_EQ(copied.zone.max_string, "travel");
  }
  EXPECT_EQ(Block(*out, m.columns[1].dictionary), "foodtravel");
  EXPECT_TRUE(m.indexes.empty());  // dropped: its column's index no longer holds
}

TEST_F(FileRewriterTest, BlocksAppendedAfterTheCopiesAreKept) {
  WriteSample(Path("a.oc"));
  auto source = Open(Path("a.oc"));
  ASSERT_TRUE(source);
  auto rewriter = FileRewriter::Create(*source, Path("a.oc"), RewriteOptions{}, nullptr);
  ASSERT_TRUE(rewriter.ok());
  ASSERT_TRUE((*rewriter)->CopyBlocks().ok());
  auto block = (*rewriter)->writer()->AppendBlock("id-index", 8, kCodecNone);
  ASSERT_TRUE(block.ok());
  IndexMeta index;
  index.column = 0;
  index.kind = kIndexKindValue;
  index.block = *block;
  (*rewriter)->metadata().indexes.push_back(index);
  ASSERT_TRUE((*rewriter)->Finish().ok());
  source.reset();

  auto out = Open(Path("a.oc"));
  ASSERT_TRUE(out);
  ASSERT_EQ(out->metadata().indexes.size(), 2u);
  EXPECT_EQ(Block(*out, out->metadata().FindIndex(1, kIndexKindValue)->block), "topic-index");
  EXPECT_EQ(Block(*out, out->metadata().FindIndex(0, kIndexKindValue)->block), "id-index");
  EXPECT_EQ(FilesIn(), 1u);
}

TEST_F(FileRewriterTest, FinishAsksForInterruptionOnceMore) {
  WriteSample(Path("a.oc"));
  const std::string before = Bytes(Path("a.oc"));
  auto source = Open(Path("a.oc"));
  ASSERT_TRUE(source);
  bool stop = false;
  RewriteOptions options;
  options.interrupted = [&] { return stop ? Status::Cancelled("interrupted") : Status::OK(); };
  auto rewriter = FileRewriter::Create(*source, Path("a.oc"), std::move(options), nullptr);
  ASSERT_TRUE(rewriter.ok());
  ASSERT_TRUE((*rewriter)->CopyBlocks().ok());
  stop = true;
  EXPECT_EQ((*rewriter)->Finish().code(), StatusCode::kCancelled);
  rewriter->reset();
  EXPECT_EQ(Bytes(Path("a.oc")), before);
  EXPECT_EQ(FilesIn(), 1u);
}

}  // namespace
}  // namespace outcore::format
