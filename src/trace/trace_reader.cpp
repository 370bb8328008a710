// Trace-directory reader; see trace_reader.h.
#include "trace/trace_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace outcore::trace {

namespace {

bool ReadWhole(const std::string& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out->append(buf, size_t(n));
  ::close(fd);
  return n == 0;
}

// A cursor over untrusted bytes.
class Cursor {
 public:
  explicit Cursor(const std::string& bytes) : bytes_(bytes) {}
  bool done() const { return at_ >= bytes_.size(); }
  template <typename T>
  bool Read(T* out) {
    if (bytes_.size() - at_ < sizeof(T)) return false;
    std::memcpy(out, bytes_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool ReadString(size_t n, std::string* out) {
    if (bytes_.size() - at_ < n) return false;
    out->assign(bytes_.data() + at_, n);
    at_ += n;
    return true;
  }
  size_t offset() const { return at_; }

 private:
  const std::string& bytes_;
  size_t at_ = 0;
};

std::vector<std::string> SplitArgv(const char* raw, size_t capacity) {
  std::vector<std::string> argv;
  // cmdline is NUL-separated; the header ends it with a double NUL or the capacity.
  size_t at = 0;
  while (at < capacity && raw[at]) {
    size_t len = strnlen(raw + at, capacity - at);
    argv.emplace_back(raw + at, len);
    at += len + 1;
  }
  return argv;
}

}  // namespace

Result<LiveHeader> ReadLiveHeader(const std::string& path) {
  std::string bytes;
  if (!ReadWhole(path, &bytes)) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  LiveHeader header;
  if (bytes.size() < sizeof header) return Status::Corruption(path + ": shorter than a trace header");
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.magic, kLiveMagic, sizeof header.magic) != 0 || header.version != kFormatVersion) {
    return Status::Corruption(path + ": not an outcore trace header (magic or version differs)");
  }
  header.exe[sizeof header.exe - 1] = 0;
  header.cmdline[sizeof header.cmdline - 1] = 0;
  return header;
}

std::vector<std::string> ListTraceStems(const std::string& dir) {
  std::vector<std::string> stems;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* entry = ::readdir(d)) {
      std::string name = entry->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".live") == 0) {
        stems.push_back(dir + "/" + name.substr(0, name.size() - 5));
      }
    }
    ::closedir(d);
  }
  std::sort(stems.begin(), stems.end());
  return stems;
}

Status ParseSites(const std::string& bytes, std::unordered_map<uint32_t, SiteStack>* out) {
  Cursor cursor(bytes);
  while (!cursor.done()) {
    size_t record_at = cursor.offset();
    auto truncated = [&] {
      return Status::Corruption("site record at byte " + std::to_string(record_at) + " is truncated");
    };
    SiteRecord record;
    if (!cursor.Read(&record)) return truncated();
    if (record.kind > kSiteFileMap || record.native_frames > kMaxNativeFrames ||
        record.python_frames > kMaxPythonFrames) {
      return Status::Corruption("site record at byte " + std::to_string(record_at) +
                                " has impossible counts");
    }
    SiteStack stack;
    stack.kind = record.kind;
    stack.native.resize(record.native_frames);
    for (auto& address : stack.native) {
      if (!cursor.Read(&address)) return truncated();
    }
    for (int i = 0; i < record.python_frames; ++i) {
      PythonFrame frame;
      PySourceFrame source;
      if (!cursor.Read(&frame) || !cursor.ReadString(frame.file_len, &source.file) ||
          !cursor.ReadString(frame.func_len, &source.function)) {
        return truncated();
      }
      source.line = frame.line;
      stack.python.push_back(std::move(source));
    }
    (*out)[record.site_id] = std::move(stack);
  }
  return Status::OK();
}

Status ParseTable(const std::string& bytes, SiteTableData* out) {
  Cursor cursor(bytes);
  TableHeader header;
  if (!cursor.Read(&header)) return Status::Corruption("table shorter than its header");
  if (std::memcmp(header.magic, kTableMagic, sizeof header.magic) != 0 || header.version != kFormatVersion) {
    return Status::Corruption("not an outcore site table (magic or version differs)");
  }
  if (uint64_t(header.entry_count) * sizeof(TableEntry) > bytes.size() - sizeof header) {
    return Status::Corruption("site table claims " + std::to_string(header.entry_count) +
                              " entries, holds fewer");
  }
  out->present = true;
  out->time_ns = header.time_ns;
  out->heap_live = header.heap_live;
  out->anon_live = header.anon_live;
  out->file_live = header.file_live;
  out->entries.resize(header.entry_count);
  for (auto& entry : out->entries) cursor.Read(&entry);
  return Status::OK();
}

Status ParseModules(const std::string& bytes, std::vector<LoadedModule>* out) {
  Cursor cursor(bytes);
  while (!cursor.done()) {
    ModuleRecord record;
    LoadedModule module;
    if (!cursor.Read(&record) || record.name_len > 4096 ||
        !cursor.ReadString(record.name_len, &module.path)) {
      return Status::Corruption("module list is truncated");
    }
    module.bias = record.bias;
    module.begin = record.begin;
    module.end = record.end;
    out->push_back(std::move(module));
  }
  return Status::OK();
}

Status ParseLog(const std::string& bytes, std::vector<LogRecord>* out) {
  // A record cut short by a kill at the wrong moment is dropped, not an error.
  size_t count = bytes.size() / sizeof(LogRecord);
  out->resize(count);
  if (count) std::memcpy(out->data(), bytes.data(), count * sizeof(LogRecord));
  for (const auto& record : *out) {
    if (record.call >= kCallCount) return Status::Corruption("allocation log holds an unknown call");
  }
  return Status::OK();
}

Result<SiteTableData> ReadSiteTable(const std::string& path) {
  std::string bytes;
  if (!ReadWhole(path, &bytes)) return Status::IOError("no site table at " + path);
  SiteTableData table;
  OC_RETURN_IF_ERROR(ParseTable(bytes, &table));
  return table;
}

Result<std::vector<ProcessTrace>> ReadTraceDir(const std::string& dir, std::vector<std::string>* warnings) {
  std::vector<ProcessTrace> processes;
  auto stems = ListTraceStems(dir);
  for (const auto& stem : stems) {
    auto header = ReadLiveHeader(stem + ".live");
    if (!header.ok()) {
      warnings->push_back(header.status().message());
      continue;
    }
    ProcessTrace process;
    process.stem = stem;
    process.header = *header;
    process.argv = SplitArgv(process.header.cmdline, sizeof process.header.cmdline);
    std::string bytes;
    auto load = [&](const char* suffix, auto parse) {
      if (!ReadWhole(stem + suffix, &bytes)) return;  // absent: not written (yet)
      Status status = parse(bytes);
      if (!status.ok()) warnings->push_back(stem + suffix + ": " + status.message());
    };
    load(".sites", [&](const std::string& b) { return ParseSites(b, &process.sites); });
    load(".peak", [&](const std::string& b) { return ParseTable(b, &process.peak); });
    load(".final", [&](const std::string& b) { return ParseTable(b, &process.final_table); });
    load(".modules", [&](const std::string& b) { return ParseModules(b, &process.modules); });
    load(".log", [&](const std::string& b) { return ParseLog(b, &process.log); });
    processes.push_back(std::move(process));
  }
  if (processes.empty() && !warnings->empty()) {
    return Status::Corruption("no readable trace in " + dir + ": " + warnings->front());
  }
  return processes;
}

}  // namespace outcore::trace
