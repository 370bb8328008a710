// Bindings of the transform layer (src/transform/): see python/outcore/transform.py,
// which holds the estimator classes. Binds only: C++ Status errors become
// ValueError/OSError/MemoryError here; results go to NumPy without a copy
// (each array owns its Buffer through a capsule).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/string.h>

#include <string>

#include "transform/feature_hasher.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace outcore {
namespace {

[[noreturn]] void RaiseStatus(const Status& status) {
  PyObject* type = PyExc_ValueError;
  if (status.code() == StatusCode::kIOError) type = PyExc_OSError;
  if (status.code() == StatusCode::kOutOfMemory) type = PyExc_MemoryError;
  PyErr_SetString(type, status.message().c_str());
  throw nb::python_error();
}

template <typename T>
T Check(Result<T> result) {
  if (!result.ok()) RaiseStatus(result.status());
  return std::move(result).value();
}

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
bool FeatureBytes(PyObject* object, std::string_view* out) {
  if (PyUnicode_Check(object)) {
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

[[noreturn]] void RaiseType(const char* message) {
  PyErr_SetString(PyExc_TypeError, message);
  throw nb::python_error();
}

enum class InputType { kString, kDict, kPair, kChar };

// One (name, value) feature of a dict/pair sample, as sklearn reads it: a
// string value v makes the feature "name=v" with value 1.
void AddNamedValue(const transform::FeatureHasher& hasher, PyObject* name, PyObject* value, std::string* scratch,
                   transform::CsrBuilder* csr) {
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
    hasher.AddPair(name_bytes, value_bytes, scratch, csr);
    return;
  }
  double number = PyFloat_AsDouble(value);
  if (number == -1.0 && PyErr_Occurred()) throw nb::python_error();
  if (number == 0) return;
  if (!FeatureBytes(name, &name_bytes)) RaiseType("feature names must be strings");
  hasher.Add(name_bytes, number, csr);
}

void HashSample(const transform::FeatureHasher& hasher, InputType input, PyObject* sample, std::string* scratch,
                transform::CsrBuilder* csr) {
  std::string_view bytes;
  if (input == InputType::kChar) {
    if (!PyUnicode_Check(sample) && !PyBytes_Check(sample)) RaiseType("input_type='char' takes strings, one per sample");
    FeatureBytes(sample, &bytes);
    hasher.AddCharacters(bytes, csr);
    return;
  }
  if (input == InputType::kDict && PyDict_Check(sample)) {
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(sample, &pos, &key, &value)) AddNamedValue(hasher, key, value, scratch, csr);
    return;
  }
  if (input == InputType::kString && PyUnicode_Check(sample)) {
    PyErr_SetString(PyExc_ValueError,
                    "Samples can not be a single string. The input must be an iterable over iterables of strings "
                    "(or use input_type='char' to hash each string's characters).");
    throw nb::python_error();
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
      hasher.Add(bytes, 1.0, csr);
    } else {
      if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
        nb::tuple pair = nb::tuple(nb::handle(item));
        if (pair.size() != 2) RaiseType("each feature must be a (name, value) pair");
        AddNamedValue(hasher, pair[0].ptr(), pair[1].ptr(), scratch, csr);
      } else {
        AddNamedValue(hasher, PyTuple_GET_ITEM(item, 0), PyTuple_GET_ITEM(item, 1), scratch, csr);
      }
    }
  }
  if (PyErr_Occurred()) throw nb::python_error();
}

// (data, indices, indptr, n_samples) of the hashed samples.
nb::tuple HashFeatures(nb::handle raw_x, int64_t n_features, bool alternate_sign, const std::string& input_type) {
  InputType input;
  if (input_type == "string") input = InputType::kString;
  else if (input_type == "dict") input = InputType::kDict;
  else if (input_type == "pair") input = InputType::kPair;
  else if (input_type == "char") input = InputType::kChar;
  else RaiseStatus(Status::InvalidArgument("input_type must be 'dict', 'pair', 'string' or 'char', not '" + input_type + "'"));
  auto hasher = Check(transform::FeatureHasher::Make({.n_features = n_features, .alternate_sign = alternate_sign}));
  transform::CsrBuilder csr;
  std::string scratch;
  PyObject* iterator = PyObject_GetIter(raw_x.ptr());
  if (!iterator) throw nb::python_error();
  nb::object guard = nb::steal(iterator);
  while (PyObject* sample = PyIter_Next(iterator)) {
    nb::object sample_guard = nb::steal(sample);
    HashSample(hasher, input, sample, &scratch, &csr);
    csr.FinishRow();
  }
  if (PyErr_Occurred()) throw nb::python_error();
  if (csr.nnz() > INT32_MAX) RaiseStatus(Status::InvalidArgument("more than 2^31 - 1 hashed entries: hash in smaller batches"));
  size_t nnz = size_t(csr.nnz()), rows = size_t(csr.rows());
  return nb::make_tuple(BufferToNumpy<double>(csr.ReleaseData(), nnz), BufferToNumpy<int32_t>(csr.ReleaseIndices(), nnz),
                        BufferToNumpy<int64_t>(csr.ReleaseIndptr(), rows + 1), rows);
}

}  // namespace

void BindTransform(nb::module_& m) {
  m.def("hash_features", &HashFeatures, "raw_X"_a, "n_features"_a, "alternate_sign"_a, "input_type"_a);
  m.def("murmurhash3_32", [](nb::bytes key, uint32_t seed) {
    return int32_t(transform::MurmurHash3X86_32(key.c_str(), key.size(), seed));
  }, "key"_a, "seed"_a = 0);
}

}  // namespace outcore
