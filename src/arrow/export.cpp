// Arrow out (include/outcore/arrow_export.h): batches moved out of a scanner,
// described as Arrow C Data Interface structs that point into their buffers,
// and the C Stream over them. Every struct handed out owns what it points to
// through its private_data; release callbacks free exactly that.
#include <algorithm>
#include <cerrno>
#include <new>
#include <string>
#include <utility>

#include "arrow/abi_util.h"
#include "outcore/arrow_export.h"

namespace outcore {

namespace {

// Releases a child struct this side allocated (unless a consumer moved it
// out: its release is then null, the contents are the consumer's) and frees it.
template <typename T>
void ReleaseOwned(T* child) {
  arrow::Release(child);
  delete child;
}

// What an empty Arrow buffer points to: a consumer may read an offsets
// buffer's first entry (0) even for a zero-length array, and some reject a
// null pointer where a buffer is mandatory.
alignas(64) const uint8_t kZeros[64] = {};

const void* OrZeros(const Buffer& buffer) {
  return buffer.data() != nullptr ? static_cast<const void*>(buffer.data()) : kZeros;
}

const char* FormatOf(TypeId type) {
  switch (type) {
    case TypeId::kBool:
      return "b";
    case TypeId::kInt64:
      return "l";
    case TypeId::kFloat64:
      return "g";
    case TypeId::kString:
      return "u";
    case TypeId::kDate:
      return "tdD";
    case TypeId::kTimestamp:
      return "tsu:";
  }
  return "n";
}

// ---- schemas -----------------------------------------------------------

struct SchemaPrivate {
  std::string format, name;
  std::vector<ArrowSchema*> children;
  ArrowSchema* dictionary = nullptr;
};

void ReleaseSchema(ArrowSchema* schema) {
  auto* p = static_cast<SchemaPrivate*>(schema->private_data);
  for (ArrowSchema* child : p->children) ReleaseOwned(child);
  ReleaseOwned(p->dictionary);
  delete p;
  schema->release = nullptr;
}

void FillSchema(std::string format, std::string name, int64_t flags, ArrowSchema* out) {
  auto* p = new SchemaPrivate{std::move(format), std::move(name), {}, nullptr};
  *out = ArrowSchema{};
  out->format = p->format.c_str();
  out->name = p->name.c_str();
  out->flags = flags;
  out->release = ReleaseSchema;
  out->private_data = p;
}

void ColumnSchemaOf(const ColumnSchema& column, ArrowSchema* out) {
  const int64_t flags = column.nullable ? ARROW_FLAG_NULLABLE : 0;
  if (column.type == TypeId::kString && column.dictionary) {
    FillSchema("i", column.name, flags, out);
    auto* p = static_cast<SchemaPrivate*>(out->private_data);
    p->dictionary = new ArrowSchema;
    FillSchema("u", "", 0, p->dictionary);
    out->dictionary = p->dictionary;
    return;
  }
  FillSchema(FormatOf(column.type), column.name, flags, out);
}

// ---- arrays ------------------------------------------------------------

struct ArrayPrivate {
  std::shared_ptr<const ExportedColumn> column;  // a column child: its buffers
  std::shared_ptr<const Dictionary> dictionary;  // a dictionary child: the entries
  const void* buffers[3] = {nullptr, nullptr, nullptr};
  std::vector<ArrowArray*> children;
  ArrowArray* dictionary_array = nullptr;
};

void ReleaseArray(ArrowArray* array) {
  auto* p = static_cast<ArrayPrivate*>(array->private_data);
  for (ArrowArray* child : p->children) ReleaseOwned(child);
  ReleaseOwned(p->dictionary_array);
  delete p;
  array->release = nullptr;
}

ArrayPrivate* StartArray(int64_t length, int64_t null_count, int64_t n_buffers, ArrowArray* out) {
  auto* p = new ArrayPrivate;
  *out = ArrowArray{};
  out->length = length;
  out->null_count = null_count;
  out->n_buffers = n_buffers;
  out->buffers = p->buffers;
  out->release = ReleaseArray;
  out->private_data = p;
  return p;
}

void DictionaryArrayOf(std::shared_ptr<const Dictionary> dictionary, ArrowArray* out) {
  ArrayPrivate* p = StartArray(dictionary->size, 0, 3, out);
  p->buffers[1] = OrZeros(dictionary->offsets);
  p->buffers[2] = OrZeros(dictionary->bytes);
  p->dictionary = std::move(dictionary);
}

void ColumnArrayOf(std::shared_ptr<const ExportedColumn> column, ArrowArray* out) {
  const ColumnVector& c = column->vector();
  const bool plain_string = c.type == TypeId::kString && !c.dictionary;
  ArrayPrivate* p = StartArray(c.length, c.null_count, plain_string ? 3 : 2, out);
  p->buffers[0] = c.null_count > 0 ? c.validity.data() : nullptr;
  p->buffers[1] = OrZeros(c.values);
  if (plain_string) p->buffers[2] = OrZeros(c.data);
  if (c.dictionary) {
    p->dictionary_array = new ArrowArray;
    DictionaryArrayOf(c.dictionary, p->dictionary_array);
    out->dictionary = p->dictionary_array;
  }
  p->column = std::move(column);
}

// ---- the stream --------------------------------------------------------

int ErrnoOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
      return EIO;
    case StatusCode::kOutOfMemory:
      return ENOMEM;
    case StatusCode::kCancelled:
      return ECANCELED;
    default:
      return EINVAL;
  }
}

struct StreamPrivate {
  std::vector<ColumnSchema> columns;
  ExportedBatchSource next;
  std::unique_ptr<BatchExporter> exporter;  // when the stream is a scan's
  std::string last_error;
};

// The callbacks are C: nothing may be thrown through them.
template <typename Body>
int Guarded(ArrowArrayStream* stream, Body&& body) {
  auto* p = static_cast<StreamPrivate*>(stream->private_data);
  try {
    Status status = body(p);
    if (status.ok()) return 0;
    p->last_error = status.message();
    return ErrnoOf(status);
  } catch (const std::bad_alloc&) {
    p->last_error = "out of memory while exporting a batch to Arrow";
    return ENOMEM;
  } catch (const std::exception& error) {
    p->last_error = error.what();
    return EIO;
  }
}

int StreamGetSchema(ArrowArrayStream* stream, ArrowSchema* out) {
  return Guarded(stream, [&](StreamPrivate* p) { return ExportArrowSchema(p->columns, out); });
}

int StreamGetNext(ArrowArrayStream* stream, ArrowArray* out) {
  return Guarded(stream, [&](StreamPrivate* p) -> Status {
    OC_ASSIGN_OR_RETURN(std::shared_ptr<const ExportedBatch> batch, p->next());
    if (!batch) {
      *out = ArrowArray{};  // the end: a released array
      return Status::OK();
    }
    ExportArrowArray(batch, out);
    return Status::OK();
  });
}

const char* StreamGetLastError(ArrowArrayStream* stream) {
  auto* p = static_cast<StreamPrivate*>(stream->private_data);
  return p->last_error.empty() ? nullptr : p->last_error.c_str();
}

void StreamRelease(ArrowArrayStream* stream) {
  delete static_cast<StreamPrivate*>(stream->private_data);
  stream->release = nullptr;
}

void FillStream(StreamPrivate* p, ArrowArrayStream* out) {
  *out = ArrowArrayStream{};
  out->get_schema = StreamGetSchema;
  out->get_next = StreamGetNext;
  out->get_last_error = StreamGetLastError;
  out->release = StreamRelease;
  out->private_data = p;
}

// Keeps the entries of c's dictionary that its valid rows use, in the file's
// order, and renumbers the codes into them (null rows get code 0). Every
// buffer is charged to `budget`; the old codes are freed.
void CompactDictionary(MemoryBudget* budget, ColumnVector* c) {
  const Dictionary& file = *c->dictionary;
  const int64_t n = c->length;
  Buffer rank_buffer(budget);  // rank[code]: its place among the used entries, -1 unused
  rank_buffer.Resize(size_t(file.size) * sizeof(int32_t));
  int32_t* rank = rank_buffer.as<int32_t>();
  std::fill(rank, rank + file.size, -1);
  const int32_t* codes = c->values.as<int32_t>();
  for (int64_t i = 0; i < n; ++i)
    if (c->IsValid(i)) rank[codes[i]] = 0;
  int64_t used = 0, used_bytes = 0;
  for (int64_t code = 0; code < file.size; ++code) {
    if (rank[code] < 0) continue;
    rank[code] = int32_t(used++);
    used_bytes += int64_t(file.Get(code).size());
  }
  auto kept = std::make_shared<Dictionary>();
  kept->offsets = Buffer(budget);
  kept->bytes = Buffer(budget);
  kept->size = used;
  kept->offsets.Resize(size_t(used + 1) * sizeof(int32_t));
  kept->bytes.Reserve(size_t(used_bytes));
  int32_t* offsets = kept->offsets.as<int32_t>();
  offsets[0] = 0;
  for (int64_t code = 0; code < file.size; ++code) {
    if (rank[code] < 0) continue;
    const std::string_view entry = file.Get(code);
    kept->bytes.Append(entry.data(), entry.size());
    offsets[rank[code] + 1] = int32_t(kept->bytes.size());
  }
  Buffer renumbered(budget);
  renumbered.Resize(size_t(n) * sizeof(int32_t));
  int32_t* out = renumbered.as<int32_t>();
  for (int64_t i = 0; i < n; ++i) out[i] = c->IsValid(i) ? rank[codes[i]] : 0;
  c->values = std::move(renumbered);
  c->dictionary = std::move(kept);
}

}  // namespace

// ---- ExportedColumn, BatchExporter ---------------------------------------

ExportedColumn::ExportedColumn(std::shared_ptr<ExportBudget> budget, ColumnSchema schema, ColumnVector* from,
                               bool compact_dictionary)
    : budget_(std::move(budget)), schema_(std::move(schema)) {
  MemoryBudget* charged = budget_->budget.get();
  vector_.type = from->type;
  vector_.length = from->length;
  vector_.null_count = from->null_count;
  vector_.dictionary = from->dictionary;
  // Only the buffers in use leave; a moved-from Buffer keeps its budget, so
  // the scanner's next batch allocates fresh ones charged to the same budget.
  auto take = [&](Buffer* source, Buffer* target) {
    *target = std::move(*source);
    target->SetBudget(charged);  // a batch column the scanner sliced into may have had none
    bytes_ += target->capacity();
  };
  if (from->null_count > 0) take(&from->validity, &vector_.validity);
  take(&from->values, &vector_.values);
  if (from->type == TypeId::kString && !from->dictionary) take(&from->data, &vector_.data);
  if (compact_dictionary && vector_.dictionary &&
      vector_.dictionary->size > kCompactDictionaryRatio * vector_.length) {
    bytes_ -= vector_.values.capacity();
    CompactDictionary(charged, &vector_);
    bytes_ += vector_.values.capacity() + vector_.dictionary->offsets.capacity() +
              vector_.dictionary->bytes.capacity();
  }
  budget_->held.fetch_add(bytes_, std::memory_order_relaxed);
}

ExportedColumn::~ExportedColumn() { budget_->held.fetch_sub(bytes_, std::memory_order_relaxed); }

BatchExporter::BatchExporter(std::unique_ptr<Scanner> scanner, std::shared_ptr<const void> keep_alive,
                             bool refuse_over_budget)
    : keep_alive_(std::move(keep_alive)),
      scanner_(std::move(scanner)),
      budget_(std::make_shared<ExportBudget>()),
      refuse_over_budget_(refuse_over_budget) {
  budget_->budget = scanner_->shared_budget();
  for (const ColumnSchema& column : scanner_->columns())
    batch_.columns.emplace_back(column.type, budget_->budget.get());
}

BatchExporter::~BatchExporter() = default;

Status BatchExporter::HeldOverBudget() const {
  const MemoryBudget& budget = *budget_->budget;
  const uint64_t held = budget_->held.load(std::memory_order_relaxed);
  const uint64_t used = budget.used();
  if (held == 0 || used <= budget.limit()) return Status::OK();
  return Status(StatusCode::kOutOfMemory,
                "the consumer of this Arrow stream still holds " + FormatSize(held) +
                    " of earlier batches; with the scan's own " + FormatSize(used - held) +
                    " that is more than its memory_limit of " + FormatSize(budget.limit()) +
                    ". Release each batch before asking for the next (read the stream batch by batch), "
                    "read fewer columns or rows (columns=, where=), or give the scan a larger memory_limit "
                    "(Python: ds.scan(..., memory_limit=\"8GiB\") or ds.to_arrow(memory_limit=...))");
}

Result<std::shared_ptr<const ExportedBatch>> BatchExporter::Next() {
  if (!failed_.ok()) return failed_;
  Result<bool> more = scanner_->Next(&batch_);
  if (!more.ok()) {
    failed_ = more.status();
    return failed_;
  }
  if (!*more) return std::shared_ptr<const ExportedBatch>();
  auto batch = std::make_shared<ExportedBatch>();
  batch->num_rows = batch_.num_rows;
  batch->first_row = batch_.first_row;
  if (refuse_over_budget_) {
    // Checked before this batch's buffers count as held: only what the
    // consumer kept of earlier batches can make the stream refuse.
    Status over = HeldOverBudget();
    if (!over.ok()) {
      failed_ = over;
      return failed_;
    }
  }
  const std::vector<ColumnSchema>& schema = scanner_->columns();
  for (size_t i = 0; i < batch_.columns.size(); ++i)
    batch->columns.push_back(std::make_shared<const ExportedColumn>(budget_, schema[i], &batch_.columns[i],
                                                                    compact_dictionaries_));
  return std::shared_ptr<const ExportedBatch>(std::move(batch));
}

// ---- the C structs -----------------------------------------------------------

Status ExportArrowSchema(const std::vector<ColumnSchema>& columns, ArrowSchema* out) {
  FillSchema("+s", "", 0, out);
  auto* p = static_cast<SchemaPrivate*>(out->private_data);
  for (const ColumnSchema& column : columns) {
    p->children.push_back(new ArrowSchema);
    ColumnSchemaOf(column, p->children.back());
  }
  out->n_children = int64_t(p->children.size());
  out->children = p->children.data();
  return Status::OK();
}

void ExportArrowArray(const std::shared_ptr<const ExportedBatch>& batch, ArrowArray* out) {
  ArrayPrivate* p = StartArray(batch->num_rows, 0, 1, out);
  for (const std::shared_ptr<const ExportedColumn>& column : batch->columns) {
    p->children.push_back(new ArrowArray);
    ColumnArrayOf(column, p->children.back());
  }
  out->n_children = int64_t(p->children.size());
  out->children = p->children.data();
}

void ExportArrowStream(std::unique_ptr<BatchExporter> exporter, ArrowArrayStream* out) {
  exporter->set_compact_dictionaries(true);
  auto* p = new StreamPrivate;
  p->columns = exporter->columns();
  BatchExporter* source = exporter.get();
  p->next = [source] { return source->Next(); };
  p->exporter = std::move(exporter);
  FillStream(p, out);
}

void ExportArrowStream(std::vector<ColumnSchema> columns, ExportedBatchSource next, ArrowArrayStream* out) {
  auto* p = new StreamPrivate;
  p->columns = std::move(columns);
  p->next = std::move(next);
  FillStream(p, out);
}

}  // namespace outcore
