// Building the trace report from the trace reader's data; see report_model.h.
#include "trace/report_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "outcore/memory.h"
#include "trace/site_description.h"

namespace outcore::trace {

namespace {

// Points of the timeline in a report, whatever the run length.
constexpr size_t kReportTimelinePoints = 250;
// Per earlier peak snapshot: stacks symbolized, and sites listed.
constexpr size_t kSnapshotSymbolized = 24;
constexpr size_t kSnapshotSites = 8;

const char* KindName(uint8_t kind) {
  switch (kind) {
    case kSiteAnonMap:
      return "mmap";
    case kSiteFileMap:
      return "file mmap";
    default:
      return "heap";
  }
}

// Sums entries by attributed location (different stacks, same line).
std::vector<ReportSite> Aggregate(const std::vector<TableEntry>& entries, const ProcessTrace& process,
                                  std::map<uint32_t, SiteDescription>& described, bool by_live, size_t top,
                                  uint64_t share_base, double list_share) {
  std::map<std::pair<std::string, std::string>, ReportSite> by_location;
  std::map<std::pair<std::string, std::string>, uint64_t> biggest;
  for (const auto& entry : entries) {
    uint64_t bytes = by_live ? entry.live_bytes : entry.alloc_bytes;
    if (bytes == 0) continue;
    auto site_it = process.sites.find(entry.site_id);
    uint8_t kind = site_it == process.sites.end() ? uint8_t(kSiteHeap) : site_it->second.kind;
    const SiteDescription& d = described[entry.site_id];
    auto key = std::make_pair(d.location + "\x1f" + d.function, std::string(KindName(kind)));
    ReportSite& site = by_location[key];
    site.location = d.location;
    site.function = d.function;
    site.kind = KindName(kind);
    site.bytes += bytes;
    site.count += by_live ? entry.live_count : entry.alloc_count;
    if (bytes > biggest[key]) {
      biggest[key] = bytes;
      site.stack = d.stack;
    }
  }
  std::vector<ReportSite> sites;
  for (auto& [key, site] : by_location) sites.push_back(std::move(site));
  std::sort(sites.begin(), sites.end(),
            [](const ReportSite& a, const ReportSite& b) { return a.bytes > b.bytes; });
  for (auto& site : sites) site.share = share_base ? double(site.bytes) / double(share_base) : 0;
  // The top N, and past them every site that holds a noticeable share: a
  // small array on the user's line is not hidden behind the N biggest.
  size_t keep = std::min(top, sites.size());
  while (keep < sites.size() && list_share > 0 && sites[keep].share >= list_share) ++keep;
  sites.resize(keep);
  return sites;
}

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

std::string ModuleBaseNameAt(const std::vector<LoadedModule>& modules, uint64_t address) {
  for (const auto& module : modules) {
    if (address >= module.begin && address < module.end)
      return module.path.substr(module.path.rfind('/') + 1);
  }
  return "";
}

ProcessReport BuildProcess(const ProcessTrace& process, Symbolizer& symbolizer, const TraceInput& input,
                           std::vector<LogLine>* log) {
  ProcessReport r;
  const LiveHeader& h = process.header;
  r.pid = pid_t(h.pid);
  r.ppid = pid_t(h.ppid);
  r.command = JoinArgv(process.argv);
  r.python = h.flags & kLivePython;
  r.exited = h.flags & kLiveExited;
  r.alloc_failed = h.flags & kLiveAllocFailed;
  r.failed_allocs = h.failed_allocs;
  r.peak_heap = h.peak_total;
  r.alloc_count = h.alloc_count;
  r.alloc_bytes = h.alloc_bytes;
  r.tracer_overhead = h.overhead_bytes;
  if (process.peak.present) {
    r.snapshot_heap = process.peak.heap_live + process.peak.anon_live;
    r.file_mapped_at_peak = process.peak.file_live;
    r.peak_seconds = double(process.peak.time_ns - input.launch_ns) * 1e-9;
  }
  if (input.rss) {
    auto it = input.rss->find(r.pid);
    if (it != input.rss->end()) {
      r.peak_rss = it->second.peak_hwm;
      r.last_rss = it->second.last_rss;
      r.last_seen = it->second.last_seen;
    }
  }
  // Earlier peak snapshots read during the run, and the last one on disk.
  std::vector<const SiteTableData*> snapshot_tables;
  if (input.snapshots) {
    auto it = input.snapshots->find(process.stem);
    if (it != input.snapshots->end()) {
      for (const auto& table : it->second) {
        if (!process.peak.present || table.time_ns < process.peak.time_ns) snapshot_tables.push_back(&table);
      }
    }
  }
  if (process.peak.present) snapshot_tables.push_back(&process.peak);
  // Symbolizing is the slow part of a report (addr2line over big objects), so
  // only the sites that can reach a list are: the biggest raw stacks of each
  // ranking. The rest are summed as one "(smaller sites)" row if they matter.
  std::set<uint32_t> wanted;
  auto take_top = [&](const std::vector<TableEntry>& entries, uint64_t TableEntry::*field) {
    std::vector<const TableEntry*> ranked;
    for (const auto& e : entries) {
      if (e.*field) ranked.push_back(&e);
    }
    size_t keep = input.full_stacks ? ranked.size() : std::min(ranked.size(), input.symbolize_top);
    std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                      [&](const TableEntry* a, const TableEntry* b) { return a->*field > b->*field; });
    for (size_t i = 0; i < keep; ++i) wanted.insert(ranked[i]->site_id);
  };
  take_top(process.peak.entries, &TableEntry::live_bytes);
  take_top(process.final_table.entries, &TableEntry::live_bytes);
  take_top(process.final_table.entries, &TableEntry::alloc_bytes);
  if (!process.final_table.present) take_top(process.peak.entries, &TableEntry::alloc_bytes);
  for (const SiteTableData* table : snapshot_tables) {
    std::vector<const TableEntry*> ranked;
    for (const auto& e : table->entries) ranked.push_back(&e);
    size_t keep = std::min(ranked.size(), kSnapshotSymbolized);
    std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                      [](const TableEntry* a, const TableEntry* b) { return a->live_bytes > b->live_bytes; });
    for (size_t i = 0; i < keep; ++i) wanted.insert(ranked[i]->site_id);
  }
  for (const auto& record : process.log) wanted.insert(record.site_id);
  std::vector<uint64_t> addresses;
  for (uint32_t id : wanted) {
    auto it = process.sites.find(id);
    if (it != process.sites.end())
      addresses.insert(addresses.end(), it->second.native.begin(), it->second.native.end());
  }
  symbolizer.Prepare(process.modules, addresses);
  std::map<uint32_t, SiteDescription> described;
  auto describe_all = [&](const std::vector<TableEntry>& entries) {
    for (const auto& e : entries) {
      if (described.count(e.site_id)) continue;
      auto it = process.sites.find(e.site_id);
      if (!wanted.count(e.site_id))
        described[e.site_id] = SiteDescription{"(smaller sites)", "", {}};
      else if (it == process.sites.end())
        described[e.site_id] = SiteDescription{"(unrecorded stack)", "", {}};
      else
        described[e.site_id] = DescribeSite(it->second, process.modules, symbolizer, input.cwd);
    }
  };
  for (const auto& record : process.log) {
    if (described.count(record.site_id)) continue;
    auto it = process.sites.find(record.site_id);
    described[record.site_id] = it == process.sites.end()
                                    ? SiteDescription{"(unrecorded stack)", "", {}}
                                    : DescribeSite(it->second, process.modules, symbolizer, input.cwd);
  }
  for (const auto& record : process.log) {
    LogLine line;
    line.seconds = double(record.time_ns - input.launch_ns) * 1e-9;
    line.pid = r.pid;
    line.call = kLogCallNames[record.call];
    line.size = record.size;
    line.address = record.address;
    line.library = ModuleBaseNameAt(process.modules, record.caller);
    line.location = described[record.site_id].location;
    line.function = described[record.site_id].function;
    log->push_back(std::move(line));
  }
  describe_all(process.peak.entries);
  describe_all(process.final_table.entries);
  for (const SiteTableData* table : snapshot_tables) describe_all(table->entries);
  // Heap/anonymous and file-backed figures are ranked apart: a mapped input
  // file is page cache, not something the program holds.
  std::vector<TableEntry> held, file_backed;
  for (const auto& e : process.peak.entries) {
    auto it = process.sites.find(e.site_id);
    bool file = it != process.sites.end() && it->second.kind == kSiteFileMap;
    (file ? file_backed : held).push_back(e);
  }
  r.top_at_peak =
      Aggregate(held, process, described, true, input.top_sites, r.snapshot_heap, input.list_share);
  for (auto& site : Aggregate(file_backed, process, described, true, input.top_sites, process.peak.file_live,
                              input.list_share)) {
    r.top_at_peak.push_back(std::move(site));
  }
  if (process.final_table.present) {
    std::vector<TableEntry> leaked;
    for (const auto& e : process.final_table.entries) {
      auto it = process.sites.find(e.site_id);
      if (it != process.sites.end() && it->second.kind != kSiteHeap)
        continue;  // mappings die with the process
      if (e.live_bytes) {
        leaked.push_back(e);
        r.leaked_bytes += e.live_bytes;
      }
    }
    r.leaks = Aggregate(leaked, process, described, true, input.top_sites, r.leaked_bytes, input.list_share);
    r.top_allocators = Aggregate(process.final_table.entries, process, described, false, input.top_sites,
                                 r.alloc_bytes, input.list_share);
  }
  auto fold = [&](uint32_t site_id) {
    const auto& stack = described[site_id].stack;
    std::string folded;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      std::string frame = *it;
      std::replace(frame.begin(), frame.end(), ';', ',');
      folded += (folded.empty() ? "" : ";") + frame;
    }
    if (folded.empty())
      folded = described[site_id].location.empty() ? "(unknown)" : described[site_id].location;
    return folded;
  };
  for (const auto& e : held) r.collapsed.emplace_back(fold(e.site_id), e.live_bytes);
  const auto& totals = process.final_table.present ? process.final_table.entries : process.peak.entries;
  std::map<std::string, uint64_t> allocated;
  for (const auto& e : totals) {
    auto it = process.sites.find(e.site_id);
    if (e.alloc_bytes && (it == process.sites.end() || it->second.kind != kSiteFileMap))
      allocated[fold(e.site_id)] += e.alloc_bytes;
  }
  r.collapsed_allocated.assign(allocated.begin(), allocated.end());
  for (const SiteTableData* table : snapshot_tables) {
    std::vector<TableEntry> snapshot_held;
    for (const auto& e : table->entries) {
      auto it = process.sites.find(e.site_id);
      if (it == process.sites.end() || it->second.kind != kSiteFileMap) snapshot_held.push_back(e);
    }
    ReportSnapshot snapshot;
    snapshot.seconds = double(table->time_ns - input.launch_ns) * 1e-9;
    snapshot.total = table->heap_live + table->anon_live;
    snapshot.sites =
        Aggregate(snapshot_held, process, described, true, kSnapshotSites, snapshot.total, input.list_share);
    for (auto& site : snapshot.sites) site.stack.clear();
    r.snapshots.push_back(std::move(snapshot));
  }
  return r;
}

}  // namespace

TraceReport BuildTraceReport(const std::vector<ProcessTrace>& processes, Symbolizer& symbolizer,
                             const TraceInput& input) {
  TraceReport report;
  report.command = input.command;
  report.exit = input.exit;
  report.warnings = input.warnings;
  report.log_min_bytes = input.log_min_bytes;
  for (const auto& process : processes) {
    report.processes.push_back(BuildProcess(process, symbolizer, input, &report.log));
    report.log_not_shown += process.header.log_dropped;
    report.log_not_shown_bytes += process.header.log_dropped_bytes;
    report.peak_heap = std::max(report.peak_heap, report.processes.back().peak_heap);
  }
  std::stable_sort(report.processes.begin(), report.processes.end(),
                   [](const ProcessReport& a, const ProcessReport& b) { return a.peak_heap > b.peak_heap; });
  // Each process logged at most log_limit; together they print no more either.
  std::stable_sort(report.log.begin(), report.log.end(),
                   [](const LogLine& a, const LogLine& b) { return a.seconds < b.seconds; });
  for (size_t line_idx = input.log_limit; line_idx < report.log.size(); ++line_idx) {
    ++report.log_not_shown;
    report.log_not_shown_bytes += report.log[line_idx].size;
  }
  if (report.log.size() > input.log_limit) report.log.resize(input.log_limit);
  if (input.timeline) {
    report.timeline = input.timeline->Resampled(kReportTimelinePoints);
    for (const auto& s : report.timeline) {
      report.peak_heap_sum = std::max(report.peak_heap_sum, s.heap);
      report.peak_rss_sum = std::max(report.peak_rss_sum, s.rss);
    }
    for (const auto& s : input.timeline->samples()) {
      if (s.processes == 0) continue;
      report.end_rss = s.rss;
      report.end_seconds = s.seconds;
    }
  }
  report.peak_heap_sum = std::max(report.peak_heap_sum, report.peak_heap);
  // The hint is for a Python interpreter traced without --python (not for
  // the shells of a pyenv shim, which have no Python in them to attribute).
  if (!input.python_requested) {
    for (const auto& process : processes) {
      std::string exe = process.header.exe;
      std::string base = exe.substr(exe.rfind('/') + 1);
      if (base.rfind("python", 0) == 0) report.python_hint = true;
    }
  }
  if (input.source_bytes) {
    // The lines most worth reading first: the top sites' own lines, then the
    // frames of their stacks, then every frame the flame graphs draw.
    std::vector<std::pair<std::string, uint32_t>> wanted;
    auto add = [&](const std::string& text) {
      auto located = SplitFrameLocation(text);
      if (located.second) wanted.push_back(std::move(located));
    };
    for (const auto& p : report.processes) {
      for (const auto* sites : {&p.top_at_peak, &p.top_allocators, &p.leaks})
        for (const auto& site : *sites) add(site.location);
    }
    for (const auto& p : report.processes) {
      for (const auto* sites : {&p.top_at_peak, &p.top_allocators, &p.leaks})
        for (const auto& site : *sites)
          for (const auto& frame : site.stack) add(frame);
    }
    for (const auto& p : report.processes) {
      for (const auto* folded : {&p.collapsed, &p.collapsed_allocated}) {
        for (const auto& [stack, bytes] : *folded) {
          size_t begin = 0;
          for (;;) {
            size_t end = stack.find(';', begin);
            add(stack.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
            if (end == std::string::npos) break;
            begin = end + 1;
          }
        }
      }
    }
    report.sources = ReadSourceSnippets(wanted, input.cwd, input.source_bytes);
  }
  return report;
}

bool IsMinorProcess(const TraceReport& report, size_t process_idx) {
  const ProcessReport& p = report.processes[process_idx];
  return process_idx > 0 && report.peak_heap && p.peak_heap * 100 < report.peak_heap;
}

std::string MinorProcessesSummary(const TraceReport& report) {
  std::map<std::string, size_t> by_program;
  size_t count = 0;
  uint64_t biggest = 0;
  for (size_t process_idx = 0; process_idx < report.processes.size(); ++process_idx) {
    if (!IsMinorProcess(report, process_idx)) continue;
    const auto& p = report.processes[process_idx];
    std::string program = p.command.substr(0, p.command.find(' '));
    program = program.substr(program.rfind('/') + 1);
    ++by_program[program.empty() ? "?" : program];
    ++count;
    biggest = std::max(biggest, p.peak_heap);
  }
  if (count == 0) return "";
  std::vector<std::pair<std::string, size_t>> ranked(by_program.begin(), by_program.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text = fmt::format("{} smaller process{} (below 1% of the peak, at most {} each): ", count,
                                 count == 1 ? "" : "es", FormatSize(biggest));
  for (size_t i = 0; i < ranked.size() && i < 6; ++i)
    text += fmt::format("{}{} x{}", i ? ", " : "", ranked[i].first, ranked[i].second);
  if (ranked.size() > 6) text += ", ...";
  return text;
}

void FindSqueezes(MemReport* report) {
  const auto& timeline = report->timeline;
  if (timeline.empty()) return;
  const TimelineSample& first = timeline.front();
  const TimelineSample& last = timeline.back();
  report->minor_faults = std::max(report->minor_faults, last.minor_faults);
  report->major_faults = std::max(report->major_faults, last.major_faults);
  report->pressure_some_us = last.pressure_some_us - std::min(first.pressure_some_us, last.pressure_some_us);
  report->pressure_full_us = last.pressure_full_us - std::min(first.pressure_full_us, last.pressure_full_us);
  // A few faults are noise (a page of a library read late); a squeeze costs many.
  constexpr uint64_t kMinMajorFaults = 32;
  constexpr uint64_t kMinSwapGrowth = 1 << 20;
  uint64_t rss_high = first.rss;
  SqueezeSpan open;
  bool is_open = false;
  auto close = [&] {
    if (is_open && (open.major_faults >= kMinMajorFaults || open.refaults >= kMinMajorFaults ||
                    open.swap_growth >= kMinSwapGrowth))
      report->squeezed.push_back(open);
    is_open = false;
  };
  for (size_t sample_idx = 1; sample_idx < timeline.size(); ++sample_idx) {
    const TimelineSample& before = timeline[sample_idx - 1];
    const TimelineSample& now = timeline[sample_idx];
    uint64_t major = now.major_faults - std::min(now.major_faults, before.major_faults);
    uint64_t swapped = now.swap - std::min(now.swap, before.swap);
    uint64_t refaults = now.cgroup_refaults - std::min(now.cgroup_refaults, before.cgroup_refaults);
    bool below_high = now.rss <= rss_high;
    rss_high = std::max(rss_high, now.rss);
    bool squeezing = (major && below_high) || swapped || refaults;
    if (!squeezing) {
      // One calm sample does not end a stretch; two do.
      if (is_open && now.seconds - open.end_seconds > 2 * (now.seconds - before.seconds)) close();
      continue;
    }
    if (!is_open) {
      open = SqueezeSpan{before.seconds, now.seconds, 0, 0, 0, rss_high};
      is_open = true;
    }
    open.end_seconds = now.seconds;
    open.major_faults += below_high ? major : 0;
    open.swap_growth += swapped;
    open.refaults += refaults;
    open.rss_high = rss_high;
  }
  close();
}

const char* EndName(const TraceReport& report) {
  return report.exit.attached ? "the end of the traced block" : "exit";
}

std::string DescribeEnding(const TraceReport& report) {
  std::string text = report.exit.Describe();
  if (report.end_seconds >= 0)
    text += fmt::format(" at RSS {} (last sample {:.2f} s)", FormatSize(report.end_rss), report.end_seconds);
  return text;
}

}  // namespace outcore::trace
