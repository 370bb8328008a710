// The one place a C++ Status becomes a Python exception (both binding files
// use it), with the Status's message:
//   kIOError -> OSError; kOutOfMemory -> MemoryError (the budget cannot hold
//   what is needed); kCancelled -> KeyboardInterrupt; kNotImplemented ->
//   NotImplementedError; everything else -> ValueError (kInvalidArgument,
//   kCorruption: bad arguments, bad content).
// A file's errors are therefore ValueError (what it holds) or OSError (reading
// it), and their messages name the file and the part. Strings a file holds
// reach Python only after they were checked to be UTF-8 (column names by
// OpenDataset in bindings.cpp; dictionaries when loaded and plain values when
// decoded by the engine, src/scan/dataset.cpp).
#pragma once

#include <nanobind/nanobind.h>

#include <string>
#include <utility>

#include "outcore/status.h"

namespace outcore {

// Text copied from a file or the input (a message, a reject's detail, a
// column name) may hold bytes that are not UTF-8: they come out as \xNN
// escapes instead of failing the decode.
inline nanobind::str LenientStr(const std::string& text) {
  PyObject* str = PyUnicode_DecodeUTF8(text.data(), Py_ssize_t(text.size()), "backslashreplace");
  if (!str) throw nanobind::python_error();
  return nanobind::steal<nanobind::str>(str);
}

[[noreturn]] inline void Raise(const Status& status) {
  PyObject* type = PyExc_ValueError;
  switch (status.code()) {
    case StatusCode::kIOError:
      type = PyExc_OSError;
      break;
    case StatusCode::kOutOfMemory:
      type = PyExc_MemoryError;
      break;
    case StatusCode::kCancelled:
      type = PyExc_KeyboardInterrupt;
      break;
    case StatusCode::kNotImplemented:
      type = PyExc_NotImplementedError;
      break;
    default:
      break;
  }
  // A message may quote bytes from a file that are not UTF-8.
  PyErr_SetObject(type, LenientStr(status.message()).ptr());
  throw nanobind::python_error();
}

inline void RaiseIfError(const Status& status) {
  if (!status.ok()) Raise(status);
}

template <typename T>
T Unwrap(Result<T> result) {
  if (!result.ok()) Raise(result.status());
  return std::move(result).value();
}

}  // namespace outcore
