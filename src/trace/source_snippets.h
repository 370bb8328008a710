// The source text of the lines a trace report names, read at report time:
// a few lines around each "file:line" of the reported stacks (Python and
// native), where the file is still readable. Bounded, so that a report that
// names thousands of frames stays small: files over kMaxSourceFileBytes are
// skipped, each line is cut at kMaxSourceLineChars, and reading stops at
// max_total_bytes of snippet text.
//
// Thread-safety: pure functions over files.
//
//   auto [file, line] = SplitFrameLocation("main job.py:12");  // "job.py", 12
//   std::vector<SourceSnippet> text = ReadSourceSnippets({{"job.py", 12}}, cwd, 200 << 10);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace outcore::trace {

inline constexpr uint64_t kMaxSourceFileBytes = 4 << 20;
inline constexpr size_t kMaxSourceLineChars = 160;
inline constexpr uint32_t kSourceContextLines = 2;  // shown before and after the line

struct SourceSnippet {
  std::string location;  // "file:line" as the report shows it (the key)
  uint32_t line = 0;     // the line named
  uint32_t first_line = 0;
  std::vector<std::string> lines;  // first_line, first_line + 1, ...
};

// The "file:line" ending a stack frame's text ("function file:line" or
// "file:line"): {file, line}, or {"", 0} when the frame names no line.
std::pair<std::string, uint32_t> SplitFrameLocation(const std::string& frame);

// Snippets for `locations` (file as shown, line), in the order given, each
// location once; a relative file is looked up below `cwd`. Unreadable,
// missing or oversized files are left out.
std::vector<SourceSnippet> ReadSourceSnippets(const std::vector<std::pair<std::string, uint32_t>>& locations,
                                              const std::string& cwd, size_t max_total_bytes);

}  // namespace outcore::trace
