// Source text of reported lines; see source_snippets.h.
#include "trace/source_snippets.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

namespace outcore::trace {

std::pair<std::string, uint32_t> SplitFrameLocation(const std::string& frame) {
  size_t colon = frame.rfind(':');
  if (colon == std::string::npos || colon + 1 >= frame.size()) return {"", 0};
  uint64_t line = 0;
  for (size_t i = colon + 1; i < frame.size(); ++i) {
    if (frame[i] < '0' || frame[i] > '9' || line > 100000000) return {"", 0};
    line = line * 10 + uint64_t(frame[i] - '0');
  }
  size_t space = frame.rfind(' ', colon);
  size_t begin = space == std::string::npos ? 0 : space + 1;
  if (line == 0 || begin >= colon) return {"", 0};
  return {frame.substr(begin, colon - begin), uint32_t(line)};
}

namespace {

// The lines of a file, or nothing when it is not a readable regular file of
// a sane size (a report must not read a device or a 2 GB generated file).
bool ReadLines(const std::string& path, std::vector<std::string>* lines) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || uint64_t(st.st_size) > kMaxSourceFileBytes)
    return false;
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > kMaxSourceLineChars) {
      size_t cut = kMaxSourceLineChars;  // not inside a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
      line = line.substr(0, cut) + "…";
    }
    lines->push_back(std::move(line));
  }
  return true;
}

}  // namespace

std::vector<SourceSnippet> ReadSourceSnippets(const std::vector<std::pair<std::string, uint32_t>>& locations,
                                              const std::string& cwd, size_t max_total_bytes) {
  std::vector<SourceSnippet> out;
  std::map<std::string, std::vector<std::string>> files;  // path -> lines ({} when unreadable)
  std::set<std::string> seen;
  size_t total = 0;
  for (const auto& [file, line] : locations) {
    if (file.empty() || line == 0) continue;
    std::string key = file + ":" + std::to_string(line);
    if (!seen.insert(key).second) continue;
    std::string path = file[0] == '/' || cwd.empty() ? file : cwd + "/" + file;
    auto it = files.find(path);
    if (it == files.end()) {
      std::vector<std::string> lines;
      if (!ReadLines(path, &lines)) lines.clear();
      it = files.emplace(path, std::move(lines)).first;
    }
    const auto& lines = it->second;
    if (line > lines.size()) continue;  // not the file the program ran (edited since?)
    SourceSnippet snippet;
    snippet.location = key;
    snippet.line = line;
    snippet.first_line = line > kSourceContextLines ? line - kSourceContextLines : 1;
    uint32_t last = std::min<uint32_t>(uint32_t(lines.size()), line + kSourceContextLines);
    size_t bytes = key.size();
    for (uint32_t n = snippet.first_line; n <= last; ++n) {
      snippet.lines.push_back(lines[n - 1]);
      bytes += lines[n - 1].size() + 8;
    }
    if (total + bytes > max_total_bytes) break;
    total += bytes;
    out.push_back(std::move(snippet));
  }
  return out;
}

}  // namespace outcore::trace
