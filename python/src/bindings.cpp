// outcore._core: the nanobind bindings, and nothing else. The Pythonic layer
// (classes users see, NumPy/pandas/Arrow adaptation) is python/outcore/. C++
// Status errors become Python exceptions here and only here (status_error.h);
// long calls run without the GIL and stop on Ctrl-C (interrupt.h).
// Scans (batches as NumPy views, Arrow exports) are bound in bindings_arrow.cpp.
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
#include "outcore/parts.h"
#include "progress.h"
#include "status_error.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace outcore {

// Bindings of the transform layer (python/src/bindings_transform.cpp).
void BindTransform(nb::module_& m);
// Bindings of outcore/export.h: arrays and frames (python/src/bindings_frames.cpp).
void BindFrames(nb::module_& m);
// Dataset.info(): DescribeDataset as a dict (python/src/bindings_info.cpp).
void BindInfo(nb::module_& m);
// Scans, their batches and the Arrow export (python/src/bindings_arrow.cpp).
void BindArrow(nb::module_& m);
// A data set's parts as [{"path", "rows", "chunks"[, "bytes"]}] (python/src/bindings_info.cpp).
nb::list PartsToList(const std::vector<PartInfo>& parts, bool with_bytes);

// A memory_limit argument: None (0: the default), bytes, or "512MiB".
uint64_t SizeArgument(nb::handle value) {
  if (value.is_none()) return 0;
  if (nb::isinstance<nb::int_>(value)) return nb::cast<uint64_t>(value);
  return Unwrap(ParseSize(nb::cast<std::string>(value)));
}

namespace {

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

// Row rules as outcore.ingest spells them: (option, text) pairs, each text
// as the command line writes it ("price=0..10000"), parsed by the same parsers.
RowRules ParseRules(const std::vector<std::pair<std::string, std::string>>& specs) {
  RowRules rules;
  for (const auto& [option, text] : specs) {
    if (option == "require") {
      RaiseIfError(ParseRequireRule(text, option, &rules));
    } else if (option == "range") {
      RaiseIfError(ParseRangeRule(text, option, &rules));
    } else if (option == "allowed") {
      RaiseIfError(ParseAllowedRule(text, option, &rules));
    } else if (option == "drop_where") {
      rules.drop_where = text;
    } else if (option == "dedupe") {
      RaiseIfError(ParseDedupeRule(text, option, &rules));
    } else {
      Raise(Status::InvalidArgument("unknown row rule '" + option + "'"));
    }
  }
  return rules;
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
nb::tuple IngestBinding(
    nb::handle inputs, std::string output, nb::handle memory_limit, int threads,
    std::optional<std::string> delimiter, std::string quote, bool header,
    std::optional<std::vector<std::string>> na_values, std::optional<std::vector<std::string>> true_values,
    std::optional<std::vector<std::string>> false_values,
    std::vector<std::pair<std::string, std::string>> schema, std::optional<std::string> reject,
    std::string on_error, std::optional<std::string> max_rejects, std::string compression, int level,
    nb::handle block_size, std::vector<std::string> index, std::vector<std::string> index_tokens,
    std::optional<std::string> encoding, uint64_t skip_rows, std::optional<std::string> comment,
    bool pad_short_rows, std::string decimal, std::optional<std::string> escape,
    std::optional<std::string> thousands, std::vector<std::pair<std::string, std::string>> rules,
    std::vector<std::pair<std::string, std::string>> lossy, nb::object progress_callable, bool parts,
    bool append) {
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
  o.rules = ParseRules(rules);
  for (const auto& [name, form] : lossy)
    o.lossy.push_back({name, Unwrap(ParseLossyForm(form, name, "lossy"))});
  // Ctrl-C sets the pipeline's cancel flag; it stops before the next block and
  // leaves no file behind (PyErr_CheckSignals from the pipeline's threads never
  // saw a signal: Python handles them on the main thread only).
  // progress_callable (outcore/_progress.py) is called from the pipeline, taking the GIL for it.
  IngestReport report;
  PartsIngestReport parts_report;
  const bool to_parts = parts || append;
  if (to_parts && stream) {
    Raise(
        Status::InvalidArgument("parts=True and append=True take CSV files, one part each; write an Arrow "
                                "stream to a part with ingest(stream, \"folder/name.oc\") and register it "
                                "with add_parts(\"folder\", [\"folder/name.oc\"])"));
  }
  PyProgress progress(std::move(progress_callable));
  o.progress = progress.Wrap<IngestProgress>(&IngestProgressToDict);
  Status status = CallWithProgress(progress, [&](const std::atomic<bool>* cancel) {
    o.cancel = cancel;
    if (to_parts) return IngestParts(o, append, &parts_report);
    return stream ? IngestArrowStream(stream, o, &report) : Ingest(o, &report);
  });
  if (!status.ok() && !(to_parts ? parts_report.total : report).reject_limit_exceeded) Raise(status);
  // The report's JSON text (IngestReportJson: what `outcore ingest --json`
  // prints, less its context), and the error of a tripped reject limit or
  // None; outcore.ingest raises RejectLimitError with the report attached.
  const std::string text = to_parts ? IngestReportJson(parts_report) : IngestReportJson(report);
  return nb::make_tuple(text, status.ok() ? nb::none() : nb::object(LenientStr(status.message())));
}

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
        "thousands"_a = nb::none(), "rules"_a = std::vector<std::pair<std::string, std::string>>(),
        "lossy"_a = std::vector<std::pair<std::string, std::string>>(), "progress"_a = nb::none(),
        "parts"_a = false, "append"_a = false);

  m.def(
      "add_parts",
      [](const std::string& folder, std::vector<std::string> part_paths) {
        Status status;
        {
          nb::gil_scoped_release release;
          status = AddParts(folder, part_paths);
        }
        RaiseIfError(status);
      },
      "folder"_a, "part_paths"_a);

  m.def(
      "add_indexes",
      [](const std::string& path, std::vector<std::string> columns, std::vector<std::string> tokens,
         std::optional<std::string> output, nb::handle memory_limit, nb::object progress_callable) {
        AddIndexOptions o;
        o.columns = std::move(columns);
        o.token_columns = std::move(tokens);
        if (output) o.output = *output;
        o.memory_limit = SizeArgument(memory_limit);
        PyProgress progress(std::move(progress_callable));
        o.progress = progress.Wrap<AddIndexProgress>(&IndexProgressToDict);
        auto reports = CallWithProgress(progress, [&](const std::atomic<bool>* cancel) {
          o.cancel = cancel;
          return AddIndexes(path, o);
        });
        return IndexReportsJson(Unwrap(std::move(reports)));  // oc.index() loads it
      },
      "path"_a, "columns"_a = std::vector<std::string>(), "tokens"_a = std::vector<std::string>(),
      "output"_a = nb::none(), "memory_limit"_a = nb::none(), "progress"_a = nb::none());

  nb::class_<Dataset>(m, "Dataset")
      .def_static("open", &OpenDataset, "path"_a)
      .def_prop_ro("path", &Dataset::path)
      .def_prop_ro("num_rows", &Dataset::num_rows)
      .def_prop_ro("num_chunks", &Dataset::num_chunks)
      .def_prop_ro("file_size", &Dataset::file_size)
      .def_prop_ro("is_part_set", &Dataset::is_part_set)
      .def_prop_ro("parts", [](const Dataset& d) { return PartsToList(d.parts(), false); })
      .def(
          "part_candidates",
          [](const Dataset& d, const std::string& where) { return Unwrap(d.PartCandidates(where)); },
          "where"_a)
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

  BindTransform(m);
  BindFrames(m);
  BindInfo(m);
  BindArrow(m);
}
