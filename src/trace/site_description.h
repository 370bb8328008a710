// Where a recorded allocation stack is attributed: the frame that asked for
// the memory, past the allocator, the C/C++ runtimes, system headers and the
// interpreter's own library code, and the whole stack as text. The rules that
// make `outcore trace` name the user's line and not numpy's or libstdc++'s
// live here, and only here.
//
// Thread-safety: pure functions, but the Symbolizer is one thread's.
//
//   SiteDescription d = DescribeSite(process.sites.at(id), process.modules, symbolizer, cwd);
//   print(d.location, d.function);  // "job.py:12", "main"
#pragma once

#include <string>
#include <vector>

#include "trace/symbolizer.h"
#include "trace/trace_reader.h"

namespace outcore::trace {

struct SiteDescription {
  std::string location;  // "file:line", an object's name, or "(unknown)"
  std::string function;
  std::vector<std::string> stack;  // "function file:line", innermost first
};

// A Python stack wins over the native one when both were recorded. Paths
// below `cwd` are shown relative to it.
SiteDescription DescribeSite(const SiteStack& stack, const std::vector<LoadedModule>& modules,
                             Symbolizer& symbolizer, const std::string& cwd);

}  // namespace outcore::trace
