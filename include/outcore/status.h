// Status and Result<T>: how outcore reports errors that are expected — a bad
// CSV row, a corrupt block, a full disk. A Status carries a code and a message
// that names the file, line or column and says what to do. Assertions are for
// programmer errors only; exceptions appear only at the Python boundary.
//
// Thread-safety: values; safe to copy and move across threads.
//
//   outcore::Result<int> ParseCount(std::string_view text);
//   auto count = ParseCount("12");
//   if (!count.ok()) return count.status();
//   use(*count);
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace outcore {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // the caller asked for something malformed
  kIOError = 2,          // the OS refused (missing file, full disk, ...)
  kCorruption = 3,       // a file's bytes do not match its format
  kOutOfMemory = 4,      // the memory budget cannot hold what is needed
  kDataError = 5,        // input data does not fit the schema (--on-error fail)
  kCancelled = 6,        // interrupted (Ctrl-C)
  kNotImplemented = 7,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status OutOfMemory(std::string m) { return {StatusCode::kOutOfMemory, std::move(m)}; }
  static Status DataError(std::string m) { return {StatusCode::kDataError, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status NotImplemented(std::string m) { return {StatusCode::kNotImplemented, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "corruption: chunk 3 of column 'x' in data.oc: checksum mismatch"
  std::string ToString() const;
  // The same status with `context` put in front of the message.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(state_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace outcore

// Return early from the enclosing function when `expr` yields a non-OK Status.
#define OC_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::outcore::Status oc_status_ = (expr);   \
    if (!oc_status_.ok()) return oc_status_; \
  } while (0)

#define OC_CONCAT_INNER(a, b) a##b
#define OC_CONCAT(a, b) OC_CONCAT_INNER(a, b)
// OC_ASSIGN_OR_RETURN(auto x, MakeX()); — binds the value or returns the Status.
#define OC_ASSIGN_OR_RETURN(lhs, expr) OC_ASSIGN_OR_RETURN_IMPL(OC_CONCAT(oc_result_, __LINE__), lhs, expr)
#define OC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
