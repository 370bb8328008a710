// Reads what traced processes left in a trace directory (formats in
// trace_format.h and doc/trace.md). Every length and count is checked against
// the bytes present: a truncated or hostile file yields a Status, never a
// crash.
//
// Thread-safety: free functions over files; results are values.
//
//   OC_ASSIGN_OR_RETURN(auto processes, ReadTraceDir("/tmp/outcore-trace-x"));
//   for (auto& p : processes) use(p.header.peak_total, p.peak.entries);
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "outcore/status.h"
#include "trace/trace_format.h"

namespace outcore::trace {

struct PySourceFrame {
  std::string file;
  std::string function;
  uint32_t line = 0;
};

struct SiteStack {
  uint8_t kind = kSiteHeap;
  std::vector<uint64_t> native;       // return addresses, innermost first
  std::vector<PySourceFrame> python;  // innermost first
};

struct SiteTableData {
  bool present = false;
  int64_t time_ns = 0;
  uint64_t heap_live = 0, anon_live = 0, file_live = 0;
  std::vector<TableEntry> entries;
};

struct LoadedModule {
  std::string path;
  uint64_t bias = 0, begin = 0, end = 0;
};

// One traced process image (a pid, or a pid after exec).
struct ProcessTrace {
  std::string stem;  // "<dir>/<pid>.<n>"
  LiveHeader header{};
  std::vector<std::string> argv;
  std::unordered_map<uint32_t, SiteStack> sites;
  SiteTableData peak;         // per-site figures at the last peak snapshot
  SiteTableData final_table;  // at exit (absent when killed)
  std::vector<LoadedModule> modules;
  std::vector<LogRecord> log;  // --log: allocations at or above its size, in order
};

// Parses one <stem>.live file.
Result<LiveHeader> ReadLiveHeader(const std::string& path);
// Stems of every <stem>.live in dir, sorted.
std::vector<std::string> ListTraceStems(const std::string& dir);
// Reads every process in dir. A process whose files are damaged is reported in
// `warnings` and skipped, so one bad file does not lose the others.
Result<std::vector<ProcessTrace>> ReadTraceDir(const std::string& dir, std::vector<std::string>* warnings);
// Reads one <stem>.peak (or .final) table; IOError when it is not there (yet).
Result<SiteTableData> ReadSiteTable(const std::string& path);
// Individual parsers (exposed for tests).
Status ParseSites(const std::string& bytes, std::unordered_map<uint32_t, SiteStack>* out);
Status ParseTable(const std::string& bytes, SiteTableData* out);
Status ParseModules(const std::string& bytes, std::vector<LoadedModule>* out);
Status ParseLog(const std::string& bytes, std::vector<LogRecord>* out);

}  // namespace outcore::trace
