// Bindings of scans (outcore/dataset.h) and the Arrow export (outcore/arrow_export.h); the Python
// classes users see are in python/outcore/_arrow.py. A scan hands out batches
// whose columns NumPy views in place, and exports them (or the rest of the
// scan) through the Arrow PyCapsule interface: capsules named "arrow_schema",
// "arrow_array" and "arrow_array_stream" hold a heap struct; a consumer moves
// it out, and a capsule collected unconsumed releases it. Binds only: C++
// Status errors become Python exceptions through status_error.h; each step of
// a scan stops on Ctrl-C (interrupt.h).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "interrupt.h"
#include "outcore/arrow_export.h"
#include "outcore/dataset.h"
#include "status_error.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace outcore {

uint64_t SizeArgument(nb::handle value);  // bindings.cpp

namespace {

// ---- capsules ----------------------------------------------------------------

template <typename T>
void CapsuleRelease(PyObject* capsule, const char* name) {
  auto* value = static_cast<T*>(PyCapsule_GetPointer(capsule, name));
  if (value == nullptr) {
    PyErr_Clear();  // a destructor must not leave an exception set
    return;
  }
  if (value->release != nullptr) value->release(value);  // nobody consumed it
  delete value;
}

// The capsule owns `value` (a heap struct) from here on.
template <typename T>
nb::object Capsule(T* value, const char* name, PyCapsule_Destructor destructor) {
  PyObject* capsule = PyCapsule_New(value, name, destructor);
  if (capsule == nullptr) {
    if (value->release != nullptr) value->release(value);
    delete value;
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

nb::object SchemaCapsule(const std::vector<ColumnSchema>& columns) {
  auto* schema = new ArrowSchema;
  Status status = ExportArrowSchema(columns, schema);
  if (!status.ok()) {
    delete schema;
    Raise(status);
  }
  return Capsule(schema, "arrow_schema", [](PyObject* c) { CapsuleRelease<ArrowSchema>(c, "arrow_schema"); });
}

nb::object StreamCapsule(ArrowArrayStream* stream) {
  return Capsule(stream, "arrow_array_stream",
                 [](PyObject* c) { CapsuleRelease<ArrowArrayStream>(c, "arrow_array_stream"); });
}

// ---- NumPy ------------------------------------------------------------------

alignas(64) uint8_t kNoBytes[64];  // what an empty view points to (NumPy wants a pointer)

// A view of one of an exported column's buffers; the array keeps the column.
template <typename T>
nb::object View(const std::shared_ptr<const ExportedColumn>& column, const Buffer& buffer, size_t count) {
  auto* owner = new std::shared_ptr<const ExportedColumn>(column);
  nb::capsule capsule(
      owner, [](void* p) noexcept { delete static_cast<std::shared_ptr<const ExportedColumn>*>(p); });
  void* data = buffer.data() != nullptr ? const_cast<uint8_t*>(buffer.data()) : kNoBytes;
  size_t shape[1] = {count};
  return nb::cast(nb::ndarray<nb::numpy, T, nb::ndim<1>>(data, 1, shape, capsule));
}

// Moves `buffer` (not charged to any budget: a conversion the batch does
// not hold) into a NumPy array of `count` values of T; the array owns it.
template <typename T>
nb::object Owned(Buffer&& buffer, size_t count) {
  auto* owner = new Buffer(std::move(buffer));
  if (owner->capacity() == 0) owner->Reserve(64);
  nb::capsule capsule(owner, [](void* p) noexcept { delete static_cast<Buffer*>(p); });
  size_t shape[1] = {count};
  return nb::cast(nb::ndarray<nb::numpy, T, nb::ndim<1>>(owner->data(), 1, shape, capsule));
}

// Arrow bits -> one byte per value (NumPy bool); `invert` gives a null mask.
nb::object BitsToBools(const Buffer& bits, int64_t length, bool invert) {
  Buffer bytes;
  bytes.Resize(size_t(length));
  uint8_t* out = bytes.data();
  for (int64_t i = 0; i < length; ++i) out[i] = uint8_t(GetBit(bits.data(), i) ^ invert);
  return Owned<bool>(std::move(bytes), size_t(length));
}

// The batch-type rule (python/outcore/__init__.py): a column the file records
// a null in gets a mask in every batch (all False in a batch without nulls);
// one without gets none.
nb::object NullMask(const ColumnVector& c, bool nullable) {
  if (!nullable) return nb::none();
  if (c.null_count > 0) return BitsToBools(c.validity, c.length, true);
  Buffer zeros;
  zeros.ResizeZeroed(size_t(c.length));
  return Owned<bool>(std::move(zeros), size_t(c.length));
}

// (name, type, values, mask, data, is_codes): what outcore.Dataset adapts.
nb::tuple ColumnToPython(const std::shared_ptr<const ExportedColumn>& column) {
  const ColumnVector& c = column->vector();
  const ColumnSchema& schema = column->schema();
  const size_t n = size_t(c.length);
  nb::object mask = NullMask(c, schema.nullable);
  nb::object values, data = nb::none();
  bool is_codes = false;
  switch (c.type) {
    case TypeId::kBool:
      values = BitsToBools(c.values, c.length, false);
      break;
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      values = View<int64_t>(column, c.values, n);
      break;
    case TypeId::kFloat64:
      values = View<double>(column, c.values, n);
      break;
    case TypeId::kDate:
      values = View<int32_t>(column, c.values, n);
      break;
    case TypeId::kString:
      if (c.dictionary) {
        is_codes = true;
        if (c.null_count == 0) {
          values = View<int32_t>(column, c.values, n);
          break;
        }
        // pandas.Categorical codes: -1 marks a missing value. A copy: the
        // exported codes (shared with Arrow) stay valid indexes.
        Buffer codes;
        codes.Resize(n * 4);
        int32_t* out = codes.as<int32_t>();
        const int32_t* in = c.values.as<int32_t>();
        for (size_t row = 0; row < n; ++row) out[row] = c.IsValid(int64_t(row)) ? in[row] : -1;
        values = Owned<int32_t>(std::move(codes), n);
      } else {
        values = View<int32_t>(column, c.values, n + 1);
        data = View<uint8_t>(column, c.data, c.data.size());
      }
      break;
  }
  return nb::make_tuple(schema.name, std::string(TypeName(c.type)), values, mask, data, is_codes);
}

// ---- batches and scans ---------------------------------------------------------

class PyBatch {
 public:
  explicit PyBatch(std::shared_ptr<const ExportedBatch> batch) : batch_(std::move(batch)) {}

  int64_t num_rows() const { return batch_->num_rows; }
  int64_t first_row() const { return batch_->first_row; }

  nb::list Columns() const {
    nb::list out;
    for (const auto& column : batch_->columns) out.append(ColumnToPython(column));
    return out;
  }

  std::vector<ColumnSchema> Schema() const {
    std::vector<ColumnSchema> schema;
    for (const auto& column : batch_->columns) schema.push_back(column->schema());
    return schema;
  }

  // (schema capsule, array capsule): __arrow_c_array__.
  nb::tuple ArrayCapsules() const {
    nb::object schema = SchemaCapsule(Schema());
    auto* array = new ArrowArray;
    ExportArrowArray(batch_, array);
    nb::object capsule =
        Capsule(array, "arrow_array", [](PyObject* c) { CapsuleRelease<ArrowArray>(c, "arrow_array"); });
    return nb::make_tuple(schema, capsule);
  }

  // A stream of this one batch: __arrow_c_stream__.
  nb::object StreamCapsule1() const {
    auto* stream = new ArrowArrayStream;
    std::shared_ptr<const ExportedBatch> once = batch_;
    ExportArrowStream(
        Schema(), [once]() mutable { return std::exchange(once, nullptr); }, stream);
    return StreamCapsule(stream);
  }

  // For tests: each column's (validity, values, data) addresses, 0 for none.
  nb::list BufferAddresses() const {
    nb::list out;
    for (const auto& column : batch_->columns) {
      const ColumnVector& c = column->vector();
      out.append(nb::make_tuple(uintptr_t(c.null_count ? c.validity.data() : nullptr),
                                uintptr_t(c.values.data()), uintptr_t(c.data.data())));
    }
    return out;
  }

 private:
  std::shared_ptr<const ExportedBatch> batch_;
};

// The scan's budget as tests see it: what is charged, and what exported
// batches still hold. Keeps the budget alive, not the scan.
class BudgetProbe {
 public:
  explicit BudgetProbe(std::shared_ptr<ExportBudget> budget) : budget_(std::move(budget)) {}
  uint64_t used() const { return budget_->budget->used(); }
  uint64_t held() const { return budget_->held.load(); }
  uint64_t limit() const { return budget_->budget->limit(); }

 private:
  std::shared_ptr<ExportBudget> budget_;
};

class PyScan {
 public:
  PyScan(std::shared_ptr<Dataset> dataset, std::optional<std::vector<std::string>> columns,
         int64_t batch_rows, std::optional<int64_t> limit, std::optional<std::string> where, bool use_indexes,
         bool use_zone_maps, nb::handle memory_limit, bool force_indexes, bool count_only,
         std::optional<std::pair<int64_t, int64_t>> chunks) {
    ScanOptions options;
    if (chunks) options.chunks = {chunks->first, chunks->second};
    if (columns) options.columns = *columns;
    options.batch_rows = batch_rows;
    if (limit) options.limit = *limit;
    if (where) {
      RaiseIfError(CheckWhere(*where, "where"));
      options.where = *where;
    }
    options.use_indexes = use_indexes;
    options.use_zone_maps = use_zone_maps;
    options.force_indexes = force_indexes;
    options.memory_limit = SizeArgument(memory_limit);
    if (count_only) PrepareCount(*dataset, &options);
    options.cancel = cancel_.get();
    // Planning may read index blocks.
    auto scanner = Unwrap(
        CallWithCtrlC([&](auto*) { return Scanner::Make(std::move(dataset), options); }, cancel_.get()));
    // Batches kept in Python are the user's to keep: only an Arrow stream refuses.
    exporter_ = std::make_unique<BatchExporter>(std::move(scanner), cancel_, false);
  }

  // The next batch, or None at the end.
  nb::object Next() {
    BatchExporter& exporter = Live();
    auto batch = Unwrap(CallWithCtrlC([&](auto*) { return exporter.Next(); }, cancel_.get()));
    if (!batch) return nb::none();
    return nb::cast(PyBatch(std::move(batch)));
  }

  // The rest of the scan as an Arrow stream; this object is spent afterwards.
  nb::object Stream() {
    Live();
    exporter_->set_refuse_over_budget(true);
    auto* stream = new ArrowArrayStream;
    ExportArrowStream(std::move(exporter_), stream);
    return StreamCapsule(stream);
  }

  nb::object Schema() { return SchemaCapsule(Live().columns()); }
  std::string Explain() { return Live().scanner().Explain(); }
  std::vector<int64_t> ChunksToRead() { return Live().scanner().ChunksToRead(); }
  int64_t Count() {
    Scanner& scanner = Live().scanner();
    return Unwrap(CallWithCtrlC([&](auto*) { return scanner.CountRows(); }, cancel_.get()));
  }
  nb::dict Counters() {
    const ScanCounters& c = Live().scanner().counters();
    nb::dict d;
    d["chunks_total"] = c.chunks_total;
    d["chunks_read"] = c.chunks_read;
    d["bytes_read"] = c.bytes_read;
    d["rows_matched"] = c.rows_matched;
    return d;
  }
  BudgetProbe Budget() { return BudgetProbe(Live().budget()); }
  void Close() { exporter_.reset(); }

 private:
  BatchExporter& Live() {
    if (!exporter_) {
      Raise(Status::InvalidArgument(
          "this scan was handed to an Arrow consumer (or closed); start a new one with ds.scan(...)"));
    }
    return *exporter_;
  }

  // Shared with the exporter, which outlives this object once it is a stream.
  std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<BatchExporter> exporter_;
};

}  // namespace

void BindArrow(nb::module_& m) {
  m.def("arrow_schema", [](const Dataset& d) { return SchemaCapsule(d.schema()); });
  m.def("nullable_columns", [](const Dataset& d) {
    std::vector<std::string> out;
    for (const ColumnSchema& c : d.schema())
      if (c.nullable) out.push_back(c.name);
    return out;
  });

  nb::class_<PyBatch>(m, "Batch")
      .def_prop_ro("num_rows", &PyBatch::num_rows)
      .def_prop_ro("first_row", &PyBatch::first_row)
      .def("columns", &PyBatch::Columns)
      .def("array_capsules", &PyBatch::ArrayCapsules)
      .def("stream_capsule", &PyBatch::StreamCapsule1)
      .def("buffer_addresses", &PyBatch::BufferAddresses);

  nb::class_<BudgetProbe>(m, "BudgetProbe")
      .def_prop_ro("used", &BudgetProbe::used)
      .def_prop_ro("held", &BudgetProbe::held)
      .def_prop_ro("limit", &BudgetProbe::limit);

  nb::class_<PyScan>(m, "Scanner")
      .def(nb::init<std::shared_ptr<Dataset>, std::optional<std::vector<std::string>>, int64_t,
                    std::optional<int64_t>, std::optional<std::string>, bool, bool, nb::handle, bool, bool,
                    std::optional<std::pair<int64_t, int64_t>>>(),
           "dataset"_a, "columns"_a = nb::none(), "batch_rows"_a = 65536, "limit"_a = nb::none(),
           "where"_a = nb::none(), "use_indexes"_a = true, "use_zone_maps"_a = true,
           "memory_limit"_a = nb::none(), "force_indexes"_a = false, "count_only"_a = false,
           "chunks"_a = nb::none())
      .def("chunks_to_read", [](PyScan& scan) { return scan.ChunksToRead(); })
      .def("next", &PyScan::Next)
      .def("count", &PyScan::Count)
      .def("counters", &PyScan::Counters)
      .def("explain", &PyScan::Explain)
      .def("stream_capsule", &PyScan::Stream)
      .def("schema_capsule", &PyScan::Schema)
      .def("budget", &PyScan::Budget)
      .def("close", &PyScan::Close);
}

}  // namespace outcore
