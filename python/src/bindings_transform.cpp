// Bindings of the transform layer (outcore/transform.h): see python/outcore/transform.py,
// which holds the estimator classes. Binds only: C++ Status errors become
// Python exceptions through status_error.h, long calls over a dataset stop on
// Ctrl-C (interrupt.h); results go to NumPy without a copy (each array owns
// its Buffer through a capsule).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <optional>
#include <string>
#include <vector>

#include "interrupt.h"
#include "outcore/dataset.h"
#include "outcore/transform.h"
#include "status_error.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace outcore {
namespace {

template <typename T>
nb::object BufferToNumpy(Buffer&& buffer, size_t count) {
  auto* owner = new Buffer(std::move(buffer));
  owner->SetBudget(nullptr);
  if (owner->capacity() == 0) owner->Reserve(64);
  nb::capsule capsule(owner, [](void* p) noexcept { delete static_cast<Buffer*>(p); });
  size_t shape[1] = {count};
  return nb::cast(nb::ndarray<nb::numpy, T, nb::ndim<1>>(owner->data(), 1, shape, capsule));
}

// A str or bytes feature name as bytes (UTF-8 for str); false for other types.
// A compact ASCII str (what most tokens are) is read from its own buffer, which
// already is its UTF-8 form: no call into the interpreter per token.
bool FeatureBytes(PyObject* object, std::string_view* out) {
  if (PyUnicode_Check(object)) {
    if (PyUnicode_IS_COMPACT_ASCII(object)) {
      *out = {static_cast<const char*>(PyUnicode_DATA(object)), size_t(PyUnicode_GET_LENGTH(object))};
      return true;
    }
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(object, &size);
    if (!utf8) throw nb::python_error();
    *out = {utf8, size_t(size)};
    return true;
  }
  if (PyBytes_Check(object)) {
    *out = {PyBytes_AS_STRING(object), size_t(PyBytes_GET_SIZE(object))};
    return true;
  }
  return false;
}

// where= and nulls= as Python passes them; errors name them as Python spells them.
RowSelection SelectionOf(const std::optional<std::string>& where, const std::string& nulls) {
  RowSelection selection;
  selection.python_names = true;
  if (where) {
    RaiseIfError(CheckWhere(*where, "where"));
    selection.where = *where;
  }
  selection.nulls = Unwrap(ParseNullPolicy(nulls, "nulls"));
  return selection;
}

[[noreturn]] void RaiseType(const char* message) {
  PyErr_SetString(PyExc_TypeError, message);
  throw nb::python_error();
}

enum class InputType { kString, kDict, kPair, kChar };

// One (name, value) feature of a dict/pair sample, as sklearn reads it: a
// string value v makes the feature "name=v" with value 1.
void AddNamedValue(RowHasher* hasher, PyObject* name, PyObject* value) {
  std::string_view name_bytes, value_bytes;
  if (PyUnicode_Check(value)) {
    // sklearn formats "%s=%s" % (name, value): a non-str name is written as str(name).
    std::string owned;
    if (PyUnicode_Check(name)) {
      FeatureBytes(name, &name_bytes);
    } else {
      owned = nb::cast<std::string>(nb::str(nb::handle(name)));
      name_bytes = owned;
    }
    FeatureBytes(value, &value_bytes);
    hasher->AddPair(name_bytes, value_bytes);
    return;
  }
  double number = PyFloat_AsDouble(value);
  if (number == -1.0 && PyErr_Occurred()) throw nb::python_error();
  if (number == 0) return;
  if (!FeatureBytes(name, &name_bytes)) RaiseType("feature names must be strings");
  hasher->Add(name_bytes, number);
}

// `tokens` is scratch reused between samples (a list's features are gathered,
// then hashed in one call).
void HashSample(RowHasher* hasher, InputType input, PyObject* sample, std::vector<std::string_view>* tokens) {
  std::string_view bytes;
  if (input == InputType::kChar) {
    if (!PyUnicode_Check(sample) && !PyBytes_Check(sample))
      RaiseType("input_type='char' takes strings, one per sample");
    FeatureBytes(sample, &bytes);
    hasher->AddCharacters(bytes);
    return;
  }
  if (input == InputType::kDict && PyDict_Check(sample)) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(sample, &pos, &key, &value)) AddNamedValue(hasher, key, value);
    return;
  }
  if (input == InputType::kString && PyUnicode_Check(sample)) {
    PyErr_SetString(
        PyExc_ValueError,
        "Samples can not be a single string. The input must be an iterable over iterables of strings "
        "(or use input_type='char' to hash each string's characters).");
    throw nb::python_error();
  }
  if (input == InputType::kString && (PyList_Check(sample) || PyTuple_Check(sample))) {
    // The common case (lists of tokens): borrowed items, no iterator. Nothing
    // here runs Python code, so the list cannot change under the loop.
    const Py_ssize_t size = PySequence_Fast_GET_SIZE(sample);
    PyObject** items = PySequence_Fast_ITEMS(sample);
    tokens->resize(size_t(size));
    for (Py_ssize_t i = 0; i < size; ++i) {
      if (!FeatureBytes(items[i], &(*tokens)[size_t(i)])) RaiseType("feature names must be strings");
    }
    hasher->AddAll(*tokens);
    return;
  }
  nb::object items = nb::borrow(sample);
  if (input == InputType::kDict) items = nb::borrow(sample).attr("items")();
  PyObject* iterator = PyObject_GetIter(items.ptr());
  if (!iterator) throw nb::python_error();
  nb::object guard = nb::steal(iterator);
  while (PyObject* item = PyIter_Next(iterator)) {
    nb::object item_guard = nb::steal(item);
    if (input == InputType::kString) {
      if (!FeatureBytes(item, &bytes)) RaiseType("feature names must be strings");
      hasher->Add(bytes, 1.0);
    } else {
      if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        nb::tuple pair = nb::tuple(nb::handle(item));
        if (pair.size() != 2) RaiseType("each feature must be a (name, value) pair");
        AddNamedValue(hasher, pair[0].ptr(), pair[1].ptr());
      } else {
        AddNamedValue(hasher, PyTuple_GET_ITEM(item, 0), PyTuple_GET_ITEM(item, 1));
      }
    }
  }
  if (PyErr_Occurred()) throw nb::python_error();
}

// (data, indices, indptr, n_samples), each array owning its buffer.
nb::tuple CsrArrays(CsrMatrix&& csr) {
  size_t nnz = size_t(csr.nnz), rows = size_t(csr.rows);
  return nb::make_tuple(BufferToNumpy<double>(std::move(csr.data), nnz),
                        BufferToNumpy<int32_t>(std::move(csr.indices), nnz),
                        BufferToNumpy<int64_t>(std::move(csr.indptr), rows + 1), rows);
}

// (data, indices, indptr, n_samples) of the hashed samples.
nb::tuple HashFeatures(nb::handle raw_x, int64_t n_features, bool alternate_sign,
                       const std::string& input_type) {
  InputType input;
  if (input_type == "string")
    input = InputType::kString;
  else if (input_type == "dict")
    input = InputType::kDict;
  else if (input_type == "pair")
    input = InputType::kPair;
  else if (input_type == "char")
    input = InputType::kChar;
  else
    Raise(Status::InvalidArgument("input_type must be 'dict', 'pair', 'string' or 'char', not '" +
                                  input_type + "'"));
  RowHasher hasher = Unwrap(RowHasher::Make(n_features, alternate_sign));
  if (input == InputType::kString && (PyList_Check(raw_x.ptr()) || PyTuple_Check(raw_x.ptr()))) {
    // A first pass counts the features of list and tuple samples (a bound:
    // duplicates merge), so the output is sized once and never regrows.
    const Py_ssize_t rows = PySequence_Fast_GET_SIZE(raw_x.ptr());
    PyObject** samples = PySequence_Fast_ITEMS(raw_x.ptr());
    int64_t entries = 0;
    for (Py_ssize_t row = 0; row < rows; ++row) {
      if (PyList_Check(samples[row]) || PyTuple_Check(samples[row]))
        entries += PySequence_Fast_GET_SIZE(samples[row]);
    }
    hasher.Reserve(rows, entries);
  }
  std::vector<std::string_view> tokens;
  PyObject* iterator = PyObject_GetIter(raw_x.ptr());
  if (!iterator) throw nb::python_error();
  nb::object guard = nb::steal(iterator);
  while (PyObject* sample = PyIter_Next(iterator)) {
    nb::object sample_guard = nb::steal(sample);
    HashSample(&hasher, input, sample, &tokens);
    hasher.FinishRow();
  }
  if (PyErr_Occurred()) throw nb::python_error();
  if (hasher.nnz() > INT32_MAX)
    Raise(Status::InvalidArgument("more than 2^31 - 1 hashed entries: hash in smaller batches"));
  return CsrArrays(Unwrap(hasher.Release()));
}

nb::tuple HashDataset(std::shared_ptr<Dataset> dataset, std::vector<std::string> columns,
                      std::vector<std::string> tokens, int64_t n_features, bool alternate_sign,
                      std::optional<std::string> where, const std::string& nulls) {
  HashOptions options;
  options.rows = SelectionOf(where, nulls);
  options.columns = std::move(columns);
  options.token_columns = std::move(tokens);
  options.n_features = n_features;
  options.alternate_sign = alternate_sign;
  Result<CsrMatrix> csr = CallWithCtrlC([&](const std::atomic<bool>* cancel) {
    options.cancel = cancel;
    return HashColumns(dataset, options);
  });
  return CsrArrays(Unwrap(std::move(csr)));
}

nb::dict SummaryToDict(const ColumnSummary& s) {
  nb::dict d;
  d["name"] = s.name;
  d["type"] = std::string(TypeName(s.type));
  d["count"] = s.count;
  d["nulls"] = s.nulls;
  if (s.numeric()) {
    d["nans"] = s.nans;
    d["min"] = s.has_range ? nb::cast(s.min) : nb::none();
    d["max"] = s.has_range ? nb::cast(s.max) : nb::none();
    d["mean"] = s.has_range ? nb::cast(s.mean) : nb::none();
    d["variance"] = s.has_range ? nb::cast(s.variance) : nb::none();
  }
  if (s.distinct >= 0) d["distinct"] = s.distinct;
  return d;
}

// SummaryToDict's inverse (a dict handed back for merging).
ColumnSummary SummaryFromDict(nb::dict d) {
  ColumnSummary s;
  s.name = nb::cast<std::string>(d["name"]);
  const auto type = TypeFromName(nb::cast<std::string>(d["type"]));
  if (!type) Raise(Status::InvalidArgument("a column summary's type must be a type name"));
  s.type = *type;
  s.count = nb::cast<int64_t>(d["count"]);
  s.nulls = nb::cast<int64_t>(d["nulls"]);
  if (s.numeric()) {
    s.nans = nb::cast<int64_t>(d["nans"]);
    s.has_range = !d["mean"].is_none();
    if (s.has_range) {
      s.min = nb::cast<double>(d["min"]);
      s.max = nb::cast<double>(d["max"]);
      s.mean = nb::cast<double>(d["mean"]);
      s.variance = nb::cast<double>(d["variance"]);
    }
  }
  return s;
}

nb::list ColumnStatsList(std::shared_ptr<Dataset> dataset, std::vector<std::string> columns,
                         std::optional<std::string> where, const std::string& nulls) {
  const RowSelection rows = SelectionOf(where, nulls);
  auto stats = CallWithCtrlC(
      [&](const std::atomic<bool>* cancel) { return ComputeColumnStats(dataset, columns, 0, cancel, rows); });
  nb::list out;
  for (const auto& s : Unwrap(std::move(stats))) out.append(SummaryToDict(s));
  return out;
}

// A column in memory: float64 values (None for text) and a bool array, true
// where a value is present.
nb::dict SummarizeBinding(const std::string& name, const std::string& type,
                          std::optional<nb::ndarray<const double, nb::ndim<1>, nb::c_contig>> values,
                          nb::ndarray<const bool, nb::ndim<1>, nb::c_contig> valid) {
  const auto id = TypeFromName(type);
  if (!id) Raise(Status::InvalidArgument("unknown column type '" + type + "'"));
  const auto rows = int64_t(valid.shape(0));
  if (values && int64_t(values->shape(0)) != rows) {
    Raise(Status::InvalidArgument("column '" + name + "': values and validity differ in length"));
  }
  ColumnSummary s;
  {
    nb::gil_scoped_release unlocked;
    s = SummarizeValues(name, *id, values ? values->data() : nullptr,
                        reinterpret_cast<const uint8_t*>(valid.data()), rows);
  }
  return SummaryToDict(s);
}

nb::dict MergeBinding(nb::dict a, nb::dict b) {
  return SummaryToDict(Unwrap(MergeSummaries(SummaryFromDict(a), SummaryFromDict(b))));
}

OneHotCategories OneHotFit(std::shared_ptr<Dataset> dataset, std::vector<std::string> columns,
                           std::optional<std::string> where, const std::string& nulls) {
  const RowSelection rows = SelectionOf(where, nulls);
  return Unwrap(CallWithCtrlC(
      [&](const std::atomic<bool>* cancel) { return FitOneHot(dataset, columns, cancel, rows); }));
}

nb::tuple OneHotEncodeDataset(std::shared_ptr<Dataset> dataset, std::vector<std::string> columns,
                              OneHotCategories categories, bool ignore_unknown,
                              std::optional<std::string> where, const std::string& nulls) {
  const RowSelection rows = SelectionOf(where, nulls);
  return CsrArrays(Unwrap(CallWithCtrlC([&](const std::atomic<bool>* cancel) {
    return OneHotEncode(dataset, columns, categories, ignore_unknown, cancel, rows);
  })));
}

using Codes = nb::ndarray<const int32_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

// One-hot rows from category codes already found (the array path of
// OneHotEncoder): codes[row, column] in [0, n_categories[column]) or -1 for
// an all-zero block.
nb::tuple OneHotCodes(Codes codes, std::vector<int64_t> n_categories) {
  const auto width = int64_t(codes.shape(1));
  if (int64_t(n_categories.size()) != width) {
    Raise(Status::InvalidArgument("one category count per column is needed"));
  }
  CsrMatrix csr;
  {
    nb::gil_scoped_release release;
    csr = Unwrap(OneHotFromCodes(codes.data(), int64_t(codes.shape(0)), width, n_categories));
  }
  return CsrArrays(std::move(csr));
}

nb::object VectorToNumpy(const std::vector<double>& values);

// Scales the columns of a writable float matrix in place; returns the fitted parameters.
template <typename T>
nb::dict ScaleInPlace(nb::ndarray<T, nb::ndim<2>, nb::device::cpu> x, const std::string& method,
                      double range_min, double range_max) {
  const ScaleMethod m = Unwrap(ParseScaleMethod(method, "method"));
  StridedMatrix<T> view{x.data(), int64_t(x.shape(0)), int64_t(x.shape(1)), int64_t(x.stride(0)),
                        int64_t(x.stride(1))};
  ScalerFit params;
  {
    nb::gil_scoped_release release;
    params = ScaleMatrixInPlace(view, m, range_min, range_max);
  }
  nb::dict d;
  if (m == ScaleMethod::kMinMax) {
    d["data_min_"] = VectorToNumpy(params.data_min);
    d["data_max_"] = VectorToNumpy(params.data_max);
    d["scale_"] = VectorToNumpy(params.scale);
    d["min_"] = VectorToNumpy(params.min_offset);
  } else {
    d["mean_"] = VectorToNumpy(params.mean);
    d["var_"] = VectorToNumpy(params.var);
    d["scale_"] = VectorToNumpy(params.scale);
  }
  return d;
}

nb::dict NormalizeFile(const std::string& path, std::vector<std::string> columns, const std::string& method,
                       double range_min, double range_max, const std::string& output,
                       std::optional<std::string> where, const std::string& nulls) {
  NormalizeColumnsOptions o;
  o.rows = SelectionOf(where, nulls);
  o.columns = std::move(columns);
  o.method = Unwrap(ParseScaleMethod(method, "method"));
  o.range_min = range_min;
  o.range_max = range_max;
  o.output = output;
  ScalerFit p = Unwrap(CallWithCtrlC([&](const std::atomic<bool>* cancel) {
    o.cancel = cancel;
    return NormalizeColumns(path, o);
  }));
  nb::dict d;
  if (o.method == ScaleMethod::kMinMax) {
    d["data_min_"] = VectorToNumpy(p.data_min);
    d["data_max_"] = VectorToNumpy(p.data_max);
    d["min_"] = VectorToNumpy(p.min_offset);
  } else {
    d["mean_"] = VectorToNumpy(p.mean);
    d["var_"] = VectorToNumpy(p.var);
  }
  d["scale_"] = VectorToNumpy(p.scale);
  return d;
}

using Matrix = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

// A new (rows x cols) float64 NumPy array that owns its memory.
nb::object NewMatrix(int64_t rows, int64_t cols, double** data) {
  auto* owner = new Buffer();
  owner->Resize(size_t(std::max<int64_t>(rows * cols, 1)) * sizeof(double));
  *data = owner->as<double>();
  nb::capsule capsule(owner, [](void* p) noexcept { delete static_cast<Buffer*>(p); });
  size_t shape[2] = {size_t(rows), size_t(cols)};
  return nb::cast(nb::ndarray<nb::numpy, double, nb::ndim<2>>(owner->data(), 2, shape, capsule));
}

nb::object VectorToNumpy(const std::vector<double>& values) {
  Buffer buffer;
  buffer.Append(values.data(), values.size() * sizeof(double));
  return BufferToNumpy<double>(std::move(buffer), values.size());
}

// What both PCA bindings do with a fitted model: project a Dataset's rows
// (gathered in one buffer that becomes the NumPy array) or a matrix, and
// map projected rows back.
template <typename Model>
nb::object ProjectDataset(const Model& model, std::shared_ptr<Dataset> dataset,
                          std::vector<std::string> columns, std::optional<std::string> where,
                          const std::string& nulls) {
  const RowSelection rows = SelectionOf(where, nulls);
  Buffer out;
  int64_t count = 0;
  const int64_t k = model.n_components();
  RaiseIfError(CallWithCtrlC([&](const std::atomic<bool>* cancel) {
    return TransformDatasetRows(dataset, columns, model, rows, nullptr,
                                [&](const double* values, int64_t n) -> Status {
                                  if (cancel && *cancel) return Status::Cancelled("interrupted");
                                  out.Append(values, size_t(n * k) * sizeof(double));
                                  count += n;
                                  return Status::OK();
                                });
  }));
  auto* owner = new Buffer(std::move(out));
  if (owner->capacity() == 0) owner->Reserve(64);
  nb::capsule capsule(owner, [](void* p) noexcept { delete static_cast<Buffer*>(p); });
  size_t shape[2] = {size_t(count), size_t(k)};
  return nb::cast(nb::ndarray<nb::numpy, double, nb::ndim<2>>(owner->data(), 2, shape, capsule));
}

template <typename Model>
nb::object ProjectMatrix(const Model& model, Matrix x) {
  double* out = nullptr;
  nb::object result = NewMatrix(int64_t(x.shape(0)), model.n_components(), &out);
  Status status;
  {
    nb::gil_scoped_release release;
    status = model.Transform(x.data(), int64_t(x.shape(0)), int64_t(x.shape(1)), out);
  }
  RaiseIfError(status);
  return result;
}

template <typename Model>
nb::object UnprojectMatrix(const Model& model, Matrix y) {
  if (int64_t(y.shape(1)) != model.n_components()) {
    Raise(Status::InvalidArgument("X has " + std::to_string(y.shape(1)) +
                                  " columns, expected n_components=" + std::to_string(model.n_components())));
  }
  double* out = nullptr;
  nb::object result = NewMatrix(int64_t(y.shape(0)), model.n_features(), &out);
  RaiseIfError(model.InverseTransform(y.data(), int64_t(y.shape(0)), out));
  return result;
}

// The fitted attributes both PCAs share, under sklearn's names.
template <typename Model>
void PutFittedAttributes(const Model& model, nb::dict* d) {
  const int64_t k = model.n_components(), f = model.n_features();
  double* data = nullptr;
  nb::object components = NewMatrix(k, f, &data);
  std::copy(model.components().begin(), model.components().end(), data);
  (*d)["components_"] = components;
  (*d)["n_components_"] = k;
  (*d)["n_features_in_"] = f;
  (*d)["singular_values_"] = VectorToNumpy(model.singular_values());
  (*d)["mean_"] = VectorToNumpy(model.mean());
  (*d)["explained_variance_"] = VectorToNumpy(model.explained_variance());
  (*d)["explained_variance_ratio_"] = VectorToNumpy(model.explained_variance_ratio());
  (*d)["noise_variance_"] = model.noise_variance();
}

// A Status-returning call on a NumPy matrix, with the GIL released.
template <typename Call>
void WithoutGil(Call call) {
  Status status;
  {
    nb::gil_scoped_release release;
    status = call();
  }
  RaiseIfError(status);
}

using Vector = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

// What both PCA bindings share: fitting from a matrix or a Dataset and
// projecting to and from component space.
template <typename Model>
class PyPcaBase {
 public:
  template <typename Options>
  explicit PyPcaBase(Options options) : pca_(options) {}

  void Fit(Matrix x) {
    WithoutGil([&] { return pca_.Fit(x.data(), int64_t(x.shape(0)), int64_t(x.shape(1))); });
  }
  void FitDataset(std::shared_ptr<Dataset> dataset, std::vector<std::string> columns, uint64_t memory_limit,
                  std::optional<std::string> where, const std::string& nulls) {
    const RowSelection rows = SelectionOf(where, nulls);
    MemoryBudget budget(memory_limit ? memory_limit : DefaultMemoryLimit());
    RaiseIfError(CallWithCtrlC([&](const std::atomic<bool>* cancel) {
      return FitPcaOnDataset(dataset, columns, &pca_, &budget, rows, cancel);
    }));
  }
  nb::object TransformDataset(std::shared_ptr<Dataset> dataset, std::vector<std::string> columns,
                              std::optional<std::string> where, const std::string& nulls) {
    return ProjectDataset(pca_, std::move(dataset), std::move(columns), where, nulls);
  }
  nb::object Transform(Matrix x) { return ProjectMatrix(pca_, x); }
  nb::object InverseTransform(Matrix y) { return UnprojectMatrix(pca_, y); }

 protected:
  Model pca_;
};

// The C++ model behind outcore.PCA (the exact one); the Python class adds the
// estimator protocol and input conversion. Its state is PcaMoments:
// (n_samples, mean, comoment) in Python.
class PyPca : public PyPcaBase<PcaModel> {
 public:
  PyPca(int64_t n_components, bool whiten, const std::string& second_pass)
      : PyPcaBase(PcaOptions{
            .n_components = n_components, .whiten = whiten, .second_pass = SecondPassOf(second_pass)}) {}

  void Update(Matrix x) {
    WithoutGil([&] { return pca_.Update(x.data(), int64_t(x.shape(0)), int64_t(x.shape(1))); });
  }
  void Finish() { RaiseIfError(pca_.Finish()); }
  bool WantsSecondPass() const { return pca_.wants_second_pass(); }
  void BeginSecondPass() { RaiseIfError(pca_.BeginSecondPass()); }
  // The second pass's state (basis, n, mean, co-moments of the rotated
  // rows), or None when the fit took one pass.
  nb::object Refinement() const {
    if (!pca_.refined()) return nb::none();
    PcaRefinement r = pca_.refinement();
    const auto f = int64_t(r.rotated.mean.size());
    double* basis = nullptr;
    nb::object basis_array = NewMatrix(f, f, &basis);
    std::copy(r.basis.begin(), r.basis.end(), basis);
    double* comoment = nullptr;
    nb::object comoment_array = NewMatrix(f, f, &comoment);
    std::copy(r.rotated.comoment.begin(), r.rotated.comoment.end(), comoment);
    return nb::make_tuple(basis_array, r.rotated.n_samples, VectorToNumpy(r.rotated.mean), comoment_array);
  }
  void RestoreRefinement(Matrix basis, int64_t n_samples, Vector mean, Matrix comoment) {
    PcaRefinement r;
    r.basis.assign(basis.data(), basis.data() + basis.shape(0) * basis.shape(1));
    r.rotated = MomentsOf(n_samples, mean, comoment);
    RaiseIfError(pca_.RestoreRefinement(r));
  }
  void Merge(int64_t n_samples, Vector mean, Matrix comoment) {
    RaiseIfError(pca_.Merge(MomentsOf(n_samples, mean, comoment)));
  }
  void Restore(int64_t n_samples, Vector mean, Matrix comoment) {
    RaiseIfError(pca_.Restore(MomentsOf(n_samples, mean, comoment)));
  }
  nb::tuple Moments() const {
    PcaMoments m = pca_.moments();
    const auto f = int64_t(m.mean.size());
    double* data = nullptr;
    nb::object comoment = NewMatrix(f, f, &data);
    std::copy(m.comoment.begin(), m.comoment.end(), data);
    return nb::make_tuple(m.n_samples, VectorToNumpy(m.mean), comoment);
  }
  nb::dict State() const {
    nb::dict d;
    if (!pca_.fitted()) return d;
    PutFittedAttributes(pca_, &d);
    d["n_samples_"] = pca_.n_samples();
    d["n_passes_"] = pca_.refined() ? 2 : 1;
    return d;
  }

 private:
  static PcaSecondPass SecondPassOf(const std::string& text) {
    if (text == "auto") return PcaSecondPass::kAuto;
    if (text == "always") return PcaSecondPass::kAlways;
    if (text == "never") return PcaSecondPass::kNever;
    Raise(Status::InvalidArgument("second_pass must be 'auto', 'always' or 'never', not '" + text + "'"));
  }
  static PcaMoments MomentsOf(int64_t n_samples, Vector mean, Matrix comoment) {
    PcaMoments m;
    m.n_samples = n_samples;
    m.mean.assign(mean.data(), mean.data() + mean.shape(0));
    m.comoment.assign(comoment.data(), comoment.data() + comoment.shape(0) * comoment.shape(1));
    return m;
  }
};

// The C++ model behind outcore.IncrementalPCA; the Python class adds the
// estimator protocol and input conversion.
class PyIncrementalPca : public PyPcaBase<IncrementalPcaModel> {
 public:
  PyIncrementalPca(int64_t n_components, bool whiten, int64_t batch_size)
      : PyPcaBase(IncrementalPcaOptions{
            .n_components = n_components, .whiten = whiten, .batch_size = batch_size}) {}

  void PartialFit(Matrix x) {
    WithoutGil([&] { return pca_.PartialFit(x.data(), int64_t(x.shape(0)), int64_t(x.shape(1))); });
  }
  // Makes the model the fitted one State() described (unpickling).
  void Restore(int64_t n_components, int64_t n_features, int64_t n_samples_seen,
               std::vector<double> components, std::vector<double> singular_values, std::vector<double> mean,
               std::vector<double> var, std::vector<double> explained_variance,
               std::vector<double> explained_variance_ratio, double noise_variance) {
    RaiseIfError(pca_.Restore(n_components, n_features, n_samples_seen, std::move(components),
                              std::move(singular_values), std::move(mean), std::move(var),
                              std::move(explained_variance), std::move(explained_variance_ratio),
                              noise_variance));
  }
  nb::dict State() const {
    nb::dict d;
    if (!pca_.fitted()) return d;
    PutFittedAttributes(pca_, &d);
    d["n_samples_seen_"] = pca_.n_samples_seen();
    d["var_"] = VectorToNumpy(pca_.var());
    return d;
  }
  int64_t EffectiveBatchSize(int64_t cols) const { return pca_.EffectiveBatchSize(cols); }
};

}  // namespace

void BindTransform(nb::module_& m) {
  m.def("hash_features", &HashFeatures, "raw_X"_a, "n_features"_a, "alternate_sign"_a, "input_type"_a);
  m.def(
      "murmurhash3_32",
      [](nb::bytes key, uint32_t seed) {
        return int32_t(MurmurHash3(std::string_view(key.c_str(), key.size()), seed));
      },
      "key"_a, "seed"_a = 0);

  m.def("onehot_categories", &OneHotFit, "dataset"_a, "columns"_a, "where"_a = nb::none(),
        "nulls"_a = "keep");
  m.def("onehot_encode", &OneHotEncodeDataset, "dataset"_a, "columns"_a, "categories"_a, "ignore_unknown"_a,
        "where"_a = nb::none(), "nulls"_a = "keep");
  m.def("onehot_codes", &OneHotCodes, "codes"_a, "n_categories"_a);
  m.def("scale_inplace", &ScaleInPlace<double>, "X"_a, "method"_a, "range_min"_a, "range_max"_a);
  m.def("scale_inplace", &ScaleInPlace<float>, "X"_a, "method"_a, "range_min"_a, "range_max"_a);
  m.def("normalize_file", &NormalizeFile, "path"_a, "columns"_a, "method"_a, "range_min"_a, "range_max"_a,
        "output"_a = "", "where"_a = nb::none(), "nulls"_a = "keep");
  m.def("column_stats", &ColumnStatsList, "dataset"_a, "columns"_a, "where"_a = nb::none(),
        "nulls"_a = "keep");
  m.def("summarize_values", &SummarizeBinding, "name"_a, "type"_a, "values"_a.none(), "valid"_a);
  m.def("merge_summaries", &MergeBinding, "a"_a, "b"_a);
  m.def("hash_dataset", &HashDataset, "dataset"_a, "columns"_a, "tokens"_a, "n_features"_a,
        "alternate_sign"_a, "where"_a = nb::none(), "nulls"_a = "keep");

  nb::class_<PyPca>(m, "PCA")
      .def(nb::init<int64_t, bool, const std::string&>(), "n_components"_a, "whiten"_a,
           "second_pass"_a = "auto")
      .def("fit", &PyPca::Fit, "X"_a)
      .def("update", &PyPca::Update, "X"_a)
      .def("finish", &PyPca::Finish)
      .def("wants_second_pass", &PyPca::WantsSecondPass)
      .def("begin_second_pass", &PyPca::BeginSecondPass)
      .def("refinement", &PyPca::Refinement)
      .def("restore_refinement", &PyPca::RestoreRefinement, "basis"_a, "n_samples"_a, "mean"_a, "comoment"_a)
      .def("merge", &PyPca::Merge, "n_samples"_a, "mean"_a, "comoment"_a)
      .def("restore", &PyPca::Restore, "n_samples"_a, "mean"_a, "comoment"_a)
      .def("moments", &PyPca::Moments)
      .def("fit_dataset", &PyPca::FitDataset, "dataset"_a, "columns"_a, "memory_limit"_a = 0,
           "where"_a = nb::none(), "nulls"_a = "fail")
      .def("transform_dataset", &PyPca::TransformDataset, "dataset"_a, "columns"_a, "where"_a = nb::none(),
           "nulls"_a = "fail")
      .def("transform", &PyPca::Transform, "X"_a)
      .def("inverse_transform", &PyPca::InverseTransform, "X"_a)
      .def("state", &PyPca::State);

  nb::class_<PyIncrementalPca>(m, "IncrementalPCA")
      .def(nb::init<int64_t, bool, int64_t>(), "n_components"_a, "whiten"_a, "batch_size"_a)
      .def("partial_fit", &PyIncrementalPca::PartialFit, "X"_a)
      .def("fit", &PyIncrementalPca::Fit, "X"_a)
      .def("fit_dataset", &PyIncrementalPca::FitDataset, "dataset"_a, "columns"_a, "memory_limit"_a = 0,
           "where"_a = nb::none(), "nulls"_a = "fail")
      .def("transform_dataset", &PyIncrementalPca::TransformDataset, "dataset"_a, "columns"_a,
           "where"_a = nb::none(), "nulls"_a = "fail")
      .def("restore", &PyIncrementalPca::Restore, "n_components"_a, "n_features"_a, "n_samples_seen"_a,
           "components"_a, "singular_values"_a, "mean"_a, "var"_a, "explained_variance"_a,
           "explained_variance_ratio"_a, "noise_variance"_a)
      .def("transform", &PyIncrementalPca::Transform, "X"_a)
      .def("inverse_transform", &PyIncrementalPca::InverseTransform, "X"_a)
      .def("state", &PyIncrementalPca::State)
      .def("batch_size_for", &PyIncrementalPca::EffectiveBatchSize, "n_features"_a);
}

}  // namespace outcore
