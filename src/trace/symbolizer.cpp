// addr2line-based symbolization; see symbolizer.h.
#include "trace/symbolizer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <set>

namespace outcore::trace {

namespace {

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted += c;
  }
  return quoted + "'";
}

// ELF address of a return address: minus the load bias, minus one so that it
// points into the call instruction (the return address may begin the next line).
uint64_t CallSiteOf(const LoadedModule& module, uint64_t address) { return address - module.bias - 1; }

}  // namespace

const LoadedModule* Symbolizer::ModuleOf(const std::vector<LoadedModule>& modules, uint64_t address) {
  for (const auto& module : modules) {
    if (address >= module.begin && address < module.end) return &module;
  }
  return nullptr;
}

std::map<uint64_t, std::vector<SourceFrame>> Symbolizer::ParseAddr2lineOutput(const std::string& text) {
  std::map<uint64_t, std::vector<SourceFrame>> result;
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  std::vector<SourceFrame>* current = nullptr;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.size() > 2 && line[0] == '0' && line[1] == 'x') {
      current = &result[std::strtoull(line.c_str(), nullptr, 16)];
      continue;
    }
    if (!current || i + 1 >= lines.size()) continue;
    SourceFrame frame;
    if (line != "??") frame.function = line;
    std::string location = lines[++i];
    if (size_t cut = location.find(" (discriminator"); cut != std::string::npos) location.resize(cut);
    size_t colon = location.rfind(':');
    if (colon != std::string::npos) {
      std::string file = location.substr(0, colon);
      long number = std::strtol(location.c_str() + colon + 1, nullptr, 10);
      if (file != "??" && number > 0) {
        frame.file = file;
        frame.line = uint32_t(number);
      }
    }
    current->push_back(std::move(frame));
  }
  return result;
}

void Symbolizer::Prepare(const std::vector<LoadedModule>& modules, const std::vector<uint64_t>& addresses) {
  std::map<std::string, std::set<uint64_t>> wanted;
  for (uint64_t address : addresses) {
    const LoadedModule* module = ModuleOf(modules, address);
    if (!module) continue;
    uint64_t elf_address = CallSiteOf(*module, address);
    if (!cache_.count({module->path, elf_address})) wanted[module->path].insert(elf_address);
  }
  for (const auto& [path, elf_addresses] : wanted) {
    char input_path[] = "/tmp/outcore-addr2line-XXXXXX";
    int fd = ::mkstemp(input_path);
    if (fd < 0) continue;
    std::string input;
    for (uint64_t a : elf_addresses) input += fmt::format("{:#x}\n", a);
    bool written = ::write(fd, input.data(), input.size()) == ssize_t(input.size());
    ::close(fd);
    std::string output;
    if (written && ::access(path.c_str(), R_OK) == 0) {
      std::string command =
          ShellQuote(tool_) + " -a -f -C -i -e " + ShellQuote(path) + " < " + input_path + " 2>/dev/null";
      if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buf[1 << 14];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
        ::pclose(pipe);
      }
    }
    ::unlink(input_path);
    auto parsed = ParseAddr2lineOutput(output);
    for (uint64_t a : elf_addresses) {
      auto& frames = cache_[{path, a}];
      auto it = parsed.find(a);
      if (it != parsed.end()) frames = it->second;
      for (auto& frame : frames) frame.module = path;
    }
  }
}

std::vector<SourceFrame> Symbolizer::Lookup(const std::vector<LoadedModule>& modules, uint64_t address) {
  const LoadedModule* module = ModuleOf(modules, address);
  std::vector<SourceFrame> frames;
  if (module) {
    auto it = cache_.find({module->path, CallSiteOf(*module, address)});
    if (it != cache_.end()) frames = it->second;
  }
  if (frames.empty()) {
    SourceFrame unknown;
    if (module) {
      unknown.module = module->path;
      std::string base = module->path.substr(module->path.rfind('/') + 1);
      unknown.function = fmt::format("{}+{:#x}", base, address - module->bias);
    } else {
      unknown.function = fmt::format("{:#x}", address);
    }
    frames.push_back(std::move(unknown));
  }
  for (auto& frame : frames) frame.address = address;
  return frames;
}

}  // namespace outcore::trace
