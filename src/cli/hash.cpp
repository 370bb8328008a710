// `outcore hash`: feature hashing of .oc columns into a scipy-readable CSR .npz,
// bit-compatible with sklearn's FeatureHasher (src/transform/dataset_hasher.h).
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

struct HashArgs {
  std::string input;
  std::vector<std::string> columns;
  std::vector<std::string> tokens;
  int64_t n_features = int64_t(1) << 20;
  bool no_alternate_sign = false;
  std::string output;
  std::string memory_limit;
  RowSelectionArgs rows;
};

Status RunHash(const HashArgs& a) {
  auto start = std::chrono::steady_clock::now();
  OC_ASSIGN_OR_RETURN(RowSelection rows, RowSelectionOf(a.rows));
  OC_ASSIGN_OR_RETURN(uint64_t limit, EngineMemoryLimit(a.memory_limit));
  MemoryBudget budget(limit);
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  HashOptions options;
  options.columns = a.columns;
  options.token_columns = a.tokens;
  options.n_features = a.n_features;
  options.alternate_sign = !a.no_alternate_sign;
  options.memory_limit = limit / 2;  // the scan's decode buffers; the rest is for the rows being hashed
  options.cancel = &InstallInterruptFlag();
  options.rows = rows;
  OC_ASSIGN_OR_RETURN(NpzWritten out, HashColumnsToNpz(dataset, options, a.output, &budget));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(
      stderr, "outcore hash: %s rows x %s features, %s stored entries -> %s in %.2f s (peak RSS %s)\n",
      Thousands(uint64_t(out.rows)).c_str(), Thousands(uint64_t(a.n_features)).c_str(),
      Thousands(uint64_t(out.nnz)).c_str(), a.output.c_str(), seconds, FormatSize(PeakRss()).c_str());
  return Status::OK();
}

void SetupHash(CLI::App& app) {
  auto args = std::make_shared<HashArgs>();
  CLI::App* cmd = app.add_subcommand(
      "hash", "feature hashing (sklearn FeatureHasher-compatible) of columns into a CSR .npz");
  cmd->footer(
      "Each row is hashed like sklearn's FeatureHasher(input_type='dict') on {column: value}: a string\n"
      "value v of column c is the feature \"c=v\", a number is the feature \"c\" with that value, nulls\n"
      "are skipped (--nulls keep; drop leaves such rows out, mean hashes a number column's mean in\n"
      "their place, fail stops at the first). --tokens columns add every whitespace-separated token\n"
      "as a feature of value 1.\n"
      "Example:\n  outcore hash sample.oc --columns topic,user --tokens text --n-features 1048576 -o X.npz\n"
      "  python -c \"import scipy.sparse as sp; print(sp.load_npz('X.npz').shape)\"\n");
  cmd->add_option("file", args->input, "the .oc file, or a folder of parts (read as one table)")->required();
  cmd->add_option("--columns", args->columns, "columns hashed as column=value (numbers: column, value)")
      ->delimiter(',');
  cmd->add_option("--tokens", args->tokens, "text columns hashed token by token")->delimiter(',');
  cmd->add_option("--n-features", args->n_features, "number of output columns (1 .. 2^31-1)")
      ->capture_default_str();
  cmd->add_flag("--no-alternate-sign", args->no_alternate_sign, "keep every hashed value positive");
  cmd->add_option("-o,--output", args->output, "the .npz to write (scipy.sparse.load_npz reads it)")
      ->required();
  cmd->add_option("--memory-limit", args->memory_limit, "memory budget of the whole process, e.g. 512MiB");
  AddRowSelectionOptions(cmd, &args->rows, "hash only the rows for which this predicate is true", "keep",
                         "keep, drop, mean or fail: what a null does");
  cmd->callback([args] {
    Status status = RunHash(*args);
    if (!status.ok()) ReportError("hash", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(50, outcore::cli::SetupHash);
