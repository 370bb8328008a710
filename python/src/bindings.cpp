// outcore._core: the nanobind bindings, and nothing else. The Pythonic layer
// (classes users see, NumPy/pandas/Arrow adaptation) is python/outcore/. C++
// Status errors become Python exceptions here and only here (status_error.h);
// long calls run without the GIL and stop on Ctrl-C (interrupt.h).
// Decoded buffers are handed to NumPy without a copy: each ndarray owns its
// Buffer through a capsule.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <atomic>
#include <cstring>
#include <memory>

#include "interrupt.h"
#include "outcore/arrow_abi.h"
#include "outcore/dataset.h"
#include "outcore/dataset_info.h"
#include "outcore/ingest.h"
#include "outcore/memory.h"
#include "outcore/options.h"
#include "status_error.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace outcore {

// Bindings of the transform layer (python/src/bindings_transform.cpp).
void BindTransform(nb::module_& m);
// Bindings of outcore/export.h: arrays and frames (python/src/bindings_frames.cpp).
void BindFrames(nb::module_& m);

namespace {

// Moves `buffer` into a NumPy array of `count` values of T; the array owns it.
template <typename T>
nb::object ToNumpy(Buffer&& buffer, size_t count) {
  auto* owner = new Buffer(std::move(buffer));
  owner->SetBudget(nullptr);  // the array may outlive the scan's budget
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
  return ToNumpy<bool>(std::move(bytes), size_t(length));
}

nb::dict ReadingToDict(const MemoryReading& r) {
  nb::dict d;
  d["rss"] = r.rss;
  d["peak_rss"] = r.peak_rss;
  d["rss_anon"] = r.rss_anon;
  d["rss_file"] = r.rss_file;
  d["rss_shmem"] = r.rss_shmem;
  d["swap"] = r.swap;
  d["virtual_size"] = r.virtual_size;
  return d;
}

uint64_t SizeArgument(nb::handle value) {
  if (value.is_none()) return 0;
  if (nb::isinstance<nb::int_>(value)) return nb::cast<uint64_t>(value);
  return Unwrap(ParseSize(nb::cast<std::string>(value)));
}

// Opens `path`; column names reach Python as str, so one that is not UTF-8 is
// refused here, naming the file and the column (ingest takes header names as
// they are; values that are not UTF-8 it rejects, and the engine checks those).
std::shared_ptr<Dataset> OpenDataset(const std::string& path) {
  std::shared_ptr<Dataset> dataset = Unwrap(Dataset::Open(path));
  for (size_t column = 0; column < dataset->schema().size(); ++column) {
    const std::string& name = dataset->schema()[column].name;
    PyObject* text = PyUnicode_DecodeUTF8(name.data(), Py_ssize_t(name.size()), "strict");
    if (!text) {
      PyErr_Clear();
      Raise(
          Status::Corruption(path + ": the name of column " + std::to_string(column) +
                             " is not valid UTF-8 (the header was not UTF-8 text, or the file is damaged)"));
    }
    Py_DECREF(text);
  }
  return dataset;
}

nb::list IndexReportsToList(const std::vector<IngestIndexReport>& reports) {
  nb::list out;
  for (const auto& r : reports) {
    nb::dict d;
    d["column"] = r.column;
    d["kind"] = r.kind;
    d["built"] = r.built;
    d["keys"] = r.keys;
    d["stored_bytes"] = r.stored_bytes;
    d["note"] = r.note;
    out.append(d);
  }
  return out;
}

nb::dict ReportToDict(const IngestReport& r) {
  nb::dict d;
  d["rows_read"] = r.rows_read;
  d["rows_kept"] = r.rows_kept;
  d["rows_rejected"] = r.rows_rejected;
  nb::dict reasons;
  for (const auto& [reason, count] : r.rejected_by_reason) reasons[reason.c_str()] = count;
  d["rejected_by_reason"] = reasons;
  nb::list groups;
  for (const auto& g : r.rejects_by_column) {
    nb::dict group;
    group["column"] = g.column.empty() ? nb::none() : nb::object(LenientStr(g.column));
    group["reason"] = g.reason;
    group["rows"] = g.count;
    group["first_line"] = g.first_line;
    group["example"] = LenientStr(g.example);
    groups.append(group);
  }
  d["rejects_by_column"] = groups;
  d["warning"] = r.reject_warning.empty() ? nb::none() : nb::object(LenientStr(r.reject_warning));
  d["input_bytes"] = r.input_bytes;
  d["output_bytes"] = r.output_bytes;
  d["chunks"] = r.chunks;
  d["seconds"] = r.seconds;
  d["peak_rss"] = r.peak_rss;
  d["memory_limit"] = r.memory_limit;
  d["budget_peak"] = r.budget_peak;
  d["threads"] = r.threads;
  d["source"] = r.source;
  d["delimiter"] = IngestDelimiterName(r.delimiter, r.space_aligned);
  d["encoding"] = r.encoding;
  d["line_ending"] = r.line_ending;
  d["escape"] = r.escape ? std::string(1, r.escape) : std::string();
  d["thousands"] = r.thousands ? std::string(1, r.thousands) : std::string();
  nb::list renamed;
  for (const IngestRename& rename : r.renamed_columns) {
    nb::dict entry;
    entry["position"] = rename.position;
    entry["from"] = rename.from;
    entry["to"] = rename.to;
    renamed.append(entry);
  }
  d["renamed_columns"] = renamed;
  d["lines_skipped"] = r.lines_skipped;
  d["comment_lines"] = r.comment_lines;
  d["rows_padded"] = r.rows_padded;
  nb::list columns;
  for (const auto& c : r.columns) {
    nb::dict col;
    col["name"] = c.name;
    col["type"] = std::string(TypeName(c.type));
    col["encodings"] = c.encodings;
    col["stored_bytes"] = c.stored_bytes;
    col["null_count"] = c.null_count;
    col["inferred"] = c.inferred;
    col["sample_mismatches"] = c.sample_mismatches;
    col["type_note"] = c.type_note;  // why an inferred type is text or was widened (doc/inference.md)
    columns.append(col);
  }
  d["columns"] = columns;
  d["indexes"] = IndexReportsToList(r.indexes);
  return d;
}

// The Arrow C stream inside a PyCapsule named "arrow_array_stream" (what
// __arrow_c_stream__ returns), or null when `object` is not one. Ingest moves
// the stream out of it, so the capsule's destructor finds it released.
ArrowArrayStream* ArrowStreamOf(nb::handle object) {
  if (!PyCapsule_IsValid(object.ptr(), "arrow_array_stream")) return nullptr;
  auto* stream = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(object.ptr(), "arrow_array_stream"));
  if (!stream || !stream->release) {
    Raise(Status::InvalidArgument("the Arrow stream capsule was consumed already (a stream is read once)"));
  }
  return stream;
}

// `inputs`: a list of CSV paths, or an Arrow stream capsule (Arrow in; the
// CSV options must then be left at their defaults, or ingest refuses them).
nb::dict IngestBinding(nb::handle inputs, std::string output, nb::handle memory_limit, int threads,
                       std::optional<std::string> delimiter, std::string quote, bool header,
                       std::optional<std::vector<std::string>> na_values,
                       std::optional<std::vector<std::string>> true_values,
                       std::optional<std::vector<std::string>> false_values,
                       std::vector<std::pair<std::string, std::string>> schema,
                       std::optional<std::string> reject, std::string on_error,
                       std::optional<std::string> max_rejects, std::string compression, int level,
                       nb::handle block_size, std::vector<std::string> index,
                       std::vector<std::string> index_tokens, std::optional<std::string> encoding,
                       uint64_t skip_rows, std::optional<std::string> comment, bool pad_short_rows,
                       std::string decimal, std::optional<std::string> escape,
                       std::optional<std::string> thousands) {
  IngestOptions o;
  ArrowArrayStream* stream = ArrowStreamOf(inputs);
  if (!stream) o.inputs = nb::cast<std::vector<std::string>>(inputs);
  o.output = std::move(output);
  o.memory_limit = SizeArgument(memory_limit);
  o.threads = threads;
  if (delimiter) {
    Status parsed = ParseIngestDelimiter(*delimiter, "delimiter", &o);
    if (!parsed.ok()) Raise(parsed);
  }
  if (quote.size() != 1) Raise(Status::InvalidArgument("quote must be one character"));
  o.quote = quote[0];
  o.header = header;
  if (encoding) o.encoding = *encoding;
  if (na_values) o.na_values = *na_values;
  if (true_values) o.true_values = *true_values;
  if (false_values) o.false_values = *false_values;
  for (const auto& [name, type_name] : schema)
    o.schema.emplace_back(name, Unwrap(ParseColumnType(name, type_name, "schema")));
  if (reject) o.reject_path = *reject;
  o.on_error = Unwrap(ParseOnError(on_error, "on_error"));
  if (max_rejects) o.max_rejects = Unwrap(ParseRejectLimit(*max_rejects, "max_rejects"));
  o.compression = compression;
  o.compression_level = level;
  o.block_bytes = SizeArgument(block_size);
  o.index_columns = std::move(index);
  o.token_index_columns = std::move(index_tokens);
  o.skip_rows = skip_rows;
  if (comment) o.comment = Unwrap(ParseOneChar(*comment, "comment"));
  o.pad_short_rows = pad_short_rows;
  o.decimal = Unwrap(ParseOneChar(decimal, "decimal"));
  if (escape) o.escape = Unwrap(ParseOneChar(*escape, "escape"));
  if (thousands) o.thousands = Unwrap(ParseOneChar(*thousands, "thousands"));
  // Ctrl-C sets the pipeline's cancel flag; it stops before the next block and
  // leaves no file behind (PyErr_CheckSignals from the pipeline's threads never
  // saw a signal: Python handles them on the main thread only).
  IngestReport report;
  Status status = CallWithCtrlC([&](const std::atomic<bool>* cancel) {
    o.cancel = cancel;
    return stream ? IngestArrowStream(stream, o, &report) : Ingest(o, &report);
  });
  if (!status.ok() && !report.reject_limit_exceeded) Raise(status);
  // A tripped reject limit comes back as the report with its "error";
  // outcore.ingest raises RejectLimitError with the report attached.
  nb::dict d = ReportToDict(report);
  if (!status.ok()) d["error"] = LenientStr(status.message());
  return d;
}

class PyScanner {
 public:
  PyScanner(std::shared_ptr<Dataset> dataset, std::optional<std::vector<std::string>> columns,
            int64_t batch_rows, std::optional<int64_t> limit, std::optional<std::string> where,
            bool use_indexes, bool use_zone_maps, nb::handle memory_limit, bool force_indexes,
            bool count_only) {
    ScanOptions options;
    if (columns) options.columns = *columns;
    options.batch_rows = batch_rows;
    if (limit) options.limit = *limit;
    if (where) {
      Status checked = CheckWhere(*where, "where");
      if (!checked.ok()) Raise(checked);
      options.where = *where;
    }
    options.use_indexes = use_indexes;
    options.use_zone_maps = use_zone_maps;
    options.force_indexes = force_indexes;
    options.memory_limit = SizeArgument(memory_limit);
    if (count_only) PrepareCount(*dataset, &options);
    options.cancel = &cancel_;
    // Planning may read index blocks.
    scanner_ =
        Unwrap(CallWithCtrlC([&](auto*) { return Scanner::Make(std::move(dataset), options); }, &cancel_));
  }

  std::string Explain() const { return scanner_->Explain(); }
  int64_t Count() {
    return Unwrap(CallWithCtrlC([&](auto*) { return scanner_->CountRows(); }, &cancel_));
  }
  nb::dict Counters() const {
    const ScanCounters& c = scanner_->counters();
    nb::dict d;
    d["chunks_total"] = c.chunks_total;
    d["chunks_read"] = c.chunks_read;
    d["bytes_read"] = c.bytes_read;
    d["rows_matched"] = c.rows_matched;
    return d;
  }

  // None at the end; else (num_rows, first_row, [(name, type, values, null_mask, data, is_codes), ...]).
  nb::object Next() {
    Batch batch;
    if (!Unwrap(CallWithCtrlC([&](auto*) { return scanner_->Next(&batch); }, &cancel_))) return nb::none();
    nb::list columns;
    for (size_t i = 0; i < batch.columns.size(); ++i) {
      ColumnVector& c = batch.columns[i];
      const ColumnSchema& schema = scanner_->columns()[i];
      size_t n = size_t(c.length);
      nb::object mask = c.null_count > 0 ? BitsToBools(c.validity, c.length, true) : nb::none();
      nb::object values, data = nb::none();
      bool is_codes = false;
      switch (c.type) {
        case TypeId::kBool:
          values = BitsToBools(c.values, c.length, false);
          break;
        case TypeId::kInt64:
        case TypeId::kTimestamp:
          values = ToNumpy<int64_t>(std::move(c.values), n);
          break;
        case TypeId::kFloat64:
          values = ToNumpy<double>(std::move(c.values), n);
          break;
        case TypeId::kDate:
          values = ToNumpy<int32_t>(std::move(c.values), n);
          break;
        case TypeId::kString:
          if (c.dictionary) {
            // pandas.Categorical codes: -1 marks a missing value.
            int32_t* codes = c.values.as<int32_t>();
            for (int64_t row = 0; row < c.length; ++row) {
              if (!c.IsValid(row)) codes[row] = -1;
            }
            values = ToNumpy<int32_t>(std::move(c.values), n);
            is_codes = true;
          } else {
            values = ToNumpy<int32_t>(std::move(c.values), n + 1);
            size_t data_bytes = c.data.size();
            data = ToNumpy<uint8_t>(std::move(c.data), data_bytes);
          }
          break;
      }
      columns.append(
          nb::make_tuple(schema.name, std::string(TypeName(c.type)), values, mask, data, is_codes));
    }
    return nb::make_tuple(batch.num_rows, batch.first_row, columns);
  }

 private:
  std::atomic<bool> cancel_{false};  // the scan's cancel: set by Ctrl-C during next()/count()
  std::unique_ptr<Scanner> scanner_;
};

}  // namespace
}  // namespace outcore

NB_MODULE(_core, m) {
  using namespace outcore;
  m.doc() = "outcore engine bindings (private: import outcore instead)";

  m.def(
      "read_memory", [](int pid) { return ReadingToDict(Unwrap(ReadProcessMemory(pid_t(pid)))); },
      "pid"_a = 0);
  m.def("reset_peak_rss", &ResetPeakRss);
  m.def("parse_size", [](const std::string& text) { return Unwrap(ParseSize(text)); });
  m.def("format_size", &FormatSize);
  m.def("default_memory_limit", &DefaultMemoryLimit);

  m.def("ingest", &IngestBinding, "inputs"_a, "output"_a, "memory_limit"_a = nb::none(), "threads"_a = 0,
        "delimiter"_a = nb::none(), "quote"_a = "\"", "header"_a = true, "na_values"_a = nb::none(),
        "true_values"_a = nb::none(), "false_values"_a = nb::none(),
        "schema"_a = std::vector<std::pair<std::string, std::string>>(), "reject"_a = nb::none(),
        "on_error"_a = "reject", "max_rejects"_a = nb::none(), "compression"_a = "zstd", "level"_a = 1,
        "block_size"_a = nb::none(), "index"_a = std::vector<std::string>(),
        "index_tokens"_a = std::vector<std::string>(), "encoding"_a = nb::none(), "skip_rows"_a = 0,
        "comment"_a = nb::none(), "pad_short_rows"_a = false, "decimal"_a = ".", "escape"_a = nb::none(),
        "thousands"_a = nb::none());

  m.def(
      "add_indexes",
      [](const std::string& path, std::vector<std::string> columns, std::vector<std::string> tokens,
         std::optional<std::string> output, nb::handle memory_limit) {
        AddIndexOptions o;
        o.columns = std::move(columns);
        o.token_columns = std::move(tokens);
        if (output) o.output = *output;
        o.memory_limit = SizeArgument(memory_limit);
        auto reports = CallWithCtrlC([&](const std::atomic<bool>* cancel) {
          o.cancel = cancel;
          return AddIndexes(path, o);
        });
        return IndexReportsToList(Unwrap(std::move(reports)));
      },
      "path"_a, "columns"_a = std::vector<std::string>(), "tokens"_a = std::vector<std::string>(),
      "output"_a = nb::none(), "memory_limit"_a = nb::none());

  nb::class_<Dataset>(m, "Dataset")
      .def_static("open", &OpenDataset, "path"_a)
      .def_prop_ro("path", &Dataset::path)
      .def_prop_ro("num_rows", &Dataset::num_rows)
      .def_prop_ro("num_chunks", &Dataset::num_chunks)
      .def_prop_ro("file_size", &Dataset::file_size)
      .def_prop_ro("indexes",
                   [](const Dataset& d) {
                     nb::list out;
                     for (const IndexInfo& index : DescribeIndexes(d)) {
                       nb::dict entry;
                       entry["column"] = index.column;
                       entry["kind"] = index.kind;
                       entry["keys"] = index.keys;
                       entry["stored_bytes"] = index.stored_bytes;
                       out.append(entry);
                     }
                     return out;
                   })
      .def_prop_ro("schema",
                   [](const Dataset& d) {
                     nb::list out;
                     for (const auto& c : d.schema())
                       out.append(nb::make_tuple(c.name, std::string(TypeName(c.type)), c.dictionary));
                     return out;
                   })
      .def("dictionary", [](const Dataset& d, const std::string& name) {
        int index = d.FindColumn(name);
        if (index < 0) Raise(Status::InvalidArgument("no column '" + name + "' in " + d.path()));
        auto dictionary = Unwrap(d.LoadDictionary(index));
        nb::list out;
        for (int64_t i = 0; i < dictionary->size; ++i) {
          std::string_view v = dictionary->Get(i);
          out.append(nb::str(v.data(), v.size()));
        }
        return out;
      });

  nb::class_<PyScanner>(m, "Scanner")
      .def(nb::init<std::shared_ptr<Dataset>, std::optional<std::vector<std::string>>, int64_t,
                    std::optional<int64_t>, std::optional<std::string>, bool, bool, nb::handle, bool, bool>(),
           "dataset"_a, "columns"_a = nb::none(), "batch_rows"_a = 65536, "limit"_a = nb::none(),
           "where"_a = nb::none(), "use_indexes"_a = true, "use_zone_maps"_a = true,
           "memory_limit"_a = nb::none(), "force_indexes"_a = false, "count_only"_a = false)
      .def("next", &PyScanner::Next)
      .def("explain", &PyScanner::Explain)
      .def("count", &PyScanner::Count)
      .def("counters", &PyScanner::Counters);

  BindTransform(m);
  BindFrames(m);
}
