// Building the trace report from the trace reader's data; see report_model.h.
#include "trace/report_model.h"

#include <algorithm>
#include <set>

#include "trace/site_description.h"

namespace outcore::trace {

namespace {

// Points of the timeline in a report, whatever the run length.
constexpr size_t kReportTimelinePoints = 250;

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
                                  uint64_t share_base) {
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
  if (sites.size() > top) sites.resize(top);
  for (auto& site : sites) site.share = share_base ? double(site.bytes) / double(share_base) : 0;
  return sites;
}

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

ProcessReport BuildProcess(const ProcessTrace& process, Symbolizer& symbolizer, const TraceInput& input) {
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
    if (it != input.rss->end()) r.peak_rss = it->second.peak_hwm;
  }
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
  describe_all(process.peak.entries);
  describe_all(process.final_table.entries);
  // Heap/anonymous and file-backed figures are ranked apart: a mapped input
  // file is page cache, not something the program holds.
  std::vector<TableEntry> held, file_backed;
  for (const auto& e : process.peak.entries) {
    auto it = process.sites.find(e.site_id);
    bool file = it != process.sites.end() && it->second.kind == kSiteFileMap;
    (file ? file_backed : held).push_back(e);
  }
  r.top_at_peak = Aggregate(held, process, described, true, input.top_sites, r.snapshot_heap);
  for (auto& site :
       Aggregate(file_backed, process, described, true, input.top_sites, process.peak.file_live)) {
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
    r.leaks = Aggregate(leaked, process, described, true, input.top_sites, r.leaked_bytes);
    r.top_allocators =
        Aggregate(process.final_table.entries, process, described, false, input.top_sites, r.alloc_bytes);
  }
  for (const auto& e : held) {
    const auto& stack = described[e.site_id].stack;
    std::string folded;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      std::string frame = *it;
      std::replace(frame.begin(), frame.end(), ';', ',');
      folded += (folded.empty() ? "" : ";") + frame;
    }
    if (folded.empty()) folded = "(unknown)";
    r.collapsed.emplace_back(std::move(folded), e.live_bytes);
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
  for (const auto& process : processes) {
    report.processes.push_back(BuildProcess(process, symbolizer, input));
    report.peak_heap = std::max(report.peak_heap, report.processes.back().peak_heap);
  }
  std::stable_sort(report.processes.begin(), report.processes.end(),
                   [](const ProcessReport& a, const ProcessReport& b) { return a.peak_heap > b.peak_heap; });
  if (input.timeline) {
    report.timeline = input.timeline->Resampled(kReportTimelinePoints);
    for (const auto& s : report.timeline) {
      report.peak_heap_sum = std::max(report.peak_heap_sum, s.heap);
      report.peak_rss_sum = std::max(report.peak_rss_sum, s.rss);
    }
  }
  report.peak_heap_sum = std::max(report.peak_heap_sum, report.peak_heap);
  return report;
}

bool IsMinorProcess(const TraceReport& report, size_t process_idx) {
  const ProcessReport& p = report.processes[process_idx];
  return process_idx > 0 && report.peak_heap && p.peak_heap * 100 < report.peak_heap;
}

}  // namespace outcore::trace
