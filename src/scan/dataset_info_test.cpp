// DescribeDataset: the numbers `outcore info` and the Python package show,
// from a footer built by hand (every rule of the size model and the zone-map
// merge) and from a file ingest wrote.
#include "outcore/dataset_info.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "encoding/column_encoder.h"
#include "outcore/ingest.h"
#include "scan/dataset_internal.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;

format::ColumnChunkMeta Chunk(Encoding encoding, uint64_t stored, uint64_t decoded, uint64_t nulls) {
  format::ColumnChunkMeta c;
  c.encoding = uint8_t(encoding);
  c.block.stored_size = stored;
  c.block.decoded_size = decoded;
  c.zone.null_count = nulls;
  return c;
}

format::ZoneMap IntRange(int64_t min, int64_t max) {
  format::ZoneMap z;
  z.has_min_max = true;
  z.min_int = min;
  z.max_int = max;
  return z;
}

// Two chunks (10 and 6 rows) of an int64 and a string column, the string
// column plain in one chunk and dictionary-coded in the other.
struct Footer {
  format::FileMetadata m;
  format::InMemoryChunks chunks;
};

Footer TwoChunks() {
  Footer f;
  format::FileMetadata& m = f.m;
  m.columns.resize(2);
  m.columns[0].name = "n";
  f.m.columns[0].type = TypeId::kInt64;
  m.columns[0].null_count = 3;
  m.columns[0].distinct_estimate = 9;
  m.columns[1].name = "s";
  m.columns[1].type = TypeId::kString;
  m.columns[1].has_dictionary = true;
  m.columns[1].dictionary_entries = 4;
  m.columns[1].dictionary.stored_size = 20;
  m.columns[1].dictionary.decoded_size = 30;
  m.columns[1].distinct_estimate = 5;
  for (uint64_t rows : {10u, 6u}) {
    format::ChunkMeta chunk;
    chunk.row_count = rows;
    f.chunks.chunks().push_back(chunk);
  }
  std::vector<format::ChunkMeta>& chunks = f.chunks.chunks();
  // n: a chunk with nulls (validity counted), then one without.
  chunks[0].columns.push_back(Chunk(Encoding::kForInt, 40, 50, 3));
  chunks[0].columns.back().zone = IntRange(5, 9);
  chunks[0].columns.back().zone.null_count = 3;
  chunks[1].columns.push_back(Chunk(Encoding::kForInt, 10, 12, 0));
  chunks[1].columns.back().zone = IntRange(-2, 7);
  // s: plain strings (offsets + payload), then codes; the larger max comes first.
  chunks[0].columns.push_back(Chunk(Encoding::kPlainString, 60, 70, 0));
  chunks[0].columns.back().zone.has_min_max = true;
  chunks[0].columns.back().zone.min_string = "kiwi";
  chunks[0].columns.back().zone.max_string = "pear";
  chunks[1].columns.push_back(Chunk(Encoding::kDictCodes, 8, 9, 0));
  chunks[1].columns.back().zone.has_min_max = true;
  chunks[1].columns.back().zone.min_string = "apple";
  chunks[1].columns.back().zone.max_string = "fig";
  f.chunks.FillDirectory(&m);
  format::IndexMeta index;
  index.column = 1;
  index.kind = format::kIndexKindToken;
  index.key_count = 4;
  index.block.stored_size = 25;
  m.indexes.push_back(index);
  m.ingest.rows_read = 20;
  m.ingest.rows_kept = 16;
  m.ingest.rows_rejected = 4;
  m.ingest.rejected_by_reason[size_t(RejectReason::kUnparsable)] = 1;
  m.ingest.rejected_by_reason[size_t(RejectReason::kFieldCount)] = 3;
  m.ingest.input_bytes = 1000;
  m.ingest.sources = {"a.csv", "b.csv"};
  return f;
}

DatasetInfo Describe(const Footer& f) {
  auto info = DescribeMetadata("t.oc", 500, f.m, f.chunks);
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return info.ok() ? std::move(*info) : DatasetInfo{};
}

TEST(DescribeMetadata, SumsSizesAndModelsDecodedBytesPerChunk) {
  DatasetInfo info = Describe(TwoChunks());
  EXPECT_EQ(info.path, "t.oc");
  EXPECT_EQ(info.rows, 16u);
  EXPECT_EQ(info.chunks, 2u);
  ASSERT_EQ(info.columns.size(), 2u);
  const ColumnInfo& n = info.columns[0];
  EXPECT_EQ(n.stored_bytes, 50u);
  EXPECT_EQ(n.encoded_bytes, 62u);
  EXPECT_EQ(n.decoded_bytes,
            10u * 8 + 2 + 6u * 8);  // 8 bytes a row; a 2-byte bitmap for the chunk with nulls
  EXPECT_EQ(n.encodings, "for");
  const ColumnInfo& s = info.columns[1];
  // offsets (rows + 1) + payload, then 4-byte codes, then the dictionary's bytes
  EXPECT_EQ(s.decoded_bytes, 11u * 4 + 70 + 6u * 4 + 30);
  EXPECT_EQ(s.stored_bytes, 60u + 8 + 20);
  EXPECT_EQ(s.encoded_bytes, 70u + 9 + 30);
  EXPECT_EQ(s.encodings, "plain+dict");  // in encoding-id order
  EXPECT_TRUE(s.dictionary);
  EXPECT_FALSE(s.dictionary_complete);
  EXPECT_EQ(s.dictionary_entries, 4u);
  EXPECT_EQ(info.decoded_bytes, n.decoded_bytes + s.decoded_bytes);
  EXPECT_DOUBLE_EQ(info.decoded_ratio(), double(info.decoded_bytes) / 500.0);
  EXPECT_DOUBLE_EQ(info.compression_ratio(), 2.0);
  EXPECT_DOUBLE_EQ(s.decoded_ratio(), double(s.decoded_bytes) / 88.0);
}

TEST(DescribeMetadata, MergesZoneMapsIntoOneRangeAsText) {
  Footer f = TwoChunks();
  DatasetInfo info = Describe(f);
  EXPECT_TRUE(info.columns[0].has_range);
  EXPECT_EQ(info.columns[0].min, "-2");
  EXPECT_EQ(info.columns[0].max, "9");
  EXPECT_EQ(info.columns[1].min, "apple");
  EXPECT_EQ(info.columns[1].max, "pear");
  // A chunk of nulls only has no range and does not widen the others'.
  f.chunks.chunks()[1].columns[0].zone = format::ZoneMap{};
  info = Describe(f);
  EXPECT_EQ(info.columns[0].min, "5");
  EXPECT_EQ(info.columns[0].max, "9");
  f.chunks.chunks()[0].columns[0].zone = format::ZoneMap{};
  info = Describe(f);
  EXPECT_FALSE(info.columns[0].has_range);
  EXPECT_EQ(info.columns[0].min, "");
}

TEST(DescribeMetadata, BoundsReadAsTheirType) {
  Footer f = TwoChunks();
  f.m.columns[0].type = TypeId::kDate;
  EXPECT_EQ(Describe(f).columns[0].max, "1970-01-10");
  f.m.columns[0].type = TypeId::kFloat64;
  f.chunks.chunks()[0].columns[0].zone.min_float = 0.1;
  f.chunks.chunks()[0].columns[0].zone.max_float = 2.5;
  f.chunks.chunks()[1].columns[0].zone.min_float = -1e300;
  f.chunks.chunks()[1].columns[0].zone.max_float = 1;
  DatasetInfo info = Describe(f);
  EXPECT_EQ(info.columns[0].min, "-1e+300");
  EXPECT_EQ(info.columns[0].max, "2.5");
}

TEST(DescribeMetadata, IndexesAndIngestReport) {
  DatasetInfo info = Describe(TwoChunks());
  ASSERT_EQ(info.indexes.size(), 1u);
  EXPECT_EQ(info.indexes[0].column, "s");
  EXPECT_EQ(info.indexes[0].kind, "token");
  EXPECT_EQ(info.indexes[0].keys, 4u);
  EXPECT_EQ(info.indexes[0].stored_bytes, 25u);
  EXPECT_DOUBLE_EQ(info.indexes[0].share_of_file, 0.05);
  EXPECT_EQ(info.ingest.rows_read, 20u);
  EXPECT_EQ(info.ingest.rows_rejected, 4u);
  // Only reasons with a count, in reason order.
  ASSERT_EQ(info.ingest.rejected_by_reason.size(), 2u);
  EXPECT_EQ(info.ingest.rejected_by_reason[0], (std::pair<std::string, uint64_t>("field_count", 3)));
  EXPECT_EQ(info.ingest.rejected_by_reason[1], (std::pair<std::string, uint64_t>("unparsable", 1)));
  EXPECT_EQ(info.ingest.sources, (std::vector<std::string>{"a.csv", "b.csv"}));
}

class DescribeDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("oc_dataset_info_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    csv_ = (dir_ / "in.csv").string();
    oc_ = (dir_ / "out.oc").string();
    std::ofstream(csv_) << "id,topic\n1,food\n2,art\nx,food\n3,\n";
    IngestOptions o;
    o.inputs = {csv_};
    o.output = oc_;
    o.schema = {{"id", TypeId::kInt64}};
    o.index_columns = {"topic"};
    ASSERT_TRUE(Ingest(o).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string csv_, oc_;
};

TEST_F(DescribeDatasetTest, AFileIngestWroteDescribesItsRowsRejectsAndIndex) {
  auto dataset = Dataset::Open(oc_);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  auto described = DescribeDataset(**dataset);
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  const DatasetInfo& info = *described;
  EXPECT_EQ(info.path, oc_);
  EXPECT_EQ(info.file_bytes, (*dataset)->file_size());
  EXPECT_EQ(info.rows, 3u);
  EXPECT_EQ(info.ingest.rows_read, 4u);
  EXPECT_EQ(info.ingest.rows_kept, 3u);
  ASSERT_EQ(info.ingest.rejected_by_reason.size(), 1u);
  EXPECT_EQ(info.ingest.rejected_by_reason[0].first, "unparsable");
  ASSERT_EQ(info.columns.size(), 2u);
  EXPECT_EQ(info.columns[0].min, "1");
  EXPECT_EQ(info.columns[0].max, "3");
  EXPECT_EQ(info.columns[1].min, "art");
  EXPECT_EQ(info.columns[1].null_count, 1u);
  ASSERT_EQ(info.indexes.size(), 1u);
  EXPECT_EQ(info.indexes[0].column, "topic");
  EXPECT_EQ(info.indexes[0].kind, "value");
  EXPECT_EQ(info.indexes[0].keys, 2u);
  std::vector<IndexInfo> indexes = DescribeIndexes(**dataset);
  ASSERT_EQ(indexes.size(), 1u);
  EXPECT_EQ(indexes[0].stored_bytes, info.indexes[0].stored_bytes);
  EXPECT_GT(indexes[0].share_of_file, 0.0);
  EXPECT_LT(indexes[0].share_of_file, 1.0);
}

// DescribeChunks (outcore.dask's partition planning): every chunk's rows, in
// order and adding up to the file's, with the column's bounds as text that
// parses back; -1 gives rows only.
TEST_F(DescribeDatasetTest, ChunksCarryTheirRowsAndTheColumnsBounds) {
  const std::string csv = (dir_ / "many.csv").string(), oc = (dir_ / "many.oc").string();
  {
    std::ofstream out(csv);
    out << "id,x\n";
    for (int i = 0; i < 20000; ++i) out << i << "," << (i % 7 == 0 ? "" : std::to_string(i % 100)) << "\n";
  }
  IngestOptions o;
  o.inputs = {csv};
  o.output = oc;
  o.block_bytes = 16 << 10;
  ASSERT_TRUE(Ingest(o).ok());
  auto dataset = Dataset::Open(oc);
  ASSERT_TRUE(dataset.ok());
  ASSERT_GT((*dataset)->num_chunks(), 3);
  auto chunks = DescribeChunks(**dataset, (*dataset)->FindColumn("id"));
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_EQ(int64_t(chunks->size()), (*dataset)->num_chunks());
  uint64_t next = 0;
  for (const ChunkRange& c : *chunks) {
    EXPECT_EQ(c.first_row, next);
    // ids are the row numbers: each chunk's bounds are its first and last row
    ASSERT_TRUE(c.has_range);
    EXPECT_EQ(c.min, std::to_string(c.first_row));
    EXPECT_EQ(c.max, std::to_string(c.first_row + c.rows - 1));
    EXPECT_EQ(c.null_count, 0u);
    next += c.rows;
  }
  EXPECT_EQ(int64_t(next), (*dataset)->num_rows());
  auto x = DescribeChunks(**dataset, (*dataset)->FindColumn("x"));
  ASSERT_TRUE(x.ok());
  uint64_t nulls = 0;
  for (const ChunkRange& c : *x) nulls += c.null_count;
  EXPECT_EQ(nulls, 20000u / 7 + 1);
  auto rows_only = DescribeChunks(**dataset, -1);
  ASSERT_TRUE(rows_only.ok());
  EXPECT_FALSE((*rows_only)[0].has_range);
  EXPECT_EQ((*rows_only)[1].rows, (*chunks)[1].rows);
  EXPECT_FALSE(DescribeChunks(**dataset, 9).ok());
}

}  // namespace
}  // namespace outcore
