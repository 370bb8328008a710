// Bindings of outcore/export.h for python/outcore/_frames.py: filling NumPy
// arrays the caller allocated (Dataset.to_numpy, to_pandas), the dtype plan
// of a DataFrame, and the profiles of in-memory columns (oc.compact). Binds
// only. Arrays come in through NumPy's __array_interface__ (any 1-D strided
// view: a column of a C- or F-ordered array, a memmap, an object array), so
// the engine writes into them directly; the fill runs without the GIL and
// takes it back only to make Python objects (object columns).
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cmath>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "interrupt.h"
#include "outcore/dataset.h"
#include "outcore/export.h"
#include "status_error.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace outcore {
namespace {

// A 1-D NumPy array as its __array_interface__ describes it.
struct ArrayView {
  uint8_t* data = nullptr;
  int64_t length = 0;
  int64_t stride = 0;  // bytes
  std::string typestr;
  bool readonly = false;
};

PyObject* NewRef(PyObject* object) {
  Py_INCREF(object);
  return object;
}

[[noreturn]] void RaiseValue(const std::string& message) { Raise(Status::InvalidArgument(message)); }

int64_t ItemBytes(const std::string& typestr) {
  if (typestr == "|O") return int64_t(sizeof(PyObject*));
  const size_t digits = typestr.find_first_of("0123456789");
  return digits == std::string::npos ? 0 : std::stoll(typestr.substr(digits));
}

ArrayView ViewOf(nb::handle array, const std::string& what) {
  if (!nb::hasattr(array, "__array_interface__")) RaiseValue(what + " is not a NumPy array");
  nb::dict interface = nb::cast<nb::dict>(array.attr("__array_interface__"));
  ArrayView view;
  nb::tuple data = nb::cast<nb::tuple>(interface["data"]);
  view.data = reinterpret_cast<uint8_t*>(nb::cast<uintptr_t>(data[0]));
  view.readonly = nb::cast<bool>(data[1]);
  nb::tuple shape = nb::cast<nb::tuple>(interface["shape"]);
  if (shape.size() != 1) RaiseValue(what + " must be one-dimensional");
  view.length = nb::cast<int64_t>(shape[0]);
  view.typestr = nb::cast<std::string>(interface["typestr"]);
  nb::object strides = interface.contains("strides") ? nb::object(interface["strides"]) : nb::none();
  view.stride =
      strides.is_none() ? ItemBytes(view.typestr) : nb::cast<int64_t>(nb::cast<nb::tuple>(strides)[0]);
  return view;
}

NullPolicy ParseNulls(const std::string& text) {
  if (text == "default") return NullPolicy::kDefault;
  if (text == "fail") return NullPolicy::kFail;
  if (text == "mask") return NullPolicy::kMask;
  RaiseValue("nulls must be default, fail or mask, not '" + text + "'");
}

// Fills Python objects into an object array: True/False/None for bool, str for
// text (a dictionary column's rows share its categories' str objects).
std::function<Status(const ColumnVector&, int64_t)> ObjectFiller(const ArrayView& view, nb::object categories,
                                                                 const std::string& column) {
  uint8_t* base = view.data;
  const int64_t stride = view.stride;
  return [base, stride, categories, column](const ColumnVector& values, int64_t out_row) -> Status {
    nb::gil_scoped_acquire gil;
    const Py_ssize_t known = categories.is_none() ? 0 : PyList_GET_SIZE(categories.ptr());
    for (int64_t row = 0; row < values.length; ++row) {
      PyObject* object = nullptr;
      if (!values.IsValid(row)) {
        object = NewRef(Py_None);
      } else if (values.type == TypeId::kBool) {
        object = NewRef(values.GetBool(row) ? Py_True : Py_False);
      } else if (values.type != TypeId::kString) {
        return Status::InvalidArgument("column '" + column + "' cannot be filled as Python objects");
      } else if (values.is_dictionary() && values.dictionary->size == known) {
        object = NewRef(PyList_GET_ITEM(categories.ptr(), values.values.as<int32_t>()[row]));
      } else {
        std::string_view text = values.GetString(row);
        object = PyUnicode_DecodeUTF8(text.data(), Py_ssize_t(text.size()), "strict");
        if (!object) {
          PyErr_Clear();
          return Status::Corruption("column '" + column + "' holds text that is not UTF-8");
        }
      }
      auto** slot = reinterpret_cast<PyObject**>(base + (out_row + row) * stride);
      PyObject* old = *slot;
      *slot = object;
      Py_XDECREF(old);
    }
    return Status::OK();
  };
}

// targets: [(column, element, values, mask or None, nulls, codes, categories or None)]
int64_t FillBinding(std::shared_ptr<Dataset> dataset, nb::list targets, int64_t capacity,
                    std::optional<std::string> where, uint64_t memory_limit,
                    std::optional<std::pair<int64_t, int64_t>> chunks) {
  std::vector<ColumnTarget> fill;
  for (nb::handle item : targets) {
    nb::tuple t = nb::cast<nb::tuple>(item);
    ColumnTarget target;
    target.column = nb::cast<std::string>(t[0]);
    const std::string element = nb::cast<std::string>(t[1]);
    const std::string what = "the array for column '" + target.column + "'";
    ArrayView values = ViewOf(t[2], what);
    if (values.readonly) RaiseValue(what + " is read-only (open a memmap with mode 'w+' or 'r+')");
    if (values.length < capacity) {
      RaiseValue(what + " holds " + std::to_string(values.length) + " rows, not the " +
                 std::to_string(capacity) + " needed");
    }
    if (element == "object") {
      if (values.typestr != "|O") RaiseValue(what + " must be an object array");
      target.custom = ObjectFiller(values, nb::borrow(t[6]), target.column);
    } else {
      target.type = Unwrap(ParseElementType(element, "dtype"));
      const std::string descr(NumpyDescr(target.type));
      if (values.typestr != descr) {
        RaiseValue(what + " has dtype '" + values.typestr + "', not " +
                   std::string(ElementName(target.type)) + " ('" + descr + "')");
      }
      target.data = values.data;
      target.stride = values.stride;
    }
    target.nulls = ParseNulls(nb::cast<std::string>(t[4]));
    if (!t[3].is_none()) {
      ArrayView mask = ViewOf(t[3], "the mask of column '" + target.column + "'");
      if (mask.typestr != "|b1" || mask.stride != 1 || mask.readonly || mask.length < capacity) {
        RaiseValue("the mask of column '" + target.column + "' must be a writable, contiguous bool array");
      }
      target.mask = mask.data;
    }
    target.codes = nb::cast<bool>(t[5]);
    fill.push_back(std::move(target));
  }
  FillOptions options;
  if (where) {
    RaiseIfError(CheckWhere(*where, "where"));
    options.where = *where;
  }
  options.memory_limit = memory_limit;
  if (chunks) options.chunks = {chunks->first, chunks->second};
  return Unwrap(CallWithCtrlC([&](const std::atomic<bool>* cancel) {
    options.cancel = cancel;
    return FillColumns(dataset, fill, capacity, options);
  }));
}

const char* KindName(FrameKind kind) {
  switch (kind) {
    case FrameKind::kValues:
      return "values";
    case FrameKind::kMasked:
      return "masked";
    case FrameKind::kCategorical:
      return "categorical";
    case FrameKind::kObject:
      return "object";
  }
  return "?";
}

nb::list PlanBinding(std::shared_ptr<Dataset> dataset, std::optional<std::vector<std::string>> columns,
                     const std::string& dtypes, int64_t rows) {
  const FrameDtypes which = Unwrap(ParseFrameDtypes(dtypes, "dtypes"));
  auto plans = Unwrap(PlanFrame(*dataset, columns ? *columns : std::vector<std::string>{}, which, rows));
  nb::list out;
  for (const FrameColumnPlan& plan : plans) {
    nb::dict d;
    d["column"] = plan.column;
    d["source"] = std::string(TypeName(plan.source));
    d["kind"] = KindName(plan.kind);
    d["element"] = std::string(ElementName(plan.values));
    d["nulls"] = plan.nulls == NullPolicy::kMask ? "mask" : "default";
    d["dtype"] = plan.dtype;
    d["bytes"] = plan.bytes;
    out.append(d);
  }
  return out;
}

nb::dict ProfileDict(const ValueProfile& p) {
  nb::dict d;
  d["count"] = p.count;
  d["nans"] = p.nans;
  d["has_range"] = p.has_range;
  d["min"] = p.min;
  d["max"] = p.max;
  d["fits_int64"] = p.fits_int64;
  d["integral"] = p.integral;
  d["float32_exact"] = p.float32_exact;
  return d;
}

// Integers and floats: one pass in C++ without the GIL.
nb::dict ProfileNumbers(nb::handle array) {
  ArrayView view = ViewOf(array, "the column");
  const char kind = view.typestr.size() > 1 ? view.typestr[1] : '?';
  const auto item = int(ItemBytes(view.typestr));
  if (view.typestr[0] == '>') RaiseValue("big-endian arrays are not profiled");
  ValueProfile p;
  {
    nb::gil_scoped_release release;
    if (kind == 'f' && (item == 4 || item == 8)) {
      p = ProfileFloats(view.data, view.length, view.stride, item);
    } else if ((kind == 'i' || kind == 'u') && (item == 1 || item == 2 || item == 4 || item == 8)) {
      p = ProfileInts(view.data, view.length, view.stride, item, kind == 'i');
    } else {
      p.count = -1;
    }
  }
  if (p.count < 0) RaiseValue("cannot profile an array of dtype '" + view.typestr + "'");
  return ProfileDict(p);
}

// An object column: how many str, None, NaN and other values, and the str
// values' distinct count while it stays at most `cap` (-1 past it).
nb::dict ProfileObjects(nb::handle array, int64_t cap) {
  ArrayView view = ViewOf(array, "the column");
  if (view.typestr != "|O") RaiseValue("not an object array");
  int64_t strings = 0, nones = 0, nans = 0, others = 0;
  std::unordered_set<std::string_view> distinct;
  bool over = false;
  for (int64_t row = 0; row < view.length; ++row) {
    PyObject* object = *reinterpret_cast<PyObject**>(view.data + row * view.stride);
    if (PyUnicode_CheckExact(object)) {
      ++strings;
      if (over) continue;
      Py_ssize_t size = 0;
      const char* utf8 = PyUnicode_AsUTF8AndSize(object, &size);
      if (!utf8) {  // a lone surrogate: not text a category can hold exactly
        PyErr_Clear();
        ++others;
        continue;
      }
      distinct.emplace(utf8, size_t(size));  // the str objects outlive the set
      over = int64_t(distinct.size()) > cap;
    } else if (object == Py_None) {
      ++nones;
    } else if (PyFloat_CheckExact(object) && std::isnan(PyFloat_AS_DOUBLE(object))) {
      ++nans;
    } else {
      ++others;
    }
  }
  nb::dict d;
  d["count"] = view.length;
  d["strings"] = strings;
  d["nones"] = nones;
  d["nans"] = nans;
  d["others"] = others;
  d["distinct"] = over ? int64_t(-1) : int64_t(distinct.size());
  return d;
}

}  // namespace

void BindFrames(nb::module_& m) {
  m.def("fill_columns", &FillBinding, "dataset"_a, "targets"_a, "capacity"_a, "where"_a = nb::none(),
        "memory_limit"_a = 0, "chunks"_a = nb::none());
  m.def("plan_frame", &PlanBinding, "dataset"_a, "columns"_a = nb::none(), "dtypes"_a = "compact",
        "rows"_a = 0);
  m.def("default_array_dtype", [](std::shared_ptr<Dataset> dataset, std::vector<std::string> columns) {
    return std::string(ElementName(Unwrap(DefaultArrayElement(*dataset, columns))));
  });
  m.def("profile_numbers", &ProfileNumbers, "array"_a);
  m.def("profile_objects", &ProfileObjects, "array"_a, "cap"_a = 65536);
}

}  // namespace outcore
