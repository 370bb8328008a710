// Turns return addresses recorded by the tracer into function, file and line,
// after the run: one `addr2line` process per loaded object (binutils), fed
// every address of that object at once. Objects without debug info give the
// function name or "object+0xoffset".
//
// Thread-safety: a value used by one thread.
//
//   Symbolizer symbolizer;
//   symbolizer.Prepare(process.modules, addresses);
//   for (auto& f : symbolizer.Lookup(process.modules, addresses[0])) print(f.file, f.line);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "trace/trace_reader.h"

namespace outcore::trace {

struct SourceFrame {
  std::string function;  // demangled; "" when unknown
  std::string file;      // "" when there is no line information
  uint32_t line = 0;
  std::string module;    // path of the loaded object
  uint64_t address = 0;  // runtime return address
};

class Symbolizer {
 public:
  // `tool` is the addr2line to run; an unusable one leaves only object+offset.
  explicit Symbolizer(std::string tool = "addr2line") : tool_(std::move(tool)) {}

  // Symbolizes, in one batch per object, every address not seen before.
  void Prepare(const std::vector<LoadedModule>& modules, const std::vector<uint64_t>& addresses);
  // Frames for one return address, innermost (inlined) first; never empty.
  std::vector<SourceFrame> Lookup(const std::vector<LoadedModule>& modules, uint64_t address);

  // Parses addr2line -a -f -C -i output (exposed for tests).
  static std::map<uint64_t, std::vector<SourceFrame>> ParseAddr2lineOutput(const std::string& text);

 private:
  static const LoadedModule* ModuleOf(const std::vector<LoadedModule>& modules, uint64_t address);

  std::string tool_;
  // (object path, ELF address) -> frames
  std::map<std::pair<std::string, uint64_t>, std::vector<SourceFrame>> cache_;
};

}  // namespace outcore::trace
