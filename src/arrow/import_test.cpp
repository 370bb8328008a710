#include "arrow/import.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "arrow/arrow_test_util.h"

namespace outcore::arrow {
namespace {

using testing::BoolColumn;
using testing::Columns;
using testing::DictionaryColumn;
using testing::FixedColumn;
using testing::NullColumn;
using testing::StringColumn;
using testing::StringViewColumn;
using testing::TestStream;

struct Imported {
  std::unique_ptr<StreamImporter> importer;
  std::vector<ColumnVector> columns;
  std::vector<ValueProblem> problems;
};

Imported ImportAll(TestStream* stream, int64_t max_rows = 1 << 20) {
  ArrowArrayStream s = stream->Export();
  Imported out;
  auto importer = StreamImporter::Open(&s);
  EXPECT_TRUE(importer.ok()) << importer.status().ToString();
  EXPECT_EQ(s.release, nullptr);  // moved into the importer
  out.importer = std::move(importer).value();
  for (const ImportColumn& column : out.importer->columns()) out.columns.emplace_back(column.type, nullptr);
  for (;;) {
    auto rows = out.importer->Fill(max_rows, 64 << 20, &out.columns, &out.problems);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || *rows == 0) break;
  }
  return out;
}

Status ImportError(TestStream* stream) {
  ArrowArrayStream s = stream->Export();
  auto importer = StreamImporter::Open(&s);
  if (!importer.ok()) return importer.status();
  std::vector<ColumnVector> columns;
  for (const ImportColumn& column : (*importer)->columns()) columns.emplace_back(column.type, nullptr);
  std::vector<ValueProblem> problems;
  for (;;) {
    auto rows = (*importer)->Fill(1 << 20, 64 << 20, &columns, &problems);
    if (!rows.ok()) return rows.status();
    if (*rows == 0) return Status::OK();
  }
}

TEST(ArrowImport, EveryIntegerAndFloatWidthBecomesInt64OrFloat64Exactly) {
  TestStream stream;
  stream.AddField("c", "i8");
  stream.AddField("C", "u8");
  stream.AddField("s", "i16");
  stream.AddField("S", "u16");
  stream.AddField("i", "i32");
  stream.AddField("I", "u32");
  stream.AddField("l", "i64");
  stream.AddField("L", "u64");
  stream.AddField("e", "f16");
  stream.AddField("f", "f32");
  stream.AddField("g", "f64");
  std::vector<std::unique_ptr<testing::TestColumn>> columns;
  columns.push_back(FixedColumn<int8_t>({-128, 127}));
  columns.push_back(FixedColumn<uint8_t>({0, 255}));
  columns.push_back(FixedColumn<int16_t>({-32768, 32767}));
  columns.push_back(FixedColumn<uint16_t>({0, 65535}));
  columns.push_back(FixedColumn<int32_t>({std::numeric_limits<int32_t>::min(), 7}));
  columns.push_back(FixedColumn<uint32_t>({0, 4294967295u}));
  columns.push_back(FixedColumn<int64_t>({std::numeric_limits<int64_t>::min(), 9}));
  columns.push_back(FixedColumn<uint64_t>({9223372036854775807ull, 3}));
  columns.push_back(FixedColumn<uint16_t>({0x3C00, 0xC000}));  // float16 1.0, -2.0
  columns.push_back(FixedColumn<float>({0.1f, -1.5f}));
  columns.push_back(FixedColumn<double>({0.1, 1e300}));
  stream.AddBatch(std::move(columns));
  Imported got = ImportAll(&stream);
  ASSERT_EQ(got.columns.size(), 11u);
  for (size_t c = 0; c < 8; ++c) EXPECT_EQ(got.importer->columns()[c].type, TypeId::kInt64) << c;
  for (size_t c = 8; c < 11; ++c) EXPECT_EQ(got.importer->columns()[c].type, TypeId::kFloat64) << c;
  EXPECT_EQ(got.columns[0].GetInt64(0), -128);
  EXPECT_EQ(got.columns[1].GetInt64(1), 255);
  EXPECT_EQ(got.columns[2].GetInt64(0), -32768);
  EXPECT_EQ(got.columns[3].GetInt64(1), 65535);
  EXPECT_EQ(got.columns[4].GetInt64(0), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(got.columns[5].GetInt64(1), 4294967295);
  EXPECT_EQ(got.columns[6].GetInt64(0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(got.columns[7].GetInt64(0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(got.columns[8].GetFloat64(0), 1.0);
  EXPECT_EQ(got.columns[8].GetFloat64(1), -2.0);
  EXPECT_EQ(got.columns[9].GetFloat64(0), double(0.1f));  // the float32's exact value, widened
  EXPECT_EQ(got.columns[10].GetFloat64(1), 1e300);
  EXPECT_TRUE(got.problems.empty());
  EXPECT_EQ(got.importer->rows_read(), 2u);
}

TEST(ArrowImport, Uint64PastInt64IsARejectedValueNeverWrapped) {
  TestStream stream;
  stream.AddField("L", "big");
  stream.AddBatch(Columns(FixedColumn<uint64_t>({1, 18446744073709551615ull, 9223372036854775808ull, 4})));
  Imported got = ImportAll(&stream);
  ASSERT_EQ(got.problems.size(), 2u);
  EXPECT_EQ(got.problems[0].row, 1);
  EXPECT_EQ(got.problems[0].reason, RejectReason::kOutOfRange);
  EXPECT_EQ(got.problems[0].raw, "18446744073709551615");
  EXPECT_NE(got.problems[0].detail.find("does not fit int64"), std::string::npos);
  EXPECT_EQ(got.problems[1].row, 2);
  EXPECT_EQ(got.columns[0].GetInt64(1), 0);  // a slot, never -1
  EXPECT_EQ(got.columns[0].GetInt64(3), 4);
}

TEST(ArrowImport, StringsBoolsDatesTimestampsNullAndDictionary) {
  TestStream stream;
  stream.AddField("u", "s");
  stream.AddField("U", "ls");
  stream.AddField("vu", "sv");
  stream.AddField("b", "flag");
  stream.AddField("tdD", "d32");
  stream.AddField("tdm", "d64");
  stream.AddField("tss:", "ts_s");
  stream.AddField("tsm:UTC", "ts_ms");
  stream.AddField("tsu:", "ts_us");
  stream.AddField("tsn:Europe/Paris", "ts_ns");
  stream.AddField("n", "nothing");
  stream.AddField("c", "dict", "u");
  std::vector<std::unique_ptr<testing::TestColumn>> columns;
  columns.push_back(StringColumn({"a", "", "héllo"}, {true, false, true}));
  columns.push_back(StringColumn<int64_t>({"x", "yy", "zzz"}));
  columns.push_back(StringViewColumn({"short", "a value longer than twelve", ""}));
  columns.push_back(BoolColumn({true, false, true}, {true, true, false}));
  columns.push_back(FixedColumn<int32_t>({0, -1, 19000}));
  columns.push_back(FixedColumn<int64_t>({0, 86400000, -86400000}));
  columns.push_back(FixedColumn<int64_t>({1, 0, -1}));
  columns.push_back(FixedColumn<int64_t>({1500, 0, -1}));
  columns.push_back(FixedColumn<int64_t>({7, 8, 9}));
  columns.push_back(FixedColumn<int64_t>({1000, 2000000, -3000}));
  columns.push_back(NullColumn(3));
  columns.push_back(DictionaryColumn<int8_t>({1, 0, 1}, {"red", "green"}, {true, true, false}));
  stream.AddBatch(std::move(columns));
  Imported got = ImportAll(&stream);
  ASSERT_TRUE(got.problems.empty());
  const auto& meta = got.importer->columns();
  EXPECT_EQ(meta[0].type, TypeId::kString);
  EXPECT_EQ(got.columns[0].GetString(0), "a");
  EXPECT_FALSE(got.columns[0].IsValid(1));
  EXPECT_EQ(got.columns[0].GetString(1), "");  // a null slot is empty
  EXPECT_EQ(got.columns[0].GetString(2), "héllo");
  EXPECT_EQ(got.columns[1].GetString(2), "zzz");
  EXPECT_EQ(got.columns[2].GetString(0), "short");
  EXPECT_EQ(got.columns[2].GetString(1), "a value longer than twelve");
  EXPECT_EQ(got.columns[2].GetString(2), "");
  EXPECT_EQ(meta[3].type, TypeId::kBool);
  EXPECT_TRUE(got.columns[3].GetBool(0));
  EXPECT_FALSE(got.columns[3].GetBool(1));
  EXPECT_FALSE(got.columns[3].IsValid(2));
  EXPECT_EQ(meta[4].type, TypeId::kDate);
  EXPECT_EQ(got.columns[4].GetDate(2), 19000);
  EXPECT_EQ(got.columns[5].GetDate(1), 1);
  EXPECT_EQ(got.columns[5].GetDate(2), -1);
  EXPECT_EQ(meta[6].type, TypeId::kTimestamp);
  EXPECT_EQ(got.columns[6].GetInt64(0), 1000000);
  EXPECT_EQ(got.columns[6].GetInt64(2), -1000000);
  EXPECT_EQ(got.columns[7].GetInt64(0), 1500000);
  EXPECT_NE(meta[7].note.find("'UTC' not kept"), std::string::npos);
  EXPECT_EQ(got.columns[8].GetInt64(2), 9);
  EXPECT_EQ(got.columns[9].GetInt64(0), 1);
  EXPECT_EQ(got.columns[9].GetInt64(1), 2000);
  EXPECT_EQ(got.columns[9].GetInt64(2), -3);
  EXPECT_EQ(meta[10].type, TypeId::kString);
  EXPECT_EQ(got.columns[10].null_count, 3);
  EXPECT_EQ(got.columns[11].GetString(0), "green");
  EXPECT_EQ(got.columns[11].GetString(1), "red");
  EXPECT_FALSE(got.columns[11].IsValid(2));
  EXPECT_EQ(meta[11].arrow_type, "dictionary<int8, utf8>");
}

TEST(ArrowImport, ValuesWithoutAnExactFormAreProblems) {
  TestStream stream;
  stream.AddField("tsn:", "ns");
  stream.AddField("tdm", "d64");
  stream.AddField("tss:", "s");
  stream.AddBatch(Columns(FixedColumn<int64_t>({1000, 1001}), FixedColumn<int64_t>({86400000, 5}),
                          FixedColumn<int64_t>({std::numeric_limits<int64_t>::max(), 0})));
  Imported got = ImportAll(&stream);
  ASSERT_EQ(got.problems.size(), 3u);
  EXPECT_EQ(got.problems[0].row, 1);  // ns 1001: a sub-microsecond part
  EXPECT_EQ(got.problems[0].column, 0);
  EXPECT_EQ(got.problems[1].row, 1);  // date64 5 ms: not a whole day
  EXPECT_EQ(got.problems[1].column, 1);
  EXPECT_EQ(got.problems[2].row, 0);  // seconds past the microsecond range
  EXPECT_EQ(got.problems[2].column, 2);
}

TEST(ArrowImport, OffsetsSlicesUnknownNullCountAndMissingValidity) {
  TestStream stream;
  stream.AddField("i", "x");
  stream.AddField("b", "flag");
  stream.AddField("u", "s");
  // Columns of 12 rows; each starts 3 rows in (its own offset), the batch 2 more.
  std::vector<bool> valid(12, true);
  valid[6] = false;
  auto x = FixedColumn<int32_t>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, valid);
  x->Finish(12, -1, 3);  // null_count unknown
  std::vector<bool> bits(12);
  for (size_t i = 0; i < 12; ++i) bits[i] = i % 3 == 0;
  auto flag = BoolColumn(bits);
  flag->buffers[0].clear();  // no validity buffer at all
  flag->Finish(12, 0, 3);
  auto s = StringColumn({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"});
  s->Finish(12, 0, 3);
  std::vector<std::unique_ptr<testing::TestColumn>> columns;
  columns.push_back(std::move(x));
  columns.push_back(std::move(flag));
  columns.push_back(std::move(s));
  stream.AddBatch(std::move(columns), /*length=*/6, /*offset=*/2);
  Imported got = ImportAll(&stream);
  ASSERT_EQ(got.columns[0].length, 6);
  // Logical row r is physical row 3 + 2 + r.
  EXPECT_EQ(got.columns[0].GetInt64(0), 5);
  EXPECT_FALSE(got.columns[0].IsValid(1));  // physical 6
  EXPECT_EQ(got.columns[0].null_count, 1);
  EXPECT_EQ(got.columns[0].GetInt64(5), 10);
  EXPECT_FALSE(got.columns[1].GetBool(0));  // physical 5
  EXPECT_TRUE(got.columns[1].GetBool(1));   // physical 6
  EXPECT_EQ(got.columns[1].null_count, 0);
  EXPECT_EQ(got.columns[2].GetString(0), "f");
  EXPECT_EQ(got.columns[2].GetString(5), "k");
}

TEST(ArrowImport, RechunksAcrossBatchesAndReleasesEachOnceCopied) {
  TestStream stream;
  stream.AddField("l", "n");
  for (int batch = 0; batch < 4; ++batch) {
    stream.AddBatch(Columns(FixedColumn<int64_t>({batch * 3, batch * 3 + 1, batch * 3 + 2})));
  }
  stream.AddBatch(Columns(FixedColumn<int64_t>({})));  // an empty batch is skipped
  ArrowArrayStream s = stream.Export();
  auto importer = std::move(StreamImporter::Open(&s)).value();
  std::vector<ColumnVector> chunk;
  chunk.emplace_back(TypeId::kInt64, nullptr);
  std::vector<ValueProblem> problems;
  std::vector<int64_t> sizes;
  std::vector<int64_t> values;
  for (;;) {
    chunk[0].Reset(TypeId::kInt64);
    auto rows = importer->Fill(5, 1 << 20, &chunk, &problems);
    ASSERT_TRUE(rows.ok());
    if (*rows == 0) break;
    sizes.push_back(*rows);
    for (int64_t row = 0; row < chunk[0].length; ++row) values.push_back(chunk[0].GetInt64(row));
    // Only a batch with rows still to copy is held.
    EXPECT_GE(stream.released(), stream.handed_out() - 1);
  }
  EXPECT_EQ(sizes, (std::vector<int64_t>{5, 5, 2}));
  EXPECT_EQ(values, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(stream.released(), stream.handed_out());
  importer.reset();
  EXPECT_EQ(stream.stream_released(), 1);
}

TEST(ArrowImport, UnsupportedTypesAreRefusedNamingTheColumnAndTheCast) {
  TestStream stream;
  stream.AddField("l", "ok");
  stream.AddField("d:10,2", "price");
  stream.AddField("z", "blob");
  stream.AddField("+l", "tags");
  stream.AddField("i", "codes", "l");  // dictionary<int32, int64>
  ArrowArrayStream s = stream.Export();
  auto importer = StreamImporter::Open(&s);
  ASSERT_FALSE(importer.ok());
  const std::string message = importer.status().message();
  EXPECT_NE(message.find("column 'price' is decimal(10,2)"), std::string::npos) << message;
  EXPECT_NE(message.find("float64"), std::string::npos);
  EXPECT_NE(message.find("column 'blob' is binary"), std::string::npos);
  EXPECT_NE(message.find("column 'tags' is list"), std::string::npos);
  EXPECT_NE(message.find("column 'codes' is dictionary<int32, int64>"), std::string::npos);
  EXPECT_EQ(message.find("'ok'"), std::string::npos);
  EXPECT_EQ(stream.stream_released(), 1);  // released although refused
}

TEST(ArrowImport, ProducerErrorsBecomeAStatusWithItsMessage) {
  TestStream stream;
  stream.AddField("l", "n");
  stream.AddBatch(Columns(FixedColumn<int64_t>({1})));
  stream.FailAt(1, EIO, "parquet page 7 is corrupt");
  const Status status = ImportError(&stream);
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_NE(status.message().find("parquet page 7 is corrupt"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("record batch 2"), std::string::npos);
}

TEST(ArrowImport, HostileBatchesAreErrorsNotCrashes) {
  {
    TestStream stream;  // offsets that go backwards
    stream.AddField("u", "s");
    auto s = StringColumn({"abc", "de"});
    int32_t* offsets = reinterpret_cast<int32_t*>(s->buffers[1].data());
    offsets[1] = 5;
    offsets[2] = 2;
    std::vector<std::unique_ptr<testing::TestColumn>> columns;
    columns.push_back(std::move(s));
    stream.AddBatch(std::move(columns));
    const Status status = ImportError(&stream);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  }
  {
    TestStream stream;  // a dictionary index past the dictionary
    stream.AddField("c", "d", "u");
    stream.AddBatch(Columns(DictionaryColumn<int8_t>({0, 5}, {"only"})));
    const Status status = ImportError(&stream);
    EXPECT_NE(status.message().find("dictionary index 5"), std::string::npos) << status.ToString();
  }
  {
    TestStream stream;  // a column shorter than the batch
    stream.AddField("l", "a");
    stream.AddField("l", "b");
    std::vector<std::unique_ptr<testing::TestColumn>> columns;
    columns.push_back(FixedColumn<int64_t>({1, 2, 3}));
    columns.push_back(FixedColumn<int64_t>({1}));
    stream.AddBatch(std::move(columns));
    const Status status = ImportError(&stream);
    EXPECT_NE(status.message().find("does not cover"), std::string::npos) << status.ToString();
  }
  {
    TestStream stream;  // nulls claimed, no validity buffer
    stream.AddField("l", "a");
    auto a = FixedColumn<int64_t>({1, 2});
    a->Finish(2, 1);
    std::vector<std::unique_ptr<testing::TestColumn>> columns;
    columns.push_back(std::move(a));
    stream.AddBatch(std::move(columns));
    EXPECT_NE(ImportError(&stream).message().find("no validity buffer"), std::string::npos);
  }
  {
    TestStream stream;  // a view pointing past its buffer
    stream.AddField("vu", "v");
    auto v = StringViewColumn({"a value longer than twelve"});
    int32_t offset = 100;
    std::memcpy(v->buffers[1].data() + 12, &offset, 4);
    std::vector<std::unique_ptr<testing::TestColumn>> columns;
    columns.push_back(std::move(v));
    stream.AddBatch(std::move(columns));
    EXPECT_NE(ImportError(&stream).message().find("points past"), std::string::npos);
  }
  {
    TestStream stream;  // wrong column count
    stream.AddField("l", "a");
    std::vector<std::unique_ptr<testing::TestColumn>> columns;
    columns.push_back(FixedColumn<int64_t>({1}));
    columns.push_back(FixedColumn<int64_t>({1}));
    stream.AddBatch(std::move(columns));
    EXPECT_EQ(ImportError(&stream).code(), StatusCode::kInvalidArgument);
  }
}

TEST(ArrowImport, AReleasedStreamIsRefused) {
  ArrowArrayStream s{};
  EXPECT_EQ(StreamImporter::Open(&s).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StreamImporter::Open(nullptr).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace outcore::arrow
