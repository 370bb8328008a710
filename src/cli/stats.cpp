// `outcore stats`: per-column count, nulls, min, max, mean, variance (merged
// across chunks, numerically stable) and distinct count of dictionary columns.
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/transform_args.h"
#include "outcore/dataset.h"
#include "outcore/transform.h"

namespace outcore::cli {
namespace {

struct StatsArgs {
  std::string input;
  std::vector<std::string> columns;
  bool json = false;
  RowSelectionArgs rows;
  std::string memory_limit;
};

Status RunStats(const StatsArgs& a) {
  OC_ASSIGN_OR_RETURN(RowSelection rows, RowSelectionOf(a.rows));
  OC_ASSIGN_OR_RETURN(uint64_t limit, EngineMemoryLimit(a.memory_limit));
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  OC_ASSIGN_OR_RETURN(auto stats,
                      ComputeColumnStats(dataset, a.columns, limit, &InstallInterruptFlag(), rows));
  if (a.json) {
    JsonWriter json;
    json.BeginObject()
        .Key("file")
        .String(a.input)
        .Key("rows")
        .Int(dataset->num_rows())
        .Key("columns")
        .BeginArray();
    for (const auto& s : stats) {
      json.BeginObject().Key("name").String(s.name).Key("type").String(TypeName(s.type));
      json.Key("count").Int(s.count).Key("nulls").Int(s.nulls);
      if (s.numeric()) {
        json.Key("nans").Int(s.nans);
        if (s.has_range) {
          json.Key("min").Number(s.min).Key("max").Number(s.max);
          json.Key("mean").Number(s.mean).Key("variance").Number(s.variance);
        }
      }
      if (s.distinct >= 0) json.Key("distinct").Int(s.distinct);
      json.EndObject();
    }
    json.EndArray().EndObject();
    std::printf("%s\n", json.str().c_str());
    return Status::OK();
  }
  std::printf("%-16s %-9s %12s %10s %8s %14s %14s %14s %14s %10s\n", "column", "type", "count", "nulls",
              "nans", "min", "max", "mean", "std", "distinct");
  for (const auto& s : stats) {
    std::string distinct = s.distinct >= 0 ? Thousands(uint64_t(s.distinct)) : "";
    if (s.numeric() && s.has_range) {
      std::printf("%-16s %-9s %12s %10s %8s %14.6g %14.6g %14.6g %14.6g %10s\n", s.name.c_str(),
                  std::string(TypeName(s.type)).c_str(), Thousands(uint64_t(s.count)).c_str(),
                  Thousands(uint64_t(s.nulls)).c_str(), Thousands(uint64_t(s.nans)).c_str(), s.min, s.max,
                  s.mean, std::sqrt(s.variance), distinct.c_str());
    } else {
      std::printf("%-16s %-9s %12s %10s %8s %14s %14s %14s %14s %10s\n", s.name.c_str(),
                  std::string(TypeName(s.type)).c_str(), Thousands(uint64_t(s.count)).c_str(),
                  Thousands(uint64_t(s.nulls)).c_str(), "", "", "", "", "", distinct.c_str());
    }
  }
  return Status::OK();
}

void SetupStats(CLI::App& app) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd =
      app.add_subcommand("stats", "count, nulls, min, max, mean, variance, distinct values per column");
  cmd->footer(
      "Variance is the population variance (ddof=0, as numpy); NaN is counted apart and left out.\n"
      "--nulls keep counts nulls apart; drop leaves out rows with a null in any named column; mean\n"
      "counts a null as its column's mean (the variance is then that of the imputed column).\n"
      "Example:\n  outcore stats sample.oc --columns price,quantity,topic\n"
      "  outcore stats sample.oc --columns price,quantity --where \"topic == 'food'\" --nulls drop\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts (read as one table)")->required();
  cmd->add_option("--columns", args->columns, "columns to summarize (default: all)")->delimiter(',');
  cmd->add_flag("--json", args->json, "print as JSON");
  AddRowSelectionOptions(cmd, &args->rows, "summarize only the rows for which this predicate is true", "keep",
                         "keep, drop, mean or fail: what a null does");
  cmd->add_option("--memory-limit", args->memory_limit, "memory budget of the whole process, e.g. 512MiB");
  cmd->callback([args] {
    Status status = RunStats(*args);
    if (!status.ok()) ReportError("stats", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(52, outcore::cli::SetupStats);
