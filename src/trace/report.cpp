// Writing a rendered report; see report.h.
#include "trace/report.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace outcore::trace {

Status WriteTextFile(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return Status::OK();
  }
  FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  ok = std::fclose(file) == 0 && ok;
  if (!ok) return Status::IOError("cannot write " + path + ": " + std::strerror(errno) + " (disk full?)");
  return Status::OK();
}

}  // namespace outcore::trace
