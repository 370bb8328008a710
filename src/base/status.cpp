#include "outcore/status.h"

namespace outcore {

namespace {
const char* CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kIOError:
      return "I/O error";
    case StatusCode::kCorruption:
      return "corrupt file";
    case StatusCode::kOutOfMemory:
      return "out of memory";
    case StatusCode::kDataError:
      return "data error";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kNotImplemented:
      return "not implemented";
  }
  return "error";
}
}  // namespace

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace outcore
