// `outcore onehot`: one-hot encoding of string columns (sklearn OneHotEncoder's
// categories, column order and feature names) into a CSR .npz.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/transform_args.h"
#include "outcore/dataset.h"
#include "outcore/transform.h"

namespace outcore::cli {
namespace {

struct OneHotArgs {
  std::string input;
  std::vector<std::string> columns;
  std::string categories_from;
  std::string handle_unknown = "error";
  std::string output;
  std::string memory_limit;
  RowSelectionArgs rows;
};

Status RunOneHot(const OneHotArgs& a) {
  auto start = std::chrono::steady_clock::now();
  if (a.handle_unknown != "error" && a.handle_unknown != "ignore") {
    return Status::InvalidArgument("--handle-unknown is error or ignore, not '" + a.handle_unknown + "'");
  }
  OC_ASSIGN_OR_RETURN(RowSelection rows, RowSelectionOf(a.rows));
  OC_ASSIGN_OR_RETURN(uint64_t limit, EngineMemoryLimit(a.memory_limit));
  MemoryBudget budget(limit);
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  std::shared_ptr<Dataset> fitted_on = dataset;
  if (!a.categories_from.empty()) {
    OC_ASSIGN_OR_RETURN(fitted_on, Dataset::Open(a.categories_from));
  }
  // --where picks the rows encoded; the categories come from every row of
  // --categories-from (a fit), or from the rows encoded.
  RowSelection fit_rows = rows;
  if (!a.categories_from.empty()) fit_rows.where.clear();
  const std::atomic<bool>& interrupted = InstallInterruptFlag();
  OC_ASSIGN_OR_RETURN(OneHotCategories categories, FitOneHot(fitted_on, a.columns, &interrupted, fit_rows));
  OC_ASSIGN_OR_RETURN(NpzWritten out,
                      OneHotEncodeToNpz(dataset, a.columns, categories, a.handle_unknown == "ignore",
                                        a.output, &budget, &interrupted, rows));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "outcore onehot: %s rows x %s features -> %s in %.2f s (peak RSS %s)\n",
               Thousands(uint64_t(out.rows)).c_str(), Thousands(uint64_t(out.cols)).c_str(), a.output.c_str(),
               seconds, FormatSize(PeakRss()).c_str());
  return Status::OK();
}

void SetupOneHot(CLI::App& app) {
  auto args = std::make_shared<OneHotArgs>();
  CLI::App* cmd =
      app.add_subcommand("onehot", "one-hot encoding (sklearn OneHotEncoder-compatible) into a CSR .npz");
  cmd->footer(
      "Categories are each column's sorted distinct values (of --categories-from when given); output\n"
      "columns are named <column>_<category> (stored as feature_names in the .npz). Nulls encode as\n"
      "all-zero (--nulls keep); --nulls drop leaves such rows out, fail stops at the first.\n"
      "Example:\n  outcore onehot sample.oc --columns topic -o X.npz\n"
      "  outcore onehot sample.oc --columns topic,word --where \"price > 100\" --nulls drop -o X.npz\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts (read as one table)")->required();
  cmd->add_option("--columns", args->columns, "string columns to encode")->delimiter(',')->required();
  cmd->add_option("--categories-from", args->categories_from, "take the categories from this .oc file (fit)");
  cmd->add_option("--handle-unknown", args->handle_unknown, "error or ignore (all-zero) for unseen values")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "the .npz to write")->required();
  cmd->add_option("--memory-limit", args->memory_limit, "memory budget of the whole process, e.g. 512MiB");
  AddRowSelectionOptions(cmd, &args->rows, "encode only the rows for which this predicate is true", "keep",
                         "keep, drop or fail: what a null does");
  cmd->callback([args] {
    Status status = RunOneHot(*args);
    if (!status.ok()) ReportError("onehot", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(53, outcore::cli::SetupOneHot);
