// End-to-end: programs with known allocation patterns (testdata/) run under the
// built `outcore trace` / `outcore mem`; the JSON report must show the figures
// and source lines each program is known to produce.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

namespace {

// A small JSON reader, enough for the reports (tests only).
struct Json {
  std::variant<std::nullptr_t, bool, double, std::string, std::vector<Json>, std::map<std::string, Json>>
      value;
  const Json& operator[](const std::string& key) const {
    static const Json kNull;
    const auto* object = std::get_if<std::map<std::string, Json>>(&value);
    if (!object) return kNull;
    auto it = object->find(key);
    return it == object->end() ? kNull : it->second;
  }
  const Json& operator[](size_t index) const {
    static const Json kNull;
    const auto* array = std::get_if<std::vector<Json>>(&value);
    return array && index < array->size() ? (*array)[index] : kNull;
  }
  size_t size() const {
    const auto* array = std::get_if<std::vector<Json>>(&value);
    return array ? array->size() : 0;
  }
  double num() const { return std::holds_alternative<double>(value) ? std::get<double>(value) : NAN; }
  std::string str() const {
    return std::holds_alternative<std::string>(value) ? std::get<std::string>(value) : "";
  }
  bool boolean() const { return std::holds_alternative<bool>(value) && std::get<bool>(value); }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : text_(text) {}
  Json Parse() {
    Skip();
    Json j;
    char c = Peek();
    if (c == '{') {
      ++at_;
      std::map<std::string, Json> object;
      Skip();
      if (Peek() == '}')
        ++at_;
      else
        for (;;) {
          Skip();
          std::string key = ParseString();
          Skip();
          ++at_;  // ':'
          object[key] = Parse();
          Skip();
          if (at_ >= text_.size() || text_[at_++] == '}') break;
        }
      j.value = std::move(object);
    } else if (c == '[') {
      ++at_;
      std::vector<Json> array;
      Skip();
      if (Peek() == ']')
        ++at_;
      else
        for (;;) {
          array.push_back(Parse());
          Skip();
          if (at_ >= text_.size() || text_[at_++] == ']') break;
        }
      j.value = std::move(array);
    } else if (c == '"') {
      j.value = ParseString();
    } else if (text_.compare(at_, 4, "true") == 0) {
      at_ += 4;
      j.value = true;
    } else if (text_.compare(at_, 5, "false") == 0) {
      at_ += 5;
      j.value = false;
    } else if (text_.compare(at_, 4, "null") == 0) {
      at_ += 4;
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t end = 0;
      j.value = std::stod(text_.substr(at_, 40), &end);
      at_ += end;
    } else {
      at_ = text_.size();  // not JSON (e.g. no report was written): null
    }
    return j;
  }

 private:
  char Peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void Skip() {
    while (at_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[at_]))) ++at_;
  }
  std::string ParseString() {
    std::string out;
    ++at_;
    while (at_ < text_.size() && text_[at_] != '"') {
      if (text_[at_] == '\\') {
        ++at_;
        char e = text_[at_];
        if (e == 'n')
          out += '\n';
        else if (e == 't')
          out += '\t';
        else if (e == 'u') {
          out += '?';
          at_ += 4;
        } else
          out += e;
        ++at_;
        continue;
      }
      out += text_[at_++];
    }
    ++at_;
    return out;
  }
  const std::string& text_;
  size_t at_ = 0;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The line of `marker` (e.g. "// PEAK_LINE") in a testdata source file.
int LineOf(const std::string& source, const std::string& marker) {
  std::ifstream in(std::string(TRACE_TESTDATA_DIR) + "/" + source);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find("// " + marker) != std::string::npos) return number;
  }
  return -1;
}

// ":<line>", what a reported location ends with when it is the marked line.
// (Built by appending: GCC 12's -Wrestrict misfires on ":" + std::string.)
std::string LineSuffixOf(const std::string& source, const std::string& marker) {
  std::string suffix = ":";
  suffix += std::to_string(LineOf(source, marker));
  return suffix;
}

std::string Program(const std::string& name) { return std::string(TRACE_PROG_DIR) + "/trace_prog_" + name; }

struct CommandRun {
  int status = -1;
  Json report;
  std::string output;  // what outcore printed
};

// Runs `outcore <mode> --json <file> --quiet <options> -- <command>`.
CommandRun RunOutcore(const std::string& mode, const std::string& options, const std::string& command) {
  char dir_template[] = "/tmp/outcore-trace-test-XXXXXX";
  CommandRun run;
  std::string dir = ::mkdtemp(dir_template);
  std::string json = dir + "/report.json";
  std::string line = std::string(OUTCORE_BIN) + " " + mode + " --quiet --json " + json + " " + options +
                     " -- " + command + " > " + dir + "/out.txt 2>&1";
  int raw = std::system(line.c_str());
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  run.report = JsonParser(ReadFile(json)).Parse();
  run.output = ReadFile(dir + "/out.txt");
  std::system(("rm -rf " + dir).c_str());
  return run;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The process whose command ends with `suffix`, with the biggest peak.
const Json* ProcessNamed(const Json& report, const std::string& suffix) {
  const Json& processes = report["processes"];
  for (size_t i = 0; i < processes.size(); ++i) {
    if (EndsWith(processes[i]["command"].str(), suffix)) return &processes[i];
  }
  return nullptr;
}

void ExpectWithinOnePercent(double actual, double expected) {
  EXPECT_LE(std::fabs(actual - expected), expected * 0.01) << "actual " << actual << " expected " << expected;
}

}  // namespace

TEST(TraceEndToEnd, PeakIsTheHeldSumAndTopSiteIsTheRightLine) {
  CommandRun run = RunOutcore("trace", "", Program("peak_at_line"));
  ASSERT_EQ(run.status, 0);
  const Json& p = run.report["processes"][0];
  ExpectWithinOnePercent(p["peak_heap"].num(), 64 << 20);
  ExpectWithinOnePercent(p["snapshot_heap"].num(), 64 << 20);
  const Json& top = p["top_at_peak"][0];
  EXPECT_TRUE(EndsWith(top["location"].str(),
                       "peak_at_line.cpp:" + std::to_string(LineOf("peak_at_line.cpp", "PEAK_LINE"))))
      << top["location"].str();
  EXPECT_EQ(top["count"].num(), 64);
  EXPECT_GT(top["share"].num(), 0.99);
  // The later, smaller vector was allocated but is not what held the peak.
  EXPECT_GE(p["alloc_bytes"].num(), double((64 << 20) + (8 << 20)));
}

TEST(TraceEndToEnd, LeakIsReportedAtItsLine) {
  CommandRun run = RunOutcore("trace", "", Program("leak"));
  ASSERT_EQ(run.status, 0);
  const Json& p = run.report["processes"][0];
  EXPECT_TRUE(p["exited"].boolean());
  EXPECT_GE(p["leaked_bytes"].num(), double(3 << 20));
  const Json& leak = p["leaks"][0];
  EXPECT_TRUE(EndsWith(leak["location"].str(), "leak.cpp:" + std::to_string(LineOf("leak.cpp", "LEAK_LINE"))))
      << leak["location"].str();
  EXPECT_EQ(leak["bytes"].num(), double(3 << 20));
}

TEST(TraceEndToEnd, ReallocGrowthCountsOneBlockOfTheFinalSize) {
  CommandRun run = RunOutcore("trace", "", Program("realloc_growth"));
  ASSERT_EQ(run.status, 0);
  const Json& p = run.report["processes"][0];
  ExpectWithinOnePercent(p["peak_heap"].num(), 32 << 20);
  const Json& top = p["top_at_peak"][0];
  EXPECT_TRUE(EndsWith(top["location"].str(),
                       "realloc_growth.cpp:" + std::to_string(LineOf("realloc_growth.cpp", "REALLOC_LINE"))));
  EXPECT_EQ(top["bytes"].num(), double(32 << 20));
  EXPECT_EQ(top["count"].num(), 1);
}

TEST(TraceEndToEnd, FileAndAnonymousMappingsAreCountedApart) {
  char path[] = "/tmp/outcore-trace-mapped-XXXXXX";
  int fd = ::mkstemp(path);
  ::close(fd);
  CommandRun run = RunOutcore("trace", "", Program("mmap_file") + " " + path);
  ASSERT_EQ(run.status, 0);
  const Json& p = run.report["processes"][0];
  EXPECT_EQ(p["file_mapped_at_peak"].num(), double(16 << 20));
  ExpectWithinOnePercent(p["peak_heap"].num(), 8 << 20);
  bool saw_file = false, saw_anon = false;
  for (size_t i = 0; i < p["top_at_peak"].size(); ++i) {
    const Json& site = p["top_at_peak"][i];
    if (site["kind"].str() == "file mmap") {
      saw_file = true;
      EXPECT_TRUE(EndsWith(site["location"].str(), LineSuffixOf("mmap_file.cpp", "MMAP_FILE_LINE")));
    }
    if (site["kind"].str() == "mmap") {
      saw_anon = true;
      EXPECT_EQ(site["bytes"].num(), double(8 << 20));
      EXPECT_TRUE(EndsWith(site["location"].str(), LineSuffixOf("mmap_file.cpp", "MMAP_ANON_LINE")));
    }
  }
  EXPECT_TRUE(saw_file);
  EXPECT_TRUE(saw_anon);
  ::unlink(path);
}

TEST(TraceEndToEnd, MremapGrowthIsAttributedToTheGrowingCall) {
  CommandRun run = RunOutcore("trace", "", Program("mremap_growth"));
  ASSERT_EQ(run.status, 0);
  const Json& p = run.report["processes"][0];
  ExpectWithinOnePercent(p["peak_heap"].num(), 16 << 20);
  const Json& top = p["top_at_peak"][0];
  EXPECT_EQ(top["kind"].str(), "mmap");
  EXPECT_EQ(top["bytes"].num(), double(16 << 20));
  EXPECT_TRUE(EndsWith(top["location"].str(), LineSuffixOf("mremap_growth.cpp", "MREMAP_LINE")))
      << top["location"].str();
  EXPECT_EQ(top["count"].num(), 1);
}

// Issue 9: the mremap hook forgot the old range after the kernel had moved the
// mapping, so a mapping another thread had just placed there was forgotten
// instead. Nothing is unmapped, so at the peak (the end) the mappings the
// tracer holds are exactly those the program made.
TEST(TraceEndToEnd, Issue9MremapRacingMmapKeepsEveryMapping) {
  CommandRun run = RunOutcore("trace", "", Program("mremap_race"));
  ASSERT_EQ(run.status, 0) << run.output;
  const size_t at = run.output.find("mapped ");
  ASSERT_NE(at, std::string::npos) << run.output;
  const double mapped = std::stod(run.output.substr(at + 7));
  const Json& top = run.report["processes"][0]["top_at_peak"];
  double mapped_at_peak = 0;
  for (size_t i = 0; i < top.size(); ++i) {
    if (top[i]["kind"].str() == "mmap") mapped_at_peak += top[i]["bytes"].num();
  }
  EXPECT_EQ(mapped_at_peak, mapped);
}

TEST(TraceEndToEnd, ForkedAndExecedChildrenAreTracedToo) {
  CommandRun run = RunOutcore("trace", "", Program("child_process"));
  ASSERT_EQ(run.status, 0);
  const Json& processes = run.report["processes"];
  // Biggest first: the forked child's 40 MiB, the exec'd image's 20 MiB, the parent's 10 MiB.
  ASSERT_GE(processes.size(), 3u);
  ExpectWithinOnePercent(processes[0]["peak_heap"].num(), 40 << 20);
  EXPECT_TRUE(EndsWith(processes[0]["top_at_peak"][0]["location"].str(),
                       LineSuffixOf("child_process.cpp", "CHILD_LINE")));
  const Json* execed = ProcessNamed(run.report, "exec-child");
  ASSERT_NE(execed, nullptr);
  ExpectWithinOnePercent((*execed)["peak_heap"].num(), 20 << 20);
  EXPECT_TRUE(EndsWith((*execed)["top_at_peak"][0]["location"].str(),
                       LineSuffixOf("child_process.cpp", "EXEC_LINE")));
  bool saw_parent = false;
  for (size_t i = 0; i < processes.size(); ++i) {
    if (processes[i]["top_at_peak"][0]["location"].str().find(
            LineSuffixOf("child_process.cpp", "PARENT_LINE")) != std::string::npos) {
      saw_parent = true;
      ExpectWithinOnePercent(processes[i]["peak_heap"].num(), 10 << 20);
    }
  }
  EXPECT_TRUE(saw_parent);
}

TEST(TraceEndToEnd, ThreadPoolPeakIsTheSumOverThreads) {
  CommandRun run = RunOutcore("trace", "", Program("thread_pool"));
  ASSERT_EQ(run.status, 0);
  const Json& p = run.report["processes"][0];
  ExpectWithinOnePercent(p["peak_heap"].num(), 64 << 20);
  const Json& top = p["top_at_peak"][0];
  EXPECT_TRUE(EndsWith(top["location"].str(), LineSuffixOf("thread_pool.cpp", "THREAD_LINE")));
  EXPECT_EQ(top["count"].num(), 64);
}

TEST(TraceEndToEnd, ProgramKilledBySignalStillGetsItsReport) {
  CommandRun run = RunOutcore("trace", "", Program("killed"));
  EXPECT_EQ(run.status, 128 + 9);
  EXPECT_TRUE(run.report["exit"]["signaled"].boolean());
  const Json& p = run.report["processes"][0];
  EXPECT_FALSE(p["exited"].boolean());
  ExpectWithinOnePercent(p["peak_heap"].num(), 48 << 20);
  ExpectWithinOnePercent(p["snapshot_heap"].num(), 48 << 20);
  EXPECT_TRUE(EndsWith(p["top_at_peak"][0]["location"].str(), LineSuffixOf("killed.cpp", "KILL_LINE")));
}

TEST(TraceEndToEnd, AllocationFailureNearTheLimitStillGetsItsReport) {
  // A 600 MB address-space limit: the program's mallocs start failing there.
  CommandRun run =
      RunOutcore("trace", "", "/bin/sh -c 'ulimit -v 600000; exec " + Program("out_of_memory") + "'");
  EXPECT_EQ(run.status, 128 + 6);  // it aborts
  const Json* p = ProcessNamed(run.report, "trace_prog_out_of_memory");
  ASSERT_NE(p, nullptr) << run.output;
  EXPECT_TRUE((*p)["alloc_failed"].boolean());
  EXPECT_GE((*p)["failed_allocs"].num(), 1);
  EXPECT_GT((*p)["peak_heap"].num(), double(300 << 20));
  const Json& top = (*p)["top_at_peak"][0];
  EXPECT_TRUE(EndsWith(top["location"].str(), LineSuffixOf("out_of_memory.cpp", "OOM_LINE")));
  ExpectWithinOnePercent(top["bytes"].num(), (*p)["peak_heap"].num());
}

TEST(TraceEndToEnd, HtmlAndCollapsedOutputsAreWrittenAndBounded) {
  char dir_template[] = "/tmp/outcore-trace-test-XXXXXX";
  std::string dir = ::mkdtemp(dir_template);
  std::string line = std::string(OUTCORE_BIN) + " trace --quiet --html " + dir + "/r.html --collapsed " +
                     dir + "/r.folded -- " + Program("thread_pool");
  ASSERT_EQ(std::system(line.c_str()), 0);
  std::string html = ReadFile(dir + "/r.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_LT(html.size(), 400000u);
  std::string folded = ReadFile(dir + "/r.folded");
  EXPECT_NE(folded.find("grab() "), std::string::npos);
  EXPECT_NE(folded.find(" 67108864\n"), std::string::npos);
  std::system(("rm -rf " + dir).c_str());
}

TEST(TraceEndToEnd, LogListsEachLargeAllocationWithItsCallerInOrder) {
  CommandRun run = RunOutcore("trace", "--log 512KiB", Program("peak_at_line"));
  ASSERT_EQ(run.status, 0) << run.output;
  const Json& log = run.report["log"];
  ASSERT_EQ(log["lines"].size(), 65u) << run.output;  // 64 x malloc(1 MiB), then the 8 MiB vector
  for (size_t i = 0; i < 64; ++i) {
    const Json& line = log["lines"][i];
    EXPECT_EQ(line["call"].str(), "malloc");
    EXPECT_EQ(line["size"].num(), double(1 << 20));
    EXPECT_EQ(line["library"].str(), "trace_prog_peak_at_line");
    EXPECT_TRUE(EndsWith(line["location"].str(), LineSuffixOf("peak_at_line.cpp", "PEAK_LINE")))
        << line["location"].str();
    if (i) {
      EXPECT_GE(line["seconds"].num(), log["lines"][i - 1]["seconds"].num());
    }
  }
  const Json& later = log["lines"][64];
  EXPECT_EQ(later["call"].str(), "operator new");
  EXPECT_EQ(later["size"].num(), double(8 << 20));
  EXPECT_TRUE(EndsWith(later["location"].str(), LineSuffixOf("peak_at_line.cpp", "LATER_LINE")));
  EXPECT_EQ(log["not_shown"].num(), 0);
  // ltrace's form on stderr: library->call(size) = address, then the caller.
  CommandRun text = RunOutcore("trace", "--log 4MiB", Program("peak_at_line"));
  EXPECT_NE(text.output.find("trace_prog_peak_at_line->operator new(8388608) = 0x"), std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("1 allocation at or above it"), std::string::npos) << text.output;
}

TEST(TraceEndToEnd, LogIsBoundedByItsLimitAndCountsTheRest) {
  CommandRun run = RunOutcore("trace", "--log 512KiB --log-limit 10", Program("peak_at_line"));
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.report["log"]["lines"].size(), 10u);
  EXPECT_EQ(run.report["log"]["not_shown"].num(), 55);
  EXPECT_EQ(run.report["log"]["not_shown_bytes"].num(), double((54 << 20) + (8 << 20)));
  EXPECT_NE(run.output.find("55 more (62.0 MiB) not shown"), std::string::npos) << run.output;
}

TEST(TraceEndToEnd, MissingCommandIsAClearError) {
  CommandRun run = RunOutcore("trace", "", "/nonexistent/program");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.output.find("cannot run '/nonexistent/program'"), std::string::npos);
}

TEST(MemEndToEnd, ReportsPeakRssAndExitStatusOfTheChild) {
  CommandRun run = RunOutcore("mem", "", Program("peak_at_line"));
  ASSERT_EQ(run.status, 0);
  // 64 MiB touched: resident peak is at least that, and not wildly more.
  EXPECT_GE(run.report["peak_rss"].num(), double(64 << 20));
  EXPECT_LT(run.report["peak_rss"].num(), double(100 << 20));
  EXPECT_EQ(run.report["exit"]["status"].num(), 0);
  EXPECT_GE(run.report["timeline"].size(), 1u);
}

TEST(MemEndToEnd, CountsThePageFaultsOfTouchedMemoryPerSample) {
  CommandRun run = RunOutcore("mem", "--interval 0.005", Program("peak_at_line"));
  ASSERT_EQ(run.status, 0);
  // 64 MiB touched: at least one minor fault per 4 KiB page, and no major ones (nothing was evicted).
  EXPECT_GE(run.report["minor_faults"].num(), double(64 << 20) / 4096);
  const Json& timeline = run.report["timeline"];
  ASSERT_GE(timeline.size(), 3u);
  for (size_t i = 1; i < timeline.size(); ++i)
    EXPECT_GE(timeline[i]["minor_faults"].num(), timeline[i - 1]["minor_faults"].num());
  EXPECT_GE(timeline[timeline.size() - 1]["minor_faults"].num(), double(64 << 20) / 4096);
  EXPECT_EQ(run.report["squeezed"].size(), 0u);
  EXPECT_TRUE(std::isfinite(timeline[0]["rss_shmem"].num()));
  EXPECT_TRUE(std::isfinite(timeline[0]["pressure_some_us"].num()));
}

TEST(MemEndToEnd, PassesOnTheExitStatusAndSignal) {
  CommandRun run = RunOutcore("mem", "", "/bin/sh -c 'exit 7'");
  EXPECT_EQ(run.status, 7);
  EXPECT_EQ(run.report["exit"]["exit_code"].num(), 7);
  CommandRun killed = RunOutcore("mem", "", Program("killed"));
  EXPECT_EQ(killed.status, 128 + 9);
  EXPECT_EQ(killed.report["exit"]["signal"].num(), 9);
}

TEST(MemEndToEnd, CountsChildrenOfTheCommand) {
  CommandRun run = RunOutcore("mem", "--interval 0.005", Program("child_process"));
  ASSERT_EQ(run.status, 0);
  // The forked child held 40 MiB for a few milliseconds; it must not be
  // hidden behind the parent's 10 (rusage covers what sampling may miss).
  EXPECT_GE(run.report["peak_rss"].num(), double(40 << 20));
  // A child that lives across samples is listed as a process of its own.
  CommandRun shell = RunOutcore("mem", "--interval 0.005", "/bin/sh -c 'sleep 0.4 & wait'");
  ASSERT_EQ(shell.status, 0);
  EXPECT_GE(shell.report["processes"].size(), 2u);
}
