// `outcore export`: numeric columns of a .oc file to a .npy (one 2-D array,
// memmap-able) or a .npz (the same as "X", or one array per column),
// streamed in bounded memory through ExportArrays (outcore/export.h).
#include "outcore/export.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "outcore/dataset.h"

namespace outcore::cli {
namespace {

struct ExportArgs {
  std::string input;
  std::vector<std::string> columns;
  std::string to;
  std::string output;
  std::string dtype;
  bool per_column = false;
  std::string where;
  bool where_given = false;
  std::string memory_limit;
};

Status RunExport(const ExportArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  ExportOptions options;
  options.columns = a.columns;
  if (a.to == "npz") {
    options.npz = true;
  } else if (a.to != "npy") {
    return Status::InvalidArgument("--to must be npy or npz, not '" + a.to + "'");
  }
  options.per_column = a.per_column;
  if (a.per_column && !options.npz) {
    return Status::InvalidArgument("--per-column needs --to npz (a .npy file holds one array)");
  }
  if (!a.dtype.empty()) {
    OC_ASSIGN_OR_RETURN(ElementType type, ParseElementType(a.dtype, "--dtype"));
    options.dtype = type;
  }
  if (a.where_given) OC_RETURN_IF_ERROR(CheckWhere(a.where, "--where"));
  options.where = a.where;
  if (!a.memory_limit.empty()) {
    OC_ASSIGN_OR_RETURN(uint64_t limit, ParseSize(a.memory_limit));
    OC_ASSIGN_OR_RETURN(options.memory_limit, EngineShareOfLimit(limit));
  }
  OC_ASSIGN_OR_RETURN(std::string target,
                      CheckOutputPath(a.output, "the output (-o)", {{a.input, "the input"}}));
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  options.cancel = &InstallInterruptFlag();
  OC_ASSIGN_OR_RETURN(ExportReport report, ExportArrays(dataset, options, target));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string types;
  for (size_t i = 0; i < report.types.size(); ++i) {
    if (i && report.types[i] == report.types[0]) continue;
    types += (types.empty() ? "" : "/") + std::string(ElementName(report.types[i]));
  }
  std::fprintf(stderr, "outcore export: %s rows x %zu columns (%s) -> %s, %s in %.2f s, peak RSS %s\n",
               Thousands(uint64_t(report.rows)).c_str(), report.columns.size(), types.c_str(),
               a.output.c_str(), FormatSize(report.bytes).c_str(), seconds, FormatSize(PeakRss()).c_str());
  return Status::OK();
}

void SetupExport(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd =
      app.add_subcommand("export", "numeric columns to a .npy or .npz file (memmap-able NumPy arrays)");
  cmd->footer(
      "A .npy holds one 2-D array, rows x columns in C order; a .npz holds it as \"X\", or with\n"
      "--per-column one 1-D array per column, named after it. The dtype is NumPy's result type of\n"
      "the columns (bool, int64 or float64) unless --dtype says otherwise. Nulls become NaN in a\n"
      "float array; an integer or bool array refuses them (use --dtype float64, or leave such rows\n"
      "out with --where \"x is not null\"). Memory stays bounded: one batch is converted at a time.\n"
      "Examples:\n"
      "  outcore export sample.oc --columns score,price,quantity --to npy -o X.npy \\\n"
      "      --where \"price is not null and quantity is not null\"\n"
      "  python -c \"import numpy as np, outcore as oc; X = np.load('X.npy', mmap_mode='r'); \\\n"
      "      print(oc.IncrementalPCA(n_components=2).fit(X).explained_variance_ratio_)\"\n"
      "  outcore export sample.oc --columns price,quantity --to npz --per-column -o cols.npz\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts (read as one table)")->required();
  cmd->add_option("--columns", args->columns, "bool/int64/float64 columns (default: all of them)")
      ->delimiter(',');
  cmd->add_option("--to", args->to, "npy or npz")->required();
  cmd->add_option("-o,--output", args->output, "the file to write")->required();
  cmd->add_option("--dtype", args->dtype, "bool, int8, int16, int32, int64, float32 or float64");
  cmd->add_flag("--per-column", args->per_column, "--to npz: one 1-D array per column instead of \"X\"");
  cmd->add_option("--where", args->where,
                  "export only the rows for which this predicate is true (doc/query.md)")
      ->each([args](const std::string&) { args->where_given = true; });
  cmd->add_option("--memory-limit", args->memory_limit, "memory budget, e.g. 512MiB");
  cmd->callback([args] {
    Status status = RunExport(*args);
    if (!status.ok()) ReportError("export", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(45, outcore::cli::SetupExport);
