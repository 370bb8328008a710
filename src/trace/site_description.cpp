// Attribution of an allocation stack to a call site; see site_description.h.
#include "trace/site_description.h"

#include <fmt/format.h>

#include <utility>

namespace outcore::trace {

namespace {

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Allocator plumbing and the C/C++ runtimes: the memory was asked for by
// whoever called into them, so they are skipped when choosing a site.
bool IsRuntimeModule(const std::string& module) {
  std::string base = BaseName(module);
  for (const char* prefix : {"libc.so", "libc-", "libstdc++", "libgcc_s", "ld-linux", "libouttrace",
                             "liboutcore_trace", "libm.so", "libpthread"}) {
    if (base.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

bool IsSystemHeader(const std::string& file) {
  return file.rfind("/usr/include/", 0) == 0 || file.rfind("/usr/lib/gcc/", 0) == 0 ||
         file.find("/bits/") != std::string::npos || file.find("/c++/") != std::string::npos;
}

// Library code of the interpreter: the line in the user's program is the one
// that matters (np.ones -> numeric.py is not where the array was created).
bool IsPythonLibrary(const std::string& file) {
  return file.empty() || file[0] == '<' || file.find("/site-packages/") != std::string::npos ||
         file.find("/dist-packages/") != std::string::npos || file.find("/lib/python3") != std::string::npos;
}

std::string Shorten(const std::string& path, const std::string& cwd) {
  if (!cwd.empty() && path.size() > cwd.size() + 1 && path.compare(0, cwd.size(), cwd) == 0 &&
      path[cwd.size()] == '/') {
    return path.substr(cwd.size() + 1);
  }
  return path;
}

std::string FrameText(const SourceFrame& frame, const std::string& cwd) {
  std::string text = frame.function.empty() ? fmt::format("{:#x}", frame.address) : frame.function;
  if (!frame.file.empty()) text += fmt::format(" {}:{}", Shorten(frame.file, cwd), frame.line);
  return text;
}

}  // namespace

SiteDescription DescribeSite(const SiteStack& stack, const std::vector<LoadedModule>& modules,
                             Symbolizer& symbolizer, const std::string& cwd) {
  SiteDescription d;
  if (!stack.python.empty()) {
    const PySourceFrame* chosen = nullptr;
    for (const auto& frame : stack.python) {
      d.stack.push_back(fmt::format("{} {}:{}", frame.function, Shorten(frame.file, cwd), frame.line));
      if (!chosen && !IsPythonLibrary(frame.file)) chosen = &frame;
    }
    if (!chosen) chosen = &stack.python.front();
    d.location = fmt::format("{}:{}", Shorten(chosen->file, cwd), chosen->line);
    d.function = chosen->function;
    return d;
  }
  std::vector<SourceFrame> frames;
  for (uint64_t address : stack.native) {
    for (auto& frame : symbolizer.Lookup(modules, address)) frames.push_back(std::move(frame));
  }
  const SourceFrame* chosen = nullptr;
  const SourceFrame* first_outside_runtime = nullptr;
  for (const auto& frame : frames) {
    d.stack.push_back(FrameText(frame, cwd));
    if (IsRuntimeModule(frame.module)) continue;
    if (!first_outside_runtime) first_outside_runtime = &frame;
    if (!chosen && !frame.file.empty() && !IsSystemHeader(frame.file)) chosen = &frame;
  }
  if (!chosen) chosen = first_outside_runtime;
  if (!chosen && !frames.empty()) chosen = &frames.front();
  if (!chosen) {
    d.location = "(unknown)";
    return d;
  }
  // Without line information the object is the honest location; the function
  // is only the nearest exported symbol then.
  if (!chosen->file.empty())
    d.location = fmt::format("{}:{}", Shorten(chosen->file, cwd), chosen->line);
  else
    d.location = chosen->module.empty() ? chosen->function : BaseName(chosen->module);
  d.function = chosen->function;
  return d;
}

}  // namespace outcore::trace
