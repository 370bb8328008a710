#include <algorithm>
#include <cstring>
#include <future>
#include <thread>

#include "format/file_reader.h"
#include "index/token_index.h"
#include "index/value_index.h"
#include "outcore/dataset.h"
#include "scan/dataset_internal.h"
#include "scan/evaluate.h"
#include "scan/expression.h"
#include "scan/part_scan.h"
#include "scan/query_plan.h"

namespace outcore {

namespace {

// Stored bytes of a chunk's decoded columns below which one thread decodes them.
constexpr uint64_t kMinBytesForTwoLanes = 256 << 10;

// One index block, read and deserialized (one of the two is set).
struct LoadedIndex {
  std::unique_ptr<ValueIndex> value;
  std::unique_ptr<TokenIndex> token;
};

// Reads, checks and deserializes the index of `choice`, charging it to
// `budget`; `stored` is scratch, freed afterwards.
Result<LoadedIndex> LoadIndex(const Dataset& dataset, const IndexChoice& choice, MemoryBudget* budget,
                              Buffer* stored) {
  const format::IndexMeta& index = *choice.index;
  LoadedIndex loaded;
  Buffer bytes(budget);
  OC_RETURN_IF_ERROR(ReadIndexBlock(dataset, index, &bytes, stored));
  if (index.kind == format::kIndexKindValue) {
    auto parsed = ValueIndex::Deserialize(bytes.view(), budget);
    if (!parsed.ok()) return parsed.status().WithContext(dataset.path() + ": " + choice.name);
    if (parsed->kind() != IndexKind::kValue ||
        parsed->type() != DatasetMetadata(dataset).columns[index.column].type) {
      return Status::Corruption(dataset.path() + ": " + choice.name + " holds a " +
                                (parsed->kind() == IndexKind::kToken ? "token index" : "value index") +
                                " of a " + std::string(TypeName(parsed->type())) + " column");
    }
    loaded.value = std::make_unique<ValueIndex>(std::move(*parsed));
  } else {
    auto parsed = TokenIndex::Deserialize(bytes.view(), budget);
    if (!parsed.ok()) return parsed.status().WithContext(dataset.path() + ": " + choice.name);
    loaded.token = std::make_unique<TokenIndex>(std::move(*parsed));
  }
  stored->Free();
  return loaded;
}

}  // namespace

uint64_t ChunkDecodeBytes(const format::FileMetadata& meta, const format::ChunkMeta& chunk,
                          const std::vector<int>& columns, bool filtered, int lanes) {
  uint64_t held = 0, scratch = 0;
  for (int column : columns) {
    const format::ColumnMeta& column_meta = meta.columns[size_t(column)];
    const format::ColumnChunkMeta& cc = chunk.columns[size_t(column)];
    held += DecodedChunkBytes(column_meta.type, chunk.row_count, cc);
    const uint64_t payload = cc.block.codec == format::kCodecNone ? 0 : cc.block.decoded_size;
    scratch = std::max(scratch, cc.block.stored_size + payload);
    if (column_meta.has_dictionary) {
      held += column_meta.dictionary.stored_size + 2 * column_meta.dictionary.decoded_size;
    }
  }
  if (filtered && !columns.empty()) held += (chunk.row_count + 7) / 8 + chunk.row_count * 4;
  return held + scratch * uint64_t(lanes);
}

// Everything a scan holds between calls. Scanner forwards to it once per
// call (a batch, a count), never per row.
struct Scanner::Rep {
  Rep(std::shared_ptr<const Dataset> dataset, ScanOptions options, std::shared_ptr<MemoryBudget> budget);

  Status Plan();
  uint64_t DecodeNeed(const format::ChunkMeta& chunk, int lanes) const;
  Status CheckDecodeFits();
  Result<bool> Next(Batch* batch);
  Result<int64_t> CountRows();
  std::string Explain() const;
  Status LoadChunk(int64_t chunk);
  Status DecodeChunk(int64_t chunk);
  Status DecodeSet(int64_t chunk, const std::vector<size_t>& which);
  Status DecodeColumns(int64_t chunk, const std::vector<size_t>& columns, Buffer* stored, Buffer* payload);
  Status SelectRows(int64_t chunk);
  bool ChunkWanted(int64_t chunk) const;

  std::shared_ptr<const Dataset> dataset_;
  ScanOptions options_;
  // Shared: buffers handed out of the scan (an Arrow export) stay charged to
  // it after the scanner is gone (shared_budget()).
  std::shared_ptr<MemoryBudget> budget_;
  std::vector<int> projection_;  // file column index per batch column
  std::vector<ColumnSchema> columns_;
  std::vector<int> decoded_;  // file columns decoded per chunk: projection, then where-only columns
  std::vector<ColumnVector> chunk_columns_;  // the current chunk, decoded, in decoded_ order
  format::ChunkMeta chunk_meta_;             // the metadata of the chunk being decoded
  Buffer stored_, payload_;
  Buffer stored2_, payload2_;  // the second decoding lane's scratch
  int lanes_ = 1;
  int64_t chunk_ = -1;
  int64_t offset_in_chunk_ = 0;
  int64_t rows_returned_ = 0;
  ScanCounters counters_;
  std::unique_ptr<Expr> where_;
  std::vector<int> predicate_columns_;  // file columns where_ reads (decoded first)
  std::unique_ptr<QueryPlan> plan_;
  std::vector<std::unique_ptr<ValueIndex>> value_indexes_;
  std::vector<std::unique_ptr<TokenIndex>> token_indexes_;
  bool filtered_ = false;  // the current chunk's rows are a selection
  Buffer selection_;       // the chunk's selection bitmap
  Buffer selected_rows_;   // int32 positions of the selected rows in the chunk
  int64_t selected_count_ = 0;
  Status failed_;                    // the first error of LoadChunk; every later call returns it
  std::unique_ptr<PartScan> parts_;  // set for a folder of parts: it does the scan
};

Scanner::Rep::Rep(std::shared_ptr<const Dataset> dataset, ScanOptions options,
                  std::shared_ptr<MemoryBudget> budget)
    : dataset_(std::move(dataset)),
      options_(std::move(options)),
      budget_(std::move(budget)),
      stored_(budget_.get()),
      payload_(budget_.get()),
      stored2_(budget_.get()),
      payload2_(budget_.get()),
      selection_(budget_.get()),
      selected_rows_(budget_.get()) {}

Scanner::Scanner(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

Scanner::~Scanner() = default;

Result<std::unique_ptr<Scanner>> Scanner::Make(std::shared_ptr<const Dataset> dataset, ScanOptions options) {
  return MakeScanner(std::move(dataset), std::move(options), nullptr);
}

Result<std::vector<int>> ProjectColumns(const Dataset& dataset, const std::vector<std::string>& columns) {
  const auto& schema = dataset.schema();
  std::vector<int> projection;
  if (columns.empty()) {
    for (size_t i = 0; i < schema.size(); ++i) projection.push_back(int(i));
    return projection;
  }
  for (const std::string& name : columns) {
    const int index = dataset.FindColumn(name);
    if (index < 0) {
      std::string names;
      for (const auto& c : schema) names += (names.empty() ? "" : ", ") + c.name;
      return Status::InvalidArgument("no column '" + name + "' in " + dataset.path() +
                                     "; its columns are: " + names);
    }
    projection.push_back(index);
  }
  return projection;
}

struct ScannerAccess {
  static Result<std::unique_ptr<Scanner>> Make(std::shared_ptr<const Dataset> dataset, ScanOptions options,
                                               std::shared_ptr<MemoryBudget> budget);
};

Result<std::unique_ptr<Scanner>> MakeScanner(std::shared_ptr<const Dataset> dataset, ScanOptions options,
                                             std::shared_ptr<MemoryBudget> budget) {
  return ScannerAccess::Make(std::move(dataset), std::move(options), std::move(budget));
}

Result<std::unique_ptr<Scanner>> ScannerAccess::Make(std::shared_ptr<const Dataset> dataset,
                                                     ScanOptions options,
                                                     std::shared_ptr<MemoryBudget> budget) {
  if (options.batch_rows <= 0) return Status::InvalidArgument("batch_rows must be at least 1");
  if (!budget) {
    budget =
        std::make_shared<MemoryBudget>(options.memory_limit ? options.memory_limit : DefaultMemoryLimit());
  }
  auto s = std::make_unique<Scanner::Rep>(std::move(dataset), std::move(options), std::move(budget));
  if (s->dataset_->is_part_set()) {
    if (s->options_.chunks.begin != 0 || s->options_.chunks.end >= 0) {
      return Status::InvalidArgument(s->dataset_->path() +
                                     " is a folder of parts: a chunk span reads one part's chunks, so "
                                     "open that part (ds.parts names their files) and scan it");
    }
    OC_ASSIGN_OR_RETURN(s->parts_, PartScan::Make(s->dataset_, s->options_, s->budget_));
    return std::unique_ptr<Scanner>(new Scanner(std::move(s)));
  }
  const auto& schema = s->dataset_->schema();
  OC_ASSIGN_OR_RETURN(s->projection_, ProjectColumns(*s->dataset_, s->options_.columns));
  for (int index : s->projection_) s->columns_.push_back(schema[size_t(index)]);
  s->decoded_ = s->projection_;
  const int threads =
      s->options_.threads > 0 ? s->options_.threads : int(std::thread::hardware_concurrency());
  s->lanes_ = threads >= 2 ? 2 : 1;
  const int64_t chunks = s->dataset_->num_chunks();
  if (s->options_.chunks.end < 0) s->options_.chunks.end = chunks;
  if (s->options_.chunks.begin < 0 || s->options_.chunks.begin > s->options_.chunks.end ||
      s->options_.chunks.end > chunks) {
    return Status::InvalidArgument("chunk span [" + std::to_string(s->options_.chunks.begin) + ", " +
                                   std::to_string(s->options_.chunks.end) + ") is not within the " +
                                   std::to_string(chunks) + " chunks of " + s->dataset_->path() +
                                   ": give 0 <= begin <= end <= " + std::to_string(chunks));
  }
  s->counters_.chunks_total = s->options_.chunks.end - s->options_.chunks.begin;
  if (!s->options_.where.empty()) OC_RETURN_IF_ERROR(s->Plan());
  OC_RETURN_IF_ERROR(s->CheckDecodeFits());
  for (int index : s->decoded_) s->chunk_columns_.emplace_back(schema[size_t(index)].type, s->budget_.get());
  return std::unique_ptr<Scanner>(new Scanner(std::move(s)));
}

// Parses `where`, asks the planner which chunks and indexes the scan needs,
// loads those indexes (those that fit the budget) and lets the planner turn
// their rows into the chunks to read. An index that does not fit is left
// out: the plan is then answered by zone maps and filtering, with the same rows.
Status Scanner::Rep::Plan() {
  OC_ASSIGN_OR_RETURN(where_, ParsePredicate(options_.where, dataset_->schema()));
  predicate_columns_ = where_->Columns();
  const format::FileMetadata& meta = DatasetMetadata(*dataset_);
  PlanOptions plan_options;
  plan_options.decoded_columns = decoded_;
  plan_options.use_zone_maps = options_.use_zone_maps;
  plan_options.use_indexes = options_.use_indexes;
  plan_options.force_indexes = options_.force_indexes;
  plan_options.count_only = options_.count_only;
  auto zones = PlanZonesAndIndexes(*where_, meta, DatasetReader(*dataset_), plan_options, &stored_);
  if (!zones.ok()) return zones.status();
  plan_ = std::make_unique<QueryPlan>(std::move(*zones));
  IndexSet indexes;
  indexes.value.resize(meta.columns.size());
  indexes.token.resize(meta.columns.size());
  for (IndexChoice& choice : plan_->indexes) {
    if (!choice.read || !AdmitIndex(*budget_, &choice)) continue;
    OC_ASSIGN_OR_RETURN(LoadedIndex loaded, LoadIndex(*dataset_, choice, budget_.get(), &stored_));
    counters_.bytes_read += choice.index->block.stored_size;
    const size_t column = choice.index->column;
    if (loaded.value) {
      indexes.value[column] = loaded.value.get();
      value_indexes_.push_back(std::move(loaded.value));
    } else {
      indexes.token[column] = loaded.token.get();
      token_indexes_.push_back(std::move(loaded.token));
    }
  }
  Status planned = PlanRows(*where_, meta, indexes, plan_.get());
  if (!planned.ok()) return planned.WithContext(dataset_->path());
  // The indexes are no longer needed once their rows are in the plan.
  value_indexes_.clear();
  token_indexes_.clear();
  if (!plan_->rows_exact)
    decoded_ = plan_->filter_columns;  // the rows are filtered: decode what the predicate reads
  return Status::OK();
}

uint64_t Scanner::Rep::DecodeNeed(const format::ChunkMeta& chunk, int lanes) const {
  return ChunkDecodeBytes(DatasetMetadata(*dataset_), chunk, decoded_, plan_ != nullptr, lanes);
}

// Before the first chunk is read: a chunk too large for the budget is refused
// here, naming it and what it needs, rather than allocated (a file written with
// a larger budget than the scan's, or a footer with hostile sizes). Two
// decoding lanes that do not fit become one.
Status Scanner::Rep::CheckDecodeFits() {
  const format::FileMetadata& meta = DatasetMetadata(*dataset_);
  const uint64_t limit = budget_->limit();
  uint64_t worst = 0;
  int64_t worst_chunk = -1;
  bool lanes_fit = true;
  // One pass, one chunk's metadata at a time (its block read into the scan's scratch).
  format::ChunkMeta c;
  for (size_t chunk = 0; chunk < meta.chunks.size(); ++chunk) {
    if (!ChunkWanted(int64_t(chunk))) continue;
    OC_RETURN_IF_ERROR(DatasetReader(*dataset_).ReadChunk(chunk, &c, &stored_));
    // A fixed-width column's payload holds at most 8 bytes a row (plus its
    // validity and header): a larger claim is damage, not a budget problem.
    for (int column : decoded_) {
      const TypeId type = meta.columns[size_t(column)].type;
      const uint64_t claimed = c.columns[size_t(column)].block.decoded_size;
      if (type != TypeId::kString && claimed > c.row_count * 16 + 4096) {
        return Status::Corruption(dataset_->path() + ": chunk " + std::to_string(chunk) + " of column '" +
                                  meta.columns[size_t(column)].name + "' claims " + std::to_string(claimed) +
                                  " decoded bytes for " + std::to_string(c.row_count) + " rows of " +
                                  std::string(TypeName(type)) + "; the file is damaged");
      }
    }
    const uint64_t need = DecodeNeed(c, 1);
    if (need > worst) {
      worst = need;
      worst_chunk = int64_t(chunk);
    }
    if (lanes_ > 1 && DecodeNeed(c, lanes_) > limit) lanes_fit = false;
  }
  stored_.Free();
  if (worst_chunk >= 0 && worst > limit) {
    const format::ChunkRef& chunk = meta.chunks[size_t(worst_chunk)];
    std::string names;
    for (int column : decoded_) names += (names.empty() ? "" : ", ") + meta.columns[size_t(column)].name;
    return Status(
        StatusCode::kOutOfMemory,
        dataset_->path() + ": chunk " + std::to_string(worst_chunk) + " (" + std::to_string(chunk.row_count) +
            " rows) needs " + FormatSize(worst) + " to decode column(s) " + names +
            ", more than this scan's memory budget of " + FormatSize(limit) +
            " (the file was written with larger chunks than that budget holds)" +
            "; give the scan at least " + FormatSize(worst) + ", read fewer columns, or rewrite " +
            "the file with `outcore ingest --memory-limit` no larger than the budget you read with");
  }
  if (!lanes_fit) lanes_ = 1;
  return Status::OK();
}

std::string Scanner::Rep::Explain() const {
  std::string partition;
  if (options_.chunks.begin > 0 || options_.chunks.end < dataset_->num_chunks()) {
    partition = "chunks " + std::to_string(options_.chunks.begin) + " to " +
                std::to_string(options_.chunks.end - 1) + " of " + std::to_string(dataset_->num_chunks()) +
                " (a partition): no other chunk is read\n";
  }
  if (!plan_)
    return partition + "no --where: every chunk is read (" + std::to_string(counters_.chunks_total) +
           " chunks)\n";
  return partition + "where " + where_->ToString(dataset_->schema()) + "\n" +
         plan_->Explain(DatasetMetadata(*dataset_));
}

bool Scanner::Rep::ChunkWanted(int64_t chunk) const {
  if (chunk < options_.chunks.begin || chunk >= options_.chunks.end) return false;
  return !plan_ || plan_->chunks[size_t(chunk)].read;
}

Status Scanner::Rep::LoadChunk(int64_t chunk) {
  // An error is sticky: the decoded buffers are half overwritten, and a later
  // Next() must not hand them out (or skip rows) as if nothing happened.
  Status status = DecodeChunk(chunk);
  if (!status.ok()) failed_ = status;
  return status;
}

Status Scanner::Rep::DecodeColumns(int64_t chunk, const std::vector<size_t>& columns, Buffer* stored,
                                   Buffer* payload) {
  for (size_t i : columns) {
    ColumnVector& column = chunk_columns_[i];
    OC_RETURN_IF_ERROR(ReadColumnChunk(*dataset_, chunk_meta_, chunk, decoded_[i], &column, stored, payload));
    // Early chunks of a column whose dictionary overflowed are coded; the
    // column as a whole is plain, so its batches are too.
    if (column.dictionary && !dataset_->schema()[size_t(decoded_[i])].dictionary)
      MaterializeDictionary(&column);
  }
  return Status::OK();
}

// Decodes the columns `which` (positions in decoded_) of the chunk whose
// metadata is in chunk_meta_. Columns decode independently: with two lanes,
// the second runs on its own thread with its own scratch, columns dealt out
// largest first to the lane with fewer bytes so far. A small set is not worth
// a thread.
Status Scanner::Rep::DecodeSet(int64_t chunk, const std::vector<size_t>& which) {
  const format::ChunkMeta& meta = chunk_meta_;
  uint64_t total = 0;
  std::vector<size_t> by_size = which;
  for (size_t i : which) total += meta.columns[size_t(decoded_[i])].block.stored_size;
  counters_.bytes_read += total;
  std::vector<size_t> lanes[2];
  if (lanes_ > 1 && which.size() > 1 && total >= kMinBytesForTwoLanes) {
    std::sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) {
      return meta.columns[size_t(decoded_[a])].block.stored_size >
             meta.columns[size_t(decoded_[b])].block.stored_size;
    });
    uint64_t bytes[2] = {0, 0};
    for (size_t i : by_size) {
      const int lane = bytes[1] < bytes[0] ? 1 : 0;
      lanes[lane].push_back(i);
      bytes[lane] += meta.columns[size_t(decoded_[i])].block.stored_size;
    }
  } else {
    lanes[0] = by_size;
  }
  std::future<Status> second;
  if (!lanes[1].empty()) {
    second =
        std::async(std::launch::async, [&] { return DecodeColumns(chunk, lanes[1], &stored2_, &payload2_); });
  }
  Status first = DecodeColumns(chunk, lanes[0], &stored_, &payload_);
  Status other = second.valid() ? second.get() : Status::OK();
  OC_RETURN_IF_ERROR(first);
  return other;
}

// Late materialization: with a predicate to evaluate, its columns are decoded
// first and the chunk's rows selected; the other projected columns are
// decoded only when some row matched, so a chunk the zone maps could not rule
// out but that holds no match costs the predicate's columns alone.
Status Scanner::Rep::DecodeChunk(int64_t chunk) {
  OC_RETURN_IF_ERROR(DatasetReader(*dataset_).ReadChunk(size_t(chunk), &chunk_meta_, &stored_));
  std::vector<size_t> first, rest;
  for (size_t i = 0; i < decoded_.size(); ++i) {
    const bool predicate = plan_ && !plan_->rows_exact &&
                           std::find(predicate_columns_.begin(), predicate_columns_.end(), decoded_[i]) !=
                               predicate_columns_.end();
    (predicate ? first : rest).push_back(i);
  }
  filtered_ = false;
  if (!first.empty()) {
    OC_RETURN_IF_ERROR(DecodeSet(chunk, first));
    // The chunk becomes current only once its rows are selected: after a
    // failed selection the scanner must not hand out the chunk unfiltered.
    OC_RETURN_IF_ERROR(SelectRows(chunk));
    if (selected_count_ > 0) OC_RETURN_IF_ERROR(DecodeSet(chunk, rest));
  } else {
    OC_RETURN_IF_ERROR(DecodeSet(chunk, rest));
    if (plan_) OC_RETURN_IF_ERROR(SelectRows(chunk));
  }
  ++counters_.chunks_read;
  chunk_ = chunk;
  offset_in_chunk_ = 0;
  return Status::OK();
}

// Turns the predicate's answer for the loaded chunk into the positions of its
// matching rows (selected_rows_), or leaves filtered_ false when all match.
Status Scanner::Rep::SelectRows(int64_t chunk) {
  const format::ChunkRef& meta = DatasetMetadata(*dataset_).chunks[size_t(chunk)];
  const int64_t rows = int64_t(meta.row_count);
  if (plan_->rows_exact) {
    selection_.Clear();
    selection_.ResizeZeroed(size_t(BitmapBytes(rows)));
    plan_->rows.FillBits(meta.first_row, rows, selection_.data());
  } else {
    std::vector<const ColumnVector*> by_schema(dataset_->schema().size(), nullptr);
    for (size_t i = 0; i < decoded_.size(); ++i) by_schema[size_t(decoded_[i])] = &chunk_columns_[i];
    Status s = Evaluate(*where_, by_schema, rows, &selection_);
    if (!s.ok()) return s.WithContext(dataset_->path() + ": chunk " + std::to_string(chunk));
  }
  selected_rows_.Resize(size_t(rows) * 4);
  int32_t* out = selected_rows_.as<int32_t>();
  int64_t count = 0;
  const uint8_t* bits = selection_.data();
  for (int64_t word = 0; word < rows; word += 64) {
    uint64_t w = 0;
    std::memcpy(&w, bits + word / 8, size_t(std::min<int64_t>(8, BitmapBytes(rows) - word / 8)));
    if (rows - word < 64) w &= (uint64_t(1) << (rows - word)) - 1;
    while (w) {
      out[count++] = int32_t(word + __builtin_ctzll(w));
      w &= w - 1;
    }
  }
  selected_count_ = count;
  filtered_ = count < rows;
  return Status::OK();
}

Result<int64_t> Scanner::Rep::CountRows() {
  if (!failed_.ok()) return failed_;
  if (!plan_ && chunk_ < 0) {
    // No predicate: the chunk directory has the rows (a partition's count
    // decodes nothing).
    const auto& chunks = DatasetMetadata(*dataset_).chunks;
    int64_t rows = 0;
    for (int64_t c = options_.chunks.begin; c < options_.chunks.end; ++c)
      rows += int64_t(chunks[size_t(c)].row_count);
    if (options_.limit >= 0) rows = std::min(rows, options_.limit);
    chunk_ = dataset_->num_chunks();
    rows_returned_ += rows;
    counters_.rows_matched += rows;
    return rows;
  }
  if (plan_ && plan_->rows_exact && chunk_ < 0) {
    const auto& chunks = DatasetMetadata(*dataset_).chunks;
    const auto row_of = [&](int64_t chunk) {
      return chunk < int64_t(chunks.size()) ? chunks[size_t(chunk)].first_row
                                            : uint64_t(dataset_->num_rows());
    };
    int64_t rows =
        int64_t(plan_->rows.CardinalityInRange(row_of(options_.chunks.begin), row_of(options_.chunks.end)));
    if (options_.limit >= 0) rows = std::min(rows, options_.limit);
    chunk_ = dataset_->num_chunks();
    rows_returned_ += rows;
    counters_.rows_matched += rows;
    return rows;
  }
  int64_t rows = 0;
  Batch batch;
  for (;;) {
    OC_ASSIGN_OR_RETURN(bool more, Next(&batch));
    if (!more) return rows;
    rows += batch.num_rows;
  }
}

Result<bool> Scanner::Rep::Next(Batch* batch) {
  if (!failed_.ok()) return failed_;
  if (options_.limit >= 0 && rows_returned_ >= options_.limit) return false;
  const int64_t chunks = options_.chunks.end;
  if (chunk_ >= chunks) return false;  // exhausted (or counted)
  const auto& meta = DatasetMetadata(*dataset_);
  auto chunk_end = [&] {
    return filtered_ ? selected_count_ : int64_t(meta.chunks[size_t(chunk_)].row_count);
  };
  while (chunk_ < 0 || offset_in_chunk_ >= chunk_end()) {
    int64_t next = std::max(chunk_ + 1, options_.chunks.begin);
    while (next < chunks && !ChunkWanted(next)) ++next;
    if (next >= chunks) {
      chunk_ = chunks;
      return false;
    }
    if (options_.cancel && options_.cancel->load())
      return Status::Cancelled("interrupted: scan of " + dataset_->path() + " stopped");
    OC_RETURN_IF_ERROR(LoadChunk(next));
  }
  const int64_t chunk_rows = chunk_end();
  int64_t rows = std::min(options_.batch_rows, chunk_rows - offset_in_chunk_);
  if (options_.limit >= 0) rows = std::min(rows, options_.limit - rows_returned_);
  batch->columns.resize(projection_.size());
  for (size_t i = 0; i < projection_.size(); ++i) {
    if (filtered_) {
      TakeRows(chunk_columns_[i], selected_rows_.as<int32_t>() + offset_in_chunk_, rows, &batch->columns[i]);
    } else if (offset_in_chunk_ == 0 && rows == chunk_rows) {
      // The batch is the whole chunk: hand over the decoded buffers, no copy.
      std::swap(batch->columns[i], chunk_columns_[i]);
    } else {
      SliceColumn(chunk_columns_[i], offset_in_chunk_, rows, &batch->columns[i]);
    }
  }
  batch->num_rows = rows;
  // A filtered batch's rows are not contiguous: first_row is its first row's number.
  batch->first_row = int64_t(meta.chunks[size_t(chunk_)].first_row) +
                     (filtered_ ? selected_rows_.as<int32_t>()[offset_in_chunk_] : offset_in_chunk_);
  offset_in_chunk_ += rows;
  rows_returned_ += rows;
  counters_.rows_matched += rows;
  return true;
}

const std::vector<ColumnSchema>& Scanner::columns() const {
  return rep_->parts_ ? rep_->parts_->columns() : rep_->columns_;
}
const MemoryBudget& Scanner::budget() const { return *rep_->budget_; }
std::shared_ptr<MemoryBudget> Scanner::shared_budget() const { return rep_->budget_; }
const ScanCounters& Scanner::counters() const {
  return rep_->parts_ ? rep_->parts_->counters() : rep_->counters_;
}
Result<bool> Scanner::Next(Batch* batch) {
  return rep_->parts_ ? rep_->parts_->Next(batch) : rep_->Next(batch);
}
Result<int64_t> Scanner::CountRows() { return rep_->parts_ ? rep_->parts_->CountRows() : rep_->CountRows(); }
std::string Scanner::Explain() const { return rep_->parts_ ? rep_->parts_->Explain() : rep_->Explain(); }
std::vector<int64_t> Scanner::ChunksToRead() const {
  std::vector<int64_t> chunks;
  if (rep_->parts_) return chunks;  // a folder is not split by chunk spans (Make refuses one)
  for (int64_t c = rep_->options_.chunks.begin; c < rep_->options_.chunks.end; ++c)
    if (rep_->ChunkWanted(c)) chunks.push_back(c);
  return chunks;
}

}  // namespace outcore
