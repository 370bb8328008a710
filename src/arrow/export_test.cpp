// Arrow out, end to end: files written by ingest, scanned and exported, then
// read back through the C structs alone (as a consumer sees them) and compared
// with what the scanner itself returns. Also: the buffers are the engine's
// (no copy), release gives every byte back to the budget, arrays outlive their
// stream and scanner, moved structs, and the stream's errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arrow/abi_util.h"
#include "ingest/scan_test_util.h"
#include "outcore/arrow_export.h"
#include "outcore/ingest.h"

namespace outcore {
namespace {

namespace fs = std::filesystem;

constexpr int kRows = 5000;

// One column's value `row` read from an exported child, through the ABI only,
// as ValueText (scan_test_util.h) prints it from a ColumnVector.
std::string ArrowValueText(const ArrowSchema& schema, const ArrowArray& array, int64_t row) {
  const int64_t at = array.offset + row;
  const auto* validity = static_cast<const uint8_t*>(array.buffers[0]);
  if (validity != nullptr && !GetBit(validity, at)) return "<null>";
  const std::string format = schema.format;
  if (format == "b") return GetBit(static_cast<const uint8_t*>(array.buffers[1]), at) ? "true" : "false";
  if (format == "l" || format == "tsu:")
    return std::to_string(static_cast<const int64_t*>(array.buffers[1])[at]);
  if (format == "tdD") return std::to_string(static_cast<const int32_t*>(array.buffers[1])[at]);
  if (format == "g") {
    uint64_t bits;
    std::memcpy(&bits, static_cast<const double*>(array.buffers[1]) + at, 8);
    return std::to_string(bits);
  }
  auto utf8 = [](const ArrowArray& strings, int64_t i) {
    const auto* offsets = static_cast<const int32_t*>(strings.buffers[1]);
    return std::string(static_cast<const char*>(strings.buffers[2]) + offsets[i],
                       size_t(offsets[i + 1] - offsets[i]));
  };
  if (format == "u") return utf8(array, at);
  if (format == "i") return utf8(*array.dictionary, static_cast<const int32_t*>(array.buffers[1])[at]);
  return "?format " + format;
}

// Rows of a struct array, as ScanAllText gives them.
void AppendRows(const ArrowSchema& schema, const ArrowArray& array,
                std::vector<std::vector<std::string>>* rows) {
  EXPECT_EQ(array.n_children, schema.n_children);
  for (int64_t r = 0; r < array.length; ++r) {
    std::vector<std::string> row;
    for (int64_t c = 0; c < array.n_children; ++c) {
      EXPECT_EQ(array.children[c]->length, array.length);
      row.push_back(ArrowValueText(*schema.children[c], *array.children[c], r));
    }
    rows->push_back(std::move(row));
  }
}

class ArrowExportTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/outcore_arrow_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    // Every type twice: with nulls (every 7th row) and without; strings both
    // dictionary-coded (few distinct) and plain (every value distinct).
    std::ofstream csv(dir_ + "/in.csv");
    csv << "b,i,f,d,ts,cat,text,bn,in,fn,dn,tsn,catn,textn\n";
    const char* topics[] = {"food", "travel", "gaming", "caf\xc3\xa9", "sports"};
    for (int r = 0; r < kRows; ++r) {
      const bool null = r % 7 == 3;
      std::string date = "2024-0" + std::to_string(1 + r % 9) + "-1" + std::to_string(r % 10);
      std::string ts = date + " 0" + std::to_string(r % 10) + ":1" + std::to_string(r % 6) + ":05";
      std::string b = r % 3 ? "true" : "false", i = std::to_string(r * 37 - 9000);
      std::string f = std::to_string(r) + ".25", cat = topics[r % 5];
      std::string text = "passage number " + std::to_string(r) + " of many";
      csv << b << ',' << i << ',' << f << ',' << date << ',' << ts << ',' << cat << ',' << text;
      for (const std::string* v : {&b, &i, &f, &date, &ts, &cat, &text}) csv << ',' << (null ? "" : *v);
      csv << '\n';
    }
    csv.close();
    IngestOptions options;
    options.inputs = {dir_ + "/in.csv"};
    options.output = path_ = dir_ + "/all.oc";
    options.block_bytes = 64 << 10;  // many chunks
    options.schema = {{"d", TypeId::kDate},        {"dn", TypeId::kDate},     {"ts", TypeId::kTimestamp},
                      {"tsn", TypeId::kTimestamp}, {"text", TypeId::kString}, {"textn", TypeId::kString}};
    auto report = Ingest(options);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    auto opened = Dataset::Open(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    dataset_ = *opened;
    ASSERT_GT(dataset_->num_chunks(), 3);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<BatchExporter> Exporter(ScanOptions options, bool refuse = true) {
    auto scanner = Scanner::Make(dataset_, options);
    EXPECT_TRUE(scanner.ok()) << scanner.status().ToString();
    return std::make_unique<BatchExporter>(std::move(*scanner), nullptr, refuse);
  }

  // Every row the stream gives, released batch by batch.
  std::vector<std::vector<std::string>> StreamRows(ScanOptions options) {
    ArrowArrayStream stream;
    ExportArrowStream(Exporter(options), &stream);
    ArrowSchema schema;
    EXPECT_EQ(stream.get_schema(&stream, &schema), 0);
    std::vector<std::vector<std::string>> rows;
    for (;;) {
      ArrowArray array;
      const int code = stream.get_next(&stream, &array);
      EXPECT_EQ(code, 0) << stream.get_last_error(&stream);
      if (code != 0 || array.release == nullptr) break;
      AppendRows(schema, array, &rows);
      arrow::Release(&array);
    }
    arrow::Release(&schema);
    arrow::Release(&stream);
    return rows;
  }

  std::string dir_, path_;
  std::shared_ptr<Dataset> dataset_;
};

TEST_F(ArrowExportTest, SchemaNamesTypesNullabilityAndTheDictionary) {
  ArrowSchema schema;
  ASSERT_TRUE(ExportArrowSchema(dataset_->schema(), &schema).ok());
  EXPECT_STREQ(schema.format, "+s");
  ASSERT_EQ(schema.n_children, 14);
  const char* formats[] = {"b", "l", "g", "tdD", "tsu:", "i", "u"};
  for (int c = 0; c < 14; ++c) {
    const ArrowSchema& child = *schema.children[c];
    EXPECT_EQ(child.name, dataset_->schema()[size_t(c)].name);
    EXPECT_STREQ(child.format, formats[c % 7]) << child.name;
    EXPECT_EQ(child.flags, c < 7 ? 0 : ARROW_FLAG_NULLABLE) << child.name;
    EXPECT_EQ(child.dictionary != nullptr, c % 7 == 5) << child.name;
    if (child.dictionary) {
      EXPECT_STREQ(child.dictionary->format, "u");
    }
  }
  arrow::Release(&schema);
  EXPECT_EQ(schema.release, nullptr);
}

TEST_F(ArrowExportTest, EveryTypeWithAndWithoutNullsIsWhatTheScanReturns) {
  for (int64_t batch_rows : {int64_t(1) << 30, int64_t(777)}) {  // whole chunks; batches across chunk ends
    ScanOptions options;
    options.batch_rows = batch_rows;
    const auto expected = ScanAllText(dataset_, options);
    ASSERT_EQ(expected.size(), size_t(kRows));
    EXPECT_EQ(StreamRows(options), expected) << "batch_rows " << batch_rows;
  }
  ScanOptions filtered;
  filtered.where = "i > 0 and catn != 'food'";
  filtered.columns = {"textn", "catn", "dn", "bn"};
  const auto expected = ScanAllText(dataset_, filtered);
  ASSERT_GT(expected.size(), 100u);
  EXPECT_EQ(StreamRows(filtered), expected);
}

TEST_F(ArrowExportTest, BuffersAreTheEnginesAndEveryExportSharesThem) {
  auto exporter = Exporter(ScanOptions{});
  auto batch = exporter->Next();
  ASSERT_TRUE(batch.ok() && *batch);
  ArrowArray first, second;
  ExportArrowArray(*batch, &first);
  ExportArrowArray(*batch, &second);
  for (size_t c = 0; c < (*batch)->columns.size(); ++c) {
    const ColumnVector& v = (*batch)->columns[c]->vector();
    const ArrowArray& child = *first.children[c];
    EXPECT_EQ(child.buffers[1], v.values.data()) << c;
    EXPECT_EQ(child.buffers[0], v.null_count ? v.validity.data() : nullptr) << c;
    if (child.n_buffers == 3) {
      EXPECT_EQ(child.buffers[2], v.data.data()) << c;
    }
    if (v.dictionary) {
      EXPECT_EQ(child.dictionary->buffers[1], v.dictionary->offsets.data());
      EXPECT_EQ(child.dictionary->buffers[2], v.dictionary->bytes.data());
    }
    for (int64_t b = 0; b < child.n_buffers; ++b) EXPECT_EQ(second.children[c]->buffers[b], child.buffers[b]);
  }
  // The next batch gets fresh buffers: the exported ones are not overwritten.
  const int64_t first_value = static_cast<const int64_t*>(first.children[1]->buffers[1])[0];
  auto next = exporter->Next();
  ASSERT_TRUE(next.ok() && *next);
  EXPECT_NE((*next)->columns[1]->vector().values.data(), (*batch)->columns[1]->vector().values.data());
  EXPECT_EQ(static_cast<const int64_t*>(first.children[1]->buffers[1])[0], first_value);
  arrow::Release(&first);
  arrow::Release(&second);
}

TEST_F(ArrowExportTest, ReleasingEverythingGivesTheBudgetBackToZero) {
  ArrowArrayStream stream;
  auto exporter = Exporter(ScanOptions{});
  std::shared_ptr<ExportBudget> budget = exporter->budget();
  ExportArrowStream(std::move(exporter), &stream);
  std::vector<ArrowArray> held;
  for (;;) {
    ArrowArray array;
    ASSERT_EQ(stream.get_next(&stream, &array), 0) << stream.get_last_error(&stream);
    if (array.release == nullptr) break;
    held.push_back(array);
  }
  ASSERT_EQ(held.size(), size_t(dataset_->num_chunks()));
  const uint64_t held_bytes = budget->held.load();
  EXPECT_GT(held_bytes, uint64_t(kRows) * 8 * 10);  // every column of every row, still charged
  EXPECT_GE(budget->budget->used(), held_bytes);
  arrow::Release(&stream);  // the scanner is gone; its working buffers with it
  EXPECT_EQ(budget->budget->used(), held_bytes);
  // The arrays outlive their stream and scanner, readable.
  ScanOptions all;
  const auto expected = ScanAllText(dataset_, all);
  ArrowSchema schema;
  ASSERT_TRUE(ExportArrowSchema(dataset_->schema(), &schema).ok());
  std::vector<std::vector<std::string>> rows;
  for (const ArrowArray& array : held) AppendRows(schema, array, &rows);
  EXPECT_EQ(rows, expected);
  for (ArrowArray& array : held) arrow::Release(&array);
  arrow::Release(&schema);
  EXPECT_EQ(budget->held.load(), 0u);
  EXPECT_EQ(budget->budget->used(), 0u);
}

TEST_F(ArrowExportTest, AMovedChildOutlivesItsReleasedParent) {
  auto exporter = Exporter(ScanOptions{});
  std::shared_ptr<ExportBudget> budget = exporter->budget();
  auto batch = exporter->Next();
  ASSERT_TRUE(batch.ok() && *batch);
  const std::string expected = ValueText((*batch)->columns[13]->vector(), 2);
  const uint64_t column_bytes = (*batch)->columns[13]->bytes();
  ArrowArray parent, moved_parent, child;
  ExportArrowArray(*batch, &parent);
  arrow::Move(&parent, &moved_parent);  // a moved struct: the original is released
  EXPECT_EQ(parent.release, nullptr);
  arrow::Move(moved_parent.children[13], &child);
  batch.value().reset();
  exporter.reset();
  arrow::Release(&moved_parent);
  arrow::Release(&moved_parent);                 // released already: nothing happens
  EXPECT_EQ(budget->held.load(), column_bytes);  // the moved child alone
  ArrowSchema schema;
  ASSERT_TRUE(ExportArrowSchema(dataset_->schema(), &schema).ok());
  EXPECT_EQ(ArrowValueText(*schema.children[13], child, 2), expected);
  arrow::Release(&child);
  arrow::Release(&schema);
  EXPECT_EQ(budget->held.load(), 0u);
  EXPECT_EQ(budget->budget->used(), 0u);
}

TEST_F(ArrowExportTest, TheDictionaryIsTheFilesOwnInEveryBatch) {
  ScanOptions options;
  options.columns = {"cat"};
  auto exporter = Exporter(options);
  auto dictionary = dataset_->LoadDictionary(dataset_->FindColumn("cat"));
  ASSERT_TRUE(dictionary.ok());
  int batches = 0;
  for (;;) {
    auto batch = exporter->Next();
    ASSERT_TRUE(batch.ok());
    if (!*batch) break;
    ArrowArray array;
    ExportArrowArray(*batch, &array);
    const ArrowArray& entries = *array.children[0]->dictionary;
    EXPECT_EQ(entries.length, (*dictionary)->size);
    EXPECT_EQ(entries.buffers[1], (*dictionary)->offsets.data());
    EXPECT_EQ(entries.null_count, 0);
    arrow::Release(&array);
    ++batches;
  }
  EXPECT_EQ(batches, dataset_->num_chunks());
}

TEST_F(ArrowExportTest, AStreamedBatchSmallerThanItsDictionaryGetsTheEntriesItsRowsUse) {
  // `cat` and `catn` have 5 entries: streamed batches of one row get their own dictionaries
  // (more than kCompactDictionaryRatio entries a row); batches of two rows do not.
  ScanOptions small;
  small.columns = {"cat", "catn"};
  small.batch_rows = 1;
  ScanOptions whole = small;
  whole.batch_rows = 1 << 20;
  EXPECT_EQ(StreamRows(small), StreamRows(whole));  // the same value in every row

  auto file = dataset_->LoadDictionary(dataset_->FindColumn("cat"));
  ASSERT_TRUE(file.ok());
  ASSERT_GT((*file)->size, kCompactDictionaryRatio);
  ASSERT_LE((*file)->size, 2 * kCompactDictionaryRatio);
  std::map<std::string, int64_t> file_code;
  for (int64_t code = 0; code < (*file)->size; ++code) file_code[std::string((*file)->Get(code))] = code;
  auto exporter = Exporter(small);
  std::shared_ptr<ExportBudget> budget = exporter->budget();
  ArrowArrayStream stream;
  ExportArrowStream(std::move(exporter), &stream);
  int64_t batches = 0;
  for (;;) {
    ArrowArray array;
    ASSERT_EQ(stream.get_next(&stream, &array), 0) << stream.get_last_error(&stream);
    if (array.release == nullptr) break;
    ++batches;
    const ArrowArray& child = *array.children[0];  // cat: its entries' order is the file's
    const ArrowArray& entries = *child.dictionary;
    ASSERT_LE(entries.length, child.length);
    const auto* offsets = static_cast<const int32_t*>(entries.buffers[1]);
    const auto* bytes = static_cast<const char*>(entries.buffers[2]);
    std::vector<bool> used(size_t(entries.length), false);
    for (int64_t r = 0; r < child.length; ++r) {
      const int32_t code = static_cast<const int32_t*>(child.buffers[1])[r];
      ASSERT_TRUE(code >= 0 && code < entries.length);
      used[size_t(code)] = true;
    }
    int64_t previous = -1;
    for (int64_t e = 0; e < entries.length; ++e) {
      const std::string entry(bytes + offsets[e], size_t(offsets[e + 1] - offsets[e]));
      ASSERT_TRUE(file_code.count(entry)) << entry;
      EXPECT_GT(file_code[entry], previous);  // the file's order
      previous = file_code[entry];
      EXPECT_TRUE(used[size_t(e)]) << entry;  // only entries a row uses
    }
    EXPECT_LE(array.children[1]->dictionary->length, array.children[1]->length);
    arrow::Release(&array);
  }
  EXPECT_GT(batches, 2 * dataset_->num_chunks());
  arrow::Release(&stream);
  EXPECT_EQ(budget->held.load(), 0u);
  EXPECT_EQ(budget->budget->used(), 0u);

  // Batches of two rows have the file's dictionary, in a stream too.
  ScanOptions two = small;
  two.batch_rows = 2;
  ExportArrowStream(Exporter(two), &stream);
  ArrowArray pair;
  ASSERT_EQ(stream.get_next(&stream, &pair), 0);
  ASSERT_NE(pair.release, nullptr);
  EXPECT_EQ(pair.children[0]->dictionary->buffers[1], (*file)->offsets.data());
  arrow::Release(&pair);
  arrow::Release(&stream);

  // Outside a stream (a batch exported alone, NumPy batches) the codes stay the file's.
  auto alone = Exporter(small);
  auto batch = alone->Next();
  ASSERT_TRUE(batch.ok() && *batch);
  ArrowArray array;
  ExportArrowArray(*batch, &array);
  EXPECT_EQ(array.children[0]->dictionary->length, (*file)->size);
  EXPECT_EQ(array.children[0]->buffers[1], (*batch)->columns[0]->vector().values.data());
  arrow::Release(&array);
}

TEST_F(ArrowExportTest, AConsumerHoldingMoreThanTheBudgetGetsAClearError) {
  ScanOptions options;
  options.memory_limit = 256 << 10;  // holds a chunk's decoding, not every batch
  options.columns = {"i", "text", "textn"};
  {
    // Released as it goes: never refused.
    EXPECT_EQ(StreamRows(options).size(), size_t(kRows));
  }
  ArrowArrayStream stream;
  ExportArrowStream(Exporter(options), &stream);
  std::vector<ArrowArray> held;
  int code = 0;
  while (code == 0) {
    ArrowArray array;
    code = stream.get_next(&stream, &array);
    if (code == 0 && array.release == nullptr) break;
    if (code == 0) held.push_back(array);
  }
  EXPECT_EQ(code, ENOMEM);
  ASSERT_NE(stream.get_last_error(&stream), nullptr);
  const std::string message = stream.get_last_error(&stream);
  EXPECT_NE(message.find("memory_limit of " + FormatSize(256 << 10)), std::string::npos) << message;
  EXPECT_NE(message.find("still holds"), std::string::npos) << message;
  EXPECT_GT(held.size(), 0u);
  ArrowArray after;
  EXPECT_EQ(stream.get_next(&stream, &after), ENOMEM);  // final: no rows skipped
  for (ArrowArray& array : held) arrow::Release(&array);
  arrow::Release(&stream);
}

TEST_F(ArrowExportTest, CancelledAndCorruptScansSayWhy) {
  std::atomic<bool> cancel{true};
  ScanOptions options;
  options.cancel = &cancel;
  ArrowArrayStream stream;
  ExportArrowStream(Exporter(options), &stream);
  ArrowArray array;
  EXPECT_EQ(stream.get_next(&stream, &array), ECANCELED);
  EXPECT_NE(std::string(stream.get_last_error(&stream)).find("interrupted"), std::string::npos);
  arrow::Release(&stream);

  // A byte flipped inside the first chunk's data: its checksum catches it.
  std::string bytes;
  {
    std::ifstream in(path_, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[200] = char(bytes[200] ^ 0xff);
  const std::string bad = dir_ + "/bad.oc";
  std::ofstream(bad, std::ios::binary) << bytes;
  auto damaged = Dataset::Open(bad);
  ASSERT_TRUE(damaged.ok()) << damaged.status().ToString();
  auto scanner = Scanner::Make(*damaged, ScanOptions{});
  ASSERT_TRUE(scanner.ok());
  ExportArrowStream(std::make_unique<BatchExporter>(std::move(*scanner)), &stream);
  EXPECT_EQ(stream.get_next(&stream, &array), EIO);
  const std::string message = stream.get_last_error(&stream);
  EXPECT_NE(message.find("bad.oc"), std::string::npos) << message;
  EXPECT_NE(message.find("checksum"), std::string::npos) << message;
  arrow::Release(&stream);
  EXPECT_EQ(stream.release, nullptr);
  arrow::Release(&stream);  // released: nothing happens
}

TEST_F(ArrowExportTest, ASingleBatchStreamEndsAfterIt) {
  auto exporter = Exporter(ScanOptions{});
  auto batch = exporter->Next();
  ASSERT_TRUE(batch.ok() && *batch);
  std::shared_ptr<const ExportedBatch> once = *batch;
  ArrowArrayStream stream;
  ExportArrowStream(
      exporter->columns(), [once]() mutable { return std::exchange(once, nullptr); }, &stream);
  ArrowArray array;
  ASSERT_EQ(stream.get_next(&stream, &array), 0);
  EXPECT_EQ(array.length, (*batch)->num_rows);
  EXPECT_EQ(array.children[0]->buffers[1], (*batch)->columns[0]->vector().values.data());
  arrow::Release(&array);
  ASSERT_EQ(stream.get_next(&stream, &array), 0);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(stream.get_last_error(&stream), nullptr);
  arrow::Release(&stream);
}

}  // namespace
}  // namespace outcore
