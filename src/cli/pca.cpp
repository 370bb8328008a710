// `outcore pca`: incremental PCA (sklearn IncrementalPCA's algorithm and
// numbers) over numeric columns of a .oc file, streamed in bounded memory; the
// model goes to a .npz, optionally the projected rows to a memmap-able .npy.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/transform_args.h"
#include "outcore/dataset.h"
#include "outcore/transform.h"

namespace outcore::cli {
namespace {

struct PcaArgs {
  std::string input;
  std::vector<std::string> columns;
  int64_t components = -1;
  bool whiten = false;
  int64_t batch_size = -1;
  std::string output;
  std::string transformed;
  std::string memory_limit;
  RowSelectionArgs rows;
};

Status RunPca(PcaArgs a) {
  auto start = std::chrono::steady_clock::now();
  OC_ASSIGN_OR_RETURN(RowSelection rows, RowSelectionOf(a.rows));
  if (rows.nulls == NullPolicy::kKeep) {
    return Status::InvalidArgument(
        "--nulls keep does not apply to pca (its input cannot hold a null): "
        "use drop, mean or fail");
  }
  OC_ASSIGN_OR_RETURN(uint64_t limit, EngineMemoryLimit(a.memory_limit));
  MemoryBudget budget(limit);
  // Both outputs are vetted before the fit, which may take long.
  OC_RETURN_IF_ERROR(CheckOutputPath(a.output, "the model (-o)", {{a.input, "the input"}}).status());
  if (!a.transformed.empty()) {
    OC_RETURN_IF_ERROR(CheckOutputPath(a.transformed, "the projected rows (--transform)",
                                       {{a.input, "the input"}, {a.output, "the model (-o)"}})
                           .status());
  }
  OC_ASSIGN_OR_RETURN(auto dataset, Dataset::Open(a.input));
  if (a.columns.empty()) {
    for (const auto& c : dataset->schema()) {
      if (c.type == TypeId::kInt64 || c.type == TypeId::kFloat64 || c.type == TypeId::kBool)
        a.columns.push_back(c.name);
    }
  }
  IncrementalPcaModel pca({.n_components = a.components, .whiten = a.whiten, .batch_size = a.batch_size},
                          &budget);
  const std::atomic<bool>& interrupted = InstallInterruptFlag();
  OC_RETURN_IF_ERROR(FitPcaOnDataset(dataset, a.columns, &pca, &budget, rows, &interrupted));
  const int64_t batch_size = pca.EffectiveBatchSize(int64_t(a.columns.size()));
  OC_RETURN_IF_ERROR(WritePcaModelNpz(a.output, pca, a.columns));
  if (!a.transformed.empty()) {
    OC_RETURN_IF_ERROR(
        TransformDatasetToNpy(dataset, a.columns, pca, a.transformed, &budget, &interrupted, rows).status());
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr,
               "outcore pca: %s rows x %zu columns -> %lld components (batch %lld) in %.2f s, peak RSS %s\n",
               Thousands(uint64_t(pca.n_samples_seen())).c_str(), a.columns.size(),
               (long long)pca.n_components(), (long long)batch_size, seconds, FormatSize(PeakRss()).c_str());
  double cumulative = 0;
  for (int64_t i = 0; i < pca.n_components(); ++i) {
    cumulative += pca.explained_variance_ratio()[size_t(i)];
    std::fprintf(stderr, "  component %lld: explained variance %.6g (ratio %.4f, cumulative %.4f)\n",
                 (long long)i, pca.explained_variance()[size_t(i)], pca.explained_variance_ratio()[size_t(i)],
                 cumulative);
  }
  return Status::OK();
}

void SetupPca(CLI::App& app) {
  auto args = std::make_shared<PcaArgs>();
  CLI::App* cmd =
      app.add_subcommand("pca", "incremental PCA (sklearn IncrementalPCA's numbers) of numeric columns");
  cmd->footer(
      "The model .npz holds components, explained_variance, explained_variance_ratio, singular_values,\n"
      "mean, var, noise_variance, n_samples_seen, n_components, batch_size, whiten and columns.\n"
      "A null in a fitted row is an error by default (--nulls fail); --nulls drop leaves rows with a\n"
      "null out, --nulls mean puts the column's mean in its place (--transform projects the same rows,\n"
      "a null as the model's mean).\n"
      "Example:\n  outcore pca sample.oc --columns x1,x2,x3 --components 2 -o model.npz --transform X.npy\n"
      "  outcore pca sample.oc --columns score,price --components 2 -o model.npz --nulls drop\n"
      "  outcore pca sample.oc --columns score,price -k 2 -o model.npz --where \"topic == 'food'\" --nulls "
      "mean\n"
      "  python -c \"import numpy as np; print(np.load('X.npy', mmap_mode='r').shape)\"\n");
  cmd->add_option("file", args->input, "the .oc file")->required();
  cmd->add_option("--columns", args->columns, "int64/float64/bool columns (default: all of them)")
      ->delimiter(',');
  cmd->add_option("-k,--components", args->components, "number of components (default: all)");
  cmd->add_flag("--whiten", args->whiten, "scale projected rows to unit variance");
  cmd->add_option("--batch-size", args->batch_size, "rows per SVD update (default: 5 x columns)");
  cmd->add_option("-o,--output", args->output, "the model .npz to write")->required();
  cmd->add_option("--transform", args->transformed, "also write the projected rows to this .npy");
  cmd->add_option("--memory-limit", args->memory_limit, "memory budget of the whole process, e.g. 512MiB");
  AddRowSelectionOptions(cmd, &args->rows,
                         "fit (and --transform) only the rows for which this predicate is true", "fail",
                         "drop, mean or fail: what a null in a fitted row does");
  cmd->callback([args] {
    Status status = RunPca(*args);
    if (!status.ok()) ReportError("pca", status);
  });
}

}  // namespace
}  // namespace outcore::cli

OUTCORE_COMMAND(51, outcore::cli::SetupPca);
