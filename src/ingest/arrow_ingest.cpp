// Arrow in (IngestArrowStream, include/outcore/ingest.h): the front that
// reads an Arrow C stream, for the stages the CSV front uses too
// (encode_stages.h).
//
//   calling thread                  workers (N)                           stages
//   --------------                  -----------                           ------
//   get_next, copy rows into   ->   value problems, UTF-8, schema     ->  EncodeStages::Process
//   typed chunks (arrow/import.h),  casts -> rejects; kept rows only
//   release each batch once copied
//
// Memory: a fixed pool of `threads + 1` chunks, each about the plan's
// block_bytes of typed rows, goes round between the reader and the workers
// (the reader waits for a free one: back-pressure); the producer's batch is
// held only while its rows are copied.
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "arrow/import.h"
#include "base/utf8.h"
#include "csv/header.h"
#include "csv/value_parser.h"
#include "csv/writer.h"
#include "format/metadata.h"
#include "ingest/encode_stages.h"
#include "outcore/arrow_abi.h"
#include "outcore/ingest.h"

namespace outcore {

namespace {

// How the rejects file and messages name the input.
constexpr const char* kSourceName = "the Arrow stream";
// Rows per chunk at most (a chunk is also cut at the plan's block bytes).
constexpr int64_t kMaxArrowChunkRows = int64_t(1) << 20;

// A chunk of rows as imported (the columns' Arrow-mapped types), with the
// values that had no exact form.
struct ArrowChunk {
  uint64_t seq = 0;
  uint64_t first_row = 0;  // 0-based row of the stream
  int64_t rows = 0;
  std::vector<ColumnVector> columns;
  std::vector<arrow::ValueProblem> problems;
  std::vector<int32_t> kept;  // with problems: the stream rows kept, by position in the chunk
};

// The casts --schema may ask of an Arrow column: exact ones only; a value
// with no exact form rejects its row.
bool CastAllowed(TypeId from, TypeId to) {
  if (from == to || to == TypeId::kString || from == TypeId::kString) return true;
  switch (from) {
    case TypeId::kInt64:
      return to == TypeId::kFloat64;
    case TypeId::kFloat64:
      return to == TypeId::kInt64;
    case TypeId::kBool:
      return to == TypeId::kInt64;
    case TypeId::kDate:
      return to == TypeId::kTimestamp;
    case TypeId::kTimestamp:
      return to == TypeId::kDate;
    default:
      return false;
  }
}

std::string CastChoices(TypeId from) {
  std::string out;
  for (TypeId to : {TypeId::kBool, TypeId::kInt64, TypeId::kFloat64, TypeId::kString, TypeId::kDate,
                    TypeId::kTimestamp}) {
    if (CastAllowed(from, to)) out += (out.empty() ? "" : ", ") + std::string(TypeName(to));
  }
  return out;
}

// Text of a value of a non-string column (for a cast to string and rejects).
std::string ValueText(const ColumnVector& column, int64_t row) {
  char buf[kFormatBufferSize];
  switch (column.type) {
    case TypeId::kFloat64:
      return std::string(buf, FormatFloat64(column.GetFloat64(row), buf));
    case TypeId::kBool:
      return std::string(buf, FormatBool(column.GetBool(row), buf));
    case TypeId::kDate:
      return std::string(buf, FormatDate(column.GetDate(row), buf));
    case TypeId::kString:
      return std::string(column.GetString(row));
    default:
      return std::string(buf, FormatIntegerAs(column.type, column.GetInt64(row), buf));
  }
}

// Casts `src` into `dst` (of type `to`), row by row; a value without an exact
// form becomes a problem (its slot 0 or ""). REQUIRES: CastAllowed(src.type, to).
void CastColumn(const ColumnVector& src, TypeId to, int32_t column,
                std::vector<arrow::ValueProblem>* problems, ColumnVector* dst) {
  dst->Reset(to);
  const int64_t n = src.length;
  if (src.null_count > 0) dst->validity.Append(src.validity.data(), size_t(BitmapBytes(n)));
  dst->null_count = src.null_count;
  dst->length = n;
  auto fail = [&](int64_t row, RejectReason reason, std::string detail) {
    problems->push_back({row, column, reason, std::move(detail), ValueText(src, row)});
  };
  if (to == TypeId::kString) {
    dst->values.Push<int32_t>(0);
    for (int64_t row = 0; row < n; ++row) {
      if (src.IsValid(row)) {
        const std::string text = ValueText(src, row);
        dst->data.Append(text.data(), text.size());
      }
      dst->values.Push<int32_t>(int32_t(dst->data.size()));
    }
    return;
  }
  if (to == TypeId::kBool) {
    dst->values.ResizeZeroed(size_t(BitmapBytes(n)));
  } else {
    dst->values.ResizeZeroed(size_t(n) * (to == TypeId::kDate ? 4 : 8));
  }
  const std::string want = std::string(TypeName(to));
  for (int64_t row = 0; row < n; ++row) {
    if (!src.IsValid(row)) continue;
    ParseOutcome outcome = ParseOutcome::kOk;
    int64_t integer = 0;
    double real = 0;
    bool flag = false;
    int32_t days = 0;
    switch (src.type) {
      case TypeId::kString: {
        const std::string_view text = src.GetString(row);
        if (to == TypeId::kInt64) outcome = ParseInt64(text, &integer);
        if (to == TypeId::kFloat64) outcome = ParseFloat64(text, &real);
        if (to == TypeId::kBool) outcome = ParseBool(text, ValueSpellings(), &flag);
        if (to == TypeId::kDate) outcome = ParseDate(text, &days);
        if (to == TypeId::kTimestamp) outcome = ParseTimestamp(text, &integer);
        break;
      }
      case TypeId::kInt64: {  // -> float64, exact below 2^53 and wherever the double gives it back
        const int64_t value = src.GetInt64(row);
        real = double(value);
        if (!(real < 9223372036854775808.0) || int64_t(real) != value) outcome = ParseOutcome::kOutOfRange;
        break;
      }
      case TypeId::kFloat64: {  // -> int64: whole numbers in range
        real = src.GetFloat64(row);
        if (!(real >= -9223372036854775808.0 && real < 9223372036854775808.0) ||
            real != double(int64_t(real))) {
          outcome = ParseOutcome::kOutOfRange;
        } else {
          integer = int64_t(real);
        }
        break;
      }
      case TypeId::kBool:
        integer = src.GetBool(row) ? 1 : 0;
        break;
      case TypeId::kDate:
        integer = int64_t(src.GetDate(row)) * 86400000000;
        break;
      case TypeId::kTimestamp: {  // -> date: midnight only
        const int64_t micros = src.GetInt64(row);
        constexpr int64_t kMicrosPerDay = 86400000000;
        if (micros % kMicrosPerDay != 0) outcome = ParseOutcome::kOutOfRange;
        days = int32_t(micros / kMicrosPerDay);
        break;
      }
    }
    if (outcome != ParseOutcome::kOk) {
      const std::string value = ValueText(src, row);
      fail(row, outcome == ParseOutcome::kOutOfRange ? RejectReason::kOutOfRange : RejectReason::kUnparsable,
           "'" + value.substr(0, 64) + "' (" + std::string(TypeName(src.type)) + ") has no exact " + want +
               " form");
      continue;
    }
    switch (to) {
      case TypeId::kBool:
        if (flag) SetBit(dst->values.data(), row);
        break;
      case TypeId::kFloat64:
        dst->values.as<double>()[row] = real;
        break;
      case TypeId::kDate:
        dst->values.as<int32_t>()[row] = days;
        break;
      default:
        dst->values.as<int64_t>()[row] = integer;
    }
  }
}

// The string column's values that are not UTF-8 become problems.
void CheckUtf8(const ColumnVector& column, int32_t column_index, std::vector<arrow::ValueProblem>* problems) {
  if (IsValidUtf8(column.data.view())) return;
  for (int64_t row = 0; row < column.length; ++row) {
    const std::string_view value = column.GetString(row);
    const size_t bad = InvalidUtf8Offset(value);
    if (bad == value.size()) continue;
    problems->push_back({row, column_index, RejectReason::kInvalidUtf8,
                         "not valid UTF-8 at byte " + std::to_string(bad),
                         std::string(value.substr(0, 256))});
  }
}

// The options that only mean something for CSV text.
Status RefuseCsvOptions(const IngestOptions& o) {
  std::vector<std::string> given;
  if (!o.inputs.empty()) given.push_back("input files");
  if (o.delimiter || o.space_aligned) given.push_back("delimiter");
  if (o.quote != '"') given.push_back("quote");
  if (!o.header) given.push_back("header");
  if (!o.encoding.empty()) given.push_back("encoding");
  if (!o.na_values.empty()) given.push_back("na_values");
  if (!o.true_values.empty()) given.push_back("true_values");
  if (!o.false_values.empty()) given.push_back("false_values");
  if (o.skip_rows) given.push_back("skip_rows");
  if (o.comment) given.push_back("comment");
  if (o.pad_short_rows) given.push_back("pad_short_rows");
  if (o.decimal != '.') given.push_back("decimal");
  if (o.escape) given.push_back("escape");
  if (o.thousands) given.push_back("thousands");
  if (given.empty()) return Status::OK();
  std::string names;
  for (const std::string& name : given) names += (names.empty() ? "" : ", ") + name;
  return Status::InvalidArgument(names + (given.size() > 1 ? " are CSV options" : " is a CSV option") +
                                 ": an Arrow stream has typed, named columns; drop " +
                                 (given.size() > 1 ? "them" : "it") +
                                 " (schema= still changes a column's type where the cast is exact)");
}

class ArrowFront {
 public:
  explicit ArrowFront(const IngestOptions& options)
      : options_(options),
        budget_(options.memory_limit ? options.memory_limit : DefaultMemoryLimit()),
        stages_(options, &budget_, &stop_) {}

  Status Run(ArrowArrayStream* stream, IngestReport* report) {
    Status status = RunStages(stream);
    return stages_.Conclude(
        std::move(status),
        [this](IngestReport* r) {
          r->source = "arrow";
          r->renamed_columns = renamed_;
        },
        report);
  }

 private:
  Status RunStages(ArrowArrayStream* stream);
  Status Schema();
  void ReaderLoop();
  void WorkerLoop(ChunkWork* work);
  Status ProcessChunk(ArrowChunk* chunk, ChunkWork* work);
  void Fail(Status status) {
    {
      std::lock_guard lock(mutex_);
      if (error_.ok()) error_ = std::move(status);
    }
    stop_ = true;
    queue_->Close();
    free_ready_.notify_all();
    stages_.WakeAll();
  }
  std::unique_ptr<ArrowChunk> TakeFree() {
    std::unique_lock lock(mutex_);
    free_ready_.wait(lock, [&] { return !free_.empty() || stop_.load(); });
    if (stop_) return nullptr;
    auto chunk = std::move(free_.back());
    free_.pop_back();
    return chunk;
  }
  void GiveBack(std::unique_ptr<ArrowChunk> chunk) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(chunk));
    free_ready_.notify_one();
  }

  const IngestOptions& options_;
  MemoryBudget budget_;
  std::atomic<bool> stop_{false};
  EncodeStages stages_;
  std::unique_ptr<arrow::StreamImporter> importer_;
  std::vector<TypeId> imported_types_;  // as the stream gives them
  std::vector<TypeId> stored_types_;    // after --schema
  std::vector<IngestRename> renamed_;
  std::unique_ptr<ingest::BoundedQueue<std::unique_ptr<ArrowChunk>>> queue_;
  std::mutex mutex_;
  Status error_;
  std::condition_variable free_ready_;
  std::vector<std::unique_ptr<ArrowChunk>> free_;
  uint64_t imported_bytes_ = 0;
};

Status ArrowFront::Schema() {
  const std::vector<arrow::ImportColumn>& imported = importer_->columns();
  std::vector<std::string> raw;
  for (const auto& column : imported) {
    if (!IsValidUtf8(column.name)) {
      return Status::InvalidArgument("the Arrow stream's column " + std::to_string(raw.size() + 1) +
                                     " has a name that is not valid UTF-8");
    }
    raw.push_back(column.name);
  }
  std::vector<HeaderRename> renamed;
  const std::vector<std::string> names = UniqueColumnNames(raw, &renamed);
  for (const HeaderRename& r : renamed) renamed_.push_back({r.column + 1, r.from, r.to});
  std::vector<StageColumn> columns(imported.size());
  for (size_t c = 0; c < imported.size(); ++c) {
    columns[c].name = names[c];
    columns[c].type = imported[c].type;
    columns[c].type_note = imported[c].note;
    imported_types_.push_back(imported[c].type);
  }
  for (const auto& [name, type] : options_.schema) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string all;
      for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
      return Status::InvalidArgument("--schema names column '" + name +
                                     "', which the Arrow stream does not have; its columns are: " + all);
    }
    const size_t c = size_t(it - names.begin());
    if (!CastAllowed(imported[c].type, type)) {
      return Status::InvalidArgument(
          "--schema " + name + ":" + std::string(TypeName(type)) + ": column '" + name + "' is " +
          imported[c].arrow_type + " in the Arrow stream, stored as " +
          std::string(TypeName(imported[c].type)) + "; it can become " + CastChoices(imported[c].type) +
          " (casts that lose nothing), not " + std::string(TypeName(type)));
    }
    columns[c].type = type;
    columns[c].inferred = false;
    if (type != imported[c].type) {
      columns[c].type_note = "cast from " + imported[c].arrow_type + " by --schema";
    }
  }
  for (const StageColumn& column : columns) stored_types_.push_back(column.type);
  return stages_.Start(columns, kSourceName);
}

Status ArrowFront::RunStages(ArrowArrayStream* stream) {
  // The stream is the importer's from here, released when it goes, whatever happens.
  OC_ASSIGN_OR_RETURN(importer_, arrow::StreamImporter::Open(stream));
  OC_RETURN_IF_ERROR(RefuseCsvOptions(options_));
  OC_RETURN_IF_ERROR(stages_.Plan({}));
  stages_.SetPlaceWord("row");
  OC_RETURN_IF_ERROR(Schema());
  OC_RETURN_IF_ERROR(stages_.OpenOutputs());

  const int threads = stages_.memory().threads;
  queue_ = std::make_unique<ingest::BoundedQueue<std::unique_ptr<ArrowChunk>>>(size_t(threads));
  for (int chunk_idx = 0; chunk_idx < threads + 1; ++chunk_idx) {
    auto chunk = std::make_unique<ArrowChunk>();
    for (TypeId type : imported_types_) chunk->columns.emplace_back(type, &budget_);
    free_.push_back(std::move(chunk));
  }
  std::vector<std::unique_ptr<ChunkWork>> works;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) works.push_back(stages_.NewWork());
  for (auto& work : works) workers.emplace_back([this, w = work.get()] { WorkerLoop(w); });
  ReaderLoop();
  queue_->Close();
  for (auto& worker : workers) worker.join();
  {
    std::lock_guard lock(mutex_);
    if (!error_.ok()) return error_;
  }
  // Done with the stream and the chunks: free them before the indexes are serialized.
  works.clear();
  free_.clear();
  importer_.reset();
  OC_RETURN_IF_ERROR(stages_.Finish({"arrow stream"}, imported_bytes_));
  return stages_.Commit();
}

void ArrowFront::ReaderLoop() {
  uint64_t seq = 0;
  uint64_t first_row = 0;
  const uint64_t chunk_bytes = stages_.memory().block_bytes;
  for (;;) {
    if (options_.cancel && options_.cancel->load()) {
      Fail(Status::Cancelled("interrupted; nothing was written to " + options_.output));
      return;
    }
    std::unique_ptr<ArrowChunk> chunk = TakeFree();
    if (!chunk) return;  // stopped
    for (size_t c = 0; c < chunk->columns.size(); ++c) chunk->columns[c].Reset(imported_types_[c]);
    chunk->problems.clear();
    Result<int64_t> rows =
        importer_->Fill(kMaxArrowChunkRows, chunk_bytes, &chunk->columns, &chunk->problems);
    if (!rows.ok()) {
      Fail(rows.status());
      return;
    }
    if (*rows == 0) return;  // the end of the stream
    chunk->rows = *rows;
    chunk->seq = seq++;
    chunk->first_row = first_row;
    first_row += uint64_t(*rows);
    for (const ColumnVector& column : chunk->columns) {
      imported_bytes_ += column.validity.size() + column.values.size() + column.data.size();
    }
    if (!queue_->Push(std::move(chunk))) return;
  }
}

void ArrowFront::WorkerLoop(ChunkWork* work) {
  while (std::optional<std::unique_ptr<ArrowChunk>> item = queue_->Pop()) {
    std::unique_ptr<ArrowChunk> chunk = std::move(*item);
    if (!stop_) {
      Status status = ProcessChunk(chunk.get(), work);
      if (!status.ok()) Fail(status);
    }
    GiveBack(std::move(chunk));
  }
}

Status ArrowFront::ProcessChunk(ArrowChunk* chunk, ChunkWork* work) {
  std::vector<arrow::ValueProblem>& problems = chunk->problems;
  for (size_t c = 0; c < stored_types_.size(); ++c) {
    ColumnVector& imported = chunk->columns[c];
    if (imported.type == TypeId::kString) CheckUtf8(imported, int32_t(c), &problems);
    if (stored_types_[c] != imported.type) {
      CastColumn(imported, stored_types_[c], int32_t(c), &problems, &work->columns[c]);
    } else {
      std::swap(work->columns[c], imported);  // the chunk takes the worker's old buffers of the same type
    }
  }
  work->rejects.clear();
  work->records = uint64_t(chunk->rows);
  if (!problems.empty()) {
    // A row with a problem in any column is rejected (the first column's
    // problem names it); the kept rows are copied out of every column.
    std::stable_sort(problems.begin(), problems.end(), [](const auto& a, const auto& b) {
      return a.row != b.row ? a.row < b.row : a.column < b.column;
    });
    std::vector<int32_t>& kept = chunk->kept;
    kept.clear();
    kept.reserve(size_t(chunk->rows));
    size_t next = 0;
    for (int64_t row = 0; row < chunk->rows; ++row) {
      if (next < problems.size() && problems[next].row == row) {
        const arrow::ValueProblem& p = problems[next];
        RowReject reject;
        reject.line = chunk->first_row + uint64_t(row) + 1;
        reject.column = p.column;
        reject.reason = p.reason;
        reject.detail = p.detail;
        reject.raw = p.raw;
        work->rejects.push_back(std::move(reject));
        while (next < problems.size() && problems[next].row == row) ++next;
        continue;
      }
      kept.push_back(int32_t(row));
    }
    for (size_t c = 0; c < stored_types_.size(); ++c) {
      TakeRows(work->columns[c], kept.data(), int64_t(kept.size()), &chunk->columns[c]);
      std::swap(work->columns[c], chunk->columns[c]);
    }
  }
  if (!options_.rules.empty()) {
    // A rule reject names the row by its number in the stream, and its values as a CSV record.
    const bool compacted = !problems.empty();
    work->describe_row = [chunk, work, compacted](int64_t row, RowReject* reject) {
      reject->line = chunk->first_row + uint64_t(compacted ? chunk->kept[size_t(row)] : row) + 1;
      reject->raw.clear();
      for (size_t c = 0; c < work->columns.size(); ++c) {
        if (c) reject->raw += ',';
        const ColumnVector& column = work->columns[c];
        if (column.IsValid(row)) AppendCsvField(&reject->raw, ValueText(column, row));
      }
    };
  }
  return stages_.Process(work, chunk->seq, kSourceName, 0);
}

}  // namespace

Status IngestArrowStream(ArrowArrayStream* stream, const IngestOptions& options, IngestReport* report) {
  ArrowFront front(options);
  return front.Run(stream, report);
}

Result<IngestReport> IngestArrowStream(ArrowArrayStream* stream, const IngestOptions& options) {
  IngestReport report;
  OC_RETURN_IF_ERROR(IngestArrowStream(stream, options, &report));
  return report;
}

}  // namespace outcore
