// Small helpers shared by the subcommands: human-readable numbers, a JSON
// object writer for --json reports, and a Ctrl-C flag that long commands poll
// so that they stop cleanly (and leave nothing half-written).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "outcore/status.h"

namespace outcore::cli {

// The exit status for a failed command: 2 for bad arguments, 130 for Ctrl-C,
// 1 for everything else (I/O, corrupt input, data errors).
int ExitCodeFor(const Status& status);
// Prints "outcore <command>: <status>" to stderr and sets the exit code. A
// message of several lines (a --where error: the expression, then a caret
// line under the problem) goes below the first line, every line indented
// alike, so the caret stays under the character it points at.
void ReportError(const char* command, const Status& status);

// 1234567 -> "1,234,567".
std::string Thousands(uint64_t n);
// Bytes per second -> "243.1 MB/s".
std::string Rate(double bytes, double seconds);
// Installs a SIGINT/SIGTERM handler that sets the returned flag; a second
// signal kills the process the usual way.
const std::atomic<bool>& InstallInterruptFlag();
bool StderrIsTerminal();

// Writes a flat-or-nested JSON object incrementally: Key() then a value.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Number(double value);
  JsonWriter& Int(int64_t value);
  JsonWriter& UInt(uint64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  const std::string& str() const { return out_; }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace outcore::cli
