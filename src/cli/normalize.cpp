// `outcore normalize`: min-max or z-score scaling of columns of a .oc file,
// rewritten chunk by chunk and replaced atomically (src/transform/dataset_normalize.h).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/transform_args.h"
#include "outcore/memory.h"
#include "outcore/transform.h"

namespace outcore::cli {
namespace {

struct NormalizeArgs {
  std::string input;
  std::vector<std::string> columns;
  std::string method = "minmax";
  std::vector<double> range = {0.0, 1.0};
  std::string output;
  std::string memory_limit;
  bool no_wait = false;
  RowSelectionArgs rows;
};

Status RunNormalize(const NormalizeArgs& a) {
  auto start = std::chrono::steady_clock::now();
  NormalizeColumnsOptions o;
  o.columns = a.columns;
  OC_ASSIGN_OR_RETURN(o.method, ParseScaleMethod(a.method, "--method"));
  if (a.range.size() != 2) return Status::InvalidArgument("--range takes two numbers: min,max");
  o.range_min = a.range[0];
  o.range_max = a.range[1];
  o.output = a.output;
  OC_ASSIGN_OR_RETURN(o.rows, RowSelectionOf(a.rows));
  OC_ASSIGN_OR_RETURN(o.memory_limit, EngineMemoryLimit(a.memory_limit));
  o.cancel = &InstallInterruptFlag();
  o.no_wait = a.no_wait;
  o.lock_waiting = [](const std::string& message) {
    std::fprintf(stderr, "outcore normalize: %s (Ctrl-C to give up)\n", message.c_str());
  };
  OC_ASSIGN_OR_RETURN(ScalerFit params, NormalizeColumns(a.input, o));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "outcore normalize: %s -> %s (%s) in %.2f s, peak RSS %s\n", a.input.c_str(),
               (a.output.empty() ? a.input : a.output).c_str(), a.method.c_str(), seconds,
               FormatSize(PeakRss()).c_str());
  for (size_t i = 0; i < a.columns.size(); ++i) {
    if (o.method == ScaleMethod::kMinMax) {
      std::fprintf(stderr, "  %-16s min %.10g max %.10g -> [%g, %g]\n", a.columns[i].c_str(),
                   params.data_min[i], params.data_max[i], o.range_min, o.range_max);
    } else {
      std::fprintf(stderr, "  %-16s mean %.10g std %.10g\n", a.columns[i].c_str(), params.mean[i],
                   std::sqrt(params.var[i]));
    }
  }
  return Status::OK();
}

void SetupNormalize(CLI::App& app) {
  auto args = std::make_shared<NormalizeArgs>();
  CLI::App* cmd =
      app.add_subcommand("normalize", "min-max or z-score columns of a .oc file in place (atomically)");
  cmd->footer(
      "Same numbers as sklearn's MinMaxScaler / StandardScaler; int64 columns become float64. The file is\n"
      "rewritten beside itself and renamed over the original: it is never left half-normalized.\n"
      "In place, the file is locked until it is replaced: a second normalize or index of the same\n"
      "file waits for the first (or, with --no-wait, fails at once) instead of losing its update.\n"
      "--where picks the rows the statistics are taken from; every row is scaled. Nulls stay null and\n"
      "out of the fit (--nulls keep); --nulls mean writes the (scaled) column mean in their place.\n"
      "Example:\n  outcore normalize sample.oc --columns price,quantity --method zscore\n"
      "  outcore normalize sample.oc --columns price --where \"price < 1000\" --nulls mean -o scaled.oc\n");
  cmd->add_option("file", args->input, "the .oc file")->required();
  cmd->add_option("--columns", args->columns, "int64/float64 columns")->delimiter(',')->required();
  cmd->add_option("--method", args->method, "minmax or zscore")->capture_default_str();
  cmd->add_option("--range", args->range, "minmax's output range: min,max")->delimiter(',')->expected(2);
  cmd->add_option("-o,--output", args->output, "write here instead of replacing the input");
  cmd->add_flag("--no-wait", args->no_wait,
                "fail at once if another process is rewriting the file (default: wait for it)");
  cmd->add_option("--memory-limit", args->memory_limit, "memory budget of the whole process, e.g. 512MiB");
  AddRowSelectionOptions(cmd, &args->rows, "fit the statistics on the rows for which this predicate is true",
                         "keep", "keep, mean or fail: what a null does");
  cmd->callback([args] {
    Status status = RunNormalize(*args);
    if (!status.ok()) ReportError("normalize", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(54, outcore::cli::SetupNormalize);
